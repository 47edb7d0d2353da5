"""Regenerate the viewer's screenshots in docs/: `.venv/bin/python docs/make_viewer_screenshots.py`

Needs pip `playwright` and Debian's Chromium (/usr/bin/chromium), as the browser tests do.

viewer-neuron.png   tanh(w·x + b), backprop half-way: the step into w with its rule and numbers
viewer-reuse.png    a node used twice: its paths highlighted, `+=`, the gradient-truth panel
viewer-network.png  MLP(2, [4, 4, 1]) on one point, grouped by module, one neuron expanded (dark)
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import nn  # noqa: E402
from autograd import Value, tanh  # noqa: E402
from autograd.viewer import view  # noqa: E402
from tests.browser_support import CHROMIUM_ARGS, chromium_path, skip_reason  # noqa: E402


def neuron() -> Value:
    x, w, b = Value(0.5, "x"), Value(-3.0, "w"), Value(2.0, "b")
    y = tanh(w * x + b)
    y.label = "y"
    return y


def reuse() -> Value:
    x, w = Value(0.8, "x"), Value(-1.5, "w")
    h = tanh(w * x)
    h.label = "h"
    y = h * x + x
    y.label = "y"
    return y


def declare_dpi(path: Path, dpi: int = 130) -> None:
    """Say the screenshot's resolution in the PNG (issue 16: pictures at 120-150 dpi)."""
    from PIL import Image

    Image.open(path).save(path, dpi=(dpi, dpi))


def shoot(browser, html: str, out: Path, script: str, size: tuple[int, int] = (1280, 720)) -> None:
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.set_content(html)
    page.wait_for_selector("body[data-ready='1']")
    page.evaluate(script)
    page.screenshot(path=str(out))
    page.close()
    declare_dpi(out)
    print(f"wrote {out}")


def main() -> None:
    reason = skip_reason()
    if reason:
        sys.exit(f"cannot make the screenshots: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            shown = view(neuron(), check=True, theme="light")
            into_w = next(
                k
                for k, p in enumerate(shown.data["steps"]["parent"])
                if shown.data["nodes"]["id"][p] == "w"
            )
            position = len(shown.data["forward"]) + 1 + into_w + 1  # start, forward, seed
            shoot(
                browser,
                shown.to_html(),
                HERE / "viewer-neuron.png",
                f"window.glassgrad.goto({position})",
                (1280, 560),
            )
            shown = view(reuse(), check=True, theme="light")
            shoot(
                browser,
                shown.to_html(),
                HERE / "viewer-reuse.png",
                "window.glassgrad.goto(window.glassgrad.stepCount()); window.glassgrad.select('x')",
                (1280, 620),
            )
            model = nn.MLP(2, [4, 4, 1], seed=0)
            out = model([Value(0.5, "x[0]"), Value(-1.0, "x[1]")])
            shown = view(out, parameters=model, collapsed=True, theme="dark")
            shoot(
                browser,
                shown.to_html(),
                HERE / "viewer-network.png",
                "window.glassgrad.expand('layers.1.neurons.2'); window.glassgrad.fit(); "
                "window.glassgrad.goto(Math.floor(window.glassgrad.stepCount() * 0.7))",
                (1280, 760),
            )
        finally:
            browser.close()


if __name__ == "__main__":
    main()
