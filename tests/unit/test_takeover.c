/* When the active daemon saves its Discord session for the next one
 * (takeover.c): at once on READY, RESUMED or a new session; then when
 * TAKEOVER_SAVE_EVENTS dispatches or save_ms have passed; never for a
 * sequence number already saved. */
#include "takeover.h"
#include "testlib.h"

TEST(first_and_forced_saves)
{
	CHECK(takeover_save_due(-1, 0, 1, 0, 2000, 0));        /* nothing saved yet */
	CHECK(takeover_save_due(50, 1000, 50, 1001, 2000, 1)); /* READY/RESUMED: always */
	CHECK(takeover_save_due(50, 1000, 3, 1001, 2000, 1));  /* a new session starts low */
}

TEST(at_most_every_save_ms)
{
	CHECK(!takeover_save_due(10, 1000, 11, 1000, 2000, 0));
	CHECK(!takeover_save_due(10, 1000, 40, 2999, 2000, 0));
	CHECK(takeover_save_due(10, 1000, 11, 3000, 2000, 0));
	CHECK(takeover_save_due(10, 1000, 11, 90000, 2000, 0));
}

TEST(or_every_n_events)
{
	CHECK(!takeover_save_due(10, 1000, 10 + TAKEOVER_SAVE_EVENTS - 1, 1001, 60000, 0));
	CHECK(takeover_save_due(10, 1000, 10 + TAKEOVER_SAVE_EVENTS, 1001, 60000, 0));
}

TEST(never_the_same_or_an_older_seq)
{
	CHECK(!takeover_save_due(10, 1000, 10, 99999, 2000, 0));
	CHECK(!takeover_save_due(10, 1000, 9, 99999, 2000, 0));
}

int main(void)
{
	RUN(first_and_forced_saves);
	RUN(at_most_every_save_ms);
	RUN(or_every_n_events);
	RUN(never_the_same_or_an_older_seq);
	return test_summary();
}
