"""`pybuild save | load | import | export`: images in and out of the store as files.

Exit status: 0 success, 1 when the store lacks an image or a file cannot be written, 2 for bad
input (unknown format, unreadable archive, malformed reference).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import BinaryIO

import click

from ..store import InvalidInput, Store, StoreError
from ..store.reference import familiar


def _binary_stdout(what: str) -> BinaryIO:
    if sys.stdout.isatty():
        raise InvalidInput(f"cowardly refusing to write {what} to a terminal",
                           hint="use -o FILE or redirect the output")
    return sys.stdout.buffer


def _open_input(path: str | None) -> BinaryIO:
    if path is None or path == "-":
        if sys.stdin.isatty():
            raise InvalidInput("no input: stdin is a terminal", hint="use -i FILE or pipe a tar into pybuild")
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except OSError as err:
        raise StoreError(f"cannot read {path}: {err.strerror}") from None


@click.command("save")
@click.argument("image_args", metavar="IMAGE...", nargs=-1, required=True)
@click.option("-o", "--output", help="Write to this file (a directory for an OCI layout if it ends in / "
              "or is one); default stdout.")
@click.option("--format", "fmt", type=click.Choice(["docker", "oci"]), default="docker", show_default=True,
              help="docker-archive (what `docker load` reads) or OCI image layout.")
def save(image_args: tuple[str, ...], output: str | None, fmt: str) -> None:
    """Write images to an OCI layout or docker archive tar."""
    from ..exporters.docker_archive import docker_items, save_docker
    from ..exporters.oci_layout import SaveItem, save_oci_dir, save_oci_tar
    from ..exporters.tarwriter import atomic_output

    to_dir = output is not None and (output.endswith("/") or os.path.isdir(output))
    if to_dir and fmt != "oci":
        raise InvalidInput("a directory output needs --format=oci", hint="or give a file name with -o")
    # The shared lock keeps GC from removing the images' blobs while they are read.
    with Store() as store, store.lock.shared():
        chosen = _chosen_names(store, image_args)
        if fmt == "oci":
            items = [SaveItem.of(store, d, names) for d, names in chosen.items()]
            if to_dir:
                save_oci_dir(store, items, Path(output))  # type: ignore[arg-type]
                return

            def write(out: BinaryIO) -> None:
                save_oci_tar(store, items, out)
        else:
            ditems = docker_items(store, [(d, tuple(n)) for d, n in chosen.items()])

            def write(out: BinaryIO) -> None:
                save_docker(store, ditems, out)
        if output is None or output == "-":
            write(_binary_stdout("an archive"))
        else:
            with atomic_output(Path(output)) as f:
                write(f)


def _chosen_names(store: Store, image_args: tuple[str, ...]) -> dict[str, list[str]]:
    """Image digest -> names to save. A name saves that name; an ID or digest every name it has (as docker)."""
    from ..store.reference import parse

    chosen: dict[str, list[str]] = {}
    for arg in image_args:
        row = store.resolve(arg)
        names = chosen.setdefault(row.digest, [])
        try:
            ref = parse(arg)
            named = [str(ref)] if not ref.digest and store.db.ref(str(ref)) == row.digest else []
        except InvalidInput:
            named = []
        for n in named or store.db.refs_of(row.digest):
            if n not in names:
                names.append(n)
    return chosen


@click.command("load")
@click.option("-i", "--input", "input_", metavar="FILE", help="Read from a tar (maybe gzip/zstd) or a directory "
              "instead of stdin.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing.")
def load(input_: str | None, quiet: bool) -> None:
    """Load images from an OCI layout or docker archive (detected from the contents)."""
    from ..exporters.load import load_archive

    with Store() as store:
        if input_ and os.path.isdir(input_):
            loaded = load_archive(store, Path(input_))
        else:
            src = _open_input(input_)
            try:
                loaded = load_archive(store, src)
            finally:
                if src is not sys.stdin.buffer:
                    src.close()
    if quiet:
        return
    for img in loaded:
        if img.names:
            for n in img.names:
                click.echo(f"Loaded image: {familiar(n)}")
        else:
            click.echo(f"Loaded image ID: {img.image_id}")


@click.command("import")
@click.argument("source", metavar="ROOTFS.tar|-")
@click.argument("names", metavar="[NAME[:TAG]]...", nargs=-1)
@click.option("-c", "--change", "changes", multiple=True,
              help="Apply a Dockerfile instruction to the config, e.g. 'CMD [\"sh\"]' (repeatable).")
@click.option("-m", "--message", help="Comment for the image's history.")
@click.option("--platform", help="os/arch[/variant] of the image (default: this machine's).")
@click.option("--compression", type=click.Choice(["gzip", "zstd", "none"]), default="gzip", show_default=True,
              help="Compression of the layer blob.")
def import_(source: str, names: tuple[str, ...], changes: tuple[str, ...], message: str | None,
            platform: str | None, compression: str) -> None:
    """Make a one-layer image from a root filesystem tarball (.tar, .tar.gz, .tar.zst, or - for stdin)."""
    from ..exporters.changes import apply_changes
    from ..exporters.rootfs import ImportOptions, import_rootfs
    from ..store.platforms import parse_platform
    from ..store.reference import parse

    for n in names:
        if parse(n).digest:
            raise InvalidInput(f"refusing to create a tag with a digest reference: {n}")
    apply_changes(list(changes), {})  # bad --change is bad input before any work
    src = _open_input(source)
    created = None
    if src is not sys.stdin.buffer:
        created = os.fstat(src.fileno()).st_mtime
    opts = ImportOptions(
        names=names, platform=parse_platform(platform) if platform else None, message=message,
        changes=changes, compression=compression, created=created,
        source_name="-" if source == "-" else os.path.basename(source),
    )
    try:
        with Store() as store:
            row = import_rootfs(store, src, opts)
    finally:
        if src is not sys.stdin.buffer:
            src.close()
    click.echo(row.image_id)


@click.command("export")
@click.argument("image")
@click.option("-o", "--output", help="Write to this file instead of stdout.")
def export(image: str, output: str | None) -> None:
    """Write an image's flattened filesystem as a tarball."""
    from ..exporters.rootfs import export_rootfs
    from ..exporters.tarwriter import atomic_output
    from ..store.images import open_image

    with Store() as store, store.lock.shared():
        view = open_image(store, store.resolve(image))
        if output is None or output == "-":
            export_rootfs(store, view, _binary_stdout("a filesystem tarball"))
        else:
            with atomic_output(Path(output)) as f:
                export_rootfs(store, view, f)
