"""Fan-out benchmark for the announce plugin: the real daemon against the
Discord stand-in, with 50 extra text channels added to the stand-in's world.

For each scenario it sends `announce` commands as alice (an Organizer),
waits until every message exists, and compares the wall time with the
fastest schedule the stand-in's limits allow (per channel 5 messages per
5 s fixed window from the first request; global 50 requests per sliding
second). The bound counts every bot POST up to the last announcement,
including the bot's own "Posted ..." replies, since those spend the same
global budget. 429s are read from the stand-in's ledger.

Run through bench/announce/run.sh; numbers go to bench/announce/RESULTS.md.
"""
import argparse
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "integration"))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "standin"))

GENERAL = "1000000000000000201"
ALICE = "1000000000000001000"
FIRST_EXTRA = 1000000000000010000
GLOBAL_LIMIT, GLOBAL_WINDOW = 50, 1.0
CHANNEL_LIMIT, CHANNEL_WINDOW = 5, 5.0


def add_channels(st, n):
    """Adds n text channels to the stand-in's guild (on its own loop)."""
    ids = [str(FIRST_EXTRA + i) for i in range(n)]

    def add():
        w = st.standin.world
        for i, cid in enumerate(ids):
            w.channels[cid] = {
                "id": cid, "type": 0, "guild_id": w.guild_id, "name": "bench-%02d" % i,
                "position": 100 + i, "permission_overwrites": [], "parent_id": None,
                "topic": None, "nsfw": False, "rate_limit_per_user": 0, "flags": 0,
                "last_message_id": None}
    st.call(add)
    return ids


