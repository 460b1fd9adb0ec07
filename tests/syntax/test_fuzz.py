"""Random and mutated Dockerfiles: the parser only ever raises DockerfileSyntaxError."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buildkit_py.syntax import DockerfileSyntaxError, parse
from buildkit_py.syntax.raw import parse_raw

SEED = (
    "# syntax=docker/dockerfile:1\nFROM python:3.12 AS base\nARG A=1 B\nENV X=1 Y \"2\"\n"
    "RUN --mount=type=cache,target=/c apt-get update && \\\n  apt-get install -y curl\n"
    "COPY --from=base --chown=1:1 <<EOF /a\nhello\nEOF\nCMD [\"python\", \"-m\", \"x\"]\n"
    "HEALTHCHECK --interval=5s CMD curl -f localhost\nONBUILD ADD . /src\nSHELL [\"/bin/sh\", \"-c\"]\n"
)
ALPHABET = st.sampled_from(list("FROMRUNCOPYADDENVARG \t\n\r\\`#\"'[]{},=-<>$:/.0aAzZé\u00a0\ufeff"))
# Edits to a Dockerfile: (position, characters cut there, text put in), applied in order by `mutated`.
EDITS = st.lists(st.tuples(st.integers(0, len(SEED)), st.integers(0, 4), st.text(ALPHABET, max_size=6)), max_size=6)


def mutated(text: str, edits: list[tuple[int, int, str]]) -> str:
    for pos, cut, insert in edits:
        pos = min(pos, len(text))
        text = text[:pos] + insert + text[pos + cut:]
    return text


def _check(text: str) -> None:
    for strict in (True, False):
        try:
            df = parse(text, strict=strict)
        except DockerfileSyntaxError as err:
            assert err.message
            continue
        assert str(df) == text.lstrip("\ufeff") or str(df) == text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(ALPHABET, max_size=200))
def test_random_text(text: str) -> None:
    _check(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EDITS)
def test_mutated_dockerfile(edits: list[tuple[int, int, str]]) -> None:
    _check(mutated(SEED, edits))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_any_unicode(text: str) -> None:
    try:
        raw = parse_raw(text)
    except DockerfileSyntaxError:
        return
    assert raw.source() == text
