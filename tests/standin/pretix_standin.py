"""A stand-in for pretix's REST API (the parts a registration bot reads).

Written from pretix's API documentation (docs.pretix.eu, "REST API"):
  - token authentication: `Authorization: Token <token>`; a missing or wrong
    token is 401 {"detail": "..."};
  - GET /api/v1/organizers/{o}/events/{e}/orders/  paginated like every
    pretix list: {"count", "next", "previous", "results"}, `page=N`, with the
    filters `code`, `status`, `modified_since` (ISO 8601: orders whose
    last_modified is at or after it) and the `X-Page-Generated` header;
  - GET .../orders/{code}/  one order, 404 {"detail": "Not found."};
  - GET .../items/ and .../items/{id}/variations/ (names of ticket types);
  - orders: code, status (n pending, p paid, e expired, c canceled), email,
    datetime, last_modified, positions: [{id, order, positionid, item,
    variation, price, attendee_name, attendee_name_parts, secret,
    canceled, addon_to}];
  - throttling as Django REST framework does it: 429 with Retry-After and
    {"detail": "Request was throttled. Expected available in N seconds."}.
Plus HTTP caching (ETag, If-None-Match -> 304) on every GET.

Faults for tests: a number of 429s, 5xx answers, slow answers, and "down"
(the port refuses connections until up() is called).

    pretix = PretixThread(token="secret").start()
    pretix.add_order("ABC12", status="p", positions=[{"item": 1, "attendee_name": "Ada Lovelace"}])
    pretix.url  -> "http://127.0.0.1:PORT"  (config pretix.url)
    pretix.fault(kind="429", retry_after=2, count=1)
    pretix.requests()  -> [{"method", "path", "query", "status", "auth_ok", "if_none_match"}]
"""
import asyncio
import hashlib
import json
import socket
import threading
import time
from datetime import datetime, timezone
from urllib.parse import urlencode

from aiohttp import web

ORGANIZER, EVENT = "democon", "2026"


def iso(ts):
    return datetime.fromtimestamp(ts, timezone.utc).isoformat().replace("+00:00", "Z")


def parse_iso(text):
    text = text.strip().replace(" ", "+")  # a '+' in a query string arrives as a space
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.timestamp()


