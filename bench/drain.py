#!/usr/bin/env python3
"""Watches bench/receiver.py until BACKLOG deliveries have arrived, or LIMIT seconds after the first one, and prints the
drain rate as a scenario result: from the first delivery's arrival to the last's (or to the time limit).

    python3 bench/drain.py RECEIVER_PORT BACKLOG LIMIT_SECONDS
"""
import json, sys, time, urllib.request
port, backlog, limit = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
def stats():
    return json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/stats"))
started = time.monotonic()
while stats()["count"] == 0:
    if time.monotonic() - started > 60:
        raise SystemExit("bench: no delivery arrived within 60 s")
    time.sleep(0.2)
first_seen = time.monotonic()
while (s := stats())["count"] < backlog and time.monotonic() - first_seen < limit:
    time.sleep(0.5)
done = s["count"] >= backlog
span = (s["last"] - s["first"]) if done else (time.monotonic() - first_seen)
print(json.dumps({"rps": round(s["count"] / max(span, 1e-3), 1), "unit": "deliveries/s", "p50_ms": None, "p99_ms": None,
                  "non_2xx": None, "socket_errors": 0, "requests": s["count"], "drained": done, "seconds": round(span, 1)}))
