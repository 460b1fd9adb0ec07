"""Rules are data: each rule module declares one `Rule` with its docs and a `check` function.

A rule's check reads the LintContext and yields Findings; it never decides severity,
suppression or output — the engine does, from the rule's declaration and the config.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import field

from ..records import dataclass
from .model import Finding, Severity

TYPE_CHECKING = False  # as typing's, without importing typing (~6 ms) at every start
if TYPE_CHECKING:
    from .context import LintContext

Check = Callable[["LintContext"], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    """A lint rule: its code, names, severity, docs, and the check function that finds its problems."""

    code: str  # "DL3006", "StageNameCasing", "PB001"
    name: str  # short human name, kebab-case: "image-not-tagged"
    summary: str  # one line, shown by `pybuild rules`
    severity: Severity
    check: Check = field(repr=False, compare=False)
    docs: str = ""  # ruff-style: What it does / Why is this bad? / Example / Use instead / Fix safety
    url: str | None = None
    origin: str = "pybuild"  # "buildkit", "hadolint" or "pybuild"
    experimental: bool = False  # BuildKit's experimental checks run only when asked for
    fixable: bool = False
    needs_context: bool = False  # runs only when a build context directory is given


_REGISTRY: dict[str, Rule] = {}


def rule(
    *, code: str, name: str, summary: str, severity: str, docs: str, url: str | None = None,
    origin: str = "pybuild", experimental: bool = False, fixable: bool = False, needs_context: bool = False,
) -> Callable[[Check], Check]:
    """Declare a rule: decorate its check function."""

    def register(check: Check) -> Check:
        if code in _REGISTRY:
            raise ValueError(f"rule {code} declared twice")
        _REGISTRY[code] = Rule(
            code=code, name=name, summary=summary, severity=Severity.parse(severity), check=check,
            docs=docs.strip(), url=url, origin=origin, experimental=experimental, fixable=fixable,
            needs_context=needs_context,
        )
        return check

    return register


def all_rules() -> dict[str, Rule]:
    """Every rule, by code (imports the rule modules on first use)."""
    from .rules import load_all

    load_all()
    return dict(_REGISTRY)
