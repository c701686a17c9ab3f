#!/usr/bin/env python3
"""1,000 API reads against a running `oppgraph serve`, in the mix the workbench makes.

    python3 benches/api_reads.py http://127.0.0.1:8080 TOKEN [--reads 1000] [--seed 1]

Ids come from the server itself (its first page of leads and their enterprises), so it runs
against any data dir. One keep-alive connection, one read at a time: the latencies are what one
user sees, client included. Prints one JSON object: the whole run (seconds, reads/s) and per
kind of read the count, p50, p90, p99 and max in milliseconds. Exits 1 if any read failed.
"""

import argparse
import http.client
import json
import random
import sys
import time
import urllib.parse

WORDS = ["道路", "改造", "采购", "设备", "工程", "服务", "医院", "学校", "系统", "维修"]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("token")
    parser.add_argument("--reads", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.base)
    conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=120)
    headers = {"Authorization": f"Bearer {args.token}"}

    def get(path):
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        return response.status, body

    status, body = get("/api/opportunities?limit=200")
    if status != 200:
        sys.exit(f"listing leads failed: {status} {body[:200]!r}")
    leads = json.loads(body)
    if not leads:
        sys.exit("the data dir has no leads to read")
    lead_ids = [lead["id"] for lead in leads]
    enterprises = sorted({lead["enterprise"]["id"] for lead in leads})
    names = sorted({lead["enterprise"]["name"] for lead in leads})
    managers = sorted({lead["manager"] for lead in leads if lead.get("manager")})

    rng = random.Random(args.seed)
    q = urllib.parse.quote
    kinds = {
        "leads page": lambda: f"/api/opportunities?limit=50&offset={rng.randrange(0, 2000, 50)}",
        "a manager's leads": lambda: (
            f"/api/opportunities?limit=50&manager={q(rng.choice(managers))}"
            if managers
            else "/api/opportunities?limit=50&tier=A"
        ),
        "lead": lambda: f"/api/opportunities/{q(rng.choice(lead_ids))}",
        "lead counts": lambda: "/api/opportunities/counts",
        "enterprise": lambda: f"/api/enterprises/{rng.choice(enterprises)}",
        "enterprise records": lambda: f"/api/enterprises/{rng.choice(enterprises)}/records?limit=20",
        "enterprise by name": lambda: f"/api/enterprises?q={q(rng.choice(names)[:4])}&limit=10",
        "graph controller": lambda: f"/api/graph/controller/{rng.choice(enterprises)}",
        "graph neighbors": lambda: f"/api/graph/neighbors/{rng.choice(enterprises)}",
        "graph group": lambda: f"/api/graph/group/{rng.choice(enterprises)}",
        "search": lambda: f"/api/search?q={q(rng.choice(WORDS))}&limit=10",
    }
    names_of_kinds = list(kinds)
    latencies = {kind: [] for kind in kinds}
    failures = []
    started = time.perf_counter()
    for n in range(args.reads):
        kind = names_of_kinds[n % len(names_of_kinds)]
        path = kinds[kind]()
        t = time.perf_counter()
        status, body = get(path)
        latencies[kind].append((time.perf_counter() - t) * 1000)
        if status != 200:
            failures.append({"path": path, "status": status, "body": body[:200].decode("utf-8", "replace")})
    total = time.perf_counter() - started
    every = [ms for values in latencies.values() for ms in values]

    def figures(values):
        return {
            "reads": len(values),
            "p50_ms": round(percentile(values, 50), 2),
            "p90_ms": round(percentile(values, 90), 2),
            "p99_ms": round(percentile(values, 99), 2),
            "max_ms": round(max(values), 2),
        }

    report = {
        "reads": args.reads,
        "seconds": round(total, 3),
        "reads_per_s": round(args.reads / total, 1),
        "all": figures(every),
        "by_kind": {kind: figures(values) for kind, values in latencies.items() if values},
        "failed": len(failures),
        "failures": failures[:10],
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
