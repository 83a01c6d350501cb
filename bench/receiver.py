#!/usr/bin/env python3
"""A webhook receiver for the delivery benchmark: answers every POST at once with 200 (HTTP/1.1, keep-alive), counts
them, and tells how many came and when the first and the last arrived: GET /stats -> {"count", "first", "last"}
(seconds on this process's monotonic clock). Local only; it neither verifies nor keeps what it receives.

    python3 bench/receiver.py PORT
"""
import asyncio
import json
import sys
import time

stats = {"count": 0, "first": None, "last": None}


async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path = lines[0].split(" ")[:2]
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            if method == "POST":
                now = time.monotonic()
                stats["count"] += 1
                stats["first"] = stats["first"] or now
                stats["last"] = now
                body = b""
            else:
                body = json.dumps(stats).encode()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(port: int) -> None:
    server = await asyncio.start_server(serve, "127.0.0.1", port, backlog=512)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
