"""--fix: non-overlapping edits, every other byte kept, idempotent, repeated until stable."""
from __future__ import annotations

import os
import subprocess
import sys

from buildkit_py.lint import LintConfig, lint
from buildkit_py.lint.fixes import MAX_PASSES, apply_edits, choose, fix_text
from buildkit_py.lint.model import Edit, Fix
from buildkit_py.syntax import parse
from tests.conftest import ROOT

PYBUILD = [sys.executable, "-m", "buildkit_py.cli"]
FOUNDING_TEXT = (ROOT / "fixtures" / "lint" / "founding-example.Dockerfile").read_text()
MESSY = ("from scratch AS Base\r\nENV A 1   \r\nlabel b  two words\r\nFROM --platform=$TARGETPLATFORM base\r\n"
         "EXPOSE 80/TCP\r\nCOPY a \\\r\n\r\n  /a\r\n")


def _fix(text: str, unsafe: bool = False, config: LintConfig | None = None):
    return fix_text(text, lambda t: lint(t, config or LintConfig()), unsafe=unsafe)


def test_choose_skips_overlapping_fixes_whole():
    a = Fix("a", (Edit(0, 4, "X"), Edit(10, 12, "Y")))
    b = Fix("b", (Edit(3, 5, "Z"),))  # overlaps a's first edit
    c = Fix("c", (Edit(12, 12, "W"),))  # touches a's end: fine
    d = Fix("d", (Edit(20, 20, "1"),))
    e = Fix("e", (Edit(20, 20, "2"),))  # a second insertion at the same place
    unsafe = Fix("u", (Edit(30, 31, ""),), safe=False)
    assert choose([a, b, c, d, e, unsafe]) == [Edit(0, 4, "X"), Edit(10, 12, "Y"), Edit(12, 12, "W"), Edit(20, 20, "1")]
    assert Edit(30, 31, "") in choose([unsafe], unsafe=True)


def test_apply_edits_keeps_everything_else():
    assert apply_edits("abcdef", [Edit(4, 5, "E"), Edit(0, 0, ">"), Edit(2, 3, "")]) == ">abdEf"


def test_founding_example_typos_fixed_safely():
    result = _fix(FOUNDING_TEXT)
    assert "COPY requirements.txt .\n" in result.text and "COPY . /app\n" in result.text
    assert result.text.startswith("FROM python:3.8-slim-buster\n")  # the EOL fix is unsafe: not applied
    parse(result.text)  # strict: a build accepts every instruction now
    assert not {"PB001", "PB002", "BuildError"} & {d.code for d in result.diagnostics}
    assert "PB003" in {d.code for d in result.diagnostics}
    assert result.applied == 2


def test_messy_file_only_fixed_bytes_change_and_crlf_survives():
    result = _fix(MESSY)
    fixed = result.text
    assert fixed == ("FROM scratch AS base\r\nENV A=1   \r\nLABEL b=\"two words\"\r\nFROM base\r\n"
                     "EXPOSE 80/tcp\r\nCOPY a \\\r\n  /a\r\n")
    assert result.applied >= 7


def test_fix_twice_is_fix_once():
    once = _fix(MESSY, unsafe=True).text
    twice = _fix(once, unsafe=True)
    assert twice.text == once and twice.applied == 0


def test_fixes_loop_until_stable():
    # Pass 1 makes `from` upper case and `AS` lower case (each to match the other); pass 2 fixes `as`.
    result = _fix("from scratch AS a\nFROM a\nCOPY x /x\n", config=LintConfig(select=frozenset(
        {"ConsistentInstructionCasing", "FromAsCasing"})))
    assert result.text == "FROM scratch AS a\nFROM a\nCOPY x /x\n"
    assert result.diagnostics == [] and MAX_PASSES == 10


def test_unsafe_fixes_only_when_asked():
    text = "FROM scratch\nMAINTAINER Jane <jane@example.org>\n"
    only = LintConfig(select=frozenset({"MaintainerDeprecated"}))
    assert _fix(text, config=only).text == text
    fixed = _fix(text, unsafe=True, config=only).text
    assert fixed == 'FROM scratch\nLABEL org.opencontainers.image.authors="Jane <jane@example.org>"\n'


def _cli(args, cwd):
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(PYBUILD + args, cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


def test_cli_fix_writes_in_place_and_diff_does_not(tmp_path):
    df = tmp_path / "Dockerfile"
    df.write_text(FOUNDING_TEXT)
    diff = _cli(["lint", "--diff", "Dockerfile"], tmp_path)
    assert diff.returncode == 1
    assert "-COPY requirements.txt.\n+COPY requirements.txt .\n" in diff.stdout
    assert df.read_text() == FOUNDING_TEXT
    r = _cli(["lint", "--fix", "Dockerfile"], tmp_path)
    assert "Fixed 2." in r.stdout and r.returncode == 1  # the EOL warning remains
    assert df.read_text() == _fix(FOUNDING_TEXT).text
    assert not list(tmp_path.glob(".*pybuild-fix"))  # no temporary file left behind
    r = _cli(["lint", "--fix", "--unsafe-fixes", "Dockerfile"], tmp_path)
    assert "python:3.8" not in df.read_text()
    assert _cli(["lint", "--diff", "--unsafe-fixes", "Dockerfile"], tmp_path).stdout == ""


def test_cli_fix_on_stdin_prints_the_fixed_text(tmp_path):
    env = {**os.environ, "NO_COLOR": "1"}
    r = subprocess.run(PYBUILD + ["lint", "--fix", "-"], cwd=tmp_path, input="FROM scratch\nENV A 1\n",
                       capture_output=True, text=True, env=env)
    assert r.stdout == "FROM scratch\nENV A=1\n"
    assert "Fixed 1." in r.stderr
