"""The package as a user gets it: `python -m build` makes the sdist and the wheel from a clean copy
of the sources; the wheel holds only `autograd` and `nn` (typed, licensed), and installed into a
fresh virtual environment it imports, backpropagates, and runs the `glassgrad` command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("build", reason="building the wheel needs the 'build' package")

ROOT = Path(__file__).resolve().parent.parent
SKIP = shutil.ignore_patterns(
    ".venv",
    ".git",
    "site",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    ".ruff_cache",
    "out",
    "results",
)


def run(*command: str | Path, cwd: Path) -> str:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source") / "glassgrad"
    shutil.copytree(ROOT, source, ignore=SKIP)
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", out, source, cwd=source)
    return out


def test_wheel_holds_the_libraries_only(dist):
    (wheel,) = dist.glob("glassgrad-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {
        "autograd",
        "nn",
        wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info",
    }, tops
    assert "autograd/py.typed" in names and "nn/py.typed" in names
    assert any(name.endswith("licenses/LICENSE") for name in names)
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA")))
    text = metadata.decode()
    assert "License-Expression: MIT" in text and "Classifier: Typing :: Typed" in text
    assert "Keywords:" in text and "Author:" in text


def test_sdist_carries_the_demos_and_the_licence(dist):
    (sdist,) = dist.glob("glassgrad-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"LICENSE", "README.md", "demos/moons.py", "autograd/value.py"} <= names


def test_wheel_works_in_a_fresh_venv(dist, tmp_path):
    (wheel,) = dist.glob("glassgrad-*.whl")
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    run(python, "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path)
    smoke = (
        "import autograd, nn, pathlib, importlib.util\n"
        "from autograd import Value\n"
        "x = Value(3.0)\n"
        "y = (x * x + x).tanh() * 0 + x * x\n"
        "y.backward()\n"
        "assert x.grad == 6.0, x.grad\n"
        "assert 'site-packages' in autograd.__file__, autograd.__file__\n"
        "assert (pathlib.Path(autograd.__file__).parent / 'py.typed').exists()\n"
        "assert importlib.util.find_spec('demos') is None, 'the wheel installed demos'\n"
        "print(nn.MLP(2, [3, 1], seed=0).num_parameters())\n"
    )
    assert run(python, "-c", smoke, cwd=tmp_path).strip() == "13"
    output = run(venv / "bin" / "glassgrad", "grad", "x**2 + 3*x", "x=2", cwd=tmp_path)
    assert "∂f/∂x = 7.0" in output
