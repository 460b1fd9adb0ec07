"""BuildKit's `# check=skip=A,B;error=true;experimental=C` option, as its linter reads it.

The file-level value comes from the `check` parser directive (or, replacing it, the build
argument BUILDKIT_DOCKERFILE_CHECK); a `# check=` comment directly above an instruction adds
skips and experimental rules for the checks BuildKit makes on that instruction (never `error`).
"""
from __future__ import annotations

import re

from ..records import dataclass

_DIRECTIVE = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*\Z")
_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


class CheckOptionError(ValueError):
    """A `check` value BuildKit refuses (it fails the build with this message)."""


@dataclass(frozen=True, slots=True)
class CheckConfig:
    """BuildKit's `# check=` options: skipped checks, experimental ones enabled, errors on warnings."""

    skip_all: bool = False
    skip: frozenset[str] = frozenset()
    experimental_all: bool = False
    experimental: frozenset[str] = frozenset()
    error: bool = False

    def allows(self, code: str, experimental: bool) -> bool:
        """Whether BuildKit would report `code` under this config (experimental rules ignore skips)."""
        if experimental:
            return self.experimental_all or code in self.experimental
        return not self.skip_all and code not in self.skip

    def merged(self, other: "CheckConfig") -> "CheckConfig":
        """`other` laid over this one, as BuildKit merges an instruction's comment (error is kept)."""
        return CheckConfig(
            skip_all=self.skip_all or other.skip_all,
            skip=self.skip | other.skip,
            experimental_all=self.experimental_all or other.experimental_all,
            experimental=self.experimental | other.experimental,
            error=self.error,
        )


def parse_check_options(text: str) -> CheckConfig:
    """Parse `skip=A,B;error=true;experimental=all`. Raises CheckOptionError."""
    text = text.strip()
    if not text:
        return CheckConfig()
    skip_all = exp_all = error = False
    skip: list[str] = []
    exp: list[str] = []
    for part in text.split(";", 2):
        key, eq, value = part.partition("=")
        if not eq:
            raise CheckOptionError(f'invalid check option "{part}"')
        key, value = key.strip(), value.strip()
        if key == "skip":
            if value == "all":
                skip_all = True
            else:
                skip = [v.strip() for v in value.split(",")]
        elif key == "experimental":
            if value == "all":
                exp_all = True
            else:
                exp = [v.strip() for v in value.split(",")]
        elif key == "error":
            if value in _TRUE:
                error = True
            elif value in _FALSE:
                error = False
            else:
                raise CheckOptionError(
                    f'failed to parse check option "{part}": strconv.ParseBool: parsing "{value}": invalid syntax'
                )
        else:
            raise CheckOptionError(f'invalid check option "{key}"')
    return CheckConfig(skip_all, frozenset(skip), exp_all, frozenset(exp), error)


def file_check_value(directive_value: str | None, build_args: dict[str, str]) -> str:
    """The file-level check string: the build argument wins over the directive; words after a space are a comment."""
    if "BUILDKIT_DOCKERFILE_CHECK" in build_args:
        return build_args["BUILDKIT_DOCKERFILE_CHECK"]
    if directive_value is None:
        return ""
    return directive_value.split(" ", 1)[0]


def comment_check_value(comments: tuple[str, ...]) -> str | None:
    """The first `check=` among an instruction's comment lines (bodies, `#` removed), or None."""
    for body in comments:
        m = _DIRECTIVE.match(body.lstrip())
        if m is not None and m.group(1).lower() == "check":
            return m.group(2).split(" ", 1)[0]
    return None
