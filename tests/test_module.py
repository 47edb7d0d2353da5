"""nn.Module: discovery, names, state dicts, and JSON model files (atomic, checked)."""

from __future__ import annotations

import json
import os

import pytest

import nn
from autograd import Value
from autograd.io import write_atomic
from nn.module import ModelFileError


class Affine(nn.Module):
    """A custom module: a scale, a list of offsets, a nested module and private state."""

    def __init__(self) -> None:
        self.scale = Value(2.0)
        self.offsets = [Value(1.0), [Value(3.0), 4.0], (Value(5.0),)]
        self.inner = nn.Neuron(2, seed=0)
        self._cache = Value(9.0)  # private: not a parameter
        self.note = "not a parameter either"

    def forward(self, x):
        return self.inner(x) * self.scale


def test_discovery_order_and_dotted_names():
    model = Affine()
    names = [name for name, _ in model.named_parameters()]
    assert names == [
        "scale",
        "offsets.0",
        "offsets.1.0",
        "offsets.2.0",
        "inner.w.0",
        "inner.w.1",
        "inner.b",
    ]
    assert model.num_parameters() == 7
    assert model.parameters()[0] is model.scale
    assert all(value.label == name for name, value in model.named_parameters())


def test_shared_parameter_is_listed_once():
    model = Affine()
    model.again = model.scale
    assert model.num_parameters() == 7


def test_mlp_names_and_labels():
    model = nn.MLP(2, [3, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names[:3] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b"]
    assert names[-1] == "layers.1.neurons.0.b"
    assert model.layers[0].neurons[2].w[1].label == "layers.0.neurons.2.w.1"
    assert [name for name, _ in model.children()] == ["layers.0", "layers.1"]
    assert [name for name, _ in model.named_modules()][:3] == ["", "layers.0", "layers.0.neurons.0"]


def test_zero_grad_and_call():
    model = Affine()
    out = model([1.0, 2.0])
    out.backward()
    assert model.scale.grad != 0.0
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_forward_must_be_defined():
    with pytest.raises(NotImplementedError, match="Module does not define forward"):
        nn.Module()(1.0)


def test_repr():
    assert repr(nn.Layer(2, 3, activation="tanh")) == "Layer(nin=2, nout=3, activation='tanh')"
    assert repr(nn.MLP(2, [4, 1], seed=0)) == (
        "MLP(\n"
        "  nin=2, nouts=[4, 1], activation='relu', output_activation='identity'\n"
        "  (layers.0): Layer(nin=2, nout=4, activation='relu')\n"
        "  (layers.1): Layer(nin=4, nout=1, activation='identity')\n"
        ")"
    )


def test_state_dict_round_trip():
    source, target = nn.MLP(3, [4, 2], seed=1), nn.MLP(3, [4, 2], seed=2)
    state = source.state_dict()
    assert list(state) == [name for name, _ in source.named_parameters()]
    assert all(type(v) is float for v in state.values())
    assert target.load_state_dict(state) == ([], [])
    assert target.state_dict() == state


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda s: s.pop("layers.1.neurons.0.b"), "1 missing from state: layers.1.neurons.0.b"),
        (lambda s: s.update(extra=1.0), "1 unexpected in state: extra"),
        (lambda s: s.update({"layers.0.neurons.0.b": "x"}), "must be a number, got str"),
        (lambda s: s.update({"layers.0.neurons.0.b": float("nan")}), "not a finite number"),
    ],
)
def test_bad_state_raises_and_leaves_model_unchanged(change, message):
    model = nn.MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    state = {name: 0.5 for name in before}
    change(state)
    with pytest.raises((ValueError, TypeError), match=message):
        model.load_state_dict(state)
    assert model.state_dict() == before


def test_mismatched_architecture_names_key_and_sizes():
    small, large = nn.MLP(2, [3, 1], seed=0), nn.MLP(2, [4, 1], seed=0)
    with pytest.raises(ValueError) as error:
        small.load_state_dict(large.state_dict())
    assert str(error.value) == (
        "load_state_dict: state has 17 values, MLP has 13 parameters; "
        "layers.0.neurons has 4 entries in state, 3 in the model; "
        "layers.1.neurons.0.w has 4 entries in state, 3 in the model; "
        "4 unexpected in state: layers.0.neurons.3.w.0, layers.0.neurons.3.w.1, "
        "layers.0.neurons.3.b, layers.1.neurons.0.w.3"
    )
    with pytest.raises(ValueError, match="layers has 2 entries in state, 3 in the model"):
        nn.MLP(2, [3, 3, 1]).load_state_dict(small.state_dict())


