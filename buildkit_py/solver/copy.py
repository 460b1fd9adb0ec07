"""COPY and ADD steps: sources from the context, another stage, an image, a heredoc or a URL."""
from __future__ import annotations

import fnmatch
import hashlib
import os
import posixpath
import stat
import tarfile
import urllib.parse
import urllib.request
from pathlib import Path

from ..contenthash.context import has_magic, normalize
from ..frontend.dispatch import Expander
from ..records import dataclass
from ..snapshot.copy import CopyError, Item, Writer, copy_tree, parse_chmod, resolve_chown
from ..snapshot.layeredfs import LayeredFS
from ..syntax import ast as A
from .keys import cache_key
from .state import StageResult

_MULTI = "When using COPY with more than one source file, the destination must be a directory and end with a /"


@dataclass
class Source:
    """One matched source: where it is, and the path it has relative to its pattern's base."""

    rel: str  # the path to use with --parents (relative to the source root)
    name: str
    host: str
    st: os.stat_result
    children: list[tuple[str, str, os.stat_result]] | None  # for directories: (rel, host, lstat)
    keep_owner: bool
    archive: bool = False


def copy_step(steps, res: StageResult, ins: A.Copy | A.Add, label: str) -> StageResult:
    s = steps.s
    x = Expander(steps.df, ins, res.state)
    is_add = isinstance(ins, A.Add)
    srcs = [x.word(p) for p in ins.sources]
    dest = x.word(ins.dest)
    chown = x.word(ins.chown) if ins.chown else None
    chmod = x.word(ins.chmod) if ins.chmod else None
    if chmod:
        try:
            parse_chmod(chmod)
        except CopyError as err:
            raise s.error(ins, err.message, err.hint) from None
    excludes = [x.word(e) for e in ins.excludes]
    from_ = x.word(ins.from_) if isinstance(ins, A.Copy) and ins.from_ else None
    if is_add and ins.checksum and not all(_is_url(p) for p in srcs):
        raise s.error(ins, "checksum requires HTTP(S) or Git sources")
    for src in srcs:
        if _is_git(src):
            raise s.error(ins, f"git sources are not supported yet: {src}", "clone in a RUN step, or COPY from the context")
        if _is_url(src) and not is_add:
            raise s.error(ins, "source can't be a URL for COPY", "use ADD for URLs")
    from .steps import abs_path

    dest_abs = abs_path(res.state.workdir, dest)
    parents = bool(getattr(ins, "parents", False))
    unpack = is_add if not is_add or ins.unpack is None else bool(ins.unpack)

    # Where the sources come from, and what identifies their content for the cache key.
    source_key: dict
    sources: list[Source] = []
    from_result = None
    if from_ is not None:
        # The key needs only the other stage's key: its files are read if the step runs.
        from_result = s.stage_result(from_, steps.sp.index, ins) or s.image_result(from_, ins)
        source_key = {"from": from_result.key, "paths": srcs}
    else:
        if s.context is None and any(not _is_url(p) for p in srcs):
            raise s.error(ins, "no build context to copy from", "pass a context directory instead of `-`")
        local = [p for p in srcs if not _is_url(p)]
        matched: list[str] = []
        for p in local:
            m = s.context.glob(p) if s.context is not None else []
            if not m and not has_magic(p):
                raise s.error(ins, f'failed to compute cache key: "/{normalize(p)}": not found',
                              "the path must exist in the build context and not be excluded by .dockerignore")
            matched += m
        source_key = {"context": s.context.digest(matched) if s.context is not None and matched else "", "paths": local}
        sources = _context_sources(s.context, local, excludes) if local else []
        for url in (p for p in srcs if _is_url(p)):
            src, digest = _download(url, ins.checksum if is_add else None, steps, ins)
            sources.append(src)
            source_key.setdefault("urls", []).append([url, digest])
    if from_result is None and not sources and not ins.contents:
        raise s.error(ins, "no source files were specified", "check the patterns against the build context")

    contents = []
    for c in ins.contents:
        data = x.word(c.data) if c.expand else c.data
        contents.append((c.path, data))

    key = cache_key(res.key, "add" if is_add else "copy", sources=source_key, dest=dest_abs, chown=chown,
                    chmod=chmod, excludes=excludes, parents=parents, link=ins.link, unpack=unpack,
                    contents=contents)

    def make(base: Path, upper: Path, v) -> None:
        lower = LayeredFS(res.lowers())
        items = list(sources)
        if from_result is not None:
            items = _stage_sources(LayeredFS(from_result.lowers()), srcs, excludes, ins, s)
            if not items and not ins.contents:
                raise s.error(ins, "no source files were specified", "check the patterns against the stage")
        try:
            owner = resolve_chown(chown, lower) if chown else None
            w = Writer(upper, lower, owner=owner, chmod=chmod)
            for path, data in contents:
                host = base / ("heredoc-" + hashlib.sha256(path.encode()).hexdigest()[:16])
                host.write_text(data)
                os.chmod(host, 0o644)
                items.append(Source(path, posixpath.basename(path), str(host), os.lstat(host), None, False))
            _place(w, items, dest_abs, parents, unpack and is_add, base)
            w.finish()
        except CopyError as err:
            raise s.error(ins, err.message, err.hint) from None

    words = " ".join((["--parents"] if parents else []) + ([f"--chown={chown}"] if chown else [])
                     + ([f"--chmod={chmod}"] if chmod else []) + srcs + [f"<<{c.path}" for c in ins.contents] + [dest])
    return steps.execute(res, key, label, make, f"{'ADD' if is_add else 'COPY'} {words}")


