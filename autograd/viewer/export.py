"""The viewer's data: the graph, the forward order and every `steps()` record, as JSON-ready dicts.

Everything the page shows is computed here, by the engine: each node's data, each chain-rule
step's upstream gradient, local derivative, term and the parent's gradient before and after it,
the rule text of each edge (from the op table), the numeric derivatives of the gradient-truth
panel, and every number's display text (`format_number`, four significant digits). The page's
JavaScript only replays these records; it does no arithmetic on them.

Backward runs exactly as `steps(root)` does, one pass per root in the order given, after every
gradient in the graph is set to 0 (as `zero_grad()` would): leaf gradients accumulate across the
passes, interior ones are reset by each pass, so the last step shows what
`for r in roots: r.backward()` gives. The Values' own `.grad` are put back afterwards: viewing a
graph does not change it.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .. import ops
from ..check import numerical_grad
from ..draw import node_kind
from ..graph import backprop_order, walk
from ..mode import no_grad
from ..ops import formula
from ..steps import format_factor, format_number, name_nodes, steps
from ..value import Value, evaluate_rule

Number = float | str  # a float, or "Infinity"/"-Infinity"/"NaN" (JSON has no non-finite numbers)


def number(x: float) -> Number:
    """`x` as JSON carries it: a finite float as itself, others as text JS's Number() reads."""
    if math.isfinite(x):
        return x
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")


def text(x: float) -> str:
    """The display text of a number: `format_number` (0.7616, -3, 1e-05, inf, nan)."""
    return format_number(x)


def as_roots(root_or_roots: Value | Iterable[Value], who: str = "view") -> list[Value]:
    """The roots as a list of distinct Values; a clear TypeError for anything else."""
    if isinstance(root_or_roots, Value):
        return [root_or_roots]
    if isinstance(root_or_roots, (str, bytes)) or not isinstance(root_or_roots, Iterable):
        raise TypeError(
            f"{who}: expected a Value or a list of Values, got "
            f"{type(root_or_roots).__name__} {root_or_roots!r:.80}"
        )
    roots = list(root_or_roots)
    for item in roots:
        if not isinstance(item, Value):
            raise TypeError(f"{who}: expected Values, got {type(item).__name__} {item!r:.80}")
    if not roots:
        raise ValueError(f"{who}: no Values to view (an empty list)")
    return list(dict.fromkeys(roots))


def module_groups(parameters: Any, who: str = "view") -> dict[Value, str]:
    """{parameter Value: module path} from a Module (its `named_parameters()` and
    `named_modules()`) or from `(dotted name, Value)` pairs.

    A parameter named `layers.1.neurons.3.w.0` belongs to the deepest module whose path prefixes
    its name (`layers.1.neurons.3`); without a module list, its name less the attribute part
    (trailing numbers and the attribute name). Parameters of the top-level module get `''`.
    """
    if parameters is None:
        return {}
    if hasattr(parameters, "named_parameters"):
        pairs = parameters.named_parameters()
        modules = (
            [name for name, _ in parameters.named_modules()]
            if hasattr(parameters, "named_modules")
            else None
        )
    else:
        if isinstance(parameters, (str, bytes)) or not isinstance(parameters, Iterable):
            raise TypeError(
                f"{who}: parameters must be a Module or (name, Value) pairs, "
                f"got {type(parameters).__name__}"
            )
        pairs, modules = list(parameters), None
    groups: dict[Value, str] = {}
    for pair in pairs:
        if not (
            isinstance(pair, tuple)
            and len(pair) == 2
            and isinstance(pair[1], Value)
            and isinstance(pair[0], str)
        ):
            raise TypeError(f"{who}: parameters must be (name, Value) pairs, got {pair!r:.80}")
        name, value = pair
        groups[value] = _module_of(name, modules)
    return groups


def _module_of(name: str, modules: Sequence[str] | None) -> str:
    if modules is not None:
        owners = [m for m in modules if m and name.startswith(m + ".")]
        return max(owners, key=len) if owners else ""
    parts = name.split(".")
    while parts and parts[-1].isdigit():
        parts.pop()
    return ".".join(parts[:-1])


