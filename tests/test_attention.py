"""nn.attention: each layer against central differences (first and second order), the GPT's shape
and parameter count, the key/value cache carrying gradient, the tokenizer and seeded sampling."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator

import pytest

import nn
from autograd import Value, gradcheck, gradgradcheck
from nn.attention import Block, _softmax

# -- helpers: run a layer with its parameters taken from gradcheck's inputs --------------------


def _slots(item: object) -> Iterator[tuple[list, int]]:
    """(container, index) of every parameter Value in a module, in a fixed order."""
    if isinstance(item, nn.Module):
        for name, attribute in vars(item).items():
            if not name.startswith("_"):
                yield from _slots(attribute)
    elif isinstance(item, list):
        for i, element in enumerate(item):
            if isinstance(element, Value):
                yield item, i
            else:
                yield from _slots(element)


def parameter_data(module: nn.Module) -> list[float]:
    return [container[i].data for container, i in _slots(module)]


def rebind(module: nn.Module, values: list[Value]) -> None:
    """Put `values` in the places of the module's parameters (so gradcheck can move them)."""
    slots = list(_slots(module))
    assert len(slots) == len(values)
    for (container, i), value in zip(slots, values):
        container[i] = value


def vector(n: int, seed: int, scale: float = 1.0) -> list[float]:
    rng = random.Random(seed)
    return [rng.uniform(-scale, scale) for _ in range(n)]


# -- shapes, counts, errors -------------------------------------------------------------------


def test_microgpt_shape_has_4192_parameters():
    model = nn.GPT(27, 16, 4, 1, 16, seed=0)
    assert model.num_parameters() == 4192
    names = [name for name, _ in model.named_parameters()]
    assert names[0] == "wte.weight.0.0" and names[-1] == "lm_head.26.15"
    assert len(model(list(range(5)))) == 5 and len(model([3])[0]) == 27


def test_same_seed_same_weights_and_std():
    a, b = nn.GPT(5, 8, 2, 2, 4, seed=3), nn.GPT(5, 8, 2, 2, 4, seed=3)
    assert parameter_data(a) == parameter_data(b)
    numbers = parameter_data(nn.GPT(27, 16, 4, 1, 16, seed=1))
    std = math.sqrt(sum(x * x for x in numbers) / len(numbers))
    assert 0.07 < std < 0.09  # microgpt draws every weight from N(0, 0.08²)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: nn.GPT(5, 6, 4, 1, 4), "multiple of n_head"),
        (lambda: nn.GPT(0, 8, 2, 1, 4), "vocab_size must be a positive int"),
        (lambda: nn.GPT(5, 8, 2, 1, 4, seed=0)([5]), "outside the vocabulary"),
        (lambda: nn.GPT(5, 8, 2, 1, 4, seed=0)([0, 1, 2, 3, 4]), "outside the block size"),
        (lambda: nn.GPT(5, 8, 2, 1, 4, seed=0).loss([1]), "at least 2"),
        (lambda: nn.RMSNorm(3)([Value(1.0)]), "expected a vector of 3"),
        (lambda: nn.Embedding(3, 2)(3), "out of range"),
    ],
)
def test_bad_input_names_what_is_wrong(call, message):
    with pytest.raises((ValueError, IndexError), match=message):
        call()


def test_positions_must_follow_the_cache():
    model = nn.GPT(5, 8, 2, 1, 4, seed=0)
    cache = model.new_cache()
    model.step(1, 0, cache)
    with pytest.raises(ValueError, match="does not follow the cache"):
        model.step(1, 0, cache)


# -- layers against central differences -------------------------------------------------------


def test_embedding_returns_its_row_and_sends_gradient_there():
    embedding = nn.Embedding(4, 3, seed=0)
    row = embedding(2)
    assert row is embedding.weight[2]
    (row[0] * 2.0 + row[2]).backward()
    grads = [[w.grad for w in r] for r in embedding.weight]
    assert grads == [[0.0] * 3, [0.0] * 3, [2.0, 0.0, 1.0], [0.0] * 3]


def test_embedding_passes_gradcheck_and_gradgradcheck():
    embedding = nn.Embedding(3, 2, init_std=1.0, seed=1)

    def f(w):
        rebind(embedding, w)
        a, b = embedding(2), embedding(0)
        return [a[0] * b[1], a[1] * a[1] + b[0]]  # a product, so second derivatives are not 0

    assert gradcheck(f, [parameter_data(embedding)])
    assert gradgradcheck(f, [parameter_data(embedding)])


