"""Stored notebooks hold plain outputs that read the same on GitHub as in JupyterLab: no widget state
(a tqdm.auto bar is stored as widget state and shows as a stuck "0/200 0%"), and a progress bar is
stored as its final line, not as every update separated by carriage returns."""
import nbformat
import pytest

from coursetools import REPO

STORED = sorted((REPO / "notebooks").glob("*.ipynb")) + sorted((REPO / "solutions").glob("*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _outputs(nb):
    for k, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            yield k, output


@pytest.mark.parametrize("path", STORED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_widget_state_is_stored(path):
    nb = nbformat.read(path, as_version=4)
    assert "widgets" not in nb.metadata, f"{path.name} stores widget state in metadata.widgets"
    widgets = [k for k, output in _outputs(nb) if WIDGET_VIEW in output.get("data", {})]
    assert not widgets, f"{path.name}: cell(s) {widgets} store a widget as output (use `from tqdm import tqdm`, file=sys.stdout)"


@pytest.mark.parametrize("path", STORED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_progress_bars_are_stored_as_their_final_line(path):
    nb = nbformat.read(path, as_version=4)
    bars = [k for k, output in _outputs(nb) if output.get("output_type") == "stream" and "\r" in output.get("text", "")]
    assert not bars, f"{path.name}: cell(s) {bars} store carriage returns; re-execute with `python -m coursetools execute`"
