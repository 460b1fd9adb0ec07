"""PB002: unknown instructions that are known ones glued to their argument or misspelled."""
from __future__ import annotations

import pytest

from buildkit_py.syntax import parse

from .pb_helpers import apply_edits, lines, run


def test_glued_copy_is_an_error_with_a_safe_fix():
    text = "FROM busybox:1.36\nWORKDIR /app\nCOPY. /app\n"
    diags = run(text, "PB002")
    assert lines(diags) == [3]
    d = diags[0]
    assert "`COPY . /app`" in d.message and str(d.severity) == "error"
    assert (d.span.start_col, d.span.end_col) == (1, 6)  # the keyword as written
    assert d.fix is not None and d.fix.safe
    fixed = apply_edits(text, diags)
    assert fixed == "FROM busybox:1.36\nWORKDIR /app\nCOPY . /app\n"
    copy = parse(fixed).instructions[2]
    assert copy.sources == (".",) and copy.dest == "/app"


@pytest.mark.parametrize(("line", "fixed"), [
    ("FORM busybox:1.36", "FROM busybox:1.36"),
    ("CPOY a /b", "COPY a /b"),
    ("WROKDIR /app", "WORKDIR /app"),
    ("run. /x", "run . /x"),
])
def test_glued_keywords_and_single_swaps_are_fixed_safely(line, fixed):
    text = f"FROM busybox:1.36\n{line}\n"
    diags = run(text, "PB002")
    assert lines(diags) == [2] and diags[0].fix.safe, diags
    assert apply_edits(text, diags) == f"FROM busybox:1.36\n{fixed}\n"


@pytest.mark.parametrize(("line", "fixed"), [
    ("COPPY a /b", "COPY a /b"),  # an extra letter: probably COPY, but not certain
    ("EXPOS 80", "EXPOSE 80"),
    ("RUN2 make", "RUN 2 make"),  # a digit glued on may be part of a word
])
def test_other_near_misses_get_unsafe_fixes(line, fixed):
    text = f"FROM busybox:1.36\n{line}\n"
    diags = run(text, "PB002")
    assert lines(diags) == [2] and not diags[0].fix.safe
    assert apply_edits(text, diags, unsafe=True) == f"FROM busybox:1.36\n{fixed}\n"
    assert apply_edits(text, diags) == text  # safe-only leaves it alone


def test_fix_changes_only_the_keyword_of_a_continued_instruction():
    text = "FROM busybox:1.36\nRUM echo a \\\n    && echo b\n"
    diags = run(text, "PB002")
    assert apply_edits(text, diags, unsafe=True) == "FROM busybox:1.36\nRUN echo a \\\n    && echo b\n"


def test_known_and_unguessable_instructions_are_not_reported():
    assert run("FROM busybox:1.36\nCOPY . /app\nRUN true\n", "PB002") == []
    assert run("FROM busybox:1.36\nXYZZY plugh\n", "PB002") == []


def test_words_far_from_every_instruction_are_not_called_typos():
    # difflib finds COPY close to COPYRIGHT, but five edits is no typo
    assert run("FROM busybox:1.36\nCOPYRIGHT 2026\n", "PB002") == []
    assert lines(run("FROM busybox:1.36\nWORKDIRR /app\n", "PB002")) == [2]
