# Unit tests of the REST side of the daemon (bot/ratelimit.c, bot/msgsplit.c,
# bot/http.c, bot/rest.c). Included from tests/unit/CMakeLists.txt.
hallway_add_unit_test(test_ratelimit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ratelimit.c ${CMAKE_SOURCE_DIR}/bot/ratelimit.c
  LIBS m)
hallway_add_unit_test(test_msgsplit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_msgsplit.c ${CMAKE_SOURCE_DIR}/bot/msgsplit.c)
if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/test_http_rest.c)
  # A real lws loop, curl multi and a local Python HTTP server.
  hallway_add_unit_test(test_http_rest
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_http_rest.c ${CMAKE_SOURCE_DIR}/bot/http.c
      ${CMAKE_SOURCE_DIR}/bot/rest.c ${CMAKE_SOURCE_DIR}/bot/ratelimit.c ${CMAKE_SOURCE_DIR}/bot/gateway_scan.c
      ${CMAKE_SOURCE_DIR}/bot/msgsplit.c ${CMAKE_SOURCE_DIR}/bot/log.c
    LIBS PkgConfig::CURL PkgConfig::JANSSON PkgConfig::LWS m)
  set_tests_properties(test_http_rest PROPERTIES TIMEOUT 120)
endif()
