"""The founding example (issue 3): two typos and an end-of-life base image, found and fixed."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from buildkit_py.lint import lint
from buildkit_py.syntax import ast as A
from buildkit_py.syntax import parse

from .pb_helpers import apply_edits

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "fixtures" / "lint" / "founding-example.Dockerfile"
SEED = ROOT / "fixtures" / "seed-app"


def test_fixture_is_the_issue_text_exactly():
    assert BROKEN.read_text() == (
        "FROM python:3.8-slim-buster\nWORKDIR /app\nCOPY requirements.txt.\n"
        "RUN pip install --no-cache-dir -r requirements.txt\nCOPY. /app\nCMD [\"python\", \"app.py\"]\n"
    )


def test_both_typos_are_errors_with_safe_fixes_and_the_base_image_is_a_warning():
    diags = lint(BROKEN.read_text(), path=str(BROKEN))
    ours = {(d.code, d.span.start_line): d for d in diags if d.code.startswith("PB")}
    assert set(ours) == {("PB003", 1), ("PB001", 3), ("PB002", 5)}
    for key in (("PB001", 3), ("PB002", 5)):
        d = ours[key]
        assert str(d.severity) == "error" and d.fix is not None and d.fix.safe, d
    assert "`COPY requirements.txt .`" in ours[("PB001", 3)].message
    assert "`COPY . /app`" in ours[("PB002", 5)].message
    eol = ours[("PB003", 1)]
    assert str(eol.severity) == "warning" and not eol.fix.safe
    assert "Python 3.8 reached end of life 2024-10" in eol.message
    assert "Debian 10 (buster) reached end of life 2024-06" in eol.message


def test_safe_fixes_give_a_dockerfile_that_parses_strictly():
    text = BROKEN.read_text()
    fixed = _fix(text)
    assert fixed == text.replace("requirements.txt.", "requirements.txt .").replace("COPY. /app", "COPY . /app")
    df = parse(fixed)  # strict: raises on anything BuildKit would reject
    copies = [i for i in df.instructions if isinstance(i, A.Copy)]
    assert [(c.sources, c.dest) for c in copies] == [(("requirements.txt",), "."), ((".",), "/app")]
    assert not any(d.code in ("PB001", "PB002") for d in lint(fixed))
    assert _fix(fixed) == fixed  # idempotent


def _fix(text: str) -> str:
    """Safe fixes applied; with the engine's fixer when it is there, checked against ours."""
    ours = apply_edits(text, lint(text))
    if importlib.util.find_spec("buildkit_py.lint.fixes") is not None:
        from buildkit_py.lint.fixes import fix_text

        theirs = fix_text(text, lambda t: lint(t)).text
        assert theirs == ours
    return ours


def test_the_seed_app_dockerfile_is_the_buildable_fixed_form():
    text = (SEED / "Dockerfile").read_text()
    df = parse(text)
    assert [type(i).__name__ for i in df.instructions] == [
        "Arg", "From", "Workdir", "Copy", "Run", "Copy", "Expose", "Cmd"]
    diags = lint(text, path=str(SEED / "Dockerfile"), context_dir=SEED)
    ours = [(d.code, d.span.start_line) for d in diags if d.code.startswith("PB")]
    assert ours == [("PB003", 4)]  # only the (deliberately kept) end-of-life default base image


def test_the_seed_app_runs_on_the_standard_library():
    result = subprocess.run([sys.executable, str(SEED / "app.py"), "--check"], capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr
