"""Registry authentication: anonymous, basic, and bearer tokens (the Docker Hub / GHCR flow).

A registry answers 401 with `WWW-Authenticate: Bearer realm=...,service=...,scope=...`; we ask
the realm for a token for the scopes a request needs (with basic credentials when we have any),
cache it per scope set until shortly before it expires, and ask again when it stops working.
"""
from __future__ import annotations

import base64
import json
import re
import threading
import time
import urllib.parse
from collections.abc import Callable

from ..records import dataclass
from .credentials import Credentials, lookup
from .errors import AuthError, RegistryError
from .transport import CONNECTION_ERRORS, Transport

_PARAM = re.compile(r'\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*(?:,|$)')
_REFRESH_MARGIN = 10.0
_DEFAULT_EXPIRY = 60.0


@dataclass(frozen=True)
class Challenge:
    scheme: str  # "basic" or "bearer"
    params: dict[str, str]


def parse_challenges(header: str) -> list[Challenge]:
    """`Bearer realm="...",service="..."` (possibly several challenges) → challenges."""
    out: list[Challenge] = []
    rest = header.strip()
    while rest:
        m = re.match(r"([A-Za-z][A-Za-z0-9_-]*)\s*", rest)
        if not m:
            break
        scheme = m.group(1).lower()
        rest = rest[m.end():]
        params: dict[str, str] = {}
        while rest:
            p = _PARAM.match(rest)
            if not p:
                break
            value = p.group(2) if p.group(2) is not None else p.group(3)
            params[p.group(1).lower()] = re.sub(r"\\(.)", r"\1", value)
            rest = rest[p.end():]
        out.append(Challenge(scheme, params))
        rest = rest.lstrip(", ")
    return out


def basic_header(creds: Credentials) -> str:
    return "Basic " + base64.b64encode(f"{creds.username}:{creds.secret}".encode()).decode()


class Authorizer:
    """What to put in `Authorization` for one registry host, learnt from its challenges."""

    def __init__(self, domain: str, transport: Transport,
                 credentials: Callable[[str], Credentials | None] = lookup) -> None:
        self.domain = domain
        self._transport = transport
        self._lookup = credentials
        self._creds: Credentials | None = None
        self._creds_loaded = False
        self._challenge: Challenge | None = None
        self._tokens: dict[frozenset[str], tuple[str, float]] = {}
        self._lock = threading.Lock()

    def credentials(self) -> Credentials | None:
        if not self._creds_loaded:
            self._creds = self._lookup(self.domain)
            self._creds_loaded = True
        return self._creds

    def use_credentials(self, creds: Credentials | None) -> None:
        """Use these instead of the stored ones (`pybuild login` checks them before saving)."""
        self._creds, self._creds_loaded = creds, True
        self._tokens.clear()

    def header(self, scopes: frozenset[str]) -> str | None:
        """The Authorization value for a request needing `scopes`, fetching a token if due."""
        ch = self._challenge
        if ch is None:
            return None
        if ch.scheme == "basic":
            creds = self.credentials()
            return basic_header(creds) if creds else None
        with self._lock:
            cached = self._tokens.get(scopes)
            if cached and cached[1] > time.monotonic():
                return "Bearer " + cached[0]
            token, expires = self._fetch_token(ch, scopes)
            self._tokens[scopes] = (token, expires)
            return "Bearer " + token

    def challenged(self, header: str | None, scopes: frozenset[str], sent: str | None) -> bool:
        """Learn from a 401; True when a retry can carry different credentials than `sent`."""
        challenges = parse_challenges(header or "")
        ch = next((c for c in challenges if c.scheme == "bearer"), None) or \
            next((c for c in challenges if c.scheme == "basic"), None)
        if ch is None:
            return False
        with self._lock:
            self._challenge = ch
            cached = self._tokens.get(scopes)
            if cached and sent == "Bearer " + cached[0]:
                del self._tokens[scopes]  # refused: expired or revoked (another thread's fresh one is kept)
        new = self.header(scopes)
        return new is not None and new != sent

    def _fetch_token(self, ch: Challenge, scopes: frozenset[str]) -> tuple[str, float]:
        realm = ch.params.get("realm")
        if not realm:
            raise AuthError(f"{self.domain} asked for a bearer token but named no realm")
        all_scopes = merge_scopes([*scopes, *ch.params.get("scope", "").split(" ")])
        creds = self.credentials()
        service = ch.params.get("service")
        started = time.monotonic()
        try:
            if creds is not None and creds.identity_token:
                resp = self._oauth_refresh(realm, service, all_scopes, creds)
            else:
                query = ([("service", service)] if service else []) + [("scope", s) for s in all_scopes]
                if creds is not None:
                    query.append(("account", creds.username))
                sep = "&" if "?" in realm else "?"
                url = realm + (sep + urllib.parse.urlencode(query) if query else "")
                headers = {"Authorization": basic_header(creds)} if creds else {}
                resp = self._transport.request("GET", url, headers)
            body = resp.read(1 << 20)
        except CONNECTION_ERRORS as err:
            raise RegistryError(f"cannot get a token from {realm}: {err}") from None
        if resp.status in (401, 403):
            if creds is None:
                raise AuthError(f"{self.domain}: authentication required",
                                hint=f"log in first: pybuild login {self.domain}")
            raise AuthError(f"{self.domain}: unauthorized: incorrect username or password",
                            hint=f"check the credentials, then `pybuild login {self.domain}` again")
        if resp.status != 200:
            raise AuthError(f"token server {realm} answered {resp.status} {resp.reason}")
        try:
            doc = json.loads(body)
            token = doc.get("token") or doc.get("access_token")
            expires_in = float(doc.get("expires_in") or _DEFAULT_EXPIRY)
        except (ValueError, AttributeError, TypeError):
            raise AuthError(f"token server {realm} gave an answer that is not a token") from None
        if not isinstance(token, str) or not token:
            raise AuthError(f"token server {realm} gave no token")
        return token, started + max(expires_in - _REFRESH_MARGIN, expires_in / 2)

    def _oauth_refresh(self, realm: str, service: str | None, scopes: list[str], creds: Credentials):
        form = {"grant_type": "refresh_token", "refresh_token": creds.secret, "client_id": "pybuild",
                "scope": " ".join(scopes)}
        if service:
            form["service"] = service
        body = urllib.parse.urlencode(form).encode()
        return self._transport.request("POST", realm, {"Content-Type": "application/x-www-form-urlencoded"}, body)


def pull_scope(repo: str) -> str:
    return f"repository:{repo}:pull"


def push_scope(repo: str) -> str:
    return f"repository:{repo}:pull,push"


def merge_scopes(scopes: list[str]) -> list[str]:
    """One scope per resource with the union of its actions: `repository:a:pull` + `repository:a:push`
    is `repository:a:pull,push`. Sorted, so equal sets give equal token requests."""
    actions: dict[str, set[str]] = {}
    for scope in scopes:
        if not scope:
            continue
        resource, _, acts = scope.rpartition(":")
        if not resource:
            resource, acts = scope, ""
        actions.setdefault(resource, set()).update(a for a in acts.split(",") if a)
    return [f"{r}:{','.join(sorted(a))}" if a else r for r, a in sorted(actions.items())]
