"""nn.metrics against hand-computed cases, scikit-learn's conventions and its edge cases."""

from __future__ import annotations

import math
import random
import warnings

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nn.metrics import (
    UndefinedMetricWarning,
    accuracy,
    accuracy_score,
    classification_report,
    confusion_matrix,
    f1_score,
    precision,
    precision_recall_fscore_support,
    recall,
)

# 3 classes; class 1 is never predicted.
Y_TRUE = [0, 1, 2, 2, 0, 1]
Y_PRED = [0, 2, 2, 2, 0, 0]


def test_accuracy_counts_matches():
    assert accuracy([1, 0, 1, 1], [1, 1, 1, 0]) == 0.5
    assert accuracy_score is accuracy
    assert accuracy(["a"], ["a"]) == 1.0


def test_confusion_matrix_rows_are_truth_columns_prediction():
    assert confusion_matrix(Y_TRUE, Y_PRED) == [[2, 0, 0], [1, 0, 1], [0, 0, 2]]
    assert confusion_matrix(Y_TRUE, Y_PRED, labels=[2, 0]) == [[2, 0], [0, 2]]


def test_binary_metrics_by_hand():
    y_true = [1, 1, 1, 0, 0, 0, 0, 1]
    y_pred = [1, 1, 0, 1, 0, 0, 0, 0]  # tp=2, fp=1, fn=2
    assert precision(y_true, y_pred) == pytest.approx(2 / 3)
    assert recall(y_true, y_pred) == pytest.approx(2 / 4)
    assert f1_score(y_true, y_pred) == pytest.approx(4 / 7)
    assert precision(y_true, y_pred, pos_label=0) == pytest.approx(3 / 5)


def test_minus_one_plus_one_labels_with_pos_label_one():
    y_true = [1, -1, 1, -1]
    y_pred = [1, 1, -1, -1]
    assert precision(y_true, y_pred) == 0.5
    assert recall(y_true, y_pred, pos_label=-1) == 0.5


def test_per_class_and_averages_with_a_class_never_predicted():
    with pytest.warns(UndefinedMetricWarning, match="Precision is ill-defined"):
        p, r, f, support = precision_recall_fscore_support(Y_TRUE, Y_PRED)
    assert p == pytest.approx([2 / 3, 0.0, 2 / 3])
    assert r == pytest.approx([1.0, 0.0, 1.0])
    assert f == pytest.approx([0.8, 0.0, 0.8])
    assert support == [2, 2, 2]
    assert precision(Y_TRUE, Y_PRED, average="macro", zero_division=0) == pytest.approx(4 / 9)
    assert precision(Y_TRUE, Y_PRED, average="micro") == pytest.approx(4 / 6)  # = accuracy
    assert f1_score(Y_TRUE, Y_PRED, average="weighted") == pytest.approx(1.6 / 3)
    assert precision(Y_TRUE, Y_PRED, average=None, zero_division=1)[1] == 1.0


def test_weighted_average_weighs_by_support():
    y_true = [0, 0, 0, 1]
    y_pred = [0, 0, 1, 1]
    # recall: class 0 2/3 (support 3), class 1 1/1 (support 1)
    assert recall(y_true, y_pred, average="weighted") == pytest.approx(0.75 * 2 / 3 + 0.25)
    assert recall(y_true, y_pred, average="macro") == pytest.approx((2 / 3 + 1) / 2)


def test_zero_division_warns_and_gives_zero_by_default():
    with pytest.warns(UndefinedMetricWarning, match="no predicted samples"):
        assert precision([1, 0], [0, 0]) == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert precision([1, 0], [0, 0], zero_division=1) == 1.0
        assert precision([1, 0], [0, 0], zero_division=0) == 0.0
        assert f1_score([1, 0], [0, 0]) == 0.0  # 2·0 / (0 + 0 + 1): defined


def test_a_single_class():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert precision([1, 1], [1, 1]) == 1.0
        assert confusion_matrix([1, 1], [1, 1]) == [[2]]
    with pytest.warns(UndefinedMetricWarning, match="F-score is ill-defined"):
        assert f1_score([0, 0], [0, 0]) == 0.0  # pos_label 1 never appears


