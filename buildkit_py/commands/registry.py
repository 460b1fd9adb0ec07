"""`pybuild pull | push | login | logout`: images to and from registries, credentials like docker's.

Exit status: 0 success, 1 when the registry refuses or fails (not found, unauthorized,
unreachable), 2 for bad input (malformed reference, bad option).
"""
from __future__ import annotations

import json
import sys

import click

_CONFIG_HELP = ("Registry settings (mirrors, plain-HTTP and unverified-TLS hosts, CA files) are read from "
                "$PYBUILD_CONFIG or ~/.config/pybuild/registries.toml; credentials from ~/.docker/config.json.")


def _reporter(quiet: bool, fmt: str):
    if quiet or fmt == "json":
        return None
    return lambda line: click.echo(line, err=False)


@click.command("pull", epilog=_CONFIG_HELP)
@click.argument("image")
@click.option("--platform", help="os/arch[/variant] to pull from a multi-platform image (default: this machine's).")
@click.option("-q", "--quiet", is_flag=True, help="Print only the image's full name.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def pull(image: str, platform: str | None, quiet: bool, fmt: str) -> None:
    """Pull an image from a registry into the store."""
    from ..registry.pull import pull as do_pull
    from ..registry.references import parse_remote
    from ..store import Store

    ref = parse_remote(image)
    with Store() as store:
        result = do_pull(store, image, platform=platform, report=_reporter(quiet, fmt))
    name = str(ref)
    if fmt == "json":
        click.echo(json.dumps({"name": name, "digest": result.digest, "mediaType": result.media_type,
                               "manifest": result.manifest_digest, "downloaded": result.downloaded,
                               "present": result.present, "bytes": result.bytes}))
        return
    if not quiet:
        click.echo(f"Digest: {result.digest}")
        status = "Downloaded newer image" if result.downloaded else "Image is up to date"
        click.echo(f"Status: {status} for {ref.familiar()}")
    click.echo(name)


@click.command("push", epilog=_CONFIG_HELP)
@click.argument("image")
@click.argument("dest", required=False)
@click.option("--compression", type=click.Choice(["gzip", "zstd", "none"]), default="gzip", show_default=True,
              help="Compression of pushed layers (layers already compressed are pushed as they are).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def push(image: str, dest: str | None, compression: str, quiet: bool, fmt: str) -> None:
    """Push IMAGE from the store to its registry (or to DEST, a full reference)."""
    from ..exporters.recompress import with_compression
    from ..oci import mediatypes as mt
    from ..registry.push import push as do_push
    from ..registry.references import parse_remote
    from ..store import Store
    from ..store.reference import parse

    target = dest or image
    ref = parse_remote(target)
    report = _reporter(quiet, fmt)
    with Store() as store:
        row = store.resolve(image)
        if dest is None and (parse(image).digest or image.startswith("sha256:")):
            raise click.BadParameter("pushing an image by ID or digest needs DEST (REGISTRY/REPO:TAG)",
                                     param_hint="DEST")
        if report is not None:
            report(f"The push refers to repository [{ref.repository}]")
        digest = row.digest
        if compression != "none" and mt.is_manifest(row.media_type):
            # The store keeps built layers uncompressed; registries and their readers want them compressed.
            digest = with_compression(store, digest, compression)
        result = do_push(store, digest, target, report=report)
    if fmt == "json":
        click.echo(json.dumps({"name": str(ref), "digest": result.digest, **result.counts, "bytes": result.bytes}))


@click.command("login")
@click.argument("server", required=False, default="docker.io")
@click.option("-u", "--username", help="User name.")
@click.option("-p", "--password", help="Password or token (prefer --password-stdin: it keeps it out of `ps`).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def login(server: str, username: str | None, password: str | None, password_stdin: bool) -> None:
    """Log in to a registry (docker.io when SERVER is not given); saves to ~/.docker/config.json."""
    from ..registry.client import Registry
    from ..registry.credentials import Credentials, normalize_server, store_credentials

    if password and password_stdin:
        raise click.BadParameter("--password and --password-stdin are mutually exclusive", param_hint="--password")
    if password_stdin:
        if not username:
            raise click.BadParameter("--password-stdin needs --username", param_hint="--username")
        password = sys.stdin.read().rstrip("\r\n")
    if not username:
        if not sys.stdin.isatty():
            raise click.BadParameter("no user name: give -u USER (stdin is not a terminal)", param_hint="--username")
        username = click.prompt("Username")
    if not password:
        if not sys.stdin.isatty():
            raise click.BadParameter("no password: use --password-stdin", param_hint="--password")
        password = click.prompt("Password", hide_input=True)
    domain = normalize_server(server)
    creds = Credentials(username, password or "")
    Registry(domain).login(creds)
    where = store_credentials(domain, creds)
    if where.endswith("config.json"):
        click.echo(f"WARNING! Your password will be stored unencrypted in {where}.", err=True)
    click.echo("Login Succeeded")


@click.command("logout")
@click.argument("server", required=False, default="docker.io")
def logout(server: str) -> None:
    """Log out of a registry: forget its credentials."""
    from ..registry.credentials import erase_credentials, normalize_server

    domain = normalize_server(server)
    if erase_credentials(domain):
        click.echo(f"Removing login credentials for {domain}")
    else:
        click.echo(f"Not logged in to {domain}")
