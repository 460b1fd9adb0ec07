"""`pybuild parse`: print a Dockerfile's syntax tree."""
from __future__ import annotations

import json

import click


@click.command()
@click.option("--format", "fmt", type=click.Choice(["json", "buildkit"]), default="json", show_default=True,
              help="json: the typed AST with spans; buildkit: BuildKit's own AST dump.")
@click.argument("file", type=click.Path(dir_okay=True, allow_dash=True), default="Dockerfile")
def parse(fmt: str, file: str) -> None:
    """Parse FILE (default ./Dockerfile; - for standard input) and print its syntax tree."""
    from ..syntax import parse_file

    if fmt == "buildkit":
        # BuildKit's parser stage only: it accepts instructions that a build would reject.
        from ..syntax import read_source
        from ..syntax.raw import parse_raw

        text, name = read_source(file)
        click.echo(parse_raw(text, path=name).dump(), nl=False)
        return
    from ..syntax.serialize import dockerfile_to_json

    df = parse_file(file)

    click.echo(json.dumps(dockerfile_to_json(df), indent=2, ensure_ascii=False))
