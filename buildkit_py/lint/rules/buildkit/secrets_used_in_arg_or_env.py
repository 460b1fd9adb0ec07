"""SecretsUsedInArgOrEnv: ARG or ENV names that look like secrets."""
from __future__ import annotations

import re
from collections.abc import Iterator

from ....shell.goquote import go_quote
from ....shell.lex import ShellExpansionError
from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import dispatched_stages, first_line
from ._support import url

_DENY = re.compile(r"(?i)(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)")
_ALLOW = re.compile(r"(?i)(?:_|^)(?:public|file|version)(?:_|$)")


def looks_secret(name: str) -> bool:
    return _DENY.search(name) is not None and _ALLOW.search(name) is None


@rule(
    code="SecretsUsedInArgOrEnv",
    name="secrets-used-in-arg-or-env",
    summary="Sensitive data should not be used in the ARG or ENV commands",
    severity="warning",
    origin="buildkit",
    url=url("secrets-used-in-arg-or-env"),
    docs="""
What it does: flags ARG and ENV names in a stage that contain a word such as `password`,
`secret`, `token`, `key`, `auth` or `apikey` (as a whole `_`-separated part of the name), unless
they also contain `public`, `file` or `version`.

Why is this bad? ENV values are stored in the image config, and ARG values in the image
history and the build cache: anyone who can pull the image can read them.

Example:
    ARG GITHUB_TOKEN
    RUN git clone https://$GITHUB_TOKEN@github.com/org/private.git

Use instead:
    RUN --mount=type=secret,id=github_token,env=GITHUB_TOKEN \\
        git clone https://$GITHUB_TOKEN@github.com/org/private.git

Fix safety: no fix; secrets need a secret mount and a change to how the build is run.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    scope = ctx.scope
    for stage in dispatched_stages(ctx):
        for step in scope.steps(stage.index):
            ins = step.ins
            if isinstance(ins, A.Arg):
                keys = [("ARG", d.key) for d in ins.definitions]
            elif isinstance(ins, A.Env):
                keys = [("ENV", _expanded(scope, kv.key, step.env)) for kv in ins.pairs]
            else:
                continue
            for kind, key in keys:
                if looks_secret(key):
                    msg = f"Do not use ARG or ENV instructions for sensitive data ({kind} {go_quote(key)})"
                    yield Finding(first_line(ins), msg, instruction=ins)


def _expanded(scope, word: str, env) -> str:
    try:
        return scope.lexer.process_word(word, env)
    except ShellExpansionError:
        return word
