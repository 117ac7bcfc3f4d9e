"""The set-up promises: nnlib needs NumPy only, and versions are pinned in one place."""
import re
import subprocess
import sys
import tomllib

from coursetools import REPO


def test_nnlib_imports_without_torch_or_other_packages():
    code = ("import sys, nnlib; x = nnlib.tensor([1.0], requires_grad=True); (x * x).sum().backward(); "
            "heavy = sorted(m for m in ('torch', 'matplotlib', 'sklearn', 'scipy', 'pandas') if m in sys.modules); "
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_nnlib_declares_numpy_as_its_only_dependency():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert [re.split(r"[<>=!~ ]", d)[0] for d in project["dependencies"]] == ["numpy"]


def test_every_requirement_is_pinned_and_torch_is_2_13_0():
    lines = [l.split("#")[0].strip() for l in (REPO / "requirements.txt").read_text().splitlines()]
    pins = dict(l.split("==") for l in lines if l)
    assert all(pins.values()) and len(pins) == len([l for l in lines if l]), "every line must be name==version"
    assert pins["torch"] == "2.13.0"
    for needed in ("jupyterlab", "numpy", "matplotlib", "nbval", "pytest", "scikit-learn", "tqdm", "ipykernel",
                   "hypothesis", "nbgrader", "nbclient"):
        assert needed in pins, f"{needed} is not pinned in requirements.txt"


def test_environment_yml_takes_its_pins_from_requirements_txt():
    text = (REPO / "environment.yml").read_text()
    assert "-r requirements.txt" in text and "==" not in text
