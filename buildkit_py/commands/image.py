"""`pybuild images | inspect | history | tag | rmi`: look at and name images in the local store.

Exit status: 0 success, 1 when the store lacks what was named (as docker), 2 for bad input.
"""
from __future__ import annotations

import fnmatch
import json
import time
from typing import Any

import click

from ..store import ImageNotFound, InvalidInput, Store, StoreError
from ..store.format import check_format, render
from ..store.images import open_image
from ..store.reference import familiar, familiar_repository, parse
from ..store.units import human_size, parse_time, time_ago

_FORMAT_HELP = "'table' (default), 'json' (one object a line), or a template such as '{{.ID}}'."


def _short(digest: str, no_trunc: bool) -> str:
    return digest if no_trunc else digest.removeprefix("sha256:")[:12]


def _created_at(created: str | None) -> str:
    ts = parse_time(created)
    return time.strftime("%Y-%m-%d %H:%M:%S +0000 UTC", time.gmtime(ts)) if ts is not None else ""


def _split_pattern(pattern: str) -> tuple[str, str | None]:
    slash, colon = pattern.rfind("/"), pattern.rfind(":")
    return (pattern[:colon], pattern[colon + 1:]) if colon > slash else (pattern, None)


def _matches(pattern: str, name: str | None) -> bool:
    """docker's reference filter: a glob on the short or full repository, and on the tag if given."""
    if name is None:
        return False
    ref = parse(name)
    repo_pat, tag_pat = _split_pattern(pattern)
    repo_ok = fnmatch.fnmatchcase(ref.familiar_repository, repo_pat) or fnmatch.fnmatchcase(ref.repository, repo_pat)
    return repo_ok and (tag_pat is None or fnmatch.fnmatchcase(ref.tag or "", tag_pat))


