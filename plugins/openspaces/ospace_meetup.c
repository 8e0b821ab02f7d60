/*
 * ospace_meetup — the meetup and meetups commands (ospace_meetup.h).
 *   meetup <when> <where> <what>   a new meetup, announced to meetups_channel
 *   meetup join|leave <#id>        the head count, and DMs when it is called off
 *   meetup cancel <#id>            by its host (organizers: any)
 *   meetups                        the ones to come
 * One command whose text is read here: the host allows no command named
 * both "meetup" and "meetup join".
 */
#include "ospace_meetup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/dm_outbox.h>
#include <hallway/text.h>
#include <hallway/when.h>

#include "ospace_job.h"
#include "ospace_query.h"

#define MEETUP_REPLY_MAX 8000
#define MEETUP_LIST_MAX 20
#define MEETUP_PAST_S 3600 /* `meetups` still shows one that began within the hour */

static const char usage[] =
	"Usage: `meetup <when> <where> <what>`, e.g. `meetup friday 19:00 \"Café Lounge\" dinner`"
	" or `meetup in 20 min Main Hall: walk to the river` (a place of several words in "
	"quotes or before a colon); `meetup join #<n>`, `meetup leave #<n>`, `meetup cancel "
	"#<n>`; `meetups` lists the ones to come.";

/* ---- reading the place ---- */

