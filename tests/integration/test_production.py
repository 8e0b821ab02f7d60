"""Production: /healthz and /metrics through the stand-in, sd_notify, and the
install layout (unit file, pkg-config, an out-of-tree plugin)."""
import glob
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

from harness import (BUILD_DIR, DaemonTestCase, HALLWAY_BIN, SOURCE_DIR, base_config,
                     wait_until)


# ---- a strict Prometheus text-format (0.0.4) parser ----

class PromError(ValueError):
    pass


NAME_RE = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\Z")
LABEL_NAME_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")


def _parse_value(text, where):
    if text in ("+Inf", "Inf"):
        return math.inf
    if text == "-Inf":
        return -math.inf
    if text == "NaN":
        return math.nan
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", text):
        raise PromError("%s: bad value %r" % (where, text))
    return float(text)


def _parse_labels(text, pos, where):
    """text[pos] == '{'. Returns (labels tuple, position after '}')."""
    labels = []
    pos += 1
    while True:
        if text[pos] == "}":
            return tuple(labels), pos + 1
        m = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*").match(text, pos)
        if not m:
            raise PromError("%s: bad label name at %d" % (where, pos))
        name = m.group(0)
        pos = m.end()
        if text[pos:pos + 2] != '="':
            raise PromError("%s: expected =\" after label %s" % (where, name))
        pos += 2
        value = []
        while True:
            if pos >= len(text):
                raise PromError("%s: unterminated label value" % where)
            c = text[pos]
            if c == "\\":
                esc = text[pos + 1:pos + 2]
                if esc not in ("\\", '"', "n"):
                    raise PromError("%s: bad escape \\%s" % (where, esc))
                value.append("\n" if esc == "n" else esc)
                pos += 2
            elif c == '"':
                pos += 1
                break
            elif c == "\n":
                raise PromError("%s: newline in label value" % where)
            else:
                value.append(c)
                pos += 1
        if any(n == name for n, _ in labels):
            raise PromError("%s: duplicate label %s" % (where, name))
        labels.append((name, "".join(value)))
        if text[pos] == ",":
            pos += 1
        elif text[pos] != "}":
            raise PromError("%s: expected , or } at %d" % (where, pos))


def parse_prometheus(text):
    """Returns {family: {"type", "help", "samples": {(name, labels): value}}}.
    Raises PromError on anything the format does not allow."""
    if not text.endswith("\n"):
        raise PromError("the text must end with a newline")
    families = {}
    current = None
    seen = set()
    for lineno, line in enumerate(text.split("\n")[:-1], 1):
        where = "line %d" % lineno
        if line == "":
            continue
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                name = parts[2]
                if not NAME_RE.match(name):
                    raise PromError("%s: bad metric name %r" % (where, name))
                fam = families.setdefault(name, {"type": None, "help": None, "samples": {}})
                if parts[1] == "HELP":
                    if fam["help"] is not None:
                        raise PromError("%s: second HELP for %s" % (where, name))
                    fam["help"] = parts[3] if len(parts) > 3 else ""
                else:
                    if fam["type"] is not None or fam["samples"]:
                        raise PromError("%s: TYPE for %s twice or after its samples" % (where, name))
                    if len(parts) != 4 or parts[3] not in TYPES:
                        raise PromError("%s: bad TYPE line" % where)
                    fam["type"] = parts[3]
                if name in seen and current != name:
                    raise PromError("%s: family %s is split" % (where, name))
                current = name
                seen.add(name)
            continue
        m = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*").match(line)
        if not m:
            raise PromError("%s: bad sample line %r" % (where, line))
        sname, pos = m.group(0), m.end()
        labels = ()
        if pos < len(line) and line[pos] == "{":
            labels, pos = _parse_labels(line, pos, where)
        if line[pos:pos + 1] != " ":
            raise PromError("%s: expected a space before the value" % where)
        fields = line[pos + 1:].split(" ")
        if len(fields) not in (1, 2):
            raise PromError("%s: bad value/timestamp" % where)
        value = _parse_value(fields[0], where)
        if len(fields) == 2 and not re.fullmatch(r"-?\d+", fields[1]):
            raise PromError("%s: bad timestamp" % where)
        family = sname
        for suffix in ("_bucket", "_sum", "_count"):
            base = sname[:-len(suffix)]
            if sname.endswith(suffix) and base in families and families[base]["type"] in ("histogram", "summary"):
                family = base
        if family not in families or families[family]["type"] is None:
            raise PromError("%s: sample %s before its TYPE" % (where, sname))
        if family != current:
            raise PromError("%s: sample of %s outside its family block" % (where, family))
        fam = families[family]
        key = (sname, labels)
        if key in fam["samples"]:
            raise PromError("%s: duplicate series %s%s" % (where, sname, labels))
        if fam["type"] == "counter" and (value < 0 or math.isnan(value)):
            raise PromError("%s: counter %s is %r" % (where, sname, value))
        fam["samples"][key] = value
    for name, fam in families.items():
        if fam["type"] == "histogram":
            buckets = sorted(((float(dict(l)["le"].replace("+Inf", "inf")), v)
                              for (s, l), v in fam["samples"].items() if s == name + "_bucket"))
            if not buckets or buckets[-1][0] != math.inf:
                raise PromError("histogram %s has no +Inf bucket" % name)
            if any(lo[1] > hi[1] for lo, hi in zip(buckets, buckets[1:])):
                raise PromError("histogram %s buckets are not cumulative" % name)
            if fam["samples"].get((name + "_count", ())) != buckets[-1][1]:
                raise PromError("histogram %s: _count differs from the +Inf bucket" % name)
    return families


