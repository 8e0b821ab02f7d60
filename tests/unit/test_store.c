/*
 * The storage API's SQLite engine (bot/store*.c) on a real file: units of
 * work commit or leave nothing, statements are cached by text, the first
 * error sticks, the per-plugin rule holds, the storage thread runs bodies
 * in order, and the mock host defers done() like the daemon.
 */
#include "mock_api.h"
#include "storage.h"
#include "store_sqlite.h"
#include "testlib.h"
#include "work.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const hw_api *api; /* the statement calls, as a plugin gets them */
static hw_api table;

struct tmpdb {
	char dir[64];
	char path[128];
};

static void tmpdb_make(struct tmpdb *t)
{
	snprintf(t->dir, sizeof(t->dir), "/tmp/hw-store-XXXXXX");
	if (!mkdtemp(t->dir))
		abort();
	snprintf(t->path, sizeof(t->path), "%s/hallway.db", t->dir);
}

static void tmpdb_remove(struct tmpdb *t)
{
	char p[160];
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s%s", t->path, suffix[i]);
		unlink(p);
	}
	rmdir(t->dir);
}

static const char *const alpha_steps[] = {
	"CREATE TABLE alpha_item(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, note TEXT)",
};
static const char *const beta_steps[] = {"CREATE TABLE beta_item(id INTEGER PRIMARY KEY)"};

/* An open database with plugin "alpha" migrated and its session. */
struct fixture {
	struct tmpdb t;
	struct storage *st;
	struct storage_plugin_db *pdb, *beta;
	store_run_fn run;
	void *sess;
};

static int fixture_open(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	tmpdb_make(&f->t);
	if (storage_open(f->t.path, &f->st) || storage_plugin_open(f->st, "alpha", &f->pdb) ||
	    storage_plugin_migrate(f->pdb, alpha_steps, 1) ||
	    storage_plugin_open(f->st, "beta", &f->beta) ||
	    storage_plugin_migrate(f->beta, beta_steps, 1) ||
	    storage_plugin_session(f->pdb, &f->run, &f->sess))
		return -1;
	return 0;
}

static void fixture_close(struct fixture *f)
{
	storage_plugin_close(f->pdb);
	storage_plugin_close(f->beta);
	storage_close(f->st);
	tmpdb_remove(&f->t);
}

static int run(struct fixture *f, hw_tx_fn body, void *ud, char *err)
{
	char buf[STORE_ERR_MAX];
	return f->run(f->sess, body, NULL, ud, err ? err : buf, STORE_ERR_MAX);
}

static int64_t count_items(hw_tx *tx)
{
	hw_stmt *s = api->db_prepare(tx, "SELECT count(*) FROM alpha_item");
	return api->db_step(s) == HW_ROW ? api->db_col_int(s, 0) : -1;
}

static int insert(hw_tx *tx, const char *name, const char *note)
{
	hw_stmt *s = api->db_prepare(tx, "INSERT INTO alpha_item(name, note) VALUES (?, ?) "
					 "ON CONFLICT (name) DO NOTHING RETURNING id");
	int rc;
	api->db_bind_text(s, 1, name);
	api->db_bind_text(s, 2, note);
	rc = api->db_step(s);
	if (rc == HW_ROW)
		rc = api->db_step(s);
	return rc == HW_DONE ? HW_OK : rc;
}

struct seen {
	int64_t n, changes;
	char names[128];
	int null_note;
	hw_stmt *first, *second;
};

static int body_insert_two(hw_plugin *self, hw_tx *tx, void *ud)
{
	struct seen *s = ud;
	int rc;
	(void)self;
	if ((rc = insert(tx, "ada", NULL)) || (rc = insert(tx, "bob", "hi")))
		return rc;
	s->changes = api->db_changes(tx);
	return HW_OK;
}

static int body_read(hw_plugin *self, hw_tx *tx, void *ud)
{
	struct seen *s = ud;
	hw_stmt *st = api->db_prepare(tx, "SELECT name, note FROM alpha_item WHERE id > ? ORDER BY name");
	int rc;
	(void)self;
	s->first = st;
	s->names[0] = '\0';
	api->db_bind_int(st, 1, 0);
	while ((rc = api->db_step(st)) == HW_ROW) {
		strncat(s->names, api->db_col_text(st, 0), sizeof(s->names) - strlen(s->names) - 2);
		strcat(s->names, ",");
		if (api->db_col_is_null(st, 1) && !api->db_col_text(st, 1))
			s->null_note++;
	}
	/* The same text again: the same statement, reset, bindings cleared
	 * (an unbound ? is NULL, so no row). */
	s->second = api->db_prepare(tx, "SELECT name, note FROM alpha_item WHERE id > ? ORDER BY name");
	if (api->db_step(s->second) != HW_DONE)
		return HW_ERR_PLUGIN;
	s->n = count_items(tx);
	return rc == HW_DONE ? HW_OK : rc;
}

