"""PB007: COPY/ADD puts files that look like secrets into the image (needs --context)."""
from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from ...context import LintContext
from ...model import Finding
from ...rule import rule

TYPE_CHECKING = False  # as typing's, without importing typing (~6 ms) at every start
if TYPE_CHECKING:
    from ._context import BuildContext


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Compiled on first use: the rule runs only with --context."""
    # Names that hold credentials whatever their content.
    names = re.compile(
        r"(?:^|/)(?:\.env(?:\.(?!example$|sample$|template$|dist$|defaults?$)[^/]+)?"
        r"|id_(?:rsa|dsa|ecdsa|ed25519)|\.npmrc|\.pypirc|\.netrc|\.git-credentials|\.dockercfg|\.htpasswd"
        r"|\.docker/config\.json|\.aws/credentials|[^/]*\.tfstate|[^/]*\.p12|[^/]*\.pfx)\Z"
    )
    # Names that may be public (a CA certificate, a signing key's public half): look inside.
    maybe = re.compile(r"[^/]*\.(?:pem|key)\Z")
    return names, maybe


_PRIVATE = b"PRIVATE KEY"
_SHOWN = 5


@rule(
    code="PB007",
    name="secret-copied-into-image",
    summary="COPY/ADD copies files that look like secrets (.env, private keys, credentials) into the image",
    severity="warning",
    needs_context=True,
    docs="""
What it does: with `--context DIR`, lists the files each COPY and ADD would put into the
image (after .dockerignore and `--exclude`) and flags those that usually hold secrets:
`.env` and `.env.*` (not `.env.example`, `.sample`, `.template`, `.dist`), SSH private keys
(`id_rsa`, `id_ed25519`, ...), `.npmrc`, `.pypirc`, `.netrc`, `.git-credentials`,
`.dockercfg`, `.docker/config.json`, `.aws/credentials`, `.htpasswd`, Terraform state,
PKCS#12 bundles (`*.p12`, `*.pfx`), and `*.pem` / `*.key` files that contain a private key.
This catches the common case of `COPY . .` with a context that holds them.

Why is this bad? Everything copied stays in a layer of the image, even if a later step
deletes it; anyone who can pull the image can read it.

Example:
    COPY . /app        # the context has .env and deploy/id_rsa

Use instead:
    # .dockerignore
    .env
    **/id_rsa

    # and for secrets the build needs:
    RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci

Fix safety: no fix; whether a file is a secret, and where it should come from, is for you
to decide.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    from ....frontend.dockerignore import PatternMatcher
    from ._context import build_context, context_copies  # only with --context

    bc = build_context(ctx)
    if bc.ignore_error is not None:
        return  # PB006 reports the broken ignore file; nothing would be sent
    for ins, sources in context_copies(ctx, bc):
        excludes = PatternMatcher(list(ins.excludes)) if ins.excludes else None
        found: list[str] = []
        for source in sources:
            for match in source.matches:
                for rel in bc.files(match):
                    if excludes is not None and (excludes.matches(rel) or excludes.matches(_below(rel, match))):
                        continue
                    if rel not in found and _looks_secret(bc, rel):
                        found.append(rel)
        if found:
            found.sort()
            shown = ", ".join(found[:_SHOWN]) + (f" and {len(found) - _SHOWN} more" if len(found) > _SHOWN else "")
            hint = f"add them to {bc.ignore_file or '.dockerignore'}" + ", or mount secrets with RUN --mount=type=secret"
            yield Finding(ins.span, f"{ins.keyword.upper()} puts files that look like secrets into the image: "
                                    f"{shown} ({hint})")


def _below(rel: str, top: str) -> str:
    return rel[len(top) + 1:] if top != "." and rel.startswith(top + "/") else rel


def _looks_secret(bc: BuildContext, rel: str) -> bool:
    names, maybe = _patterns()
    if names.search(rel):
        return True
    if maybe.search(rel):
        try:
            with open(bc.root / rel, "rb") as f:
                return _PRIVATE in f.read(16384)
        except OSError:
            return False
    return False
