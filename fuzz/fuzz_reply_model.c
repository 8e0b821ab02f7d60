/*
 * Reply models (bot/reply/reply_model.c): any JSON a plugin could hand over is
 * checked, and what passes is drawn for Discord (within its limits, or an
 * abort) and for the console; a select's "command value" line is built
 * from the model's values.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reply_model.h"

static int ids(void *ud, const char *kind, const json_t *payload, char *id, size_t len)
{
	const char *cmd = json_string_value(payload);
	(*(int *)ud)++;
	if (cmd && strlen(cmd) + 5 <= RM_CUSTOM_ID_MAX && strcmp(kind, "m"))
		snprintf(id, len, "hw:%s:%s", kind, cmd);
	else if (*(int *)ud % 7) /* sometimes there is nowhere to keep it */
		snprintf(id, len, "hw:k:%016d", *(int *)ud);
	else
		return -1;
	return 0;
}

static void limits(const json_t *msg)
{
	const json_t *e, *rows = json_object_get(msg, "components"), *row;
	size_t i, total = 0;
	if (rm_chars(json_string_value(json_object_get(msg, "content"))) > RM_CONTENT_MAX ||
	    json_array_size(json_object_get(msg, "embeds")) > RM_EMBEDS_MAX ||
	    json_array_size(rows) > 5)
		abort();
	json_array_foreach(json_object_get(msg, "embeds"), i, e) {
		size_t t = rm_chars(json_string_value(json_object_get(e, "title")));
		size_t d = rm_chars(json_string_value(json_object_get(e, "description")));
		const json_t *f;
		size_t k;
		if (t > RM_EMBED_TITLE_MAX || d > RM_EMBED_DESC_MAX)
			abort();
		total += t + d;
		json_array_foreach(json_object_get(e, "fields"), k, f)
			total += rm_chars(json_string_value(json_object_get(f, "name"))) +
				 rm_chars(json_string_value(json_object_get(f, "value")));
	}
	if (total > RM_EMBED_TOTAL_MAX)
		abort();
	json_array_foreach(rows, i, row)
		if (json_array_size(json_object_get(row, "components")) > 5)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *model = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	char why[200];
	int n = 0;
	struct rm_discord_opts o = {ids, &n, "!"};
	json_t *msg;
	hw_buf text;

	if (!model)
		return 0;
	if (reply_model_check(model, why, sizeof(why))) {
		json_decref(model);
		return 0;
	}
	msg = reply_model_discord(model, &o);
	if (msg)
		limits(msg);
	json_decref(msg);
	hw_buf_init(&text, 0);
	reply_model_console(model, NULL, 1738487520000LL, size & 1, &text);
	hw_buf_free(&text);
	{
		const json_t *ch = json_object_get(model, "choice"), *opt;
		size_t i;
		json_array_foreach(json_object_get(ch, "options"), i, opt) {
			char *line = rm_choice_line(json_string_value(json_object_get(ch, "command")),
						    json_string_value(json_object_get(opt, "value")));
			free(line);
		}
	}
	json_decref(model);
	return 0;
}