TEST(commit_read_cache)
{
	struct fixture f;
	struct seen s = {0};
	REQUIRE(fixture_open(&f) == 0);
	CHECK_INTEQ(run(&f, body_insert_two, &s, NULL), HW_OK);
	CHECK_INTEQ(s.changes, 1);
	CHECK_INTEQ(run(&f, body_read, &s, NULL), HW_OK);
	CHECK_STREQ(s.names, "ada,bob,");
	CHECK_INTEQ(s.null_note, 1);
	CHECK(s.first && s.first == s.second);
	CHECK_INTEQ(s.n, 2);
	/* ON CONFLICT DO NOTHING: a second run changes nothing. */
	CHECK_INTEQ(run(&f, body_insert_two, &s, NULL), HW_OK);
	CHECK_INTEQ(s.changes, 0);
	fixture_close(&f);
}

static int body_insert_then_fail(hw_plugin *self, hw_tx *tx, void *ud)
{
	int *mode = ud;
	hw_stmt *s;
	(void)self;
	insert(tx, "carl", NULL);
	switch (*mode) {
	case 0: /* the body says no */
		return HW_ERR_NOT_FOUND;
	case 1: /* a unique constraint */
		s = api->db_prepare(tx, "INSERT INTO alpha_item(name) VALUES (?)");
		api->db_bind_text(s, 1, "ada");
		if (api->db_step(s) != HW_ERR_CONFLICT)
			return HW_ERR_PLUGIN;
		/* The error sticks: later calls fail the same way. */
		if (api->db_prepare(tx, "SELECT 1") || count_items(tx) != -1)
			return HW_ERR_PLUGIN;
		return HW_OK; /* rolled back anyway */
	case 2: /* bad SQL */
		if (api->db_prepare(tx, "SELEC nonsense"))
			return HW_ERR_PLUGIN;
		return HW_OK;
	case 3: /* another plugin's table */
		s = api->db_prepare(tx, "SELECT count(*) FROM beta_item");
		return s ? HW_ERR_PLUGIN : HW_OK;
	case 4: /* ending the host's transaction, or two statements */
		if (api->db_prepare(tx, " /* x */ COMMIT") ||
		    api->db_prepare(tx, "SELECT 1; DELETE FROM alpha_item"))
			return HW_ERR_PLUGIN;
		return HW_OK;
	case 5: /* NOT NULL */
		s = api->db_prepare(tx, "INSERT INTO alpha_item(name) VALUES (?)");
		api->db_bind_text(s, 1, NULL);
		return api->db_step(s);
	case 6: /* a placeholder that is not there */
		s = api->db_prepare(tx, "SELECT ?");
		return api->db_bind_int(s, 2, 1);
	default:
		return HW_OK;
	}
}

static int body_count(hw_plugin *self, hw_tx *tx, void *ud)
{
	(void)self;
	*(int64_t *)ud = count_items(tx);
	return HW_OK;
}

TEST(errors_leave_nothing)
{
	static const int want[] = {HW_ERR_NOT_FOUND, HW_ERR_CONFLICT, HW_ERR_STORAGE, HW_ERR_DENIED,
				   HW_ERR_INVALID,   HW_ERR_INVALID,  HW_ERR_INVALID};
	hw_tx probe = {0};
	struct fixture f;
	struct seen s = {0};
	char err[STORE_ERR_MAX];
	REQUIRE(fixture_open(&f) == 0);
	REQUIRE(run(&f, body_insert_two, &s, NULL) == HW_OK);
	for (int mode = 0; mode < 7; mode++) {
		int64_t n = -1;
		err[0] = '\0';
		CHECK_INTEQ(run(&f, body_insert_then_fail, &mode, err), want[mode]);
		CHECK(err[0] != '\0');
		CHECK_INTEQ(run(&f, body_count, &n, NULL), HW_OK);
		CHECK_INTEQ(n, 2); /* "carl" never stays */
	}
	/* Only the first error is kept. */
	CHECK_INTEQ(store_tx_fail(&probe, HW_ERR_CONFLICT, "first %d", 1), HW_ERR_CONFLICT);
	CHECK_INTEQ(store_tx_fail(&probe, HW_ERR_STORAGE, "second"), HW_ERR_CONFLICT);
	CHECK_STREQ(probe.err, "first 1");
	CHECK(store_sql_is_tx_control("-- c\n  begin immediate"));
	CHECK(store_sql_is_tx_control("Release sp"));
	CHECK(!store_sql_is_tx_control("SELECT 'COMMIT'"));
	CHECK(!store_sql_is_tx_control("ENDING"));
	fixture_close(&f);
}

