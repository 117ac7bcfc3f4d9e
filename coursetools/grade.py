"""Grade exercise notebooks: the learner's answers in a sandboxed kernel, the verdict outside it.

How a submission is graded (coursetools/AUTHORING.md is the authors' side of it):

1. The assignment comes from the command (`--assignment`) or the file name, checked against the
   source folder the instructor names (default solutions/); never from the submission. The source
   notebook is read into memory, and its SHA-256 compared with exercises/SOURCES.sha256, before any
   learner code runs.
2. The notebook that runs is assembled by the grader: the source's cells, with the learner's solution
   cells (matched by nbgrader grade_id) in place of the reference solutions, and the learner's own
   added cells where the learner put them. Test cells always come from the source.
3. It runs in an untrusted kernel in a sandbox (coursetools/sandbox.py) with a time limit per cell and
   a time budget for the whole submission; the source notebook runs once in a trusted kernel (its
   reports are cached per source checksum). Test cells run in steps that end after each top-level
   `report(...)` statement, so a report is made before the cell computes its expected values.
4. A question earns its points only if every step of its test cell replied 'ok' as it ran, and every
   value the trusted kernel reported in each step was reported by the learner's kernel in the same step,
   under the same name, in the same order, and equal to it, compared here with this process's NumPy.
"""
import ast
import asyncio
import copy
import hashlib
import json
import re
import textwrap
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.v4 import output_from_msg

from . import grading, markers
from .errors import CannotGrade, GradingFailed  # noqa: F401  (GradingFailed: the gradebook's)
from .exercises import (EXERCISES, SOLUTIONS, MANIFEST_NAME, cell_grade_id, make_exercise, nbgrader_metadata,
                        normalised_source, read_manifest, stub_cells)
from .execute import SKIP_TAG
from .gradebook import write_gradebook  # noqa: F401  (it lives in gradebook.py; imported from here too)
from .sandbox import Limits, Sandbox, live_kernels, live_lock, resolve_mode

DEFAULT_CELL_TIMEOUT = 60
DEFAULT_BUDGET = 300  # seconds for one submission, kernel start included
STARTUP_TIMEOUT = 60
INTERRUPT_GRACE = 5  # seconds a kernel has to stop after the interrupt that follows a cell's time limit
MAX_SUBMISSION_BYTES = 64 * 2**20
# ast.parse is not thread-safe in CPython 3.11.7 ("SystemError: AST constructor recursion depth mismatch"
# when two threads parse at once, as grade_each's do): one parse at a time
_AST_LOCK = threading.Lock()
MAX_REPORT_TOTAL = 64 * 2**20
MAX_MESSAGE_BYTES = 64 * 2**20  # one message from a learner's kernel (a report is at most 8 MB)
HIDDEN_FAILED = markers.HIDDEN_FAILED
NOT_ATTEMPTED = "not attempted yet: the code still raises NotImplementedError()"
MAX_LEARNER_TEXT = 300  # characters of an exception message or a reported value a reason may quote




@dataclass
class QuestionResult:
    grade_id: str
    points: float
    max_points: float
    message: str = ""

    @property
    def passed(self):
        return self.points == self.max_points


@dataclass
class Report:
    notebook: Path
    source: Path
    cell_timeout: int
    results: list = field(default_factory=list)
    # the notebook as the grader ran it, outputs included; it holds the source's test cells, hidden tests
    # too: never hand it to a learner (the per-question table and the notes are what a learner may see)
    executed: object = field(default=None, repr=False)
    notes: list = field(default_factory=list)  # lines about the whole submission (duplicated or missing cells)
    assignment: str = ""
    budget: float = DEFAULT_BUDGET
    isolation: str = ""
    seconds: float = 0.0

    @property
    def score(self):
        return sum(r.points for r in self.results)

    @property
    def max_score(self):
        return sum(r.max_points for r in self.results)

    @property
    def all_passed(self):
        return bool(self.results) and all(r.passed for r in self.results)

    @property
    def by_id(self):
        return {r.grade_id: r for r in self.results}


# ---- 1. what to grade against ----

def known_assignments(source=SOLUTIONS):
    return sorted(p.stem for p in Path(source).glob("*.ipynb"))


def find_assignment(notebook_path, assignment=None, source=SOLUTIONS):
    """(assignment name, source notebook path): from `assignment`, else the file's stem, which must name
    a notebook in the source folder. The submission's metadata plays no part."""
    source = Path(source)
    name = assignment or Path(notebook_path).stem
    if not name or any(c in name for c in "/\\\0") or name.startswith("."):
        raise CannotGrade(f"{name!r} is not an assignment name (a notebook's name in {source}, without .ipynb)")
    path = source / f"{name}.ipynb"
    if not path.is_file():
        known = ", ".join(known_assignments(source)) or "none"
        how = "" if assignment else " (taken from the file name; pass --assignment NAME for a renamed file)"
        raise CannotGrade(f"no assignment {name!r} in {source}{how}; the known assignments are: {known}")
    return name, path


