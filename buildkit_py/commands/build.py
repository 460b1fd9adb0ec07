"""`pybuild build`: docker build's flags, no daemon."""
from __future__ import annotations

import json
import os
import sys

import click


def _kv(values: tuple[str, ...], what: str, env_fallback: bool = False) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in values:
        k, eq, val = v.partition("=")
        if not k:
            raise click.BadParameter(f"{v!r}: expected KEY=VALUE", param_hint=what)
        if not eq:
            if env_fallback:
                if k in os.environ:  # docker: `--build-arg K` takes K from the environment
                    out[k] = os.environ[k]
                continue
            raise click.BadParameter(f"{v!r}: expected KEY=VALUE", param_hint=what)
        out[k] = val
    return out


def _fields(spec: str) -> dict[str, str]:
    out = {}
    for part in spec.split(","):
        k, eq, v = part.partition("=")
        out[k.strip().lower()] = v.strip() if eq else ""
    return out


def _outputs(values: tuple[str, ...]):
    from ..solver.build import Output

    outs = []
    for v in values:
        if "=" not in v:  # docker: `-o DIR` is a local export
            outs.append(Output("local", dest=v) if v != "-" else Output("tar", dest="-"))
            continue
        f = _fields(v)
        typ = f.get("type", "local")
        if typ == "registry":
            typ, f["push"] = "image", "true"
        if typ not in ("image", "oci", "docker", "local", "tar"):
            raise click.BadParameter(f"unknown output type {typ!r} (image, oci, docker, local, tar, registry)",
                                     param_hint="--output")
        comp = f.get("compression")
        if comp is not None and comp not in ("gzip", "zstd", "none", "uncompressed"):
            raise click.BadParameter(f"unknown compression {comp!r} (gzip, zstd, uncompressed)", param_hint="--output")
        outs.append(Output(typ, dest=f.get("dest"), name=f.get("name"), push=f.get("push", "false") == "true",
                           compression="none" if comp == "uncompressed" else comp))
    return outs


def _secrets(values: tuple[str, ...]) -> dict[str, bytes]:
    out = {}
    for v in values:
        f = _fields(v)
        sid = f.get("id")
        if not sid:
            raise click.BadParameter(f"{v!r}: a secret needs id=NAME", param_hint="--secret")
        typ = f.get("type")
        src = f.get("src") or f.get("source")
        env = f.get("env")
        if typ == "env" or (env is not None and not src):
            name = env or src or sid
            if name not in os.environ:
                raise click.BadParameter(f"environment variable {name} for secret {sid} is not set",
                                         param_hint="--secret")
            out[sid] = os.environ[name].encode()
        else:
            path = src or sid
            try:
                with open(os.path.expanduser(path), "rb") as fh:
                    out[sid] = fh.read()
            except OSError as err:
                raise click.BadParameter(f"secret {sid}: cannot read {path}: {err.strerror}", param_hint="--secret")
    return out


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-t", "--tag", "tags", multiple=True, help="Name and optionally a tag (name:tag).")
@click.option("-f", "--file", "dockerfile", help="Name of the Dockerfile (default: CONTEXT/Dockerfile; - for stdin).")
@click.option("--build-arg", "build_args", multiple=True, help="Set a build-time variable (K=V, or K to take it from the environment).")
@click.option("--target", help="Build this stage (and what it needs) only.")
@click.option("--no-cache", is_flag=True, help="Do not use the cache when building.")
@click.option("--no-cache-filter", "no_cache_filter", multiple=True, help="Do not use the cache for these stages.")
@click.option("--pull", is_flag=True, help="Always look up base images again (registry support needed).")
@click.option("--platform", help="Target platform (only the host's: no emulation).")
@click.option("--progress", type=click.Choice(["auto", "tty", "plain", "rawjson", "quiet"]), default="auto",
              show_default=True, help="How to show progress.")
