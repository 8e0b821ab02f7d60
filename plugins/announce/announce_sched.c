/*
 * What the schedule plugin tells us. "schedule.loaded" (every talk) keeps
 * one "starting soon" item per talk, keyed by talk, start and room so that
 * a refresh or a restart never adds it twice; a talk that moves gets a new
 * item and its old pending one is skipped ("talk moved to ..."); cancelled
 * and removed talks have theirs skipped. "schedule.changed" becomes one
 * alert in changes_channel.
 *
 * The texts and keys are made on the loop (they read the zone, the
 * speakers and the config); the writes they lead to are collected as a
 * list of steps (struct sched_job) and run in one unit of work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "announce.h"
#include "announce_store.h"
#include "announce_time.h"
#include <hallway/events.h>
#include <hallway/text.h>
#include <hallway/tz.h>

#define KEY_MAX 300

/* A bounded text: appends stop (and `dropped` counts) once it is full. */
struct text {
	char buf[ANNOUNCE_TEXT_MAX + 1];
	size_t n;
};

static int text_add(struct text *t, const char *s)
{
	size_t len = strlen(s);
	if (t->n + len > ANNOUNCE_TEXT_MAX - 40) /* room for "...and N more" */
		return -1;
	memcpy(t->buf + t->n, s, len + 1);
	t->n += len;
	return 0;
}

static uint64_t fnv(const char *s);

/* The users one post pings: "id,id", each once, ANNOUNCE_MENTIONS_MAX at most. */
struct mentions {
	char list[ANNOUNCE_MENTIONS_MAX * 22];
	size_t n, count;
};

/* The user id of the opted-in speaker called name (exact after folding),
 * or NULL. Borrowed from a->speakers. */
static const char *speaker_user(struct announce *a, const char *name)
{
	char fold[400];
	if (!a->speakers || !name || !hw_fold_into(name, fold, sizeof(fold)))
		return NULL;
	return json_string_value(json_object_get(a->speakers, fold));
}

static void mentions_add(struct mentions *m, const char *user)
{
	size_t len = strlen(user);
	for (const char *p = m->list; (p = strstr(p, user)); p += len)
		if ((p == m->list || p[-1] == ',') && (p[len] == ',' || !p[len]))
			return; /* listed already */
	if (m->count >= ANNOUNCE_MENTIONS_MAX || m->n + len + 2 > sizeof(m->list))
		return;
	m->n += (size_t)snprintf(m->list + m->n, sizeof(m->list) - m->n, "%s%s", m->n ? "," : "",
				 user);
	m->count++;
}

/* Adds every id of src's list to m. */
static void mentions_merge(struct mentions *m, const struct mentions *src)
{
	char id[24];
	for (const char *p = src->list; *p;) {
		size_t len = strcspn(p, ",");
		if (len < sizeof(id)) {
			memcpy(id, p, len);
			id[len] = '\0';
			mentions_add(m, id);
		}
		p += len + (p[len] == ',');
	}
}

/* ", with A, B <@id>" for a talk's speakers (max of them, then " and
 * others") appended at line + *o; the opted-in ones' ids go into m. */
static void speakers_line(struct announce *a, json_t *speakers, size_t max, size_t namelen,
			  char *line, size_t size, size_t *o, struct mentions *m)
{
	size_t k;
	json_t *sp;
	json_array_foreach(speakers, k, sp) {
		const char *name = json_string_value(sp), *user;
		if (*o >= size)
			return;
		if (k == max) {
			*o += (size_t)snprintf(line + *o, size - *o, " and others");
			return;
		}
		if (!name)
			continue;
		*o += (size_t)snprintf(line + *o, size - *o, "%s%.*s", k ? ", " : ", with ",
				       (int)namelen, name);
		if ((user = speaker_user(a, name)) && *o < size) {
			*o += (size_t)snprintf(line + *o, size - *o, " <@%s>", user);
			if (*o < size)
				mentions_add(m, user);
		}
	}
}

/* Adopts the schedule's zone unless the config names one. */
static void adopt_zone(struct announce *a, const char *name)
{
	struct hw_tz *tz = NULL;
	char *copy;
	if (a->tz_config || !name || !*name ||
	    (a->tz_schedule && !strcmp(a->tz_schedule, name)))
		return;
	if (hw_tz_load(NULL, name, &tz)) {
		a->api->log(a->self, HW_LOG_WARN, "announce: unknown schedule time zone \"%s\"",
			    name);
		return;
	}
	if (!(copy = strdup(name))) {
		hw_tz_free(tz);
		return;
	}
	hw_tz_free(a->tz);
	a->tz = tz;
	free(a->tz_schedule);
	a->tz_schedule = copy;
}