def load_source(name, source=SOLUTIONS, manifest=None, check_checksum=True):
    """The source notebook (read once, into memory) and its SHA-256, checked against the manifest."""
    path = Path(source) / f"{name}.ipynb"
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if check_checksum:
        manifest = Path(manifest) if manifest else default_manifest(source)
        expected = read_manifest(manifest).get(path.name)
        if expected is None:
            raise CannotGrade(f"{manifest} has no checksum for {path.name}: regenerate the exercises "
                              f"(python -m coursetools exercises{_source_flag(source)})")
        if expected != digest:
            raise CannotGrade(f"{path} does not match its checksum in {manifest}: it changed since the exercises "
                              f"were generated; regenerate them (python -m coursetools exercises"
                              f"{_source_flag(source)}) or grade with --source pointing at the right folder")
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    except Exception as err:
        raise CannotGrade(f"the source notebook {path} cannot be read ({type(err).__name__}: {err})") from None
    return nb, digest


def default_manifest(source=SOLUTIONS):
    """The checksums a source folder is checked against: exercises/SOURCES.sha256 beside the folder (the
    repository's layout, solutions/ next to exercises/), else the repository's own exercises/SOURCES.sha256
    (where `python -m coursetools exercises --source DIR` writes them for a private folder kept elsewhere)."""
    beside = Path(source).resolve().parent / "exercises" / MANIFEST_NAME
    return beside if beside.is_file() else EXERCISES / MANIFEST_NAME


def _source_flag(source):
    return "" if Path(source).resolve() == SOLUTIONS.resolve() else f" --source {source}"