def sample(families, name, **labels):
    """The value of one series, or None."""
    for fam in families.values():
        for (sname, lab), value in fam["samples"].items():
            if sname == name and dict(lab) == labels:
                return value
    return None


class ParserSelfTest(unittest.TestCase):
    """The parser refuses what the format refuses (so the scrapes prove something)."""

    GOOD = ('# HELP a_total A.\n# TYPE a_total counter\na_total{x="1",y="q\\"\\n"} 3\n'
            '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 3.5\nh_count 2\n')

    def test_good(self):
        f = parse_prometheus(self.GOOD)
        self.assertEqual(sample(f, "a_total", x="1", y='q"\n'), 3)
        self.assertEqual(sample(f, "h_count"), 2)

    def test_bad(self):
        for bad in ("a 1",                                     # no newline at the end
                    "a 1\n",                                   # sample without TYPE
                    "# TYPE a counter\na{x=1} 1\n",            # unquoted label value
                    "# TYPE a counter\na{x=\"1\"} one\n",      # not a number
                    "# TYPE a counter\na -1\n",                # negative counter
                    "# TYPE a counter\na 1\na 2\n",            # duplicate series
                    "# TYPE a counter\n# TYPE a counter\n",    # TYPE twice
                    "# TYPE a bogus\n",
                    "# TYPE a gauge\na{x=\"\\q\"} 1\n",        # bad escape
                    "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\n",  # no +Inf
                    "# TYPE a gauge\n# TYPE b gauge\na 1\n",   # outside its block
                    ):
            with self.assertRaises(PromError, msg=bad):
                parse_prometheus(bad)


# ---- helpers ----

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def get(port, path, timeout=5.0):
    """(status, content type, body text)."""
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=timeout) as r:
            return r.status, r.headers.get("Content-Type"), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read().decode()


OOT_PLUGIN = r'''
/* An out-of-tree plugin: built by the test against <hallway/plugin.h>. */
#include <hallway/plugin.h>
#include <string.h>

/* Plugin ABI 2.0: no SQLite type crosses the ABI, so the plugin header
 * set does not drag <sqlite3.h> (nor its -I and -l) into a plugin. */
#ifdef SQLITE_VERSION_NUMBER
#error "<hallway/plugin.h> includes <sqlite3.h>"
#endif

static const hw_api *api;

static int cmd_ping(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	return api->reply(self, inv, "oot pong");
}

/* oot probe ok|bad: reports a component (stale after 1.5 s) and a counter. */
static int cmd_probe(hw_plugin *self, const hw_invocation *inv, void *ud)
{
	int ok = !strcmp(inv->argv[0].str, "ok");
	json_t *h = json_pack("{s:s,s:b,s:s,s:f}", "component", "oot", "ok", ok, "detail",
			      ok ? "all good" : "the probe says bad", "max_age_s", 1.5);
	json_t *m = json_pack("{s:s,s:s,s:s,s:{s:s}}", "name", "oot_probes_total", "type", "counter",
			      "help", "Probes reported", "labels", "state", inv->argv[0].str);
	api->publish(self, "health.report", h);
	api->publish(self, "metrics.report", m);
	json_decref(h);
	json_decref(m);
	return api->reply(self, inv, "probe reported");
}

static int init(hw_plugin *self, const hw_api *host_api)
{
	static const hw_arg_spec args[] = {{"state", HW_ARG_STRING, 1, "ok or bad", 0}};
	const hw_command_spec ping = {.struct_size = sizeof(ping), .name = "oot ping",
				      .summary = "Answer", .fn = cmd_ping};
	const hw_command_spec probe = {.struct_size = sizeof(probe), .name = "oot probe",
				       .summary = "Report health", .args = args, .nargs = 1,
				       .fn = cmd_probe};
	api = host_api;
	if (api->command_add(self, &ping) != HW_OK || api->command_add(self, &probe) != HW_OK)
		return HW_ERR_PLUGIN;
	return HW_OK;
}

HW_PLUGIN_DEFINE("oot_probe", "1.0.0", "out-of-tree test plugin", init, NULL);
'''