static const char *skip_spaces(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

/* Bytes of text that the folded place covers as whole words, or 0. */
static size_t place_prefix(const char *text, const char *place)
{
	char want[OSPACE_PLACE_MAX * 4], got[OSPACE_PLACE_MAX * 4], buf[OSPACE_PLACE_MAX * 4];
	size_t len = 0, best = 0;

	/* Symbols aside: "cafe lounge" names "Café Lounge ☕". */
	hw_fold_into_ex(place, want, sizeof(want), HW_FOLD_DROP_SYMBOLS);
	if (!*want)
		return 0;
	/* Grow the typed prefix word by word until it folds to the place. */
	while (text[len] && len < sizeof(buf) - 1) {
		while (text[len] && text[len] != ' ' && text[len] != '\t' && len < sizeof(buf) - 1)
			len++;
		memcpy(buf, text, len);
		buf[len] = 0;
		hw_fold_into_ex(buf, got, sizeof(got), HW_FOLD_DROP_SYMBOLS);
		if (!strcmp(got, want))
			best = len;
		else if (!*got || strncmp(want, got, strlen(got)))
			break;
		while (text[len] == ' ' || text[len] == '\t')
			len++;
	}
	return best;
}

static int dup_parts(const char *place, size_t plen, const char *what, char **p, char **w)
{
	char *tmp = malloc(plen + 1);

	if (!tmp)
		return -1;
	memcpy(tmp, place, plen);
	tmp[plen] = 0;
	*p = ospace_out_clean(tmp, OSPACE_PLACE_MAX);
	*w = ospace_out_clean(what, OSPACE_TOPIC_MAX);
	free(tmp);
	if (*p && *w)
		return 0;
	free(*p);
	free(*w);
	*p = *w = NULL;
	return -1;
}

int ospace_meetup_split(const char *text, const char *const *places, size_t nplaces,
			char **place, char **what)
{
	const char *s = skip_spaces(text ? text : ""), *end;
	size_t best = 0;

	*place = *what = NULL;
	if (!strncmp(s, "at ", 3) || !strncmp(s, "@ ", 2) || !strncmp(s, "@", 1))
		s = skip_spaces(s + (s[0] == '@' ? 1 : 3));
	if (*s == '"' && (end = strchr(s + 1, '"')))
		return dup_parts(s + 1, (size_t)(end - s - 1), end + 1, place, what);
	/* "Main Hall: walk", "Main Hall - walk", "Main Hall — walk". */
	{
		const char *colon = strstr(s, ": "), *dash = strstr(s, " - "),
			   *emdash = strstr(s, " \xE2\x80\x94 ");
		const char *cut = colon;
		size_t skip = 2;
		if (dash && (!cut || dash < cut)) {
			cut = dash;
			skip = 3;
		}
		if (emdash && (!cut || emdash < cut)) {
			cut = emdash;
			skip = 5;
		}
		if (cut && cut > s)
			return dup_parts(s, (size_t)(cut - s), cut + skip, place, what);
	}
	/* A place the conference knows, the longest first. */
	for (size_t i = 0; i < nplaces; i++) {
		size_t n = place_prefix(s, places[i]);
		if (n > best)
			best = n;
	}
	if (!best)
		best = strcspn(s, " \t");
	return dup_parts(s, best, s + best, place, what);
}

/* ---- replies ---- */

void ospace_meetup_fmt(hw_buf *out, const struct hw_tz *tz, const ospace_meetup *m)
{
	char when[48];

	hw_when_fmt(tz, m->at, when, sizeof(when));
	hw_buf_addf(out, "#%lld %s \xC2\xB7 ", (long long)m->id, when);
	hw_buf_add_safe(out, m->place, OSPACE_PLACE_MAX);
	hw_buf_addf(out, " \xC2\xB7 **");
	hw_buf_add_safe(out, m->what, OSPACE_TOPIC_MAX);
	hw_buf_addf(out, "** \xC2\xB7 by ");
	hw_buf_add_safe(out, m->host_name, 60);
	if (m->going > 1)
		hw_buf_addf(out, " \xC2\xB7 %lld going", (long long)m->going);
}

static int reply(ospace_job *j, hw_buf *out)
{
	int rc = ospace_job_say(j, hw_buf_str(out));
	hw_buf_free(out);
	return rc;
}

static int do_add(ospace_job *j, const hw_invocation *inv, const char *text)
{
	ospace *o = j->o;
	int64_t now = j->now_ms;
	enum ospace_meetup_outcome res = 0;
	char why[400], *place = NULL, *what = NULL, *name = NULL;
	struct hw_when w;
	ospace_meetup m;
	hw_buf out, ann;
	size_t used = 0;
	int rc;

	hw_buf_init(&out, MEETUP_REPLY_MAX);
	hw_buf_init(&ann, 2000);
	if (hw_when_read(text, j->tz, now / 1000, &w, &used, why, sizeof(why)) != HW_WHEN_OK ||
	    !w.has_time) {
		if (w.has_day && !w.has_time)
			snprintf(why, sizeof(why), "Say at what time too, e.g. `friday 19:00`.");
		hw_buf_add_safe(&out, why, sizeof(why));
		hw_buf_addf(&out, "\n%s", usage);
		rc = reply(j, &out);
		goto out;
	}
	if (w.at < now / 1000 - 60) {
		hw_when_fmt(j->tz, w.at, why, sizeof(why));
		hw_buf_addf(&out, "%s has passed: a meetup is for later.", why);
		rc = reply(j, &out);
		goto out;
	}
	if (ospace_meetup_split(text + used, (const char *const *)j->places, j->nplaces, &place,
				&what) ||
	    !(name = ospace_out_clean(inv->user_name ? inv->user_name : inv->user_id,
				      OSPACE_USER_NAME_MAX))) {
		rc = HW_ERR_NOMEM;
		goto out;
	}
	if (!*place || !*what) {
		hw_buf_addf(&out, "Where, and what is it? %s", usage);
		rc = reply(j, &out);
		goto out;
	}
	m.id = 0;
	m.at = w.at;
	snprintf(m.place, sizeof(m.place), "%s", place);
	snprintf(m.what, sizeof(m.what), "%s", what);
	snprintf(m.host_name, sizeof(m.host_name), "%s", name);
	m.going = 1;
	/* The announcement is written now, in the transaction; the id it
	 * names is filled in by the store's answer below. */
	hw_buf_addf(&ann, "\xF0\x9F\x93\xA3 Meetup: **");
	hw_buf_add_safe(&ann, what, OSPACE_TOPIC_MAX);
	hw_buf_addf(&ann, "** \xC2\xB7 ");
	hw_when_fmt(j->tz, w.at, why, sizeof(why));
	hw_buf_addf(&ann, "%s \xC2\xB7 ", why);
	hw_buf_add_safe(&ann, place, OSPACE_PLACE_MAX);
	hw_buf_addf(&ann, " \xC2\xB7 by ");
	hw_buf_add_safe(&ann, name, 60);
	hw_buf_addf(&ann, ". `meetups` lists them; `meetup join` says you'll come.");
	if (!hw_buf_str(&ann)) {
		rc = HW_ERR_NOMEM;
		goto out;
	}
	rc = ospace_meetup_add(&j->db, w.at, place, what, inv->user_id, name, o->meetups_channel,
			       hw_buf_str(&ann), now, &res, &m);
	if (rc)
		goto out;
	if (res == OSPACE_MEETUP_NEW && o->meetups_channel)
		j->flush = 1;
	hw_buf_addf(&out, res == OSPACE_MEETUP_NEW ? "Meetup on: " : "You already posted it: ");
	ospace_meetup_fmt(&out, j->tz, &m);
	hw_buf_addf(&out, ".%s Others join with `meetup join #%lld`; `meetup cancel #%lld` "
			     "calls it off.",
		       o->meetups_channel && res == OSPACE_MEETUP_NEW ? " Announced." : "",
		       (long long)m.id, (long long)m.id);
	rc = reply(j, &out);
out:
	hw_buf_free(&out);
	hw_buf_free(&ann);
	free(place);
	free(what);
	free(name);
	return rc;
}

static int do_change(ospace_job *j, const hw_invocation *inv, const char *verb, const char *arg)
{
	int64_t id = ospace_query_id(arg), now = j->now_ms, notified = 0;
	enum ospace_meetup_outcome res = 0;
	ospace_meetup m;
	hw_buf out, dm;
	int rc;

	hw_buf_init(&out, MEETUP_REPLY_MAX);
	hw_buf_init(&dm, 2000);
	memset(&m, 0, sizeof(m));
	if (!id) {
		hw_buf_addf(&out, "Which meetup? Give its number: `meetup %s #3` (`meetups` "
				     "lists them).", verb);
		rc = reply(j, &out);
		goto out;
	}
	if (!strcmp(verb, "join")) {
		char *name = ospace_out_clean(inv->user_name ? inv->user_name : inv->user_id,
					      OSPACE_USER_NAME_MAX);
		if (!name) {
			rc = HW_ERR_NOMEM;
			goto out;
		}
		rc = ospace_meetup_join(&j->db, id, inv->user_id, name, now, &res, &m);
		free(name);
	} else if (!strcmp(verb, "leave")) {
		rc = ospace_meetup_leave(&j->db, id, inv->user_id, &res, &m);
	} else {
		if ((rc = ospace_meetup_get(&j->db, id, &m)) && rc != HW_ERR_NOT_FOUND)
			goto out;
		hw_buf_addf(&dm, "Called off: ");
		ospace_meetup_fmt(&dm, j->tz, &m);
		hw_buf_addf(&dm, " (you had joined).");
		if (!hw_buf_str(&dm)) {
			rc = HW_ERR_NOMEM;
			goto out;
		}
		rc = ospace_meetup_cancel(&j->db, id, inv->is_organizer ? NULL : inv->user_id,
					  hw_buf_str(&dm), now, &res, &m, &notified);
		if (!rc && notified)
			j->flush = 1;
	}
	if (rc)
		goto out;
	switch (res) {
	case OSPACE_MEETUP_JOINED:
		hw_buf_addf(&out, "You're in: ");
		break;
	case OSPACE_MEETUP_ALREADY:
		hw_buf_addf(&out, "You're already in: ");
		break;
	case OSPACE_MEETUP_LEFT:
		hw_buf_addf(&out, "You left: ");
		break;
	case OSPACE_MEETUP_NOT_JOINED:
		hw_buf_addf(&out, "You had not joined: ");
		break;
	case OSPACE_MEETUP_CANCELLED:
		hw_buf_addf(&out, "Called off (%lld who joined get a DM): ", (long long)notified);
		break;
	case OSPACE_MEETUP_NOT_HOST:
		hw_buf_addf(&out, "Only its host (or an organizer) can call it off: ");
		break;
	default:
		hw_buf_addf(&out, "There is no meetup #%lld on now. `meetups` lists them.",
			       (long long)id);
		rc = reply(j, &out);
		goto out;
	}
	ospace_meetup_fmt(&out, j->tz, &m);
	hw_buf_addf(&out, ".");
	rc = reply(j, &out);
out:
	hw_buf_free(&out);
	hw_buf_free(&dm);
	return rc;
}

static int ospace_meetup_cmd_body(ospace_job *j)
{
	const hw_invocation *inv = j->inv;
	const char *text = skip_spaces(ospace_arg(inv, "what") ? ospace_arg(inv, "what") : "");
	static const char *const verbs[] = {"join", "leave", "cancel"};

	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		size_t n = strlen(verbs[i]);
		if (!strncmp(text, verbs[i], n) && (!text[n] || text[n] == ' '))
			return do_change(j, inv, verbs[i], skip_spaces(text + n));
	}
	return do_add(j, inv, text);
}

