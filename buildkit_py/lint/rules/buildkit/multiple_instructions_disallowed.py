"""MultipleInstructionsDisallowed: several CMD, ENTRYPOINT or HEALTHCHECK in one stage."""
from __future__ import annotations

from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import dispatched_stages, first_line
from ._support import url


@rule(
    code="MultipleInstructionsDisallowed",
    name="multiple-instructions-disallowed",
    summary="Multiple instructions of the same type should not be used in the same stage",
    severity="warning",
    origin="buildkit",
    url=url("multiple-instructions-disallowed"),
    docs="""
What it does: flags a CMD, ENTRYPOINT or HEALTHCHECK that a later one of the same kind in the
same stage replaces. The finding points at the instruction that has no effect.

Why is this bad? Only the last one is kept in the image, so the earlier one is dead code
that readers will take for the real one.

Example:
    FROM alpine
    CMD ["./server"]
    CMD ["./worker"]

Use instead:
    FROM alpine
    CMD ["./worker"]

Fix safety: no fix; which one you meant is yours to say.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for stage in dispatched_stages(ctx):
        last: dict[str, A.Instruction] = {}
        for ins in stage.instructions:
            if isinstance(ins, (A.Cmd, A.Entrypoint, A.Healthcheck)):
                previous = last.get(ins.name)
                if previous is not None:
                    # Reported where the ignored one is, under the `# check=` comment of this one.
                    yield Finding(first_line(previous), f"Multiple {ins.name} instructions should not be used in the "
                                  "same stage because only the last one will be used", instruction=ins)
                last[ins.name] = ins
