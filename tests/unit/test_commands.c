/*
 * The command registry: registration rules, conflicts across plugins and
 * reloads, the chat parser, the slash parser (which must give the same argv
 * as chat) and the Discord command list.
 */
#include "testlib.h"
#include "commands.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>

/* Owners are opaque tokens: any distinct addresses will do. */
static char owner_a, owner_b, owner_c;
#define OWNER_A ((struct plugin *)(void *)&owner_a)
#define OWNER_B ((struct plugin *)(void *)&owner_b)
#define OWNER_C ((struct plugin *)(void *)&owner_c)

static int fn_ok(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	return HW_OK;
}

static void fn_complete(hw_plugin *self, const char *arg, const char *partial,
			hw_completion *out, void *ud)
{
}

static hw_command_spec mkspec(const char *name, const hw_arg_spec *args, size_t nargs)
{
	hw_command_spec s;

	memset(&s, 0, sizeof(s));
	s.struct_size = sizeof(s);
	s.name = name;
	s.summary = "Does a thing";
	s.fn = fn_ok;
	s.args = args;
	s.nargs = nargs;
	return s;
}

static int add(struct commands *cs, struct plugin *owner, const char *name,
	       const hw_arg_spec *args, size_t nargs)
{
	hw_command_spec s = mkspec(name, args, nargs);
	char why[256];

	return commands_add(cs, owner, NULL, &s, why, sizeof(why));
}

#define NARGS(a) (sizeof(a) / sizeof((a)[0]))

static const hw_arg_spec next_args[] = {{"room", HW_ARG_STRING, 0, "Which room", 0}};
static const hw_arg_spec join_args[] = {{"project", HW_ARG_STRING, 1, "Project name", 0},
					{"day", HW_ARG_STRING, 0, NULL, 0}};
static const hw_arg_spec leave_args[] = {{"project", HW_ARG_STRING, 1, "Project name", 0}};
static const hw_arg_spec say_args[] = {{"message", HW_ARG_TEXT, 1, "What to say", 0}};
static const hw_arg_spec remind_args[] = {{"minutes", HW_ARG_INTEGER, 1, "In how long", 0},
					  {"loud", HW_ARG_BOOL, 0, "Ping me", 0},
					  {"note", HW_ARG_TEXT, 0, "What about", 0}};
static const hw_arg_spec talks_args[] = {{"day", HW_ARG_STRING, 0, "Day", 0},
					 {"track", HW_ARG_INTEGER, 0, "Track number", 0}};
static const hw_arg_spec help_args[] = {{"command", HW_ARG_STRING, 0, "A command", 0}};

/* A conference bot's commands: built-in help, and two plugins. */
static void fixture(struct commands *cs)
{
	memset(cs, 0, sizeof(*cs));
	CHECK_INTEQ(add(cs, NULL, "help", help_args, NARGS(help_args)), HW_OK);
	CHECK_INTEQ(add(cs, OWNER_A, "next", next_args, NARGS(next_args)), HW_OK);
	CHECK_INTEQ(add(cs, OWNER_A, "talks", talks_args, NARGS(talks_args)), HW_OK);
	CHECK_INTEQ(add(cs, OWNER_B, "sprint join", join_args, NARGS(join_args)), HW_OK);
	CHECK_INTEQ(add(cs, OWNER_B, "sprint leave", leave_args, NARGS(leave_args)), HW_OK);
	CHECK_INTEQ(add(cs, OWNER_B, "sprint mine", NULL, 0), HW_OK);
	CHECK_INTEQ(add(cs, OWNER_B, "say", say_args, NARGS(say_args)), HW_OK);
	CHECK_INTEQ(add(cs, OWNER_B, "remind", remind_args, NARGS(remind_args)), HW_OK);
}

/* ------------------------------------------------------------ registry */

/* Each rule on its own: HW_ERR_INVALID, a reason, and nothing registered. */
static void expect_invalid(const hw_command_spec *s, const char *what)
{
	struct commands cs = {0};
	char why[256] = "unset";
	int rc = commands_add(&cs, OWNER_A, NULL, s, why, sizeof(why));

	if (rc != HW_ERR_INVALID || !why[0] || !strcmp(why, "unset") || cs.head)
		fprintf(stderr, "  rule not enforced: %s (rc %d, why \"%s\")\n", what, rc, why);
	CHECK_INTEQ(rc, HW_ERR_INVALID);
	CHECK(why[0] && strcmp(why, "unset"));
	CHECK(cs.head == NULL);
	CHECK_INTEQ(cs.generation, 0);
	commands_free(&cs);
}

static void expect_valid(const hw_command_spec *s, const char *what)
{
	struct commands cs = {0};
	char why[256] = "unset";
	int rc = commands_add(&cs, OWNER_A, NULL, s, why, sizeof(why));

	if (rc != HW_OK)
		fprintf(stderr, "  wrongly refused: %s (why \"%s\")\n", what, why);
	CHECK_INTEQ(rc, HW_OK);
	CHECK(cs.head != NULL);
	CHECK_INTEQ(cs.generation, 1);
	commands_free(&cs);
}

TEST(add_validates_name_and_summary)
{
	hw_command_spec s = mkspec("next", NULL, 0);
	char w32[33], w33[34], sum101[102], name[80];
	char e100[201];

	memset(w32, 'a', 32), w32[32] = '\0';
	memset(w33, 'a', 33), w33[33] = '\0';
	memset(sum101, 'x', 101), sum101[101] = '\0';
	for (int i = 0; i < 100; i++)
		memcpy(e100 + 2 * i, "\xc3\xa9", 2); /* 100 x "é": 200 bytes */
	e100[200] = '\0';

	expect_invalid(NULL, "NULL spec");
	s.struct_size = offsetof(hw_command_spec, fn);
	expect_invalid(&s, "struct_size too small");
	s = mkspec("next", NULL, 0);
	expect_valid(&s, "plain name");
	s.name = NULL;
	expect_invalid(&s, "NULL name");
	const char *bad_names[] = {"", "Next", "a b c", "a  b", " next", "next ", "ne!xt",
				   "n\xc3\xa4xt", "sprint Join", "sprint\tjoin", "sprint "};
	for (size_t i = 0; i < NARGS(bad_names); i++) {
		s.name = bad_names[i];
		expect_invalid(&s, bad_names[i]);
	}
	s.name = w33;
	expect_invalid(&s, "33-character word");
	snprintf(name, sizeof(name), "sprint %s", w33);
	s.name = name;
	expect_invalid(&s, "33-character subcommand");
	s.name = w32;
	expect_valid(&s, "32-character word");
	snprintf(name, sizeof(name), "%s %s", w32, w32);
	s.name = name;
	expect_valid(&s, "two 32-character words");
	s.name = "x-ray_2 go";
	expect_valid(&s, "digits, dash and underscore");

	s = mkspec("next", NULL, 0);
	s.summary = NULL;
	expect_invalid(&s, "NULL summary");
	s.summary = "";
	expect_invalid(&s, "empty summary");
	s.summary = sum101;
	expect_invalid(&s, "101-character summary");
	sum101[100] = '\0';
	expect_valid(&s, "100-character summary");
	s.summary = e100;
	expect_valid(&s, "100 characters in 200 bytes");
	s.summary = "caf\xc3";
	expect_invalid(&s, "summary with truncated UTF-8");
	s.summary = "ok";
	s.help = "bad \xff help";
	expect_invalid(&s, "help with invalid UTF-8");
	s.help = NULL;
	s.fn = NULL;
	expect_invalid(&s, "no handler");
	s.fn = fn_ok;
	s.perm = (enum hw_perm)7;
	expect_invalid(&s, "unknown permission");
	s.perm = HW_PERM_ORGANIZER;
	expect_valid(&s, "organizer command");
}

