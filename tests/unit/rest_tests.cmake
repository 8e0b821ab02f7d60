# Unit tests of the REST side of the daemon (bot/rest/ratelimit.c, bot/rest/msgsplit.c,
# bot/rest/http.c, bot/rest/rest.c). Included from tests/unit/CMakeLists.txt.
hallway_add_unit_test(test_ratelimit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_ratelimit.c ${CMAKE_SOURCE_DIR}/bot/rest/ratelimit.c
  LIBS m)
hallway_add_unit_test(test_msgsplit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_msgsplit.c ${CMAKE_SOURCE_DIR}/bot/rest/msgsplit.c)
if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/test_http_rest.c)
  # A real lws loop, curl multi and a local Python HTTP server.
  hallway_add_unit_test(test_http_rest
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_http_rest.c ${CMAKE_SOURCE_DIR}/bot/rest/http.c
      ${CMAKE_SOURCE_DIR}/bot/rest/rest.c ${CMAKE_SOURCE_DIR}/bot/rest/rest_mentions.c ${CMAKE_SOURCE_DIR}/bot/rest/ratelimit.c ${CMAKE_SOURCE_DIR}/bot/gateway/gateway_scan.c
      ${CMAKE_SOURCE_DIR}/bot/rest/msgsplit.c ${CMAKE_SOURCE_DIR}/bot/core/log.c
    LIBS PkgConfig::CURL PkgConfig::JANSSON PkgConfig::LWS m)
  set_tests_properties(test_http_rest PROPERTIES TIMEOUT 120)
endif()