def _parse_filters(filters: tuple[str, ...]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in filters:
        key, eq, value = f.partition("=")
        if not eq or key not in ("reference", "dangling"):
            raise InvalidInput(f"invalid filter: {f!r}", hint="filters: reference=PATTERN, dangling=true|false")
        if key == "dangling" and value not in ("true", "false", "1", "0"):
            raise InvalidInput(f"invalid filter value: {f!r}", hint="dangling=true or dangling=false")
        out.setdefault(key, []).append(value)
    return out


IMAGE_FIELDS = ("Repository", "Tag", "Digest", "ID", "CreatedAt", "CreatedSince", "Size", "MediaType")


@click.command("images")
@click.argument("repository", required=False)
@click.option("-a", "--all", "show_all", is_flag=True, help="Show all images (same as default; for docker compatibility).")
@click.option("--digests", is_flag=True, help="Show manifest digests.")
@click.option("-f", "--filter", "filters", multiple=True, help="reference=PATTERN or dangling=true|false.")
@click.option("--format", "fmt", help=_FORMAT_HELP)
@click.option("--no-trunc", is_flag=True, help="Do not truncate image IDs.")
@click.option("-q", "--quiet", is_flag=True, help="Only show image IDs.")
def images(repository: str | None, show_all: bool, digests: bool, filters: tuple[str, ...],
           fmt: str | None, no_trunc: bool, quiet: bool) -> None:
    """List images in the local store (REPOSITORY TAG IMAGE ID CREATED SIZE)."""
    check_format(fmt, IMAGE_FIELDS)
    flt = _parse_filters(filters)
    if repository:
        flt.setdefault("reference", []).append(repository)
    now = time.time()
    records: list[dict[str, Any]] = []
    with Store() as store:
        for row in store.db.images():
            names: list[str | None] = list(store.db.refs_of(row.digest)) or [None]
            dangling = names == [None]
            if "dangling" in flt and any((v in ("true", "1")) != dangling for v in flt["dangling"]):
                continue
            for name in names:
                if "reference" in flt and not all(_matches(p, name) for p in flt["reference"]):
                    continue
                ref = parse(name) if name else None
                records.append({
                    "Repository": ref.familiar_repository if ref else "<none>",
                    "Tag": (ref.tag or "<none>") if ref else "<none>",
                    "Digest": row.digest,
                    "ID": _short(row.image_id, no_trunc),
                    "CreatedAt": _created_at(row.created),
                    "CreatedSince": time_ago(row.created, now),
                    "Size": human_size(row.size),
                    "MediaType": row.media_type,
                    "_created": parse_time(row.created) or 0.0,
                })
    records.sort(key=lambda r: (-r["_created"], r["Repository"], r["Tag"]))
    for r in records:
        del r["_created"]
    if quiet:
        for r in records:
            click.echo(r["ID"])
        return
    headers = ["REPOSITORY", "TAG", *(["DIGEST"] if digests else []), "IMAGE ID", "CREATED", "SIZE"]
    cols = ["Repository", "Tag", *(["Digest"] if digests else []), "ID", "CreatedSince", "Size"]
    out = render(fmt, records, headers, cols)
    if out:
        click.echo(out)


def inspect_record(store: Store, arg: str) -> dict[str, Any]:
    """The JSON `pybuild inspect` prints for one image: docker's fields, then ours."""
    row = store.resolve(arg)
    view = open_image(store, row)
    cfg = view.config
    repos = sorted({parse(n).repository for n in view.names})
    out: dict[str, Any] = {
        "Id": row.image_id,
        "RepoTags": [familiar(n) for n in view.names],
        "RepoDigests": [f"{familiar_repository(r)}@{row.digest}" for r in repos],
        "Created": cfg.get("created"),
        "Author": cfg.get("author", ""),
        "Comment": cfg.get("comment", ""),
        "Architecture": cfg.get("architecture"),
        "Os": cfg.get("os"),
        "Config": cfg.get("config", {}),
        "RootFS": {"Type": "layers", "Layers": view.diff_ids},
        "Size": row.size,
        "Descriptor": {"mediaType": row.media_type, "digest": row.digest,
                       "size": store.blobs.size(row.digest)},
        "Manifest": view.manifest,
        "ImageConfig": cfg,
    }
    if cfg.get("variant"):
        out["Variant"] = cfg["variant"]
    if view.index is not None:
        out["Index"] = view.index
        out["ManifestDigest"] = view.manifest_digest
    return out


@click.command("inspect")
@click.argument("image_args", metavar="IMAGE...", nargs=-1, required=True)
@click.option("-f", "--format", "fmt", help="'json' (default) or a template such as '{{.Id}}'.")
@click.pass_context
def inspect(ctx: click.Context, image_args: tuple[str, ...], fmt: str | None) -> None:
    """Show images' manifest and config as JSON (a list, as `docker image inspect`)."""
    results, failed = [], False
    with Store() as store:
        for arg in image_args:
            try:
                results.append(inspect_record(store, arg))
            except ImageNotFound as err:
                click.echo(err.render(), err=True)
                failed = True
    if fmt and fmt != "json":
        for r in results:
            click.echo(render(fmt, [r], [], []))
    else:
        click.echo(json.dumps(results, indent=4))
    if failed:
        ctx.exit(1)


def _ellipsis(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


HISTORY_FIELDS = ("ID", "CreatedAt", "CreatedSince", "CreatedBy", "Size", "Comment")


@click.command("history")
@click.argument("image")
@click.option("--format", "fmt", help=_FORMAT_HELP)
@click.option("-H", "--human", type=bool, default=True, show_default=True,
              help="Print sizes and dates in human readable format.")
@click.option("--no-trunc", is_flag=True, help="Do not truncate output.")
@click.option("-q", "--quiet", is_flag=True, help="Only show image IDs.")
def history(image: str, fmt: str | None, human: bool, no_trunc: bool, quiet: bool) -> None:
    """Show the history of an image, newest first (IMAGE CREATED CREATED BY SIZE COMMENT)."""
    check_format(fmt, HISTORY_FIELDS)
    now = time.time()
    with Store() as store:
        view = open_image(store, store.resolve(image))
        layer_sizes = [int(layer.get("size", 0)) for layer in view.layers]
        entries = view.config.get("history")
        if not isinstance(entries, list) or not entries:
            entries = [{} for _ in layer_sizes]  # no history: one line per layer
    rows: list[dict[str, Any]] = []
    next_layer = 0
    for h in entries:
        h = h if isinstance(h, dict) else {}
        size = 0
        if not h.get("empty_layer") and next_layer < len(layer_sizes):
            size = layer_sizes[next_layer]
            next_layer += 1
        created = h.get("created")
        rows.append({
            "ID": "<missing>",
            "CreatedAt": _created_at(created) if human else (created or ""),
            "CreatedSince": time_ago(created, now) if human else (created or ""),
            "CreatedBy": str(h.get("created_by", "")) if no_trunc else _ellipsis(str(h.get("created_by", "")), 45),
            "Size": human_size(size) if human else str(size),
            "Comment": str(h.get("comment", "")),
        })
    rows.reverse()
    if rows:
        rows[0]["ID"] = _short(view.row.image_id, no_trunc)
    if quiet:
        for r in rows:
            click.echo(r["ID"])
        return
    click.echo(render(fmt, rows, ["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"],
                      ["ID", "CreatedSince", "CreatedBy", "Size", "Comment"]))


@click.command("tag")
@click.argument("source", metavar="SOURCE_IMAGE")
@click.argument("target", metavar="TARGET_IMAGE[:TAG]")
def tag(source: str, target: str) -> None:
    """Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE."""
    with Store() as store:
        row = store.resolve(source)
        store.tag(row.digest, target)


def _remove_one(store: Store, arg: str, force: bool) -> list[str]:
    """Untag (and delete when no name is left) one image; returns docker's lines."""
    lines: list[str] = []
    try:
        ref = parse(arg)
    except InvalidInput:
        ref = None
    if ref is not None and not ref.digest and store.db.ref(str(ref)) is not None:
        digest = store.untag(str(ref))
        assert digest is not None
        lines.append(f"Untagged: {ref.familiar()}")
    else:
        row = store.resolve(arg)
        digest = row.digest
        names = store.db.refs_of(digest)
        repos = {parse(n).repository for n in names}
        if len(repos) > 1 and not force:
            raise StoreError(
                f"conflict: unable to delete {_short(row.image_id, False)} (must be forced) - "
                "image is referenced in multiple repositories",
                hint="remove the names one by one, or use -f to remove them all",
            )
        for name in names:
            store.untag(name)
            lines.append(f"Untagged: {familiar(name)}")
    if not store.db.refs_of(digest):
        row = store.db.image(digest)
        if row is not None and store.delete_image(digest):
            lines.append(f"Deleted: {row.image_id}")
    return lines


@click.command("rmi")
@click.argument("image_args", metavar="IMAGE...", nargs=-1, required=True)
@click.option("-f", "--force", is_flag=True, help="Remove an image even when it has several names.")
@click.option("--no-prune", is_flag=True, help="Keep the image's blobs until the next `pybuild prune`.")
@click.pass_context
def rmi(ctx: click.Context, image_args: tuple[str, ...], force: bool, no_prune: bool) -> None:
    """Remove image names; an image with no name left is deleted and its blobs freed."""
    from ..store.gc import collect

    failed = 0
    with Store() as store:
        for arg in image_args:
            try:
                for line in _remove_one(store, arg, force):
                    click.echo(line)
            except StoreError as err:
                if err.exit_code != 1:
                    raise
                click.echo(err.render(), err=True)
                failed += 1
        if not no_prune:
            collect(store, blocking=False)  # another process busy: `pybuild prune` frees them later
    if failed:
        ctx.exit(1)
