"""Blobs over the wire: streamed downloads that resume with Range, and uploads (mount, whole, chunked).

Downloads go through the store's blob writer, which hashes while writing and makes the blob
visible only when its digest matches. Uploads read the store's blob files with sendfile. A blob
is never held in memory.
"""
from __future__ import annotations

import os
import time
import urllib.parse
from collections.abc import Callable, Iterable
from typing import BinaryIO

from ..store import Store
from ..store.errors import DigestMismatch
from .auth import pull_scope, push_scope
from .client import Registry, backoff
from .errors import RegistryError
from .transport import BUFSIZE, CONNECTION_ERRORS, FileBody, Response

MAX_RESUMES = 10
MAX_UPLOAD_ATTEMPTS = 3
_DEFAULT_CHUNK = 64 << 20

Progress = Callable[[int], None]


def chunk_size() -> int:
    """Blobs larger than this are uploaded in chunks of this size (PYBUILD_REGISTRY_CHUNK_SIZE)."""
    try:
        return max(int(os.environ.get("PYBUILD_REGISTRY_CHUNK_SIZE", _DEFAULT_CHUNK)), 1024)
    except ValueError:
        return _DEFAULT_CHUNK


# ---- download ----------------------------------------------------------------------------------

def download(reg: Registry, repo: str, digest: str, size: int, store: Store, *,
             progress: Progress | None = None) -> None:
    """Fetch a blob into the store; a corrupt copy is fetched once more before giving up."""
    for attempt in range(2):
        try:
            with store.blobs.writer(expected=digest) as w:
                _stream(reg, repo, digest, size, w, progress)
                w.commit()
            return
        except DigestMismatch as err:
            if attempt == 1:
                raise RegistryError(f"blob {digest} from {reg.domain}/{repo} arrived corrupt "
                                    f"(it hashed to {err.actual}); nothing was stored",
                                    hint="something between pybuild and the registry alters data, "
                                         "or the registry's copy is damaged") from None


def _stream(reg: Registry, repo: str, digest: str, size: int, sink: BinaryIO, progress: Progress | None) -> None:
    buf = bytearray(BUFSIZE)
    view = memoryview(buf)
    got = 0
    resumes = 0
    path = f"/v2/{repo}/blobs/{digest}"
    while True:
        headers = {"Range": f"bytes={got}-"} if got else {}
        resp = reg.request("GET", path, scopes=[pull_scope(repo)], headers=headers)
        reg.check(resp, (200, 206), f"blob {digest} of {reg.domain}/{repo}")
        try:
            if got and resp.status == 200:
                _skip(resp, got, view)  # the server ignored Range: throw away what we have
            elif resp.status == 206 and not (resp.header("Content-Range") or "").startswith(f"bytes {got}-"):
                resp.close()
                raise RegistryError(f"blob {digest}: the registry resumed at the wrong offset "
                                    f"({resp.header('Content-Range')!r}, wanted {got})")
            while True:
                n = resp.readinto(view)
                if n == 0:
                    break
                got += n
                if size >= 0 and got > size:
                    resp.close()
                    raise RegistryError(f"blob {digest} is larger than the {size} bytes its descriptor says")
                sink.write(view[:n])
                if progress is not None:
                    progress(n)
            resp.close()
            if size < 0 or got == size:
                return
            raise ConnectionError(f"connection closed after {got} of {size} bytes")
        except CONNECTION_ERRORS as err:
            resp.close()
            resumes += 1
            if resumes > MAX_RESUMES:
                raise RegistryError(f"blob {digest}: the connection kept dropping ({err}); gave up after "
                                    f"{MAX_RESUMES} resumes at {got} of {size} bytes") from None
            time.sleep(backoff(min(resumes - 1, 4)))


def _skip(resp: Response, count: int, view: memoryview) -> None:
    left = count
    while left:
        n = resp.readinto(view[: min(len(view), left)])
        if n == 0:
            raise ConnectionError("connection closed while skipping")
        left -= n


# ---- upload ------------------------------------------------------------------------------------

def exists(reg: Registry, repo: str, digest: str, scopes: Iterable[str] | None = None) -> bool:
    resp = reg.request("HEAD", f"/v2/{repo}/blobs/{digest}", scopes=scopes or [push_scope(repo)])
    resp.close()
    if resp.status == 404:
        return False
    reg.check(resp, (200,), f"blob {digest} in {repo}")
    return True


