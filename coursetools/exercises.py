"""Generate exercises/ from solutions/ with nbgrader's own preprocessors.

A solution notebook marks code to remove with `### BEGIN SOLUTION` / `### END SOLUTION` and tests
to hide with `### BEGIN HIDDEN TESTS` / `### END HIDDEN TESTS` (nbgrader's conventions), with nbgrader
cell metadata on solution and graded cells, so an instructor can drop it into an nbgrader course.
"""
import copy
import hashlib
from pathlib import Path

import nbformat
from nbgrader.preprocessors import ClearHiddenTests, ClearOutput, ClearSolutions

from . import REPO

SOLUTIONS = REPO / "solutions"
EXERCISES = REPO / "exercises"
LEAK_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
# exercises/SOURCES.sha256: the SHA-256 of each source notebook the exercises were generated from
# (`sha256sum` format, so `cd solutions && sha256sum -c ../exercises/SOURCES.sha256` checks it too).
# The grader refuses a source notebook whose checksum differs: one changed without regenerating, or
# tampered with.
MANIFEST_NAME = "SOURCES.sha256"


def nbgrader_metadata(cell):
    """A cell's nbgrader metadata: {} when it has none (or, in a learner's file, something that is not an object)."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def cell_grade_id(cell):
    """A cell's nbgrader grade_id, or None when it has none (or one that is not a string): the key by which
    the generator, the staleness check and the grader match cells."""
    gid = nbgrader_metadata(cell).get("grade_id")
    return gid if isinstance(gid, str) else None


def normalised_source(source):
    """A cell's source as the staleness check and the grader compare it: trailing whitespace on each line
    and blank lines at the ends ignored."""
    return "\n".join(line.rstrip() for line in str(source).splitlines()).strip("\n")


def make_exercise(solution_nb):
    """The learner's version of a solution notebook: solutions and hidden tests removed, outputs cleared."""
    nb = copy.deepcopy(solution_nb)
    resources = {}
    for preprocessor in (ClearSolutions(), ClearHiddenTests(), ClearOutput()):
        nb, resources = preprocessor.preprocess(nb, resources)
    return nb


def stub_cells(solution_nb):
    """{grade_id: the learner's starting cell} for every solution cell of a solution notebook."""
    stubs = ClearSolutions().preprocess(copy.deepcopy(solution_nb), {})[0]
    return {c.metadata["nbgrader"]["grade_id"]: c for c in stubs.cells
            if c.metadata.get("nbgrader", {}).get("solution")}


