"""`Module`: a model's parameters found from its attributes, named, saved and loaded.

As in PyTorch, a Module needs no registration calls: every attribute that is a `Value`, a
`Module`, or a list/tuple of them (nested lists too) is part of the model, in the order the
attributes were first assigned and lists in order. Attributes whose name starts with `_` are
private and skipped. Parameters are named by their path, `layers.0.neurons.3.w.1`, and each
parameter's `label` is set to that name once, when the model is built, so rendered graphs show
where a weight lives (`named_parameters()` itself changes nothing).

Model files are JSON (never pickle): the class, the constructor `config()` needed to rebuild the
model, and the `state_dict()`. Writes are atomic (a temporary file in the same directory, then
`os.replace`), and a load that fails for any reason leaves the model exactly as it was.
"""

from __future__ import annotations

import functools
import html
import json
import math
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from numbers import Real
from typing import Any, NamedTuple

from autograd import Value
from autograd.io import write_atomic

FILE_FORMAT = "glassgrad.nn.Module"
FILE_VERSION = 1

_MODULE_CLASSES: dict[str, type[Module]] = {}


class ModelFileError(ValueError):
    """A model file that cannot be read: corrupt, not a model, or not matching the model."""


class IncompatibleKeys(NamedTuple):
    """What `load_state_dict(..., strict=False)` left out (PyTorch's return shape)."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Module:
    """Base class of models. Subclasses assign Values and Modules as attributes, define
    `forward(...)` (called by `model(...)`) and, to be loadable from a file, `config()`.
    """

    show_children_in_repr = True
    """False for modules whose repr already says everything (a Layer need not list its Neurons)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _MODULE_CLASSES[_class_key(cls)] = cls
        if "__init__" in cls.__dict__:
            cls.__init__ = _labelling(cls.__dict__["__init__"])  # type: ignore[method-assign]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    # -- discovery ---------------------------------------------------------------------------------

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(dotted name, Value) for every parameter, each once, in definition order.

        Changes nothing: the labels are set once, when the model is built (`label_parameters`).
        """
        found: list[tuple[str, Value]] = []
        seen: set[int] = set()
        for name, item in _walk(self, ""):
            if isinstance(item, Value) and id(item) not in seen:
                seen.add(id(item))
                found.append((name, item))
        return found

    def label_parameters(self) -> None:
        """Set each parameter's `label` to its dotted name, so drawn graphs say where it lives.

        Runs by itself once a model is built (when the outermost constructor returns: the
        layers built inside an MLP are labelled by the MLP, `layers.0.neurons.3.w.1`). Call it
        again after giving the model new parameters by assignment.
        """
        for name, parameter in self.named_parameters():
            parameter.label = name

    def parameters(self) -> list[Value]:
        """Every parameter once, in definition order (layer by layer, weights then bias)."""
        return [parameter for _, parameter in self.named_parameters()]

    def named_modules(self) -> list[tuple[str, Module]]:
        """(dotted name, Module) for this module (name `''`) and every sub-module, in order."""
        return [(name, item) for name, item in _walk(self, "") if isinstance(item, Module)]

    def children(self) -> list[tuple[str, Module]]:
        """(name, Module) for the direct sub-modules: `layers.0`, `layers.1`, …"""
        return [
            (name, item)
            for name, item in _walk(self, "", depth=1)
            if isinstance(item, Module) and item is not self
        ]

    def num_parameters(self) -> int:
        """How many scalar parameters the model has."""
        return len(self.named_parameters())

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0 (leaf grads accumulate across backward calls)."""
        for parameter in self.parameters():
            parameter.grad = 0.0

    # -- state -------------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, float]:
        """{dotted name: float value} for every parameter, in `named_parameters()` order."""
        return {name: parameter.data for name, parameter in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, float], strict: bool = True) -> IncompatibleKeys:
        """Copy values from `state` into the parameters of the same names.

        strict=True: the names must match exactly. Any problem (missing or unexpected names, a
        value that is not a finite number) raises ValueError naming the keys and counts before a
        single parameter changes. strict=False loads the common names and returns what was left.
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict needs a mapping name -> float, got {type(state)}")
        parameters = dict(self.named_parameters())
        missing = [name for name in parameters if name not in state]
        unexpected = [name for name in state if name not in parameters]
        if strict and (missing or unexpected):
            raise ValueError(
                f"load_state_dict: state has {len(state)} values, {type(self).__name__} has "
                f"{len(parameters)} parameters; {_describe_sizes(state, parameters)}"
                f"{_describe_names('missing from state', missing)}"
                f"{_describe_names('unexpected in state', unexpected)}".rstrip("; ")
            )
        values = {
            name: _finite_number(state[name], f"load_state_dict: state[{name!r}]")
            for name in parameters
            if name in state
        }
        for name, number in values.items():
            parameters[name].data = number
        return IncompatibleKeys(missing, unexpected)

    @classmethod
    def count_parameters(cls, config: Mapping[str, Any]) -> int | None:
        """How many parameters `cls(**config)` would have, worked out without building it.

        `load` compares this with the size of the file's state *before* building the model, so
        a small file cannot ask for a huge one. Raise TypeError/ValueError for a config the
        constructor would refuse. The default, None, means "unknown": then `load` only checks
        that no whole number in the config exceeds the state's size. Override it in modules
        whose size follows from their config (the built-in layers do).
        """
        return None

    def config(self) -> dict[str, Any] | None:
        """The constructor's keyword arguments (JSON values) that rebuild this architecture.

        `type(self)(**config())` must make a model with the same parameter names. None (the
        default) means the model can be saved but only its state can be loaded back.
        """
        return None

    # -- files -------------------------------------------------------------------------------------

    def save(self, path: str | os.PathLike) -> None:
        """Write the model to `path` as JSON (class, config, state), atomically."""
        state = self.state_dict()
        for name, number in state.items():
            if not math.isfinite(number):
                raise ValueError(f"save: parameter {name!r} is {number!r}; only finite floats")
        document = {
            "format": FILE_FORMAT,
            "version": FILE_VERSION,
            "class": _class_key(type(self)),
            "config": self.config(),
            "state": state,
        }
        text = json.dumps(document, indent=1, allow_nan=False)
        write_atomic(path, text)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Module:
        """Rebuild the model saved at `path` (its class must be imported) and load its state.

        `nn.load(path)` is `Module.load(path)`; `MLP.load(path)` also checks the class.
        """
        document = read_model_file(path)
        key = document["class"]
        model_class = _MODULE_CLASSES.get(key)
        if model_class is None:
            raise ModelFileError(
                f"{path}: model class {key!r} is not known; import the module defining it first"
            )
        if not issubclass(model_class, cls):
            raise ModelFileError(f"{path}: holds a {key}, not a {cls.__name__}")
        config = document["config"]
        if config is None:
            raise ModelFileError(
                f"{path}: {key} records no config() to rebuild it; build the model yourself and "
                "call model.load_state_dict(nn.load_state(path))"
            )
        rebuild = f"{key}(**{_shorten(repr(config))})"
        try:
            declared = model_class.count_parameters(config)
        except (TypeError, ValueError, OverflowError) as error:
            raise ModelFileError(f"{path}: cannot rebuild {rebuild}: {error}") from None
        state_size = len(document["state"])
        if declared is not None and declared > state_size + EXTRA_PARAMETERS_BUILT:
            raise ModelFileError(
                f"{path}: the config declares {declared} parameters but the state holds "
                f"{state_size} values; refusing to build {rebuild}"
            )
        largest = _largest_integer(config)
        if declared is None and largest > state_size + EXTRA_PARAMETERS_BUILT:
            raise ModelFileError(
                f"{path}: the config asks for a size of {largest}, more than the "
                f"{state_size} values of the state; refusing to build {rebuild} (define "
                f"{model_class.__name__}.count_parameters to check its size exactly)"
            )
        try:
            model = model_class(**config)
        except Exception as error:  # the config is the file's, whatever the class makes of it
            raise ModelFileError(f"{path}: cannot rebuild {rebuild}: {error}") from None
        try:
            model.load_state_dict(document["state"])
        except (TypeError, ValueError) as error:
            raise ModelFileError(f"{path}: {error}") from None
        return model

    # -- display -----------------------------------------------------------------------------------

    def extra_repr(self) -> str:
        """What goes inside `Name(...)`: by default the config as keyword arguments."""
        config = self.config() or {}
        return ", ".join(f"{key}={value!r}" for key, value in config.items())

    def __repr__(self) -> str:
        """`Name(config)`, or PyTorch's layout with one line per direct sub-module."""
        extra = self.extra_repr()
        children = self.children() if self.show_children_in_repr else []
        if not children:
            return f"{type(self).__name__}({extra})"
        lines = [f"{type(self).__name__}("] + ([f"  {extra}"] if extra else [])
        for name, child in children:
            lines.append(f"  ({name}): " + repr(child).replace("\n", "\n  "))
        return "\n".join(lines) + "\n)"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's text display: the repr, then the number of parameters."""
        printer.text(f"{self!r}\n{_count(self.num_parameters(), 'parameter')}")

    def _repr_html_(self) -> str:
        """Jupyter's display: the model's name and size, then a row per layer (sub-module)."""
        rows = self.children() if self.show_children_in_repr else []
        cells = "".join(
            f"<tr><td><code>{html.escape(name)}</code></td>"
            f"<td><code>{html.escape(repr(child).splitlines()[0])}</code></td>"
            f"<td style='text-align:right'>{child.num_parameters():,}</td></tr>"
            for name, child in rows
        )
        table = (
            "<table><thead><tr><th>layer</th><th>module</th><th>parameters</th></tr></thead>"
            f"<tbody>{cells}</tbody></table>"
            if rows
            else ""
        )
        extra = html.escape(self.extra_repr())
        return (
            f"<div class='glassgrad-module'><strong>{html.escape(type(self).__name__)}</strong>"
            f"({extra}) — {_count(self.num_parameters(), 'parameter')}{table}</div>"
        )


