/*
 * ospace_query — reads. See ospace_query.h.
 */
#include "ospace_query.h"

#include <stdlib.h>
#include <string.h>

#include <hallway/text.h>


#define OSPACE_SELECT                                                                     \
	"SELECT s.id, s.day, s.slot, s.room, s.topic, s.host_id, s.host_name, s.capacity," \
	" 1 + (SELECT count(*) FROM openspaces_joins j WHERE j.session_id = s.id)"         \
	" FROM openspaces_sessions s"

static void ospace_query_copy(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);
	if (n >= len) {
		n = len - 1;
		while (n && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--; /* never cut inside a UTF-8 sequence */
	}
	memcpy(dst, src, n);
	dst[n] = 0;
}

static void ospace_query_row(ospace_db *db, hw_stmt *st, ospace_session *s)
{
	memset(s, 0, sizeof(*s));
	s->id = ospace_col_int(db, st, 0);
	ospace_query_copy(s->day, sizeof(s->day), ospace_col(db, st, 1));
	ospace_query_copy(s->slot, sizeof(s->slot), ospace_col(db, st, 2));
	ospace_query_copy(s->room, sizeof(s->room), ospace_col(db, st, 3));
	ospace_query_copy(s->topic, sizeof(s->topic), ospace_col(db, st, 4));
	ospace_query_copy(s->host_id, sizeof(s->host_id), ospace_col(db, st, 5));
	ospace_query_copy(s->host_name, sizeof(s->host_name), ospace_col(db, st, 6));
	s->capacity = ospace_col_int(db, st, 7);
	s->going = ospace_col_int(db, st, 8);
}

int ospace_query_session(ospace_db *db, int64_t id, ospace_session *s)
{
	hw_stmt *st = NULL;
	int rc = (st = ospace_sql(db, OSPACE_SELECT " WHERE s.id = ? AND s.ended_ms IS NULL",
				   "i", id)) ? HW_OK : HW_ERR_STORAGE;
	if (rc)
		return rc;
	rc = ospace_step(db, st);
	if (rc == HW_ROW) {
		ospace_query_row(db, st, s);
		rc = HW_OK;
	} else {
		rc = rc == HW_DONE ? HW_ERR_NOT_FOUND : HW_ERR_STORAGE;
	}
	return rc;
}

static int ospace_query_run(ospace_db *db, hw_stmt *st, ospace_query_fn fn, void *ud)
{
	ospace_session s;
	int rc;
	while ((rc = ospace_step(db, st)) == HW_ROW) {
		ospace_query_row(db, st, &s);
		if (fn(&s, ud))
			break;
	}
	rc = rc == HW_ROW || rc == HW_DONE ? HW_OK : HW_ERR_STORAGE;
	return rc;
}

int ospace_query_day(ospace_db *db, const char *day, ospace_query_fn fn, void *ud)
{
	hw_stmt *st = NULL;
	int rc = (st = ospace_sql(db,
				   OSPACE_SELECT " WHERE s.day = ? AND s.ended_ms IS NULL"
						 " ORDER BY s.slot, s.id",
				   "t", day)) ? HW_OK : HW_ERR_STORAGE;
	return rc ? rc : ospace_query_run(db, st, fn, ud);
}

int ospace_query_hosted(ospace_db *db, const char *user_id, ospace_query_fn fn, void *ud)
{
	hw_stmt *st = NULL;
	int rc = (st = ospace_sql(db,
				   OSPACE_SELECT " WHERE s.host_id = ? AND s.ended_ms IS NULL"
						 " ORDER BY s.day, s.slot, s.id",
				   "t", user_id)) ? HW_OK : HW_ERR_STORAGE;
	return rc ? rc : ospace_query_run(db, st, fn, ud);
}

int ospace_query_joined(ospace_db *db, const char *user_id, ospace_query_fn fn, void *ud)
{
	hw_stmt *st = NULL;
	int rc = (st = ospace_sql(db,
				   OSPACE_SELECT " JOIN openspaces_joins m ON m.session_id = s.id"
						 " WHERE m.user_id = ? AND s.ended_ms IS NULL"
						 " ORDER BY s.day, s.slot, s.id",
				   "t", user_id)) ? HW_OK : HW_ERR_STORAGE;
	return rc ? rc : ospace_query_run(db, st, fn, ud);
}

int ospace_query_all(ospace_db *db, ospace_query_fn fn, void *ud)
{
	hw_stmt *st = NULL;
	int rc = (st = ospace_sql(db,
				   OSPACE_SELECT " WHERE s.ended_ms IS NULL ORDER BY s.day, s.slot, s.id",
				   NULL)) ? HW_OK : HW_ERR_STORAGE;
	return rc ? rc : ospace_query_run(db, st, fn, ud);
}

int ospace_query_taken(ospace_db *db, const ospace_board *b, unsigned char *taken)
{
	hw_stmt *st = NULL;
	int rc = (st = ospace_sql(db,
				   "SELECT day, slot, room FROM openspaces_sessions"
				   " WHERE ended_ms IS NULL",
				   NULL)) ? HW_OK : HW_ERR_STORAGE;
	if (rc)
		return rc;
	while ((rc = ospace_step(db, st)) == HW_ROW) {
		long d = ospace_board_day(b, ospace_col(db, st, 0));
		long s = ospace_board_slot(b, ospace_board_hhmm(ospace_col(db, st, 1)));
		long r = ospace_board_room(b, ospace_col(db, st, 2));
		if (d >= 0 && s >= 0 && r >= 0)
			taken[((size_t)d * b->nslots + (size_t)s) * b->nrooms + (size_t)r] = 1;
	}
	rc = rc == HW_DONE ? HW_OK : HW_ERR_STORAGE;
	return rc;
}

int64_t ospace_query_id(const char *typed)
{
	const char *p = typed;
	int64_t id = 0;
	if (!p)
		return 0;
	if (*p == '#')
		p++;
	if (!*p || strlen(p) > 12)
		return 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		id = id * 10 + (*p - '0');
	}
	return id;
}

int ospace_query_find(ospace_db *db, const char *typed, int64_t *ids, size_t max, size_t *n)
{
	hw_stmt *st = NULL;
	char *f = NULL;
	int64_t id = ospace_query_id(typed);
	int rc, pass;
	*n = 0;
	if (id) {
		ospace_session s;
		rc = ospace_query_session(db, id, &s);
		if (rc == HW_OK && max)
			ids[(*n)++] = id;
		return rc == HW_ERR_NOT_FOUND ? HW_OK : rc;
	}
	f = hw_fold(typed ? typed : "");
	if (!f)
		return HW_ERR_NOMEM;
	rc = HW_OK;
	/* Pass 0: the exact topic; pass 1: topics the text starts a word of. */
	for (pass = 0; *f && pass < 2 && !*n && !rc; pass++) {
		rc = (st = ospace_sql(db,
				       "SELECT id, fold FROM openspaces_sessions"
				       " WHERE ended_ms IS NULL ORDER BY day, slot, id",
				       NULL)) ? HW_OK : HW_ERR_STORAGE;
		if (rc)
			break;
		while (ospace_step(db, st) == HW_ROW) {
			const char *sf = ospace_col(db, st, 1);
			if (pass ? hw_fold_has_word_prefix(sf, f) : !strcmp(sf, f)) {
				if (*n < max)
					ids[*n] = ospace_col_int(db, st, 0);
				(*n)++;
			}
		}
		st = NULL;
	}
	free(f);
	return rc;
}
