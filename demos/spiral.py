"""Three intertwined spiral arms: a multi-class classifier with softmax, cross-entropy and Adam.

    model     MLP(2, [16, 16, 3]): three scores (logits) z per point
    softmax   pₖ = e^{zₖ} / Σⱼ e^{zⱼ}: the logits become a probability distribution over classes
    loss      cross-entropy L = -log p_target, averaged: small when the true class is likely
    training  Adam (per-parameter step sizes from running moments of the gradient), mini-batches,
              the learning rate annealed to 0 along a cosine
    verdict   the most probable class; per-class precision, recall and F1 on a held-out test set

Seed guide: probability and statistics (a distribution over classes, cross-entropy, evaluation
metrics per class), activation functions (relu), calculus (Adam is gradient descent refined).

Run: python -m demos.spiral [--quick] [--out DIR]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import nn
from demos import heading, parse_arguments, show_confusion_matrix

SEED = 0
BATCH_SIZE = 32
CLASS_NAMES = ["arm 0", "arm 1", "arm 2"]


def show_probabilities(model: nn.MLP, point: list[float], target: int) -> float:
    """Print logits, softmax probabilities and the cross-entropy of one point; return the loss."""
    logits = nn.predict(model, [point])[0]
    probabilities = nn.softmax(logits)
    loss = nn.cross_entropy(logits, target)
    print(f"  logits z = [{', '.join(f'{z:+.3f}' for z in logits)}]")
    print(f"  softmax p = [{', '.join(f'{p:.3f}' for p in probabilities)}]  (sums to 1)")
    print(f"  true class {target}: cross-entropy -log p[{target}] = {loss:.4f}")
    return loss


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    arguments = parse_arguments(argv, "spiral")
    epochs = 15 if arguments.quick else 60

    heading("Data: three spiral arms, 300 points, a quarter held out (stratified)")
    X, y = nn.make_spirals(300, classes=3, noise=0.2, turns=1.0, seed=SEED)
    X_train, X_test, y_train, y_test = nn.train_test_split(
        X, y, test_size=0.25, stratify=y, seed=SEED
    )
    print(f"train {len(X_train)} points, test {len(X_test)}, 3 classes")

    heading("Model: MLP(2, [16, 16, 3]); softmax turns its 3 logits into probabilities")
    model = nn.MLP(2, [16, 16, 3], seed=SEED)
    point, target = X_test[0], y_test[0]
    print(f"before training, test point ({point[0]:.3f}, {point[1]:.3f}):")
    loss_before = show_probabilities(model, point, target)

    heading(f"Training: cross-entropy, Adam lr 0.03 → 0 (cosine), batches of 32, {epochs} epochs")
    optimizer = nn.Adam(model.parameters(), lr=0.03)
    steps = epochs * math.ceil(len(X_train) / BATCH_SIZE)
    history = nn.fit(
        model,
        X_train,
        y_train,
        "cross_entropy",
        optimizer,
        epochs=epochs,
        batch_size=BATCH_SIZE,
        schedule=nn.CosineAnnealing(optimizer, total_steps=steps),
        validation=(X_test, y_test),
        seed=SEED,
    )
    print("after training, the same test point:")
    loss_after = show_probabilities(model, point, target)

    heading("Evaluation on the test set")
    predicted = nn.predict_classes(model, X_test)
    train_accuracy = nn.evaluate(model, X_train, y_train)["accuracy"]
    test_accuracy = nn.accuracy(y_test, predicted)
    print(f"accuracy: train {train_accuracy:.3f}, test {test_accuracy:.3f}\n")
    print(
        nn.classification_report(
            y_test, predicted, target_names=CLASS_NAMES, digits=3, zero_division=0
        )
    )
    matrix = nn.confusion_matrix(y_test, predicted, labels=[0, 1, 2])
    show_confusion_matrix(matrix, CLASS_NAMES)
    report = nn.classification_report(
        y_test, predicted, target_names=CLASS_NAMES, output_dict=True, zero_division=0
    )

    heading("Pictures")
    from nn import plot

    regions = arguments.out / "spiral_regions.png"
    plot.decision_regions(
        lambda points: nn.predict(model, points),
        X_train,
        y_train,
        regions,
        title="MLP(2, [16, 16, 3]): the most probable class",
        X_test=X_test,
        y_test=y_test,
        class_names=CLASS_NAMES,
        resolution=30 if arguments.quick else 70,
    )
    curves = arguments.out / "spiral_training.png"
    plot.training_curves(
        history,
        curves,
        title="three-class spiral: cross-entropy and accuracy",
        validation_label="test",
    )
    for picture in (regions, curves):
        print(f"wrote {picture}")
    return {
        "train_accuracy": train_accuracy,
        "test_accuracy": test_accuracy,
        "report": report,
        "confusion_matrix": matrix,
        "example_loss": (loss_before, loss_after),
        "pictures": [regions, curves],
    }


if __name__ == "__main__":
    main()
