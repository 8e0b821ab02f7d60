/*
 * The sprints plugin through mock_api: every command, idempotency,
 * waitlists and promotion DMs, days, feed and config merges, removal with
 * archive, CSV export, forgiving names, permissions and hostile input; on
 * SQLite, and on PostgreSQL as test_sprints_pg (HALLWAY_TEST_PG_DIR).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"

#include "mock_api.h"

extern const hw_plugin_desc hallway_plugin;

static const mock_user org = {"900", "Orga", 1};
static const mock_user ann = {"101", "Ann", 0};
static const mock_user bob = {"102", "Bob", 0};
static const mock_user cat = {"103", "Cat", 0};

/* A fresh database path in a new temp directory (into buf). */
static const char *tmp_db(char *buf, size_t len)
{
	char dir[] = "/tmp/sprints-test-XXXXXX";
	if (!mkdtemp(dir))
		abort();
	snprintf(buf, len, "%s/hallway.db", dir);
	return buf;
}

/* A loaded plugin on db_path with config (JSON text, may be NULL). */
static mock_api *start(const char *db_path, const char *config)
{
	json_t *cfg = config ? json_loads(config, 0, NULL) : NULL;
	mock_api *m = mock_api_new("sprints", cfg, db_path);
	json_decref(cfg);
	if (mock_api_load(m, &hallway_plugin) != HW_OK) {
		fprintf(stderr, "load failed\n");
		abort();
	}
	return m;
}

static const char *say(mock_api *m, const mock_user *u, const char *line)
{
	int rc = mock_api_chat(m, u, line);
	if (rc)
		fprintf(stderr, "  command \"%s\" returned %d\n", line, rc);
	return mock_api_last_text(m, MOCK_OUT_REPLY);
}

static int has(const char *hay, const char *needle)
{
	if (!strstr(hay, needle)) {
		fprintf(stderr, "  missing \"%s\" in: %s\n", needle, hay);
		return 0;
	}
	return 1;
}

/* A look at (or a write to) the plugin's tables on whichever engine the
 * units of work use: the first column of the first row, -1 for none. */
static long long q_int(mock_api *m, const char *sql)
{
	return (long long)mock_api_db_int(m, sql);
}

/* From a "Did you mean NAME? To <verb> a project, give its exact name"
 * reply, builds `sprint <verb> "NAME" <rest>` into cmd. Returns 1 if the
 * reply was one. */
static int exact_name(const char *reply, const char *verb, const char *rest, char *cmd,
		      size_t len)
{
	const char *a = reply ? strstr(reply, "Did you mean ") : NULL, *b;
	if (!a || !(b = strstr(a, "? To ")))
		return 0;
	a += strlen("Did you mean ");
	snprintf(cmd, len, "sprint %s \"%.*s\" %s", verb, (int)(b - a), a, rest);
	return 1;
}

TEST(commands_registered)
{
	static const char *const names[] = {"sprints", "sprint info", "sprint join", "sprint leave",
					    "sprint mine", "sprint add", "sprint edit",
					    "sprint remove", "sprint export"};
	char path[256];
	mock_api *m = start(tmp_db(path, sizeof(path)), NULL);
	size_t i;
	CHECK_INTEQ(mock_api_command_count(m), 9);
	for (i = 0; i < 9; i++) {
		const hw_command_spec *c = mock_api_command(m, names[i]);
		REQUIRE(c != NULL);
		CHECK_INTEQ(c->perm, i >= 5 ? HW_PERM_ORGANIZER : HW_PERM_EVERYONE);
	}
	CHECK(mock_api_command(m, "sprint join")->args[0].autocomplete);
	CHECK(mock_api_command(m, "sprint join")->complete != NULL);
	CHECK(has(say(m, &ann, "sprints"), "No sprint projects yet"));
	mock_api_free(m);
}

TEST(join_leave_idempotent)
{
	char path[256];
	mock_api *m = start(tmp_db(path, sizeof(path)), NULL);
	CHECK(has(say(m, &org, "sprint add Django 2 Sarah, Thibaud"), "Added Django with 2 seats"));
	CHECK(has(say(m, &org, "sprint add django"), "already exists"));
	CHECK(has(say(m, &ann, "sprint join Django"), "You're in: Django (1/2 seats taken)"));
	CHECK(has(say(m, &ann, "sprint join django"), "already signed up: Django (1/2"));
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_signups"), 1);
	CHECK(has(say(m, &ann, "sprint mine"), "Django: confirmed"));
	CHECK(has(say(m, &ann, "sprint leave Django"), "You left Django."));
	CHECK(has(say(m, &ann, "sprint leave Django"), "not signed up for Django; nothing to do"));
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_signups"), 0);
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_archive WHERE reason = 'left'"), 1);
	CHECK(has(say(m, &ann, "sprint mine"), "haven't joined"));
	/* A reply model (issue 16), recorded as its JSON by the mock. */
	CHECK(has(say(m, &ann, "sprints"), "{\"capacity\":2,\"count\":0,\"kind\":\"sprint\","
					   "\"note\":\"leads: Sarah, Thibaud\",\"title\":\"Django\""));
	mock_api_free(m);
}

