"""Side-by-side timings of glassgrad against micrograd, PyTorch and a hand-written pure-Python
floor, on the same data and initial weights (checksums must agree). Run `python -m benchmarks`."""

import os

# NumPy's and torch's thread pools fight over 2 cores: every peer runs on one thread (set before
# NumPy is first imported; torch_peers calls torch.set_num_threads(1)).
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
