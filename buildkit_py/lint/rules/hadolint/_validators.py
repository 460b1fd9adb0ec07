"""Value checks for the label schema types (url, rfc3339, spdx, hash, semver, email)."""
from __future__ import annotations

import functools
import re

# RFC 3986 absolute URI: scheme ":" hier-part [ "?" query ] [ "#" fragment ].
_PCT = r"%[0-9A-Fa-f]{2}"
_UNRESERVED = r"A-Za-z0-9\-._~"
_SUB_DELIMS = r"!$&'()*+,;="
_PCHAR = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
_USERINFO = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*"
_REG_NAME = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})*"
_IP_LITERAL = r"\[[0-9A-Fa-f:.]+\]|\[v[0-9A-Fa-f]+\.[" + _UNRESERVED + _SUB_DELIMS + r":]+\]"
_AUTHORITY = rf"(?:{_USERINFO}@)?(?:{_IP_LITERAL}|{_REG_NAME})(?::[0-9]*)?"
_PATH = rf"(?:/{_PCHAR}*)*"
_HIER = rf"(?://{_AUTHORITY}{_PATH}|/?(?:{_PCHAR}+{_PATH})?)"
_QUERY = rf"(?:{_PCHAR}|[/?])*"
_URI = rf"[A-Za-z][A-Za-z0-9+\-.]*:{_HIER}(?:\?{_QUERY})?(?:#{_QUERY})?"


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    # The patterns are compiled when a label schema first asks for them, not when rules load.
    return re.compile(pattern)


def is_url(text: str) -> bool:
    """An absolute URI (RFC 3986), e.g. `https://example.com/x`."""
    return _compiled(_URI).fullmatch(text) is not None


_RFC3339 = r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))"


def is_rfc3339(text: str) -> bool:
    """A full RFC 3339 timestamp with offset, e.g. `2024-05-01T12:00:00Z`."""
    m = _compiled(_RFC3339).fullmatch(text)
    if m is None:
        return False
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    from datetime import date  # here, not at every start: only a timestamp label needs it

    try:
        date(year, month, day)
    except ValueError:
        return False
    if hour > 23 or minute > 59 or second > 60:
        return False
    if m.group(7) is not None and (int(m.group(7)) > 23 or int(m.group(8)) > 59):
        return False
    return True


def is_spdx_id(text: str) -> bool:
    """One SPDX licence identifier, spelled as the SPDX list spells it (`MIT`, `Apache-2.0`)."""
    from packaging.licenses._spdx import LICENSES  # the SPDX list packaging ships

    entry = LICENSES.get(text.lower())
    return entry is not None and entry["id"] == text


def is_git_hash(text: str) -> bool:
    """A full (40) or short (7) lower-case hexadecimal commit id."""
    return len(text) in (7, 40) and all(c in "0123456789abcdef" for c in text)


_SEMVER = (
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?"
)


def is_semver(text: str) -> bool:
    """Semantic Versioning 2.0.0: `MAJOR.MINOR.PATCH[-pre][+build]`."""
    return _compiled(_SEMVER).fullmatch(text) is not None


_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_DOT_ATOM = rf"{_ATEXT}+(?:\.{_ATEXT}+)*"
_QUOTED = r'"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*"'
_DOMAIN_LITERAL = r"\[[\x21-\x5a\x5e-\x7e]*\]"
_EMAIL = rf"(?:{_DOT_ATOM}|{_QUOTED})@(?:{_DOT_ATOM}|{_DOMAIN_LITERAL})"


def is_email(text: str) -> bool:
    """An RFC 5322 addr-spec: `local@domain`."""
    return _compiled(_EMAIL).fullmatch(text) is not None
