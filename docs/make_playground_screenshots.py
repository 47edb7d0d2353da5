"""Screenshots of the playground for the docs: `python docs/make_playground_screenshots.py`.

Starts a playground server on 127.0.0.1 (a free port), drives Debian's Chromium with Playwright
(pip `playwright`; never `playwright install`), trains the default moons network until the test
accuracy reaches 0.95, and writes docs/playground.png and docs/playground_neuron.png.

The pictures are taken at 130 dpi: Chromium renders 130/96 device pixels per CSS pixel (a CSS
inch is 96 CSS pixels), and the PNG says 130 dpi in its pHYs chunk (Pillow writes it).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nn.playground import start  # noqa: E402
from tests.browser_support import CHROMIUM_ARGS, chromium_path  # noqa: E402

HERE = Path(__file__).resolve().parent
DPI = 130


def declare_dpi(*paths: Path) -> None:
    """Write the resolution the pictures were taken at into each PNG."""
    from PIL import Image

    for path in paths:
        with Image.open(path) as picture:
            picture.load()
        picture.save(path, dpi=(DPI, DPI))


def main() -> None:
    from playwright.sync_api import sync_playwright

    server = start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_ARGS
            )
            page = browser.new_page(
                viewport={"width": 1280, "height": 820}, device_scale_factor=DPI / 96
            )
            page.goto(server.url)
            page.wait_for_function("() => window.glassgradPlayground.state().ready")
            page.click("#play")
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                state = page.evaluate("window.glassgradPlayground.state()")
                if state["testAccuracy"] and state["testAccuracy"] >= 0.97 and state["step"] > 300:
                    break
                time.sleep(0.2)
            page.click("#play")
            page.wait_for_function("() => !window.glassgradPlayground.state().running")
            page.wait_for_timeout(500)
            page.screenshot(path=str(HERE / "playground.png"), full_page=True)
            page.click(".node[data-layer='0'][data-neuron='1']")
            page.frame_locator("#viewer").locator("body[data-ready='1']").wait_for()
            viewer = page.locator("#viewer").element_handle().content_frame()
            viewer.evaluate("window.glassgrad.goto(window.glassgrad.forwardCount() + 4)")
            page.click("#gradcheck")
            page.wait_for_selector("#gradcheck-table:not([hidden])")
            page.wait_for_timeout(300)
            page.locator("#neuron").screenshot(path=str(HERE / "playground_neuron.png"))
            browser.close()
        declare_dpi(HERE / "playground.png", HERE / "playground_neuron.png")
    finally:
        server.close()
    print("wrote docs/playground.png and docs/playground_neuron.png")


if __name__ == "__main__":
    main()
