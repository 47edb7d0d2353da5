"""Side-by-side timings of glassgrad against micrograd, PyTorch and a hand-written pure-Python
floor, on the same data and initial weights (checksums must agree). Run `python -m benchmarks`."""