/* Another connection holds the write lock: the unit of work is refused as
 * unavailable (after the connection's busy timeout), nothing written. */
TEST(busy_is_unavailable)
{
	struct fixture f;
	sqlite3 *other = NULL, *mine = NULL;
	struct store_sqlite *sess;
	struct seen s = {0};
	REQUIRE(fixture_open(&f) == 0);
	REQUIRE(sqlite3_open(f.t.path, &other) == SQLITE_OK);
	REQUIRE(sqlite3_open(f.t.path, &mine) == SQLITE_OK);
	sqlite3_busy_timeout(mine, 50);
	REQUIRE((sess = store_sqlite_new(mine)) != NULL);
	REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK);
	CHECK_INTEQ(store_sqlite_run(sess, body_insert_two, NULL, &s, NULL, 0), HW_ERR_UNAVAILABLE);
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	CHECK_INTEQ(store_sqlite_run(sess, body_insert_two, NULL, &s, NULL, 0), HW_OK);
	store_sqlite_free(sess);
	sqlite3_close(mine);
	sqlite3_close(other);
	fixture_close(&f);
}

/* ---- the storage thread ---- */

struct order {
	struct fixture *f;
	int i;
	int rc;
	int *log;
	int *nlog;
	int finished;
};

static int body_append(hw_plugin *self, hw_tx *tx, void *ud)
{
	struct order *o = ud;
	char name[16];
	(void)self;
	snprintf(name, sizeof(name), "n%03d", o->i);
	return insert(tx, name, NULL);
}

static void order_run(void *arg)
{
	struct order *o = arg;
	o->rc = run(o->f, body_append, o, NULL);
}

static void order_done(void *arg, int cancelled)
{
	struct order *o = arg;
	(void)cancelled;
	o->log[(*o->nlog)++] = o->i;
	o->finished = 1;
}

TEST(thread_in_order)
{
	struct fixture f;
	struct order o[50];
	int log[50], nlog = 0;
	int64_t n = -1;
	REQUIRE(fixture_open(&f) == 0);
	REQUIRE(storage_start(f.st, NULL) == 0);
	for (int i = 0; i < 50; i++) {
		o[i] = (struct order){&f, i, -99, log, &nlog, 0};
		REQUIRE(work_submit(storage_pool(f.st), order_run, order_done, &o[i]) != 0);
	}
	for (int spins = 0; nlog < 50 && spins < 20000; spins++) {
		storage_drain(f.st);
		usleep(1000);
	}
	REQUIRE(nlog == 50);
	for (int i = 0; i < 50; i++) {
		CHECK_INTEQ(log[i], i);
		CHECK_INTEQ(o[i].rc, HW_OK);
	}
	CHECK_INTEQ(run(&f, body_count, &n, NULL), HW_OK);
	CHECK_INTEQ(n, 50);
	/* Closing the plugin queues the session's close behind running work;
	 * storage_close completes it. */
	fixture_close(&f);
}

/* ---- through the mock host: what a plugin sees ---- */

struct pl {
	const hw_api *api;
	int done_calls;
	int last_status;
	int in_handler;
	int done_inside_handler;
};

static struct pl pl;

static int pl_body(hw_plugin *self, hw_tx *tx, void *ud)
{
	const char *name = ud;
	hw_stmt *s = pl.api->db_prepare(tx, "INSERT INTO fx_seen(name) VALUES (?) "
					    "ON CONFLICT (name) DO NOTHING");
	(void)self;
	pl.api->db_bind_text(s, 1, name);
	return pl.api->db_step(s) == HW_DONE ? HW_OK : HW_ERR_STORAGE;
}

