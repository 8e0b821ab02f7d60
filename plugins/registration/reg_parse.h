/*
 * pretix's answers, read into plain structs (reg_parse.c): one order
 * (GET .../orders/{code}/) or one page of the order list (GET .../orders/,
 * {"count", "next", "results"}). Only what registration needs is kept;
 * anything missing, of the wrong type or too long is an error with a
 * reason, never a crash (the fuzz target fuzz_pretix feeds it garbage).
 */
#ifndef REG_PARSE_H
#define REG_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define REG_CODE_MAX 32
#define REG_NAME_MAX 256
#define REG_STAMP_MAX 48

typedef struct reg_position {
	int64_t id;                /* pretix's position id: what a binding names */
	int64_t item;
	int64_t variation;         /* 0: none */
	int canceled;
	char name[REG_NAME_MAX];   /* attendee_name ("" when none) */
	char given[REG_NAME_MAX];  /* attendee_name_parts.given_name */
	char family[REG_NAME_MAX]; /* attendee_name_parts.family_name */
	char latin[REG_NAME_MAX];  /* attendee_name_parts.latin_transcription */
} reg_position;

typedef struct reg_order {
	char code[REG_CODE_MAX];
	char status;               /* 'n', 'p', 'e', 'c', ... */
	char last_modified[REG_STAMP_MAX]; /* as pretix wrote it, or "" */
	reg_position *pos;
	size_t npos;
} reg_order;

typedef struct reg_page {
	reg_order *orders;
	size_t n;
	int64_t count;             /* pretix's total over all pages */
	char *next;                /* the next page's URL, or NULL */
} reg_page;

/* 0, or -1 with a reason in err. out is zeroed first; free it with
 * reg_order_free / reg_page_free (also after an error). */
int reg_parse_order_json(const json_t *o, reg_order *out, char *err, size_t errlen);
int reg_parse_order(const char *body, size_t len, reg_order *out, char *err, size_t errlen);
int reg_parse_page(const char *body, size_t len, reg_page *out, char *err, size_t errlen);
void reg_order_free(reg_order *o);
void reg_page_free(reg_page *p);

/* An order code as people type it ("abc12 ", "ABC-12"?): upper-cased, only
 * [A-Z0-9] kept; 0, or -1 when nothing usable is left or it is too long. */
int reg_order_code_norm(const char *in, char *out, size_t len);

#endif
