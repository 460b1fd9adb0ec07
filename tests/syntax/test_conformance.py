"""BuildKit's own parser cases: the AST dump must match its `result` files byte for byte."""
from __future__ import annotations

import pytest

from buildkit_py.syntax import DockerfileSyntaxError, parse
from buildkit_py.syntax.raw import parse_raw
from tests.conftest import SHARED

PARSER = SHARED / "conformance" / "buildkit" / "parser"
CASES = sorted(p.name for p in (PARSER / "testfiles").iterdir()) if PARSER.is_dir() else []
NEGATIVE = sorted(p.name for p in (PARSER / "testfiles-negative").iterdir()) if PARSER.is_dir() else []


def _read(path) -> str:
    return path.read_bytes().decode("utf-8", "surrogateescape")


def test_all_cases_are_present():
    assert len(CASES) == 33, f"expected BuildKit's 33 parser cases in {PARSER}"
    assert len(NEGATIVE) == 4


@pytest.mark.parametrize("case", CASES)
def test_dump_matches_buildkit(case: str) -> None:
    d = PARSER / "testfiles" / case
    assert parse_raw(_read(d / "Dockerfile")).dump() == (d / "result").read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES)
def test_source_prints_back_byte_for_byte(case: str) -> None:
    text = _read(PARSER / "testfiles" / case / "Dockerfile")
    assert parse_raw(text).source() == text
    df = parse(text, strict=False)
    assert str(df) == text


@pytest.mark.parametrize("case", NEGATIVE)
def test_negative_cases_are_rejected_with_a_place(case: str) -> None:
    text = _read(PARSER / "testfiles-negative" / case / "Dockerfile")
    with pytest.raises(DockerfileSyntaxError) as info:
        parse_raw(text, path="Dockerfile")
    err = info.value
    assert err.message
    assert err.span is not None and err.span.start_line >= 1
    assert str(err).startswith("Dockerfile:")


def test_negative_messages_are_buildkits() -> None:
    neg = PARSER / "testfiles-negative"
    msgs = {}
    for case in NEGATIVE:
        try:
            parse_raw(_read(neg / case / "Dockerfile"))
        except DockerfileSyntaxError as err:
            msgs[case] = err.message
    assert msgs["empty_dockerfile"] == "file with no instructions"
    assert msgs["only_comments"] == "file with no instructions"
    assert msgs["env_no_value"] == "ENV must have two arguments"
    assert "arrays must be comprised of strings only" in msgs["shykes-nested-json"]


def test_line_numbers_across_continuations_and_comments() -> None:
    # The expectations of BuildKit's TestParseIncludesLineNumbers.
    raw = parse_raw(_read(PARSER / "testfile-line" / "Dockerfile"))
    assert [(i.start_line, i.end_line) for i in raw.instructions] == [(5, 5), (11, 12), (17, 31)]
