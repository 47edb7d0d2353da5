"""Classification metrics with scikit-learn's signatures and conventions, in plain Python.

For one class c, counting over the samples:
  tp = predicted c and truly c,  fp = predicted c but not c,  fn = truly c but predicted other.
  precision = tp / (tp + fp)    (of what we called c, how much was c)
  recall    = tp / (tp + fn)    (of what was c, how much we found)
  F1        = 2·tp / (2·tp + fp + fn)   (the harmonic mean of precision and recall)

`average=` says how per-class numbers become one: 'binary' reports the class `pos_label` only;
'macro' takes the plain mean over classes; 'weighted' weighs each class by its support (number of
true samples); 'micro' pools tp, fp and fn over all classes first; None returns the list per
class. A ratio with a zero denominator is ill-defined: as scikit-learn does, it becomes
`zero_division` (0, 1 or nan), and the default 'warn' gives 0 with an `UndefinedMetricWarning`.
Averages leave nan values out; a 'weighted' average where no label has a true sample (every
weight zero) is the plain mean, as in scikit-learn.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable, Sequence
from typing import Any

AVERAGES = ("binary", "micro", "macro", "weighted", None)


class UndefinedMetricWarning(UserWarning):
    """A metric's denominator was zero; the value was set by `zero_division`."""


def accuracy(y_true: Sequence[Hashable], y_pred: Sequence[Hashable]) -> float:
    """The fraction of samples whose prediction equals the truth."""
    _check_pair(y_true, y_pred)
    return sum(t == p for t, p in zip(y_true, y_pred)) / len(y_true)


accuracy_score = accuracy


def unique_labels(*label_lists: Sequence[Hashable]) -> list[Hashable]:
    """The sorted set of labels appearing in any of the lists (all numbers or all strings)."""
    found = set()
    for labels in label_lists:
        found.update(labels)
    try:
        return sorted(found)
    except TypeError:
        kinds = sorted({type(label).__name__ for label in found})
        raise TypeError(f"labels mix types that cannot be ordered: {', '.join(kinds)}") from None


def confusion_matrix(
    y_true: Sequence[Hashable],
    y_pred: Sequence[Hashable],
    labels: Sequence[Hashable] | None = None,
) -> list[list[int]]:
    """C[i][j] = number of samples of true class labels[i] predicted as labels[j].

    Rows are the truth, columns the prediction; the diagonal counts correct answers. `labels`
    defaults to the sorted labels found in either list; samples outside `labels` are not counted.
    Given `labels` none of which is in `y_true` raise ValueError, as scikit-learn does.
    """
    _check_pair(y_true, y_pred)
    given = labels is not None
    labels = _labels_or_found(labels, y_true, y_pred)
    if given and not set(labels) & set(y_true):
        raise ValueError(
            f"confusion_matrix: none of labels={labels!r} is in y_true; at least one label "
            "must be (as scikit-learn)"
        )
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for t, p in zip(y_true, y_pred):
        if t in index and p in index:
            matrix[index[t]][index[p]] += 1
    return matrix


def precision_recall_fscore_support(
    y_true: Sequence[Hashable],
    y_pred: Sequence[Hashable],
    labels: Sequence[Hashable] | None = None,
    pos_label: Hashable = 1,
    average: str | None = None,
    zero_division: str | float = "warn",
    warn_for: Sequence[str] = ("precision", "recall", "f-score"),
) -> tuple[Any, Any, Any, Any]:
    """Precision, recall, F1 and support, per class (`average=None`) or averaged.

    Support is the number of true samples of each class; averaged, it is None (as scikit-learn).
    Only the metrics named in `warn_for` warn when ill-defined.
    """
    warn = zero_division == "warn"
    _check_pair(y_true, y_pred)
    _check_zero_division(zero_division)
    if average not in AVERAGES:
        raise ValueError(f"average must be one of {AVERAGES}, got {average!r}")
    if average == "binary":
        labels = _binary_labels(y_true, y_pred, pos_label)
    else:
        labels = _labels_or_found(labels, y_true, y_pred)
    tp, fp, fn = _counts(y_true, y_pred, labels)
    support = [t + f for t, f in zip(tp, fn)]
    if average == "micro":
        tp, fp, fn = [sum(tp)], [sum(fp)], [sum(fn)]
    fallback = _zero_division_value(zero_division)
    predicted = [t + f for t, f in zip(tp, fp)]
    true = [t + f for t, f in zip(tp, fn)]
    precision = _ratios(tp, predicted, fallback, warn and "precision" in warn_for and "Precision")
    recall = _ratios(tp, true, fallback, warn and "recall" in warn_for and "Recall")
    f1 = _ratios(
        [2 * t for t in tp],
        [p + t for p, t in zip(predicted, true)],
        fallback,
        warn and "f-score" in warn_for and "F-score",
    )
    if average is None:
        return precision, recall, f1, support
    weights = support if average == "weighted" and sum(support) else [1] * len(precision)
    return tuple(_average(metric, weights) for metric in (precision, recall, f1)) + (None,)


