/*
 * Unit tests of registration's pure parts: name matching (a table of names
 * from several scripts, what must match and what must not) and the reading
 * of pretix's order JSON (good answers and broken ones).
 */
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

#include "reg_name.h"
#include "reg_parse.h"

static const struct {
	const char *typed, *written;
	int match;
} names[] = {
	/* case, accents, spacing, punctuation */
	{"Ada Lovelace", "Ada Lovelace", 1},
	{"ada lovelace", "Ada Lovelace", 1},
	{"  ADA   LOVELACE ", "Ada Lovelace", 1},
	{"Jose Muller", "José Müller", 1},
	{"josé müller", "JOSE MULLER", 1},
	{"Zoë Saldaña-Nazario", "Zoe Saldana Nazario", 1},
	{"Lodz Lukasz", "Łukasz Łódź", 1},
	{"Strasse Hans", "Hans Straße", 1},
	/* given and family name in either order */
	{"Lovelace Ada", "Ada Lovelace", 1},
	{"Hopper, Grace", "Grace Hopper", 1},
	/* never a part, never a substring, never an extra word */
	{"Ada", "Ada Lovelace", 0},
	{"Lovelace", "Ada Lovelace", 0},
	{"Ada Love", "Ada Lovelace", 0},
	{"Ada Lovelace King", "Ada Lovelace", 0},
	{"Ada Ada", "Ada Lovelace", 0},
	{"Anna Lee", "Ann Alee", 0},
	{"", "Ada Lovelace", 0},
	{"!!!", "Ada Lovelace", 0},
	{"Ada Lovelace", "", 0},
	/* Greek: case with final sigma, accents */
	{"ΝΙΚΟΣ ΠΑΠΑΔΟΠΟΥΛΟΣ", "Νίκος Παπαδόπουλος", 1},
	{"Παπαδόπουλος Νίκος", "Νίκος Παπαδόπουλος", 1},
	{"Νίκος", "Νίκος Παπαδόπουλος", 0},
	/* Cyrillic */
	{"ИВАН ПЕТРОВ", "Иван Петров", 1},
	{"петров иван", "Иван Петров", 1},
	{"Иван Петрова", "Иван Петров", 0},
	/* scripts written without spaces: with or without, either order */
	{"山田太郎", "山田 太郎", 1},
	{"山田 太郎", "山田太郎", 1},
	{"太郎 山田", "山田 太郎", 1},
	{"太郎山田", "山田 太郎", 1},
	{"山田", "山田 太郎", 0},
	{"김민준", "김 민준", 1},
	{"민준 김", "김 민준", 1},
	/* Arabic and Hebrew */
	{"محمد علي", "محمد علي", 1},
	{"علي محمد", "محمد علي", 1},
	{"محمد", "محمد علي", 0},
	{"דוד כהן", "כהן דוד", 1},
	/* invisible characters and compatibility forms do not count */
	{"Ada\xE2\x80\x8B Lovelace", "Ada Lovelace", 1},
	{"ﬁona Smith", "Fiona Smith", 1},
	/* emoji are not part of a name */
	{"Ada Lovelace 🎉", "Ada Lovelace", 1},
};

TEST(name_table)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int got = reg_name_equal(names[i].typed, names[i].written);
		if (got != names[i].match)
			fprintf(stderr, "name %zu: \"%s\" vs \"%s\": got %d\n", i, names[i].typed,
				names[i].written, got);
		CHECK_INTEQ(got, names[i].match);
	}
}

TEST(name_parts)
{
	reg_position p;
	memset(&p, 0, sizeof(p));
	/* pretix's name parts without a full name */
	strcpy(p.given, "Grace");
	strcpy(p.family, "Hopper");
	CHECK(reg_name_matches("Grace Hopper", &p));
	CHECK(reg_name_matches("hopper grace", &p));
	CHECK(!reg_name_matches("Grace", &p));
	/* a latin transcription next to the written name */
	memset(&p, 0, sizeof(p));
	strcpy(p.name, "Νίκος Παπαδόπουλος");
	strcpy(p.latin, "Nikos Papadopoulos");
	CHECK(reg_name_matches("Nikos Papadopoulos", &p));
	CHECK(reg_name_matches("νικος παπαδοπουλος", &p));
	CHECK(!reg_name_matches("Nikos", &p));
	/* no name at all matches nothing */
	memset(&p, 0, sizeof(p));
	CHECK(!reg_name_matches("Anyone", &p));
}

static const char ORDER[] =
	"{\"code\": \"ABC12\", \"status\": \"p\", \"last_modified\": \"2026-11-01T10:00:00Z\","
	" \"positions\": ["
	"  {\"id\": 101, \"item\": 1, \"variation\": 11, \"attendee_name\": \"Ada Lovelace\","
	"   \"attendee_name_parts\": {\"given_name\": \"Ada\", \"family_name\": \"Lovelace\"},"
	"   \"canceled\": false},"
	"  {\"id\": 102, \"item\": 2, \"variation\": null, \"attendee_name\": null,"
	"   \"attendee_name_parts\": {}, \"canceled\": true}]}";

