"""autograd.io.write_atomic: the package's one atomic writer, with a normal write's permissions."""

from __future__ import annotations

import os
import stat

import pytest

from autograd import Value
from autograd.draw import save
from autograd.io import write_atomic


@pytest.fixture
def umask():
    """Set the process umask for one test, and restore it after."""
    previous = os.umask(0o022)
    os.umask(previous)

    def set_umask(mask: int) -> None:
        os.umask(mask)

    yield set_umask
    os.umask(previous)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def normal_write_mode(tmp_path) -> int:
    reference = tmp_path / "reference-written-by-open"
    reference.write_text("x")
    result = mode(reference)
    reference.unlink()
    return result


def test_str_and_bytes_are_written_whole(tmp_path):
    path = tmp_path / "f.txt"
    write_atomic(path, "grüße ∂f/∂x\n")
    assert path.read_bytes() == "grüße ∂f/∂x\n".encode()
    write_atomic(str(path), b"\x00\x01binary")
    assert path.read_bytes() == b"\x00\x01binary"
    assert os.listdir(tmp_path) == ["f.txt"]


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_a_new_file_gets_the_mode_a_normal_write_gives(tmp_path, umask, mask):
    umask(mask)
    path = tmp_path / "new.json"
    write_atomic(path, "{}")
    assert mode(path) == normal_write_mode(tmp_path) == 0o666 & ~mask


def test_an_existing_file_keeps_its_mode(tmp_path, umask):
    umask(0o022)
    path = tmp_path / "kept.json"
    path.write_text("old")
    os.chmod(path, 0o600)
    write_atomic(path, "new")
    assert path.read_text() == "new" and mode(path) == 0o600
    os.chmod(path, 0o664)
    write_atomic(path, "newer")
    assert mode(path) == 0o664


def test_a_symbolic_link_is_written_through_and_stays_a_link(tmp_path):
    target = tmp_path / "target.txt"
    target.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    write_atomic(link, "new")
    assert link.is_symlink() and target.read_text() == "new"


def test_errors_name_the_real_path_not_a_temporary_file(tmp_path):
    missing = tmp_path / "no" / "such" / "dir" / "f.svg"
    with pytest.raises(FileNotFoundError) as caught:
        write_atomic(missing, "x")
    assert caught.value.filename == str(missing)
    assert ".tmp" not in str(caught.value)
    with pytest.raises(IsADirectoryError):
        write_atomic(tmp_path, "x")
    with pytest.raises(TypeError, match="str or bytes"):
        write_atomic(tmp_path / "f", 3)


def test_a_failed_replace_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    path.write_text("old contents")

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="No space left") as caught:
        write_atomic(path, "new contents")
    assert caught.value.filename == str(path)
    assert path.read_text() == "old contents"
    assert os.listdir(tmp_path) == ["model.json"]


def test_model_save_and_draw_save_use_the_one_writer(tmp_path, umask, monkeypatch):
    umask(0o077)
    written = []
    import autograd.draw
    import nn.module

    def spy(path, data):
        written.append(os.fspath(path))
        write_atomic(path, data)

    monkeypatch.setattr(nn.module, "write_atomic", spy)
    monkeypatch.setattr(autograd.draw, "write_atomic", spy)
    model_path, dot_path = tmp_path / "m.json", tmp_path / "g.dot"
    nn.Neuron(2, seed=0).save(model_path)
    save(Value(1.0) * 2, dot_path)
    assert written == [str(model_path), str(dot_path)]
    assert mode(model_path) == mode(dot_path) == 0o600  # not the 0o644 draw used to force
