"""`bench/live.py`'s load client: one process holding many websockets, driven by JSON lines on stdin.

Each command is one JSON object on a line; each answer is one JSON line on stdout (logs go to stderr):

  {"op": "connect", "url": ..., "n": 2500, "inflight": 64, "timeout": 120}
      open n more sockets (at most `inflight` handshakes at a time); a socket counts as connected once
      its first message (the server's subscription reply) arrived: it is subscribed from then on.
      -> {"connected", "errors": {exception: count}, "first_error", "seconds", "open"}
  {"op": "collect", "seq": 3, "timeout": 30}
      wait until every open socket received publish `seq` (or the timeout)
      -> {"latencies_ms": [receive time - the send time written in the message, one per socket], "missing"}
  {"op": "closes", "since": <epoch s>, "timeout": 30}
      wait until the server closed every socket -> {"codes": {close code: count}, "last_s", "open"}
  {"op": "close", "timeout": 30}   close every socket from this side -> {"closed", "open"}
  {"op": "exit"}

A publish is recognised by its first bytes: `<!--bench <seq> <epoch seconds>-->` (bench/live.py puts it there).
Every wait is bounded by its command's timeout; the process exits when stdin closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import sys
import time
from collections import Counter, defaultdict
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

MARK = "<!--bench "


class Clients:
    def __init__(self) -> None:
        self.open: set[ClientConnection] = set()
        self.tasks: set[asyncio.Task[None]] = set()
        self.received: defaultdict[int, list[float]] = defaultdict(list)
        self.codes: Counter[str] = Counter()
        self.last_close = 0.0

    async def connect(self, url: str, n: int, inflight: int, timeout: float) -> dict[str, Any]:
        gate = asyncio.Semaphore(inflight)
        errors: Counter[str] = Counter()
        first_error: list[str] = []
        done = Counter[str]()
        started = time.monotonic()

        async def one() -> None:
            async with gate:
                try:
                    ws = await connect(
                        url,
                        compression=None,
                        ping_interval=None,
                        open_timeout=timeout,
                        close_timeout=5,
                        proxy=None,
                        max_queue=64,
                    )
                    await asyncio.wait_for(ws.recv(), timeout)  # the subscription reply
                except Exception as exc:  # every failure is counted and reported, none is fatal here
                    errors[type(exc).__name__] += 1
                    if not first_error:
                        first_error.append(f"{type(exc).__name__}: {exc}")
                    return
            done["ok"] += 1
            self.open.add(ws)
            task = asyncio.create_task(self.read(ws))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)

        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*(one() for _ in range(n))), timeout)
        seconds = time.monotonic() - started
        unfinished = n - done["ok"] - errors.total()
        if unfinished:
            errors["unfinished within the phase timeout"] += unfinished
        return {
            "connected": done["ok"],
            "errors": dict(errors),
            "first_error": first_error[0] if first_error else "",
            "seconds": seconds,
            "open": len(self.open),
        }

    async def read(self, ws: ClientConnection) -> None:
        try:
            async for message in ws:
                if isinstance(message, str) and message.startswith(MARK):
                    now = time.time()
                    seq, sent = message[len(MARK) : message.index("-->")].split()
                    self.received[int(seq)].append(round((now - float(sent)) * 1000, 3))
        except ConnectionClosed:
            pass
        finally:
            self.codes[str(ws.close_code)] += 1
            self.last_close = time.time()
            self.open.discard(ws)

    async def collect(self, seq: int, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while len(self.received[seq]) < len(self.open) and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        got = self.received.pop(seq, [])
        return {"latencies_ms": got, "missing": max(0, len(self.open) - len(got))}

    async def closes(self, since: float, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while self.open and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        return {"codes": dict(self.codes), "last_s": max(0.0, self.last_close - since), "open": len(self.open)}

    async def close(self, timeout: float) -> dict[str, Any]:
        everyone = list(self.open)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*(ws.close() for ws in everyone), return_exceptions=True), timeout)
        return {"closed": len(everyone), "open": len(self.open)}


async def serve() -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 20)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    clients = Clients()
    while line := await reader.readline():
        cmd = json.loads(line)
        op = cmd["op"]
        if op == "exit":
            break
        if op == "connect":
            reply = await clients.connect(cmd["url"], cmd["n"], cmd["inflight"], cmd["timeout"])
        elif op == "collect":
            reply = await clients.collect(cmd["seq"], cmd["timeout"])
        elif op == "closes":
            reply = await clients.closes(cmd["since"], cmd["timeout"])
        elif op == "close":
            reply = await clients.close(cmd["timeout"])
        else:
            reply = {"error": f"unknown op {op!r}"}
        sys.stdout.write(json.dumps(reply, separators=(",", ":")) + "\n")
        sys.stdout.flush()


def raise_open_files() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 1 << 20, hard))


if __name__ == "__main__":
    raise_open_files()
    asyncio.run(serve())
