/*
 * Helpers for building reply models (include/hallway/reply_item.h).
 */
#include <hallway/reply_item.h>

#include <stdint.h>
#include <string.h>

#include <hallway/reply.h>
#include <hallway/text.h>

json_t *hw_reply_text(const char *s, size_t max)
{
	size_t n;
	if (!s || !*s)
		return NULL;
	n = strlen(s);
	if (n > max) {
		n = max;
		while (n && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	return n ? json_stringn(s, n) : NULL;
}

int hw_reply_set_text(json_t *o, const char *key, const char *s, size_t max)
{
	json_t *v = hw_reply_text(s, max);
	if (!v)
		return s && *s ? -1 : 0;
	return json_object_set_new(o, key, v) ? -1 : 0;
}

int hw_reply_is_link(const char *u)
{
	return u && strlen(u) <= HW_REPLY_URL_MAX && hw_url_is_http(u);
}

const char *hw_reply_colour(const char *track)
{
	static const char *const palette[] = {
		"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
		"#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#3366cc", "#dc3912"};
	uint32_t h = 2166136261u;
	char folded[256];
	if (!track || !*track)
		return NULL;
	hw_fold_into(track, folded, sizeof(folded));
	for (const char *p = folded; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return palette[h % (sizeof(palette) / sizeof(palette[0]))];
}
