/*
 * Bundles of source documents (see sched_bundle.h).
 */
#include "sched_bundle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched_model.h"

#define BUNDLE_MAGIC_LEN (sizeof(SCHED_BUNDLE_MAGIC) - 1)
#define BUNDLE_HEADER_MAX (20 + 1 + SCHED_BUNDLE_NAME + 1)

int sched_bundle_is(const char *buf, size_t len)
{
	return buf && len >= BUNDLE_MAGIC_LEN && !memcmp(buf, SCHED_BUNDLE_MAGIC, BUNDLE_MAGIC_LEN);
}

int sched_bundle_next(const char *buf, size_t len, size_t *pos, struct sched_bundle_part *part)
{
	size_t p = *pos ? *pos : BUNDLE_MAGIC_LEN, n = 0, name_len;
	const char *nl, *name;
	int digits = 0;

	if (!sched_bundle_is(buf, len))
		return SCHED_ERR_PARSE;
	if (p >= len)
		return 0;
	/* "<length> <name>\n" */
	while (p < len && buf[p] >= '0' && buf[p] <= '9' && digits < 12) {
		n = n * 10 + (size_t)(buf[p] - '0');
		p++;
		digits++;
	}
	if (!digits || p >= len || buf[p] != ' ')
		return SCHED_ERR_PARSE;
	name = buf + ++p;
	nl = memchr(name, '\n', len - p);
	if (!nl)
		return SCHED_ERR_PARSE;
	name_len = (size_t)(nl - name);
	p += name_len + 1;
	if (n > len - p || len - p - n < 1 || buf[p + n] != '\n')
		return SCHED_ERR_PARSE;
	if (name_len >= sizeof(part->name))
		name_len = sizeof(part->name) - 1;
	memcpy(part->name, name, name_len);
	part->name[name_len] = 0;
	part->data = buf + p;
	part->len = n;
	*pos = p + n + 1;
	return 1;
}

int sched_bundle_add(struct sched_bundle_buf *b, const char *name, const char *data,
		     size_t len)
{
	char head[BUNDLE_HEADER_MAX];
	size_t need, hlen, magic = b->len ? 0 : BUNDLE_MAGIC_LEN;
	int n;

	n = snprintf(head, sizeof(head), "%zu %.*s\n", len, SCHED_BUNDLE_NAME - 1,
		     name ? name : "");
	if (n < 0 || (size_t)n >= sizeof(head))
		return SCHED_ERR_PARSE;
	/* A newline in a name would end the header early. */
	for (char *q = head; q < head + n - 1; q++)
		if (*q == '\n')
			*q = ' ';
	hlen = (size_t)n;
	if (len > b->max || hlen + magic + len + 2 > b->max - b->len)
		return SCHED_ERR_IO;
	need = b->len + magic + hlen + len + 2; /* the part's "\n" and a NUL */
	if (need > b->cap) {
		size_t ncap = b->cap ? b->cap : 65536;
		char *nb;
		while (ncap < need)
			ncap *= 2;
		nb = realloc(b->data, ncap);
		if (!nb)
			return SCHED_ERR_NOMEM;
		b->data = nb;
		b->cap = ncap;
	}
	memcpy(b->data + b->len, SCHED_BUNDLE_MAGIC, magic);
	b->len += magic;
	memcpy(b->data + b->len, head, hlen);
	b->len += hlen;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len++] = '\n';
	b->data[b->len] = 0;
	return SCHED_OK;
}
