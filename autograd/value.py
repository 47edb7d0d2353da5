"""The node of the computation graph, and backpropagation through it.

A `Value` holds one float (`data`), the gradient of the last backward pass (`grad`), the Values it
was computed from (its parents, in argument order, duplicates kept) and the primitive that
computed it (its op: a row of the table in `autograd.ops`). It keeps no closure: the local
derivatives ∂out/∂parent are evaluated from the op's one rule when the chain rule needs them.

Where the graph lives. A leaf (`Value(2.0)`, a parameter) is an object of its own. A computed
Value is an entry of a *tape*: flat lists of floats, ops and parent numbers, one entry per node,
appended in the order the nodes are made. Creation order is already a topological order, so
`backward` walks the tape from its end, with no graph search; and the tape holds no object per
node that Python's cycle collector would walk again and again (two such objects per node made the
default `gc` cost +184% on a 10⁶-node chain). The Value you hold for a computed node is a handle,
(tape, entry number); two handles of the same node are equal.

How a tape dies with its graph. Each thread appends to its own current tape and holds it only
weakly; every handle holds its tape. So a tape lives as long as some Value made on it (or a newer
tape that used one of its nodes), and reference counting frees it as soon as the last one is
dropped. `backward` closes the current tape, as does reaching `TAPE_LENGTH` entries: the next
node starts a new tape, and a node of an older tape used on a newer one is linked by an *import*
entry. A Value kept alive therefore keeps alive its own graph, plus at most the rest of the tapes
it lies on (nodes of other graphs made on the same tape).

Reading order: the node (`Value`: its numbers, operators and `backward`), the tape it lives on,
how a node is made (`apply` and its unrolled fast paths), the chain rule over the tapes. Then:
graph utilities, named methods (made from the op table), number validation and every error
message the engine writes.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import math
import operator
import threading
import weakref
from collections.abc import Callable, Sequence
from numbers import Real
from typing import TYPE_CHECKING, Any, TypeAlias

from . import mode
from .graph import backprop_order, reached_entries

if TYPE_CHECKING:
    from .ops import Op

_new = object.__new__


class Value:
    """A scalar in the computation graph: `Value(2.0, label='w')`.

    `data` is always a finite Python float (see docs/numbers.md for the opt-in to inf and nan);
    `grad` is ∂(output of the last backward)/∂(this value). Equality and hashing are by node
    (a leaf equals only itself; two handles of one computed node are equal); `< <= > >=`
    compare `data`.

    A leaf keeps its data, grad and label itself (`_tape` is None; `_index` is its entry on the
    tape numbered `_serial`, where it was entered last). A computed Value is entry `_index` of
    `_tape` (`_serial` is that tape's), and its data, grad and label live on the tape. One
    class for both: the hot paths read the same attributes of every input, and CPython's
    attribute caches stay specialized (two classes made `dot` ~1.5x slower, measured).
    """

    __slots__ = ("_tape", "_index", "_serial", "_data", "_grad", "_label")

    def __init__(self, data: float, label: str = "", *, allow_nonfinite: bool = False) -> None:
        if isinstance(data, Value):
            raise TypeError(
                f"Value(...) takes a number, got a Value {data!r}; use the Value itself or "
                "x.detach()"
            )
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__} {label!r}")
        self._tape: Tape | None = None
        self._index = 0
        self._serial = -1
        self._data = number(data, "Value data", finite=not allow_nonfinite)
        self._grad: Any = 0.0
        self._label = label

    @property
    def data(self) -> float:
        """The number this Value holds."""
        tape = self._tape
        return self._data if tape is None else tape.data[self._index]

    @data.setter
    def data(self, value: float) -> None:
        tape = self._tape
        if tape is None:
            self._data = value
            self._serial = -1  # graphs made from now on use the new number (a new tape entry)
        else:
            tape.data[self._index] = value

    @property
    def grad(self) -> Any:
        """∂(output of the last backward)/∂(this value)."""
        tape = self._tape
        if tape is None:
            return self._grad
        grads, i = tape.grads, self._index
        return grads[i] if i < len(grads) else 0.0

    @grad.setter
    def grad(self, value: Any) -> None:
        tape = self._tape
        if tape is None:
            self._grad = value
            return
        grads, i = tape.grads, self._index
        if i >= len(grads):
            grads.extend([0.0] * (i + 1 - len(grads)))
        grads[i] = value

    @property
    def label(self) -> str:
        """A name for pictures and messages ('' for none)."""
        tape = self._tape
        return self._label if tape is None else tape.labels.get(self._index, "")

    @label.setter
    def label(self, value: str) -> None:
        tape = self._tape
        if tape is None:
            self._label = value
        else:
            tape.labels[self._index] = value

    # -- arithmetic: each operator applies one row of the op table -----------------------------
    # `x + y` is `binary(ADD)(x, y)`, `2 + x` is `reflected(ADD)(x, 2)`, `-x` is `unary(NEG)(x)`:
    # the operators are set right after the op table is imported, at the end of this module.

    if TYPE_CHECKING:

        def __add__(self, other: Scalar) -> Value: ...
        def __radd__(self, other: float) -> Value: ...
        def __sub__(self, other: Scalar) -> Value: ...
        def __rsub__(self, other: float) -> Value: ...
        def __mul__(self, other: Scalar) -> Value: ...
        def __rmul__(self, other: float) -> Value: ...
        def __truediv__(self, other: Scalar) -> Value: ...
        def __rtruediv__(self, other: float) -> Value: ...
        def __rpow__(self, base: float) -> Value: ...
        def __neg__(self) -> Value: ...
        def __abs__(self) -> Value: ...

    def __pow__(self, exponent: Scalar) -> Value:
        if isinstance(exponent, Value):
            return binary(POW)(self, exponent)
        n = number(exponent, "exponent", finite=True)  # x**n: the power row bound to n
        return unary(POWER._bound.get((n,)) or POWER.bind(n=n))(self)

    def __pos__(self) -> Value:
        return self

    # -- backpropagation --------------------------------------------------------------------------

    def backward(self, grad: float = 1.0) -> None:
        """Backpropagate from this Value: every ancestor's `.grad` gets ∂self/∂ancestor · grad.

        The chain rule runs over the tapes from the newest entry to the oldest (creation order
        reversed is a topological order; any depth works). Leaf grads accumulate across calls,
        as in PyTorch: a pass sums each leaf's gradient from 0 and adds the total to what the
        leaf held (a total of 0 leaves it as it was, even -0.0), so calling `backward()` twice
        exactly doubles every leaf grad, bit for bit.
        Interior grads show the last pass that reached them. A node whose gradient is 0 passes
        nothing on (not even where its local derivative is infinite).
        """
        seed = number(grad, "grad", finite=True)
        if self._tape is None:  # a leaf: ∂self/∂self = 1
            self.grad += seed
            return
        backpropagate(self._tape, self._index, seed)

    # ---------------------------------------------------------------------------------------------
    # Below this line: what a node shows, comparisons, graph utilities, copying. The named methods
    # (`x.tanh()`, `x.exp()`, …) are not written here: `install_method` makes one per row of the
    # op table, so a new primitive gets its method by itself.
    # ---------------------------------------------------------------------------------------------

    if TYPE_CHECKING:  # the named methods installed from the op table

        def __getattr__(self, name: str) -> Callable[..., Value]: ...

    @property
    def _parents(self) -> tuple[Value, ...]:
        tape = self._tape
        if tape is None:
            return ()
        return tuple([tape.value(p) for p in tape.parents(self._index)])

    @property
    def _op(self) -> Op | None:
        tape = self._tape
        return None if tape is None else tape.ops[self._index]

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        tape = self._tape
        return (
            tape is not None
            and type(other) is Value
            and other._tape is tape
            and other._index == self._index
        )

    def __hash__(self) -> int:
        tape = self._tape
        return id(self) >> 4 if tape is None else hash((id(tape), self._index))

    @property
    def parents(self) -> tuple[Value, ...]:
        """The Values this one was computed from, in argument order (`a + a` has `(a, a)`)."""
        return self._parents

    @property
    def op(self) -> str:
        """The primitive that made this Value, as pictures show it: `'tanh'`, `'+'`, with a
        family's parameters `'**2'`, `'leaky_relu(0.2)'`; `''` for a leaf."""
        return self._op.title if self._op is not None else ""

    @property
    def operation(self) -> Op | None:
        """The row of the op table that made this Value (bound to its parameters), or None;
        `operation.name` is its key in `autograd.REGISTRY` (`'power'` for `x**2`)."""
        return self._op

    @property
    def is_leaf(self) -> bool:
        """True when this Value was not computed from others (an input, a parameter, a constant)."""
        return self._op is None

    def local_derivatives(self) -> tuple[float, ...]:
        """∂self/∂parent for each parent, as floats, from the op's rule."""
        if self._op is None:
            return ()
        return evaluate_rule(self, create_graph=False)

    def __repr__(self) -> str:
        text = f"Value(data={float_text(self.data)}, grad={float_text(self.grad)}"
        if self._op is not None:
            text += f", op={self._op.title!r}"
        if self.label:
            text += f", label={self.label!r}"
        return text + ")"

    def _repr_html_(self) -> str:
        """One line for notebooks: label, data, grad and op."""
        from html import escape

        cells = [
            f"<b>{escape(self.label)}</b>" if self.label else "",
            f"data {escape(format_number(self.data))}",
            f"grad {escape(format_number(self.grad))}",
        ]
        if self._op is not None:
            cells.append(f"op <code>{escape(self._op.title)}</code>")
        return f"<span class='glassgrad-value'>{' · '.join(c for c in cells if c)}</span>"

    def __float__(self) -> float:
        return self.data

    def item(self) -> float:
        """The float held, as `torch.Tensor.item()`."""
        return self.data

    # -- comparisons look at data (== and hash are by node, above) -------------------------------
    # `autograd.compile` records them as guards while it traces (mode.state.observer).

    def __lt__(self, other: Scalar) -> bool:
        outcome = self.data < _data_of(other)
        if mode.entered and mode.state.observer is not None:
            mode.state.observer(self, "<", other, outcome)
        return outcome

    def __le__(self, other: Scalar) -> bool:
        outcome = self.data <= _data_of(other)
        if mode.entered and mode.state.observer is not None:
            mode.state.observer(self, "<=", other, outcome)
        return outcome

    def __gt__(self, other: Scalar) -> bool:
        outcome = self.data > _data_of(other)
        if mode.entered and mode.state.observer is not None:
            mode.state.observer(self, ">", other, outcome)
        return outcome

    def __ge__(self, other: Scalar) -> bool:
        outcome = self.data >= _data_of(other)
        if mode.entered and mode.state.observer is not None:
            mode.state.observer(self, ">=", other, outcome)
        return outcome

    # -- graph utilities -------------------------------------------------------------------------

    def detach(self) -> Value:
        """A new leaf with the same data and label: gradients do not flow through it."""
        node = _leaf(self.data)
        node.label = self.label
        return node

    def draw(self, **options: Any) -> Any:
        """Shortcut for `autograd.draw_graph(self, **options)` (a graphviz.Digraph)."""
        from .draw import draw_graph

        return draw_graph(self, **options)

    def view(self, **options: Any) -> Any:
        """Shortcut for `autograd.view(self, **options)`: the interactive page of this graph."""
        from importlib import import_module

        return import_module(".viewer", __package__).view(self, **options)

    # -- copying: iterative, so graphs of any depth copy and pickle -------------------------------

    def __copy__(self) -> Value:
        """A new node with the same data, grad, label, op and parents (the parents are shared)."""
        op = self._op
        copy = _leaf(self.data) if op is None else record(op, self._parents, self.data)
        copy.grad, copy.label = self.grad, self.label
        return copy

    def __deepcopy__(self, memo: dict[int, Any]) -> Value:
        """A copy of the whole graph reaching this Value (shared nodes stay shared)."""
        for node in parents_first(self):
            if _key(node) not in memo:
                op = node._op
                if op is None:
                    copy = _leaf(node.data)
                else:
                    parents = tuple(memo[_key(parent)] for parent in node._parents)
                    copy = record(op, parents, node.data)
                copy.grad, copy.label = node.grad, node.label
                memo[_key(node)] = copy
        copied: Value = memo[_key(self)]
        return copied

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle the graph as a flat list of nodes (no recursion, any depth).

        Ops are stored by name and parameters and looked up in the op table when loaded, so a
        user primitive must be registered again first. Each pickled Value carries its own graph:
        two Values pickled separately no longer share their common nodes when loaded.
        """
        nodes = parents_first(self)
        index = {node: i for i, node in enumerate(nodes)}
        records = [
            (
                node.data,
                node.grad,
                node.label,
                None if node._op is None else (node._op.name, tuple(node._op.params.items())),
                tuple(index[parent] for parent in node._parents),
            )
            for node in nodes
        ]
        return (_rebuild, (records,))


# -- the tape: where computed nodes live -----------------------------------------------------------


TAPE_LENGTH = 65_536
"""Entries per tape before a new one starts. Bounds what a live Value can keep alive beyond its
own graph: the other entries of the tapes it lies on."""


class Tape:
    """The nodes one thread made one after another: entry i is the i-th.

    `data[i]` is its float, `ops[i]` its op, `x[i]` and `y[i]` the entry numbers of its first
    and second input (-1: none; an op of more inputs keeps them all in `inputs[i]`). An entry
    whose op is None was not computed here: a leaf the caller holds (`leaves[i]`), a node of
    an older tape (`imports[i] = (tape, entry)`) or a number used as an operand (a constant).
    `grads` holds the gradients of the last backward pass through this tape, `labels` the labels
    given to its nodes.

    Lists of floats and ints, not an object per node: the cycle collector sees a handful of
    lists, whatever the size of the graph.
    """

    __slots__ = (
        "serial", "data", "ops", "x", "y", "inputs", "leaves", "imports", "imported", "labels",
        "grads", "__weakref__",
    )  # fmt: skip

    def __init__(self, serial: int) -> None:
        self.serial = serial  # newer tapes have larger serials; imports point to smaller ones
        self.data: list[float] = []
        self.ops: list[Op | None] = []
        self.x: list[int] = []
        self.y: list[int] = []
        self.inputs: dict[int, tuple[int, ...]] = {}
        self.leaves: dict[int, Value] = {}
        self.imports: dict[int, tuple[Tape, int]] = {}
        self.imported: dict[tuple[int, int], int] = {}  # (serial, entry) there → entry here
        self.labels: dict[int, str] = {}
        self.grads: list[Any] = []

    def __len__(self) -> int:
        return len(self.data)

    def parents(self, i: int) -> tuple[int, ...]:
        """The entry numbers of node i's inputs, in argument order."""
        if self.ops[i] is None:
            return ()
        y = self.y[i]
        if y >= 0:
            return (self.x[i], y)
        x = self.x[i]
        return (x,) if x >= 0 else self.inputs[i]

    def value(self, i: int) -> Value:
        """The Value of entry i: the caller's leaf, the imported node, or a handle."""
        leaf = self.leaves.get(i)
        if leaf is not None:
            return leaf
        found = self.imports.get(i)
        if found is not None:
            return found[0].value(found[1])
        node: Value = _new(Value)
        node._tape = self
        node._index = i
        node._serial = self.serial
        return node


# -- making nodes: the thread's tape, entering inputs, the hot paths ------------------------------


def _no_tape() -> None:
    return None


class _Recording(threading.local):
    """This thread's current tape, held weakly (dead until the thread's first node); `fast` is
    the same while the thread records plainly, and dead under `no_grad()` or `detect_anomaly()`:
    so the fast paths (`binary`, `unary`, `variadic`, through `_last` when they can) learn both
    from one call, and leave the rest to `apply`'s general path (reading the modes cost each
    node ~10–20 ns of its ~370, measured)."""

    current: Callable[[], Tape | None] = staticmethod(_no_tape)
    fast: Callable[[], Tape | None] = staticmethod(_no_tape)


_recording = _Recording()
_serials = itertools.count()

_last: tuple[int, Callable[[], Tape | None]] = (0, _no_tape)
"""(thread, its `fast`) for the thread that last started a tape or changed a mode: the fast paths
of that thread read its tape here, by comparing thread ids, instead of through the thread-local
`_recording` (~25 ns less a node, measured); any other thread reads `_recording`. The pair is
one object, replaced whole, so a running thread never takes another's tape for its own (a new
thread that gets the id of one that ended may continue the ended thread's tape: still one thread
appending to it)."""
_thread_id = threading.get_ident


def new_tape() -> Tape:
    """Close this thread's current tape: a new one, newer than every tape, becomes current."""
    tape = Tape(next(_serials))
    _recording.current = weakref.ref(tape)
    _modes_changed()
    return tape


def _modes_changed() -> None:
    """Give the fast paths this thread's tape, or none while a mode needs the general path."""
    global _last
    plain = mode.state.enabled and not mode.state.anomaly
    _recording.fast = fast = _recording.current if plain else _no_tape
    _last = (_thread_id(), fast)


mode.listeners.append(_modes_changed)


def current_tape() -> Tape:
    """This thread's tape for the next node (a new one if there is none or it is full)."""
    tape = _recording.current()
    if tape is None or len(tape.data) >= TAPE_LENGTH:
        tape = new_tape()
    return tape


def enter(inputs: tuple[Scalar, ...]) -> tuple[Tape, tuple[int, ...]]:
    """This thread's current tape and the entry numbers of `inputs` on it, appending entries
    where needed: a leaf once per tape while its data is unchanged (a changed leaf gets a new
    entry: the graph keeps the number it was computed from), a node of another tape once, a
    number (a constant: finite, see docs/numbers.md) each time, with no object of its own.

    If an input lies on a tape newer than the current one (made by another thread), a new
    current tape is started, so imports always point from newer tapes to older ones.
    """
    tape = current_tape()
    try:
        return tape, entries_on(tape, inputs)
    except _NewerTape:
        new_tape()
        return enter(inputs)


def entries_on(tape: Tape, inputs: tuple[Scalar, ...]) -> tuple[int, ...]:
    """The entry numbers of `inputs` on `tape`, appending entries where needed (see `enter`;
    raises `_NewerTape` for a node of a newer tape)."""
    serial = tape.serial
    try:  # the common case at list-comprehension speed: every input already on this tape
        return tuple([x._index if x._serial == serial else _not_entered() for x in inputs])  # type: ignore[union-attr]
    except (AttributeError, _NotEntered):  # a number, or an input not entered here yet
        return _add_entries(tape, inputs)


class _NotEntered(Exception):
    """An input is not on the tape yet: `entries_on` leaves its fast path (raising, rather than
    marking the input and searching the entries for the mark: a dot of 16 pairs, −210 ns)."""


def _not_entered() -> int:
    raise _NotEntered


def constant(tape: Tape, x: float) -> int:
    """Append a number used as an operand to `tape` (finite: docs/numbers.md); its entry."""
    return _push(tape, number(x, "operand", finite=True))


def _push(tape: Tape, value: float) -> int:
    """Append an entry that holds `value` and was not computed here; its number."""
    data = tape.data
    data.append(value)
    tape.ops.append(None)
    tape.x.append(-1)
    tape.y.append(-1)
    return len(data) - 1


class _NewerTape(Exception):
    """An input lies on a tape newer than the current one (`enter` starts a new one)."""


def _add_entries(tape: Tape, inputs: tuple[Scalar, ...]) -> tuple[int, ...]:
    """The entry numbers of `inputs` on `tape`, appending an entry for each one not there yet
    (raises `_NewerTape` for a node of a newer tape)."""
    serial, data, leaves = tape.serial, tape.data, tape.leaves
    entries = []
    for x in inputs:
        if not isinstance(x, Value):
            value = number(x, "operand", finite=True)  # a constant
        elif x._serial == serial:  # on this tape already
            entries.append(x._index)
            continue
        elif x._tape is None:  # a leaf
            value = x._data
            leaves[len(data)] = x
            x._serial, x._index = serial, len(data)
        else:  # a node of another, older tape
            source, j = x._tape, x._index
            if source.serial > serial:
                raise _NewerTape
            found = tape.imported.get((source.serial, j))
            if found is not None:
                entries.append(found)
                continue
            tape.imports[len(data)] = (source, j)
            tape.imported[source.serial, j] = len(data)
            value = source.data[j]
        entries.append(_push(tape, value))
    return tuple(entries)


def apply(op: Op, *inputs: Scalar) -> Value:
    """Apply primitive `op` to Values (and numbers, as constants): compute its float forward
    and append the node to a tape.

    Under `no_grad()` the result is a leaf. Domain errors name the op, the inputs and labels.
    """
    if isinstance(inputs[0], Value):
        if len(inputs) == 2:
            return binary(op)(inputs[0], inputs[1])
        if len(inputs) == 1:
            return unary(op)(inputs[0])
    return variadic(op)(inputs)


def _apply(op: Op, inputs: tuple[Scalar, ...]) -> Value:
    """`apply`'s general path: any number of inputs, in any mode."""
    if mode.entered and not mode.state.enabled:
        return _leaf(_forward(op, inputs))
    tape, args = enter(inputs)
    return _compute(op, tape, args, inputs)


def apply_rows(op: Op, rows: Sequence[Sequence[Scalar]], shared: Sequence[Scalar]) -> list[Value]:
    """`[apply(op, *row, *shared) for row in rows]`, finding the entries of `shared` once: a
    matrix-vector product is one `dot` per row over the same vector (digits' MLP: ~25% faster)."""
    if mode.entered and not mode.state.enabled or not rows:
        return [apply(op, *row, *shared) for row in rows]
    shared = tuple(shared)
    tape, shared_entries = enter(shared)
    results = []
    for row in rows:
        row_tape, row_entries = enter(tuple(row))
        while row_tape is not tape:  # a new tape was started: enter the vector there too
            tape, shared_entries = enter(shared)
            row_tape, row_entries = enter(tuple(row))
        results.append(_compute(op, tape, row_entries + shared_entries, row, shared))
    return results


def _compute(op: Op, tape: Tape, args: tuple[int, ...], *operands: Sequence[Scalar]) -> Value:
    """The node op(entries `args`) of `tape`, its forward computed from their data; `operands`
    (the inputs, in parts) only name them in an error."""
    try:
        result = op.forward(*gather(tape.data, args))
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        raise domain_error(op, tuple(itertools.chain(*operands)), error) from None
    if mode.entered and mode.state.anomaly and not math.isfinite(result):
        raise forward_anomaly(op, tuple(itertools.chain(*operands)), result)
    return _append(tape, result, op, args)


def gather(data: list[float], entries: tuple[int, ...]) -> tuple[float, ...]:
    """`data[i]` for each entry, as a tuple (itemgetter: ~2x faster than a comprehension)."""
    if len(entries) == 1:
        return (data[entries[0]],)
    found: tuple[float, ...] = operator.itemgetter(*entries)(data)
    return found


def record(op: Op, inputs: tuple[Value, ...], data: float) -> Value:
    """A node of op over `inputs` holding `data`, without running the forward (copy, unpickle)."""
    tape, args = enter(inputs)
    return _append(tape, data, op, args)


def _append(tape: Tape, data: float, op: Op, args: tuple[int, ...]) -> Value:
    """Append the node op(entries `args`) holding `data` to `tape`; its handle."""
    node: Value = _new(Value)
    node._tape = tape
    node._index = i = len(tape.data)
    node._serial = tape.serial
    tape.data.append(data)
    tape.ops.append(op)
    if len(args) <= 2:
        tape.x.append(args[0] if args else -1)
        tape.y.append(args[1] if len(args) == 2 else -1)
    else:
        tape.x.append(-1)
        tape.y.append(-1)
        tape.inputs[i] = args
    return node


def _forward(op: Op, inputs: tuple[Scalar, ...]) -> float:
    """op's float forward on the inputs' data (no node), with the engine's domain errors."""
    floats = [x.data if isinstance(x, Value) else number(x, "operand", finite=True) for x in inputs]
    try:
        result: float = op.forward(*floats)
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        raise domain_error(op, inputs, error) from None
    if mode.state.anomaly and not math.isfinite(result):
        raise forward_anomaly(op, inputs, result)
    return result


# The hot path: `x * y`, `x.tanh()`. For a primitive of one or two inputs, `binary(op)` and
# `unary(op)` are `apply` unrolled, made once per op: each input's entry is found inline (a node
# of the current tape, or a leaf already entered there), and the operators *are* these functions,
# with no call in between (measured with timeit, CPython 3.11: ~390 ns per `x * w` against ~470
# through a shared `apply`).


@functools.cache
def binary(op: Op) -> Callable[[Value, Scalar], Value]:
    """`apply` of a two-input `op`, as a function `(x, y) → node` (y may be a number)."""
    forward = op.forward

    def apply_binary(x: Value, y: Scalar) -> Value:
        thread, fast = _last
        tape = fast() if thread == _thread_id() else _recording.fast()
        if tape is None:  # no tape yet, no_grad(), detect_anomaly()
            return _apply(op, (x, y))
        serial = tape.serial
        i = x._index if x._serial == serial else -1
        if isinstance(y, Value):
            j = y._index if y._serial == serial else -1
        else:  # a number (not `try`: raising AttributeError costs ~0.5 µs)
            j = -2
        if i < 0 or j == -1:  # a leaf not entered yet, a node of another tape
            try:
                i, j = _add_entries(tape, (x, y))
            except _NewerTape:
                return _apply(op, (x, y))
        elif j == -2:
            j = constant(tape, y)  # type: ignore[arg-type]
        data = tape.data
        try:
            result = forward(data[i], data[j])
        except (ValueError, ZeroDivisionError, OverflowError) as error:
            raise domain_error(op, (x, y), error) from None
        n = len(data)
        if n >= TAPE_LENGTH:
            new_tape()  # this node is the tape's last
        data.append(result)
        tape.ops.append(op)
        tape.x.append(i)
        tape.y.append(j)
        node: Value = _new(Value)
        node._tape = tape
        node._index = n
        node._serial = serial
        return node

    return apply_binary


@functools.cache
def unary(op: Op) -> Callable[[Value], Value]:
    """`apply` of a one-input `op`, as a function `x → node` (see `binary`)."""
    forward = op.forward

    def apply_unary(x: Value) -> Value:
        thread, fast = _last
        tape = fast() if thread == _thread_id() else _recording.fast()
        if tape is None:  # no tape yet, no_grad(), detect_anomaly()
            return _apply(op, (x,))
        serial = tape.serial
        if x._serial == serial:
            i = x._index
        else:
            try:
                (i,) = _add_entries(tape, (x,))
            except _NewerTape:
                return _apply(op, (x,))
        data = tape.data
        try:
            result = forward(data[i])
        except (ValueError, ZeroDivisionError, OverflowError) as error:
            raise domain_error(op, (x,), error) from None
        n = len(data)
        if n >= TAPE_LENGTH:
            new_tape()
        data.append(result)
        tape.ops.append(op)
        tape.x.append(i)
        tape.y.append(-1)
        node: Value = _new(Value)
        node._tape = tape
        node._index = n
        node._serial = serial
        return node

    return apply_unary


@functools.cache
def variadic(op: Op) -> Callable[[tuple[Scalar, ...]], Value]:
    """`apply` of `op` to any number of inputs, as a function `inputs → node` (see `binary`):
    `dot` and `sum` skip the general path's calls (a dot of two pairs: 1.56 → ~1.3 µs)."""

    def apply_variadic(inputs: tuple[Scalar, ...]) -> Value:
        thread, fast = _last
        tape = fast() if thread == _thread_id() else _recording.fast()
        if tape is None:  # no tape yet, no_grad(), detect_anomaly()
            return _apply(op, inputs)
        try:
            args = entries_on(tape, inputs)
        except _NewerTape:
            return _apply(op, inputs)
        node = _compute(op, tape, args, inputs)
        if node._index >= TAPE_LENGTH:
            new_tape()  # this node is the tape's last
        return node

    return apply_variadic


def reflected(op: Op) -> Callable[[Value, float], Value]:
    """`other op x` for a number `other` and a Value x (`2 * x` calls `x.__rmul__(2)`)."""
    combine = binary(op)

    def apply_reflected(x: Value, other: float) -> Value:
        if mode.entered and not mode.state.enabled:
            return _leaf(_forward(op, (other, x)))
        tape = current_tape()
        return combine(tape.value(constant(tape, other)), x)

    return apply_reflected


# -- the chain rule over the tapes --------------------------------------------------------------


def backpropagate(root_tape: Tape, root: int, seed: float) -> None:
    """The chain rule from entry `root` of `root_tape`: tapes newest first, each from its last
    entry to its first, so a node's gradient is complete when it is reached; then each leaf's
    total is added to its `.grad`. A leaf's or an imported node's running total is carried from
    tape to tape, so its terms are added in the same order as on one tape (the bits do not
    depend on where tapes begin)."""
    if _recording.current() is root_tape:
        new_tape()  # closed: the next graph (say, the next training step) starts a new tape
    anomaly = bool(mode.entered and mode.state.anomaly)
    gradients = {root_tape: [0.0] * len(root_tape.data)}
    gradients[root_tape][root] += seed  # as `steps()` seeds: 0 + seed (so -0.0 gives 0.0)
    starts = {root_tape: [root]}  # per tape: the entries the pass enters it by
    pending = [(-root_tape.serial, root_tape)]
    # The leaves reached and their gradients so far. A reached leaf is marked by setting its
    # entry cache (`_serial`, `_index`) to (this pass, its place in `sums`): a list and two
    # attributes instead of dicts by id (wide_sum, 2·10⁶ leaves: 2.5 s → 0.75 s of backward). The
    # cache is reset after the pass, so the next graph enters the leaf anew.
    marker, owners, sums = next(_passes), list[Value](), list[float]()
    while pending:
        tape = heapq.heappop(pending)[1]
        g = gradients[tape]
        if owners:  # a leaf met on a newer tape carries its running total into its entry here
            for i, leaf in tape.leaves.items():
                if leaf._serial == marker:
                    g[i], sums[leaf._index] = sums[leaf._index], 0.0
        _carry_imports_in(tape, g, gradients)
        chain_rule(tape, g, max(starts[tape]), anomaly)
        reached = _keep_grads(tape, g, starts[tape])
        for i, leaf in tape.leaves.items():
            if g[i]:
                if leaf._serial == marker:
                    sums[leaf._index] += g[i]
                else:
                    leaf._serial, leaf._index = marker, len(sums)
                    owners.append(leaf)
                    sums.append(g[i])
        _follow_imports(tape, g, reached, starts, gradients, pending)
    for leaf, total in zip(owners, sums):
        leaf._grad = leaf._grad + total
        leaf._serial = -1


_passes = itertools.count(-2, -1)  # markers of backward passes (never a tape serial, nor -1)


def _carry_imports_in(tape: Tape, g: list[float], gradients: dict[Tape, list[float]]) -> None:
    """Move the running totals newer tapes gave `tape`'s imported nodes into their entries here:
    this tape adds its terms to them, and `_follow_imports` moves them back (adding the terms
    here into a sum of their own first would round differently from one long tape)."""
    source_before: Tape | None = None
    target: list[float] | None = None
    for i, (source, j) in tape.imports.items():
        if source is not source_before:  # imports come in runs from one tape
            source_before, target = source, gradients.get(source)
        if target is not None and target[j]:
            g[i], target[j] = target[j], 0.0


def _follow_imports(
    tape: Tape,
    g: list[float],
    reached: bytearray | None,
    starts: dict[Tape, list[int]],
    gradients: dict[Tape, list[float]],
    pending: list[tuple[int, Tape]],
) -> None:
    """Pass the gradients of `tape`'s imported nodes on to the older tapes they come from."""
    source_before: Tape | None = None
    for i, (source, j) in tape.imports.items():
        if not g[i]:  # a zero is followed only to reset the grads an earlier pass left there
            if not source.grads:
                continue
            reached = reached or reached_entries(tape, starts[tape])
            if not reached[i]:
                continue
        if source is not source_before:  # imports come in runs from one tape
            if source not in gradients:
                gradients[source] = [0.0] * len(source.data)
                starts[source] = []
                heapq.heappush(pending, (-source.serial, source))
            source_before, target, entered_at = source, gradients[source], starts[source]
        entered_at.append(j)
        target[j] += g[i]


def _keep_grads(tape: Tape, g: list[float], starts: list[int]) -> bytearray | None:
    """Make `g` the interior grads `tape` shows. Where an earlier pass ran, its grads of nodes
    this pass cannot reach are kept (found by marking, only then): returns those marks."""
    if not tape.grads:
        tape.grads = g
        return None
    reached = reached_entries(tape, starts)
    earlier = tape.grads
    tape.grads = [new if reached[i] else old for i, (new, old) in enumerate(zip(g, earlier))]
    tape.grads += g[len(earlier) :]
    return reached


def chain_rule(tape: Tape, g: list[float], top: int, anomaly: bool) -> None:
    """Entries `top` down to 0 of `tape`: add ∂node/∂parent · g[node] to each parent's g."""
    data, ops, xs, ys = tape.data, tape.ops, tape.x, tape.y
    i = top
    try:
        for i in range(top, -1, -1):
            upstream = g[i]
            if upstream == 0.0:
                continue
            op = ops[i]
            if op is None:
                continue
            p, q = xs[i], ys[i]
            local = op.constant_derivatives  # x + y: (1, 1), with no call
            if q >= 0:  # unrolled for one and two inputs: the hot path of training
                if local is not None:
                    dp, dq = local
                elif op.swaps:  # x·y: ∂/∂x = y, ∂/∂y = x, with no call
                    dp, dq = data[q], data[p]
                else:
                    dp, dq = op.derivative(data[i], data[p], data[q])
                g[p] += dp * upstream
                g[q] += dq * upstream
            elif p >= 0:
                (dp,) = local or op.derivative(data[i], data[p])
                g[p] += dp * upstream
            elif op.swaps:  # dot: ∂/∂xₖ = yₖ, ∂/∂yₖ = xₖ, with no call
                parents = tape.inputs[i]
                half = len(parents) // 2
                for p, q in zip(parents, parents[half:] + parents[:half]):
                    g[p] += data[q] * upstream
            else:
                parents = tape.inputs[i]
                local = op.derivative(data[i], *gather(data, parents))
                for p, derivative in zip(parents, local):
                    g[p] += derivative * upstream
            if anomaly:
                node = tape.value(i)
                check_backward(node, node.local_derivatives(), [g[p] for p in tape.parents(i)])
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        node = tape.value(i)
        raise domain_error(node._op, node._parents, error, of_derivative=True) from None  # type: ignore[arg-type]


def parents_first(root: Value) -> list[Value]:
    """Every Value reaching `root` once, each after its parents (creation order: the leaves and
    constants are placed before their first use)."""
    order: list[Value] = []
    placed: set[Value] = set()
    for node in reversed(backprop_order(root)):
        for parent in node._parents:
            if parent._op is None and parent not in placed:
                placed.add(parent)
                order.append(parent)
        order.append(node)
    if root._op is None:
        order.append(root)
    return order


def _key(node: Value) -> Any:
    """What identifies a node (a leaf is an object, a computed node an entry of a tape)."""
    return id(node) if node._tape is None else (id(node._tape), node._index)


Scalar: TypeAlias = Value | float
"""A number or a Value: what the engine's functions take."""


def _rebuild(records: list[tuple[Any, ...]]) -> Value:
    """The graph `Value.__reduce__` flattened; returns its root (the last record)."""
    from .ops import REGISTRY

    nodes: list[Value] = []
    for data, grad, label, op, parents in records:
        if op is None:
            node = _leaf(number(data, "pickled data"))
        else:
            name, params = op
            if name not in REGISTRY:
                raise ValueError(
                    f"cannot unpickle a Value made by {name!r}: no such primitive "
                    "(register it with autograd.primitive first)"
                )
            row = REGISTRY[name].bind(**dict(params))
            node = record(row, tuple(nodes[i] for i in parents), number(data, "pickled data"))
        node.grad = number(grad, "pickled grad")
        node.label = str(label)
        nodes.append(node)
    return nodes[-1]


# -- the chain rule's local factors and the bookkeeping of a pass ---------------------------------


def start_pass(root: Value) -> tuple[list[Value], list[tuple[Value, float]]]:
    """For stepping through a pass one term at a time (`autograd.steps`): the backprop order
    from `root`, the gradients of the tapes it runs over reset, and its leaves' grads set aside
    (a leaf then sums this pass from 0): (order, what was set aside, for `end_pass`)."""
    order = backprop_order(root)
    for node in order:
        node.grad = 0.0
    held = []
    placed: set[Value] = set()
    for node in order:
        for parent in node._parents:
            if parent._tape is not None and parent._op is None:
                parent.grad = 0.0  # a constant: its grad, like an interior one, shows this pass
            elif parent._tape is None and parent not in placed:
                placed.add(parent)
                if parent.grad or math.copysign(1.0, parent.grad) < 0.0:  # -0.0 too
                    held.append((parent, parent.grad))
                    parent.grad = 0.0
    return order, held


def end_pass(held: list[tuple[Value, float]]) -> None:
    """Add back the leaf grads `start_pass` set aside: one addition per leaf (g + g is exact),
    none where this pass's total is 0 (as `backward`, which keeps even a -0.0 then)."""
    for leaf, before in held:
        total = leaf.grad
        leaf.grad = before + total if total else before


def evaluate_rule(node: Value, create_graph: bool) -> tuple[Any, ...]:
    """∂node/∂parent for each parent of `node`, from its op's rule.

    On floats by default; on Values (connected to the graph) with `create_graph=True`.
    """
    op = node._op
    assert op is not None, "evaluate_rule of a leaf"
    parents = node._parents
    try:
        if create_graph:
            return op.derivative(node, *parents)
        return op.derivative(node.data, *[parent.data for parent in parents])
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        raise domain_error(op, parents, error, of_derivative=True) from None


# -- named methods, made from the op table ---------------------------------------------------------

_installed: dict[str, Callable[..., Value]] = {}


def install_method(name: str, op: Op | None) -> None:
    """Make `Value.<name>` apply `op` (None: remove the method made earlier for `name`).

    Only for a plain name that Value does not already use for something else (a primitive named
    `backward` gets no method) and for an op of fixed arity.
    """
    if not name.isidentifier() or name.startswith("_"):
        return
    current = Value.__dict__.get(name)
    if current is not None and _installed.get(name) is not current:
        return
    if op is None or op.arity is None:
        if name in _installed:
            delattr(Value, name)
            del _installed[name]
        return
    method = _method(op)
    setattr(Value, name, method)
    _installed[name] = method


def _method(op: Op) -> Callable[..., Value]:
    def general(self: Value, *others: Any, **params: float) -> Value:
        result = op(self, *others, **params)
        assert isinstance(result, Value)
        return result

    method = unary(op) if op.arity == 1 and not op.params else general
    rules = ", ".join(text.format(out="out", x="x", y="y", other="other") for text in op.notation)
    method.__name__ = op.name
    method.__qualname__ = f"Value.{op.name}"
    method.__doc__ = f"{op.doc}; local derivative {rules} (row {op.name!r} of the op table)."
    return method


# -- numbers: the one validator, the one formatter -----------------------------------------------


def number(x: Any, what: str, *, finite: bool = False) -> float:
    """float(x) for a real number (not a bool); a TypeError saying what was given otherwise.

    With `finite=True`, inf and nan are refused with a ValueError naming `what`.
    """
    if type(x) is float:
        result: float = x
    elif isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"{what} must be a real number, got {type(x).__name__} {_short_repr(x)}")
    else:
        try:
            result = float(x)
        except OverflowError:
            raise ValueError(f"{what} is too large for a float: {_short_repr(x)}") from None
    if finite and result - result != 0.0:  # inf - inf and nan - nan are nan
        raise ValueError(
            f"{what} must be a finite number, got {result!r}"
            + (
                "; pass allow_nonfinite=True to hold inf or nan (docs/numbers.md)"
                if what == "Value data"
                else ""
            )
        )
    return result