def export(
    roots: list[Value],
    *,
    parameters: Any = None,
    check: bool = False,
    title: str = "",
    eps: float = 1e-6,
) -> dict[str, Any]:
    """The graph behind `roots`, its forward order and backward steps, as JSON-ready data."""
    nodes = list(walk(roots))
    index = {node: i for i, node in enumerate(nodes)}
    names = name_nodes(nodes)
    param_group = module_groups(parameters)
    saved = [node.grad for node in nodes]
    try:
        forward = [index[node] for node in reversed(backprop_order(roots))]
        passes, records = _backward(roots, nodes, index)
        final = [node.grad for node in nodes]
        truth = _gradient_truth(roots, nodes, final, eps) if check else None
    finally:
        for node, grad in zip(nodes, saved):
            node.grad = grad
    groups, group_of = _groups(nodes, index, forward, param_group)
    return {
        "version": 1,
        "title": title or _default_title(roots, names),
        "nodes": _node_table(nodes, index, names, set(roots), param_group, group_of),
        "roots": [index[root] for root in roots],
        "forward": forward,
        "passes": passes,
        "steps": records,
        "groups": groups,
        "check": truth,
    }


def _default_title(roots: list[Value], names: dict[Value, str]) -> str:
    return ", ".join(names[root] for root in roots)


def _node_table(
    nodes: list[Value],
    index: dict[Value, int],
    names: dict[Value, str],
    outputs: set[Value],
    param_group: dict[Value, str],
    group_of: list[int],
) -> dict[str, list[Any]]:
    """Column-wise facts of every node (index i is node i), with each edge's rule and local
    derivative (edge j of node i: its input j)."""
    table: dict[str, list[Any]] = {
        key: []
        for key in (
            "id",
            "label",
            "op",
            "kind",
            "data",
            "dataText",
            "parents",
            "formula",
            "numbers",
            "local",
            "localText",
            "rule",
            "group",
        )
    }
    for i, node in enumerate(nodes):
        table["id"].append(names[node])
        table["label"].append(node.label)
        table["op"].append(node.op)
        table["kind"].append(node_kind(node, outputs, param_group))
        table["data"].append(number(node.data))
        table["dataText"].append(text(node.data))
        table["parents"].append([index[parent] for parent in node.parents])
        table["group"].append(group_of[i])
        if node.is_leaf:
            for key in ("formula", "numbers"):
                table[key].append("")
            for key in ("local", "localText", "rule"):
                table[key].append([])
            continue
        table["formula"].append(formula(node, names))
        table["numbers"].append(formula(node, {p: format_factor(p.data) for p in node.parents}))
        local = evaluate_rule(node, create_graph=False)
        table["local"].append([number(d) for d in local])
        table["localText"].append([text(d) for d in local])
        table["rule"].append(
            [list(ops.rule_text(node, j, names)) for j in range(len(node.parents))]
        )
    return table


def _backward(
    roots: list[Value], nodes: list[Value], index: dict[Value, int]
) -> tuple[list[dict[str, Any]], dict[str, list[Any]]]:
    """Run `steps(root)` for each root in turn (gradients zeroed first) and record every step.

    What `steps` does to gradients besides the steps themselves — resetting the pass's interior
    nodes, setting aside leaf gradients of earlier passes, seeding the root, adding the set-aside
    gradients back at the end — is read from the Values and recorded as a pass's `start` and
    `end` changes (node, gradient before, after), so the page can replay and undo them.
    """
    for node in nodes:
        node.grad = 0.0
    columns = (
        "pass",
        "number",
        "node",
        "input",
        "parent",
        "upstream",
        "local",
        "term",
        "before",
        "after",
        "accumulated",
    )
    records: dict[str, list[Any]] = {key: [] for key in columns}
    for key in ("upstreamText", "termText", "beforeText", "afterText"):
        records[key] = []
    passes = []
    shown: list[float | None] = [None] * len(nodes)  # the gradient the page shows, per node
    for number_of_pass, root in enumerate(roots):
        taken = steps(root)  # resets, sets aside and seeds at once
        seeded = root.grad
        start = _changes(nodes, shown)
        for step in taken:
            parent = index[step.parent]
            before = shown[parent]
            assert before is not None, "the first pass's start shows every gradient"
            shown[parent] = step.parent_grad
            for key, value in (
                ("pass", number_of_pass),
                ("number", step.number),
                ("node", index[step.node]),
                ("input", step.index),
                ("parent", parent),
                ("upstream", number(step.upstream)),
                ("local", number(step.local)),
                ("term", number(step.contribution)),
                ("before", number(before)),
                ("after", number(step.parent_grad)),
                ("accumulated", step.accumulated),
                ("upstreamText", text(step.upstream)),
                ("termText", text(step.contribution)),
                ("beforeText", text(before)),
                ("afterText", text(step.parent_grad)),
            ):
                records[key].append(value)
        passes.append(
            {
                "root": index[root],
                "seed": number(seeded),
                "seedText": text(seeded),
                "start": start,
                "end": _changes(nodes, shown),
            }
        )
    return passes, records


