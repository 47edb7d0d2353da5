"""The `glassgrad` command: the value and every partial derivative of an expression.

    glassgrad grad "tanh(w*x + b)" x=0.5 w=-3 b=2 [--steps] [--graph out.svg] [--json]

The expression is checked against a whitelist (see `autograd.expression`) and never executed.
Exit status: 0 on success, 2 for every user error (a bad command line, expression, value or
domain error, a picture that cannot be written or needs Graphviz's missing `dot`), in one line.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import re
import shlex
import shutil
import sys
import textwrap
import unicodedata
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, NoReturn

from .draw import FORMATS, GRAPHVIZ_MISSING, GraphvizNotFound, save
from .expression import CONSTANTS, Expression, ExpressionError, functions, parse_expression
from .graph import walk
from .steps import Step, explanation, name_nodes, steps
from .value import Value

EXAMPLES = """\
examples:
  glassgrad grad "tanh(w*x + b)" x=0.5 w=-3 b=2          value and ∂f/∂x, ∂f/∂w, ∂f/∂b
  glassgrad grad "x**2 + 3*x" x=2 --steps                 the chain rule, step by step
  glassgrad grad "sigmoid(a*b)" a=1 b=-2 --graph f.svg    draw the graph (.svg .png .pdf .dot)
  glassgrad grad "log(x) * exp(y)" x=2 y=0 --json         JSON for scripts
  glassgrad grad "tanh(w*x + b)" x=0.5 w=-3 b=2 --html f.html   step backprop in a browser
  glassgrad grad -- "-x**2" x=3                           an expression starting with '-'
  glassgrad playground [--port N] [--no-browser]          train a network live in the browser

{whitelist}
"""
WHITELIST = (
    "expressions: numbers, variables, the constants pi and e (unless given a value), "
    "+ - * / ** (and unary -), and the functions {functions} (parameters by keyword: "
    "leaky_relu(x, slope=0.2), power(x, n=3)). Nothing else is accepted, and nothing is executed."
)


class UsageError(Exception):
    """A bad command line; reported in one line, with exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, except that a bad command line raises UsageError (one line, with a hint)
    instead of printing the usage block."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message + _command_line_hint(self._argv))

    def parse(self, argv: list[str]) -> argparse.Namespace:
        self._argv = argv
        return self.parse_intermixed_args(argv)


