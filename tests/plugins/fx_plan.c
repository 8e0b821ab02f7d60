/*
 * A fixture plugin for the dry run (test_plan.py): it answers plan.collect
 * with one post at once and, by config "mode", one more later:
 *   "late"   after "delay_ms", from the done() of a db_run that counts the
 *            plans it answered (a hold taken in the handler, released there)
 *   "fail"   the same db_run fails: the hold is released with the reason
 *   "never"  the hold is released only at shutdown (the host's timeout)
 *   "none"   at once only
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hallway/plan.h>
#include <hallway/plugin.h>

#define HOUR_MS 3600000LL

static const hw_api *api;

struct fx;

struct late {
	struct fx *fx;
	hw_plan_hold *hold;
	int64_t from;
	int fail;
	int64_t count;
	struct late *next;
};

struct fx {
	const char *mode;
	int64_t delay_ms;
	struct late *waiting; /* holds not released yet, no unit of work running */
	int refs;             /* 1 for the plugin, 1 per unit of work running */
	int closed;           /* shut down: a done() that comes frees, nothing more */
};

static void fx_unref(struct fx *fx)
{
	if (--fx->refs == 0)
		free(fx);
}

static void forget(struct fx *fx, struct late *l)
{
	for (struct late **pp = &fx->waiting; *pp; pp = &(*pp)->next) {
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	}
}

static int count_body(hw_plugin *self, hw_tx *tx, void *ud)
{
	struct late *l = ud;
	hw_stmt *st;
	(void)self;
	if (l->fail) {
		/* A statement the engine refuses: the unit of work fails. */
		st = api->db_prepare(tx, "SELECT no_such_column FROM fx_plan_answers");
		return api->db_step(st) < 0 ? HW_ERR_STORAGE : HW_OK;
	}
	st = api->db_prepare(tx, "INSERT INTO fx_plan_answers (at) VALUES (?)");
	if (api->db_bind_int(st, 1, l->from) || api->db_step(st) != HW_DONE)
		return HW_ERR_STORAGE;
	st = api->db_prepare(tx, "SELECT count(*) FROM fx_plan_answers");
	if (api->db_step(st) != HW_ROW)
		return HW_ERR_STORAGE;
	l->count = api->db_col_int(st, 0);
	return HW_OK;
}

static void count_done(hw_plugin *self, int status, void *ud)
{
	struct late *l = ud;
	struct fx *fx = l->fx;
	char what[120], why[80];

	if (fx->closed)
		goto out; /* after unload: free what is ours, call nothing */
	if (status == HW_OK) {
		snprintf(what, sizeof(what), "late answer after a unit of work (%lld)",
			 (long long)l->count);
		hw_plan_add(hw_plan_hold_items(l->hold), l->from + HOUR_MS, "+1h", "DM", what,
			    "fx_plan");
	}
	snprintf(why, sizeof(why), "its storage failed (error %d)", status);
	hw_plan_release(api, self, l->hold, status == HW_OK ? NULL : why);
	l->hold = NULL;
out:
	hw_plan_hold_free(l->hold);
	fx_unref(fx);
	free(l);
}

static void on_delay(hw_plugin *self, hw_handle t, void *ud)
{
	struct late *l = ud;
	struct fx *fx = l->fx;
	(void)t;
	forget(fx, l); /* the unit of work owns it now */
	fx->refs++;
	if (api->db_run(self, count_body, count_done, l) != HW_OK) {
		fx->refs--;
		hw_plan_release(api, self, l->hold, "db_run refused");
		free(l);
	}
}

static void on_collect(hw_plugin *self, const char *type, json_t *data, void *ud)
{
	struct fx *fx = ud;
	struct late *l;
	int64_t from, to;
	json_t *items;
	(void)type;

	if (hw_plan_request(data, &from, &to, &items))
		return;
	hw_plan_add(items, from + 2 * HOUR_MS, "+2h", "DM", "answer at once", "fx_plan");
	if (!strcmp(fx->mode, "none") || !(l = calloc(1, sizeof(*l))))
		return;
	if (!(l->hold = hw_plan_hold_take(api, self, data))) {
		api->log(self, HW_LOG_WARN, "the host cannot wait for a late answer");
		free(l);
		return;
	}
	l->fx = fx;
	l->from = from;
	l->fail = !strcmp(fx->mode, "fail");
	l->next = fx->waiting;
	fx->waiting = l;
	if (!strcmp(fx->mode, "never"))
		return;
	if (!api->timer_add(self, fx->delay_ms, 0, on_delay, l)) {
		forget(fx, l);
		hw_plan_release(api, self, l->hold, "no timer");
		free(l);
	}
}

static int init(hw_plugin *self, const hw_api *host_api)
{
	static const char *const migrations[] = {
		"CREATE TABLE fx_plan_answers (at BIGINT NOT NULL)",
	};
	const json_t *cfg;
	struct fx *fx;

	api = host_api;
	cfg = api->config(self);
	if (!(fx = calloc(1, sizeof(*fx))))
		return HW_ERR_NOMEM;
	fx->refs = 1;
	fx->mode = json_string_value(json_object_get(cfg, "mode"));
	if (!fx->mode)
		fx->mode = "late";
	fx->delay_ms = json_integer_value(json_object_get(cfg, "delay_ms"));
	api->set_userdata(self, fx);
	if (api->db_migrate(self, migrations, 1) != HW_OK ||
	    api->subscribe(self, HW_EVENT_PLAN_COLLECT, on_collect, fx) != HW_OK)
		return HW_ERR_PLUGIN;
	return HW_OK;
}

/* Holds still open are released (too late for their plan: dropped); a
 * unit of work still running frees its own when its done() comes. */
static void shutdown_fx(hw_plugin *self, void *userdata)
{
	struct fx *fx = userdata;
	if (!fx)
		return;
	while (fx->waiting) {
		struct late *l = fx->waiting;
		fx->waiting = l->next;
		hw_plan_release(api, self, l->hold, "shutting down");
		free(l);
	}
	fx->closed = 1;
	fx_unref(fx);
}

static const hw_setting settings[] = {
	{"mode", HW_SETTING_STRING, HW_FORMAT_CHOICE, 0, 0, "late|fail|never|none", "late",
	 "When the second answer comes.", NULL, 0},
	{"delay_ms", HW_SETTING_INTEGER, HW_FORMAT_TEXT, 0, 60000, NULL, "0",
	 "How long a late answer waits before its unit of work.", NULL, 0},
	{NULL, 0, 0, 0, 0, NULL, NULL, NULL, NULL, 0}};

HW_PLUGIN_DEFINE_SETTINGS("fx_plan", "1.0", "plan.collect answered late (tests)", init,
			  shutdown_fx, settings);
