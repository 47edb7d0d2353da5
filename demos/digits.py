"""Real data: an MLP reads handwritten digits (8×8 pixel images, the UCI data set) and is tested
on a fifth of them it never saw.

    data      1,797 images of 64 pixels in 0..16, scaled to [0, 1]; stratified 80/20 split
    model     MLP(64, [32, 10]): logits = W₂·relu(W₁x + b₁) + b₂, He initialisation
    loss      softmax cross-entropy, L = mean(logsumexp(z) - z_target)
    training  Adam, lr 0.01 → 0 (cosine), batches of 32, 20 epochs
    verdict   the class of the largest logit; accuracy, per-class report, confusion matrix

Seed guide: linear algebra (each hidden neuron is a dot product with an 8×8 weight image — the
pictures show them), probability (softmax turns 10 scores into a distribution; cross-entropy is its
negative log-likelihood), statistics (a held-out test set, per-class precision and recall).

Data: the test set of the UCI "Optical Recognition of Handwritten Digits" (E. Alpaydin,
C. Kaynak, 1998), shipped with glassgrad under CC BY 4.0 — see nn/datasets/NOTICE.

Run: python -m demos.digits [--quick] [--out DIR]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nn
from demos import figures, heading, parse_arguments, show_confusion_matrix

SEED = 0
BATCH_SIZE = 32
CLASS_NAMES = [str(digit) for digit in range(10)]


def load(quick: bool) -> tuple[list, list, list, list]:
    """The digits scaled to [0, 1], split 80/20 keeping each digit's share (quick: 400 images)."""
    X, y = nn.load_digits()
    if quick:
        X, y = X[:400], y[:400]
    X = [[pixel / 16.0 for pixel in image] for image in X]
    return nn.train_test_split(X, y, test_size=0.2, stratify=y, seed=SEED)


def train(model: nn.MLP, data: tuple[list, ...], epochs: int, progress: bool = True) -> nn.History:
    """Cross-entropy, Adam with a cosine schedule from 0.01 to 0, shuffled batches of 32."""
    X_train, X_test, y_train, y_test = data
    optimizer = nn.Adam(model.parameters(), lr=0.01)
    steps = epochs * math.ceil(len(X_train) / BATCH_SIZE)
    return nn.fit(
        model,
        X_train,
        y_train,
        "cross_entropy",
        optimizer,
        epochs=epochs,
        batch_size=BATCH_SIZE,
        schedule=nn.CosineAnnealing(optimizer, total_steps=steps),
        validation=(X_test, y_test),
        progress=progress,
        seed=SEED,
    )


# -- pictures ------------------------------------------------------------------------------------


def draw_confusion_matrix(matrix: list[list[int]], accuracy: float, path: Path) -> Path:
    """Counts of (true digit, predicted digit); the diagonal is right, the rest are the mistakes."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(5.6, 4.8), layout="constrained")
    image = axes.imshow(matrix, cmap="Blues")
    brightest = max(max(row) for row in matrix)
    for i, row in enumerate(matrix):
        for j, count in enumerate(row):
            if count:
                colour = "white" if count > brightest / 2 else "black"
                axes.text(j, i, str(count), ha="center", va="center", fontsize=8, color=colour)
    axes.set(
        xticks=range(10),
        yticks=range(10),
        xlabel="predicted digit",
        ylabel="true digit",
        title=f"digits test set: confusion matrix (accuracy {accuracy:.1%})",
    )
    figure.colorbar(image, ax=axes, label="test images", shrink=0.85)
    return figures.save(figure, path)


def draw_misclassified(
    X: list[list[float]], y: list[int], predicted: list[int], path: Path, most: int = 24
) -> Path:
    """Every misclassified test image (up to `most`) with its true and predicted label."""
    wrong = [i for i, (t, p) in enumerate(zip(y, predicted)) if t != p][:most]
    columns = max(1, min(8, len(wrong)))
    rows = max(1, math.ceil(len(wrong) / columns))
    plt = _pyplot()
    figure, panels = plt.subplots(
        rows,
        columns,
        figsize=(max(1.3 * columns, 6.0), 1.5 * rows + 0.6),
        squeeze=False,
        layout="constrained",
    )
    for k, axes in enumerate(panels.flat):
        axes.set_axis_off()
        if k < len(wrong):
            i = wrong[k]
            axes.imshow(_image(X[i]), cmap="gray_r", vmin=0.0, vmax=1.0)
            axes.set_title(f"true {y[i]} → {predicted[i]}", fontsize=9, color="#b00020")
    shown = f"{len(wrong)} of {sum(t != p for t, p in zip(y, predicted))}"
    figure.suptitle(f"misclassified test digits ({shown}): true label → predicted")
    if not wrong:
        panels.flat[0].text(0, 0.5, "none: every test digit is right", fontsize=10)
    return figures.save(figure, path)


def draw_first_layer(model: nn.MLP, path: Path) -> Path:
    """Each hidden neuron's 64 weights as an 8×8 image: what pattern of ink makes it fire."""
    weights = model.layers[0].weights
    columns = 16 if len(weights) > 32 else 8
    rows = math.ceil(len(weights) / columns)
    bound = max(abs(w.data) for row in weights for w in row)
    plt = _pyplot()
    figure, panels = plt.subplots(
        rows,
        columns,
        figsize=(0.8 * columns + 1.2, 0.9 * rows + 0.8),
        squeeze=False,
        layout="constrained",
    )
    image = None
    for k, axes in enumerate(panels.flat):
        axes.set_axis_off()
        if k < len(weights):
            image = axes.imshow(
                _image([w.data for w in weights[k]]), cmap="RdBu_r", vmin=-bound, vmax=bound
            )
            axes.set_title(str(k), fontsize=7, pad=2)
    figure.colorbar(image, ax=panels, label="weight (red: ink here excites)", shrink=0.8)
    figure.suptitle("first layer: hidden neuron i's 64 weights W₁[i] as an 8×8 image (i above)")
    return figures.save(figure, path)


