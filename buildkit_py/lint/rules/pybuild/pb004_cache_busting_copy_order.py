"""PB004: the whole context is copied before a dependency install that needs only the manifest files."""
from __future__ import annotations

from collections.abc import Iterator

from ....shell.script import Command
from ....syntax import ast as A
from ...context import LintContext
from ...model import Finding
from ...rule import rule
from ._common import is_remote

_WHOLE = {"", ".", "*", "./*"}


@rule(
    code="PB004",
    name="cache-busting-copy-order",
    summary="COPY of the whole context before a dependency install that needs only the manifests",
    severity="info",
    docs="""
What it does: flags `COPY . …` (or `ADD . …`) followed, in the same stage, by a RUN that
installs dependencies from manifest files only: `pip install -r requirements.txt`,
`npm ci`, `npm install`, `yarn install`, `pnpm install`, `go mod download`,
`bundle install`, `composer install`, `cargo fetch`, `poetry install --no-root`,
`pipenv install`, `uv sync --no-install-project`, `mvn dependency:go-offline`,
`dotnet restore`, `mix deps.get`.

Why is this bad? A step's cache is reused only while everything it depends on is
unchanged. After `COPY . …`, the install depends on every file in the context, so editing
any source file re-downloads and reinstalls every dependency. Copying the manifests first
lets the install be cached until the manifests change.

Example:
    WORKDIR /app
    COPY . .
    RUN pip install --no-cache-dir -r requirements.txt

Use instead:
    WORKDIR /app
    COPY requirements.txt .
    RUN pip install --no-cache-dir -r requirements.txt
    COPY . .

Fix safety: no automatic fix. Some installs read more than the manifests (a local path
dependency, a `-e .` line in requirements.txt, a postinstall script), which only the
author can tell.
""",
)
def check(ctx: LintContext) -> Iterator[Finding]:
    for stage in ctx.stages:
        whole: A.Instruction | None = None
        copied: set[str] = set()
        for ins in stage.instructions:
            if isinstance(ins, (A.Copy, A.Add)) and not (isinstance(ins, A.Copy) and ins.from_):
                sources = [s for s in ins.sources if not is_remote(s)]
                if whole is None and any(_strip(s) in _WHOLE for s in sources):
                    whole = ins
                elif whole is None:
                    copied.update(_strip(s).rsplit("/", 1)[-1] for s in sources)
                continue
            if whole is None or not isinstance(ins, A.Run):
                continue
            parsed = ctx.shell(ins)
            if parsed is None:
                continue
            for cmd in parsed.effective_commands:
                found = _manifest_install(cmd)
                if found is None:
                    continue
                what, manifests = found
                yield Finding(whole.span, _message(whole, ins, what, manifests, copied))
                break
            else:
                continue
            break


def _strip(source: str) -> str:
    source = source.strip("\"'")
    while source.startswith("./"):
        source = source[2:]
    return source.rstrip("/") if source not in ("/",) else source


def _message(whole: A.Instruction, run: A.Instruction, what: str, manifests: list[str], copied: set[str]) -> str:
    copy_text = " ".join(whole.line.split())
    names = " ".join(manifests)
    head = (f"`{copy_text}` copies the whole context before `{what}` (line {run.start_line}), "
            "so any change to any file re-runs the install")
    if all(m.rsplit("/", 1)[-1] in copied for m in manifests if "*" not in m):
        return head + f"; move the RUN above `{copy_text}` (its manifests are already copied)"
    dest = whole.dest if isinstance(whole, (A.Copy, A.Add)) else "."
    if not (dest.endswith("/") or dest in (".", "./")):
        dest += "/"
    return head + f"; copy the manifests first: `{whole.keyword} {names} {dest}`, the RUN, then `{copy_text}`"


def _manifest_install(cmd: Command) -> tuple[str, list[str]] | None:
    """(what the command is, the manifest files it reads) for installs that need only manifests."""
    name, args = cmd.name.rsplit("/", 1)[-1], list(cmd.args)
    if name.startswith("python") and args[:2] == ["-m", "pip"]:
        name, args = "pip", args[2:]
    if name in ("pip", "pip3") or (name == "uv" and args[:1] == ["pip"]):
        if name == "uv":
            args = args[1:]
        if args[:1] == ["install"]:
            files = _requirement_files(args[1:])
            if files:
                return f"{name} install -r {' '.join(files)}", files
        return None
    sub = args[0] if args else ""
    rest = [a for a in args[1:] if not a.startswith("-")]
    if name == "npm" and sub in ("ci", "install", "i") and not rest:
        return f"npm {sub}", ["package.json", "package-lock.json"]
    if name == "yarn" and (sub in ("", "install") or (sub.startswith("-") and not rest)) and not rest:
        return "yarn install", ["package.json", "yarn.lock"]
    if name == "pnpm" and sub in ("install", "i") and not rest:
        return f"pnpm {sub}", ["package.json", "pnpm-lock.yaml"]
    if name == "go" and args[:2] == ["mod", "download"]:
        return "go mod download", ["go.mod", "go.sum"]
    if name == "bundle" and sub in ("", "install"):
        return "bundle install", ["Gemfile", "Gemfile.lock"]
    if name == "composer" and sub == "install":
        return "composer install", ["composer.json", "composer.lock"]
    if name == "cargo" and sub == "fetch":
        return "cargo fetch", ["Cargo.toml", "Cargo.lock"]
    if name == "poetry" and sub == "install" and "--no-root" in args:
        return "poetry install --no-root", ["pyproject.toml", "poetry.lock"]
    if name == "pipenv" and sub in ("install", "sync") and not rest:
        return f"pipenv {sub}", ["Pipfile", "Pipfile.lock"]
    if name == "uv" and sub == "sync" and "--no-install-project" in args:
        return "uv sync --no-install-project", ["pyproject.toml", "uv.lock"]
    if name in ("mvn", "mvnw", "./mvnw") and any(a.startswith("dependency:") for a in args):
        return "mvn dependency:…", ["pom.xml"]
    if name == "dotnet" and sub == "restore" and not rest:
        return "dotnet restore", ["*.csproj"]
    if name == "mix" and sub == "deps.get":
        return "mix deps.get", ["mix.exs", "mix.lock"]
    return None


def _requirement_files(args: list[str]) -> list[str]:
    files = []
    for i, arg in enumerate(args):
        if arg in ("-r", "--requirement", "-c", "--constraint") and i + 1 < len(args):
            files.append(args[i + 1])
        elif arg.startswith("--requirement=") or arg.startswith("--constraint="):
            files.append(arg.split("=", 1)[1])
        elif arg.startswith("-r") and len(arg) > 2:
            files.append(arg[2:])
        elif not arg.startswith("-") and (i == 0 or args[i - 1] not in ("-r", "--requirement", "-c", "--constraint",
                                                                         "-i", "--index-url", "--extra-index-url",
                                                                         "-f", "--find-links", "--target", "-t")):
            return []  # also installs a package or a path: not only the manifests
    return [f for f in files if "$" not in f]
