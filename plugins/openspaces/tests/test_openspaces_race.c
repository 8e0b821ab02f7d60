/*
 * The one-winner rule and durability with real processes on one database.
 *
 * one_room_race: racers released together propose the same room at the
 * same time; exactly one is told "It's yours", every other is told it is
 * taken and offered free slots.
 * any_room_race: racers without a room fill the free rooms of one slot,
 * one winner per room.
 * fifty_for_ten: 50 users race for 10 cells of one room; exactly 10 win and
 * each of the 40 others is offered a free slot.
 * sigkill_burst: a child proposes and joins, acknowledging each answer
 * only after the plugin replied; the parent SIGKILLs it at random points
 * and restarts it at the first unacknowledged step (the user retrying).
 * The final board equals the model built from what users were told.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>

#include "testlib.h"

#include "common.h"

/* Ten hourly slots, two rooms, one day. */
#define RACE_CONFIG                                                                  \
	"{\"rooms\": [{\"name\": \"Hall\"}, {\"name\": \"Annex\"}],"                 \
	" \"days\": [\"2026-11-26\"], \"start\": \"09:00\", \"end\": \"19:00\","     \
	" \"timezone\": \"Europe/Brussels\"}"

typedef struct race_ack {
	int32_t who;
	char kind; /* W won, T taken (with an offer), F full (with an offer), X else */
} race_ack;

static race_ack race_parse(int who, const char *reply)
{
	race_ack a;
	a.who = who;
	if (strstr(reply, "It's yours"))
		a.kind = 'W';
	else if (strstr(reply, "Every room is taken then") && strstr(reply, "Free nearby:\n- "))
		a.kind = 'F';
	else if (strstr(reply, "is taken then") && strstr(reply, "Free nearby:\n- "))
		a.kind = 'T';
	else
		a.kind = 'X';
	if (a.kind == 'X')
		fprintf(stderr, "  racer %d: %s\n", who, reply);
	return a;
}

/* Forks n racers that wait for one byte, then run line_of(i); collects
 * their parsed answers into acks. Returns 0 when all answered. */
static int race_run(const char *path, const char *config, int n,
		    void (*line_of)(int i, char *buf, size_t len), race_ack *acks)
{
	int go[2], res[2], i, bad = 0;
	pid_t *pids = calloc((size_t)n, sizeof(*pids));
	if (!pids || pipe(go) || pipe(res))
		return -1;
	for (i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			return -1;
		if (!pids[i]) {
			char id[16], line[200], b;
			mock_user u = {id, id, 0};
			race_ack a;
			mock_api *c = os_start(path, config);
			close(go[1]);
			close(res[0]);
			snprintf(id, sizeof(id), "%d", 5000 + i);
			line_of(i, line, sizeof(line));
			if (read(go[0], &b, 1) != 1)
				_exit(5);
			mock_api_chat(c, &u, line);
			a = race_parse(i, mock_api_last_text(c, MOCK_OUT_REPLY));
			if (write(res[1], &a, sizeof(a)) != (ssize_t)sizeof(a))
				_exit(3);
			mock_api_free(c);
			_exit(0);
		}
	}
	close(go[0]);
	close(res[1]);
	for (i = 0; i < n; i++) /* release them all at once */
		if (write(go[1], "g", 1) != 1)
			bad++;
	close(go[1]);
	for (i = 0; i < n; i++)
		if (read(res[0], &acks[i], sizeof(acks[i])) != (ssize_t)sizeof(acks[i])) {
			bad++;
			break;
		}
	close(res[0]);
	for (i = 0; i < n; i++)
		waitpid(pids[i], NULL, 0);
	free(pids);
	return bad ? -1 : 0;
}

/* A look at the tables as the host, on whichever engine the test runs
 * (SQLite, or PostgreSQL in test_openspaces_race_pg). */
static long long race_q(const char *path, const char *sql)
{
	mock_api *m = os_start(path, RACE_CONFIG);
	long long v = mock_api_db_int(m, sql);
	mock_api_free(m);
	return v;
}

