"""The grader's one-line failures (a module of its own, importing nothing: the gradebook's workers
send them back pickled, and its stand-in graders import no grader)."""


class CannotGrade(Exception):
    """A submission (or a source) that cannot be graded at all; str() is the one-line reason."""


class GradingFailed(CannotGrade):
    """A submission the gradebook could not finish (its worker died, ran out of time, or its grading
    raised): the one-line reason for its row."""
