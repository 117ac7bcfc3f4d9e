"""Smoke tests for benchmarks/: they run and report sane numbers. No timing thresholds here:
how fast a shared CI machine is on a given day is not something a test can assert."""
import importlib.util
import json
import math
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import bench_overhead, common  # noqa: E402

HAS_TORCH = importlib.util.find_spec("torch") is not None
CASES = {"nnlib", "numpy", "empty_call"} | ({"torch"} if HAS_TORCH else set())


def _positive_finite(x):
    return isinstance(x, float) and math.isfinite(x) and x > 0


def test_overhead_benchmark_measures_every_case_with_positive_finite_times():
    payload = bench_overhead.run(repeat=2, number=3, warmup_s=0.0)

    assert set(payload["results"]) == CASES
    for name, r in payload["results"].items():
        for key in ("median_us", "min_us", "max_us", "median_s", "min_s"):
            assert _positive_finite(r[key]), (name, key, r[key])
        assert r["min_us"] <= r["median_us"] <= r["max_us"]
        assert (r["number"], r["repeat"]) == (3, 2)
    expected_ratios = {"nnlib/numpy"} | ({"nnlib/torch", "torch/numpy"} if HAS_TORCH else set())
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
    assert set(json.loads(out.read_text())["results"]) == CASES


def test_table_ratios_are_relative_to_the_baseline():
    results = {"slow": {"median_s": 3e-6, "min_s": 2e-6, "number": 1, "repeat": 1},
               "fast": {"median_s": 1e-6, "min_s": 1e-6, "number": 1, "repeat": 1}}
    assert common.ratio(results, "slow", "fast") == 3.0
    table = common.format_table(results, baseline="fast")
    assert "| slow | 3.000 | 2.000 | 1 x 1 | 3.00x |" in table


def test_mlp_benchmark_runs_all_three_and_checks_they_agree():
    from benchmarks import bench_mlp
    payload = bench_mlp.run(batches=(8,), repeat=1, number=1, warmup_s=0.0, use_torch=HAS_TORCH)
    results = payload["results"]["batch 8"]
    assert set(results) == {"numpy", "nnlib"} | ({"torch"} if HAS_TORCH else set())
    assert all(_positive_finite(r["median_ms"]) for r in results.values())
    assert _positive_finite(payload["ratios"]["batch 8"]["nnlib/numpy"])
