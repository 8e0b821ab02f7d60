/*
 * The allocator's policy, set before main() runs. hallway's threads are the
 * loop and a few workers that run rare, heavy jobs (a schedule parsed, an
 * index built) whose results the loop keeps. glibc gives each such thread an
 * arena of its own: what a job keeps then sits in an arena no thread
 * allocates from again, and the pages its temporaries freed around it stay
 * resident beside it. With every plugin and FOSDEM 2025 that was 2.3-2.7 MB
 * of private memory (19.9 -> 17.3 MB with one arena, bench/README.md). The
 * loop is the only busy allocator, so one arena costs no contention worth
 * measuring.
 *
 * A constructor, not a call in main(): it must run before any thread starts
 * (a library's own threads included) and before SQLite initialises.
 */
#include <sqlite3.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

__attribute__((constructor)) static void mem_policy(void)
{
	/* SQLite: no bulk page-cache allocation when a connection first reads
	 * (20 pages, ~85 KB, whether it needs them or not): pages come one at a
	 * time. hallway opens a dozen connections (one or two per plugin, the
	 * FTS indexes), most of which read a few pages: SQLite's memory with
	 * every plugin 4.38 -> 3.85 MB. Only possible before SQLite starts, so
	 * before main(); SQLITE_MISUSE otherwise, and then nothing changes. */
	(void)sqlite3_config(SQLITE_CONFIG_PAGECACHE, NULL, 0, 0);
#ifdef __GLIBC__
	/* An operator's own MALLOC_ARENA_MAX wins (glibc reads it at start). */
	if (getenv("MALLOC_ARENA_MAX"))
		return;
	/* It cannot fail for M_ARENA_MAX in glibc, and under a sanitizer's
	 * allocator it does nothing: nothing to do about either, and nowhere
	 * to log yet. */
	(void)mallopt(M_ARENA_MAX, 1);
#endif
}
