"""ExposeInvalidFormat: EXPOSE with an IP address or a host port."""
from __future__ import annotations

from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import dispatched_stages, first_line
from ._expose import expose_ports, split_parts, split_proto
from ._support import url


@rule(
    code="ExposeInvalidFormat",
    name="expose-invalid-format",
    summary="IP address and host-port mapping should not be used in EXPOSE instruction. This will become "
            "an error in a future release",
    severity="warning",
    origin="buildkit",
    url=url("expose-invalid-format"),
    docs="""
What it does: flags EXPOSE ports written with a host port or an address, as in
`EXPOSE 8080:80` or `EXPOSE 127.0.0.1:80:80`.

Why is this bad? EXPOSE only documents which container ports the image listens on; which
host port maps to it is decided by `docker run -p`. The extra parts are ignored today and will
be an error later.

Example:
    EXPOSE 8080:80

Use instead:
    EXPOSE 80

Fix safety: no fix; the intended port is not certain.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for stage in dispatched_stages(ctx):
        for step in ctx.scope.steps(stage.index):
            if not isinstance(step.ins, A.Expose):
                continue
            for port, _ in expose_ports(ctx, step):
                ip, host_port, container = split_parts(port)
                if (ip or host_port) and split_proto(container) is not None:
                    msg = f"EXPOSE instruction should not define an IP address or host-port mapping, found '{port}'"
                    yield Finding(first_line(step.ins), msg, instruction=step.ins)
