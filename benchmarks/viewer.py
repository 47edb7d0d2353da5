"""How fast the viewer is on a large network graph: python -m benchmarks.viewer [--nodes N]

The graph: max-margin loss of `nn.MLP(2, [16, 16, 1])` over a batch of two-moons points, the
batch sized so the graph has about N nodes (default 10^4), viewed with `parameters=model`.
Measured (medians of --repeats runs; nothing is asserted):

- Python: `view()` (export of every step + layouts) and `to_html()`, and the page's size;
- the browser (Playwright driving Debian's Chromium, as the tests do): from navigation to the
  page being ready (`body[data-ready]`, i.e. data parsed, graph drawn, panels filled), with the
  groups collapsed (the default for a large graph) and with every group expanded (10^4 boxes);
  one step forward and one step back (`glassgrad.step()`/`back()` plus the browser's layout and
  paint of the next frame), averaged over 200 steps in the middle of backprop; jumping from the
  end to the start with the scrubber; expanding every group.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nn
from autograd import Value, view
from autograd.graph import walk

STEP_JS = """async (n) => {
  const g = window.glassgrad, frame = () => new Promise(r => requestAnimationFrame(() => r()));
  g.goto(Math.floor(g.stepCount() * 0.6));
  await frame();
  let t = performance.now();
  for (let i = 0; i < n; i++) { g.step(); await frame(); }
  const forward = (performance.now() - t) / n;
  t = performance.now();
  for (let i = 0; i < n; i++) { g.back(); await frame(); }
  return [forward, (performance.now() - t) / n];
}"""
JUMP_JS = """async () => {
  const g = window.glassgrad, frame = () => new Promise(r => requestAnimationFrame(() => r()));
  g.goto(g.stepCount()); await frame();
  const t = performance.now(); g.goto(0); await frame();
  return performance.now() - t;
}"""
EXPAND_JS = """async () => {
  const g = window.glassgrad, frame = () => new Promise(r => requestAnimationFrame(() => r()));
  const t = performance.now(); g.expandAll(); await frame();
  return performance.now() - t;
}"""


def network_graph(nodes: int) -> tuple[Value, nn.MLP, int]:
    """The loss of MLP(2, [16, 16, 1]) on enough moons points for about `nodes` nodes (and how
    many points that took)."""
    model = nn.MLP(2, [16, 16, 1], seed=0)
    X, y = nn.make_moons(400, noise=0.1, seed=0)
    points = 1
    while True:
        loss = nn.hinge_loss([model(x) for x in X[:points]], [1 if t else -1 for t in y[:points]])
        if len(list(walk(loss))) >= nodes or points == len(X):
            return loss, model, points
        points += max(1, points // 4)


def open_timed(browser, path: Path, repeats: int, expand: bool) -> dict[str, float]:
    opened, steps_forward, steps_back, jumps, expands = [], [], [], [], []
    for _ in range(repeats):
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        errors: list[str] = []
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        start = time.perf_counter()
        page.goto(path.resolve().as_uri())
        page.wait_for_selector("body[data-ready='1']", timeout=120_000)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
        opened.append(time.perf_counter() - start)
        forward, back = page.evaluate(STEP_JS, 200)
        steps_forward.append(forward / 1000)
        steps_back.append(back / 1000)
        jumps.append(page.evaluate(JUMP_JS) / 1000)
        if expand:
            expands.append(page.evaluate(EXPAND_JS) / 1000)
        if errors:
            raise RuntimeError(f"the page failed: {errors}")
        page.close()
    result = {
        "open": statistics.median(opened),
        "step": statistics.median(steps_forward),
        "back": statistics.median(steps_back),
        "jump": statistics.median(jumps),
    }
    if expands:
        result["expand all"] = statistics.median(expands)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.viewer",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--nodes", type=int, default=10_000, help="graph size (default 10000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs to take the median of")
    arguments = parser.parse_args(argv)

    loss, model, points = network_graph(arguments.nodes)
    count = len(list(walk(loss)))
    times = []
    for _ in range(arguments.repeats):
        start = time.perf_counter()
        shown = view(loss, parameters=model)
        built = time.perf_counter()
        page = shown.to_html()
        times.append((built - start, time.perf_counter() - built))
    export_time = statistics.median(t[0] for t in times)
    html_time = statistics.median(t[1] for t in times)
    print(
        f"graph: MLP(2, [16, 16, 1]) hinge loss over {points} points: {count} nodes, "
        f"{len(shown.data['steps']['node'])} backward steps, "
        f"{len(shown.data['groups'])} module groups, layout {shown.data['layout']['method']}"
    )
    print(
        f"python: view() {export_time:.2f} s, to_html() {html_time:.3f} s, "
        f"page {len(page.encode()) / 1e6:.2f} MB"
    )

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.browser_support import CHROMIUM_ARGS, chromium_path, skip_reason

    reason = skip_reason()
    if reason:
        print(f"browser: skipped ({reason})")
        return
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            for collapsed in (True, False):
                path = Path(folder) / f"view-{collapsed}.html"
                view(loss, parameters=model, collapsed=collapsed).save(path)
                result = open_timed(browser, path, arguments.repeats, expand=collapsed)
                state = "groups collapsed" if collapsed else "all expanded  "
                extra = (
                    f", expand all {result['expand all']:.2f} s" if "expand all" in result else ""
                )
                print(
                    f"browser, {state}: open {result['open']:.2f} s, step "
                    f"{result['step'] * 1000:.1f} ms, step back {result['back'] * 1000:.1f} ms, "
                    f"end→start jump {result['jump'] * 1000:.0f} ms{extra}"
                )
        finally:
            browser.close()


if __name__ == "__main__":
    main()
