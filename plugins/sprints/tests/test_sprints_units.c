/*
 * Unit tests of the sprints plugin's pure parts: name folding, edit
 * distance, CSV cells, safe text, and the pretalx feed parser on the real
 * PyConFR 2025 file.
 */
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

#include <hallway/buf.h>
#include "sprints_csv.h"
#include "sprints_feed.h"
#include <hallway/text.h>

static void check_fold(const char *in, const char *want)
{
	char *f = hw_fold(in);
	CHECK_STREQ(f, want);
	free(f);
}

TEST(fold_case_and_accents)
{
	check_fold("Django", "django");
	check_fold("  Déjà  Vu!  ", "deja vu");
	check_fold("ÀÉÎÕÜ àéîõü Çç Ññ", "aeiou aeiou cc nn");
	check_fold("Straße Œuvre Æsir Łódź Øre", "strasse oeuvre aesir lodz ore");
	check_fold("Ĳssel Ŧest Žižek", "ijssel test zizek");
	check_fold("py-edu-fr", "py edu fr");
	check_fold("e\xCC\x81t\xC3\xA9", "ete"); /* combining acute */
	check_fold("a\xE2\x80\x8B" "b\xE2\x80\x8F" "c\xE2\x80\xAE", "abc"); /* ZWSP, RLM, RLO */
	check_fold("Gestion de groupe de musique 🎼🎷", "gestion de groupe de musique 🎼 🎷");
	check_fold("Питон Спринт", "питон спринт"); /* every script folds case */
	check_fold("ПИТОН СПРИНТ", "питон спринт");
	check_fold("Ωmega", "ωmega");
	check_fold("\xFF\xFEok\xC3", "ok"); /* invalid bytes dropped */
	check_fold("", "");
	check_fold("---", "");
}

TEST(distance)
{
	CHECK_INTEQ(hw_distance_capped("django", "django", 2), 0);
	/* A swap of neighbours is one edit. */
	CHECK_INTEQ(hw_distance_capped("djnago", "django", 2), 1);
	CHECK_INTEQ(hw_distance_capped("mercurial", "mercurail", 3), 1);
	CHECK_INTEQ(hw_distance_capped("питн", "питон", 2), 1); /* code points, not bytes */
	CHECK_INTEQ(hw_distance_capped("abc", "xyzxyzxyz", 2), 3); /* capped */
	CHECK(hw_fold_has_word_prefix("contributions sur django", "django"));
	CHECK(hw_fold_has_word_prefix("contributions sur django", "contrib"));
	CHECK(!hw_fold_has_word_prefix("contributions sur django", "jango"));
}

TEST(csv_cells)
{
	hw_buf b;
	const char *row[] = {"plain", "a,b", "say \"hi\"", "=1+1", "+33 6", "-x", "@sum",
			     "line\nbreak", ""};
	hw_buf_init(&b, 0);
	sprints_csv_row(&b, row, sizeof(row) / sizeof(row[0]));
	CHECK_STREQ(hw_buf_str(&b),
		    "plain,\"a,b\",\"say \"\"hi\"\"\",'=1+1,'+33 6,'-x,'@sum,\"line\nbreak\",\r\n");
	hw_buf_free(&b);
}

TEST(safe_text)
{
	hw_buf b;
	hw_buf_init(&b, 0);
	hw_buf_add_safe(&b, "@everyone\nhi\xE2\x80\xAE%s%n", 100);
	CHECK_STREQ(hw_buf_str(&b), "@\xE2\x80\x8B" "everyone hi%s%n");
	hw_buf_free(&b);
	hw_buf_init(&b, 0);
	hw_buf_add_safe(&b, "ééé", 4); /* cut between sequences */
	CHECK_STREQ(hw_buf_str(&b), "éé\xE2\x80\xA6");
	hw_buf_free(&b);
	hw_buf_init(&b, 8);
	hw_buf_add(&b, "123456789");
	CHECK(hw_buf_str(&b) == NULL); /* the cap holds and the failure sticks */
	hw_buf_free(&b);
}