static int ospace_meetup_cmd(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	(void)self;
	return ospace_job_cmd(ud, inv, ospace_meetup_cmd_body);
}

struct listing {
	ospace_job *j;
	hw_buf *out;
	size_t n;
};

static int list_one(const ospace_meetup *m, void *ud)
{
	struct listing *l = ud;
	hw_buf_addf(l->out, "\n");
	ospace_meetup_fmt(l->out, l->j->tz, m);
	l->n++;
	return 0;
}

static int ospace_meetups_cmd_body(ospace_job *j)
{
	hw_buf out;
	struct listing l = {j, &out, 0};
	int rc;

	hw_buf_init(&out, MEETUP_REPLY_MAX);
	hw_buf_addf(&out, "**Meetups**");
	rc = ospace_meetup_list(&j->db, j->now_ms / 1000 - MEETUP_PAST_S,
				MEETUP_LIST_MAX, list_one, &l);
	if (rc) {
		hw_buf_free(&out);
		return rc;
	}
	if (!l.n)
		hw_buf_addf(&out, ": none yet. Post one: `meetup friday 19:00 \"Café Lounge\" "
				     "dinner`.");
	else if (l.n == MEETUP_LIST_MAX)
		hw_buf_addf(&out, "\n(the next %d; later ones follow as these pass)",
			       MEETUP_LIST_MAX);
	return reply(j, &out);
}

