# hw_when_read (lib/when.c): every time phrase in one table.
hallway_add_unit_test(test_when SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_when.c)
