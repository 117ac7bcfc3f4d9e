"""Smoke test for benchmarks/bench_lstm.py: it runs, both libraries compute the same step, and it
reports sane numbers. No timing thresholds: a shared CI machine's speed is not a test's business."""
import json
import math
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import bench_lstm  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

TINY = {"input_size": 3, "hidden_size": 4, "seq_len": 5, "batch": 2}


def _positive_finite(x):
    return isinstance(x, float) and math.isfinite(x) and x > 0


def test_lstm_benchmark_times_both_libraries_and_reports_the_ratio():
    payload = bench_lstm.run(repeat=2, number=2, warmup_s=0.0, sizes=TINY)

    assert set(payload["results"]) == {"nnlib", "torch"}
    for name, r in payload["results"].items():
        for key in ("median_ms", "min_ms", "max_ms", "median_s", "min_s"):
            assert _positive_finite(r[key]), (name, key, r[key])
        assert r["min_ms"] <= r["median_ms"] <= r["max_ms"]
        assert (r["number"], r["repeat"]) == (2, 2)
    ratio = payload["ratios"]["nnlib/torch"]
    assert ratio == pytest.approx(payload["results"]["nnlib"]["median_s"] / payload["results"]["torch"]["median_s"])
    assert payload["target"]["met"] == (ratio <= 3.0)
    assert payload["sizes"] == TINY
    json.dumps(payload)  # JSON-serialisable as it is


def test_both_steps_compute_the_same_loss_and_gradients():
    torch = bench_lstm.common.import_torch()
    cases = bench_lstm.make_cases(torch, TINY, seed=3)  # raises if the losses or gradients disagree
    loss, loss_t = cases["nnlib"]().item(), cases["torch"]().item()
    assert loss == pytest.approx(loss_t, rel=1e-5)
    assert loss > 0


def test_the_agreement_check_catches_a_different_step(monkeypatch):
    original = bench_lstm.make_step

    def wrong_step(lib, model, x, target):
        return original(lib, model, x * 2 if lib.__name__ == "nnlib" else x, target)
    monkeypatch.setattr(bench_lstm, "make_step", wrong_step)
    with pytest.raises(AssertionError, match="differs from torch's"):
        bench_lstm.make_cases(bench_lstm.common.import_torch(), TINY)


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
