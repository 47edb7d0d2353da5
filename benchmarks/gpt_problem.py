"""The inputs of the real-data workloads (issue 15), the same for every engine.

- `digits_epoch`: one epoch of the digits demo's training — MLP(64, [32, 10]) with relu, mean
  softmax cross-entropy, Adam (lr 0.01), over the 1,437 training images in 45 fixed batches of
  32 (the last one smaller). Checksum: the last batch's loss, Σ parameters after.
- `names_step`: microgpt's training step, 20 times — GPT(27, 16, 4, 1, 16) on one name per step
  (the names demo's first 20 training names), forward to the mean next-letter cross-entropy,
  backward, Adam (lr 0.01·(1 - k/1000), β 0.85/0.99). Checksum: the last loss, Σ parameters after.

Initial weights are glassgrad's seeded initialisations exported as floats; every engine builds its
own model from them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import nn

GPT_SHAPE = {"vocab_size": 27, "n_embd": 16, "n_head": 4, "n_layer": 1, "block_size": 16}
GPT_MATRICES = ("wte", "wpe", "wq", "wk", "wv", "wo", "fc1", "fc2", "lm_head")
NAMES_TOTAL_STEPS = 1000  # the demo's schedule: lr 0.01·(1 - k/1000)
ADAM_NAMES = {"lr": 0.01, "betas": (0.85, 0.99), "eps": 1e-8}
ADAM_DIGITS = {"lr": 0.01, "betas": (0.9, 0.999), "eps": 1e-8}


def names_learning_rate(step: int) -> float:
    return ADAM_NAMES["lr"] * (1.0 - step / NAMES_TOTAL_STEPS)


def gpt_matrices(model: nn.GPT) -> dict[str, list]:
    """The GPT's weights by microgpt's names, as Values (one block)."""
    block = model.blocks[0]
    return {
        "wte": model.wte.weight,
        "wpe": model.wpe.weight,
        "wq": block.attn.wq,
        "wk": block.attn.wk,
        "wv": block.attn.wv,
        "wo": block.attn.wo,
        "fc1": block.fc1,
        "fc2": block.fc2,
        "lm_head": model.lm_head,
    }


@dataclass
class GptProblem:
    """All inputs of `digits_epoch` and `names_step`; `quick()` gives a small one."""

    digits_images: int = 1437
    names_steps: int = 20
    digits_X: list = field(init=False)
    digits_y: list = field(init=False)
    digits_batches: list = field(init=False)
    mlp_weights: list = field(init=False)  # per layer: [(weights of neuron i, bias i), ...]
    names: list = field(init=False)
    name_tokens: list = field(init=False)
    gpt_weights: dict = field(init=False)

    def __post_init__(self) -> None:
        from demos import digits, names

        X_train, _, y_train, _ = digits.load(quick=False)
        self.digits_X, self.digits_y = X_train[: self.digits_images], y_train[: self.digits_images]
        order = list(range(len(self.digits_X)))
        random.Random(0).shuffle(order)
        self.digits_batches = [order[i : i + 32] for i in range(0, len(order), 32)]
        mlp = nn.MLP(64, [32, 10], init="he", seed=0)
        self.mlp_weights = [
            [([w.data for w in neuron.w], neuron.b.data) for neuron in layer.neurons]
            for layer in mlp.layers
        ]
        train_names, _ = names.split_names()
        tokenizer = nn.CharTokenizer("abcdefghijklmnopqrstuvwxyz")
        self.names = train_names[: self.names_steps]
        self.name_tokens = [tokenizer.wrap(name) for name in self.names]
        gpt = nn.GPT(**GPT_SHAPE, seed=names.SEED)
        self.gpt_weights = {
            name: [[v.data for v in row] for row in matrix]
            for name, matrix in gpt_matrices(gpt).items()
        }

    @classmethod
    def quick(cls) -> GptProblem:
        return cls(digits_images=96, names_steps=2)


def glassgrad_gpt(weights: dict) -> nn.GPT:
    """nn.GPT with the shared initial weights."""
    model = nn.GPT(**GPT_SHAPE, seed=0)
    for name, matrix in gpt_matrices(model).items():
        for row, numbers in zip(matrix, weights[name]):
            for value, number in zip(row, numbers):
                value.data = number
    return model


def glassgrad_mlp(weights: list) -> nn.MLP:
    """nn.MLP(64, [32, 10]) with the shared initial weights."""
    model = nn.MLP(64, [32, 10], seed=0)
    for layer, layer_weights in zip(model.layers, weights):
        for neuron, (ws, b) in zip(layer.neurons, layer_weights):
            for value, number in zip(neuron.w, ws):
                value.data = number
            neuron.b.data = b
    return model
