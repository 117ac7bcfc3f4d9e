"""Execute a notebook top to bottom in a fresh kernel (the way CI and a learner's "Restart & Run All" do)."""
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from . import REPO
from .chapters import record_run_time, update_readme

KERNEL = "python3"
SKIP_TAG = "skip-execution"  # a cell with this tag is not run here or by the grader (an exercise's grading cell)


def execute_notebook(path, timeout=600, allow_errors=False, cwd=None):
    """Run every cell of the notebook at `path` in a new kernel; return the executed notebook and seconds.

    Stream outputs are stored as a reader would see them: one stream per cell and name, with progress
    bars' carriage returns resolved, so a tqdm bar is stored as its final line."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name=KERNEL, allow_errors=allow_errors, record_timing=False,
                            coalesce_streams=True, skip_cells_with_tag=SKIP_TAG,
                            resources={"metadata": {"path": str(cwd or path.parent)}})
    start = time.perf_counter()
    client.execute()
    return nb, time.perf_counter() - start


def execute_in_place(paths, timeout=600):
    """Re-execute chapter notebooks and save them with their outputs (plots visible on GitHub)."""
    for path in paths:
        nb, seconds = execute_notebook(path, timeout=timeout)
        nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
        nb.metadata.pop("widgets", None)  # widget state is not a plain-text output (a stuck bar on GitHub)
        nbformat.write(nb, path)
        if Path(path).resolve().parent == (REPO / "notebooks").resolve():
            record_run_time(Path(path).stem, seconds)  # the course map shows each chapter's measured time
            update_readme()  # and so does the README's chapter table
        print(f"{path}: executed in {seconds:.1f} s")
