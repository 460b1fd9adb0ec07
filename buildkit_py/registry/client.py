"""An OCI distribution-spec 1.1 client for one registry host: requests with auth, retries, manifests.

`Registry(domain)` talks to `https://<api host>/v2/...` (plain HTTP where the registries file or
a loopback address allows it). Every request carries the scopes it needs; a 401 is answered once
with fresh credentials; 429, 5xx and dropped connections are retried with exponential backoff, a
bounded number of times. Blob transfer lives in `blobs.py`.
"""
from __future__ import annotations

import hashlib
import http.client
import json
import random
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable

from ..oci import mediatypes as mt
from .auth import Authorizer, pull_scope, push_scope
from .config import api_host, is_loopback, load_config
from .credentials import Credentials, lookup
from .errors import AuthError, NotFound, RegistryError, Unreachable
from .transport import CONNECTION_ERRORS, Body, Response, Transport

MAX_ATTEMPTS = 5
_BACKOFF_BASE = 0.2
_BACKOFF_MAX = 4.0
_RETRY_AFTER_MAX = 10.0
_MAX_REDIRECTS = 5
MAX_MANIFEST = 4 << 20
RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
MANIFEST_ACCEPT = ", ".join([mt.OCI_INDEX, mt.OCI_MANIFEST, mt.DOCKER_MANIFEST_LIST, mt.DOCKER_MANIFEST])
_SCHEMA1 = ("application/vnd.docker.distribution.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v1+prettyjws")

USER_AGENT = "pybuild/0.1"

_schemes: dict[str, str] = {}  # api host -> "https" | "http", learnt once per process
_schemes_lock = threading.Lock()
_shared_transport: Transport | None = None


def shared_transport() -> Transport:
    global _shared_transport
    if _shared_transport is None:
        _shared_transport = Transport()
    return _shared_transport


def backoff(attempt: int, retry_after: str | None = None) -> float:
    """Seconds to wait before retry number `attempt` (0-based): exponential with jitter, or Retry-After."""
    if retry_after:
        try:
            return min(max(float(retry_after), 0.0), _RETRY_AFTER_MAX)
        except ValueError:
            pass
    return min(_BACKOFF_BASE * (2 ** attempt), _BACKOFF_MAX) * (0.5 + random.random() / 2)


def error_message(resp: Response, body: bytes) -> str:
    """`CODE: message` from a distribution-spec error body, else the HTTP status."""
    try:
        errors = json.loads(body).get("errors") or []
        parts = [f"{e.get('code', '')}: {e.get('message', '')}".strip(": ") for e in errors if isinstance(e, dict)]
        if parts:
            return "; ".join(parts)
    except (ValueError, AttributeError):
        pass
    return f"{resp.status} {resp.reason}"


