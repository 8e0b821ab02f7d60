# Unit tests of the command registry (bot/commands/commands.c, commands_parse.c, commands_discord.c).
# Included from tests/unit/CMakeLists.txt. log.c uses jansson and lws.
hallway_add_unit_test(test_commands
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/test_commands.c ${CMAKE_SOURCE_DIR}/bot/commands/commands.c ${CMAKE_SOURCE_DIR}/bot/commands/commands_parse.c
    ${CMAKE_SOURCE_DIR}/bot/commands/commands_discord.c ${CMAKE_SOURCE_DIR}/bot/core/log.c
  LIBS PkgConfig::JANSSON PkgConfig::LWS)