_construction = threading.local()  # .depth: how many Module constructors are running


def _labelling(init: Callable[..., None]) -> Callable[..., None]:
    """A Module subclass's `__init__`, then `label_parameters()` if no other Module's
    constructor is running in this thread (a module built inside another is labelled by it)."""

    @functools.wraps(init)
    def __init__(self: Module, *args: Any, **kwargs: Any) -> None:
        depth = getattr(_construction, "depth", 0)
        _construction.depth = depth + 1
        try:
            init(self, *args, **kwargs)
        finally:
            _construction.depth = depth
        if depth == 0:
            self.label_parameters()

    return __init__


def load(path: str | os.PathLike) -> Module:
    """Rebuild a model from a file written by `model.save(path)`."""
    return Module.load(path)


def load_state(path: str | os.PathLike) -> dict[str, float]:
    """Only the state dict (name -> float) of a model file, for `model.load_state_dict`."""
    return dict(read_model_file(path)["state"])


def read_model_file(path: str | os.PathLike) -> dict[str, Any]:
    """The checked contents of a model file; ModelFileError says what is wrong with it.

    Nothing in the file can make this raise anything else: numbers longer than
    `MAX_NUMBER_CHARACTERS` characters, nesting deeper than `MAX_NESTING`, invalid UTF-8 or JSON
    are all refused as `ModelFileError` before they are turned into Python objects.
    """
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except UnicodeDecodeError as error:
        raise ModelFileError(f"{path}: not a text file ({error})") from None
    _check_nesting(text, path)
    try:
        document = json.loads(
            text,
            parse_int=lambda digits: int(_short_number(digits, path)),
            parse_float=lambda digits: float(_short_number(digits, path)),
            parse_constant=lambda name: _refuse_constant(name, path),
        )
    except json.JSONDecodeError as error:
        raise ModelFileError(f"{path}: not valid JSON ({error})") from None
    except (ValueError, RecursionError, OverflowError, MemoryError) as error:
        if isinstance(error, ModelFileError):
            raise
        raise ModelFileError(f"{path}: cannot be read ({type(error).__name__}: {error})") from None
    if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
        raise ModelFileError(f"{path}: not a glassgrad model file (no format {FILE_FORMAT!r})")
    if document.get("version") != FILE_VERSION:
        raise ModelFileError(
            f"{path}: model file version {document.get('version')!r}, this glassgrad reads "
            f"version {FILE_VERSION}"
        )
    if not isinstance(document.get("class"), str):
        raise ModelFileError(f"{path}: 'class' must be a string")
    if document.get("config") is not None and not isinstance(document["config"], dict):
        raise ModelFileError(f"{path}: 'config' must be an object or null")
    state = document.get("state")
    if not isinstance(state, dict):
        raise ModelFileError(f"{path}: 'state' must be an object name -> number")
    for name, number in state.items():
        try:
            _finite_number(number, f"state[{name!r}]")
        except (TypeError, ValueError) as error:
            raise ModelFileError(f"{path}: {error}") from None
    return document