@click.option("-o", "--output", "outputs", multiple=True,
              help="type=image|oci|docker|local|tar[,dest=PATH][,name=REF]; a plain PATH exports the filesystem.")
@click.option("--secret", "secrets", multiple=True, help="id=ID,src=FILE or id=ID,env=VAR for RUN --mount=type=secret.")
@click.option("--label", "labels", multiple=True, help="Set metadata for the image (K=V).")
@click.option("--iidfile", help="Write the image ID to this file.")
@click.option("--metadata-file", help="Write build result metadata (JSON) to this file.")
@click.option("--executor", type=click.Choice(["auto", "builtin", "runc"]), default="auto", show_default=True,
              help="How RUN steps are run.")
@click.option("--network", type=click.Choice(["default", "none", "host"]), default="default", show_default=True,
              help="Network for RUN steps (RUN --network overrides it).")
@click.option("--compression", type=click.Choice(["gzip", "zstd", "none"]), default="gzip", show_default=True,
              help="Compression of exported and pushed layers (the local store keeps layers uncompressed).")
@click.option("--cache-from", "cache_from", multiple=True,
              help="External cache sources: type=registry,ref=REF or type=local,src=DIR.")
@click.option("--cache-to", "cache_to", multiple=True,
              help="Cache export: type=registry,ref=REF[,mode=min|max] or type=local,dest=DIR.")
@click.option("--push", is_flag=True, help="Push the image to its registry (shorthand for --output type=registry).")
@click.option("-q", "--quiet", is_flag=True, help="Print only the image ID.")
@click.argument("context")
@click.pass_context
def build(ctx: click.Context, tags, dockerfile, build_args, target, no_cache, no_cache_filter, pull, platform,
          progress, outputs, secrets, labels, iidfile, metadata_file, executor, network, compression, cache_from,
          cache_to, push, quiet, context) -> None:
    """Build an image from a Dockerfile and a CONTEXT directory (- : Dockerfile on stdin, no context)."""
    from ..solver.build import BuildRequest, build as run_build
    from ..solver.progress import make_progress
    from ..store import Store
    from ..store.reference import parse as parse_ref

    for t in tags:
        try:
            parse_ref(t)
        except Exception as err:
            raise click.BadParameter(f"invalid reference format: {t!r} ({err})", param_hint="-t") from None
    text = None
    ctx_dir: str | None = context
    if context == "-":
        ctx_dir = None
        text = sys.stdin.read()
    elif dockerfile == "-":
        text = sys.stdin.read()
    req = BuildRequest(
        context=ctx_dir, dockerfile=dockerfile, dockerfile_text=text, tags=list(tags),
        build_args=_kv(build_args, "--build-arg", env_fallback=True), target=target, no_cache=no_cache,
        no_cache_filter=[x for v in no_cache_filter for x in v.split(",") if x], pull=pull, platform=platform,
        outputs=_outputs(outputs), secrets=_secrets(secrets), labels=_kv(labels, "--label"), executor=executor,
        network=network, compression=compression, cache_from=list(cache_from), cache_to=list(cache_to), push=push,
    )
    prog = make_progress("quiet" if quiet else progress)
    with Store() as store:
        result = run_build(req, store, prog)
    summary = (f"built {result.image_id[:19]} in {result.seconds:.2f}s: {result.steps} steps, "
               f"{result.cached} cached" + (f"; tagged {', '.join(result.tags)}" if result.tags else ""))
    prog.close(None if quiet else summary)
    if iidfile:
        with open(iidfile, "w") as f:
            f.write(result.image_id)
    if metadata_file:
        with open(metadata_file, "w") as f:
            json.dump({"containerimage.digest": result.manifest_digest,
                       "containerimage.config.digest": result.config_digest,
                       "image.name": ",".join(result.tags), "pybuild.steps": result.steps,
                       "pybuild.cached": result.cached}, f, indent=2)
    if quiet:
        click.echo(result.image_id)