static int ospace_meetups_cmd(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	(void)self;
	return ospace_job_cmd(ud, inv, ospace_meetups_cmd_body);
}

static const hw_arg_spec meetup_args[] = {
	{"what", HW_ARG_TEXT, 1,
	 "<when> <where> <what>, e.g. friday 19:00 \"Café Lounge\" dinner; or join/leave/cancel #3",
	 0},
};

int ospace_meetup_register(ospace *o)
{
	const hw_command_spec specs[] = {
		{sizeof(hw_command_spec), "meetup", "Post a meetup: a dinner, a BOF, a walk",
		 "meetup <when> <where> <what>: `meetup friday 19:00 \"Café Lounge\" dinner`, "
		 "`meetup in 20 min Main Hall: walk to the river`; `meetup join #3`, `meetup "
		 "leave #3`, `meetup cancel #3`.",
		 HW_PERM_EVERYONE, meetup_args, 1, ospace_meetup_cmd, NULL, o, {0},
		 sizeof(hw_arg_spec)},
		{sizeof(hw_command_spec), "meetups", "The meetups to come", NULL, HW_PERM_EVERYONE,
		 NULL, 0, ospace_meetups_cmd, NULL, o, {0}, sizeof(hw_arg_spec)},
	};
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		int rc = o->api->command_add(o->self, &specs[i]);
		if (rc)
			return rc;
	}
	return HW_OK;
}