TEST(add_validates_arguments)
{
	hw_arg_spec a[26];
	hw_command_spec s;
	char names[26][8], d101[102];

	memset(d101, 'd', 101), d101[101] = '\0';
	memset(a, 0, sizeof(a));
	for (int i = 0; i < 26; i++) {
		snprintf(names[i], sizeof(names[i]), "a%d", i);
		a[i].name = names[i];
		a[i].type = HW_ARG_STRING;
	}
	s = mkspec("cmd", a, 25);
	expect_valid(&s, "25 arguments");
	s.nargs = 26;
	expect_invalid(&s, "26 arguments");
	s = mkspec("cmd", NULL, 1);
	expect_invalid(&s, "nargs 1, args NULL");

	s = mkspec("cmd", a, 2);
	a[0].required = 0, a[1].required = 1;
	expect_invalid(&s, "required after optional");
	a[0].required = 1;
	expect_valid(&s, "required then required");
	a[1].required = 0;
	expect_valid(&s, "required then optional");

	a[0].type = HW_ARG_TEXT;
	expect_invalid(&s, "text argument not last");
	a[0].type = HW_ARG_STRING, a[1].type = HW_ARG_TEXT;
	expect_valid(&s, "text argument last");
	a[0].type = HW_ARG_TEXT;
	expect_invalid(&s, "two text arguments");
	a[0].type = (enum hw_arg_type)9, a[1].type = HW_ARG_STRING;
	expect_invalid(&s, "unknown argument type");
	a[0].type = HW_ARG_STRING;

	const char *bad[] = {"", "Room", "ro om", "room!", "r\xc3\xb6\xc3\xb6m",
			     "abcdefghijabcdefghijabcdefghijabc"};
	for (size_t i = 0; i < NARGS(bad); i++) {
		a[1].name = bad[i];
		expect_invalid(&s, bad[i]);
	}
	a[1].name = NULL;
	expect_invalid(&s, "NULL argument name");
	a[1].name = names[0];
	expect_invalid(&s, "duplicate argument name");
	a[1].name = names[1];

	a[1].description = d101;
	expect_invalid(&s, "101-character argument description");
	d101[100] = '\0';
	expect_valid(&s, "100-character argument description");
	a[1].description = "\xe2\x82";
	expect_invalid(&s, "argument description with invalid UTF-8");
	a[1].description = NULL;

	a[1].autocomplete = 1;
	expect_invalid(&s, "autocomplete without complete()");
	s.complete = fn_complete;
	expect_valid(&s, "autocomplete on a string with complete()");
	a[1].type = HW_ARG_TEXT;
	expect_valid(&s, "autocomplete on text");
	a[1].type = HW_ARG_INTEGER;
	expect_invalid(&s, "autocomplete on an integer");
	a[1].type = HW_ARG_BOOL;
	expect_invalid(&s, "autocomplete on a bool");
}

TEST(add_copies_every_string)
{
	struct commands cs = {0};
	char name[] = "sprint join", summary[] = "Join a sprint", help[] = "Longer help";
	char an[] = "project", ad[] = "Project name";
	hw_arg_spec a[1] = {{an, HW_ARG_STRING, 1, ad, 0}};
	hw_command_spec s = mkspec(name, a, 1);
	int ud;
	struct command *c;
	char why[128];

	s.summary = summary, s.help = help, s.ud = &ud, s.perm = HW_PERM_ORGANIZER;
	REQUIRE(commands_add(&cs, OWNER_A, NULL, &s, why, sizeof(why)) == HW_OK);
	memset(name, 'X', sizeof(name) - 1);
	memset(summary, 'X', sizeof(summary) - 1);
	memset(help, 'X', sizeof(help) - 1);
	memset(an, 'X', sizeof(an) - 1);
	memset(ad, 'X', sizeof(ad) - 1);
	a[0].name = NULL;
	memset(&s, 0, sizeof(s));

	c = commands_find(&cs, "sprint join");
	REQUIRE(c != NULL);
	CHECK_STREQ(c->name, "sprint join");
	CHECK_STREQ(c->group, "sprint");
	CHECK_STREQ(c->sub, "join");
	CHECK_STREQ(c->summary, "Join a sprint");
	CHECK_STREQ(c->help, "Longer help");
	CHECK_INTEQ(c->nargs, 1);
	CHECK_STREQ(c->args[0].name, "project");
	CHECK_STREQ(c->args[0].description, "Project name");
	CHECK_INTEQ(c->args[0].required, 1);
	CHECK(c->owner == OWNER_A);
	CHECK(c->fn == fn_ok);
	CHECK(c->ud == &ud);
	CHECK_INTEQ(c->perm, HW_PERM_ORGANIZER);
	CHECK(c->group != NULL && c->sub != NULL);
	commands_free(&cs);
	CHECK(cs.head == NULL);
}

TEST(add_conflicts)
{
	struct commands cs = {0};
	hw_command_spec s;
	char why[256];

	REQUIRE(add(&cs, NULL, "help", NULL, 0) == HW_OK);
	REQUIRE(add(&cs, OWNER_A, "next", NULL, 0) == HW_OK);
	REQUIRE(add(&cs, OWNER_A, "sprint join", NULL, 0) == HW_OK);
	CHECK_INTEQ(cs.generation, 3);

	s = mkspec("next", NULL, 0);
	CHECK_INTEQ(commands_add(&cs, OWNER_A, NULL, &s, why, sizeof(why)), HW_ERR_EXISTS);
	CHECK_STREQ(why, "command \"next\" is already registered");
	CHECK_INTEQ(commands_add(&cs, OWNER_B, NULL, &s, why, sizeof(why)), HW_ERR_EXISTS);
	/* A NULL `replacing` exempts nothing, not even the built-ins (owner NULL). */
	s.name = "help";
	CHECK_INTEQ(commands_add(&cs, OWNER_B, NULL, &s, why, sizeof(why)), HW_ERR_EXISTS);
	CHECK(strstr(why, "\"help\"") != NULL);
	/* A one-word command and a group of the same name cannot coexist. */
	s.name = "sprint";
	CHECK_INTEQ(commands_add(&cs, OWNER_B, NULL, &s, why, sizeof(why)), HW_ERR_EXISTS);
	CHECK(strstr(why, "sprint join") != NULL);
	s.name = "next up";
	CHECK_INTEQ(commands_add(&cs, OWNER_B, NULL, &s, why, sizeof(why)), HW_ERR_EXISTS);
	CHECK(strstr(why, "\"next\"") != NULL);
	s.name = "sprint join";
	CHECK_INTEQ(commands_add(&cs, OWNER_B, OWNER_C, &s, why, sizeof(why)), HW_ERR_EXISTS);
	/* Refusals change nothing. */
	CHECK_INTEQ(cs.generation, 3);
	{
		size_t n = 0;
		for (struct command *c = cs.head; c; c = c->next)
			n++;
		CHECK_INTEQ(n, 3);
	}
	/* Another subcommand of an existing group is fine. */
	s.name = "sprint leave";
	CHECK_INTEQ(commands_add(&cs, OWNER_B, NULL, &s, why, sizeof(why)), HW_OK);
	CHECK_INTEQ(cs.generation, 4);
	commands_free(&cs);
}

TEST(reload_replacing_and_newest_wins)
{
	struct commands cs = {0};
	hw_command_spec s;
	char why[256];
	struct command *old_next, *c;

	REQUIRE(add(&cs, OWNER_A, "next", NULL, 0) == HW_OK);
	REQUIRE(add(&cs, OWNER_A, "sprint join", NULL, 0) == HW_OK);
	old_next = commands_find(&cs, "next");
	REQUIRE(old_next && old_next->owner == OWNER_A);

	/* The new instance (B) registers before the old one (A) is removed. */
	s = mkspec("next", next_args, 1);
	s.summary = "new next";
	CHECK_INTEQ(commands_add(&cs, OWNER_B, OWNER_A, &s, why, sizeof(why)), HW_OK);
	/* It may turn the old group into a one-word command. */
	s = mkspec("sprint", NULL, 0);
	CHECK_INTEQ(commands_add(&cs, OWNER_B, OWNER_A, &s, why, sizeof(why)), HW_OK);
	/* Someone else still conflicts with the new instance. */
	s = mkspec("next", NULL, 0);
	CHECK_INTEQ(commands_add(&cs, OWNER_C, OWNER_A, &s, why, sizeof(why)), HW_ERR_EXISTS);

	c = commands_find(&cs, "next");
	REQUIRE(c != NULL);
	CHECK(c->owner == OWNER_B);
	CHECK_STREQ(c->summary, "new next");
	CHECK(c != old_next);
	c = commands_find(&cs, "NeXt");
	CHECK(c && c->owner == OWNER_B);
	c = commands_find(&cs, "sprint");
	CHECK(c && c->owner == OWNER_B);
	/* The old group is still live until A is removed. */
	c = commands_find(&cs, "SPRINT JOIN");
	CHECK(c && c->owner == OWNER_A);

	commands_remove_owner(&cs, OWNER_A);
	CHECK(old_next->dead); /* marked, not freed: a dispatch may hold it */
	CHECK(commands_find(&cs, "sprint join") == NULL);
	c = commands_find(&cs, "next");
	CHECK(c && c->owner == OWNER_B);
	commands_collect(&cs);
	{
		size_t n = 0;
		for (c = cs.head; c; c = c->next) {
			CHECK(c->owner == OWNER_B);
			CHECK(!c->dead);
			n++;
		}
		CHECK_INTEQ(n, 2);
	}
	commands_free(&cs);
}

