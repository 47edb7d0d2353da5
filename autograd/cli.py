"""The `glassgrad` command: the value and every partial derivative of an expression.

    glassgrad grad "tanh(w*x + b)" x=0.5 w=-3 b=2 [--steps] [--graph out.svg] [--json]

The expression is checked against a whitelist (see `autograd.expression`) and never executed.
Exit status: 0 on success, 2 for a bad command line, expression or domain error, 1 when a picture
cannot be written (e.g. Graphviz is missing).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path

from .draw import FORMATS, GraphvizNotFound, save
from .expression import Expression, ExpressionError, functions, parse_expression
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
    "expressions: numbers, variables, + - * / ** (and unary -), and the functions {functions}. "
    "Nothing else is accepted, and nothing is executed."
)


class UsageError(Exception):
    """A bad command line; reported in one line, with exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `glassgrad` (its --help explains the command with examples)."""
    parser = argparse.ArgumentParser(
        prog="glassgrad",
        description="Differentiate an expression by reverse-mode autodiff and show the math.",
        epilog=EXAMPLES.format(whitelist=textwrap.fill(
            WHITELIST.format(functions=", ".join(sorted(functions()))), width=78)),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=["grad"], help="grad: value and partial derivatives")
    parser.add_argument("expression", help='the expression, quoted, e.g. "tanh(w*x + b)"')
    parser.add_argument("assignments", nargs="*", metavar="NAME=VALUE",
                        help="a number for each variable, e.g. x=0.5")
    parser.add_argument("--steps", action="store_true",
                        help="print the chain-rule table of the backward pass "
                        "(with --json: a list of steps)")
    parser.add_argument("--graph", metavar="FILE",
                        help="draw the graph to FILE; the extension picks .svg .png .pdf or .dot")
    parser.add_argument("--html", metavar="FILE",
                        help="write the interactive viewer (the graph, forward pass and every "
                        "backprop step, replayable in a browser) to FILE, one self-contained page")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run `glassgrad` with `argv` (default: the command line); returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["playground"]:  # the live training page (nn/playground) has its own options
        from nn.playground import main as playground

        return playground(argv[1:])
    args = build_parser().parse_intermixed_args(argv)
    try:
        if args.graph and Path(args.graph).suffix.lower() not in FORMATS:
            raise UsageError(f"--graph {args.graph}: the extension must be one of "
                             + ", ".join(FORMATS))
        expression = parse_expression(args.expression)
        variables = parse_assignments(args.assignments, expression)
        root = expression.evaluate(variables)
        if not root.label:
            root.label = "f"
        table, taken = "", []
        if args.steps and not args.json:
            table = explanation(root)  # runs the backward pass
        elif args.steps:
            taken = list(steps(root))  # the backward pass, one chain-rule term at a time
        else:
            root.backward()
        if args.html:
            write_view(root, args.html)
    except ExpressionError as error:
        return fail(str(error), error.pointer())
    except (UsageError, ValueError, ZeroDivisionError, OverflowError, TypeError) as error:
        return fail(str(error))  # TypeError: a user primitive's rule that takes other inputs
    if args.graph:
        try:
            save(root, args.graph)
        except (GraphvizNotFound, OSError) as error:
            print(f"glassgrad: error: {error}", file=sys.stderr)
            return 1
    if args.json:
        print(json.dumps(as_json(expression, root, variables, taken, args.graph), indent=2))
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
        raise UsageError(f"--html {path}: {error.strerror or error}") from None


def parse_assignments(assignments: Sequence[str], expression: Expression) -> dict[str, Value]:
    """`["x=0.5", "w=-3"]` → {name: Value}, one for each variable of the expression."""
    values: dict[str, Value] = {}
    for assignment in assignments:
        name, equals, number = assignment.partition("=")
        name = name.strip()
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


def as_json(
    expression: Expression,
    root: Value,
    variables: dict[str, Value],
    taken: list[Step],
    graph: str | None,
) -> dict:
    """The results as a JSON-ready dict: value, gradient, and each chain-rule step."""
    names = name_nodes(walk(root))
    result = {
        "expression": expression.text,
        "variables": {name: value.data for name, value in variables.items()},
        "value": root.data,
        "gradient": {name: value.grad for name, value in variables.items()},
    }
    if taken:
        result["steps"] = [
            {
                "step": step.number,
                "node": names[step.node],
                "input": step.index,
                "parent": names[step.parent],
                "upstream": step.upstream,
                "local": step.local,
                "term": step.contribution,
                "grad": step.parent_grad,
            }
            for step in taken
        ]
    if graph:
        result["graph"] = graph
    return result


def fail(message: str, pointer: str = "") -> int:
    """Report an error on stderr (with the expression and a caret when known); status 2."""
    print(f"glassgrad: error: {message}", file=sys.stderr)
    if pointer:
        print("  " + pointer.replace("\n", "\n  "), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
