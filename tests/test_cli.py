"""The `glassgrad` command: results, --steps, --graph, --json, and every kind of bad input."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograd import REGISTRY, primitive
from autograd.cli import main
from autograd.expression import ExpressionError, parse_expression

NEURON = ["grad", "tanh(w*x + b)", "x=0.5", "w=-3", "b=2"]
needs_dot = pytest.mark.needs_dot  # skipped, saying why, without Graphviz (tests/conftest.py)


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    """main(argv) in this process: (exit status, stdout, stderr)."""
    try:
        status = main(argv)
    except SystemExit as exit:  # argparse: --help, or a malformed command line
        status = exit.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_grad_prints_the_value_and_every_partial(capsys):
    status, out, err = run(NEURON, capsys)
    slope = 1 - math.tanh(0.5) ** 2
    assert status == 0 and err == ""
    assert out.splitlines() == [
        f"f = tanh(w*x + b) = {math.tanh(0.5)!r}",
        f"∂f/∂x = {-3 * slope!r}",
        f"∂f/∂w = {0.5 * slope!r}",
        f"∂f/∂b = {slope!r}",
    ]


def test_steps_prints_the_chain_rule_table(capsys):
    status, out, _ = run([*NEURON, "--steps"], capsys)
    assert status == 0
    assert "   5  ∂f/∂x = ∂f/∂n2 · ∂n2/∂x    = 0.7864 · (-3)     = -2.359  x.grad = -2.359" in out
    assert "where n1 = n2 + b = 0.5" in out


def test_options_may_come_between_the_assignments(capsys):
    assert run(["grad", "x*y", "x=2", "--steps", "y=3"], capsys)[0] == 0


def test_json_for_scripts(capsys):
    status, out, _ = run(["grad", "x**2 + 3*x", "x=2", "--json", "--steps"], capsys)
    result = json.loads(out)
    assert status == 0
    assert result["value"] == 10.0 and result["gradient"] == {"x": 7.0}
    assert result["variables"] == {"x": 2.0}
    assert len(result["steps"]) == 5
    assert {"step", "node", "input", "parent", "upstream", "local", "term", "grad"} == set(
        result["steps"][0]
    )
    assert "steps" not in json.loads(run(["grad", "x", "x=1", "--json"], capsys)[1])


@pytest.mark.parametrize(
    "suffix",
    [
        pytest.param(".svg", marks=needs_dot),
        pytest.param(".png", marks=needs_dot),
        pytest.param(".pdf", marks=needs_dot),
        ".dot",
    ],
)
def test_graph_is_rendered(tmp_path, capsys, suffix):
    path = tmp_path / f"neuron{suffix}"
    status, out, _ = run([*NEURON, "--graph", str(path)], capsys)
    assert status == 0 and f"graph written to {path}" in out
    assert path.stat().st_size > 100
    if suffix == ".svg":
        text = path.read_text()
        assert "data 0.4621" in text and "grad 0.7864" in text  # (dot writes - as &#45;)


def test_graph_without_dot_fails_with_status_2_and_install_hint(tmp_path, monkeypatch, capsys):
    # issue 10: every user error exits 2 (this was 1 before), in one line, before any work
    monkeypatch.setenv("PATH", str(tmp_path))
    status, out, err = run([*NEURON, "--graph", str(tmp_path / "a.png")], capsys)
    assert status == 2 and "apt-get install graphviz" in err
    assert out == "" and len(err.splitlines()) == 1
    assert err.startswith(f"glassgrad: error: --graph {tmp_path / 'a.png'}: needs the Graphviz")
    assert not (tmp_path / "a.png").exists()
    status, out, _ = run([*NEURON, "--graph", str(tmp_path / "a.dot")], capsys)
    assert status == 0 and (tmp_path / "a.dot").exists()  # DOT source needs no Graphviz


def test_help_explains_with_examples(capsys):
    status, out, _ = run(["--help"], capsys)
    assert status == 0
    assert 'glassgrad grad "tanh(w*x + b)" x=0.5 w=-3 b=2' in out
    assert "--steps" in out and "--graph" in out and "--json" in out
    assert "nothing is executed" in out


def test_a_constant_expression_and_a_bare_variable(capsys):
    assert run(["grad", "2**3 - 1"], capsys)[1] == "f = 2**3 - 1 = 7.0\n"
    assert run(["grad", "x", "x=4"], capsys)[1] == "x = x = 4.0\n∂x/∂x = 1.0\n"


def test_registered_one_argument_primitives_can_be_called(capsys):
    primitive("cli_cube", lambda x: x**3, lambda out, x: (3 * x**2,))
    try:
        status, out, _ = run(["grad", "cli_cube(x)", "x=2"], capsys)
    finally:
        del REGISTRY["cli_cube"]
    assert status == 0 and out.splitlines()[1] == "∂f/∂x = 12.0"


def test_a_registered_primitive_of_two_inputs_is_not_offered(capsys):
    primitive("cli_hypot", lambda x, y: math.hypot(x, y), lambda out, x, y: (x / out, y / out))
    try:
        status, _, err = run(["grad", "2 * cli_hypot(x)", "x=3"], capsys)
    finally:
        del REGISTRY["cli_hypot"]
    assert status == 2
    assert err.startswith("glassgrad: error: column 5: unknown function 'cli_hypot'")
    assert err.splitlines()[-1] == "      ^^^^^^^^^"


BAD_EXPRESSIONS = [  # (expression, what the message says, where the caret points)
    ("x.__class__", "column 1: attribute access is not allowed", "^^^^^^^^^^^"),
    ("__import__('os')", "column 1: unknown function '__import__'", "^^^^^^^^^^"),
    ("lambda: x", "column 1: a lambda is not allowed", "^^^^^^^^^"),
    ("2 * [x for x in y]", "column 5: a comprehension is not allowed", "    ^^^^^^^^^^^^^^"),
    ("exp(x) + foo(x)", "column 10: unknown function 'foo'", "         ^^^"),
    ("x +* 2", "column 4: syntax error", "   ^"),
    ("tanh(x", "column 5: syntax error: '(' was never closed", "    ^"),
    ("x[0]", "column 1: indexing is not allowed", "^^^^"),
    ("x if x else x", "column 1: if/else is not allowed", "^^^^^^^^^^^^^"),
    ("x < 2", "column 1: a comparison is not allowed", "^^^^^"),
    ("exp(x, x)", "column 1: exp takes exactly one argument", "^^^^^^^^^"),
    ("tanh + x", "column 1: tanh is a function", "^^^^"),
    ("'x' * x", "column 1: 'x' is not a number", "^^^"),
    ("True * x", "column 1: True is not a number", "^^^^"),
    ("1e999 * x", "column 1: this number is too large", "^^^^^"),
    ("x @ x", "column 1: this operator is not allowed", "^^^^^"),
    ("x + y", "column 5: no value given for the variable y", "    ^"),
    ("2 * log(x)", "column 5: log(x=-1.0 'x'): needs x > 0", "    ^^^^^^"),
    ("x / (x + 1)", "column 1: /(x=-1.0 'x', y=0.0): needs y != 0", "^^^^^^^^^^^"),
    ("exp(x * -1000)", "column 1: exp(x=1000.0): the result is too large", "^^^^^^^^^^^^^^"),
]


@pytest.mark.parametrize("expression, message, caret", BAD_EXPRESSIONS)
def test_bad_expressions_exit_2_pointing_at_the_problem(capsys, expression, message, caret):
    status, out, err = run(["grad", expression, "x=-1"], capsys)
    lines = err.splitlines()
    assert status == 2 and out == ""
    assert lines[0].startswith(f"glassgrad: error: {message}")
    assert lines[1:] == [f"  {expression}", f"  {caret}"]


BAD_ASSIGNMENTS = [
    (["x"], "'x': expected NAME=VALUE, e.g. x=0.5"),
    (["=1"], "'=1': expected NAME=VALUE, e.g. x=0.5"),
    (["x=1", "x=2"], "'x=2': x is given twice"),
    (["x=abc"], "'x=abc': 'abc' is not a number"),
    (["x="], "'x=': '' is not a number"),
    (["x=nan"], "'x=nan': the value must be a finite number"),
    (["x=1", "z=2"], "'z=2': the expression has no variable z"),
    ([], "column 1: no value given for the variable x"),
]


@pytest.mark.parametrize("assignments, message", BAD_ASSIGNMENTS)
def test_bad_variable_values_exit_2_in_one_line(capsys, assignments, message):
    status, out, err = run(["grad", "x*2", *assignments], capsys)
    assert status == 2 and out == ""
    assert err.splitlines()[0] == f"glassgrad: error: {message}"


def test_domain_errors_of_the_backward_pass_exit_2_with_the_engines_message(capsys):
    status, _, err = run(["grad", "sqrt(x)", "x=0"], capsys)
    assert status == 2
    assert err == (
        "glassgrad: error: the derivative of sqrt(x=0.0 'x') is not finite there "
        "(float division by zero)\n"
    )


def test_bad_command_lines_exit_2(capsys):
    assert run([], capsys)[0] == 2
    assert run(["integrate", "x", "x=1"], capsys)[0] == 2
    status, _, err = run([*NEURON, "--graph", "out.jpeg"], capsys)
    assert status == 2 and "the extension must be one of" in err


def test_deeply_nested_expressions_are_refused_not_crashing(capsys):
    status, _, err = run(["grad", "+".join(["x"] * 20_000), "x=1"], capsys)
    assert status == 2 and "nested too deeply" in err


def test_nothing_is_ever_executed(monkeypatch):
    import ast
    import builtins

    def forbidden(*args, **kwargs):
        raise AssertionError("eval/exec must not be called")

    parse_only = builtins.compile

    def only_to_a_syntax_tree(source, filename, mode, flags=0, *args, **kwargs):
        if not flags & ast.PyCF_ONLY_AST:
            raise AssertionError("compile() may only parse, as ast.parse does")
        return parse_only(source, filename, mode, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(builtins, "compile", only_to_a_syntax_tree)
    with pytest.raises(ExpressionError, match="only the primitives can be called"):
        parse_expression("__import__('os').system('echo hacked')")
    assert parse_expression("tanh(w*x + b)").variables == ("w", "x", "b")


def test_the_installed_command_runs_in_a_subprocess(tmp_path):
    script = Path(sys.executable).with_name("glassgrad")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "autograd.cli"]
    done = subprocess.run(
        [*command, *NEURON, "--json"], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["gradient"]["b"] == 1 - math.tanh(0.5) ** 2
    refused = subprocess.run(
        [*command, "grad", "x.__class__", "x=1"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert refused.returncode == 2
    assert refused.stderr.startswith("glassgrad: error: column 1: attribute access")


# -- issue 10: JSON always valid, every user error exits 2 in one line, hints ------------------


def strict_json(text: str):
    """json.loads that refuses NaN/Infinity, which are not JSON."""

    def refuse(name):
        raise ValueError(f"{name} is not valid JSON")

    return json.loads(text, parse_constant=refuse)


def test_json_shows_non_finite_numbers_as_null_with_a_message(capsys):
    status, out, _ = run(["grad", "x*y*y", "x=1e-300", "y=1e200", "--json", "--steps"], capsys)
    result = strict_json(out)
    assert status == 0
    assert result["value"] == pytest.approx(1e100)
    assert result["gradient"] == {"x": None, "y": pytest.approx(2e-100)}
    assert "∂f/∂x is inf, not a finite number: shown as null" in result["messages"]
    assert any(step["grad"] is None for step in result["steps"])


@pytest.mark.parametrize(
    "argv",
    [
        ["grad", "x +* 2", "x=1", "--json"],
        ["grad", "log(x)", "x=-1", "--json"],
        ["grad", "x", "x=abc", "--json"],
        ["grad", "x", "--json", "--bogus"],
        ["--json"],
        ["grad", "x", "x=1", "--json", "--graph", "/no/such/dir/g.svg"],
    ],
)
def test_json_errors_are_json_too_with_status_2(capsys, argv):
    status, out, err = run(argv, capsys)
    assert status == 2
    assert strict_json(out)["error"]
    assert err.startswith("glassgrad: error: ")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["grad"], "the following arguments are required: expression"),
        (["integrate", "x", "x=1"], "argument command: invalid choice: 'integrate'"),
        (["grad", "x", "x=1", "--bogus"], "unrecognized arguments: --bogus (see glassgrad --help)"),
        (["grad", "x", "x=1", "--graph"], "argument --graph: expected one argument"),
    ],
)
def test_bad_command_lines_exit_2_in_one_line(capsys, argv, message):
    status, out, err = run(argv, capsys)
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1 and message in err


def test_an_unwritable_graph_path_exits_2_naming_the_real_path(tmp_path, capsys):
    a_file = tmp_path / "file.txt"
    a_file.write_text("")
    (tmp_path / "folder.svg").mkdir()
    for path, reason in [
        (tmp_path / "missing" / "g.svg", "does not exist"),
        (tmp_path / "folder.svg", "it is a directory"),
        (a_file / "g.dot", "does not exist"),
    ]:
        target = str(path)
        status, out, err = run([*NEURON, "--graph", target], capsys)
        assert status == 2 and out == "", target
        assert len(err.splitlines()) == 1 and reason in err and ".tmp" not in err
        assert f"--graph {target}" in err


def test_a_failed_write_names_the_path_not_a_temporary_file(tmp_path, capsys, monkeypatch):
    import autograd.io

    def full_disk(*args):
        raise OSError(28, "No space left on device", str(tmp_path / ".g.dot.1234abcd.tmp"))

    monkeypatch.setattr(autograd.io.os, "replace", full_disk)
    path = tmp_path / "g.dot"
    status, out, err = run([*NEURON, "--graph", str(path)], capsys)
    assert status == 2 and out == ""
    assert err == f"glassgrad: error: --graph {path}: cannot write it: No space left on device\n"
    assert list(tmp_path.iterdir()) == []


def test_a_variable_named_like_the_output_is_not_differentiated_by_itself(capsys):
    status, out, _ = run(["grad", "f*2 + g", "f=3", "g=1"], capsys)
    assert status == 0
    assert out.splitlines() == ["h = f*2 + g = 7.0", "∂h/∂f = 2.0", "∂h/∂g = 1.0"]
    assert "∂f/∂f" not in run(["grad", "f*x", "f=3", "x=1", "--steps"], capsys)[1]


def test_nfkc_equal_variable_names_are_the_same_variable(capsys):
    # Python reads identifiers NFKC-normalised: fullwidth ｘ and the ligature ﬁ are x and fi
    status, out, _ = run(["grad", "ｘ*2 + ﬁ", "x=3", "fi=1"], capsys)
    assert status == 0 and out.splitlines()[1:] == ["∂f/∂x = 2.0", "∂f/∂fi = 1.0"]
    status, out, _ = run(["grad", "x*2", "ｘ=3"], capsys)
    assert status == 0 and out.splitlines() == ["f = x*2 = 6.0", "∂f/∂x = 2.0"]
    status, _, err = run(["grad", "x*2", "x=3", "ｘ=4"], capsys)
    assert status == 2 and "x is given twice" in err


def test_hint_for_a_caret_power(capsys):
    status, _, err = run(["grad", "x^2", "x=3"], capsys)
    assert status == 2
    assert "this operator is not allowed; for a power use ** (x**2)" in err.splitlines()[0]


def test_hint_for_an_expression_starting_with_a_minus(capsys):
    status, out, err = run(["grad", "-x**2", "x=3"], capsys)
    assert status == 2 and out == "" and len(err.splitlines()) == 1
    assert "an expression starting with '-' must come after --" in err
    assert "glassgrad grad -- '-x**2'" in err
    assert run(["grad", "--", "-x**2", "x=3"], capsys)[1].startswith("f = -x**2 = -9.0")


def test_version(capsys):
    status, out, _ = run(["--version"], capsys)
    assert status == 0 and re.fullmatch(r"glassgrad (\d+\.\d+\S*|unknown)\n", out)


def test_the_constants_pi_and_e(capsys):
    status, out, _ = run(["grad", "sin(pi*x) + e**x", "x=0.5"], capsys)
    assert status == 0
    assert out.splitlines()[1] == f"∂f/∂x = {math.pi * math.cos(math.pi * 0.5) + math.e**0.5!r}"
    result = strict_json(run(["grad", "pi*x", "x=1", "--json"], capsys)[1])
    assert result["constants"] == {"pi": math.pi} and result["gradient"] == {"x": math.pi}
    status, out, _ = run(["grad", "e*x", "e=2", "x=1"], capsys)  # a value given: a variable
    assert out.splitlines() == ["f = e*x = 2.0", "∂f/∂e = 1.0", "∂f/∂x = 2.0"]
    assert "the constants pi and e" in run(["--help"], capsys)[1]


def test_the_function_whitelist_is_the_op_tables_one_input_rows(register_primitive, capsys):
    from autograd.expression import functions

    expected = {name for name, op in REGISTRY.items() if name.isidentifier() and op.arity == 1}
    assert set(functions()) == expected
    assert {"tanh", "exp", "log", "relu", "power", "leaky_relu"} <= expected
    assert not {"sum", "dot"} & expected
    # a row added at run time: its arity, given or read from its rule, decides
    register_primitive(
        "cli_any", lambda *xs: sum(xs), lambda out, *xs: (1.0,) * len(xs), arity=None
    )
    register_primitive("cli_twice", lambda x: 2 * x, lambda out, x: (2.0,), arity=1)
    assert "cli_twice" in functions() and "cli_any" not in functions()
    assert run(["grad", "cli_twice(x)", "x=1"], capsys)[1].splitlines()[1] == "∂f/∂x = 2.0"
    status, _, err = run(["grad", "cli_any(x)", "x=1"], capsys)
    assert status == 2 and "unknown function 'cli_any'" in err


def test_parametric_rows_take_their_parameters_by_keyword(capsys):
    status, out, _ = run(["grad", "power(x, n=3) + leaky_relu(x, slope=-0.5)", "x=-2"], capsys)
    assert status == 0
    assert out.splitlines() == [
        "f = power(x, n=3) + leaky_relu(x, slope=-0.5) = -7.0",
        "∂f/∂x = 11.5",
    ]
    for expression, message in [
        ("power(x, k=3)", "power has no parameter k (and the keyword parameter n=2)"),
        ("power(x, n=x)", "the parameter n of power must be a number"),
        ("tanh(x, n=1)", "tanh takes exactly one argument"),
    ]:
        status, _, err = run(["grad", expression, "x=1"], capsys)
        assert status == 2 and message in err.splitlines()[0], err
