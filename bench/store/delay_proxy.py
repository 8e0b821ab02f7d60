"""A TCP proxy that delays every chunk by DELAY_MS each way (for the storage
bench: PostgreSQL "on another machine"). Usage: delay_proxy.py LISTEN_PORT
TARGET_PORT DELAY_MS; prints READY when listening."""
import asyncio
import sys


async def pipe(reader, writer, delay):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            await asyncio.sleep(delay)
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def main():
    listen, target, delay = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]) / 1000

    async def handle(r, w):
        tr, tw = await asyncio.open_connection("127.0.0.1", target)
        await asyncio.gather(pipe(r, tw, delay), pipe(tr, w, delay))

    srv = await asyncio.start_server(handle, "127.0.0.1", listen)
    print("READY", flush=True)
    async with srv:
        await srv.serve_forever()


asyncio.run(main())
