"""The Dockerfile linter: BuildKit's checks, hadolint's rules and our own, on the shared AST."""
from __future__ import annotations

import sys
import types

from .config import LintConfig
from .engine import lint
from .model import Diagnostic, Edit, Finding, Fix, Severity
from .rule import Rule, all_rules, rule

__all__ = ["Diagnostic", "Edit", "Finding", "Fix", "LintConfig", "Rule", "Severity", "all_rules", "lint", "rule"]


class _CallableModule(types.ModuleType):
    """`buildkit_py.lint(text)` must work even after this package is imported (the package attribute
    then shadows the lazy function of `buildkit_py`), so the package itself is callable."""

    def __call__(self, *args, **kwargs):
        return lint(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
