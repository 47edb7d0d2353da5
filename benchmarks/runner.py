"""Run every engine on every workload, alternating, and report medians, ratios and checksums."""

from __future__ import annotations

import gc
import math
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field

from .engines import Engine
from .workloads import Problem

REFERENCE = "micrograd 0.1.0"
FLOOR = "pure-Python floor"
CHECKSUM_TOLERANCE = 1e-8


@dataclass
class Row:
    """One engine (with the cycle collector on or off) on one workload."""

    engine: Engine
    gc_on: bool
    times: list[float] = field(default_factory=list)
    checksum: tuple | None = None
    error: str = ""

    @property
    def name(self) -> str:
        return self.engine.name + ("" if self.gc_on else " (gc off)")

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else math.nan


def time_once(prepare: Callable, problem: Problem, gc_on: bool) -> tuple[float, tuple]:
    """Prepare (untimed), collect leftover garbage (untimed), then time one run."""
    run = prepare(problem)
    gc.collect()
    if not gc_on:
        gc.disable()
    try:
        start = time.perf_counter()
        checksum = run()
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    return elapsed, checksum


def run_workload(
    workload: str,
    engines: list[Engine],
    problem: Problem,
    repeats: int,
    log: Callable[[str], None],
) -> list[Row]:
    """All engines that have `workload`, one repeat of each in turn, `repeats` times."""
    rows = [
        Row(engine, gc_on)
        for engine in engines
        if workload in engine.workloads
        for gc_on in ((True, False) if engine.gc_off else (True,))
    ]
    for repeat in range(repeats):
        for row in rows:
            if row.error:
                continue
            try:
                elapsed, checksum = time_once(row.engine.workloads[workload], problem, row.gc_on)
            except (RecursionError, MemoryError) as error:
                row.error = f"fails: {type(error).__name__}"
                continue
            row.times.append(elapsed)
            row.checksum = checksum
            log(f"  {workload} {repeat + 1}/{repeats} {row.name}: {elapsed:.4f} s")
    return rows


def bytes_per_node(chain: Callable[[int], object], n_nodes: int) -> float:
    """Traced memory held by a live chain of n_nodes computed nodes, per node."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        root = chain(n_nodes)
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    del root
    gc.collect()
    return (after - before) / n_nodes


def checksums_agree(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(
        math.isclose(x, y, rel_tol=CHECKSUM_TOLERANCE, abs_tol=CHECKSUM_TOLERANCE)
        for x, y in zip(a, b)
    )


def timing_table(workload: str, rows: list[Row]) -> list[str]:
    """Markdown: median, min, ratios to micrograd (gc on) and to the floor, checksum."""
    by_name = {row.name: row for row in rows}
    reference = by_name.get(REFERENCE)
    floor = by_name.get(FLOOR)
    baseline = next((row.checksum for row in rows if row.checksum is not None), None)
    lines = [
        f"**{workload}** ({len(rows[0].times) if rows else 0} repeats, median)",
        "",
        "| engine | median s | min s | × faster than micrograd | × floor's time | checksum |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        if row.error or not row.times:
            lines.append(f"| {row.name} | {row.error or 'not run'} | | | | |")
            continue
        faster = f"{reference.median / row.median:,.1f}" if reference and reference.times else ""
        slower = f"{row.median / floor.median:.2f}" if floor and floor.times else ""
        agree = "" if checksums_agree(row.checksum, baseline) else " **differs**"
        checksum = ", ".join(f"{x:.12g}" for x in row.checksum)
        lines.append(
            f"| {row.name} | {row.median:.4g} | {min(row.times):.4g} | {faster} | "
            f"{slower} | {checksum}{agree} |"
        )
    return lines + [""]


def memory_table(engines: list[Engine], n_nodes: int) -> tuple[list[str], dict[str, float]]:
    found = {e.name: bytes_per_node(e.memory_chain, n_nodes) for e in engines if e.memory_chain}
    lines = [
        f"**node_memory** (tracemalloc, a live chain of {n_nodes:,} `h * c + d` nodes)",
        "",
        "| engine | bytes per node |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {size:.0f} |" for name, size in found.items()]
    return lines + [""], found


def command_heading(program: str, argv: list[str] | None) -> str:
    """ "Command: `python -m <program> <arguments>` — <UTC time>": how to rerun what follows."""
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    command = f"python -m {program} " + " ".join(argv if argv is not None else sys.argv[1:])
    return f"Command: `{command.strip()}` — {started}"


def machine() -> str:
    """CPU, cores, Python and peer versions: the facts a reader needs to compare numbers."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if "model name" in line)
    except (OSError, StopIteration):
        pass
    import os

    versions = [f"Python {platform.python_version()}"]
    for package in ("micrograd", "torch", "numpy"):
        try:
            from importlib.metadata import version

            versions.append(f"{package} {version(package)}")
        except Exception:  # a peer that fails to load is just not listed
            pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()}; " + ", ".join(versions)
