"""The README's promises hold: its nnlib example runs, and runs on torch with the import changed."""
import re

import numpy as np

from coursetools import REPO

README = (REPO / "README.md").read_text()


def _python_blocks():
    return re.findall(r"```python\n(.*?)```", README, flags=re.S)


def test_readme_nnlib_example_runs_and_gives_a_gradient_of_w_shape():
    namespace = {}
    exec(_python_blocks()[0], namespace)
    assert namespace["w"].grad.shape == (3, 2) and np.isfinite(namespace["w"].grad).all()


def test_readme_example_runs_on_torch_with_the_import_changed():
    code = _python_blocks()[0].replace("import nnlib", "import torch").replace("nnlib.", "torch.")
    namespace = {}
    exec(code, namespace)
    assert tuple(namespace["w"].grad.shape) == (3, 2)


def test_readme_names_the_two_commands_and_ci_runs_the_test_command():
    assert "make lab" in README and "make test" in README
    if (REPO / "grading").is_dir() and not (REPO / "solutions").is_dir():
        return  # a learners' release (python -m coursetools release) has no CI of its own
    assert "make test" in (REPO / ".ci" / "run").read_text()


def test_readme_chapter_table_is_the_one_the_chapter_list_makes():
    from coursetools.chapters import readme_with_table
    text = (REPO / "README.md").read_text()
    assert readme_with_table(text) == text, "the README's chapter table is stale: run make notebooks (or coursetools.chapters.update_readme())"
