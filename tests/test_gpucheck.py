"""make test-gpu: its verdicts, the device log that pick_device() writes, and what it says without a GPU."""
import os
import subprocess
import sys

from coursetools import REPO
from coursetools.envcheck import DEVICE_LOG_ENV, pick_device
from coursetools.gpucheck import ChapterRun


def test_a_chapter_passes_only_if_every_pick_device_chose_the_gpu_and_the_gpu_did_work():
    assert ChapterRun("04.ipynb", 12.0, ["cuda", "cuda"], 5 * 2**20).verdict("cuda") == (
        True, "ran on cuda (2 pick_device() call(s), peak 5.0 MiB)")
    assert ChapterRun("04.ipynb", 12.0, ["cuda", "cpu"], 5 * 2**20).verdict("cuda") == (
        False, "pick_device() returned cpu instead of cuda")
    passed, reason = ChapterRun("04.ipynb", 12.0, ["cuda"], 0).verdict("cuda")
    assert not passed and "stayed on the CPU" in reason
    assert ChapterRun("00.ipynb", 3.0, [], 0).verdict("cuda") == (True, "no PyTorch device part (pick_device() is never called)")
    passed, reason = ChapterRun("05.ipynb", 1.0, ["cuda"], 10, error="CellExecutionError: boom").verdict("cuda")
    assert not passed and reason == "the notebook failed: CellExecutionError: boom"


def test_pick_device_logs_its_choice_when_asked(tmp_path, monkeypatch):
    log = tmp_path / "devices.log"
    monkeypatch.setenv(DEVICE_LOG_ENV, str(log))
    device = pick_device()
    pick_device()
    assert log.read_text().split() == [device.type, device.type]
    monkeypatch.delenv(DEVICE_LOG_ENV)
    pick_device()
    assert log.read_text().split() == [device.type, device.type]


def test_without_a_gpu_it_says_so_plainly_and_succeeds():
    hide_gpus = dict(os.environ, CUDA_VISIBLE_DEVICES="")  # as on a CPU-only machine, even on a GPU one
    result = subprocess.run([sys.executable, "-m", "coursetools", "test-gpu"], cwd=REPO, capture_output=True,
                            text=True, timeout=120, env=hide_gpus)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("No GPU here: torch sees neither a CUDA GPU nor Apple's MPS")
