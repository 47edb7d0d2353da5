"""glassgrad's neural networks, built from autograd Values: no hand-written backward anywhere."""

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
from .optim import SGD, Adam, AdamW, CosineAnnealing, LinearDecay, LRFunction, StepLR

# -- metrics, data, training, plots: metrics.py, data.py, train.py, plot.py --
# isort: split
from . import data, metrics, train
from .data import (
    DatasetError,
    batches,
    load_digits,
    load_names,
    make_blobs,
    make_circles,
    make_moons,
    make_spirals,
    make_xor,
    train_test_split,
)
from .metrics import (
    accuracy,
    classification_report,
    confusion_matrix,
    f1_score,
    precision,
    recall,
)
from .train import History, evaluate, fit, predict, predict_classes, train_step

# -- a GPT made of scalars, and the way to PyTorch: attention.py, torch.py --
# isort: split
from . import attention
from .attention import (
    GPT,
    CausalSelfAttention,
    CharTokenizer,
    Embedding,
    KVCache,
    LayerNorm,
    RMSNorm,
    generate,
    sample,
)


def __getattr__(name: str) -> object:
    """`nn.plot` is imported on first use: matplotlib is an optional extra."""
    if name == "plot":
        import importlib

        return importlib.import_module(".plot", __name__)
    if name in ("to_torch", "from_torch"):  # torch is an optional extra, imported on first use
        from . import torch as graduation

        return getattr(graduation, name)
    raise AttributeError(f"module 'nn' has no attribute {name!r}")
