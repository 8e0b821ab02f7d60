#!/usr/bin/env python3
"""hallway vs discord.py vs discord.js, side by side in one run.

Called by bench/run.sh (which builds hallway in Release and installs
discord.js); see bench/README.md. Writes bench/RESULTS.md (or --out).

Every peer runs against the same generator (bench/load/loadgen.py), pinned
to its own CPU when there are two, and is measured from outside:
CPU = utime+stime from /proc/PID/stat, memory = VmRSS/VmHWM from
/proc/PID/status, latency = generator timestamps (command frame written ->
reply POST read).
"""
import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "load"))
import loadgen  # noqa: E402
import reasons  # noqa: E402

TOKEN = "bench-token-0123456789"
TICK = os.sysconf("SC_CLK_TCK")
SHARED = os.environ.get("HALLWAY_SHARED_DATA", os.path.join(SOURCE, "..", "shared", "data"))
FOSDEM = os.path.join(SHARED, "schedules", "fosdem2025-schedule.xml")
FOSDEM_NOW = "2025-02-01T10:30:00+01:00"
LADDER = [500, 1000, 2000, 3000, 4000, 5000, 7500, 10000, 15000, 20000, 30000, 40000, 50000,
          75000, 100000, 150000]
P99_LIMIT = 0.050
# The parts of a run (--only picks some): peers = hallway, discord.py, discord.js side by side;
# zlib = the same with zlib-stream; floor = the no-op client at the side-by-side rate; full = hallway
# with every plugin and FOSDEM; ratios = hallway next to the floor at three rates, both transports;
# memory = private memory by plugin and the reload peak; gaps = a 30,000-member GUILD_CREATE and a
# 5,000-event storm; broadcast = bench/announce's fan-out (50 channels, the global limit binding);
# sweep = the rate ladders and the generator's ceiling; callgrind = instruction counts.
PARTS = ["peers", "zlib", "floor", "full", "ratios", "memory", "gaps", "broadcast", "sweep", "callgrind"]


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (all threads)


def cpu_user_sys(pid):
    """(utime, stime) of a process, all threads, in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) / TICK, int(fields[12]) / TICK


def mem_kb(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:", "RssAnon:", "RssFile:", "Threads:")):
                k, v = line.split(":", 1)
                out[k] = int(v.split()[0])
    return out


def ms(x):
    return None if x is None else x * 1000.0


class Peer:
    """A bot under test: a subprocess pinned to the bot CPU."""

    def __init__(self, name, argv, env=None, cwd=None, label=None):
        self.name, self.argv, self.env, self.cwd = name, argv, env, cwd
        self.label = label or name
        self.proc = None
        self.log_path = None

    def start(self, logdir, cpu):
        self.log_path = os.path.join(logdir, self.name + ".log")
        log = open(self.log_path, "w")
        env = dict(os.environ)
        env.update(self.env or {})

        def pin():
            if cpu is not None:
                os.sched_setaffinity(0, {cpu})
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                     env=env, cwd=self.cwd, preexec_fn=pin)
        log.close()
        return self

    def alive(self):
        return self.proc and self.proc.poll() is None

    def stop(self):
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode

    def log_tail(self, n=3000):
        try:
            with open(self.log_path) as f:
                return f.read()[-n:]
        except OSError:
            return ""


def hallway_peer(args, gen, workdir, name, plugins, label=None, env=None, compress=False):
    cfg = {
        "discord": {"token": TOKEN, "api_base": gen.api_base, "compress": compress,
                    "global_rate_limit": 100000},
        "storage": {"path": os.path.join(workdir, name + ".db")},
        "plugin_dir": args.plugin_dir,
        "plugins": plugins,
        "organizer_roles": ["Organizer"],
        "log": {"level": "warn"},
        # A throughput benchmark, not a fairness one: no per-user budget.
        "limits": {"user_commands": 0, "organizer_commands": 0, "interactions": 0},
    }
    path = os.path.join(workdir, name + ".json")
    with open(path, "w") as f:
        json.dump(cfg, f, indent=1)
    os.chmod(path, 0o600)
    return Peer(name, [args.hallway, "--config", path], env=env, cwd=workdir, label=label)


# Plugins that need a service of their own to start (registration reads a
# pretix server): not in "every plugin".
NEEDS_SERVICE = {"registration"}


def all_plugins(plugin_dir):
    """Every plugin built beside hallway (but NEEDS_SERVICE), with the config it needs."""
    known = {"schedule": {"source": FOSDEM, "format": "auto", "timezone": "Europe/Brussels",
                          "refresh_seconds": 86400},
             "openspaces": {"rooms": [{"name": "Hallway A", "capacity": 30}, {"name": "Hallway B"}],
                            "days": ["2025-02-01", "2025-02-02"], "timezone": "Europe/Brussels"}}
    names = sorted(f[:-3] for f in os.listdir(plugin_dir) if f.endswith(".so") and f[:-3] not in NEEDS_SERVICE)
    return {n: known.get(n, {}) for n in names}


async def wait_ready(gen, peer, identifies_before, timeout):
    """IDENTIFY seen, then a probe command answered: the peer processed GUILD_CREATE."""
    t0 = time.perf_counter()
    deadline = t0 + timeout
    while gen.identifies <= identifies_before or gen.gw is None:
        if not peer.alive():
            raise RuntimeError("%s exited before IDENTIFY:\n%s" % (peer.name, peer.log_tail()))
        if time.perf_counter() > deadline:
            raise RuntimeError("%s: no IDENTIFY within %.0f s:\n%s" % (peer.name, timeout, peer.log_tail()))
        await asyncio.sleep(0.02)
    while True:
        mid = await gen.send_one_command("!ping")
        if await gen.wait_replies([mid], 0.5):
            return time.perf_counter() - t0
        if not peer.alive() or time.perf_counter() > deadline:
            raise RuntimeError("%s: no answer to the probe !ping:\n%s" % (peer.name, peer.log_tail()))


async def measure_peer(gen, peer, opts, logdir, cpu, command="!ping"):
    res = {"name": peer.name, "label": peer.label}
    ident = gen.identifies
    peer.start(logdir, cpu)
    pid = peer.proc.pid
    try:
        res["ready_s"] = await wait_ready(gen, peer, ident, opts["ready_timeout"])
        gen.reset_latencies()
        await asyncio.sleep(opts["settle"])
        res["ready_mem"] = mem_kb(pid)
        c0 = cpu_seconds(pid)
        await asyncio.sleep(opts["idle"])
        res["idle_cpu_per_s"] = (cpu_seconds(pid) - c0) / opts["idle"]

        # CPU per N events at a fixed rate every peer sustains; latency of its commands.
        gen.command = command
        gen.cmd_content = json.dumps(command)
        gen.reset_latencies()
        c0 = cpu_seconds(pid)
        r = await gen.send_stream(opts["rate"], opts["events"])
        lats = await gen.wait_replies(r["ids"], opts["drain"])
        c1 = cpu_seconds(pid)
        res["events"] = r["sent"]
        res["stream_s"] = r["seconds"]
        res["cpu_s"] = c1 - c0
        res["cpu_per_10k"] = (c1 - c0) * 10000.0 / max(1, r["sent"])
        res["commands"] = r["commands"]
        res["answered"] = len(lats)
        res["p50_ms"] = ms(loadgen.percentile(lats, 50))
        res["p99_ms"] = ms(loadgen.percentile(lats, 99))
        res["max_ms"] = ms(max(lats) if lats else None)
        await asyncio.sleep(opts["settle"])
        res["after_mem"] = mem_kb(pid)
        gen.command = "!ping"
        gen.cmd_content = json.dumps("!ping")

        # Highest sustained rate: steps up the ladder until p99 > 50 ms or replies go missing.
        res["sweep"] = []
        if opts["sweep"]:
            for rate in opts["ladder"]:
                gen.reset_latencies()
                c0 = cpu_seconds(pid)
                r = await gen.send_stream(rate, int(rate * opts["step_s"]))
                lats = await gen.wait_replies(r["ids"], 2.0)
                c1 = cpu_seconds(pid)
                missing = r["commands"] - len(lats)
                p99 = loadgen.percentile(lats + [float("inf")] * missing, 99)
                step = {"rate": rate, "achieved": r["sent"] / r["seconds"], "p50_ms": ms(loadgen.percentile(lats, 50)),
                        "p99_ms": ms(p99), "missing": missing, "bot_cpu": (c1 - c0) / r["seconds"],
                        "gen_cpu": r["gen_cpu"] / r["seconds"]}
                res["sweep"].append(step)
                print("  %-12s %7d ev/s: achieved %8.0f p50 %7.2f ms p99 %8.2f ms missing %d bot cpu %3.0f%% gen cpu %3.0f%%"
                      % (peer.name, rate, step["achieved"], step["p50_ms"] or -1, min(step["p99_ms"], 1e6),
                         missing, 100 * step["bot_cpu"], 100 * step["gen_cpu"]), flush=True)
                if p99 > P99_LIMIT or not peer.alive():
                    break
                await asyncio.sleep(0.3)
            passed = [s for s in res["sweep"] if s["p99_ms"] <= P99_LIMIT * 1000]
            res["max_rate"] = passed[-1]["rate"] if passed else 0
            res["max_rate_bound"] = "ladder top" if len(passed) == len(opts["ladder"]) else None
        res["exit"] = None
    finally:
        res["exit"] = peer.stop()
    return res


async def standin_ceiling(args, logdir, cpu_gen, cpu_bot, seconds):
    """How many MESSAGE_CREATE per second the faithful stand-in can inject (hallway connected)."""
    import aiohttp
    sys.path.insert(0, os.path.join(SOURCE, "tests", "standin"))
    state = os.path.join(logdir, "standin.state")
    env = dict(os.environ)
    cfgjson = json.dumps({"message_rate_limit": 0, "global_rate_limit": 0, "default_rate_limit": 100000,
                          "identify_window_s": 0.0, "gateway_send_limit": 100000})
    st = subprocess.Popen(["/usr/bin/python3", os.path.join(SOURCE, "tests", "standin", "discord_standin.py"),
                           "--token", TOKEN, "--state-file", state, "--config", cfgjson],
                          stdout=subprocess.PIPE, stderr=open(os.path.join(logdir, "standin.log"), "w"),
                          env=env, preexec_fn=lambda: os.sched_setaffinity(0, {cpu_gen}) if cpu_gen is not None else None)
    try:
        line = st.stdout.readline().decode()
        port = int(line.strip().split("=")[1])
        base = "http://127.0.0.1:%d" % port

        class G:  # hallway_peer only needs api_base
            api_base = base + "/api/v10"
        workdir = tempfile.mkdtemp(prefix="bench-standin-")
        peer = hallway_peer(args, G, workdir, "hallway-standin", {"hello": {}})
        peer.start(logdir, cpu_bot)
        async with aiohttp.ClientSession() as s:
            for _ in range(300):
                async with s.get(base + "/_test/state") as r:
                    if (await r.json())["counters"]["identify"] >= 1:
                        break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)
            c0 = cpu_seconds(st.pid)
            t0 = time.perf_counter()
            count = 0

            async def poster():
                nonlocal count
                while time.perf_counter() - t0 < seconds:
                    async with s.post(base + "/_test/messages", json={"content": "chatter"}) as r:
                        await r.read()
                        count += 1
            await asyncio.gather(*[poster() for _ in range(8)])
            dt = time.perf_counter() - t0
            c1 = cpu_seconds(st.pid)
        peer.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        return {"rate": count / dt, "standin_cpu": (c1 - c0) / dt}
    finally:
        st.terminate()
        st.wait(10)


async def echo_ceiling(gen, opts, logdir, cpu):
    """The generator's own ceiling: the cheapest possible client (bench/load/echo_peer.py)."""
    peer = Peer("echo", ["/usr/bin/python3", os.path.join(HERE, "load", "echo_peer.py"), str(gen.port), TOKEN],
                label="no-op echo client")
    o = dict(opts, events=2000, rate=1000, idle=0.2, settle=0.2)
    return await measure_peer(gen, peer, o, logdir, cpu)


