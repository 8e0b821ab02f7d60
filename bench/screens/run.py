#!/usr/bin/python3
"""Many lobby screens: N pages hold /events open while announcements are
posted in chat; how long until every page has each one, and do the bot's
gateway heartbeats stay on time meanwhile? The real daemon against the
Discord stand-in. Not a test: it prints figures and writes RESULTS.md.

  bench/screens/run.sh [--clients 200] [--rounds 10] [--smoke]
"""
import argparse
import os
import platform
import resource
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
sys.path.insert(0, os.path.join(SRC, "tests", "browser"))

ALICE = "1000000000000001000"
TALKS = "1000000000000000202"
SAMPLE = os.path.join(SRC, "plugins", "schedule", "sample", "hallwaycon.json")
HEARTBEAT_MS = 1000


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--hallway", required=True)
    ap.add_argument("--plugin-dir", required=True)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"))
    a = ap.parse_args()
    if a.smoke:
        a.clients, a.rounds = min(a.clients, 20), 2
    a.hallway, a.plugin_dir = os.path.abspath(a.hallway), os.path.abspath(a.plugin_dir)
    os.environ["HALLWAY_BIN"] = a.hallway
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * a.clients + 256)), hard))

    from harness import Daemon, base_config, wait_until
    from discord_standin import StandinThread
    from webclient import Client, EventStream, free_port

    work = tempfile.TemporaryDirectory(prefix="hallway-bench-screens-")
    st = StandinThread(heartbeat_ms=HEARTBEAT_MS, identify_window_s=0).start()
    port = free_port()
    cfg = base_config(st, work.name, plugin_dir=a.plugin_dir, plugins={
        "schedule": {"source": SAMPLE}, "announce": {"channels": [TALKS]}})
    cfg["http"] = {"listen": "127.0.0.1:%d" % port}
    cfg["log"] = {"level": "warn"}
    d = Daemon(cfg, work.name, env={"HALLWAY_NOW": "2026-11-26T10:20:00+01:00"})
    d.start()
    streams = []
    try:
        st.wait("identify", 1, timeout=30)
        wait_until(lambda: Client(port).get("/healthz").status == 200, 30, what="the daemon")
        rss0 = rss_kb(d.proc.pid)
        t0 = time.monotonic()
        for _ in range(a.clients):
            streams.append(EventStream(port))
        for s in streams:
            if not s.opened.wait(30):
                raise SystemExit("a client did not get the stream open")
        connect_s = time.monotonic() - t0
        rss1 = rss_kb(d.proc.pid)
        frames_before = len(st.frames())
        lat_all, lat_last = [], []
        for r in range(a.rounds):
            text = "Bench announcement %d" % r
            sent = time.monotonic()
            st.inject_message(content="!announce now " + text, user_id=ALICE)
            arrivals = []
            for s in streams:
                while True:
                    at, msg = s.next("announce.latest", timeout=30)
                    if msg["data"].get("text") == text:
                        arrivals.append(at - sent)
                        break
            lat_all.extend(arrivals)
            lat_last.append(max(arrivals))
            time.sleep(1.0)  # heartbeats come meanwhile
        # Heartbeats while the screens were served (op 1 from the bot).
        hb = [f["t"] for f in st.frames()[frames_before:] if f.get("op") == 1]
        gaps = [(b - c) * 1000.0 for c, b in zip(hb, hb[1:])]
        rss2 = rss_kb(d.proc.pid)
        alive = sum(1 for s in streams if not s.closed.is_set())
    except BaseException:
        sys.stderr.write("".join(l if l.endswith("\n") else l + "\n" for l in d.log[-30:]))  # warnings and errors
        raise
    finally:
        for s in streams:
            s.close()
        d.stop()
        st.stop()
        work.cleanup()

    lines = [
        "# Many lobby screens: push latency and gateway heartbeats",
        "",
        "Written by `bench/screens/run.sh` (not a test). %s, %s, Python %s." % (
            time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), platform.machine(),
            platform.python_version()),
        "",
        "%d pages hold `/events` open on one daemon (Release build, the sample conference, "
        "announce to one channel); %d times an organizer types `!announce now …` in chat. "
        "Latency: from the chat message injected into the stand-in to the push read by each "
        "page (it includes the command, the post to Discord and the send callback). The "
        "stand-in asks for a heartbeat every %d ms." % (a.clients, a.rounds, HEARTBEAT_MS),
        "",
        "| figure | value |",
        "|---|---|",
        "| pages connected | %d (all %d still open at the end: %s) |" % (a.clients, a.clients, "yes" if alive == a.clients else "no, %d" % alive),
        "| time to open them all | %.2f s |" % connect_s,
        "| every page has the announcement (worst round) | %.0f ms |" % (max(lat_last) * 1000),
        "| every page has it (median round) | %.0f ms |" % (statistics.median(lat_last) * 1000),
        "| one page's latency p50 / p95 / max | %.0f / %.0f / %.0f ms |" % (
            pct(lat_all, 50) * 1000, pct(lat_all, 95) * 1000, max(lat_all) * 1000),
        "| heartbeats seen | %d |" % len(hb),
        "| heartbeat interval min / median / max | %.0f / %.0f / %.0f ms (asked: %d) |" % (
            min(gaps), statistics.median(gaps), max(gaps), HEARTBEAT_MS) if gaps else "| heartbeat interval | none seen |",
        "| daemon RSS: idle / %d pages / after %d rounds | %.1f / %.1f / %.1f MB |" % (
            a.clients, a.rounds, rss0 / 1024.0, rss1 / 1024.0, rss2 / 1024.0),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    ok = max(lat_last) < 1.0 and (not gaps or max(gaps) < HEARTBEAT_MS * 1.25)
    print("within 1 s and heartbeats on time:", "yes" if ok else "NO")
    if not a.smoke:
        with open(a.results, "w") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