def sha256_of(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_manifest(path):
    """{notebook file name: sha256} from a SOURCES.sha256 file ({} when it does not exist)."""
    try:
        text = Path(path).read_text()
    except FileNotFoundError:
        return {}
    entries = {}
    for line in text.splitlines():
        parts = line.strip().split(None, 1)
        if len(parts) == 2:
            entries[parts[1].lstrip("*")] = parts[0]
    return entries


def manifest_text(source=SOLUTIONS):
    return "".join(f"{sha256_of(p)}  {p.name}\n" for p in sorted(Path(source).glob("*.ipynb")))


def exercise_notebook(solution_path):
    """The exercise generated from the solution notebook at `solution_path`, as a notebook object."""
    solution_nb = nbformat.read(solution_path, as_version=4)
    solution_nb.metadata.setdefault("coursetools", {})["assignment"] = solution_path.stem  # for people; the grader ignores it
    return make_exercise(solution_nb)


def exercise_text(solution_path):
    return nbformat.writes(exercise_notebook(solution_path)) + "\n"


def write_exercises(source=SOLUTIONS, out=EXERCISES):
    """Regenerate every exercises/NAME.ipynb from solutions/NAME.ipynb (overwriting it: answers included),
    and exercises/SOURCES.sha256 (the source notebooks' checksums, which the grader checks)."""
    source, out = Path(source), Path(out)
    out.mkdir(exist_ok=True)
    written = []
    for solution_path in sorted(source.glob("*.ipynb")):
        target = out / solution_path.name
        target.write_text(exercise_text(solution_path))
        written.append(target)
    (out / MANIFEST_NAME).write_text(manifest_text(source))
    written.append(out / MANIFEST_NAME)
    return written


# What the staleness check compares, and what it leaves alone. An exercise is a learner's working copy:
# JupyterLab rewrites metadata when it opens and saves one (kernelspec.display_name, language_info,
# cell ids, outputs, execution counts, widget state, formatting), and the learner writes answers into
# the solution cells. None of that makes an exercise stale. What does is a difference in what the
# generator controls: the cells (matched by nbgrader grade_id, in order), their types, their nbgrader
# metadata (points, locks), the source of every cell that is not a solution cell (text, set-up, tests,
# the grading cell; compared line by line, ignoring trailing whitespace and blank lines at the ends)
# and the notebook's `coursetools` metadata (how the grader finds the source). Cells without nbgrader
# metadata are the learner's own scratch cells; generated cells always have it.
# strict=True also compares solution cells with the generated stubs and allows no extra cells and no
# outputs: that is for a clean checkout (CI, an author), where exercises/ must be what solutions/ generates.
AUTHOR_ADVICE = (
    "Authors: regenerate exercises/ from solutions/ with `make exercises` (it overwrites exercises/, "
    "answers included). Learners: this check ignores your answers in the `# YOUR CODE HERE` cells; "
    "a difference elsewhere means a cell outside them was edited or the course changed (save your "
    "answers somewhere else before restoring the file from git).")


def exercise_differences(solution_path, exercise_path, strict=False):
    """What differs between an exercise notebook and what its solution notebook generates (a list of
    sentences; empty when it is up to date). See the comment above for what is compared."""
    solution_path, exercise_path = Path(solution_path), Path(exercise_path)
    expected = exercise_notebook(solution_path)
    try:
        actual = nbformat.read(exercise_path, as_version=4)
    except FileNotFoundError:
        return ["it is missing"]
    except Exception as err:  # not JSON, not a notebook
        return [f"it cannot be read as a notebook ({type(err).__name__}: {err})"]
    problems = [f"cell {k} of {solution_path.name} has no nbgrader grade_id (every generated cell needs one)"
                for k, cell in enumerate(expected.cells) if not cell_grade_id(cell)]
    if actual.metadata.get("coursetools") != expected.metadata.get("coursetools"):
        problems.append("its notebook metadata 'coursetools' differs (the grader uses it to find the source)")
    learners_own = [c for c in actual.cells if not cell_grade_id(c)]
    if strict and learners_own:
        problems.append(f"it has {len(learners_own)} cell(s) without nbgrader metadata, which the generator never writes")
    if strict and any(c.get("outputs") or c.get("execution_count") for c in actual.cells if c.cell_type == "code"):
        problems.append("it stores outputs, which the generator clears")
    actual_cells = [c for c in actual.cells if cell_grade_id(c)]
    expected_ids, actual_ids = [cell_grade_id(c) for c in expected.cells], [cell_grade_id(c) for c in actual_cells]
    if expected_ids != actual_ids:
        missing = [i for i in expected_ids if i not in actual_ids]
        extra = [i for i in actual_ids if i not in expected_ids]
        problems.append("its cells differ: " + "; ".join(
            part for part in (missing and f"missing {', '.join(map(str, missing))}",
                              extra and f"not in the source {', '.join(map(str, extra))}",
                              not missing and not extra and "the order differs") if part))
        return problems
    for want, got in zip(expected.cells, actual_cells):
        name = f"cell '{cell_grade_id(want)}'"
        if got.cell_type != want.cell_type:
            problems.append(f"{name} is a {got.cell_type} cell, the source has a {want.cell_type} cell")
        if got.metadata.get("nbgrader") != want.metadata.get("nbgrader"):
            problems.append(f"{name}: its nbgrader metadata (points, locks) differs")
        answer_cell = want.metadata["nbgrader"].get("solution", False)
        if (strict or not answer_cell) and normalised_source(got.source) != normalised_source(want.source):
            problems.append(f"{name}: its source differs" + (" from the generated stub" if answer_cell else ""))
    return problems


def check_exercises(strict=False, source=None, exercises=None):
    """Exercise notebooks that are out of date: ["NAME.ipynb: what differs", ...]; empty when all are current.

    `source` is the folder exercises/ was generated from (default solutions/; an instructor's private copy,
    as in `exercises --source DIR`). By default a learner's answers and JupyterLab's metadata are ignored
    (see exercise_differences); strict=True wants exercises/ exactly as generated, answers not allowed (a
    clean checkout, CI)."""
    source, exercises = Path(source or SOLUTIONS), Path(exercises or EXERCISES)
    where = "solutions/" if source.resolve() == SOLUTIONS.resolve() else f"{source}/"
    stale = []
    for solution_path in sorted(source.glob("*.ipynb")):
        for problem in exercise_differences(solution_path, exercises / solution_path.name, strict=strict):
            stale.append(f"{solution_path.name}: {problem}")
    sources = {p.name for p in source.glob("*.ipynb")}
    stale += [f"{p.name}: it has no source in {where}" for p in sorted(exercises.glob("*.ipynb")) if p.name not in sources]
    recorded = read_manifest(exercises / MANIFEST_NAME)
    for solution_path in sorted(source.glob("*.ipynb")):
        if recorded.get(solution_path.name) != sha256_of(solution_path):
            stale.append(f"{MANIFEST_NAME}: the checksum of {where}{solution_path.name} is "
                         + ("missing" if solution_path.name not in recorded else "out of date"))
    return stale