TEST(remove_owner_and_collect)
{
	struct commands cs;
	unsigned gen;
	char why[128];
	hw_command_spec s;
	struct command *c;
	size_t n = 0;

	fixture(&cs);
	gen = cs.generation;
	CHECK_INTEQ(gen, 8);
	CHECK(commands_find(&cs, "nope") == NULL);
	CHECK(commands_find(&cs, "sprint") == NULL); /* a group is not a command */
	CHECK(commands_find(&cs, NULL) == NULL);

	commands_remove_owner(&cs, OWNER_C); /* owns nothing: no change */
	CHECK_INTEQ(cs.generation, gen);
	commands_remove_owner(&cs, OWNER_B);
	CHECK_INTEQ(cs.generation, gen + 1);
	commands_remove_owner(&cs, OWNER_B); /* already dead: no change */
	CHECK_INTEQ(cs.generation, gen + 1);
	CHECK(commands_find(&cs, "sprint join") == NULL);
	CHECK(commands_find(&cs, "say") == NULL);
	CHECK(commands_find(&cs, "next") != NULL);

	/* Dead commands stay listed until collected, and conflict with nothing. */
	for (c = cs.head; c; c = c->next)
		n++;
	CHECK_INTEQ(n, 8);
	s = mkspec("sprint", NULL, 0);
	CHECK_INTEQ(commands_add(&cs, OWNER_C, NULL, &s, why, sizeof(why)), HW_OK);

	commands_collect(&cs);
	CHECK_INTEQ(cs.generation, gen + 2);
	n = 0;
	const char *order[] = {"help", "next", "talks", "sprint"};
	for (c = cs.head; c; c = c->next) {
		if (n < NARGS(order))
			CHECK_STREQ(c->name, order[n]);
		n++;
	}
	CHECK_INTEQ(n, 4);
	commands_free(&cs);
}

TEST(add_discord_limits)
{
	struct commands cs = {0};
	char name[64], why[256];
	hw_command_spec s;
	hw_arg_spec big[25];
	char bnames[25][8], desc[101];

	/* 25 subcommands per group. */
	for (int i = 0; i < 25; i++) {
		snprintf(name, sizeof(name), "g s%d", i);
		CHECK_INTEQ(add(&cs, OWNER_A, name, NULL, 0), HW_OK);
	}
	s = mkspec("g s25", NULL, 0);
	CHECK_INTEQ(commands_add(&cs, OWNER_A, NULL, &s, why, sizeof(why)), HW_ERR_INVALID);
	CHECK(strstr(why, "25") != NULL);
	/* ... but a reload replacing them does not count the old ones. */
	s.name = "g s0";
	CHECK_INTEQ(commands_add(&cs, OWNER_B, OWNER_A, &s, why, sizeof(why)), HW_OK);
	commands_free(&cs);

	/* 100 top-level commands. */
	memset(&cs, 0, sizeof(cs));
	for (int i = 0; i < 99; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		CHECK_INTEQ(add(&cs, OWNER_A, name, NULL, 0), HW_OK);
	}
	CHECK_INTEQ(add(&cs, OWNER_A, "grp one", NULL, 0), HW_OK); /* the 100th */
	CHECK_INTEQ(add(&cs, OWNER_A, "grp two", NULL, 0), HW_OK); /* same top */
	s = mkspec("c100", NULL, 0);
	CHECK_INTEQ(commands_add(&cs, OWNER_A, NULL, &s, why, sizeof(why)), HW_ERR_INVALID);
	CHECK(strstr(why, "100") != NULL);
	s.name = "other sub";
	CHECK_INTEQ(commands_add(&cs, OWNER_A, NULL, &s, why, sizeof(why)), HW_ERR_INVALID);
	commands_free(&cs);

	/* 8000 characters per command, summed over a group's subcommands:
	 * each sub here is 4 + 12 + 25 * (3 + 100) = 2591 characters. */
	memset(&cs, 0, sizeof(cs));
	memset(desc, 'd', 100), desc[100] = '\0';
	memset(big, 0, sizeof(big));
	for (int i = 0; i < 25; i++) {
		snprintf(bnames[i], sizeof(bnames[i]), "a%02d", i);
		big[i].name = bnames[i];
		big[i].type = HW_ARG_STRING;
		big[i].description = desc;
	}
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "big s%03d", i);
		s = mkspec(name, big, 25);
		s.summary = "twelve chars";
		CHECK_INTEQ(commands_add(&cs, OWNER_A, NULL, &s, why, sizeof(why)), HW_OK);
	}
	s = mkspec("big s003", big, 25);
	s.summary = "twelve chars";
	CHECK_INTEQ(commands_add(&cs, OWNER_A, NULL, &s, why, sizeof(why)), HW_ERR_INVALID);
	CHECK(strstr(why, "8000") != NULL);
	commands_free(&cs);
}

/* ------------------------------------------------------------ chat door */

/* Parses line; on PARSE_OK checks the command name. */
static enum parse_result parse(struct commands *cs, const char *line, struct parsed_args *pa,
			       char *why, size_t whylen)
{
	return commands_parse_line(cs, line, pa, why, whylen);
}

static const hw_arg *arg(const struct parsed_args *pa, const char *name)
{
	for (size_t i = 0; pa->cmd && i < pa->cmd->nargs; i++)
		if (!strcmp(pa->argv[i].name, name))
			return &pa->argv[i];
	return NULL;
}

/* The value of argument `name`, or "(absent)". */
static const char *val(const struct parsed_args *pa, const char *name)
{
	const hw_arg *a = arg(pa, name);

	if (!a)
		return "(no such argument)";
	return a->present ? a->str : "(absent)";
}

TEST(parse_one_word)
{
	struct commands cs;
	struct parsed_args pa;
	char why[256];

	fixture(&cs);
	REQUIRE(parse(&cs, "next", &pa, why, sizeof(why)) == PARSE_OK);
	CHECK_STREQ(pa.cmd->name, "next");
	CHECK_STREQ(why, "");
	CHECK_STREQ(pa.argv[0].name, "room");
	CHECK_INTEQ(pa.argv[0].present, 0);
	CHECK(pa.argv[0].str == NULL);
	CHECK_STREQ(pa.raw, "");
	CHECK(pa.focused_arg == NULL && pa.focused_value == NULL);
	parsed_args_free(&pa);
	CHECK(pa.argv == NULL && pa.cmd == NULL); /* reset: double free is harmless */
	parsed_args_free(&pa);

	/* One STRING argument takes the whole rest of the line. */
	REQUIRE(parse(&cs, "  next   Envelope Room \t\n", &pa, why, sizeof(why)) == PARSE_OK);
	CHECK_STREQ(pa.cmd->name, "next");
	CHECK_STREQ(val(&pa, "room"), "Envelope Room");
	CHECK_STREQ(pa.raw, "Envelope Room");
	parsed_args_free(&pa);

	/* Command words fold case; arguments keep theirs. */
	REQUIRE(parse(&cs, "NeXT Envelope", &pa, why, sizeof(why)) == PARSE_OK);
	CHECK_STREQ(pa.cmd->name, "next");
	CHECK_STREQ(val(&pa, "room"), "Envelope");
	parsed_args_free(&pa);

	REQUIRE(parse(&cs, "talks friday 2", &pa, why, sizeof(why)) == PARSE_OK);
	CHECK_STREQ(val(&pa, "day"), "friday");
	CHECK_STREQ(val(&pa, "track"), "2");
	CHECK_INTEQ(arg(&pa, "track")->num, 2);
	CHECK_STREQ(pa.raw, "friday 2");
	parsed_args_free(&pa);
	commands_free(&cs);
}

TEST(parse_two_words)
{
	struct commands cs;
	struct parsed_args pa;
	char why[256];

	fixture(&cs);
	REQUIRE(parse(&cs, "sprint join Django 2026-11-28", &pa, why, sizeof(why)) == PARSE_OK);
	CHECK_STREQ(pa.cmd->name, "sprint join");
	CHECK_INTEQ(pa.cmd->nargs, 2);
	CHECK_STREQ(pa.argv[0].name, "project");
	CHECK_STREQ(pa.argv[0].str, "Django");
	CHECK_STREQ(pa.argv[1].name, "day");
	CHECK_STREQ(pa.argv[1].str, "2026-11-28");
	CHECK_STREQ(pa.raw, "Django 2026-11-28");
	parsed_args_free(&pa);

	REQUIRE(parse(&cs, "SPRINT\tJoin  Django", &pa, why, sizeof(why)) == PARSE_OK);
	CHECK_STREQ(pa.cmd->name, "sprint join");
	CHECK_STREQ(val(&pa, "project"), "Django");
	CHECK_STREQ(val(&pa, "day"), "(absent)");
	parsed_args_free(&pa);

	/* The only argument is a STRING: extra words belong to it. */
	REQUIRE(parse(&cs, "sprint leave Django REST  Framework", &pa, why, sizeof(why)) ==
		PARSE_OK);
	CHECK_STREQ(val(&pa, "project"), "Django REST  Framework");
	parsed_args_free(&pa);

	REQUIRE(parse(&cs, "sprint mine", &pa, why, sizeof(why)) == PARSE_OK);
	CHECK_STREQ(pa.cmd->name, "sprint mine");
	CHECK_INTEQ(pa.cmd->nargs, 0);
	CHECK(pa.argv != NULL);
	parsed_args_free(&pa);

	/* Two-word names win over a one-word command taking an argument. */
	CHECK_INTEQ(add(&cs, OWNER_C, "room", next_args, 1), HW_OK);
	CHECK_INTEQ(add(&cs, OWNER_C, "rooms list", NULL, 0), HW_OK);
	REQUIRE(parse(&cs, "room list", &pa, why, sizeof(why)) == PARSE_OK);
	CHECK_STREQ(pa.cmd->name, "room");
	CHECK_STREQ(val(&pa, "room"), "list");
	parsed_args_free(&pa);
	REQUIRE(parse(&cs, "rooms list", &pa, why, sizeof(why)) == PARSE_OK);
	CHECK_STREQ(pa.cmd->name, "rooms list");
	parsed_args_free(&pa);
	commands_free(&cs);
}

