"""BuildKit's own expansion cases (envVarTest, wordsTest), read the way its Go test driver reads them."""
from __future__ import annotations

from pathlib import Path

from buildkit_py.shell import Lexer, ShellExpansionError

# The variables BuildKit's driver expands envVarTest against.
ENV_VAR_TEST_ENV = {"PWD": "/home", "SHELL": "bash", "KOREAN": "한국어", "NULL": ""}


def _go_lines(path: Path) -> list[str]:
    """Lines as Go's bufio.Scanner yields them: no final empty line, a trailing \\r dropped."""
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _env_var_cases(path: Path) -> list[tuple[int, str, str]]:
    cases = []
    for num, line in enumerate(_go_lines(path), start=1):
        if line.startswith("#"):
            continue
        line = line.strip()
        if not line:
            continue
        fields = line.split("|")
        assert len(fields) == 3, f"envVarTest line {num}: {line!r}"
        platform, source, expected = (f.strip() for f in fields)
        assert platform in ("A", "U", "W"), f"envVarTest line {num}: platform {platform!r}"
        if platform in ("A", "U"):
            cases.append((num, source, expected))
    return cases


def _words_cases(path: Path) -> list[tuple[int, str, list[str], dict[str, str]]]:
    cases = []
    env: dict[str, str] = {}
    for num, line in enumerate(_go_lines(path), start=1):
        if line.startswith("#"):
            continue
        if line.startswith("ENV "):
            key, _, value = line[3:].lstrip(" ").partition("=")
            env[key] = value
            continue
        fields = line.split("|")
        assert len(fields) == 2, f"wordsTest line {num}: {line!r}"
        cases.append((num, fields[0].strip(), fields[1].lstrip(" ").split(","), dict(env)))
    return cases


def test_env_var_test_every_unix_case(shared: Path) -> None:
    cases = _env_var_cases(shared / "conformance/buildkit/shell/envVarTest")
    assert len(cases) > 200, "envVarTest should have a few hundred A/U cases"
    lexer = Lexer()
    failures = []
    for num, source, expected in cases:
        try:
            got = lexer.process_word(source, ENV_VAR_TEST_ENV)
        except ShellExpansionError as err:
            got = "error"
            assert err.reason and err.message.startswith("failed to process ")
        if got != expected:
            failures.append(f"line {num}: {source!r} gave {got!r}, expected {expected!r}")
    assert failures == []


def test_env_var_test_has_error_cases_and_values(shared: Path) -> None:
    cases = _env_var_cases(shared / "conformance/buildkit/shell/envVarTest")
    expected = [c[2] for c in cases]
    # Guard against a driver that passes vacuously: both outcomes must be exercised.
    assert expected.count("error") > 20
    assert sum(1 for e in expected if e not in ("", "error")) > 100


def test_words_test_every_case(shared: Path) -> None:
    cases = _words_cases(shared / "conformance/buildkit/shell/wordsTest")
    assert len(cases) >= 20
    lexer = Lexer()
    failures = []
    for num, source, expected, env in cases:
        try:
            got = lexer.process_words(source, env)
        except ShellExpansionError:
            got = ["error"]
        if got != expected:
            failures.append(f"line {num}: {source!r} gave {got!r}, expected {expected!r}")
    assert failures == []
