"""The comment lines kept above each instruction (BuildKit's PrevComment, which the linter reads for
its pragmas) agree with a line-by-line reading of BuildKit's rule: every comment line between two
instructions adds its text after the first character, trimmed; an empty one starts the list over;
directives are not comments; each instruction starts a new list."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buildkit_py.syntax import DockerfileSyntaxError
from buildkit_py.syntax.line_parsers import GO_SPACE
from buildkit_py.syntax.raw import Directive, RawInstruction, parse_raw
from tests.conftest import SHARED

CORPUS = SHARED / "corpus"
FILES = sorted(p for p in CORPUS.glob("*/*") if p.is_file() and "Dockerfile" in p.name) if CORPUS.is_dir() else []


def expected(text: str) -> list[tuple[str, ...]]:
    """The comments above each instruction, read line by line between the instructions' lines."""
    result = parse_raw(text)
    lines = text.split("\n")
    directive_lines = {d.line for d in result.items if isinstance(d, Directive)}
    out = []
    after = 0  # the last line of the previous instruction
    for ins in result.items:
        if not isinstance(ins, RawInstruction):
            continue
        comments: list[str] = []
        for number in range(after + 1, ins.start_line):
            line = lines[number - 1]
            if number in directive_lines or not line.lstrip(GO_SPACE).startswith("#"):
                continue
            body = line[1:].strip(GO_SPACE)
            comments = comments + [body] if body else []
        out.append(tuple(comments))
        after = ins.end_line
    return out


def actual(text: str) -> list[tuple[str, ...]]:
    return [ins.comments for ins in parse_raw(text).instructions]


@pytest.mark.parametrize("text, comments", [
    ("# a\n#b \nFROM x\n", [("a", "b")]),
    ("# a\n#\n# b\nFROM x\n", [("b",)]),  # an empty comment line starts over
    ("# a\n\n  # b\nFROM x\nRUN y\n", [("a", "# b"), ()]),  # BuildKit drops the line's first character, a blank here
    ("# syntax=x\n# a\nFROM x\n", [("a",)]),  # the directive is not a comment
    ("FROM x\nRUN a \\\n# inside\n  b\n# c\nRUN d\n", [(), (), ("c",)]),  # comments inside an instruction are not kept
    ("FROM x\nRUN <<EOF\n# body\nEOF\n# e\nRUN d\n", [(), (), ("e",)]),  # nor are heredoc bodies
])
def test_examples(text: str, comments: list[tuple[str, ...]]) -> None:
    assert actual(text) == comments
    assert expected(text) == comments


@pytest.mark.skipif(not FILES, reason=f"the corpus is missing: expected it at {CORPUS}")
def test_corpus() -> None:
    kept = 0
    for path in FILES:
        text = path.read_bytes().decode("utf-8", "surrogateescape")
        assert actual(text) == expected(text), path
        kept += sum(map(len, actual(text)))
    assert kept > 100  # the corpus has comment lines above instructions: the comparison saw some


LINES = ["FROM x", "RUN a", "#", "# a", "#b ", "  # c", "\t#", "\u3000# d", "", "  ", "\r", "# e\r", "## f",
         "# syntax=y", "RUN b \\", "  # inside", "COPY <<EOF /x", "EOF", "#\u3000"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(LINES), max_size=16), st.booleans())
def test_random_files(lines: list[str], final_newline: bool) -> None:
    text = "\n".join(["FROM x"] + lines) + ("\n" if final_newline else "")
    try:
        found = actual(text)
    except DockerfileSyntaxError:  # an unterminated heredoc: nothing to compare
        return
    assert found == expected(text)
