"""Smoke tests for benchmarks/bench_conv.py: it runs, checks nnlib's gradients against torch's, and
reports sane numbers. No timing thresholds: a shared CI machine's speed is not something to assert."""
import json
import math
import sys
from pathlib import Path

import pytest

import nnlib

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import bench_conv  # noqa: E402

CASES = {f"{shape}/{lib}" for shape in bench_conv.SHAPES for lib in ("nnlib", "torch")}


def _positive_finite(x):
    return isinstance(x, float) and math.isfinite(x) and x > 0


def test_conv_benchmark_measures_both_libraries_on_both_shapes():
    payload = bench_conv.run(repeat=2, number=1, warmup_s=0.0)

    assert set(payload["results"]) == CASES
    for name, r in payload["results"].items():
        for key in ("median_ms", "min_ms", "max_ms", "median_s", "min_s"):
            assert _positive_finite(r[key]), (name, key, r[key])
        assert r["min_ms"] <= r["median_ms"] <= r["max_ms"]
        assert (r["number"], r["repeat"]) == (1, 2)
    assert set(payload["targets"]) == {"digits", "cifar"}
    for name, t in payload["targets"].items():
        expected = payload["results"][f"{name}/nnlib"]["median_s"] / payload["results"][f"{name}/torch"]["median_s"]
        assert math.isclose(t["ratio"], expected)
        assert t["met"] == (t["ratio"] <= t["ratio_max"])
    assert (payload["targets"]["digits"]["ratio_max"], payload["targets"]["cifar"]["ratio_max"]) == (1.0, 2.0)
    json.dumps(payload)  # the payload must be JSON-serialisable as it is


def test_conv_benchmark_cli_prints_the_ratio_table_and_writes_json(tmp_path, capsys):
    out = tmp_path / "conv.json"
    status = bench_conv.main(["--repeat", "1", "--number", "1", "--json", str(out)])

    assert status == 0  # without --check, a missed target is reported, not an error
    printed = capsys.readouterr().out
    assert "| shape | nnlib / torch (median) |" in printed
    assert "| 64x3x32x32 -> 16, 3x3, padding 1 |" in printed and "| 64x1x8x8 -> 16, 3x3, padding 1 |" in printed
    assert set(json.loads(out.read_text())["results"]) == CASES


def test_benchmark_refuses_to_time_a_conv2d_with_wrong_gradients(monkeypatch):
    conv2d = nnlib.nn.functional.conv2d
    monkeypatch.setattr(nnlib.nn.functional, "conv2d", lambda x, w, b, padding: conv2d(x, w * 1.01, b, padding=padding))
    with pytest.raises(AssertionError, match=r"digits: nnlib's input gradient differs from torch's"):
        bench_conv.make_cases(bench_conv.common.import_torch())
