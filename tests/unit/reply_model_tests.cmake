# The reply model (bot/reply/reply_model.c): checks, golden drawings per door,
# Discord's limits on random models.
hallway_add_unit_test(test_reply_model
  SOURCES ${CMAKE_SOURCE_DIR}/tests/unit/test_reply_model.c ${CMAKE_SOURCE_DIR}/bot/reply/reply_model.c
    ${CMAKE_SOURCE_DIR}/bot/reply/reply_model_discord.c ${CMAKE_SOURCE_DIR}/bot/reply/reply_model_console.c
  LIBS PkgConfig::JANSSON)