_number = number  # the name the compiled-code module uses


def _short_repr(x: Any) -> str:
    """repr(x), cut to 80 characters (a 5,000-digit number is not printed whole)."""
    try:
        text = repr(x)
    except ValueError:  # an int too long for str(): Python refuses to print it
        return f"<{type(x).__name__} of {x.bit_length()} bits>" if isinstance(x, int) else "<?>"
    return text if len(text) <= 80 else text[:60] + f"… ({len(text)} characters)"


def format_number(x: float) -> str:
    """Four significant digits: 0.7616, -3, 1e-05 (as `explain`, pictures and repr show them)."""
    return f"{x:.4g}"


def float_text(x: float) -> str:
    """`format_number`, always looking like a float (as `repr` shows it): 0.7616, 2.0, 1e-05."""
    text = format_number(x)
    return text if any(c in text for c in ".enai") else text + ".0"


def as_value(x: Scalar) -> Value:
    """`x` itself if it is a Value, else a new constant leaf holding float(x) (finite)."""
    if isinstance(x, Value):
        return x
    return _leaf(number(x, "operand", finite=True))


def _leaf(data: float) -> Value:
    node = _new(Value)
    node._tape = None
    node._index = 0
    node._serial = -1
    node._data = data
    node._grad = 0.0
    node._label = ""
    return node


