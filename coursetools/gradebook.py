"""Grade a whole class in parallel: one worker process per job, each submission on its own.

    python -m coursetools gradebook submissions/ --out grades.csv --jobs 4

`grade_class(folder, jobs=...)` finds every .ipynb under `folder` and grades each one with
`coursetools.grade.grade_notebook` in one of `jobs` worker processes (default: the number of cores
this process may use). Each grading starts its own kernels in its own sandbox (see grade.py), so
submissions share nothing but the worker that waits for them. A worker is its own process group and
is watched from here: a grading that outlives its time (the grader's own per-submission budget plus
a margin) or a worker that dies (the out-of-memory killer, a crash) costs that one submission its
row, with the reason, and a fresh worker takes the next submission. No exception, timeout or crash in
one submission touches another's row.

Workers are started once per job, not once per submission (importing nbgrader and nbclient takes
seconds), as fresh interpreters (`python -c ...`, in a new session) that inherit none of this
process's threads and do not re-run the script that called the gradebook; they talk to it over a
socket pair (multiprocessing's Connection: pickled messages).
"""
import csv
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path

from .errors import CannotGrade, GradingFailed

THREAD_ENV_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
DEFAULT_MARGIN_S = 120
START_TIMEOUT_S = 300  # on top of the grader's own budget: kernel start-up, the trusted kernel, slow disks


