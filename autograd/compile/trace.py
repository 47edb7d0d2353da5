"""Tracing a Python function on Values, and the guards that make its compiled code honest.

`compile(f)` runs `f` once on leaf Values and compiles the graph it built. Whatever `f` decided
from the numbers it saw must be checked again when the compiled code runs on other numbers:

- a comparison of Values (`if x > y:`) becomes a *guard*: the compiled code returns None when
  the comparison comes out the other way, and `f` is traced again for those inputs;
- reading a Value as a number — `float(x)`, `math.exp(x)` (which calls `float`), `int`, `round`,
  `.item()`, `repr`/`str`/`format` — becomes a guard that the Value still holds the number read
  (the guard names the operation and where `f` did it), so the code is re-traced when it would
  differ;
- `x.data` is an attribute, which nothing can watch: after the first trace `f` is traced again
  at other inputs (once with a large, once with a small change, when its guards allow), and if a
  constant of the graph moved with the inputs, compiling fails with `EscapeError`, naming the op
  the number went into. (`f` therefore runs two or three times when it is first compiled.)
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
import sys
import threading
from collections.abc import Callable, Sequence
from types import CodeType, FrameType
from typing import Any

from ..mode import enable_grad, observing_comparisons
from ..value import Value
from .code import CompiledGraph
from .graph import Graph

MAX_TRACES = 8
"""How many traces (one per combination of guard outcomes met) a compiled function keeps."""


class EscapeError(TypeError):
    """A number computed from a Value left the graph while a function was traced."""


class Guard:
    """A fact `f` relied on while it was traced: `left symbol right` came out as `outcome`.

    `note` says where it came from when it is not a plain comparison (a value read as a float).
    """

    __slots__ = ("left", "symbol", "right", "outcome", "note")

    def __init__(
        self, left: Value | float, symbol: str, right: Value | float, outcome: bool, note: str = ""
    ) -> None:
        self.left, self.symbol, self.right, self.outcome = left, symbol, right, outcome
        self.note = note

    def operands(self) -> list[Value]:
        return [x for x in (self.left, self.right) if isinstance(x, Value)]

    def key(self) -> tuple[Any, ...]:
        return (self.symbol, self.outcome, self.note)


# -- watching f while it runs ------------------------------------------------------------------

_READS = {
    "__float__": "float()",
    "__int__": "int()",
    "__index__": "use as an integer",
    "__round__": "round()",
    "__trunc__": "math.trunc()",
    "__floor__": "math.floor()",
    "__ceil__": "math.ceil()",
    "__complex__": "complex()",
    "__format__": "format()",
    "__repr__": "repr()/str()/formatting",
    "item": ".item()",
    "_repr_html_": "HTML display",
}
"""Value methods that hand out the number a Value holds, and how the user spelled the read."""


def _read_methods() -> dict[CodeType, str]:
    codes = {}
    for name, spelled in _READS.items():
        code = getattr(getattr(Value, name, None), "__code__", None)
        if code is not None:
            codes[code] = spelled
    return codes


def _safe(text: str) -> str:
    """`text` fit for a one-line comment in generated code (ASCII, escapes for the rest)."""
    return ascii(text)[1:-1]


class _Recorder:
    """Collects what the tracing thread's `f` relied on: comparisons of Values (from the
    engine's comparison hook) and reads of a Value's number (from a per-thread profile hook)."""

    def __init__(self) -> None:
        self.guards: list[Guard] = []
        self.thread = threading.get_ident()
        self.codes = _read_methods()
        self.c_calls: list[tuple[FrameType, Any]] = []
        self.reading: FrameType | None = None
        self.reads = 0

    def __call__(self, left: Value, symbol: str, right: Value | float, outcome: bool) -> None:
        if threading.get_ident() == self.thread and self.reading is None:
            self.guards.append(Guard(left, symbol, right, outcome))

    def profile(self, frame: FrameType, event: str, arg: Any) -> None:
        if event == "c_call":
            self.c_calls.append((frame, arg))
        elif event in ("c_return", "c_exception"):
            if self.c_calls:
                self.c_calls.pop()
        elif event == "call" and self.reading is None and frame.f_code in self.codes:
            self.reading = frame
        elif event == "return" and frame is self.reading:
            self.reading = None
            self._read(frame)

    def _read(self, frame: FrameType) -> None:
        node = frame.f_locals.get("self")
        if not isinstance(node, Value):
            return
        caller = frame.f_back
        spelled = self.codes[frame.f_code]
        if self.c_calls and caller is not None and self.c_calls[-1][0] is caller:
            function = self.c_calls[-1][1]
            module = getattr(function, "__module__", None)
            spelled = f"{module + '.' if module else ''}{getattr(function, '__name__', '?')}()"
        where = ""
        if caller is not None:
            where = f" at {caller.f_code.co_filename}:{caller.f_lineno}"
        note = _safe(f"{spelled}{where} read the number of a Value")
        self.reads += 1
        self.guards.append(Guard(node, "==", node.data, True, note))


def _run_traced(f: Callable[..., Any], leaves: list[Value]) -> tuple[Value, list[Guard], int]:
    """`f(*leaves)` with grad recording on, and what it relied on."""
    recorder = _Recorder()
    saved_profile = sys.getprofile()
    sys.setprofile(recorder.profile)  # per thread, like the comparison observer
    try:
        with observing_comparisons(recorder), enable_grad():
            output = f(*leaves)
    finally:
        sys.setprofile(saved_profile)
    if not isinstance(output, Value):
        output = Value(output)
    return output, recorder.guards, recorder.reads


def _same_facts(a: list[Guard], b: list[Guard]) -> bool:
    return len(a) == len(b) and all(x.key() == y.key() for x, y in zip(a, b))


def _check_no_escape(
    f: Callable[..., Any],
    floats: Sequence[float],
    output: Value,
    leaves: list[Value],
    guards: list[Guard],
) -> None:
    """Trace `f` again at other inputs; a constant that moved with them escaped the graph."""
    first = Graph([output])
    for scale in (0.125, 2.0**-20):
        moved = [x + scale * (abs(x) + 1.0) * (1.0 + k / 7.0) for k, x in enumerate(floats)]
        try:
            other_leaves = [Value(x, leaf.label) for x, leaf in zip(moved, leaves)]
            other_output, other_guards, _ = _run_traced(f, other_leaves)
        except (ValueError, ZeroDivisionError, OverflowError, ArithmeticError):
            continue
        if not _same_facts(guards, other_guards):
            continue
        second = Graph([other_output])
        difference = _first_difference(first, leaves, second, other_leaves)
        if difference is not None:
            raise EscapeError(
                f"compile: {_name_of(f)} read a number from a Value outside the graph (for "
                f"example `x.data`): {difference} when it is traced at other inputs, so the "
                "compiled code would be wrong there. Compute with the Value itself (x * 2, "
                "x.exp(), autograd.exp(x)); a comparison (x > 0) is fine: it becomes a guard"
            )
        return


def _first_difference(
    first: Graph, leaves: list[Value], second: Graph, other_leaves: list[Value]
) -> str | None:
    if len(first) != len(second):
        return f"the graph has {len(first)} nodes, but {len(second)}"
    inputs_first = {first.index[x]: k for k, x in enumerate(leaves) if x in first.index}
    inputs_second = {second.index[x]: k for k, x in enumerate(other_leaves) if x in second.index}
    for i in range(len(first)):
        op, parents = first.ops[i], first.parents[i]
        if op is not second.ops[i] or parents != second.parents[i]:
            return f"node {i} is {_op_name(op)}, but {_op_name(second.ops[i])}"
        if op is None and inputs_first.get(i) != inputs_second.get(i):
            return f"node {i} is an input in one trace only"
        if op is None and i not in inputs_first:
            a, b = first.nodes[i].data, second.nodes[i].data
            if a != b and not (math.isnan(a) and math.isnan(b)):
                users = [
                    _op_name(first.ops[j])
                    for j in range(i + 1, len(first))
                    if i in first.parents[j]
                ][:1]
                into = f" (an operand of {users[0]})" if users else ""
                return f"the constant {a!r}{into} becomes {b!r}"
    return None


def _op_name(op: Any) -> str:
    return "a leaf" if op is None else repr(op.name)


def _trace(f: Callable[..., Any], inputs: Sequence[float], names: list[str]) -> CompiledGraph:
    """Run `f` once on fresh leaf Values holding `inputs`; compile the graph and its guards."""
    leaves = [Value(x, label=name) for x, name in zip(inputs, names)]
    output, guards, reads = _run_traced(f, leaves)
    if not reads:
        _check_no_escape(f, inputs, output, leaves, guards)
    return CompiledGraph(output, leaves, guards, names, rebuild=f, labelled=False)


def _name_of(f: Callable[..., Any]) -> str:
    return getattr(f, "__qualname__", None) or repr(f)


class CompiledFunction:
    """`compile(f)`: `f` traced on Values and run as generated straight-line Python.

    `cf(*floats)` is f's value, `cf.value_and_grad(*floats)` the value and the tuple of partial
    derivatives, `cf.source` the code of the latest trace. `f` is traced at the first call; what
    it relied on becomes a guard (see the module's docstring), and a call whose inputs break a
    guard traces `f` again (the last `MAX_TRACES` traces are kept). Called with Values, `cf`
    is `f`.
    """

    def __init__(self, f: Callable[..., Any]) -> None:
        if not callable(f):
            raise TypeError(f"compile needs a function, got {type(f).__name__} {f!r}")
        self.f = f
        self.traces: list[CompiledGraph] = []
        self._lock = threading.Lock()
        functools.update_wrapper(self, f)

    def __repr__(self) -> str:
        return f"<compiled {_name_of(self.f)}: {len(self.traces)} trace(s)>"

    @property
    def source(self) -> str:
        """The generated `value_and_grad` code of the latest trace (call `cf` once first)."""
        if not self.traces:
            raise RuntimeError(f"{_name_of(self.f)} has not been traced yet: call it once first")
        return self.traces[0].source

    def _run(self, method: str, inputs: tuple[Any, ...]) -> Any:
        floats = [_argument(x) for x in inputs]
        traces = self.traces  # a snapshot: other threads may replace the list meanwhile
        for trace in traces:
            if trace.n_inputs != len(floats):
                raise TypeError(
                    f"{_name_of(self.f)} was compiled for {trace.n_inputs} "
                    f"arguments, got {len(floats)}"
                )
            result = getattr(trace, method)(*floats)
            if result is not None:
                if trace is not traces[0]:  # most recently used first
                    with self._lock:
                        self.traces = [trace, *(t for t in self.traces if t is not trace)]
                return result
        trace = _trace(self.f, floats, self._argument_names(len(floats)))
        with self._lock:
            self.traces = [trace, *self.traces[: MAX_TRACES - 1]]
        return getattr(trace, method)(*floats)

    def _argument_names(self, count: int) -> list[str]:
        try:
            parameters = list(inspect.signature(self.f).parameters.values())
        except (TypeError, ValueError):
            parameters = []
        names = [
            p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        return names[:count] if len(names) >= count else [f"x{i}" for i in range(count)]

    def __call__(self, *inputs: float) -> Any:
        """f's value at the floats `inputs`; with any Value among them, just `f(*inputs)`."""
        if any(isinstance(x, Value) for x in inputs):
            return self.f(*inputs)
        return self._run("__call__", inputs)

    def value_and_grad(self, *inputs: float) -> tuple[float, tuple[float, ...]]:
        """(f(*inputs), (∂f/∂input for each input)) on floats."""
        result: tuple[float, tuple[float, ...]] = self._run("value_and_grad", inputs)
        return result


def _argument(x: Any) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(
            f"a compiled function's argument must be a real number, got {type(x).__name__} {x!r}"
        )
    return float(x)


def compile(f: Callable[..., Any]) -> CompiledFunction:  # shadows the builtin in this module
    """`f` of float arguments, traced once on Values and run as straight-line Python.

    >>> import autograd
    >>> cf = autograd.compile(lambda x, y: (x * y).tanh())
    >>> cf(0.5, 2.0) == cf.value_and_grad(0.5, 2.0)[0]
    True
    """
    return CompiledFunction(f)