def _data_of(x: Scalar) -> float:
    return x.data if isinstance(x, Value) else number(x, "comparison operand")


# -- error text: domain errors and anomalies ------------------------------------------------------


def domain_error(
    op: Op, inputs: tuple[Scalar, ...], error: Exception, of_derivative: bool = False
) -> Exception:
    """The same kind of error, with a message naming the op, its operand values and labels.

    `of_derivative`: the forward was fine but the local derivative is not finite there
    (√x at 0, xⁿ with n < 1 at 0).
    """
    where = f"{op.title}({describe_operands(inputs)})"
    if of_derivative:
        return type(error)(f"the derivative of {where} is not finite there ({error})")
    if isinstance(error, OverflowError):
        reason = "the result is too large for a float"
    elif op.domain:
        reason = f"needs {op.domain}"
    else:
        reason = str(error)
    return type(error)(f"{where}: {reason}")


def describe_operands(inputs: tuple[Scalar, ...]) -> str:
    """`x=-1.0 'a', y=2.0`: operand values and labels, named x, y (or x1, x2, … for more)."""
    names = ("x", "y") if len(inputs) <= 2 else [f"x{i}" for i in range(1, len(inputs) + 1)]
    parts = []
    for name, value in zip(names, inputs):
        if not isinstance(value, Value):  # a constant (checked by then: a real number)
            parts.append(f"{name}={float(value)!r}")
            continue
        label = f" {value.label!r}" if value.label else ""
        parts.append(f"{name}={value.data!r}{label}")
    return ", ".join(parts)