/* The "starting soon" text for one talk; the opted-in speakers go into m. */
static void soon_text(struct announce *a, json_t *t, int64_t start_ms, struct text *out,
		      struct mentions *m)
{
	const char *title = json_string_value(json_object_get(t, "title"));
	const char *room = json_string_value(json_object_get(t, "room"));
	json_t *speakers = json_object_get(t, "speakers");
	char line[700], hhmm[16];
	long mins = (long)(a->remind_ms / 60000);
	size_t i;
	json_t *s;

	announce_time_hhmm(announce_tz(a), start_ms, hhmm, sizeof(hhmm));
	snprintf(line, sizeof(line), "Starting in %ld minute%s: \"%.300s\"%s%.120s at %s", mins,
		 mins == 1 ? "" : "s", title ? title : "?", room ? " in " : "", room ? room : "",
		 hhmm);
	text_add(out, line);
	json_array_foreach(speakers, i, s) {
		const char *name = json_string_value(s), *user;
		if (!name)
			continue;
		if ((user = speaker_user(a, name)))
			snprintf(line, sizeof(line), "%s%.100s <@%s>", i ? ", " : ", with ", name, user);
		else
			snprintf(line, sizeof(line), "%s%.100s", i ? ", " : ", with ", name);
		if (text_add(out, line))
			break;
		if (user)
			mentions_add(m, user);
	}
	text_add(out, ".");
}

/* One write of a schedule update, run in order in the unit of work. */
struct sched_op {
	enum { OP_SKIP_TALK, OP_SKIP_SLOT, OP_ADD } kind;
	char *talk_id, *keep_key, *base_key, *reason;
	/* OP_ADD: */
	char *text, *mention_users;
	int64_t due_ms;
	const char *channel; /* a room's channel (config, lives as long as a), or NULL: a->channels */
};

struct sched_job {
	struct sched_op *ops;
	size_t n, cap;
	int64_t now;
	int oom;
	int update_gone;      /* skip the pending posts of talks no longer known */
	int soon_off;
	char **known;         /* the talks of the schedule and the slots written */
	size_t nknown, capknown;
};

static char *dup_or_null(struct sched_job *j, const char *s)
{
	char *d;
	if (!s)
		return NULL;
	if (!(d = strdup(s)))
		j->oom = 1;
	return d;
}

