# Storage and clock unit tests. Included from tests/unit/CMakeLists.txt; the
# sources are compiled straight into each test (bot/log.c brings jansson and
# libwebsockets for its JSON lines and lws log routing).
hallway_add_unit_test(test_storage
  SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_storage.c ${CMAKE_SOURCE_DIR}/bot/storage.c
          ${CMAKE_SOURCE_DIR}/bot/log.c
  LIBS PkgConfig::SQLITE PkgConfig::JANSSON PkgConfig::LWS)
hallway_add_unit_test(test_clock
  SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_clock.c ${CMAKE_SOURCE_DIR}/bot/clock.c
  LIBS m)
