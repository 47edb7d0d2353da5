"""Every page runs as written: README.md and each docs/**/*.md.

On each page, the fenced blocks with `>>>` prompts run as one REPL session (doctest, in a
temporary working directory), fenced `python` blocks without prompts are executed in that same
session (and any `test_*` function one defines is called), and every `$ glassgrad …` line of a
`console` block prints exactly what the page shows. README.md's links point at files that exist.

Two exceptions, both visible in the page's source: a block with a `title="path"` in its info
string is an excerpt of that file, shown, not run (the file must exist); a block that imports an
optional package (`OPTIONAL`) runs only where it is installed (CI installs torch).
"""

from __future__ import annotations

import doctest
import importlib.util
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCED_BLOCK = re.compile(r"^```([a-z]*)([^\n]*)\n(.*?)^```", re.S | re.M)
TITLE = re.compile(r'title="([^"]+)"')
OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
OPTIONAL = ("torch",)
"""Packages a page may use that `make test` does not install: their blocks run where they are."""


def page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


def blocks(page: Path) -> list[tuple[str, str, int]]:
    """(language, body, line number) of each fenced block of `page` that runs: not excerpts
    (whose titled file must exist), not blocks needing an optional package that is missing."""
    text = page.read_text()
    found = []
    for match in FENCED_BLOCK.finditer(text):
        language, attributes, body = match.groups()
        title = TITLE.search(attributes)
        if title:
            assert (ROOT / title.group(1)).exists(), f"{page.name}: no file {title.group(1)}"
            continue
        if any(
            re.search(rf"^\W*(?:import|from) {name}\b", body, re.M)
            and importlib.util.find_spec(name) is None
            for name in OPTIONAL
        ):
            continue
        found.append((language, body, text.count("\n", 0, match.start(3))))
    return found


RENDERS = "save(graph, 'neuron_graph.svg')"  # a page whose example renders with dot shows SVG


def with_marks(page: Path) -> object:
    """The page as a test parameter; a page whose examples render needs Graphviz's dot."""
    marks = [pytest.mark.needs_dot] if RENDERS in page.read_text(encoding="utf-8") else []
    return pytest.param(page, marks=marks)


@pytest.mark.parametrize("page", [with_marks(page) for page in PAGES], ids=page_id)
def test_page_examples_run_as_written(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=OPTIONS)
    session: dict = {"__name__": "__page__"}  # one namespace per page, as in a REPL
    report: list[str] = []
    for language, body, line in blocks(page):
        if ">>> " in body:
            example = parser.get_doctest(body, {}, page.name, str(page), line)
            example.globs = session  # get_doctest copies the namespace; share the session
            runner.run(example, out=report.append, clear_globs=False)
        elif language == "python":
            before = set(session)
            exec(compile("\n" * line + body, str(page), "exec"), session)  # the page's own code
            for name in sorted(set(session) - before):
                if name.startswith("test_") and callable(session[name]):
                    session[name]()
    assert runner.failures == 0, "".join(report)


def console_sessions(page: Path) -> list[tuple[str, str]]:
    """(command, expected output) for each `$ glassgrad …` line of the page's console blocks."""
    sessions = []
    for language, body, _ in blocks(page):
        if language == "console":
            for chunk in re.split(r"^\$ ", body, flags=re.M)[1:]:
                command, _, output = chunk.partition("\n")
                sessions.append((command, output))
    return sessions


PAGES_WITH_COMMANDS = [page for page in PAGES if console_sessions(page)]


@pytest.mark.parametrize("page", PAGES_WITH_COMMANDS, ids=page_id)
def test_page_glassgrad_commands_print_what_it_shows(page):
    for command, expected in console_sessions(page):
        program, *arguments = shlex.split(command)
        assert program == "glassgrad", command
        run = subprocess.run(
            [sys.executable, "-m", "autograd.cli", *arguments],
            capture_output=True,
            text=True,
            check=False,
        )
        assert (run.stdout + run.stderr).rstrip("\n") == expected.rstrip("\n"), command


def test_readme_links_point_at_files_that_exist():
    text = (ROOT / "README.md").read_text()
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    local = [t for t in targets if "://" not in t]
    assert local, "README.md links nothing in the repository"
    for target in local:
        assert (ROOT / target).exists(), f"README.md links {target}, which does not exist"


def test_readme_is_a_front_door():
    lines = (ROOT / "README.md").read_text().splitlines()
    assert len(lines) <= 260, f"README.md has {len(lines)} lines"
    head = "\n".join(lines[:12])
    assert "make demo" in head and "make test" in head


def test_the_api_reference_covers_every_public_module():
    reference = "".join(page.read_text() for page in (ROOT / "docs" / "reference").glob("*.md"))
    for package in ("autograd", "nn"):
        for path in sorted((ROOT / package).iterdir()):
            if path.name.startswith("_") or not (
                path.suffix == ".py" or (path / "__init__.py").exists()
            ):
                continue
            module = f"{package}.{path.stem}"
            assert f"::: {module}\n" in reference, f"docs/reference/ does not document {module}"