TEST(waitlist_and_promotion)
{
	char path[256];
	mock_api *m = start(tmp_db(path, sizeof(path)), NULL);
	const mock_output *dm;
	const char *r;
	say(m, &org, "sprint add Mercurial 1");
	CHECK(has(say(m, &ann, "sprint join mercurial"), "You're in"));
	CHECK(has(say(m, &bob, "sprint join mercurial"), "waitlist at position 1"));
	CHECK(has(say(m, &cat, "sprint join mercurial"), "waitlist at position 2"));
	CHECK(has(say(m, &cat, "sprint join mercurial"), "already on the waitlist for Mercurial at position 2"));
	CHECK(has(say(m, &cat, "sprint mine"), "waitlist position 2"));
	CHECK(has(say(m, &ann, "sprints"), "\"capacity\":1,\"count\":1,\"kind\":\"sprint\","));
	CHECK(has(say(m, &ann, "sprints"), "\"waitlist\":2}"));
	/* Who signed up: names only where the asker alone sees them (issue 15). */
	r = say(m, &ann, "sprint info mercurial");
	CHECK(has(r, "Signed up (1/1) | waitlist: 2"));
	CHECK(has(r, "shown privately"));
	CHECK(!strstr(r, "Bob"));
	mock_api_set_door(m, HW_DOOR_CHAT, 1);
	CHECK(has(say(m, &ann, "sprint info mercurial"), "(1/1): Ann | waitlist: Bob, Cat"));
	mock_api_set_door(m, HW_DOOR_SLASH, 0);
	CHECK(has(say(m, &ann, "sprint info mercurial"), "(1/1): Ann | waitlist: Bob, Cat"));
	CHECK(mock_api_last(m, MOCK_OUT_REPLY)->ephemeral);
	mock_api_set_door(m, HW_DOOR_CHAT, 0);
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_DM), 0);
	CHECK(has(say(m, &ann, "sprint leave mercurial"), "Your seat went to the next person"));
	REQUIRE(mock_api_output_count(m, MOCK_OUT_DM) == 1);
	dm = mock_api_last(m, MOCK_OUT_DM);
	CHECK_STREQ(dm->target, "102");
	CHECK(has(dm->text, "now confirmed for the Mercurial sprint"));
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_outbox"), 0); /* delivered */
	CHECK(has(say(m, &bob, "sprint mine"), "Mercurial: confirmed"));
	CHECK(has(say(m, &cat, "sprint mine"), "waitlist position 1"));
	/* Leaving the waitlist promotes nobody. */
	CHECK(has(say(m, &cat, "sprint leave mercurial"), "You left the waitlist for Mercurial."));
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_DM), 1);
	/* Rejoining goes to the back of the line. */
	say(m, &ann, "sprint join mercurial");
	say(m, &cat, "sprint join mercurial");
	CHECK(has(say(m, &ann, "sprint mine"), "waitlist position 1"));
	CHECK(has(say(m, &cat, "sprint mine"), "waitlist position 2"));
	/* Raising the capacity promotes in order, with DMs. */
	CHECK(has(say(m, &org, "sprint edit mercurial capacity=2"), "1 people moved"));
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_DM), 2);
	CHECK_STREQ(mock_api_last(m, MOCK_OUT_DM)->target, "101");
	mock_api_free(m);
}

/* Issue 13: names folded by an older build (Cyrillic kept its case, emoji
 * stuck together) are read anew at start, so they still match. */
TEST(old_folds_are_refreshed)
{
	char path[256];
	mock_api *m = start(tmp_db(path, sizeof(path)), NULL);
	say(m, &org, "sprint add \"Питон Спринт\" 5");
	say(m, &org, "sprint add \"питон спринт 2\" 5");
	/* What the old fold stored. */
	CHECK_INTEQ(q_int(m, "UPDATE sprints_projects SET fold = 'Питон Спринт' WHERE "
			     "name = 'Питон Спринт' RETURNING 1"), 1);
	mock_api_free(m);
	m = start(path, NULL);
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_projects WHERE fold = 'питон спринт'"), 1);
	CHECK(has(say(m, &ann, "sprint join \"ПИТОН СПРИНТ\""), "You're in: Питон Спринт"));
	CHECK(has(say(m, &bob, "sprint join \"питон спринт\""), "You're in: Питон Спринт"));
	mock_api_free(m);
}

/* Issue 13: a weekday reads as `day saturday` does, in join and in edit. */
TEST(weekday_words)
{
	char path[256];
	mock_api *m = start(tmp_db(path, sizeof(path)), NULL);
	say(m, &org, "sprint add Zoneinfo 5");
	CHECK(has(say(m, &org, "sprint edit Zoneinfo days=2026-11-28, 2026-11-29"), "Updated"));
	/* 2026-11-28 is a Saturday. */
	CHECK(has(say(m, &ann, "sprint join zoneinfo saturday"), "You're in: Zoneinfo on 2026-11-28"));
	CHECK(has(say(m, &bob, "sprint join zoneinfo Dimanche"), "You're in: Zoneinfo on 2026-11-29"));
	CHECK(has(say(m, &cat, "sprint join zoneinfo monday"), "does not run that day"));
	/* A day of the month, as every command reads one (lib/when.c). */
	CHECK(has(say(m, &cat, "sprint join zoneinfo 29/11/2026"), "You're in: Zoneinfo on 2026-11-29"));
	CHECK(has(say(m, &ann, "sprint join zoneinfo 30/11/2026"), "does not run that day"));
	/* An edit maps a weekday to the project's day, and never stores the word. */
	CHECK(has(say(m, &org, "sprint edit Zoneinfo day=sunday"), "People are signed up on 2026-11-28"));
	CHECK(has(say(m, &org, "sprint edit Zoneinfo day=monday"), "Days are dates such as"));
	/* A day phrase is stored as its date (lib/when.c), never as text. */
	CHECK(has(say(m, &org, "sprint edit Zoneinfo days=28/11/2026, 29/11/2026"), "Updated"));
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_projects WHERE days LIKE '%2026-11-29%'"),
		    1);
	CHECK(has(say(m, &org, "sprint edit Zoneinfo days=11/12/2026"), "Days are dates such as"));
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_projects WHERE days LIKE '%day%'"), 0);
	mock_api_free(m);
}

