"""`pybuild prune` and `pybuild fsck`: keep the store small and check that it is sound.

Exit status: prune 0 (2 for bad flags); fsck 0 when the store is clean (or repaired clean),
1 when problems remain, 2 for bad flags.
"""
from __future__ import annotations

import json
import sys
import time

import click

from ..store import InvalidInput, Store
from ..store.units import human_size, parse_size, parse_until


def _waiting() -> None:
    click.echo("waiting for other pybuild processes using the store to finish...", err=True)


def _check_format(fmt: str | None) -> None:
    if fmt not in (None, "table", "json"):
        raise InvalidInput(f"invalid --format: {fmt!r}", hint="use --format=json, or leave it out for text")


@click.command("prune")
@click.option("-a", "--all", "all_", is_flag=True, help="Remove all build cache, not just old or excess cache.")
@click.option("--keep-storage", metavar="SIZE", help="Drop least recently used build cache until the store fits SIZE (e.g. 10GB).")
@click.option("--filter", "filters", multiple=True, metavar="until=DURATION",
              help="Drop build cache (and dangling images) unused for DURATION (e.g. until=24h).")
@click.option("-f", "--force", is_flag=True, help="Do not prompt for confirmation.")
@click.option("--format", "fmt", help="'json' for a machine-readable report.")
@click.pass_context
def prune(ctx: click.Context, all_: bool, keep_storage: str | None, filters: tuple[str, ...],
          force: bool, fmt: str | None) -> None:
    """Remove dangling images, build cache the options allow, and every blob nothing uses."""
    from ..store.gc import PrunePolicy, prune as run_prune

    _check_format(fmt)
    now = time.time()
    until = None
    for f in filters:
        key, eq, value = f.partition("=")
        if key != "until" or not eq:
            raise InvalidInput(f"invalid filter: {f!r}", hint="the prune filter is until=DURATION, e.g. until=24h")
        until = parse_until(value, now)
    policy = PrunePolicy(all=all_, keep_storage=parse_size(keep_storage) if keep_storage else None, until=until)
    if not force and sys.stdin.isatty():
        click.confirm(f"WARNING! This will remove {policy.describe()}.\nAre you sure you want to continue?",
                      abort=True)
    from ..snapshot.snapshots import prune_snapshots

    with Store() as store:
        report = run_prune(store, policy, on_wait=_waiting, now=now)
        # unpacked layers and RUN cache mounts live beside the blobs; the same lock covers them
        with store.lock.exclusive():
            unpacked = prune_snapshots(store, cache_mounts=all_)
    if fmt == "json":
        click.echo(json.dumps(dict(report.to_json(), unpacked_layers_reclaimed=unpacked)))
        return
    if report.cache_removed:
        click.echo("Deleted build cache objects:")
        for key in report.cache_removed:
            click.echo(key)
        click.echo()
    if report.images_removed:
        click.echo("Deleted Images:")
        for digest in report.images_removed:
            click.echo(f"deleted: {digest}")
        click.echo()
    click.echo(f"Total reclaimed space: {human_size(report.reclaimed + unpacked)}")


@click.command("fsck")
@click.option("--repair", is_flag=True, help="Delete corrupt blobs and the images and cache records that need them.")
@click.option("--format", "fmt", help="'json' for a machine-readable report.")
@click.pass_context
def fsck(ctx: click.Context, repair: bool, fmt: str | None) -> None:
    """Re-hash every blob and check that every image and cache record is complete."""
    from ..store.fsck import fsck as run_fsck

    _check_format(fmt)
    with Store() as store:
        report = run_fsck(store, repair=repair, on_wait=_waiting)
    if fmt == "json":
        click.echo(json.dumps(report.to_json()))
    else:
        for p in report.problems:
            click.echo(f"{p.kind}: {p.subject}: {p.message}")
        for line in report.repaired:
            click.echo(f"repaired: {line}")
        state = "clean" if report.clean else f"{len(report.remaining)} problem(s)"
        click.echo(f"checked {report.blobs_checked} blobs ({human_size(report.bytes_checked)}), "
                   f"{report.images_checked} images, {report.cache_checked} cache records: {state}")
        if not report.clean and not repair:
            click.echo("hint: `pybuild fsck --repair` deletes what is broken", err=True)
    ctx.exit(0 if report.clean else 1)
