"""Real-browser testing: Playwright (pip `playwright`) driving Debian's Chromium.

Playwright's own browser download cannot work on these machines, so the browser is the system's
`/usr/bin/chromium` (or `$GLASSGRAD_CHROMIUM`), launched with `executable_path`. Without it, or
without the `playwright` package, every test that uses these fixtures is skipped with the
reason. Shared by the viewer's and the playground's browser tests:

    from tests.browser_support import browser, open_page, page  # noqa: F401 (fixtures)

    def test_something(page):
        page.goto(url)
        ...
        page.assert_clean()        # no console error, no page error, no non-loopback request

The `page` fixture blocks every request that is not to `file:`, `data:`, `about:` or a loopback
address (127.0.0.0/8, localhost, [::1]) and records it; `page.assert_clean()` fails on any
blocked request, console error or uncaught page error. It is also called when the test ends.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOOPBACK_HOSTS = {"localhost", "::1", "[::1]"}


def chromium_path() -> str | None:
    """The Chromium to drive: $GLASSGRAD_CHROMIUM, /usr/bin/chromium, or chromium on PATH."""
    for candidate in (
        os.environ.get("GLASSGRAD_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
    ):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def skip_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if os.environ.get("GLASSGRAD_BROWSER_TESTS") == "off":
        return "GLASSGRAD_BROWSER_TESTS=off: the browser tests run in another CI run (Python 3.11)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the browser tests need pip install playwright (and Debian's chromium)"
    if chromium_path() is None:
        return "the browser tests need Chromium at /usr/bin/chromium (apt-get install chromium)"
    return None


def is_local(url: str) -> bool:
    """True for URLs a page may load here: file:, data:, about:, blob: and loopback HTTP(S)."""
    parts = urlsplit(url)
    if parts.scheme in ("file", "data", "about", "blob"):
        return True
    host = (parts.hostname or "").lower()
    return host in LOOPBACK_HOSTS or host.startswith("127.")


_SHARED: dict[str, Any] = {"users": 0}
"""The one Playwright and Chromium of the session: each test module that imports `browser`
gets its own fixture definition, and two Playwrights cannot run in one thread."""


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium for the whole session (skips with a visible reason when it cannot start)."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    if not _SHARED["users"]:
        from playwright.sync_api import sync_playwright

        _SHARED["playwright"] = playwright = sync_playwright().start()
        _SHARED["chromium"] = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS
        )
    _SHARED["users"] += 1
    try:
        yield _SHARED["chromium"]
    finally:
        _SHARED["users"] -= 1
        if not _SHARED["users"]:
            _SHARED["chromium"].close()
            _SHARED["playwright"].stop()


class Watch:
    """What went wrong on a page: blocked requests, console errors, uncaught errors."""

    def __init__(self) -> None:
        self.blocked: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []

    def problems(self) -> list[str]:
        return (
            [f"network request blocked: {u}" for u in self.blocked]
            + [f"console error: {m}" for m in self.console_errors]
            + [f"page error: {m}" for m in self.page_errors]
        )


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page (1280×800) in its own context whose non-loopback requests are blocked and
    recorded; `page.assert_clean()` fails on those, console errors and uncaught errors."""
    with open_page(browser) as tab:
        yield tab


@contextmanager
def open_page(browser: Any, width: int = 1280, height: int = 800) -> Iterator[Any]:
    """The `page` fixture as a context manager (for hypothesis tests, which cannot take
    function-scoped fixtures): a watched page, checked clean when the block ends."""
    context = browser.new_context(viewport={"width": width, "height": height})
    watch = Watch()

    def route(route: Any) -> None:
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            watch.blocked.append(url)
            route.abort()

    context.route("**/*", route)
    tab = context.new_page()
    tab.on("console", lambda m: watch.console_errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: watch.page_errors.append(str(e)))

    def assert_clean() -> None:
        problems = watch.problems()
        assert not problems, "\n".join(problems)

    tab.watch = watch
    tab.assert_clean = assert_clean
    try:
        yield tab
        assert_clean()
    finally:
        context.close()