TEST(days)
{
	char path[256];
	mock_api *m = start(tmp_db(path, sizeof(path)), NULL);
	say(m, &org, "sprint add Ansible 1");
	say(m, &ann, "sprint join ansible");
	CHECK(has(say(m, &org, "sprint edit ansible days=2026-11-28, 2026-11-29 level=beginner"),
		  "Updated Ansible"));
	/* The signup made before days existed moved to the first day. */
	CHECK(has(say(m, &ann, "sprint mine"), "Ansible on 2026-11-28: confirmed"));
	CHECK(has(say(m, &bob, "sprint join ansible 2026-11-29"), "You're in: Ansible on 2026-11-29"));
	CHECK(has(say(m, &cat, "sprint join ansible 2"), "full, so you're on the waitlist"));
	CHECK(has(say(m, &cat, "sprint leave ansible 29"), "You left the waitlist for Ansible on 2026-11-29"));
	CHECK(has(say(m, &cat, "sprint join ansible 2026-12-01"),
		  "does not run that day. Its days: 2026-11-28, 2026-11-29."));
	CHECK(has(say(m, &cat, "sprints"),
		  "\"note\":\"level: beginner\\n2026-11-28 1/1 seats, 2026-11-29 1/1 seats\""));
	/* A day with signups cannot be dropped. */
	CHECK(has(say(m, &org, "sprint edit ansible day=2026-11-28"), "People are signed up on 2026-11-29"));
	CHECK(has(say(m, &cat, "sprint info ansible"), "2026-11-29 (1/1)\n"));
	mock_api_set_door(m, HW_DOOR_CHAT, 1);
	CHECK(has(say(m, &cat, "sprint info ansible"), "2026-11-29 (1/1): Bob"));
	mock_api_set_door(m, HW_DOOR_CHAT, 0);
	/* One-session projects refuse a day. */
	say(m, &org, "sprint add Solo");
	CHECK(has(say(m, &cat, "sprint join solo 2026-11-28"), "runs as one session"));
	mock_api_free(m);
}

TEST(edit_fields)
{
	char path[256];
	mock_api *m = start(tmp_db(path, sizeof(path)), NULL);
	const char *info;
	say(m, &org, "sprint add FeretUI");
	CHECK(has(say(m, &org, "sprint edit feretui title=Amélioration de FeretUI description=Un "
			       "framework UI leads=Jean-Sébastien Suzanne links=https://x.example/a, "
			       "https://x.example/b capacity=18"),
		  "Updated FeretUI."));
	info = say(m, &ann, "sprint info feretui");
	CHECK(has(info, "FeretUI: Amélioration de FeretUI"));
	CHECK(has(info, "Seats: 18"));
	CHECK(has(info, "Leads: Jean-Sébastien Suzanne"));
	CHECK(has(info, "Links: https://x.example/a, https://x.example/b"));
	CHECK(has(info, "Un framework UI"));
	CHECK(has(say(m, &org, "sprint edit feretui capacity=lots"), "capacity must be a number"));
	CHECK(has(say(m, &org, "sprint edit feretui color=red"), "Use key=value pairs"));
	CHECK(has(say(m, &org, "sprint edit feretui name=Feret UI 2"), "Updated FeretUI."));
	CHECK(has(say(m, &ann, "sprint info \"feret ui 2\""), "Feret UI 2: Amélioration"));
	mock_api_free(m);
}

TEST(forgiving_names)
{
	char path[256];
	mock_api *m = start(tmp_db(path, sizeof(path)), NULL);
	say(m, &org, "sprint add \"Contributions sur Django\" 5");
	say(m, &org, "sprint add \"Traduction de docs.python.org\" 5");
	say(m, &org, "sprint add \"Déjà Vu\" 5");
	say(m, &org, "sprint add \"Django Girls\" 5");
	CHECK(has(say(m, &ann, "sprint join \"CONTRIBUTIONS SUR DJANGO\""), "You're in: Contributions"));
	CHECK(has(say(m, &ann, "sprint join deja-vu"), "You're in: Déjà Vu"));
	CHECK(has(say(m, &ann, "sprint join DÉJÀ"), "already signed up: Déjà Vu"));
	CHECK(has(say(m, &ann, "sprint join traduction"), "You're in: Traduction"));
	/* "django" starts a word of two projects: ask. */
	CHECK(has(say(m, &ann, "sprint join django"),
		  "Did you mean: Contributions sur Django, Django Girls?"));
	CHECK(has(say(m, &ann, "sprint join girls"), "You're in: Django Girls"));
	/* A typo suggests, it does not act. */
	CHECK(has(say(m, &bob, "sprint join djnago"), "Did you mean: "));
	CHECK(has(say(m, &bob, "sprint join djnago"), "Django Girls"));
	CHECK(has(say(m, &bob, "sprint join zzzzzz"), "Run `sprints` to see them all."));
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_signups WHERE user_id = '102'"), 0);
	CHECK_INTEQ(mock_api_complete(m, "sprint join", "project", "dj"), 2);
	CHECK_STREQ(mock_api_choice(m, 0, NULL), "Contributions sur Django");
	CHECK_INTEQ(mock_api_complete(m, "sprint join", "project", "DÉJ"), 1);
	CHECK_INTEQ(mock_api_complete(m, "sprint join", "project", ""), 4);
	mock_api_free(m);
}

