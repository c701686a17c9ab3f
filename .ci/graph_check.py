#!/usr/bin/env python3
"""Checks oppgraph's graph answers against networkx on random networks.

Builds a random network in the import formats (layered ownership with percentages and some
cross-holdings, persons as shareholders and officers, guarantee rings and chains, supply links
from invoices, relations that ended in the past), imports it with the oppgraph binary in two
batches (the second after the graph snapshot was written, so it is applied incrementally), and
compares, for every enterprise or a sample of pairs:

  * ultimate owners and their effective shares (`graph controller`) with the sum over
    `nx.all_simple_paths` of the product of shares, from every shareholder-graph root;
  * guarantee circles and circular shareholding (`graph circles`) with
    `nx.strongly_connected_components` of two or more members;
  * shortest relation path lengths (`graph path`, edges walked in either direction) with
    `nx.shortest_path_length` on the undirected graph of current relations, and, for pairs at
    most 3 apart, the complete list of simple paths up to one step longer (k shortest paths)
    with `nx.all_simple_edge_paths` on the multigraph (one edge per relation).

Usage: graph_check.py OPPGRAPH_BINARY [--seeds 1,2,3] [--enterprises N]
Exits 1 on the first disagreement, printing it.
"""

import argparse
import csv
import json
import math
import os
import random
import subprocess
import sys
import tempfile