class Pretix:
    def __init__(self, token="pretix-test-token", page_size=50, organizer=ORGANIZER, event=EVENT):
        self.token, self.page_size = token, page_size
        self.organizer, self.event = organizer, event
        self.lock = threading.Lock()
        self.orders = {}
        self.items = {1: {"id": 1, "name": {"en": "Conference ticket"}, "variations": [
                              {"id": 11, "value": {"en": "In person"}}, {"id": 12, "value": {"en": "Remote"}}]},
                      2: {"id": 2, "name": {"en": "Sponsor ticket"}, "variations": []},
                      3: {"id": 3, "name": {"en": "Volunteer"}, "variations": []}}
        self.next_position = 1000
        self.faults = []
        self.log = []
        self.clock = time.time()

    # -- data ------------------------------------------------------------------

    def _tick(self):
        # last_modified strictly increases, so modified_since has something to tell apart.
        self.clock = max(self.clock + 0.001, time.time())
        return self.clock

    def add_order(self, code, status="p", positions=(), email=None):
        with self.lock:
            order = {"code": code, "event": self.event, "status": status, "testmode": False,
                     "secret": hashlib.sha1(code.encode()).hexdigest()[:16],
                     "email": email or "%s@example.org" % code.lower(), "locale": "en",
                     "datetime": iso(time.time()), "positions": []}
            for n, p in enumerate(positions, 1):
                self.next_position += 1
                parts = p.get("attendee_name_parts")
                if parts is None and p.get("attendee_name"):
                    words = p["attendee_name"].split(" ", 1)
                    parts = {"_scheme": "given_family", "given_name": words[0],
                             "family_name": words[1] if len(words) > 1 else ""}
                order["positions"].append({
                    "id": p.get("id", self.next_position), "order": code, "positionid": n,
                    "item": p.get("item", 1), "variation": p.get("variation"), "price": "100.00",
                    "attendee_name": p.get("attendee_name"), "attendee_name_parts": parts or {},
                    "attendee_email": None, "secret": hashlib.sha1(b"%d" % self.next_position).hexdigest(),
                    "addon_to": None, "canceled": bool(p.get("canceled", False))})
            order["last_modified"] = iso(self._tick())
            self.orders[code] = order
            return order

    def set_status(self, code, status):
        with self.lock:
            self.orders[code]["status"] = status
            self.orders[code]["last_modified"] = iso(self._tick())

    def fault(self, kind, count=1, **spec):
        """kind: "429" (retry_after s), "status" (status, e.g. 503), "delay" (ms). down()/up() close and reopen the port."""
        with self.lock:
            self.faults.append(dict(spec, kind=kind, count=count))

    def clear_faults(self):
        with self.lock:
            self.faults.clear()

    def requests(self):
        with self.lock:
            return list(self.log)

    # -- HTTP ------------------------------------------------------------------

    def _take_fault(self, path):
        with self.lock:
            for f in self.faults:
                if f["count"] <= 0 or (f.get("path") and f["path"] not in path):
                    continue
                f["count"] -= 1
                return dict(f)
        return None

    def _answer(self, request, status, body, headers=None):
        text = json.dumps(body, sort_keys=True)
        headers = dict(headers or {})
        if status == 200:
            etag = '"%s"' % hashlib.sha1(text.encode()).hexdigest()
            headers["ETag"] = etag
            if request.headers.get("If-None-Match") == etag:
                return web.Response(status=304, headers=headers)
        return web.Response(status=status, text=text, content_type="application/json", headers=headers)

    async def handle(self, request):
        path = request.path
        resp = await self._handle(request, path)
        with self.lock:
            self.log.append({"t": time.monotonic(), "method": request.method, "path": path,
                             "query": dict(request.query), "status": resp.status,
                             "auth_ok": request.headers.get("Authorization") == "Token " + self.token,
                             "if_none_match": request.headers.get("If-None-Match")})
        return resp

    async def _handle(self, request, path):
        f = self._take_fault(path)
        if f and f["kind"] == "delay":
            await asyncio.sleep(f.get("ms", 1000) / 1000.0)
        elif f and f["kind"] == "429":
            retry = int(f.get("retry_after", 1))
            return self._answer(request, 429, {"detail": "Request was throttled. Expected available in %d "
                                               "seconds." % retry}, {"Retry-After": str(retry)})
        elif f and f["kind"] == "status":
            status = int(f.get("status", 503))
            return web.Response(status=status, text="<html><body>%d</body></html>" % status,
                                content_type="text/html")
        auth = request.headers.get("Authorization", "")
        if not auth:
            return self._answer(request, 401, {"detail": "Authentication credentials were not provided."})
        if auth != "Token " + self.token:
            return self._answer(request, 401, {"detail": "Invalid token."})
        base = "/api/v1/organizers/%s/events/%s/" % (self.organizer, self.event)
        if not path.startswith(base):
            return self._answer(request, 404, {"detail": "Not found."})
        rest = path[len(base):]
        parts = [p for p in rest.split("/") if p]
        if parts == ["orders"]:
            return self._list_orders(request)
        if len(parts) == 2 and parts[0] == "orders":
            with self.lock:
                order = self.orders.get(parts[1])
                body = json.loads(json.dumps(order)) if order else None
            if body is None:
                return self._answer(request, 404, {"detail": "Not found."})
            return self._answer(request, 200, body)
        if parts == ["items"]:
            with self.lock:
                items = [dict(i) for i in self.items.values()]
            return self._answer(request, 200, {"count": len(items), "next": None, "previous": None,
                                               "results": items})
        if len(parts) == 3 and parts[0] == "items" and parts[2] == "variations" and parts[1].isdigit():
            item = self.items.get(int(parts[1]))
            if item is None:
                return self._answer(request, 404, {"detail": "Not found."})
            return self._answer(request, 200, {"count": len(item["variations"]), "next": None,
                                               "previous": None, "results": item["variations"]})
        return self._answer(request, 404, {"detail": "Not found."})

    def _list_orders(self, request):
        q = request.query
        generated = iso(time.time())
        try:
            page = int(q.get("page", "1"))
            since = parse_iso(q["modified_since"]) if "modified_since" in q else None
        except ValueError:
            return self._answer(request, 400, {"detail": "Invalid query."})
        with self.lock:
            orders = sorted(self.orders.values(), key=lambda o: o["code"])
            orders = [o for o in orders
                      if ("code" not in q or o["code"] == q["code"])
                      and ("status" not in q or o["status"] == q["status"])
                      and (since is None or parse_iso(o["last_modified"]) >= since)]
            orders = json.loads(json.dumps(orders))
        if page < 1 or (page - 1) * self.page_size >= max(len(orders), 1):
            return self._answer(request, 404, {"detail": "Invalid page."})
        chunk = orders[(page - 1) * self.page_size:page * self.page_size]

        def link(n):
            query = dict(q)
            query["page"] = str(n)
            return "%s://%s%s?%s" % (request.scheme, request.host, request.path, urlencode(query))
        more = page * self.page_size < len(orders)
        body = {"count": len(orders), "next": link(page + 1) if more else None,
                "previous": link(page - 1) if page > 1 else None, "results": chunk}
        return self._answer(request, 200, body, {"X-Page-Generated": generated})


class PretixThread:
    """Runs a Pretix on its own loop in a background thread, for synchronous tests."""

    def __init__(self, **kwargs):
        self.pretix = Pretix(**kwargs)
        self.loop = self.thread = self.runner = self.site = None
        self.port = None

    def __getattr__(self, name):
        return getattr(self.pretix, name)

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self):
        ready = threading.Event()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()

        def run():
            self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self.loop)
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", self.pretix.handle)
            self.runner = web.AppRunner(app)
            self.loop.run_until_complete(self.runner.setup())
            self.loop.run_until_complete(self._listen())
            ready.set()
            self.loop.run_forever()
            self.loop.run_until_complete(self.runner.cleanup())
            self.loop.close()

        self.thread = threading.Thread(target=run, name="pretix", daemon=True)
        self.thread.start()
        if not ready.wait(30):
            raise RuntimeError("the pretix stand-in did not start")
        return self

    async def _listen(self):
        self.site = web.TCPSite(self.runner, "127.0.0.1", self.port, reuse_address=True)
        await self.site.start()

    async def _close(self):
        if self.site is not None:
            await self.site.stop()
            self.site = None

    def down(self):
        """Closes the port: connections are refused until up()."""
        asyncio.run_coroutine_threadsafe(self._close(), self.loop).result(30)

    def up(self):
        asyncio.run_coroutine_threadsafe(self._listen(), self.loop).result(30)

    def stop(self):
        if self.loop is not None and self.thread is not None:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