def test_string_labels():
    y_true = ["cat", "dog", "dog", "bird"]
    y_pred = ["cat", "cat", "dog", "bird"]
    assert confusion_matrix(y_true, y_pred) == [[1, 0, 0], [0, 1, 0], [0, 1, 1]]
    assert precision(y_true, y_pred, average=None) == [1.0, 0.5, 1.0]
    assert recall(["no", "yes"], ["yes", "yes"], pos_label="yes") == 1.0


def test_classification_report_text_layout():
    text = classification_report(Y_TRUE, Y_PRED, zero_division=0)
    assert text == (
        "              precision    recall  f1-score   support\n"
        "\n"
        "           0       0.67      1.00      0.80         2\n"
        "           1       0.00      0.00      0.00         2\n"
        "           2       0.67      1.00      0.80         2\n"
        "\n"
        "    accuracy                           0.67         6\n"
        "   macro avg       0.44      0.67      0.53         6\n"
        "weighted avg       0.44      0.67      0.53         6\n"
    )


def test_classification_report_dict_and_names_and_micro_row():
    report = classification_report(
        ["a", "b", "b"], ["a", "a", "b"], target_names=["apple", "banana"], output_dict=True
    )
    assert list(report) == ["apple", "banana", "accuracy", "macro avg", "weighted avg"]
    assert report["apple"] == {"precision": 0.5, "recall": 1.0, "f1-score": 2 / 3, "support": 1}
    assert report["accuracy"] == pytest.approx(2 / 3)
    assert report["weighted avg"]["precision"] == pytest.approx(5 / 6)
    partial = classification_report(Y_TRUE, Y_PRED, labels=[0, 1], zero_division=0)
    assert "micro avg       0.67      0.50      0.57         4" in partial
    assert "accuracy" not in partial


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: accuracy([1, 2], [1]), "same length, got 2 and 1"),
        (lambda: accuracy([], []), "empty"),
        (lambda: precision([0, 1, 2], [0, 1, 2]), "average='binary' needs at most two labels"),
        (lambda: precision([0, 2], [0, 2]), "pos_label=1 is not a label"),
        (lambda: recall([0], [0], average="mean"), "average must be one of"),
        (lambda: f1_score([0], [0], zero_division=2), "zero_division must be"),
        (lambda: confusion_matrix([0], [0], labels=[]), "labels is empty"),
        (lambda: classification_report([0, 1], [0, 1], target_names=["x"]), "1 names for 2"),
    ],
)
def test_clear_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_mixed_label_types_raise():
    with pytest.raises(TypeError, match="mix types"):
        confusion_matrix([1, "a"], [1, "a"])


labels = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=40)


@given(labels)
def test_matrix_diagonal_is_accuracy_and_micro_equals_accuracy(pairs):
    y_true, y_pred = [t for t, _ in pairs], [p for _, p in pairs]
    matrix = confusion_matrix(y_true, y_pred)
    assert sum(map(sum, matrix)) == len(pairs)
    assert sum(matrix[i][i] for i in range(len(matrix))) / len(pairs) == accuracy(y_true, y_pred)
    for metric in (precision, recall, f1_score):
        assert metric(y_true, y_pred, average="micro") == pytest.approx(accuracy(y_true, y_pred))


@given(labels)
def test_f1_is_the_harmonic_mean_of_precision_and_recall(pairs):
    y_true, y_pred = [t for t, _ in pairs], [p for _, p in pairs]
    p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, zero_division=0)
    for pi, ri, fi in zip(p, r, f):
        assert fi == pytest.approx(2 * pi * ri / (pi + ri) if pi + ri else 0.0)


# -- scikit-learn's numbers in the corners (hard-coded; compared live when sklearn imports) -------

ZERO_SUPPORT = ([0, 0, 1, 1, 1], [0, 1, 1, 2, 2])  # class 2 is predicted but never true


