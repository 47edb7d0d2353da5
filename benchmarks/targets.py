"""The targets of issues 7 and 14, checked against one run's medians."""

from __future__ import annotations

from collections.abc import Callable

from .runner import Row

Medians = dict[str, dict[str, float]]


def _ratio(medians: Medians, workload: str, slow: str, fast: str) -> float | None:
    row = medians.get(workload, {})
    if slow in row and fast in row:
        return row[slow] / row[fast]
    return None


def _speedup(workload: str, slow: str, fast: str, at_least: float) -> Callable:
    def check(medians: Medians, memory: dict[str, float]) -> tuple[str, bool | None]:
        ratio = _ratio(medians, workload, slow, fast)
        if ratio is None:
            return "not measured", None
        return f"{ratio:,.1f}x (target >= {at_least:g}x)", ratio >= at_least

    return check


def _within(workload: str, engine: str, reference: str, at_most: float) -> Callable:
    def check(medians: Medians, memory: dict[str, float]) -> tuple[str, bool | None]:
        ratio = _ratio(medians, workload, engine, reference)
        if ratio is None:
            return "not measured", None
        return f"{ratio:.2f}x the floor's time (target <= {at_most:g}x)", ratio <= at_most

    return check


def _within_torch(medians: Medians, memory: dict[str, float]) -> tuple[str, bool | None]:
    ratio = _ratio(medians, "moons_step", "glassgrad compiled, NumPy batch", "torch, batched")
    if ratio is None:
        return "not measured", None
    return f"{ratio:.2f}x batched torch's time (target <= 3x)", ratio <= 3


def _memory(medians: Medians, memory: dict[str, float]) -> tuple[str, bool | None]:
    size = memory.get("glassgrad dynamic")
    if size is None:
        return "not measured", None
    return f"{size:.0f} bytes per node (target <= 200)", size <= 200


def _deep(medians: Medians, memory: dict[str, float]) -> tuple[str, bool | None]:
    seconds = medians.get("deep_chain", {}).get("glassgrad dynamic")
    if seconds is None:
        return "not measured (or failed)", None
    return f"forward + backward in {seconds:.2f} s, no recursion", True


def gc_cost(workload: str) -> Callable:
    def check(medians: Medians, memory: dict[str, float]) -> tuple[str, bool | None]:
        ratio = _ratio(medians, workload, DYNAMIC, DYNAMIC + " (gc off)")
        if ratio is None:
            return "not measured", None
        return f"{ratio - 1:+.1%} over gc off (target <= 15%)", ratio - 1 <= 0.15

    return check


DYNAMIC, COMPILED, MICROGRAD = "glassgrad dynamic", "glassgrad compiled", "micrograd 0.1.0"
TARGETS = [
    (
        "dynamic moons_step vs micrograd (default gc)",
        _speedup("moons_step", MICROGRAD, DYNAMIC, 10),
    ),
    (
        "dynamic moons_step vs micrograd, gc off in both",
        _speedup("moons_step", MICROGRAD + " (gc off)", DYNAMIC + " (gc off)", 1.3),
    ),
    (
        "dynamic moons_step vs torch one scalar at a time",
        _speedup("moons_step", "torch, 0-d tensors", DYNAMIC, 5),
    ),
    ("dynamic engine memory", _memory),
    ("dynamic deep_chain of 10^6 nodes", _deep),
    (
        "compiled moons_step vs the pure-Python floor",
        _within("moons_step", COMPILED, "pure-Python floor", 2),
    ),
    (
        "compiled 100-step demo (compile included) vs micrograd",
        _speedup("moons_train", MICROGRAD, COMPILED, 100),
    ),
    ("stretch: compiled code over NumPy arrays, moons_step, vs batched torch", _within_torch),
    (
        "issue 14 target 1: dynamic deep_chain vs micrograd, gc off in both",
        _speedup("deep_chain", MICROGRAD + " (gc off)", DYNAMIC + " (gc off)", 2.5),
    ),
    (
        "issue 14 target 1: dynamic moons_step vs micrograd, gc off in both",
        _speedup("moons_step", MICROGRAD + " (gc off)", DYNAMIC + " (gc off)", 6),
    ),
    ("issue 14 target 2: dynamic deep_chain, the default gc's cost", gc_cost("deep_chain")),
    (
        "issue 14 target 2: dynamic 100-step demo, the default gc's cost",
        gc_cost("moons_train"),
    ),
    (
        "issue 14 target 7: compiled moons_step vs the pure-Python floor",
        _within("moons_step", COMPILED, "pure-Python floor", 1),
    ),
]


def medians_of(results: dict[str, list[Row]]) -> Medians:
    return {
        workload: {row.name: row.median for row in rows if row.times}
        for workload, rows in results.items()
    }


def target_lines(results: dict[str, list[Row]], memory: dict[str, float]) -> list[str]:
    medians = medians_of(results)
    lines = ["| target | measured | met |", "|---|---|---|"]
    for title, check in TARGETS:
        text, met = check(medians, memory)
        lines.append(f"| {title} | {text} | {'—' if met is None else 'yes' if met else 'NO'} |")
    return lines + [""]
