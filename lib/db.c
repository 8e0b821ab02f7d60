/*
 * hw_db — SQLite helpers with bound parameters (include/hallway/db.h), shared
 * by the plugins that store through SQL (sprints, openspaces).
 */
#include <hallway/db.h>

#include <stdarg.h>

#include <hallway/plugin.h>

static int db_vprepare(sqlite3 *db, sqlite3_stmt **out, const char *sql,
			       const char *types, va_list ap)
{
	sqlite3_stmt *st = NULL;
	int i;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return HW_ERR_STORAGE;
	for (i = 0; types && types[i]; i++) {
		int rc;
		if (types[i] == 'i') {
			rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
		} else {
			const char *t = va_arg(ap, const char *);
			rc = t ? sqlite3_bind_text(st, i + 1, t, -1, SQLITE_TRANSIENT)
			       : sqlite3_bind_null(st, i + 1);
		}
		if (rc != SQLITE_OK) {
			sqlite3_finalize(st);
			return HW_ERR_STORAGE;
		}
	}
	*out = st;
	return 0;
}

int hw_db_prepare(sqlite3 *db, sqlite3_stmt **out, const char *sql, const char *types, ...)
{
	va_list ap;
	int rc;
	va_start(ap, types);
	rc = db_vprepare(db, out, sql, types, ap);
	va_end(ap);
	return rc;
}

const char *hw_db_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return t ? (const char *)t : "";
}
