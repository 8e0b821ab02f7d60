/*
 * mock_api — a fake hw_api for plugin unit tests. See mock_api.h.
 *
 * Allocation failures abort: this is test support, and a test that cannot
 * allocate has nothing useful left to say.
 */
#include "mock_api.h"
#include "store_pg.h"
#include "store_sqlite.h"

#include <ctype.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MOCK_MAX_ARGS 16
#define MOCK_MAX_CHOICES 25

struct hw_plugin {
	mock_api *m;
};

struct hw_completion {
	mock_api *m;
};

typedef struct mock_command {
	hw_command_spec spec; /* strings point into owned copies below */
	char *name, *summary, *help;
	hw_arg_spec *args;
	char **arg_names;
} mock_command;

typedef struct mock_timer {
	hw_handle id;
	int64_t due, repeat;
	hw_timer_fn fn;
	void *ud;
	int live;
} mock_timer;

typedef struct mock_sub {
	char *type;
	hw_event_fn fn;
	void *ud;
} mock_sub;

typedef struct mock_req {
	hw_handle id;
	char *url;
	hw_http_fn fn;
	void *ud;
	int live;
} mock_req;

typedef struct mock_canned {
	char *url, *body;
	long status;
} mock_canned;

typedef struct mock_job {
	hw_handle id;
	void (*run)(void *arg);
	void (*done)(hw_plugin *self, void *arg, int cancelled);
	void *arg;
	int live;
} mock_job;

/* A db_run unit of work waiting for the next settle. */
typedef struct mock_tx {
	hw_tx_fn body;
	hw_tx_done_fn done;
	void *ud;
} mock_tx;

static void mock_db_auto(struct mock_api *m);

/* A kept invocation: one allocation holding the struct and its strings. */
typedef struct mock_kept {
	hw_invocation inv;
	hw_arg *argv;
	char **strs;
	size_t nstrs;
} mock_kept;

struct mock_api {
	hw_api api;
	struct hw_plugin self;
	char *name;
	json_t *config;
	char *db_path;
	sqlite3 *db;
	char *synchronous;
	int in_host; /* the authorizer lets the mock's own tables through */
	const hw_plugin_desc *desc;
	int enforce_perms;
	enum hw_door door; /* of the next invocations: chat in a guild by default */
	int is_dm;
	int fail_status;
	int verbose;
	size_t log_errors;
	int64_t now;
	hw_handle next_handle;

	mock_command *cmds;
	size_t ncmds;
	mock_output *outs;
	size_t nouts;
	mock_timer *timers;
	size_t ntimers;
	mock_sub *subs;
	size_t nsubs;
	mock_req *https;
	size_t nhttps;
	mock_canned *canned;
	size_t ncanned;
	mock_job *jobs;
	size_t njobs;
	mock_tx *txs;          /* db_run queue, oldest first */
	size_t ntxs, txs_head; /* txs[txs_head..ntxs) wait */
	int db_hold;           /* settle only in mock_api_db_settle */
	int db_fail;           /* every unit of work fails with this */
	int settling;
	struct store_sqlite *store;
	/* HALLWAY_TEST_PG_DIR set: db_run and db_migrate go to PostgreSQL, one
	 * database per db_path (made afresh when the file does not exist yet,
	 * so two mocks on one file share their data as on SQLite). */
	char *pg_url;
	struct store_pg *pg;
	struct store_pg_session *pg_sess;
	struct store_fence fence; /* mock_api_db_fence */
	mock_output_fn on_output;
	void *on_output_ud;
	void *userdata; /* the plugin's, from set_userdata */
	char *choice_names[MOCK_MAX_CHOICES];
	char *choice_values[MOCK_MAX_CHOICES];
	size_t nchoices;
};

static void *mock_xalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);
	if (!p)
		abort();
	return p;
}

/* Grows *arr (of *n elements of size sz) by one zeroed element; returns it. */
static void *mock_push(void *arr_ptr, size_t *n, size_t sz)
{
	void **arr = arr_ptr;
	void *grown = realloc(*arr, (*n + 1) * sz);
	if (!grown)
		abort();
	*arr = grown;
	memset((char *)grown + *n * sz, 0, sz);
	return (char *)grown + (*n)++ * sz;
}

static char *mock_strdup(const char *s)
{
	size_t n;
	char *d;
	if (!s)
		return NULL;
	n = strlen(s);
	d = mock_xalloc(n + 1);
	memcpy(d, s, n + 1);
	return d;
}

static char *mock_memdup(const void *p, size_t n)
{
	char *d = mock_xalloc(n + 1);
	if (n)
		memcpy(d, p, n);
	return d;
}

static mock_api *mock_of(hw_plugin *self)
{
	return self->m;
}

/* ---- logging, config, names, clock ---- */

HW_PRINTF(3, 4)
static void mock_log(hw_plugin *self, enum hw_log_level level, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};
	mock_api *m = mock_of(self);
	va_list ap;
	if (level <= HW_LOG_WARN)
		m->log_errors++;
	if (!m->verbose)
		return;
	fprintf(stderr, "[mock %s %s] ", m->name, level <= HW_LOG_DEBUG ? names[level] : "?");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const json_t *mock_config(hw_plugin *self)
{
	return mock_of(self)->config;
}

static const char *mock_name(hw_plugin *self)
{
	return mock_of(self)->name;
}

static void mock_set_userdata(hw_plugin *self, void *data)
{
	mock_of(self)->userdata = data;
}

static void *mock_userdata(hw_plugin *self)
{
	return mock_of(self)->userdata;
}

static const char *mock_prefix(hw_plugin *self)
{
	return "!";
}

static int64_t mock_now(hw_plugin *self)
{
	return mock_of(self)->now;
}

/* ---- commands ---- */