def build_oot_plugin(outdir, cflags_libs):
    src = os.path.join(outdir, "oot_probe.c")
    with open(src, "w") as f:
        f.write(OOT_PLUGIN)
    so = os.path.join(outdir, "oot_probe.so")
    cmd = ["cc", "-std=c11", "-Wall", "-Werror", "-shared", "-fPIC", "-fvisibility=hidden",
           "-Wl,-z,defs", "-o", so, src] + cflags_libs
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return so


class ProductionCase(DaemonTestCase):

    def http_daemon(self, plugins=None, plugin_dir=None, start=True, **kw):
        self.port = free_port()
        cfg = base_config(self.st, self.workdir, plugins=plugins,
                          **({"plugin_dir": plugin_dir} if plugin_dir else {}),
                          http={"listen": "127.0.0.1:%d" % self.port})
        return self.daemon(cfg, start=start, **kw)

    def scrape(self):
        status, ctype, body = get(self.port, "/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(ctype.startswith("text/plain; version=0.0.4"), ctype)
        return parse_prometheus(body)

    def healthz(self):
        status, ctype, body = get(self.port, "/healthz")
        self.assertEqual(ctype, "application/json")
        doc = json.loads(body)
        self.assertEqual(doc["status"], "ok" if status == 200 else "unhealthy")
        self.assertIn(status, (200, 503))
        return status, doc


class HealthTests(ProductionCase):

    def test_healthz_follows_the_session(self):
        # GET /gateway/bot fails twice first: the endpoint is up, the gateway is not.
        self.st.rest_fault(kind="status", status=500, path="^/gateway/bot$", count=2)
        d = self.http_daemon()
        d.wait_log("serving /healthz and /metrics")
        status, doc = wait_until(lambda: (lambda r: r if r[0] == 503 else None)(self.healthz()), 5,
                                 what="503 before READY")
        self.assertFalse(doc["checks"]["gateway"]["ok"])
        self.assertTrue(any(p.startswith("gateway: not READY") for p in doc["problems"]), doc)
        self.assertTrue(doc["checks"]["storage"]["ok"])
        self.ready(d)
        status, doc = wait_until(lambda: (lambda r: r if r[0] == 200 else None)(self.healthz()), 5,
                                 what="200 after READY")
        self.assertEqual(doc["problems"], [])

        # Drop the socket: a poller sees 503 while the session is away, then 200 after RESUME.
        seen, stop = [], threading.Event()

        def poll():
            while not stop.is_set():
                s, doc = self.healthz()
                seen.append((time.monotonic(), s, doc))
                time.sleep(0.01)
        t = threading.Thread(target=poll)
        t.start()
        try:
            time.sleep(0.2)
            t_drop = time.monotonic()
            self.st.gateway_fault(action="drop")
            self.st.wait("resume", 1, timeout=15)
            wait_until(lambda: seen and seen[-1][0] > t_drop and seen[-1][1] == 200 and
                       any(s == 503 for _, s, _ in seen), 15, what="503 then 200 again")
        finally:
            stop.set()
            t.join()
        statuses = [s for ts, s, _ in seen if ts > t_drop]
        first_bad = statuses.index(503)
        self.assertIn(200, statuses[first_bad:], statuses)
        bad = [doc for ts, s, doc in seen if s == 503 and ts > t_drop][0]
        self.assertTrue(any(p.startswith("gateway:") for p in bad["problems"]), bad)
        outage = [ts for ts, s, _ in seen if s == 503 and ts > t_drop]
        print("healthz: 503 for %.0f ms while the session was away (%d polls)" %
              ((outage[-1] - outage[0]) * 1000, len(seen)))
        self.assertEqual(self.st.state()["resumes"][0]["result"], "ok")

    def test_metrics_parse_and_move_with_traffic(self):
        d = self.http_daemon()
        self.ready(d)
        wait_until(lambda: sample(self.scrape(), "hallway_gateway_heartbeat_rtt_seconds_count"), 5,
                   what="a heartbeat round trip in the histogram")
        before = self.scrape()
        for name in ("hallway_gateway_events_total", "hallway_rest_responses_total",
                     "hallway_gateway_heartbeat_rtt_seconds", "hallway_gateway_resumes_total",
                     "hallway_gateway_reconnects_total", "hallway_rest_rate_limited_total",
                     "hallway_health_ok", "hallway_rest_pending"):
            self.assertIn(name, before)
            self.assertTrue(before[name]["help"], name)
        self.assertEqual(before["hallway_gateway_heartbeat_rtt_seconds"]["type"], "histogram")
        # A labelled family appears with its first series.
        self.assertNotIn("hallway_commands_total", before)
        self.assertEqual(sample(before, "hallway_gateway_ready"), 1)
        self.assertEqual(sample(before, "hallway_health_ok"), 1)

        route = "POST /channels/{channel_id}/messages"
        bob = [u for u in self.world["users"] if u.get("username") == "bob"][0]["id"]
        n = 4
        for i in range(n):
            self.st.inject_message(content="!fx echo m%d" % i)
        self.st.inject_message(content="!fx fail")
        self.st.inject_message(content="!fx admin x", user_id=bob)
        self.st.rest_fault(kind="429", path="/messages$", retry_after=0.2)
        self.wait_bot_messages(n + 2)
        self.st.gateway_fault(action="drop")
        self.st.wait("resume", 1, timeout=15)
        wait_until(lambda: sample(self.scrape(), "hallway_gateway_ready") == 1, 10, what="ready again")

        after = self.scrape()
        self.assertEqual(after["hallway_commands_total"]["type"], "counter")

        def delta(name, **labels):
            return (sample(after, name, **labels) or 0) - (sample(before, name, **labels) or 0)
        self.assertGreaterEqual(delta("hallway_gateway_events_total", type="MESSAGE_CREATE"), n + 2)
        self.assertEqual(delta("hallway_gateway_events_total", type="RESUMED"), 1)
        self.assertEqual(delta("hallway_commands_total", command="fx echo", outcome="ok"), n)
        self.assertEqual(delta("hallway_commands_total", command="fx fail", outcome="error"), 1)
        self.assertEqual(delta("hallway_commands_total", command="fx admin", outcome="denied"), 1)
        self.assertEqual(delta("hallway_plugin_errors_total", plugin="fx_good", kind="command"), 1)
        self.assertGreaterEqual(delta("hallway_rest_responses_total", route=route, status="200"), n + 2)
        self.assertEqual(delta("hallway_rest_responses_total", route=route, status="429"), 1)
        self.assertEqual(delta("hallway_rest_rate_limited_total"), 1)
        self.assertEqual(delta("hallway_gateway_resumes_total"), 1)
        self.assertGreaterEqual(delta("hallway_gateway_reconnects_total"), 1)
        self.assertGreater(delta("hallway_gateway_heartbeat_rtt_seconds_count"), 0)
        # No raw ids in route labels: templates only.
        for (sname, labels), _ in after["hallway_rest_responses_total"]["samples"].items():
            self.assertNotRegex(dict(labels)["route"], r"/\d{5,}", labels)

    def test_scrape_latency(self):
        self.st.config(message_rate_limit=1000)
        d = self.http_daemon()
        self.ready(d)
        for i in range(20):
            self.st.inject_message(content="!fx echo warm%d" % i)
        self.wait_bot_messages(20)
        times = {}
        for path in ("/metrics", "/healthz"):
            ts = []
            for _ in range(200):
                t0 = time.perf_counter()
                status, _, body = get(self.port, path)
                ts.append((time.perf_counter() - t0) * 1000)
                self.assertIn(status, (200,))
            ts.sort()
            times[path] = (statistics.median(ts), ts[int(len(ts) * 0.99) - 1], len(body))
        for path, (med, p99, size) in times.items():
            print("%s: median %.2f ms, p99 %.2f ms over 200 scrapes (%d bytes, ASan build if "
                  "HALLWAY_SANITIZE)" % (path, med, p99, size))
        # The loop stayed healthy while it served them.
        self.assertEqual(self.st.state()["heartbeat_timeouts"], [])
        # Other paths and methods.
        status, ctype, body = get(self.port, "/nope")
        self.assertEqual((status, ctype), (404, "application/json"))
        req = urllib.request.Request("http://127.0.0.1:%d/healthz" % self.port, data=b"x=1",
                                     method="POST")
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(req, timeout=5)
        self.assertEqual(cm.exception.code, 405)
        cm.exception.close()
        self.assertEqual(get(self.port, "/healthz")[0], 200)

    def test_plugin_components_and_metrics(self):
        plugdir = os.path.join(self.workdir, "oot")
        os.mkdir(plugdir)
        flags = subprocess.run(["pkg-config", "--cflags", "--libs", "jansson"],
                               check=True, capture_output=True, text=True).stdout.split()
        build_oot_plugin(plugdir, ["-I" + os.path.join(SOURCE_DIR, "include")] + flags)
        shutil.copy(os.path.join(BUILD_DIR, "plugins", "schedule.so"), plugdir)
        sample_json = os.path.join(SOURCE_DIR, "plugins", "schedule", "sample", "hallwaycon.json")
        d = self.http_daemon(plugins={"oot_probe": {}, "schedule": {"source": sample_json}},
                             plugin_dir=plugdir)
        self.ready(d)
        # The schedule plugin reports after its load.
        status, doc = wait_until(lambda: (lambda r: r if "schedule" in r[1]["checks"] else None)(
            self.healthz()), 10, what="the schedule's health.report")
        self.assertEqual(status, 200, doc)
        self.assertIn("talks loaded", doc["checks"]["schedule"]["detail"])
        m = self.scrape()
        self.assertEqual(sample(m, "hallway_health_component_ok", component="schedule"), 1)
        self.assertGreaterEqual(sample(m, "hallway_health_report_age_seconds", component="schedule"), 0)

        self.st.inject_message(content="!oot probe bad")
        self.wait_bot_messages(1)
        status, doc = self.healthz()
        self.assertEqual(status, 503)
        self.assertIn("oot: the probe says bad", doc["problems"])
        self.st.inject_message(content="!oot probe ok")
        self.wait_bot_messages(2)
        status, doc = self.healthz()
        self.assertEqual(status, 200, doc)
        m = self.scrape()
        self.assertEqual(sample(m, "hallway_oot_probes_total", state="ok"), 1)
        self.assertEqual(sample(m, "hallway_oot_probes_total", state="bad"), 1)
        self.assertEqual(m["hallway_oot_probes_total"]["type"], "counter")
        # No new report within max_age_s (1.5 s): stale.
        status, doc = wait_until(lambda: (lambda r: r if r[0] == 503 else None)(self.healthz()), 5,
                                 what="the component going stale")
        self.assertTrue(any(p.startswith("oot: stale") for p in doc["problems"]), doc)
        self.assertEqual(sample(self.scrape(), "hallway_health_component_ok", component="oot"), 0)

    def test_bad_listen_address_stops_start_up(self):
        cfg = base_config(self.st, self.workdir, http={"listen": "127.0.0.1"})
        d = self.daemon(cfg)
        # A config mistake: exit 2 before any network traffic.
        self.assertEqual(d.wait(15), 2)
        self.assertIn("http.listen: must be address:port", d.log_text())
        busy = socket.socket()
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        try:
            cfg = base_config(self.st, self.workdir, http={"listen": "127.0.0.1:%d" % busy.getsockname()[1]})
            d2 = self.daemon(cfg)
            self.assertEqual(d2.wait(15), 3)
            self.assertIn("cannot serve HTTP", d2.log_text())
        finally:
            busy.close()

    def test_http_object_without_listen_uses_the_default(self):
        probe = socket.socket()
        try:
            probe.bind(("127.0.0.1", 9464))
        except OSError:
            self.skipTest("127.0.0.1:9464 is in use here")
        finally:
            probe.close()
        d = self.daemon(base_config(self.st, self.workdir, http={}))
        self.ready(d)
        self.assertIn("serving /healthz and /metrics on http://127.0.0.1:9464", d.log_text())
        self.port = 9464
        self.assertEqual(self.healthz()[0], 200)

    def test_off_without_http_and_json_logs(self):
        cfg = base_config(self.st, self.workdir, log={"level": "info", "format": "json"})
        d = self.daemon(cfg)
        self.ready(d)
        self.assertNotIn("serving /healthz", d.log_text())
        lines = [json.loads(l) for l in d.log if l.startswith("{")]
        self.assertTrue(lines and all(l for l in lines))
        self.assertEqual(len(lines), len([l for l in d.log if l.strip()]), d.log[:5])


class NotifyTests(DaemonTestCase):

    def notify_socket(self):
        path = os.path.join(self.workdir, "notify.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(path)
        sock.settimeout(0.1)
        msgs = []
        stop = threading.Event()

        def read():
            while not stop.is_set():
                try:
                    msgs.append((time.monotonic(), sock.recv(4096).decode()))
                except socket.timeout:
                    pass
        t = threading.Thread(target=read, daemon=True)
        t.start()

        def close():
            stop.set()
            t.join()
            sock.close()
        self.addCleanup(close)
        return path, msgs

    def test_ready_watchdog_stopping(self):
        path, msgs = self.notify_socket()
        d = self.daemon(env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "400000"})
        self.ready(d)
        wait_until(lambda: any("READY=1" in m.split("\n") for _, m in msgs), 10, what="READY=1")
        self.assertTrue(msgs[0][1].startswith("STATUS=starting"), msgs)
        # The status line follows READY=1 in its own datagram: wait for it
        # rather than race it on a loaded machine.
        wait_until(lambda: any(m == "STATUS=connected (READY) as hallway" for _, m in msgs), 10,
                   what="STATUS=connected")
        time.sleep(1.5)
        dogs = [t for t, m in msgs if m == "WATCHDOG=1"]
        self.assertGreaterEqual(len(dogs), 5, msgs)
        gaps = [b - a for a, b in zip(dogs, dogs[1:])]
        print("watchdog pings every %.0f ms (max gap %.0f ms) for WATCHDOG_USEC=400 ms" %
              (statistics.median(gaps) * 1000, max(gaps) * 1000))
        self.assertLess(max(gaps), 0.4, gaps)
        # A resume says so in STATUS=, but READY=1 is sent once per process.
        self.st.gateway_fault(action="drop")
        self.st.wait("resume", 1, timeout=15)
        wait_until(lambda: any(m.startswith("STATUS=connected (RESUMED)") for _, m in msgs), 10,
                   what="STATUS after the resume")
        self.assertEqual(d.stop(), 0)
        self.assertTrue(any("STOPPING=1" in m.split("\n") for _, m in msgs), msgs)
        self.assertEqual(sum("READY=1" in m.split("\n") for _, m in msgs), 1)

    def test_no_ready_before_the_gateway_is(self):
        path, msgs = self.notify_socket()
        # GET /gateway/bot keeps failing: the loop runs, the session never starts.
        self.st.rest_fault(kind="status", status=500, path="^/gateway/bot$", count=1000)
        d = self.daemon(env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "400000"})
        d.wait_log("GET /gateway/bot", 10)
        time.sleep(1.0)
        self.assertGreaterEqual(sum(m == "WATCHDOG=1" for _, m in msgs), 3, msgs)
        self.assertFalse(any("READY=1" in m.split("\n") for _, m in msgs), msgs)
        self.assertEqual(d.stop(), 0)
        self.assertTrue(any("STOPPING=1" in m.split("\n") for _, m in msgs), msgs)

    def test_console_never_notifies(self):
        path, msgs = self.notify_socket()
        cfg = {"storage": {"path": os.path.join(self.workdir, "c.db")}, "plugins": {}}
        d = self.daemon(cfg, extra_args=["--console"], stdin="help\n",
                        env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "200000"})
        self.assertEqual(d.wait(15), 0)
        time.sleep(0.3)
        self.assertEqual(msgs, [])


