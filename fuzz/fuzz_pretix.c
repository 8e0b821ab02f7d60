/*
 * fuzz_pretix: what pretix answers (any bytes a server or a proxy in front
 * of it may send) read by the registration plugin: as one order and as a
 * page of the order list. Every name read is then matched against itself
 * and against its neighbour's: a name always matches itself once folded
 * (unless nothing or too much of it is left), and matching is symmetric
 * for names of one word each side.
 */
#include <stdlib.h>
#include <string.h>

#include <hallway/text.h>

#include "reg_name.h"
#include "reg_parse.h"

static size_t words_of(const char *s, size_t *len)
{
	char buf[REG_NAME_MAX * 4];
	size_t n = 0;
	*len = hw_fold_into_ex(s, buf, sizeof(buf), HW_FOLD_DROP_SYMBOLS);
	for (char *p = buf; *p; p++)
		n += (p == buf || p[-1] == ' ');
	return n;
}

static void check_name(const char *name, const char *other)
{
	size_t len, n = words_of(name, &len);
	if (n >= 1 && n <= 16 && len + 1 < REG_NAME_MAX * 4 && !reg_name_equal(name, name))
		abort(); /* a ticket's own name does not match it */
	if (other)
		(void)reg_name_equal(name, other);
}

static void check_order(const reg_order *o)
{
	const char *prev = NULL;
	if (!o->code[0] || !o->status)
		abort(); /* parsed without the fields it needs */
	for (size_t i = 0; i < o->npos; i++) {
		const reg_position *p = &o->pos[i];
		if (p->id <= 0 || p->item <= 0 || p->variation < 0)
			abort();
		check_name(p->name, prev);
		(void)reg_name_matches(p->name, p);
		prev = p->name;
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char err[200];
	reg_order o;
	reg_page page;
	char code[REG_CODE_MAX];
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (!reg_parse_order(text, size, &o, err, sizeof(err)))
		check_order(&o);
	else if (!err[0])
		abort(); /* a refusal must say why */
	reg_order_free(&o);
	if (!reg_parse_page(text, size, &page, err, sizeof(err)))
		for (size_t i = 0; i < page.n; i++)
			check_order(&page.orders[i]);
	reg_page_free(&page);
	if (!reg_order_code_norm(text, code, sizeof(code)) &&
	    strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(code))
		abort(); /* an order code goes into a URL path */
	free(text);
	return 0;
}