def read_submission(path):
    """The submission as an nbformat-4 notebook, or CannotGrade with a one-line reason."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_SUBMISSION_BYTES:
            raise CannotGrade(f"the file is {size // 2**20} MB; a notebook to grade may be at most "
                              f"{MAX_SUBMISSION_BYTES // 2**20} MB (clear its outputs)")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CannotGrade("there is no such file") from None
    except IsADirectoryError:
        raise CannotGrade("it is a folder, not a notebook") from None
    except OSError as err:
        raise CannotGrade(f"it cannot be read ({err.strerror or err})") from None
    if not raw.strip():
        raise CannotGrade("the file is empty (was the notebook saved?)")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise CannotGrade("it is not a notebook: the file is not text (UTF-8)") from None
    except json.JSONDecodeError as err:
        raise CannotGrade(f"it is not a notebook: not valid JSON ({err.msg} at line {err.lineno}, column {err.colno}); "
                          "a notebook saved by JupyterLab always is") from None
    if not isinstance(data, dict) or "nbformat" not in data:
        raise CannotGrade("it is not a Jupyter notebook (JSON without an 'nbformat' field)")
    if data.get("nbformat") != 4:
        raise CannotGrade(f"it is an nbformat {data.get('nbformat')} notebook; the grader reads nbformat 4, what "
                          "JupyterLab saves (open it there and save it, or start again from a fresh copy of the exercise)")
    if not isinstance(data.get("cells"), list):
        raise CannotGrade("it is not a valid notebook: it has no list of cells")
    for k, cell in enumerate(data["cells"], start=1):
        problem = _cell_problem(cell)
        if problem:
            raise CannotGrade(f"it is not a valid notebook: its cell {k} {problem}")
    if not isinstance(data.get("metadata"), dict):
        data["metadata"] = {}
    try:
        nb = nbformat.from_dict(data)
    except Exception as err:
        raise CannotGrade(f"it is not a valid notebook ({type(err).__name__}: {err})".splitlines()[0]) from None
    return nb


def _cell_problem(cell):
    """Normalise one cell of a submission's JSON in place (what JupyterLab would have saved), or say in a few
    words why it is not a cell: a source missing or null is empty, a list of lines is joined, metadata that
    is not an object is dropped, tags that are not a list of strings are none, outputs that are not a list
    are none."""
    if not isinstance(cell, dict):
        return f"is not a cell (it is {type(cell).__name__} in the JSON)"
    if cell.get("cell_type") not in ("code", "markdown", "raw"):
        return "is not a code, markdown or raw cell"
    source = cell.get("source")
    if source is None:
        source = ""
    if isinstance(source, list):
        source = "".join(str(line) for line in source)
    if not isinstance(source, str):
        return "has a source that is not text"
    cell["source"] = source
    if not isinstance(cell.get("metadata"), dict):
        cell["metadata"] = {}
    meta = cell["metadata"]
    if "tags" in meta:
        tags = meta["tags"]
        meta["tags"] = [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []
    if "nbgrader" in meta and not isinstance(meta["nbgrader"], dict):
        del meta["nbgrader"]
    if cell["cell_type"] == "code":
        if not isinstance(cell.get("outputs"), list):
            cell["outputs"] = []
        if not isinstance(cell.get("execution_count"), (int, type(None))):
            cell["execution_count"] = None
    return ""


# ---- 2. the notebook that runs ----

@dataclass
class Unit:
    """One cell of the notebook that runs: its role, what it is called in messages, its code in steps."""
    role: str  # "source" (set-up, from the source), "answer" (a solution cell), "learner" (learner-added), "test",
    #            "skip" (a markdown cell or a cell tagged skip-execution: kept in the executed notebook, not run)
    label: str
    cell: object  # the notebook cell (for the executed notebook)
    steps: list  # [(code, hidden)]
    grade_id: str = None
    outcomes: list = field(default_factory=list)


def split_test_cell(source):
    """A test cell's code as [(code, hidden)]: a step ends after each top-level statement that calls
    report(), and at the edges of the hidden-test region. Code that does not parse runs as one step."""
    lines = source.splitlines(keepends=True)
    hidden_lines = markers.hidden_line_numbers(source)  # nbgrader's rule: a line that contains a marker
    try:
        with _AST_LOCK:
            body = ast.parse(source).body
    except SyntaxError:
        return [(source, bool(hidden_lines))]
    if not body:
        return [(source, False)]
    cuts, start = [], 1
    for k, stmt in enumerate(body):
        nxt = body[k + 1] if k + 1 < len(body) else None
        calls_report = any(isinstance(node, ast.Call) and _called_name(node.func) == "report" for node in ast.walk(stmt))
        crosses = nxt is not None and ((stmt.lineno in hidden_lines) != (nxt.lineno in hidden_lines))
        if nxt is None or calls_report or crosses:
            end = stmt.end_lineno if nxt is not None else len(lines)
            cuts.append((start, end, stmt.lineno in hidden_lines))
            start = end + 1
    return [("".join(lines[a - 1:b]), hidden) for a, b, hidden in cuts if "".join(lines[a - 1:b]).strip()]


def _called_name(func):
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _defined_names(source):
    return re.findall(r"^(?:def|class)\s+([A-Za-z_]\w*)", source, re.M)


def assemble(submission, source_nb):
    """The units to run (see Unit) and notes about the submission's structure.

    Source cells come from the source; a solution cell's code from the learner's cell with its grade_id
    (the first, when a copy duplicated it; later copies run as the learner's own cells, in place);
    cells without a known grade_id are the learner's own and run in order, after the source cell they
    follow in the submission. A missing solution cell runs as its stub, unless a learner cell defines
    its function (a renamed grade_id), which then runs in its place. A set-up or test cell the learner
    edited runs as the source has it, with a note that says so."""
    notes, missing = [], {}
    source_ids = [cell_grade_id(c) for c in source_nb.cells]
    solution_ids = {cell_grade_id(c) for c in source_nb.cells if nbgrader_metadata(c).get("solution")}
    stubs = stub_cells(source_nb)
    handed_out = _handed_out_sources(source_nb)
    answers, seen, after = {}, {}, {}
    anchor = None
    for k, cell in enumerate(submission.cells, start=1):
        gid = cell_grade_id(cell)
        if gid in source_ids and gid is not None:
            seen[gid] = seen.get(gid, 0) + 1
            if seen[gid] == 1:
                anchor = gid
                if gid in solution_ids:
                    answers[gid] = cell
                elif gid in handed_out and normalised_source(cell.get("source", "")) not in handed_out[gid]:
                    notes.append(f"your changes to cell '{gid}' are not run: put your code in your answer cell")
                continue
            if gid in solution_ids and cell.get("cell_type") == "code":
                after.setdefault(anchor, []).append((f"your cell {k} (a copy of {gid})", cell))
            continue
        if cell.get("cell_type") == "code":
            after.setdefault(anchor, []).append((f"your cell {k}", cell))
    for gid, count in seen.items():
        if count > 1:
            what = ("the first is graded as your answer, the others run as your own cells" if gid in solution_ids
                    else "the course's cell from the source is used, the copies are ignored")
            notes.append(f"grade id {gid} appears {count} times (a copied cell keeps its grade id): {what}")

    learner_cells = [(label, cell) for group in after.values() for label, cell in group]
    units = []

    def add_learner(anchor_id):
        for label, cell in after.get(anchor_id, []):
            if cell.get("source", "").strip() and SKIP_TAG not in cell.get("metadata", {}).get("tags", []):
                units.append(Unit("learner", label, cell, [(cell.source, False)]))

    add_learner(None)
    for cell in source_nb.cells:
        gid, meta = cell_grade_id(cell), nbgrader_metadata(cell)
        if cell.cell_type != "code" or SKIP_TAG in cell.metadata.get("tags", []):
            units.append(Unit("skip", gid or "", copy.deepcopy(cell), []))
        elif meta.get("solution"):
            answer = answers.get(gid)
            if answer is not None and answer.get("cell_type") == "code":
                units.append(Unit("answer", gid, _as_run_cell(answer, meta), [(answer.source, False)], gid))
            else:
                names = _defined_names(cell.source)
                defines = [label for label, c in learner_cells
                           if any(re.search(rf"^(?:def|class)\s+{re.escape(n)}\b", c.get("source", ""), re.M) for n in names)]
                why = "it is not a code cell" if answer is not None else "renamed or deleted?"
                if defines:
                    missing[gid] = (f"solution cell {gid} is missing ({why}); {defines[-1]} defines "
                                    f"{', '.join(names)} and was graded in its place")
                else:
                    missing[gid] = f"solution cell {gid} is missing ({why})"
                    stub = stubs[gid]
                    units.append(Unit("answer", gid, _as_run_cell(stub, meta), [(stub.source, False)], gid))
                notes.append(missing[gid])
        elif meta.get("grade"):
            units.append(Unit("test", gid, copy.deepcopy(cell), split_test_cell(cell.source), gid))
        else:
            units.append(Unit("source", gid or "a set-up cell", copy.deepcopy(cell), [(cell.source, False)], gid))
        if gid is not None:  # the cells anchored to None (above every known cell) ran first, once
            add_learner(gid)
    return units, notes, missing


def _handed_out_sources(source_nb):
    """{grade_id: the normalised sources it may have} for the code cells a learner gets and the grader runs
    from the source (set-up and test cells: as the generated exercise has them, hidden tests removed, or as
    the source itself has them, so that grading the solution notebook notes nothing); not the solution
    cells and not the cells tagged skip-execution (the grade cell, whose command a learner may adapt)."""
    try:
        exercise = make_exercise(source_nb)
    except Exception:  # a source nbgrader cannot process: the exercises could not have been generated either
        return {}
    own = {cell_grade_id(c): normalised_source(c.source) for c in source_nb.cells if c.cell_type == "code"}
    return {cell_grade_id(c): {normalised_source(c.source), own.get(cell_grade_id(c))} for c in exercise.cells
            if c.cell_type == "code" and cell_grade_id(c) and not nbgrader_metadata(c).get("solution")
            and SKIP_TAG not in c.metadata.get("tags", [])}


def _as_run_cell(cell, meta):
    run = nbformat.v4.new_code_cell(cell.get("source", ""))
    run.metadata["nbgrader"] = dict(meta)
    return run


def reference_units(source_nb):
    """The source notebook's own units, reference solutions in place: what the trusted kernel runs."""
    units = []
    for cell in source_nb.cells:
        gid, meta = cell_grade_id(cell), nbgrader_metadata(cell)
        if cell.cell_type != "code" or SKIP_TAG in cell.metadata.get("tags", []):
            continue
        if meta.get("grade"):
            units.append(Unit("test", gid, cell, split_test_cell(cell.source), gid))
        else:
            units.append(Unit("source", gid or "a cell", cell, [(cell.source, False)], gid))
    return units


# ---- 3. running units in a kernel ----

@dataclass
class StepOutcome:
    status: str  # "ok", "error", "timeout" (interrupted after the cell's limit), "aborted"
    ename: str = ""
    evalue: str = ""
    reports: list = field(default_factory=list)  # [payload dict] in the order received
    outputs: list = field(default_factory=list)
    execution_count: object = None
    # set when this step ran after (or was) the first hidden step sent to the learner's kernel: from then
    # on the kernel may hold the hidden tests' code (a pre_run_cell hook records every cell), so its
    # messages and values are never quoted (see judge)
    tainted: bool = False


@dataclass
class Run:
    stopped: str = ""  # why the kernel was stopped before the end ("" when it ran every unit)
    seconds: float = 0.0


class _Collector:
    """The outputs and the reply of one execute request, as its messages arrive."""

    def __init__(self, limits, totals):
        self.outputs, self.reports, self.reply = [], [], None
        self.idle = False
        self.done = asyncio.Event()
        self.limits, self.totals = limits, totals
        self.kept = 0
        self.truncated = False

    def iopub(self, msg):
        kind, content = msg["msg_type"], msg.get("content", {})
        if kind == "status":
            if content.get("execution_state") == "idle":
                self.idle = True
                self._check()
            return
        if kind in ("display_data", "execute_result") and isinstance(content.get("data"), dict) \
                and grading.MIME in content["data"]:
            payload = content["data"][grading.MIME]
            size = len(json.dumps(payload)) if isinstance(payload, (dict, list, str)) else 0
            self.totals["reports"] += size
            if self.totals["reports"] <= MAX_REPORT_TOTAL:
                self.reports.append(payload)
            return
        if kind not in ("stream", "display_data", "execute_result", "error"):
            return  # clear_output, update_display_data, comms: nothing the grader keeps
        try:
            size = len(json.dumps(content))
        except (TypeError, ValueError):
            return
        self.totals["output"] += size
        if self.kept + size > self.limits.output_kb * 1024 or self.totals["output"] > self.limits.total_output_kb * 1024:
            if not self.truncated:
                self.truncated = True
                self.outputs.append(nbformat.v4.new_output(
                    "stream", name="stderr", text=f"[the grader kept only the first {self.limits.output_kb} KB of output]\n"))
            return
        self.kept += size
        try:
            self.outputs.append(output_from_msg(msg))
        except Exception:
            pass

    def shell(self, msg):
        self.reply = msg.get("content", {})
        self._check()

    def _check(self):
        if self.idle and self.reply is not None:
            self.done.set()


class Kernel:
    """A kernel started from a Sandbox's kernelspec, driven message by message."""

    def __init__(self, sandbox, limits):
        self.sandbox, self.limits = sandbox, limits
        self.km = self.kc = None
        self.collectors = {}
        self.totals = {"output": 0, "reports": 0}
        self.tasks = []

    async def start(self, timeout):
        from jupyter_client import AsyncKernelManager
        from jupyter_client.kernelspec import KernelSpecManager
        import subprocess
        spec_dir, name = self.sandbox.write_kernelspec()
        ksm = KernelSpecManager(kernel_dirs=[spec_dir], ensure_native_kernel=False)
        self.km = AsyncKernelManager(kernel_name=name, kernel_spec_manager=ksm, transport="ipc",
                                     ip=self.sandbox.ipc_prefix, connection_file=self.sandbox.connection_file)
        self.km.write_connection_file()
        self.sandbox.hand_over(self.sandbox.connection_file)
        with live_lock:  # another sandbox's clean-up must not take the new kernel for an orphan
            await self.km.start_kernel(env=self.sandbox.env({grading.GRADING_ENV: "1"}), cwd=self.sandbox.workdir,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
            self.pid = getattr(getattr(self.km, "provisioner", None), "pid", None)
            if self.pid:
                live_kernels.add(self.pid)
        self.kc = self.km.client()
        import zmq
        self.kc.context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)  # a larger message disconnects the kernel
        self.kc.start_channels()
        await asyncio.wait_for(self.kc.wait_for_ready(timeout=timeout), timeout + 5)  # reads the channels itself
        self.tasks = [asyncio.ensure_future(self._read(self.kc.get_iopub_msg, "iopub")),
                      asyncio.ensure_future(self._read(self.kc.get_shell_msg, "shell"))]

    async def _read(self, get, channel):
        while True:
            try:
                msg = await get(timeout=None)
            except asyncio.CancelledError:
                raise
            except Exception:
                await asyncio.sleep(0.05)
                continue
            parent = (msg.get("parent_header") or {}).get("msg_id")
            collector = self.collectors.get(parent)
            if collector is None:
                continue
            if channel == "iopub":
                collector.iopub(msg)
            elif msg.get("msg_type") == "execute_reply":
                collector.shell(msg)

    async def alive(self):
        try:
            return await self.km.is_alive()
        except Exception:
            return False

    async def run(self, code, timeout, deadline):
        """('done', StepOutcome) | ('timeout', StepOutcome) | ('stuck'|'budget'|'died', partial StepOutcome)."""
        msg_id = self.kc.execute(code, store_history=True, allow_stdin=False, stop_on_error=False)
        collector = self.collectors[msg_id] = _Collector(self.limits, self.totals)
        cell_end = time.monotonic() + timeout
        interrupted = False
        while True:
            now = time.monotonic()
            if now >= deadline:
                verdict = "budget"
                break
            if now >= cell_end:
                if interrupted:
                    verdict = "stuck"
                    break
                interrupted = True
                try:
                    await self.km.interrupt_kernel()
                except Exception:
                    pass
                cell_end = now + INTERRUPT_GRACE
                continue
            try:
                await asyncio.wait_for(collector.done.wait(), min(0.5, cell_end - now, deadline - now))
                verdict = "done"
                break
            except asyncio.TimeoutError:
                if not await self.alive():
                    verdict = "died"
                    break
        del self.collectors[msg_id]
        reply = collector.reply or {}
        outcome = StepOutcome(status=reply.get("status", "aborted") if verdict == "done" else "aborted",
                              ename=str(reply.get("ename", ""))[:200], evalue=str(reply.get("evalue", ""))[:2000],
                              reports=collector.reports, outputs=collector.outputs,
                              execution_count=reply.get("execution_count"))
        if verdict == "done" and interrupted:
            outcome.status = "timeout"
        return verdict, outcome

    async def stop(self):
        if getattr(self, "pid", None):
            live_kernels.discard(self.pid)
        for task in self.tasks:
            task.cancel()
        if self.kc is not None:
            try:
                self.kc.stop_channels()
            except Exception:
                pass
        if self.km is not None:
            try:
                await asyncio.wait_for(self.km.shutdown_kernel(now=True), 20)
            except Exception:
                pass
            try:
                await self.km._async_cleanup_resources()
            except Exception:
                pass
        self.sandbox.kill_everything()


async def _run_units(units, sandbox, limits, cell_timeout, budget):
    """Run every unit's steps in one kernel, in order; fill unit.outcomes; return a Run."""
    start = time.monotonic()
    deadline = start + budget
    run = Run()
    kernel = Kernel(sandbox, limits)
    try:
        try:
            await kernel.start(min(STARTUP_TIMEOUT, max(1.0, deadline - time.monotonic())))
        except Exception as err:
            run.stopped = ("the kernel did not start" + (f" ({type(err).__name__}: {err})".splitlines()[0]
                           if str(err) else f" ({type(err).__name__})"))
            return run
        hidden_sent = False
        for unit in units:
            for code, hidden in unit.steps:
                if not code.strip():
                    continue
                hidden_sent = hidden_sent or hidden
                verdict, outcome = await kernel.run(code, cell_timeout, deadline)
                outcome.tainted = hidden_sent
                unit.outcomes.append(outcome)
                if verdict in ("budget", "stuck", "died"):
                    run.stopped = {
                        "budget": f"time budget exhausted in {unit.label}: the submission's {budget:g} s budget ran out",
                        "stuck": (f"the kernel did not stop when interrupted after the {cell_timeout} s time limit "
                                  f"in {unit.label} (it ignores interrupts, stopped itself, or sent more than "
                                  f"{MAX_MESSAGE_BYTES // 2**20} MB of output at once) and was killed"),
                        "died": f"the kernel died in {unit.label} (a memory limit, a crash or exit()?)",
                    }[verdict]
                    return run
                if outcome.status != "ok":
                    break  # the rest of this cell does not run, as in Jupyter
        return run
    finally:
        run.seconds = time.monotonic() - start
        await kernel.stop()


def run_units(units, sandbox, limits, cell_timeout, budget):
    """_run_units from synchronous code (its own event loop, in this thread)."""
    return asyncio.run(_run_units(units, sandbox, limits, cell_timeout, budget))


# ---- the trusted run of the source ----

@dataclass
class Reference:
    """What the trusted kernel reported: per test cell grade_id, per step, the report payloads."""
    assignment: str
    sha256: str
    steps: dict  # grade_id -> [[payload, ...] per step]
    seconds: float = 0.0


_references, _reference_locks, _references_lock = {}, {}, threading.Lock()


def reference_reports(assignment, source_nb, digest, cell_timeout=DEFAULT_CELL_TIMEOUT, budget=None):
    """The trusted kernel's reports for a source notebook, run once per (assignment, checksum) in a process."""
    key = (assignment, digest)
    with _references_lock:
        lock = _reference_locks.setdefault(key, threading.Lock())
    with lock:
        if key not in _references:
            _references[key] = _run_reference(assignment, source_nb, digest, cell_timeout, budget)
        return _references[key]


def _run_reference(assignment, source_nb, digest, cell_timeout, budget):
    units = reference_units(source_nb)
    with Sandbox("none", trusted=True) as sandbox:
        run = run_units(units, sandbox, Limits(), max(cell_timeout, 120), budget or max(600, DEFAULT_BUDGET))
    if run.stopped:
        raise CannotGrade(f"the source notebook of {assignment} did not run in the trusted kernel: {run.stopped}")
    steps = {}
    for unit in units:
        failed = [o for o in unit.outcomes if o.status != "ok"]
        if failed:
            o = failed[0]
            raise CannotGrade(f"the source notebook of {assignment} fails in the trusted kernel, in {unit.label}: "
                              f"{o.ename}: {o.evalue}".splitlines()[0])
        if unit.role == "test":
            steps[unit.grade_id] = [o.reports for o in unit.outcomes]
    return Reference(assignment, digest, steps, run.seconds)


# ---- 4. the verdict ----

def _clip(text, limit=MAX_LEARNER_TEXT):
    """Learner-originated text cut to `limit` characters."""
    text = str(text)
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def _exception_name(outcome):
    """The exception's type name as the learner's kernel sent it, if it looks like one; else 'an error'."""
    name = outcome.ename or ""
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]{0,79}", name) else "an error"


