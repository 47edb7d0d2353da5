"""Real small data sets shipped with glassgrad (read with `nn.load_digits()` / `nn.load_names()`).

- `digits.csv.gz`: the test set of the UCI "Optical Recognition of Handwritten Digits" data set
  (E. Alpaydin and C. Kaynak, 1998), as scikit-learn ships it; CC BY 4.0 (see NOTICE).
- `names.txt`: makemore's 32,033 first names; MIT licence, © 2022 Andrej Karpathy (names.LICENSE).

The files are unchanged copies; their sha256 sums are checked on every load.
"""