class InstallTests(unittest.TestCase):
    """cmake --install into a staging prefix; everything points at that prefix."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="hallway-install-")
        self.prefix = os.path.join(self.tmp.name, "stage")
        r = subprocess.run(["cmake", "--install", BUILD_DIR, "--prefix", self.prefix],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def tearDown(self):
        self.tmp.cleanup()

    def test_layout_unit_pkgconfig_and_out_of_tree_plugin(self):
        p = self.prefix
        binary = os.path.join(p, "bin", "hallway")
        self.assertTrue(os.access(binary, os.X_OK))
        self.assertTrue(os.path.isfile(os.path.join(p, "include", "hallway", "plugin.h")))
        for doc in ("config.example.json", "hallway.env.example", "PRODUCTION.md"):
            self.assertTrue(os.path.isfile(os.path.join(p, "share", "doc", "hallway", doc)), doc)

        # The unit file names the installed paths.
        with open(os.path.join(p, "lib", "systemd", "system", "hallway.service")) as f:
            unit = f.read()
        keys = {}
        for line in unit.splitlines():
            if "=" in line and not line.startswith("#"):
                k, v = line.split("=", 1)
                keys.setdefault(k, v)
        self.assertEqual(keys["Type"], "notify")
        self.assertEqual(keys["WatchdogSec"], "30")
        self.assertEqual(keys["User"], "hallway")
        self.assertEqual(keys["NoNewPrivileges"], "yes")
        self.assertEqual(keys["ProtectSystem"], "strict")
        self.assertEqual(keys["StateDirectory"], "hallway")
        self.assertIn("-HUP", keys["ExecReload"])
        exec_start = keys["ExecStart"].split()
        self.assertEqual(exec_start[0], binary)
        self.assertEqual(exec_start[1:3], ["--config", os.path.join(p, "etc", "hallway", "config.json")])
        self.assertEqual(keys["EnvironmentFile"], os.path.join(p, "etc", "hallway", "hallway.env"))
        with open(os.path.join(p, "share", "doc", "hallway", "hallway.env.example")) as f:
            env_example = f.read()
        self.assertRegex(env_example, r"(?m)^HALLWAY_DISCORD_TOKEN=")

        # The example config is valid (with the token from the environment).
        r = subprocess.run([binary, "--check-config",
                            os.path.join(p, "share", "doc", "hallway", "config.example.json")],
                           capture_output=True, text=True,
                           env=dict(os.environ, HALLWAY_DISCORD_TOKEN="x" * 40))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertNotIn("warning", r.stdout)

        # pkg-config agrees with the layout.
        pcs = glob.glob(os.path.join(p, "lib*", "**", "hallway-plugin.pc"), recursive=True)
        self.assertEqual(len(pcs), 1, pcs)
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.dirname(pcs[0]))

        def pkgconfig(*args):
            return subprocess.run(["pkg-config"] + list(args) + ["hallway-plugin"], env=env,
                                  check=True, capture_output=True, text=True).stdout.strip()
        flags = pkgconfig("--cflags", "--libs")
        self.assertIn("-I" + os.path.join(p, "include"), flags.split())
        self.assertIn("-ljansson", flags.split())
        plugindir = pkgconfig("--variable=plugindir")
        self.assertTrue(os.path.isfile(os.path.join(plugindir, "hello.so")), plugindir)
        self.assertTrue(plugindir.startswith(p + "/"))

        # An out-of-tree plugin built against the installed header loads from
        # the installed plugin folder, which the binary finds by itself.
        work = os.path.join(self.tmp.name, "oot")
        os.mkdir(work)
        so = build_oot_plugin(work, flags.split())
        shutil.copy(so, plugindir)
        cfg = os.path.join(work, "config.json")
        with open(cfg, "w") as f:
            json.dump({"storage": {"path": os.path.join(work, "h.db")},
                       "plugins": {"oot_probe": {}, "hello": {}}}, f)
        r = subprocess.run([binary, "--console", "--config", cfg], input="oot ping\nping\n",
                           capture_output=True, text=True, timeout=60, cwd=work)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("oot pong", r.stdout, r.stdout + r.stderr)
        self.assertIn("pong", r.stdout.replace("oot pong", ""), r.stdout)
        self.assertIn("plugin oot_probe 1.0.0 loaded", r.stderr)

        # systemd's own checker, where it can run.
        if shutil.which("systemd-analyze"):
            unit_path = os.path.join(p, "lib", "systemd", "system", "hallway.service")
            v = subprocess.run(["systemd-analyze", "verify", unit_path], capture_output=True,
                               text=True)
            self.assertEqual(v.returncode, 0, v.stdout + v.stderr)
            self.assertNotIn("Unknown", v.stdout + v.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