def _error_text(outcome, cell_timeout):
    if outcome.status == "timeout":
        return f"stopped after the {cell_timeout} s time limit for a cell (an infinite loop?)"
    if outcome.ename == "NotImplementedError":
        return NOT_ATTEMPTED
    if outcome.status == "aborted":
        return "the cell did not finish"
    if outcome.tainted:  # the kernel may have seen a hidden test: its type name only, never its message
        return _exception_name(outcome)
    name, value = _clip(outcome.ename or "Error", 100), _clip(outcome.evalue.strip())
    return f"{name}: {value}" if value else name


def _compare_step(want, got, tainted=False):
    """Why a step's reports differ from the reference's, or "". With `tainted` (the kernel may have seen a
    hidden test) it names the reference's value and says only that it differs, never what was reported."""
    for k, ref in enumerate(want):
        name = ref.get("name", "?")
        if k >= len(got):
            return f"{name}: not reported (the test stopped before it, or your code changed how cells run)"
        payload = got[k]
        if not isinstance(payload, dict) or payload.get("name") != name:
            other = payload.get("name") if isinstance(payload, dict) else None
            if tainted:
                return f"{name}: not reported in its place"
            return (f"{name}: the test reported {_clip(repr(other))} in its place" if isinstance(other, str)
                    else f"{name}: the report is not well-formed")
        problem = grading.compare(name, payload.get("value"), ref["value"], rtol=ref.get("rtol", grading.RTOL),
                                  atol=ref.get("atol", grading.ATOL), check_dtype=ref.get("check_dtype", True))
        if problem:
            return f"{name}: differs" if tainted else _clip(problem, len(name) + MAX_LEARNER_TEXT)
    if len(got) > len(want):
        extra = got[len(want)]
        if tainted:
            return "an unexpected report (reported twice?)"
        return f"an unexpected report {_clip(repr(extra.get('name') if isinstance(extra, dict) else '?'))} (reported twice?)"
    return ""