@pytest.mark.parametrize("norm_class", [nn.RMSNorm, nn.LayerNorm])
@pytest.mark.parametrize("affine", [False, True])
def test_norms_pass_gradcheck_and_gradgradcheck(norm_class, affine):
    norm = norm_class(4, affine=affine)
    x = vector(4, seed=1)
    weights = [1.0 + v for v in vector(len(parameter_data(norm)), seed=2, scale=0.5)]

    def f(x, w):
        rebind(norm, w)
        return norm(x)

    assert gradcheck(f, [x, weights])
    assert gradgradcheck(f, [x, weights])


def test_rms_norm_values():
    y = nn.RMSNorm(2, affine=False)([Value(3.0), Value(4.0)])
    scale = 1 / math.sqrt(12.5 + 1e-5)
    assert [v.data for v in y] == pytest.approx([3 * scale, 4 * scale], rel=1e-15)
    z = nn.LayerNorm(3, affine=False)([Value(1.0), Value(2.0), Value(6.0)])
    assert sum(v.data for v in z) == pytest.approx(0.0, abs=1e-12)
    assert sum(v.data**2 for v in z) / 3 == pytest.approx(1.0, rel=1e-4)


def test_softmax_weights_sum_to_one_and_do_not_overflow():
    weights = _softmax([Value(1000.0), Value(999.0), Value(-1000.0)])
    assert sum(w.data for w in weights) == pytest.approx(1.0)
    assert weights[0].data == pytest.approx(1 / (1 + math.exp(-1)))


def test_attention_passes_gradcheck_and_gradgradcheck_over_three_positions():
    attention = nn.CausalSelfAttention(4, 2, init_std=0.5, seed=0)
    xs = [vector(4, seed=s) for s in range(3)]
    weights = parameter_data(attention)

    def f(x0, x1, x2, w):
        rebind(attention, w)
        keys, values = [], []
        return [y for x in (x0, x1, x2) for y in attention(x, keys, values)]

    assert gradcheck(f, [*xs, weights])
    small = nn.CausalSelfAttention(2, 2, init_std=0.5, seed=1)
    w_small = parameter_data(small)

    def g(x0, x1, w):
        rebind(small, w)
        keys, values = [], []
        return [y for x in (x0, x1) for y in small(x, keys, values)]

    assert gradgradcheck(g, [vector(2, seed=5), vector(2, seed=6), w_small])


def test_block_passes_gradcheck():
    block = Block(4, 2, init_std=0.5, seed=2)
    xs = [vector(4, seed=s + 10) for s in range(2)]

    def f(x0, x1, w):
        rebind(block, w)
        keys, values = [], []
        return [y for x in (x0, x1) for y in block(x, keys, values)]

    assert gradcheck(f, [*xs, parameter_data(block)])


def test_gpt_loss_passes_gradcheck_on_every_parameter():
    model = nn.GPT(4, 4, 2, 1, 4, init_std=0.5, seed=3)
    tokens = [3, 0, 2, 1, 3]

    def f(w):
        rebind(model, w)
        return model.loss(tokens)

    assert gradcheck(f, [parameter_data(model)])


def test_gpt_loss_passes_gradgradcheck_on_attention_weights():
    model = nn.GPT(3, 2, 1, 1, 3, init_std=0.7, seed=4)
    attention = model.blocks[0].attn

    def f(wq, wk, wv):
        attention.wq, attention.wk, attention.wv = ([w[:2], w[2:]] for w in (wq, wk, wv))
        return model.loss([2, 0, 1, 2])

    start = [[v.data for row in m for v in row] for m in (attention.wq, attention.wk, attention.wv)]
    assert gradgradcheck(f, start)


