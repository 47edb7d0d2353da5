"""Modes, per thread: `no_grad`, `enable_grad`, `set_grad_enabled`, `detect_anomaly`, and the
comparison observer `autograd.compile` uses while it traces.

Each thread has its own state. Each `with` block and each call of a decorated function saves and
restores the state of the thread it runs in, so one mode object may be entered by several threads
at once, and calls of a decorated function may overlap and finish in any order.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

Observer = Callable[[Any, str, Any, bool], None]
"""Told of every Value comparison `(value, symbol, other, outcome)`, e.g. a tracer's guard list."""


class _State(threading.local):
    """Each thread starts with grad recording on, anomaly detection off and no observer."""

    enabled: bool = True
    anomaly: bool = False
    observer: Observer | None = None


state = _State()
"""This thread's modes."""

entered = 0
"""How many mode blocks (and decorated calls, and observers) are active in all threads. While it
is 0 every thread is in the default state, and ops skip reading `state` (a thread-local read
costs each node ~100 ns, measured; this global is one module attribute lookup)."""
_counting = threading.Lock()

listeners: list[Callable[[], None]] = []
"""Called in a thread right after its grad or anomaly mode changes (the engine's fast paths
listen, so that they need not read the modes for each node)."""


def _count(change: int) -> None:
    global entered
    with _counting:
        entered += change


def is_grad_enabled() -> bool:
    """True when ops record the graph (the default)."""
    return state.enabled


def is_anomaly_enabled() -> bool:
    """True inside `detect_anomaly()`."""
    return state.anomaly


class _Mode:
    """Sets one field of this thread's state for a block, or for each call of a decorated
    function; the previous value is kept per thread and per entry, so entries nest and overlap."""

    _field = ""

    def __init__(self, value: bool) -> None:
        self._value = bool(value)
        self._saved = threading.local()

    def __enter__(self) -> None:
        stack = self._saved.__dict__.setdefault("stack", [])
        stack.append(getattr(state, self._field))
        _count(+1)
        setattr(state, self._field, self._value)
        for listener in listeners:
            listener()

    def __exit__(self, *exc_info: object) -> None:
        setattr(state, self._field, self._saved.stack.pop())
        _count(-1)
        for listener in listeners:
            listener()

    def __call__(self, function: F) -> F:
        """As a decorator: each call runs in a fresh copy of this mode (as PyTorch does)."""
        mode_type, value = type(self), self._value

        @functools.wraps(function)
        def in_mode(*args: Any, **kwargs: Any) -> Any:
            with mode_type._fresh(value):
                return function(*args, **kwargs)

        return in_mode  # type: ignore[return-value]

    @classmethod
    def _fresh(cls, value: bool) -> _Mode:
        fresh = cls.__new__(cls)
        _Mode.__init__(fresh, value)
        return fresh


class set_grad_enabled(_Mode):
    """Turn graph recording on or off for a block or a decorated function (this thread only)."""

    _field = "enabled"


class no_grad(set_grad_enabled):
    """Ops build no graph inside: results are leaves. Context manager and decorator."""

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Record the graph again, e.g. inside a `no_grad()` block."""

    def __init__(self) -> None:
        super().__init__(True)


class detect_anomaly(_Mode):
    """Raise `FloatingPointError` at the first non-finite value, forward or backward.

    The message names the op, its operand values and labels. Context manager and decorator.
    """

    _field = "anomaly"

    def __init__(self) -> None:
        super().__init__(True)


@contextmanager
def observing_comparisons(observer: Observer) -> Iterator[None]:
    """Tell `observer` of every Value comparison made by this thread inside the block."""
    saved = state.observer
    _count(+1)
    state.observer = observer
    try:
        yield
    finally:
        state.observer = saved
        _count(-1)
