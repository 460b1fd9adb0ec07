"""On real Dockerfiles, pybuild's parser agrees with BuildKit's own (the `dockerfile` package)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buildkit_py.syntax import DockerfileSyntaxError, parse
from buildkit_py.syntax.raw import parse_raw
from tests.conftest import SHARED

dockerfile = pytest.importorskip("dockerfile", reason="the `dockerfile` package (BuildKit's Go parser) is a test dependency")

CORPUS = SHARED / "corpus"
FILES = sorted(
    p for p in CORPUS.glob("*/*") if p.is_file() and p.name not in ("LICENSE",) and "Dockerfile" in p.name
) if CORPUS.is_dir() else []


def _mine(text: str) -> list[tuple]:
    out = []
    for ins in parse_raw(text).instructions:
        s = ins.split
        sub, args, js = None, s.args, s.json
        if s.child is not None:
            c = s.child
            sub, args, js = c.keyword.upper(), c.args, c.json
        if s.keyword.upper() in ("ENV", "LABEL") and sub is None:
            args = tuple(a for k, a in enumerate(args) if k % 3 != 2)  # the package drops separators
        # the package shows heredocs in `original` as line, then each body and terminator word
        original = ins.line + "".join(f"\n{h.content}{h.name}" for h in ins.heredocs) + ("\n" if ins.heredocs else "")
        out.append((s.keyword.upper(), sub, js, ins.start_line, ins.end_line, s.flags, args, original,
                    tuple(h.content for h in ins.heredocs)))
    return out


def _utf8(flag: str) -> str:
    """A flag as the package gives it: its UTF-8 bytes read as Latin-1 (the other fields are decoded right)."""
    try:
        return flag.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return flag


def _go(text: str) -> list[tuple]:
    return [
        ((c.cmd or "").upper(), c.sub_cmd and c.sub_cmd.upper(), c.json, c.start_line, c.end_line,
         tuple(_utf8(f) for f in c.flags),
         tuple(c.value), c.original or "", tuple(h.content for h in c.heredocs))
        for c in dockerfile.parse_string(text)
    ]


def test_corpus_is_present() -> None:
    assert len(FILES) >= 300, f"expected the corpus of real Dockerfiles in {CORPUS}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_agrees_with_buildkit(path: Path) -> None:
    text = path.read_bytes().decode("utf-8", "surrogateescape")
    assert _mine(text) == _go(text)
    df = parse(text)  # and every instruction is one a build accepts
    assert str(df) == text


EXTRA = [
    "FROM a\nRUN <<EOF\necho hi\nEOF\n",
    "FROM a\nRUN <<-EOT bash\n\techo hi\n\tEOT\n",
    "FROM a\nCOPY <<one <<two /dest/\nfirst\none\nsecond\ntwo\n",
    "FROM a\nRUN 3<<EOF cat /dev/fd/3\nx\nEOF\n",
    "FROM a\nRUN <<'EOF'\n$HOME\nEOF\n",
    "# escape=`\nFROM a\nRUN echo `\n  hi\n",
    "FROM a\nRUN echo \\\\\nRUN b\n",
    "FROM a\nRUN a \\\n\n  # c\n  b\n",
    "\ufeffFROM a\r\nRUN x \\\r\n  y\r\n",
    "FROM a\nRUN x \\",
    "FROM a\nCMD [\"a\", NaN]\n",
    "FROM a\nENV a=b c=\"d e\" f='g h'\n",
    "FROM a\nHEALTHCHECK --interval=5s CMD [\"a\"]\n",
    "FROM a\nRUN --mount=type=cache,target=/x --network=none -- echo\n",
    "  # syntax=docker/dockerfile:1\nFROM a\n",
    "#syntax=x\n#escape=`\n# check=skip=all\nFROM a\n",
    "FROM a\nRUN \"--flag\" x\n",
    "FROM a\nCOPY --chown=\"a b\" x y\n",
    "FROM a\n\\\nRUN x\n",
]


@pytest.mark.parametrize("text", EXTRA)
def test_agrees_with_buildkit_on_edge_cases(text: str) -> None:
    assert _mine(text) == _go(text)
    assert parse_raw(text).source() == text


def test_json_with_trailing_text_is_shell_form_as_in_current_buildkit() -> None:
    # The `dockerfile` package wraps an older BuildKit whose JSON decoder ignored trailing text;
    # BuildKit now uses json.Unmarshal, which rejects it, so the line falls back to shell form.
    ins = parse_raw("FROM a\nCMD [] x\n").instructions[1]
    assert ins.split.json is False
    assert ins.split.args == ("[] x",)


def test_onbuild_heredoc_as_in_current_buildkit() -> None:
    # Heredocs in ONBUILD triggers arrived in BuildKit after the version the package wraps.
    ins = parse_raw("FROM a\nONBUILD RUN <<EOF\nx\nEOF\n").instructions[1]
    assert [h.content for h in ins.heredocs] == ["x\n"]
    assert (ins.start_line, ins.end_line) == (2, 4)


# Line structure at random: continuations (escaped or not, trailing blanks, CRLF), comment and blank
# lines inside and before instructions, either escape character, a missing final newline. The
# grammar's LOGICAL_LINE decides where each instruction starts and ends; BuildKit's parser is the
# judge of that, not the grammar that produced the tokens.
_PIECES = ["RUN a", "RUN", " b", "\\", "\\\\", "`", "``", " ", "\t", "\r", "\n", "\n", "\n", "# c", "#", "x#y",
           "\u3000", "\xa0", " \\\n", "`\n", "\\ \t\n", "\\\r\n", "\n  # c \\\n", "\n\n", "ENV a=b"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.booleans(), st.lists(st.sampled_from(_PIECES), max_size=24))
def test_agrees_with_buildkit_on_random_line_structure(backtick: bool, pieces: list[str]) -> None:
    _agree(("# escape=`\n" if backtick else "") + "FROM a\n" + "".join(pieces))


# Arguments at random, for the argument readers that take shortcuts on the usual lines: ENV and LABEL
# (`name value` and `k=v`, split at white space) and exec forms (arrays of plain strings, read without
# the JSON decoder). The words and gaps mix what the shortcuts must leave to the general readers:
# tabs and other white space, quotes, escapes, `=`, JSON escapes, control characters.
_WORDS = ["a", "B_1", "x=y", "=", "a=", "=b", "'q r'", '"d d"', "\\", "a\\ b", "é", "\x01", "--f", "[x]"]
_GAPS = [" ", "  ", "\t", " \t ", "\v", "\u3000"]
_STRINGS = st.text(st.sampled_from(["a", " ", "\"", "\\", "\n", "\t", "\x01", "é", "\u3000", "/", "$"]), max_size=4)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["ENV", "LABEL"]), st.lists(st.tuples(st.sampled_from(_WORDS), st.sampled_from(_GAPS)),
                                                  min_size=1, max_size=5))
def test_agrees_with_buildkit_on_random_name_values(keyword: str, words: list[tuple[str, str]]) -> None:
    _agree(f"FROM a\n{keyword} {''.join(w + gap for w, gap in words).rstrip()}\n")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["CMD", "ENTRYPOINT", "RUN", "SHELL", "COPY", "VOLUME"]), st.lists(_STRINGS, max_size=4),
       st.booleans(), st.sampled_from(["", " ", "\t", "\r", "  "]))
def test_agrees_with_buildkit_on_random_exec_forms(keyword: str, strings: list[str], ascii: bool, gap: str) -> None:
    array = json.dumps(strings, ensure_ascii=ascii).replace(", ", "," + gap)
    _agree(f"FROM a\n{keyword} {array}\n")


def _agree(text: str) -> None:
    """Both parsers give the same instructions, or both reject the text."""
    try:
        theirs = _go(text)
    except Exception:  # noqa: BLE001 - the package raises its own error types
        theirs = None
    try:
        mine = _mine(text)
    except DockerfileSyntaxError:
        mine = None
    assert mine == theirs
