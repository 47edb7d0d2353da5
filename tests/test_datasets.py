"""The shipped data sets: shapes, contents, licences travelling with them, and checksums."""

from __future__ import annotations

import hashlib
from collections import Counter
from importlib import resources
from pathlib import Path

import pytest

import nn
from nn import data

SHARED = Path("/work/shared/data")


def test_load_digits_returns_plain_lists():
    X, y = nn.load_digits()
    assert type(X) is list and type(y) is list
    assert len(X) == len(y) == 1797
    assert all(type(row) is list and len(row) == 64 for row in X)
    assert all(type(p) is float and 0.0 <= p <= 16.0 for row in X for p in row)
    assert all(type(label) is int for label in y)
    assert sorted(Counter(y)) == list(range(10))
    assert min(Counter(y).values()) >= 170  # every class is well represented
    assert y[:10] == list(range(10))


def test_load_names_returns_plain_strings():
    names = nn.load_names()
    assert type(names) is list and len(names) == 32033
    assert names[:3] == ["emma", "olivia", "ava"]
    assert all(type(n) is str and n.isascii() and n.isalpha() and n.islower() for n in names)
    assert len(set(names)) == 29494
    assert min(map(len, names)) == 2 and max(map(len, names)) == 15


def test_every_call_gives_new_lists():
    first, second = nn.load_names(), nn.load_names()
    first.clear()
    assert len(second) == 32033 and len(nn.load_names()) == 32033


def test_licences_travel_with_the_data():
    folder = resources.files("nn.datasets")
    assert "MIT License" in folder.joinpath("names.LICENSE").read_text()
    notice = folder.joinpath("NOTICE").read_text()
    assert "CC BY 4.0" in notice and "Alpaydin" in notice and "Kaynak" in notice


@pytest.mark.parametrize("filename", sorted(data.CHECKSUMS))
def test_shipped_files_match_the_published_sums(filename):
    shipped = resources.files("nn.datasets").joinpath(filename).read_bytes()
    assert hashlib.sha256(shipped).hexdigest() == data.CHECKSUMS[filename]
    if (SHARED / filename).is_file():  # the team's copy, where it exists
        assert (SHARED / filename).read_bytes() == shipped


@pytest.mark.parametrize(
    "loader, filename", [(nn.load_digits, "digits.csv.gz"), (nn.load_names, "names.txt")]
)
def test_a_changed_file_is_refused_with_a_clear_error(loader, filename, monkeypatch):
    monkeypatch.setitem(data.CHECKSUMS, filename, "0" * 64)
    with pytest.raises(nn.DatasetError, match=rf"{filename}.*sha256.*expected 0000.*reinstall"):
        loader()


def test_a_missing_file_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(data.CHECKSUMS, "gone.txt", "0" * 64)
    with pytest.raises(nn.DatasetError, match="gone.txt cannot be read"):
        data._read_checked("gone.txt")