def judge(unit, reference_steps, cell_timeout, stopped):
    """(passed, message) for one test unit: passed is True when every step replied 'ok' and reported what
    the trusted kernel reported; message says why not ("" when passed). A failure in a hidden step says
    HIDDEN_FAILED only; one after the first hidden step of the run quotes nothing the kernel sent."""
    if not reference_steps or not any(reference_steps):
        return False, "this test reports nothing to the grader (a problem of the exercise: tell the instructor)"
    steps = [s for s in unit.steps if s[0].strip()]
    for k, want in enumerate(reference_steps):
        hidden = steps[k][1] if k < len(steps) else False
        if k >= len(unit.outcomes):
            return False, stopped or "the test did not run to the end"
        outcome = unit.outcomes[k]
        problem = _compare_step(want, outcome.reports, outcome.tainted) if (outcome.status == "ok" or outcome.reports) else ""
        if outcome.status != "ok":
            if outcome.reports and problem and "not reported (" not in problem:
                text = problem
            else:
                text = _error_text(outcome, cell_timeout)
            return False, HIDDEN_FAILED if hidden else text
        if problem:
            hint = _later_error(unit, k)
            if hidden:
                return False, HIDDEN_FAILED
            return False, problem + (f" ({hint})" if hint and hint not in problem else "")
    if len(unit.outcomes) < len(reference_steps):
        return False, stopped or "the test did not run to the end"
    return True, ""