static json_t *find_rec(json_t *recs, const char *source_id)
{
	size_t i;
	json_t *r;
	json_array_foreach(recs, i, r)
		if (!strcmp(json_string_value(json_object_get(r, "source_id")), source_id))
			return r;
	return NULL;
}

TEST(pretalx_real_file)
{
	char path[4096];
	json_error_t err;
	json_t *doc = json_load_file(
		test_shared_path(path, sizeof(path), "schedules/pyconfr2025-pretalx-api.json"), 0, &err);
	json_t *recs, *r;
	REQUIRE(doc != NULL);
	recs = sprints_feed_pretalx(doc, "Sprint", 20);
	REQUIRE(recs != NULL);
	/* 9 projects, each listed on both sprint days. */
	CHECK_INTEQ(json_array_size(recs), 9);
	r = find_rec(recs, "AUCULM");
	REQUIRE(r != NULL);
	CHECK_STREQ(json_string_value(json_object_get(r, "name")), "Gestionnaire de versions Mercurial");
	CHECK_INTEQ(json_array_size(json_object_get(r, "days")), 2);
	CHECK_STREQ(json_string_value(json_array_get(json_object_get(r, "days"), 0)), "2025-10-30");
	CHECK_STREQ(json_string_value(json_array_get(json_object_get(r, "days"), 1)), "2025-10-31");
	CHECK_INTEQ(json_integer_value(json_object_get(r, "capacity")), 30);
	CHECK_STREQ(json_string_value(json_object_get(r, "level")), "any");
	r = find_rec(recs, "C3JTCZ");
	REQUIRE(r != NULL);
	CHECK_INTEQ(json_array_size(json_object_get(r, "leads")), 3);
	CHECK_STREQ(json_string_value(json_array_get(json_object_get(r, "leads"), 0)), "Thibaud Colas");
	r = find_rec(recs, "TTTYHG");
	REQUIRE(r != NULL);
	CHECK_STREQ(json_string_value(json_object_get(r, "level")), "beginner"); /* "Junior" */
	r = find_rec(recs, "DFNUVK"); /* py-edu-fr has no level answer */
	REQUIRE(r != NULL);
	CHECK_STREQ(json_string_value(json_object_get(r, "level")), "");
	json_decref(recs);
	/* The French type name matches too, and talks are not sprints. */
	recs = sprints_feed_pretalx(doc, "sprint", 20);
	CHECK_INTEQ(json_array_size(recs), 9);
	json_decref(recs);
	recs = sprints_feed_pretalx(doc, "Workshop", 20);
	CHECK_INTEQ(json_array_size(recs), 9);
	json_decref(recs);
	json_decref(doc);
}

TEST(pretalx_api_list)
{
	/* The plain API shape: {"results": [...]}, withdrawn ones skipped. */
	json_t *doc = json_loads(
		"{\"count\":3,\"results\":["
		"{\"code\":\"A1\",\"title\":\"Alpha\",\"state\":\"confirmed\","
		" \"submission_type\":{\"name\":{\"en\":\"Sprint\"}},\"speakers\":[{\"name\":\"Ann\"}],"
		" \"slots\":[]},"
		"{\"code\":\"B2\",\"title\":\"Beta\",\"state\":\"withdrawn\","
		" \"submission_type\":{\"name\":\"Sprint\"}},"
		"{\"code\":\"C3\",\"title\":\"Gamma\",\"submission_type\":{\"name\":\"Talk\"}}]}",
		0, NULL);
	json_t *recs = sprints_feed_pretalx(doc, "Sprint", 12);
	REQUIRE(recs != NULL);
	CHECK_INTEQ(json_array_size(recs), 1);
	CHECK_INTEQ(json_integer_value(json_object_get(json_array_get(recs, 0), "capacity")), 12);
	CHECK_INTEQ(json_array_size(json_object_get(json_array_get(recs, 0), "days")), 0);
	json_decref(recs);
	json_decref(doc);
}

int main(void)
{
	RUN(fold_case_and_accents);
	RUN(distance);
	RUN(csv_cells);
	RUN(safe_text);
	RUN(pretalx_real_file);
	RUN(pretalx_api_list);
	return test_summary();
}