MAX_NUMBER_CHARACTERS = 40
"""The longest number a model file may write (a float's repr needs at most 24 characters)."""

MAX_NESTING = 64
"""The deepest nesting of JSON arrays and objects a model file may have."""

EXTRA_PARAMETERS_BUILT = 1024
"""How many parameters beyond the state's size `load` will build to name the missing keys."""


def _short_number(digits: str, path: str | os.PathLike) -> str:
    if len(digits) > MAX_NUMBER_CHARACTERS:
        raise ModelFileError(
            f"{path}: a number of {len(digits)} characters ({digits[:12]}…); model files hold "
            f"numbers of at most {MAX_NUMBER_CHARACTERS}"
        )
    return digits


def _refuse_constant(name: str, path: str | os.PathLike) -> float:
    raise ModelFileError(f"{path}: {name} is not a finite number; model files hold finite floats")


def _check_nesting(text: str, path: str | os.PathLike) -> None:
    """Refuse JSON nested deeper than MAX_NESTING (brackets counted outside strings)."""
    depth = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_NESTING:
            raise ModelFileError(
                f"{path}: JSON nested more than {MAX_NESTING} levels deep; not a model file"
            )


_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


# -- helpers ------------------------------------------------------------------------------------


def _walk(item: Any, prefix: str, depth: int = -1) -> Iterator[tuple[str, Any]]:
    """(dotted name, item) for `item` and everything inside it, depth first in definition order.

    A Module's contents are its public attributes; a list's its elements. A Module or list met a
    second time (shared, or a reference back up the tree) is skipped: the first name wins.
    `depth` limits how many levels of Modules are entered (-1: all).
    """
    entered: set[int] = set()  # Modules and lists already met
    stack = [(prefix, item, depth)]
    while stack:
        name, item, levels = stack.pop()
        if isinstance(item, Value):
            yield name, item
            continue
        if not isinstance(item, (Module, list, tuple)) or id(item) in entered:
            continue
        entered.add(id(item))
        if isinstance(item, Module):
            yield name, item
            if levels == 0:
                continue
            inner = [
                (_join(name, key), value, levels - 1)
                for key, value in vars(item).items()
                if not key.startswith("_")
            ]
        else:
            inner = [(_join(name, str(i)), value, levels) for i, value in enumerate(item)]
        stack.extend(reversed(inner))


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _class_key(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _finite_number(x: Any, what: str) -> float:
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"{what} must be a number, got {type(x).__name__} {x!r}")
    number = float(x)
    if not math.isfinite(number):
        raise ValueError(f"{what} is {number!r}, not a finite number")
    return number