def _later_error(unit, k):
    """The in-notebook assertion's message from the steps after k (the learner's hint), if one failed."""
    for step, outcome in zip(unit.steps[k + 1:], unit.outcomes[k + 1:]):
        if outcome.status != "ok":
            if step[1] or outcome.tainted:
                return ""
            return "" if outcome.ename == "AssertionError" and not outcome.evalue else \
                (_clip(outcome.evalue.strip()) if outcome.ename == "AssertionError"
                 else f"{_clip(outcome.ename, 100)}: {_clip(outcome.evalue.strip())}")
    return ""


def grade_notebook(path, cell_timeout=DEFAULT_CELL_TIMEOUT, *, assignment=None, source=None, budget=None,
                   isolation=None, limits=None, reference=None, manifest=None, check_checksum=True):
    """Grade one submission and return a Report with one QuestionResult per graded test cell.

    assignment: the assignment's name (default: the file's stem); source: the folder of source notebooks
    (default solutions/); budget: seconds for the whole submission (default DEFAULT_BUDGET); isolation:
    "auto", "bwrap", "process", "docker" or "podman" (see coursetools/sandbox.py; never "none", which is
    the trusted kernel's); limits: a sandbox.Limits; reference: a precomputed Reference (reference_reports'
    or a release's stored one) to skip the trusted run. Raises CannotGrade, with a one-line reason, for a
    file that is not a gradable notebook or an unknown assignment."""
    started = time.monotonic()
    path = Path(path)
    source = Path(source) if source else SOLUTIONS
    budget = float(budget or DEFAULT_BUDGET)
    limits = limits or Limits(cpu_s=int(budget) + 30)
    try:
        resolve_mode(isolation)  # a sandbox that cannot work here (or "none") is said before anything runs
    except (RuntimeError, ValueError) as err:
        raise CannotGrade(str(err)) from None
    name, source_path = find_assignment(path, assignment, source)
    source_nb, digest = load_source(name, source, manifest, check_checksum)  # before any learner code runs
    submission = read_submission(path)
    if reference is None or reference.sha256 != digest:
        reference = reference_reports(name, source_nb, digest, cell_timeout)
    units, notes, missing = assemble(submission, source_nb)
    with Sandbox(isolation, limits) as sandbox:
        run = run_units([u for u in units if u.role != "skip"], sandbox, limits, cell_timeout, budget)
        mode = sandbox.mode
        notes = sandbox.notes + notes
    report = Report(path, source_path, cell_timeout, notes=notes, assignment=name, budget=budget, isolation=mode)
    report.results = _question_results(units, reference.steps, cell_timeout, run, missing)
    tainted = {u.grade_id for u in units if u.role == "test" and u.outcomes and u.outcomes[0].tainted}
    silenced = {r.grade_id for r in report.results if r.grade_id in tainted and not r.passed
                and r.message != HIDDEN_FAILED and NOT_ATTEMPTED not in r.message and r.message != run.stopped}
    if silenced:
        # A failure after the first hidden step quotes nothing from that kernel (it may hold the hidden code).
        # To still say why, run the notebook again without any hidden step, in a fresh kernel that never
        # sees hidden code, and take its reasons for those questions (the points stay the first run's).
        left = budget - run.seconds
        if left >= 5:
            visible_units, visible_steps = _without_hidden_steps(units, reference.steps)
            with Sandbox(isolation, limits) as sandbox:
                second = run_units([u for u in visible_units if u.role != "skip"], sandbox, limits, cell_timeout, left)
            reasons = {r.grade_id: r.message for r in
                       _question_results(visible_units, visible_steps, cell_timeout, second, missing) if not r.passed}
            for result in report.results:
                if result.grade_id in silenced and reasons.get(result.grade_id):
                    result.message = reasons[result.grade_id]
    report.executed = _executed_notebook(submission, units)
    report.seconds = time.monotonic() - started
    return report


