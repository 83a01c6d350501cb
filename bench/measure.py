#!/usr/bin/env python3
"""Turns one load run's output into the JSON object the report reads (latencies in milliseconds).

    wrk … | python3 bench/measure.py wrk [--cpu BEFORE AFTER]
                                                         (the line lua/report.lua prints; with run.sh's cpu_sample
                                                         before and after the run, "SERVER BUSY TOTAL" in clock ticks:
                                                         the server's CPU µs per request and the machine's busy %)
    pgbench … -l --log-prefix=DIR/log | python3 bench/measure.py pgbench DIR
                                                         (tps from its summary, p50/p99 from its per-transaction log)
    python3 bench/measure.py wrk-sum OUT1 OUT2 …         (wrk runs at once against several instances: rates and
                                                         counts add up; p50/p99 are the slowest run's, an upper bound)
"""
import glob
import json
import os
import re
import sys


def wrk(text: str) -> dict:
    lines = [line for line in text.splitlines() if line.startswith("{")]
    if not lines:
        raise SystemExit("measure: no result line from wrk:\n" + text)
    d = json.loads(lines[-1])
    return {
        "rps": round(d["requests"] / (d["duration_us"] / 1e6), 1),
        "p50_ms": round(d["p50_us"] / 1000, 2),
        "p99_ms": round(d["p99_us"] / 1000, 2),
        "non_2xx": d["non_2xx"],
        "socket_errors": d["socket_errors"],
        "requests": d["requests"],
    }


def cpu(result: dict, before: str, after: str) -> dict:
    (server0, busy0, total0), (server1, busy1, total1) = ([int(x) for x in sample.split()] for sample in (before, after))
    ticks_per_second = os.sysconf("SC_CLK_TCK")
    result["server_cpu_us"] = round((server1 - server0) / ticks_per_second * 1e6 / max(result["requests"], 1), 1)
    result["machine_busy_pct"] = round(100 * (busy1 - busy0) / max(total1 - total0, 1))
    return result


def pgbench(text: str, log_dir: str) -> dict:
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", text)
    if not tps:
        raise SystemExit("measure: no tps line from pgbench:\n" + text)
    failed = re.search(r"number of failed transactions: (\d+)", text)
    latencies = []
    for path in glob.glob(f"{log_dir}/*"):
        with open(path) as log:
            for line in log:
                fields = line.split()
                if len(fields) >= 3 and fields[2].isdigit():
                    latencies.append(int(fields[2]))  # client, transaction, latency in µs, …
    latencies.sort()

    def percentile(p: float) -> float | None:
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))] / 1000, 2) if latencies else None

    return {
        "rps": round(float(tps.group(1)), 1),
        "p50_ms": percentile(0.50),
        "p99_ms": percentile(0.99),
        "non_2xx": int(failed.group(1)) if failed else 0,
        "socket_errors": 0,
        "requests": len(latencies),
    }


def wrk_sum(paths: list[str]) -> dict:
    runs = [wrk(open(path).read()) for path in paths]
    return {
        "rps": round(sum(r["rps"] for r in runs), 1),
        "p50_ms": max(r["p50_ms"] for r in runs),
        "p99_ms": max(r["p99_ms"] for r in runs),
        "non_2xx": sum(r["non_2xx"] for r in runs),
        "socket_errors": sum(r["socket_errors"] for r in runs),
        "requests": sum(r["requests"] for r in runs),
        "instances": [r["rps"] for r in runs],
    }


if __name__ == "__main__":
    if sys.argv[1] == "wrk-sum":
        print(json.dumps(wrk_sum(sys.argv[2:])))
    else:
        source = sys.stdin.read()
        if sys.argv[1] == "wrk":
            result = wrk(source)
            print(json.dumps(cpu(result, sys.argv[3], sys.argv[4]) if sys.argv[2:3] == ["--cpu"] else result))
        else:
            print(json.dumps(pgbench(source, sys.argv[2])))
