# Metrics registry unit tests (bot/ops/metrics.c). Included from
# tests/unit/CMakeLists.txt; health and sd_notify are covered end to end by
# tests/integration/test_production.py.
hallway_add_unit_test(test_metrics
  SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_metrics.c ${CMAKE_SOURCE_DIR}/bot/ops/metrics.c
          ${CMAKE_SOURCE_DIR}/bot/core/bus.c ${CMAKE_SOURCE_DIR}/bot/core/log.c
  LIBS PkgConfig::JANSSON PkgConfig::LWS m)