def _without_hidden_steps(units, reference_steps):
    """Copies of `units` whose test cells keep only their visible steps, and the reference's reports for them."""
    visible_units, visible_steps = [], {}
    for unit in units:
        steps = [s for s in unit.steps if s[0].strip()]
        keep = [k for k, (code, hidden) in enumerate(steps) if not hidden]
        if unit.role == "test":
            visible_steps[unit.grade_id] = [want for k, want in enumerate(reference_steps.get(unit.grade_id) or [])
                                            if k in keep]
        visible_units.append(Unit(unit.role, unit.label, unit.cell, [steps[k] for k in keep], unit.grade_id))
    return visible_units, visible_steps


def _question_results(units, reference_steps, cell_timeout, run, missing):
    """One QuestionResult per test unit, from the outcomes a run left in `units`."""
    results = []
    since_last_test, setup_failures = [], []  # cells that failed: the likely cause of a test failing after them
    for unit in units:
        if unit.role in ("answer", "learner", "source"):
            if unit.outcomes and unit.outcomes[0].status != "ok":
                who = (f"your cell '{unit.grade_id}'" if unit.role == "answer" else
                       unit.label if unit.role == "learner" else f"the set-up cell '{unit.label}'")
                failure = f"({who} failed first: {_error_text(unit.outcomes[0], cell_timeout)})"
                since_last_test.append(failure)
                if unit.role == "source":
                    setup_failures.append(failure)
            continue
        if unit.role != "test":
            continue
        max_points = float(nbgrader_metadata(unit.cell).get("points", 0) or 0)
        passed, message = judge(unit, reference_steps.get(unit.grade_id), cell_timeout, run.stopped)
        cause = (since_last_test or setup_failures or [""])[0]
        if not passed and cause and cause not in message and NOT_ATTEMPTED not in message \
                and message != HIDDEN_FAILED and not (run.stopped and message == run.stopped):
            message = f"{message} {cause}"
        since_last_test = []
        question = unit.grade_id.removesuffix("_test")
        if question in missing:
            message = f"{missing[question]}; {message}" if message else missing[question]
        results.append(QuestionResult(unit.grade_id, max_points if passed else 0.0, max_points, message))
    return results


