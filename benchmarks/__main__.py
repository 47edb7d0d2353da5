"""`python -m benchmarks [--quick] [--workloads ...] [--repeats N] [--write-readme]`

Runs every available engine on every chosen workload in one process, alternating engines within
each repeat, and prints Markdown tables of medians, ratios and checksums, then the targets.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from .engines import available_engines
from .runner import command_heading, machine, memory_table, run_workload, timing_table
from .targets import target_lines
from .workloads import WORKLOADS, Problem

REPEATS = {"moons_step": 7, "moons_compile": 3, "moons_train": 3, "deep_chain": 3, "wide_sum": 3}
README = Path(__file__).with_name("README.md")
BEGIN, END = "<!-- results: begin -->", "<!-- results: end -->"


def main(argv: list[str] | None = None) -> int:
    description = "Time glassgrad against its peers on the same workloads."
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=description)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat (smoke run)")
    parser.add_argument("--workloads", nargs="+", choices=WORKLOADS, default=list(WORKLOADS))
    parser.add_argument("--repeats", type=int, help="repeats per workload (default: 7 or 3)")
    parser.add_argument(
        "--write-readme",
        action="store_true",
        help=f"replace the results section of {README.name} with this run",
    )
    args = parser.parse_args(argv)
    problem = Problem.quick() if args.quick else Problem()
    engines, missing = available_engines()

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    report = [command_heading("benchmarks", argv), "", f"Machine: {machine()}", ""]
    report += [f"- {note}" for note in missing] + ([""] if missing else [])
    results, memory = {}, {}
    for workload in args.workloads:
        if workload == "node_memory":
            lines, memory = memory_table(engines, problem.memory_nodes)
        else:
            repeats = 1 if args.quick else args.repeats or REPEATS[workload]
            results[workload] = run_workload(workload, engines, problem, repeats, log)
            lines = timing_table(workload, results[workload])
        print("\n".join(lines), flush=True)
        report += lines
    targets = target_lines(results, memory)
    print("\n".join(["Targets (issue 7):", "", *targets]))
    report += ["Targets (issue 7):", "", *targets]
    if args.write_readme:
        write_results(README, report)
    return 0


def write_results(path: Path, report: list[str]) -> None:
    """Replace the text between the results markers of `path`, atomically."""
    text = path.read_text()
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    new = f"{head}{BEGIN}\n" + "\n".join(report) + f"\n{END}{tail}"
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False) as temporary:
        temporary.write(new)
    os.replace(temporary.name, path)


if __name__ == "__main__":
    sys.exit(main())