TEST(remove_with_confirmation)
{
	char path[256];
	mock_api *m = start(tmp_db(path, sizeof(path)), NULL);
	say(m, &org, "sprint add Empty");
	CHECK(has(say(m, &org, "sprint remove empty"), "Removed Empty; 0 signups archived."));
	say(m, &org, "sprint add Busy 1");
	say(m, &ann, "sprint join busy");
	say(m, &bob, "sprint join busy");
	CHECK(has(say(m, &org, "sprint remove busy"),
		  "Removing Busy would cancel 1 signup and 1 on the waitlist. To remove it anyway, "
		  "run `sprint remove \"Busy\" confirm`"));
	/* Destructive commands take the exact name, never a near miss. */
	CHECK(has(say(m, &org, "sprint remove bus confirm"),
		  "Did you mean Busy? To remove a project, give its exact name"));
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_signups"), 2);
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_signups"), 2);
	CHECK(has(say(m, &ann, "sprints"), "Busy"));
	CHECK(has(say(m, &org, "sprint remove busy confirm"), "Removed Busy; 2 signups archived."));
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_signups"), 0);
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_archive WHERE reason = 'removed'"), 2);
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_projects WHERE removed_ms IS NOT NULL"), 2);
	CHECK(has(say(m, &ann, "sprints"), "No sprint projects yet"));
	CHECK(has(say(m, &ann, "sprint join busy"), "No sprint project by that name"));
	/* The name is free again. */
	CHECK(has(say(m, &org, "sprint add Busy 3"), "Added Busy"));
	mock_api_free(m);
}

TEST(export_csv)
{
	char path[256];
	mock_api *m = start(tmp_db(path, sizeof(path)), NULL);
	const mock_user evil = {"104", "=HYPERLINK(\"http://x\"),\"Bob\"", 0};
	const mock_output *f;
	say(m, &org, "sprint add Django 1");
	mock_api_set_now(m, 1761814800000LL); /* 2025-10-30T09:00:00Z */
	say(m, &ann, "sprint join django");
	say(m, &evil, "sprint join django");
	mock_api_clear(m);
	REQUIRE(mock_api_chat(m, &org, "sprint export") == HW_OK);
	f = mock_api_last(m, MOCK_OUT_REPLY_FILE);
	REQUIRE(f != NULL);
	CHECK_STREQ(f->filename, "sprints.csv");
	CHECK(has(f->text, "2 rows"));
	CHECK_STREQ(f->data,
		    "project,day,user_id,display_name,status,signed_up_at\r\n"
		    "Django,,101,Ann,confirmed,2025-10-30T09:00:00Z\r\n"
		    "Django,,104,\"'=HYPERLINK(\"\"http://x\"\"),\"\"Bob\"\"\",waitlist,"
		    "2025-10-30T09:00:00Z\r\n");
	CHECK_INTEQ(f->len, strlen(f->data));
	mock_api_free(m);
}

TEST(organizer_only)
{
	char path[256];
	mock_api *m = start(tmp_db(path, sizeof(path)), NULL);
	say(m, &org, "sprint add Django");
	/* The host refuses... */
	CHECK_INTEQ(mock_api_chat(m, &ann, "sprint add Evil"), HW_ERR_DENIED);
	/* ...and the plugin does not rely on it. */
	mock_api_enforce_perms(m, 0);
	CHECK(has(say(m, &ann, "sprint add Evil"), "Only organizers can do that."));
	CHECK(has(say(m, &ann, "sprint edit django capacity=0"), "Only organizers"));
	CHECK(has(say(m, &ann, "sprint remove django confirm"), "Only organizers"));
	mock_api_clear(m);
	CHECK(has(say(m, &ann, "sprint export"), "Only organizers"));
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_REPLY_FILE), 0);
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_projects"), 1);
	CHECK_INTEQ(q_int(m, "SELECT capacity FROM sprints_projects"), 20);
	mock_api_free(m);
}