static const char *race_path(char *buf, size_t len, const char *config)
{
	/* Create and migrate the database once, before the racers open it. */
	os_tmp_db(buf, len);
	mock_api_free(os_start(buf, config));
	return buf;
}

static void line_hall_10(int i, char *buf, size_t len)
{
	snprintf(buf, len, "openspace propose thu 10:00 Hall Topic %d", i);
}

static void line_any_11(int i, char *buf, size_t len)
{
	snprintf(buf, len, "openspace propose thu 11:00 Topic %d", i);
}

static void line_hall_mod10(int i, char *buf, size_t len)
{
	snprintf(buf, len, "openspace propose thu %d:00 Hall Topic %d", 9 + i % 10, i);
}

TEST(one_room_race)
{
	enum { RACERS = 8, ROUNDS = 5 };
	race_ack acks[RACERS];
	int round, i, wrong = 0;
	for (round = 0; round < ROUNDS; round++) {
		char path[256];
		int won = 0, taken = 0;
		race_path(path, sizeof(path), RACE_CONFIG);
		REQUIRE(race_run(path, RACE_CONFIG, RACERS, line_hall_10, acks) == 0);
		for (i = 0; i < RACERS; i++) {
			won += acks[i].kind == 'W';
			taken += acks[i].kind == 'T';
		}
		if (won != 1 || taken != RACERS - 1 ||
		    race_q(path, "SELECT count(*) FROM openspaces_sessions") != 1) {
			fprintf(stderr, "round %d: %d won, %d taken\n", round, won, taken);
			wrong++;
		}
	}
	CHECK_INTEQ(wrong, 0);
}

TEST(any_room_race)
{
	enum { RACERS = 8 };
	race_ack acks[RACERS];
	char path[256];
	int i, won = 0, full = 0;
	race_path(path, sizeof(path), RACE_CONFIG);
	REQUIRE(race_run(path, RACE_CONFIG, RACERS, line_any_11, acks) == 0);
	for (i = 0; i < RACERS; i++) {
		won += acks[i].kind == 'W';
		full += acks[i].kind == 'F';
		if (acks[i].kind != 'W' && acks[i].kind != 'F')
			fprintf(stderr, "  racer %d: %c\n", acks[i].who, acks[i].kind);
	}
	CHECK_INTEQ(won, 2);
	CHECK_INTEQ(full, RACERS - 2);
	CHECK_INTEQ(race_q(path, "SELECT count(DISTINCT room) FROM openspaces_sessions"), 2);
}

TEST(fifty_for_ten)
{
	enum { RACERS = 50 };
	race_ack acks[RACERS];
	char path[256];
	int i, won = 0, taken = 0;
	race_path(path, sizeof(path), RACE_CONFIG);
	REQUIRE(race_run(path, RACE_CONFIG, RACERS, line_hall_mod10, acks) == 0);
	for (i = 0; i < RACERS; i++) {
		won += acks[i].kind == 'W';
		taken += acks[i].kind == 'T';
	}
	CHECK_INTEQ(won, 10);
	CHECK_INTEQ(taken, RACERS - 10);
	CHECK_INTEQ(race_q(path, "SELECT count(*) FROM openspaces_sessions WHERE room = 'Hall'"), 10);
	CHECK_INTEQ(race_q(path, "SELECT count(DISTINCT slot) FROM openspaces_sessions"), 10);
}

/* ---- SIGKILL during a burst ---- */

#define BURST_USERS 20
#define BURST_OPS 60

/* Step k: users 0..19 propose cell k (slot k % 10, room k / 10), then the
 * others join open spaces in turn. */
static void burst_line(int k, char *buf, size_t len, mock_user *u, char *id)
{
	if (k < BURST_USERS) {
		snprintf(id, 16, "%d", 7000 + k);
		snprintf(buf, len, "openspace propose thu %d:00 %s Burst %d", 9 + k % 10,
			 k < 10 ? "Hall" : "Annex", k);
	} else {
		int joiner = k % BURST_USERS, target = (k * 7) % BURST_USERS;
		snprintf(id, 16, "%d", 7000 + joiner);
		snprintf(buf, len, "openspace join Burst %d", target);
	}
	u->id = id;
	u->name = id;
	u->is_organizer = 0;
}

