/*
 * Storage: the host database and the per-plugin connections to it.
 *
 * Durability: WAL with synchronous=FULL, so a commit that returned has
 * been fsync'd to the WAL and survives a SIGKILL or a power cut.
 *
 * Isolation: every plugin gets its own connection with an authorizer
 * (plugin_authorize below) that admits only objects named "<plugin>_*".
 * Plugins are native code in our process, so this is a guard rail against
 * mistakes (a typo'd table name, a copy-pasted migration), not a sandbox.
 * Known gaps, from SQLite itself: columns compared by a NATURAL JOIN or
 * JOIN ... USING are never shown to the authorizer, so "SELECT a.* FROM
 * alpha_t a JOIN beta_t USING (id)" tells alpha which ids beta has; and a
 * plugin may DELETE rows of sqlite_sequence/sqlite_stat1 (DROP TABLE and
 * ANALYZE need it), resetting another plugin's AUTOINCREMENT high-water
 * mark or planner statistics.
 */
#include "storage.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "lease.h"
#include "log.h"
#include "store_pg.h"
#include "store_sqlite.h"
#include "work.h"

static int meta_add_time(sqlite3 *db, const char *path);

#define STORAGE_BUSY_MS 5000 /* every connection waits this long for a lock ... */
#define STORAGE_META_BUSY_MS 100 /* ... but the host's, once open (hw_meta on the loop) */
#define MOD "storage"
#define PLUGIN_NAME_MAX 32

struct storage {
	sqlite3 *db;
	char *path;
	struct work *pool; /* the storage thread: db_run bodies (storage_start) */
	_Atomic int own_tx; /* our units of work holding the SQLite write lock (store_sqlite.c) */
	/* storage.url is PostgreSQL: plugins' units of work and migrations
	 * go there (the file above keeps the host's own hw_meta). */
	struct store_pg *pg;
	char *pg_url;
	/* Who may write on PostgreSQL: epoch 0 (read-only) until the lease
	 * (storage_lease_start) is held. */
	struct store_fence fence;
	struct lease *lease;
	storage_role_fn on_role;
	void *on_role_ud;
};

/* What the authorizer of one plugin connection knows. */
struct plugin_authz {
	char prefix[PLUGIN_NAME_MAX + 2]; /* "<name>_" */
	size_t prefix_len;
	int bypass;    /* storage.c itself is writing hw_plugin_schema */
	int migrating; /* a migration step runs: its transaction is ours */
};

struct storage_plugin_db {
	struct storage *st;
	sqlite3 *db;
	char name[PLUGIN_NAME_MAX + 1];
	struct plugin_authz authz;
	/* db_run's side, opened on first use: a connection of its own (the
	 * same rules) used only by the storage thread, and its session. */
	struct storage_plugin_db *tx_db;
	struct store_sqlite *tx_sess;
	struct store_pg_session *pg_sess; /* instead, on PostgreSQL */
};