TEST(hostile_input)
{
	char path[256], *big, *bigname;
	mock_api *m = start(tmp_db(path, sizeof(path)), NULL);
	const char *args[3];
	mock_user u = {"105", NULL, 0};
	const char *r;
	size_t i;
	/* Format specifiers and SQL are just names. */
	args[0] = "%s%n%x%p";
	args[1] = NULL;
	args[2] = NULL;
	CHECK_INTEQ(mock_api_run(m, &org, "sprint add", 3, args), HW_OK);
	CHECK(has(mock_api_last_text(m, MOCK_OUT_REPLY), "Added %s%n%x%p with 20 seats"));
	args[0] = "'; DROP TABLE sprints_signups; --";
	CHECK_INTEQ(mock_api_run(m, &org, "sprint add", 3, args), HW_OK);
	args[0] = "Musique 🎼🎷 \xE2\x80\xAE" "evil\xE2\x80\xAC @everyone";
	CHECK_INTEQ(mock_api_run(m, &org, "sprint add", 3, args), HW_OK);
	r = mock_api_last_text(m, MOCK_OUT_REPLY);
	CHECK(has(r, "Musique 🎼🎷 evil @\xE2\x80\x8B" "everyone"));
	CHECK(strstr(r, "\xE2\x80\xAE") == NULL);
	/* 10 KB names are refused; 10 KB display names are stored cut. */
	big = malloc(10241);
	memset(big, 'A', 10240);
	big[10240] = 0;
	args[0] = big;
	CHECK_INTEQ(mock_api_run(m, &org, "sprint add", 3, args), HW_OK);
	CHECK(has(mock_api_last_text(m, MOCK_OUT_REPLY), "limited to 100 bytes"));
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_projects"), 3);
	args[0] = big;
	CHECK_INTEQ(mock_api_run(m, &ann, "sprint join", 1, args), HW_OK);
	CHECK(has(mock_api_last_text(m, MOCK_OUT_REPLY), "No sprint project by that name."));
	CHECK(strlen(mock_api_last_text(m, MOCK_OUT_REPLY)) < 200); /* not echoed */
	bigname = malloc(10241);
	for (i = 0; i + 4 <= 10240; i += 4)
		memcpy(bigname + i, "🎷", 4);
	bigname[i] = 0;
	u.name = bigname;
	args[0] = "%s%n%x%p";
	CHECK_INTEQ(mock_api_run(m, &u, "sprint join", 1, args), HW_OK);
	CHECK(has(mock_api_last_text(m, MOCK_OUT_REPLY), "You're in: %s%n%x%p"));
	args[0] = "drop table";
	CHECK_INTEQ(mock_api_run(m, &u, "sprint join", 1, args), HW_OK);
	CHECK(has(mock_api_last_text(m, MOCK_OUT_REPLY), "You're in: '; DROP TABLE"));
	/* Bytes, not characters: a BLOB's length on SQLite, octet_length on PostgreSQL. */
	CHECK_INTEQ(q_int(m, strcmp(mock_api_table(m)->db_engine(mock_api_self(m)), "sqlite")
				     ? "SELECT max(octet_length(user_name)) FROM sprints_signups"
				     : "SELECT max(length(CAST(user_name AS BLOB))) FROM sprints_signups"),
		    200);
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_signups"), 2);
	args[0] = "%s%n%x%p";
	args[1] = "%n%n%n";
	CHECK_INTEQ(mock_api_run(m, &u, "sprint join", 2, args), HW_OK);
	CHECK(has(mock_api_last_text(m, MOCK_OUT_REPLY), "runs as one session"));
	args[1] = "title=%n%n description='); DELETE FROM sprints_projects; --";
	CHECK_INTEQ(mock_api_run(m, &org, "sprint edit", 2, args), HW_OK);
	args[1] = NULL;
	CHECK_INTEQ(mock_api_run(m, &u, "sprint info", 1, args), HW_OK);
	CHECK(has(mock_api_last_text(m, MOCK_OUT_REPLY), "'); DELETE FROM sprints_projects; --"));
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_projects"), 3);
	args[0] = "\xFF\xFE";
	CHECK_INTEQ(mock_api_run(m, &org, "sprint add", 1, args), HW_OK);
	CHECK(has(mock_api_last_text(m, MOCK_OUT_REPLY), "no letters or digits"));
	CHECK(mock_api_chat(m, &org, "sprint export") == HW_OK);
	CHECK(has(mock_api_last(m, MOCK_OUT_REPLY_FILE)->data, "'; DROP TABLE"));
	CHECK(has(say(m, &u, "sprints"), "\"title\":\"Sprint projects\""));
	/* A tab in a name: refused, as `sprint add` and `sprint edit name=`
	 * (fuzz_plugin_commands once found `sprints` answering HW_ERR_INVALID:
	 * its menu offered the name as a command value, which the reply model
	 * refuses; the reply was "Sorry, something went wrong"). */
	args[0] = "a\tb";
	CHECK_INTEQ(mock_api_run(m, &org, "sprint add", 1, args), HW_OK);
	CHECK(has(mock_api_last_text(m, MOCK_OUT_REPLY), "without tabs"));
	args[0] = "%s%n%x%p";
	args[1] = "name=x\ty";
	CHECK_INTEQ(mock_api_run(m, &org, "sprint edit", 2, args), HW_OK);
	CHECK(has(mock_api_last_text(m, MOCK_OUT_REPLY), "without tabs"));
	/* One stored before names were checked (or from a feed) is listed
	 * but not offered in the menu; a control character in the words
	 * parts them like a space, so "Show more" runs a clean line. */
	CHECK_INTEQ(q_int(m, strcmp(mock_api_table(m)->db_engine(mock_api_self(m)), "sqlite")
			     ? "UPDATE sprints_projects SET name = 'tab' || chr(9) || 'name'"
			       " WHERE name = '%s%n%x%p' RETURNING 1"
			     : "UPDATE sprints_projects SET name = 'tab' || char(9) || 'name'"
			       " WHERE name = '%s%n%x%p' RETURNING 1"),
		    1);
	r = say(m, &u, "sprints");
	CHECK(has(r, "\"title\":\"tab\\tname\""));
	CHECK(!has(r, "\"value\":\"tab\\tname\""));
	CHECK(has(r, "\"value\":\"Musique"));
	for (i = 0; i < 30; i++) {
		char line[64];
		snprintf(line, sizeof(line), "sprint add Extra%02zu", i);
		say(m, &org, line);
	}
	r = say(m, &u, "sprints extra\tpage=1");
	CHECK(has(r, "\"command\":\"sprints extra page=2\""));
	free(big);
	free(bigname);
	mock_api_free(m);
}