static int mock_command_add(hw_plugin *self, const hw_command_spec *spec)
{
	mock_api *m = mock_of(self);
	mock_command *c;
	size_t i;
	if (!spec || !spec->name || !spec->fn || spec->struct_size < sizeof(*spec) - sizeof(spec->reserved))
		return HW_ERR_INVALID;
	if (spec->nargs > MOCK_MAX_ARGS)
		return HW_ERR_INVALID;
	for (i = 0; i < m->ncmds; i++)
		if (!strcmp(m->cmds[i].name, spec->name))
			return HW_ERR_EXISTS;
	for (i = 0; i < spec->nargs; i++) {
		/* Like the host: TEXT only last, required arguments first. */
		if (spec->args[i].type == HW_ARG_TEXT && i + 1 != spec->nargs)
			return HW_ERR_INVALID;
		if (i && spec->args[i].required && !spec->args[i - 1].required)
			return HW_ERR_INVALID;
	}
	c = mock_push(&m->cmds, &m->ncmds, sizeof(*c));
	c->spec = *spec;
	c->name = mock_strdup(spec->name);
	c->summary = mock_strdup(spec->summary);
	c->help = mock_strdup(spec->help);
	c->args = mock_xalloc(sizeof(*c->args) * (spec->nargs ? spec->nargs : 1));
	c->arg_names = mock_xalloc(sizeof(char *) * (spec->nargs ? spec->nargs : 1));
	for (i = 0; i < spec->nargs; i++) {
		c->args[i] = spec->args[i];
		c->arg_names[i] = mock_strdup(spec->args[i].name);
		c->args[i].name = c->arg_names[i];
		c->args[i].description = NULL;
	}
	c->spec.name = c->name;
	c->spec.summary = c->summary;
	c->spec.help = c->help;
	c->spec.args = c->args;
	return HW_OK;
}

static void mock_complete_add(hw_completion *out, const char *name, const char *value)
{
	mock_api *m = out->m;
	if (m->nchoices >= MOCK_MAX_CHOICES || !name)
		return;
	m->choice_names[m->nchoices] = mock_strdup(name);
	m->choice_values[m->nchoices] = mock_strdup(value ? value : name);
	m->nchoices++;
}

/* ---- outputs ---- */

static mock_output *mock_out_file(mock_api *m, enum mock_out_kind kind, const char *target,
				  const char *text, const char *filename, const void *data,
				  size_t len)
{
	mock_output *o = mock_push(&m->outs, &m->nouts, sizeof(*o));
	o->kind = kind;
	o->target = mock_strdup(target ? target : "");
	o->text = mock_strdup(text ? text : "");
	if (filename) {
		o->filename = mock_strdup(filename);
		o->data = mock_memdup(data, len);
		o->len = len;
	}
	if (m->on_output)
		m->on_output(m, o, m->on_output_ud);
	return o;
}

static mock_output *mock_out(mock_api *m, enum mock_out_kind kind, const char *target,
			     const char *text)
{
	return mock_out_file(m, kind, target, text, NULL, NULL, 0);
}

static int mock_reply(hw_plugin *self, const hw_invocation *inv, const char *text)
{
	if (!inv || !text)
		return HW_ERR_INVALID;
	mock_out(mock_of(self), MOCK_OUT_REPLY, inv->user_id, text);
	return HW_OK;
}

static int mock_reply_message(hw_plugin *self, const hw_invocation *inv, const hw_message *msg)
{
	mock_output *o;
	if (!inv || !msg || (!msg->content && !msg->embeds))
		return HW_ERR_INVALID;
	o = mock_out(mock_of(self), MOCK_OUT_REPLY, inv->user_id, msg->content);
	o->ephemeral = msg->ephemeral;
	return HW_OK;
}

/* Reply models (ABI 1.2) are recorded as their compact JSON (keys sorted,
 * UTF-8 as is), so tests look for "\"title\":\"Next talks\"". */