def _executed_notebook(submission, units):
    nb = nbformat.v4.new_notebook(metadata=copy.deepcopy(submission.get("metadata", {})))
    for unit in units:
        cell = copy.deepcopy(unit.cell)
        if cell.get("cell_type") == "code":
            cell.outputs = [o for outcome in unit.outcomes for o in outcome.outputs]
            counts = [o.execution_count for o in unit.outcomes if o.execution_count is not None]
            cell.execution_count = counts[-1] if counts else None
        nb.cells.append(cell)
    return nb


def format_report(report, width=120):
    """A per-question table: points, pass/FAIL and the reason, then the total."""
    name_width = max([len(r.grade_id.removesuffix("_test")) for r in report.results] + [8])
    lines = [f"Grading {report.notebook} (tests from {report.source.name}, {report.cell_timeout} s per cell)"]
    lines += [f"note: {note}" for note in report.notes if note and not note.startswith("isolation:")]
    lines += ["", f"{'question':<{name_width}}  {'points':>9}  result  reason"]
    indent = " " * (name_width + 21)
    for r in report.results:
        head = f"{r.grade_id.removesuffix('_test'):<{name_width}}  {r.points:>4g} / {r.max_points:<2g}  {'pass' if r.passed else 'FAIL':<6}  "
        wrapped = textwrap.wrap(r.message, width - len(indent)) or [""]
        lines.append(head + wrapped[0])
        lines += [indent + more for more in wrapped[1:]]
    lines += ["", f"{'total':<{name_width}}  {report.score:>4g} / {report.max_score:<2g}  "
              + ("all questions pass" if report.all_passed else "some questions fail")]
    return "\n".join(lines)
