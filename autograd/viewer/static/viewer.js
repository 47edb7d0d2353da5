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
    if (p.end.node.length) timeline.push({ t: "finish", pass: k });
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
    else if (e.t === "seed" || e.t === "finish") {
      var c = e.t === "seed" ? G.passes[e.pass].start : G.passes[e.pass].end;
      c.node.forEach(function (i, k) { setGrad(i, num(c.after[k]), c.afterText[k]); });
    } else if (e.t === "backward") {
      setGrad(S.parent[e.step], num(S.after[e.step]), S.afterText[e.step]);
    }
  }
  function unapply(e) {  // move from position p back to p - 1: the exact earlier state
    if (e.t === "forward") { dataShown[e.node] = false; dirty.add(e.node); }
    else if (e.t === "seed" || e.t === "finish") {
      var c = e.t === "seed" ? G.passes[e.pass].start : G.passes[e.pass].end;
      c.node.forEach(function (i, k) { setGrad(i, c.before[k] === null ? null : num(c.before[k]), c.beforeText[k]); });
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
  // An expanded group is a card as large as its own layout; the units after it (later ranks,
  // and lower in its own rank) move over to make room, so nothing overlaps.
  function cardSize(g) {
    var inner = L.inner[g], lr = direction === "LR";
    var w = (inner[lr ? "ranks" : "slots"] - 1) * (lr ? RANK_W : SLOT_W) + BOX_W + 24;
    var h = (inner[lr ? "slots" : "ranks"] - 1) * (lr ? SLOT_H : RANK_H) + BOX_H + 16 + CARD_HEAD;
    return { w: Math.max(w, 260), h: h };
  }
  var shiftRank = [], shiftSlot = [];  // per collapsed rank; per unit
  function makeRoom() {
    var C = L.collapsed, n = C.units.length, lr = direction === "LR", extraRank = {};
    shiftSlot = new Array(n).fill(0);
    expanded.forEach(function (g) {
      var u = unitOfGroup[g], size = cardSize(g), r = C.rank[u];
      var along = (lr ? size.w - BOX_W : size.h - BOX_H), across = (lr ? size.h - BOX_H : size.w - BOX_W);
      extraRank[r] = Math.max(extraRank[r] || 0, along);
      for (var v = 0; v < n; v++) {
        if (C.rank[v] === r && C.slot[v] > C.slot[u]) shiftSlot[v] += across;
      }
    });
    var top = 0;
    C.rank.forEach(function (r) { if (r > top) top = r; });
    shiftRank = [];
    var total = 0;
    for (var r = 0; r <= top; r++) { shiftRank.push(total); total += extraRank[r] || 0; }
  }
  function unitPos(u) {
    var C = L.collapsed, p = xy(C.rank[u], C.slot[u]);
    var a = shiftRank[C.rank[u]] || 0, b = shiftSlot[u] || 0;
    return direction === "LR" ? { x: p.x + a, y: p.y + b } : { x: p.x + b, y: p.y + a };
  }
  function cardOrigin(g) {
    var p = unitPos(unitOfGroup[g]);
    return { x: p.x, y: p.y + CARD_HEAD };
  }
  function nodePos(i) {
    if (fullMode) return xy(L.full.rank[i], L.full.slot[i]);
    var g = groupOf[i];
    if (g < 0) return unitPos(unitOfNode[i]);
    var o = cardOrigin(g), inner = L.inner[g], k = innerIndex[i];
    var p = xy(inner.rank[k], inner.slot[k]);
    return { x: o.x + p.x + 12, y: o.y + p.y + 8 };
  }
  function groupPos(g) { return unitPos(unitOfGroup[g]); }

  // ---- drawing ----
  var svg = $("graph"), under = $("under"), cardLayer = $("cards"), edgeLayer = $("edges"),
    nodeLayer = $("nodes"), markLayer = $("marks");
  var items = [];  // what is drawn now: {el, x0, y0, x1, y1, on} (nodes, group boxes, cards, edges)
  var nodeEl = new Array(count), groupEl = [], cardEl = [];
  var consumers = N.id.map(function () { return []; });
  N.parents.forEach(function (ps, i) { ps.forEach(function (p, j) { consumers[p].push([i, j]); }); });

  function nodeElement(i) {
    if (nodeEl[i]) return nodeEl[i];
    var g = sv("g", { "class": "node " + N.kind[i], "data-id": N.id[i] });
    g.appendChild(sv("rect", { width: BOX_W, height: BOX_H, rx: 6 }));
    var name = sv("text", { x: 7, y: 15, "class": "name" });
    name.textContent = short(N.id[i], N.op[i] ? 14 : 20);
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
    nodeEl[i] = g;
    dirty.add(i);
    return g;
  }
  function short(text, n) { return text.length > n ? "…" + text.slice(text.length - n + 1) : text; }  // the tail names it best

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
    cardEl[gi] = g;
    return g;
  }

  var edgeEls = [], edgeIndex = new Map(), incoming = new Map();  // rebuilt on layout changes
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

  // Everything drawn is an item with a box; `cull` attaches to the document only the items in
  // (or near) the window when there are many, so a large graph costs what is on screen.
  function box(el, layer, x, y, w, h) {
    items.push({ el: el, layer: layer, x0: x, y0: y, x1: x + w, y1: y + h, on: false });
  }
  function layoutAll() {
    items.forEach(function (it) { if (it.on) it.layer.removeChild(it.el); });
    items = [];
    if (!fullMode) makeRoom();
    for (var i = 0; i < count; i++) {
      if (!nodeVisible(i)) continue;
      var e = nodeElement(i), p = nodePos(i);
      e.setAttribute("transform", "translate(" + p.x + "," + p.y + ")");
      box(e, nodeLayer, p.x, p.y, BOX_W, BOX_H);
    }
    groups.forEach(function (g, gi) {
      if (fullMode) return;
      if (!expanded.has(gi)) {
        var e = groupElement(gi), p = groupPos(gi);
        e.setAttribute("transform", "translate(" + p.x + "," + p.y + ")");
        box(e, nodeLayer, p.x, p.y, BOX_W, BOX_H);
        return;
      }
      var c = cardElement(gi), o = cardOrigin(gi), size = cardSize(gi), w = size.w, h = size.h;
      c.setAttribute("transform", "translate(" + o.x + "," + (o.y - CARD_HEAD) + ")");
      c.firstChild.setAttribute("width", w);
      c.firstChild.setAttribute("height", h);
      box(c, cardLayer, o.x, o.y - CARD_HEAD, w, h);
    });
    edgeEls = []; edgeIndex = new Map(); incoming = new Map();
    for (var c = 0; c < count; c++) {
      var ps = N.parents[c];
      for (var j = 0; j < ps.length; j++) {
        var a = anchor(ps[j]), b = anchor(c);
        if (key(a) === key(b)) continue;  // inside a collapsed group
        var whole = a.node !== undefined && b.node !== undefined;
        var id = whole ? c + ":" + j : key(a) + ">" + key(b);
        if (edgeIndex.has(id)) continue;
        var p1 = port(a, true), p2 = port(b, false, whole ? j : 0, whole ? ps.length : 1);
        var entry = { from: ps[j], to: c, d: curve(p1, p2), mid: { x: (p1.x + p2.x) / 2, y: (p1.y + p2.y) / 2 } };
        box(null, edgeLayer, Math.min(p1.x, p2.x), Math.min(p1.y, p2.y), Math.abs(p2.x - p1.x), Math.abs(p2.y - p1.y));
        items[items.length - 1].d = entry.d;
        edgeEls.push(entry);
        edgeIndex.set(id, entry);
        if (!incoming.has(c)) incoming.set(c, []);
        incoming.get(c).push(entry);
      }
    }
    markCurrent();
    markPath();
    renderNodes(false);  // new elements are dirty; the others show the current state already
    cull();
  }

  // ---- the step panel, the node texts, highlights ----
  var highlighted = [];
  function mark(entry, cls) {  // a copy of an edge drawn above the others, in the top layer
    var m = sv("path", { "class": "edge " + cls, d: entry.d });
    markLayer.appendChild(m);
    return m;
  }
  function markCurrent() {
    highlighted.forEach(function (e) {
      if (e.parentNode === markLayer) markLayer.removeChild(e); else e.classList.remove("current");
    });
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
    if (ends.length && following) follow(ends[0]);
    if (e.t === "forward") {
      (incoming.get(e.node) || []).forEach(function (x) { highlighted.push(mark(x, "current")); });
    }
    if (edge) {
      highlighted.push(mark(edge, "current"));
      label.textContent = S.termText[e.step];
      label.setAttribute("x", edge.mid.x);
      label.setAttribute("y", edge.mid.y - 6);
      label.style.display = "";
    }
  }
  function edgeFor(node, input) {
    var a = anchor(N.parents[node][input]), b = anchor(node);
    if (a.node !== undefined && b.node !== undefined) return edgeIndex.get(node + ":" + input) || null;
    return edgeIndex.get(key(a) + ">" + key(b)) || null;
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
      if (row) row.cells[2].textContent = gradText[i] === null ? "" : gradText[i];
    });
    dirty.clear();
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
    if (e.t === "finish") {
      box.appendChild(el("div", "hint", "end of backward pass " + (e.pass + 1) + " of " + G.passes.length +
        ": the leaf gradients of earlier passes, set aside while stepping, are added back (leaf gradients accumulate)"));
      p.end.node.forEach(function (i, k) {
        box.appendChild(line([N.id[i] + ".grad = ", ["after", p.end.afterText[k]]]));
      });
      return;
    }
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
    if (f.length > 40) f = n;  // a long formula (a dot of many inputs): the node's name says it
    var r = ["∂" + (f.indexOf(" ") >= 0 ? "(" + f + ")" : f) + "/∂" + w + " = "];
    var localText = N.localText[S.node[s]][j];
    if (rule[0] && rule[0] !== localText) r.push(["rule", rule[0]], " = ");
    if (rule[1] && rule[1] !== rule[0] && rule[1] !== localText) r.push(["rulenumbers", rule[1]], " = ");
    r.push(["local", localText]);
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
    if (changedRow) changedRow.classList.remove("changed");
    var e = timeline[position];
    changedRow = e.t === "backward" ? leafRows[S.parent[e.step]] || null : null;
    if (changedRow) changedRow.classList.add("changed");
  }
  var changedRow = null;
  function describePosition() {
    var e = timeline[position];
    return "position " + position + " / " + last + " · " + (e.t === "finish" ? "end of pass" : e.t);
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
    pathMarked.forEach(function (e) {
      if (e.parentNode === markLayer) markLayer.removeChild(e); else e.classList.remove("onpath", "selected");
    });
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
      if (on.has(x.from) && on.has(x.to)) pathMarked.push(mark(x, "onpath"));
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
  function expandAll() { fullMode = true; layoutAll(); home(); }
  function collapseAll() { if (!groups.length) return; fullMode = false; expanded.clear(); layoutAll(); home(); }

  // ---- pan, zoom, fit ----
  var view = { x: 0, y: 0, w: 800, h: 600 };
  var CULL_ABOVE = 1500, following = false, cullQueued = false;
  var size = null;  // the window's size in pixels, read once per resize (reading forces a layout)
  function screen() {
    if (!size) { var b = svg.getBoundingClientRect(); size = { left: b.left, top: b.top, width: b.width || 800, height: b.height || 600 }; }
    return size;
  }
  function setView() {
    var box = view.x + " " + view.y + " " + view.w + " " + view.h;
    svg.setAttribute("viewBox", box);
    under.setAttribute("viewBox", box);
    var r = screen();
    svg.classList.toggle("far", (r.width || 800) / view.w < 0.3);  // too small to read: no text
    if (!cullQueued) { cullQueued = true; requestAnimationFrame(cull); }
  }
  function cull() {  // on a large graph, draw only what is in (or near) the window
    cullQueued = false;
    var all = items.length <= CULL_ABOVE;
    var mx = view.w * 0.25, my = view.h * 0.25;
    var x0 = view.x - mx, y0 = view.y - my, x1 = view.x + view.w + mx, y1 = view.y + view.h + my;
    for (var k = 0; k < items.length; k++) {
      var it = items[k], on = all || (it.x1 >= x0 && it.x0 <= x1 && it.y1 >= y0 && it.y0 <= y1);
      if (on === it.on) continue;
      it.on = on;
      if (!on) { it.layer.removeChild(it.el); continue; }
      if (!it.el) it.el = sv("path", { "class": "edge", d: it.d });
      it.layer.appendChild(it.el);
    }
  }
  function bounds() {
    var b = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
    items.forEach(function (it) {
      b.x0 = Math.min(b.x0, it.x0); b.y0 = Math.min(b.y0, it.y0); b.x1 = Math.max(b.x1, it.x1); b.y1 = Math.max(b.y1, it.y1);
    });
    return { x: b.x0, y: b.y0, width: b.x1 - b.x0, height: b.y1 - b.y0 };
  }
  function follow(i) {  // keep the current step in the window (when only part of the graph shows)
    var p = nodeVisible(i) ? nodePos(i) : groupPos(groupOf[i]);
    if (p.x >= view.x && p.x + BOX_W <= view.x + view.w && p.y >= view.y && p.y + BOX_H <= view.y + view.h) return;
    view = { x: p.x + BOX_W / 2 - view.w / 2, y: p.y + BOX_H / 2 - view.h / 2, w: view.w, h: view.h };
    setView();
  }
  function readable() {  // a large graph opens at full size around its output, not shrunk to dots
    var r = screen(), p = nodePos(G.roots[0]);
    if (!nodeVisible(G.roots[0])) p = groupPos(groupOf[G.roots[0]]);
    view = { x: p.x + BOX_W + 40 - (r.width || 800), y: p.y + BOX_H / 2 - (r.height || 600) / 2, w: r.width || 800, h: r.height || 600 };
    setView();
  }
  function home() { if (items.length > CULL_ABOVE) readable(); else fit(); }
  function fit() {
    var b = bounds(), r = screen();
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
    var r = screen(), f = ev.deltaY > 0 ? 1.15 : 1 / 1.15;
    var px = view.x + (ev.clientX - r.left) / r.width * view.w, py = view.y + (ev.clientY - r.top) / r.height * view.h;
    view = { x: px - (px - view.x) * f, y: py - (py - view.y) * f, w: view.w * f, h: view.h * f };
    setView();
  }, { passive: false });
  var drag = null;
  svg.addEventListener("mousedown", function (ev) { drag = { x: ev.clientX, y: ev.clientY, v: view }; svg.classList.add("dragging"); });
  window.addEventListener("mousemove", function (ev) {
    if (!drag) return;
    var r = screen();
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
  $("direction").onclick = function () { direction = direction === "LR" ? "TB" : "LR"; this.textContent = direction; layoutAll(); home(); };
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
    else if (e.t === "finish") { r.pass = e.pass; r.nodes = G.passes[e.pass].end.node.map(function (i) { return N.id[i]; }); }
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
    select: function (id) { if (byId.has(id)) select(byId.get(id), true); },
    follow: function (on) { following = Boolean(on); },
    fit: fit
  };

  // ---- start ----
  if (G.options.theme === "dark" || (G.options.theme === "auto" && window.matchMedia &&
      window.matchMedia("(prefers-color-scheme: dark)").matches)) document.body.classList.add("dark");
  $("direction").textContent = direction;
  $("title").textContent = G.title;
  $("inspect").appendChild(el("div", "hint", "Hover or click a node."));
  layoutAll();
  render();
  home();
  following = true;
  window.addEventListener("resize", function () { size = null; home(); });
  document.body.dataset.ready = "1";
})();
