"""Build what students receive: the course without solutions/ and without hidden tests.

    python -m coursetools release OUT_DIR        # or: make release OUT=OUT_DIR

nbgrader's source/release split, for this repository. The release holds the chapters (notebooks/),
the exercises (exercises/, generated afresh from the source folder: answers and hidden tests removed),
nnlib/, the course tooling (coursetools/: learners grade themselves), the benchmarks, the library's
tests and the set-up files (README.md, Makefile, requirements.txt, pyproject.toml, environment.yml).
It leaves out the source folder (solutions/ by default), the authors' recipe (coursetools/AUTHORING.md,
which quotes a solution), CI (.ci/), and the tests and benchmark that need the source (the exercise
and grading tests, the browser test, benchmarks/bench_grading.py): a learner's `make test` then runs
the library's and the chapters' tests, which need nothing of it.

How a learner grades in a release: `make grade NB=exercises/03_autograd.ipynb` works as in the
repository, against the visible tests only. The release carries, in grading/, the source notebooks
with their answers and hidden tests removed (the exercises as generated, kept apart from the copies a
learner edits), the reference values the instructor's solutions report in those visible tests
(computed here, by running the source notebook with its hidden tests removed in the grader's trusted
kernel), and their checksums. Nothing there is more than a learner already sees: each visible test
computes the same expected values in the notebook. The hidden tests are graded by the instructor,
who keeps the source folder private and grades with `--source`.

The build refuses to write a release that contains a solution region or a hidden test anywhere
(`leaks`), and it writes nothing of the instructor's own checksums (exercises/SOURCES.sha256 describes
the private source; a release has its own, of grading/).
"""
import copy
import dataclasses
import fnmatch
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import nbformat

from . import REPO, markers
from .errors import CannotGrade
from .exercises import LEAK_MARKERS, SOLUTIONS, exercise_text

GRADING = "grading"  # the release's source folder for self-grading (visible tests only)

# What stays with the instructor (repository-relative paths and fnmatch patterns).
INSTRUCTOR_ONLY = (
    "solutions/*", "*/solutions/*",     # the source, and any copy of a source (test data)
    ".ci/*",
    "coursetools/AUTHORING.md",        # the authors' recipe quotes a solution
    "tests/test_exercises.py", "tests/test_exercise_*.py", "tests/test_grading*.py", "tests/test_release.py",
    "tests/test_feedback.py", "tests/test_gradebook*.py", "tests/gradebook_standins.py", "tests/test_nbgrader_compat.py",
    "tests/grading_*.py", "tests/data/grading/*",  # the grader's own tests and their exercises
    "tests/browser/*",                 # types the answer from solutions/ into JupyterLab
    "benchmarks/bench_grading.py",     # builds honest submissions from solutions/
    "exercises/*",                     # regenerated from the source below
)
# Never copied, tracked or not: environments, caches, build output.
NEVER = ("*/.venv/*", ".venv/*", "*__pycache__*", "*.pyc", "*.ipynb_checkpoints*", "*.egg-info/*", ".git/*",
         ".pytest_cache/*", ".hypothesis/*", "build/*", ".browser-test/*", ".gl/*")


class ReleaseError(Exception):
    """The release cannot be built (or would leak): one line that says why."""


def _matches(relative, patterns):
    return any(fnmatch.fnmatch(relative, p) for p in patterns)


