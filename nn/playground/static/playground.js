// The glassgrad playground page. It draws what the server sends and sends what the user asks;
// every number it shows (losses, weights, activations, heat maps, scores) was computed by the
// Python engine. The only arithmetic here is drawing: positions, colours, sizes.
(function () {
  "use strict";

  var token = new URLSearchParams(location.search).get("token") || "";
  var $ = function (id) { return document.getElementById(id); };

  var DATASETS = [["moons", "Moons"], ["circles", "Circles"], ["spiral2", "Spiral"],
    ["spiral3", "Spiral ×3"], ["xor", "XOR"], ["blobs", "Blobs"], ["sin", "sin x₁"]];
  var FEATURES = ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"];
  var FEATURE_LABELS = { x1: "x₁", x2: "x₂", x1sq: "x₁²", x2sq: "x₂²", x1x2: "x₁x₂",
    sinx1: "sin x₁", sinx2: "sin x₂" };
  var CHOICES = {
    lr: [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
    l2: [0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1],
    batch_size: [1, 5, 10, 20, 30, 50, 100, 250, 500, 1000],
    momentum: [0, 0.5, 0.8, 0.9, 0.95, 0.99],
    activation: ["tanh", "relu", "sigmoid", "leaky_relu", "linear"],
    loss: ["bce_logits", "hinge", "cross_entropy", "mse"]
  };
  var LIVE = ["lr", "momentum", "l2", "batch_size"];
  var GROUPS = [["data", "Data sets"], ["noise", "Noise"], ["points", "Points"],
    ["ratio", "Test share"], ["seed", "Seed"], ["features", "Features"], ["layers", "Layers"],
    ["activation", "Activation"], ["loss", "Loss"], ["optimizer", "Optimizer"],
    ["lr", "Learning rate"], ["regularization", "L2"], ["batch", "Batch size"], ["init", "Init"],
    ["weights", "Weight editing"], ["export", "Export"], ["share", "Link"],
    ["teacher", "Teacher button"]];
  var COLOURS = { orange: [245, 147, 34], blue: [8, 119, 189], green: [44, 162, 95],
    white: [232, 234, 235] };
  var CLASS_COLOURS = [COLOURS.orange, COLOURS.blue, COLOURS.green];
  var NODE = 44, ROW = 62, TOP = 40;
  var PLAY_ICON = '<svg viewBox="0 0 24 24" width="22" height="22"><path d="M8 5v14l11-7z" fill="currentColor"/></svg>';
  var PAUSE_ICON = '<svg viewBox="0 0 24 24" width="22" height="22"><path d="M6 5h4v14H6zM14 5h4v14h-4z" fill="currentColor"/></svg>';

  var S = null;            // the last state from the server
  var frame = null;        // the last pictures and scores
  var data = null;         // the points
  var version = 0, dataVersion = "", frames = 0, ready = false;
  var hide = new Set();
  var selected = null;     // {layer, neuron} of the neuron panel
  var shapeKey = "";
  var lastUrl = "", lastFormula = 0, editing = null;

  // ---- talking to the server ----------------------------------------------------------------

  function api(method, path, body) {
    var options = { method: method, headers: { "X-Glassgrad-Token": token } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(function (response) {
      return response.json().then(function (answer) {
        if (!response.ok) throw new Error(answer.error || response.statusText);
        return answer;
      });
    });
  }

  function send(path, body) {
    return api("POST", path, body).then(function () { return poll(true); })
      .catch(function (error) { showMessage(error.message); });
  }

  var polling = false, timer = null;
  function poll(now) {
    if (polling) return Promise.resolve();
    polling = true;
    clearTimeout(timer);
    return api("GET", "/api/state?have=" + version + "&data=" + encodeURIComponent(dataVersion))
      .then(apply)
      .catch(function (error) { showMessage("The server did not answer: " + error.message); })
      .then(function () {
        polling = false;
        timer = setTimeout(poll, S && (S.running) ? 25 : 400);
      });
  }

  // ---- applying a state -----------------------------------------------------------------------

  function apply(state) {
    S = state;
    version = state.version;
    if (state.data) { data = state.data; dataVersion = state.data_version; }
    if (state.frame) { frame = state.frame; frames += 1; }
    $("epoch").textContent = state.epoch;
    $("stepcount").textContent = state.step;
    $("play").innerHTML = state.running ? PAUSE_ICON : PLAY_ICON;
    $("play").title = state.running ? "Pause (space)" : "Play (space)";
    if (state.message) showMessage(state.message);
    else if (state.replaying) showMessage("Replaying the link: step " + state.step + " of " + state.replaying + "…");
    else if ($("message").dataset.kind === "state") hideMessage();
    syncControls(state.config);
    var key = JSON.stringify(state.shape) + state.config.features.join();
    if (key !== shapeKey) { shapeKey = key; buildNetwork(); }
    if (state.frame) { drawNetwork(); drawPlot(); drawScores(); }
    drawCurve();
    updateUrl();
    if (selected && !$("neuron").hidden && Date.now() - lastFormula > 500) refreshFormula();
  }

  function showMessage(text) {
    var box = $("message");
    box.textContent = text;
    box.hidden = false;
    box.dataset.kind = "state";
  }

  function hideMessage() { $("message").hidden = true; }

  // ---- controls -------------------------------------------------------------------------------

  function fillSelect(id, values, label) {
    var select = $(id);
    values.forEach(function (v) {
      var option = document.createElement("option");
      option.value = String(v);
      option.textContent = label ? label(v) : String(v);
      select.appendChild(option);
    });
  }

  function setSelect(id, value) {
    var select = $(id);
    if (document.activeElement === select) return;
    var text = String(value);
    if (!Array.prototype.some.call(select.options, function (o) { return o.value === text; })) {
      var option = document.createElement("option");
      option.value = option.textContent = text;
      select.appendChild(option);
    }
    select.value = text;
  }

  function setInput(id, value, out) {
    var input = $(id);
    if (document.activeElement !== input) input.value = value;
    if (out) $(out).textContent = value;
  }

  function syncControls(c) {
    ["lr", "l2", "batch_size", "momentum", "activation", "optimizer", "init"].forEach(function (k) {
      setSelect(k, c[k]);
    });
    var classes = S.classes;
    Array.prototype.forEach.call($("loss").options, function (o) {
      o.disabled = !lossFits(o.value, classes);
    });
    setSelect("loss", c.loss);
    $("momentum-box").style.display = c.optimizer === "sgd" ? "" : "none";
    setInput("noise", c.noise, "noise-out");
    setInput("points", c.points, "points-out");
    setInput("test_ratio", c.test_ratio, "test-out");
    setInput("seed", c.seed);
    Array.prototype.forEach.call($("datasets").children, function (b) {
      b.classList.toggle("on", b.dataset.name === c.dataset);
    });
    $("layer-count").textContent = c.hidden.length;
    $("plot-hint").textContent = classes === 3
      ? "Click the plot to add a point of class 0, shift-click class 1, alt-click class 2."
      : classes === 0 ? "Click the plot to add a point with target +1, shift-click −1."
      : "Click the plot to add a point of class 1 (blue), shift-click class 0 (orange).";
  }

  function lossFits(loss, classes) {
    if (classes === 0) return loss === "mse";
    if (classes > 2) return loss === "cross_entropy";
    return loss !== "mse";
  }

  function configure(changes) { return send("/api/config", { config: changes }); }

  function setupControls() {
    fillSelect("lr", CHOICES.lr);
    fillSelect("l2", CHOICES.l2);
    fillSelect("batch_size", CHOICES.batch_size);
    fillSelect("momentum", CHOICES.momentum);
    fillSelect("activation", CHOICES.activation);
    fillSelect("loss", CHOICES.loss);
    LIVE.forEach(function (k) {
      $(k).addEventListener("change", function () {
        var body = {}; body[k] = Number($(k).value);
        send("/api/live", body);
      });
    });
    ["activation", "optimizer", "init", "loss"].forEach(function (k) {
      $(k).addEventListener("change", function () {
        var body = {}; body[k] = $(k).value; configure(body);
      });
    });
    [["noise", "noise-out"], ["points", "points-out"], ["test_ratio", "test-out"]].forEach(function (p) {
      $(p[0]).addEventListener("input", function () { $(p[1]).textContent = $(p[0]).value; });
      $(p[0]).addEventListener("change", function () {
        var body = {}; body[p[0]] = Number($(p[0]).value); configure(body);
      });
    });
    $("seed").addEventListener("change", function () { configure({ seed: Number($("seed").value) }); });
    $("regenerate").addEventListener("click", function () { configure({ seed: S.config.seed + 1 }); });
    DATASETS.forEach(function (d) {
      var b = document.createElement("button");
      b.textContent = d[1];
      b.dataset.name = d[0];
      b.addEventListener("click", function () { chooseDataset(d[0]); });
      $("datasets").appendChild(b);
    });
    $("play").addEventListener("click", function () { control(S && S.running ? "pause" : "play"); });
    $("step").addEventListener("click", function () { control("step"); });
    $("reset").addEventListener("click", function () { control("reset"); });
    $("add-layer").addEventListener("click", function () {
      var hidden = S.config.hidden.slice();
      if (hidden.length < 6) { hidden.push(2); configure({ hidden: hidden }); }
    });
    $("remove-layer").addEventListener("click", function () {
      var hidden = S.config.hidden.slice();
      if (hidden.length) { hidden.pop(); configure({ hidden: hidden }); }
    });
    document.addEventListener("keydown", function (e) {
      var tag = (e.target && e.target.tagName) || "";
      if (e.key === " " && tag !== "INPUT" && tag !== "SELECT" && tag !== "BUTTON") {
        e.preventDefault();
        control(S && S.running ? "pause" : "play");
      }
    });
    $("share").addEventListener("click", share);
    $("export-json").addEventListener("click", function () { download("json"); });
    $("export-py").addEventListener("click", function () { download("python"); });
    $("teacher").addEventListener("click", function () { $("teacher-panel").hidden = !$("teacher-panel").hidden; });
    GROUPS.forEach(function (g) {
      var label = document.createElement("label");
      var box = document.createElement("input");
      box.type = "checkbox";
      box.dataset.group = g[0];
      box.addEventListener("change", function () {
        if (box.checked) hide.add(g[0]); else hide.delete(g[0]);
        applyHide();
        updateUrl(true);
      });
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + g[1]));
      $("teacher-boxes").appendChild(label);
    });
    $("show-test").addEventListener("change", drawPlot);
    $("plot").addEventListener("click", addPoint);
    $("neuron-close").addEventListener("click", function () { closeNeuron(); });
    $("neuron-point").addEventListener("change", function () { loadNeuron(true); });
    $("neuron-graph").addEventListener("click", function () { loadNeuron(true); });
    $("gradcheck").addEventListener("click", gradientCheck);
    $("editor-input").addEventListener("keydown", function (e) {
      if (e.key === "Enter") commitEdit();
      if (e.key === "Escape") closeEditor();
    });
    $("editor-input").addEventListener("blur", closeEditor);
  }

  function chooseDataset(name) {
    var classes = { sin: 0, spiral3: 3 }[name];
    if (classes === undefined) classes = 2;
    var loss = S.config.loss;
    if (!lossFits(loss, classes)) loss = classes === 0 ? "mse" : classes === 3 ? "cross_entropy" : "bce_logits";
    configure({ dataset: name, loss: loss });
  }

  function control(action) { return send("/api/control", { action: action }); }

  function applyHide() {
    document.querySelectorAll("[data-group]").forEach(function (el) {
      if (el.tagName === "INPUT" && el.type === "checkbox") return;
      el.classList.toggle("teacher-hidden", hide.has(el.dataset.group));
    });
    document.querySelectorAll("#teacher-boxes input").forEach(function (box) {
      box.checked = hide.has(box.dataset.group);
    });
  }

  // ---- the network ----------------------------------------------------------------------------

  var nodes = [];   // [{layer, index, el, canvas, x, y}] layer -1: features

  function columnX(i, count) {
    var width = Math.max($("net").clientWidth, 420) - NODE - 30;
    return 20 + (count > 1 ? i * width / (count - 1) : 0);
  }

  function buildNetwork() {
    var net = $("net");
    Array.prototype.slice.call(net.querySelectorAll(".node, .layer-head")).forEach(function (el) { el.remove(); });
    nodes = [];
    var shape = S.shape, layers = shape.length - 1, count = layers + 1;
    FEATURES.forEach(function (f, j) {
      var on = S.config.features.indexOf(f) >= 0;
      addNode(-1, j, columnX(0, count), TOP + j * ROW, FEATURE_LABELS[f], on ? "feature" : "feature off", f);
    });
    for (var l = 0; l < layers; l++) {
      var last = l === layers - 1;
      for (var j = 0; j < shape[l + 1]; j++) {
        addNode(l, j, columnX(l + 1, count), TOP + j * ROW, "", "", null);
      }
      var head = document.createElement("div");
      head.className = "layer-head";
      head.style.left = (columnX(l + 1, count) + NODE / 2 - 38) + "px";
      if (!last) {
        head.dataset.group = "layers";
        head.appendChild(miniButton("+", "Add a neuron", l, 1));
        head.appendChild(miniButton("−", "Remove a neuron", l, -1));
        head.appendChild(document.createTextNode(" " + shape[l + 1]));
      } else {
        head.textContent = "output";
      }
      net.appendChild(head);
    }
    net.style.height = (TOP + Math.max(7, Math.max.apply(null, shape.slice(1))) * ROW + 10) + "px";
    applyHide();
  }

  function miniButton(text, title, layer, change) {
    var b = document.createElement("button");
    b.className = "mini";
    b.textContent = text;
    b.title = title;
    b.addEventListener("click", function () {
      var hidden = S.config.hidden.slice();
      var n = hidden[layer] + change;
      if (n >= 1 && n <= 8) { hidden[layer] = n; configure({ hidden: hidden }); }
    });
    return b;
  }

  function addNode(layer, index, x, y, name, extra, feature) {
    var el = document.createElement("div");
    el.className = "node " + extra;
    el.style.left = x + "px";
    el.style.top = y + "px";
    el.dataset.layer = layer;
    el.dataset.neuron = index;
    if (feature) el.dataset.feature = feature;
    var canvas = document.createElement("canvas");
    el.appendChild(canvas);
    var label = document.createElement("div");
    label.className = "name";
    label.textContent = name;
    el.appendChild(label);
    if (layer >= 0) {
      var bias = document.createElement("div");
      bias.className = "bias";
      bias.dataset.group = "weights";
      bias.addEventListener("mouseenter", function (e) { tip(e, biasName(layer, index)); });
      bias.addEventListener("mouseleave", untip);
      bias.addEventListener("click", function (e) { e.stopPropagation(); openEditor(e, biasName(layer, index)); });
      el.appendChild(bias);
      el.addEventListener("click", function () { openNeuron(layer, index); });
    } else {
      el.title = "Click to use or drop the feature " + name;
      el.dataset.group = "features";
      el.addEventListener("click", function () { toggleFeature(feature); });
    }
    $("net").appendChild(el);
    nodes.push({ layer: layer, index: index, el: el, canvas: canvas, label: label, x: x, y: y, feature: feature });
  }

  function biasName(layer, neuron) { return "layers." + layer + ".neurons." + neuron + ".b"; }
  function weightName(layer, neuron, input) { return "layers." + layer + ".neurons." + neuron + ".w." + input; }

  function toggleFeature(f) {
    var chosen = S.config.features.slice();
    var at = chosen.indexOf(f);
    if (at >= 0) { if (chosen.length > 1) chosen.splice(at, 1); } else chosen.push(f);
    configure({ features: chosen });
  }

  function drawNetwork() {
    var active = S.config.features;
    nodes.forEach(function (n) {
      var picture = null;
      if (n.layer < 0) {
        picture = frame.features[n.feature];
      } else {
        picture = frame.neurons[n.layer + 1][n.index];
        n.label.textContent = frame.names[n.layer][n.index];
      }
      paint(n.canvas, picture, frame.thumb);
      n.el.classList.toggle("selected", !!selected && selected.layer === n.layer && selected.neuron === n.index);
    });
    var svg = $("edges");
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    svg.setAttribute("width", $("net").scrollWidth);
    svg.setAttribute("height", $("net").scrollHeight);
    var byLayer = {};
    nodes.forEach(function (n) {
      if (n.layer < 0 && active.indexOf(n.feature) < 0) return;
      (byLayer[n.layer] = byLayer[n.layer] || []).push(n);
    });
    (byLayer[-1] || []).sort(function (a, b) { return active.indexOf(a.feature) - active.indexOf(b.feature); });
    for (var l = 0; l < S.shape.length - 1; l++) {
      (byLayer[l] || []).forEach(function (to) {
        (byLayer[l - 1] || []).forEach(function (from, i) {
          var name = weightName(to.layer, to.index, i);
          edge(svg, from, to, frame.parameters[name], name);
        });
      });
    }
  }

  function edge(svg, from, to, w, name) {
    var x1 = from.x + NODE, y1 = from.y + NODE / 2, x2 = to.x, y2 = to.y + NODE / 2;
    var mid = (x1 + x2) / 2;
    var d = "M" + x1 + "," + y1 + " C" + mid + "," + y1 + " " + mid + "," + y2 + " " + x2 + "," + y2;
    var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", d);
    path.setAttribute("class", "edge");
    var size = w === null ? 0 : Math.abs(w);
    path.setAttribute("stroke", w === null ? "#b91c1c" : w >= 0 ? "rgb(8,119,189)" : "rgb(245,147,34)");
    path.setAttribute("stroke-width", String(Math.min(6, 0.6 + size * 1.6)));
    path.setAttribute("stroke-opacity", String(Math.min(1, 0.35 + size * 0.5)));
    svg.appendChild(path);
    var hit = document.createElementNS("http://www.w3.org/2000/svg", "path");
    hit.setAttribute("d", d);
    hit.setAttribute("class", "edge-hit");
    hit.dataset.name = name;
    hit.addEventListener("mouseenter", function (e) { tip(e, name); });
    hit.addEventListener("mousemove", function (e) { tip(e, name); });
    hit.addEventListener("mouseleave", untip);
    hit.addEventListener("click", function (e) { if (!hide.has("weights")) openEditor(e, name); });
    svg.appendChild(hit);
  }

  function tip(e, name) {
    var t = $("tooltip");
    var value = frame && frame.parameters[name];
    t.textContent = (name.endsWith(".b") ? "bias " : "weight ") + format(value, 5) + "   (" + name + ")";
    t.style.left = (e.clientX + 12) + "px";
    t.style.top = (e.clientY + 12) + "px";
    t.hidden = false;
  }

  function untip() { $("tooltip").hidden = true; }

  function openEditor(e, name) {
    if (hide.has("weights")) return;
    editing = name;
    var box = $("editor");
    box.style.left = e.clientX + "px";
    box.style.top = e.clientY + "px";
    box.hidden = false;
    $("editor-name").textContent = name;
    var input = $("editor-input");
    input.value = frame ? frame.parameters[name] : 0;
    input.focus();
    input.select();
  }

  function commitEdit() {
    var name = editing, value = Number($("editor-input").value);
    closeEditor();
    if (name !== null && $("editor-input").value.trim() !== "") send("/api/weight", { name: name, value: value });
  }

  function closeEditor() { $("editor").hidden = true; editing = null; }

  // ---- pictures -------------------------------------------------------------------------------

  function palette(from, to) {
    var colours = [];
    for (var b = 0; b < 256; b++) {
      var t = b / 255;
      colours.push([0, 1, 2].map(function (c) { return Math.round(from[c] + (to[c] - from[c]) * t); }));
    }
    return colours;
  }

  var DIVERGING = (function () {
    var low = palette(COLOURS.orange, COLOURS.white), high = palette(COLOURS.white, COLOURS.blue);
    var out = [];
    for (var b = 0; b < 256; b++) out.push(b < 128 ? low[Math.min(255, b * 2)] : high[Math.min(255, (b - 128) * 2)]);
    return out;
  })();
  var CLASS_RAMPS = CLASS_COLOURS.map(function (c) { return palette(COLOURS.white, c); });

  function decode(text) {
    var raw = atob(text), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function image(side, values, classes, light) {
    var canvas = document.createElement("canvas");
    canvas.width = canvas.height = side;
    var context = canvas.getContext("2d");
    var picture = context.createImageData(side, side);
    for (var i = 0; i < side * side; i++) {
      var colour = classes ? CLASS_RAMPS[classes[i]][values[i]] : DIVERGING[values[i]];
      picture.data[4 * i] = colour[0];
      picture.data[4 * i + 1] = colour[1];
      picture.data[4 * i + 2] = colour[2];
      picture.data[4 * i + 3] = light ? 150 : 255;
    }
    context.putImageData(picture, 0, 0);
    return canvas;
  }

  function paint(canvas, text, side) {
    if (!text) return;
    var scale = window.devicePixelRatio || 1;
    canvas.width = canvas.height = Math.round(42 * scale);
    var context = canvas.getContext("2d");
    context.imageSmoothingEnabled = true;
    context.drawImage(image(side, decode(text), null, false), 0, 0, canvas.width, canvas.height);
  }

  function drawPlot() {
    if (!frame || !S) return;
    var canvas = $("plot"), scale = window.devicePixelRatio || 1, size = 300;
    canvas.width = canvas.height = Math.round(size * scale);
    var context = canvas.getContext("2d");
    context.setTransform(scale, 0, 0, scale, 0, 0);
    var out = frame.output;
    var classes = out.kind === "classes" ? decode(out.classes) : null;
    context.imageSmoothingEnabled = true;
    context.drawImage(image(frame.grid, decode(out.values), classes, true), 0, 0, size, size);
    var plane = S.limits.plane;
    var place = function (p) { return [(p[0] + plane) / (2 * plane) * size, (plane - p[1]) / (2 * plane) * size]; };
    context.strokeStyle = "rgba(0,0,0,0.15)";
    context.beginPath();
    context.moveTo(size / 2, 0); context.lineTo(size / 2, size);
    context.moveTo(0, size / 2); context.lineTo(size, size / 2);
    context.stroke();
    if (!data) return;
    var parts = $("show-test").checked ? ["train", "test"] : ["train"];
    parts.forEach(function (part) {
      data[part].forEach(function (p) {
        var at = place(p);
        context.beginPath();
        context.arc(at[0], at[1], 3.4, 0, 2 * Math.PI);
        context.fillStyle = pointColour(p[2]);
        context.fill();
        context.lineWidth = part === "test" ? 1.3 : 1;
        context.strokeStyle = part === "test" ? "#222" : "#fff";
        context.stroke();
      });
    });
    if (selected && !$("neuron").hidden) {
      var chosen = data.train[Number($("neuron-point").value)];
      if (chosen) {
        var at = place(chosen);
        context.beginPath();
        context.arc(at[0], at[1], 8, 0, 2 * Math.PI);
        context.lineWidth = 2.5;
        context.strokeStyle = "#111";
        context.stroke();
      }
    }
  }

  function pointColour(label) {
    var c;
    if (S.classes === 0) c = DIVERGING[Math.max(0, Math.min(255, Math.round((label + 1) * 127.5)))];
    else c = CLASS_COLOURS[label];
    return "rgb(" + c[0] + "," + c[1] + "," + c[2] + ")";
  }

  function addPoint(e) {
    if (!S) return;
    var rect = $("plot").getBoundingClientRect(), plane = S.limits.plane;
    var x = (e.clientX - rect.left) / rect.width * 2 * plane - plane;
    var y = plane - (e.clientY - rect.top) / rect.height * 2 * plane;
    var label;
    if (S.classes === 0) label = e.shiftKey ? -1 : 1;
    else if (S.classes === 3) label = e.altKey ? 2 : e.shiftKey ? 1 : 0;
    else label = e.shiftKey ? 0 : 1;
    send("/api/point", { x: x, y: y, label: label });
  }

  function drawCurve() {
    var canvas = $("curve"), scale = window.devicePixelRatio || 1;
    var width = canvas.clientWidth || 300, height = 70;
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    var context = canvas.getContext("2d");
    context.setTransform(scale, 0, 0, scale, 0, 0);
    var h = S.history, top = 0;
    h.train.concat(h.test).forEach(function (v) { if (v !== null && v > top) top = v; });
    var first = h.step[0] || 0, last = h.step[h.step.length - 1] || 1;
    if (!top || h.step.length < 2) return;
    [["train", "#9ca3af"], ["test", "#111827"]].forEach(function (line) {
      context.beginPath();
      context.strokeStyle = line[1];
      context.lineWidth = 1.5;
      var started = false;
      h[line[0]].forEach(function (v, i) {
        if (v === null) return;
        var x = (h.step[i] - first) / Math.max(1, last - first) * (width - 2) + 1;
        var y = height - 2 - v / top * (height - 6);
        if (started) context.lineTo(x, y); else { context.moveTo(x, y); started = true; }
      });
      context.stroke();
    });
  }

  function drawScores() {
    var s = frame.scores;
    $("test-loss").textContent = format(s.test_loss, 3);
    $("train-loss").textContent = format(s.train_loss, 3);
    var rows = S.classes ? [["Test accuracy", s.test_accuracy], ["Precision", s.precision],
      ["Recall", s.recall], ["F1", s.f1], ["Training accuracy", s.train_accuracy]] : [];
    var table = $("scores");
    table.textContent = "";
    rows.forEach(function (r) {
      var tr = table.insertRow();
      tr.insertCell().textContent = r[0] + (S.classes === 3 && ["Precision", "Recall", "F1"].indexOf(r[0]) >= 0 ? " (macro)" : "");
      tr.insertCell().textContent = format(r[1], 3);
    });
    var box = $("confusion");
    box.textContent = "";
    if (s.confusion) {
      var t = document.createElement("table");
      var caption = t.createCaption();
      caption.textContent = "Confusion matrix (test): rows true, columns predicted";
      var head = t.insertRow();
      head.appendChild(document.createElement("th"));
      s.confusion.forEach(function (_, j) {
        var th = document.createElement("th"); th.textContent = "class " + j; head.appendChild(th);
      });
      s.confusion.forEach(function (row, i) {
        var tr = t.insertRow();
        var th = document.createElement("th"); th.textContent = "class " + i; tr.appendChild(th);
        row.forEach(function (n) { tr.insertCell().textContent = n; });
      });
      box.appendChild(t);
    }
  }

  function format(x, digits) {
    if (x === null || x === undefined) return "–";
    if (typeof x !== "number") return String(x);
    return Number(x.toPrecision(digits)).toString();
  }

  // ---- the neuron panel -----------------------------------------------------------------------

  function openNeuron(layer, neuron) {
    selected = { layer: layer, neuron: neuron };
    $("neuron").hidden = false;
    $("gradcheck-table").hidden = true;
    var point = $("neuron-point");
    if (data) point.max = data.train.length - 1;
    if (Number(point.value) > data.train.length - 1) point.value = 0;
    drawNetwork();
    drawPlot();
    return loadNeuron(true).then(function () {
      $("neuron").scrollIntoView({ behavior: "instant", block: "start" });
    });
  }

  function closeNeuron() {
    selected = null;
    $("neuron").hidden = true;
    if (frame) { drawNetwork(); drawPlot(); }
  }

  function neuronQuery() {
    return "layer=" + selected.layer + "&neuron=" + selected.neuron + "&point=" + Number($("neuron-point").value);
  }

  function showNeuron(info) {
    $("neuron-title").textContent = "Neuron " + info.name + (info.layer === S.shape.length - 2
      ? " (output)" : " (hidden layer " + (info.layer + 1) + ", neuron " + (info.neuron + 1) + ")");
    $("formula").textContent = info.formula;
    $("neuron-where").textContent = "point (" + format(info.xy[0], 3) + ", " + format(info.xy[1], 3) +
      "), target " + format(info.target, 3) + ": " + info.name + " = " + format(info.value, 5);
  }

  function loadNeuron(withGraph) {
    if (!selected) return Promise.resolve();
    lastFormula = Date.now();
    return api("GET", "/api/neuron?" + neuronQuery() + (withGraph ? "" : "&graph=0"))
      .then(function (info) {
        showNeuron(info);
        if (withGraph) {
          $("viewer").srcdoc = info.html;
          $("viewer").dataset.neuron = info.layer + "." + info.neuron + "@" + info.point;
        }
        drawPlot();
      })
      .catch(function (error) { showMessage(error.message); });
  }

  function refreshFormula() { loadNeuron(false); }

  function gradientCheck() {
    if (!selected) return;
    api("GET", "/api/gradcheck?" + neuronQuery()).then(function (result) {
      var table = $("gradcheck-table");
      table.textContent = "";
      var caption = table.createCaption();
      caption.textContent = "∂ℓ/∂w for this neuron, ℓ the loss at the data point: " +
        (result.agree ? "backprop and central differences agree" : "they DIFFER");
      var head = table.insertRow();
      ["", "analytic (backprop)", "numeric (central difference)", ""].forEach(function (t) {
        var th = document.createElement("th"); th.textContent = t; head.appendChild(th);
      });
      result.rows.forEach(function (r) {
        var tr = table.insertRow();
        tr.insertCell().textContent = r.name;
        tr.insertCell().textContent = format(r.analytic, 6);
        tr.insertCell().textContent = format(r.numeric, 6);
        var verdict = tr.insertCell();
        verdict.textContent = r.agree ? "agree" : "differ";
        verdict.className = r.agree ? "ok" : "bad";
      });
      table.hidden = false;
    }).catch(function (error) { showMessage(error.message); });
  }

  // ---- the address: state and teacher mode ---------------------------------------------------

  function encodeState() {
    var p = new URLSearchParams();
    Object.keys(S.start_config).forEach(function (k) {
      var v = S.start_config[k];
      p.set(k, Array.isArray(v) ? v.join(",") : String(v));
    });
    if (!S.running && !S.replaying && S.step > 0 && S.step <= S.limits.max_steps) p.set("step", String(S.step));
    if (S.events.length) p.set("events", JSON.stringify(S.events));
    if (hide.size) p.set("hide", Array.from(hide).join(","));
    return p.toString();
  }

  function updateUrl(now) {
    if (!S || S.replaying) return;
    var hash = encodeState();
    if (hash === lastUrl) return;
    lastUrl = hash;
    history.replaceState(null, "", location.pathname + location.search + "#" + hash);
  }

  var NUMBER_KEYS = ["noise", "points", "test_ratio", "seed", "lr", "momentum", "l2", "batch_size"];

  function decodeState() {
    var p = new URLSearchParams(location.hash.slice(1));
    var config = {}, any = false;
    p.forEach(function (v, k) {
      if (k === "step" || k === "events" || k === "hide") return;
      any = true;
      if (NUMBER_KEYS.indexOf(k) >= 0) config[k] = Number(v);
      else if (k === "hidden") config[k] = v === "" ? [] : v.split(",").map(Number);
      else if (k === "features") config[k] = v === "" ? [] : v.split(",");
      else config[k] = v;
    });
    var events = [];
    if (p.has("events")) {
      try { events = JSON.parse(p.get("events")); } catch (e) { events = null; }
    }
    return { any: any, config: config, step: p.has("step") ? Number(p.get("step")) : 0,
      events: events, hide: p.has("hide") && p.get("hide") ? p.get("hide").split(",") : [] };
  }

  function sameConfig(a, b) {
    return Object.keys(a).every(function (k) { return JSON.stringify(a[k]) === JSON.stringify(b[k]); });
  }

  function adoptLink(wanted) {
    hide = new Set(wanted.hide);
    applyHide();
    updateUrl(true);
    if (!wanted.any) return Promise.resolve();
    if (wanted.events === null) { showMessage("events: the link's events are not valid JSON"); return Promise.resolve(); }
    var same = sameConfig(wanted.config, S.start_config) &&
      JSON.stringify(wanted.events) === JSON.stringify(S.events) &&
      (wanted.step === 0 || wanted.step === S.step);
    if (same) return Promise.resolve();
    return send("/api/config", { config: wanted.config, events: wanted.events, step: wanted.step });
  }

  function share() {
    updateUrl(true);
    var link = location.href;
    var done = function () { showMessage("Link copied: it reproduces this state (open it with your own server's token)."); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(link).then(done, function () { showMessage("Link: " + link); });
    } else showMessage("Link: " + link);
  }

  function download(kind) {
    fetch("/api/export?format=" + kind, { headers: { "X-Glassgrad-Token": token } })
      .then(function (r) { return r.blob(); })
      .then(function (blob) {
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = kind === "json" ? "playground-model.json" : "playground.py";
        document.body.appendChild(a);
        a.click();
        setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
      })
      .catch(function (error) { showMessage(error.message); });
  }

  // ---- the scripting handle -------------------------------------------------------------------

  window.glassgradPlayground = {
    state: function () {
      var scores = frame ? frame.scores : {};
      return {
        ready: ready,
        version: version,
        step: S ? S.step : 0,
        epoch: S ? S.epoch : 0,
        running: S ? S.running : false,
        replaying: S ? S.replaying : null,
        message: S ? S.message : "",
        trainLoss: scores.train_loss === undefined ? null : scores.train_loss,
        testLoss: scores.test_loss === undefined ? null : scores.test_loss,
        testAccuracy: scores.test_accuracy === undefined ? null : scores.test_accuracy,
        shape: S ? S.shape.slice() : [],
        config: S ? JSON.parse(JSON.stringify(S.config)) : null,
        frames: frames,
        hidden: Array.from(hide)
      };
    },
    play: function () { return control("play"); },
    pause: function () { return control("pause"); },
    step: function () { return control("step"); },
    reset: function () { return control("reset"); },
    configure: configure,
    openNeuron: openNeuron,
    link: function () { updateUrl(true); return location.href; }
  };

  setupControls();
  var link = decodeState();  // before the first state rewrites the address
  hide = new Set(link.hide);
  api("GET", "/api/state?have=0")
    .then(function (state) { apply(state); return adoptLink(link); })
    .then(function () { ready = true; document.body.dataset.ready = "1"; return poll(true); })
    .catch(function (error) { showMessage("The server did not answer: " + error.message); });
  window.addEventListener("hashchange", function () {  // a link pasted into this tab
    if (S && location.hash.slice(1) !== lastUrl) adoptLink(decodeState());
  });
  window.addEventListener("resize", function () { if (S) { buildNetwork(); if (frame) drawNetwork(); } });
})();
