"""The playground's server through a real HTTP client on 127.0.0.1: refusals, bounds, training."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import nn
from nn.playground import config as settings
from nn.playground import start

ROOT = Path(__file__).resolve().parent.parent


class Client:
    """A tiny HTTP client for one server: every request carries the token unless told not to."""

    def __init__(self, server) -> None:
        self.server = server

    def request(self, method, path, body=None, *, token=True, headers=None, raw=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        sent = {"Host": f"127.0.0.1:{self.server.port}"}
        if token:
            sent["X-Glassgrad-Token"] = self.server.token
        if body is not None or raw is not None:
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        payload = response.read()
        connection.close()
        kind = response.getheader("Content-Type", "")
        return response.status, (json.loads(payload) if "json" in kind else payload.decode())

    def state(self):
        status, state = self.request("GET", "/api/state")
        assert status == 200, state
        return state

    def post(self, path, body, **options):
        return self.request("POST", path, body, **options)


@pytest.fixture
def server():
    running = start()
    yield running
    running.close()


@pytest.fixture
def client(server):
    return Client(server)


def fingerprint(state):
    """What must not change after a refused request."""
    return (state["version"], state["config"], state["step"], state["events"])


# -- the page -------------------------------------------------------------------------------------


def test_the_page_needs_the_token_and_loads_nothing_from_the_network(server, client):
    status, refusal = client.request("GET", "/", token=False)
    assert status == 403 and "glassgrad playground" in refusal
    status, _ = client.request("GET", "/?token=wrong" + server.token[5:], token=False)
    assert status == 403
    status, page = client.request("GET", f"/?token={server.token}", token=False)
    assert status == 200
    assert "window.glassgradPlayground" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "url(http" not in page


def test_the_token_may_come_as_a_header_or_in_the_query(server, client):
    assert client.request("GET", "/api/state")[0] == 200
    assert client.request("GET", f"/api/state?token={server.token}", token=False)[0] == 200
    assert client.request("GET", "/api/state", token=False)[0] == 403


@pytest.mark.parametrize(
    "host",
    [
        "evil.example:{port}",
        "127.0.0.1:1",
        "127.0.0.1",
        "",
        "localhost.evil.example:{port}",
        "127.0.0.2:{port}",
    ],
)
def test_a_foreign_host_header_is_refused(server, client, host):
    status, answer = client.request(
        "GET", "/api/state", headers={"Host": host.format(port=server.port)}
    )
    assert status == 403 and "Host" in answer["error"]


def test_loopback_names_are_accepted(server, client):
    for name in ("localhost", "127.0.0.1"):
        status, _ = client.request("GET", "/api/state", headers={"Host": f"{name}:{server.port}"})
        assert status == 200


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "null", "http://127.0.0.1:1", "https://127.0.0.1:{port}"]
)
def test_a_foreign_origin_cannot_change_anything(server, client, origin):
    before = fingerprint(client.state())
    for path, body in [
        ("/api/control", {"action": "step"}),
        ("/api/config", {"config": {}}),
        ("/api/live", {"lr": 0.1}),
        ("/api/point", {"x": 0, "y": 0, "label": 1}),
        ("/api/weight", {"name": "layers.0.neurons.0.b", "value": 1.0}),
    ]:
        status, _ = client.post(path, body, headers={"Origin": origin.format(port=server.port)})
        assert status == 403
    assert fingerprint(client.state()) == before


def test_a_wrong_token_cannot_change_anything(client):
    before = fingerprint(client.state())
    status, _ = client.post(
        "/api/control", {"action": "step"}, headers={"X-Glassgrad-Token": "nope"}
    )
    assert status == 403
    status, _ = client.post("/api/control", {"action": "step"}, token=False)
    assert status == 403
    assert fingerprint(client.state()) == before


def test_this_origin_may_change_the_state(server, client):
    status, _ = client.post(
        "/api/control", {"action": "step"}, headers={"Origin": f"http://127.0.0.1:{server.port}"}
    )
    assert status == 200
    assert client.state()["step"] == 1


# -- bounds: every parameter -----------------------------------------------------------------------

BAD_CONFIG = [
    ("dataset", "mnist"),
    ("dataset", 3),
    ("noise", -0.1),
    ("noise", 2),
    ("noise", "0.1"),
    ("noise", None),
    ("points", 5),
    ("points", settings.MAX_POINTS + 1),
    ("points", 1.5),
    ("points", True),
    ("test_ratio", 0.0),
    ("test_ratio", 0.95),
    ("seed", -1),
    ("seed", 2**40),
    ("features", []),
    ("features", ["x3"]),
    ("features", ["x1", "x1"]),
    ("features", "x1"),
    ("hidden", [1] * 7),
    ("hidden", [0]),
    ("hidden", [9]),
    ("hidden", "4,2"),
    ("hidden", [True]),
    ("activation", "softmax"),
    ("activation", "__import__('os')"),
    ("loss", "mse"),
    ("loss", "l1"),
    ("optimizer", "rmsprop"),
    ("lr", 0),
    ("lr", 100),
    ("lr", "0.1"),
    ("lr", 1e308 * 10),
    ("momentum", 1.0),
    ("momentum", -0.5),
    ("l2", -1),
    ("l2", 2),
    ("batch_size", 0),
    ("batch_size", 10**6),
    ("batch_size", 2.5),
    ("init", "zeros"),
]


@pytest.mark.parametrize(("name", "value"), BAD_CONFIG)
def test_every_config_bound_answers_400_naming_it(client, name, value):
    before = fingerprint(client.state())
    text = json.dumps({"config": {name: value}}).replace("Infinity", "1e999")
    status, answer = client.post("/api/config", None, raw=text.encode())
    assert status == 400, answer
    assert answer["parameter"] in (name, "loss"), answer
    assert name in answer["error"] or "loss" in answer["error"]
    assert fingerprint(client.state()) == before


def test_dataset_and_loss_must_fit_each_other(client):
    for config in (
        {"dataset": "spiral3", "loss": "hinge"},
        {"dataset": "sin"},
        {"dataset": "moons", "loss": "mse"},
    ):
        status, answer = client.post("/api/config", {"config": config})
        assert status == 400 and answer["parameter"] == "loss"
    status, _ = client.post("/api/config", {"config": {"dataset": "sin", "loss": "mse"}})
    assert status == 200


@pytest.mark.parametrize(
    ("path", "body", "named"),
    [
        ("/api/config", {"config": {"unknown": 1}}, "unknown"),
        ("/api/config", {"config": [], "x": 1}, "x"),
        ("/api/config", {"config": "moons"}, "config"),
        ("/api/config", {"step": settings.MAX_STEPS + 1}, "step"),
        ("/api/config", {"step": -1}, "step"),
        ("/api/config", {"events": "all"}, "events"),
        ("/api/config", {"events": [[5, "lr", 0.1], [2, "lr", 0.2]], "step": 9}, "events[1] step"),
        ("/api/config", {"events": [[0, "exec", "rm -rf /"]]}, "events[0]"),
        ("/api/config", {"events": [[0, "lr", 0.1]] * (settings.MAX_EVENTS + 1)}, "events"),
        ("/api/config", {"events": [[0, "weight", "__class__", 1.0]]}, "events[0]"),
        ("/api/config", {"events": [[0, "point", 9.0, 0.0, 1]]}, "x"),
        ("/api/live", {"lr": 0}, "lr"),
        ("/api/live", {"dataset": "xor"}, "dataset"),
        ("/api/live", {"batch_size": -3}, "batch_size"),
        ("/api/point", {"x": 1e9, "y": 0, "label": 1}, "x"),
        ("/api/point", {"x": 0, "y": "0", "label": 1}, "y"),
        ("/api/point", {"x": 0, "y": 0}, "label"),
        ("/api/point", {"x": 0, "y": 0, "label": 2}, "label"),
        ("/api/point", {"x": 0, "y": 0, "label": 1, "z": 1}, "z"),
        ("/api/weight", {"name": "__class__", "value": 1.0}, "name"),
        ("/api/weight", {"name": "layers.0.neurons.0.b", "value": 1e6}, "value"),
        ("/api/weight", {"name": "layers.0.neurons.0.b"}, "value"),
        ("/api/control", {"action": "explode"}, "action"),
        ("/api/control", {}, "action"),
    ],
)
def test_every_action_bound_answers_400_naming_it(client, path, body, named):
    before = fingerprint(client.state())
    status, answer = client.post(path, body)
    assert status == 400, answer
    assert answer["parameter"] == named, answer
    assert fingerprint(client.state()) == before


@pytest.mark.parametrize(
    "query",
    [
        "layer=9&neuron=0&point=0",
        "layer=0&neuron=99&point=0",
        "layer=0&neuron=0&point=-1",
        "layer=0&neuron=0&point=99999",
        "layer=a&neuron=0&point=0",
        "neuron=0&point=0",
    ],
)
def test_neuron_queries_are_bounded(client, query):
    for path in ("/api/neuron", "/api/gradcheck"):
        status, answer = client.request("GET", f"{path}?{query}")
        assert status == 400 and answer["parameter"] in ("layer", "neuron", "point")


def test_bad_bodies(client):
    before = fingerprint(client.state())
    status, answer = client.post("/api/control", None, raw=b"{not json")
    assert status == 400 and answer["parameter"] == "body"
    status, answer = client.post("/api/control", None, raw=b'["step"]')
    assert status == 400 and answer["parameter"] == "body"
    status, answer = client.post("/api/control", None, raw=b'{"action": NaN}')
    assert status == 400 and answer["parameter"] == "body"
    deep = b"[" * 20000 + b"]" * 20000
    status, answer = client.post("/api/control", None, raw=deep)
    assert status == 400 and answer["parameter"] == "body"
    status, answer = client.post("/api/config", None, raw=b'{"config": {"seed": 1e999}}')
    assert status == 400 and answer["parameter"] == "seed"
    status, answer = client.post(
        "/api/config", None, raw=b'{"config": {"seed": 1' + b"0" * 5000 + b"}}"
    )
    assert status == 400
    status, answer = client.post("/api/control", None, raw=b"\xff\xfe")
    assert status == 400
    status, _ = client.post(
        "/api/control", None, raw=b'{"action": "step"}', headers={"Content-Type": "text/plain"}
    )
    assert status == 415
    big = json.dumps({"config": {"seed": 1}, "pad": "x" * settings.MAX_BODY}).encode()
    status, _ = client.post("/api/config", None, raw=big)
    assert status == 413
    assert fingerprint(client.state()) == before


def test_a_body_without_length_is_refused(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.putrequest("POST", "/api/control", skip_host=True)
    connection.putheader("Host", f"127.0.0.1:{server.port}")
    connection.putheader("X-Glassgrad-Token", server.token)
    connection.putheader("Content-Type", "application/json")
    connection.endheaders()
    assert connection.getresponse().status == 411
    connection.close()


def test_unknown_paths_and_methods(client):
    assert client.request("GET", "/etc/passwd")[0] == 404
    assert client.request("GET", "/static/playground.js")[0] == 404
    assert client.post("/api/exec", {"code": "1"})[0] == 404
    assert client.request("PUT", "/api/state", {})[0] == 405
    assert client.request("GET", "/api/export?format=exe")[0] == 400


# -- training -------------------------------------------------------------------------------------


def test_a_run_of_steps_lowers_the_loss(client):
    start_loss = client.state()["frame"]["scores"]["train_loss"]
    for _ in range(60):
        assert client.post("/api/control", {"action": "step"})[0] == 200
    state = client.state()
    assert state["step"] == 60
    assert state["frame"]["scores"]["train_loss"] < 0.5 * start_loss


def test_play_trains_in_the_background_until_paused(client):
    assert client.post("/api/control", {"action": "play"})[0] == 200
    deadline = time.monotonic() + 60
    while client.state()["step"] < 30 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert client.post("/api/control", {"action": "pause"})[0] == 200
    paused = client.state()
    assert not paused["running"] and paused["step"] >= 30
    time.sleep(0.2)
    assert client.state()["step"] == paused["step"]


def numbers(state):
    return (state["step"], state["frame"]["parameters"], state["frame"]["scores"])


def test_reset_reproduces_the_same_numbers_for_a_seed(client):
    assert client.post("/api/config", {"config": {"seed": 7, "dataset": "xor"}})[0] == 200
    for _ in range(15):
        client.post("/api/control", {"action": "step"})
    first = numbers(client.state())
    client.post("/api/control", {"action": "reset"})
    assert client.state()["step"] == 0
    for _ in range(15):
        client.post("/api/control", {"action": "step"})
    assert numbers(client.state()) == first
    client.post("/api/config", {"config": {"seed": 8}})
    for _ in range(15):
        client.post("/api/control", {"action": "step"})
    assert numbers(client.state()) != first


def test_a_link_replays_the_run_with_its_changes(client):
    client.post("/api/config", {"config": {"seed": 3}})
    for _ in range(5):
        client.post("/api/control", {"action": "step"})
    client.post("/api/live", {"lr": 0.01})
    client.post("/api/point", {"x": 0.5, "y": -0.25, "label": 0})
    client.post("/api/weight", {"name": "layers.1.neurons.0.w.2", "value": -0.75})
    for _ in range(7):
        client.post("/api/control", {"action": "step"})
    live = client.state()
    assert live["config"]["lr"] == 0.01 and live["start_config"]["lr"] == 0.03
    link = {"config": live["start_config"], "events": live["events"], "step": live["step"]}
    client.post("/api/config", {"config": {"seed": 4}})
    assert client.post("/api/config", link)[0] == 200
    deadline = time.monotonic() + 60
    while client.state()["running"] and time.monotonic() < deadline:
        time.sleep(0.05)
    replayed = client.state()
    assert numbers(replayed) == numbers(live)
    assert replayed["events"] == live["events"]


def test_a_diverging_run_pauses_with_a_message(client):
    client.post(
        "/api/config",
        {
            "config": {
                "dataset": "sin",
                "loss": "mse",
                "optimizer": "sgd",
                "lr": 10.0,
                "momentum": 0.99,
                "batch_size": 1,
                "activation": "relu",
                "hidden": [8, 8, 8],
            }
        },
    )
    client.post("/api/control", {"action": "play"})
    deadline = time.monotonic() + 60
    state = client.state()
    while state["running"] and time.monotonic() < deadline:
        time.sleep(0.05)
        state = client.state()
    assert not state["running"]
    assert "diverged" in state["message"]
    assert client.post("/api/control", {"action": "reset"})[0] == 200
    assert client.state()["message"] == ""


def test_every_data_set_trains_and_draws(client):
    for dataset, loss in [
        ("circles", "hinge"),
        ("spiral2", "cross_entropy"),
        ("spiral3", "cross_entropy"),
        ("xor", "bce_logits"),
        ("blobs", "bce_logits"),
        ("sin", "mse"),
    ]:
        status, answer = client.post(
            "/api/config",
            {
                "config": {
                    "dataset": dataset,
                    "loss": loss,
                    "features": ["x1", "x2", "x1x2", "sinx1"],
                    "hidden": [3],
                    "activation": "relu",
                }
            },
        )
        assert status == 200, answer
        client.post("/api/control", {"action": "step"})
        state = client.state()
        frame = state["frame"]
        assert state["shape"] == [
            4,
            3,
            3 if dataset == "spiral3" else 2 if loss == "cross_entropy" else 1,
        ]
        assert frame["output"]["kind"] == {"mse": "value", "cross_entropy": "classes"}.get(
            loss, "binary"
        )
        assert frame["scores"]["test_loss"] is not None
        if dataset == "spiral3":
            assert len(frame["scores"]["confusion"]) == 3


def test_no_hidden_layer_and_six_of_eight(client):
    for hidden in ([], [8] * 6):
        assert client.post("/api/config", {"config": {"hidden": hidden}})[0] == 200
        client.post("/api/control", {"action": "step"})
        assert client.state()["shape"] == [2, *hidden, 1]


# -- the neuron panel and export -----------------------------------------------------------------


def test_the_neuron_panel(client):
    status, info = client.request("GET", "/api/neuron?layer=0&neuron=1&point=3")
    assert status == 200
    weights = client.state()["frame"]["parameters"]
    w = weights["layers.0.neurons.1.w.0"]
    assert info["formula"].startswith("h¹₂ = tanh(")
    assert f"{w:.3g}".replace("-", "−") in info["formula"]
    assert "window.glassgrad" in info["html"]
    status, info = client.request("GET", "/api/neuron?layer=2&neuron=0&point=3&graph=0")
    assert info["formula"].startswith("ŷ = ") and "html" not in info


def test_the_gradient_check_agrees(client):
    status, result = client.request("GET", "/api/gradcheck?layer=1&neuron=2&point=5")
    assert status == 200 and result["agree"]
    assert [row["name"] for row in result["rows"]] == ["w₁", "w₂", "w₃", "w₄", "w₅", "w₆", "b"]


def test_export_json_is_what_nn_save_writes(client, tmp_path):
    for _ in range(3):
        client.post("/api/control", {"action": "step"})
    status, text = client.request("GET", "/api/export?format=json")
    assert status == 200
    path = tmp_path / "model.json"
    path.write_text(json.dumps(text) if isinstance(text, dict) else text)
    model = nn.load(path)
    assert model.state_dict() == client.state()["frame"]["parameters"]


def test_the_python_snippet_rebuilds_and_trains(client, tmp_path):
    client.post("/api/point", {"x": 0.5, "y": 0.5, "label": 1})
    status, snippet = client.request("GET", "/api/export?format=python")
    assert status == 200 and "nn.fit(" in snippet
    script = tmp_path / "playground.py"
    script.write_text(snippet)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "val_accuracy" in result.stdout
    assert nn.load(tmp_path / "playground-model.json").config()["nouts"] == [6, 4, 1]


# -- many clients ---------------------------------------------------------------------------------


def test_concurrent_tabs_see_one_consistent_state(server, client):
    client.post("/api/control", {"action": "play"})
    seen: list[list[tuple]] = [[] for _ in range(4)]

    def tab(k):
        other = Client(server)
        for _ in range(25):
            state = other.state()
            seen[k].append((state["version"], state["step"]))

    threads = [threading.Thread(target=tab, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    client.post("/api/control", {"action": "pause"})
    by_version: dict[int, int] = {}
    for observations in seen:
        assert observations == sorted(observations)  # each tab sees time move forwards
        for version, step in observations:
            assert by_version.setdefault(version, step) == step  # one state per version
    client.post("/api/config", {"config": {"dataset": "circles"}})
    assert Client(server).state()["config"]["dataset"] == "circles"


def test_closed_tabs_leak_nothing(server, client):
    client.state()
    baseline = threading.active_count()
    connections = []
    for _ in range(20):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request(
            "GET",
            "/api/state",
            headers={"Host": f"127.0.0.1:{server.port}", "X-Glassgrad-Token": server.token},
        )
        connection.getresponse().read()
        connections.append(connection)  # keep-alive: each holds a server thread
    assert threading.active_count() > baseline
    for connection in connections:
        connection.close()  # the tab goes away
    deadline = time.monotonic() + 10
    while threading.active_count() > baseline and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threading.active_count() <= baseline


def test_a_load_of_requests_on_loopback(server):
    errors: list[object] = []

    def hammer():
        own = Client(server)
        for i in range(30):
            status, _ = (
                own.request("GET", "/api/state")
                if i % 3
                else own.post("/api/control", {"action": "step"})
            )
            if status != 200:
                errors.append(status)

    threads = [threading.Thread(target=hammer) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors and not any(t.is_alive() for t in threads)
    assert Client(server).state()["step"] == 60


# -- the command line ------------------------------------------------------------------------------


def test_the_command_prints_the_url_serves_and_stops_on_ctrl_c():
    process = subprocess.Popen(
        [sys.executable, "-m", "autograd.cli", "playground", "--no-browser", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=([\w-]+)", line)
        assert match, line
        connection = http.client.HTTPConnection("127.0.0.1", int(match[1]), timeout=10)
        connection.request("GET", f"/?token={match[2]}")
        assert connection.getresponse().status == 200
        connection.close()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "stopped" in out and "Traceback" not in err


def test_the_command_refuses_a_bad_port(server):
    from autograd.cli import main

    assert main(["playground", "--no-browser", "--port", "70000"]) == 2
    assert main(["playground", "--no-browser", "--port", str(server.port)]) == 1


def test_a_run_nobody_watches_pauses_by_itself(server, client, monkeypatch):
    from nn.playground import session

    monkeypatch.setattr(session, "IDLE_SECONDS", 0.3)
    client.post("/api/control", {"action": "play"})
    deadline = time.monotonic() + 30
    while server.playground.running and time.monotonic() < deadline:
        time.sleep(0.05)  # nobody polls /api/state meanwhile
    assert not server.playground.running
    assert "no page asked" in client.state()["message"]
