"""PB008: ADD of a remote file without `--checksum`."""
from __future__ import annotations

import re
from collections.abc import Iterator

from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule

_HTTP = re.compile(r"https?://", re.I)
_GIT = re.compile(r"\.git(?:#|/?$)|^git@", re.I)


@rule(
    code="PB008",
    name="add-url-without-checksum",
    summary="ADD of a remote file without --checksum",
    severity="info",
    docs="""
What it does: flags `ADD https://…` (a file downloaded at build time) without
`--checksum=sha256:…`. Git sources (`….git#ref`) are left alone; pin them to a commit.

Why is this bad? The builder trusts whatever the server sends. If the file changes, or the
server or the connection is compromised, the image silently gets different content. With
`--checksum` the build fails instead, and the download is cached by its digest.

Example:
    ADD https://example.com/tool-1.2.tar.gz /opt/

Use instead:
    ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d \\
        https://example.com/tool-1.2.tar.gz /opt/

Fix safety: no fix; the digest has to come from a source you trust, not from the download.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for ins in ctx.instructions:
        if not isinstance(ins, A.Add) or ins.checksum:
            continue
        for word in ins.args[:-1]:
            source = word.value.strip("\"'")
            if _HTTP.match(source) and not _GIT.search(source):
                yield Finding(ins.span_of(word), f"ADD downloads `{source}` without --checksum: "
                                                 "pin its sha256 so that a changed or tampered file fails the build")