static void burst_child(const char *path, int start, int fd)
{
	mock_api *m = os_start(path, RACE_CONFIG);
	int k;
	for (k = start; k < BURST_OPS; k++) {
		char line[200], id[16];
		mock_user u;
		race_ack a;
		const char *r;
		burst_line(k, line, sizeof(line), &u, id);
		mock_api_chat(m, &u, line);
		r = mock_api_last_text(m, MOCK_OUT_REPLY);
		a.who = k;
		a.kind = strstr(r, "It's yours") || strstr(r, "You already have it") ? 'W'
			 : strstr(r, "You're in") || strstr(r, "You already joined")  ? 'J'
			 : strstr(r, "You host")                                       ? 'H'
											: 'X';
		if (a.kind == 'X')
			fprintf(stderr, "  step %d: %s\n", k, r);
		if (write(fd, &a, sizeof(a)) != (ssize_t)sizeof(a))
			_exit(3);
	}
	mock_api_free(m);
	_exit(0);
}

TEST(sigkill_burst)
{
	char path[256];
	char told[BURST_OPS];
	int next = 0, starts = 0, kills = 0, odd = 0, k;
	long long joins = 0;
	uint64_t seed = (uint64_t)time(NULL);
	memset(told, 0, sizeof(told));
	race_path(path, sizeof(path), RACE_CONFIG);
	srand((unsigned)seed);
	while (next < BURST_OPS && starts < 200) {
		int fds[2], status;
		pid_t pid;
		race_ack a;
		REQUIRE(pipe(fds) == 0);
		pid = fork();
		REQUIRE(pid >= 0);
		if (!pid) {
			close(fds[0]);
			burst_child(path, next, fds[1]);
		}
		close(fds[1]);
		starts++;
		/* Kill after a random number of answers (or let it finish). */
		{
			int let = rand() % 12, got = 0;
			while (read(fds[0], &a, sizeof(a)) == (ssize_t)sizeof(a)) {
				if (a.who != next)
					odd++;
				told[a.who] = a.kind;
				odd += a.kind == 'X';
				next = a.who + 1;
				if (++got >= let && rand() % 3 == 0) {
					/* Mid-step: the next operation may be half done. */
					struct timespec ts = {0, (long)(rand() % 3000) * 1000};
					nanosleep(&ts, NULL);
					kill(pid, SIGKILL);
					kills++;
					break;
				}
			}
		}
		close(fds[0]);
		waitpid(pid, &status, 0);
	}
	fprintf(stderr, "sigkill_burst (seed %llu): %d starts, %d SIGKILLs\n",
		(unsigned long long)seed, starts, kills);
	CHECK_INTEQ(next, BURST_OPS);
	CHECK_INTEQ(odd, 0);
	{
		/* A join told twice (a retry, or the same pair again) is one row. */
		char pair[BURST_USERS][BURST_USERS];
		memset(pair, 0, sizeof(pair));
		for (k = 0; k < BURST_OPS; k++) {
			if (k < BURST_USERS)
				CHECK(told[k] == 'W');
			else if (told[k] == 'J' && !pair[k % BURST_USERS][(k * 7) % BURST_USERS]++)
				joins++;
		}
	}
	/* The board equals what users were told: every cell once, every join. */
	CHECK_INTEQ(race_q(path, "SELECT count(*) FROM openspaces_sessions"), BURST_USERS);
	CHECK_INTEQ(race_q(path, "SELECT count(DISTINCT day || slot || room) FROM openspaces_sessions"),
		    BURST_USERS);
	CHECK_INTEQ(race_q(path, "SELECT count(*) FROM openspaces_joins"), joins);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	RUN(one_room_race);
	RUN(any_room_race);
	RUN(fifty_for_ten);
	RUN(sigkill_burst);
	return test_summary();
}
