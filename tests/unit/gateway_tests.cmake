# Gateway unit tests (pure units: zlib-stream, close-code policy, send
# limiter). Included from tests/unit/CMakeLists.txt; the sources are compiled
# straight into each test so no library target is needed.
hallway_add_unit_test(test_zstream
  SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_zstream.c ${CMAKE_SOURCE_DIR}/bot/gateway/zstream.c
  LIBS PkgConfig::ZLIB)
hallway_add_unit_test(test_gateway_policy
  SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_gateway_policy.c
          ${CMAKE_SOURCE_DIR}/bot/gateway/gateway_policy.c)
hallway_add_unit_test(test_gateway_limiter
  SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_gateway_limiter.c
          ${CMAKE_SOURCE_DIR}/bot/gateway/gateway_limiter.c)
hallway_add_unit_test(test_gateway_scan
  SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_gateway_scan.c
          ${CMAKE_SOURCE_DIR}/bot/gateway/gateway_scan.c
  LIBS PkgConfig::JANSSON)
# The guild cache: organizer roles by name, and the dump kept with the
# Discord session for a takeover (issue 18).
hallway_add_unit_test(test_guilds
  SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_guilds.c ${CMAKE_SOURCE_DIR}/bot/gateway/guilds.c
          ${CMAKE_SOURCE_DIR}/bot/core/bus.c ${CMAKE_SOURCE_DIR}/bot/core/log.c
          ${CMAKE_SOURCE_DIR}/bot/core/clock.c
  LIBS PkgConfig::JANSSON PkgConfig::LWS m)
