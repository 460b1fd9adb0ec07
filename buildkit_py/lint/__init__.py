"""The Dockerfile linter: BuildKit's checks, hadolint's rules and our own, on the shared AST."""
from __future__ import annotations

from .config import LintConfig
from .engine import lint
from .model import Diagnostic, Edit, Finding, Fix, Severity
from .rule import Rule, all_rules, rule

__all__ = ["Diagnostic", "Edit", "Finding", "Fix", "LintConfig", "Rule", "Severity", "all_rules", "lint", "rule"]
