"""The `pybuild` command line.

Subcommands live in `buildkit_py.commands.*` and are imported only when they run, so
`pybuild --help` and a cached rebuild do not pay for the parser, the linter or the registry
client unless they use them.
"""
from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from typing import Any

import click

from .terminal import use_color  # noqa: F401 - commands import it from here

# name -> (module under buildkit_py.commands, attribute, one-line help for `pybuild --help`)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "build": ("build", "build", "Build an image from a Dockerfile."),
    "lint": ("lint", "lint", "Check Dockerfiles for errors and bad practice."),
    "rules": ("lint", "rules", "List every lint rule."),
    "parse": ("parse", "parse", "Parse a Dockerfile and print its syntax tree."),
    "images": ("image", "images", "List images in the local store."),
    "inspect": ("image", "inspect", "Show an image's manifest and config as JSON."),
    "history": ("image", "history", "Show the history of an image."),
    "tag": ("image", "tag", "Give an image another name."),
    "rmi": ("image", "rmi", "Remove image names from the store."),
    "save": ("transfer", "save", "Write images to an OCI layout or docker archive tar."),
    "load": ("transfer", "load", "Load images from an OCI layout or docker archive tar."),
    "import": ("transfer", "import_", "Make a one-layer image from a root filesystem tarball."),
    "export": ("transfer", "export", "Write an image's flattened filesystem as a tarball."),
    "prune": ("maintenance", "prune", "Remove unused blobs and build cache."),
    "fsck": ("maintenance", "fsck", "Verify every blob and reference in the store."),
    "pull": ("registry", "pull", "Pull an image from a registry."),
    "push": ("registry", "push", "Push an image to a registry."),
    "login": ("registry", "login", "Log in to a registry."),
    "logout": ("registry", "logout", "Log out of a registry."),
}


def _available(module: str) -> bool:
    return importlib.util.find_spec(f"buildkit_py.commands.{module}") is not None


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, (mod, _, _) in COMMANDS.items() if _available(mod)]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        entry = COMMANDS.get(name)
        if entry is None or not _available(entry[0]):
            return None
        module = importlib.import_module(f"buildkit_py.commands.{entry[0]}")
        return getattr(module, entry[1])

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            from difflib import get_close_matches

            close = get_close_matches(name, self.list_commands(ctx), n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            ctx.fail(f"No such command '{name}'.{hint}")
        return super().resolve_command(ctx, args)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, envvar="PYBUILD_DEBUG", help="Show tracebacks for errors.")
@click.version_option(package_name="pybuild", prog_name="pybuild")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """pybuild: build and lint Dockerfiles without a daemon."""
    ctx.obj = {"debug": debug}


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the CLI and turns user errors into one message and exit status 2."""
    from .errors import PybuildError

    debug = "--debug" in (argv if argv is not None else sys.argv[1:]) or bool(
        os.environ.get("PYBUILD_DEBUG")
    )
    try:
        # Without standalone mode click returns (not raises) the status of `ctx.exit(n)`.
        status = cli.main(args=argv, prog_name="pybuild", standalone_mode=False)
        if isinstance(status, int) and status:
            sys.exit(status)
    except PybuildError as err:
        if debug:
            raise
        click.echo(err.render(color=use_color(sys.stderr)), err=True)
        sys.exit(err.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as err:
        err.show()
        sys.exit(2 if err.exit_code in (1, 2) else err.exit_code)
    except click.exceptions.Exit as err:
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(1)
    except OSError as err:
        if debug:
            raise
        click.echo(f"pybuild: error: {err}", err=True)
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
