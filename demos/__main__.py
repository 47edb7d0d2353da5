"""`python -m demos` lists the demos."""

from demos import DEMOS

print("glassgrad demos: run one with  python -m demos.NAME  [--quick] [--out DIR]\n")
for name, what in DEMOS.items():
    print(f"  {name:<17} {what}")
