"""A GPT made of scalars learns to invent names: Karpathy's microgpt experiment, on glassgrad.

    data      makemore's 32,033 names (MIT licence), shuffled; 10% held out, never trained on
    tokens    one id per letter a–z, plus BOS marking the start and end: "ava" → BOS a v a BOS
    model     GPT(27, 16, 4, 1, 16): 4,192 parameters, every one a Value (see nn/attention.py)
                x = rmsnorm(wte[token] + wpe[position])
                x = x + Wₒ·attention(rmsnorm(x)),  aₜₛ = softmax_s(qₜ·kₛ/√d)  over s <= t
                x = x + W₂·relu(W₁·rmsnorm(x));  logits = W_lm·x
    loss      mean over the name's positions of -log p(next letter)  (cross-entropy)
    training  microgpt's recipe: one name per step, Adam (lr 0.01, β 0.85/0.99), lr → 0 linearly,
              1,000 steps
    verdict   a smoothed training loss and the loss on held-out names (a single step's loss is one
              noisy name), then 20 names sampled at temperature 0.5

Seed guide: probability (a language model is a chain of next-letter distributions; temperature
reshapes them; cross-entropy is a negative log-likelihood), linear algebra (every projection is a
matrix-vector product, attention is a weighted mean of value vectors), calculus (4,192 partial
derivatives by the chain rule through a few thousand scalar nodes per name), statistics (why one
step's loss is noise and a held-out set is the honest measure).

Run: python -m demos.names [--quick] [--out DIR]
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nn
from autograd import no_grad
from demos import heading, parse_arguments
from nn import plot
from nn.train import progress_bar

SEED = 42
HELD_OUT_FRACTION = 0.1
TEMPERATURE = 0.5
SMOOTHING = 100  # steps in the trailing mean of the training loss


def split_names(seed: int = SEED) -> tuple[list[str], list[str]]:
    """(training names, held-out names): all names shuffled with `seed`, the first 10% held out."""
    names = nn.load_names()
    random.Random(seed).shuffle(names)
    cut = round(HELD_OUT_FRACTION * len(names))
    return names[cut:], names[:cut]


def make_model(tokenizer: nn.CharTokenizer, seed: int = SEED) -> nn.GPT:
    """microgpt's shape: 16-dimensional embeddings, 4 heads, 1 block, 16 positions."""
    return nn.GPT(tokenizer.vocab_size, n_embd=16, n_head=4, n_layer=1, block_size=16, seed=seed)


def mean_loss(model: nn.GPT, tokenizer: nn.CharTokenizer, names: Sequence[str]) -> float:
    """The mean over `names` of each name's loss (as a training step measures it), no graph."""
    with no_grad():
        return sum(model.loss(tokenizer.wrap(name)).data for name in names) / len(names)


def trailing_mean(values: Sequence[float], window: int) -> list[float]:
    """Entry k is the mean of values[max(0, k - window + 1) .. k]."""
    out, total = [], 0.0
    for k, value in enumerate(values):
        total += value
        if k >= window:
            total -= values[k - window]
        out.append(total / min(k + 1, window))
    return out


