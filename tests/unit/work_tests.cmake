# Worker pool unit tests (bot/core/work.c): detaching a job never waits for a worker.
hallway_add_unit_test(test_work
  SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_work.c ${CMAKE_SOURCE_DIR}/bot/core/work.c
          ${CMAKE_SOURCE_DIR}/bot/core/log.c
  LIBS PkgConfig::LWS PkgConfig::JANSSON Threads::Threads)