def precision(
    y_true: Sequence[Hashable],
    y_pred: Sequence[Hashable],
    labels: Sequence[Hashable] | None = None,
    pos_label: Hashable = 1,
    average: str | None = "binary",
    zero_division: str | float = "warn",
) -> float | list[float]:
    """tp / (tp + fp): of the samples predicted as a class, the fraction that truly are."""
    return precision_recall_fscore_support(
        y_true, y_pred, labels, pos_label, average, zero_division, warn_for=("precision",)
    )[0]


def recall(
    y_true: Sequence[Hashable],
    y_pred: Sequence[Hashable],
    labels: Sequence[Hashable] | None = None,
    pos_label: Hashable = 1,
    average: str | None = "binary",
    zero_division: str | float = "warn",
) -> float | list[float]:
    """tp / (tp + fn): of the samples truly of a class, the fraction predicted as it."""
    return precision_recall_fscore_support(
        y_true, y_pred, labels, pos_label, average, zero_division, warn_for=("recall",)
    )[1]


def f1_score(
    y_true: Sequence[Hashable],
    y_pred: Sequence[Hashable],
    labels: Sequence[Hashable] | None = None,
    pos_label: Hashable = 1,
    average: str | None = "binary",
    zero_division: str | float = "warn",
) -> float | list[float]:
    """2·tp / (2·tp + fp + fn), the harmonic mean of precision and recall."""
    return precision_recall_fscore_support(
        y_true, y_pred, labels, pos_label, average, zero_division, warn_for=("f-score",)
    )[2]


precision_score = precision
recall_score = recall


def classification_report(
    y_true: Sequence[Hashable],
    y_pred: Sequence[Hashable],
    labels: Sequence[Hashable] | None = None,
    target_names: Sequence[str] | None = None,
    digits: int = 2,
    output_dict: bool = False,
    zero_division: str | float = "warn",
) -> str | dict[str, Any]:
    """Precision, recall, F1 and support per class, then accuracy, macro and weighted averages.

    A text table laid out as scikit-learn's, or with `output_dict=True` the same numbers as
    `{'0': {'precision': …, 'recall': …, 'f1-score': …, 'support': …}, 'accuracy': …, …}`.
    When `labels` leaves out some classes, a 'micro avg' row replaces 'accuracy'.
    """
    _check_pair(y_true, y_pred)
    found = unique_labels(y_true, y_pred)
    given = labels is not None
    labels = _labels_or_found(labels, y_true, y_pred)
    names = [str(label) for label in labels] if target_names is None else list(target_names)
    if len(names) != len(labels):
        raise ValueError(f"target_names has {len(names)} names for {len(labels)} labels")
    per_class = precision_recall_fscore_support(
        y_true, y_pred, labels, average=None, zero_division=zero_division
    )
    rows = {name: _row(*values) for name, *values in zip(names, *per_class)}
    total = sum(per_class[3])
    micro_is_accuracy = not given or set(labels) >= set(found)
    averages = ("micro", "macro", "weighted")
    for average in averages[1:] if micro_is_accuracy else averages:
        scores = precision_recall_fscore_support(
            y_true, y_pred, labels, average=average, zero_division=zero_division
        )
        rows[f"{average} avg"] = _row(*scores[:3], total)
    report: dict[str, Any] = {name: rows[name] for name in names}
    if micro_is_accuracy:
        report["accuracy"] = accuracy(y_true, y_pred)
    report.update({key: value for key, value in rows.items() if key.endswith(" avg")})
    return report if output_dict else _format_report(report, names, digits)


# -- helpers ---------------------------------------------------------------------------------


def _row(precision: float, recall: float, f1: float, support: int) -> dict[str, float]:
    return {"precision": precision, "recall": recall, "f1-score": f1, "support": support}


