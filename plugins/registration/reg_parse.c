/*
 * Reading pretix's order JSON (see reg_parse.h). Field names follow
 * pretix's REST API documentation: orders have code, status,
 * last_modified and positions; positions have id, item, variation,
 * canceled, attendee_name and attendee_name_parts.
 */
#include "reg_parse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/text.h>

/* Reads an optional string field into buf; -1 when present but not a
 * string (or null), or too long. */
static int get_str(const json_t *obj, const char *key, char *buf, size_t len)
{
	const json_t *v = json_object_get(obj, key);
	const char *s;
	buf[0] = '\0';
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	if (strlen(s) >= len)
		return -1;
	memcpy(buf, s, strlen(s) + 1);
	return 0;
}

static int get_id(const json_t *obj, const char *key, int required, int64_t *out)
{
	const json_t *v = json_object_get(obj, key);
	*out = 0;
	if (!v || json_is_null(v))
		return required ? -1 : 0;
	if (!json_is_integer(v) || json_integer_value(v) <= 0)
		return -1;
	*out = json_integer_value(v);
	return 0;
}

static int parse_position(const json_t *p, reg_position *out, char *err, size_t errlen)
{
	const json_t *parts = json_object_get(p, "attendee_name_parts"), *c;
	if (!json_is_object(p)) {
		hw_fmt(err, errlen, "a position is not an object");
		return -1;
	}
	if (get_id(p, "id", 1, &out->id) || get_id(p, "item", 1, &out->item) ||
	    get_id(p, "variation", 0, &out->variation)) {
		hw_fmt(err, errlen, "a position has no usable id, item or variation");
		return -1;
	}
	c = json_object_get(p, "canceled");
	out->canceled = json_is_true(c);
	if (get_str(p, "attendee_name", out->name, sizeof(out->name))) {
		hw_fmt(err, errlen, "position %lld: attendee_name is not text", (long long)out->id);
		return -1;
	}
	if (parts && !json_is_null(parts)) {
		if (!json_is_object(parts) ||
		    get_str(parts, "given_name", out->given, sizeof(out->given)) ||
		    get_str(parts, "family_name", out->family, sizeof(out->family)) ||
		    get_str(parts, "latin_transcription", out->latin, sizeof(out->latin))) {
			hw_fmt(err, errlen, "position %lld: attendee_name_parts is not readable",
			       (long long)out->id);
			return -1;
		}
	}
	return 0;
}

int reg_parse_order_json(const json_t *o, reg_order *out, char *err, size_t errlen)
{
	const json_t *positions, *p;
	const char *status;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(o)) {
		hw_fmt(err, errlen, "an order is not an object");
		return -1;
	}
	if (get_str(o, "code", out->code, sizeof(out->code)) || !out->code[0]) {
		hw_fmt(err, errlen, "an order has no usable code");
		return -1;
	}
	status = json_string_value(json_object_get(o, "status"));
	if (!status || strlen(status) != 1) {
		hw_fmt(err, errlen, "order %s: no usable status", out->code);
		return -1;
	}
	out->status = status[0];
	if (get_str(o, "last_modified", out->last_modified, sizeof(out->last_modified))) {
		hw_fmt(err, errlen, "order %s: last_modified is not text", out->code);
		return -1;
	}
	positions = json_object_get(o, "positions");
	if (!json_is_array(positions)) {
		hw_fmt(err, errlen, "order %s: positions is not a list", out->code);
		return -1;
	}
	if (json_array_size(positions) > 10000) {
		hw_fmt(err, errlen, "order %s: too many positions", out->code);
		return -1;
	}
	if (json_array_size(positions) &&
	    !(out->pos = calloc(json_array_size(positions), sizeof(*out->pos)))) {
		hw_fmt(err, errlen, "out of memory");
		return -1;
	}
	json_array_foreach(positions, i, p) {
		if (parse_position(p, &out->pos[out->npos], err, errlen))
			return -1;
		out->npos++;
	}
	return 0;
}

static json_t *load(const char *body, size_t len, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = body ? json_loadb(body, len, JSON_REJECT_DUPLICATES, &je) : NULL;
	if (!root)
		hw_fmt(err, errlen, "not JSON: %s", body ? je.text : "empty answer");
	return root;
}

int reg_parse_order(const char *body, size_t len, reg_order *out, char *err, size_t errlen)
{
	json_t *root = load(body, len, err, errlen);
	int rc;
	memset(out, 0, sizeof(*out));
	if (!root)
		return -1;
	rc = reg_parse_order_json(root, out, err, errlen);
	json_decref(root);
	return rc;
}

int reg_parse_page(const char *body, size_t len, reg_page *out, char *err, size_t errlen)
{
	json_t *root, *results, *o, *next;
	size_t i;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!(root = load(body, len, err, errlen)))
		return -1;
	results = json_object_get(root, "results");
	next = json_object_get(root, "next");
	if (!json_is_object(root) || !json_is_array(results)) {
		hw_fmt(err, errlen, "not a page of orders (no results list)");
		goto out;
	}
	if (next && !json_is_null(next) && !json_is_string(next)) {
		hw_fmt(err, errlen, "next is not a link");
		goto out;
	}
	if (json_is_string(next) && !(out->next = strdup(json_string_value(next)))) {
		hw_fmt(err, errlen, "out of memory");
		goto out;
	}
	out->count = json_integer_value(json_object_get(root, "count"));
	if (json_array_size(results) &&
	    !(out->orders = calloc(json_array_size(results), sizeof(*out->orders)))) {
		hw_fmt(err, errlen, "out of memory");
		goto out;
	}
	json_array_foreach(results, i, o) {
		if (reg_parse_order_json(o, &out->orders[out->n], err, errlen)) {
			reg_order_free(&out->orders[out->n]);
			goto out;
		}
		out->n++;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

void reg_order_free(reg_order *o)
{
	if (!o)
		return;
	free(o->pos);
	o->pos = NULL;
	o->npos = 0;
}

void reg_page_free(reg_page *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		reg_order_free(&p->orders[i]);
	free(p->orders);
	free(p->next);
	memset(p, 0, sizeof(*p));
}

int reg_order_code_norm(const char *in, char *out, size_t len)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)(in ? in : ""); *p; p++) {
		if (!isascii(*p) || !isalnum(*p))
			continue;
		if (n + 1 >= len || n + 1 >= REG_CODE_MAX)
			return -1;
		out[n++] = (char)toupper(*p);
	}
	out[n] = '\0';
	return n ? 0 : -1;
}
