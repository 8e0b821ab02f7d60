# Storage and clock unit tests. Included from tests/unit/CMakeLists.txt; the
# sources are compiled straight into each test (bot/log.c brings jansson and
# libwebsockets for its JSON lines and lws log routing).
hallway_add_unit_test(test_storage
  SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_storage.c ${CMAKE_SOURCE_DIR}/bot/storage.c
          ${CMAKE_SOURCE_DIR}/bot/log.c ${CMAKE_SOURCE_DIR}/bot/work.c
  LIBS PkgConfig::SQLITE PkgConfig::JANSSON PkgConfig::LWS Threads::Threads)
# The storage API's engines (store*.c) and the mock host's db_run: units of
# work, statements, the first-error rule, isolation, the storage thread.
hallway_add_unit_test(test_store
  SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_store.c ${CMAKE_SOURCE_DIR}/bot/storage.c
          ${CMAKE_SOURCE_DIR}/bot/log.c ${CMAKE_SOURCE_DIR}/bot/work.c
          ${CMAKE_SOURCE_DIR}/tests/support/mock_api.c
  LIBS PkgConfig::SQLITE PkgConfig::JANSSON PkgConfig::LWS Threads::Threads)
target_include_directories(test_store PRIVATE ${CMAKE_SOURCE_DIR}/tests/support)
# PostgreSQL: one private cluster (scripts/pg-cluster.sh, as the postgres
# user when run as root) for the tests that need a server: a CTest fixture
# started before them and stopped (and removed) after.
string(MD5 HALLWAY_PG_HASH "${CMAKE_BINARY_DIR}")
string(SUBSTRING ${HALLWAY_PG_HASH} 0 10 HALLWAY_PG_HASH)
set(HALLWAY_PG_DIR /tmp/hallway-pg-${HALLWAY_PG_HASH} CACHE INTERNAL "the test cluster's folder")
add_test(NAME pg_cluster_start COMMAND ${CMAKE_SOURCE_DIR}/scripts/pg-cluster.sh start ${HALLWAY_PG_DIR})
add_test(NAME pg_cluster_stop COMMAND ${CMAKE_SOURCE_DIR}/scripts/pg-cluster.sh stop ${HALLWAY_PG_DIR})
set_tests_properties(pg_cluster_start PROPERTIES FIXTURES_SETUP pg)
set_tests_properties(pg_cluster_stop PROPERTIES FIXTURES_CLEANUP pg)
add_test(NAME test_store_pg COMMAND test_store)
set_tests_properties(test_store_pg PROPERTIES FIXTURES_REQUIRED pg RESOURCE_LOCK pg_cluster
  ENVIRONMENT "HALLWAY_TEST_PG_DIR=${HALLWAY_PG_DIR}")
hallway_add_unit_test(test_clock
  SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_clock.c ${CMAKE_SOURCE_DIR}/bot/clock.c
  LIBS m)
