"""glassgrad's engine: a scalar reverse-mode autodiff you can see through.

Every primitive is a row of the op table (`autograd.ops.REGISTRY`); `autograd.tanh`,
`autograd.exp`, … are those rows (floats in, float out; Values in, a Value out), found by name,
so a primitive added with `autograd.primitive(...)` is `autograd.<name>` at once.

Note: HIPS autograd on PyPI also installs a package named `autograd`; install one or the other.
"""

# value first: it imports the op table at its end
from .value import Scalar, Value  # noqa: I001

from .ops import REGISTRY, Op, dot, primitive, rule_text, sum_values
from .functional import derivative, grad, gradients, hessian, value_and_grad
from .mode import (
    detect_anomaly,
    enable_grad,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)

# -- gradient checking: check.py, strategies.py --
from .check import GradcheckError, gradcheck, gradgradcheck, numerical_grad

# -- seeing the math: draw.py, steps.py --
from .draw import draw_dot, draw_graph
from .steps import Step, explain, explanation, steps

# -- vectors and matrices: linalg.py --
from . import linalg

# -- compile.py --
from .compile import compile, compile_graph  # autograd.compile shadows the builtin here only


def __getattr__(name: str) -> Op:
    """`autograd.tanh`, `autograd.exp`, … and any primitive added since: the op table's rows.

    (`autograd.view` is the interactive viewer's entry point, imported when first used.)
    """
    if name == "view":  # the viewer's package, imported on first use
        from importlib import import_module

        view: Op = import_module(".viewer", __name__).view
        return view
    row = REGISTRY.get(name)
    if row is None or not name.isidentifier():
        raise AttributeError(f"module 'autograd' has no attribute {name!r}")
    return row


def __dir__() -> list[str]:
    return sorted({*globals(), *(name for name in REGISTRY if name.isidentifier())})