def test_non_strict_load_reports_missing_and_unexpected():
    model = nn.Neuron(2, seed=0)
    result = model.load_state_dict({"w.0": 7.0, "other": 1.0}, strict=False)
    assert result.missing_keys == ["w.1", "b"] and result.unexpected_keys == ["other"]
    assert model.w[0].data == 7.0


def test_save_and_load_round_trip(tmp_path):
    model = nn.MLP(2, [5, 3], activation="tanh", output_activation="sigmoid", seed=3)
    path = tmp_path / "model.json"
    model.save(path)
    document = json.loads(path.read_text())
    assert document["class"] == "nn.layers.MLP"
    assert document["config"] == {
        "nin": 2,
        "nouts": [5, 3],
        "activation": "tanh",
        "output_activation": "sigmoid",
    }
    loaded = nn.load(path)
    assert isinstance(loaded, nn.MLP) and loaded.state_dict() == model.state_dict()
    assert [v.data for v in loaded([0.3, -0.2])] == [v.data for v in model([0.3, -0.2])]
    assert nn.MLP.load(path).num_parameters() == model.num_parameters()
    assert nn.load_state(path) == model.state_dict()
    assert not [p for p in os.listdir(tmp_path) if p != "model.json"]  # no temporary left


def test_load_checks_the_class(tmp_path):
    path = tmp_path / "neuron.json"
    nn.Neuron(2, seed=0).save(path)
    with pytest.raises(ModelFileError, match="holds a nn.layers.Neuron, not a MLP"):
        nn.MLP.load(path)


def test_custom_module_without_config_loads_state_only(tmp_path):
    path = tmp_path / "affine.json"
    model = Affine()
    model.scale.data = -1.5
    model.save(path)
    with pytest.raises(ModelFileError, match="records no config"):
        nn.load(path)
    fresh = Affine()
    fresh.load_state_dict(nn.load_state(path))
    assert fresh.scale.data == -1.5


@pytest.mark.parametrize(
    "text, message",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a glassgrad model file"),
        ('{"format": "glassgrad.nn.Module", "version": 99}', "version 99"),
        (
            '{"format": "glassgrad.nn.Module", "version": 1, "class": "x.Nope", "config": {},'
            ' "state": {}}',
            "'x.Nope' is not known",
        ),
        (
            '{"format": "glassgrad.nn.Module", "version": 1, "class": "nn.layers.MLP",'
            ' "config": {"nin": 2, "nouts": [1]}, "state": {"a": "b"}}',
            r"state\['a'\] must be a number",
        ),
        (
            '{"format": "glassgrad.nn.Module", "version": 1, "class": "nn.layers.MLP",'
            ' "config": {"nin": 2, "nouts": [1]}, "state": {"layers.0.neurons.0.b": 1}}',
            "2 missing from state: layers.0.neurons.0.w.0, layers.0.neurons.0.w.1",
        ),
        (
            '{"format": "glassgrad.nn.Module", "version": 1, "class": "nn.layers.MLP",'
            ' "config": {"nin": 2, "bad": 1}, "state": {}}',
            "cannot rebuild nn.layers.MLP",
        ),
    ],
)
def test_corrupt_or_mismatched_files_raise_naming_the_problem(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ModelFileError, match=message):
        nn.load(path)


def test_failed_load_into_existing_model_leaves_it_unchanged(tmp_path):
    path = tmp_path / "other.json"
    nn.MLP(2, [4, 1], seed=0).save(path)
    model = nn.MLP(2, [3, 1], seed=1)
    before = model.state_dict()
    with pytest.raises(ValueError, match="unexpected in state"):
        model.load_state_dict(nn.load_state(path))
    assert model.state_dict() == before


def test_save_refuses_non_finite_parameters_and_keeps_old_file(tmp_path):
    path = tmp_path / "model.json"
    model = nn.Neuron(1, seed=0)
    model.save(path)
    old = path.read_text()
    model.b.data = float("inf")
    with pytest.raises(ValueError, match="parameter 'b' is inf"):
        model.save(path)
    assert path.read_text() == old