TEST(parse_order)
{
	reg_order o;
	char err[200];
	REQUIRE(reg_parse_order(ORDER, strlen(ORDER), &o, err, sizeof(err)) == 0);
	CHECK_STREQ(o.code, "ABC12");
	CHECK_INTEQ(o.status, 'p');
	CHECK_STREQ(o.last_modified, "2026-11-01T10:00:00Z");
	REQUIRE(o.npos == 2);
	CHECK_INTEQ(o.pos[0].id, 101);
	CHECK_INTEQ(o.pos[0].item, 1);
	CHECK_INTEQ(o.pos[0].variation, 11);
	CHECK_STREQ(o.pos[0].given, "Ada");
	CHECK_INTEQ(o.pos[0].canceled, 0);
	CHECK_INTEQ(o.pos[1].variation, 0);
	CHECK_STREQ(o.pos[1].name, "");
	CHECK_INTEQ(o.pos[1].canceled, 1);
	reg_order_free(&o);
}

TEST(parse_page)
{
	static const char page[] = "{\"count\": 3, \"next\": \"https://pretix.example/api/v1/x?page=2\","
				   " \"previous\": null, \"results\": [{\"code\": \"A1\", \"status\": "
				   "\"n\", \"positions\": []}, {\"code\": \"B2\", \"status\": \"p\","
				   " \"positions\": [{\"id\": 5, \"item\": 3}]}]}";
	static const char last[] = "{\"count\": 0, \"next\": null, \"results\": []}";
	reg_page p;
	char err[200];
	REQUIRE(reg_parse_page(page, strlen(page), &p, err, sizeof(err)) == 0);
	CHECK_INTEQ(p.count, 3);
	CHECK_INTEQ(p.n, 2);
	CHECK_STREQ(p.next, "https://pretix.example/api/v1/x?page=2");
	CHECK_INTEQ(p.orders[1].pos[0].item, 3);
	reg_page_free(&p);
	REQUIRE(reg_parse_page(last, strlen(last), &p, err, sizeof(err)) == 0);
	CHECK(p.next == NULL);
	CHECK_INTEQ(p.n, 0);
	reg_page_free(&p);
}

TEST(parse_refuses)
{
	static const char *bad[] = {
		"", "null", "[]", "{\"detail\": \"Not found.\"}",
		"{\"code\": \"A\", \"status\": \"p\"}",                         /* no positions */
		"{\"code\": 5, \"status\": \"p\", \"positions\": []}",          /* code not text */
		"{\"code\": \"A\", \"status\": \"paid\", \"positions\": []}",   /* status */
		"{\"code\": \"A\", \"status\": \"p\", \"positions\": [{\"item\": 1}]}", /* no id */
		"{\"code\": \"A\", \"status\": \"p\", \"positions\": [{\"id\": 1, \"item\": -4}]}",
		"{\"code\": \"A\", \"status\": \"p\", \"positions\": [{\"id\": 1, \"item\": 1,"
		" \"attendee_name\": 7}]}",
		"{\"code\": \"A\", \"status\": \"p\", \"positions\": [{\"id\": 1, \"item\": 1,"
		" \"attendee_name_parts\": \"Ada\"}]}",
		"{\"code\": \"A\", \"code\": \"B\", \"status\": \"p\", \"positions\": []}",
	};
	reg_order o;
	reg_page p;
	char err[200];
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK(reg_parse_order(bad[i], strlen(bad[i]), &o, err, sizeof(err)) == -1);
		CHECK(err[0] != '\0');
		reg_order_free(&o);
	}
	CHECK(reg_parse_page("{\"results\": {}}", 15, &p, err, sizeof(err)) == -1);
	reg_page_free(&p);
	CHECK(reg_parse_page("{\"results\": [], \"next\": 3}", 26, &p, err, sizeof(err)) == -1);
	reg_page_free(&p);
	CHECK(reg_parse_page("{\"results\": [{\"code\": \"A\"}]}", 27, &p, err, sizeof(err)) == -1);
	reg_page_free(&p);
}

TEST(order_codes)
{
	char out[REG_CODE_MAX];
	CHECK(reg_order_code_norm(" abc12 ", out, sizeof(out)) == 0);
	CHECK_STREQ(out, "ABC12");
	CHECK(reg_order_code_norm("ab-c/1.2", out, sizeof(out)) == 0);
	CHECK_STREQ(out, "ABC12");
	CHECK(reg_order_code_norm("../../x", out, sizeof(out)) == 0);
	CHECK_STREQ(out, "X");
	CHECK(reg_order_code_norm("", out, sizeof(out)) == -1);
	CHECK(reg_order_code_norm("---", out, sizeof(out)) == -1);
	CHECK(reg_order_code_norm("ÄÖÜ", out, sizeof(out)) == -1);
	CHECK(reg_order_code_norm("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", out, sizeof(out)) == -1);
}

int main(void)
{
	RUN(name_table);
	RUN(name_parts);
	RUN(parse_order);
	RUN(parse_page);
	RUN(parse_refuses);
	RUN(order_codes);
	return test_summary();
}
