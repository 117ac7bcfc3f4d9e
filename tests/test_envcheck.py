"""Tests for coursetools.envcheck (chapter 00's environment check and device selection)."""
import sys

import pytest
import torch
from packaging.requirements import Requirement

from coursetools import REPO, envcheck
from coursetools.envcheck import (check_environment, describe_device, format_check, pick_device,
                                  read_requirements, versions_match)


def _pins_by_hand():
    """The pins that apply to this interpreter, parsed by packaging rather than by envcheck's parser."""
    pins = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate():
                assert req.name not in pins, f"two pins of {req.name} apply to this Python"
                (spec,) = req.specifier
                pins[req.name] = spec.version
    return pins


def test_required_reads_every_pin_from_requirements_txt():
    assert dict(envcheck.REQUIRED) == _pins_by_hand()
    assert ("torch", "2.13.0") in envcheck.REQUIRED
    assert ("numpy", "2.2.6" if sys.version_info < (3, 11) else "2.4.6") in envcheck.REQUIRED
    assert len(envcheck.REQUIRED) == len(_pins_by_hand()) >= 10


def test_parser_skips_comments_blanks_and_unpinned_lines(tmp_path):
    req = tmp_path / "requirements.txt"
    req.write_text("# a comment\n\nnumpy==2.4.6  # trailing comment\nrequests>=2\n"
                   "  torch == 2.13.0\nscikit-learn==1.9.1\n-e .\n")
    assert read_requirements(req) == [("numpy", "2.4.6"), ("torch", "2.13.0"), ("scikit-learn", "1.9.1")]


def test_parser_keeps_only_the_pins_whose_marker_holds(tmp_path):
    req = tmp_path / "requirements.txt"
    req.write_text('numpy==2.2.6; python_version < "3.11"\nnumpy==2.4.6 ; python_version >= "3.11"  # new\n'
                   "torch==2.13.0\n")
    assert read_requirements(req, {"python_version": "3.10"}) == [("numpy", "2.2.6"), ("torch", "2.13.0")]
    assert read_requirements(req, {"python_version": "3.11"}) == [("numpy", "2.4.6"), ("torch", "2.13.0")]
    assert read_requirements(req, {"python_version": "3.13"}) == [("numpy", "2.4.6"), ("torch", "2.13.0")]
    here = "2.2.6" if sys.version_info < (3, 11) else "2.4.6"
    assert read_requirements(req) == [("numpy", here), ("torch", "2.13.0")]


@pytest.mark.parametrize("required, installed, ok", [
    ("2.13.0", "2.13.0", True),
    ("2.13.0", "2.13.0+cpu", True),
    ("2.13.0", "2.13.0+cu128", True),
    ("2.13.0", "2.12.1", False),
    ("2.13.0", "2.13.1", False),
    ("2.13.0", "2.13.0rc1", False),
    ("2.13.0", None, False),
])
def test_versions_match(required, installed, ok):
    assert versions_match(required, installed) is ok


def test_check_environment_flags_wrong_and_missing_versions():
    installed = {"numpy": "2.4.6", "torch": "2.13.0+cpu", "tqdm": "4.0.0"}
    rows = check_environment([("numpy", "2.4.6"), ("torch", "2.13.0"), ("tqdm", "4.70.1"), ("nbval", "0.11.0")],
                             version_of=installed.get)
    assert [(r.package, r.installed, r.ok) for r in rows] == [
        ("numpy", "2.4.6", True), ("torch", "2.13.0+cpu", True), ("tqdm", "4.0.0", False), ("nbval", None, False)]
    text = format_check(rows)
    assert "Python " in text
    assert "2 of 4 packages OK" in text
    lines = {line.split()[0]: line for line in text.splitlines() if line.strip()}
    assert lines["numpy"].rstrip().endswith("OK") and lines["torch"].rstrip().endswith("OK")
    assert lines["tqdm"].rstrip().endswith("FAIL") and lines["nbval"].rstrip().endswith("FAIL")
    assert "not installed" in lines["nbval"]


def test_check_environment_default_uses_requirements_and_real_lookup(monkeypatch):
    monkeypatch.setattr(envcheck, "installed_version", lambda name: "0.0.1")
    rows = check_environment()
    assert [r.package for r in rows] == [name for name, _ in envcheck.REQUIRED]
    assert [r.installed for r in rows] == ["0.0.1"] * len(rows)
    assert not any(r.ok for r in rows)
    assert f"0 of {len(rows)} packages OK" in format_check(rows)


def test_installed_version_of_a_missing_package_is_none():
    assert envcheck.installed_version("surely-not-an-installed-package-xyz") is None


def test_installed_version_of_numpy_is_real():
    import numpy
    assert envcheck.installed_version("numpy") == numpy.__version__


def test_pick_device_cpu_when_nothing_available(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    device = pick_device()
    assert isinstance(device, torch.device) and device.type == "cpu"
    assert describe_device(device).startswith("cpu")


def test_pick_device_prefers_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert pick_device() == torch.device("cuda")


def test_pick_device_mps_when_no_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert pick_device() == torch.device("mps")


def test_pick_device_agrees_with_this_machine():
    device = pick_device()
    x = torch.ones(2, 2, device=device)
    assert (x @ x).sum().item() == 8.0
    assert describe_device().split(":")[0] == device.type