def test_atomic_write_leaves_no_partial_file(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    path.write_text("old contents")

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(path, "new contents")
    assert path.read_text() == "old contents"
    assert os.listdir(tmp_path) == ["model.json"]


def test_save_with_a_custom_activation_cannot_be_rebuilt(tmp_path):
    path = tmp_path / "custom.json"
    nn.Neuron(2, activation=lambda x: x * 2, seed=0).save(path)
    with pytest.raises(ModelFileError, match="unknown activation '<custom <lambda>>'"):
        nn.load(path)


def test_shared_and_cyclic_references_are_walked_once():
    model = nn.MLP(2, [3, 1], seed=0)
    model.alias = model.layers[0]  # the same layer under a second name
    model.layers[1].owner = model  # a reference back up the tree
    assert model.num_parameters() == 13
    assert [name for name, _ in model.children()] == ["layers.0", "layers.1"]
    assert model.parameters()[0].label == "layers.0.neurons.0.w.0"


# -- hostile model files: bounded before anything is allocated, and always ModelFileError --------

MLP_HEADER = '{"format": "glassgrad.nn.Module", "version": 1, "class": "nn.layers.MLP", '


def test_a_small_file_cannot_ask_for_a_huge_model(tmp_path, monkeypatch):
    path = tmp_path / "huge.json"
    path.write_text(MLP_HEADER + '"config": {"nin": 2, "nouts": [100000, 100000, 1]}, "state": {}}')
    assert path.stat().st_size < 200

    def must_not_build(*args, **kwargs):
        raise AssertionError("the model was built before its size was checked")

    monkeypatch.setattr(nn.Layer, "__init__", must_not_build)
    refused = "declares 10000500001 parameters but the state holds 0"
    with pytest.raises(ModelFileError, match=refused):
        nn.load(path)


@pytest.mark.parametrize(
    "config",
    [
        '{"nin": 100000000000000000000000000000, "nouts": [1]}',
        '{"nin": 2, "nouts": [1, 99999999999999999999]}',
        '{"nin": 3, "nout": 100000000}',
    ],
)
def test_huge_declared_sizes_are_refused_for_every_built_in_class(tmp_path, config):
    path = tmp_path / "huge.json"
    cls = "nn.layers.Layer" if 'nout"' in config else "nn.layers.MLP"
    header = MLP_HEADER.replace("nn.layers.MLP", cls)
    path.write_text(header + f'"config": {config}, "state": {{}}}}')
    with pytest.raises(ModelFileError, match="refusing to build"):
        nn.load(path)


def test_a_state_a_little_short_still_names_the_missing_keys(tmp_path):
    path = tmp_path / "short.json"
    nn.MLP(2, [8, 1], seed=0).save(path)
    document = json.loads(path.read_text())
    del document["state"]["layers.1.neurons.0.b"]
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match="1 missing from state: layers.1.neurons.0.b"):
        nn.load(path)


HOSTILE = {
    "a 5,000-digit integer": MLP_HEADER + '"config": {"nin": ' + "9" * 5000 + ', "nouts": [1]}, '
    '"state": {}}',
    "a 5,000-digit state value": MLP_HEADER + '"config": {"nin": 1, "nouts": [1]}, "state": '
    '{"layers.0.neurons.0.w.0": 1' + "0" * 5000 + ', "layers.0.neurons.0.b": 0}}',
    "a 5,000-digit float": MLP_HEADER + '"config": null, "state": {"a": 0.' + "1" * 5000 + "}}",
    "an integer too large for a float": MLP_HEADER + '"config": {"nin": 1, "nouts": [1]}, '
    '"state": {"layers.0.neurons.0.w.0": ' + "9" * 400 + ', "layers.0.neurons.0.b": 0}}',
    "1e999": MLP_HEADER + '"config": null, "state": {"a": 1e999}}',
    "NaN": MLP_HEADER + '"config": null, "state": {"a": NaN}}',
    "-Infinity": MLP_HEADER + '"config": null, "state": {"a": -Infinity}}',
    "deeply nested arrays": "[" * 100_000 + "]" * 100_000,
    "deeply nested config": MLP_HEADER
    + '"config": {"nin": '
    + "[" * 50_000
    + "]" * 50_000
    + '}, "state": {}}',
    "deeply nested objects": '{"a": ' * 100_000 + "1" + "}" * 100_000,
    "a nested activation": MLP_HEADER + '"config": {"nin": 1, "nouts": [1], "activation": '
    '{"x": [1]}}, "state": {"layers.0.neurons.0.w.0": 0, "layers.0.neurons.0.b": 0}}',
    "a float layer size": MLP_HEADER + '"config": {"nin": 1.5, "nouts": [1]}, "state": {}}',
    "a string for nouts": MLP_HEADER + '"config": {"nin": 1, "nouts": "11"}, "state": {}}',
    "invalid UTF-8": b'{"format": "\xff\xfe"}',
    "a bare number": "1" * 5000,
    "brackets inside strings": MLP_HEADER + '"config": null, "state": {"' + "[" * 100 + '": "x"}}',
}