class Registry:
    """One registry host (`docker.io`, `ghcr.io`, `127.0.0.1:5000`), or a mirror of one."""

    def __init__(self, domain: str, *, host: str | None = None, transport: Transport | None = None,
                 credentials: Callable[[str], Credentials | None] = lookup) -> None:
        self.domain = domain
        self.host = host or api_host(domain)
        self.transport = transport or shared_transport()
        # Credentials belong to the host that checks them: a mirror's own, else the registry's.
        self.auth = Authorizer(self.host if host else domain, self.transport, credentials)

    # ---- endpoint -----------------------------------------------------------------------------

    def base_url(self) -> str:
        with _schemes_lock:  # held while probing: parallel transfers wait for one probe
            scheme = _schemes.get(self.host)
            if scheme is None:
                scheme = _schemes[self.host] = self._probe_scheme()
        return f"{scheme}://{self.host}"

    def _probe_scheme(self) -> str:
        hc = load_config().host(self.host)
        if hc.http:
            return "http"
        if not is_loopback(self.host):
            return "https"
        # docker's rule for loopback registries: HTTPS when the server speaks it, else plain HTTP.
        # Asking in plain HTTP first gives nothing away (no credentials go with it) and spares a TLS
        # set-up when the answer is HTTP; a TLS server hangs up, sends garbage, or says it is HTTPS.
        try:
            resp = self.transport.request("GET", f"http://{self.host}/v2/")
            body = resp.read(64 << 10) if resp.status == 400 else b""
            resp.drain()
        except (http.client.HTTPException, RegistryError, OSError):
            return "https"  # not HTTP; or refused or unreachable, which the real request reports
        return "https" if resp.status == 400 and b"HTTPS" in body else "http"

    def url(self, path: str) -> str:
        return self.base_url() + path

    # ---- requests ------------------------------------------------------------------------------

    def request(self, method: str, path_or_url: str, *, scopes: Iterable[str] = (),
                headers: dict[str, str] | None = None, body: Body = None, retry: bool = True) -> Response:
        """Send with credentials; answer 401 once, follow redirects, retry 429/5xx/connection drops."""
        scope_set = frozenset(scopes)
        url = path_or_url if "://" in path_or_url else self.url(path_or_url)
        origin = urllib.parse.urlsplit(url).netloc
        reauthed = False
        attempt = 0
        redirects = 0
        while True:
            hdrs = {"User-Agent": USER_AGENT, **(headers or {})}
            sent = None
            if urllib.parse.urlsplit(url).netloc == origin:
                sent = self.auth.header(scope_set)
                if sent:
                    hdrs["Authorization"] = sent
            try:
                resp = self.transport.request(method, url, hdrs, body)
            except CONNECTION_ERRORS as err:
                # A refused connection, an unknown host or an untrusted certificate will not change in a second.
                lasting = isinstance(err, ssl.SSLCertVerificationError) or \
                    (isinstance(err, (ConnectionRefusedError, socket.gaierror)) and attempt >= 1)
                if retry and not lasting and attempt + 1 < MAX_ATTEMPTS:
                    time.sleep(backoff(attempt))
                    attempt += 1
                    continue
                raise _connection_error(method, url, err) from None
            if resp.status == 401:
                challenge = resp.header("WWW-Authenticate")
                resp.drain()
                if not reauthed and self.auth.challenged(challenge, scope_set, sent):
                    reauthed = True
                    continue
                raise self._auth_error(scope_set)
            if resp.status in (301, 302, 303, 307, 308) and method in ("GET", "HEAD") and resp.header("Location"):
                resp.drain()
                redirects += 1
                if redirects > _MAX_REDIRECTS:
                    raise RegistryError(f"{method} {path_or_url}: too many redirects")
                url = urllib.parse.urljoin(url, resp.header("Location") or "")
                continue
            if resp.status in RETRY_STATUS and retry and attempt + 1 < MAX_ATTEMPTS:
                wait = backoff(attempt, resp.header("Retry-After"))
                resp.drain()
                time.sleep(wait)
                attempt += 1
                continue
            return resp

    def _auth_error(self, scopes: frozenset[str]) -> AuthError:
        what = ", ".join(sorted(scopes)) or "access"
        if self.auth.credentials() is None:
            return AuthError(f"{self.host}: authentication required ({what})",
                             hint=f"log in first: pybuild login {self.domain}")
        return AuthError(f"{self.host}: unauthorized ({what})",
                         hint=f"check your access, or `pybuild login {self.domain}` again")

    def check(self, resp: Response, ok: Iterable[int], what: str) -> Response:
        """Return `resp` if its status is one of `ok`, else raise the error the registry gave."""
        if resp.status in ok:
            return resp
        body = b"" if resp.status == 304 else _safe_read(resp)
        msg = f"{what}: {error_message(resp, body)} (HTTP {resp.status})"
        if resp.status == 404:
            raise NotFound(msg)
        if resp.status in (401, 403):
            raise AuthError(msg, hint=f"check your access to it, or `pybuild login {self.domain}`")
        raise RegistryError(msg)

    def ping(self) -> None:
        """GET /v2/: the registry is there and our credentials (if any) are accepted."""
        resp = self.request("GET", "/v2/")
        self.check(resp, (200,), f"{self.host}")
        resp.drain()

    # ---- manifests ----------------------------------------------------------------------------

    def head_manifest(self, repo: str, reference: str) -> tuple[str | None, str, int] | None:
        """(digest if the registry says, media type, size) of a manifest, or None if absent."""
        resp = self.request("HEAD", f"/v2/{repo}/manifests/{reference}", scopes=[pull_scope(repo)],
                            headers={"Accept": MANIFEST_ACCEPT})
        resp.close()
        if resp.status == 404:
            return None
        self.check(resp, (200,), f"manifest {repo}:{reference}")
        size = int(resp.header("Content-Length") or -1)
        return resp.header("Docker-Content-Digest"), _media_type(resp.header("Content-Type")), size

    def get_manifest(self, repo: str, reference: str) -> tuple[bytes, str, str]:
        """(bytes, media type, digest) of a manifest or index; the digest is checked against the bytes."""
        resp = self.request("GET", f"/v2/{repo}/manifests/{reference}", scopes=[pull_scope(repo)],
                            headers={"Accept": MANIFEST_ACCEPT})
        self.check(resp, (200,), f"manifest {self.domain}/{repo}:{reference}")
        try:
            data = resp.read(MAX_MANIFEST)
        except CONNECTION_ERRORS as err:
            raise RegistryError(f"reading manifest {repo}:{reference}: {err}") from None
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        expected = reference if reference.startswith("sha256:") else resp.header("Docker-Content-Digest")
        if expected and expected.startswith("sha256:") and expected != digest:
            raise RegistryError(f"manifest {repo}@{expected}: the registry sent content with digest {digest}",
                                hint="the registry or something between us altered it; nothing was stored")
        media_type = _media_type(resp.header("Content-Type"))
        sniffed = _sniff(data)
        if media_type in _SCHEMA1 or sniffed in _SCHEMA1:
            raise RegistryError(f"{repo}:{reference} is a Docker schema 1 manifest, which pybuild does not read",
                                hint="push the image again with a current docker, skopeo or pybuild")
        if not (mt.is_manifest(media_type) or mt.is_index(media_type)):
            media_type = sniffed or media_type
        return data, media_type, digest

    def put_manifest(self, repo: str, reference: str, data: bytes, media_type: str) -> str:
        resp = self.request("PUT", f"/v2/{repo}/manifests/{reference}", scopes=[push_scope(repo)],
                            headers={"Content-Type": media_type}, body=data)
        self.check(resp, (200, 201), f"pushing manifest {repo}:{reference}")
        resp.drain()
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        said = resp.header("Docker-Content-Digest")
        if said and said != digest:
            raise RegistryError(f"pushing {repo}:{reference}: the registry stored digest {said}, expected {digest}")
        return digest

    def login(self, creds: Credentials) -> None:
        """Check credentials against the registry (a token for no scope, or basic auth on /v2/)."""
        self.auth.use_credentials(creds)
        self.ping()


