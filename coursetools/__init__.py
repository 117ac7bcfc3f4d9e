"""Course tooling (not part of nnlib): run notebooks, generate exercises, grade them.

    python -m coursetools execute notebooks/03_autograd.ipynb      # re-run a chapter, store outputs
    python -m coursetools exercises                                 # regenerate exercises/ from solutions/
    python -m coursetools grade exercises/03_autograd.ipynb         # grade one exercise notebook
    python -m coursetools gradebook submissions/ --out grades.csv   # grade a folder (instructors)
"""
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