/* Runs constant SQL (no parameters). Returns 0, or -1 with a log line. */
static int exec_sql(sqlite3 *db, const char *sql, const char *what)
{
	char *err = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		LOGE(MOD, "%s: %s", what, err ? err : sqlite3_errmsg(db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

/* The directory part of path must exist: we never create directories,
 * and SQLite's own "unable to open database file" does not say why. */
static int check_parent_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	struct stat sb;
	char *dir;
	int rc = 0;

	if (!slash || slash == path)
		return 0;
	dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return -1;
	if (stat(dir, &sb) != 0) {
		LOGE(MOD, "%s: directory %s: %s", path, dir, strerror(errno));
		rc = -1;
	} else if (!S_ISDIR(sb.st_mode)) {
		LOGE(MOD, "%s: %s is not a directory", path, dir);
		rc = -1;
	}
	free(dir);
	return rc;
}

/* Opens one connection with the pragmas every connection needs. */
static int open_conn(const char *path, sqlite3 **out)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = -1;

	/* Single-threaded use (the loop thread): no connection mutex. No URI
	 * flag, so the path is always a plain file name. */
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
					       SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		LOGE(MOD, "%s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, STORAGE_BUSY_MS);

	/* journal_mode answers with the mode in force: a file on a system
	 * without shared memory (or a read-only WAL) stays in another mode. */
	if (sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		LOGE(MOD, "%s: journal_mode=WAL: %s", path, sqlite3_errmsg(db));
		goto out;
	}
	if (sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "wal") != 0) {
		LOGE(MOD, "%s: journal_mode is %s, not wal", path,
		     (const char *)sqlite3_column_text(st, 0));
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	/* FULL (not NORMAL) in WAL mode: every commit syncs the WAL, so an
	 * acknowledged write survives a power cut, not only a crash. */
	if (exec_sql(db, "PRAGMA synchronous=FULL", path) ||
	    exec_sql(db, "PRAGMA foreign_keys=ON", path))
		goto out;
	*out = db;
	db = NULL;
	rc = 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

int storage_open(const char *path, struct storage **out)
{
	struct storage *st = NULL;
	sqlite3 *db = NULL;
	int rc = -1;

	if (!path || !*path || !strcmp(path, ":memory:")) {
		LOGE(MOD, "database path %s refused: plugins need a shared file",
		     path && *path ? path : "(empty)");
		return -1;
	}
	if (check_parent_dir(path) || open_conn(path, &db))
		goto out;
	if (exec_sql(db,
		     "CREATE TABLE IF NOT EXISTS hw_meta("
		     "key TEXT PRIMARY KEY, value TEXT NOT NULL);"
		     "CREATE TABLE IF NOT EXISTS hw_plugin_schema("
		     "plugin TEXT PRIMARY KEY, version INTEGER NOT NULL);",
		     path))
		goto out;
	if (meta_add_time(db, path))
		goto out;
	st = calloc(1, sizeof(*st));
	if (!st || !(st->path = strdup(path))) {
		LOGE(MOD, "out of memory");
		goto out;
	}
	/* From here the host's connection serves the loop (hw_meta: the
	 * slash-command hash, the health probe): another process holding the
	 * write lock must not stall the loop for the full busy timeout. */
	sqlite3_busy_timeout(db, STORAGE_META_BUSY_MS);
	st->db = db;
	db = NULL;
	*out = st;
	st = NULL;
	rc = 0;
out:
	if (st)
		free(st->path);
	free(st);
	sqlite3_close(db);
	return rc;
}

void storage_close(struct storage *st)
{
	if (!st)
		return;
	storage_stop(st);
	store_pg_free(st->pg);
	free(st->pg_url);
	if (sqlite3_close(st->db) != SQLITE_OK)
		LOGE(MOD, "%s: close: %s", st->path, sqlite3_errmsg(st->db));
	free(st->path);
	free(st);
}

sqlite3 *storage_db(struct storage *st)
{
	return st->db;
}

/* Wall-clock milliseconds: how old a kept row is in real time, whatever
 * the conference clock says (clock.c may run a virtual time). */
static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* hw_meta rows carry when they were last written (updated_ms), so what
 * piles up (kept button commands) can be pruned. A database from before
 * this column gets it, with its rows counted from now. */
static int meta_add_time(sqlite3 *db, const char *path)
{
	sqlite3_stmt *s = NULL;
	int have = sqlite3_prepare_v2(db, "SELECT updated_ms FROM hw_meta LIMIT 0", -1, &s, NULL) ==
		   SQLITE_OK;
	int rc = 0;
	sqlite3_finalize(s);
	if (have)
		return 0;
	if (exec_sql(db, "ALTER TABLE hw_meta ADD COLUMN updated_ms INTEGER", path))
		return -1;
	if (sqlite3_prepare_v2(db, "UPDATE hw_meta SET updated_ms = ?1 WHERE updated_ms IS NULL",
			       -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 1, wall_ms()) != SQLITE_OK || sqlite3_step(s) != SQLITE_DONE) {
		LOGE(MOD, "%s: hw_meta times: %s", path, sqlite3_errmsg(db));
		rc = -1;
	}
	sqlite3_finalize(s);
	return rc;
}

int storage_meta_prune(struct storage *st, const char *prefix, int64_t older_than_ms)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (!st || !prefix || !*prefix)
		return -1;
	if (sqlite3_prepare_v2(st->db,
			       "DELETE FROM hw_meta WHERE substr(key, 1, length(?1)) = ?1 "
			       "AND updated_ms < ?2",
			       -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(s, 1, prefix, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 2, wall_ms() - older_than_ms) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_DONE) {
		LOGE(MOD, "meta prune %s: %s", prefix, sqlite3_errmsg(st->db));
		goto out;
	}
	rc = sqlite3_changes(st->db);
out:
	sqlite3_finalize(s);
	return rc;
}

char *storage_meta_get(struct storage *st, const char *key)
{
	sqlite3_stmt *s = NULL;
	char *val = NULL;
	int rc;

	if (sqlite3_prepare_v2(st->db, "SELECT value FROM hw_meta WHERE key = ?1", -1, &s,
			       NULL) != SQLITE_OK ||
	    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC) != SQLITE_OK) {
		LOGE(MOD, "meta get %s: %s", key, sqlite3_errmsg(st->db));
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		val = strdup((const char *)sqlite3_column_text(s, 0));
		if (!val)
			LOGE(MOD, "out of memory");
	} else if (rc != SQLITE_DONE) {
		LOGE(MOD, "meta get %s: %s", key, sqlite3_errmsg(st->db));
	}
out:
	sqlite3_finalize(s);
	return val;
}

int storage_meta_set(struct storage *st, const char *key, const char *value)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	if (!key || !value)
		return -1;
	if (sqlite3_prepare_v2(st->db,
			       "INSERT INTO hw_meta(key, value, updated_ms) VALUES(?1, ?2, ?3) "
			       "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
			       "updated_ms = excluded.updated_ms",
			       -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_int64(s, 3, wall_ms()) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_DONE) {
		LOGE(MOD, "meta set %s: %s", key, sqlite3_errmsg(st->db));
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

int storage_own_write(struct storage *st)
{
	return st && atomic_load(&st->own_tx) > 0;
}

int storage_write_locked(struct storage *st)
{
	int rc;

	if (!st)
		return -1;
	if (storage_own_write(st))
		return 0; /* our storage thread holds it: not another process */
	/* No busy timeout: the answer is for now, and the loop must not wait. */
	sqlite3_busy_timeout(st->db, 0);
	rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_busy_timeout(st->db, STORAGE_META_BUSY_MS);
	if (rc == SQLITE_OK)
		return 0;
	return (rc & 0xff) == SQLITE_BUSY ? 1 : -1;
}

/* ---- plugin connections ------------------------------------------------ */

static void session_close(struct storage_plugin_db *pdb);

static int is_own(const struct plugin_authz *a, const char *name)
{
	return name && sqlite3_strnicmp(name, a->prefix, (int)a->prefix_len) == 0 &&
	       name[a->prefix_len] != '\0';
}

/* The schema table under its four names. SQLite itself refuses direct
 * writes to it (writable_schema is a PRAGMA we refuse), so writes seen
 * here are the ones CREATE/DROP/ALTER make. */
static int is_schema_table(const char *t)
{
	return t && (!sqlite3_stricmp(t, "sqlite_master") || !sqlite3_stricmp(t, "sqlite_schema") ||
		     !sqlite3_stricmp(t, "sqlite_temp_master") ||
		     !sqlite3_stricmp(t, "sqlite_temp_schema"));
}

/* Tables SQLite keeps for AUTOINCREMENT and ANALYZE. DROP TABLE and
 * ANALYZE delete a table's rows from them through SQL, so DELETE must be
 * allowed; their inserts and updates are not SQL and need no permission. */
static int is_internal_table(const char *t)
{
	return t && (!sqlite3_stricmp(t, "sqlite_sequence") || !sqlite3_stricmp(t, "sqlite_stat1") ||
		     !sqlite3_stricmp(t, "sqlite_stat4"));
}

/* Read-only PRAGMAs about one table or index, allowed on own objects. */
static int pragma_allowed(const struct plugin_authz *a, const char *pragma, const char *arg)
{
	static const char *const ok[] = {"table_info",   "table_xinfo", "index_list",
					 "index_info",   "index_xinfo", "foreign_key_list",
					 "foreign_key_check"};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!sqlite3_stricmp(pragma, ok[i]))
			return is_own(a, arg);
	return 0;
}

/*
 * The isolation rules. a1/a2 are the action's arguments (see sqlite3.h
 * "Authorizer Action Codes"), inner the innermost trigger, view or CTE
 * the access comes from. Anything not listed is refused. Denials are
 * logged at debug level, to help plugin authors. A denied FUNCTION makes
 * prepare fail with SQLITE_ERROR "not authorized to use function", every
 * other denial with SQLITE_AUTH.
 */
static int plugin_authorize(void *ud, int action, const char *a1, const char *a2,
			    const char *dbname, const char *inner)
{
	const struct plugin_authz *a = ud;
	int ok = 0;

	(void)dbname;
	if (a->bypass)
		return SQLITE_OK;
	/* inner is not checked: it also names common table expressions
	 * ("WITH c AS ..."), and every access a view or trigger makes is
	 * checked by itself anyway. */

	switch (action) {
	case SQLITE_CREATE_TABLE:
	case SQLITE_CREATE_TEMP_TABLE:
		/* SQLite creates sqlite_sequence and sqlite_stat1 itself; a
		 * plugin cannot name a table sqlite_* (SQLite refuses). */
		ok = is_own(a, a1) || is_internal_table(a1);
		break;
	case SQLITE_DROP_TABLE:
	case SQLITE_DROP_TEMP_TABLE:
	case SQLITE_CREATE_VIEW:
	case SQLITE_CREATE_TEMP_VIEW:
	case SQLITE_DROP_VIEW:
	case SQLITE_DROP_TEMP_VIEW:
	case SQLITE_ANALYZE:
	case SQLITE_REINDEX: /* a1 is the index (or table) */
		ok = is_own(a, a1);
		break;
	case SQLITE_CREATE_INDEX:
	case SQLITE_CREATE_TEMP_INDEX:
	case SQLITE_DROP_INDEX:
	case SQLITE_DROP_TEMP_INDEX:
		/* a1 index, a2 table. UNIQUE and PRIMARY KEY constraints make
		 * sqlite_autoindex_<table>_N indexes. */
		ok = is_own(a, a2) &&
		     (is_own(a, a1) || sqlite3_strnicmp(a1, "sqlite_autoindex_", 17) == 0);
		break;
	case SQLITE_CREATE_TRIGGER:
	case SQLITE_CREATE_TEMP_TRIGGER:
	case SQLITE_DROP_TRIGGER:
	case SQLITE_DROP_TEMP_TRIGGER:
		ok = is_own(a, a1) && is_own(a, a2); /* trigger, table */
		break;
	case SQLITE_ALTER_TABLE:
		ok = is_own(a, a2); /* a1 is the schema name */
		break;
	case SQLITE_INSERT:
	case SQLITE_UPDATE:
		ok = is_own(a, a1) || is_schema_table(a1);
		break;
	case SQLITE_DELETE:
		ok = is_own(a, a1) || is_schema_table(a1) || is_internal_table(a1);
		break;
	case SQLITE_READ:
		/* Table names are no secret; json_each/json_tree are table-
		 * valued functions. */
		ok = is_own(a, a1) || is_schema_table(a1) || is_internal_table(a1) ||
		     !sqlite3_stricmp(a1, "json_each") || !sqlite3_stricmp(a1, "json_tree");
		break;
	case SQLITE_SELECT:
	case SQLITE_RECURSIVE:
	case SQLITE_SAVEPOINT:
		ok = 1;
		break;
	case SQLITE_TRANSACTION:
		/* A migration step runs inside our transaction: a COMMIT in
		 * it would record the step without its version. */
		ok = !a->migrating;
		break;
	case SQLITE_FUNCTION:
		/* a2 is the function. ALTER TABLE ... RENAME TO rewrites the
		 * schema with sqlite_rename_table(), and the authorizer is
		 * never told the new name, so a table could be renamed into
		 * another plugin's namespace: refused (rename columns, or
		 * copy into a new table, instead). */
		ok = sqlite3_stricmp(a2, "sqlite_rename_table") != 0 &&
		     sqlite3_stricmp(a2, "load_extension") != 0;
		break;
	case SQLITE_PRAGMA:
		ok = pragma_allowed(a, a1, a2);
		break;
	/* Virtual tables (FTS, R*Tree) keep prepared statements of their own
	 * on the connection; storage_plugin_close() cannot tell them from
	 * the plugin's leftovers, and finalizing one is a double free when
	 * the module disconnects. Refused until the sweep can. */
	case SQLITE_CREATE_VTABLE:
	case SQLITE_DROP_VTABLE:
	default: /* ATTACH, DETACH, and codes added after this was written */
		ok = 0;
		break;
	}
	if (!ok)
		LOGD(MOD, "denied %.*s: action %d (%s, %s) in %s", (int)a->prefix_len - 1,
		     a->prefix, action, a1 ? a1 : "-", a2 ? a2 : "-", inner ? inner : "-");
	return ok ? SQLITE_OK : SQLITE_DENY;
}

/* Plugin names become table prefixes: lowercase letters, digits, '-' and
 * '_'; not "hw", whose prefix is the host's; not "sqlite". Plugin "a"
 * (prefix "a_") would own plugin "a_b"'s tables, so the config refuses to
 * load two plugins whose prefixes overlap (config.c). */
static int plugin_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > PLUGIN_NAME_MAX || !strcmp(name, "hw") || !strcmp(name, "sqlite"))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = name[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
		      ch == '_'))
			return 0;
	}
	return 1;
}