def limit_bound(times_by_channel):
    """Seconds the limits force between the first and the last of these
    requests, for requests issued as early as the limits allow."""
    total = sum(len(v) for v in times_by_channel.values())
    per = max(len(v) for v in times_by_channel.values())
    glob = ((total - 1) // GLOBAL_LIMIT) * GLOBAL_WINDOW
    chan = ((per - 1) // CHANNEL_LIMIT) * CHANNEL_WINDOW
    return max(glob, chan), glob, chan


def run_scenario(st, tag, channels, rounds, timeout):
    from harness import wait_until
    before = st.ctl("GET", "/_test/rest/ratelimits")["total"]
    t_since = time.monotonic()
    want = len(channels) * rounds
    chset = set(channels)
    t0 = time.monotonic()
    for r in range(rounds):
        st.inject_message(content="!announce bench %s round %d" % (tag, r), user_id=ALICE)

    def done():
        posts = [q for q in st.ctl("GET", "/_test/rest/requests?since=%r" % t_since)["requests"]
                 if q["method"] == "POST" and q["path"].endswith("/messages")]
        ok = [q for q in posts if q["status"] == 200 and q["path"].split("/")[2] in chset]
        return posts if len(ok) >= want else None
    posts = wait_until(done, timeout=timeout, interval=0.05, what="%d messages" % want)
    ann = [q for q in posts if q["status"] == 200 and q["path"].split("/")[2] in chset]
    first, last = min(q["t"] for q in ann), max(q["t"] for q in ann)
    # Every bot POST up to the last announcement spends the global budget.
    by_channel = {}
    for q in posts:
        if q["status"] == 200 and q["t"] <= last:
            by_channel.setdefault(q["path"].split("/")[2], []).append(q["t"])
    bound, glob, chan = limit_bound(by_channel)
    time.sleep(0.3)
    rl = st.ctl("GET", "/_test/rest/ratelimits")
    n429 = rl["total"] - before
    scopes = {}
    for e in rl["events"]:
        if e["t"] > t_since:
            scopes[e["scope"]] = scopes.get(e["scope"], 0) + 1
    dup = {}
    for cid in channels:
        contents = [m["content"] for m in st.messages(channel_id=cid, author="bot")
                    if m["content"].startswith("bench %s round" % tag)]
        for c in set(contents):
            if contents.count(c) != 1:
                dup[cid] = contents.count(c)
    return {
        "channels": len(channels), "rounds": rounds, "messages": len(ann),
        "bot_posts": sum(len(v) for v in by_channel.values()),
        "command_to_last": last - t0, "first_to_last": last - first,
        "bound": bound, "bound_global": glob, "bound_channel": chan,
        "n429": n429, "scopes": scopes, "duplicates": dup,
    }


def fmt_row(name, r):
    ratio = ("%.3f" % (r["first_to_last"] / r["bound"])) if r["bound"] > 0 else "n/a (bound 0 s)"
    return ("| %s | %d x %d | %d | %.3f | %.3f | %.1f (global %.0f, per-channel %.0f) | %s | %d | %s |"
            % (name, r["rounds"], r["channels"], r["bot_posts"], r["command_to_last"],
               r["first_to_last"], r["bound"], r["bound_global"], r["bound_channel"], ratio,
               r["n429"], "none" if not r["duplicates"] else r["duplicates"]))


def fmt_scopes(r):
    return ", ".join("%s: %d" % kv for kv in sorted(r["scopes"].items())) or "-"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hallway", required=True)
    ap.add_argument("--plugin-dir", required=True)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--out")
    args = ap.parse_args()
    os.environ["HALLWAY_BIN"] = args.hallway
    from harness import Daemon, base_config
    from discord_standin import StandinThread

    scenarios = [("one broadcast", 50, 1)]
    if not args.smoke:
        scenarios += [("global-bound", 50, 10), ("channel-bound", 5, 11)]
    results = []
    st = StandinThread(heartbeat_ms=1000, identify_window_s=0).start()
    try:
        extra = add_channels(st, 50)
        for i, (name, nch, rounds) in enumerate(scenarios):
            # A daemon per scenario, configured with exactly its channels.
            with tempfile.TemporaryDirectory(prefix="hallway-bench-announce-") as work:
                cfg = base_config(st, work, plugin_dir=args.plugin_dir,
                                  # Posted at once: the organizer's preview
                                  # (preview_channels) is not what is measured.
                                  plugins={"announce": {"channels": extra[:nch],
                                                        "preview_channels": 0}})
                cfg["log"] = {"level": os.environ.get("BENCH_LOG", "warn")}
                d = Daemon(cfg, work).start()
                try:
                    st.wait("identify", i + 1, timeout=15)
                    time.sleep(1.0)  # READY and GUILD_CREATE (roles) before commands
                    r = run_scenario(st, name.split()[0], extra[:nch], rounds, timeout=120)
                    results.append((name, r))
                    print(fmt_row(name, r), "429 scopes:", fmt_scopes(r), flush=True)
                finally:
                    d.stop()
                    if os.environ.get("BENCH_KEEP_LOG"):
                        with open(os.environ["BENCH_KEEP_LOG"], "a") as f:
                            f.write(d.log_text())
                    for marker in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
                        if marker in d.log_text():
                            print(d.log_text()[-3000:])
                            sys.exit("sanitizer report in the daemon's log")
            if i + 1 < len(scenarios):
                time.sleep(CHANNEL_WINDOW + 0.5)  # let every bucket reset
    finally:
        st.stop()
    bad = [n for n, r in results if r["duplicates"]]
    if bad:
        sys.exit("duplicates in: %s" % ", ".join(bad))
    if args.out:
        with open(args.out, "w") as f:
            f.write("| scenario | rounds x channels | bot POSTs | command -> last (s) | first -> last (s) "
                    "| limits allow (s) | ratio | 429s | duplicates |\n")
            f.write("|---|---|---|---|---|---|---|---|---|\n")
            for name, r in results:
                f.write(fmt_row(name, r) + "\n")
            f.write("\n429s by scope: %s\n" % "; ".join(
                "%s: %s" % (name, fmt_scopes(r)) for name, r in results))


if __name__ == "__main__":
    main()