def train(
    model: nn.GPT,
    tokenizer: nn.CharTokenizer,
    train_names: Sequence[str],
    held_out: Sequence[str],
    steps: int,
    checkpoints: Sequence[int],
) -> dict[str, Any]:
    """microgpt's loop: step k trains on name k — forward to the loss, backward, one Adam step
    with lr = 0.01·(1 - k/steps). The held-out loss is measured at each step in `checkpoints`."""
    optimizer = nn.Adam(model.parameters(), lr=0.01, betas=(0.85, 0.99), eps=1e-8)
    schedule = nn.LinearDecay(optimizer, total_steps=steps, end_factor=0.0)
    losses: list[float] = []
    held: list[tuple[int, float]] = []
    seconds = cpu_seconds = 0.0
    bar = progress_bar(steps, unit="step")
    for step in bar:
        if step in checkpoints:
            held.append((step, mean_loss(model, tokenizer, held_out)))
        started, cpu_started = time.perf_counter(), time.process_time()
        loss = model.loss(tokenizer.wrap(train_names[step % len(train_names)]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        seconds += time.perf_counter() - started
        cpu_seconds += time.process_time() - cpu_started
        losses.append(loss.data)
        if step % 10 == 9 or step == steps - 1:
            smoothed = sum(losses[-SMOOTHING:]) / len(losses[-SMOOTHING:])
            bar.set_postfix_str(f"loss={loss.data:.3f}, smoothed={smoothed:.3f}")
    held.append((steps, mean_loss(model, tokenizer, held_out)))
    return {"losses": losses, "held_out": held, "seconds": seconds, "cpu_seconds": cpu_seconds}


def attention_of(model: nn.GPT, tokenizer: nn.CharTokenizer, name: str) -> list[list[list[float]]]:
    """For each head, the matrix a[t][s] of how much position t attends to s (s <= t; 0 beyond)
    while reading BOS + name."""
    tokens = tokenizer.wrap(name)[:-1]
    cache = model.new_cache()
    with no_grad():
        model(tokens, cache)
    rows = cache.weights[0]  # the first block: rows[t][head] = [a_t0, …, a_tt]
    size = len(tokens)
    return [
        [[a.data for a in rows[t][head]] + [math.nan] * (size - t - 1) for t in range(size)]
        for head in range(model.n_head)
    ]


# -- pictures ------------------------------------------------------------------------------------


def draw_losses(result: dict[str, Any], path: Path, vocab_size: int) -> Path:
    """Each step's loss (one name: noisy), its trailing mean, and the held-out loss."""
    figure, axes = plot.subplots(figsize=(7.2, 4.8), layout="constrained")
    losses = result["losses"]
    steps = range(1, len(losses) + 1)
    axes.plot(steps, losses, color="#9ecae1", linewidth=0.6, label="one step = one name")
    axes.plot(
        steps,
        trailing_mean(losses, SMOOTHING),
        color="#08519c",
        linewidth=2,
        label=f"training, mean of the last {SMOOTHING} steps",
    )
    held_steps, held_losses = zip(*result["held_out"])
    axes.plot(
        held_steps,
        held_losses,
        "o-",
        color="#d62728",
        linewidth=1.5,
        markersize=5,
        label=f"held-out names ({result['held_out_count']})",
    )
    uniform = math.log(vocab_size)
    axes.axhline(uniform, color="gray", linestyle=":", linewidth=1)
    axes.annotate(
        f"guessing uniformly: log {vocab_size} = {uniform:.2f}",
        (len(losses), uniform),
        xytext=(0, 4),
        textcoords="offset points",
        ha="right",
        fontsize=8,
        color="gray",
    )
    axes.set(
        xlabel="step (one name each)",
        ylabel="cross-entropy per letter (nats)",
        title="GPT(27, 16, 4, 1, 16) on names: training and held-out loss",
        ylim=(1.0, max(4.0, min(max(losses), 5.0))),
    )
    axes.grid(alpha=0.3)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3, fontsize=8, frameon=False)
    return plot.save(figure, path)


def draw_attention(weights: list[list[list[float]]], name: str, path: Path) -> Path:
    """One panel per head: row t (the letter just read) shows how it spreads attention over
    positions s <= t; each row sums to 1."""
    labels = ["BOS", *name]
    heads = len(weights)
    figure, panels = plot.subplots(
        1, heads, figsize=(2.5 * heads + 1.2, 3.3), layout="constrained", squeeze=False
    )
    image = None
    for head, axes in enumerate(panels[0]):
        image = axes.imshow(weights[head], cmap="viridis", vmin=0.0, vmax=1.0)
        axes.set_xticks(range(len(labels)), labels, fontsize=7)
        axes.set_yticks(range(len(labels)), labels, fontsize=7)
        axes.set_title(f"head {head}", fontsize=10)
        axes.set_xlabel("attends to (key position s)", fontsize=8)
        if head == 0:
            axes.set_ylabel("reading (query position t)", fontsize=8)
    figure.colorbar(image, ax=panels[0].tolist(), label="attention weight aₜₛ", shrink=0.9)
    figure.suptitle(
        f"attention while reading “{name}”: softmax(q·k/√d) over earlier letters (blank: future)"
    )
    return plot.save(figure, path)


# -- the demo ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    arguments = parse_arguments(argv, "names")
    steps = 60 if arguments.quick else 1000
    held_out_count = 30 if arguments.quick else 200
    checkpoints = [0, steps // 2] if arguments.quick else [0, 25, 50, 100, 200, 400, 600, 800]

    heading("Data: 32,033 names (makemore, MIT), shuffled; 10% held out")
    train_names, held_out = split_names()
    tokenizer = nn.CharTokenizer.from_texts(train_names + held_out)
    print(f"train {len(train_names)} names, held out {len(held_out)}; first: {train_names[:5]}")
    print(f"tokenizer: {tokenizer.vocab_size} ids, a–z are 0–25 and BOS is {tokenizer.bos}")
    example = train_names[0]
    print(f"one document: {example!r} → {tokenizer.wrap(example)}")

    heading("Model: GPT(27, 16, 4, 1, 16) — microgpt's, built from Values")
    model = make_model(tokenizer)
    print(
        f"{model.num_parameters()} parameters: wte 27×16, wpe 16×16, W_q W_k W_v W_o 16×16, "
        "W₁ 64×16, W₂ 16×64, W_lm 27×16"
    )
    loss = model.loss(tokenizer.wrap(example))
    print(
        f"before training, loss on {example!r}: {loss.data:.3f} "
        f"(guessing uniformly gives log 27 = {math.log(27):.3f})"
    )

    heading(f"Training: one name per step, Adam, lr 0.01 → 0 linearly, {steps} steps")
    held_sample = held_out[:held_out_count]
    result = train(model, tokenizer, train_names, held_sample, steps, checkpoints)
    result["held_out_count"] = held_out_count
    losses = result["losses"]
    smoothed = sum(losses[-SMOOTHING:]) / len(losses[-SMOOTHING:])
    held_final = result["held_out"][-1][1]
    busy = " — the machine is busy" if result["seconds"] > 1.5 * result["cpu_seconds"] else ""
    print(
        f"{steps} steps in {result['seconds']:.1f} s, {result['cpu_seconds']:.1f} s of CPU{busy} "
        f"({1000 * result['seconds'] / steps:.1f} ms per step: forward, backward, Adam)"
    )
    print(
        f"last step's loss {losses[-1]:.3f} (one name: noisy); mean of the last "
        f"{min(SMOOTHING, steps)} steps {smoothed:.3f}"
    )
    print(
        f"held-out loss on {held_out_count} names never trained on: {held_final:.3f} "
        f"(at step 0: {result['held_out'][0][1]:.3f})"
    )

    heading(f"20 new names, sampled at temperature {TEMPERATURE}")
    samples = nn.generate(model, tokenizer, 20, temperature=TEMPERATURE, seed=SEED)
    known = set(train_names)
    for i, sample in enumerate(samples, start=1):
        print(
            f"sample {i:2d}: {sample}" + ("" if sample in known else "   (not in the training set)")
        )

    heading("Pictures")
    shown = next((n for n in held_out if 6 <= len(n) <= 9), held_out[0])
    pictures = [
        draw_losses(result, arguments.out / "names_loss.png", tokenizer.vocab_size),
        draw_attention(
            attention_of(model, tokenizer, shown), shown, arguments.out / "names_attention.png"
        ),
    ]
    for picture in pictures:
        print(f"wrote {picture}")
    return {
        "steps": steps,
        "seconds": result["seconds"],
        "cpu_seconds": result["cpu_seconds"],
        "losses": losses,
        "smoothed_loss": smoothed,
        "held_out": result["held_out"],
        "held_out_loss": held_final,
        "samples": samples,
        "parameters": model.num_parameters(),
        "pictures": pictures,
    }


if __name__ == "__main__":
    main()
