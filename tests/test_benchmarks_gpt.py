"""The issue-15 benchmark peers compute the same thing: all checksums agree (tiny sizes)."""

from __future__ import annotations

import math

import pytest

from benchmarks import gpt, gpt_peers
from benchmarks.gpt_problem import GptProblem


@pytest.fixture(scope="module")
def problem() -> GptProblem:
    return GptProblem(digits_images=8, names_steps=1)


@pytest.mark.parametrize("workload", gpt.WORKLOADS)
def test_every_engine_agrees(problem, workload):
    engines, _ = gpt.engines()
    checksums = {
        engine.name: gpt.gc_paused(engine.workloads[workload])(problem)()
        for engine in engines
        if workload in engine.workloads
    }
    assert gpt.DYNAMIC in checksums and len(checksums) >= 2
    reference = checksums[gpt.DYNAMIC]
    for name, checksum in checksums.items():
        assert all(math.isclose(a, b, rel_tol=1e-8) for a, b in zip(checksum, reference)), name


def test_microgpt_style_value_backpropagates_like_the_chain_rule():
    x, y = gpt_peers.SlotsValue(2.0), gpt_peers.SlotsValue(-3.0)
    z = (x * y + x.exp()).log() - y**2 / x
    z.backward()
    inner = 2.0 * -3.0 + math.exp(2.0)
    assert x.grad == pytest.approx((-3.0 + math.exp(2.0)) / inner + 9.0 / 4.0)
    assert y.grad == pytest.approx(2.0 / inner - 2 * -3.0 / 2.0)


def test_targets_table_reads_the_medians(problem):
    class Row:
        def __init__(self, name, median):
            self.name, self.median, self.cpu = name, median, [median]

    results = {
        "names_step": [
            Row("glassgrad dynamic (gc off)", 0.01),
            Row("glassgrad dynamic", 0.02),
            Row("microgpt-style engine", 0.3),
            Row("microgpt-style engine (gc off)", 0.05),
        ],
        "digits_epoch": [Row("glassgrad dynamic", 1.0)],
    }
    text = "\n".join(gpt.target_lines(results, problem))
    assert "1,000 steps (default gc, as the demo runs) | 20.0 s CPU (target <= 20 s) | yes" in text
    assert "15.0x (target >= 10x) | yes" in text and "5.0x (target >= 10x) | NO" in text
    assert "default gc (as nn.fit runs it) | 1.00 s CPU (target <= 1.5 s) | yes" in text