def default_jobs():
    """The number of cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS
        return max(1, os.cpu_count() or 1)


def find_submissions(folder):
    """Every .ipynb under `folder` (JupyterLab's checkpoints excluded), sorted, as paths."""
    folder = Path(folder)
    return [p for p in sorted(folder.rglob("*.ipynb")) if ".ipynb_checkpoints" not in p.parts]




def _grade_in_worker(path, options):
    """grade_notebook with the trusted kernel's reference values the gradebook computed once."""
    from .grade import grade_notebook
    options = dict(options)
    references = options.pop("references", None) or {}
    name = options.get("assignment") or Path(path).stem
    return grade_notebook(path, reference=references.get(name), **options)


def trusted_references(paths, **options):
    """{assignment: Reference} for the assignments of `paths` (the file stems, or options['assignment'])
    that name a notebook in the source folder: the trusted kernel's run of each source, once, here in
    the gradebook's process, so that no worker runs it again. A source that does not pass its checksum
    check is left out (each of its submissions then gets that reason in its row); a source that fails in
    the trusted kernel raises grade.CannotGrade: the exercise, not a submission, is broken."""
    from .exercises import SOLUTIONS
    from .grade import DEFAULT_CELL_TIMEOUT, find_assignment, load_source, reference_reports
    from .release import stored_reference
    source = options.get("source") or SOLUTIONS
    names = {options["assignment"]} if options.get("assignment") else {Path(p).stem for p in paths}
    references = {}
    for name in sorted(names):
        try:
            name, _ = find_assignment(Path(f"{name}.ipynb"), name, source)
            source_nb, digest = load_source(name, source, options.get("manifest"), options.get("check_checksum", True))
        except CannotGrade:
            continue  # not an assignment, or a checksum problem: reported per submission
        stored = stored_reference(source, name)  # a release's grading/ carries them: it has no solutions to run
        references[name] = stored if stored is not None and stored.sha256 == digest else \
            reference_reports(name, source_nb, digest, options.get("cell_timeout", DEFAULT_CELL_TIMEOUT))
    return references


def _exit_on_term(signum, frame):
    raise SystemExit(128 + signum)  # unwinds grade_notebook, whose clean-up stops its kernels


def _worker_main(fd):
    """A worker process (started by _Worker): grade the paths it is sent, one at a time, and send back
    each outcome. The first messages are the gradebook's sys.path, then (grade_one, options)."""
    from multiprocessing.connection import Connection
    conn = Connection(fd)
    signal.signal(signal.SIGTERM, _exit_on_term)
    for var in THREAD_ENV_VARS:  # several kernels share the cores: one BLAS/OpenMP thread each
        os.environ.setdefault(var, "1")
    try:
        parents_path = conn.recv()  # so that grade_one unpickles from the modules the gradebook uses
        sys.path[:] = parents_path + [p for p in sys.path if p not in parents_path]
        grade_one, options = conn.recv()
    except (EOFError, OSError, KeyboardInterrupt):
        return
    if grade_one is _grade_in_worker:
        from . import grade  # noqa: F401  (imported before the clock of the first submission starts)
    try:
        conn.send(("ready", os.getpid()))
        while True:
            path = conn.recv()
            if path is None:
                return
            try:
                outcome = grade_one(path, options)
            except Exception as err:  # one submission's failure is its own row
                lines = str(err).strip().splitlines()
                if isinstance(err, CannotGrade):  # the grader's own one-line reason (an empty file, ...)
                    outcome = GradingFailed(lines[0] if lines else "it cannot be graded")
                else:
                    outcome = GradingFailed(f"{type(err).__name__}: {lines[0]}" if lines else type(err).__name__)
            try:
                conn.send(outcome)
            except (BrokenPipeError, EOFError):
                raise
            except Exception as err:  # an outcome that does not pickle
                conn.send(GradingFailed(f"the grade report could not be sent back ({type(err).__name__}: {err})"))
    except (BrokenPipeError, EOFError, KeyboardInterrupt):
        return  # the gradebook stopped this worker, or went away


def _worker_env():
    """This environment, with this coursetools package first on the path (a release is not installed)."""
    here = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([here] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    return env


class _Worker:
    def __init__(self, grade_one, options, start_timeout=START_TIMEOUT_S):
        from multiprocessing.connection import Connection
        ours, theirs = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-c", f"from coursetools.gradebook import _worker_main; _worker_main({theirs.fileno()})"],
            pass_fds=[theirs.fileno()], start_new_session=True, stdin=subprocess.DEVNULL, env=_worker_env())
        theirs.close()
        self.conn = Connection(ours.detach())
        try:
            self.conn.send(list(sys.path))
            self.conn.send((grade_one, options))
            # the clock of a submission starts when its worker is ready (an interpreter and nbgrader imported)
            ready = self.conn.poll(start_timeout) and self.conn.recv()
        except (EOFError, OSError):
            ready = None
        if not (isinstance(ready, tuple) and ready[0] == "ready"):
            self.kill()
            raise RuntimeError(f"a grading process did not start within {start_timeout} s")

    def alive(self):
        return self.process.poll() is None

    def grade(self, path, timeout):
        """The outcome for `path`, or GradingFailed when it took longer than `timeout` or the worker died."""
        self.conn.send(str(path))
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                return GradingFailed(f"grading did not finish within {timeout:.0f} s; the grader was stopped")
            try:
                if self.conn.poll(min(left, 1.0)):
                    return self.conn.recv()
            except (EOFError, OSError):
                pass  # the worker died: reported below
            if not self.alive():
                code = self.process.wait()
                why = f"killed by signal {-code}" if code is not None and code < 0 else f"exit status {code}"
                if code == -signal.SIGKILL:
                    why += ", perhaps by the out-of-memory killer"
                return GradingFailed(f"the grading process died ({why}); this submission was not graded")

    def kill(self):
        """Stop the worker and everything in its process group: TERM (it cleans up its kernels), then KILL."""
        for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(self.process.pid, sig)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.process.wait(wait)
                break
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # anything it left in its group
        except (ProcessLookupError, PermissionError):
            pass
        self.conn.close()

    def close(self):
        try:
            self.conn.send(None)
        except OSError:
            pass
        try:
            self.process.wait(10)
            self.conn.close()
        except subprocess.TimeoutExpired:
            self.kill()


def grade_paths(paths, jobs=None, timeout=None, grade_one=_grade_in_worker, progress=None, **options):
    """Grade every path in `paths` with grade_one(path, options) in `jobs` worker processes; return
    [(path, outcome)] in the order of `paths`, where outcome is what grade_one returned or a
    GradingFailed. `timeout` (seconds per submission) is enforced here, whatever grade_one does;
    progress(path, outcome), if given, is called as each one finishes."""
    paths = [Path(p) for p in paths]
    jobs = max(1, min(jobs or default_jobs(), len(paths) or 1))
    timeout = timeout or _default_timeout(options)
    todo = queue.Queue()
    for k, path in enumerate(paths):
        todo.put((k, path))
    outcomes = [None] * len(paths)
    lock = threading.Lock()

    live = set()  # the workers running now: killed if the gradebook itself is interrupted (Ctrl-C)
    stopping = threading.Event()

    def run_slot():
        worker = None
        try:
            while not stopping.is_set():
                try:
                    k, path = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    if worker is None:
                        worker = _Worker(grade_one, options)
                        live.add(worker)
                    outcome = worker.grade(path, timeout)
                except Exception as err:  # the worker would not start, or its pipe failed: this submission only
                    if worker is not None:
                        worker.kill()
                    outcome = GradingFailed(f"the grading process failed ({type(err).__name__}: {err})")
                if worker is not None and not worker.alive():
                    live.discard(worker)
                    worker = None  # a fresh worker for the next submission
                outcomes[k] = outcome
                if progress is not None:
                    with lock:
                        progress(path, outcome)
        except Exception:  # never leave a submission without a row
            traceback.print_exc()
        finally:
            if worker is not None:
                live.discard(worker)
                worker.close()

    threads = [threading.Thread(target=run_slot, daemon=True) for _ in range(jobs)]
    for t in threads:
        t.start()
    try:
        for t in threads:
            while t.is_alive():
                t.join(0.5)  # a plain join() would not let Ctrl-C through
    except BaseException:
        stopping.set()
        for worker in list(live):  # they run in sessions of their own: Ctrl-C does not reach them
            worker.kill()
        raise
    return [(path, outcome if outcome is not None else GradingFailed("not graded (the gradebook was interrupted)"))
            for path, outcome in zip(paths, outcomes)]


def _default_timeout(options):
    """The grader's own per-submission budget (options['budget'], else grade.DEFAULT_BUDGET) plus DEFAULT_MARGIN_S."""
    from .grade import DEFAULT_BUDGET
    return float(options.get("budget") or DEFAULT_BUDGET) + DEFAULT_MARGIN_S


def grade_class(folder, jobs=None, timeout=None, progress=None, paths=None, **options):
    """Grade every submission under `folder` (options: grade_notebook's keyword arguments): the trusted
    kernel runs each source once, here, then grade_paths. `paths` is the list of submissions to grade when
    the caller has already found them (default find_submissions(folder)). Returns [(path relative to
    folder, outcome)]."""
    folder = Path(folder)
    paths = find_submissions(folder) if paths is None else [Path(p) for p in paths]
    if options.get("references") is None:
        options["references"] = trusted_references(paths, **options)
    graded = grade_paths(paths, jobs=jobs, timeout=timeout, progress=progress, **options)
    return [(str(path.relative_to(folder)), outcome) for path, outcome in graded]


def write_gradebook(results, out_path):
    """Write [(submission, Report or the exception that kept it from being graded)] (the gradebook's
    results) as a CSV: one row per submission, one column per question."""
    rows, questions = [], []
    for submission, outcome in results:
        row = {"submission": submission}
        if isinstance(outcome, Exception):
            reason = str(outcome) if isinstance(outcome, CannotGrade) else f"{type(outcome).__name__}: {outcome}"
            row.update(assignment="", score=0, max_score="", error=reason.splitlines()[0] if reason else "")
        else:
            row.update(assignment=outcome.assignment or outcome.source.stem, score=outcome.score,
                       max_score=outcome.max_score, error="")
            for r in outcome.results:
                row[r.grade_id] = r.points
                if r.grade_id not in questions:
                    questions.append(r.grade_id)
        rows.append(row)
    for row in rows:  # a submission that could not be graded scores 0 on every question
        if row["error"]:
            for q in questions:
                row.setdefault(q, 0)
    with open(out_path, "w", newline="") as f:
        writer = csv.DictWriter(f, ["submission", "assignment", "score", "max_score"] + questions + ["error"], restval="")
        writer.writeheader()
        writer.writerows(rows)
    return rows


def _output_problem(out, feedback):
    """Why the gradebook could not write its CSV to `out` or its feedback files under `feedback`, or ""."""
    if out.is_dir():
        return f"--out {out} is a folder; name the CSV file to write (e.g. {out / 'gradebook.csv'})"
    if out.exists() and not out.is_file():
        return f"--out {out} is not a regular file"
    if feedback.exists() and not feedback.is_dir():
        return f"the feedback folder {feedback} is a file"
    for path in (out.parent, feedback):
        existing = next((p for p in [path, *path.parents] if p.exists()), None)
        if existing is not None and not existing.is_dir():
            return f"{existing} is a file, so {path} cannot be a folder"
        if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
            return f"{existing} is not writable"
    if out.exists() and not os.access(out, os.W_OK):
        return f"--out {out} is not writable"
    return ""


def command(folder, out, feedback=None, jobs=None, **options):
    """`python -m coursetools gradebook`: grade the class, write the CSV and each student's feedback
    files, print a line per submission as it finishes. Returns the exit status: 0 when the CSV and the
    feedback were written (whatever the scores, and with a row for each submission that could not be
    graded), 2 when nothing was graded and nothing written (no such folder, an output path that cannot
    be written, an isolation mode that does not work here, a source notebook that fails)."""
    from .feedback import hidden_fragments, write_feedback
    from .release import grading_options
    from .sandbox import resolve_mode
    folder, out = Path(folder), Path(out)
    feedback = Path(feedback) if feedback else out.parent / "feedback"
    if not folder.is_dir():
        print(f"cannot grade {folder}: it is not a folder of submissions", file=sys.stderr)
        return 2
    problem = _output_problem(out, feedback)
    if problem:
        print(f"cannot grade {folder}: {problem}", file=sys.stderr)
        return 2
    try:  # a sandbox that cannot work here: said once, before anything is graded or written
        resolve_mode(options.get("isolation"))
    except (RuntimeError, ValueError) as err:
        print(f"cannot grade {folder}: {err}", file=sys.stderr)
        return 2
    options, _ = grading_options(options)
    paths = find_submissions(folder)
    try:
        references = trusted_references(paths, **options)
    except CannotGrade as err:
        print(f"cannot grade {folder}: {err}", file=sys.stderr)
        return 2
    jobs = max(1, min(jobs or default_jobs(), len(paths) or 1))
    print(f"grading {len(paths)} submissions from {folder}, {jobs} at a time")
    done = []

    def progress(path, outcome):
        done.append(path)
        verdict = (f"{outcome.score:g} / {outcome.max_score:g}" if hasattr(outcome, "score")
                   else f"not graded: {outcome}")
        print(f"  [{len(done)}/{len(paths)}] {path.relative_to(folder)}: {verdict}", flush=True)

    results = grade_class(folder, jobs=jobs, progress=progress, paths=paths, references=references, **options)
    for note in sorted({n for _, o in results for n in getattr(o, "notes", []) if n.startswith("isolation:")}):
        print(note, file=sys.stderr)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = write_gradebook(results, out)
    fragments = {}

    def fragments_for(report):  # the hidden tests' text, read from the instructor's source, never shown
        key = str(report.source)
        if key not in fragments:
            import nbformat
            try:
                fragments[key] = hidden_fragments(nbformat.read(report.source, as_version=4))
            except Exception:
                fragments[key] = set()
        return fragments[key]

    write_feedback(results, feedback, fragments_for)
    print(f"graded {len(rows)} submissions into {out}; feedback files in {feedback}/")
    return 0
