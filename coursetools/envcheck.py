"""Environment check for chapter 00: are the pinned packages installed, and which device will torch use?

    from coursetools.envcheck import check_environment, format_check, pick_device
    print(format_check(check_environment()))
    device = pick_device()          # cuda -> mps -> cpu

The pinned versions are read from requirements.txt at the repository root, the one place they are
written down; a pin with an environment marker (`numpy==2.2.6; python_version < "3.11"`) counts only
where its marker holds. This lives in coursetools, not nnlib, because nnlib must depend on NumPy only.
"""
import importlib.metadata
import os
import platform
import re
from pathlib import Path
from typing import NamedTuple

from packaging.markers import Marker

from . import REPO

REQUIREMENTS = REPO / "requirements.txt"

_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;#]+)\s*(?:;(.*))?")


class CheckRow(NamedTuple):
    package: str
    required: str
    installed: "str | None"
    ok: bool


def read_requirements(path=REQUIREMENTS, environment=None):
    """Return [(name, version), ...] for every `name==version` line of a requirements file, in order.

    A line with an environment marker (`name==version; python_version < "3.11"`) is kept only when the
    marker holds for this interpreter, or for `environment` (a dict such as {"python_version": "3.10"}
    that overrides this interpreter's values). Comments, blank lines and lines without an exact `==`
    pin are skipped.
    """
    pins = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        match = _PIN.match(line.split("#", 1)[0])
        if not match:
            continue
        marker = (match.group(3) or "").strip()
        if not marker or Marker(marker).evaluate(environment):
            pins.append((match.group(1), match.group(2)))
    return pins


REQUIRED = read_requirements()
"""The (package, version) pins from requirements.txt, read when this module is imported."""


def versions_match(required, installed):
    """True when `installed` is the `required` release; a local label is ignored (2.13.0+cpu == 2.13.0)."""
    if installed is None:
        return False
    return installed.split("+", 1)[0] == required.split("+", 1)[0]


def installed_version(package):
    """The installed distribution's version, or None when it is not installed."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def check_environment(required=None, version_of=None):
    """Compare each pinned package with what is installed; return a list of CheckRow.

    `required` defaults to the pins in requirements.txt; `version_of(name)` looks up an installed
    version (replaceable in tests).
    """
    version_of = version_of or installed_version
    rows = []
    for package, version in (REQUIRED if required is None else required):
        found = version_of(package)
        rows.append(CheckRow(package, version, found, versions_match(version, found)))
    return rows


def format_check(rows):
    """A plain-text table of the check: one line per package with OK or FAIL, plus the Python version."""
    width = max([len("package")] + [len(r.package) for r in rows])
    lines = [f"Python {platform.python_version()} ({platform.python_implementation()})", "",
             f"{'package':<{width}}  {'required':<12}  {'installed':<16}  status"]
    for r in rows:
        lines.append(f"{r.package:<{width}}  {r.required:<12}  {r.installed or 'not installed':<16}  "
                     f"{'OK' if r.ok else 'FAIL'}")
    failed = [r.package for r in rows if not r.ok]
    lines += ["", f"{len(rows) - len(failed)} of {len(rows)} packages OK"
              + (f"; fix: pip install -r requirements.txt (failing: {', '.join(failed)})" if failed else "")]
    return "\n".join(lines)


DEVICE_LOG_ENV = "COURSETOOLS_DEVICE_LOG"  # `make test-gpu` sets it to a file: each pick_device() call adds a line


def pick_device():
    """The best available torch device: cuda if a CUDA GPU is usable, else mps (Apple GPU), else cpu."""
    import torch
    if torch.cuda.is_available():
        device = torch.device("cuda")
    else:
        mps = getattr(torch.backends, "mps", None)
        device = torch.device("mps") if mps is not None and mps.is_available() else torch.device("cpu")
    log = os.environ.get(DEVICE_LOG_ENV)
    if log:  # so that `make test-gpu` can tell a chapter that ran on the GPU from one that silently did not
        with open(log, "a") as f:
            f.write(device.type + "\n")
    return device


def describe_device(device=None):
    """One line saying which device torch will use, with the GPU's name when it is cuda."""
    import torch
    device = torch.device(device) if device is not None else pick_device()
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        props = torch.cuda.get_device_properties(index)
        return (f"cuda:{index}: {props.name}, {props.total_memory / 2**30:.1f} GiB "
                f"(CUDA {torch.version.cuda}, torch {torch.__version__})")
    if device.type == "mps":
        return f"mps: Apple GPU via Metal (torch {torch.__version__})"
    threads = torch.get_num_threads()
    return f"cpu: {platform.processor() or platform.machine()}, {threads} thread{'s' * (threads != 1)} (torch {torch.__version__})"
