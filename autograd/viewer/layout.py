"""Where each node goes: Graphviz's `dot` when it is installed, else a layered layout in Python.

A layout gives each node a rank (its column when the graph runs left to right, its row top to
bottom) and a position across the ranks, in slots (one slot: one node box plus a gap). The
page turns ranks and slots into pixels for either direction, so one layout serves LR and TB.

Why both: `dot` orders the nodes of each rank to cross few edges (network-simplex ranking and
its crossing minimisation are better than anything small enough to keep here), so it is used
when the program is on PATH and the graph is small enough for it to be quick (`DOT_LIMIT` nodes;
on larger graphs dot takes seconds to minutes). The page must work without Graphviz (a pip
install does not bring the program), so `layered` is the same recipe done simply in Python —
longest-path ranks with each leaf placed just before its first use, barycentre sweeps to order
each rank, then slots pulled toward the neighbours' average without overlapping — linear in the
graph per sweep, so a 10⁴-node graph is laid out in well under a second. No layout library is
vendored: both paths are tested, and neither needs anything on the page.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from typing import Any

DOT_LIMIT = 1500
"""Graphs with more nodes than this are laid out in Python even when `dot` is installed."""
DOT_TIMEOUT = 20.0
"""Seconds `dot` may take before the Python layout is used instead."""
METHODS = ("auto", "dot", "layered")

Edges = Sequence[tuple[int, int]]
Layout = dict[str, Any]


def layout(count: int, edges: Edges, method: str = "auto") -> Layout:
    """Ranks and slots for `count` nodes and `edges` (from, to) pointing along the forward pass.

    `method`: 'dot' (Graphviz; falls back to 'layered', saying so in the result's `method`, when
    the program is missing, fails or times out), 'layered' (Python), or 'auto' (dot for graphs
    of at most `DOT_LIMIT` nodes when it is installed, else layered).
    Returns {"rank": [...], "slot": [...], "method": "dot" | "layered"}.
    """
    if method not in METHODS:
        raise ValueError(f"layout must be one of {METHODS}, got {method!r}")
    if method == "dot" or (method == "auto" and count <= DOT_LIMIT):
        placed = dot_layout(count, edges)
        if placed is not None:
            return placed
    return layered_layout(count, edges)


def dot_available() -> bool:
    """True when Graphviz's `dot` program is on PATH."""
    return shutil.which("dot") is not None


def dot_layout(count: int, edges: Edges, timeout: float = DOT_TIMEOUT) -> Layout | None:
    """The layout `dot -Tplain` gives with equal boxes, as ranks and slots; None when dot is
    missing, fails or takes longer than `timeout` seconds."""
    program = shutil.which("dot")
    if program is None or count == 0:
        return None
    lines = [
        "digraph g {",
        "rankdir=LR; nodesep=0.25; ranksep=1; ordering=out;",
        'node [shape=box, fixedsize=true, width=2, height=0.5, label=""];',
    ]
    lines += [f"n{i};" for i in range(count)]
    lines += [f"n{a} -> n{b};" for a, b in dict.fromkeys(edges)]
    lines.append("}")
    try:
        result = subprocess.run(
            [program, "-Tplain"],
            input="\n".join(lines),
            text=True,
            capture_output=True,
            timeout=timeout,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    xs: dict[int, float] = {}
    ys: dict[int, float] = {}
    for line in result.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[0] == "node" and parts[1][1:].isdigit():
            i = int(parts[1][1:])
            xs[i], ys[i] = float(parts[2]), float(parts[3])
    if len(xs) != count:
        return None
    columns = sorted(set(round(x, 1) for x in xs.values()))
    column = {x: r for r, x in enumerate(columns)}
    top = max(ys.values())
    slot_height = 0.75  # inches: a box (0.5) plus nodesep (0.25)
    return {
        "rank": [column[round(xs[i], 1)] for i in range(count)],
        "slot": [round((top - ys[i]) / slot_height, 3) for i in range(count)],
        "method": "dot",
    }


def layered_layout(count: int, edges: Edges, sweeps: int = 6) -> Layout:
    """A layered (Sugiyama-style) layout computed in Python.

    Ranks: a node with inputs sits one rank after its latest input; a node without inputs sits
    just before its earliest consumer (so a constant used late is not drawn far away). Order:
    alternate sweeps sort each rank by the barycentre (average slot) of its neighbours. Slots:
    each node is pulled toward its neighbours' average slot, keeping one slot between nodes of a
    rank and their order.
    """
    inputs: list[list[int]] = [[] for _ in range(count)]
    outputs: list[list[int]] = [[] for _ in range(count)]
    for a, b in dict.fromkeys(edges):
        outputs[a].append(b)
        inputs[b].append(a)
    order = _topological(count, inputs, outputs)
    rank = [0] * count
    for i in order:
        if inputs[i]:
            rank[i] = 1 + max(rank[p] for p in inputs[i])
    for i in reversed(order):
        if not inputs[i] and outputs[i]:
            rank[i] = max(0, min(rank[c] for c in outputs[i]) - 1)
    ranks: dict[int, list[int]] = {}
    for i in order:  # forward order: a first, reasonable order inside each rank
        ranks.setdefault(rank[i], []).append(i)
    slot = [0.0] * count
    for members in ranks.values():
        for position, i in enumerate(members):
            slot[i] = float(position)
    neighbours = [inputs[i] + outputs[i] for i in range(count)]
    levels = sorted(ranks)
    for sweep in range(sweeps):
        for r in levels if sweep % 2 == 0 else reversed(levels):
            members = ranks[r]
            members.sort(key=lambda i: _barycentre(neighbours[i], slot, slot[i]))
            for position, i in enumerate(members):
                slot[i] = float(position)
    for _ in range(4):  # pull toward the neighbours, never closer than one slot
        for r in levels:
            members = ranks[r]
            wanted = [_barycentre(neighbours[i], slot, slot[i]) for i in members]
            placed: list[float] = []
            for want in wanted:
                placed.append(want if not placed else max(want, placed[-1] + 1.0))
            shift = (sum(wanted) - sum(placed)) / len(placed)  # re-centre what was pushed down
            for i, where in zip(members, placed):
                slot[i] = where + shift
    low = min(slot) if count else 0.0
    return {
        "rank": rank,
        "slot": [round(s - low, 3) for s in slot],
        "method": "layered",
    }


def _barycentre(neighbours: list[int], slot: list[float], default: float) -> float:
    if not neighbours:
        return default
    return sum(slot[n] for n in neighbours) / len(neighbours)


def _topological(count: int, inputs: list[list[int]], outputs: list[list[int]]) -> list[int]:
    """Kahn's algorithm, smallest index first among the ready nodes (stable, deterministic)."""
    missing = [len(set(inputs[i])) for i in range(count)]
    ready = [i for i in range(count) if missing[i] == 0]
    ready.reverse()
    order = []
    while ready:
        i = ready.pop()
        order.append(i)
        for c in dict.fromkeys(outputs[i]):
            missing[c] -= 1
            if missing[c] == 0:
                ready.append(c)
    if len(order) != count:
        raise ValueError("layout: the graph has a cycle")
    return order
