"""`make test-gpu`: run every chapter notebook with its PyTorch parts on the GPU, and check that they did.

A chapter's PyTorch part picks its device with `pick_device()` (cuda, then mps, then cpu). On a machine
with a GPU this runs each notebook in a fresh kernel and checks two things, so that a chapter cannot
pass by silently staying on the CPU:

1. every `pick_device()` call in the notebook returned the GPU (each call writes its answer to a log
   file named by the COURSETOOLS_DEVICE_LOG environment variable), and
2. the GPU did work: a cell appended after the notebook's last cell reads the peak GPU memory that
   torch allocated, which must be above zero.

A chapter that never calls `pick_device()` has no PyTorch device part, and is reported as such. On a
machine without a GPU the command says so plainly and checks nothing (`make test` has already run
every chapter on the CPU).
"""
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from .envcheck import DEVICE_LOG_ENV
from .execute import KERNEL, SKIP_TAG

MARKER = "COURSETOOLS_GPU_REPORT"
PROBE = f"""
import json as _json, torch as _torch
_peak = 0
if _torch.cuda.is_available() and _torch.cuda.is_initialized():
    _peak = _torch.cuda.max_memory_allocated()
elif getattr(_torch.backends, "mps", None) is not None and _torch.backends.mps.is_available():
    _peak = _torch.mps.driver_allocated_memory()
print("{MARKER}", _json.dumps({{"peak_bytes": int(_peak)}}))
"""


def gpu_type():
    """'cuda' or 'mps' when torch can use a GPU here, else None."""
    import torch
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    return "mps" if mps is not None and mps.is_available() else None


@dataclass
class ChapterRun:
    notebook: str
    seconds: float
    devices: list        # what each pick_device() call returned
    peak_bytes: int      # the GPU memory torch allocated at its peak
    error: str = ""

    def verdict(self, gpu):
        """(passed, one-line reason)."""
        if self.error:
            return False, f"the notebook failed: {self.error}"
        if not self.devices:
            return True, "no PyTorch device part (pick_device() is never called)"
        off_gpu = sorted(set(self.devices) - {gpu})
        if off_gpu:
            return False, f"pick_device() returned {', '.join(off_gpu)} instead of {gpu}"
        if self.peak_bytes <= 0:
            return False, f"pick_device() chose {gpu}, but nothing was allocated on it: the work stayed on the CPU"
        return True, f"ran on {gpu} ({len(self.devices)} pick_device() call(s), peak {self.peak_bytes / 2**20:.1f} MiB)"


def run_chapter(path, timeout=900):
    """Execute one notebook in a fresh kernel with the device log on; return what it did."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "devices.log"
        log.touch()
        previous = os.environ.get(DEVICE_LOG_ENV)
        os.environ[DEVICE_LOG_ENV] = str(log)  # the kernel inherits the grader's environment
        start, error = time.perf_counter(), ""
        try:
            NotebookClient(nb, timeout=timeout, kernel_name=KERNEL, skip_cells_with_tag=SKIP_TAG,
                           resources={"metadata": {"path": str(path.parent)}}).execute()
        except Exception as err:  # a failing chapter is a row in the report, not the end of the run
            error = f"{type(err).__name__}: {str(err).strip().splitlines()[-1] if str(err).strip() else ''}"
        finally:
            if previous is None:
                os.environ.pop(DEVICE_LOG_ENV, None)
            else:
                os.environ[DEVICE_LOG_ENV] = previous
        seconds = time.perf_counter() - start
        devices = log.read_text().split()
    peak = 0
    for output in nb.cells[-1].get("outputs", []):
        for line in output.get("text", "").splitlines():
            if line.startswith(MARKER):
                peak = json.loads(line[len(MARKER):])["peak_bytes"]
    return ChapterRun(str(path), seconds, devices, peak, error)


def format_table(runs, gpu):
    lines = [f"{'chapter':34} {'time (s)':>9}  result  reason"]
    for run in runs:
        passed, reason = run.verdict(gpu)
        lines.append(f"{Path(run.notebook).name:34} {run.seconds:9.1f}  {'pass' if passed else 'FAIL':6}  {reason}")
    return "\n".join(lines)


def main(paths):
    gpu = gpu_type()
    if gpu is None:
        print("No GPU here: torch sees neither a CUDA GPU nor Apple's MPS, so make test-gpu has nothing to check.\n"
              "Every chapter's PyTorch part already ran on the CPU in make test; on a machine with a GPU, this "
              "command runs them there and checks that they did.")
        return 0
    from .envcheck import describe_device
    print(f"GPU: {describe_device()}")
    runs = []
    for path in paths:
        runs.append(run_chapter(path))
        print(format_table(runs[-1:], gpu).splitlines()[1], flush=True)
    print()
    print(format_table(runs, gpu))
    failed = [r for r in runs if not r.verdict(gpu)[0]]
    print(f"\n{len(runs) - len(failed)} of {len(runs)} chapters pass on {gpu}")
    return 1 if failed else 0
