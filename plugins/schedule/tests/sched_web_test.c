/*
 * The lobby screen's data (sched_web.c) at fixed instants on the sample
 * conference (HallwayCon 2026, Europe/Brussels, CET = UTC+1): now and next
 * per room, cancelled and moved marks, one room, unknown rooms, and the
 * query decoder.
 */
#include <stdint.h>
#include <string.h>

#include "sched_test_util.h"

#include "sched_web.h"
#include <hallway/civil.h>
#include <hallway/web.h>

#define LOCAL_MS(d, h, m) ((hw_civil_make(2026, 11, (d), (h), (m), 0) - 3600) * 1000LL)

static struct sched *sample(void)
{
	FILE *f = fopen(SCHED_SAMPLE_PATH, "rb");
	struct sched *s = NULL;
	char *buf, err[256];
	long n;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
		buf[n] = 0;
		if (sched_load(buf, (size_t)n, SCHED_FMT_AUTO, NULL, &s, err, sizeof(err)))
			fprintf(stderr, "sample: %s\n", err);
	}
	free(buf);
	fclose(f);
	return s;
}

static json_t *room_of(json_t *screen, const char *name)
{
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(screen, "rooms"), i, r)
		if (!strcmp(json_string_value(json_object_get(r, "room")), name))
			return r;
	return NULL;
}

static const char *title(json_t *room, const char *which)
{
	return json_string_value(json_object_get(json_object_get(room, which), "title"));
}

static struct sched_talk *talk_titled(struct sched *s, const char *t)
{
	for (size_t i = 0; i < s->ntalks; i++)
		if (!strcmp(s->talks[i].title, t))
			return &s->talks[i];
	return NULL;
}

TEST(now_and_next_per_room)
{
	struct sched *s = sample();
	int status = 200;
	json_t *j, *main, *env;
	REQUIRE(s);
	j = sched_web_screen(s, LOCAL_MS(26, 10, 20), NULL, NULL, &status);
	REQUIRE(j);
	CHECK_STREQ(json_string_value(json_object_get(j, "zone")), "Europe/Brussels");
	CHECK_STREQ(json_string_value(json_object_get(j, "conference")), "HallwayCon 2026");
	CHECK(json_integer_value(json_object_get(j, "now")) == LOCAL_MS(26, 10, 20));
	REQUIRE((main = room_of(j, "Main Hall")));
	CHECK_STREQ(title(main, "now"), "Why Conferences Need Better Bots");
	CHECK(json_integer_value(json_object_get(json_object_get(main, "now"), "start")) ==
	      LOCAL_MS(26, 10, 15));
	CHECK_STREQ(title(main, "next"), "Scaling Community Moderation");
	REQUIRE((env = room_of(j, "Envelope ✉️")));
	CHECK_STREQ(title(env, "now"), "Discord Gateway Deep Dive");
	CHECK(json_is_null(json_object_get(room_of(j, "Café Lounge ☕"), "now")));
	json_decref(j);
	/* Before the first talk: nothing on anywhere, the opening next. */
	j = sched_web_screen(s, LOCAL_MS(26, 8, 0), NULL, NULL, &status);
	REQUIRE(j);
	CHECK(json_is_null(json_object_get(room_of(j, "Main Hall"), "now")));
	CHECK_STREQ(title(room_of(j, "Main Hall"), "next"), "Opening: Welcome to HallwayCon");
	json_decref(j);
	/* Long after the conference: no room has anything to show. */
	j = sched_web_screen(s, LOCAL_MS(30, 12, 0), NULL, NULL, &status);
	REQUIRE(j);
	CHECK(json_array_size(json_object_get(j, "rooms")) == 0);
	json_decref(j);
	sched_model_free(s);
}

TEST(one_room_and_unknown_rooms)
{
	struct sched *s = sample();
	int status = 200;
	json_t *j;
	REQUIRE(s);
	j = sched_web_screen(s, LOCAL_MS(26, 10, 20), "main hall", NULL, &status);
	REQUIRE(j);
	CHECK(json_array_size(json_object_get(j, "rooms")) == 1);
	CHECK(room_of(j, "Main Hall") != NULL);
	json_decref(j);
	/* One room's door shows it even when nothing is on or coming. */
	j = sched_web_screen(s, LOCAL_MS(30, 12, 0), "Main Hall", NULL, &status);
	REQUIRE(j);
	CHECK(json_array_size(json_object_get(j, "rooms")) == 1);
	json_decref(j);
	status = 200;
	CHECK(!sched_web_screen(s, LOCAL_MS(26, 10, 20), "Nowhere", NULL, &status));
	CHECK(status == 404);
	sched_model_free(s);
}

TEST(cancelled_and_moved_marks)
{
	struct sched *s = sample();
	int status = 200;
	json_t *j, *marks, *next;
	struct sched_talk *t;
	REQUIRE(s);
	REQUIRE((t = talk_titled(s, "Scaling Community Moderation")));
	t->cancelled = 1;
	marks = json_pack("{s:{s:s,s:s,s:I}}", talk_titled(s, "Discord Gateway Deep Dive")->id,
			  "status", "moved", "old_room", "Main Hall", "old_start",
			  (json_int_t)LOCAL_MS(26, 9, 45));
	REQUIRE(marks);
	j = sched_web_screen(s, LOCAL_MS(26, 10, 20), NULL, marks, &status);
	REQUIRE(j);
	next = json_object_get(room_of(j, "Main Hall"), "next");
	CHECK_STREQ(json_string_value(json_object_get(next, "title")), "Scaling Community Moderation");
	CHECK_STREQ(json_string_value(json_object_get(next, "status")), "cancelled");
	next = json_object_get(room_of(j, "Envelope ✉️"), "now");
	CHECK_STREQ(json_string_value(json_object_get(next, "status")), "moved");
	CHECK_STREQ(json_string_value(json_object_get(next, "old_room")), "Main Hall");
	CHECK(json_integer_value(json_object_get(next, "old_start")) == LOCAL_MS(26, 9, 45));
	/* A talk without a mark has no status. */
	CHECK(!json_object_get(json_object_get(room_of(j, "Main Hall"), "now"), "status"));
	json_decref(j);
	json_decref(marks);
	sched_model_free(s);
}

TEST(query_argument)
{
	char out[32];
	CHECK(hw_web_query_arg("room=Main+Hall", "room", out, sizeof(out)) == 0);
	CHECK_STREQ(out, "Main Hall");
	CHECK(hw_web_query_arg("x=1&room=Caf%C3%A9%20%26%20Co", "room", out, sizeof(out)) == 0);
	CHECK_STREQ(out, "Café & Co");
	CHECK(hw_web_query_arg("rooms=a&xroom=b", "room", out, sizeof(out)) == 1);
	CHECK(hw_web_query_arg("", "room", out, sizeof(out)) == 1);
	CHECK(hw_web_query_arg("room=%zz", "room", out, sizeof(out)) == -1);
	CHECK(hw_web_query_arg("room=a%00b", "room", out, sizeof(out)) == -1);
	CHECK(hw_web_query_arg("room=0123456789012345678901234567890123", "room", out,
				  sizeof(out)) == -1);
	CHECK(hw_web_query_arg("room=%4", "room", out, sizeof(out)) == 0); /* kept as is */
	CHECK_STREQ(out, "%4");
}

int main(void)
{
	RUN(now_and_next_per_room);
	RUN(one_room_and_unknown_rooms);
	RUN(cancelled_and_moved_marks);
	RUN(query_argument);
	return test_summary();
}
