"""HTTP helpers for the web tests: requests with a cookie jar, and a
Server-Sent Events reader on a thread (stdlib only)."""
import http.client
import json
import queue
import re
import socket
import threading
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def listen_port(daemon, timeout=15.0):
    """The port a daemon started with http.listen "127.0.0.1:0" picked, from
    its log line (no race with other tests for a port chosen beforehand)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in list(daemon.log):
            m = re.search(r"serving /healthz and /metrics on http://[^:]+:(\d+)", line)
            if m:
                return int(m.group(1))
        time.sleep(0.05)
    raise AssertionError("the daemon never said which port it serves on")


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case name -> [values]
        self.body = body

    def header(self, name):
        values = self.headers.get(name.lower())
        return values[0] if values else None

    def json(self):
        return json.loads(self.body.decode("utf-8"))


class Client:
    """One visitor: remembers the session cookie the server sets."""

    def __init__(self, port, host="127.0.0.1"):
        self.host, self.port = host, port
        self.cookies = {}

    def cookie_header(self):
        return "; ".join("%s=%s" % kv for kv in self.cookies.items())

    def request(self, method, path, body=None, headers=None, timeout=10.0):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        hdrs = dict(headers or {})
        if self.cookies and "Cookie" not in hdrs:
            hdrs["Cookie"] = self.cookie_header()
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
        try:
            conn.request(method, path, body=body, headers=hdrs)
            r = conn.getresponse()
            data = r.read()
            headers = {}
            for k, v in r.getheaders():
                headers.setdefault(k.lower(), []).append(v)
            for sc in headers.get("set-cookie", []):
                name, _, rest = sc.partition("=")
                value = rest.split(";", 1)[0]
                if "max-age=0" in sc.lower():
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value
            return Response(r.status, headers, data)
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body, csrf=None, **kw):
        headers = kw.pop("headers", {})
        if csrf:
            headers["X-CSRF-Token"] = csrf
        return self.request("POST", path, body=body, headers=headers, **kw)


class EventStream:
    """GET /events kept open; each `data:` message lands in .messages."""

    def __init__(self, port, host="127.0.0.1", timeout=30.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.sendall(("GET /events HTTP/1.1\r\nHost: %s:%d\r\nAccept: text/event-stream\r\n\r\n"
                           % (host, port)).encode())
        self.messages = queue.Queue()
        self.comments = 0
        self.head = b""
        self.closed = threading.Event()
        self.opened = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        buf = b""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                buf += chunk
                if not self.opened.is_set():
                    if b"\r\n\r\n" not in buf:
                        continue
                    self.head, buf = buf.split(b"\r\n\r\n", 1)
                    self.opened.set()
                while b"\n\n" in buf:
                    block, buf = buf.split(b"\n\n", 1)
                    data = [l[5:].strip() for l in block.split(b"\n") if l.startswith(b"data:")]
                    if data:
                        self.messages.put((time.monotonic(), json.loads(b"\n".join(data))))
                    elif block.startswith(b":"):
                        self.comments += 1
        except OSError:
            pass
        finally:
            self.closed.set()

    def next(self, topic=None, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no push%s within %.0f s" % (" on " + topic if topic else "", timeout))
            try:
                at, msg = self.messages.get(timeout=left)
            except queue.Empty:
                continue
            if topic is None or msg.get("topic") == topic:
                return at, msg

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
