/*
 * What the schedule plugin tells us. "schedule.loaded" (every talk) and
 * "openspaces.board" (every open space, announce_soon.c) keep one
 * "starting soon" item per talk or open space (or per time slot, grouped),
 * keyed by talk, start and room so that a refresh or a restart never adds
 * it twice; a talk that moves gets a new item and its old pending one is
 * skipped ("talk moved to ..."); cancelled and removed talks have theirs
 * skipped. What a post says is announce_soon.c's. "schedule.changed"
 * becomes one alert in changes_channel.
 *
 * The posts and keys are made on the loop (they read the zone, the
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

static uint64_t fnv(const char *s);

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

/* One write of a schedule update, run in order in the unit of work. */
struct sched_op {
	enum { OP_SKIP_TALK, OP_SKIP_SLOT, OP_ADD } kind;
	char *talk_id, *keep_key, *base_key, *reason;
	/* OP_ADD: */
	char *text, *mention_users;
	int revive;          /* a slot's post: its key skipped as replaced comes back */
	int64_t due_ms;
	const char *channel; /* a room's channel (config, lives as long as a), or NULL: a->channels */
};

struct sched_job {
	struct sched_op *ops;
	size_t n, cap;
	int64_t now;
	int oom;
	int soon_off;
	int spaces_known;     /* the board came: gone open spaces are skipped */
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
	struct announce_mentions m = {{0}, 0, 0};
	struct sched_op *op;
	size_t klen;