TEST(parse_quotes)
{
	struct commands cs;
	struct parsed_args pa;
	char why[256];
	const struct {
		const char *line, *project, *day;
	} cases[] = {
		{"sprint join \"Django REST\" friday", "Django REST", "friday"},
		{"sprint join \xe2\x80\x9c" "Django REST\xe2\x80\x9d friday", "Django REST", "friday"},
		{"sprint join \xe2\x80\x9e" "Django REST\xe2\x80\x9c friday", "Django REST", "friday"},
		{"sprint join \"say \\\"hi\\\" now\" x", "say \"hi\" now", "x"},
		{"sprint join \"curly \\\xe2\x80\x9d inside\" x", "curly \xe2\x80\x9d inside", "x"},
		{"sprint join \"C:\\path\\\\dir\"", "C:\\path\\dir", "(absent)"},
		{"sprint join \"\" friday", "", "friday"},
		{"sprint join it's \"Sat urday\"", "it's", "Sat urday"},
		{"sprint join 5\"10 x", "5\"10", "x"},
		{"sprint join \"a\"\"b\"", "a", "b"},
	};

	fixture(&cs);
	for (size_t i = 0; i < NARGS(cases); i++) {
		enum parse_result r = parse(&cs, cases[i].line, &pa, why, sizeof(why));
		if (r != PARSE_OK)
			fprintf(stderr, "  case %zu: %s\n", i, why);
		CHECK_INTEQ(r, PARSE_OK);
		if (r != PARSE_OK)
			continue;
		CHECK_STREQ(val(&pa, "project"), cases[i].project);
		CHECK_STREQ(val(&pa, "day"), cases[i].day);
		parsed_args_free(&pa);
	}

	CHECK_INTEQ(parse(&cs, "sprint join \"Django REST friday", &pa, why, sizeof(why)),
		    PARSE_BAD_ARGS);
	CHECK_STREQ(why, "missing closing quote");
	CHECK(pa.cmd == NULL && pa.argv == NULL);

	/* The single-argument command: a phrase in quotes loses them. */
	REQUIRE(parse(&cs, "next \"Envelope Room\"", &pa, why, sizeof(why)) == PARSE_OK);
	CHECK_STREQ(val(&pa, "room"), "Envelope Room");
	CHECK_STREQ(pa.raw, "\"Envelope Room\"");
	parsed_args_free(&pa);
	REQUIRE(parse(&cs, "next \xe2\x80\x9cRoom 1\xe2\x80\x9d", &pa, why, sizeof(why)) ==
		PARSE_OK);
	CHECK_STREQ(val(&pa, "room"), "Room 1");
	parsed_args_free(&pa);
	commands_free(&cs);
}

TEST(parse_text_verbatim)
{
	struct commands cs;
	struct parsed_args pa;
	char why[256];

	fixture(&cs);
	REQUIRE(parse(&cs, "say Hello, \"world\"! 100% (really) \\o/ <@123>", &pa, why,
		      sizeof(why)) == PARSE_OK);
	CHECK_STREQ(val(&pa, "message"), "Hello, \"world\"! 100% (really) \\o/ <@123>");
	parsed_args_free(&pa);

	REQUIRE(parse(&cs, "say line one\nline two\n\n  indented  \n  ", &pa, why,
		      sizeof(why)) == PARSE_OK);
	CHECK_STREQ(val(&pa, "message"), "line one\nline two\n\n  indented");
	parsed_args_free(&pa);

	REQUIRE(parse(&cs, "say \"quoted\"", &pa, why, sizeof(why)) == PARSE_OK);
	CHECK_STREQ(val(&pa, "message"), "\"quoted\"");
	parsed_args_free(&pa);

	REQUIRE(parse(&cs, "remind 5 yes Buy milk, then \"eggs\".", &pa, why, sizeof(why)) ==
		PARSE_OK);
	CHECK_INTEQ(arg(&pa, "minutes")->num, 5);
	CHECK_INTEQ(arg(&pa, "loud")->num, 1);
	CHECK_STREQ(val(&pa, "note"), "Buy milk, then \"eggs\".");
	parsed_args_free(&pa);

	/* Format specifiers are data. */
	REQUIRE(parse(&cs, "say %s%n%x %p %% %1$s", &pa, why, sizeof(why)) == PARSE_OK);
	CHECK_STREQ(val(&pa, "message"), "%s%n%x %p %% %1$s");
	CHECK_STREQ(pa.raw, "%s%n%x %p %% %1$s");
	parsed_args_free(&pa);
	REQUIRE(parse(&cs, "next %s%n%x", &pa, why, sizeof(why)) == PARSE_OK);
	CHECK_STREQ(val(&pa, "room"), "%s%n%x");
	parsed_args_free(&pa);
	CHECK_INTEQ(parse(&cs, "%s%n%x", &pa, why, sizeof(why)), PARSE_NO_COMMAND);
	CHECK_STREQ(why, "");
	commands_free(&cs);
}

TEST(parse_integers)
{
	struct commands cs;
	struct parsed_args pa;
	char why[256], line[96];
	const struct {
		const char *in, *str;
		int64_t num;
	} ok[] = {
		{"42", "42", 42},
		{"+7", "7", 7},
		{"-3", "-3", -3},
		{"007", "7", 7},
		{"0", "0", 0},
		{"-0", "0", 0},
		{"9223372036854775807", "9223372036854775807", INT64_MAX},
		{"-9223372036854775808", "-9223372036854775808", INT64_MIN},
		{"\"12\"", "12", 12},
	};
	const char *nan[] = {"4x", "0x10", "1e3", "1.5", "-", "+", "twelve", "1_000", "\"\""};
	const char *range[] = {"9223372036854775808", "-9223372036854775809",
			       "99999999999999999999999"};

	fixture(&cs);
	for (size_t i = 0; i < NARGS(ok); i++) {
		snprintf(line, sizeof(line), "remind %s", ok[i].in);
		REQUIRE(parse(&cs, line, &pa, why, sizeof(why)) == PARSE_OK);
		CHECK_STREQ(val(&pa, "minutes"), ok[i].str);
		CHECK(arg(&pa, "minutes")->num == ok[i].num);
		parsed_args_free(&pa);
	}
	for (size_t i = 0; i < NARGS(nan); i++) {
		snprintf(line, sizeof(line), "remind %s", nan[i]);
		CHECK_INTEQ(parse(&cs, line, &pa, why, sizeof(why)), PARSE_BAD_ARGS);
		CHECK_STREQ(why, "minutes must be a whole number");
	}
	for (size_t i = 0; i < NARGS(range); i++) {
		snprintf(line, sizeof(line), "remind %s", range[i]);
		CHECK_INTEQ(parse(&cs, line, &pa, why, sizeof(why)), PARSE_BAD_ARGS);
		CHECK_STREQ(why, "minutes is out of range");
	}
	/* An optional integer after a string. */
	CHECK_INTEQ(parse(&cs, "talks friday two", &pa, why, sizeof(why)), PARSE_BAD_ARGS);
	CHECK_STREQ(why, "track must be a whole number");
	commands_free(&cs);
}

TEST(parse_bools)
{
	struct commands cs;
	struct parsed_args pa;
	char why[256], line[64];
	const struct {
		const char *in;
		int v;
	} ok[] = {{"yes", 1}, {"no", 0}, {"true", 1}, {"false", 0}, {"on", 1}, {"off", 0},
		  {"1", 1},   {"0", 0},  {"YES", 1},  {"Off", 0},   {"TrUe", 1}};
	const char *bad[] = {"maybe", "y", "2", "yess", "nope"};

	fixture(&cs);
	for (size_t i = 0; i < NARGS(ok); i++) {
		snprintf(line, sizeof(line), "remind 10 %s", ok[i].in);
		REQUIRE(parse(&cs, line, &pa, why, sizeof(why)) == PARSE_OK);
		CHECK_INTEQ(arg(&pa, "loud")->present, 1);
		CHECK_INTEQ(arg(&pa, "loud")->num, ok[i].v);
		CHECK_STREQ(val(&pa, "loud"), ok[i].v ? "true" : "false");
		CHECK_STREQ(val(&pa, "note"), "(absent)");
		parsed_args_free(&pa);
	}
	for (size_t i = 0; i < NARGS(bad); i++) {
		snprintf(line, sizeof(line), "remind 10 %s and more", bad[i]);
		CHECK_INTEQ(parse(&cs, line, &pa, why, sizeof(why)), PARSE_BAD_ARGS);
		CHECK_STREQ(why, "loud must be yes or no");
	}
	commands_free(&cs);
}

