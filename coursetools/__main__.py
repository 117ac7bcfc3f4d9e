"""Command line for the course tools; `python -m coursetools --help` lists the commands."""
import argparse
import sys
from pathlib import Path

from . import REPO


def _grading_options(p):
    """The options every grading command takes: where the tests come from, and the sandbox."""
    from .grade import DEFAULT_BUDGET
    p.add_argument("--assignment", default=None,
                   help="the assignment to grade against (default: the notebook's file name, e.g. 03_autograd)")
    p.add_argument("--source", type=Path, default=None,
                   help="the folder of source notebooks with the tests (default solutions/)")
    p.add_argument("--budget", type=_positive_float, default=DEFAULT_BUDGET,
                   help=f"seconds allowed for a whole submission, kernel start included (default {DEFAULT_BUDGET})")
    p.add_argument("--isolation", choices=("auto", "bwrap", "process", "docker", "podman"), default=None,
                   help="how the learner's kernel is isolated (default auto: bubblewrap when it works here, "
                        "else process; docker or podman for high-stakes grading)")


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number of seconds, not {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number of seconds above 0, not {text}")
    return value


def _grading_kwargs(args):
    return {"assignment": args.assignment, "source": args.source, "budget": args.budget, "isolation": args.isolation}


def main(argv=None):
    from .grade import DEFAULT_CELL_TIMEOUT
    parser = argparse.ArgumentParser(prog="python -m coursetools", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("execute", help="re-execute chapter notebooks in a fresh kernel and save their outputs")
    p.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/*.ipynb")

    p = sub.add_parser("exercises", help="regenerate exercises/ (and exercises/SOURCES.sha256) from solutions/")
    p.add_argument("--source", type=Path, default=None,
                   help="the folder of source notebooks (default solutions/; an instructor's private copy with its own hidden tests)")
    p.add_argument("--check", action="store_true",
                   help="only report whether exercises/ is up to date (a learner's answers are ignored); writes nothing")
    p.add_argument("--strict", action="store_true",
                   help="with --check: exercises/ must be exactly as generated, answers not allowed (a clean checkout, CI)")

    p = sub.add_parser("grade", help="grade one exercise notebook and print a per-question table")
    p.add_argument("notebook", type=Path)
    p.add_argument("--timeout", type=_positive_int, default=DEFAULT_CELL_TIMEOUT,
                   help=f"seconds allowed per cell (default {DEFAULT_CELL_TIMEOUT})")
    _grading_options(p)

    p = sub.add_parser("gradebook", help="grade a folder of submissions into a CSV gradebook")
    p.add_argument("folder", type=Path, help="folder of submitted .ipynb files (searched recursively)")
    p.add_argument("--out", type=Path, default=Path("gradebook.csv"), help="the CSV file to write (default gradebook.csv)")
    p.add_argument("--timeout", type=_positive_int, default=DEFAULT_CELL_TIMEOUT,
                   help=f"seconds allowed per cell (default {DEFAULT_CELL_TIMEOUT})")
    _grading_options(p)
    p.add_argument("--jobs", type=_positive_int, default=None,
                   help="submissions graded at once, each in its own worker and kernel (default: one per core)")
    p.add_argument("--feedback", type=Path, default=None,
                   help="folder for each student's feedback file, <submission>.md and .html (default: feedback/ next to --out)")

    p = sub.add_parser("release", help="build what students receive: the course without solutions/ and hidden tests")
    p.add_argument("out", type=Path, help="a new (or empty) folder to write the release to")
    p.add_argument("--source", type=Path, default=None,
                   help="the folder of source notebooks (default solutions/; an instructor's private copy)")

    p = sub.add_parser("test-gpu", help="run every chapter's PyTorch parts on the GPU and check that they ran there")
    p.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/*.ipynb")

    p = sub.add_parser("lab-settings", help="install the course's JupyterLab settings into this environment")
    p.add_argument("--prefix", type=Path, default=Path(sys.prefix), help="environment to install into (default: this one)")

    args = parser.parse_args(argv)
    if args.command == "execute":
        from .execute import execute_in_place
        execute_in_place(args.notebooks or sorted((REPO / "notebooks").glob("*.ipynb")))
        return 0
    if args.command == "exercises":
        from .exercises import AUTHOR_ADVICE, SOLUTIONS, check_exercises, write_exercises
        if args.strict and not args.check:
            print("--strict only applies with --check (python -m coursetools exercises --check --strict); "
                  "nothing was written", file=sys.stderr)
            return 2
        if not any(Path(args.source or SOLUTIONS).glob("*.ipynb")):
            print(f"no source notebooks in {args.source or SOLUTIONS}: exercises/ is generated from the instructor's "
                  "source (a learners' release has none: its exercises/ comes ready-made)", file=sys.stderr)
            return 2
        if args.check:
            stale = check_exercises(strict=args.strict, **({"source": args.source} if args.source else {}))
            for problem in stale:
                print(f"out of date: exercises/{problem}")
            if stale:
                print(AUTHOR_ADVICE)
            return 1 if stale else 0
        for path in write_exercises(**({"source": args.source} if args.source else {})):
            print(f"wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
        return 0
    if args.command == "grade":
        from .grade import CannotGrade, grade_notebook, format_report
        from .release import grading_options
        try:
            options, release_note = grading_options(_grading_kwargs(args), args.notebook)  # grading/ in a release
            report = grade_notebook(args.notebook, cell_timeout=args.timeout, **options)
        except CannotGrade as err:
            print(f"cannot grade {args.notebook}: {err}", file=sys.stderr)
            return 2  # not graded at all; 1 means graded with some questions failing
        for note in report.notes:
            if note.startswith("isolation:"):
                print(note, file=sys.stderr)
        if release_note:
            report.notes.append(release_note)
        print(format_report(report))
        return 0 if report.all_passed else 1
    if args.command == "gradebook":
        from .gradebook import command as gradebook
        return gradebook(args.folder, args.out, args.feedback, args.jobs, cell_timeout=args.timeout, **_grading_kwargs(args))
    if args.command == "release":
        from .exercises import SOLUTIONS
        from .release import ReleaseError, build_release
        try:
            written = build_release(args.out, source=args.source or SOLUTIONS)
        except ReleaseError as err:
            print(f"no release written: {err}", file=sys.stderr)
            return 2
        print(f"wrote the release to {args.out}: {len(written)} files, no solutions and no hidden tests "
              f"(exercises/ regenerated; grading/ holds the visible tests a learner grades against)")
        return 0
    if args.command == "test-gpu":
        from .gpucheck import main as test_gpu
        return test_gpu(args.notebooks or sorted((REPO / "notebooks").glob("*.ipynb")))
    if args.command == "lab-settings":
        from .labsettings import install
        for path in install(args.prefix):
            print(f"wrote {path}")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
