"""What Python's cycle collector costs the dynamic engine, run as users run it (issue 14, target 2).

    .venv/bin/python -m benchmarks.gc_overhead [--repeats 5] [--quick]

Two workloads from `workloads.py`, the glassgrad dynamic engine alone, with the default gc and
with `gc.disable()` in turn within every repeat (`runner.run_workload`, as `python -m benchmarks`
runs it, without the peers): `deep_chain` (10^6 nodes, forward + backward) and `moons_train`
(micrograd's whole 100-step demo). The cost is median(default gc) / median(gc off) − 1; the
target is at most 15% for both. The two settings' checksums must agree.
"""

from __future__ import annotations

import argparse
import sys

from .engines import available_engines
from .runner import Row, checksums_agree, run_workload
from .targets import DYNAMIC, gc_cost, medians_of
from .workloads import Problem

WORKLOADS = ("deep_chain", "moons_train")


def measure(problem: Problem, repeats: int) -> dict[str, list[Row]]:
    """The dynamic engine's rows (default gc, gc off) per workload."""
    engine = next(engine for engine in available_engines()[0] if engine.name == DYNAMIC)

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    results = {name: run_workload(name, [engine], problem, repeats, log) for name in WORKLOADS}
    for name, rows in results.items():
        on, off = (row.checksum for row in rows)
        if on is None or off is None or not checksums_agree(on, off):
            raise AssertionError(f"{name}: the checksums differ: {on} and {off}")
    return results


def table(results: dict[str, list[Row]]) -> list[str]:
    """The markdown table of medians and the collector's cost."""
    medians = medians_of(results)
    lines = [
        "| workload | default gc, median s | gc off, median s | gc overhead | met |",
        "|---|---:|---:|---|---|",
    ]
    for name in results:
        text, met = gc_cost(name)(medians, {})
        on, off = medians[name][DYNAMIC], medians[name][DYNAMIC + " (gc off)"]
        lines.append(f"| {name} | {on:.4g} | {off:.4g} | {text} | {'yes' if met else 'NO'} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gc_overhead", description=__doc__)
    parser.add_argument("--repeats", type=int, default=5, help="repeats (default 5)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat")
    args = parser.parse_args(argv)
    problem = Problem.quick() if args.quick else Problem()
    results = measure(problem, 1 if args.quick else args.repeats)
    print("\n".join(table(results)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
