"""nbgrader's region markers, parsed by nbgrader's own rule, for the grader, the feedback and the release.

nbgrader's ClearHiddenTests (and ClearSolutions) removes every line that *contains* the begin marker,
every line up to the next line that contains the end marker, and that line: `### BEGIN HIDDEN TESTS`,
`    ### BEGIN HIDDEN TESTS (the instructor's seeds)` and `# BEGIN HIDDEN TESTS` all start a region.
A line with both markers starts one. An end marker outside a region is removed too. A region that is
never closed runs to the end of the cell here (nbgrader refuses such a cell; treating the rest as
hidden is the safe reading).
"""
HIDDEN = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
HIDDEN_FAILED = "hidden test failed"  # all a learner is told about a hidden test that fails
SOLUTION = ("BEGIN SOLUTION", "END SOLUTION")


def line_roles(source, markers=HIDDEN):
    """One entry per line of `source` (split on "\\n", as nbgrader does): "marker" for a line holding a
    begin or end marker, "inside" for a line between them, "" for a line nbgrader keeps."""
    begin, end = markers
    roles, inside = [], False
    for line in str(source).split("\n"):
        if begin in line:
            roles.append("marker")
            inside = True
        elif end in line:
            roles.append("marker")
            inside = False
        else:
            roles.append("inside" if inside else "")
    return roles


def hidden_line_numbers(source, markers=HIDDEN):
    """The 1-based numbers of the lines nbgrader removes (markers and the regions between them)."""
    return {k for k, role in enumerate(line_roles(source, markers), start=1) if role}


def regions(source, markers=HIDDEN):
    """The text of each region (the lines between a begin marker and its end, markers excluded)."""
    found, current = [], None
    lines = str(source).split("\n")
    for line, role in zip(lines, line_roles(source, markers)):
        if role == "marker":
            if current is not None:
                found.append("\n".join(current))
            current = [] if markers[0] in line else None
        elif role == "inside":
            current.append(line)
    if current is not None:
        found.append("\n".join(current))
    return found


def without_regions(source, markers=HIDDEN):
    """`source` as nbgrader leaves it: every marker line and every region removed."""
    lines = str(source).split("\n")
    return "\n".join(line for line, role in zip(lines, line_roles(source, markers)) if not role)


def has_region(source, markers=HIDDEN):
    return any(role == "marker" for role in line_roles(source, markers))