TEST(parse_missing_and_extra)
{
	struct commands cs;
	struct parsed_args pa;
	char why[256];
	const struct {
		const char *line, *why;
	} cases[] = {
		{"sprint join", "missing project"},
		{"sprint join   ", "missing project"},
		{"remind", "missing minutes"},
		{"say", "missing message"},
		{"say \t\n ", "missing message"},
		{"sprint join Django friday extra", "too many arguments"},
		{"talks friday 2 3", "too many arguments"},
		{"sprint mine now", "too many arguments"},
		{"sprint join Django \"friday", "missing closing quote"},
	};

	fixture(&cs);
	for (size_t i = 0; i < NARGS(cases); i++) {
		memset(&pa, 0xab, sizeof(pa));
		CHECK_INTEQ(parse(&cs, cases[i].line, &pa, why, sizeof(why)), PARSE_BAD_ARGS);
		CHECK_STREQ(why, cases[i].why);
		/* out is cleared on failure, so freeing it is safe. */
		CHECK(pa.cmd == NULL && pa.argv == NULL && pa.strings == NULL && pa.raw == NULL);
		parsed_args_free(&pa);
	}
	commands_free(&cs);
}

TEST(parse_unknown_and_suggestions)
{
	struct commands cs;
	struct parsed_args pa;
	char why[256];
	const struct {
		const char *line, *why;
	} cases[] = {
		{"nxet", "did you mean next?"},
		{"NXET Envelope", "did you mean next?"},
		{"nex", "did you mean next?"},
		{"sprnit join Django", "did you mean sprint?"},
		{"tlaks", "did you mean talks?"},
		{"remnid 5", "did you mean remind?"},
		{"remi", "did you mean remind?"}, /* the start of a name */
		{"helo", "did you mean help?"},
		/* Chatter after the prefix gets no reply. */
		{"hello", ""},
		{"!!", ""},
		{"", ""},
		{"   ", ""},
		{"ok", ""},
		{"lol what", ""},
		{"\xf0\x9f\x8e\x89", ""},
		{"supercalifragilisticexpialidociousandthensomemorewordsthanthirtytwo", ""},
	};

	fixture(&cs);
	for (size_t i = 0; i < NARGS(cases); i++) {
		strcpy(why, "unset");
		CHECK_INTEQ(parse(&cs, cases[i].line, &pa, why, sizeof(why)), PARSE_NO_COMMAND);
		CHECK_STREQ(why, cases[i].why);
		CHECK(pa.cmd == NULL);
	}
	CHECK_INTEQ(parse(&cs, NULL, &pa, why, sizeof(why)), PARSE_NO_COMMAND);
	CHECK_STREQ(why, "");
	commands_free(&cs);

	/* At most three, closest first, then by name. */
	memset(&cs, 0, sizeof(cs));
	const char *near[] = {"abcdxy", "abcdeg", "bcdefz", "abcdefgh", "aabcdef", "zzzzzz"};
	for (size_t i = 0; i < NARGS(near); i++)
		CHECK_INTEQ(add(&cs, NULL, near[i], NULL, 0), HW_OK);
	CHECK_INTEQ(parse(&cs, "abcdef", &pa, why, sizeof(why)), PARSE_NO_COMMAND);
	CHECK_STREQ(why, "did you mean aabcdef, abcdeg or abcdefgh?");
	CHECK_INTEQ(parse(&cs, "zzzzzy", &pa, why, sizeof(why)), PARSE_NO_COMMAND);
	CHECK_STREQ(why, "did you mean zzzzzz?");
	CHECK_INTEQ(add(&cs, NULL, "zzzzzyy", NULL, 0), HW_OK);
	CHECK_INTEQ(parse(&cs, "zzzzzy", &pa, why, sizeof(why)), PARSE_NO_COMMAND);
	CHECK_STREQ(why, "did you mean zzzzzyy or zzzzzz?");
	/* Dead commands are not suggested. */
	commands_remove_owner(&cs, NULL);
	CHECK_INTEQ(parse(&cs, "abcdef", &pa, why, sizeof(why)), PARSE_NO_COMMAND);
	CHECK_STREQ(why, "");
	/* A short `why` is truncated, never overrun. */
	CHECK_INTEQ(add(&cs, OWNER_A, "next", NULL, 0), HW_OK);
	{
		char small[8];
		memset(small, 'Z', sizeof(small));
		CHECK_INTEQ(parse(&cs, "nxet", &pa, small, sizeof(small)), PARSE_NO_COMMAND);
		CHECK_STREQ(small, "did you");
	}
	CHECK_INTEQ(parse(&cs, "nxet", &pa, NULL, 0), PARSE_NO_COMMAND);
	commands_free(&cs);
}

TEST(parse_group_without_sub)
{
	struct commands cs;
	struct parsed_args pa;
	char why[256];

	fixture(&cs);
	CHECK_INTEQ(parse(&cs, "sprint", &pa, why, sizeof(why)), PARSE_NO_COMMAND);
	CHECK_STREQ(why, "sprint: try join, leave, mine");
	CHECK_INTEQ(parse(&cs, "Sprint dance Django", &pa, why, sizeof(why)), PARSE_NO_COMMAND);
	CHECK_STREQ(why, "sprint: try join, leave, mine");
	CHECK_INTEQ(parse(&cs, "sprint jion Django", &pa, why, sizeof(why)), PARSE_NO_COMMAND);
	CHECK_STREQ(why, "sprint: try join, leave, mine");
	commands_free(&cs);
}

TEST(parse_invalid_utf8_and_size)
{
	struct commands cs;
	struct parsed_args pa;
	char why[256];
	const char *bad[] = {
		"next \xff",                 /* never valid */
		"next \xc0\xaf",             /* overlong '/' */
		"next \xe0\x80\xaf",         /* overlong, three bytes */
		"next \xed\xa0\x80",         /* surrogate U+D800 */
		"next \xf4\x90\x80\x80",     /* above U+10FFFF */
		"next \xe2\x82",             /* truncated at the end */
		"next \xe2\x82 x",           /* truncated in the middle */
		"next \x80",                 /* lone continuation byte */
		"n\xffxt room",              /* in the command word */
		"sprint join \"\xf8\x88\x80\x80\x80\"", /* five-byte form */
	};
	size_t big = 1 << 20;
	char *line = malloc(big + 1);

	REQUIRE(line != NULL);
	fixture(&cs);
	for (size_t i = 0; i < NARGS(bad); i++) {
		CHECK_INTEQ(parse(&cs, bad[i], &pa, why, sizeof(why)), PARSE_BAD_ARGS);
		CHECK_STREQ(why, "invalid text");
	}
	REQUIRE(parse(&cs, "next Caf\xc3\xa9 \xe2\x98\x95 \xf0\x9f\x8e\x89", &pa, why,
		      sizeof(why)) == PARSE_OK);
	CHECK_STREQ(val(&pa, "room"), "Caf\xc3\xa9 \xe2\x98\x95 \xf0\x9f\x8e\x89");
	parsed_args_free(&pa);

	/* 4000 bytes are parsed, 4001 are not, whatever they hold. */
	memcpy(line, "say ", 4);
	memset(line + 4, 'a', 3996);
	line[4000] = '\0';
	REQUIRE(parse(&cs, line, &pa, why, sizeof(why)) == PARSE_OK);
	CHECK_INTEQ(strlen(val(&pa, "message")), 3996);
	parsed_args_free(&pa);
	line[4000] = 'a';
	line[4001] = '\0';
	CHECK_INTEQ(parse(&cs, line, &pa, why, sizeof(why)), PARSE_BAD_ARGS);
	CHECK_STREQ(why, "too long");

	/* A megabyte, also of invalid UTF-8 past the cap. */
	memset(line + 4, 'a', big - 4);
	line[big] = '\0';
	CHECK_INTEQ(parse(&cs, line, &pa, why, sizeof(why)), PARSE_BAD_ARGS);
	CHECK_STREQ(why, "too long");
	line[big - 1] = '\xff';
	CHECK_INTEQ(parse(&cs, line, &pa, why, sizeof(why)), PARSE_BAD_ARGS);
	CHECK_STREQ(why, "too long");
	CHECK(pa.cmd == NULL);
	free(line);
	commands_free(&cs);
}

/* ----------------------------------------------------------- slash door */

static enum parse_result parse_json(struct commands *cs, const char *json,
				    struct parsed_args *pa, char *why, size_t whylen)
{
	json_error_t err;
	json_t *data = json_loads(json, 0, &err);
	enum parse_result r;

	if (!data) {
		fprintf(stderr, "  bad fixture JSON: %s: %s\n", json, err.text);
		memset(pa, 0, sizeof(*pa));
		return PARSE_NOMEM;
	}
	r = commands_parse_interaction(cs, data, pa, why, whylen);
	json_decref(data);
	return r;
}

