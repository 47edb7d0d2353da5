"""The page: one HTML file with the CSS, the replaying JavaScript and the data inline.

A Content-Security-Policy in the page forbids every network request (scripts and styles may
only be the inline ones, images only `data:`), so the page works from `file://`, offline, and
inside a sandboxed iframe (`View._repr_html_`, the playground). User text (labels) reaches the
page only as JSON data, which the script puts in the document as text, never as markup.
"""

from __future__ import annotations

import html
import json
from functools import cache
from importlib import resources
from typing import Any

from .layout import DOT_LIMIT, dot_available, layout

CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · glassgrad view</title>
<style>
{css}
</style>
</head>
<body>
<div id="app">
<header id="bar">
<span class="title" id="title"></span>
<button id="start" title="jump to the start (Home)">⇤</button>
<button id="back" title="step back (←)">◀ back</button>
<button id="play" title="play / pause (space)">▶ play</button>
<button id="step" title="step forward (→)">step ▶</button>
<button id="end" title="jump to the end (End)">⇥</button>
<input id="scrub" type="range" min="0" max="0" value="0" aria-label="position">
<select id="speed" title="steps per second" aria-label="speed">
<option value="1">1/s</option><option value="2" selected>2/s</option><option value="5">5/s</option>
<option value="10">10/s</option><option value="30">30/s</option><option value="100">100/s</option>
</select>
<span id="position"></span>
<label><input id="show-data" type="checkbox" checked> data</label>
<label><input id="show-grad" type="checkbox" checked> grad</label>
<button id="direction" title="left-right or top-bottom">LR</button>
<button id="expand-all" title="expand every module group">expand all</button>
<button id="collapse-all" title="collapse every module group">collapse all</button>
<button id="fit" title="fit the graph to the window">fit</button>
<button id="theme" title="light / dark">◐</button>
</header>
<div id="main">
<div id="stage">
<svg id="under" xmlns="http://www.w3.org/2000/svg" aria-hidden="true"><g id="edges"></g></svg>
<svg id="graph" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="computation graph">
<g id="viewport"><g id="cards"></g><g id="marks"></g><g id="nodes"></g>
<text id="edgelabel" class="edgelabel" text-anchor="middle"></text></g>
</svg>
<div id="legend"><span class="sw output"></span>output <span class="sw computed"></span>computed
<span class="sw parameter"></span>parameter <span class="sw leaf"></span>input/constant
<span class="sw pending"></span>not computed yet
<span class="keys">← → step · space play · Home End</span></div>
</div>
<aside>
<h2>this step</h2>
<div id="now" class="math"></div>
<h2>inspect</h2>
<div id="inspect"></div>
<h2>leaves</h2>
<table id="leaves"></table>
<section id="truth-section" style="display:none">
<h2>gradient truth (central differences)</h2>
<table id="truth"></table>
</section>
</aside>
</div>
</div>
<script type="application/json" id="gg-data">{data}</script>
<script>
{js}
</script>
</body>
</html>
"""


@cache
def _static(name: str) -> str:
    return (resources.files(__package__) / "static" / name).read_text(encoding="utf-8")


def page(data: dict[str, Any]) -> str:
    """The complete page for exported `data` (with its `layout` and `options`)."""
    return TEMPLATE.format(
        csp=CSP,
        title=html.escape(data["title"]),
        css=_static("viewer.css"),
        js=_static("viewer.js"),
        data=script_json(data),
    )


def script_json(data: Any) -> str:
    """JSON that is safe inside a <script> element: no `<`, `>` or `&` appear literally, so no
    label can close the element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def build_layout(data: dict[str, Any], method: str, collapsed: bool) -> dict[str, Any]:
    """Three layouts: every node (`full`), one box per module group (`collapsed`: its `units`
    are node numbers, or -1 - g for group g), and each group's own nodes (`inner`)."""
    nodes = data["nodes"]
    parents = nodes["parents"]
    count = len(parents)
    edges = [(p, child) for child, ps in enumerate(parents) for p in ps]
    if method == "auto":  # one method for all three layouts: dot only where it is quick
        method = "dot" if count <= DOT_LIMIT and dot_available() else "layered"
    full = layout(count, edges, method)
    group_of = nodes["group"]
    groups = data["groups"]
    result: dict[str, Any] = {
        "method": full["method"],
        "full": {"rank": full["rank"], "slot": full["slot"]},
        "collapsedByDefault": bool(collapsed and groups),
    }
    units = [i for i in range(count) if group_of[i] < 0] + [-1 - g for g in range(len(groups))]
    unit_of = {u: k for k, u in enumerate(units)}

    def unit(i: int) -> int:
        return unit_of[i] if group_of[i] < 0 else unit_of[-1 - group_of[i]]

    quotient = [(unit(a), unit(b)) for a, b in edges if unit(a) != unit(b)]
    coarse = layout(len(units), quotient, method) if groups else {"rank": [], "slot": []}
    result["collapsed"] = {"units": units, "rank": coarse["rank"], "slot": coarse["slot"]}
    inner = []
    for group in groups:
        members = group["members"]
        local = {i: k for k, i in enumerate(members)}
        inside = [(local[a], local[b]) for a, b in edges if a in local and b in local]
        placed = layout(len(members), inside, method)
        inner.append(
            {
                "rank": placed["rank"],
                "slot": placed["slot"],
                "ranks": max(placed["rank"]) + 1,
                "slots": max(placed["slot"]) + 1,
            }
        )
    result["inner"] = inner
    return result
