/*
 * Reply models in the plugin API (ABI 1.2): api->reply_model, send_model
 * and dm_model check a model (bot/reply/reply_model.c) and draw it for the door
 * it goes through.
 */
#ifndef HALLWAY_API_REPLY_H
#define HALLWAY_API_REPLY_H

#include <hallway/plugin.h>

void api_reply_init(hw_api *api);

#endif