def _format_report(report: dict[str, Any], names: list[str], digits: int) -> str:
    width = max(len(name) for name in [*names, "weighted avg", " " * digits])
    columns = ("precision", "recall", "f1-score", "support")
    lines = [f"{'':>{width}s} " + "".join(f" {c:>9}" for c in columns), ""]

    def row_text(name: str, row: dict[str, float]) -> str:
        scores = "".join(f" {row[c]:>9.{digits}f}" for c in columns[:3])
        return f"{name:>{width}s} {scores} {row['support']:>9}"

    lines += [row_text(name, report[name]) for name in names] + [""]
    if "accuracy" in report:
        total = report["weighted avg"]["support"]
        blank = f" {'':>9}" * 2
        lines.append(f"{'accuracy':>{width}s} {blank} {report['accuracy']:>9.{digits}f} {total:>9}")
    lines += [row_text(key, value) for key, value in report.items() if key.endswith(" avg")]
    return "\n".join(lines) + "\n"


def _check_pair(y_true: Sequence[Hashable], y_pred: Sequence[Hashable]) -> None:
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"y_true and y_pred must have the same length, got {len(y_true)} and {len(y_pred)}"
        )
    if len(y_true) == 0:
        raise ValueError("y_true and y_pred are empty: there is nothing to score")


def _check_zero_division(zero_division: str | float) -> None:
    if zero_division == "warn" or _is_nan(zero_division):
        return
    if isinstance(zero_division, bool) or zero_division not in (0, 1):
        raise ValueError(f"zero_division must be 'warn', 0, 1 or nan, got {zero_division!r}")


def _is_nan(x: Any) -> bool:
    return isinstance(x, float) and math.isnan(x)


def _zero_division_value(zero_division: str | float) -> float:
    return 0.0 if zero_division == "warn" else float(zero_division)


def _labels_or_found(
    labels: Sequence[Hashable] | None, y_true: Sequence[Hashable], y_pred: Sequence[Hashable]
) -> list[Hashable]:
    if labels is None:
        return unique_labels(y_true, y_pred)
    labels = list(labels)
    if not labels:
        raise ValueError("labels is empty: give at least one label")
    if len(set(labels)) != len(labels):
        raise ValueError(f"labels has repeats: {labels!r}")
    return labels


def _binary_labels(
    y_true: Sequence[Hashable], y_pred: Sequence[Hashable], pos_label: Hashable
) -> list[Hashable]:
    present = unique_labels(y_true, y_pred)
    if len(present) > 2:
        raise ValueError(
            f"average='binary' needs at most two labels, found {len(present)}: {present!r}; "
            "choose average=None, 'micro', 'macro' or 'weighted'"
        )
    if len(present) == 2 and pos_label not in present:
        raise ValueError(f"pos_label={pos_label!r} is not a label; it should be one of {present!r}")
    return [pos_label]


def _counts(
    y_true: Sequence[Hashable], y_pred: Sequence[Hashable], labels: list[Hashable]
) -> tuple[list[int], list[int], list[int]]:
    """tp, fp and fn for each label."""
    index = {label: i for i, label in enumerate(labels)}
    tp, fp, fn = [0] * len(labels), [0] * len(labels), [0] * len(labels)
    for t, p in zip(y_true, y_pred):
        if t == p:
            if t in index:
                tp[index[t]] += 1
            continue
        if p in index:
            fp[index[p]] += 1
        if t in index:
            fn[index[t]] += 1
    return tp, fp, fn


_MISSING = {"Precision": "predicted", "Recall": "true", "F-score": "true nor predicted"}


def _ratios(
    numerators: list[int], denominators: list[int], fallback: float, warn_as: str | bool
) -> list[float]:
    """numerator / denominator per class, `fallback` where the denominator is 0.

    `warn_as` names the metric to warn about when that happens (False: stay quiet).
    """
    if warn_as and 0 in denominators:
        warnings.warn(
            f"{warn_as} is ill-defined and being set to 0.0 in labels with no "
            f"{_MISSING[warn_as]} samples. Use `zero_division` parameter to control this behavior.",
            UndefinedMetricWarning,
            stacklevel=4,
        )
    return [n / d if d else fallback for n, d in zip(numerators, denominators)]


def _average(values: list[float], weights: Sequence[int]) -> float:
    """Σ wᵢvᵢ / Σ wᵢ over the values that are not nan (scikit-learn's `_nanaverage`)."""
    kept = [(v, w) for v, w in zip(values, weights) if not math.isnan(v)]
    total = sum(w for _, w in kept)
    if not kept:
        return math.nan
    if not total:  # every weight zero (no true samples at all): the plain mean
        return sum(v for v, _ in kept) / len(kept)
    return sum(v * w for v, w in kept) / total
