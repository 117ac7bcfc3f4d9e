"""The set-up promises: nnlib needs NumPy only, and versions are pinned in one place."""
import re
import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

REPO = Path(__file__).resolve().parent.parent  # the repository root (library tests import nothing from coursetools)

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: tomllib is new in 3.11; pytest itself depends on tomli there
    import tomli as tomllib

SUPPORTED_PYTHONS = ("3.10", "3.11", "3.12", "3.13")  # the README's promise; 3.10 and 3.13 are tested


def test_nnlib_imports_without_torch_or_other_packages():
    code = ("import sys, nnlib; x = nnlib.tensor([1.0], requires_grad=True); (x * x).sum().backward(); "
            "heavy = sorted(m for m in ('torch', 'matplotlib', 'sklearn', 'scipy', 'pandas') if m in sys.modules); "
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_nnlib_declares_numpy_as_its_only_dependency():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert [re.split(r"[<>=!~ ]", d)[0] for d in project["dependencies"]] == ["numpy"]


def _requirements():
    lines = [l.split("#")[0].strip() for l in (REPO / "requirements.txt").read_text().splitlines()]
    return [(line, Requirement(line)) for line in lines if line]


def _pins_for(python_version):
    """{name: version} of the pins that apply on `python_version`; each package exactly once."""
    pins = {}
    for line, req in _requirements():
        if req.marker is None or req.marker.evaluate({"python_version": python_version,
                                                      "python_full_version": python_version + ".0"}):
            assert req.name not in pins, f"two pins of {req.name} apply on Python {python_version}: {line!r}"
            pins[req.name] = next(iter(req.specifier)).version
    return pins


def test_every_requirement_is_an_exact_pin_with_at_most_a_python_version_marker():
    for line, req in _requirements():
        specs = list(req.specifier)
        assert len(specs) == 1 and specs[0].operator == "==" and "*" not in specs[0].version, \
            f"{line!r}: every line must be name==version (optionally ; python_version ...)"
        assert not req.extras and req.url is None, f"{line!r}: no extras or URLs"
        if req.marker is not None:
            assert set(re.findall(r"[a-z_]+(?= *[<>=!])", str(req.marker))) == {"python_version"}, \
                f"{line!r}: markers may only name python_version"


def test_every_supported_python_gets_one_exact_pin_of_every_package_and_torch_2_13_0():
    names = {req.name for _, req in _requirements()}
    for python_version in SUPPORTED_PYTHONS:
        pins = _pins_for(python_version)
        assert set(pins) == names, f"Python {python_version} gets no pin of {sorted(names - set(pins))}"
        assert pins["torch"] == "2.13.0"
        for needed in ("jupyterlab", "numpy", "matplotlib", "nbval", "pytest", "scikit-learn", "tqdm", "ipykernel",
                       "hypothesis", "nbgrader", "nbclient"):
            assert needed in pins, f"{needed} is not pinned in requirements.txt"


def test_supported_pythons_agree_with_pyproject_and_the_makefile_check():
    requires = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    oldest = SUPPORTED_PYTHONS[0]
    major, minor = oldest.split(".")
    assert all(SpecifierSet(requires).contains(v) for v in SUPPORTED_PYTHONS)
    assert not SpecifierSet(requires).contains(f"{major}.{int(minor) - 1}"), f"requires-python {requires}, oldest {oldest}"
    makefile = (REPO / "Makefile").read_text()
    assert f"sys.version_info < ({major}, {minor})" in makefile and f"Python {oldest} or newer" in makefile


def test_environment_yml_takes_its_pins_from_requirements_txt():
    text = (REPO / "environment.yml").read_text()
    assert "-r requirements.txt" in text and "==" not in text