#define STORAGE_PLUGIN_CACHE_KIB "256" /* page cache per plugin connection */

int storage_plugin_open(struct storage *st, const char *name, struct storage_plugin_db **out)
{
	struct storage_plugin_db *p = NULL;
	int rc = -1;

	if (!plugin_name_ok(name)) {
		LOGE(MOD, "plugin name %s refused for a table prefix (want [a-z0-9_-], 1-%d chars)",
		     name ? name : "(null)", PLUGIN_NAME_MAX);
		return -1;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		LOGE(MOD, "out of memory");
		return -1;
	}
	p->st = st;
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->authz.prefix_len = (size_t)snprintf(p->authz.prefix, sizeof(p->authz.prefix), "%s_", name);
	if (open_conn(st->path, &p->db))
		goto out;
	/* Each plugin has its own connection, and SQLite's default page cache
	 * (2 MB each) stays filled after one big write, such as the schedule
	 * plugin's stored copy of a 2 MB source: plugin tables are small, so a
	 * small cache costs nothing and keeps RSS down (bench/README.md). */
	if (exec_sql(p->db, "PRAGMA cache_size=-" STORAGE_PLUGIN_CACHE_KIB, st->path))
		goto out;
	/* Defensive mode: no writable_schema even through sqlite3_db_config
	 * by mistake, no journal_mode=OFF, no writes to shadow tables. */
	sqlite3_db_config(p->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	if (sqlite3_set_authorizer(p->db, plugin_authorize, &p->authz) != SQLITE_OK) {
		LOGE(MOD, "plugin %s: authorizer: %s", name, sqlite3_errmsg(p->db));
		goto out;
	}
	*out = p;
	p = NULL;
	rc = 0;
out:
	if (p) {
		sqlite3_close(p->db);
		free(p);
	}
	return rc;
}

sqlite3 *storage_plugin_sqlite(struct storage_plugin_db *pdb)
{
	/* The SQLite side only: on PostgreSQL, plugin data is in its schema. */
	return pdb->st->pg ? NULL : pdb->db;
}

/* The plugin's recorded version, read on its own connection (so inside a
 * migration's transaction). 0 when none is recorded, -1 on error. */
static int read_version(struct storage_plugin_db *pdb)
{
	sqlite3_stmt *s = NULL;
	int v = -1, rc;

	pdb->authz.bypass = 1;
	if (sqlite3_prepare_v2(pdb->db, "SELECT version FROM hw_plugin_schema WHERE plugin = ?1",
			       -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(s, 1, pdb->name, -1, SQLITE_STATIC) != SQLITE_OK)
		goto out;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	else if (rc == SQLITE_DONE)
		v = 0;
out:
	if (v < 0)
		LOGE(MOD, "plugin %s: schema version: %s", pdb->name, sqlite3_errmsg(pdb->db));
	sqlite3_finalize(s);
	pdb->authz.bypass = 0;
	return v;
}

static int write_version(struct storage_plugin_db *pdb, int version)
{
	sqlite3_stmt *s = NULL;
	int rc = -1;

	pdb->authz.bypass = 1;
	if (sqlite3_prepare_v2(pdb->db,
			       "INSERT INTO hw_plugin_schema(plugin, version) VALUES(?1, ?2) "
			       "ON CONFLICT(plugin) DO UPDATE SET version = excluded.version",
			       -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_bind_text(s, 1, pdb->name, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_bind_int(s, 2, version) == SQLITE_OK && sqlite3_step(s) == SQLITE_DONE)
		rc = 0;
	sqlite3_finalize(s);
	pdb->authz.bypass = 0;
	return rc;
}

int storage_plugin_version(struct storage_plugin_db *pdb)
{
	return read_version(pdb);
}

/* One step: BEGIN IMMEDIATE; step; version = i + 1; COMMIT. The version
 * is re-read under the write lock, so two connections migrating the same
 * plugin cannot both apply a step. Returns 0 or -1 (logged). */
static int migrate_step(struct storage_plugin_db *pdb, const char *step, size_t i)
{
	char *err = NULL;
	const char *why;
	int v, rc = -1;

	if (sqlite3_exec(pdb->db, "BEGIN IMMEDIATE", NULL, NULL, &err) != SQLITE_OK) {
		LOGE(MOD, "plugin %s: migration %zu failed: %s", pdb->name, i,
		     err ? err : sqlite3_errmsg(pdb->db));
		sqlite3_free(err);
		return -1;
	}
	v = read_version(pdb);
	if (v < 0)
		goto fail;
	if ((size_t)v > i) { /* someone else applied it meanwhile */
		rc = 0;
		goto commit;
	}
	pdb->authz.migrating = 1;
	rc = sqlite3_exec(pdb->db, step, NULL, NULL, &err);
	pdb->authz.migrating = 0;
	if (rc != SQLITE_OK)
		goto fail;
	if (write_version(pdb, (int)i + 1))
		goto fail;
commit:
	if (sqlite3_exec(pdb->db, "COMMIT", NULL, NULL, &err) != SQLITE_OK)
		goto fail;
	return 0;
fail:
	why = err ? err : sqlite3_errmsg(pdb->db);
	LOGE(MOD, "plugin %s: migration %zu failed: %s", pdb->name, i, why);
	sqlite3_free(err);
	if (!sqlite3_get_autocommit(pdb->db))
		sqlite3_exec(pdb->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int storage_plugin_migrate(struct storage_plugin_db *pdb, const char *const *steps, size_t n)
{
	int v;

	if (pdb->st->pg) {
		char err[STORE_ERR_MAX] = "";
		if (store_pg_migrate(pdb->st->pg_url, pdb->name, steps, n, err, sizeof(err))) {
			LOGE(MOD, "plugin %s: migration failed: %s", pdb->name, err);
			return -1;
		}
		return 0;
	}
	v = read_version(pdb);

	if (v < 0)
		return -1;
	if (!sqlite3_get_autocommit(pdb->db)) {
		LOGE(MOD, "plugin %s: migrate called inside an open transaction", pdb->name);
		return -1;
	}
	/* A database migrated by a newer build: this one does not know the
	 * schema it would be running against. */
	if ((size_t)v > n) {
		LOGE(MOD, "plugin %s: database schema is version %d, this plugin knows %zu",
		     pdb->name, v, n);
		return -1;
	}
	for (size_t i = (size_t)v; i < n; i++) {
		if (!steps[i]) {
			LOGE(MOD, "plugin %s: migration %zu failed: no SQL", pdb->name, i);
			return -1;
		}
		if (migrate_step(pdb, steps[i], i))
			return -1;
		LOGI(MOD, "plugin %s: schema now at version %zu", pdb->name, i + 1);
	}
	return 0;
}

void storage_plugin_close(struct storage_plugin_db *pdb)
{
	sqlite3_stmt *s;
	int leftover = 0, rc;

	if (!pdb)
		return;
	session_close(pdb);
	if (!sqlite3_get_autocommit(pdb->db)) {
		LOGW(MOD, "plugin %s: rolling back a transaction left open", pdb->name);
		pdb->authz.bypass = 1; /* ROLLBACK must not depend on the rules */
		sqlite3_exec(pdb->db, "ROLLBACK", NULL, NULL, NULL);
	}
	/* The first sqlite3_close() disconnects virtual tables (which
	 * finalize their own statements) before it looks for statements
	 * still open; what it then reports busy is the plugin's. */
	rc = sqlite3_close(pdb->db);
	if (rc == SQLITE_BUSY) {
		while ((s = sqlite3_next_stmt(pdb->db, NULL))) {
			sqlite3_finalize(s);
			leftover++;
		}
		LOGD(MOD, "plugin %s: finalized %d statement(s) left open", pdb->name, leftover);
		rc = sqlite3_close(pdb->db);
	}
	if (rc != SQLITE_OK)
		LOGE(MOD, "plugin %s: close: %s", pdb->name, sqlite3_errstr(rc));
	free(pdb);
}

/* ---- the storage thread (db_run) ---------------------------------------- */

int storage_start(struct storage *st, struct lws_context *lws)
{
	if (st->pool)
		return 0;
	/* One thread: bodies run one after another in the order db_run was
	 * called, so a plugin's units of work never interleave. */
	st->pool = work_create(lws, 1);
	if (!st->pool) {
		LOGE(MOD, "cannot start the storage thread");
		return -1;
	}
	return 0;
}

void storage_stop(struct storage *st)
{
	if (!st)
		return;
	lease_destroy(st->lease);
	st->lease = NULL;
	/* Completes what is still queued (close jobs of plugin sessions). */
	work_destroy(st->pool);
	st->pool = NULL;
}

void storage_drain(struct storage *st)
{
	int change;

	if (!st)
		return;
	work_drain(st->pool);
	change = lease_poll(st->lease);
	if (change && st->on_role)
		st->on_role(st->on_role_ud, change > 0);
}

int storage_lease_start(struct storage *st, struct lws_context *lws, const char *holder,
			int64_t lease_ms, storage_role_fn fn, void *ud)
{
	if (!st->pg || st->lease)
		return -1;
	st->on_role = fn;
	st->on_role_ud = ud;
	st->lease = lease_create(lws, st->pg_url, holder, lease_ms, &st->fence);
	if (!st->lease) {
		LOGE(MOD, "cannot start the lease (holder %s)", holder);
		return -1;
	}
	lease_poll(st->lease); /* the first attempt's outcome, without a callback */
	lease_freeze_guard(st->lease);
	return 0;
}

struct store_pg *storage_lease_pg(struct storage *st)
{
	return st && st->lease ? st->pg : NULL;
}

const char *storage_role(struct storage *st)
{
	if (!st || !st->lease)
		return NULL;
	return lease_active(st->lease) ? "active" : "standby";
}

int storage_lease_info(struct storage *st, int64_t *epoch, uint64_t *takeovers,
		       double *takeover_s)
{
	if (!st || !st->lease)
		return -1;
	*epoch = lease_epoch(st->lease);
	*takeovers = lease_takeovers(st->lease);
	*takeover_s = lease_takeover_seconds(st->lease);
	return 0;
}

struct work *storage_pool(struct storage *st)
{
	return st ? st->pool : NULL;
}

const char *storage_engine(struct storage *st)
{
	return st && st->pg ? "postgresql" : "sqlite";
}

int storage_use_postgres(struct storage *st, const char *url)
{
	if (st->pg || st->pool) {
		LOGE(MOD, "the engine is chosen once, before the storage thread starts");
		return -1;
	}
	st->pg = store_pg_new(url);
	st->pg_url = strdup(url);
	if (st->pg)
		store_pg_set_fence(st->pg, &st->fence); /* read-only until the lease */
	if (!st->pg || !st->pg_url) {
		LOGE(MOD, "out of memory");
		store_pg_free(st->pg);
		free(st->pg_url);
		st->pg = NULL;
		st->pg_url = NULL;
		return -1;
	}
	return 0;
}

int storage_plugin_session(struct storage_plugin_db *pdb, store_run_fn *run, void **session)
{
	if (pdb->st->pg) {
		if (!pdb->pg_sess && !(pdb->pg_sess = store_pg_session_new(pdb->st->pg, pdb->name))) {
			LOGE(MOD, "plugin %s: out of memory", pdb->name);
			return -1;
		}
		*run = store_pg_run;
		*session = pdb->pg_sess;
		return 0;
	}
	if (!pdb->tx_sess) {
		if (!pdb->tx_db && storage_plugin_open(pdb->st, pdb->name, &pdb->tx_db))
			return -1;
		pdb->tx_sess = store_sqlite_new(pdb->tx_db->db);
		if (!pdb->tx_sess) {
			LOGE(MOD, "plugin %s: out of memory", pdb->name);
			return -1;
		}
		store_sqlite_count_lock(pdb->tx_sess, &pdb->st->own_tx);
	}
	*run = store_sqlite_run;
	*session = pdb->tx_sess;
	return 0;
}

struct session_close {
	struct storage_plugin_db *tx_db;
	struct store_sqlite *tx_sess;
	struct store_pg_session *pg_sess;
};

static void session_close_now(struct session_close *c)
{
	store_sqlite_free(c->tx_sess);
	store_pg_session_free(c->pg_sess); /* deallocates on the connection */
	storage_plugin_close(c->tx_db);
	c->tx_sess = NULL;
	c->pg_sess = NULL;
	c->tx_db = NULL;
}

/* A body may be running on the session: leaking is safe, closing not. */
static void session_close_leak(const char *name)
{
	LOGE(MOD, "plugin %s: out of memory; its storage session stays open", name);
}

/* On the storage thread, behind any body of the plugin still running. */
static void session_close_run(void *arg)
{
	session_close_now(arg);
}

static void session_close_done(void *arg, int cancelled)
{
	struct session_close *c = arg;

	(void)cancelled;
	session_close_now(c); /* never ran (the thread stopped): nothing uses it */
	free(c);
}

/* The storage thread may still be inside a body of this plugin (the host
 * never waits for it): the session is closed by a job queued behind it. */
static void session_close(struct storage_plugin_db *pdb)
{
	struct session_close *c;

	if (!pdb->tx_db && !pdb->tx_sess && !pdb->pg_sess)
		return;
	c = malloc(sizeof(*c));
	if (c) {
		c->tx_db = pdb->tx_db;
		c->tx_sess = pdb->tx_sess;
		c->pg_sess = pdb->pg_sess;
		pdb->tx_db = NULL;
		pdb->tx_sess = NULL;
		pdb->pg_sess = NULL;
		if (!pdb->st->pool) { /* no storage thread: nothing can be running */
			session_close_done(c, 1);
			return;
		}
		if (work_submit(pdb->st->pool, session_close_run, session_close_done, c))
			return;
		session_close_leak(pdb->name);
		return; /* c leaks with what it holds */
	}
	session_close_leak(pdb->name);
	pdb->tx_db = NULL;
	pdb->tx_sess = NULL;
	pdb->pg_sess = NULL;
}
