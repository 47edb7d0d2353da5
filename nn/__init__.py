"""glassgrad's neural networks, built only from autograd Values: no hand-written backward anywhere."""

# -- layers, losses, optimizers: module.py, layers.py, functional.py, losses.py, optim.py --

# -- metrics, data, training, plots: metrics.py, data.py, train.py, plot.py --
