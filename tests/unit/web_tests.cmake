# The organizer sign-in (bot/web/web_auth.c): tokens, sessions, CSRF. Included
# from tests/unit/CMakeLists.txt.
hallway_add_unit_test(test_web_auth
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_web_auth.c ${CMAKE_SOURCE_DIR}/bot/web/web_auth.c
    ${CMAKE_SOURCE_DIR}/bot/core/clock.c ${CMAKE_SOURCE_DIR}/bot/core/log.c
  LIBS PkgConfig::JANSSON PkgConfig::LWS m)