static char *feed_config(const char *extra)
{
	char path[4096], *cfg = malloc(8192);
	snprintf(cfg, 8192,
		 "{\"default_capacity\": 7, \"feed\": {\"source\": \"%s\", \"default_capacity\": 20}%s}",
		 test_shared_path(path, sizeof(path), "schedules/pyconfr2025-pretalx-api.json"),
		 extra ? extra : "");
	return cfg;
}

TEST(feed_import_and_merge)
{
	char path[256], *cfg = feed_config(
		", \"projects\": [{\"name\": \"Local\", \"capacity\": 3, \"days\": [\"2025-10-31\"],"
		" \"leads\": [\"Zoé\"], \"links\": [\"https://example.org\"], \"level\": \"advanced\"},"
		" {\"capacity\": 4}, {\"name\": \"Neg\", \"capacity\": -1}]");
	mock_api *m = start(tmp_db(path, sizeof(path)), cfg);
	const char *r;
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_projects WHERE source = 'feed'"), 9);
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_projects WHERE source = 'config'"), 1);
	CHECK(mock_api_log_errors(m) >= 2); /* the two bad config entries */
	r = say(m, &ann, "sprints");
	CHECK(has(r, "\"note\":\"leads: Thibaud Colas, Sarah Abderemane, Ariane Djeupang \xC2\xB7 "
		     "level: any\\n2025-10-30 0/36 seats, 2025-10-31 0/36 seats\",\"title\":"
		     "\"Contributions sur Django\""));
	CHECK(has(r, "{\"capacity\":3,\"count\":0,\"kind\":\"sprint\",\"note\":\"leads: Zoé \xC2\xB7 "
		     "level: advanced \xC2\xB7 on 2025-10-31\",\"title\":\"Local\""));
	CHECK(has(say(m, &ann, "sprint join mercurial 2"), "You're in: Gestionnaire de versions "
							     "Mercurial on 2025-10-31 (1/30"));
	CHECK(has(say(m, &bob, "sprint join \"py edu\""), "You're in: py-edu-fr on 2025-10-30"));
	CHECK(has(say(m, &bob, "sprint info musique"), "Gestion de groupe de musique 🎼🎷"));
	/* An organizer's edit survives refreshes. Changing a project takes its
	 * exact name, never a prefix: the reply gives it. */
	{
		char cmd[300];
		CHECK(exact_name(say(m, &org, "sprint edit ansible capacity=5"), "edit", "capacity=5",
				 cmd, sizeof(cmd)));
		CHECK(has(say(m, &org, cmd), "Updated "));
	}
	mock_api_free(m);
	/* Restart: the feed and config merge again; nothing is duplicated or lost. */
	m = start(path, cfg);
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_projects"), 10);
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_signups"), 2);
	CHECK_INTEQ(q_int(m, "SELECT capacity FROM sprints_projects WHERE source_id = 'TTTYHG'"), 5);
	CHECK(has(say(m, &ann, "sprint mine"), "Mercurial on 2025-10-31: confirmed"));
	mock_api_free(m);
	free(cfg);
}

