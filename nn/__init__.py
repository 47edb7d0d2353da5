"""glassgrad's neural networks, built only from autograd Values: no hand-written backward anywhere."""

# -- layers, losses, optimizers: module.py, layers.py, functional.py, losses.py, optim.py --
from . import functional, losses, optim
from .functional import log_softmax, softmax
from .layers import MLP, Layer, Linear, Neuron
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    l2,
    mse_loss,
)
from .module import IncompatibleKeys, ModelFileError, Module, load, load_state
from .optim import SGD, Adam, AdamW, CosineAnnealing, LinearDecay, StepLR

# -- metrics, data, training, plots: metrics.py, data.py, train.py, plot.py --
