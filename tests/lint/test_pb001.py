"""PB001: a one-argument COPY/ADD ending in `.` is missing the space before the destination."""
from __future__ import annotations

from buildkit_py.syntax import parse

from .pb_helpers import apply_edits, lines, run


def test_copy_with_dot_glued_to_the_source_is_an_error_with_a_safe_fix():
    text = "FROM busybox:1.36\nWORKDIR /app\nCOPY requirements.txt.\n"
    diags = run(text, "PB001")
    assert lines(diags) == [3]
    assert "`COPY requirements.txt .`" in diags[0].message
    assert str(diags[0].severity) == "error"
    assert diags[0].fix is not None and diags[0].fix.safe
    fixed = apply_edits(text, diags)
    assert fixed == "FROM busybox:1.36\nWORKDIR /app\nCOPY requirements.txt .\n"
    copy = parse(fixed).instructions[2]
    assert copy.sources == ("requirements.txt",) and copy.dest == "."


def test_add_and_flags_and_continuation_lines_keep_every_other_byte():
    text = "FROM busybox:1.36\nADD --chown=1:1 \\\n    src/. \n"
    diags = run(text, "PB001")
    assert lines(diags) == [2]
    assert "`ADD --chown=1:1 src/ .`" in diags[0].message
    fixed = apply_edits(text, diags)
    assert fixed == "FROM busybox:1.36\nADD --chown=1:1 \\\n    src/ . \n"
    assert parse(fixed).instructions[1].dest == "."


def test_fix_is_idempotent():
    text = "FROM busybox:1.36\nCOPY app.py.\n"
    once = apply_edits(text, run(text, "PB001"))
    assert run(once, "PB001") == []


def test_json_form_is_reported_without_a_fix():
    diags = run('FROM busybox:1.36\nCOPY ["app.py."]\n', "PB001")
    assert lines(diags) == [2] and diags[0].fix is None


def test_well_formed_copies_and_other_errors_are_not_reported():
    assert run("FROM busybox:1.36\nCOPY a.txt .\nCOPY . /app\nCOPY a.py /x.\n", "PB001") == []
    # one argument not ending in a dot is a different mistake (a missing destination)
    assert run("FROM busybox:1.36\nCOPY requirements.txt\n", "PB001") == []
    # `COPY .` alone: nothing to split
    assert run("FROM busybox:1.36\nCOPY .\n", "PB001") == []