def _count(n: int, thing: str) -> str:
    return f"{n:,} {thing}" + ("" if n == 1 else "s")


def _largest_integer(config: Any) -> int:
    """The largest whole number anywhere in a JSON config (0 if none)."""
    largest, stack = 0, [config]
    while stack:
        item = stack.pop()
        if isinstance(item, int) and not isinstance(item, bool):
            largest = max(largest, item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return largest


def _shorten(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _list_sizes(names: Iterable[str]) -> dict[str, int]:
    """{list path: number of entries} over dotted names: `a.0.w.1` counts in `a` and `a.0.w`."""
    entries: dict[str, set[str]] = {}
    for name in names:
        parts = name.split(".")
        for i, part in enumerate(parts):
            if part.isdigit():
                entries.setdefault(".".join(parts[:i]), set()).add(part)
    return {path: len(indices) for path, indices in entries.items()}


def _describe_sizes(state: Mapping[str, Any], parameters: Mapping[str, Value]) -> str:
    """`layers.0.neurons has 4 entries in state, 3 in the model; ` for each list in both that
    differs in length (lists inside the extra entries are implied)."""
    in_state, in_model = _list_sizes(state), _list_sizes(parameters)
    return "".join(
        f"{path} has {in_state[path]} entries in state, {size} in the model; "
        for path, size in in_model.items()
        if path in in_state and in_state[path] != size
    )


def _describe_names(what: str, names: list[str], shown: int = 5) -> str:
    if not names:
        return ""
    listed = ", ".join(names[:shown])
    if len(names) > shown:
        listed += f", … ({len(names) - shown} more)"
    return f"{len(names)} {what}: {listed}; "
