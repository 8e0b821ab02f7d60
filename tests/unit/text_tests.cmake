# The shared helpers (lib/, hallway_text): folding, distance, day and time
# words, cut-safe formatting.
hallway_add_unit_test(test_text SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_text.c)
