#!/usr/bin/env python3
"""The cheapest possible bot, to measure the generator's own ceiling.

Usage: echo_peer.py PORT TOKEN
Connects to loadgen.py's gateway, IDENTIFYs, then scans the raw byte stream
(no WebSocket or JSON parsing) for command frames and answers each with a
POST /channels/{id}/messages over one keep-alive HTTP connection. Whatever
rate this sustains, the generator sustains at least that.
"""
import asyncio
import base64
import json
import os
import sys

MARK = b'"content":"!ping","timestamp":"'
NONCE = b'"nonce":"'


async def main():
    port, token = int(sys.argv[1]), sys.argv[2]
    r, w = await asyncio.open_connection("127.0.0.1", port)
    key = base64.b64encode(os.urandom(16)).decode()
    w.write(("GET /gateway?v=10&encoding=json HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
             "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % key).encode())
    await r.readuntil(b"\r\n\r\n")
    ident = json.dumps({"op": 2, "d": {"token": token, "intents": 37377, "properties": {}}}).encode()
    w.write(bytes((0x81, 0x80 | 126)) + len(ident).to_bytes(2, "big") + b"\0\0\0\0" + ident)  # zero mask
    hr, hw = await asyncio.open_connection("127.0.0.1", port)
    channel = None
    tail = b""
    outstanding = 0

    async def read_replies():
        nonlocal outstanding
        while True:
            head = await hr.readuntil(b"\r\n\r\n")
            n = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            await hr.readexactly(n)
            outstanding -= 1
    asyncio.ensure_future(read_replies())
    while True:
        data = await r.read(1 << 20)
        if not data:
            return
        buf = tail + data
        if channel is None:
            i = buf.find(b'"general"')
            j = buf.rfind(b'"id":"', 0, i) if i >= 0 else -1
            if j >= 0:
                channel = buf[j + 6:buf.index(b'"', j + 6)].decode()
        pos = 0
        cut = None  # start of a command frame not complete yet
        out = []
        while True:
            i = buf.find(MARK, pos)
            if i < 0:
                break
            j = buf.find(NONCE, i)
            k = buf.find(b'"', j + len(NONCE)) if j >= 0 else -1
            if k < 0:
                cut = i
                break
            mid = buf[j + len(NONCE):k].decode()
            body = ('{"content":"pong","message_reference":{"message_id":"%s"}}' % mid).encode()
            out.append(("POST /api/v10/channels/%s/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (channel, len(body))).encode()
                       + body)
            pos = k
        if out:
            outstanding += len(out)
            hw.write(b"".join(out))
        tail = buf[cut:] if cut is not None else buf[max(pos, len(buf) - 64):]


if __name__ == "__main__":
    asyncio.run(main())
