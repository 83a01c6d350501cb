#!/usr/bin/env python3
"""Assembles one bench/run.sh run into bench/results/<provider>.json (machine-readable) and <provider>.md (the table),
and judges each scenario against the goals of issue 10. The README's table is made from the JSON by readme_table.py.

    python3 bench/report.py WORK_DIR OUT_DIR     (WORK_DIR holds meta.json and scenarios.jsonl from run.sh)
"""
import json
import os
import sys

PROVIDERS = {"postgres": "PostgreSQL", "sqlite": "SQLite"}

# Issue 10's goals, all as measured in one run: a least ratio to the anchor, a greatest p99, a least rate.
GOALS = {
    "lookup": {"ratio": 0.70, "p99_ms": 5.0},
    "join_existing": {"ratio": 0.50},
    "join_new": {"ratio": 0.50},
    "joined_page_2": {"ratio": 0.50},
    "joined_last_page": {"ratio": 0.50, "p99_of": ("joined_page_2", 1.5)},
    "reputation_page_2": {"ratio": 0.50},
    "reputation_last_page": {"ratio": 0.50, "p99_of": ("reputation_page_2", 1.5)},
    "webhook_drain": {"rps": 500.0},
}
RSS_GOAL_MB = 250


def assemble(work: str) -> dict:
    with open(os.path.join(work, "meta.json")) as f:
        result = json.load(f)
    with open(os.path.join(work, "scenarios.jsonl")) as f:
        scenarios = [json.loads(line) for line in f if line.strip()]
    by_name = {s["name"]: s for s in scenarios}
    health = by_name.get("health", {}).get("service", {}).get("rps")
    for s in scenarios:
        anchor = s.get("anchor")
        if anchor and anchor["kind"] == "health":
            anchor["result"] = by_name["health"]["service"]
        anchor_rps = (anchor or {}).get("result", {}).get("rps") if anchor else None
        s["ratio"] = round(s["service"]["rps"] / anchor_rps, 3) if anchor_rps else None
        s["ratio_to_health"] = round(s["service"]["rps"] / health, 3) if health and s["service"].get("unit", "req/s") == "req/s" else None
        s["goal"] = judge(s, by_name)
    result["scenarios"] = scenarios
    memory = result.get("memory", {})
    if memory.get("rss_after_load_mb") is not None:
        memory["goal"] = {"text": f"≤ {RSS_GOAL_MB} MB after the load", "met": memory["rss_after_load_mb"] <= RSS_GOAL_MB}
    return result


def judge(s: dict, by_name: dict) -> dict | None:
    goal = GOALS.get(s["name"])
    if not goal:
        return None
    texts, met = [], True
    if "ratio" in goal:
        texts.append(f"≥ {goal['ratio']:.2f} of the anchor")
        met = met and s["ratio"] is not None and s["ratio"] >= goal["ratio"]
    if "p99_ms" in goal:
        texts.append(f"p99 ≤ {goal['p99_ms']:g} ms")
        met = met and s["service"]["p99_ms"] <= goal["p99_ms"]
    if "p99_of" in goal:
        other, factor = goal["p99_of"]
        texts.append(f"p99 ≤ {factor:g} × page 2's")
        reference = by_name.get(other, {}).get("service", {}).get("p99_ms")
        met = met and reference is not None and s["service"]["p99_ms"] <= factor * reference
    if "rps" in goal:
        texts.append(f"≥ {goal['rps']:g}/s")
        met = met and s["service"]["rps"] >= goal["rps"]
    # A ratio that cannot be measured here (no database anchor on SQLite) is not judged.
    return {"text": ", ".join(texts), "met": met if s["ratio"] is not None or "ratio" not in goal else None}


def number(value, digits=0) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def durability(result: dict) -> str:
    if result["provider"] == "postgres":
        return f"fsync {result['settings']['fsync']}"
    return "WAL with synchronous=NORMAL (the service's own setting)"


def seeded(seed: dict) -> str:
    if seed["seconds"] is None:
        return "On a database seeded before the run."
    return f"Seeded {seed['rows']:,} rows in {seed['seconds']:.0f} s."


def markdown(result: dict) -> str:
    m, settings = result["machine"], result["settings"]
    lines = [
        f"**{PROVIDERS[result['provider']]}**, {result['date']} on {m['cpu']} ({m['cores']} cores, {m['memory_gb']} GB RAM), "
        f"load average {m['load_before']} before and {m['load_after']} after: {settings['members']:,} members in the measured community "
        f"({settings['hot_members']:,} of them chatting), {settings['connections']} connections, {settings['duration']} per scenario after a "
        f"{settings['warmup']} warm-up, {durability(result)}. {seeded(result['seed'])}",
        "",
        "| scenario | service | p50 ms | p99 ms | non-2xx | server CPU µs/req | machine busy % | ÷ `/health` | anchor | anchor | ÷ anchor | goal |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|",
    ]
    for s in result["scenarios"]:
        service, anchor, goal = s["service"], s.get("anchor"), s.get("goal")
        unit = service.get("unit", "req/s")
        anchor_result = (anchor or {}).get("result") or {}
        anchor_unit = anchor_result.get("unit", "tps" if anchor and anchor["kind"] == "pgbench" else "req/s")
        verdict = "" if not goal else goal["text"] + {True: " ✓", False: " ✗", None: " (no anchor here)"}[goal["met"]]
        lines.append(
            f"| {s['title']} | {number(service['rps'], 1 if service['rps'] < 100 else 0)} {unit} | {number(service.get('p50_ms'), 1)} | "
            f"{number(service.get('p99_ms'), 1)} | {number(service.get('non_2xx'))} | {number(service.get('server_cpu_us'), 1)} | "
            f"{number(service.get('machine_busy_pct'))} | {number(s['ratio_to_health'], 2)} | "
            f"{anchor['label'] if anchor else ''} | {number(anchor_result.get('rps')) + (' ' + anchor_unit if anchor_result.get('rps') else '')} | "
            f"{number(s['ratio'], 2)} | {verdict} |")
    memory = result.get("memory", {})
    if memory.get("rss_after_load_mb") is not None:
        text = f"RSS after the load {memory['rss_after_load_mb']:.0f} MB (peak {memory['rss_peak_mb']:.0f} MB); goal {memory['goal']['text']} {'✓' if memory['goal']['met'] else '✗'}."
        soak = memory.get("soak")
        if soak:
            text += (f" Soak of {soak['minutes']:g} min ({soak['rps']:,.0f} req/s of mixed traffic): RSS {soak['rss_start_mb']:.0f} → {soak['rss_end_mb']:.0f} MB"
                     f" (lowest {soak['rss_min_mb']:.0f}, highest {soak['rss_max_mb']:.0f}).")
        lines += ["", text]
    return "\n".join(lines) + "\n"


def main(work: str, out: str) -> None:
    result = assemble(work)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, f"{result['provider']}.json"), "w") as f:
        json.dump(result, f, indent=2, ensure_ascii=False)
        f.write("\n")
    text = markdown(result)
    with open(os.path.join(out, f"{result['provider']}.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