import networkx as nx

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc(n):
    """A valid 统一社会信用代码 (GB 32100-2015 check character) for a number."""
    body = "91420500" + "".join(USCC_CHARS[(n // 31**i) % 31] for i in range(8, -1, -1))
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(body, USCC_WEIGHTS))
    return body + USCC_CHARS[(31 - total % 31) % 31]


def network(seed, n_enterprises):
    """Returns (enterprises, persons, relations, invoices) as lists of dicts."""
    rng = random.Random(seed)
    enterprises = [
        {"name": f"检验{seed}号网络第{i:04d}实业有限公司", "uscc": uscc(seed * 100_000 + i)}
        for i in range(n_enterprises)
    ]
    persons = [{"id": f"s{seed}p{i}", "name": f"自然人{seed}-{i}"} for i in range(n_enterprises // 4)]
    ent = lambda i: enterprises[i]["uscc"]
    per = lambda i: "person:" + persons[i]["id"]
    relations = []
    pairs = set()

    def relate(frm, to, kind, **extra):
        if frm == to or (frm, to, kind) in pairs:
            return False
        pairs.add((frm, to, kind))
        relations.append({"from": frm, "to": to, "kind": kind, **extra})
        return True

    # Layered ownership: layer 0 are held by persons, deeper layers by 1-3 holders above them.
    layers = 5
    layer_of = [min(layers - 1, i * layers // n_enterprises) for i in range(n_enterprises)]
    for i in range(n_enterprises):
        holders = []
        if layer_of[i] == 0:
            holders = [per(rng.randrange(len(persons))) for _ in range(rng.randint(1, 2))]
        else:
            above = [j for j in range(n_enterprises) if layer_of[j] < layer_of[i]]
            for _ in range(rng.randint(1, 3)):
                if rng.random() < 0.2:
                    holders.append(per(rng.randrange(len(persons))))
                else:
                    holders.append(ent(rng.choice(above)))
        cuts = sorted(rng.random() for _ in holders)
        remaining = rng.uniform(0.6, 1.0)
        for holder, cut in zip(holders, cuts):
            share = round(remaining * rng.uniform(0.2, 0.9), 4)
            remaining -= share
            if share > 0:
                relate(holder, ent(i), "shareholder", share=share)
    # Cross-holdings upward: circular shareholding.
    for _ in range(n_enterprises // 25):
        low = rng.randrange(n_enterprises // 2, n_enterprises)
        high = rng.randrange(0, n_enterprises // 2)
        relate(ent(low), ent(high), "shareholder", share=round(rng.uniform(0.01, 0.2), 4))
    # Officers and legal representatives.
    for i in range(n_enterprises):
        relate(per(rng.randrange(len(persons))), ent(i), "legal_rep")
        for _ in range(rng.randint(0, 2)):
            relate(per(rng.randrange(len(persons))), ent(i), "officer", role="董事")
    # Guarantee rings (担保圈) and loose chains.
    for _ in range(n_enterprises // 30):
        ring = rng.sample(range(n_enterprises), rng.randint(2, 5))
        for a, b in zip(ring, ring[1:] + ring[:1]):
            relate(ent(a), ent(b), "guarantee", amount=rng.randint(1, 500) * 10_000)
    for _ in range(n_enterprises // 5):
        a, b = rng.sample(range(n_enterprises), 2)
        relate(ent(a), ent(b), "guarantee", amount=rng.randint(1, 500) * 10_000)
    # History: relations that ended years ago are not current and must not count.
    for _ in range(n_enterprises // 20):
        a, b = rng.sample(range(n_enterprises), 2)
        kind = rng.choice(["shareholder", "guarantee"])
        extra = {"share": 0.9} if kind == "shareholder" else {"amount": 1_000_000}
        relate(ent(a), ent(b), kind, start="2010-01-01", end="2015-12-31", **extra)
    # Supply links from invoices.
    invoices = []
    for k in range(n_enterprises):
        a, b = rng.sample(range(n_enterprises), 2)
        for j in range(rng.randint(1, 3)):
            invoices.append(
                {
                    "id": f"inv-{seed}-{k}-{j}",
                    "seller": ent(a),
                    "buyer": ent(b),
                    "amount": rng.randint(1, 1000) * 1000,
                    "issued": "2026-0%d-1%d" % (rng.randint(1, 9), rng.randint(0, 9)),
                }
            )
    return enterprises, persons, relations, invoices


def write_csv(path, rows, columns):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})


def run(binary, data, *args):
    out = subprocess.run([binary, "--data", data, *args], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"oppgraph {' '.join(args)} failed ({out.returncode}): {out.stderr.strip()}")
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def check(binary, seed, n_enterprises, work):
    enterprises, persons, relations, invoices = network(seed, n_enterprises)
    files = os.path.join(work, f"net-{seed}")
    os.makedirs(files)
    write_csv(os.path.join(files, "enterprises.csv"), enterprises, ["name", "uscc"])
    write_csv(os.path.join(files, "persons.csv"), persons, ["id", "name"])
    columns = ["from", "to", "kind", "share", "role", "amount", "start", "end"]
    split = len(relations) * 4 // 5
    write_csv(os.path.join(files, "relations.csv"), relations[:split], columns)
    write_csv(os.path.join(files, "invoices.csv"), invoices, ["id", "seller", "buyer", "amount", "issued"])
    later = os.path.join(work, f"net-{seed}-later")
    os.makedirs(later)
    write_csv(os.path.join(later, "relations.csv"), relations[split:], columns)
    data = os.path.join(work, f"data-{seed}")
    # The last fifth of the relations arrives after the graph was built and snapshotted, so the
    # answers below come from a graph updated incrementally from the store's change log.
    for batch in [files, later]:
        for report in run(binary, data, "import", batch):
            if report.get("rejected", 0) or report.get("refused"):
                sys.exit(f"seed {seed}: import rejected rows: {report}")
        run(binary, data, "graph", "circles")

    # networkx reference graphs, over current relations only, nodes named as oppgraph prints.
    name_of = {e["uscc"]: e["name"] for e in enterprises}
    name_of.update({"person:" + p["id"]: p["name"] for p in persons})
    current = [r for r in relations if not r.get("end")]
    holdings = nx.DiGraph()
    holdings.add_nodes_from(name_of.values())
    guarantees = nx.DiGraph()
    everything = nx.Graph()
    everything.add_nodes_from(name_of.values())
    for r in current:
        a, b = name_of[r["from"]], name_of[r["to"]]
        if r["kind"] == "shareholder":
            holdings.add_edge(a, b, share=r["share"])
        if r["kind"] == "guarantee":
            guarantees.add_edge(a, b)
        everything.add_edge(a, b)
    for i in invoices:
        everything.add_edge(name_of[i["seller"]], name_of[i["buyer"]])
    # The same as a multigraph, as oppgraph keeps it: one edge per relation, one supply edge per
    # (seller, buyer) pair however many invoices.
    multi = nx.MultiGraph()
    multi.add_nodes_from(name_of.values())
    for r in current:
        multi.add_edge(name_of[r["from"]], name_of[r["to"]])
    for seller, buyer in {(i["seller"], i["buyer"]) for i in invoices}:
        multi.add_edge(name_of[seller], name_of[buyer])

    checked = {"owners": 0, "owner_links": 0, "circles": 0, "paths": 0, "k_paths": 0, "k_path_count": 0}
    roots = [n for n in holdings.nodes if holdings.in_degree(n) == 0]
    for e in enterprises:
        target = e["name"]
        expected = {}
        for root in roots:
            if root == target or not nx.has_path(holdings, root, target):
                continue
            total = 0.0
            for path in nx.all_simple_paths(holdings, root, target):
                total += math.prod(holdings.edges[u, v]["share"] for u, v in zip(path, path[1:]))
            expected[root] = total
        [report] = run(binary, data, "graph", "controller", e["uscc"])
        got = {o["name"]: o["share"] for o in report["owners"]}
        if set(got) != set(expected) or any(not math.isclose(got[k], expected[k], abs_tol=1e-9) for k in got):
            sys.exit(f"seed {seed}: owners of {target} differ\n  oppgraph {got}\n  networkx {expected}")
        checked["owners"] += 1
        checked["owner_links"] += len(expected)

    for kind, graph in [("guarantee", guarantees), ("shareholder", holdings)]:
        expected = sorted(sorted(c) for c in nx.strongly_connected_components(graph) if len(c) >= 2)
        got = sorted(sorted(m["name"] for m in c["members"]) for c in run(binary, data, "graph", "circles", "--kind", kind))
        if got != expected:
            sys.exit(f"seed {seed}: {kind} circles differ\n  oppgraph {got}\n  networkx {expected}")
        checked["circles"] += len(expected)

    rng = random.Random(seed * 7 + 1)
    nodes = [e["uscc"] for e in enterprises] + ["person:" + p["id"] for p in persons]
    max_depth = 6
    for _ in range(150):
        a, b = rng.sample(nodes, 2)
        try:
            expected = nx.shortest_path_length(everything, name_of[a], name_of[b])
        except nx.NetworkXNoPath:
            expected = None
        if expected is not None and expected > max_depth:
            expected = None
        paths = run(binary, data, "graph", "path", a, b, "--max-depth", str(max_depth), "--limit", "3")
        got = paths[0]["length"] if paths else None
        if got != expected:
            sys.exit(f"seed {seed}: path {name_of[a]} -> {name_of[b]}: oppgraph {got}, networkx {expected}")
        for p in paths:
            names = [n["name"] for n in p["nodes"]]
            if len(names) != p["length"] + 1 or not nx.is_simple_path(everything, names):
                sys.exit(f"seed {seed}: path {names} is not a simple path of the graph")
        checked["paths"] += 1
        # k shortest: with the depth cap one past the shortest, every simple path is listed.
        if expected is not None and expected <= 3 and checked["k_paths"] < 40:
            cutoff = expected + 1
            want = sorted(len(p) for p in nx.all_simple_edge_paths(multi, name_of[a], name_of[b], cutoff=cutoff))
            paths = run(binary, data, "graph", "path", a, b, "--max-depth", str(cutoff), "--limit", "100000")
            got = [p["length"] for p in paths]
            if got != want:
                sys.exit(f"seed {seed}: k paths {name_of[a]} -> {name_of[b]}: oppgraph {got}, networkx {want}")
            if len({json.dumps(p["edges"], sort_keys=True) for p in paths}) != len(paths):
                sys.exit(f"seed {seed}: k paths {name_of[a]} -> {name_of[b]} repeat a path")
            checked["k_paths"] += 1
            checked["k_path_count"] += len(paths)
    print(
        f"seed {seed}: {len(enterprises)} enterprises, {len(persons)} persons, {len(current)} current "
        f"relations, {len(invoices)} invoices; agree with networkx on {checked['owners']} owner queries "
        f"({checked['owner_links']} owners), {checked['circles']} circles, {checked['paths']} path lengths, "
        f"{checked['k_paths']} complete path lists ({checked['k_path_count']} paths)"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--enterprises", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        for seed in [int(s) for s in args.seeds.split(",")]:
            check(os.path.abspath(args.binary), seed, args.enterprises, work)


if __name__ == "__main__":
    main()
