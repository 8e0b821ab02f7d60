# The dry run's collection (bot/host/plan_wait.c) and the plugin side of its
# holds (lib/plan_event.c).
hallway_add_unit_test(test_plan
  SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_plan.c ${CMAKE_SOURCE_DIR}/bot/host/plan_wait.c)
