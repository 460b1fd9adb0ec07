"""Lint configuration: what to run and how strictly (loading from files lives in config_files.py)."""
from __future__ import annotations

from dataclasses import field

from ..records import dataclass
from .model import Severity


@dataclass(frozen=True)
class LintConfig:
    """What to check and how severely: from pyproject.toml, .pybuild.toml, .hadolint.yaml and flags."""

    select: frozenset[str] = frozenset()  # empty: every non-experimental rule; "ALL" too
    ignore: frozenset[str] = frozenset()
    severity: dict[str, Severity] = field(default_factory=dict)  # per-rule override
    failure_threshold: Severity = Severity.INFO  # hadolint's default: info and above fail
    trusted_registries: tuple[str, ...] = ()  # DL3026
    label_schema: dict[str, str] = field(default_factory=dict)  # DL3049-DL3058: label -> type
    strict_labels: bool = False
    allowed_unpinned: frozenset[str] = frozenset()
    experimental: bool = False  # run BuildKit's experimental checks too
    build_args: dict[str, str] = field(default_factory=dict)  # as `docker build --check --build-arg`
    shellcheck: bool = False
    no_fail: bool = False
    # None: check every stage, as `docker build --check`; "" the last stage, or a stage name: only
    # the stages that target needs get the checks BuildKit makes while building (as a plain build).
    target: str | None = None
    platform: str | None = None  # target platform (TARGETPLATFORM ...); None: this machine's
    disable_ignore_pragma: bool = False  # hadolint's option: inline `ignore` pragmas are not honoured

    def enabled(self, code: str, experimental: bool) -> bool:
        if code in self.ignore:
            return False
        if self.select:
            return code in self.select or (not experimental and "ALL" in self.select)
        return not experimental or self.experimental

    def severity_of(self, code: str, default: Severity) -> Severity:
        return self.severity.get(code, default)
