# Storage and clock unit tests. Included from tests/unit/CMakeLists.txt; the
# sources are compiled straight into each test (bot/core/log.c brings jansson and
# libwebsockets for its JSON lines and lws log routing).
hallway_add_unit_test(test_storage
  SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_storage.c ${CMAKE_SOURCE_DIR}/bot/storage/storage.c
          ${CMAKE_SOURCE_DIR}/bot/core/log.c ${CMAKE_SOURCE_DIR}/bot/core/work.c ${CMAKE_SOURCE_DIR}/bot/storage/lease.c
  LIBS PkgConfig::SQLITE PkgConfig::JANSSON PkgConfig::LWS Threads::Threads)
# The storage API's engines (store*.c) and the mock host's db_run: units of
# work, statements, the first-error rule, isolation, the storage thread.
hallway_add_unit_test(test_store
  SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_store.c ${CMAKE_SOURCE_DIR}/bot/storage/storage.c
          ${CMAKE_SOURCE_DIR}/bot/core/log.c ${CMAKE_SOURCE_DIR}/bot/core/work.c ${CMAKE_SOURCE_DIR}/bot/storage/lease.c
          ${CMAKE_SOURCE_DIR}/tests/support/mock_api.c
  LIBS PkgConfig::SQLITE PkgConfig::JANSSON PkgConfig::LWS Threads::Threads)
target_include_directories(test_store PRIVATE ${CMAKE_SOURCE_DIR}/tests/support)
# PostgreSQL: one private cluster (scripts/pg-cluster.sh, as the postgres
# user when run as root) for the tests that need a server: a CTest fixture
# started before them and stopped (and removed) after. HALLWAY_PG_DIR and
# hallway_pg_variant() are in cmake/hallway.cmake.
add_test(NAME pg_cluster_start COMMAND ${CMAKE_SOURCE_DIR}/scripts/pg-cluster.sh start ${HALLWAY_PG_DIR})
add_test(NAME pg_cluster_stop COMMAND ${CMAKE_SOURCE_DIR}/scripts/pg-cluster.sh stop ${HALLWAY_PG_DIR})
set_tests_properties(pg_cluster_start PROPERTIES FIXTURES_SETUP pg)
set_tests_properties(pg_cluster_stop PROPERTIES FIXTURES_CLEANUP pg)
hallway_pg_variant(test_store)
# The DM outbox every plugin uses (lib/dm_outbox.c) on db_run: nonces,
# retries, batches, the takeover and the lease fence (the last on
# PostgreSQL only).
hallway_add_unit_test(test_dm_outbox
  SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_dm_outbox.c ${CMAKE_SOURCE_DIR}/bot/storage/storage.c
          ${CMAKE_SOURCE_DIR}/bot/core/log.c ${CMAKE_SOURCE_DIR}/bot/core/work.c ${CMAKE_SOURCE_DIR}/bot/storage/lease.c
          ${CMAKE_SOURCE_DIR}/tests/support/mock_api.c
  LIBS PkgConfig::SQLITE PkgConfig::JANSSON PkgConfig::LWS Threads::Threads)
target_include_directories(test_dm_outbox PRIVATE ${CMAKE_SOURCE_DIR}/tests/support)
hallway_pg_variant(test_dm_outbox)
hallway_add_unit_test(test_clock
  SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_clock.c ${CMAKE_SOURCE_DIR}/bot/core/clock.c
  LIBS m)
# The storage bench (bench/store/run.sh; not a test): build/bench/bench_store.
add_executable(bench_store ${CMAKE_SOURCE_DIR}/bench/store/bench_store.c
  ${CMAKE_SOURCE_DIR}/bot/storage/storage.c ${CMAKE_SOURCE_DIR}/bot/core/log.c ${CMAKE_SOURCE_DIR}/bot/core/work.c
  ${CMAKE_SOURCE_DIR}/bot/storage/lease.c)
set_target_properties(bench_store PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
target_include_directories(bench_store PRIVATE ${CMAKE_SOURCE_DIR}/include ${HALLWAY_BOT_INCLUDE_DIRS})
target_compile_options(bench_store PRIVATE ${HALLWAY_WARNINGS})
target_link_libraries(bench_store PRIVATE hallway_store hallway_text PkgConfig::SQLITE
  PkgConfig::JANSSON PkgConfig::LWS Threads::Threads)
# takeover.c's save policy (two daemons: the Discord session kept for the
# next active one). Its database side runs in it_test_standby.
hallway_add_unit_test(test_takeover
  SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_takeover.c ${CMAKE_SOURCE_DIR}/bot/storage/takeover.c
          ${CMAKE_SOURCE_DIR}/bot/storage/storage.c ${CMAKE_SOURCE_DIR}/bot/storage/lease.c
          ${CMAKE_SOURCE_DIR}/bot/core/log.c ${CMAKE_SOURCE_DIR}/bot/core/work.c
          ${CMAKE_SOURCE_DIR}/bot/core/clock.c
  LIBS hallway_store PkgConfig::SQLITE PkgConfig::JANSSON PkgConfig::LWS Threads::Threads m)
