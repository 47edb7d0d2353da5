// glassgrad viewer: replays the records Python exported (autograd/viewer/export.py).
// Every number shown comes from the data, with its display text; nothing here computes them.
(function () {
  "use strict";
  var G = JSON.parse(document.getElementById("gg-data").textContent);
  var N = G.nodes, S = G.steps, L = G.layout;
  var count = N.id.length;
  var SVGNS = "http://www.w3.org/2000/svg";
  var BOX_W = 150, BOX_H = 54, RANK_W = 215, SLOT_H = 66, SLOT_W = 170, RANK_H = 104, CARD_HEAD = 26;

  function num(x) { return typeof x === "string" ? Number(x) : x; }  // "Infinity", "NaN"
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function sv(tag, attrs) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }

  // ---- the timeline: start, one position per forward node, then per pass its seed and steps ----
  var timeline = [{ t: "start" }];
  G.forward.forEach(function (i) { timeline.push({ t: "forward", node: i }); });
  var stepsOfPass = G.passes.map(function () { return []; });
  for (var s = 0; s < S.node.length; s++) stepsOfPass[S.pass[s]].push(s);
  G.passes.forEach(function (p, k) {
    timeline.push({ t: "seed", pass: k });
    stepsOfPass[k].forEach(function (s) { timeline.push({ t: "backward", step: s, pass: k }); });
  });
  var last = timeline.length - 1;

  // ---- state: what each node shows now ----
  var isForward = new Array(count).fill(false);
  G.forward.forEach(function (i) { isForward[i] = true; });
  var dataShown = isForward.map(function (f) { return !f; });  // leaves are given at the start
  var gradValue = new Array(count).fill(null), gradText = new Array(count).fill(null);
  var position = 0, dirty = new Set();

  function setGrad(i, value, text) { gradValue[i] = value; gradText[i] = text; dirty.add(i); }

  function apply(e) {  // move from position p - 1 to p
    if (e.t === "forward") { dataShown[e.node] = true; dirty.add(e.node); }
    else if (e.t === "seed") {
      var p = G.passes[e.pass];
      p.reset.forEach(function (i) { setGrad(i, 0, "0"); });
      setGrad(p.root, num(p.seed), p.seedText);
    } else if (e.t === "backward") {
      setGrad(S.parent[e.step], num(S.after[e.step]), S.afterText[e.step]);
    }
  }
  function unapply(e) {  // move from position p back to p - 1: the exact earlier state
    if (e.t === "forward") { dataShown[e.node] = false; dirty.add(e.node); }
    else if (e.t === "seed") {
      var p = G.passes[e.pass];
      setGrad(p.root, p.rootBefore === null ? null : num(p.rootBefore), p.rootBeforeText);
      p.reset.forEach(function (i, k) {
        setGrad(i, p.previous[k] === null ? null : num(p.previous[k]), p.previousText[k]);
      });
    } else if (e.t === "backward") {
      setGrad(S.parent[e.step], num(S.before[e.step]), S.beforeText[e.step]);
    }
  }
  function goto(target) {
    target = Math.max(0, Math.min(last, Math.floor(Number(target)) || 0));
    while (position < target) { position += 1; apply(timeline[position]); }
    while (position > target) { unapply(timeline[position]); position -= 1; }
    render();
    return current();
  }

  // ---- groups and layout ----
  var groupOf = N.group, groups = G.groups;
  var expanded = new Set(), fullMode = !L.collapsedByDefault || groups.length === 0;
  var unitOfNode = new Array(count), unitOfGroup = [];
  L.collapsed.units.forEach(function (u, k) {
    if (u >= 0) unitOfNode[u] = k; else unitOfGroup[-u - 1] = k;
  });
  var innerIndex = new Array(count);
  groups.forEach(function (g) { g.members.forEach(function (i, k) { innerIndex[i] = k; }); });
  var direction = G.options.rankdir === "TB" ? "TB" : "LR";

  function xy(rank, slot) {
    return direction === "LR" ? { x: rank * RANK_W, y: slot * SLOT_H } : { x: slot * SLOT_W, y: rank * RANK_H };
  }
  function groupVisible(g) { return fullMode || expanded.has(g); }  // its members are drawn
  function nodeVisible(i) { return groupOf[i] < 0 || groupVisible(groupOf[i]); }
  function cardOrigin(g) {
    var u = unitOfGroup[g];
    var p = xy(L.collapsed.rank[u], L.collapsed.slot[u]);
    return { x: p.x, y: p.y + CARD_HEAD };
  }
  function nodePos(i) {
    if (fullMode) return xy(L.full.rank[i], L.full.slot[i]);
    var g = groupOf[i];
    if (g < 0) { var u = unitOfNode[i]; return xy(L.collapsed.rank[u], L.collapsed.slot[u]); }
    var o = cardOrigin(g), inner = L.inner[g], k = innerIndex[i];
    var p = xy(inner.rank[k], inner.slot[k]);
    return { x: o.x + p.x + 12, y: o.y + p.y + 8 };
  }
  function groupPos(g) { var u = unitOfGroup[g]; return xy(L.collapsed.rank[u], L.collapsed.slot[u]); }

  // ---- drawing ----
  var svg = $("graph"), viewport = $("viewport"), cardLayer = $("cards"), edgeLayer = $("edges"),
    nodeLayer = $("nodes");
  var nodeEl = new Array(count), groupEl = [], cardEl = [];
  var consumers = N.id.map(function () { return []; });
  N.parents.forEach(function (ps, i) { ps.forEach(function (p, j) { consumers[p].push([i, j]); }); });

  function nodeElement(i) {
    if (nodeEl[i]) return nodeEl[i];
    var g = sv("g", { "class": "node " + N.kind[i], "data-id": N.id[i] });
    g.appendChild(sv("rect", { width: BOX_W, height: BOX_H, rx: 6 }));
    var name = sv("text", { x: 7, y: 15, "class": "name" });
    name.textContent = short(N.id[i], N.op[i] ? 15 : 22);
    g.appendChild(name);
    if (N.op[i]) {
      var op = sv("text", { x: BOX_W - 7, y: 15, "class": "opname", "text-anchor": "end" });
      op.textContent = short(N.op[i], 9);
      g.appendChild(op);
    }
    var title = sv("title", {});
    title.textContent = N.id[i] + (N.op[i] ? " = " + N.formula[i] : "");
    g.appendChild(title);
    g.appendChild(sv("text", { x: 7, y: 32, "class": "dataline" }));
    g.appendChild(sv("text", { x: 7, y: 47, "class": "gradline" }));
    g.addEventListener("click", function (ev) { ev.stopPropagation(); select(i, true); });
    g.addEventListener("mouseenter", function () { if (!pinned) select(i, false); });
    nodeLayer.appendChild(g);
    nodeEl[i] = g;
    dirty.add(i);
    return g;
  }
  function short(text, n) { return text.length > n ? text.slice(0, n - 1) + "…" : text; }

  function groupElement(gi) {
    if (groupEl[gi]) return groupEl[gi];
    var g = sv("g", { "class": "node groupbox", "data-group": groups[gi].path });
    g.appendChild(sv("rect", { width: BOX_W, height: BOX_H, rx: 10 }));
    var name = sv("text", { x: 7, y: 18, "class": "name" });
    name.textContent = short(groups[gi].path, 22);
    var info = sv("text", { x: 7, y: 38, "class": "opname" });
    info.textContent = groups[gi].members.length + " nodes ▸ expand";
    var title = sv("title", {});
    title.textContent = groups[gi].path + ": click to expand";
    g.appendChild(name); g.appendChild(info); g.appendChild(title);
    g.addEventListener("click", function (ev) { ev.stopPropagation(); expand(gi); });
    nodeLayer.appendChild(g);
    groupEl[gi] = g;
    return g;
  }
  function cardElement(gi) {
    if (cardEl[gi]) return cardEl[gi];
    var g = sv("g", { "class": "card", "data-card": groups[gi].path });
    var bg = sv("rect", { "class": "cardbg", rx: 10 });
    var head = sv("text", { x: 10, y: 18 });
    head.textContent = "▾ " + groups[gi].path + "  (collapse)";
    head.addEventListener("click", function (ev) { ev.stopPropagation(); collapse(gi); });
    g.appendChild(bg); g.appendChild(head);
    cardLayer.appendChild(g);
    cardEl[gi] = g;
    return g;
  }

  var edgeEls = [];  // rebuilt on every layout change: [{el, a, b, node, input}]
  function anchor(i) { return nodeVisible(i) ? { node: i } : { group: groupOf[i] }; }
  function anchorPos(a) { return a.node !== undefined ? nodePos(a.node) : groupPos(a.group); }
  function port(a, out, j, k) {
    var p = anchorPos(a);
    if (direction === "LR") {
      return out ? { x: p.x + BOX_W, y: p.y + BOX_H / 2 } : { x: p.x, y: p.y + BOX_H * (j + 1) / (k + 1) };
    }
    return out ? { x: p.x + BOX_W / 2, y: p.y + BOX_H } : { x: p.x + BOX_W * (j + 1) / (k + 1), y: p.y };
  }
  function curve(a, b) {
    if (direction === "LR") {
      var dx = Math.max(30, (b.x - a.x) / 2);
      return "M" + a.x + "," + a.y + " C" + (a.x + dx) + "," + a.y + " " + (b.x - dx) + "," + b.y + " " + b.x + "," + b.y;
    }
    var dy = Math.max(25, (b.y - a.y) / 2);
    return "M" + a.x + "," + a.y + " C" + a.x + "," + (a.y + dy) + " " + b.x + "," + (b.y - dy) + " " + b.x + "," + b.y;
  }
  function key(a) { return a.node !== undefined ? "n" + a.node : "g" + a.group; }

  function layoutAll() {
    for (var i = 0; i < count; i++) {
      if (nodeVisible(i)) {
        var e = nodeElement(i), p = nodePos(i);
        e.setAttribute("transform", "translate(" + p.x + "," + p.y + ")");
        e.style.display = "";
      } else if (nodeEl[i]) nodeEl[i].style.display = "none";
    }
    groups.forEach(function (g, gi) {
      var boxShown = !fullMode && !expanded.has(gi), cardShown = !fullMode && expanded.has(gi);
      if (boxShown) {
        var e = groupElement(gi), p = groupPos(gi);
        e.setAttribute("transform", "translate(" + p.x + "," + p.y + ")");
        e.style.display = "";
      } else if (groupEl[gi]) groupEl[gi].style.display = "none";
      if (cardShown) {
        var c = cardElement(gi), o = cardOrigin(gi), inner = L.inner[gi];
        var far = xy(inner.ranks, inner.slots);
        var w = (direction === "LR" ? far.x - RANK_W : far.x - SLOT_W) + BOX_W + 24;
        var h = (direction === "LR" ? far.y - SLOT_H : far.y - RANK_H) + BOX_H + 16 + CARD_HEAD;
        c.setAttribute("transform", "translate(" + o.x + "," + (o.y - CARD_HEAD) + ")");
        var bg = c.firstChild;
        bg.setAttribute("width", Math.max(w, 260)); bg.setAttribute("height", h);
        c.style.display = "";
      } else if (cardEl[gi]) cardEl[gi].style.display = "none";
    });
    while (edgeLayer.firstChild) edgeLayer.removeChild(edgeLayer.firstChild);
    edgeEls = [];
    var seen = new Set();
    for (var c = 0; c < count; c++) {
      var ps = N.parents[c];
      for (var j = 0; j < ps.length; j++) {
        var a = anchor(ps[j]), b = anchor(c);
        if (key(a) === key(b)) continue;  // inside a collapsed group
        var whole = a.node !== undefined && b.node !== undefined;
        var id = whole ? c + ":" + j : key(a) + ">" + key(b);
        if (seen.has(id)) continue;
        seen.add(id);
        var path = sv("path", { "class": "edge", d: curve(port(a, true), port(b, false, whole ? j : 0, whole ? ps.length : 1)) });
        edgeLayer.appendChild(path);
        edgeEls.push({ el: path, a: a, b: b, node: whole ? c : -1, input: whole ? j : -1, from: ps[j], to: c });
      }
    }
    markCurrent();
    markPath();
    renderNodes(true);
  }

  // ---- the step panel, the node texts, highlights ----
  var highlighted = [];
  function markCurrent() {
    highlighted.forEach(function (e) { e.classList.remove("current"); });
    highlighted = [];
    var label = $("edgelabel");
    label.style.display = "none";
    var e = timeline[position], ends = [], edge = null;
    if (e.t === "forward") ends = [e.node];
    else if (e.t === "seed") ends = [G.passes[e.pass].root];
    else if (e.t === "backward") {
      ends = [S.node[e.step], S.parent[e.step]];
      edge = edgeFor(S.node[e.step], S.input[e.step]);
    }
    ends.forEach(function (i) {
      var el = nodeVisible(i) ? nodeEl[i] : groupEl[groupOf[i]];
      if (el) { el.classList.add("current"); highlighted.push(el); }
    });
    if (e.t === "forward") {
      edgeEls.forEach(function (x) {
        if (x.to === e.node) { x.el.classList.add("current"); highlighted.push(x.el); }
      });
    }
    if (edge) {
      edge.el.classList.add("current");
      highlighted.push(edge.el);
      edgeLayer.appendChild(edge.el);  // on top
      var box = edge.el.getBBox();
      label.textContent = S.termText[e.step];
      label.setAttribute("x", box.x + box.width / 2);
      label.setAttribute("y", box.y + box.height / 2 - 6);
      label.style.display = "";
    }
  }
  function edgeFor(node, input) {
    var a = key(anchor(N.parents[node][input])), b = key(anchor(node));
    for (var k = 0; k < edgeEls.length; k++) {
      var x = edgeEls[k];
      if (x.node === node && x.input === input) return x;
    }
    for (k = 0; k < edgeEls.length; k++) {
      if (key(edgeEls[k].a) === a && key(edgeEls[k].b) === b) return edgeEls[k];
    }
    return null;
  }

  function renderNodes(all) {
    var list = all ? Array.from({ length: count }, function (_, i) { return i; }) : Array.from(dirty);
    list.forEach(function (i) {
      var g = nodeEl[i];
      if (g) {
        var dataLine = g.querySelector(".dataline"), gradLine = g.querySelector(".gradline");
        dataLine.textContent = dataShown[i] ? "data " + N.dataText[i] : "data ?";
        gradLine.textContent = gradText[i] === null ? "" : "grad " + gradText[i];
        g.classList.toggle("pending", !dataShown[i]);
      }
      var row = leafRows[i];
      if (row) {
        row.cells[2].textContent = gradText[i] === null ? "" : gradText[i];
        row.classList.toggle("changed", changedNow(i));
      }
    });
    dirty.clear();
  }
  function changedNow(i) {
    var e = timeline[position];
    return e.t === "backward" && S.parent[e.step] === i;
  }

  function spans(parent, parts) {  // parts: strings or [class, text]
    parts.forEach(function (p) {
      if (typeof p === "string") parent.appendChild(document.createTextNode(p));
      else parent.appendChild(el("span", p[0], p[1]));
    });
  }
  function line(parts) { var d = el("div"); spans(d, parts); return d; }

  function renderNow() {
    var box = $("now");
    box.textContent = "";
    var e = timeline[position];
    if (e.t === "start") {
      box.appendChild(el("div", "hint", "The inputs are given. Step → to run the forward pass, node by node, " +
        "then backprop one chain-rule edge at a time."));
      return;
    }
    if (e.t === "forward") {
      var i = e.node;
      box.appendChild(el("div", "hint", "forward pass: node " + position + " of " + G.forward.length));
      box.appendChild(line([["name", N.id[i]], " = " + N.formula[i]]));
      box.appendChild(line(["= " + N.numbers[i] + " = ", ["term", N.dataText[i]]]));
      return;
    }
    var p = G.passes[e.pass], out = N.id[p.root];
    if (e.t === "seed") {
      box.appendChild(el("div", "hint", "backward pass" + (G.passes.length > 1 ? " " + (e.pass + 1) + " of " + G.passes.length : "") +
        ": every gradient starts at 0, and the output's own is seeded"));
      box.appendChild(line(["∂" + out + "/∂" + out + " = ", ["after", p.seedText]]));
      return;
    }
    var s = e.step, n = N.id[S.node[s]], w = N.id[S.parent[s]], j = S.input[s];
    var acc = S.accumulated[s];
    box.appendChild(el("div", "hint", "backward step " + S.number[s] + (G.passes.length > 1 ? " (pass " + (e.pass + 1) + ")" : "") +
      ": input " + j + " of " + n));
    box.appendChild(line(["∂" + out + "/∂" + w + " ", ["accum", acc ? "+=" : "="], " ∂" + out + "/∂" + n + " · ∂" + n + "/∂" + w]));
    box.appendChild(line(["= upstream · local = ", ["upstream", S.upstreamText[s]], " · ", ["local", N.localText[S.node[s]][j]],
      " = ", ["term", S.termText[s]]]));
    var rule = N.rule[S.node[s]][j] || ["", ""];
    var f = N.formula[S.node[s]];
    var r = ["∂" + (f.indexOf(" ") >= 0 ? "(" + f + ")" : f) + "/∂" + w + " = "];
    if (rule[0]) r.push(["rule", rule[0]], " = ");
    if (rule[1]) r.push(["rulenumbers", rule[1]], " = ");
    r.push(["local", N.localText[S.node[s]][j]]);
    box.appendChild(line(r));
    if (acc) {
      box.appendChild(line([w + ".grad = ", ["before", S.beforeText[s]], " + ", ["term", S.termText[s]], " = ", ["after", S.afterText[s]],
        "  (a reused node: the chain rule sums over paths)"]));
    } else {
      box.appendChild(line([w + ".grad = ", ["after", S.afterText[s]]]));
    }
  }

  function render() {
    renderNodes(false);
    markCurrent();
    renderNow();
    $("position").textContent = describePosition();
    $("scrub").value = position;
    if (selected >= 0) inspect(selected);
    for (var i = 0; i < count; i++) {
      var row = leafRows[i];
      if (row) row.classList.toggle("changed", changedNow(i));
    }
  }
  function describePosition() {
    var e = timeline[position];
    var where = e.t === "start" ? "start" : e.t === "forward" ? "forward" : e.t === "seed" ? "seed" : "backward";
    return "position " + position + " / " + last + " · " + where;
  }

  // ---- inspect and path highlighting ----
  var selected = -1, pinned = false, pathMarked = [];
  function select(i, pin) {
    selected = i;
    pinned = pin;
    inspect(i);
    markPath();
  }
  function pathTo(i) {  // every node on a path from the outputs to i: i and all that use it
    var on = new Set([i]), queue = [i];
    while (queue.length) {
      var n = queue.pop();
      consumers[n].forEach(function (c) { if (!on.has(c[0])) { on.add(c[0]); queue.push(c[0]); } });
    }
    return on;
  }
  function markPath() {
    pathMarked.forEach(function (e) { e.classList.remove("onpath", "selected"); });
    pathMarked = [];
    if (selected < 0) return;
    var on = pathTo(selected);
    on.forEach(function (n) {
      var e = nodeVisible(n) ? nodeEl[n] : groupEl[groupOf[n]];
      if (e) { e.classList.add("onpath"); pathMarked.push(e); }
    });
    var me = nodeVisible(selected) ? nodeEl[selected] : groupEl[groupOf[selected]];
    if (me) { me.classList.add("selected"); pathMarked.push(me); }
    edgeEls.forEach(function (x) {
      if (on.has(x.from) && on.has(x.to)) { x.el.classList.add("onpath"); pathMarked.push(x.el); }
    });
  }
  function inspect(i) {
    var box = $("inspect");
    box.textContent = "";
    var t = el("table");
    function row(k, v, cls) { var r = t.insertRow(); r.insertCell().textContent = k; var c = r.insertCell(); c.textContent = v; if (cls) c.className = cls; }
    row("id", N.id[i]);
    if (N.label[i] && N.label[i] !== N.id[i]) row("label", N.label[i]);
    row("kind", N.kind[i] + (groupOf[i] >= 0 ? " in " + groups[groupOf[i]].path : ""));
    if (N.op[i]) row("op", N.op[i] + ":  " + N.id[i] + " = " + N.formula[i]);
    row("data", dataShown[i] ? N.dataText[i] : "? (not computed yet)", "num");
    row("grad", gradText[i] === null ? "(backward has not reached it)" : gradText[i], "num");
    box.appendChild(t);
    if (N.parents[i].length) {
      box.appendChild(el("div", "hint", "inputs and the local derivative ∂" + N.id[i] + "/∂input:"));
      var pt = el("table");
      var h = pt.insertRow();
      ["input", "local", "rule"].forEach(function (x) { var c = el("th", "", x); h.appendChild(c); });
      N.parents[i].forEach(function (p, j) {
        var r = pt.insertRow();
        r.insertCell().textContent = N.id[p];
        var c = r.insertCell(); c.textContent = N.localText[i][j]; c.className = "num";
        var rule = N.rule[i][j] || ["", ""];
        r.insertCell().textContent = rule[0] ? rule[0] + (rule[1] ? " = " + rule[1] : "") : "";
      });
      box.appendChild(pt);
    }
    var uses = consumers[i].map(function (c) { return N.id[c[0]]; });
    if (uses.length) box.appendChild(el("div", "hint", "used by: " + Array.from(new Set(uses)).join(", ") +
      (uses.length > 1 ? " — its gradient sums one term per use (paths highlighted)" : "")));
  }

  // ---- leaves table and gradient truth ----
  var leafRows = new Array(count);
  (function () {
    var t = $("leaves");
    var h = t.insertRow();
    ["leaf", "data", "grad so far"].forEach(function (x) { h.appendChild(el("th", "", x)); });
    for (var i = 0; i < count; i++) {
      if (N.parents[i].length) continue;
      var r = t.insertRow();
      r.dataset.id = N.id[i];
      r.insertCell().textContent = N.id[i];
      var d = r.insertCell(); d.textContent = N.dataText[i]; d.className = "num";
      var g = r.insertCell(); g.className = "num";
      leafRows[i] = r;
      (function (i) { r.addEventListener("click", function () { select(i, true); }); })(i);
    }
  })();
  if (G.check) {
    $("truth-section").style.display = "";
    var t = $("truth");
    var h = t.insertRow();
    ["leaf", "analytic", "numeric", ""].forEach(function (x) { h.appendChild(el("th", "", x)); });
    G.check.forEach(function (c) {
      var r = t.insertRow();
      r.dataset.id = N.id[c.node];
      r.insertCell().textContent = N.id[c.node];
      var a = r.insertCell(); a.textContent = c.analyticText; a.className = "num";
      var n = r.insertCell(); n.textContent = c.numericText; n.className = "num";
      var v = r.insertCell(); v.textContent = c.agree ? "agree" : "differ"; v.className = c.agree ? "agree" : "differ";
      v.title = "|difference| = " + c.differenceText + (c.error ? " (" + c.error + ")" : "");
    });
  }

  // ---- groups: expand and collapse ----
  function expand(gi) { expanded.add(gi); if (expanded.size === groups.length) fullMode = true; layoutAll(); }
  function collapse(gi) {
    if (fullMode) { fullMode = false; groups.forEach(function (_, k) { expanded.add(k); }); }
    expanded.delete(gi);
    layoutAll();
  }
  function expandAll() { fullMode = true; layoutAll(); fit(); }
  function collapseAll() { if (!groups.length) return; fullMode = false; expanded.clear(); layoutAll(); fit(); }

  // ---- pan, zoom, fit ----
  var view = { x: 0, y: 0, w: 800, h: 600 };
  function setView() { svg.setAttribute("viewBox", view.x + " " + view.y + " " + view.w + " " + view.h); }
  function fit() {
    var b = viewport.getBBox(), r = svg.getBoundingClientRect();
    var pad = 30, w = Math.max(b.width + 2 * pad, 300), h = Math.max(b.height + 2 * pad, 200);
    var aspect = (r.width || 800) / (r.height || 600);
    if (w / h < aspect) w = h * aspect; else h = w / aspect;
    var scaleLimit = (r.width || 800) / 1.4;  // never zoom in beyond 1.4× on a small graph
    if (w < scaleLimit) { h *= scaleLimit / w; w = scaleLimit; }
    view = { x: b.x + b.width / 2 - w / 2, y: b.y + b.height / 2 - h / 2, w: w, h: h };
    setView();
  }
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var r = svg.getBoundingClientRect(), f = ev.deltaY > 0 ? 1.15 : 1 / 1.15;
    var px = view.x + (ev.clientX - r.left) / r.width * view.w, py = view.y + (ev.clientY - r.top) / r.height * view.h;
    view = { x: px - (px - view.x) * f, y: py - (py - view.y) * f, w: view.w * f, h: view.h * f };
    setView();
  }, { passive: false });
  var drag = null;
  svg.addEventListener("mousedown", function (ev) { drag = { x: ev.clientX, y: ev.clientY, v: view }; svg.classList.add("dragging"); });
  window.addEventListener("mousemove", function (ev) {
    if (!drag) return;
    var r = svg.getBoundingClientRect();
    view = { x: drag.v.x - (ev.clientX - drag.x) / r.width * drag.v.w, y: drag.v.y - (ev.clientY - drag.y) / r.height * drag.v.h, w: drag.v.w, h: drag.v.h };
    setView();
  });
  window.addEventListener("mouseup", function () { drag = null; svg.classList.remove("dragging"); });
  svg.addEventListener("click", function (ev) {
    if (ev.target === svg) { selected = -1; pinned = false; markPath(); $("inspect").textContent = ""; $("inspect").appendChild(el("div", "hint", "Hover or click a node.")); }
  });

  // ---- controls ----
  var timer = null;
  function playing() { return timer !== null; }
  function play() {
    if (timer !== null) return;
    if (position === last) goto(0);
    timer = setInterval(function () { if (position >= last) pause(); else goto(position + 1); }, 1000 / Number($("speed").value));
    $("play").textContent = "⏸ pause"; $("play").classList.add("on");
  }
  function pause() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    $("play").textContent = "▶ play"; $("play").classList.remove("on");
  }
  $("scrub").max = last;
  $("start").onclick = function () { pause(); goto(0); };
  $("back").onclick = function () { pause(); goto(position - 1); };
  $("play").onclick = function () { if (playing()) pause(); else play(); };
  $("step").onclick = function () { pause(); goto(position + 1); };
  $("end").onclick = function () { pause(); goto(last); };
  $("scrub").oninput = function () { pause(); goto(Number($("scrub").value)); };
  $("speed").onchange = function () { if (playing()) { pause(); play(); } };
  $("show-data").onchange = function () { document.body.classList.toggle("hide-data", !this.checked); };
  $("show-grad").onchange = function () { document.body.classList.toggle("hide-grad", !this.checked); };
  $("direction").onclick = function () { direction = direction === "LR" ? "TB" : "LR"; this.textContent = direction; layoutAll(); fit(); };
  $("theme").onclick = function () { document.body.classList.toggle("dark"); };
  $("fit").onclick = fit;
  if (groups.length) {
    $("expand-all").onclick = expandAll;
    $("collapse-all").onclick = collapseAll;
  } else {
    $("expand-all").style.display = "none";
    $("collapse-all").style.display = "none";
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.target && (ev.target.tagName === "SELECT" || ev.target.tagName === "INPUT" && ev.target.type !== "checkbox" && ev.target.type !== "range")) return;
    var k = ev.key;
    if (k === "ArrowRight") { pause(); goto(position + 1); }
    else if (k === "ArrowLeft") { pause(); goto(position - 1); }
    else if (k === " " || k === "Spacebar") { if (playing()) pause(); else play(); }
    else if (k === "Home") { pause(); goto(0); }
    else if (k === "End") { pause(); goto(last); }
    else return;
    ev.preventDefault();
  });

  // ---- the scripting handle ----
  function current() {
    var e = timeline[position], r = { index: position, phase: e.t };
    if (e.t === "forward") { r.node = N.id[e.node]; r.data = num(N.data[e.node]); r.text = $("now").textContent; }
    else if (e.t === "seed") { var p = G.passes[e.pass]; r.pass = e.pass; r.node = N.id[p.root]; r.grad = num(p.seed); }
    else if (e.t === "backward") {
      var s = e.step;
      r.pass = S.pass[s]; r.number = S.number[s];
      r.node = N.id[S.node[s]]; r.parent = N.id[S.parent[s]]; r.input = S.input[s];
      r.upstream = num(S.upstream[s]); r.local = num(S.local[s]); r.term = num(S.term[s]);
      r.grad = num(S.after[s]); r.accumulated = S.accumulated[s];
    }
    return r;
  }
  var byId = new Map();
  N.id.forEach(function (id, i) { byId.set(id, i); });
  function node(id) {
    if (!byId.has(id)) return null;
    var i = byId.get(id);
    return {
      id: id, label: N.label[i], op: N.op[i], kind: N.kind[i],
      group: groupOf[i] >= 0 ? groups[groupOf[i]].path : null,
      parents: N.parents[i].map(function (p) { return N.id[p]; }),
      data: dataShown[i] ? num(N.data[i]) : null, grad: gradValue[i],
      visible: nodeVisible(i)
    };
  }
  function groupNumber(path) {
    for (var g = 0; g < groups.length; g++) if (groups[g].path === path) return g;
    throw new Error("glassgrad: no group " + path);
  }
  window.glassgrad = {
    stepCount: function () { return last; },
    position: function () { return position; },
    step: function () { return goto(position + 1); },
    back: function () { return goto(position - 1); },
    goto: goto,
    current: current,
    node: node,
    nodes: function () { return N.id.slice(); },
    forwardCount: function () { return G.forward.length; },
    play: play, pause: pause, playing: playing,
    groups: function () { return groups.map(function (g, k) { return { path: g.path, size: g.members.length, expanded: groupVisible(k) }; }); },
    expand: function (path) { expand(groupNumber(path)); },
    collapse: function (path) { collapse(groupNumber(path)); },
    expandAll: expandAll, collapseAll: collapseAll,
    select: function (id) { if (byId.has(id)) select(byId.get(id), true); }
  };

  // ---- start ----
  if (G.options.theme === "dark" || (G.options.theme === "auto" && window.matchMedia &&
      window.matchMedia("(prefers-color-scheme: dark)").matches)) document.body.classList.add("dark");
  $("direction").textContent = direction;
  $("title").textContent = G.title;
  $("inspect").appendChild(el("div", "hint", "Hover or click a node."));
  layoutAll();
  render();
  fit();
  window.addEventListener("resize", fit);
  document.body.dataset.ready = "1";
})();