def build_parser() -> _Parser:
    """The argument parser of `glassgrad` (its --help explains the command with examples)."""
    parser = _Parser(
        prog="glassgrad",
        description="Differentiate an expression by reverse-mode autodiff and show the math.",
        epilog=EXAMPLES.format(
            whitelist=textwrap.fill(
                WHITELIST.format(functions=", ".join(sorted(functions()))), width=78
            )
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"glassgrad {version()}")
    parser.add_argument("command", choices=["grad"], help="grad: value and partial derivatives")
    parser.add_argument("expression", help='the expression, quoted, e.g. "tanh(w*x + b)"')
    parser.add_argument(
        "assignments",
        nargs="*",
        metavar="NAME=VALUE",
        help="a number for each variable, e.g. x=0.5",
    )
    parser.add_argument(
        "--steps",
        action="store_true",
        help="print the chain-rule table of the backward pass (with --json: a list of steps)",
    )
    parser.add_argument(
        "--graph",
        metavar="FILE",
        help="draw the graph to FILE; the extension picks .svg .png .pdf or .dot",
    )
    parser.add_argument(
        "--html",
        metavar="FILE",
        help="write the interactive viewer (the graph, forward pass and every "
        "backprop step, replayable in a browser) to FILE, one self-contained page",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the results as JSON (non-finite numbers as null, with a "
        'message; errors as {"error": …})',
    )
    return parser


def version() -> str:
    """The installed distribution's version (or 'unknown' when running from a bare checkout)."""
    try:
        return metadata.version("glassgrad")
    except metadata.PackageNotFoundError:
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    """Run `glassgrad` with `argv` (default: the command line); returns the exit status.

    0 on success; 2 for every user error (a bad command line, expression, value or domain, a
    `--graph` file that cannot be written or needs Graphviz's missing `dot`), reported on
    stderr in one line (an expression error adds the expression with a caret under the fault).
    With `--json` stdout always holds one JSON document, `{"error": …}` on failure.
    """
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except BrokenPipeError:  # e.g. `glassgrad … | head`: the reader left; say nothing more
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _main(argv: list[str]) -> int:
    if argv[:1] == ["playground"]:  # the live training page (nn/playground) has its own options
        from nn.playground import main as playground

        return playground(argv[1:])
    want_json = "--json" in (argv[: argv.index("--")] if "--" in argv else argv)
    try:
        args = build_parser().parse(argv)
        if args.graph:
            check_graph_path(args.graph)
        expression = parse_expression(args.expression)
        variables = parse_assignments(args.assignments, expression)
        root = expression.evaluate(variables)
        if root not in variables.values():
            root.label = output_name(variables)
        table, taken = "", []
        if args.steps and not args.json:
            table = explanation(root)  # runs the backward pass
        elif args.steps:
            taken = list(steps(root))  # the backward pass, one chain-rule term at a time
        else:
            root.backward()
        if args.graph:
            write_graph(root, args.graph)
        if args.html:
            write_view(root, args.html)
    except ExpressionError as error:
        return fail(
            str(error),
            error.pointer(),
            want_json,
            expression=error.text,
            column=None if error.start is None else error.start + 1,
        )
    except (UsageError, ValueError, ZeroDivisionError, OverflowError, TypeError) as error:
        return fail(str(error), as_json=want_json)  # TypeError: a user primitive's odd rule
    if args.json:
        result = json_result(expression, root, variables, taken, args.graph)
        print(json.dumps(result, indent=2, ensure_ascii=False, allow_nan=False))
        return 0
    print(f"{root.label} = {expression.text} = {root.data!r}")
    for name, value in variables.items():
        print(f"∂{root.label}/∂{name} = {value.grad!r}")
    if args.steps:
        print()
        print(table)
    if args.graph:
        print(f"graph written to {args.graph}")
    if args.html:
        print(f"viewer written to {args.html} (open it in a browser)")
    return 0


def write_view(root: Value, path: str) -> None:
    """Save `autograd.view(root)` to `path`; a file that cannot be written is a UsageError."""
    from .viewer import view

    try:
        view(root).save(path)
    except OSError as error:
        raise UsageError(f"--html {path}: cannot write it: {error.strerror or error}") from None


def parse_assignments(assignments: Sequence[str], expression: Expression) -> dict[str, Value]:
    """`["x=0.5", "w=-3"]` → {name: Value}, one for each variable of the expression.

    Names are compared as Python compares identifiers (NFKC-normalised: `ｘ` is `x`).
    """
    values: dict[str, Value] = {}
    for assignment in assignments:
        name, equals, number = assignment.partition("=")
        name = unicodedata.normalize("NFKC", name.strip())
        if not equals or not name.isidentifier():
            raise UsageError(f"{assignment!r}: expected NAME=VALUE, e.g. x=0.5")
        if name in values:
            raise UsageError(f"{assignment!r}: {name} is given twice")
        if name not in expression.variables:
            raise UsageError(f"{assignment!r}: the expression has no variable {name}")
        try:
            data = float(number)
        except ValueError:
            raise UsageError(f"{assignment!r}: {number.strip()!r} is not a number") from None
        if not math.isfinite(data):
            raise UsageError(f"{assignment!r}: the value must be a finite number")
        values[name] = Value(data, label=name)
    return values


def constants(expression: Expression, variables: dict[str, Value]) -> dict[str, float]:
    """`pi` and `e` as numbers, where the expression uses them and no value was given."""
    return {
        name: number
        for name, number in CONSTANTS.items()
        if name in expression.variables and name not in variables
    }


def output_name(variables: dict[str, Value]) -> str:
    """`f`, or the first of g, h, f1, f2, … that no variable is called (never ∂f/∂f)."""
    candidates = itertools.chain("fgh", (f"f{i}" for i in itertools.count(1)))
    return next(name for name in candidates if name not in variables)


def check_graph_path(path: str) -> None:
    """Refuse, before any work, a --graph file that cannot be written or drawn."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(f"--graph {path}: the extension must be one of " + ", ".join(FORMATS))
    folder = Path(path).parent
    if not folder.is_dir():
        raise UsageError(f"--graph {path}: cannot write it: the directory {folder} does not exist")
    if Path(path).is_dir():
        raise UsageError(f"--graph {path}: cannot write it: it is a directory")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"--graph {path}: cannot write it: no permission to write in {folder}")
    if FORMATS[suffix] != "dot" and shutil.which("dot") is None:
        raise UsageError(f"--graph {path}: {GRAPHVIZ_MISSING}")


def write_graph(root: Value, path: str) -> None:
    """Draw the graph to `path`; any failure is a UsageError naming `path`."""
    try:
        save(root, path)
    except GraphvizNotFound:
        raise UsageError(f"--graph {path}: {GRAPHVIZ_MISSING}") from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise UsageError(f"--graph {path}: cannot write it: {reason}") from None


def json_result(
    expression: Expression,
    root: Value,
    variables: dict[str, Value],
    taken: list[Step],
    graph: str | None,
) -> dict[str, Any]:
    """The results as a JSON-ready dict: value, gradient, and each chain-rule step.

    A number that is not finite (inf or nan) becomes null, and `messages` says which and why.
    """
    messages: list[str] = []

    def number(x: float, what: str) -> float | None:
        if math.isfinite(x):
            return x
        messages.append(f"{what} is {x!r}, not a finite number: shown as null")
        return None

    names = name_nodes(walk(root))
    result: dict[str, Any] = {
        "expression": expression.text,
        "variables": {name: value.data for name, value in variables.items()},
        "value": number(root.data, "the value"),
        "gradient": {
            name: number(value.grad, f"∂{root.label}/∂{name}") for name, value in variables.items()
        },
    }
    used = constants(expression, variables)
    if used:
        result["constants"] = used
    if taken:
        result["steps"] = [
            {
                "step": step.number,
                "node": names[step.node],
                "input": step.index,
                "parent": names[step.parent],
                "upstream": number(step.upstream, f"step {step.number}: upstream"),
                "local": number(step.local, f"step {step.number}: local"),
                "term": number(step.contribution, f"step {step.number}: term"),
                "grad": number(step.parent_grad, f"step {step.number}: grad"),
            }
            for step in taken
        ]
    if graph:
        result["graph"] = graph
    if messages:
        result["messages"] = messages
    return result


def fail(message: str, pointer: str = "", as_json: bool = False, **details: Any) -> int:
    """Report an error on stderr in one line (then the expression and a caret when known);
    with --json also as `{"error": message, …}` on stdout. Exit status 2."""
    message = " ".join(message.split())  # one line, whatever the message held
    print(f"glassgrad: error: {message}", file=sys.stderr)
    if pointer:
        print("  " + pointer.replace("\n", "\n  "), file=sys.stderr)
    if as_json:
        document = {"error": message, **{k: v for k, v in details.items() if v is not None}}
        print(json.dumps(document, indent=2, ensure_ascii=False))
    return 2


def _command_line_hint(argv: list[str]) -> str:
    """What to do about a command line argparse refused: an expression starting with '-'."""
    words = argv[: argv.index("--")] if "--" in argv else argv
    dashed = [word for word in words if re.match(r"-[^-]", word) and word != "-h"]
    if dashed:
        return (
            f"; an expression starting with '-' must come after --, e.g. "
            f"glassgrad grad -- {shlex.quote(dashed[0])} …"
        )
    return " (see glassgrad --help)"


if __name__ == "__main__":
    sys.exit(main())