def course_files(repo=REPO):
    """The repository's files as its working tree has them: tracked files and new files git does not
    ignore (outside a git checkout, every file under `repo`); environments, caches and build output
    excluded. Repository-relative strings."""
    try:
        listed = subprocess.run(["git", "-C", str(repo), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                capture_output=True, check=True)
        files = [f for f in listed.stdout.decode().split("\0") if f]
    except (OSError, subprocess.CalledProcessError):
        files = [str(p.relative_to(repo)) for p in Path(repo).rglob("*") if p.is_file()]
    return sorted(f for f in files if not _matches(f, NEVER) and (Path(repo) / f).is_file())


def _regions(source_nb):
    """(kind, text) of every solution region and hidden-test region of the source notebook (nbgrader's
    rule: coursetools/markers.py)."""
    found = []
    for cell in source_nb.cells:
        for kind, which in (("solution", markers.SOLUTION), ("hidden test", markers.HIDDEN)):
            found += [(kind, region) for region in markers.regions(cell.source, which) if region.strip()]
    return found


def _without_regions(source_nb):
    """The source notebook's text outside its solution and hidden-test regions (what a learner sees)."""
    return "\n".join(markers.without_regions(markers.without_regions(c.source, markers.SOLUTION), markers.HIDDEN)
                     for c in source_nb.cells)


def _stripped_nonblank_lines(text):
    """The text's non-blank lines, each stripped of the whitespace around it: how a region is looked for in
    a file (whatever its indentation or blank lines there)."""
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


_STRING = re.compile(r"""("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')""")


def _hidden_strings(region, visible):
    """The strings a hidden test names its reports and messages with (12 characters or more, an
    f-string's text between its braces), unless the visible part of the notebook has them too."""
    found = set()
    for literal in _STRING.findall(region):
        for part in re.split(r"\{[^{}]*\}", literal[1:-1]):
            if len(part.strip()) >= 12 and part.strip() not in visible:
                found.add(part.strip())
    return found


def leaks(folder, source_nbs):
    """What in `folder` gives away a source notebook: a solution or hidden-test marker in any notebook,
    a whole solution or hidden-test region (its non-blank lines, in order) in any file, or a string of
    a hidden test (its report names and messages) in any file. A list of sentences; empty when nothing
    leaks."""
    folder = Path(folder)
    regions = [(name, kind, _stripped_nonblank_lines(text))
               for name, nb in source_nbs.items() for kind, text in _regions(nb)]
    strings = {(name, string) for name, nb in source_nbs.items() for kind, text in _regions(nb) if kind == "hidden test"
               for string in _hidden_strings(text, _without_regions(nb))}
    problems = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder)
        try:
            text = path.read_text()
        except (UnicodeDecodeError, OSError):
            continue  # binary files hold no notebook text
        if path.suffix == ".ipynb":
            nb_text = "\n".join(c.source for c in nbformat.reads(text, as_version=4).cells)
            problems += [f"{relative}: contains the marker {m!r}" for m in LEAK_MARKERS if m in nb_text]
            text = nb_text
        flat = _stripped_nonblank_lines(text)
        problems += [f"{relative}: contains a {kind} region of {name}" for name, kind, region in regions
                     if region and region in flat]
        problems += [f"{relative}: contains a hidden test's string of {name}: {string!r}"
                     for name, string in sorted(strings) if string in text]
    return problems


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def build_release(out, source=SOLUTIONS, repo=REPO, reference=True):
    """Write the learner's release of the course to `out` (which must not exist or be empty). `source`
    is the instructor's folder of source notebooks. reference=False skips computing grading/'s
    reference values (then a learner's grader has nothing to compare with: for tests of the layout).
    Returns the list of repository-relative paths written."""
    out, source, repo = Path(out).resolve(), Path(source).resolve(), Path(repo).resolve()
    sources = sorted(source.glob("*.ipynb"))
    if not sources:
        raise ReleaseError(f"no source notebooks in {source}: a release is built from the instructor's source folder "
                           "(is this already a release?)")
    if out.exists() and any(out.iterdir()):
        raise ReleaseError(f"{out} exists and is not empty; name a new folder")
    if out == repo or (repo in out.parents and out.relative_to(repo).parts[0] != "build"):
        raise ReleaseError(f"{out} is inside the repository; build the release outside it, or under build/")
    source_nbs = {p.stem: nbformat.read(p, as_version=4) for p in sources}
    skip_source = () if repo not in source.parents else (str(source.relative_to(repo)) + "/*",)

    written = []
    for relative in course_files(repo):
        if _matches(relative, INSTRUCTOR_ONLY + skip_source):
            continue
        target = out / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo / relative, target)
        written.append(relative)
    for path in sources:
        for folder in ("exercises", GRADING):  # the learner's copy, and the grader's (never edited)
            target = out / folder / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(exercise_text(path))
            written.append(f"{folder}/{path.name}")
    if reference:
        written += write_grading_reference(out / GRADING, sources)
    manifest = out / GRADING / "SOURCES.sha256"
    manifest.write_text("".join(f"{_sha256(out / GRADING / p.name)}  {p.name}\n" for p in sources))
    written.append(f"{GRADING}/SOURCES.sha256")

    problems = leaks(out, source_nbs)
    if problems:
        shutil.rmtree(out)
        raise ReleaseError("the release would leak the source, so it was deleted: " + "; ".join(problems[:5]))
    return sorted(written)