@pytest.mark.parametrize("name", HOSTILE)
def test_every_malformed_file_raises_model_file_error(tmp_path, name):
    path = tmp_path / "hostile.json"
    text = HOSTILE[name]
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(ModelFileError) as caught:
        nn.load(path)
    assert str(path) in str(caught.value)
    try:  # the state alone may be fine (a bad config); any error is a ModelFileError
        nn.load_state(path)
    except ModelFileError:
        pass


# -- issue 11: named_parameters() has no side effects; labels are set once, at build time ------


def test_named_parameters_changes_nothing():
    model = nn.MLP(2, [3, 1], seed=0)
    model.layers[0].neurons[0].w[0].label = "my weight"
    names = model.named_parameters()
    assert model.layers[0].neurons[0].w[0].label == "my weight"
    assert names[0][0] == "layers.0.neurons.0.w.0"


def test_labels_are_set_once_when_the_outermost_module_is_built(monkeypatch):
    labelled = []
    original = nn.Module.label_parameters

    def spy(self):
        labelled.append(type(self).__name__)
        original(self)

    monkeypatch.setattr(nn.Module, "label_parameters", spy)
    model = nn.MLP(2, [3, 3, 1], seed=0)  # builds 3 Layers and 7 Neurons inside
    assert labelled == ["MLP"]
    assert model.layers[1].neurons[2].b.label == "layers.1.neurons.2.b"
    labelled.clear()
    assert nn.Layer(2, 2, seed=0).neurons[1].w[0].label == "neurons.1.w.0"
    assert labelled == ["Layer"]
    model.extra = Value(1.0)  # assigned later: labelled on request
    model.label_parameters()
    assert model.extra.label == "extra"


# -- issue 16: a Module in a notebook shows its layers and its parameter count -----------------


def test_notebook_display_shows_layers_and_parameter_count():
    model = nn.MLP(2, [16, 16, 1], seed=0)
    page = model._repr_html_()
    assert "<strong>MLP</strong>" in page and "337 parameters" in page
    for name, size in (("layers.0", 48), ("layers.1", 272), ("layers.2", 17)):
        assert f"<code>{name}</code>" in page and f">{size}</td>" in page
    assert "Layer(nin=16, nout=16, activation=&#x27;relu&#x27;)" in page
    assert "1 parameter<" not in nn.Neuron(2)._repr_html_() and "3 parameters" in (
        nn.Neuron(2)._repr_html_()
    )

    class Printer:
        def __init__(self):
            self.written = ""

        def text(self, text):
            self.written += text

    printer = Printer()
    model._repr_pretty_(printer, cycle=False)
    assert printer.written == repr(model) + "\n337 parameters"


def test_module_html_escapes_what_it_shows():
    class Odd(nn.Module):
        def __init__(self):
            self.w = Value(1.0)

        def extra_repr(self):
            return "<script>"

    assert "<script>" not in Odd()._repr_html_() and "&lt;script&gt;" in Odd()._repr_html_()


class Wide(nn.Module):
    """A module that cannot say its size from its config: load falls back to a cruder bound."""

    def __init__(self, n: int, label: str = "") -> None:
        self.w = [Value(0.0) for _ in range(n)]

    def config(self):
        return {"n": len(self.w)}


def test_a_module_without_count_parameters_is_bounded_by_its_configs_numbers(tmp_path, monkeypatch):
    path = tmp_path / "wide.json"
    Wide(3).save(path)
    assert nn.load(path).num_parameters() == 3
    document = json.loads(path.read_text())
    document["config"]["n"] = 10**12
    path.write_text(json.dumps(document))

    def must_not_build(self, *args, **kwargs):
        raise AssertionError("built before the size was checked")

    monkeypatch.setattr(Wide, "__init__", must_not_build)
    with pytest.raises(
        ModelFileError,
        match="asks for a size of 1000000000000, more than the 3 "
        "values of the state.*define Wide.count_parameters",
    ):
        nn.load(path)