/* Both parses succeed and give the same command and argv. */
static void check_same_argv(const struct parsed_args *a, const struct parsed_args *b,
			    const char *what)
{
	int same = a->cmd == b->cmd;

	for (size_t i = 0; same && i < a->cmd->nargs; i++) {
		const hw_arg *x = &a->argv[i], *y = &b->argv[i];
		same = x->name == y->name && x->present == y->present && x->num == y->num &&
		       (x->str == NULL) == (y->str == NULL) && (!x->str || !strcmp(x->str, y->str));
		if (!same)
			fprintf(stderr, "  %s: argument %s differs: %d/%s/%" PRId64
				" vs %d/%s/%" PRId64 "\n", what, x->name, x->present,
				x->str ? x->str : "(null)", x->num, y->present,
				y->str ? y->str : "(null)", y->num);
	}
	CHECK(same);
}

TEST(interaction_matches_chat)
{
	struct commands cs;
	const struct {
		const char *line, *json;
	} cases[] = {
		{"next Envelope Room",
		 "{\"name\":\"next\",\"type\":1,\"options\":[{\"name\":\"room\",\"type\":3,"
		 "\"value\":\"Envelope Room\"}]}"},
		{"next", "{\"name\":\"next\",\"type\":1}"},
		{"next", "{\"name\":\"next\",\"options\":[]}"},
		{"sprint join Django 2026-11-28",
		 "{\"name\":\"sprint\",\"type\":1,\"options\":[{\"type\":1,\"name\":\"join\","
		 "\"options\":[{\"name\":\"project\",\"type\":3,\"value\":\"Django\"},"
		 "{\"name\":\"day\",\"type\":3,\"value\":\"2026-11-28\"}]}]}"},
		{"sprint join \"Django REST\"",
		 "{\"name\":\"sprint\",\"options\":[{\"type\":1,\"name\":\"join\","
		 "\"options\":[{\"name\":\"project\",\"type\":3,\"value\":\"Django REST\"}]}]}"},
		{"sprint mine", "{\"name\":\"sprint\",\"options\":[{\"type\":1,\"name\":\"mine\"}]}"},
		{"remind 5 yes Buy milk, then eggs",
		 "{\"name\":\"remind\",\"options\":[{\"name\":\"note\",\"type\":3,\"value\":"
		 "\"Buy milk, then eggs\"},{\"name\":\"loud\",\"type\":5,\"value\":true},"
		 "{\"name\":\"minutes\",\"type\":4,\"value\":5}]}"},
		{"remind 0 off",
		 "{\"name\":\"remind\",\"options\":[{\"name\":\"minutes\",\"type\":4,\"value\":0},"
		 "{\"name\":\"loud\",\"type\":5,\"value\":false}]}"},
		{"remind -12",
		 "{\"name\":\"remind\",\"options\":[{\"name\":\"minutes\",\"type\":4,\"value\":-12}]}"},
		{"say Hello, \"world\"! 100%\nbye",
		 "{\"name\":\"say\",\"options\":[{\"name\":\"message\",\"type\":3,\"value\":"
		 "\"Hello, \\\"world\\\"! 100%\\nbye\"}]}"},
		{"talks friday 2",
		 "{\"name\":\"talks\",\"options\":[{\"name\":\"track\",\"type\":4,\"value\":2},"
		 "{\"name\":\"day\",\"type\":3,\"value\":\"friday\"},"
		 "{\"name\":\"unknown\",\"type\":3,\"value\":\"ignored\"}]}"},
		{"help sprint",
		 "{\"name\":\"HELP\",\"options\":[{\"name\":\"command\",\"type\":3,\"value\":"
		 "\"  sprint \"}]}"},
	};

	fixture(&cs);
	for (size_t i = 0; i < NARGS(cases); i++) {
		struct parsed_args chat, slash, again;
		char why[256], line[512];
		enum parse_result rc = parse(&cs, cases[i].line, &chat, why, sizeof(why));
		enum parse_result rs = parse_json(&cs, cases[i].json, &slash, why, sizeof(why));

		if (rc != PARSE_OK || rs != PARSE_OK)
			fprintf(stderr, "  case %zu: chat %d, slash %d (%s)\n", i, rc, rs, why);
		CHECK_INTEQ(rc, PARSE_OK);
		CHECK_INTEQ(rs, PARSE_OK);
		if (rc == PARSE_OK && rs == PARSE_OK) {
			CHECK(slash.focused_arg == NULL && slash.focused_value == NULL);
			check_same_argv(&chat, &slash, cases[i].line);
			/* The slash raw text, typed in chat, gives the same argv. */
			REQUIRE(slash.raw != NULL);
			snprintf(line, sizeof(line), "%s %s", slash.cmd->name, slash.raw);
			CHECK_INTEQ(parse(&cs, line, &again, why, sizeof(why)), PARSE_OK);
			if (again.cmd)
				check_same_argv(&chat, &again, line);
			parsed_args_free(&again);
		}
		parsed_args_free(&chat);
		parsed_args_free(&slash);
	}
	commands_free(&cs);
}

TEST(interaction_raw_quotes_round_trip)
{
	struct commands cs;
	struct parsed_args slash, chat;
	char why[256], line[256];

	fixture(&cs);
	REQUIRE(parse_json(&cs,
			   "{\"name\":\"sprint\",\"options\":[{\"type\":1,\"name\":\"join\","
			   "\"options\":[{\"name\":\"project\",\"type\":3,\"value\":"
			   "\"say \\\"hi\\\" \\\\ \xe2\x80\x9dok\"},"
			   "{\"name\":\"day\",\"type\":3,\"value\":\"\xe2\x80\x9c" "fri\"}]}]}",
			   &slash, why, sizeof(why)) == PARSE_OK);
	CHECK_STREQ(val(&slash, "project"), "say \"hi\" \\ \xe2\x80\x9dok");
	CHECK_STREQ(val(&slash, "day"), "\xe2\x80\x9c" "fri");
	CHECK_STREQ(slash.raw,
		    "\"say \\\"hi\\\" \\\\ \\\xe2\x80\x9dok\" \"\\\xe2\x80\x9c" "fri\"");
	snprintf(line, sizeof(line), "sprint join %s", slash.raw);
	REQUIRE(parse(&cs, line, &chat, why, sizeof(why)) == PARSE_OK);
	check_same_argv(&slash, &chat, "quoted raw");
	parsed_args_free(&chat);
	parsed_args_free(&slash);
	commands_free(&cs);
}

TEST(interaction_errors)
{
	struct commands cs;
	struct parsed_args pa;
	char why[256];
	const struct {
		const char *json;
		enum parse_result r;
		const char *why;
	} cases[] = {
		{"{\"name\":\"nope\"}", PARSE_NO_COMMAND, "unknown command /nope"},
		{"{\"name\":\"sprint\"}", PARSE_NO_COMMAND, "unknown command /sprint"},
		{"{\"name\":\"sprint\",\"options\":[{\"type\":1,\"name\":\"dance\"}]}",
		 PARSE_NO_COMMAND, "unknown command /sprint dance"},
		{"{\"name\":\"sprint\",\"options\":[{\"type\":2,\"name\":\"join\",\"options\":[]}]}",
		 PARSE_NO_COMMAND, "unknown command /sprint"},
		{"{\"name\":\"next\",\"type\":2}", PARSE_NO_COMMAND, "not a command of this bot"},
		{"{\"type\":1}", PARSE_NO_COMMAND, "not a command of this bot"},
		{"{\"name\":5}", PARSE_NO_COMMAND, "not a command of this bot"},
		{"{\"name\":\"remind\",\"options\":[{\"name\":\"minutes\",\"type\":4,"
		 "\"value\":\"5\"}]}", PARSE_BAD_ARGS, "minutes has the wrong type"},
		{"{\"name\":\"remind\",\"options\":[{\"name\":\"minutes\",\"type\":4,"
		 "\"value\":5.5}]}", PARSE_BAD_ARGS, "minutes has the wrong type"},
		{"{\"name\":\"remind\",\"options\":[{\"name\":\"minutes\",\"value\":5},"
		 "{\"name\":\"loud\",\"type\":5,\"value\":1}]}", PARSE_BAD_ARGS,
		 "loud has the wrong type"},
		{"{\"name\":\"next\",\"options\":[{\"name\":\"room\",\"type\":3,\"value\":7}]}",
		 PARSE_BAD_ARGS, "room has the wrong type"},
		{"{\"name\":\"next\",\"options\":[{\"name\":\"room\",\"type\":4,\"value\":\"x\"}]}",
		 PARSE_BAD_ARGS, "room has the wrong type"},
		{"{\"name\":\"next\",\"options\":[{\"name\":\"room\",\"type\":3}]}", PARSE_BAD_ARGS,
		 "room has the wrong type"},
		{"{\"name\":\"remind\",\"options\":[{\"name\":\"loud\",\"type\":5,\"value\":true}]}",
		 PARSE_BAD_ARGS, "missing minutes"},
		{"{\"name\":\"say\",\"options\":[{\"name\":\"message\",\"type\":3,\"value\":\"  \"}]}",
		 PARSE_BAD_ARGS, "missing message"},
	};

	fixture(&cs);
	for (size_t i = 0; i < NARGS(cases); i++) {
		memset(&pa, 0xab, sizeof(pa));
		CHECK_INTEQ(parse_json(&cs, cases[i].json, &pa, why, sizeof(why)), cases[i].r);
		CHECK_STREQ(why, cases[i].why);
		CHECK(pa.cmd == NULL && pa.argv == NULL && pa.raw == NULL);
	}
	CHECK_INTEQ(commands_parse_interaction(&cs, NULL, &pa, why, sizeof(why)),
		    PARSE_NO_COMMAND);
	{
		json_t *arr = json_array();
		CHECK_INTEQ(commands_parse_interaction(&cs, arr, &pa, why, sizeof(why)),
			    PARSE_NO_COMMAND);
		json_decref(arr);
	}
	/* Options that are not objects, or not an array, are ignored. */
	REQUIRE(parse_json(&cs, "{\"name\":\"next\",\"options\":[1,\"x\",null]}", &pa, why,
			   sizeof(why)) == PARSE_OK);
	CHECK_INTEQ(pa.argv[0].present, 0);
	parsed_args_free(&pa);
	REQUIRE(parse_json(&cs, "{\"name\":\"next\",\"options\":{\"room\":1}}", &pa, why,
			   sizeof(why)) == PARSE_OK);
	CHECK_INTEQ(pa.argv[0].present, 0);
	parsed_args_free(&pa);
	commands_free(&cs);
}