def _place(w: Writer, items: list[Source], dest_abs: str, parents: bool, unpack: bool, base: Path) -> None:
    dir_hint = dest_abs.endswith("/")
    dest = dest_abs.rstrip("/") or "/"
    if len(items) > 1 and not dir_hint and not w.is_dir(dest):
        raise CopyError(_MULTI, hint=f"write the destination as {dest}/")
    for it in items:
        if it.children is not None:
            root = posixpath.join(dest, it.rel) if parents else dest
            w.ensure_dir(root, created_owner=w.owner)
            copy_tree(w, root, it.children, it.keep_owner)
        elif unpack and it.archive and _is_archive(it.host):
            _extract(w, it.host, dest, base)
        else:
            if parents:
                target = posixpath.join(dest, it.rel)
            elif dir_hint or w.is_dir(dest):
                target = posixpath.join(dest, it.name)
            else:
                target = dest
            w.put(target, Item(it.name, it.host, it.st, it.keep_owner))


def _excluded(rel: str, excludes: list[str]) -> bool:
    for pat in excludes:
        p = normalize(pat)
        if fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(rel, p + "/*") or \
                ("**" in p and fnmatch.fnmatchcase(rel, p.replace("**/", "*").replace("**", "*"))):
            return True
        if fnmatch.fnmatchcase(posixpath.basename(rel), p) and "/" not in p:
            return True
    return False


def _context_sources(ctx, patterns: list[str], excludes: list[str]) -> list[Source]:
    out: list[Source] = []
    for p in patterns:
        for rel in ctx.glob(p):
            host = ctx.host_path(rel)
            st = os.stat(host) if os.path.exists(host) else os.lstat(host)  # the top source follows symlinks
            name = posixpath.basename(rel) or "."
            if stat.S_ISDIR(st.st_mode):
                prefix = rel + "/" if rel else ""
                kids = []
                for e in ctx.children(rel):
                    sub = e.path[len(prefix):]
                    if excludes and _excluded(sub, excludes):
                        continue
                    kids.append((sub, ctx.host_path(e.path), os.lstat(ctx.host_path(e.path))))
                out.append(Source(rel, name, host, st, kids, False))
            else:
                if excludes and _excluded(rel, excludes):
                    continue
                out.append(Source(rel, name, host, st, None, False, archive=True))
    return out