static void pl_done(hw_plugin *self, int status, void *ud)
{
	free(ud);
	pl.done_calls++;
	pl.last_status = status;
	if (pl.in_handler)
		pl.done_inside_handler++;
	pl.api->reply(self, NULL, status == HW_OK ? "saved" : "not saved");
}

static int pl_cmd(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	char *name = strdup(inv->argv[0].str);
	int rc;
	(void)ud;
	pl.in_handler = 1;
	rc = pl.api->db_run(self, pl_body, pl_done, name);
	pl.in_handler = 0;
	if (rc != HW_OK)
		free(name);
	return rc;
}

static int pl_init(hw_plugin *self, const hw_api *a)
{
	static const char *const steps[] = {"CREATE TABLE fx_seen(name TEXT PRIMARY KEY)"};
	static const hw_arg_spec args[] = {{"name", HW_ARG_STRING, 1, "a name", 0}};
	hw_command_spec spec = {0};
	int rc;
	pl.api = a;
	if (strcmp(a->db_engine(self), "sqlite"))
		return HW_ERR_PLUGIN;
	if ((rc = a->db_migrate(self, steps, 1)))
		return rc;
	spec.struct_size = sizeof(spec);
	spec.name = "seen";
	spec.summary = "remember a name";
	spec.args = args;
	spec.nargs = 1;
	spec.fn = pl_cmd;
	return a->command_add(self, &spec);
}

static const hw_plugin_desc pl_desc = {sizeof(hw_plugin_desc), HW_ABI_MAJOR, HW_ABI_MINOR,
				       sizeof(hw_api), "fx", "1.0", "test", pl_init, NULL,
				       NULL, {NULL}};

TEST(mock_defers_done)
{
	struct tmpdb t;
	mock_api *m;
	mock_user u = {"1", "Ada", 0};
	tmpdb_make(&t);
	memset(&pl, 0, sizeof(pl));
	REQUIRE((m = mock_api_new("fx", NULL, t.path)) != NULL);
	REQUIRE(mock_api_load(m, &pl_desc) == HW_OK);
	CHECK_INTEQ(mock_api_chat(m, &u, "seen ada"), HW_OK);
	CHECK_INTEQ(pl.done_calls, 1);
	CHECK_INTEQ(pl.done_inside_handler, 0);
	CHECK_INTEQ(pl.last_status, HW_OK);
	/* Held: nothing runs until settled. */
	mock_api_db_hold(m, 1);
	CHECK_INTEQ(mock_api_chat(m, &u, "seen bob"), HW_OK);
	CHECK_INTEQ(mock_api_db_pending(m), 1);
	CHECK_INTEQ(pl.done_calls, 1);
	CHECK_INTEQ(mock_api_db_settle(m), 1);
	CHECK_INTEQ(pl.done_calls, 2);
	/* The database away: done() says so, nothing written. */
	mock_api_db_hold(m, 0);
	mock_api_db_fail(m, HW_ERR_UNAVAILABLE);
	CHECK_INTEQ(mock_api_chat(m, &u, "seen cy"), HW_OK);
	CHECK_INTEQ(pl.last_status, HW_ERR_UNAVAILABLE);
	mock_api_db_fail(m, 0);
	{
		sqlite3_stmt *s = NULL;
		REQUIRE(sqlite3_prepare_v2(mock_api_db(m), "SELECT group_concat(name) FROM fx_seen",
					   -1, &s, NULL) == SQLITE_OK);
		REQUIRE(sqlite3_step(s) == SQLITE_ROW);
		CHECK_STREQ((const char *)sqlite3_column_text(s, 0), "ada,bob");
		sqlite3_finalize(s);
	}
	/* Unloading with work queued: done() still comes, unavailable. */
	mock_api_db_hold(m, 1);
	CHECK_INTEQ(mock_api_chat(m, &u, "seen dee"), HW_OK);
	mock_api_unload(m);
	CHECK_INTEQ(pl.done_calls, 4);
	CHECK_INTEQ(pl.last_status, HW_ERR_UNAVAILABLE);
	mock_api_free(m);
	tmpdb_remove(&t);
}

int main(void)
{
	store_api_fill(&table);
	api = &table;
	RUN(commit_read_cache);
	RUN(errors_leave_nothing);
	RUN(busy_is_unavailable);
	RUN(thread_in_order);
	RUN(mock_defers_done);
	return test_summary();
}