TEST(interaction_autocomplete)
{
	struct commands cs = {0};
	struct parsed_args pa;
	char why[256];
	static const hw_arg_spec set_args[] = {
		{"building", HW_ARG_STRING, 1, "Building", 0},
		{"room", HW_ARG_STRING, 1, "Room", 1},
		{"floor", HW_ARG_INTEGER, 0, "Floor", 0},
	};
	hw_command_spec s = mkspec("room set", set_args, NARGS(set_args));

	s.complete = fn_complete;
	REQUIRE(commands_add(&cs, OWNER_A, NULL, &s, why, sizeof(why)) == HW_OK);

	/* The focused option may come before required ones are filled in. */
	REQUIRE(parse_json(&cs,
			   "{\"name\":\"room\",\"type\":1,\"options\":[{\"type\":1,\"name\":\"set\","
			   "\"options\":[{\"name\":\"room\",\"type\":3,\"value\":\"Env \","
			   "\"focused\":true},{\"name\":\"floor\",\"type\":4,\"value\":\"2\"}]}]}",
			   &pa, why, sizeof(why)) == PARSE_OK);
	CHECK_STREQ(pa.cmd->name, "room set");
	CHECK_STREQ(pa.focused_arg, "room");
	CHECK(pa.focused_arg == pa.cmd->args[1].name); /* borrowed from the command */
	CHECK_STREQ(pa.focused_value, "Env ");        /* as typed, untrimmed */
	CHECK_STREQ(val(&pa, "room"), "Env");
	CHECK_STREQ(val(&pa, "building"), "(absent)");
	/* Values arrive as text while typing: an integer that parses is kept. */
	CHECK_STREQ(val(&pa, "floor"), "2");
	CHECK_INTEQ(arg(&pa, "floor")->num, 2);
	parsed_args_free(&pa);

	/* Nothing typed yet; a half-typed integer is left out. */
	REQUIRE(parse_json(&cs,
			   "{\"name\":\"room\",\"options\":[{\"type\":1,\"name\":\"set\","
			   "\"options\":[{\"name\":\"building\",\"type\":3,\"value\":\"A\"},"
			   "{\"name\":\"floor\",\"type\":4,\"value\":\"-\"},"
			   "{\"name\":\"room\",\"type\":3,\"value\":\"\",\"focused\":true}]}]}",
			   &pa, why, sizeof(why)) == PARSE_OK);
	CHECK_STREQ(pa.focused_arg, "room");
	CHECK_STREQ(pa.focused_value, "");
	CHECK_STREQ(val(&pa, "room"), "(absent)");
	CHECK_STREQ(val(&pa, "building"), "A");
	CHECK_STREQ(val(&pa, "floor"), "(absent)");
	parsed_args_free(&pa);

	/* Not autocomplete: required still means required. */
	CHECK_INTEQ(parse_json(&cs,
			       "{\"name\":\"room\",\"options\":[{\"type\":1,\"name\":\"set\","
			       "\"options\":[{\"name\":\"room\",\"type\":3,\"value\":\"E\"}]}]}",
			       &pa, why, sizeof(why)), PARSE_BAD_ARGS);
	CHECK_STREQ(why, "missing building");
	commands_free(&cs);
}

/* --------------------------------------------------------------- usage */

TEST(usage_lines)
{
	struct commands cs;
	char buf[128];
	const struct {
		const char *cmd, *prefix, *usage;
	} cases[] = {
		{"next", "!", "!next [room]"},
		{"sprint join", "!", "!sprint join <project> [day]"},
		{"sprint mine", "hw ", "hw sprint mine"},
		{"say", "!", "!say <message...>"},
		{"remind", NULL, "remind <minutes> [loud] [note...]"},
		{"talks", "", "talks [day] [track]"},
	};

	fixture(&cs);
	for (size_t i = 0; i < NARGS(cases); i++) {
		struct command *c = commands_find(&cs, cases[i].cmd);
		REQUIRE(c != NULL);
		memset(buf, 'Z', sizeof(buf));
		commands_usage(c, cases[i].prefix, buf, sizeof(buf));
		CHECK_STREQ(buf, cases[i].usage);
	}
	memset(buf, 'Z', sizeof(buf));
	commands_usage(commands_find(&cs, "sprint join"), "!", buf, 6);
	CHECK_STREQ(buf, "!spri");
	CHECK_INTEQ(buf[6], 'Z');
	commands_usage(commands_find(&cs, "next"), "!", buf, 0);
	CHECK_STREQ(buf, "!spri");
	commands_usage(NULL, "!", buf, sizeof(buf));
	CHECK_STREQ(buf, "");
	commands_free(&cs);
}

/* ------------------------------------------------------------- discord */

static json_t *find_named(json_t *arr, const char *name)
{
	size_t i;
	json_t *o;

	json_array_foreach(arr, i, o)
		if (!strcmp(json_string_value(json_object_get(o, "name")), name))
			return o;
	return NULL;
}

/* Discord's rules for every command and option in the list. */
static void check_discord_rules(json_t *list)
{
	size_t i, j;
	json_t *cmd, *opt;

	json_array_foreach(list, i, cmd) {
		const char *name = json_string_value(json_object_get(cmd, "name"));
		const char *desc = json_string_value(json_object_get(cmd, "description"));
		json_t *opts = json_object_get(cmd, "options");
		int seen_optional = 0;

		REQUIRE(name && desc);
		CHECK(strlen(name) >= 1 && strlen(name) <= 32);
		CHECK(strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(name));
		CHECK(strlen(desc) >= 1 && strlen(desc) <= 100);
		CHECK_INTEQ(json_integer_value(json_object_get(cmd, "type")), 1);
		CHECK(json_is_array(opts) && json_array_size(opts) <= 25);
		json_array_foreach(opts, j, opt) {
			int req = json_is_true(json_object_get(opt, "required"));
			if (json_integer_value(json_object_get(opt, "type")) == 1)
				continue;
			CHECK(!(req && seen_optional));
			seen_optional |= !req;
		}
		if (i > 0) {
			const char *prev = json_string_value(
				json_object_get(json_array_get(list, i - 1), "name"));
			CHECK(strcmp(prev, name) < 0); /* sorted, unique */
		}
	}
}