static char *mock_model_text(json_t *model)
{
	char *text = json_is_object(model) ? json_dumps(model, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(model);
	return text;
}

static int mock_reply_model(hw_plugin *self, const hw_invocation *inv, json_t *model)
{
	char *text = mock_model_text(model);
	if (!inv || !text) {
		free(text);
		return HW_ERR_INVALID;
	}
	mock_out(mock_of(self), MOCK_OUT_REPLY, inv->user_id, text);
	free(text);
	return HW_OK;
}

static int mock_reply_file(hw_plugin *self, const hw_invocation *inv, const char *text,
			   const char *filename, const void *data, size_t len)
{
	if (!inv || !filename || (!data && len))
		return HW_ERR_INVALID;
	mock_out_file(mock_of(self), MOCK_OUT_REPLY_FILE, inv->user_id, text, filename, data, len);
	return HW_OK;
}

static void mock_sent(mock_api *m, hw_send_fn cb, void *ud)
{
	char id[32];
	if (!cb)
		return;
	if (m->fail_status) {
		cb(&m->self, m->fail_status, NULL, "mock failure", ud);
		return;
	}
	snprintf(id, sizeof(id), "mock-%zu", m->nouts);
	cb(&m->self, 200, id, NULL, ud);
}

static int mock_send(hw_plugin *self, const char *channel_id, const hw_message *msg,
		     hw_send_fn cb, void *ud)
{
	mock_api *m = mock_of(self);
	if (!channel_id || !msg)
		return HW_ERR_INVALID;
	if (!m->fail_status) {
		mock_output *o = mock_out(m, MOCK_OUT_SEND, channel_id, msg->content);
		size_t n = 1, k = 0;
		if (msg->struct_size >= offsetof(hw_message, nmention_users) + sizeof(size_t))
			for (size_t i = 0; i < msg->nmention_users; i++)
				n += strlen(msg->mention_users[i]) + 1;
		o->mention_users = calloc(1, n);
		for (size_t i = 0; n > 1 && i < msg->nmention_users && o->mention_users; i++)
			k += (size_t)snprintf(o->mention_users + k, n - k, "%s%s", i ? "," : "",
					      msg->mention_users[i]);
		o->nonce = msg->nonce ? mock_strdup(msg->nonce) : NULL;
	}
	mock_sent(m, cb, ud);
	return HW_OK;
}

/* A posted model is recorded like a send: its compact JSON (as
 * mock_reply_model), and its "mention_users" as "id,id". */
static int mock_send_model(hw_plugin *self, const char *channel_id, json_t *model, hw_send_fn cb,
			   void *ud)
{
	mock_api *m = mock_of(self);
	const json_t *users = json_object_get(model, "mention_users"), *u;
	char *text;
	size_t i, n = 1, k = 0;
	if (!channel_id || !json_is_object(model)) {
		json_decref(model);
		return HW_ERR_INVALID;
	}
	json_array_foreach(users, i, u)
		n += strlen(json_string_value(u) ? json_string_value(u) : "") + 1;
	if (!m->fail_status) {
		mock_output *o;
		char *list = calloc(1, n);
		json_array_foreach(users, i, u)
			if (list && json_string_value(u))
				k += (size_t)snprintf(list + k, n - k, "%s%s", k ? "," : "",
						      json_string_value(u));
		text = mock_model_text(json_incref(model));
		o = mock_out(m, MOCK_OUT_SEND, channel_id, text ? text : "");
		o->mention_users = list;
		free(text);
	}
	json_decref(model);
	mock_sent(m, cb, ud);
	return HW_OK;
}

static int mock_dm(hw_plugin *self, const char *user_id, const hw_message *msg,
		   hw_send_fn cb, void *ud)
{
	mock_api *m = mock_of(self);
	if (!user_id || !msg)
		return HW_ERR_INVALID;
	if (!m->fail_status) {
		mock_output *o = mock_out(m, MOCK_OUT_DM, user_id, msg->content);
		o->nonce = msg->nonce ? mock_strdup(msg->nonce) : NULL;
	}
	mock_sent(m, cb, ud);
	return HW_OK;
}

static int mock_send_file(hw_plugin *self, const char *channel_id, const char *text,
			  const char *filename, const void *data, size_t len, hw_send_fn cb,
			  void *ud)
{
	mock_api *m = mock_of(self);
	if (!channel_id || !filename || (!data && len))
		return HW_ERR_INVALID;
	if (!m->fail_status)
		mock_out_file(m, MOCK_OUT_SEND_FILE, channel_id, text, filename, data, len);
	mock_sent(m, cb, ud);
	return HW_OK;
}

/* Kept invocations are deep copies, released by invocation_release. */
static char *mock_kept_str(mock_kept *k, const char *s)
{
	if (!s)
		return NULL;
	k->strs[k->nstrs] = mock_strdup(s);
	return k->strs[k->nstrs++];
}

static const hw_invocation *mock_invocation_keep(hw_plugin *self, const hw_invocation *inv)
{
	mock_kept *k;
	size_t i;
	if (!inv)
		return NULL;
	k = mock_xalloc(sizeof(*k));
	k->inv = *inv;
	k->strs = mock_xalloc(sizeof(char *) * (7 + 2 * inv->argc));
	k->argv = mock_xalloc(sizeof(hw_arg) * (inv->argc ? inv->argc : 1));
	k->inv.command = mock_kept_str(k, inv->command);
	k->inv.user_id = mock_kept_str(k, inv->user_id);
	k->inv.user_name = mock_kept_str(k, inv->user_name);
	k->inv.channel_id = mock_kept_str(k, inv->channel_id);
	k->inv.guild_id = mock_kept_str(k, inv->guild_id);
	k->inv.raw_args = mock_kept_str(k, inv->raw_args);
	for (i = 0; i < inv->argc; i++) {
		k->argv[i] = inv->argv[i];
		k->argv[i].name = mock_kept_str(k, inv->argv[i].name);
		k->argv[i].str = mock_kept_str(k, inv->argv[i].str);
	}
	k->inv.argv = k->argv;
	return &k->inv;
}

static void mock_invocation_release(hw_plugin *self, const hw_invocation *inv)
{
	mock_kept *k = (mock_kept *)(void *)inv; /* inv is the first member */
	size_t i;
	if (!inv)
		return;
	for (i = 0; i < k->nstrs; i++)
		free(k->strs[i]);
	free(k->strs);
	free(k->argv);
	free(k);
}

/* ---- events ---- */

static int mock_subscribe(hw_plugin *self, const char *type, hw_event_fn fn, void *ud)
{
	mock_api *m = mock_of(self);
	mock_sub *s;
	if (!type || !fn)
		return HW_ERR_INVALID;
	s = mock_push(&m->subs, &m->nsubs, sizeof(*s));
	s->type = mock_strdup(type);
	s->fn = fn;
	s->ud = ud;
	return HW_OK;
}

static int mock_publish(hw_plugin *self, const char *type, json_t *data)
{
	mock_api *m = mock_of(self);
	char *dump;
	if (!type)
		return HW_ERR_INVALID;
	dump = data ? json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
	mock_out(m, MOCK_OUT_PUBLISH, type, dump ? dump : "null");
	free(dump);
	mock_api_emit(m, type, data);
	return HW_OK;
}

void mock_api_emit(mock_api *m, const char *type, json_t *data)
{
	size_t i;
	for (i = 0; i < m->nsubs; i++)
		if (!strcmp(m->subs[i].type, type) || !strcmp(m->subs[i].type, "*"))
			m->subs[i].fn(&m->self, type, data, m->subs[i].ud);
	mock_db_auto(m);
}

/* ---- timers, HTTP, work ---- */

static hw_handle mock_timer_add(hw_plugin *self, int64_t delay_ms, int64_t repeat_ms,
				hw_timer_fn fn, void *ud)
{
	mock_api *m = mock_of(self);
	mock_timer *t;
	if (!fn || delay_ms < 0 || repeat_ms < 0)
		return 0;
	t = mock_push(&m->timers, &m->ntimers, sizeof(*t));
	t->id = ++m->next_handle;
	t->due = m->now + delay_ms;
	t->repeat = repeat_ms;
	t->fn = fn;
	t->ud = ud;
	t->live = 1;
	return t->id;
}

static void mock_cancel(hw_plugin *self, hw_handle h)
{
	mock_api *m = mock_of(self);
	size_t i;
	for (i = 0; i < m->ntimers; i++)
		if (m->timers[i].id == h)
			m->timers[i].live = 0;
	for (i = 0; i < m->nhttps; i++)
		if (m->https[i].id == h)
			m->https[i].live = 0;
	for (i = 0; i < m->njobs; i++)
		if (m->jobs[i].id == h && m->jobs[i].live) {
			m->jobs[i].live = 0;
			m->jobs[i].done(&m->self, m->jobs[i].arg, 1);
		}
}

static hw_handle mock_http(hw_plugin *self, const hw_http_request *req, hw_http_fn fn, void *ud)
{
	mock_api *m = mock_of(self);
	mock_req *h;
	if (!req || !req->url || !fn)
		return 0;
	h = mock_push(&m->https, &m->nhttps, sizeof(*h));
	h->id = ++m->next_handle;
	h->url = mock_strdup(req->url);
	h->fn = fn;
	h->ud = ud;
	h->live = 1;
	return h->id;
}

static hw_handle mock_work(hw_plugin *self, void (*run)(void *arg),
			   void (*done)(hw_plugin *self, void *arg, int cancelled), void *arg)
{
	mock_api *m = mock_of(self);
	mock_job *j;
	if (!run || !done)
		return 0;
	j = mock_push(&m->jobs, &m->njobs, sizeof(*j));
	j->id = ++m->next_handle;
	j->run = run;
	j->done = done;
	j->arg = arg;
	j->live = 1;
	return j->id;
}

/* ---- storage ---- */

/* Like the host: a plugin touches only tables named "<plugin>_*". */
static int mock_authorize(void *ud, int action, const char *a1, const char *a2,
			  const char *dbname, const char *trigger)
{
	mock_api *m = ud;
	const char *table = NULL;
	size_t n = strlen(m->name);
	if (m->in_host)
		return SQLITE_OK;
	switch (action) {
	case SQLITE_CREATE_TABLE: case SQLITE_DROP_TABLE: case SQLITE_INSERT:
	case SQLITE_DELETE: case SQLITE_UPDATE: case SQLITE_READ:
	case SQLITE_ALTER_TABLE: case SQLITE_CREATE_TEMP_TABLE:
		table = action == SQLITE_ALTER_TABLE ? a2 : a1;
		break;
	case SQLITE_CREATE_INDEX: case SQLITE_DROP_INDEX: case SQLITE_CREATE_TRIGGER:
	case SQLITE_DROP_TRIGGER:
		table = a2;
		break;
	default:
		return SQLITE_OK;
	}
	if (!table || !strncmp(table, "sqlite_", 7))
		return SQLITE_OK;
	if (!strncmp(table, m->name, n) && table[n] == '_')
		return SQLITE_OK;
	return SQLITE_DENY;
}

sqlite3 *mock_api_db(mock_api *m)
{
	char sql[64];
	if (m->db || !m->db_path)
		return m->db;
	if (sqlite3_open_v2(m->db_path, &m->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "mock_api: cannot open %s: %s\n", m->db_path,
			m->db ? sqlite3_errmsg(m->db) : "?");
		sqlite3_close(m->db);
		m->db = NULL;
		return NULL;
	}
	sqlite3_busy_timeout(m->db, 10000);
	snprintf(sql, sizeof(sql), "PRAGMA synchronous=%s", m->synchronous);
	sqlite3_exec(m->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
	sqlite3_exec(m->db, sql, NULL, NULL, NULL);
	sqlite3_exec(m->db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
	sqlite3_exec(m->db,
		     "CREATE TABLE IF NOT EXISTS hallway_migrations("
		     "plugin TEXT PRIMARY KEY, version INTEGER NOT NULL)",
		     NULL, NULL, NULL);
	sqlite3_set_authorizer(m->db, mock_authorize, m);
	return m->db;
}

void mock_api_db_synchronous(mock_api *m, const char *mode)
{
	char sql[64];
	free(m->synchronous);
	m->synchronous = mock_strdup(mode);
	if (m->db) {
		snprintf(sql, sizeof(sql), "PRAGMA synchronous=%s", mode);
		sqlite3_exec(m->db, sql, NULL, NULL, NULL);
	}
}

static int mock_version(mock_api *m, sqlite3 *db, int64_t *version)
{
	sqlite3_stmt *st = NULL;
	int rc;
	*version = 0;
	rc = sqlite3_prepare_v2(db, "SELECT version FROM hallway_migrations WHERE plugin = ?", -1,
				&st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_text(st, 1, m->name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int mock_db_migrate(hw_plugin *self, const char *const *migrations, size_t n)
{
	mock_api *m = mock_of(self);
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	int64_t v;
	int rc = HW_OK;
	if (m->pg) {
		char err[STORE_ERR_MAX];
		if (store_pg_migrate(m->pg_url, m->name, migrations, n, err, sizeof(err))) {
			fprintf(stderr, "mock_api: migration failed: %s\n", err);
			return HW_ERR_STORAGE;
		}
		return HW_OK;
	}
	db = mock_api_db(m);
	if (!db)
		return HW_ERR_UNSUPPORTED;
	m->in_host = 1;
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		m->in_host = 0;
		return HW_ERR_STORAGE;
	}
	if (mock_version(m, db, &v) != SQLITE_OK) {
		rc = HW_ERR_STORAGE;
		goto out;
	}
	for (; (size_t)v < n; v++) {
		char *err = NULL;
		m->in_host = 0;
		if (sqlite3_exec(db, migrations[v], NULL, NULL, &err) != SQLITE_OK) {
			fprintf(stderr, "mock_api: migration %lld failed: %s\n", (long long)v,
				err ? err : "?");
			sqlite3_free(err);
			m->in_host = 1;
			rc = HW_ERR_STORAGE;
			goto out;
		}
		m->in_host = 1;
	}
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO hallway_migrations VALUES(?, ?)", -1,
			       &st, NULL) != SQLITE_OK) {
		rc = HW_ERR_STORAGE;
		goto out;
	}
	sqlite3_bind_text(st, 1, m->name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, v);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = HW_ERR_STORAGE;
out:
	/* Simplification: all pending steps commit together (the host commits
	 * each in its own transaction); a failure rolls all of them back. */
	sqlite3_finalize(st);
	m->in_host = 1;
	sqlite3_exec(db, rc == HW_OK ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
	m->in_host = 0;
	return rc;
}

/* ---- db_run (ABI 1.2) ---- */

/* Like the host: the body runs later (there on the storage thread), done()
 * after it, never inside db_run's caller. The mock runs both when the
 * command, timer or event that queued them has returned. */
static int mock_db_run(hw_plugin *self, hw_tx_fn body, hw_tx_done_fn done, void *ud)
{
	mock_api *m = mock_of(self);
	mock_tx *t;
	if (!body)
		return HW_ERR_INVALID;
	if (!m->db_path)
		return HW_ERR_UNAVAILABLE;
	t = mock_push(&m->txs, &m->ntxs, sizeof(*t));
	t->body = body;
	t->done = done;
	t->ud = ud;
	return HW_OK;
}

static const char *mock_db_engine(hw_plugin *self)
{
	return mock_of(self)->pg_url ? "postgresql" : "sqlite";
}

/* A database name for the db file: "hw_t" and a hash of its path. */
static void mock_pg_dbname(const char *path, char *out, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	for (const char *c = path; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ULL;
	snprintf(out, len, "hw_t%016llx", (unsigned long long)h);
}

static char *mock_pg_exec(const char *url, const char *sql)
{
	PGconn *c = PQconnectdb(url);
	PGresult *r = PQstatus(c) == CONNECTION_OK ? PQexec(c, sql) : NULL;
	char *err = NULL;
	if (!r || (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK))
		err = mock_strdup(PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
	return err;
}

/* Reads the cluster's URL; makes the test database for db_path. Exits the
 * test on failure: a PostgreSQL run without a server proves nothing. */
static void mock_pg_setup(mock_api *m)
{
	const char *dir = getenv("HALLWAY_TEST_PG_DIR");
	char path[512], base[512], name[40], sql[160], *slash, *err;
	FILE *fp;
	int fresh;
	if (!dir || !*dir || !m->db_path)
		return;
	snprintf(path, sizeof(path), "%s/url", dir);
	fp = fopen(path, "r");
	if (!fp || !fgets(base, sizeof(base), fp)) {
		fprintf(stderr, "mock_api: no PostgreSQL cluster url in %s\n", path);
		exit(2);
	}
	fclose(fp);
	base[strcspn(base, "\n")] = '\0';
	slash = strrchr(base, '/');
	if (!slash || slash < strstr(base, "//") + 2) {
		fprintf(stderr, "mock_api: cluster url %s has no database\n", base);
		exit(2);
	}
	mock_pg_dbname(m->db_path, name, sizeof(name));
	fp = fopen(m->db_path, "r");
	fresh = fp == NULL;
	if (fp)
		fclose(fp);
	if (fresh) {
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
		if ((err = mock_pg_exec(base, sql))) {
			fprintf(stderr, "mock_api: %s", err);
			exit(2);
		}
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
		if ((err = mock_pg_exec(base, sql))) {
			fprintf(stderr, "mock_api: %s", err);
			exit(2);
		}
	}
	*slash = '\0';
	m->pg_url = mock_xalloc(strlen(base) + strlen(name) + 2);
	sprintf(m->pg_url, "%s/%s", base, name);
	m->pg = store_pg_new(m->pg_url);
	if (!m->pg) {
		fprintf(stderr, "mock_api: out of memory\n");
		exit(2);
	}
	/* The SQLite file marks the database as made (and keeps the mock's
	 * own db() for what a test inspects there). */
	mock_api_db(m);
}

/* Runs one queued unit of work and its done(); 0 when none waits. */
static int mock_db_one(mock_api *m)
{
	mock_tx t;
	char err[STORE_ERR_MAX] = "";
	int rc;
	if (m->txs_head >= m->ntxs) {
		m->txs_head = m->ntxs = 0;
		return 0;
	}
	t = m->txs[m->txs_head++];
	if (m->db_fail) {
		rc = m->db_fail;
	} else if (m->pg) {
		if (!m->pg_sess)
			m->pg_sess = store_pg_session_new(m->pg, m->name);
		rc = m->pg_sess ? store_pg_run(m->pg_sess, NULL, t.body, &m->self, t.ud, err, sizeof(err))
				: HW_ERR_NOMEM;
		if (rc != HW_OK && m->verbose)
			fprintf(stderr, "mock_api: %s: transaction not committed (%d): %s\n", m->name,
				rc, err);
	} else {
		if (!m->store && mock_api_db(m))
			m->store = store_sqlite_new(m->db);
		rc = m->store ? store_sqlite_run(m->store, NULL, t.body, &m->self, t.ud, err, sizeof(err))
			      : HW_ERR_UNAVAILABLE;
		if (rc != HW_OK && m->verbose)
			fprintf(stderr, "mock_api: %s: transaction not committed (%d): %s\n", m->name,
				rc, err);
	}
	if (t.done)
		t.done(&m->self, rc, t.ud);
	return 1;
}

size_t mock_api_db_settle(mock_api *m)
{
	size_t n = 0;
	if (m->settling)
		return 0;
	m->settling = 1;
	while (mock_db_one(m))
		n++;
	m->settling = 0;
	return n;
}

/* After a command, timer or event returned. */
static void mock_db_auto(mock_api *m)
{
	if (!m->db_hold)
		mock_api_db_settle(m);
}

void mock_api_db_hold(mock_api *m, int on)
{
	m->db_hold = on;
}

void mock_api_db_fail(mock_api *m, int status)
{
	m->db_fail = status;
}

int mock_api_db_fence(mock_api *m, const char *holder, int64_t epoch)
{
	if (!m->pg)
		return -1;
	snprintf(m->fence.holder, sizeof(m->fence.holder), "%s", holder);
	atomic_store(&m->fence.epoch, epoch);
	store_pg_set_fence(m->pg, &m->fence);
	return 0;
}

/* The first column of the first row of sql as text (copied into buf) on
 * whichever engine db_run uses: 1 for a value, 0 for NULL, -1 for no row
 * or a failed query. */
static int db_first(mock_api *m, const char *sql, char *buf, size_t len)
{
	int got = -1;
	if (m->pg_url) {
		PGconn *c = PQconnectdb(m->pg_url);
		PGresult *r = NULL;
		char path[96];
		snprintf(path, sizeof(path), "SET search_path TO \"%s\"", m->name);
		if (PQstatus(c) == CONNECTION_OK)
			PQclear(PQexec(c, path));
		if (PQstatus(c) == CONNECTION_OK && (r = PQexec(c, sql)) &&
		    PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
			got = PQgetisnull(r, 0, 0) ? 0 : 1;
		if (got == 1)
			snprintf(buf, len, "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
		PQfinish(c);
		return got;
	}
	{
		sqlite3_stmt *st = NULL;
		if (mock_api_db(m) &&
		    sqlite3_prepare_v2(m->db, sql, -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW) {
			got = sqlite3_column_type(st, 0) == SQLITE_NULL ? 0 : 1;
			if (got == 1)
				snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
		}
		sqlite3_finalize(st);
	}
	return got;
}

int64_t mock_api_db_int(mock_api *m, const char *sql)
{
	char v[32];
	int got = db_first(m, sql, v, sizeof(v));
	return got < 0 ? -1 : got ? strtoll(v, NULL, 10) : 0;
}

char *mock_api_db_text(mock_api *m, const char *sql)
{
	char *buf = mock_xalloc(1 << 16);
	if (db_first(m, sql, buf, 1 << 16) == 1)
		return buf;
	free(buf);
	return NULL;
}

size_t mock_api_db_pending(mock_api *m)
{
	return m->ntxs - m->txs_head;
}

/* ---- lifecycle ---- */

mock_api *mock_api_new(const char *plugin_name, const json_t *config, const char *db_path)
{
	mock_api *m = mock_xalloc(sizeof(*m));
	m->api.struct_size = sizeof(hw_api);
	m->api.abi_major = HW_ABI_MAJOR;
	m->api.abi_minor = HW_ABI_MINOR;
	m->api.log = mock_log;
	m->api.config = mock_config;
	m->api.command_add = mock_command_add;
	m->api.complete_add = mock_complete_add;
	m->api.reply = mock_reply;
	m->api.reply_message = mock_reply_message;
	m->api.reply_file = mock_reply_file;
	m->api.reply_model = mock_reply_model;
	m->api.invocation_keep = mock_invocation_keep;
	m->api.invocation_release = mock_invocation_release;
	m->api.send = mock_send;
	m->api.send_model = mock_send_model;
	m->api.dm = mock_dm;
	m->api.send_file = mock_send_file;
	m->api.subscribe = mock_subscribe;
	m->api.publish = mock_publish;
	m->api.now_ms = mock_now;
	m->api.timer_add = mock_timer_add;
	m->api.cancel = mock_cancel;
	m->api.http = mock_http;
	m->api.db_migrate = mock_db_migrate;
	m->api.work = mock_work;
	m->api.name = mock_name;
	m->api.prefix = mock_prefix;
	m->api.set_userdata = mock_set_userdata;
	m->api.userdata = mock_userdata;
	m->api.db_run = mock_db_run;
	m->api.db_engine = mock_db_engine;
	store_api_fill(&m->api);
	m->self.m = m;
	m->name = mock_strdup(plugin_name);
	m->config = config ? json_deep_copy(config) : json_object();
	m->db_path = mock_strdup(db_path);
	m->synchronous = mock_strdup("FULL");
	m->enforce_perms = 1;
	m->verbose = 1;
	m->now = 1700000000000LL;
	mock_pg_setup(m);
	return m;
}

const hw_api *mock_api_table(mock_api *m)
{
	return &m->api;
}

hw_plugin *mock_api_self(mock_api *m)
{
	return &m->self;
}

int mock_api_load(mock_api *m, const hw_plugin_desc *desc)
{
	if (!desc || desc->abi_major != HW_ABI_MAJOR || desc->abi_minor > HW_ABI_MINOR ||
	    !desc->init || strcmp(desc->name, m->name))
		return HW_ERR_INVALID;
	m->desc = desc;
	{
		/* Units of work queued by init run once it returned, as on the
		 * host's loop. */
		int rc = desc->init(&m->self, &m->api);
		mock_db_auto(m);
		return rc;
	}
}

static void mock_forget(mock_api *m)
{
	size_t i;
	for (i = 0; i < m->ncmds; i++) {
		size_t j;
		for (j = 0; j < m->cmds[i].spec.nargs; j++)
			free(m->cmds[i].arg_names[j]);
		free(m->cmds[i].arg_names);
		free(m->cmds[i].args);
		free(m->cmds[i].name);
		free(m->cmds[i].summary);
		free(m->cmds[i].help);
	}
	free(m->cmds);
	m->cmds = NULL;
	m->ncmds = 0;
	free(m->timers);
	m->timers = NULL;
	m->ntimers = 0;
	for (i = 0; i < m->nsubs; i++)
		free(m->subs[i].type);
	free(m->subs);
	m->subs = NULL;
	m->nsubs = 0;
	for (i = 0; i < m->nhttps; i++)
		free(m->https[i].url);
	free(m->https);
	m->https = NULL;
	m->nhttps = 0;
}

void mock_api_unload(mock_api *m)
{
	size_t i;
	if (!m->desc)
		return;
	if (m->desc->shutdown)
		m->desc->shutdown(&m->self, m->userdata);
	m->userdata = NULL;
	/* Like the host's sweep: cancel work still pending. */
	for (i = 0; i < m->njobs; i++)
		if (m->jobs[i].live) {
			m->jobs[i].live = 0;
			m->jobs[i].done(&m->self, m->jobs[i].arg, 1);
		}
	/* Units of work not started: nothing written, done() frees ud. */
	while (m->txs_head < m->ntxs) {
		mock_tx t = m->txs[m->txs_head++];
		if (t.done)
			t.done(&m->self, HW_ERR_UNAVAILABLE, t.ud);
	}
	m->txs_head = m->ntxs = 0;
	m->desc = NULL;
	mock_forget(m);
}

static void mock_clear_choices(mock_api *m)
{
	size_t i;
	for (i = 0; i < m->nchoices; i++) {
		free(m->choice_names[i]);
		free(m->choice_values[i]);
	}
	m->nchoices = 0;
}

void mock_api_free(mock_api *m)
{
	size_t i;
	if (!m)
		return;
	mock_api_unload(m);
	mock_forget(m);
	mock_api_clear(m);
	free(m->outs);
	free(m->jobs);
	free(m->txs);
	store_sqlite_free(m->store);
	store_pg_session_free(m->pg_sess);
	store_pg_free(m->pg);
	free(m->pg_url);
	mock_clear_choices(m);
	for (i = 0; i < m->ncanned; i++) {
		free(m->canned[i].url);
		free(m->canned[i].body);
	}
	free(m->canned);
	if (m->db)
		sqlite3_close(m->db);
	json_decref(m->config);
	free(m->name);
	free(m->db_path);
	free(m->synchronous);
	free(m);
}

/* ---- running commands ---- */

static mock_command *mock_find(mock_api *m, const char *name)
{
	size_t i;
	for (i = 0; i < m->ncmds; i++)
		if (!strcmp(m->cmds[i].name, name))
			return &m->cmds[i];
	return NULL;
}

const hw_command_spec *mock_api_command(mock_api *m, const char *name)
{
	mock_command *c = mock_find(m, name);
	return c ? &c->spec : NULL;
}

size_t mock_api_command_count(mock_api *m)
{
	return m->ncmds;
}

void mock_api_set_door(mock_api *m, enum hw_door door, int is_dm)
{
	m->door = door;
	m->is_dm = is_dm;
}

void mock_api_enforce_perms(mock_api *m, int on)
{
	m->enforce_perms = on;
}

static int mock_invoke(mock_api *m, const mock_user *u, mock_command *c, size_t nargs,
		       const char *const *args, const char *raw)
{
	hw_arg argv[MOCK_MAX_ARGS];
	hw_invocation inv;
	size_t i;
	memset(argv, 0, sizeof(argv));
	if (nargs > c->spec.nargs)
		return HW_ERR_INVALID;
	for (i = 0; i < c->spec.nargs; i++) {
		const char *v = i < nargs ? args[i] : NULL;
		argv[i].name = c->args[i].name;
		if (!v) {
			if (c->args[i].required)
				return HW_ERR_INVALID;
			continue;
		}
		argv[i].present = 1;
		argv[i].str = v;
		if (c->args[i].type == HW_ARG_INTEGER) {
			char *end;
			argv[i].num = strtoll(v, &end, 10);
			if (end == v || *end)
				return HW_ERR_INVALID;
		} else if (c->args[i].type == HW_ARG_BOOL) {
			argv[i].num = !strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes");
		}
	}
	if (m->enforce_perms && c->spec.perm == HW_PERM_ORGANIZER && !u->is_organizer)
		return HW_ERR_DENIED;
	memset(&inv, 0, sizeof(inv));
	inv.struct_size = sizeof(inv);
	inv.door = m->door;
	inv.command = c->name;
	inv.user_id = u->id;
	inv.user_name = u->name;
	inv.channel_id = m->door == HW_DOOR_CONSOLE ? NULL : m->is_dm ? "dm-1" : "channel-1";
	inv.guild_id = m->is_dm ? NULL : "guild-1";
	inv.is_dm = m->is_dm;
	inv.is_organizer = u->is_organizer;
	inv.argc = c->spec.nargs;
	inv.argv = argv;
	inv.raw_args = raw ? raw : "";
	{
		int rc = c->spec.fn(&m->self, &inv, c->spec.ud);
		mock_db_auto(m);
		return rc;
	}
}

int mock_api_run(mock_api *m, const mock_user *u, const char *command, size_t nargs,
		 const char *const *args)
{
	mock_command *c = mock_find(m, command);
	if (!c)
		return HW_ERR_NOT_FOUND;
	return mock_invoke(m, u, c, nargs, args, NULL);
}

static const char *mock_skip_space(const char *p)
{
	while (*p && isspace((unsigned char)*p))
		p++;
	return p;
}

int mock_api_chat(mock_api *m, const mock_user *u, const char *line)
{
	mock_command *best = NULL;
	size_t best_len = 0, i, n = 0;
	const char *p, *raw;
	char *buf, *w;
	const char *args[MOCK_MAX_ARGS];
	int rc;

	line = mock_skip_space(line);
	for (i = 0; i < m->ncmds; i++) {
		size_t len = strlen(m->cmds[i].name);
		if (len > best_len && !strncmp(line, m->cmds[i].name, len) &&
		    (!line[len] || isspace((unsigned char)line[len]))) {
			best = &m->cmds[i];
			best_len = len;
		}
	}
	if (!best)
		return HW_ERR_NOT_FOUND;
	raw = p = mock_skip_space(line + best_len);
	buf = w = mock_xalloc(strlen(p) + 1);
	while (*p && n < best->spec.nargs) {
		if (best->args[n].type == HW_ARG_TEXT) {
			size_t len = strlen(p);
			while (len && isspace((unsigned char)p[len - 1]))
				len--;
			args[n++] = w;
			memcpy(w, p, len);
			w[len] = 0;
			break;
		}
		args[n++] = w;
		if (*p == '"') {
			p++;
			while (*p && *p != '"')
				*w++ = *p++;
			if (*p == '"')
				p++;
		} else {
			while (*p && !isspace((unsigned char)*p))
				*w++ = *p++;
		}
		*w++ = 0;
		p = mock_skip_space(p);
	}
	rc = *p && n == best->spec.nargs && (!n || best->args[n - 1].type != HW_ARG_TEXT)
		     ? HW_ERR_INVALID /* too many words */
		     : mock_invoke(m, u, best, n, args, raw);
	free(buf);
	return rc;
}

size_t mock_api_complete(mock_api *m, const char *command, const char *arg, const char *partial)
{
	mock_command *c = mock_find(m, command);
	hw_completion out;
	mock_clear_choices(m);
	if (!c || !c->spec.complete)
		return 0;
	out.m = m;
	c->spec.complete(&m->self, arg, partial ? partial : "", &out, c->spec.ud);
	return m->nchoices;
}

const char *mock_api_choice(mock_api *m, size_t i, const char **value)
{
	if (i >= m->nchoices)
		return NULL;
	if (value)
		*value = m->choice_values[i];
	return m->choice_names[i];
}

/* ---- inspecting outputs ---- */

size_t mock_api_output_count(mock_api *m, enum mock_out_kind kind)
{
	size_t i, n = 0;
	for (i = 0; i < m->nouts; i++)
		if (kind == MOCK_OUT_ANY || m->outs[i].kind == kind)
			n++;
	return n;
}

const mock_output *mock_api_output(mock_api *m, enum mock_out_kind kind, size_t idx)
{
	size_t i;
	for (i = 0; i < m->nouts; i++)
		if (kind == MOCK_OUT_ANY || m->outs[i].kind == kind) {
			if (!idx)
				return &m->outs[i];
			idx--;
		}
	return NULL;
}

const mock_output *mock_api_last(mock_api *m, enum mock_out_kind kind)
{
	size_t i = m->nouts;
	while (i--)
		if (kind == MOCK_OUT_ANY || m->outs[i].kind == kind)
			return &m->outs[i];
	return NULL;
}

const char *mock_api_last_text(mock_api *m, enum mock_out_kind kind)
{
	const mock_output *o = mock_api_last(m, kind);
	return o ? o->text : "";
}

void mock_api_clear(mock_api *m)
{
	size_t i;
	for (i = 0; i < m->nouts; i++) {
		free(m->outs[i].target);
		free(m->outs[i].text);
		free(m->outs[i].filename);
		free(m->outs[i].data);
		free(m->outs[i].mention_users);
		free(m->outs[i].nonce);
	}
	m->nouts = 0;
}

void mock_api_on_output(mock_api *m, mock_output_fn fn, void *ud)
{
	m->on_output = fn;
	m->on_output_ud = ud;
}

void mock_api_fail_sends(mock_api *m, int status)
{
	m->fail_status = status;
}

/* ---- clock, HTTP pump ---- */

void mock_api_set_now(mock_api *m, int64_t now_ms)
{
	m->now = now_ms;
}

void mock_api_advance(mock_api *m, int64_t ms)
{
	int64_t end = m->now + ms;
	for (;;) {
		size_t i, best = (size_t)-1;
		for (i = 0; i < m->ntimers; i++)
			if (m->timers[i].live && m->timers[i].due <= end &&
			    (best == (size_t)-1 || m->timers[i].due < m->timers[best].due))
				best = i;
		if (best == (size_t)-1)
			break;
		if (m->timers[best].due > m->now)
			m->now = m->timers[best].due;
		if (m->timers[best].repeat)
			m->timers[best].due += m->timers[best].repeat;
		else
			m->timers[best].live = 0;
		/* The callback may add timers (realloc): copy what we need. */
		{
			mock_timer t = m->timers[best];
			t.fn(&m->self, t.id, t.ud);
			mock_db_auto(m);
		}
	}
	m->now = end;
}

size_t mock_api_timer_count(mock_api *m)
{
	size_t i, n = 0;
	for (i = 0; i < m->ntimers; i++)
		n += m->timers[i].live != 0;
	return n;
}

void mock_api_http_respond(mock_api *m, const char *url, long status, const char *body)
{
	mock_canned *c = mock_push(&m->canned, &m->ncanned, sizeof(*c));
	c->url = mock_strdup(url);
	c->body = mock_strdup(body ? body : "");
	c->status = status;
}

size_t mock_api_http_requests(mock_api *m)
{
	return m->nhttps;
}

size_t mock_api_pump(mock_api *m)
{
	size_t i, j, n = 0;
	for (i = 0; i < m->nhttps; i++) {
		hw_http_response res;
		mock_req h;
		if (!m->https[i].live)
			continue;
		memset(&res, 0, sizeof(res));
		res.struct_size = sizeof(res);
		res.status = 0;
		res.error = "mock: no canned response";
		res.body = "";
		for (j = 0; j < m->ncanned; j++)
			if (!strcmp(m->canned[j].url, m->https[i].url)) {
				res.status = m->canned[j].status;
				res.error = NULL;
				res.body = m->canned[j].body;
				res.body_len = strlen(res.body);
				res.content_type = "application/json";
			}
		m->https[i].live = 0;
		h = m->https[i];
		h.fn(&m->self, h.id, &res, h.ud);
		n++;
	}
	for (i = 0; i < m->njobs; i++) {
		mock_job j2;
		if (!m->jobs[i].live)
			continue;
		m->jobs[i].live = 0;
		j2 = m->jobs[i];
		j2.run(j2.arg);
		j2.done(&m->self, j2.arg, 0);
		n++;
	}
	n += mock_api_db_settle(m);
	return n;
}

size_t mock_api_log_errors(mock_api *m)
{
	return m->log_errors;
}

void mock_api_log_verbose(mock_api *m, int on)
{
	m->verbose = on;
}