REFERENCE_SUFFIX = ".reference.json"


def visible_source(source_nb):
    """The source notebook with its hidden tests removed and its solutions kept: what the release's
    reference values are computed from (its test cells are exactly the release's)."""
    from nbgrader.preprocessors import ClearHiddenTests
    return ClearHiddenTests().preprocess(copy.deepcopy(source_nb), {})[0]


def write_grading_reference(grading, sources, cell_timeout=None):
    """For each source notebook, the values its solutions report in the visible tests, computed by the
    grader's trusted kernel from visible_source(...), stored as grading/NAME.reference.json under the
    checksum of grading/NAME.ipynb (the notebook the release's grader takes its tests from)."""
    from .grade import DEFAULT_CELL_TIMEOUT, reference_reports
    written = []
    for path in sources:
        digest = _sha256(Path(grading) / path.name)
        reference = reference_reports(path.stem, visible_source(nbformat.read(path, as_version=4)), digest,
                                      cell_timeout or DEFAULT_CELL_TIMEOUT)
        target = Path(grading) / f"{path.stem}{REFERENCE_SUFFIX}"
        target.write_text(json.dumps(dataclasses.asdict(reference), indent=1, sort_keys=True) + "\n")
        written.append(f"{GRADING}/{target.name}")
    return written


def stored_reference(source, assignment):
    """The reference values stored in a source folder for `assignment` (a release's grading/), as the
    grader's Reference, or None where there are none. The grader uses them only while their checksum
    matches the source notebook's; otherwise it runs the source in its trusted kernel as usual.
    Raises CannotGrade, with a one-line reason, for a file that is not what write_grading_reference writes."""
    from .grade import Reference
    path = Path(source) / f"{assignment}{REFERENCE_SUFFIX}"
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise _damaged(path, f"{type(err).__name__}: {err}") from None
    if not isinstance(data, dict):
        raise _damaged(path, f"a JSON {type(data).__name__}, not an object")
    for name, kind in (("assignment", str), ("sha256", str), ("steps", dict)):
        if not isinstance(data.get(name), kind):
            raise _damaged(path, f"its {name!r} is missing or not a {kind.__name__}")
    if not all(isinstance(steps, list) for steps in data["steps"].values()):
        raise _damaged(path, "its 'steps' are not lists")
    return Reference(**{f.name: data[f.name] for f in dataclasses.fields(Reference) if f.name in data})


def _damaged(path, why):
    """The one-line reason for a stored reference that cannot be used."""
    why = (str(why).strip().splitlines() or ["unreadable"])[0]
    return CannotGrade(f"the stored reference {path.name} is damaged ({why}): rebuild the release or ask the instructor")


VISIBLE_ONLY_NOTE = ("this is the learners' release: it grades the visible tests only; your instructor's "
                     "grading also runs hidden tests")


def is_release_source(source):
    """Whether `source` is a release's grading folder (stored reference values, no solutions)."""
    return any(Path(source).glob(f"*{REFERENCE_SUFFIX}"))


def grading_options(options, notebook=None, repo=REPO):
    """grade_notebook's keyword arguments with the source folder resolved: the one the command named,
    else solutions/, else (in a release, which has no solutions/) grading/. For a release's grading
    folder, its own checksums (grading/SOURCES.sha256) and its stored reference values are used.
    Returns (options, note): note is VISIBLE_ONLY_NOTE for a release, else ""."""
    options = dict(options)
    source = Path(options.get("source") or "")
    if not options.get("source"):
        solutions, grading = Path(repo) / "solutions", Path(repo) / GRADING
        source = grading if not solutions.is_dir() and grading.is_dir() else solutions
    if not is_release_source(source):
        return options, ""
    options["source"] = source
    options.setdefault("manifest", source / "SOURCES.sha256")
    if notebook is not None and options.get("reference") is None:
        options["reference"] = stored_reference(source, options.get("assignment") or Path(notebook).stem)
    return options, VISIBLE_ONLY_NOTE