def upload(reg: Registry, repo: str, digest: str, size: int, store: Store, *,
           mount_from: Iterable[str] = (), progress: Progress | None = None) -> str:
    """Put a store blob in `repo`: "exists", "mounted" or "uploaded"."""
    if exists(reg, repo, digest):
        return "exists"
    location = None
    for source in list(mount_from)[:3]:
        resp = reg.request("POST", f"/v2/{repo}/blobs/uploads/?" + urllib.parse.urlencode(
            {"mount": digest, "from": source}), scopes=[push_scope(repo), pull_scope(source)], body=b"")
        if resp.status == 201:
            resp.drain()
            return "mounted"
        if resp.status == 202:  # not mountable: the registry opened an ordinary upload instead
            location = _location(reg, resp)
            resp.drain()
            break
        resp.drain()
    last: Exception | None = None
    for attempt in range(MAX_UPLOAD_ATTEMPTS):
        if location is None:
            location = _start(reg, repo)
        try:
            with store.blobs.open(digest) as f:
                if size <= chunk_size():
                    _put_whole(reg, repo, location, digest, f, size, progress)
                else:
                    _put_chunked(reg, repo, location, digest, f, size, progress)
            return "uploaded"
        except (RegistryError, *CONNECTION_ERRORS) as err:
            last = err
            location = None
            time.sleep(backoff(attempt))
    if isinstance(last, RegistryError):
        raise last
    raise RegistryError(f"uploading blob {digest} to {reg.domain}/{repo} failed: {last}")


def _start(reg: Registry, repo: str) -> str:
    resp = reg.request("POST", f"/v2/{repo}/blobs/uploads/", scopes=[push_scope(repo)], body=b"")
    reg.check(resp, (202,), f"starting an upload to {reg.domain}/{repo}")
    loc = _location(reg, resp)
    resp.drain()
    return loc


def _location(reg: Registry, resp: Response) -> str:
    loc = resp.header("Location")
    if not loc:
        raise RegistryError(f"{reg.domain}: upload answer without a Location")
    return urllib.parse.urljoin(resp.url, loc)


def _with_digest(location: str, digest: str) -> str:
    sep = "&" if urllib.parse.urlsplit(location).query else "?"
    return f"{location}{sep}digest={urllib.parse.quote(digest)}"


def _put_whole(reg: Registry, repo: str, location: str, digest: str, f: BinaryIO, size: int,
               progress: Progress | None) -> None:
    resp = reg.request("PUT", _with_digest(location, digest), scopes=[push_scope(repo)], retry=False,
                       headers={"Content-Type": "application/octet-stream"}, body=FileBody(f, 0, size))
    reg.check(resp, (201,), f"uploading blob {digest} to {reg.domain}/{repo}")
    resp.drain()
    if progress is not None:
        progress(size)


def _put_chunked(reg: Registry, repo: str, location: str, digest: str, f: BinaryIO, size: int,
                 progress: Progress | None) -> None:
    step = chunk_size()
    offset = 0
    resumes = 0
    while offset < size:
        n = min(step, size - offset)
        try:
            resp = reg.request("PATCH", location, scopes=[push_scope(repo)], retry=False,
                               headers={"Content-Type": "application/octet-stream",
                                        "Content-Range": f"{offset}-{offset + n - 1}"},
                               body=FileBody(f, offset, n))
        except RegistryError:
            resumes += 1
            if resumes > MAX_RESUMES:
                raise
            time.sleep(backoff(min(resumes - 1, 4)))
            offset = _upload_offset(reg, repo, location)  # how much did the registry keep?
            continue
        reg.check(resp, (202,), f"uploading blob {digest} to {reg.domain}/{repo}")
        location = _location(reg, resp)
        resp.drain()
        offset += n
        if progress is not None:
            progress(n)
    resp = reg.request("PUT", _with_digest(location, digest), scopes=[push_scope(repo)], retry=False, body=b"")
    reg.check(resp, (201,), f"finishing the upload of {digest} to {reg.domain}/{repo}")
    resp.drain()


def _upload_offset(reg: Registry, repo: str, location: str) -> int:
    resp = reg.request("GET", location, scopes=[push_scope(repo)])
    reg.check(resp, (204,), f"upload status at {reg.domain}/{repo}")
    resp.drain()
    rng = resp.header("Range") or "0-0"
    end = int(rng.removeprefix("bytes=").split("-")[-1] or 0)
    return end + 1 if end > 0 else 0
