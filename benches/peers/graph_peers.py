"""networkx and python-igraph on the graph `cargo bench --bench graph` built, with its queries.

Usage: python3 graph_peers.py DIR
DIR holds edges.csv (from,to,kind,share; nodes `e<id>` and `p<id>`) and queries.json
({"owners": [node...], "hop3": [node...], "paths": [[a, b]...]}). Prints one JSON object: per
library and query, the p50 and total in milliseconds:
  owners: the ultimate owners and the controller as `graph controller` answers them: every
          simple upstream path of shareholdings (at most 12 steps), the product of its shares
          summed per owner at its top, with the paths; then the majority chain (each holder
          over 50%) and relative control (the largest owner at 25% or more, alone). Neither
          library has this query, so each runs the same walk in Python over its own adjacency
  ancestors: every upstream shareholder, a set (nx.ancestors, igraph subcomponent "in"): less
          than `owners` does, printed beside it
  hop3:   every node within three relations, edges walked in either direction
  paths:  one shortest path between two nodes, relations walked in either direction
  scc:    strongly connected components of two or more in the guarantee digraph (five runs)
A library that is not installed is reported as missing.
"""
import csv
import json
import os
import sys
import time


def p50(samples):
    samples = sorted(samples)
    return samples[len(samples) // 2] if samples else None


def timed(queries, run):
    samples = []
    for q in queries:
        started = time.perf_counter()
        run(q)
        samples.append((time.perf_counter() - started) * 1000.0)
    return {"p50_ms": p50(samples), "total_ms": sum(samples), "n": len(samples)}


def controller(target, holders):
    """Ultimate owners of `target` and its controller; `holders(node)` lists (holder, share)."""
    totals = {}
    stack = [(target, 1.0, (target,))]
    enumerated = 0
    while stack:
        node, product, path = stack.pop()
        above = holders(node)
        if not above:
            if node != target:
                entry = totals.setdefault(node, [0.0, []])
                entry[0] += product
                entry[1].append(path[::-1])
            continue
        if len(path) > 12 or enumerated >= 100_000:
            continue
        for holder, share in above:
            if holder in path:
                continue
            enumerated += 1
            stack.append((holder, product * share, path + (holder,)))
    owners = sorted(((share, node, sorted(paths)) for node, (share, paths) in totals.items()), key=lambda o: (-o[0], o[1]))
    current, seen = target, {target}
    while True:
        majority = next((h for h, share in holders(current) if share > 0.5), None)
        if majority is None or majority in seen:
            break
        seen.add(majority)
        current = majority
    if current != target and not holders(current):
        return current, owners
    if owners and owners[0][0] >= 0.25 and (len(owners) == 1 or owners[1][0] < owners[0][0]):
        return owners[0][1], owners
    return None, owners


def main():
    folder = sys.argv[1]
    edges = []
    with open(os.path.join(folder, "edges.csv"), encoding="utf-8") as f:
        for row in csv.DictReader(f):
            edges.append((row["from"], row["to"], row["kind"], float(row["share"] or 0)))
    queries = json.load(open(os.path.join(folder, "queries.json"), encoding="utf-8"))
    out = {}
    try:
        import networkx as nx

        started = time.perf_counter()
        every = nx.Graph()
        every.add_edges_from((a, b) for a, b, _, _ in edges)
        shares = nx.DiGraph()
        shares.add_edges_from((a, b, {"share": w}) for a, b, k, w in edges if k == "shareholder")
        guarantees = nx.DiGraph()
        guarantees.add_edges_from((a, b) for a, b, k, _ in edges if k == "guarantee")
        nx_holders = lambda n: [(h, data["share"]) for h, data in shares.pred[n].items()]
        load_ms = (time.perf_counter() - started) * 1000.0
        out["networkx"] = {
            "version": nx.__version__,
            "load_ms": load_ms,
            "owners": timed(queries["owners"], lambda n: controller(n, nx_holders) if n in shares else None),
            "ancestors": timed(queries["owners"], lambda n: nx.ancestors(shares, n) if n in shares else set()),
            "hop3": timed(
                queries["hop3"],
                lambda n: nx.single_source_shortest_path_length(every, n, cutoff=3) if n in every else {},
            ),
            "paths": timed(
                queries["paths"],
                lambda p: nx.has_path(every, p[0], p[1]) and nx.shortest_path(every, p[0], p[1])
                if p[0] in every and p[1] in every
                else None,
            ),
            "scc": timed(
                [None] * 5, lambda _: [c for c in nx.strongly_connected_components(guarantees) if len(c) > 1]
            ),
        }
    except ImportError:
        out["networkx"] = "missing: pip install networkx"
    try:
        import igraph as ig

        started = time.perf_counter()
        names = sorted({n for a, b, _, _ in edges for n in (a, b)})
        index = {n: i for i, n in enumerate(names)}
        every = ig.Graph(n=len(names), edges=[(index[a], index[b]) for a, b, _, _ in edges], directed=False)
        held = [(index[a], index[b], w) for a, b, k, w in edges if k == "shareholder"]
        shares = ig.Graph(n=len(names), edges=[(a, b) for a, b, _ in held], directed=True)
        shares.es["share"] = [w for _, _, w in held]
        guarantees = ig.Graph(
            n=len(names), edges=[(index[a], index[b]) for a, b, k, _ in edges if k == "guarantee"], directed=True
        )
        # Each node's incoming shareholdings as (holder, share), read from igraph once.
        sources, weights = [e.source for e in shares.es], shares.es["share"]
        held_by = [[(sources[e], weights[e]) for e in incoming] for incoming in shares.get_inclist(mode="in")]
        load_ms = (time.perf_counter() - started) * 1000.0
        at = lambda n: index.get(n)
        out["igraph"] = {
            "version": ig.__version__,
            "load_ms": load_ms,
            "owners": timed(
                queries["owners"], lambda n: controller(at(n), held_by.__getitem__) if at(n) is not None else None
            ),
            "ancestors": timed(
                queries["owners"], lambda n: shares.subcomponent(at(n), mode="in") if at(n) is not None else []
            ),
            "hop3": timed(
                queries["hop3"], lambda n: every.neighborhood(at(n), order=3) if at(n) is not None else []
            ),
            "paths": timed(
                queries["paths"],
                lambda p: every.get_shortest_path(at(p[0]), at(p[1]))
                if at(p[0]) is not None and at(p[1]) is not None
                else None,
            ),
            "scc": timed(
                [None] * 5,
                lambda _: [c for c in guarantees.connected_components(mode="strong") if len(c) > 1],
            ),
        }
    except ImportError:
        out["igraph"] = "missing: pip install python-igraph"
    print(json.dumps(out))


main()