def _stage_sources(fs: LayeredFS, patterns: list[str], excludes: list[str], ins, s) -> list[Source]:
    out: list[Source] = []
    for p in patterns:
        path = "/" + normalize(p)
        if has_magic(path):
            parent, pat = posixpath.split(path)
            names = [n for n in fs.listdir(parent) if fnmatch.fnmatchcase(n, pat)] if fs.is_dir(parent) else []
            matches = [posixpath.join(parent, n) for n in names]
        else:
            matches = [path] if fs.exists(path) else []
            if not matches:
                raise s.error(ins, f'failed to compute cache key: "{path}": not found',
                              "the path must exist in the stage or image you copy from")
        for m in matches:
            canon = fs.resolve(m)
            e = fs.entry(canon)
            if e is None:
                continue
            host, st = e
            name = posixpath.basename(m) or "/"
            if stat.S_ISDIR(st.st_mode):
                kids = []
                for child, cst, chost in fs.walk(canon):
                    if child == canon:
                        continue
                    sub = child[len(canon.rstrip("/")) + 1:]
                    if excludes and _excluded(sub, excludes):
                        continue
                    kids.append((sub, chost, cst))
                out.append(Source(m.lstrip("/"), name, host, st, kids, True))
            else:
                out.append(Source(m.lstrip("/"), name, host, st, None, True))
    return out


def _is_url(src: str) -> bool:
    return src.startswith(("http://", "https://"))


def _is_git(src: str) -> bool:
    return src.startswith("git@") or src.endswith(".git") and _is_url(src) or src.startswith("git://")


def _is_archive(path: str) -> bool:
    try:
        return tarfile.is_tarfile(path)
    except OSError:
        return False


def _extract(w: Writer, archive: str, dest: str, base: Path) -> None:
    """ADD of a local tar archive: its contents go into the destination directory."""
    out = Path(base) / "unpacked"
    out.mkdir()
    with tarfile.open(archive) as tf:
        tf.extractall(out, filter="tar")
    entries = []
    for root, dirs, files in os.walk(out):
        dirs.sort()
        for name in sorted(dirs) + sorted(files):
            host = os.path.join(root, name)
            entries.append((os.path.relpath(host, out), host, os.lstat(host)))
    w.ensure_dir(dest, created_owner=w.owner)
    copy_tree(w, dest, sorted(entries), keep_owner=True)


def _download(url: str, checksum: str | None, steps, ins) -> tuple[Source, str]:
    s = steps.s
    cache_dir = Path(s.store.root) / "downloads"
    cache_dir.mkdir(exist_ok=True)
    name = posixpath.basename(urllib.parse.urlparse(url).path) or "__unnamed__"
    tmp = cache_dir / f".{hashlib.sha256(url.encode()).hexdigest()}.part{os.getpid()}"
    h = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=60) as resp, open(tmp, "wb") as f:
            while chunk := resp.read(1 << 20):
                h.update(chunk)
                f.write(chunk)
            modified = resp.headers.get("Last-Modified")
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise s.error(ins, f"failed to download {url}: {err}") from None
    digest = "sha256:" + h.hexdigest()
    if checksum and checksum != digest:
        tmp.unlink(missing_ok=True)
        raise s.error(ins, f"digest mismatch for {url}: expected {checksum}, got {digest}")
    final = cache_dir / h.hexdigest()
    os.replace(tmp, final)
    os.chmod(final, 0o600)
    if modified:
        from email.utils import parsedate_to_datetime

        try:
            t = parsedate_to_datetime(modified).timestamp()
            os.utime(final, (t, t))
        except (TypeError, ValueError):
            pass
    return Source(name, name, str(final), os.lstat(final), None, False), digest
