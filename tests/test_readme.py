"""README.md runs as written: its `>>>` examples as one REPL session, its commands as shown."""

from __future__ import annotations

import doctest
import re
import shlex
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
FENCED_BLOCK = re.compile(r"^```[a-z]*\n(.*?)^```", re.S | re.M)


def readme_examples() -> list[doctest.DocTest]:
    """One doctest per fenced block with `>>>` prompts, numbered by its line in README.md."""
    text = README.read_text()
    parser = doctest.DocTestParser()
    examples = []
    for match in FENCED_BLOCK.finditer(text):
        if ">>> " in match.group(1):
            line = text.count("\n", 0, match.start(1))
            examples.append(parser.get_doctest(match.group(1), {}, "README.md", str(README), line))
    return examples


def test_readme_examples_run_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    examples = readme_examples()
    assert examples, "README.md has no >>> examples"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    session: dict = {}  # one namespace, as in a REPL
    report: list[str] = []
    for example in examples:
        example.globs = session
        runner.run(example, out=report.append, clear_globs=False)
    assert runner.failures == 0, "".join(report)


def console_sessions() -> list[tuple[str, str]]:
    """(command, expected output) for each `$ glassgrad …` line of the README's console blocks."""
    text = README.read_text()
    sessions = []
    for block in re.findall(r"^```console\n(.*?)^```", text, re.S | re.M):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, output = chunk.partition("\n")
            sessions.append((command, output))
    return sessions


def test_readme_glassgrad_commands_print_what_it_shows():
    sessions = console_sessions()
    assert sessions, "README.md shows no glassgrad command"
    for command, expected in sessions:
        program, *arguments = shlex.split(command)
        assert program == "glassgrad", command
        run = subprocess.run(
            [sys.executable, "-m", "autograd.cli", *arguments],
            capture_output=True,
            text=True,
            check=False,
        )
        assert (run.stdout + run.stderr).rstrip("\n") == expected.rstrip("\n"), command