	if (!id || !json_is_integer(start))
		return HW_OK;
	if (json_is_true(json_object_get(t, "cancelled"))) {
		skip_talk(j, id, NULL, "talk cancelled");
		return j->oom ? HW_ERR_NOMEM : HW_OK;
	}
	start_ms = (int64_t)json_integer_value(start) * 1000;
	klen = (size_t)snprintf(key, sizeof(key), "%.120s@%lld@%.160s", id,
				(long long)start_ms / 1000, room ? room : "");
	/* Who it pings is part of the key: a speaker opting in or out
	 * replaces the pending post (without a mention, the key is as before). */
	announce_soon_mentions(a, t, &m);
	if (klen >= sizeof(key))
		klen = sizeof(key) - 1;
	memcpy(base, key, klen + 1);
	if (m.n)
		snprintf(key + klen, sizeof(key) - klen, "@m%016llx", (unsigned long long)fnv(m.list));
	announce_time_format(announce_tz(a), start_ms, when, sizeof(when));
	snprintf(reason, sizeof(reason), "%s moved to %s%s%.60s",
		 strncmp(id, "os#", 3) ? "talk" : "open space", when, room ? " in " : "",
		 room ? room : "");
	if ((op = op_add(j, OP_SKIP_SLOT, id, key, "the speakers it mentions changed")))
		op->base_key = dup_or_null(j, base);
	skip_talk(j, id, key, reason);
	due = start_ms - a->remind_ms;
	/* Talks already past when we first see them get no item; ones due
	 * during a downtime were added before it and meet the catch-up
	 * window in the dispatcher. */
	room_ch = announce_room_channel(a, room);
	if (due < now - a->catchup_ms) {
		/* nothing to add */
	} else if (!room_ch && a->soon_mode == ANNOUNCE_SOON_GROUPED) {
		/* Its slot's post lists it (soon_slots); a per-talk post from an
		 * earlier setting is not sent as well. */
		skip_talk(j, id, NULL, "listed in its time slot's post");
	} else if (room_ch || a->nchannels) {
		/* Schedule text never pings; only the opted-in speakers
		 * (mention_users). The post is made only here: in a grouped
		 * schedule most talks have none of their own. */
		struct announce_mentions shown = {{0}, 0, 0};
		if ((op = op_add(j, OP_ADD, id, key, NULL))) {
			if (!(op->text = announce_soon_post(a, &t, 1, start_ms, 0, &shown)))
				j->oom = 1; /* the job is dropped */
			op->mention_users = dup_or_null(j, m.list);
			op->due_ms = due;
			op->channel = room_ch;
		}
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

/* One post per start time to the announce channels, keyed by its text and
 * by who it pings (the mentions are not in the text: announce_items.
 * mention_users): a refresh that changes nothing adds nothing; one that
 * changes what starts then, or an opt-in, skips the old pending post and
 * adds the new one. The ids ("slot@<start>") of the slots written go into
 * j->known. */
static int soon_slots(struct announce *a, struct sched_job *j, json_t *entries, int64_t now)
{
	struct slot_talk *v;
	json_t **group = NULL, *t;
	size_t n = 0, i, k;
	int rc = HW_OK;

	if (!a->nchannels || !json_array_size(entries))
		return HW_OK;
	if (!(v = calloc(json_array_size(entries), sizeof(*v))) ||
	    !(group = calloc(json_array_size(entries), sizeof(*group)))) {
		free(v);
		return HW_ERR_NOMEM;
	}
	json_array_foreach(entries, i, t) {
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
		struct announce_mentions m = {{0}, 0, 0};
		struct sched_op *op;
		char id[64], key[128], *text;
		for (k = i; k < n && v[k].start_ms == v[i].start_ms; k++)
			group[k - i] = v[k].t;
		if (!(text = announce_soon_post(a, group, k - i, v[i].start_ms, 1, &m))) {
			rc = HW_ERR_NOMEM;
			break;
		}
		snprintf(id, sizeof(id), "slot@%lld", (long long)(v[i].start_ms / 1000));
		if (m.n)
			snprintf(key, sizeof(key), "%s@%016llx@m%016llx", id,
				 (unsigned long long)fnv(text), (unsigned long long)fnv(m.list));
		else
			snprintf(key, sizeof(key), "%s@%016llx", id, (unsigned long long)fnv(text));
		known_add(j, id);
		skip_talk(j, id, key, ANNOUNCE_SLOT_REPLACED);
		if ((op = op_add(j, OP_ADD, id, key, NULL))) {
			op->text = text;
			text = NULL;
			op->mention_users = dup_or_null(j, m.list);
			op->due_ms = v[i].start_ms - a->remind_ms;
			op->revive = 1;
		}
		free(text);
		rc = j->oom ? HW_ERR_NOMEM : HW_OK;
	}
	free(group);
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

/* Why a pending post of id goes: nothing of it is left. */
static const char *gone_reason(const struct sched_job *j, const char *id)
{
	if (j->soon_off)
		return "starting-soon posts are off";
	if (!strncmp(id, "slot@", 5))
		return "nothing starts then any more";
	if (!strncmp(id, "os#", 3))
		return "open space removed from the board";
	return "talk removed from the schedule";
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
				.revive = op->revive ? ANNOUNCE_SLOT_REPLACED : NULL,
				.channels = one ? &one : (const char *const *)a->channels,
				.nchannels = one ? 1 : a->nchannels,
			};
			int64_t item = 0;
			rc = announce_store_add(api, tx, &n, &item);
		}
	}
	if (rc != HW_OK)
		return rc;
	/* Talks gone from the schedule, open spaces gone from the board:
	 * their pending posts are skipped. */
	if ((rc = announce_store_soon_talks(api, tx, &ids, &nids)))
		return rc;
	for (size_t k = 0; k < nids && rc == HW_OK; k++) {
		if (!j->soon_off && is_known(j, ids[k]))
			continue;
		if (!j->soon_off && !j->spaces_known && !strncmp(ids[k], "os#", 3))
			continue; /* the board is not known yet */
		rc = announce_store_skip_talk(api, tx, ids[k], NULL, gone_reason(j, ids[k]), NULL);
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
	a->redoing = 0;
	if (a->redo_again) {
		a->redo_again = 0;
		announce_sched_redo(a);
	}
	announce_send_rearm(a);
}

/*
 * The talks are known once schedule.loaded came; the open spaces once
 * openspaces.board came, or never when that plugin is not loaded. Nothing
 * is built before the talks are known, so a board that comes first (after
 * a restart, say) waits for them. A board that comes after the talks
 * redoes the slots it adds to: the slot's post made of the talks alone is
 * replaced before it is due, and a version skipped that way comes back
 * when its slot is the same again (announce_store_add revives it: its key
 * would otherwise be refused, and the slot would get no post at all).
 *
 * One redo at a time: a change while one is queued (a burst of proposals
 * on the board) asks for one more, made from the newest state once the
 * queued one is done, so a burst costs the loop a few redos, not one each
 * (a redo of 1,000 talks in 20 slots takes some 16 ms on the loop, its
 * unit of work some 40 ms more on the storage side).
 */
void announce_sched_redo(struct announce *a)
{
	int64_t now = a->api->now_ms(a->self);
	json_t *entries, *t;
	struct sched_job *j;
	size_t i;
	int rc = HW_OK;

	if (a->remind_ms <= 0 || !a->talks)
		return;
	if (a->redoing) {
		a->redo_again = 1;
		return;
	}
	if (!(j = calloc(1, sizeof(*j))) || !(entries = announce_soon_entries(a))) {
		free(j);
		a->api->log(a->self, HW_LOG_ERROR,
			    "announce: cannot update the starting-soon posts: out of memory");
		return;
	}
	j->now = now;
	j->soon_off = a->soon_mode == ANNOUNCE_SOON_OFF;
	j->spaces_known = a->spaces != NULL;
	json_array_foreach(entries, i, t) {
		if (j->soon_off)
			break;
		known_add(j, json_string_value(json_object_get(t, "id")));
		if ((rc = soon_one(a, j, t, now)))
			break;
	}
	if (rc == HW_OK && a->soon_mode == ANNOUNCE_SOON_GROUPED)
		rc = soon_slots(a, j, entries, now);
	json_decref(entries);
	if (rc != HW_OK || j->oom) {
		a->api->log(a->self, HW_LOG_ERROR,
			    "announce: cannot update the starting-soon posts: out of memory");
		sched_job_free(j);
		return;
	}
	a->redoing = 1;
	if (hw_units_run(a->units, sched_body, sched_done, sched_job_free, j))
		a->redoing = 0;
}

void announce_sched_on_loaded(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	struct announce *a = ud;
	json_t *talks = json_object_get(data, "talks");

	if (!hw_event_check(a->api, self, type, data, HW_SCHEDULE_LOADED_VERSION))
		return;
	adopt_zone(a, json_string_value(json_object_get(data, "timezone")));
	announce_rooms_check(a, talks);
	if (!json_is_array(talks))
		return;
	if (announce_soon_keep_talks(a, talks)) {
		a->api->log(self, HW_LOG_ERROR,
			    "announce: out of memory keeping the schedule; the starting-soon posts "
			    "are as they were");
		return;
	}
	announce_sched_redo(a);
}

static void change_line(struct announce *a, const char *what, json_t *e,
			struct announce_text *out, size_t *dropped)
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
	if (*dropped || announce_text_add(out, line))
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
	struct announce_text text = {{0}, 0};
	struct change_job *j;
	size_t dropped = 0, count = 0, i;
	json_t *e;
	char more[64];
	const char *ch = a->changes_channel;

	if (!ch || !hw_event_check(a->api, self, type, data, HW_SCHEDULE_CHANGED_VERSION))
		return;
	announce_text_add(&text, "Schedule change:");
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
	/* The pending posts are redone from the talks kept (their keys carry
	 * who they ping); before the first schedule there is nothing to redo. */
	announce_sched_redo(a);
}
