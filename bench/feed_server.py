"""A fast local feed server for benchmarks: asyncio, keep-alive; every path is an RSS feed of
50 items with the ETag "v1", answered 304 to a request that sends it. Run: python -m
bench.feed_server PORT."""

from __future__ import annotations

import asyncio
import sys

ITEMS = 50


def feed_body() -> bytes:
    items = "".join(
        f"<item><title>Story {n}</title><link>http://127.0.0.1/story/{n}</link>"
        f"<guid>story-{n}</guid><pubDate>Mon, 23 Dec 2024 10:00:00 GMT</pubDate></item>"
        for n in range(ITEMS)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title>'
        f"<link>http://127.0.0.1/</link><description>d</description>{items}</channel></rss>"
    ).encode()


BODY = feed_body()
FULL = (
    b'HTTP/1.1 200 OK\r\netag: "v1"\r\ncontent-type: application/rss+xml\r\n'
    + f"content-length: {len(BODY)}\r\n\r\n".encode()
    + BODY
)
NOT_MODIFIED = b'HTTP/1.1 304 Not Modified\r\netag: "v1"\r\ncontent-length: 0\r\n\r\n'


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = (await reader.readuntil(b"\r\n\r\n")).lower()
            writer.write(NOT_MODIFIED if b'if-none-match: "v1"' in head else FULL)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def serve(port: int) -> None:
    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1])))
