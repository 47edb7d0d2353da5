"""glassgrad's engine: a scalar reverse-mode autodiff you can see through.

Note: HIPS autograd on PyPI also installs a package named `autograd`; install one or the other.
"""

# value first: it imports the op table at its end
from .value import Op, Value  # noqa: I001

from .functional import derivative, grad, gradients, hessian, value_and_grad
from .mode import (
    detect_anomaly,
    enable_grad,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .ops import (
    REGISTRY,
    abs,
    cos,
    dot,
    exp,
    leaky_relu,
    log,
    primitive,
    relu,
    sigmoid,
    sin,
    sqrt,
    sum_values,
    tanh,
)

# -- gradient checking: check.py, strategies.py --
from .check import GradcheckError, gradcheck, gradgradcheck, numerical_grad

# -- seeing the math: draw.py, steps.py --
from .draw import draw_dot, draw_graph
from .steps import Step, explain, explanation, steps

# -- the interactive viewer: viewer/ --
from .viewer import View, view

# -- vectors and matrices: linalg.py --
from . import linalg

# -- compile.py --
from .compile import compile, compile_graph  # autograd.compile shadows the builtin here only
