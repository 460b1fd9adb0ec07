"""EXPOSE ports as BuildKit reads them: each word expanded and split into words."""
from __future__ import annotations

from ....shell.lex import ShellExpansionError
from ....syntax import ast as A
from ...context import LintContext
from ...scope import Step


def expose_ports(ctx: LintContext, step: Step) -> list[tuple[str, A.Word | None]]:
    """(port spec, the word it was written as when unchanged by expansion)."""
    out: list[tuple[str, A.Word | None]] = []
    for word in step.ins.args:
        try:
            ports = ctx.scope.lexer.process_words(word.value, step.env)
        except ShellExpansionError:
            continue
        for p in ports:
            out.append((p, word if len(ports) == 1 else None))
    return out


def split_parts(raw: str) -> tuple[str, str, str]:
    """[ip:]host_port:container_port -> (ip, host port, container port)."""
    parts = raw.split(":")
    if len(parts) == 1:
        return "", "", parts[0]
    if len(parts) == 2:
        return "", parts[0], parts[1]
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    return ":".join(parts[:-2]), parts[-2], parts[-1]


def split_proto(container_port: str) -> tuple[str, str] | None:
    """(port, protocol as written), or None where BuildKit rejects the port before its checks."""
    port, _, proto = container_port.partition("/")
    if not port or proto.lower() not in ("", "tcp", "udp", "sctp"):
        return None
    return port, proto
