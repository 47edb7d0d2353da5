"""How compile_graph scales (issue 14, target 4): the moons loss over N points, compiled.

    .venv/bin/python -m benchmarks.compile_scale 9600       # ≈ 10^6 nodes
    .venv/bin/python -m benchmarks.compile_scale 600 1200 2400 4800 9600
    .venv/bin/python -m benchmarks.compile_scale --wide 25000 50000 100000 200000

For each N, in a fresh process: nodes in the graph, seconds to build the graph (dynamic engine),
seconds for compile_graph (code generation), seconds for the first call (CPython compiles the
code, then it runs once), seconds for a second call, the peak resident memory of the process,
and whether value and gradient equal the dynamic engine's backward (bit for bit).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def measure(n_points: int) -> dict:
    import autograd

    from . import glassgrad_dynamic as dynamic
    from .data import initial_weights, make_moons

    points, labels = make_moons(n_points)
    model = dynamic.make_model(initial_weights())
    params = dynamic.parameters(model)
    start = time.perf_counter()
    loss = dynamic.loss(model, points, labels)
    built = time.perf_counter()
    compiled = autograd.compile_graph(loss, params)
    emitted = time.perf_counter()
    floats = [p.data for p in params]
    value, grads = compiled.value_and_grad(*floats)
    first = time.perf_counter()
    compiled.value_and_grad(*floats)
    second = time.perf_counter()
    loss.backward()
    exact = value == loss.data and all(g == p.grad for g, p in zip(grads, params))
    nodes = _count(loss)
    return {
        "points": n_points,
        "nodes": nodes,
        "build_s": round(built - start, 2),
        "compile_graph_s": round(emitted - built, 2),
        "first_call_s": round(first - emitted, 2),
        "call_s": round(second - first, 3),
        "peak_MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "equals_backward": exact,
    }


def measure_wide(n: int) -> dict:
    """One `sum` node and one `dot` node of n inputs each: compile_graph, first call, exactness."""
    import autograd
    from autograd import Value

    xs = [Value(float(i % 7) - 3.0) for i in range(n)]
    ys = [Value(0.5 - (i % 5)) for i in range(n)]
    out = {"n": n}
    for name, output, inputs in (
        ("sum", autograd.sum_values(xs), xs),
        ("dot", autograd.dot(xs, ys), xs + ys),
    ):
        start = time.perf_counter()
        compiled = autograd.compile_graph(output, inputs)
        emitted = time.perf_counter()
        value, grads = compiled.value_and_grad(*[x.data for x in inputs])
        first = time.perf_counter()
        for x in inputs:
            x.grad = 0.0
        output.backward()
        out[name] = (
            round(emitted - start, 2),
            round(first - emitted, 2),
            value == output.data and all(g == x.grad for g, x in zip(grads, inputs)),
        )
    out["peak_MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return out


def _count(root) -> int:
    from autograd.graph import walk

    return sum(1 for _ in walk(root))


def _in_fresh_process(*args: str) -> dict:
    """This module run with `args` in a new Python process (so each size gets a clean heap and
    its own peak memory): the JSON it prints."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.compile_scale", *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found: dict = json.loads(out)
    return found


def main(argv: list[str]) -> None:
    if argv[:1] == ["--wide"]:
        if len(argv) == 2:
            print(json.dumps(measure_wide(int(argv[1]))))
            return
        print(
            "| inputs | sum: compile_graph s | sum: first call s | dot: compile_graph s "
            "| dot: first call s | peak MB | = backward |"
        )
        print("|---:|---:|---:|---:|---:|---:|---|")
        for n in argv[1:]:
            r = _in_fresh_process("--wide", n)
            print(
                f"| {r['n']} | {r['sum'][0]} | {r['sum'][1]} | {r['dot'][0]} | {r['dot'][1]} "
                f"| {r['peak_MB']} | {r['sum'][2] and r['dot'][2]} |"
            )
        return
    sizes = [int(a) for a in argv] or [9600]
    if len(sizes) == 1:
        print(json.dumps(measure(sizes[0])))
        return
    print(
        "| points | nodes | build s | compile_graph s | first call s | call s | peak MB "
        "| = backward |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---|")
    for n in sizes:
        r = _in_fresh_process(str(n))
        print(
            f"| {r['points']} | {r['nodes']} | {r['build_s']} | {r['compile_graph_s']} | "
            f"{r['first_call_s']} | {r['call_s']} | {r['peak_MB']} | {r['equals_backward']} |"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
