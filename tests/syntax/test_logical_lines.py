"""raw.logical_line (the parser's fast way to join an instruction's lines) agrees with raw.assemble
(the line-by-line way that also keeps where each piece came from, which the linter uses)."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buildkit_py.syntax.raw import _LEADING, assemble, logical_line
from buildkit_py.syntax.scan import tokens

# Lines and pieces of lines that the shortcuts in logical_line must tell apart: comment lines with
# and without indentation (one ending in an escape), blank lines (empty, white space, \u3000), blanks
# or a CR after an escape, doubled escapes, `#` that does not start a comment.
PIECES = ["RUN a", " b", "\\\n", "`\n", " \\\n", "\\ \n", "\\\t\r\n", "\n", "\r\n", "\n\n", "  \n", "\u3000\n",
          "# c\n", "\t# c\n", "  # c \\\n", "#", " x#y", "\\\\", "``", "a\\ b", "\x85", "\n\t# x"]


def check(text: str, escape: str) -> None:
    for kind, value, _ in tokens(text, escape):
        if kind == "LOGICAL_LINE":
            value = value[_LEADING.match(value).end():]
            line, _, empty = assemble(value, 1, escape)
            assert logical_line(value, 1, escape) == (line, empty), repr(value)


@pytest.mark.parametrize("text, line, empty", [
    ("RUN a \\\n  b\n", "RUN a   b", ()),
    ("RUN a \\\n# note\n  b\n", "RUN a   b", ()),
    ("RUN a \\\n\t# note \\\n  b\n", "RUN a   b", ()),  # a comment line ending in an escape joins nothing
    ("RUN a \\\n\n  b\n", "RUN a   b", (2,)),
    ("RUN a \\\n\n# note\n", "RUN a ", (2,)),  # the blank line is the last one once the comment is gone
    ("RUN a \\\n   ", "RUN a ", (2,)),  # a blank last line at the end of the file
    ("RUN a \\ \n  b#c\n", "RUN a   b#c", ()),  # blanks after the escape; `#` inside a line
])
def test_examples(text: str, line: str, empty: tuple[int, ...]) -> None:
    value = tokens(text, "\\")[0][1]
    assert logical_line(value, 1, "\\") == (line, empty)
    check(text, "\\")


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=14), st.sampled_from(["\\", "`"]))
def test_agrees_with_the_line_by_line_reader(pieces: list[str], escape: str) -> None:
    check("RUN " + "".join(pieces), escape)