TEST(feed_change_keeps_signups)
{
	/* A feed whose project moves to another day and loses a lead: the
	 * metadata follows, the signup and its day stay. */
	static const char *const v1 =
		"[{\"code\":\"X1\",\"title\":\"Alpha\",\"submission_type\":{\"name\":{\"en\":\"Sprint\"}},"
		"\"speakers\":[{\"name\":\"Ann\"},{\"name\":\"Bob\"}],"
		"\"slots\":[{\"start\":\"2026-01-10T10:00:00+01:00\",\"room\":{\"capacity\":2}}]},"
		"{\"code\":\"X2\",\"title\":\"Beta\",\"submission_type\":{\"name\":{\"en\":\"Sprint\"}}}]";
	static const char *const v2 =
		"[{\"code\":\"X1\",\"title\":\"Alpha\",\"submission_type\":{\"name\":{\"en\":\"Sprint\"}},"
		"\"speakers\":[{\"name\":\"Ann\"}],"
		"\"slots\":[{\"start\":\"2026-01-11T10:00:00+01:00\",\"room\":{\"capacity\":4}}]}]";
	char path[256];
	mock_api *m = start(tmp_db(path, sizeof(path)),
			    "{\"feed\": {\"source\": \"https://cfp.example/api/submissions/\","
			    " \"refresh_seconds\": 60}}");
	CHECK_INTEQ(mock_api_http_requests(m), 1);
	mock_api_http_respond(m, "https://cfp.example/api/submissions/", 200, v1);
	CHECK(mock_api_pump(m) >= 1); /* the response, then its units of work */
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_projects"), 2);
	CHECK(has(say(m, &cat, "sprint join alpha"), "You're in: Alpha on 2026-01-10 (1/2"));
	mock_api_http_respond(m, "https://cfp.example/api/submissions/", 200, v2);
	mock_api_advance(m, 60000);
	CHECK_INTEQ(mock_api_http_requests(m), 2);
	mock_api_pump(m);
	/* The canned responses are matched in order; the newest wins. */
	CHECK(has(say(m, &cat, "sprint info alpha"), "Seats: 4 per day"));
	CHECK(has(say(m, &cat, "sprint info alpha"), "Leads: Ann\n"));
	CHECK(has(say(m, &cat, "sprint mine"), "Alpha on 2026-01-10: confirmed"));
	CHECK(has(say(m, &cat, "sprints"), "2026-01-11 0/4 seats, 2026-01-10 1/4 seats"));
	/* Beta vanished from the feed but is not deleted. */
	CHECK(has(say(m, &cat, "sprints"), "Beta"));
	/* A failing refresh changes nothing. */
	mock_api_http_respond(m, "https://cfp.example/api/submissions/", 500, "oops");
	mock_api_advance(m, 60000);
	mock_api_pump(m);
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_projects"), 2);
	mock_api_free(m);
}

TEST(removed_stays_removed)
{
	char path[256], *cfg = feed_config(NULL);
	mock_api *m = start(tmp_db(path, sizeof(path)), cfg);
	{
		char cmd[300];
		CHECK(exact_name(say(m, &org, "sprint remove mercurial"), "remove", "confirm", cmd,
				 sizeof(cmd)));
		CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_projects WHERE removed_ms IS NULL"), 9);
		CHECK(has(say(m, &org, cmd), "Removed Gestionnaire de versions Mercurial"));
	}
	mock_api_free(m);
	m = start(path, cfg);
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_projects WHERE removed_ms IS NULL"), 8);
	mock_api_free(m);
	free(cfg);
}

TEST(dm_outbox_survives_failure)
{
	char path[256];
	mock_api *m = start(tmp_db(path, sizeof(path)), NULL);
	say(m, &org, "sprint add Tiny 1");
	say(m, &ann, "sprint join tiny");
	say(m, &bob, "sprint join tiny");
	mock_api_fail_sends(m, 500);
	say(m, &ann, "sprint leave tiny");
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_DM), 0);
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_outbox"), 1);
	mock_api_fail_sends(m, 0);
	mock_api_advance(m, 60000); /* the retry timer */
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_DM), 1);
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_outbox"), 0);
	/* A final refusal (403: the attendee does not accept DMs) is not
	 * retried for the rest of the week; the promotion itself stands. */
	say(m, &ann, "sprint join tiny"); /* waitlisted behind bob */
	mock_api_fail_sends(m, 403);
	say(m, &bob, "sprint leave tiny");
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_outbox"), 0);
	mock_api_fail_sends(m, 0);
	mock_api_advance(m, 120000);
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_DM), 1); /* no retry went out */
	/* A DM owed when the process died goes out at the next start. */
	CHECK_INTEQ(q_int(m, "INSERT INTO sprints_outbox(user_id, text, created_ms, attempt_ms)"
			     " VALUES('103', 'owed', 1, 1) RETURNING 1"), 1);
	mock_api_free(m);
	m = start(path, NULL);
	CHECK_STREQ(mock_api_last_text(m, MOCK_OUT_DM), "owed");
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_outbox"), 0);
	mock_api_free(m);
}

TEST(two_instances_share_seats)
{
	/* Two plugin instances (two connections to one file): seats counted in
	 * the transaction, never cached. */
	char path[256];
	mock_api *a = start(tmp_db(path, sizeof(path)), NULL);
	mock_api *b;
	say(a, &org, "sprint add Last 1");
	b = start(path, NULL);
	CHECK(has(say(a, &ann, "sprint join last"), "You're in"));
	CHECK(has(say(b, &bob, "sprint join last"), "waitlist at position 1"));
	CHECK(has(say(b, &ann, "sprint join last"), "already signed up"));
	CHECK(has(say(a, &ann, "sprint leave last"), "Your seat went"));
	CHECK_STREQ(mock_api_last(a, MOCK_OUT_DM)->target, "102");
	CHECK(has(say(b, &bob, "sprint mine"), "confirmed"));
	/* The trigger refuses a seat beyond capacity even from raw SQL. */
	CHECK_INTEQ(q_int(b, "INSERT INTO sprints_signups(project_id, day, user_id, user_name,"
			     " status, created_ms, updated_ms)"
			     " VALUES(1, '', 'x', 'x', 'confirmed', 0, 0) RETURNING 1"), -1);
	CHECK_INTEQ(q_int(b, "SELECT count(*) FROM sprints_signups WHERE user_id = 'x'"), 0);
	mock_api_free(b);
	mock_api_free(a);
}

