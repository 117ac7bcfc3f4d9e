"""Smoke tests for benchmarks/: each runs, checks nnlib against its reference before timing, and
reports sane numbers. No timing thresholds: how fast a shared CI machine is on a given day is not
something a test can assert."""
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

import nnlib

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import bench_conv, bench_lstm, bench_mlp, bench_overhead, common  # noqa: E402

OVERHEAD_CASES = {"nnlib", "numpy", "empty_call", "torch"}
CONV_CASES = {f"{shape}/{lib}" for shape in bench_conv.SHAPES for lib in ("nnlib", "torch")}
LSTM_TINY = {"input_size": 3, "hidden_size": 4, "seq_len": 5, "batch": 2}


def _positive_finite(x):
    return isinstance(x, float) and math.isfinite(x) and x > 0


def _check_timings(results, unit, number, repeat):
    """Every case has positive, finite, ordered times from `repeat` batches of `number` calls."""
    for name, r in results.items():
        for key in (f"median_{unit}", f"min_{unit}", f"max_{unit}", "median_s", "min_s"):
            assert _positive_finite(r[key]), (name, key, r[key])
        assert r[f"min_{unit}"] <= r[f"median_{unit}"] <= r[f"max_{unit}"]
        assert (r["number"], r["repeat"]) == (number, repeat)


# ---- per-op overhead -----------------------------------------------------------------------------
def test_overhead_benchmark_measures_every_case_with_positive_finite_times():
    payload = bench_overhead.run(repeat=2, number=3, warmup_s=0.0)

    assert set(payload["results"]) == OVERHEAD_CASES
    _check_timings(payload["results"], "us", number=3, repeat=2)
    expected_ratios = {"nnlib/numpy", "nnlib/torch", "torch/numpy"}
    for kind in ("ratios", "ratios_min"):
        assert set(payload[kind]) == expected_ratios
        assert all(_positive_finite(v) for v in payload[kind].values())
    assert isinstance(payload["target"]["met"], bool)
    assert payload["machine"]["cpu_model"] and payload["machine"]["numpy"]
    json.dumps(payload)  # the payload must be JSON-serialisable as it is


def test_overhead_benchmark_cli_prints_a_table_and_writes_json(tmp_path, capsys):
    out = tmp_path / "overhead.json"
    status = bench_overhead.main(["--repeat", "1", "--number", "2", "--json", str(out)])

    assert status == 0  # without --check, a missed target is reported, not an error
    printed = capsys.readouterr().out
    assert "| case |" in printed and "course target" in printed
    assert set(json.loads(out.read_text())["results"]) == OVERHEAD_CASES


def test_table_ratios_are_relative_to_the_baseline():
    results = {"slow": {"median_s": 3e-6, "min_s": 2e-6, "number": 1, "repeat": 1},
               "fast": {"median_s": 1e-6, "min_s": 1e-6, "number": 1, "repeat": 1}}
    assert common.ratio(results, "slow", "fast") == 3.0
    table = common.format_table(results, baseline="fast")
    assert "| slow | 3.000 | 2.000 | 1 x 1 | 3.00x |" in table


# ---- MLP training step -----------------------------------------------------------------------------
def test_mlp_benchmark_runs_all_three_and_checks_they_agree():
    payload = bench_mlp.run(batches=(8,), repeat=1, number=1, warmup_s=0.0)
    results = payload["results"]["batch 8"]
    assert set(results) == {"numpy", "nnlib", "torch"}
    assert all(_positive_finite(r["median_ms"]) for r in results.values())
    assert _positive_finite(payload["ratios"]["batch 8"]["nnlib/numpy"])


# ---- convolution -------------------------------------------------------------------------------------
def test_conv_benchmark_measures_both_libraries_on_both_shapes():
    payload = bench_conv.run(repeat=2, number=1, warmup_s=0.0)

    assert set(payload["results"]) == CONV_CASES
    _check_timings(payload["results"], "ms", number=1, repeat=2)
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
    assert set(json.loads(out.read_text())["results"]) == CONV_CASES


def test_benchmark_refuses_to_time_a_conv2d_with_wrong_gradients(monkeypatch):
    conv2d = nnlib.nn.functional.conv2d
    monkeypatch.setattr(nnlib.nn.functional, "conv2d", lambda x, w, b, padding: conv2d(x, w * 1.01, b, padding=padding))
    with pytest.raises(AssertionError, match=r"digits: nnlib's input gradient differs from torch's"):
        bench_conv.make_cases(bench_conv.common.import_torch())


# ---- LSTM -----------------------------------------------------------------------------------------------
def test_lstm_benchmark_times_both_libraries_and_reports_the_ratio():
    payload = bench_lstm.run(repeat=2, number=2, warmup_s=0.0, sizes=LSTM_TINY)

    assert set(payload["results"]) == {"nnlib", "torch"}
    _check_timings(payload["results"], "ms", number=2, repeat=2)
    ratio = payload["ratios"]["nnlib/torch"]
    assert ratio == pytest.approx(payload["results"]["nnlib"]["median_s"] / payload["results"]["torch"]["median_s"])
    assert payload["target"]["met"] == (ratio <= 3.0)
    assert payload["sizes"] == LSTM_TINY
    json.dumps(payload)  # JSON-serialisable as it is


def test_both_steps_compute_the_same_loss_and_gradients():
    torch = bench_lstm.common.import_torch()
    cases = bench_lstm.make_cases(torch, LSTM_TINY, seed=3)  # raises if the losses or gradients disagree
    loss, loss_t = cases["nnlib"]().item(), cases["torch"]().item()
    assert loss == pytest.approx(loss_t, rel=1e-5)
    assert loss > 0


def test_the_agreement_check_catches_a_different_step(monkeypatch):
    original = bench_lstm.make_step

    def wrong_step(lib, model, x, target):
        return original(lib, model, x * 2 if lib.__name__ == "nnlib" else x, target)
    monkeypatch.setattr(bench_lstm, "make_step", wrong_step)
    with pytest.raises(AssertionError, match="differs from torch's"):
        bench_lstm.make_cases(bench_lstm.common.import_torch(), LSTM_TINY)


def test_lstm_benchmark_cli_prints_a_table_and_writes_json(tmp_path, capsys):
    out = tmp_path / "lstm.json"
    status = bench_lstm.main(["--repeat", "1", "--number", "1", "--json", str(out)])

    assert status == 0  # without --check, a missed target is reported, not an error
    printed = capsys.readouterr().out
    assert "| case |" in printed and "course target: nnlib <= 3x torch" in printed
    saved = json.loads(out.read_text())
    assert set(saved["results"]) == {"nnlib", "torch"}
    assert saved["sizes"] == {"input_size": 128, "hidden_size": 128, "seq_len": 64, "batch": 32}
    assert np.isfinite(saved["ratios"]["nnlib/torch"])
