"""Course tooling (not part of nnlib): run notebooks, generate exercises, grade them.

    python -m coursetools execute notebooks/03_autograd.ipynb      # re-run a chapter, store outputs
    python -m coursetools exercises                                 # regenerate exercises/ from solutions/
    python -m coursetools grade exercises/03_autograd.ipynb         # grade one exercise notebook
    python -m coursetools gradebook submissions/ --out grades.csv   # grade a folder (instructors)
    python -m coursetools release ../course-release                 # what students receive (no solutions)
    python -m coursetools test-gpu                                  # run the chapters' PyTorch parts on a GPU
    python -m coursetools lab-settings                              # install the course's JupyterLab settings

`python -m coursetools exercises --check [--strict]` says whether exercises/ is up to date.
"""
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
