# Fair use (bot/commands/fairuse.c): per-user token buckets. Included from
# tests/unit/CMakeLists.txt.
hallway_add_unit_test(test_fairuse
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_fairuse.c ${CMAKE_SOURCE_DIR}/bot/commands/fairuse.c
    ${CMAKE_SOURCE_DIR}/bot/core/clock.c ${CMAKE_SOURCE_DIR}/bot/core/log.c
  LIBS PkgConfig::JANSSON PkgConfig::LWS m)