TEST(to_discord_shape)
{
	struct commands cs;
	json_t *list, *c, *opts, *o, *join;
	char why[128];
	hw_command_spec s = mkspec("announce", say_args, 1);

	fixture(&cs);
	s.perm = HW_PERM_ORGANIZER;
	s.summary = "Post an announcement";
	REQUIRE(commands_add(&cs, OWNER_C, NULL, &s, why, sizeof(why)) == HW_OK);

	list = commands_to_discord(&cs);
	REQUIRE(json_is_array(list));
	/* announce, help, next, remind, say, sprint, talks */
	CHECK_INTEQ(json_array_size(list), 7);
	const char *order[] = {"announce", "help", "next", "remind", "say", "sprint", "talks"};
	for (size_t i = 0; i < NARGS(order) && i < json_array_size(list); i++)
		CHECK_STREQ(json_string_value(json_object_get(json_array_get(list, i), "name")),
			    order[i]);
	check_discord_rules(list);

	c = find_named(list, "announce");
	REQUIRE(c);
	CHECK_STREQ(json_string_value(json_object_get(c, "description")), "Post an announcement");
	CHECK(json_is_null(json_object_get(c, "default_member_permissions")));

	c = find_named(list, "remind");
	REQUIRE(c);
	opts = json_object_get(c, "options");
	REQUIRE(json_array_size(opts) == 3);
	const struct {
		const char *name;
		int type, required;
		const char *desc;
	} want[] = {{"minutes", 4, 1, "In how long"}, {"loud", 5, 0, "Ping me"},
		    {"note", 3, 0, "What about"}};
	for (size_t i = 0; i < 3; i++) {
		o = json_array_get(opts, i);
		CHECK_STREQ(json_string_value(json_object_get(o, "name")), want[i].name);
		CHECK_INTEQ(json_integer_value(json_object_get(o, "type")), want[i].type);
		CHECK_INTEQ(json_is_true(json_object_get(o, "required")), want[i].required);
		CHECK(json_is_boolean(json_object_get(o, "required")));
		CHECK_STREQ(json_string_value(json_object_get(o, "description")), want[i].desc);
		CHECK(json_is_false(json_object_get(o, "autocomplete")));
	}

	c = find_named(list, "say");
	REQUIRE(c);
	o = json_array_get(json_object_get(c, "options"), 0);
	CHECK_INTEQ(json_integer_value(json_object_get(o, "type")), 3); /* TEXT is a string */

	c = find_named(list, "sprint mine");
	CHECK(c == NULL); /* never a top-level name with a space */
	c = find_named(list, "sprint");
	REQUIRE(c);
	CHECK_STREQ(json_string_value(json_object_get(c, "description")), "sprint commands");
	CHECK(json_is_null(json_object_get(c, "default_member_permissions")));
	opts = json_object_get(c, "options");
	REQUIRE(json_array_size(opts) == 3);
	const char *subs[] = {"join", "leave", "mine"};
	for (size_t i = 0; i < 3; i++) {
		o = json_array_get(opts, i);
		CHECK_INTEQ(json_integer_value(json_object_get(o, "type")), 1);
		CHECK_STREQ(json_string_value(json_object_get(o, "name")), subs[i]);
		CHECK_STREQ(json_string_value(json_object_get(o, "description")), "Does a thing");
		CHECK(json_is_array(json_object_get(o, "options")));
	}
	join = json_array_get(opts, 0);
	opts = json_object_get(join, "options");
	REQUIRE(json_array_size(opts) == 2);
	o = json_array_get(opts, 0);
	CHECK_STREQ(json_string_value(json_object_get(o, "name")), "project");
	CHECK(json_is_true(json_object_get(o, "required")));
	o = json_array_get(opts, 1);
	CHECK_STREQ(json_string_value(json_object_get(o, "name")), "day");
	CHECK(json_is_false(json_object_get(o, "required")));
	/* No description: the name stands in (Discord needs 1-100 characters). */
	CHECK_STREQ(json_string_value(json_object_get(o, "description")), "day");
	CHECK_INTEQ(json_array_size(json_object_get(json_array_get(json_object_get(c,
		"options"), 2), "options")), 0);
	json_decref(list);

	/* Dead commands are left out. */
	commands_remove_owner(&cs, OWNER_B);
	list = commands_to_discord(&cs);
	REQUIRE(list);
	CHECK_INTEQ(json_array_size(list), 4);
	CHECK(find_named(list, "sprint") == NULL);
	CHECK(find_named(list, "say") == NULL);
	json_decref(list);
	commands_free(&cs);
}

TEST(to_discord_autocomplete_and_reload)
{
	struct commands cs = {0};
	json_t *list, *c;
	char why[128];
	static const hw_arg_spec ac[] = {{"room", HW_ARG_STRING, 0, "Room", 1}};
	hw_command_spec s = mkspec("next", ac, 1);

	s.complete = fn_complete;
	s.summary = "old next";
	REQUIRE(commands_add(&cs, OWNER_A, NULL, &s, why, sizeof(why)) == HW_OK);
	REQUIRE(add(&cs, OWNER_A, "sprint join", NULL, 0) == HW_OK);
	REQUIRE(add(&cs, OWNER_A, "sprint leave", NULL, 0) == HW_OK);

	list = commands_to_discord(&cs);
	REQUIRE(list);
	c = find_named(list, "next");
	REQUIRE(c);
	CHECK(json_is_true(json_object_get(json_array_get(json_object_get(c, "options"), 0),
					   "autocomplete")));
	json_decref(list);

	/* Mid-reload, both instances are live: the newest registration wins. */
	s.summary = "new next";
	REQUIRE(commands_add(&cs, OWNER_B, OWNER_A, &s, why, sizeof(why)) == HW_OK);
	s = mkspec("sprint", NULL, 0);
	s.summary = "sprint is now one command";
	REQUIRE(commands_add(&cs, OWNER_B, OWNER_A, &s, why, sizeof(why)) == HW_OK);
	list = commands_to_discord(&cs);
	REQUIRE(list);
	CHECK_INTEQ(json_array_size(list), 2);
	check_discord_rules(list);
	c = find_named(list, "next");
	REQUIRE(c);
	CHECK_STREQ(json_string_value(json_object_get(c, "description")), "new next");
	c = find_named(list, "sprint");
	REQUIRE(c);
	CHECK_STREQ(json_string_value(json_object_get(c, "description")),
		    "sprint is now one command");
	CHECK_INTEQ(json_array_size(json_object_get(c, "options")), 0);
	json_decref(list);
	commands_free(&cs);
}

static void hash_of(struct commands *cs, char out[17])
{
	json_t *list = commands_to_discord(cs);

	commands_discord_hash(list, out);
	json_decref(list);
}

TEST(discord_hash)
{
	struct commands a, b = {0};
	char ha[17], hb[17], hc[17], hd[17];
	json_t *empty = json_array();

	/* FNV-1a 64 of "[]", computed independently. */
	commands_discord_hash(empty, ha);
	CHECK_STREQ(ha, "09612b07b5ecb5a5");
	json_decref(empty);
	hash_of(&b, hb);
	CHECK_STREQ(hb, "09612b07b5ecb5a5");
	commands_discord_hash(NULL, hb);
	CHECK_STREQ(hb, "0000000000000000");

	/* The same commands registered in another order hash the same. */
	fixture(&a);
	CHECK_INTEQ(add(&b, OWNER_B, "remind", remind_args, NARGS(remind_args)), HW_OK);
	CHECK_INTEQ(add(&b, OWNER_B, "sprint mine", NULL, 0), HW_OK);
	CHECK_INTEQ(add(&b, OWNER_B, "say", say_args, NARGS(say_args)), HW_OK);
	CHECK_INTEQ(add(&b, OWNER_A, "talks", talks_args, NARGS(talks_args)), HW_OK);
	CHECK_INTEQ(add(&b, OWNER_B, "sprint leave", leave_args, NARGS(leave_args)), HW_OK);
	CHECK_INTEQ(add(&b, OWNER_A, "next", next_args, NARGS(next_args)), HW_OK);
	CHECK_INTEQ(add(&b, OWNER_B, "sprint join", join_args, NARGS(join_args)), HW_OK);
	CHECK_INTEQ(add(&b, NULL, "help", help_args, NARGS(help_args)), HW_OK);
	hash_of(&a, ha);
	hash_of(&b, hb);
	CHECK_INTEQ(strlen(ha), 16);
	CHECK(strspn(ha, "0123456789abcdef") == 16);
	CHECK_STREQ(ha, hb);
	hash_of(&a, hc);
	CHECK_STREQ(ha, hc);

	/* Any change shows: a new command, a new subcommand, a summary. */
	CHECK_INTEQ(add(&a, OWNER_C, "venue", NULL, 0), HW_OK);
	hash_of(&a, hc);
	CHECK(strcmp(ha, hc) != 0);
	CHECK_INTEQ(add(&b, OWNER_C, "sprint list", NULL, 0), HW_OK);
	hash_of(&b, hd);
	CHECK(strcmp(ha, hd) != 0 && strcmp(hc, hd) != 0);

	/* Removing it again restores the hash. */
	commands_remove_owner(&a, OWNER_C);
	hash_of(&a, hc);
	CHECK_STREQ(ha, hc);
	commands_collect(&a);
	hash_of(&a, hc);
	CHECK_STREQ(ha, hc);
	commands_free(&a);
	commands_free(&b);
}

int main(void)
{
	RUN(add_validates_name_and_summary);
	RUN(add_validates_arguments);
	RUN(add_copies_every_string);
	RUN(add_conflicts);
	RUN(reload_replacing_and_newest_wins);
	RUN(remove_owner_and_collect);
	RUN(add_discord_limits);
	RUN(parse_one_word);
	RUN(parse_two_words);
	RUN(parse_quotes);
	RUN(parse_text_verbatim);
	RUN(parse_integers);
	RUN(parse_bools);
	RUN(parse_missing_and_extra);
	RUN(parse_unknown_and_suggestions);
	RUN(parse_group_without_sub);
	RUN(parse_invalid_utf8_and_size);
	RUN(interaction_matches_chat);
	RUN(interaction_raw_quotes_round_trip);
	RUN(interaction_errors);
	RUN(interaction_autocomplete);
	RUN(usage_lines);
	RUN(to_discord_shape);
	RUN(to_discord_autocomplete_and_reload);
	RUN(discord_hash);
	return test_summary();
}