TEST(config_capacity_raise_promotes)
{
	/* Issue 15: capacity 1, Ann confirmed, Bob then Cat waiting; the config
	 * raises it to 3 and the plugin reloads (SIGHUP). Bob and Cat take the
	 * new seats in order, with DMs, before Dan can join. */
	static const mock_user dan = {"104", "Dan", 0};
	char path[256];
	mock_api *m = start(tmp_db(path, sizeof(path)),
			    "{\"projects\": [{\"name\": \"CPython\", \"capacity\": 1}]}");
	CHECK(has(say(m, &ann, "sprint join cpython"), "You're in"));
	CHECK(has(say(m, &bob, "sprint join cpython"), "waitlist at position 1"));
	CHECK(has(say(m, &cat, "sprint join cpython"), "waitlist at position 2"));
	mock_api_free(m);
	m = start(path, "{\"projects\": [{\"name\": \"CPython\", \"capacity\": 3}]}");
	REQUIRE(mock_api_output_count(m, MOCK_OUT_DM) == 2);
	CHECK_STREQ(mock_api_output(m, MOCK_OUT_DM, 0)->target, "102");
	CHECK_STREQ(mock_api_output(m, MOCK_OUT_DM, 1)->target, "103");
	CHECK(has(mock_api_output(m, MOCK_OUT_DM, 0)->text, "now confirmed for the CPython sprint"));
	CHECK_INTEQ(q_int(m, "SELECT count(*) FROM sprints_outbox"), 0);
	CHECK(has(say(m, &bob, "sprint mine"), "CPython: confirmed"));
	CHECK(has(say(m, &cat, "sprint mine"), "CPython: confirmed"));
	CHECK(has(say(m, &dan, "sprint join cpython"), "waitlist at position 1"));
	/* The same config again promotes nobody and sends nothing. */
	mock_api_free(m);
	m = start(path, "{\"projects\": [{\"name\": \"CPython\", \"capacity\": 3}]}");
	CHECK_INTEQ(mock_api_output_count(m, MOCK_OUT_DM), 0);
	CHECK(has(say(m, &dan, "sprint mine"), "waitlist position 1"));
	mock_api_free(m);
}

TEST(feed_capacity_raise_promotes)
{
	/* A feed refresh whose room got bigger promotes the waitlist of every
	 * day with signups, and the DMs go out right away. */
	static const char *const v1 =
		"[{\"code\":\"X1\",\"title\":\"Alpha\",\"submission_type\":{\"name\":{\"en\":\"Sprint\"}},"
		"\"slots\":[{\"start\":\"2026-01-10T10:00:00+01:00\",\"room\":{\"capacity\":1}}]}]";
	static const char *const v2 =
		"[{\"code\":\"X1\",\"title\":\"Alpha\",\"submission_type\":{\"name\":{\"en\":\"Sprint\"}},"
		"\"slots\":[{\"start\":\"2026-01-10T10:00:00+01:00\",\"room\":{\"capacity\":2}}]}]";
	char path[256];
	mock_api *m = start(tmp_db(path, sizeof(path)),
			    "{\"feed\": {\"source\": \"https://cfp.example/api/submissions/\","
			    " \"refresh_seconds\": 60}}");
	mock_api_http_respond(m, "https://cfp.example/api/submissions/", 200, v1);
	CHECK(mock_api_pump(m) >= 1);
	CHECK(has(say(m, &ann, "sprint join alpha"), "You're in"));
	CHECK(has(say(m, &bob, "sprint join alpha"), "waitlist at position 1"));
	mock_api_http_respond(m, "https://cfp.example/api/submissions/", 200, v2);
	mock_api_advance(m, 60000);
	mock_api_pump(m);
	REQUIRE(mock_api_output_count(m, MOCK_OUT_DM) == 1);
	CHECK_STREQ(mock_api_last(m, MOCK_OUT_DM)->target, "102");
	CHECK(has(say(m, &bob, "sprint mine"), "Alpha on 2026-01-10: confirmed"));
	CHECK(has(say(m, &cat, "sprint join alpha"), "waitlist at position 1"));
	mock_api_free(m);
}

TEST(table_prefix_enforced)
{
	/* The mock's authorizer plays the host: other tables are off limits. */
	char path[256];
	mock_api *m = start(tmp_db(path, sizeof(path)), NULL);
	CHECK(sqlite3_exec(mock_api_db(m), "CREATE TABLE other(x)", NULL, NULL, NULL) != SQLITE_OK);
	mock_api_free(m);
}

int main(void)
{
	RUN(commands_registered);
	RUN(join_leave_idempotent);
	RUN(waitlist_and_promotion);
	RUN(days);
	RUN(weekday_words);
	RUN(old_folds_are_refreshed);
	RUN(edit_fields);
	RUN(forgiving_names);
	RUN(remove_with_confirmation);
	RUN(export_csv);
	RUN(organizer_only);
	RUN(hostile_input);
	RUN(feed_import_and_merge);
	RUN(feed_change_keeps_signups);
	RUN(removed_stays_removed);
	RUN(dm_outbox_survives_failure);
	RUN(two_instances_share_seats);
	RUN(config_capacity_raise_promotes);
	RUN(feed_capacity_raise_promotes);
	RUN(table_prefix_enforced);
	return test_summary();
}