def forward_anomaly(op: Op, inputs: tuple[Scalar, ...], data: float) -> FloatingPointError:
    """`detect_anomaly`'s error for a forward pass that produced inf or nan."""
    return FloatingPointError(
        f"detect_anomaly: {op.title}({describe_operands(inputs)}) returned {data!r}"
    )


def check_backward(node: Value, local: tuple[float, ...], parent_grads: list[float]) -> None:
    """Under `detect_anomaly`: raise if the chain-rule step through `node` made inf or nan
    (`parent_grads`: the gradients of its parents so far in this pass)."""
    title = node._op.title if node._op is not None else ""
    where = f"{title}({describe_operands(node.parents)})"
    if node.label:
        where += f" -> {node.label!r}"
    for index, (derivative, grad) in enumerate(zip(local, parent_grads)):
        if not math.isfinite(derivative):
            raise FloatingPointError(
                f"detect_anomaly: backward through {where}: local derivative for input "
                f"{index} is {derivative!r}"
            )
        if not math.isfinite(grad):
            raise FloatingPointError(
                f"detect_anomaly: backward through {where}: gradient of input {index} "
                f"became {grad!r}"
            )


# The op table imports Value and apply from here, so it is imported last (the one import circle).
# (Op is imported too, so `autograd.value.Op` keeps working.)
from .ops import ABS, ADD, DIV, MUL, NEG, POW, POWER, SUB  # noqa: E402
from .ops import Op as Op  # noqa: E402

Value.__add__, Value.__radd__ = binary(ADD), reflected(ADD)  # type: ignore[has-type,method-assign]
Value.__sub__, Value.__rsub__ = binary(SUB), reflected(SUB)  # type: ignore[has-type,method-assign]
Value.__mul__, Value.__rmul__ = binary(MUL), reflected(MUL)  # type: ignore[has-type,method-assign]
Value.__truediv__, Value.__rtruediv__ = binary(DIV), reflected(DIV)  # type: ignore[has-type,method-assign]
Value.__rpow__ = reflected(POW)  # type: ignore[has-type,method-assign]
Value.__neg__, Value.__abs__ = unary(NEG), unary(ABS)  # type: ignore[has-type,method-assign]
