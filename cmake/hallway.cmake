# hallway_add_plugin(<name> SOURCES <files...> [LIBS <targets...>])
# Builds build/plugins/<name>.so: hidden visibility, every symbol resolved at
# link time (-z defs), only the hallway_plugin descriptor exported. SQLite
# comes only through hallway_text (lib/fts.c), for the plugins that search.
function(hallway_add_plugin name)
  cmake_parse_arguments(P "" "" "SOURCES;LIBS" ${ARGN})
  add_library(${name} MODULE ${P_SOURCES})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/plugins)
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/include)
  target_compile_options(${name} PRIVATE ${HALLWAY_WARNINGS})
  if(NOT HALLWAY_SANITIZE)
    target_link_options(${name} PRIVATE -Wl,-z,defs)
  endif()
  target_link_libraries(${name} PRIVATE PkgConfig::JANSSON hallway_text ${P_LIBS})
  install(TARGETS ${name} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/hallway/plugins)
endfunction()

# hallway_add_unit_test(<name> SOURCES <files...> [LIBS <targets...>])
# A C unit test executable built into build/tests and registered with CTest.
function(hallway_add_unit_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/include ${HALLWAY_BOT_INCLUDE_DIRS}
    ${CMAKE_SOURCE_DIR}/tests/unit)
  target_compile_options(${name} PRIVATE ${HALLWAY_WARNINGS})
  target_link_libraries(${name} PRIVATE hallway_text hallway_store ${T_LIBS})
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES
    ENVIRONMENT "HALLWAY_SHARED_DATA=${HALLWAY_SHARED_DATA};HALLWAY_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endfunction()

# The private PostgreSQL cluster of the tests (scripts/pg-cluster.sh; the
# CTest fixture "pg" in tests/unit/storage_tests.cmake starts and stops it).
string(MD5 HALLWAY_PG_HASH "${CMAKE_BINARY_DIR}")
string(SUBSTRING ${HALLWAY_PG_HASH} 0 10 HALLWAY_PG_HASH)
set(HALLWAY_PG_DIR /tmp/hallway-pg-${HALLWAY_PG_HASH})

# hallway_pg_variant(<unit test>): the same test again as <name>_pg with
# db_run and db_migrate on PostgreSQL (mock_api reads HALLWAY_TEST_PG_DIR).
# For plugins whose storage is all db_run and whose tests look at tables
# through mock_api_db_int.
function(hallway_pg_variant name)
  add_test(NAME ${name}_pg COMMAND ${name})
  set_tests_properties(${name}_pg PROPERTIES FIXTURES_REQUIRED pg
    ENVIRONMENT "HALLWAY_TEST_PG_DIR=${HALLWAY_PG_DIR};HALLWAY_SHARED_DATA=${HALLWAY_SHARED_DATA};HALLWAY_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endfunction()
