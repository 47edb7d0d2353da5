"""Saving the digits and names demos' pictures: PNG at 130 dpi, written atomically.

`nn.plot.save` writes at the small default of the other demos' pictures; these pictures hold
8×8 images, heat maps and numbers in cells, so they are drawn larger and sharper.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

DPI = 130


def save(figure: Any, path: Path) -> Path:
    """Write `figure` as a PNG to `path` (a temp file in the same folder, then rename); close it."""
    from nn.plot import pyplot

    buffer = io.BytesIO()
    try:
        figure.savefig(buffer, format="png", dpi=DPI)
    finally:
        pyplot().close(figure)
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".png")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(buffer.getvalue())
        os.chmod(temporary, 0o666 & ~_umask())  # what a plain open() would have given
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