def _connection_error(method: str, url: str, err: BaseException) -> Unreachable:
    host = urllib.parse.urlsplit(url).netloc
    if isinstance(err, ssl.SSLCertVerificationError):
        return Unreachable(
            f"{method} {url}: the TLS certificate of {host} is not trusted ({err.verify_message})",
            hint=f"put its CA certificate in ~/.config/pybuild/certs.d/{host}/ca.crt, or mark the registry "
                 "insecure = true in ~/.config/pybuild/registries.toml")
    if isinstance(err, socket.gaierror):
        return Unreachable(f"{method} {url}: cannot resolve {host.rsplit(':', 1)[0]} ({err.strerror})",
                           hint="check the name and the network; offline, add images with "
                                "`pybuild load` or `pybuild import`")
    return Unreachable(f"{method} {url}: {err or type(err).__name__}",
                       hint="check the registry address and that it is running")


def _safe_read(resp: Response) -> bytes:
    try:
        return resp.read(1 << 20)
    except (RegistryError, *CONNECTION_ERRORS):
        return b""


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip()


def _sniff(data: bytes) -> str | None:
    """The media type a manifest's contents imply (schema 1 included, so we can refuse it by name)."""
    from ..store.graph import sniff_media_type

    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    if isinstance(doc, dict) and doc.get("schemaVersion") == 1:
        return _SCHEMA1[0]
    return sniff_media_type(data)