def callgrind(args, workdir, lines=1000):
    """Instruction counts for a fixed console replay (every plugin, FOSDEM, fixed clock)."""
    if not shutil.which("valgrind"):
        return {"error": "valgrind not installed"}
    script = []
    chatter = loadgen.CHATTER
    for i in range(lines):
        if i % 10 == 4:
            script.append("!ping")
        elif i % 10 == 9:
            script.append("!next")
        else:
            script.append(chatter[i % len(chatter)])
    cfg = {"discord": {"token": TOKEN}, "storage": {"path": os.path.join(workdir, "cg.db")},
           "plugin_dir": args.plugin_dir, "plugins": all_plugins(args.plugin_dir), "log": {"level": "warn"}}
    cfg_path = os.path.join(workdir, "cg.json")
    with open(cfg_path, "w") as f:
        json.dump(cfg, f)
    os.chmod(cfg_path, 0o600)
    out = {}
    for tag, text in (("startup", ""), ("replay", "\n".join(script) + "\n")):
        if os.path.exists(os.path.join(workdir, "cg.db")):
            os.unlink(os.path.join(workdir, "cg.db"))
        cg = os.path.join(workdir, "callgrind.%s.out" % tag)
        p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + cg,
                            args.hallway, "--console", "--config", cfg_path, "--now", FOSDEM_NOW],
                           input=text.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
        if p.returncode != 0:
            return {"error": "callgrind %s exited %d: %s" % (tag, p.returncode, p.stderr.decode()[-2000:])}
        total, top = annotate(cg)
        out[tag] = {"total": total, "top": top, "replies": p.stdout.decode().count("pong"),
                    "lines": 0 if not text else lines}
    if out["startup"]["total"] and out["replay"]["total"]:
        out["per_line"] = (out["replay"]["total"] - out["startup"]["total"]) / lines
    # What one `!next` costs the schedule plugin (issue 17: `next` p99 < 2 ms): cmd_next's
    # inclusive Ir over the replay's `!next` lines, a figure machine load does not move.
    nexts = sum(1 for s in script if s == "!next")
    inc = inclusive_ir(os.path.join(workdir, "callgrind.replay.out"), ("cmd_next", "router_run"))
    if nexts and inc.get("cmd_next"):
        out["next_ir"] = inc["cmd_next"] / nexts
    return out


def inclusive_ir(cg_file, names):
    """{function: inclusive Ir} for the functions named (all objects summed) in a callgrind file."""
    ann = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", cg_file],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout.decode()
    out = {}
    for line in ann.splitlines():
        # "11,720,474 (25.59%)  file:function [object]"
        m = re.match(r"\s*([\d,]+)\s+\([^)]*\)\s+(?:[^:\s]*:)?(\S+)", line)
        if m and m.group(2) in names:
            out[m.group(2)] = out.get(m.group(2), 0) + int(m.group(1).replace(",", ""))
    return out


