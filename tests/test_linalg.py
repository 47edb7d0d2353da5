"""autograd.linalg: values against hand-computed results, gradients against central differences."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Value, linalg
from autograd.check import gradcheck

A = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
B = [[1.0, 0.0], [0.0, 1.0], [2.0, -1.0]]

small = st.floats(-3.0, 3.0, allow_nan=False)


def data(xs):
    if isinstance(xs, list):
        return [data(x) for x in xs]
    return xs.data if isinstance(xs, Value) else xs


def test_numbers_in_numbers_out():
    assert linalg.dot([1, 2, 3], [4, 5, 6]) == 32.0
    assert linalg.matvec(A, [1, 0, -1]) == [-2.0, -2.0]
    assert linalg.matmul(A, B) == [[7.0, -1.0], [16.0, -1.0]]
    assert linalg.transpose(A) == [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]
    assert linalg.add([1, 2], [3, 4]) == [4.0, 6.0]
    assert linalg.sub(A, A) == [[0.0] * 3, [0.0] * 3]
    assert linalg.scale(2, [[1, 2]]) == [[2.0, 4.0]]
    assert linalg.outer([1, 2], [3, 4, 5]) == [[3.0, 4.0, 5.0], [6.0, 8.0, 10.0]]
    assert linalg.shape(A) == (2, 3) and linalg.shape([1, 2]) == (2,)


def test_values_in_values_out_with_labels():
    W = linalg.matrix(A)
    x = linalg.vector([1.0, 0.0, -1.0])
    assert W[1][2].label == "W[1][2]" and x[0].label == "x[0]"
    y = linalg.matvec(W, x)
    assert data(y) == [-2.0, -2.0]
    assert all(isinstance(v, Value) and v.op == "dot" for v in y)


def test_matvec_is_one_dot_node_per_row_with_input_gradients():
    W = linalg.matrix(A)
    x = [1.0, 0.0, -1.0]  # plain numbers are entered once and shared by every row
    y = linalg.matvec(W, x)
    assert y[0].parents[3] == y[1].parents[3]  # one node (== is node identity)
    (y[0] + y[1] * 2).backward()
    # ∂(y₀ + 2y₁)/∂W₁ⱼ = 2xⱼ
    assert [w.grad for w in W[1]] == [2.0, 0.0, -2.0]
    assert [w.grad for w in W[0]] == [1.0, 0.0, -1.0]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: linalg.dot([1, 2], [1, 2, 3]), "lengths differ, 2 and 3"),
        (lambda: linalg.matvec(A, [1, 2]), "matrix is 2x3 but vector has length 2"),
        (lambda: linalg.matvec([1, 2], [1, 2]), "expected a matrix"),
        (lambda: linalg.matmul(A, A), r"shapes \(2, 3\) and \(2, 3\) do not chain"),
        (lambda: linalg.add([1, 2], [1, 2, 3]), r"shapes differ, \(2,\) and \(3,\)"),
        (lambda: linalg.sub(A, B), r"shapes differ, \(2, 3\) and \(3, 2\)"),
        (lambda: linalg.add([[1, 2], [3]], [[1, 2], [3]]), "ragged matrix: row 0 has 2"),
        (lambda: linalg.outer(A, [1]), "outer: x must be a vector"),
    ],
)
def test_mismatched_sizes_raise_naming_both(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_non_numbers_raise_type_error():
    with pytest.raises(TypeError, match="vector element 1 is str"):
        linalg.add([1, "2"], [1, 2])
    with pytest.raises(TypeError, match="scale: c must be a number"):
        linalg.scale([1], [1, 2])


def test_transpose_keeps_the_same_values():
    W = linalg.matrix(B)
    assert linalg.transpose(W)[1][2] is W[2][1]
    assert linalg.transpose(linalg.transpose(W)) == W


@given(st.lists(small, min_size=12, max_size=12))
def test_matmul_gradients(numbers):
    def f(*xs):  # (AB) for a 2×3 A and a 3×2 B, all four outputs
        a = [list(xs[0:3]), list(xs[3:6])]
        b = [list(xs[6:8]), list(xs[8:10]), list(xs[10:12])]
        return [v for row in linalg.matmul(a, b) for v in row]

    assert gradcheck(f, numbers)


@given(st.lists(small, min_size=10, max_size=10))
def test_matvec_add_sub_scale_outer_gradients(numbers):
    def f(*xs):
        w = [list(xs[0:3]), list(xs[3:6])]
        x, b, c = list(xs[6:9]), [xs[9], xs[0]], xs[8]
        y = linalg.sub(linalg.add(linalg.matvec(w, x), b), linalg.scale(c, b))
        return [*y, *linalg.outer(y, x)[1], linalg.dot(x, x)]

    assert gradcheck(f, numbers)


def test_dot_gradient_is_the_other_vector():
    w, x = linalg.vector([1.0, 2.0], "w"), linalg.vector([3.0, -4.0])
    linalg.dot(w, x).backward()  # ∂(w·x)/∂w = x, ∂(w·x)/∂x = w
    assert [v.grad for v in w] == [3.0, -4.0]
    assert [v.grad for v in x] == [1.0, 2.0]


def test_matvec_with_numbers_among_the_values():
    w = Value(2.0, "w")
    y = linalg.matvec([[1.0, w], [3.0, 4.0]], [1.0, 1.0])
    assert [v.data for v in y] == [3.0, 7.0] and all(isinstance(v, Value) for v in y)
    y[0].backward()
    assert w.grad == 1.0
