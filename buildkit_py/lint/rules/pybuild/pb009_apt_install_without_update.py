"""PB009: `apt-get install` without `apt-get update` before it in the same RUN."""
from __future__ import annotations

from collections.abc import Iterator

from ....shell.script import Command
from ....shell.script_wrappers import WRAPPERS
from ....syntax import ast as A
from ...context import LintContext, parse_script, run_script, script_memo
from ...model import Finding
from ...rule import rule

_APT = ("apt-get", "apt", "aptitude")


@rule(
    code="PB009",
    name="apt-install-without-update",
    summary="apt-get install without apt-get update earlier in the same RUN",
    severity="warning",
    docs="""
What it does: flags a RUN that runs `apt-get install` (or `apt install`) with no
`apt-get update` before it in the same RUN. Installing only local `.deb` files is fine, and
so is apt 3's `apt-get install --update`, which updates first.

Why is this bad? The official Debian and Ubuntu images ship without package lists, so the
install fails with "Unable to locate package". When the update is in an earlier RUN, that
step is cached: later builds install from lists that may be months old, and fail when the
mirror has dropped the versions they name, or install packages without their security
fixes.

Example:
    RUN apt-get update
    RUN apt-get install -y --no-install-recommends curl

Use instead:
    RUN apt-get update \\
     && apt-get install -y --no-install-recommends curl \\
     && rm -rf /var/lib/apt/lists/*

Fix safety: no fix; merging RUN steps changes the layers and may need reordering.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for stage in ctx.stages:
        updated_before = False
        for ins in stage.instructions:
            if not isinstance(ins, A.Run) or "apt" not in ins.text:
                continue  # the text test is a cheap filter: most RUNs never call apt
            script = run_script(ins)
            if script is None:
                continue
            updated, program = script_memo("pb009", script, _apt_steps)
            if program is not None:
                where = ("an earlier RUN's `apt-get update` is cached, so its package lists go stale"
                         if updated_before else "the image may have no package lists at all")
                yield Finding(ins.span, f"`{program} install` without `{program} update` before it in "
                                        f"this RUN: {where}; update and install in one RUN")
            updated_before = updated_before or updated


def _apt_steps(script: str) -> tuple[bool, str | None]:
    """(the script updates the package lists, the apt program of an install that comes before any
    update): what the rule needs of a script, computed once per script text."""
    updated = False
    for cmd in parse_script(script).commands:
        name = cmd.name
        if name not in _APT:
            if name not in WRAPPERS:
                continue  # unwrapping every command costs more than the rest of the rule
            cmd = cmd.unwrap()
            if cmd.name not in _APT:
                continue
        args = cmd.args
        sub = next((a for a in args if not a.startswith("-")), "")
        if sub == "update" or (sub == "install" and "--update" in args):
            updated = True  # apt 3 (Debian 13): `apt-get install --update` updates first
        elif sub == "install" and not updated and _installs_from_repo(cmd):
            return False, cmd.name
    return updated, None


def _installs_from_repo(cmd: Command) -> bool:
    packages = [a for a in cmd.args_without_flags(("o", "t", "c")) if a != "install"]
    return not packages or not all(p.endswith(".deb") or "/" in p for p in packages)
