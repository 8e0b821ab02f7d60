/*
 * A small schedule in the "schedule.loaded" shape for the recommend tests.
 * T0 is mock_api's starting clock (1 700 000 000 s); talks start after it
 * except the "past" one.
 */
#ifndef REC_FIXTURE_H
#define REC_FIXTURE_H

#include <jansson.h>

#define T0 1700000000LL

static json_t *fx_talk(const char *id, const char *title, const char *abstract,
		       const char *track, const char *room, const char *speaker, long long start,
		       long long mins)
{
	return json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:[s], s:[s], s:I, s:I, s:b}", "id", id,
			 "title", title, "abstract", abstract, "track", track, "room", room,
			 "speakers", speaker, "tags", "talk", "start", (json_int_t)start, "end",
			 (json_int_t)(start + mins * 60), "cancelled", 0);
}

/* Returns a new reference. */
static json_t *fx_schedule(void)
{
	json_t *talks = json_array();

	json_t *rust = fx_talk("t-rust", "Rust for Embedded Systems",
		"Writing firmware in Rust: no_std, HALs and safe concurrency on microcontrollers.",
		"Embedded", "Room A", "Ferris Crab", T0 + 3600, 30);

	/* Its recording, as the schedule exports one (issue 21). */
	json_object_set_new(rust, "recording", json_string("https://video.example.org/rust.mp4"));
	json_array_append_new(talks, rust);
	json_array_append_new(talks, fx_talk("t-rust-past", "Rust Rust Rust: a Rust Retrospective",
		"Rust, rust and more rust.", "Embedded", "Room A", "Old Timer", T0 - 3600, 30));
	json_array_append_new(talks, fx_talk("t-py1", "Python Packaging Today",
		"Wheels, lockfiles and pyproject.toml for Python projects.", "Python", "Room B",
		"Ada Lovelace", T0 + 7200, 30));
	json_array_append_new(talks, fx_talk("t-py2", "Python Typing in Practice",
		"Type hints for Python codebases, gradual typing with mypy.", "Python", "Room C",
		"Guido Example", T0 + 7200, 30));
	/* Like t-py2 (typing), to pull it up when starred. */
	json_array_append_new(talks, fx_talk("t-mypy", "Mypy Internals: Typing Checkers",
		"How a type checker infers types; typing, hints and mypy plugins.", "Tooling",
		"Room C", "Jukka Example", T0 + 5400, 30));
	/* A two-slot workshop: one entry. */
	json_array_append_new(talks, fx_talk("t-ws@1", "Workshop: Fuzzing Parsers",
		"Hands-on fuzzing with libFuzzer.", "Security", "Lab", "Ilya Petrov", T0 + 1800, 90));
	json_array_append_new(talks, fx_talk("t-ws@2", "Workshop: Fuzzing Parsers",
		"Hands-on fuzzing with libFuzzer.", "Security", "Lab", "Ilya Petrov", T0 + 90000, 90));
	/* Overlaps t-rust (clash). */
	json_array_append_new(talks, fx_talk("t-db", "Postgres Replication, Explained",
		"Logical and physical replication; failover; \"quoted\" text, commas; semicolons.",
		"Databases", "Room B", "Chloé Dubois", T0 + 3000, 60));
	return json_pack("{s:s, s:s, s:[s,s,s,s], s:o}", "name", "FixtureCon", "timezone",
			 "Europe/Brussels", "rooms", "Room A", "Room B", "Room C", "Lab", "talks",
			 talks);
}

#endif
