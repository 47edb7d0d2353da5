"""The playground's speed: training steps and picture refreshes per second (issue 13's targets:
>= 20 steps/s and >= 10 refreshes/s for the default network on 500 points).

    python -m benchmarks.playground [--seconds 5] [--browser]

1. in-process: one training step, and one picture (the 100×100 output map, every neuron's map,
   the scores on train and test), timed alone;
2. the real thing: `glassgrad playground` in its own process; this client presses play and polls
   /api/state back to back for `--seconds`, counting the steps the server trained and the new
   pictures it received (each poll returns a picture of a newer version);
3. with `--browser` (needs playwright and /usr/bin/chromium): the page itself in Chromium, counting
   the pictures it drew while training.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def in_process(repeats: int = 200) -> dict[str, float]:
    from nn.playground.session import Playground

    playground = Playground()
    run = playground._run
    steps = []
    for _ in range(repeats):
        start = time.perf_counter()
        run.step()
        steps.append(time.perf_counter() - start)
    pictures = []
    for _ in range(50):
        playground.version += 1
        start = time.perf_counter()
        playground.state(have=0, data=playground.state()["data_version"])
        pictures.append(time.perf_counter() - start)
    return {
        "step_ms": 1000 * statistics.median(steps),
        "picture_ms": 1000 * statistics.median(pictures),
    }


def over_http(seconds: float) -> dict[str, float]:
    process = subprocess.Popen(
        [sys.executable, "-m", "nn.playground", "--no-browser"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        match = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=([\w-]+)", process.stdout.readline())
        port, token = int(match[1]), match[2]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Host": f"127.0.0.1:{port}", "X-Glassgrad-Token": token}

        def call(method: str, path: str, body: dict | None = None) -> dict:
            extra = {"Content-Type": "application/json"} if body is not None else {}
            connection.request(
                method, path, None if body is None else json.dumps(body), {**headers, **extra}
            )
            return json.loads(connection.getresponse().read())

        state = call("GET", "/api/state")
        have, data = state["version"], state["data_version"]
        call("POST", "/api/control", {"action": "play"})
        first_step, pictures, start = state["step"], 0, time.perf_counter()
        accuracy = None
        while time.perf_counter() - start < seconds:
            state = call("GET", f"/api/state?have={have}&data={data}")
            if "frame" in state:
                pictures += 1
                have = state["version"]
                accuracy = state["frame"]["scores"]["test_accuracy"]
        elapsed = time.perf_counter() - start
        call("POST", "/api/control", {"action": "pause"})
        return {
            "steps_per_s": (state["step"] - first_step) / elapsed,
            "pictures_per_s": pictures / elapsed,
            "test_accuracy": accuracy,
        }
    finally:
        process.terminate()
        process.wait(10)


def in_browser(seconds: float) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    from playwright.sync_api import sync_playwright

    from nn.playground import start
    from tests.browser_support import CHROMIUM_ARGS, chromium_path

    server = start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_ARGS
            )
            page = browser.new_page()
            page.goto(server.url)
            page.wait_for_function("() => window.glassgradPlayground.state().ready")
            before = page.evaluate("() => window.glassgradPlayground.state()")
            page.click("#play")
            page.wait_for_timeout(seconds * 1000)
            after = page.evaluate("() => window.glassgradPlayground.state()")
            browser.close()
    finally:
        server.close()
    return {
        "steps_per_s": (after["step"] - before["step"]) / seconds,
        "pictures_per_s": (after["frames"] - before["frames"]) / seconds,
        "test_accuracy": after["testAccuracy"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--browser", action="store_true")
    args = parser.parse_args()
    from nn.playground.forward import numpy

    print(
        f"default network 2-6-4-1 tanh, moons 500 points (250 train), batch 10, Adam; "
        f"NumPy {'yes' if numpy is not None else 'no (40×40 grid on floats)'}; "
        f"Python {sys.version.split()[0]}"
    )
    alone = in_process()
    print(
        f"in-process: one step {alone['step_ms']:.2f} ms, one picture + scores "
        f"{alone['picture_ms']:.2f} ms"
    )
    served = over_http(args.seconds)
    print(
        f"server process, client polling back to back for {args.seconds:g} s: "
        f"{served['steps_per_s']:.0f} steps/s, {served['pictures_per_s']:.1f} pictures/s "
        f"(test accuracy then {served['test_accuracy']})"
    )
    if args.browser:
        page = in_browser(args.seconds)
        print(
            f"Chromium page for {args.seconds:g} s: {page['steps_per_s']:.0f} steps/s, "
            f"{page['pictures_per_s']:.1f} pictures drawn/s "
            f"(test accuracy then {page['test_accuracy']})"
        )


if __name__ == "__main__":
    main()
