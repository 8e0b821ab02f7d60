# The console's text rendering of Discord markup (bot/console/console_text.c).
hallway_add_unit_test(test_console_text
  SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_console_text.c ${CMAKE_SOURCE_DIR}/bot/console/console_text.c)
