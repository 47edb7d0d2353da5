"""glassgrad's neural networks, built only from autograd Values."""
