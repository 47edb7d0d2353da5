"""glassgrad's neural networks, built only from autograd Values: no hand-written backward anywhere."""

# -- layers, losses, optimizers: module.py, layers.py, functional.py, losses.py, optim.py --
from . import functional
from .layers import MLP, Layer, Linear, Neuron
from .module import IncompatibleKeys, ModelFileError, Module, load, load_state

# -- metrics, data, training, plots: metrics.py, data.py, train.py, plot.py --