def build_floor(logdir):
    """Compiles bench/peers/floor/floor_peer.c; returns the binary or None."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc:
        return None
    out = os.path.join(logdir, "floor_peer")
    p = subprocess.run([cc, "-O2", "-o", out, os.path.join(HERE, "peers", "floor", "floor_peer.c"), "-lz"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return out if p.returncode == 0 else None


def annotate(cg_file, n=15):
    """(total Ir, [(self Ir, "function (object)")]) from a callgrind output file."""
    ann = subprocess.run(["callgrind_annotate", "--inclusive=no", cg_file], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL).stdout.decode()
    total, top = None, []
    for line in ann.splitlines():
        s = line.strip()
        if total is None and s.endswith("PROGRAM TOTALS"):
            total = int(s.split()[0].replace(",", ""))
        elif total is not None and s[:1].isdigit() and ")" in s:
            ir = int(s.split()[0].replace(",", ""))
            rest = s.split(")", 1)[1].strip()
            obj = rest.rsplit(" [", 1)[1].rstrip("]") if " [" in rest else ""
            fn = rest.rsplit(" [", 1)[0]
            fn = fn.split(":", 1)[1] if ":" in fn else fn
            top.append((ir, "%s (%s)" % (fn, os.path.basename(obj).split(".so")[0] if obj else "?")))
    return total, top[:n]


def by_object(cg_file):
    """{object: self Ir} over every function of a callgrind output file (libcurl, libc, ...)."""
    _, top = annotate(cg_file, n=10 ** 9)
    out = {}
    for ir, name in top:
        obj = name.rsplit(" (", 1)[1].rstrip(")") if " (" in name else "?"
        obj = re.sub(r"\.\d+$", "", obj)  # a plugin's private copy: hello.1 -> hello
        out[obj] = out.get(obj, 0) + ir
    return out


def _callgrind_control(pid, *opts):
    subprocess.run(["callgrind_control"] + list(opts) + [str(pid)], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)


def _newest_dump(cg, before):
    """The callgrind dump file written since `before` (a set of paths)."""
    import glob
    new = sorted(set(glob.glob(cg + "*")) - before, key=os.path.getmtime)
    return new[-1] if new else None


async def callgrind_gateway(args, gen, workdir, logdir, events=2000, rate=200, compress=False, commands=200,
                            plugins=None):
    """User-space instructions per gateway event: hallway (hello plugin) under callgrind with
    instrumentation switched on only around two streams, dumped apart: `events` MESSAGE_CREATE of
    chatter nobody answers, then `commands` `!ping` each answered with a REST reply. Start-up and
    GUILD_CREATE are not counted. Everything in the process is counted: lws, inflate, the JSON
    parser, malloc, the router, curl for the replies."""
    import glob
    if not shutil.which("valgrind") or not shutil.which("callgrind_control"):
        return {"error": "valgrind/callgrind_control not installed"}
    cg = os.path.join(workdir, "callgrind.gateway%s.out" % ("-z" if compress else ""))
    for f in glob.glob(cg + "*"):
        os.unlink(f)
    peer = hallway_peer(args, gen, workdir, "hallway-callgrind", plugins or {"hello": {}}, compress=compress,
                        env={"HALLWAY_NOW": FOSDEM_NOW} if plugins else None)
    gen.compress = compress
    peer.argv = ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=" + cg] + peer.argv
    ident = gen.identifies
    peer.start(logdir, None)
    out = {}
    try:
        await wait_ready(gen, peer, ident, 180)
        await asyncio.sleep(1.0)
        pid = peer.proc.pid
        _callgrind_control(pid, "-z")
        _callgrind_control(pid, "-i", "on")
        r = await gen.send_stream(rate, events, command_every=10 ** 9)
        # The probe is answered after every chatter event before it was read.
        mid = await gen.send_one_command("!ping")
        await gen.wait_replies([mid], 60)
        _callgrind_control(pid, "-i", "off")
        before = set(glob.glob(cg + "*"))
        _callgrind_control(pid, "-d")
        chatter_file = _newest_dump(cg, before)
        # The probe command is in this dump: count it as one command event
        # below (a chatter-only dump would need an idle wait instead).
        gen.reset_latencies()
        _callgrind_control(pid, "-i", "on")
        rc = await gen.send_stream(rate, commands, command_every=1)
        lats = await gen.wait_replies(rc["ids"], 60)
        _callgrind_control(pid, "-i", "off")
        before = set(glob.glob(cg + "*"))
        _callgrind_control(pid, "-d")
        cmd_file = _newest_dump(cg, before)
    finally:
        gen.compress = False
        peer.proc.send_signal(signal.SIGTERM)
        try:
            peer.proc.wait(60)
        except subprocess.TimeoutExpired:
            peer.proc.kill()
            peer.proc.wait(5)
    if not chatter_file or not cmd_file:
        return {"error": "no callgrind dumps: " + peer.log_tail()}
    t_chat, top_chat = annotate(chatter_file)
    t_cmd, top_cmd = annotate(cmd_file)
    if not t_chat or not t_cmd:
        return {"error": "no callgrind totals: " + peer.log_tail()}
    # The chatter dump holds the probe !ping too: take one command's cost off.
    per_cmd = t_cmd / max(1, rc["sent"])
    per_chat = (t_chat - per_cmd) / max(1, r["sent"])
    out = {"events": r["sent"], "commands": rc["sent"], "answered": len(lats), "per_chatter": per_chat,
           "per_command": per_cmd, "total_chatter": t_chat, "total_commands": t_cmd,
           "per_event": (9 * per_chat + per_cmd) / 10, "top": top_chat, "top_commands": top_cmd}
    # Where the targets' costs are, for the report's reasons: self Ir by object, and the
    # inclusive Ir of the functions that own each step of a `!ping`.
    n = max(1, rc["sent"])
    out["objects_command"] = {k: v / n for k, v in by_object(cmd_file).items()}
    out["objects_chatter"] = {k: v / max(1, r["sent"]) for k, v in by_object(chatter_file).items()}
    out["steps_command"] = {k: v / n for k, v in inclusive_ir(cmd_file, [f for f, _ in reasons.PING_STEPS]).items()}
    _, every = annotate(cmd_file, n=10 ** 9)
    out["malloc_command"] = sum(ir for ir, name in every if name.endswith("(libc)") and
                                name.split(" (")[0].lstrip("_").split("_")[-1] in
                                ("malloc", "free", "realloc", "calloc", "consolidate")) / n
    return out


RATIO_STEPS = [(1000, 10000), (10000, 30000), (None, 30000)]  # (events/s or None: a burst, events)
RATIO_TARGET = 1.3


async def floor_ratios(args, gen, workdir, logdir, cpu, floor_bin, steps=RATIO_STEPS):
    """CPU per 10,000 events of the no-op floor client and of hallway (every plugin, FOSDEM 2025),
    one after the other on the same generator, at each rate of `steps` (None: the whole stream
    written at once, events back to back), with zlib-stream and uncompressed."""
    plugins = all_plugins(args.plugin_dir)
    out = []
    for compress in (True, False):
        tag = "z" if compress else "plain"
        gen.compress = compress
        peers = [("floor", Peer("floor-" + tag, [floor_bin, str(gen.port), TOKEN] + (["zlib"] if compress else []),
                                label="no-op C client")),
                 ("hallway", hallway_peer(args, gen, workdir, "hallway-ratio-" + tag, plugins,
                                          env={"HALLWAY_NOW": FOSDEM_NOW}, compress=compress))]
        row = {"compress": compress}
        for key, p in peers:
            ident = gen.identifies
            p.start(logdir, cpu)
            try:
                await wait_ready(gen, p, ident, 60)
                await asyncio.sleep(1.0)
                row[key] = []
                for rate, n in steps:
                    gen.reset_latencies()
                    pid = p.proc.pid
                    c0 = cpu_seconds(pid)
                    us0 = cpu_user_sys(pid)
                    r = await gen.send_stream(rate or 10 ** 9, n)
                    lats = await gen.wait_replies(r["ids"], 30)
                    c1 = cpu_seconds(pid)
                    us1 = cpu_user_sys(pid)
                    row[key].append({"rate": rate, "events": r["sent"], "seconds": r["seconds"],
                                     "cpu_per_10k": (c1 - c0) * 10000.0 / max(1, r["sent"]),
                                     "user_per_10k": (us1[0] - us0[0]) * 10000.0 / max(1, r["sent"]),
                                     "sys_per_10k": (us1[1] - us0[1]) * 10000.0 / max(1, r["sent"]),
                                     "answered": len(lats), "commands": r["commands"],
                                     "p99_ms": ms(loadgen.percentile(lats, 99))})
                    print("bench: ratio %s %s %s: cpu/10k %.3f s, %d/%d answered" % (
                        tag, key, rate or "burst", row[key][-1]["cpu_per_10k"], len(lats), r["commands"]), flush=True)
                    await asyncio.sleep(0.5)
            except Exception as e:
                row[key + "_error"] = str(e)
            finally:
                p.stop()
        out.append(row)
    gen.compress = False
    return out


GDB_EXPR = ["print (long)sqlite3_memory_used()", "print mallinfo2()"]


def gdb_probe(pid):
    """sqlite3_memory_used() and mallinfo2() of a running process (gdb, when installed), or {}."""
    if not shutil.which("gdb"):
        return {}
    cmd = ["gdb", "-p", str(pid), "-batch", "-nx"]
    for e in GDB_EXPR:
        cmd += ["-ex", e]
    try:
        txt = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120).stdout.decode()
    except Exception:
        return {}
    out = {}
    for line in txt.splitlines():
        if line.startswith("$1 = "):
            out["sqlite"] = int(line.split("=", 1)[1])
        elif line.startswith("$2 = {"):
            for kv in line[6:].rstrip("}").split(","):
                k, v = kv.split("=")
                out["malloc_" + k.strip()] = int(v)
    return out


def private_kb(m):
    return m.get("RssAnon")


async def wait_settled(pid, seconds=2.0, timeout=60.0):
    """Waits until RssAnon has not moved for `seconds` (a reload in a worker has finished)."""
    t0 = time.perf_counter()
    last, since = None, time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        m = mem_kb(pid)["RssAnon"]
        if m != last:
            last, since = m, time.perf_counter()
        elif time.perf_counter() - since >= seconds:
            return True
        await asyncio.sleep(0.1)
    return False


def reset_hwm(pid):
    """VmHWM starts again from the current RSS (Linux: clear_refs 5)."""
    try:
        with open("/proc/%d/clear_refs" % pid, "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


async def memory_breakdown(args, gen, workdir, logdir, cpu):
    """Steady private memory by plugin (each next to the daemon alone), with SQLite's and malloc's own
    figures when gdb can ask; then, with every plugin, the peak while the schedule loads at start
    and when it reloads (SIGHUP)."""
    allp = all_plugins(args.plugin_dir)
    sets = [("the daemon (hello only)", ["hello"])]
    if "schedule" in allp:
        sets.append(("+ schedule (FOSDEM 2025)", ["hello", "schedule"]))
        if "recommend" in allp:
            sets.append(("+ schedule + recommend", ["hello", "schedule", "recommend"]))
    for n in sorted(allp):
        if n not in ("hello", "schedule", "recommend"):
            sets.append(("+ " + n, ["hello", n]))
    sets.append(("every plugin", sorted(allp)))
    rows, reload_peak = [], None
    gen.compress = True
    # With every plugin the schedule is read from a copy, every 10 s: touching the copy makes the
    # next refresh parse it anew (the same talks, another hash) while the old model still serves.
    copy = os.path.join(workdir, "fosdem-copy.xml")
    if os.path.exists(FOSDEM):
        shutil.copyfile(FOSDEM, copy)
    for label, names in sets:
        cfgs = {n: dict(allp[n]) for n in names}
        if label == "every plugin" and "schedule" in cfgs and os.path.exists(copy):
            cfgs["schedule"].update(source=copy, refresh_seconds=10)
        peer = hallway_peer(args, gen, workdir, "hallway-mem-%d" % len(rows), cfgs,
                            env={"HALLWAY_NOW": FOSDEM_NOW}, compress=True)
        ident = gen.identifies
        peer.start(logdir, cpu)
        try:
            await wait_ready(gen, peer, ident, 60)
            pid = peer.proc.pid
            await wait_settled(pid)
            m = mem_kb(pid)
            row = {"label": label, "plugins": names, "mem": m, "gdb": gdb_probe(pid)}
            rows.append(row)
            print("bench: memory %s: private %.1f MB, peak RSS %.1f MB" % (label, m["RssAnon"] / 1024, m["VmHWM"] / 1024),
                  flush=True)
            if label == "every plugin":
                # The start-up peak (GUILD_CREATE of every member, the schedule's load) ...
                row["start_peak_private"] = m["VmHWM"] - (m["VmRSS"] - m["RssAnon"])
                # ... a refresh of the schedule that finds a new file ...
                if "schedule" in cfgs and os.path.exists(copy) and reset_hwm(pid):
                    before = mem_kb(pid)
                    with open(copy, "a") as f:
                        f.write("\n<!-- touched by bench/run.py -->\n")
                    await asyncio.sleep(11.0)  # the refresh timer's period, and a second
                    settled = await wait_settled(pid, 3.0)
                    after = mem_kb(pid)
                    row["refresh"] = {"before": before, "after": after, "settled": settled, "gdb": gdb_probe(pid),
                                      "peak_private": after["VmHWM"] - (after["VmRSS"] - after["RssAnon"])}
                # ... and a reload: every plugin again, the schedule parsed anew.
                if reset_hwm(pid):
                    before = mem_kb(pid)
                    peer.proc.send_signal(signal.SIGHUP)
                    await asyncio.sleep(0.5)
                    settled = await wait_settled(pid, 3.0)
                    mid = await gen.send_one_command("!next")
                    answered = bool(await gen.wait_replies([mid], 10))
                    after = mem_kb(pid)
                    reload_peak = {"before": before, "after": after, "settled": settled, "answered": answered,
                                   "gdb": gdb_probe(pid),
                                   "peak_private": after["VmHWM"] - (after["VmRSS"] - after["RssAnon"])}
        except Exception as e:
            rows.append({"label": label, "plugins": names, "error": str(e)})
        finally:
            peer.stop()
    gen.compress = False
    return {"rows": rows, "reload": reload_peak}


async def gaps(args, workdir, logdir, cpu, members_big=30000, storm=5000, hb_ms=1000):
    """The gaps that matter at a conference: a GUILD_CREATE of `members_big` members (memory kept
    and peak, next to the usual 3,000), and a storm of `storm` events in one second with a
    heartbeat every `hb_ms` (no beat missed, no reconnect)."""
    out = {"guild": []}
    for members in (3000, members_big):
        gen = await loadgen.LoadGen(members=members, token=TOKEN).start()
        gen.compress = True
        peer = hallway_peer(args, gen, workdir, "hallway-guild-%d" % members, {"hello": {}}, compress=True)
        ident = gen.identifies
        peer.start(logdir, cpu)
        try:
            await wait_ready(gen, peer, ident, 120)
            await wait_settled(peer.proc.pid)
            m = mem_kb(peer.proc.pid)
            out["guild"].append({"members": members, "mem": m,
                                 "peak_private": m["VmHWM"] - (m["VmRSS"] - m["RssAnon"])})
            print("bench: GUILD_CREATE of %d members: private %.1f MB, peak private %.1f MB" % (
                members, m["RssAnon"] / 1024, out["guild"][-1]["peak_private"] / 1024), flush=True)
        except Exception as e:
            out["guild"].append({"members": members, "error": str(e)})
        finally:
            peer.stop()
            await gen.stop()
    gen = await loadgen.LoadGen(members=3000, token=TOKEN).start()
    gen.compress = True
    gen.heartbeat_ms = hb_ms
    allp = all_plugins(args.plugin_dir)
    peer = hallway_peer(args, gen, workdir, "hallway-storm", allp, env={"HALLWAY_NOW": FOSDEM_NOW}, compress=True)
    ident = gen.identifies
    peer.start(logdir, cpu)
    try:
        await wait_ready(gen, peer, ident, 60)
        await asyncio.sleep(2.5 * hb_ms / 1000)
        ident = gen.identifies
        gen.heartbeats.clear()
        t0 = time.perf_counter()
        r = await gen.send_stream(storm, storm)
        lats = await gen.wait_replies(r["ids"], 30)
        await asyncio.sleep(3 * hb_ms / 1000)
        t1 = time.perf_counter()
        beats = [t0] + [b for b in gen.heartbeats if t0 <= b <= t1] + [t1]
        gap = max(b - a for a, b in zip(beats, beats[1:]))
        log = peer.log_tail(200000)
        out["storm"] = {"events": r["sent"], "seconds": r["seconds"], "answered": len(lats), "commands": r["commands"],
                        "max_beat_gap_s": gap, "beats": len(beats) - 2, "reconnects": gen.identifies - ident,
                        "late_warnings": log.count("heartbeat timer fired"), "zombies": log.count("zombie connection"),
                        "p99_ms": ms(loadgen.percentile(lats, 99)), "hb_ms": hb_ms}
        print("bench: storm: %d events in %.2f s, %d/%d answered, longest heartbeat gap %.2f s" % (
            r["sent"], r["seconds"], len(lats), r["commands"], gap), flush=True)
    except Exception as e:
        out["storm"] = {"error": str(e)}
    finally:
        peer.stop()
        await gen.stop()
    return out


def issue17_sections(L, opts, extra):
    """The figures issue 17 asks for, each next to its target."""
    if extra.get("broadcast"):
        L.append("## Announcement fan-out against Discord's limits (issue 17)\n")
        L.append("`bench/announce/fanout.py` (see bench/announce/RESULTS.md and NOTES.md): the announce plugin "
                 "against the stand-in's limits (5 messages per channel per 5 s, 50 requests per sliding second). "
                 "Target for the global-bound case: ratio ≤ 1.1 with no 429s.\n")
        L.append(extra["broadcast"].strip() + "\n")
        why = reasons.broadcast(extra["broadcast"])
        if why:
            L.extend(why + [""])
    fr = extra.get("ratios")
    if fr:
        L.append("## CPU per event next to the floor (issue 17)\n")
        L.append("The no-op C client (`bench/peers/floor`: poll, recv, inflate when compressed, scan the bytes "
                 "for `!ping`, answer over keep-alive HTTP) and hallway with every plugin and FOSDEM 2025, one "
                 "after the other against the same generator, bot pinned to its own CPU. Every tenth event is "
                 "a `!ping` each answers. A burst is the whole stream written at once (events back to back). "
                 "CPU seconds per 10,000 events (utime+stime); ratio = hallway ÷ floor; target ≤ %.1f×.\n" % RATIO_TARGET)
        L.append("| transport | rate | events | floor s/10k | hallway s/10k | hallway ÷ floor | target | answered (floor, hallway) |")
        L.append("|---|---|---|---|---|---|---|---|")
        for row in fr:
            fl, hw = row.get("floor") or [], row.get("hallway") or []
            for i, (rate, n) in enumerate(RATIO_STEPS):
                f = fl[i] if i < len(fl) else None
                h = hw[i] if i < len(hw) else None
                rt = h["cpu_per_10k"] / f["cpu_per_10k"] if f and h and f["cpu_per_10k"] else None
                L.append("| %s | %s | %d | %s | %s | %s | %s | %s, %s |" % (
                    "zlib-stream" if row["compress"] else "uncompressed",
                    "%d/s" % rate if rate else "burst (%.0f/s achieved)" % (
                        (h or f or {}).get("events", 0) / max(1e-9, (h or f or {}).get("seconds", 1))),
                    n, fmt(f and f["cpu_per_10k"], 3), fmt(h and h["cpu_per_10k"], 3),
                    fmt(rt, 2) + "×" if rt else "n/a",
                    "met" if rt and rt <= RATIO_TARGET else "NOT met",
                    "%d/%d" % (f["answered"], f["commands"]) if f else "n/a",
                    "%d/%d" % (h["answered"], h["commands"]) if h else "n/a"))
            for k in ("floor_error", "hallway_error"):
                if row.get(k):
                    L.append("\n%s failed: %s" % (k.split("_")[0], row[k]))
        L.append("")
        L.extend(reasons.ratios(fr, extra))
    mb = extra.get("memory")
    if mb:
        L.append("## Where private memory goes (issue 17)\n")
        L.append("Steady private memory (RssAnon) after READY (3,000 members in GUILD_CREATE, zlib-stream) and "
                 "the schedule's load, each plugin next to the daemon alone; SQLite's own count "
                 "(`sqlite3_memory_used()`) and malloc's (`mallinfo2()`: bytes in use, and free bytes malloc "
                 "holds) read from the running process with gdb. Target: every plugin ≤ 6 MB.\n")
        L.append("| configuration | private MB | Δ vs daemon MB | SQLite MB | malloc in use MB | free in malloc's arenas MB (slack, not all resident) | peak RSS MB |")
        L.append("|---|---|---|---|---|---|---|")
        base = None
        for r in mb["rows"]:
            if "error" in r:
                L.append("| %s | failed: %s | | | | | |" % (r["label"], r["error"].splitlines()[0][:200]))
                continue
            m, g = r["mem"], r.get("gdb") or {}
            if base is None:
                base = m["RssAnon"]
            L.append("| %s | %.1f | %s | %s | %s | %s | %.1f |" % (
                r["label"], m["RssAnon"] / 1024, "%+.1f" % ((m["RssAnon"] - base) / 1024) if r is not mb["rows"][0] else "",
                fmt(g.get("sqlite", 0) / 1048576 if "sqlite" in g else None, 2),
                fmt(g["malloc_uordblks"] / 1048576 if "malloc_uordblks" in g else None, 1),
                fmt(g["malloc_fordblks"] / 1048576 if "malloc_fordblks" in g else None, 1),
                m["VmHWM"] / 1024))
        L.append("")
        allrow = next((r for r in mb["rows"] if r["label"] == "every plugin" and "mem" in r), None)
        if allrow:
            steady = allrow["mem"]["RssAnon"]
            L.append("- Steady private memory with every plugin and FOSDEM 2025: **%.1f MB** (target ≤ 6 MB): %s" % (
                steady / 1024, "met" if steady <= 6 * 1024 else "NOT met"))
            L.extend(reasons.memory_steady(mb))
            if allrow.get("start_peak_private"):
                L.append("- Peak private memory at start (GUILD_CREATE of 3,000 members and the schedule's load; "
                         "VmHWM − file-backed RSS): %.1f MB, %.2f× steady." % (
                             allrow["start_peak_private"] / 1024, allrow["start_peak_private"] / steady))
        rf = allrow and allrow.get("refresh")
        if rf:
            st = rf["after"]["RssAnon"]
            f = rf["peak_private"] / st if st else None
            L.append("- The schedule's refresh finding a new file (the same talks; the old model serves until "
                     "the new one is complete; VmHWM reset just before): peak private %.1f MB, steady after "
                     "%.1f MB: **%.2f×** (target ≤ 1.2×): %s" % (
                         rf["peak_private"] / 1024, st / 1024, f or 0, "met" if f and f <= 1.2 else "NOT met"))
            L.extend(reasons.memory_swap("refresh", rf))
        rl = mb.get("reload")
        if rl:
            st = rl["after"]["RssAnon"]
            f = rl["peak_private"] / st if st else None
            L.append("- Reload (SIGHUP: every plugin again, FOSDEM parsed anew; VmHWM reset just before): peak "
                     "private %.1f MB, steady after %.1f MB: **%.2f×** (target ≤ 1.2×): %s%s" % (
                         rl["peak_private"] / 1024, st / 1024, f or 0, "met" if f and f <= 1.2 else "NOT met",
                         "" if rl["answered"] else " (no `!next` answer after the reload)"))
            L.extend(reasons.memory_swap("reload", rl))
        L.append("")
    gp = extra.get("gaps")
    if gp:
        L.append("## The gaps that matter (issue 17)\n")
        L.append("| GUILD_CREATE members | private MB after READY | peak private MB |")
        L.append("|---|---|---|")
        for g in gp.get("guild", []):
            if "error" in g:
                L.append("| %d | failed: %s | |" % (g["members"], g["error"].splitlines()[0][:200]))
            else:
                L.append("| %d | %.1f | %.1f |" % (g["members"], g["mem"]["RssAnon"] / 1024, g["peak_private"] / 1024))
        L.append("")
        st = gp.get("storm")
        if st and "error" not in st:
            L.append("- Storm: %d MESSAGE_CREATE written in %.2f s to hallway with every plugin, heartbeat every "
                     "%d ms: %d/%d commands answered (p99 %s ms); longest gap between heartbeats %.2f s over %d "
                     "beats; %d reconnects, %d late-timer warnings, %d zombie closes: %s" % (
                         st["events"], st["seconds"], st["hb_ms"], st["answered"], st["commands"], fmt(st["p99_ms"], 1),
                         st["max_beat_gap_s"], st["beats"], st["reconnects"], st["late_warnings"], st["zombies"],
                         "no heartbeat missed" if st["reconnects"] == 0 and st["zombies"] == 0 and
                         st["max_beat_gap_s"] <= 2.0 * st["hb_ms"] / 1000 else "a heartbeat was missed"))
        elif st:
            L.append("- Storm failed: %s" % st["error"].splitlines()[0][:300])
        L.append("")


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    with open("/proc/meminfo") as f:
        mem = f.readline().split(":")[1].strip()

    def ver(cmd):
        try:
            return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=20).stdout.decode().strip().splitlines()[0]
        except Exception:
            return "unavailable"
    return {"nproc": os.cpu_count(), "model": model, "mem": mem, "kernel": platform.release(),
            "python": platform.python_version(),
            "discord.py": ver(["/usr/bin/python3", "-c", "import discord; print(discord.__version__)"]),
            "aiohttp": ver(["/usr/bin/python3", "-c", "import aiohttp; print(aiohttp.__version__)"]),
            "node": ver(["node", "--version"]) if shutil.which("node") else "unavailable",
            "discord.js": js_version(), "hallway": None, "libwebsockets": ver(["pkg-config", "--modversion", "libwebsockets"]),
            "gcc": ver(["gcc", "--version"]), "valgrind": ver(["valgrind", "--version"])}


def js_version():
    p = os.path.join(HERE, "peers", "js", "node_modules", "discord.js", "package.json")
    try:
        with open(p) as f:
            return json.load(f)["version"]
    except OSError:
        return "unavailable"


def js_available():
    return shutil.which("node") is not None and js_version() != "unavailable"


def fmt(x, nd=1):
    if x is None:
        return "n/a"
    return ("%." + str(nd) + "f") % x


def ratio(a, b, nd=1):
    if a is None or b is None or b == 0:
        return "n/a"
    return ("%." + str(nd) + "f×") % (a / b)


def write_results(path, m, opts, res, extra):
    by = {r["name"]: r for r in res}
    h = by.get("hallway")
    peers = [r for r in res if r["name"] != "hallway"]
    L = []
    L.append("# hallway benchmark results\n")
    L.append("Written by `bench/run.sh` on %s. Do not edit by hand; rerun it. How it works: "
             "[README.md](README.md).\n" % time.strftime("%Y-%m-%d %H:%M:%S %Z"))
    L.append("## Machine\n")
    L.append("| | |\n|---|---|")
    L.append("| CPUs (nproc) | %s |" % m["nproc"])
    L.append("| model | %s |" % m["model"])
    L.append("| memory | %s |" % m["mem"])
    L.append("| kernel | %s |" % m["kernel"])
    L.append("| hallway | %s, Release (-O2), `%s` |" % (m["hallway"], extra["hallway_bin"]))
    L.append("| libwebsockets | %s |" % m["libwebsockets"])
    L.append("| gcc | %s |" % m["gcc"])
    L.append("| Python / discord.py / aiohttp | %s / %s / %s |" % (m["python"], m["discord.py"], m["aiohttp"]))
    L.append("| node / discord.js | %s / %s |" % (m["node"], m["discord.js"]))
    L.append("| valgrind | %s |" % m["valgrind"])
    loads = extra.get("loadavg") or []
    if loads:
        v = [x for _, x in loads]
        L.append("| load average (1 min), sampled as each part began and at the end | %.1f-%.1f (%s) |" % (
            min(v), max(v), ", ".join("%s %.1f" % kv for kv in loads)))
    L.append("")
    L.append("Load: %d MESSAGE_CREATE at %d/s, every tenth a `!ping` answered with a REST reply, the "
             "rest chatter nobody answers; a guild of %d members, all in GUILD_CREATE. Transport "
             "uncompressed for every bot. %s\n" % (opts["events"], opts["rate"], opts["members"], extra["pinning"]))
    def side_by_side():
        L.append("## Side by side (peer ÷ hallway, one run)\n")
        cols = ["hallway"] + [r["label"] for r in peers]
        L.append("| figure | " + " | ".join(cols) + " | " + " | ".join("%s ÷ hallway" % r["label"] for r in peers) + " |")
        L.append("|---" * (1 + len(cols) + len(peers)) + "|")

        def row(title, key, nd=1, fn=None):
            get = fn or (lambda r: r.get(key))
            vals = [get(h)] + [get(r) for r in peers]
            L.append("| %s | " % title + " | ".join(fmt(v, nd) for v in vals) + " | " +
                     " | ".join(ratio(get(r), get(h)) for r in peers) + " |")
        row("CPU seconds per 10,000 events", "cpu_per_10k", 3)
        row("RSS at READY, MB (3,000 members)", None, 1, lambda r: r["ready_mem"]["VmRSS"] / 1024 if r and "ready_mem" in r else None)
        row("RSS after %d events, MB" % opts["events"], None, 1, lambda r: r["after_mem"]["VmRSS"] / 1024 if r and "after_mem" in r else None)
        row("  of which private (RssAnon), MB", None, 1, lambda r: r["after_mem"]["RssAnon"] / 1024 if r and "after_mem" in r else None)
        row("  of which shared libraries (RssFile), MB", None, 1, lambda r: r["after_mem"]["RssFile"] / 1024 if r and "after_mem" in r else None)
        row("peak RSS (VmHWM), MB", None, 1, lambda r: r["after_mem"]["VmHWM"] / 1024 if r and "after_mem" in r else None)
        row("command latency p50, ms", "p50_ms", 2)
        row("command latency p99, ms", "p99_ms", 2)
        row("highest rate with p99 ≤ 50 ms, events/s", "max_rate", 0)
        row("idle CPU over %.0f s, %% of a core" % opts["idle"], None, 2, lambda r: 100 * r["idle_cpu_per_s"] if r and "idle_cpu_per_s" in r else None)
        row("start → first answer, s", "ready_s", 2)
        L.append("")
        L.append("For the highest-rate row the ratio reads the other way: hallway ÷ peer is how many "
                 "times more load hallway sustains (%s).\n" % ", ".join(
                     "%s %s" % (r["label"], ratio(h.get("max_rate"), r.get("max_rate"))) for r in peers))
        if h and h.get("max_rate_bound"):
            L.append("hallway passed every step of the ladder: its real ceiling is higher than the figure shown.\n")
        L.append("Commands answered in the %d-event run: %s.\n" % (opts["events"], ", ".join(
            "%s %d/%d" % (r["label"], r.get("answered", 0), r.get("commands", 0)) for r in res)))
        L.append("### Targets\n")
        dpy = by.get("discordpy")
        if h and dpy:
            f = dpy["cpu_per_10k"] / h["cpu_per_10k"] if h["cpu_per_10k"] else None
            L.append("- CPU per event, discord.py ÷ hallway: **%s** (target ≥ 20×): %s" %
                     (fmt(f, 1) + "×" if f else "n/a", "met" if f and f >= 20 else "NOT met"))
            if f and f < 20:
                L.append("  - Why not met (measured): the next line's floor, a client that does nothing but poll, "
                         "read and answer, bounds discord.py ÷ any bot at this event rate; issue 17 replaced "
                         "this target with hallway ÷ floor (section \"CPU per event next to the floor\").")
        fl = extra.get("floor")
        if fl and dpy and fl.get("cpu_per_10k"):
            L.append("- The floor: a C client that only polls, reads and answers `!ping` without parsing "
                     "(`bench/peers/floor`) uses **%s s** per 10,000 events here, so no bot can do better than "
                     "discord.py ÷ floor = **%.1f×** at this event rate on this machine (hallway: %.2f× the floor)."
                     % (fmt(fl["cpu_per_10k"], 3), dpy["cpu_per_10k"] / fl["cpu_per_10k"],
                        h["cpu_per_10k"] / fl["cpu_per_10k"] if h and h.get("cpu_per_10k") else float("nan")))
        zby = {r["label"]: r for r in extra.get("zlib", [])}
        if zby.get("hallway") and zby.get("discord.py") and zby["hallway"]["cpu_per_10k"]:
            f = zby["discord.py"]["cpu_per_10k"] / zby["hallway"]["cpu_per_10k"]
            L.append("- The same with zlib-stream (hallway's default transport; discord.py asks for it too): "
                     "**%.1f×**: %s" % (f, "met" if f >= 20 else "NOT met"))
        full = extra.get("full")
        if full:
            rss = full["after_mem"]["VmRSS"] / 1024
            hwm = full["after_mem"]["VmHWM"] / 1024
            L.append("- RSS with every plugin and FOSDEM 2025 (%s talks): %.1f MB after %d events, peak %.1f MB "
                     "(target < 8 MB): %s" % (extra.get("talks", "?"), rss, full["events"], hwm, "met" if hwm < 8 else "NOT met"))
            if hwm >= 8:
                L.append("  - Why not met (measured): the shared libraries alone are %.1f MB resident (RssFile) "
                         "before hallway's own memory, which is %.1f MB private (RssAnon) here; issue 17 "
                         "replaced this target with private memory ≤ 6 MB (section \"Where private memory "
                         "goes\")." % (full["after_mem"]["RssFile"] / 1024, full["after_mem"]["RssAnon"] / 1024))
        L.append("")
        if extra.get("zlib"):
            zh = zby.get("hallway")
            L.append("### zlib-stream transport (hallway's default)\n")
            L.append("The same stream and measurements with Discord's zlib-stream compression, which hallway "
                     "uses by default and discord.py asks for (discord.js only with the optional `zlib-sync` "
                     "package, not installed, so it is not in this table). Fewer bytes reach libwebsockets' "
                     "frame parser, which works one byte at a time.\n")
            L.append("| figure | " + " | ".join(r["label"] for r in extra["zlib"]) + " | discord.py ÷ hallway |")
            L.append("|---" * (2 + len(extra["zlib"])) + "|")
            zp = zby.get("discord.py")

            def zrow(title, get, nd):
                vals = [get(r) for r in extra["zlib"]]
                L.append("| %s | " % title + " | ".join(fmt(v, nd) for v in vals) + " | " +
                         (ratio(get(zp), get(zh)) if zh and zp else "n/a") + " |")
            zrow("CPU seconds per 10,000 events", lambda r: r.get("cpu_per_10k"), 3)
            zrow("RSS after %d events, MB" % opts["events"], lambda r: r["after_mem"]["VmRSS"] / 1024, 1)
            zrow("command latency p50, ms", lambda r: r.get("p50_ms"), 2)
            zrow("command latency p99, ms", lambda r: r.get("p99_ms"), 2)
            L.append("")
        L.append("### Rate ladder (%.0f s per step; stops at the first step with p99 > 50 ms or a missing reply)\n" % opts["step_s"])
        L.append("| bot | rate ev/s | achieved | p50 ms | p99 ms | missing | bot CPU % | generator CPU % |")
        L.append("|---|---|---|---|---|---|---|---|")
        for r in res + ([extra["echo"]] if extra.get("echo") else []):
            for s in r.get("sweep", []):
                L.append("| %s | %d | %.0f | %s | %s | %d | %.0f | %.0f |" % (
                    r["label"], s["rate"], s["achieved"], fmt(s["p50_ms"], 2),
                    fmt(s["p99_ms"], 2) if s["p99_ms"] != float("inf") else "∞", s["missing"],
                    100 * s["bot_cpu"], 100 * s["gen_cpu"]))
        L.append("")
    if h:
        side_by_side()
    else:
        L.append("(The side-by-side run was not part of this run: `--only`.)\n")
    issue17_sections(L, opts, extra)
    full = extra.get("full")
    L.append("## Is the generator the bottleneck?\n")
    sc = extra.get("standin")
    if sc:
        L.append("- The faithful stand-in (`tests/standin`, one control-API request per event, 8 concurrent "
                 "injectors, hallway connected) delivers **%.0f events/s** using %.0f%% of a core: it would "
                 "be the bottleneck, hence `bench/load/loadgen.py`." % (sc["rate"], 100 * sc["standin_cpu"]))
    echo = extra.get("echo")
    if echo:
        L.append("- `loadgen.py` with the cheapest possible client (`bench/load/echo_peer.py`: scans the raw "
                 "stream for commands, answers each over keep-alive HTTP) sustains **%s events/s** with p99 ≤ 50 ms%s. "
                 "Every bot's ceiling above is below that, and the generator CPU column shows headroom at "
                 "each bot's failing step." % (
                     fmt(echo.get("max_rate"), 0), " (the whole ladder)" if echo.get("max_rate_bound") else ""))
    L.append("")
    if full:
        L.append("## hallway alone: every plugin, FOSDEM 2025\n")
        L.append("Plugins: %s; schedule `%s` (%s talks), conference clock fixed at %s. The stream's "
                 "commands are `!next` (the schedule's next talks in every room).\n" % (
                     ", ".join(extra["plugins"]), os.path.basename(FOSDEM), extra.get("talks", "?"), FOSDEM_NOW))
        L.append("| figure | value |\n|---|---|")
        L.append("| RSS at READY | %.1f MB |" % (full["ready_mem"]["VmRSS"] / 1024))
        L.append("| RSS after %d events | %.1f MB |" % (full["events"], full["after_mem"]["VmRSS"] / 1024))
        L.append("| peak RSS (VmHWM) | %.1f MB |" % (full["after_mem"]["VmHWM"] / 1024))
        L.append("| after: private (RssAnon) / shared libraries (RssFile) | %.1f / %.1f MB |" % (
            full["after_mem"]["RssAnon"] / 1024, full["after_mem"]["RssFile"] / 1024))
        L.append("| start → first answer (process start to the probe `!ping` answered) | %s s |" % fmt(full.get("ready_s"), 2))
        L.append("| `!next` latency p50 / p99 (%d/s stream) | %s / %s ms (p99 target < 2 ms: %s) |" % (
            opts["rate"], fmt(full["p50_ms"], 2), fmt(full["p99_ms"], 2),
            "met" if full.get("p99_ms") is not None and full["p99_ms"] < 2 else "NOT met"))
        L.append("| CPU per 10,000 events (10%% `!next`) | %s s |" % fmt(full["cpu_per_10k"], 3))
        L.append("| threads | %d |" % full["after_mem"]["Threads"])
        L.append("")
        why = reasons.next_p99(dict(full, rate=opts["rate"]), extra.get("callgrind"), extra, h)
        if why:
            L.extend(why + [""])
    cg = extra.get("callgrind")
    if cg:
        L.append("## Instruction counts (callgrind, fixed replay)\n")
        if "error" in cg:
            L.append("callgrind failed: %s\n" % cg["error"])
        else:
            L.append("`valgrind --tool=callgrind hallway --console --now %s` with every plugin and FOSDEM 2025. "
                     "Replay: %d lines (80%% chatter, 10%% `!ping`, 10%% `!next`); startup alone is the same "
                     "command with empty input. Instruction counts barely move with machine load, so compare "
                     "these between commits.\n" % (FOSDEM_NOW, cg["replay"]["lines"]))
            L.append("| run | total Ir |\n|---|---|")
            L.append("| startup (load plugins, parse FOSDEM, shut down) | {:,} |".format(cg["startup"]["total"]))
            L.append("| startup + %d-line replay | {:,} |".format(cg["replay"]["total"]) % cg["replay"]["lines"])
            L.append("| per replayed line | {:,.0f} |".format(cg["per_line"]))
            if cg.get("next_ir"):
                L.append("| one `!next` in the schedule plugin (`cmd_next`, inclusive) | {:,.0f} |".format(
                    cg["next_ir"]))
            L.append("")
            L.append("Top functions of the replay run (self Ir):\n")
            L.append("| Ir | function |\n|---|---|")
            for ir, name in cg["replay"]["top"]:
                L.append("| {:,} | `{}` |".format(ir, name.replace("|", "\\|")))
            L.append("")
    for key, transport in (("callgrind_gw", "uncompressed"), ("callgrind_gw_z", "zlib-stream")):
        cgw = extra.get(key)
        if not cgw:
            continue
        L.append("## Instruction counts on the gateway path (callgrind, %s)\n" % transport)
        if "error" in cgw:
            L.append("callgrind failed: %s\n" % cgw["error"])
        else:
            L.append("hallway (hello plugin) under `valgrind --tool=callgrind --instr-atstart=no` against the "
                     "generator; instrumentation is switched on (`callgrind_control -i on`) after READY and "
                     "GUILD_CREATE, for %d MESSAGE_CREATE of chatter at 200/s (plus one probe `!ping`, whose "
                     "cost is taken off), dumped; then %d `!ping` at 200/s (%d answered), dumped apart. "
                     "Every user-space instruction of the process counts (lws, inflate, JSON, malloc, router, "
                     "curl); the kernel's do not.\n" % (cgw["events"], cgw["commands"], cgw["answered"]))
            L.append("| figure | Ir | target |\n|---|---|---|")
            L.append("| per chatter event | {:,.0f} | ≤ 20,000 |".format(cgw["per_chatter"]))
            L.append("| per answered `!ping` | {:,.0f} | ≤ 60,000 |".format(cgw["per_command"]))
            L.append("| per event, 10 % commands | {:,.0f} | |".format(cgw["per_event"]))
            L.append("")
            why = reasons.chatter(cgw, extra.get("callgrind_gw_z") if key == "callgrind_gw" else None,
                                  "(%s)" % transport) + reasons.ping(cgw)
            if why:
                L.extend(why + [""])
            for title, key in (("chatter stream", "top"), ("`!ping` stream", "top_commands")):
                L.append("Top functions of the %s (self Ir):\n" % title)
                L.append("| Ir | function |\n|---|---|")
                for ir, name in cgw[key]:
                    L.append("| {:,} | `{}` |".format(ir, name.replace("|", "\\|")))
                L.append("")
    if extra.get("notes"):
        L.append("## Notes\n")
        for n in extra["notes"]:
            L.append("- " + n)
        L.append("")
    text = "\n".join(L)
    if extra.get("merge") and os.path.exists(path):
        with open(path) as f:
            text = merge_results(f.read(), text, extra["merge"])
    with open(path, "w") as f:
        f.write(text)


def _sections(text):
    """(head, [(title line, body)]) of a RESULTS.md split at its "## " lines."""
    head, secs = [], []
    for line in text.splitlines():
        if line.startswith("## "):
            secs.append([line, []])
        elif secs:
            secs[-1][1].append(line)
        else:
            head.append(line)
    return head, [(t, "\n".join(b)) for t, b in secs]


def merge_results(old, new, parts):
    """A partial run (--only ... --merge) into the RESULTS.md it updates: the sections this run
    wrote replace the same sections of the old file, the others stay as they were, and the head
    says which is which."""
    _, old_secs = _sections(old)
    new_head, new_secs = _sections(new)
    # A section this run left empty (its part was not run) is not fresh.
    new_secs = [(t, b) for t, b in new_secs if b.strip()]
    fresh = dict(new_secs)
    stamp = next((l for l in old.splitlines() if l.startswith("Written by")), "")
    head = "\n".join(new_head).rstrip() + "\n\n" + (
        "This run covered only part of the benchmark (`--only %s --merge`): Machine and the sections "
        "it wrote are new; the others are from the earlier run whose line was: \"%s\" Compare "
        "ratios only within one run.\n" % (parts, stamp.strip()))
    out, seen = [head], set()
    for title, body in old_secs:
        if title in fresh and title not in seen:
            out.append(title + "\n" + fresh[title])
            seen.add(title)
        elif title not in fresh:
            out.append(title + "\n" + body)
    for title, body in new_secs:
        if title not in seen and title not in dict(old_secs):
            out.append(title + "\n" + body)
    return "\n".join(out)


async def main_async(args):
    cpus = sorted(os.sched_getaffinity(0))
    cpu_gen, cpu_bot = (cpus[0], cpus[1]) if len(cpus) >= 2 else (None, None)
    if cpu_gen is not None:
        os.sched_setaffinity(0, {cpu_gen})
    pinning = ("Generator pinned to CPU %d, each bot to CPU %d (one core each)." % (cpu_gen, cpu_bot)
               if cpu_gen is not None else "One CPU: generator and bot share it.")
    logdir = tempfile.mkdtemp(prefix="hallway-bench-")
    workdir = os.path.join(logdir, "work")
    os.makedirs(workdir)
    gen = await loadgen.LoadGen(members=args.members, token=TOKEN, verbose=args.verbose).start()
    smoke = args.smoke
    parts = set(args.only.split(",")) if args.only else set(PARTS)
    unknown = parts - set(PARTS)
    if unknown:
        raise SystemExit("bench: unknown part(s) for --only: %s (known: %s)" % (", ".join(sorted(unknown)), ", ".join(PARTS)))
    opts = {"events": 200 if smoke else args.events, "rate": 1000 if smoke else args.rate,
            "members": args.members, "ready_timeout": 8 if smoke else 60, "settle": 0.1 if smoke else 1.0,
            "idle": 0.2 if smoke else 3.0, "drain": 3 if smoke else 15, "sweep": not smoke and not args.no_sweep and "sweep" in parts,
            "ladder": LADDER, "step_s": args.step}
    peers = [hallway_peer(args, gen, workdir, "hallway", {"hello": {}})]
    peers.append(Peer("discordpy", ["/usr/bin/python3", os.path.join(HERE, "peers", "py", "bot.py"),
                                    gen.api_base, gen.gateway_url, TOKEN], label="discord.py"))
    notes = []
    if js_available():
        peers.append(Peer("discordjs", ["node", os.path.join(HERE, "peers", "js", "bot.js"), gen.api_root, TOKEN],
                          label="discord.js"))
    else:
        msg = "discord.js peer skipped: node or bench/peers/js/node_modules missing (bench/run.sh installs it)"
        print("bench: " + msg, flush=True)
        notes.append(msg)
    results = []
    failures = []
    for p in (peers if "peers" in parts or smoke else []):
        print("bench: %s ..." % p.label, flush=True)
        try:
            r = await measure_peer(gen, p, opts, logdir, cpu_bot)
            results.append(r)
            print("bench: %s: ready %.2fs, %d/%d answered, cpu/10k %.3fs, p50 %s ms, p99 %s ms, RSS %.1f MB"
                  % (p.label, r["ready_s"], r["answered"], r["commands"], r["cpu_per_10k"], fmt(r["p50_ms"], 2),
                     fmt(r["p99_ms"], 2), r["after_mem"]["VmRSS"] / 1024), flush=True)
            if r["answered"] != r["commands"]:
                failures.append("%s answered %d of %d commands" % (p.label, r["answered"], r["commands"]))
            if p.name == "hallway" and any(s in p.log_tail(100000) for s in ("AddressSanitizer", "runtime error:")):
                failures.append("sanitizer report in hallway's log")
        except Exception as e:
            failures.append("%s: %s" % (p.label, e))
            print("bench: %s FAILED: %s" % (p.label, e), flush=True)
            p.stop()
    if gen.unknown_routes:
        notes.append("REST routes the generator answered 404 (harmless for the figures): " +
                      ", ".join("%s ×%d" % kv for kv in sorted(gen.unknown_routes.items())))
    if smoke:
        await gen.stop()
        if failures:
            print("bench smoke: FAILED: " + "; ".join(failures))
            return 1
        print("bench smoke: OK (%s); logs in %s" % (", ".join(r["label"] for r in results), logdir))
        shutil.rmtree(logdir, ignore_errors=True)
        return 0

    extra = {"hallway_bin": args.hallway, "pinning": pinning, "notes": notes,
             "merge": args.only if args.merge and args.only else None,
             "loadavg": [("start", os.getloadavg()[0])]}

    def load(label):
        extra["loadavg"].append((label, os.getloadavg()[0]))
    # zlib-stream: hallway's default transport, and discord.py asks for it too
    # (discord.js needs the optional zlib-sync package for it, so it is left out).
    extra["zlib"] = []
    gen.compress = True
    for p in () if "zlib" not in parts else (hallway_peer(args, gen, workdir, "hallway-z", {"hello": {}}, label="hallway", compress=True),
              Peer("discordpy-z", ["/usr/bin/python3", os.path.join(HERE, "peers", "py", "bot.py"),
                                   gen.api_base, gen.gateway_url, TOKEN], label="discord.py")):
        print("bench: %s, zlib-stream ..." % p.label, flush=True)
        try:
            r = await measure_peer(gen, p, dict(opts, sweep=False), logdir, cpu_bot)
            extra["zlib"].append(r)
            print("bench: %s, zlib-stream: %d/%d answered, cpu/10k %.3fs, p50 %s ms, p99 %s ms, RSS %.1f MB"
                  % (p.label, r["answered"], r["commands"], r["cpu_per_10k"], fmt(r["p50_ms"], 2),
                     fmt(r["p99_ms"], 2), r["after_mem"]["VmRSS"] / 1024), flush=True)
            if r["answered"] != r["commands"]:
                failures.append("%s (zlib-stream) answered %d of %d commands" % (p.label, r["answered"], r["commands"]))
        except Exception as e:
            failures.append("%s (zlib-stream): %s" % (p.label, e))
            p.stop()
    gen.compress = False
    # The floor: a C client that only wakes up, polls and reads (bench/peers/floor).
    floor_bin = build_floor(logdir) if parts & {"floor", "ratios"} else None
    if floor_bin and "floor" in parts:
        p = Peer("floor", [floor_bin, str(gen.port), TOKEN], label="no-op C client")
        print("bench: CPU floor (no-op C client) ...", flush=True)
        try:
            extra["floor"] = await measure_peer(gen, p, dict(opts, sweep=False), logdir, cpu_bot)
            print("bench: floor: cpu/10k %.3fs" % extra["floor"]["cpu_per_10k"], flush=True)
        except Exception as e:
            notes.append("CPU floor FAILED: %s" % e)
            p.stop()
    elif parts & {"floor", "ratios"} and not floor_bin:
        notes.append("no C compiler: the CPU floor (bench/peers/floor) was not measured")
    if failures:
        notes.extend("FAILED: " + f for f in failures)
    # hallway alone with every plugin and the FOSDEM schedule.
    plugins = all_plugins(args.plugin_dir)
    extra["plugins"] = sorted(plugins)
    if floor_bin and "ratios" in parts:
        load("ratios")
        print("bench: CPU next to the floor (every plugin, FOSDEM; zlib-stream and uncompressed) ...", flush=True)
        try:
            extra["ratios"] = await floor_ratios(args, gen, workdir, logdir, cpu_bot, floor_bin)
        except Exception as e:
            notes.append("floor ratios FAILED: %s" % e)
    if "memory" in parts:
        load("memory")
        print("bench: memory by plugin ...", flush=True)
        try:
            extra["memory"] = await memory_breakdown(args, gen, workdir, logdir, cpu_bot)
        except Exception as e:
            notes.append("memory breakdown FAILED: %s" % e)
    if "gaps" in parts:
        load("gaps")
        print("bench: a 30,000-member GUILD_CREATE and a 5,000-event storm ...", flush=True)
        try:
            extra["gaps"] = await gaps(args, workdir, logdir, cpu_bot)
        except Exception as e:
            notes.append("gaps FAILED: %s" % e)
    if "broadcast" in parts:
        load("broadcast")
        print("bench: announce fan-out (bench/announce/fanout.py) ...", flush=True)
        table = os.path.join(logdir, "broadcast.md")
        p = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "announce", "fanout.py"), "--hallway", args.hallway,
                            "--plugin-dir", args.plugin_dir, "--out", table],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900)
        if p.returncode == 0 and os.path.exists(table):
            with open(table) as f:
                extra["broadcast"] = f.read()
        else:
            notes.append("announce fan-out FAILED: %s" % p.stdout.decode()[-600:].replace("\n", " "))
    if "full" not in parts:
        pass
    elif os.path.exists(FOSDEM):
        with open(FOSDEM, "rb") as f:
            extra["talks"] = f.read().count(b"<event ")
        load("full")
        print("bench: hallway with every plugin + FOSDEM ...", flush=True)
        full_peer = hallway_peer(args, gen, workdir, "hallway-full", plugins, env={"HALLWAY_NOW": FOSDEM_NOW})
        o = dict(opts, sweep=False)
        try:
            extra["full"] = await measure_peer(gen, full_peer, o, logdir, cpu_bot, command="!next")
            f = extra["full"]
            print("bench: full: %d/%d next answered, p50 %s p99 %s ms, RSS %.1f MB, HWM %.1f MB" % (
                f["answered"], f["commands"], fmt(f["p50_ms"], 2), fmt(f["p99_ms"], 2),
                f["after_mem"]["VmRSS"] / 1024, f["after_mem"]["VmHWM"] / 1024), flush=True)
        except Exception as e:
            notes.append("hallway with every plugin FAILED: %s" % e)
    else:
        notes.append("FOSDEM schedule not found at %s: the every-plugin run was skipped" % FOSDEM)
    if not args.no_sweep and "sweep" in parts:
        print("bench: generator ceiling (echo client) ...", flush=True)
        try:
            extra["echo"] = await echo_ceiling(gen, opts, logdir, cpu_bot)
        except Exception as e:
            notes.append("echo ceiling FAILED: %s" % e)
        print("bench: stand-in ceiling ...", flush=True)
        try:
            extra["standin"] = await standin_ceiling(args, logdir, cpu_gen, cpu_bot, 3.0)
        except Exception as e:
            notes.append("stand-in ceiling FAILED: %s" % e)
    if not args.no_callgrind and "callgrind" in parts:
        print("bench: callgrind on the gateway path ...", flush=True)
        load("callgrind")
        try:
            extra["callgrind_gw"] = await callgrind_gateway(args, gen, workdir, logdir)
        except Exception as e:
            extra["callgrind_gw"] = {"error": str(e)}
        try:
            extra["callgrind_gw_z"] = await callgrind_gateway(args, gen, workdir, logdir, compress=True)
        except Exception as e:
            extra["callgrind_gw_z"] = {"error": str(e)}
    await gen.stop()
    if not args.no_callgrind and "callgrind" in parts and os.path.exists(FOSDEM):
        print("bench: callgrind replay ...", flush=True)
        extra["callgrind"] = callgrind(args, workdir)
    load("end")
    m = machine()
    m["hallway"] = subprocess.run([args.hallway, "--version"], stdout=subprocess.PIPE).stdout.decode().strip()
    write_results(args.out, m, opts, results, extra)
    with open(os.path.join(logdir, "results.json"), "w") as f:
        json.dump({"machine": m, "results": results, "extra": extra}, f, indent=1, default=str)
    print("bench: wrote %s (raw data and logs in %s)" % (args.out, logdir), flush=True)
    return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hallway", required=True, help="hallway binary (Release build)")
    ap.add_argument("--plugin-dir", required=True)
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--smoke", action="store_true", help="check that everything runs (a few seconds)")
    ap.add_argument("--events", type=int, default=10000)
    ap.add_argument("--rate", type=int, default=1000, help="events/s for the CPU and latency run")
    ap.add_argument("--members", type=int, default=3000)
    ap.add_argument("--step", type=float, default=3.0, help="seconds per rate-ladder step")
    ap.add_argument("--no-sweep", action="store_true")
    ap.add_argument("--no-callgrind", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--only", help="comma-separated parts to run (default all): " + ",".join(PARTS))
    ap.add_argument("--merge", action="store_true",
                    help="with --only: keep the sections of --out this run does not write")
    args = ap.parse_args()
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
