# The shared helpers (lib/, hallway_text): folding, distance, day and time
# words, cut-safe formatting.
hallway_add_unit_test(test_text SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_text.c)
# Units of work and statement helpers over the plugin storage API (lib/stmt.c).
hallway_add_unit_test(test_stmt SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_stmt.c)
