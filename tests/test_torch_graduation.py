"""PyTorch parity in float64 for the attention layers and the GPT, and the graduation path
nn.to_torch / nn.from_torch (MLP and GPT): same outputs, same gradients, within 1e-12."""

from __future__ import annotations

import math
import random

import pytest

torch = pytest.importorskip("torch", reason="PyTorch parity needs torch (pip install torch)")

import nn  # noqa: E402
from autograd import Value  # noqa: E402
from benchmarks.gpt_problem import gpt_matrices  # noqa: E402
from nn.torch import TorchGPT, TorchMLP, rms_norm  # noqa: E402

F = torch.nn.functional
TOLERANCE = 1e-12


def close(glass: list, reference: torch.Tensor) -> None:
    """Every number of a (nested) list of Values/floats within 1e-12 of the tensor's."""
    got = torch.tensor(_floats(glass), dtype=torch.float64)
    assert got.shape == reference.shape
    assert torch.allclose(got, reference.detach(), rtol=TOLERANCE, atol=TOLERANCE), (
        (got - reference).abs().max().item()
    )


def _floats(x):
    if isinstance(x, Value):
        return x.data
    if isinstance(x, float):
        return x
    return [_floats(v) for v in x]


def grads(values: list) -> list:
    return [grads(v) if isinstance(v, list) else v.grad for v in values]


def tensor(numbers: list) -> torch.Tensor:
    return torch.tensor(numbers, dtype=torch.float64, requires_grad=True)


def leaves(numbers: list[list[float]]) -> list[list[Value]]:
    return [[Value(x) for x in row] for row in numbers]


def random_rows(rows: int, cols: int, seed: int) -> list[list[float]]:
    rng = random.Random(seed)
    return [[rng.gauss(0.0, 1.0) for _ in range(cols)] for _ in range(rows)]


# -- layer by layer, against torch's own functions ---------------------------------------------


@pytest.mark.parametrize("affine", [False, True])
def test_rms_norm_matches_torch(affine):
    rows = random_rows(3, 5, seed=1)
    norm = nn.RMSNorm(5, affine=affine)
    if affine:
        for w, x in zip(norm.weight, random_rows(1, 5, seed=2)[0]):
            w.data = x
    xs = leaves(rows)
    ys = [norm(x) for x in xs]
    weight = tensor([w.data for w in norm.weight]) if affine else None
    x_t = tensor(rows)
    y_t = F.rms_norm(x_t, (5,), weight, eps=1e-5)
    close(ys, y_t)
    upstream = random_rows(3, 5, seed=3)
    sum(y * u for row, us in zip(ys, upstream) for y, u in zip(row, us)).backward()
    (y_t * torch.tensor(upstream, dtype=torch.float64)).sum().backward()
    close(grads(xs), x_t.grad)
    if affine:
        close(grads(norm.weight), weight.grad)


@pytest.mark.parametrize("affine", [False, True])
def test_layer_norm_matches_torch(affine):
    rows = random_rows(3, 5, seed=4)
    norm = nn.LayerNorm(5, affine=affine)
    if affine:
        for p, x in zip(norm.weight + norm.bias, random_rows(1, 10, seed=5)[0]):
            p.data = x
    xs = leaves(rows)
    ys = [norm(x) for x in xs]
    weight = tensor([w.data for w in norm.weight]) if affine else None
    bias = tensor([b.data for b in norm.bias]) if affine else None
    x_t = tensor(rows)
    y_t = F.layer_norm(x_t, (5,), weight, bias, eps=1e-5)
    close(ys, y_t)
    upstream = random_rows(3, 5, seed=6)
    sum(y * u for row, us in zip(ys, upstream) for y, u in zip(row, us)).backward()
    (y_t * torch.tensor(upstream, dtype=torch.float64)).sum().backward()
    close(grads(xs), x_t.grad)
    if affine:
        close(grads(norm.weight), weight.grad)
        close(grads(norm.bias), bias.grad)


def test_embedding_matches_torch():
    embedding = nn.Embedding(5, 3, seed=0)
    ids = [4, 1, 4, 0]
    ys = [embedding(i) for i in ids]
    table = tensor(_floats(embedding.weight))
    y_t = F.embedding(torch.tensor(ids), table)
    close(ys, y_t)
    upstream = random_rows(4, 3, seed=7)
    sum(y * u for row, us in zip(ys, upstream) for y, u in zip(row, us)).backward()
    (y_t * torch.tensor(upstream, dtype=torch.float64)).sum().backward()
    close(grads(embedding.weight), table.grad)