static struct sched_op *op_add(struct sched_job *j, int kind, const char *talk_id,
			       const char *keep_key, const char *reason)
{
	struct sched_op *op;
	if (j->n == j->cap) {
		size_t cap = j->cap ? j->cap * 2 : 64;
		struct sched_op *v = realloc(j->ops, cap * sizeof(*v));
		if (!v) {
			j->oom = 1;
			return NULL;
		}
		j->ops = v;
		j->cap = cap;
	}
	op = &j->ops[j->n++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	op->talk_id = dup_or_null(j, talk_id);
	op->keep_key = dup_or_null(j, keep_key);
	op->reason = dup_or_null(j, reason);
	return op;
}

static void known_add(struct sched_job *j, const char *id)
{
	if (!id)
		return;
	if (j->nknown == j->capknown) {
		size_t cap = j->capknown ? j->capknown * 2 : 64;
		char **v = realloc(j->known, cap * sizeof(*v));
		if (!v) {
			j->oom = 1;
			return;
		}
		j->known = v;
		j->capknown = cap;
	}
	if ((j->known[j->nknown] = dup_or_null(j, id)))
		j->nknown++;
}

static void sched_job_free(void *p)
{
	struct sched_job *j = p;
	for (size_t i = 0; i < j->n; i++) {
		struct sched_op *op = &j->ops[i];
		free(op->talk_id);
		free(op->keep_key);
		free(op->base_key);
		free(op->reason);
		free(op->text);
		free(op->mention_users);
	}
	free(j->ops);
	announce_store_strings_free(j->known, j->nknown);
	free(j);
}

/* Skips the pending posts of talk_id whose key is not keep_key (NULL: all). */
static void skip_talk(struct sched_job *j, const char *talk_id, const char *keep_key,
		      const char *reason)
{
	op_add(j, OP_SKIP_TALK, talk_id, keep_key, reason);
}

static int soon_one(struct announce *a, struct sched_job *j, json_t *t, int64_t now)
{
	const char *id = json_string_value(json_object_get(t, "id"));
	const char *room = json_string_value(json_object_get(t, "room"));
	json_t *start = json_object_get(t, "start");
	char key[KEY_MAX], base[KEY_MAX], reason[200], when[64];
	const char *room_ch;
	int64_t start_ms, due;
	struct text text = {{0}, 0};
	struct mentions m = {{0}, 0, 0};
	struct sched_op *op;
	size_t klen;

	if (!id || !json_is_integer(start))
		return HW_OK;
	if (json_is_true(json_object_get(t, "cancelled"))) {
		skip_talk(j, id, NULL, "talk cancelled");
		return HW_OK;
	}
	start_ms = (int64_t)json_integer_value(start) * 1000;
	klen = (size_t)snprintf(key, sizeof(key), "%.120s@%lld@%.160s", id,
				(long long)start_ms / 1000, room ? room : "");
	/* Who it pings is part of the key: a speaker opting in or out
	 * replaces the pending post (without a mention, the key is as before). */
	soon_text(a, t, start_ms, &text, &m);
	if (klen >= sizeof(key))
		klen = sizeof(key) - 1;
	memcpy(base, key, klen + 1);
	if (m.n)
		snprintf(key + klen, sizeof(key) - klen, "@m%016llx", (unsigned long long)fnv(m.list));
	announce_time_format(announce_tz(a), start_ms, when, sizeof(when));
	snprintf(reason, sizeof(reason), "talk moved to %s%s%.60s", when, room ? " in " : "",
		 room ? room : "");
	if ((op = op_add(j, OP_SKIP_SLOT, id, key, "the speakers it mentions changed")))
		op->base_key = dup_or_null(j, base);
	skip_talk(j, id, key, reason);
	due = start_ms - a->remind_ms;
	/* Talks already past when we first see them get no item; ones due
	 * during a downtime were added before it and meet the catch-up
	 * window in the dispatcher. */
	if (due < now - a->catchup_ms)
		return HW_OK;
	room_ch = announce_room_channel(a, room);
	if (!room_ch && a->soon_mode == ANNOUNCE_SOON_GROUPED)
	{
		/* Its slot's post lists it (soon_slots); a per-talk post from an
		 * earlier setting is not sent as well. */
		skip_talk(j, id, NULL, "listed in its time slot's post");
		return HW_OK;
	}
	if (!room_ch && !a->nchannels)
		return HW_OK;
	/* Schedule text never pings; only the opted-in speakers (mention_users). */
	if ((op = op_add(j, OP_ADD, id, key, NULL))) {
		op->text = dup_or_null(j, text.buf);
		op->mention_users = dup_or_null(j, m.list);
		op->due_ms = due;
		op->channel = room_ch;
	}
	return j->oom ? HW_ERR_NOMEM : HW_OK;
}

/* ---- grouped: one post per time slot ---- */

struct slot_talk {
	int64_t start_ms;
	size_t order; /* the schedule's order within a slot */
	json_t *t;
};

static int slot_cmp(const void *x, const void *y)
{
	const struct slot_talk *a = x, *b = y;
	if (a->start_ms != b->start_ms)
		return a->start_ms < b->start_ms ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static const char *str_or(json_t *t, const char *key)
{
	const char *v = json_string_value(json_object_get(t, key));
	return v ? v : "";
}

/* The post for the talks v[0..n) starting at the same time; the opted-in
 * speakers of the talks shown go into m. */
static void slot_text(struct announce *a, const struct slot_talk *v, size_t n, struct text *out,
		      struct mentions *m)
{
	char line[800], hhmm[16];
	long mins = (long)(a->remind_ms / 60000);
	size_t shown = 0;

	announce_time_hhmm(announce_tz(a), v[0].start_ms, hhmm, sizeof(hhmm));
	snprintf(line, sizeof(line), "Starting in %ld minute%s, at %s:", mins, mins == 1 ? "" : "s",
		 hhmm);
	text_add(out, line);
	for (size_t i = 0; i < n; i++) {
		const char *title = json_string_value(json_object_get(v[i].t, "title"));
		const char *room = json_string_value(json_object_get(v[i].t, "room"));
		json_t *speakers = json_object_get(v[i].t, "speakers");
		struct mentions talk = {{0}, 0, 0};
		size_t k, o, also = 0;
		/* A booking in several rooms (a break) is one line, with its rooms. */
		for (k = 0; k < i; k++)
			if (title && !strcmp(title, str_or(v[k].t, "title")))
				break;
		if (k < i) {
			shown++; /* listed with its first room */
			continue;
		}
		for (k = i + 1; k < n; k++)
			also += title && !strcmp(title, str_or(v[k].t, "title"));
		if (also)
			o = (size_t)snprintf(line, sizeof(line), "\n- %.100s and %zu more room%s: \"%.200s\"",
					     room ? room : "?", also, also == 1 ? "" : "s", title);
		else
			o = (size_t)snprintf(line, sizeof(line), "\n- %.100s%s\"%.200s\"",
					     room ? room : "", room ? ": " : "", title ? title : "?");
		speakers_line(a, speakers, 3, 80, line, sizeof(line), &o, &talk);
		if (text_add(out, line))
			break;
		mentions_merge(m, &talk); /* only the talks shown ping their speakers */
		shown++;
	}
	if (shown < n) {
		snprintf(line, sizeof(line), "\n...and %zu more.", n - shown);
		memcpy(out->buf + out->n, line, strlen(line) + 1);
		out->n += strlen(line);
	}
}

/* One post per start time to the announce channels, keyed by its text:
 * a refresh that changes nothing adds nothing; one that changes the
 * slot's talks skips the old pending post and adds the new one. The
 * ids ("slot@<start>") of the slots written go into j->known. */
static int soon_slots(struct announce *a, struct sched_job *j, json_t *talks, int64_t now)
{
	struct slot_talk *v;
	size_t n = 0, i, k;
	json_t *t;
	int rc = HW_OK;

	if (!a->nchannels || !json_array_size(talks))
		return HW_OK;
	if (!(v = calloc(json_array_size(talks), sizeof(*v))))
		return HW_ERR_NOMEM;
	json_array_foreach(talks, i, t) {
		json_t *start = json_object_get(t, "start");
		int64_t start_ms;
		if (!json_string_value(json_object_get(t, "id")) || !json_is_integer(start) ||
		    json_is_true(json_object_get(t, "cancelled")))
			continue;
		start_ms = (int64_t)json_integer_value(start) * 1000;
		if (start_ms - a->remind_ms < now - a->catchup_ms)
			continue;
		v[n++] = (struct slot_talk){start_ms, i, t};
	}
	qsort(v, n, sizeof(*v), slot_cmp);
	for (i = 0; i < n && rc == HW_OK; i = k) {
		struct text text = {{0}, 0};
		struct mentions m = {{0}, 0, 0};
		struct sched_op *op;
		char id[64], key[96];
		for (k = i; k < n && v[k].start_ms == v[i].start_ms; k++)
			;
		slot_text(a, v + i, k - i, &text, &m);
		snprintf(id, sizeof(id), "slot@%lld", (long long)(v[i].start_ms / 1000));
		snprintf(key, sizeof(key), "%s@%016llx", id, (unsigned long long)fnv(text.buf));
		known_add(j, id);
		skip_talk(j, id, key, "the talks starting then changed");
		if ((op = op_add(j, OP_ADD, id, key, NULL))) {
			op->text = dup_or_null(j, text.buf);
			op->mention_users = dup_or_null(j, m.list); /* in the text, so in the key */
			op->due_ms = v[i].start_ms - a->remind_ms;
		}
		rc = j->oom ? HW_ERR_NOMEM : HW_OK;
	}
	free(v);
	return rc;
}

static int is_known(const struct sched_job *j, const char *id)
{
	for (size_t i = 0; i < j->nknown; i++)
		if (!strcmp(j->known[i], id))
			return 1;
	return 0;
}

static int sched_body(void *ctx, hw_tx *tx, void *job)
{
	struct announce *a = ctx;
	struct sched_job *j = job;
	const hw_api *api = a->api;
	char **ids = NULL;
	size_t nids = 0;
	int rc = HW_OK;

	for (size_t i = 0; i < j->n && rc == HW_OK; i++) {
		const struct sched_op *op = &j->ops[i];
		if (op->kind == OP_SKIP_TALK) {
			rc = announce_store_skip_talk(api, tx, op->talk_id, op->keep_key, op->reason,
						      NULL);
		} else if (op->kind == OP_SKIP_SLOT) {
			rc = announce_store_skip_same_slot(api, tx, op->talk_id, op->base_key,
							   op->keep_key, op->reason);
		} else {
			const char *one = op->channel;
			struct announce_new n = {
				.kind = ANNOUNCE_KIND_SOON,
				.text = op->text,
				.due_ms = op->due_ms,
				.created_by = "schedule",
				.created_ms = j->now,
				.talk_id = op->talk_id,
				.talk_key = op->keep_key,
				.mentions = 0,
				.mention_users = op->mention_users,
				.channels = one ? &one : (const char *const *)a->channels,
				.nchannels = one ? 1 : a->nchannels,
			};
			int64_t item = 0;
			rc = announce_store_add(api, tx, &n, &item);
		}
	}
	if (rc != HW_OK || !j->update_gone)
		return rc;
	/* Talks gone from the schedule: their pending posts are skipped. */
	if ((rc = announce_store_soon_talks(api, tx, &ids, &nids)))
		return rc;
	for (size_t k = 0; k < nids && rc == HW_OK; k++) {
		if (!j->soon_off && is_known(j, ids[k]))
			continue;
		rc = announce_store_skip_talk(api, tx, ids[k], NULL,
					      j->soon_off ? "starting-soon posts are off"
					      : !strncmp(ids[k], "slot@", 5)
						      ? "no talk starts then any more"
						      : "talk removed from the schedule",
					      NULL);
	}
	announce_store_strings_free(ids, nids);
	return rc;
}

static void sched_done(void *ctx, int status, void *job)
{
	struct announce *a = ctx;
	if (status != HW_OK)
		a->api->log(a->self, status == HW_ERR_UNAVAILABLE ? HW_LOG_WARN : HW_LOG_ERROR,
			    "announce: cannot update the starting-soon posts (%d); they are "
			    "redone at the schedule's next load", status);
	sched_job_free(job);
	announce_send_rearm(a);
}

void announce_sched_on_loaded(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	struct announce *a = ud;
	json_t *talks = json_object_get(data, "talks"), *t;
	int64_t now = a->api->now_ms(self);
	struct sched_job *j;
	size_t i;
	int rc = HW_OK;

	if (!hw_event_check(a->api, self, type, data, HW_SCHEDULE_LOADED_VERSION))
		return;
	a->schedule_seen = 1;
	adopt_zone(a, json_string_value(json_object_get(data, "timezone")));
	announce_rooms_check(a, talks);
	if (a->remind_ms <= 0 || !json_is_array(talks))
		return;
	if (!(j = calloc(1, sizeof(*j))))
		return;
	j->now = now;
	j->update_gone = 1;
	j->soon_off = a->soon_mode == ANNOUNCE_SOON_OFF;
	json_array_foreach(talks, i, t) {
		if (a->soon_mode == ANNOUNCE_SOON_OFF)
			break;
		known_add(j, json_string_value(json_object_get(t, "id")));
		if ((rc = soon_one(a, j, t, now)))
			break;
	}
	if (rc == HW_OK && a->soon_mode == ANNOUNCE_SOON_GROUPED)
		rc = soon_slots(a, j, talks, now);
	if (rc != HW_OK || j->oom) {
		a->api->log(self, HW_LOG_ERROR,
			    "announce: cannot update the starting-soon posts: out of memory");
		sched_job_free(j);
		return;
	}
	hw_units_run(a->units, sched_body, sched_done, sched_job_free, j);
}

static void change_line(struct announce *a, const char *what, json_t *e, struct text *out,
			size_t *dropped)
{
	const char *title = json_string_value(json_object_get(e, "title"));
	const char *room = json_string_value(json_object_get(e, "room"));
	const char *old_room = json_string_value(json_object_get(e, "old_room"));
	json_t *os = json_object_get(e, "old_start"), *ns = json_object_get(e, "new_start");
	char line[800], was[64] = "", now[64] = "";

	if (json_is_integer(os))
		announce_time_format(announce_tz(a), (int64_t)json_integer_value(os) * 1000, was,
				     sizeof(was));
	if (json_is_integer(ns))
		announce_time_format(announce_tz(a), (int64_t)json_integer_value(ns) * 1000, now,
				     sizeof(now));
	if (!strcmp(what, "moved"))
		snprintf(line, sizeof(line), "\n- Moved: \"%.200s\" is now %s%s%.100s (was %s%s%.100s)",
			 title ? title : "?", now, room ? " in " : "", room ? room : "", was,
			 old_room ? " in " : "", old_room ? old_room : "");
	else if (!strcmp(what, "added"))
		snprintf(line, sizeof(line), "\n- New: \"%.200s\", %s%s%.100s", title ? title : "?",
			 now, room ? " in " : "", room ? room : "");
	else if (!strcmp(what, "cancelled"))
		snprintf(line, sizeof(line), "\n- Cancelled: \"%.200s\" (%s%s%.100s)",
			 title ? title : "?", *was ? was : now, room ? " in " : "",
			 room ? room : "");
	else
		snprintf(line, sizeof(line), "\n- Removed from the schedule: \"%.200s\"",
			 title ? title : "?");
	if (*dropped || text_add(out, line))
		(*dropped)++;
}

/* A schedule-change alert to changes_channel (config: lives as long as a). */
struct change_job {
	char *text;
	int64_t due_ms;
};

static void change_free(void *p)
{
	struct change_job *j = p;
	free(j->text);
	free(j);
}

static int change_body(void *ctx, hw_tx *tx, void *job)
{
	struct announce *a = ctx;
	struct change_job *j = job;
	const char *ch = a->changes_channel;
	struct announce_new n = {
		.kind = ANNOUNCE_KIND_CHANGE,
		.text = j->text,
		.due_ms = j->due_ms,
		.created_by = "schedule",
		.created_ms = j->due_ms,
		.mentions = 0,
		.channels = &ch,
		.nchannels = 1,
	};
	int64_t item = 0;
	return announce_store_add(a->api, tx, &n, &item);
}

static void change_done(void *ctx, int status, void *job)
{
	struct announce *a = ctx;
	if (status != HW_OK)
		a->api->log(a->self, HW_LOG_ERROR, "announce: cannot write the change alert (%d)",
			    status);
	change_free(job);
	if (status == HW_OK)
		announce_send_dispatch(a);
}

void announce_sched_on_changed(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	static const char *const kinds[] = {"added", "moved", "cancelled", "removed"};
	struct announce *a = ud;
	struct text text = {{0}, 0};
	struct change_job *j;
	size_t dropped = 0, count = 0, i;
	json_t *e;
	char more[64];
	const char *ch = a->changes_channel;

	if (!ch || !hw_event_check(a->api, self, type, data, HW_SCHEDULE_CHANGED_VERSION))
		return;
	text_add(&text, "Schedule change:");
	for (size_t k = 0; k < 4; k++)
		json_array_foreach(json_object_get(data, kinds[k]), i, e) {
			change_line(a, kinds[k], e, &text, &dropped);
			count++;
		}
	if (!count)
		return;
	if (dropped) {
		snprintf(more, sizeof(more), "\n...and %zu more.", dropped);
		memcpy(text.buf + text.n, more, strlen(more) + 1);
	}
	if (!(j = calloc(1, sizeof(*j))) || !(j->text = strdup(text.buf))) {
		free(j);
		a->api->log(self, HW_LOG_ERROR, "announce: out of memory writing the change alert");
		return;
	}
	j->due_ms = a->api->now_ms(self);
	hw_units_run(a->units, change_body, change_done, change_free, j);
}

void announce_sched_on_speakers(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	struct announce *a = ud;
	json_t *map, *sp;
	size_t i;

	if (!hw_event_check(a->api, self, type, data, HW_REG_SPEAKERS_VERSION) ||
	    !(map = json_object()))
		return;
	json_array_foreach(json_object_get(data, "speakers"), i, sp) {
		const char *name = json_string_value(json_object_get(sp, "name"));
		const char *user = json_string_value(json_object_get(sp, "user_id"));
		char fold[400];
		size_t n = user ? strspn(user, "0123456789") : 0;
		/* Only a user id goes into a post's text: nothing else is ever
		 * written inside its <@...>. */
		if (!name || !n || n > 20 || user[n] || !hw_fold_into(name, fold, sizeof(fold)))
			continue;
		json_object_set_new(map, fold, json_string(user));
	}
	if (a->speakers && json_equal(a->speakers, map)) {
		json_decref(map);
		return;
	}
	json_decref(a->speakers);
	a->speakers = map;
	a->api->log(self, HW_LOG_INFO, "announce: %zu speaker%s to mention in starting-soon posts",
		    json_object_size(map), json_object_size(map) == 1 ? "" : "s");
	/* The pending posts are redone from the schedule (their keys carry
	 * who they ping); before the first schedule there is nothing to redo. */
	if (a->schedule_seen && a->remind_ms > 0)
		hw_event_publish_bare(a->api, self, HW_EVENT_SCHEDULE_REQUEST,
				      HW_SCHEDULE_REQUEST_VERSION);
}
