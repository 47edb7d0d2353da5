"""Values, first and second derivatives against PyTorch (float64), where torch imports."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from autograd import Value, gradients
from autograd.strategies import expressions

torch = pytest.importorskip("torch", reason="PyTorch is not installed: parity tests need it")


def sanity_check(V):
    """micrograd's test_sanity_check expression, for any Value-like constructor."""
    x = V(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    return [x], y


def more_ops(V):
    """micrograd's test_more_ops expression (in-place += rebinds, as in micrograd's test)."""
    a = V(-4.0)
    b = V(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return [a, b], g


def smooth_ops(V):
    """Every smooth primitive in one graph with reuse, for second derivatives."""
    a = V(0.7)
    b = V(-1.3)
    c = (a * b).tanh() + a.exp() * b.sin() - (a * a + 1).log()
    d = c * c.sigmoid() + (b * b + 0.5).sqrt() / (a.cos() + 2)
    return [a, b], d**2 + a ** V(1.5) + abs(b) * c


def torch_scalar(x: float) -> _T:
    """A float64 leaf tensor that answers to the Value method names used above."""
    return _T(torch.tensor(x, dtype=torch.float64, requires_grad=True))


class _T:
    """A minimal wrapper so the same expression code drives torch (relu/exp/… as methods)."""

    def __init__(self, t):
        self.t = t

    @staticmethod
    def _unwrap(other):
        return other.t if isinstance(other, _T) else other

    def __add__(self, o):
        return _T(self.t + self._unwrap(o))

    __radd__ = __add__

    def __sub__(self, o):
        return _T(self.t - self._unwrap(o))

    def __rsub__(self, o):
        return _T(self._unwrap(o) - self.t)

    def __mul__(self, o):
        return _T(self.t * self._unwrap(o))

    __rmul__ = __mul__

    def __truediv__(self, o):
        return _T(self.t / self._unwrap(o))

    def __rtruediv__(self, o):
        return _T(self._unwrap(o) / self.t)

    def __pow__(self, o):
        return _T(self.t ** self._unwrap(o))

    def __neg__(self):
        return _T(-self.t)

    def __abs__(self):
        return _T(self.t.abs())

    def __getattr__(self, name):
        return lambda: _T(getattr(self.t, name)())


@pytest.mark.parametrize("expression", [sanity_check, more_ops, smooth_ops])
def test_values_and_first_derivatives_match_torch(expression):
    inputs, out = expression(Value)
    out.backward()
    t_inputs, t_out = expression(torch_scalar)
    t_out.t.backward()
    assert out.data == pytest.approx(t_out.t.item(), rel=1e-12)
    for mine, theirs in zip(inputs, t_inputs):
        assert mine.grad == pytest.approx(theirs.t.grad.item(), rel=1e-12)


@pytest.mark.parametrize("expression", [sanity_check, more_ops, smooth_ops])
def test_second_derivatives_match_torch(expression):
    inputs, out = expression(Value)
    first = gradients(out, inputs, create_graph=True)
    t_inputs, t_out = expression(torch_scalar)
    leaves = [t.t for t in t_inputs]
    t_first = torch.autograd.grad(t_out.t, leaves, create_graph=True)
    for i, (mine, theirs) in enumerate(zip(first, t_first)):
        assert mine.data == pytest.approx(theirs.item(), rel=1e-12)
        second = gradients(mine, inputs)
        t_second = torch.autograd.grad(theirs, leaves, retain_graph=True, allow_unused=True)
        for j, (m2, t2) in enumerate(zip(second, t_second)):
            expected = 0.0 if t2 is None else t2.item()
            assert m2 == pytest.approx(expected, rel=1e-10, abs=1e-12), (i, j)


# -- random expression graphs with reuse --------------------------------------------------------

TORCH_FUNCTIONS = {  # the primitives the strategies compute with engine functions, in torch
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
    "leaky_relu": lambda x: torch.nn.functional.leaky_relu(x, 0.01),
    "leaky_relu(0.2)": lambda x: torch.nn.functional.leaky_relu(x, 0.2),
    "abs": torch.abs,
    "sin": torch.sin,
    "cos": torch.cos,
    "sum": lambda x, y, z: x + y + z,
    "dot": lambda a, b, x, y: a * x + b * y,
}


def in_torch(primitive):
    """Operators are the same lambdas for both (`x + y`); named functions map to torch's."""
    return TORCH_FUNCTIONS.get(primitive.name, primitive.engine)


@settings(max_examples=100)
@given(expressions(max_nodes=6))
def test_random_graphs_match_torch_to_second_order(e):
    inputs = [Value(x) for x in e.inputs]
    out = e.fn(*inputs)
    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in e.inputs]
    t_out = e.evaluate_with(leaves, in_torch)
    assert out.data == pytest.approx(t_out.item(), rel=1e-9, abs=1e-12)

    first = gradients(out, inputs, create_graph=True)
    t_first = torch.autograd.grad(t_out, leaves, create_graph=True, allow_unused=True)
    for mine, theirs in zip(first, t_first):
        expected = 0.0 if theirs is None else theirs.item()
        assert mine.data == pytest.approx(expected, rel=1e-9, abs=1e-9)
        if theirs is None or not theirs.requires_grad:
            continue
        second = gradients(mine, inputs)
        t_second = torch.autograd.grad(theirs, leaves, retain_graph=True, allow_unused=True)
        for m2, t2 in zip(second, t_second):
            assert m2 == pytest.approx(0.0 if t2 is None else t2.item(), rel=1e-8, abs=1e-8)
