"""A GPT made of scalars: embeddings, normalisation, causal self-attention, a character tokenizer
and sampling — every piece built from Values, with no hand-written backward.

This is the model of Karpathy's microgpt, written with glassgrad's wide primitives: each row of a
matrix-vector product is one `dot` node (∂(w·x)/∂wᵢ = xᵢ, ∂(w·x)/∂xᵢ = wᵢ) and each sum one
`sum` node, so a position of `GPT(27, 16, 4, 1, 16)` is a few hundred nodes instead of the
thousands a chain of scalar `+` and `*` would make. The gradients still come from the chain rule
alone: `loss.backward()` walks the same graph a learner can draw and step through.

One position t of the model, for a token id `c` at position `t` (vectors are lists of Values):

    x  = rmsnorm(wte[c] + wpe[t])                         embedding of what and where
    for each block:
        x = x + Wₒ · attention(rmsnorm(x))                  tokens look at earlier tokens
        x = x + W₂ · relu(W₁ · rmsnorm(x))                  each position thinks on its own
    logits = W_lm · x                                       one score per vocabulary entry

Attention of one head (dimension d = n_embd / n_head) at position t, over positions s <= t:

    qₜ = W_q x,  kₛ = W_k xₛ,  vₛ = W_v xₛ                 (kₛ, vₛ of earlier positions are cached)
    aₜₛ = softmax_s(qₜ · kₛ / √d)                           how much position t attends to s
    headₜ = Σₛ aₜₛ vₛ

Causality is by construction: position t only ever sees the keys and values cached so far. The
cache holds graph nodes, not copies, so backprop goes through it: the loss at a later position
sends gradient back into the keys and values of every earlier one.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from typing import Any

from autograd import Value, linalg, no_grad, sum_values

from .layers import Seed, _positive_int, make_rng
from .module import Module

Scalar = Value | float
Vector = list[Value]


def _positive_number(x: Any, what: str) -> float:
    """`x` as a float, or a ValueError naming `what` unless x is a finite real number > 0."""
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not (x > 0 and math.isfinite(x)):
        raise ValueError(f"{what} must be a number > 0, got {x!r}")
    return float(x)


def _gaussian_matrix(rows: int, cols: int, std: float, rng: random.Random) -> list[list[Value]]:
    """rows×cols new leaf Values drawn from N(0, std²) (microgpt draws every weight this way)."""
    return [[Value(rng.gauss(0.0, std)) for _ in range(cols)] for _ in range(rows)]


def _check_std(std: Any) -> float:
    if isinstance(std, bool) or not isinstance(std, (int, float)) or not std >= 0:
        raise ValueError(f"init_std must be a number >= 0, got {std!r}")
    return float(std)


def _check_width(x: Sequence[Scalar], width: int, who: str) -> None:
    if len(x) != width:
        raise ValueError(f"{who} expected a vector of {width}, got {len(x)}")


# -- embedding and normalisation ---------------------------------------------------------------


class Embedding(Module):
    """A lookup table: row `i` of `weight` (num_embeddings × embedding_dim) is the vector of id i.

    `embedding(i)` returns that row — the same Values, no new nodes — so ∂(anything)/∂weight[i][j]
    is the gradient that reached element j of the looked-up vector, and the other rows get 0.
    """

    def __init__(
        self, num_embeddings: int, embedding_dim: int, init_std: float = 0.08, seed: Seed = None
    ) -> None:
        self.num_embeddings = _positive_int(num_embeddings, "num_embeddings")
        self.embedding_dim = _positive_int(embedding_dim, "embedding_dim")
        self.weight = _gaussian_matrix(
            num_embeddings, embedding_dim, _check_std(init_std), make_rng(seed)
        )

    def forward(self, index: int) -> Vector:
        """weight[index]: a list of `embedding_dim` Values (the parameters themselves)."""
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"Embedding index must be an int, got {type(index).__name__}")
        if not 0 <= index < self.num_embeddings:
            raise IndexError(
                f"Embedding index {index} is out of range 0..{self.num_embeddings - 1}"
            )
        return self.weight[index]

    def config(self) -> dict[str, Any]:
        return {"num_embeddings": self.num_embeddings, "embedding_dim": self.embedding_dim}


class RMSNorm(Module):
    """yᵢ = xᵢ / √(mean(x²) + ε)  (· gᵢ with `affine=True`): rescale x to unit root mean square.

    Built as ms = (x·x)/n (one `dot` node), s = (ms + ε)^(-1/2), yᵢ = xᵢ·s: n + 4 nodes. The
    gradient ∂yᵢ/∂xⱼ = s·([i = j] - xᵢxⱼ s²/n) comes from the chain rule through s.
    microgpt uses it without a gain (`affine=False`); torch.nn.RMSNorm's default has one.
    """

    def __init__(self, dim: int, eps: float = 1e-5, affine: bool = True) -> None:
        self.dim = _positive_int(dim, "dim")
        self.eps = _positive_number(eps, "eps")
        self.affine = bool(affine)
        self.weight = [Value(1.0) for _ in range(dim)] if affine else []

    def forward(self, x: Sequence[Scalar]) -> list[Scalar]:
        _check_width(x, self.dim, f"RMSNorm({self.dim})")
        scale = (linalg.dot(x, x) * (1.0 / self.dim) + self.eps) ** -0.5
        if self.affine:
            return [xi * scale * g for xi, g in zip(x, self.weight)]
        return [xi * scale for xi in x]

    def config(self) -> dict[str, Any]:
        return {"dim": self.dim, "eps": self.eps, "affine": self.affine}


class LayerNorm(Module):
    """yᵢ = (xᵢ - μ) / √(σ² + ε) · gᵢ + bᵢ, with μ = mean(x), σ² = mean((x - μ)²).

    μ is one `sum` node, σ² one `dot` node of the centred vector with itself; `affine=False` drops
    the gain g and bias b (torch.nn.LayerNorm's `elementwise_affine`).
    """

    def __init__(self, dim: int, eps: float = 1e-5, affine: bool = True) -> None:
        self.dim = _positive_int(dim, "dim")
        self.eps = _positive_number(eps, "eps")
        self.affine = bool(affine)
        self.weight = [Value(1.0) for _ in range(dim)] if affine else []
        self.bias = [Value(0.0) for _ in range(dim)] if affine else []

    def forward(self, x: Sequence[Scalar]) -> list[Scalar]:
        _check_width(x, self.dim, f"LayerNorm({self.dim})")
        inverse_n = 1.0 / self.dim
        mean = sum_values(x) * inverse_n
        centred = [xi - mean for xi in x]
        scale = (linalg.dot(centred, centred) * inverse_n + self.eps) ** -0.5
        if self.affine:
            return [c * scale * g + b for c, g, b in zip(centred, self.weight, self.bias)]
        return [c * scale for c in centred]

    def config(self) -> dict[str, Any]:
        return {"dim": self.dim, "eps": self.eps, "affine": self.affine}


# -- attention -----------------------------------------------------------------------------------


class KVCache:
    """What attention remembers of earlier positions: per layer, the key and value vectors.

    `keys[layer][s]` and `values[layer][s]` are the (graph) Values computed at position s, so a
    later position's loss backpropagates into them. `weights[layer][t][h]` are head h's attention
    weights a_{t,s} for s = 0..t (Values; read `.data` for a heat map).
    """

    def __init__(self, n_layer: int) -> None:
        self.keys: list[list[Vector]] = [[] for _ in range(n_layer)]
        self.values: list[list[Vector]] = [[] for _ in range(n_layer)]
        self.weights: list[list[list[list[Value]]]] = [[] for _ in range(n_layer)]

    def __len__(self) -> int:
        """The number of positions seen so far."""
        return len(self.keys[0]) if self.keys else 0


class CausalSelfAttention(Module):
    """Multi-head causal self-attention without biases (microgpt's / GPT-2's, one position at a
    time with a key/value cache).

    For the input x at position t, with d = n_embd / n_head and head h using the slice
    [h·d, (h+1)·d) of each vector:

        q = W_q x,  k = W_k x,  v = W_v x              (k and v are appended to the cache)
        a_{t,s} = softmax_s(q⁽ʰ⁾ · k_s⁽ʰ⁾ / √d)          for s = 0..t: weights summing to 1
        head⁽ʰ⁾ = Σ_s a_{t,s} v_s⁽ʰ⁾                     a weighted mean of the cached values
        y = W_o [head⁽⁰⁾, …, head⁽ⁿ⁻¹⁾]

    The softmax subtracts max_s of the scores first (a float: the result does not depend on it),
    so no exponential overflows. ∂ of everything follows from the primitives.
    """

    def __init__(self, n_embd: int, n_head: int, init_std: float = 0.08, seed: Seed = None) -> None:
        self.n_embd = _positive_int(n_embd, "n_embd")
        self.n_head = _positive_int(n_head, "n_head")
        if n_embd % n_head:
            raise ValueError(f"n_embd ({n_embd}) must be a multiple of n_head ({n_head})")
        self.head_dim = n_embd // n_head
        std, rng = _check_std(init_std), make_rng(seed)
        self.wq = _gaussian_matrix(n_embd, n_embd, std, rng)
        self.wk = _gaussian_matrix(n_embd, n_embd, std, rng)
        self.wv = _gaussian_matrix(n_embd, n_embd, std, rng)
        self.wo = _gaussian_matrix(n_embd, n_embd, std, rng)

    def forward(
        self,
        x: Sequence[Scalar],
        keys: list[Vector],
        values: list[Vector],
        weights: list[list[list[Value]]] | None = None,
    ) -> list[Scalar]:
        """y for the position after those in `keys`/`values`, which get this position's k and v.

        `weights`, if given, gets one entry: this position's attention weights, one list per head.
        """
        _check_width(x, self.n_embd, f"CausalSelfAttention({self.n_embd}, {self.n_head})")
        q = linalg.matvec(self.wq, x)
        keys.append(linalg.matvec(self.wk, x))
        values.append(linalg.matvec(self.wv, x))
        d = self.head_dim
        inverse_sqrt_d = 1.0 / math.sqrt(d)
        heads: list[Scalar] = []
        per_head = []
        for start in range(0, self.n_embd, d):
            stop = start + d
            scores = linalg.matvec([k[start:stop] for k in keys], q[start:stop])
            a = _softmax([score * inverse_sqrt_d for score in scores])
            per_head.append(a)
            columns = [[v[j] for v in values] for j in range(start, stop)]
            heads += linalg.matvec(columns, a)  # head_j = Σ_s a_s v_s[j]
        if weights is not None:
            weights.append(per_head)
        return linalg.matvec(self.wo, heads)

    def config(self) -> dict[str, Any]:
        return {"n_embd": self.n_embd, "n_head": self.n_head}


def _softmax(scores: list[Scalar]) -> list[Scalar]:
    """softmax(z)ᵢ = e^{zᵢ - m} / Σⱼ e^{zⱼ - m}, m = max z (a float); one `sum` node."""
    shift = max(float(z) for z in scores)
    exps = [(z - shift).exp() for z in scores]
    total = sum_values(exps)
    return [e / total for e in exps]


class Block(Module):
    """One transformer block with pre-normalisation and residual connections (microgpt's):

    x ← x + attention(rmsnorm(x))
    x ← x + W₂ relu(W₁ rmsnorm(x))       W₁: 4n×n, W₂: n×4n, no biases
    """

    def __init__(self, n_embd: int, n_head: int, init_std: float = 0.08, seed: Seed = None) -> None:
        rng = make_rng(seed)
        self.n_embd = _positive_int(n_embd, "n_embd")
        self.attn_norm = RMSNorm(n_embd, affine=False)
        self.attn = CausalSelfAttention(n_embd, n_head, init_std, rng)
        self.mlp_norm = RMSNorm(n_embd, affine=False)
        std = _check_std(init_std)
        self.fc1 = _gaussian_matrix(4 * n_embd, n_embd, std, rng)
        self.fc2 = _gaussian_matrix(n_embd, 4 * n_embd, std, rng)

    def forward(
        self,
        x: Sequence[Scalar],
        keys: list[Vector],
        values: list[Vector],
        weights: list[list[list[Value]]] | None = None,
    ) -> list[Scalar]:
        attended = self.attn(self.attn_norm(x), keys, values, weights)
        x = [a + b for a, b in zip(x, attended)]
        hidden = [h.relu() for h in linalg.matvec(self.fc1, self.mlp_norm(x))]
        return [a + b for a, b in zip(x, linalg.matvec(self.fc2, hidden))]

    def config(self) -> dict[str, Any]:
        return {"n_embd": self.n_embd, "n_head": self.attn.n_head}


# -- the model -----------------------------------------------------------------------------------


class GPT(Module):
    """A decoder-only transformer over token ids, microgpt's architecture:

        x₀ = rmsnorm(wte[token] + wpe[position]);  x ← block(x) for each block;  logits = W_lm x

    `GPT(27, 16, 4, 1, 16)` is microgpt's model: 4,192 parameters (wte 27×16, wpe 16×16, per
    block W_q, W_k, W_v, W_o 16×16 and W₁ 64×16, W₂ 16×64, then W_lm 27×16). Weights are drawn
    from N(0, init_std²) with the model's own seeded generator.

    `model.step(token, position, cache)` runs one position (the cache carries the keys and values
    of the earlier ones); `model(tokens)` runs a whole sequence and returns its logits;
    `model.loss(tokens)` is the mean cross-entropy of predicting each next token.
    """

    def __init__(
        self,
        vocab_size: int,
        n_embd: int,
        n_head: int,
        n_layer: int,
        block_size: int,
        init_std: float = 0.08,
        seed: Seed = None,
    ) -> None:
        self.vocab_size = _positive_int(vocab_size, "vocab_size")
        self.n_embd = _positive_int(n_embd, "n_embd")
        self.n_head = _positive_int(n_head, "n_head")
        self.n_layer = _positive_int(n_layer, "n_layer")
        self.block_size = _positive_int(block_size, "block_size")
        if n_embd % n_head:
            raise ValueError(f"n_embd ({n_embd}) must be a multiple of n_head ({n_head})")
        self.init_std = _check_std(init_std)
        rng = make_rng(seed)
        self.wte = Embedding(vocab_size, n_embd, init_std, rng)
        self.wpe = Embedding(block_size, n_embd, init_std, rng)
        self.norm = RMSNorm(n_embd, affine=False)
        self.blocks = [Block(n_embd, n_head, init_std, rng) for _ in range(n_layer)]
        self.lm_head = _gaussian_matrix(vocab_size, n_embd, self.init_std, rng)

    def new_cache(self) -> KVCache:
        """An empty key/value cache for a new sequence."""
        return KVCache(self.n_layer)

    def step(self, token: int, position: int, cache: KVCache) -> list[Scalar]:
        """The logits (vocab_size Values) for the token after `token`, which sits at `position`.

        `position` must be len(cache): the positions are fed in order, 0, 1, 2, …
        """
        if position != len(cache):
            raise ValueError(
                f"position {position} does not follow the cache, which holds {len(cache)} "
                "positions: feed positions in order from 0 with one cache per sequence"
            )
        if not 0 <= position < self.block_size:
            raise ValueError(f"position {position} is outside the block size {self.block_size}")
        x = self.norm([t + p for t, p in zip(self.wte(token), self.wpe(position))])
        for layer, block in enumerate(self.blocks):
            x = block(x, cache.keys[layer], cache.values[layer], cache.weights[layer])
        return linalg.matvec(self.lm_head, x)

    def forward(self, tokens: Sequence[int], cache: KVCache | None = None) -> list[list[Scalar]]:
        """The logits at every position of `tokens` (at most block_size of them)."""
        tokens = self._tokens(tokens, 1)
        cache = self.new_cache() if cache is None else cache
        return [self.step(token, position, cache) for position, token in enumerate(tokens)]

    def loss(self, tokens: Sequence[int], cache: KVCache | None = None) -> Scalar:
        """L = (1/n) Σₜ -log softmax(logitsₜ)[tokensₜ₊₁], n = min(block_size, len(tokens) - 1).

        Each term is log Σⱼ e^{zⱼ - m} - (z_next - m) with z = logitsₜ and m = max z, which is
        logsumexp(z) - z_next computed without overflow.
        """
        tokens = self._tokens(tokens, 2)
        n = min(self.block_size, len(tokens) - 1)
        cache = self.new_cache() if cache is None else cache
        losses = []
        for position in range(n):
            logits = self.step(tokens[position], position, cache)
            shift = max(z.data for z in logits)  # a constant: the loss does not depend on it
            shifted = [z - shift for z in logits]
            log_total = sum_values([s.exp() for s in shifted]).log()
            losses.append(log_total - shifted[tokens[position + 1]])
        return sum_values(losses) * (1.0 / n)

    def _tokens(self, tokens: Sequence[int], least: int) -> list[int]:
        tokens = list(tokens)
        if len(tokens) < least:
            raise ValueError(f"GPT needs at least {least} token(s), got {len(tokens)}")
        for i, token in enumerate(tokens):
            if isinstance(token, bool) or not isinstance(token, int):
                raise TypeError(f"token {i} must be an int id, got {type(token).__name__}")
            if not 0 <= token < self.vocab_size:
                raise ValueError(
                    f"token {i} is {token}, outside the vocabulary 0..{self.vocab_size - 1}"
                )
        return tokens

    def config(self) -> dict[str, Any]:
        return {
            "vocab_size": self.vocab_size,
            "n_embd": self.n_embd,
            "n_head": self.n_head,
            "n_layer": self.n_layer,
            "block_size": self.block_size,
            "init_std": self.init_std,
        }


# -- tokenizer and sampling ----------------------------------------------------------------------


class CharTokenizer:
    """Characters to ids and back: each distinct character gets an id (sorted order) and one
    extra id, `bos`, marks the beginning and the end of a text (microgpt's BOS token).

    >>> tokenizer = CharTokenizer.from_texts(["emma", "ava"])
    >>> tokenizer.chars, tokenizer.bos, tokenizer.wrap("ave")
    ('aemv', 4, [4, 0, 3, 1, 4])
    """

    def __init__(self, chars: Iterable[str]) -> None:
        chars = list(chars)
        if not chars or any(not isinstance(c, str) or len(c) != 1 for c in chars):
            raise ValueError("CharTokenizer needs a non-empty list of single characters")
        if len(set(chars)) != len(chars):
            raise ValueError("CharTokenizer: the characters must be distinct")
        self.chars = "".join(chars)
        self._ids = {c: i for i, c in enumerate(chars)}
        self.bos = len(chars)

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> CharTokenizer:
        """The tokenizer of every character that occurs in `texts`, in sorted order."""
        return cls(sorted(set("".join(texts))))

    @property
    def vocab_size(self) -> int:
        """The number of ids: one per character, plus `bos`."""
        return len(self.chars) + 1

    def encode(self, text: str) -> list[int]:
        """The ids of the characters of `text`."""
        try:
            return [self._ids[c] for c in text]
        except KeyError as error:
            raise ValueError(
                f"character {error.args[0]!r} in {text!r} is not in the tokenizer's "
                f"vocabulary {self.chars!r}"
            ) from None

    def decode(self, ids: Iterable[int]) -> str:
        """The text of `ids`; the `bos` marker is left out."""
        out = []
        for i in ids:
            if i == self.bos:
                continue
            if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < self.bos:
                raise ValueError(f"{i!r} is not a token id of this tokenizer (0..{self.bos})")
            out.append(self.chars[i])
        return "".join(out)

    def wrap(self, text: str) -> list[int]:
        """[bos] + encode(text) + [bos]: a whole document, as the model trains on it."""
        return [self.bos, *self.encode(text), self.bos]

    def __repr__(self) -> str:
        return f"CharTokenizer({self.chars!r}, bos={self.bos})"


def sample(
    model: GPT,
    tokenizer: CharTokenizer,
    temperature: float = 1.0,
    seed: int | random.Random | None = None,
) -> str:
    """One text generated from `bos`: at each position draw the next id with probabilities
    softmax(logits / temperature), stopping at `bos` or at the block size.

    A low temperature (< 1) sharpens the distribution towards the likeliest characters; 1 samples
    the model as trained. Runs under `no_grad()` (no graph is built). The same seed gives the same
    text.
    """
    _positive_number(temperature, "temperature")
    if tokenizer.vocab_size != model.vocab_size:
        raise ValueError(
            f"the tokenizer has {tokenizer.vocab_size} ids but the model {model.vocab_size}"
        )
    rng = make_rng(seed)
    ids = range(model.vocab_size)
    out: list[int] = []
    with no_grad():
        cache = model.new_cache()
        token = tokenizer.bos
        for position in range(model.block_size):
            logits = [float(z) / temperature for z in model.step(token, position, cache)]
            shift = max(logits)
            token = rng.choices(ids, weights=[math.exp(z - shift) for z in logits])[0]
            if token == tokenizer.bos:
                break
            out.append(token)
    return tokenizer.decode(out)


def generate(
    model: GPT,
    tokenizer: CharTokenizer,
    n: int,
    temperature: float = 1.0,
    seed: int | random.Random | None = None,
) -> list[str]:
    """`n` samples (see `sample`) from one generator seeded with `seed`."""
    rng = make_rng(seed)
    return [sample(model, tokenizer, temperature, rng) for _ in range(_positive_int(n, "n"))]
