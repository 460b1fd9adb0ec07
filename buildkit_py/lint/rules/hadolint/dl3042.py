"""DL3042: avoid use of cache directory with pip."""
from __future__ import annotations

from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import file_runs_program_prefixed, hadolint_script, has_cache_or_tmpfs_mount, is_pip_install, parse_image, run_commands
from ._common2 import TRUTHY, command_names, onbuild_triggers, plain_stream, unquote

MESSAGE = "Avoid use of cache directory with pip. Use `pip install --no-cache-dir <package>`"


def _contains(args: tuple[str, ...], seq: tuple[str, ...]) -> bool:
    n = len(seq)
    return any(args[i:i + n] == seq for i in range(len(args) - n + 1))


def _is_wrapper(cmd) -> bool:
    return any(w in cmd.name or (cmd.name.startswith("python") and _contains(cmd.args, ("-m", w)))
               for w in ("pipx", "pipenv"))


def _forgot(cmd) -> bool:
    return is_pip_install(cmd) and "--no-cache-dir" not in cmd.args and not _is_wrapper(cmd)


def _set_in_script(text: str) -> bool:
    # `PIP_NO_CACHE_DIR=1 pip install …`, or the variable exported earlier in the script.
    at = text.find("PIP_NO_CACHE_DIR=")
    if at < 0:
        return False
    value = text[at:].split("=", 1)[1]
    return any(value.startswith(t) for t in TRUTHY)


@rule(
    code="DL3042",
    name="pip-no-cache-dir",
    summary="Avoid use of cache directory with pip",
    severity="warning",
    origin="hadolint",
    url="https://github.com/hadolint/hadolint/wiki/DL3042",
    docs="""
What it does: flags `pip install` (also `pip3 install`, `python -m pip install`) without
`--no-cache-dir`, unless PIP_NO_CACHE_DIR is set to a true value (by ENV in the stage or its
parent stage, or in the RUN itself), or ~/.cache/pip is a cache or tmpfs mount. pipx and pipenv
are not flagged.

Why is this bad? pip keeps every wheel it downloads or builds in ~/.cache/pip. In an image that
cache is never used again; it only makes the layer larger.

Example:
    RUN pip install -r requirements.txt

Use instead:
    RUN pip install --no-cache-dir -r requirements.txt

Fix safety: no fix offered.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    if not file_runs_program_prefixed(ctx, ("pip", "python")):
        return  # no pip in this file
    for stream in (plain_stream(ctx), onbuild_triggers(ctx)):
        current: str | None = None  # the stage, by name as hadolint tracks it
        no_cache: dict[str | None, bool] = {}
        started = False
        for report, ins in stream:
            if isinstance(ins, A.From):
                name = ins.stage_name or parse_image(ins.image).name
                parent = no_cache.get(parse_image(ins.image).name, False) if started else False
                if started:
                    no_cache[name] = parent
                current, started = name, True
            elif isinstance(ins, A.Env):
                value = next((unquote(ctx, kv.value) for kv in ins.pairs if kv.key == "PIP_NO_CACHE_DIR"), None)
                if value is not None and value in TRUTHY:
                    if not started:
                        current, started = None, True
                    no_cache[current] = True
            elif isinstance(ins, A.Run):
                if no_cache.get(current, False) if started else False:
                    continue
                if not any(n.startswith(("pip", "python")) for n in command_names(ctx, ins)):
                    continue
                if _set_in_script(hadolint_script(ins) or ""):
                    continue
                if not any(_forgot(c) for c in run_commands(ctx, ins)):
                    continue
                if has_cache_or_tmpfs_mount(ins, ".cache/pip"):
                    continue
                yield Finding(report.span, MESSAGE)
