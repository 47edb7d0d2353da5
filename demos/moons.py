"""The main demo: an MLP learns to separate two interleaving moons (micrograd's classic setup),
then is tested on points it never saw.

    model     MLP(2, [16, 16, 1]): y = W₃·relu(W₂·relu(W₁x + b₁) + b₂) + b₃, one score per point
    loss      L = mean(max(0, 1 - yᵢ·scoreᵢ)) + 10⁻⁴·Σ p²   (max-margin, labels ±1, plus L2)
    training  SGD, p ← p - lr·∂L/∂p with lr = 1.0 - 0.9·k/100 at step k, 100 full-batch steps
    verdict   class 1 when score > 0; accuracy, precision, recall, F1 on a held-out test set

Seed guide: all of it — linear algebra (each layer is Wx + b), calculus (backprop and gradient
descent), probability and statistics (a loss, and metrics on a held-out test set), activation
functions (relu gives the curved boundary: the same network without it draws a straight line).

Run: python -m demos.moons [--quick] [--out DIR]     (`make demo` runs this)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import nn
from autograd import Value, draw_graph
from autograd.viewer import view
from demos import heading, parse_arguments, save_graph, show_confusion_matrix

SEED = 0
CLASS_NAMES = ["upper", "lower"]


def report_metrics(model: nn.MLP, X: list, y: list, part: str) -> dict[str, Any]:
    """Print and return accuracy, precision, recall, F1 and the confusion matrix on (X, y)."""
    predicted = nn.predict_classes(model, X)
    scores = {
        "accuracy": nn.accuracy(y, predicted),
        "precision": nn.precision(y, predicted, zero_division=0),
        "recall": nn.recall(y, predicted, zero_division=0),
        "f1": nn.f1_score(y, predicted, zero_division=0),
    }
    print(f"{part} ({len(y)} points): " + ", ".join(f"{k} {v:.3f}" for k, v in scores.items()))
    scores["confusion_matrix"] = nn.confusion_matrix(y, predicted, labels=[0, 1])
    show_confusion_matrix(scores["confusion_matrix"], CLASS_NAMES)
    return scores


def draw_one_neuron(model: nn.MLP, X: list, out_dir: Any) -> Any:
    """Backpropagate through the first hidden neuron alone, h = relu(w·x + b), and draw it.

    The gradients are ∂h/∂wᵢ = xᵢ and ∂h/∂b = 1 where w·x + b > 0 (and 0 where it is not).
    """
    neuron = model.layers[0].neurons[0]
    activation = nn.functional.get_activation(model.layers[0].activation)
    point = next((p for p in X if neuron(p).data > 0), X[0])  # a point where the neuron fires
    x = [Value(point[0], "x[0]"), Value(point[1], "x[1]")]
    model.zero_grad()
    z = neuron(x)  # w·x + b
    z.label = "z"
    z.parents[0].label = "w·x"
    h = activation(z)
    h.label = "h"
    h.backward()
    print(
        f"first hidden neuron at x = ({point[0]:.3f}, {point[1]:.3f}): "
        f"z = w·x + b = {z.data:.4f}, h = relu(z) = {h.data:.4f}"
    )
    print(
        "  backprop: ∂h/∂w = ("
        + ", ".join(f"{w.grad:.4f}" for w in neuron.w)
        + f") = x,  ∂h/∂b = {neuron.b.grad:.4f}"
    )
    path = save_graph(draw_graph(h, parameters=model), out_dir / "neuron_graph.svg")
    page = view(h, parameters=model, check=True).save(out_dir / "neuron_view.html")
    print(f"  step its forward pass and backprop in a browser (← → keys): open {page}")
    model.zero_grad()
    return path


def train(model: nn.MLP, data: tuple[list, ...], epochs: int) -> nn.History:
    """micrograd's recipe: hinge loss + 1e-4·L2, SGD with lr = 1.0 - 0.9·k/100, full batch."""
    X_train, X_test, y_train, y_test = data
    optimizer = nn.SGD(model.parameters(), lr=1.0)
    schedule = nn.LinearDecay(optimizer, total_steps=100)
    return nn.fit(
        model,
        X_train,
        y_train,
        "hinge",
        optimizer,
        epochs=epochs,
        schedule=schedule,
        l2=1e-4,
        validation=(X_test, y_test),
    )


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    arguments = parse_arguments(argv, "moons")
    epochs = 15 if arguments.quick else 100
    resolution = 30 if arguments.quick else 60
    from nn import plot

    heading("Data: two moons, 150 points, a third held out for testing")
    X, y = nn.make_moons(150, noise=0.1, seed=SEED)
    data = nn.train_test_split(X, y, test_size=50, stratify=y, seed=SEED)
    X_train, X_test, y_train, y_test = data
    print(f"train {len(X_train)} points, test {len(X_test)} (each half upper, half lower moon)")

    heading("Model: MLP(2, [16, 16, 1]), relu hidden layers, a linear score out")
    model = nn.MLP(2, [16, 16, 1], seed=SEED)
    print(f"{model.num_parameters()} parameters: W₁ 16×2 + b₁ 16, W₂ 16×16 + b₂ 16, W₃ 1×16 + b₃ 1")

    heading(f"Training: max-margin loss + 1e-4·L2, SGD with lr 1.0 → 0.1, {epochs} steps")
    history = train(model, data, epochs)
    print(f"final loss {history.loss[-1]:.4f}")

    heading("Evaluation (class 1 = lower moon is 'positive')")
    train_scores = report_metrics(model, X_train, y_train, "train")
    test_scores = report_metrics(model, X_test, y_test, "test")

    heading("Pictures")
    boundary = arguments.out / "moons_boundary.png"
    plot.decision_regions(
        lambda points: nn.predict(model, points),
        X_train,
        y_train,
        boundary,
        title="MLP(2, [16, 16, 1]): boundary score = 0, margin ±1 dashed",
        X_test=X_test,
        y_test=y_test,
        class_names=CLASS_NAMES,
        margin=True,
        resolution=resolution,
    )
    curves = arguments.out / "moons_training.png"
    plot.training_curves(
        history,
        curves,
        title="two moons: one full-batch SGD step per epoch",
        validation_label="test",
    )
    graph = draw_one_neuron(model, X_train, arguments.out)

    heading("Without an activation function, the same network is a straight line")
    print("W₃(W₂(W₁x + b₁) + b₂) + b₃ = (W₃W₂W₁)x + (W₃W₂b₁ + W₃b₂ + b₃): one linear function")
    linear = nn.MLP(2, [16, 16, 1], activation="identity", seed=SEED)
    train(linear, data, epochs)
    linear_scores = {
        part: nn.evaluate(linear, X_part, y_part)["accuracy"]
        for part, X_part, y_part in (("train", X_train, y_train), ("test", X_test, y_test))
    }
    print(
        f"accuracy without relu: train {linear_scores['train']:.3f}, "
        f"test {linear_scores['test']:.3f} (with relu: {train_scores['accuracy']:.3f}, "
        f"{test_scores['accuracy']:.3f})"
    )
    straight = arguments.out / "moons_linear_boundary.png"
    plot.decision_regions(
        lambda points: nn.predict(linear, points),
        X_train,
        y_train,
        straight,
        title="the same MLP without relu: a straight boundary",
        X_test=X_test,
        y_test=y_test,
        class_names=CLASS_NAMES,
        resolution=resolution,
    )
    pictures = [boundary, curves, graph, straight]
    print()
    for picture in pictures:
        print(f"wrote {picture}")
    return {
        "train": train_scores,
        "test": test_scores,
        "final_loss": history.loss[-1],
        "linear_accuracy": linear_scores,
        "pictures": pictures,
    }


if __name__ == "__main__":
    main()
