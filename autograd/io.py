"""One way to write files for the whole package: atomically, keeping normal permissions.

`write_atomic(path, data)` leaves `path` holding either its old contents or all of the new ones,
never a half-written file, even if the process dies mid-write: the data goes to a temporary file in
the same directory, is flushed to disk (`fsync`), and `os.replace` swaps it in. Permissions are
those a plain `open(path, 'w')` would give: a new file gets 0o666 minus the umask (the kernel
applies it when the temporary file is created, so no process-wide `os.umask` call is needed), and
an existing file keeps its mode. A symbolic link is written through, as `open` would, so the
link stays a link. Errors name `path`, never the temporary file.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat

__all__ = ["write_atomic"]

_NEW_FILE_MODE = 0o666  # what open(path, "w") asks for; the umask is subtracted by the kernel
_ATTEMPTS = 100


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Replace the contents of `path` with `data` (str is written as UTF-8), atomically.

    Raises the `OSError` of the failing step (e.g. `PermissionError` for a read-only directory)
    with `filename` set to `path`; the temporary file is removed on any error.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    elif not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"write_atomic: data must be str or bytes, got {type(data).__name__}")
    target = os.path.realpath(os.fspath(path))  # through symbolic links, like open()
    directory = os.path.dirname(target)
    if os.path.isdir(target):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
    try:
        existing_mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        existing_mode = None
    except OSError as error:
        raise _naming(error, path) from None
    descriptor, temporary = _create_temporary(directory, os.path.basename(target), path)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if existing_mode is not None:
            os.chmod(temporary, existing_mode)
        os.replace(temporary, target)
    except BaseException as error:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        if isinstance(error, OSError):
            raise _naming(error, path) from None
        raise
    _sync_directory(directory)


def _create_temporary(directory: str, name: str, path: str | os.PathLike[str]) -> tuple[int, str]:
    """A new file `.name.XXXXXXXX.tmp` next to the target, for writing, mode 0o666 & ~umask."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(_ATTEMPTS):
        temporary = os.path.join(directory, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(temporary, flags, _NEW_FILE_MODE), temporary
        except FileExistsError:
            continue
        except OSError as error:
            raise _naming(error, path) from None
    raise FileExistsError(errno.EEXIST, "no free temporary file name next to it", os.fspath(path))


def _sync_directory(directory: str) -> None:
    """Flush the directory entry of the rename (POSIX); silently skipped where impossible."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _naming(error: OSError, path: str | os.PathLike[str]) -> OSError:
    """The same kind of error, about `path` (not a temporary file)."""
    if error.errno is None:
        return type(error)(f"{os.fspath(path)}: {error}")
    return type(error)(error.errno, error.strerror, os.fspath(path))
