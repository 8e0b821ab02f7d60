/*
 * A private copy of the database for dry runs (`hallway --plan`): the
 * plugins run on the copy, so nothing they do while loading (a catch-up
 * post marked sent, a migration) touches the live database. SQLite's
 * online backup API reads a consistent snapshot even while the running
 * bot writes.
 */
#include "storage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"

int storage_snapshot(const char *src_path, char *dst_path, size_t dst_len)
{
	const char *tmp = getenv("TMPDIR");
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_backup *b;
	int fd, rc = -1;

	snprintf(dst_path, dst_len, "%s/hallway-plan-XXXXXX.db", tmp && *tmp ? tmp : "/tmp");
	if ((fd = mkstemps(dst_path, 3)) < 0) {
		LOGE("storage", "cannot create a copy of the database for the plan: %s",
		     strerror(errno));
		return -1;
	}
	close(fd);
	if (access(src_path, F_OK))
		return 0; /* no database yet: the plan starts from an empty one */
	if (sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_open(dst_path, &dst) != SQLITE_OK) {
		LOGE("storage", "cannot open %s for the plan: %s", src_path,
		     src ? sqlite3_errmsg(src) : "out of memory");
		goto out;
	}
	sqlite3_busy_timeout(src, 5000);
	if (!(b = sqlite3_backup_init(dst, "main", src, "main"))) {
		LOGE("storage", "cannot copy %s: %s", src_path, sqlite3_errmsg(dst));
		goto out;
	}
	/* The whole file in one step: a dry run may wait on a busy database. */
	if (sqlite3_backup_step(b, -1) != SQLITE_DONE)
		LOGE("storage", "cannot copy %s: %s", src_path, sqlite3_errmsg(dst));
	else
		rc = 0;
	sqlite3_backup_finish(b);
out:
	sqlite3_close(src);
	sqlite3_close(dst);
	if (rc)
		unlink(dst_path);
	return rc;
}