def test_weighted_average_with_zero_division_1_and_a_class_without_support():
    y_true, y_pred = ZERO_SUPPORT
    assert precision(y_true, y_pred, average=None, zero_division=1) == [1.0, 0.5, 0.0]
    assert recall(y_true, y_pred, average=None, zero_division=1) == pytest.approx([0.5, 1 / 3, 1.0])
    assert precision(y_true, y_pred, average="weighted", zero_division=1) == pytest.approx(0.7)
    assert recall(y_true, y_pred, average="weighted", zero_division=1) == pytest.approx(0.4)
    assert f1_score(y_true, y_pred, average="weighted", zero_division=1) == pytest.approx(
        0.5066666666666666
    )


def test_weighted_average_when_no_label_has_true_samples_is_the_plain_mean():
    # labels 2 and 3 never occur, 0 is only predicted: every support is 0 (scikit-learn: mean)
    for metric, expected in ((precision, 2 / 3), (recall, 1.0), (f1_score, 2 / 3)):
        assert metric(
            [1, 1], [1, 0], labels=[2, 0, 3], average="weighted", zero_division=1
        ) == pytest.approx(expected)


def test_zero_division_nan_is_left_out_of_averages():
    nan = float("nan")
    per_class = precision([0, 1], [0, 0], average=None, zero_division=nan)
    assert per_class[0] == 0.5 and math.isnan(per_class[1])
    assert precision([0, 1], [0, 0], average="macro", zero_division=nan) == 0.5
    with pytest.raises(ValueError, match="zero_division must be"):
        precision([0, 1], [0, 0], zero_division=2)


def test_confusion_matrix_refuses_labels_none_of_which_is_true():
    with pytest.raises(ValueError, match="none of labels=\\[2, 3\\] is in y_true"):
        confusion_matrix([0, 1], [2, 2], labels=[2, 3])
    assert confusion_matrix([0, 1], [2, 2], labels=[1, 3]) == [[0, 0], [0, 0]]


def random_cases(count: int, seed: int = 0):
    rng = random.Random(seed)
    for _ in range(count):
        n, k = rng.randint(1, 8), rng.randint(1, 4)
        y_true = [rng.randrange(k) for _ in range(n)]
        y_pred = [rng.randrange(k) for _ in range(n)]
        labels = None if rng.random() < 0.5 else rng.sample(range(k + 2), rng.randint(1, k + 2))
        yield y_true, y_pred, labels


def outcome(function, *args, **kwargs):
    """The result as plain floats/lists, or the exception's type."""
    try:
        result = function(*args, **kwargs)
    except ValueError:
        return ValueError
    return plain(result)


def plain(result):
    if hasattr(result, "tolist"):  # a NumPy array or scalar
        result = result.tolist()
    if isinstance(result, (list, tuple)):
        return [plain(item) for item in result]
    return float(result)


def same(a, b) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, abs=1e-12)
    return a == b


def test_equal_to_scikit_learn_on_random_labels():
    sklearn_metrics = pytest.importorskip("sklearn.metrics", reason="scikit-learn not installed")
    pairs = [
        (precision, sklearn_metrics.precision_score),
        (recall, sklearn_metrics.recall_score),
        (f1_score, sklearn_metrics.f1_score),
    ]
    choices, nan = random.Random(1), float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for y_true, y_pred, labels in random_cases(25):
            assert same(
                outcome(confusion_matrix, y_true, y_pred, labels=labels),
                outcome(sklearn_metrics.confusion_matrix, y_true, y_pred, labels=labels),
            )
            for average, zero_division in zip(
                (None, "micro", "macro", "weighted", "binary"),
                choices.sample(("warn", 0, 1, nan, 1), 5),
            ):
                for ours, theirs in pairs:
                    options = dict(labels=labels, average=average, zero_division=zero_division)
                    assert same(
                        outcome(ours, y_true, y_pred, **options),
                        outcome(theirs, y_true, y_pred, **options),
                    ), (ours.__name__, y_true, y_pred, options)
