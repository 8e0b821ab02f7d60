"""A small Chrome DevTools Protocol driver for the browser tests.

Starts `chromium --headless=new --remote-debugging-port=0` with a private
profile (--no-sandbox: CI runs as root), attaches to one page and offers
what the tests need: navigate, evaluate JavaScript, wait for a condition,
screenshots, and the page's dialogs (an XSS would open one), console
errors and Content-Security-Policy violations. Synchronous on the outside:
the websocket runs in an asyncio loop on a thread of its own.

Run with /usr/bin/python3 (Debian's, with the websockets package).
"""
import asyncio
import base64
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time

import websockets

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium():
    env = os.environ.get("HALLWAY_CHROMIUM")
    if env:
        return env if os.access(env, os.X_OK) else None
    for name in CHROMIUM_CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


class CDPError(Exception):
    pass


class Browser:
    """One headless Chromium and one page in it."""

    def __init__(self, width=1920, height=1080, timeout=30.0):
        self.binary = find_chromium()
        if not self.binary:
            raise CDPError("no chromium found (set HALLWAY_CHROMIUM)")
        self.profile = tempfile.mkdtemp(prefix="hallway-chromium-")
        self.proc = subprocess.Popen(
            [self.binary, "--headless=new", "--remote-debugging-port=0",
             "--user-data-dir=" + self.profile, "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions",
             "--disable-background-networking", "--disable-sync", "--hide-scrollbars",
             "--mute-audio", "--font-render-hinting=none",
             "--window-size=%d,%d" % (width, height), "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.stderr_lines = []
        self.ws_url = None
        found = threading.Event()

        def read_stderr():
            for raw in self.proc.stderr:
                line = raw.decode("utf-8", "replace")
                self.stderr_lines.append(line)
                m = re.search(r"DevTools listening on (ws://\S+)", line)
                if m and not self.ws_url:
                    self.ws_url = m.group(1)
                    found.set()
        threading.Thread(target=read_stderr, daemon=True).start()
        if not found.wait(timeout):
            self.close()
            raise CDPError("chromium did not start: " + "".join(self.stderr_lines[-20:]))
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.next_id = 0
        self.pending = {}
        self.events = []          # (method, params, sessionId)
        self.event_cond = threading.Condition()
        self.ws = self._run(self._connect(), timeout)
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.page_call(domain + ".enable")
        self.set_viewport(width, height)

    # -- plumbing ------------------------------------------------------------

    def _run(self, coro, timeout):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _connect(self):
        ws = await websockets.connect(self.ws_url, max_size=64 * 1024 * 1024, ping_interval=None)
        self.loop.create_task(self._reader(ws))
        return ws

    async def _reader(self, ws):
        try:
            async for raw in ws:
                msg = json.loads(raw)
                if "id" in msg:
                    fut = self.pending.pop(msg["id"], None)
                    if fut and not fut.done():
                        fut.set_result(msg)
                else:
                    with self.event_cond:
                        self.events.append((msg.get("method"), msg.get("params", {}), msg.get("sessionId")))
                        self.event_cond.notify_all()
                    if msg.get("method") == "Page.javascriptDialogOpening":
                        # Never leave a dialog blocking the page; the test sees it in events.
                        self.loop.create_task(self._send("Page.handleJavaScriptDialog", {"accept": False},
                                                         msg.get("sessionId")))
        except websockets.ConnectionClosed:
            pass

    async def _send(self, method, params, session):
        self.next_id += 1
        mid = self.next_id
        fut = self.loop.create_future()
        self.pending[mid] = fut
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        await self.ws.send(json.dumps(msg))
        return await fut

    def call(self, method, params=None, session=None, timeout=30.0):
        reply = self._run(self._send(method, params, session), timeout)
        if "error" in reply:
            raise CDPError("%s: %s" % (method, reply["error"]))
        return reply.get("result", {})

    def page_call(self, method, params=None, timeout=30.0):
        return self.call(method, params, self.session, timeout)

    # -- what the tests use ----------------------------------------------------

    def set_viewport(self, width, height, mobile=False, scale=1):
        self.page_call("Emulation.setDeviceMetricsOverride",
                       {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile})

    def event_count(self, method):
        with self.event_cond:
            return sum(1 for e in self.events if e[0] == method)

    def wait_event(self, method, after=0, timeout=30.0):
        deadline = time.monotonic() + timeout
        with self.event_cond:
            while True:
                hits = [e for e in self.events if e[0] == method]
                if len(hits) > after:
                    return hits[after][1]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise CDPError("timed out waiting for " + method)
                self.event_cond.wait(left)

    def goto(self, url, timeout=30.0):
        before = self.event_count("Page.loadEventFired")
        res = self.page_call("Page.navigate", {"url": url})
        if res.get("errorText"):
            raise CDPError("navigate %s: %s" % (url, res["errorText"]))
        self.wait_event("Page.loadEventFired", before, timeout)

    def eval(self, expression, timeout=30.0):
        res = self.page_call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                  "awaitPromise": True}, timeout)
        if "exceptionDetails" in res:
            raise CDPError("evaluate %r: %s" % (expression[:80], res["exceptionDetails"].get("text")))
        return res.get("result", {}).get("value")

    def wait(self, expression, timeout=15.0, what=None):
        deadline = time.monotonic() + timeout
        while True:
            try:
                value = self.eval(expression)
            except CDPError:
                value = None  # a page being replaced (navigation) has no context yet
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError("timed out after %.0f s waiting for %s" % (timeout, what or expression))
            time.sleep(0.1)

    def screenshot(self, path, full_page=False):
        params = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
        data = base64.b64decode(self.page_call("Page.captureScreenshot", params)["data"])
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        return len(data)

    def dialogs(self):
        with self.event_cond:
            return [e[1] for e in self.events if e[0] == "Page.javascriptDialogOpening"]

    def problems(self):
        """Console errors and CSP reports the page produced."""
        out = []
        with self.event_cond:
            for method, params, _ in self.events:
                if method == "Log.entryAdded" and params["entry"].get("level") == "error":
                    out.append(params["entry"].get("text", ""))
                elif method == "Runtime.exceptionThrown":
                    out.append(params["exceptionDetails"].get("text", ""))
                elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
                    out.append(" ".join(str(a.get("value", "")) for a in params.get("args", [])))
        return out

    def close(self):
        try:
            if getattr(self, "ws", None):
                try:
                    self.call("Browser.close", timeout=5)
                except Exception:
                    pass
            if getattr(self, "ws", None):
                try:
                    self._run(self.ws.close(), 5)
                except Exception:
                    pass
            if getattr(self, "loop", None):
                async def finish():
                    tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
                    for t in tasks:
                        t.cancel()
                    await asyncio.gather(*tasks, return_exceptions=True)
                try:
                    self._run(finish(), 5)
                except Exception:
                    pass
                self.loop.call_soon_threadsafe(self.loop.stop)
                self.thread.join(5)
                self.loop.close()
                self.loop = None
        finally:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            shutil.rmtree(self.profile, ignore_errors=True)
