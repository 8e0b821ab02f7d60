# The versions of bus payloads (lib/events.c, include/hallway/events.h).
hallway_add_unit_test(test_events SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_events.c)
