"""Running generated code: `CompiledGraph`, the two functions of one graph's inputs."""

from __future__ import annotations

import builtins
import linecache
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .. import mode
from ..value import Value
from .emit import Emitter, Namespace, label_comments, source
from .graph import Graph, rerun
from .tape import MAX_SOURCE_NODES, Tape

if TYPE_CHECKING:
    from .trace import Guard


class CompiledGraph:
    """A graph as two generated Python functions of its inputs' floats.

    `cg(*floats)` is the output's value; `cg.value_and_grad(*floats)` the value and the tuple of
    ∂output/∂input; `cg.source` the generated code of `value_and_grad`: the forward pass, then the
    chain rule. Every leaf that is not an input is a constant in the code. Each function is
    compiled by CPython the first time it is called. A graph of more than `MAX_SOURCE_NODES`
    nodes runs as a `Tape` instead (see `autograd.compile.tape`), with the same results.

    With `batched=True` the code is written for NumPy arrays: choices are `where(c, a, b)` and
    called functions are vectorised, so any input may be an array (a batch) and everything
    broadcasts elementwise. NumPy's rules then apply: no domain errors, nan and inf instead.

    A domain error in the float code, and any call inside `detect_anomaly()`, runs the same
    computation on the dynamic engine instead (`rebuild`), which raises naming the op and its
    operands; batched code refuses to run inside `detect_anomaly()`. The engine's leaves carry
    the inputs' labels when `labelled`. `graph`, when given, is `Graph([output])` already built.
    """

    def __init__(
        self,
        output: Value,
        inputs: Sequence[Value],
        guards: Sequence[Guard] = (),
        argument_names: Sequence[str] | None = None,
        rebuild: Callable[..., Any] | None = None,
        batched: bool = False,
        labelled: bool = True,
        graph: Graph | None = None,
        wrt: Sequence[Value] | None = None,
        reduce: str | None = None,
        keep: Sequence[Value] = (),
    ) -> None:
        if graph is None:
            graph = Graph([*(x for guard in guards for x in guard.operands()), output])
        self.n_inputs = len(inputs)
        self.batched = batched
        self._labels = [node.label if labelled else "" for node in inputs]
        self._functions: dict[str, Callable[..., Any]] = {}
        self._rebuild = rebuild
        self._emit_arguments = (graph, output, list(inputs), list(guards), argument_names)
        self._wrt, self._reduce, self._keep = wrt, reduce, list(keep)
        self._sources: dict[str, str] = {}
        self.tape: Tape | None = None
        if not batched and len(graph) > MAX_SOURCE_NODES:
            positions = [graph.index.get(node, -1) for node in inputs]
            self.tape = Tape(graph, graph.index[output], positions, guards)
            self._functions = {"value": self.tape.value, "value_and_grad": self.tape.value_and_grad}
        else:
            self._emit()

    def _emit(self) -> None:
        graph, output, inputs, guards, argument_names = self._emit_arguments
        if self.batched:
            self._emit_batched()
            return
        namespace = Namespace()
        emitter = Emitter(graph, output, inputs, guards, namespace, argument_names)
        names = emitter.arguments
        forward = [*emitter.label_comments(inputs), *emitter.forward_lines()]
        backward, input_grads = emitter.backward_lines()
        result = emitter.names[emitter.output]
        grads = f"({', '.join(input_grads)}{',' if len(input_grads) == 1 else ''})"
        self._sources["value"] = source("value", names, forward, result)
        self._sources["value_and_grad"] = source(
            "value_and_grad",
            names,
            [*forward, "# backward: the chain rule, output first", *backward],
            f"{result}, {grads}",
        )
        self._namespace = namespace.objects

    def _emit_batched(self) -> None:
        from .numpy_emit import ArrayNamespace, BatchedEmitter

        graph, output, inputs, _, argument_names = self._emit_arguments
        namespace = ArrayNamespace()
        emitter = BatchedEmitter(
            graph, output, inputs, namespace, argument_names, self._wrt, self._reduce
        )
        names = emitter.arguments
        data = [name for name, i in zip(names, emitter.inputs) if i not in emitter.wrt_position]
        head = [f"n_batch = batch_size({', '.join(data)})"] if self._reduce else []
        forward = [*label_comments(inputs, names), *head, *emitter.forward_lines()]
        backward, result = emitter.backward_lines()
        if self._keep:
            kept = ", ".join(emitter.text(graph.index[node]) for node in self._keep)
            result += f", ({kept},)"
        value = (
            f"batch_total({emitter.text(emitter.output)}, n_batch)"
            if self._reduce
            else emitter.text(emitter.output)
        )
        if self._reduce == "mean":
            value += " / n_batch"
        self._sources["value"] = source("value", names, forward, value)
        self._sources["value_and_grad"] = source(
            "value_and_grad",
            names,
            [*forward, "# backward: the chain rule, output first", *backward],
            result,
        )
        self._namespace = namespace.objects

    @property
    def source(self) -> str:
        """The generated code of `value_and_grad` (for a graph run as a tape: generated now,
        for reading)."""
        if not self._sources:
            self._emit()
        return self._sources["value_and_grad"]

    @property
    def value_source(self) -> str:
        """The generated code of `value`."""
        if not self._sources:
            self._emit()
        return self._sources["value"]

    def __repr__(self) -> str:
        if self.tape is not None:
            return f"<CompiledGraph of {self.n_inputs} inputs, a tape of {self.tape.size} nodes>"
        return f"<CompiledGraph of {self.n_inputs} inputs, {self.source.count(chr(10))} lines>"

    def _function(self, name: str) -> Callable[..., Any]:
        function = self._functions.get(name)
        if function is None:
            text = self._sources[name]
            filename = f"<autograd.compile {name} {id(self):#x}>"
            linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
            namespace = dict(self._namespace)
            exec(builtins.compile(text, filename, "exec"), namespace)
            function = self._functions[name] = namespace[name]
        return function

    def _run(self, name: str, inputs: tuple[Any, ...]) -> Any:
        if len(inputs) != self.n_inputs:
            raise TypeError(f"compiled for {self.n_inputs} arguments, got {len(inputs)}")
        if mode.is_anomaly_enabled():
            if self.batched or self._rebuild is None:
                raise RuntimeError(
                    "detect_anomaly() cannot look inside batched compiled code: run the "
                    "dynamic engine (or the float compiled code) on the failing point"
                )
            return self.rerun(name == "value_and_grad", inputs)
        try:
            return self._function(name)(*inputs)
        except (ValueError, ZeroDivisionError, OverflowError):
            if self._rebuild is None or self.batched:
                raise
        # the dynamic engine raises the same error with a message naming the op and operands
        return self.rerun(name == "value_and_grad", inputs)

    def rerun(self, with_grad: bool, inputs: Sequence[float]) -> Any:
        """The same computation on the dynamic engine (see `graph.rerun`)."""
        assert self._rebuild is not None
        return rerun(self._rebuild, inputs, with_grad, self._labels)

    def __call__(self, *inputs: Any) -> Any:
        """The output's value at `inputs`: a float (an array or the batch's total, batched), or
        None if a guard of a traced function failed."""
        return self._run("value", inputs)

    def value_and_grad(self, *inputs: Any) -> Any:
        """(value, (∂output/∂input for each input)) at `inputs`; batched with `reduce`:
        (total, gradient vector over `wrt`[, kept values])."""
        return self._run("value_and_grad", inputs)