def test_causal_self_attention_with_cache_matches_torch_sdpa():
    """The cached one-position-at-a-time attention equals torch's masked attention over the whole
    sequence (scaled_dot_product_attention with is_causal=True), outputs and gradients."""
    n_embd, n_head, T = 8, 2, 5
    attention = nn.CausalSelfAttention(n_embd, n_head, init_std=0.5, seed=1)
    rows = random_rows(T, n_embd, seed=8)
    xs = leaves(rows)
    keys, values = [], []
    ys = [attention(x, keys, values) for x in xs]

    x_t = tensor(rows)
    w = {name: tensor(_floats(getattr(attention, name))) for name in ("wq", "wk", "wv", "wo")}

    def heads(t):
        return t.view(T, n_head, n_embd // n_head).transpose(0, 1)

    q, k, v = (heads(x_t @ w[name].T) for name in ("wq", "wk", "wv"))
    y_t = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    y_t = y_t.transpose(0, 1).reshape(T, n_embd) @ w["wo"].T
    close(ys, y_t)
    upstream = random_rows(T, n_embd, seed=9)
    sum(y * u for row, us in zip(ys, upstream) for y, u in zip(row, us)).backward()
    (y_t * torch.tensor(upstream, dtype=torch.float64)).sum().backward()
    close(grads(xs), x_t.grad)
    for name in w:
        close(grads(getattr(attention, name)), w[name].grad)


# -- the whole GPT against the same model written in torch --------------------------------------


def microgpt_in_torch(weights: dict, tokens: list[int], n_head: int) -> torch.Tensor:
    """microgpt's forward pass and loss written directly in torch (a separate implementation from
    nn.torch.TorchGPT: explicit loops over heads, an explicit mask)."""
    n = len(tokens) - 1
    x = weights["wte"][tokens[:n]] + weights["wpe"][:n]

    def rms(t):
        return t / torch.sqrt((t * t).mean(-1, keepdim=True) + 1e-5)

    x = rms(x)
    d = x.shape[1] // n_head
    mask = torch.tril(torch.ones(n, n, dtype=torch.bool))
    h = rms(x)
    q, k, v = h @ weights["wq"].T, h @ weights["wk"].T, h @ weights["wv"].T
    outs = []
    for head in range(n_head):
        s = slice(head * d, (head + 1) * d)
        scores = (q[:, s] @ k[:, s].T) / math.sqrt(d)
        a = torch.softmax(scores.masked_fill(~mask, -math.inf), dim=-1)
        outs.append(a @ v[:, s])
    x = x + torch.cat(outs, dim=1) @ weights["wo"].T
    x = x + torch.relu(rms(x) @ weights["fc1"].T) @ weights["fc2"].T
    logits = x @ weights["lm_head"].T
    return F.cross_entropy(logits, torch.tensor(tokens[1:]))


def test_gpt_on_a_fixed_name_matches_torch():
    names = nn.load_names()
    tokenizer = nn.CharTokenizer.from_texts(names)
    model = nn.GPT(tokenizer.vocab_size, 16, 4, 1, 16, seed=0)
    tokens = tokenizer.wrap("isabella")
    loss = model.loss(tokens)
    loss.backward()

    glass = gpt_matrices(model)  # the weights by microgpt's names, as the benchmark peers use
    weights = {name: tensor(_floats(m)) for name, m in glass.items()}
    reference = microgpt_in_torch(weights, tokens, n_head=4)
    reference.backward()
    assert abs(loss.data - reference.item()) < TOLERANCE
    for name, matrix in glass.items():
        close(grads(matrix), weights[name].grad)


# -- the graduation path -------------------------------------------------------------------------


def test_to_torch_mlp_same_function_and_gradients():
    model = nn.MLP(3, [8, 8, 2], activation="tanh", seed=0)
    twin = nn.to_torch(model)
    assert isinstance(twin, TorchMLP) and isinstance(twin, torch.nn.Module)
    X = random_rows(4, 3, seed=10)
    outputs = [model(x) for x in X]
    X_t = torch.tensor(X, dtype=torch.float64)
    y_t = twin(X_t)
    close(outputs, y_t)
    loss = nn.cross_entropy(outputs, [0, 1, 1, 0])
    loss.backward()
    F.cross_entropy(y_t, torch.tensor([0, 1, 1, 0])).backward()
    linears = [m for m in twin.layers if isinstance(m, torch.nn.Linear)]
    for layer, linear in zip(model.layers, linears):
        close(grads(layer.weights), linear.weight.grad)
        close(grads(layer.biases), linear.bias.grad)


def test_to_torch_mlp_with_one_output_returns_one_number_per_row():
    model = nn.MLP(2, [4, 1], seed=1)
    y_t = nn.to_torch(model)(torch.tensor([[0.5, -1.0], [2.0, 0.0]], dtype=torch.float64))
    close([model([0.5, -1.0]), model([2.0, 0.0])], y_t)


def test_to_torch_gpt_same_logits_loss_and_gradients():
    model = nn.GPT(6, 8, 2, 2, 6, init_std=0.3, seed=2)
    twin = nn.to_torch(model)
    assert isinstance(twin, TorchGPT)
    assert sum(p.numel() for p in twin.parameters()) == model.num_parameters()
    tokens = [5, 0, 3, 3, 1, 5]
    idx = torch.tensor(tokens)
    close(model(tokens), twin(idx))
    close(model(tokens[:4]), twin(idx[:4]))
    loss = model.loss(tokens)
    loss.backward()
    reference = twin.loss(idx)
    reference.backward()
    assert abs(loss.data - reference.item()) < TOLERANCE
    close(grads(model.wte.weight), twin.wte.weight.grad)
    close(grads(model.lm_head), twin.lm_head.weight.grad)
    for block, torch_block in zip(model.blocks, twin.blocks):
        close(grads(block.attn.wq), torch_block.attn.wq.weight.grad)
        close(grads(block.fc2), torch_block.fc2.weight.grad)
    batch = torch.tensor([tokens[:5], tokens[1:]])
    close([model(tokens[:5]), model(tokens[1:])], twin(batch))


def test_a_model_trained_in_torch_comes_back():
    model = nn.GPT(5, 8, 2, 1, 6, seed=3)
    twin = nn.to_torch(model)
    before = model.loss([4, 0, 1, 2, 4]).data
    optimizer = torch.optim.Adam(twin.parameters(), lr=0.05)
    for _ in range(30):
        optimizer.zero_grad()
        twin.loss(torch.tensor([4, 0, 1, 2, 4])).backward()
        optimizer.step()
    assert model.loss([4, 0, 1, 2, 4]).data == before  # the copy is independent
    returned = nn.from_torch(twin, like=model)
    assert returned is model
    after = model.loss([4, 0, 1, 2, 4]).data
    assert after < before
    assert abs(after - twin.loss(torch.tensor([4, 0, 1, 2, 4])).item()) < TOLERANCE


def test_from_torch_round_trip_mlp():
    model = nn.MLP(2, [3, 1], seed=4)
    twin = nn.to_torch(model)
    with torch.no_grad():
        for p in twin.parameters():
            p.add_(1.0)
    expected = [p.data + 1.0 for p in model.parameters()]
    nn.from_torch(twin, like=model)
    assert [p.data for p in model.parameters()] == pytest.approx(expected, abs=1e-15)


def test_from_torch_refuses_mismatches_before_changing_anything():
    model = nn.GPT(5, 8, 2, 1, 6, seed=5)
    before = [p.data for p in model.parameters()]
    other = nn.to_torch(nn.GPT(5, 8, 2, 1, 7, seed=5))
    with pytest.raises(
        ValueError, match=r"wpe.weight has shape \(7, 8\), the model needs \(6, 8\)"
    ):
        nn.from_torch(other, like=model)
    with pytest.raises(TypeError, match="GPT needs a TorchGPT"):
        nn.from_torch(nn.to_torch(nn.MLP(2, [1])), like=model)
    broken = nn.to_torch(model)
    with torch.no_grad():
        broken.lm_head.weight[0, 0] = math.nan
    with pytest.raises(ValueError, match="lm_head.weight holds non-finite"):
        nn.from_torch(broken, like=model)
    assert [p.data for p in model.parameters()] == before
    with pytest.raises(TypeError, match="support MLP and GPT"):
        nn.to_torch(nn.RMSNorm(3))


def test_rms_norm_helper_is_microgpts():
    x = torch.tensor([3.0, 4.0], dtype=torch.float64)
    assert torch.allclose(rms_norm(x), x / math.sqrt(12.5 + 1e-5), rtol=0, atol=1e-15)