def test_backprop_goes_through_the_key_value_cache():
    """The loss at position 2 depends on position 0's token only through the cached k and v."""
    model = nn.GPT(4, 4, 2, 1, 4, init_std=0.5, seed=5)
    cache = model.new_cache()
    model.step(1, 0, cache)
    model.step(2, 1, cache)
    logits = model.step(3, 2, cache)
    logits[0].backward()
    assert any(w.grad != 0.0 for w in model.wte.weight[1])  # token 1 was at position 0
    assert any(k.grad != 0.0 for k in cache.keys[0][0])
    assert all(w.grad == 0.0 for w in model.wte.weight[0])  # token 0 was never seen
    weights = cache.weights[0]
    assert [len(head) for head in weights[2]] == [3, 3]  # 2 heads, 3 positions seen
    assert all(sum(a.data for a in head) == pytest.approx(1.0) for t in weights for head in t)


def test_loss_is_mean_next_token_cross_entropy():
    model = nn.GPT(4, 4, 2, 1, 8, seed=6)
    tokens = [3, 0, 1, 2, 3]
    logits = model(tokens[:-1])
    expected = 0.0
    for row, target in zip(logits, tokens[1:]):
        data = [z.data for z in row]
        expected += math.log(sum(math.exp(z) for z in data)) - data[target]
    assert model.loss(tokens).data == pytest.approx(expected / 4, rel=1e-12)


def test_loss_uses_at_most_block_size_positions():
    model = nn.GPT(4, 4, 2, 1, 3, seed=7)
    assert model.loss([3, 0, 1, 2, 1, 3]).data == pytest.approx(model.loss([3, 0, 1, 2]).data)


# -- tokenizer and sampling ----------------------------------------------------------------------


def test_char_tokenizer_round_trip_and_bos():
    tokenizer = nn.CharTokenizer.from_texts(["emma", "ava"])
    assert tokenizer.chars == "aemv" and tokenizer.bos == 4 and tokenizer.vocab_size == 5
    assert tokenizer.wrap("ave") == [4, 0, 3, 1, 4]
    assert tokenizer.decode(tokenizer.wrap("mae")) == "mae"
    with pytest.raises(ValueError, match="'z' in 'zoe' is not in"):
        tokenizer.encode("zoe")
    with pytest.raises(ValueError, match="not a token id"):
        tokenizer.decode([7])


def test_sampling_is_seeded_and_respects_temperature():
    tokenizer = nn.CharTokenizer("abc")
    model = nn.GPT(4, 4, 2, 1, 6, seed=8)
    first = nn.generate(model, tokenizer, 10, temperature=0.5, seed=1)
    assert first == nn.generate(model, tokenizer, 10, temperature=0.5, seed=1)
    assert all(set(text) <= set("abc") and len(text) <= 6 for text in first)
    assert len(set(nn.generate(model, tokenizer, 30, temperature=1.0, seed=2))) > 1
    with pytest.raises(ValueError, match="temperature must be a number > 0"):
        nn.sample(model, tokenizer, temperature=0.0)
    with pytest.raises(ValueError, match="the tokenizer has 4 ids but the model 5"):
        nn.sample(nn.GPT(5, 4, 2, 1, 6, seed=0), tokenizer)


def test_sampling_at_low_temperature_picks_the_likeliest():
    tokenizer = nn.CharTokenizer("ab")
    model = nn.GPT(3, 4, 2, 1, 4, seed=9)
    greedy = []
    cache, token = model.new_cache(), tokenizer.bos
    for position in range(4):
        logits = [z.data for z in model.step(token, position, cache)]
        token = logits.index(max(logits))
        if token == tokenizer.bos:
            break
        greedy.append(token)
    assert nn.sample(model, tokenizer, temperature=1e-3, seed=0) == tokenizer.decode(greedy)


def test_a_gpt_saves_and_loads(tmp_path):
    model = nn.GPT(5, 8, 2, 1, 6, seed=10)
    path = tmp_path / "gpt.json"
    model.save(path)
    again = nn.Module.load(path)
    assert isinstance(again, nn.GPT) and again.config() == model.config()
    assert parameter_data(again) == parameter_data(model)
    assert again.loss([4, 0, 1, 4]).data == model.loss([4, 0, 1, 4]).data


def test_without_torch_the_graduation_path_says_how_to_install_it(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now fails
    monkeypatch.delitem(sys.modules, "nn.torch", raising=False)
    monkeypatch.delattr(nn, "torch", raising=False)  # the submodule, if an earlier test imported it
    with pytest.raises(ImportError, match=r"pip install 'glassgrad\[torch\]'"):
        nn.to_torch  # noqa: B018
