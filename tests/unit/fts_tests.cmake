# hw_fts (lib/fts.c): the shared FTS5 search (words, typos, insides, run-together words).
hallway_add_unit_test(test_fts SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_fts.c)