def _image(pixels: Sequence[float]) -> list[list[float]]:
    return [list(pixels[8 * r : 8 * r + 8]) for r in range(8)]


def _pyplot() -> Any:
    from nn.plot import pyplot

    return pyplot()


# -- the demo ------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    arguments = parse_arguments(argv, "digits")
    epochs = 4 if arguments.quick else 20

    heading("Data: 1,797 handwritten digits, 8×8 pixels (UCI, CC BY 4.0), 80/20 stratified")
    data = load(arguments.quick)
    X_train, X_test, y_train, y_test = data
    print(f"train {len(X_train)} images, test {len(X_test)}; each digit keeps its share in both")
    print("one image, pixel darkness 0..9 (scaled from 0..16):")
    for r in range(8):
        print(
            "   " + " ".join(str(int(9 * p)) if p else "." for p in X_train[0][8 * r : 8 * r + 8])
        )
    print(f"   label {y_train[0]}")

    heading("Model: MLP(64, [32, 10]), relu hidden layer, 10 logits out")
    model = nn.MLP(64, [32, 10], init="he", seed=SEED)
    print(f"{model.num_parameters()} parameters: W₁ 32×64 + b₁ 32, W₂ 10×32 + b₂ 10")

    heading(f"Training: cross-entropy, Adam lr 0.01 → 0 (cosine), batches of 32, {epochs} epochs")
    history = train(model, data, epochs)
    print(f"final training loss {history.loss[-1]:.4f}")

    heading("Evaluation on the test set")
    predicted = nn.predict_classes(model, X_test)
    train_accuracy = nn.evaluate(model, X_train, y_train)["accuracy"]
    test_accuracy = nn.accuracy(y_test, predicted)
    print(f"accuracy: train {train_accuracy:.4f}, test {test_accuracy:.4f}\n")
    print(nn.classification_report(y_test, predicted, digits=3, zero_division=0))
    matrix = nn.confusion_matrix(y_test, predicted, labels=list(range(10)))
    show_confusion_matrix(matrix, CLASS_NAMES)
    report = nn.classification_report(y_test, predicted, output_dict=True, zero_division=0)

    heading("Pictures")
    out = arguments.out
    pictures = [
        draw_confusion_matrix(matrix, test_accuracy, out / "digits_confusion.png"),
        draw_misclassified(X_test, y_test, predicted, out / "digits_misclassified.png"),
        draw_first_layer(model, out / "digits_first_layer.png"),
    ]
    for picture in pictures:
        print(f"wrote {picture}")
    return {
        "train_accuracy": train_accuracy,
        "test_accuracy": test_accuracy,
        "report": report,
        "confusion_matrix": matrix,
        "sizes": (len(X_train), len(X_test)),
        "history": history,
        "pictures": pictures,
    }


if __name__ == "__main__":
    main()