def _changes(nodes: list[Value], shown: list[float | None]) -> dict[str, list[Any]]:
    """The nodes whose `.grad` differs from what the page shows, with both values (and texts);
    `shown` is brought up to date."""
    changed: dict[str, list[Any]] = {
        key: [] for key in ("node", "before", "after", "beforeText", "afterText")
    }
    for i, node in enumerate(nodes):
        before, after = shown[i], node.grad
        if before is not None and struct.pack("<d", before) == struct.pack("<d", after):
            continue
        shown[i] = after
        changed["node"].append(i)
        changed["before"].append(None if before is None else number(before))
        changed["beforeText"].append(None if before is None else text(before))
        changed["after"].append(number(after))
        changed["afterText"].append(text(after))
    return changed


def _gradient_truth(
    roots: list[Value], nodes: list[Value], final: list[float], eps: float
) -> list[dict[str, Any]]:
    """For each leaf: the analytic gradient (the last step's) and the central difference of
    Σ roots with respect to it (`numerical_grad`, the graph replayed with the leaf moved),
    marked agree when |analytic − numeric| <= 1e-5 + 1e-3·|numeric| (gradcheck's tolerances)."""
    leaves = [i for i, node in enumerate(nodes) if node.is_leaf]
    replay = _replayer(roots, nodes, leaves)
    point = [nodes[i].data for i in leaves]
    try:
        numeric = numerical_grad(replay, [point], eps=eps)[0]
        failure = ""
    except (ValueError, ZeroDivisionError, OverflowError) as error:
        numeric, failure = [math.nan] * len(leaves), str(error)
    rows = []
    for i, estimate in zip(leaves, numeric):
        analytic = final[i]
        difference = abs(analytic - estimate)
        agree = bool(difference <= 1e-5 + 1e-3 * abs(estimate))
        rows.append(
            {
                "node": i,
                "analytic": number(analytic),
                "numeric": number(estimate),
                "analyticText": text(analytic),
                "numericText": text(estimate),
                "differenceText": text(difference),
                "agree": agree,
                "error": failure,
            }
        )
    return rows


def _replayer(
    roots: list[Value], nodes: list[Value], leaves: list[int]
) -> Callable[[list[Value]], float]:
    """f(leaf values) = Σ roots, recomputed with each node's own forward (no graph is built)."""
    index = {node: i for i, node in enumerate(nodes)}
    order = []
    for node in reversed(backprop_order(roots)):
        op = node.operation
        assert op is not None, "backprop_order lists computed nodes only"
        order.append((index[node], op.forward, [index[p] for p in node.parents]))
    root_positions = [index[root] for root in roots]
    base = [node.data for node in nodes]

    def replay(moved: list[Value]) -> float:
        data = list(base)
        for i, value in zip(leaves, moved):
            data[i] = float(value)
        with no_grad():
            for i, forward, parents in order:
                data[i] = forward(*[data[p] for p in parents])
        return math.fsum(data[i] for i in root_positions)

    return replay


def _groups(
    nodes: list[Value],
    index: dict[Value, int],
    forward: list[int],
    param_group: dict[Value, str],
) -> tuple[list[dict[str, Any]], list[int]]:
    """Module groups: each parameter is in its module's group; a computed node joins the group
    its parameter inputs share (the deepest common module path), and a one-input node (an
    activation) joins its input's group. Returns the groups and each node's group (-1: none)."""
    path: list[str] = [param_group.get(node, "") for node in nodes]
    for i in forward:
        node = nodes[i]
        owners = {path[index[p]] for p in node.parents if p in param_group}
        if owners:
            path[i] = _common_path(owners)
        elif len(set(node.parents)) == 1:
            path[i] = path[index[node.parents[0]]]
    names = sorted({p for p in path if p}, key=_natural)
    number_of = {name: g for g, name in enumerate(names)}
    group_of = [number_of.get(p, -1) for p in path]
    members: list[list[int]] = [[] for _ in names]
    for i, g in enumerate(group_of):
        if g >= 0:
            members[g].append(i)
    return [{"path": name, "members": m} for name, m in zip(names, members)], group_of


def _natural(path: str) -> list[tuple[int, int | str]]:
    """Sort key: `layers.2` before `layers.10` (numbers compare as numbers)."""
    return [(0, int(part)) if part.isdigit() else (1, part) for part in path.split(".")]


def _common_path(paths: set[str]) -> str:
    split = [p.split(".") for p in paths]
    common = []
    for parts in zip(*split):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return ".".join(common)
