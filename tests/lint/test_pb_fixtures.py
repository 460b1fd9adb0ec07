"""The example Dockerfiles in fixtures/lint: each says on its first line which PB findings it has."""
from __future__ import annotations

from pathlib import Path

import pytest

from buildkit_py.lint import LintConfig, lint

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "lint"
CASES = sorted(p for p in FIXTURES.rglob("*") if p.is_file() and (p.suffix == ".Dockerfile" or p.name == "Dockerfile")
               and p.name != "founding-example.Dockerfile")


def expected(path: Path) -> list[tuple[str, int]]:
    first = path.read_text().splitlines()[0]
    assert first.startswith("# expect:"), f"{path} must start with `# expect: CODE@LINE ...`"
    return sorted((item.split("@")[0], int(item.split("@")[1])) for item in first.split(":", 1)[1].split())


@pytest.mark.parametrize("path", CASES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_gets_exactly_the_findings_it_declares(path):
    config = LintConfig(select=frozenset({f"PB00{n}" for n in range(1, 10)}))
    context = path.parent if path.name == "Dockerfile" else None
    diags = lint(path.read_text(), config, path=str(path), context_dir=context)
    assert sorted((d.code, d.span.start_line) for d in diags) == expected(path)


def test_there_are_fixtures():
    assert len(CASES) >= 4
