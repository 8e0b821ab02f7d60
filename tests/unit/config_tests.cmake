hallway_add_unit_test(test_config
  SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_config.c ${CMAKE_SOURCE_DIR}/bot/core/config.c ${CMAKE_SOURCE_DIR}/bot/core/log.c
  LIBS PkgConfig::JANSSON PkgConfig::LWS)
