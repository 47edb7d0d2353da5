"""Hypothesis profiles: a fast `default` (also `ci`) and a deeper `thorough`.

Pick one with the environment variable HYPOTHESIS_PROFILE, e.g.
`HYPOTHESIS_PROFILE=thorough .venv/bin/pytest`. No deadline: timings on a shared machine vary,
and tests never assert wall-clock times.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

import autograd

settings.register_profile(
    "default",
    max_examples=50,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("ci", parent=settings.get_profile("default"))
settings.register_profile(
    "thorough",
    max_examples=1000,
    stateful_step_count=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def register_primitive():
    """`autograd.primitive`, with every primitive it adds removed from the table afterwards."""
    added: list[str] = []

    def register(name: str, *args: Any, **kwargs: Any) -> Any:
        added.append(name)
        return autograd.primitive(name, *args, **kwargs)

    yield register
    for name in added:
        autograd.REGISTRY.pop(name, None)


# -- rendering needs Graphviz's dot: tests marked needs_dot skip, saying so, where it is missing


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "needs_dot: renders with Graphviz's dot program")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if shutil.which("dot") is not None:
        return
    skip = pytest.mark.skip(
        reason="Graphviz's dot program is not installed (apt-get install graphviz): "
        "rendering not tested"
    )
    for item in items:
        if "needs_dot" in item.keywords:
            item.add_marker(skip)


# -- the docs site, built once per session (tests/test_docs_site.py, tests/test_docs_views.py)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`mkdocs build --strict` of this checkout into a temporary directory (offline)."""
    pytest.importorskip("mkdocs", reason="the docs need the docs extra: pip install -e '.[docs]'")
    pytest.importorskip("material", reason="the docs use mkdocs-material: pip install -e '.[docs]'")
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        check=False,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin", "HOME": str(out)},
    )
    assert result.returncode == 0, result.stderr
    return out
