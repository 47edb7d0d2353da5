"""What Python's cycle collector costs the dynamic engine, run as users run it (issue 14, target 2).

    .venv/bin/python -m benchmarks.gc_overhead [--repeats 5] [--quick]

Two workloads from `workloads.py`, each run with the default gc and with `gc.disable()`, in
turn within every repeat (alternating, after an untimed `gc.collect()`): `deep_chain` (10^6
nodes, forward + backward) and `moons_train` (micrograd's whole 100-step demo). The overhead is
median(default gc) / median(gc off) − 1; the target is at most 15% for both. Checksums of the
two runs must be equal (the collector changes no number).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time

from . import glassgrad_dynamic
from .workloads import Problem

TARGET = 0.15


def measure(problem: Problem, repeats: int) -> dict[str, dict[bool, list[float]]]:
    """Seconds per workload and gc setting (True: the default gc), alternating."""
    runs = {
        "deep_chain": glassgrad_dynamic.deep_chain(problem),
        "moons_train": glassgrad_dynamic.moons_train(problem),
    }
    seconds: dict[str, dict[bool, list[float]]] = {name: {True: [], False: []} for name in runs}
    checksums: dict[str, set[tuple]] = {name: set() for name in runs}
    for repeat in range(repeats):
        for name, run in runs.items():
            for collector in (True, False):
                gc.collect()
                if not collector:
                    gc.disable()
                try:
                    start = time.perf_counter()
                    checksums[name].add(run())
                    elapsed = time.perf_counter() - start
                finally:
                    gc.enable()
                seconds[name][collector].append(elapsed)
                setting = "default gc" if collector else "gc off"
                print(f"  {name} {repeat + 1}/{repeats} {setting}: {elapsed:.4f} s", flush=True)
    for name, found in checksums.items():
        if len(found) != 1:
            raise AssertionError(f"{name}: the checksums differ between runs: {found}")
    return seconds


def table(seconds: dict[str, dict[bool, list[float]]]) -> list[str]:
    """The markdown table of medians and overheads."""
    lines = [
        "| workload | default gc, median s | gc off, median s | gc overhead | target ≤ 15% |",
        "|---|---:|---:|---:|---|",
    ]
    for name, by_setting in seconds.items():
        on, off = (statistics.median(by_setting[flag]) for flag in (True, False))
        overhead = on / off - 1
        met = "yes" if overhead <= TARGET else "NO"
        lines.append(f"| {name} | {on:.4g} | {off:.4g} | {overhead:+.1%} | {met} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.gc_overhead", description=__doc__)
    parser.add_argument("--repeats", type=int, default=5, help="repeats (default 5)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat")
    args = parser.parse_args(argv)
    problem = Problem.quick() if args.quick else Problem()
    seconds = measure(problem, 1 if args.quick else args.repeats)
    print("\n".join(table(seconds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
