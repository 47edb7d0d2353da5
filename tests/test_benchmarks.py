"""Smoke test of the benchmarks: every engine runs every workload it has, on tiny sizes, and
their checksums agree with the hand-written pure-Python floor. No timings are asserted."""

from __future__ import annotations

import pytest

from benchmarks.__main__ import main  # importable: pytest puts the repository root on sys.path
from benchmarks.engines import available_engines
from benchmarks.runner import bytes_per_node, checksums_agree
from benchmarks.workloads import WORKLOADS, Problem


def tiny() -> Problem:
    return Problem(n_points=6, n_steps=3, chain_length=200, wide_length=300, memory_nodes=1000)


@pytest.fixture(scope="module")
def problem() -> Problem:
    return tiny()


ENGINES, _ = available_engines()
FLOOR = next(engine for engine in ENGINES if engine.name == "pure-Python floor")


COMPARED = [
    pytest.param(engine, workload, id=f"{engine.name}-{workload}")
    for engine in ENGINES
    for workload in ("moons_step", "moons_train", "deep_chain", "wide_sum")
    if workload in engine.workloads
]


@pytest.mark.parametrize(("engine", "workload"), COMPARED)
def test_every_engine_agrees_with_the_floor(engine, workload, problem):
    expected = FLOOR.workloads[workload](problem)()
    found = engine.workloads[workload](problem)()
    assert checksums_agree(found, expected), (found, expected)


def test_the_compile_row_reports_the_initial_loss(problem):
    compiled = next(engine for engine in ENGINES if engine.name == "glassgrad compiled")
    loss, parameter_sum = compiled.workloads["moons_compile"](problem)()
    step = FLOOR.workloads["moons_step"](problem)()
    assert loss == pytest.approx(step[0], rel=1e-12)


def test_node_memory_is_measured_per_node():
    dynamic = next(engine for engine in ENGINES if engine.name == "glassgrad dynamic")
    assert 50 < bytes_per_node(dynamic.memory_chain, 2000) <= 200


def test_the_command_prints_tables_and_targets(capsys, monkeypatch):
    monkeypatch.setattr(Problem, "quick", classmethod(lambda cls: tiny()))
    assert main(["--quick", "--workloads", "moons_step", "node_memory"]) == 0
    printed = capsys.readouterr().out
    assert "| glassgrad dynamic |" in printed and "**differs**" not in printed
    assert "Targets (issue 7):" in printed and "bytes per node" in printed


def test_workload_names_are_known():
    assert set(WORKLOADS) >= {"moons_step", "moons_train", "deep_chain", "wide_sum", "node_memory"}


def test_the_gc_overhead_command_reports_both_workloads(capsys):
    from benchmarks import gc_overhead

    assert gc_overhead.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "| deep_chain |" in out and "| moons_train |" in out and "gc overhead" in out
