"""Dockerfile text → typed AST (grammar/dockerfile.lark, then BuildKit's per-instruction rules).

    >>> from buildkit_py.syntax import parse
    >>> df = parse("FROM busybox\\nRUN echo hi\\n")
    >>> [type(i).__name__ for i in df.instructions]
    ['From', 'Run']
"""
from __future__ import annotations

from pathlib import Path

from ..errors import Span
from ..records import maker
from . import ast
from .ast import Dockerfile, Instruction
from .errors import DockerfileSyntaxError

__all__ = ["Dockerfile", "DockerfileSyntaxError", "Instruction", "ast", "parse", "parse_file"]


_parts: tuple | None = None  # what parse() uses of the instructions and raw modules


def parse(text: str | bytes, *, path: str | None = None, strict: bool = True) -> Dockerfile:
    """Parse a Dockerfile.

    strict: raise DockerfileSyntaxError for the first instruction BuildKit would reject (what a
    build needs). Otherwise such instructions become `ast.Unknown`/`ast.Invalid` nodes and the
    errors are listed in `Dockerfile.errors` (what the linter needs). Errors in the file's
    structure (an unterminated heredoc, a bad JSON array, no instructions) always raise.
    """
    global _parts
    if _parts is None:  # bound at the first parse, not at import (`pybuild --help` parses nothing)
        from . import instructions, raw as raw_layer

        _parts = (instructions.InstructionError, instructions.node, instructions.syntax_error,
                  instructions.unknown, raw_layer.Directive, raw_layer.RawInstruction, raw_layer.parse_raw,
                  maker(Dockerfile))
    InstructionError, node, syntax_error, unknown, RawDirective, RawInstruction, parse_raw, new_dockerfile = _parts

    if isinstance(text, bytes):
        text = text.decode("utf-8", "surrogateescape")
    raw = parse_raw(text, path=path)
    body = text[1:] if raw.bom else text
    items: list[ast.Directive | ast.Trivia | Instruction] = []
    nodes: list[Instruction] = []
    directives: list[ast.Directive] = []
    errors: list[DockerfileSyntaxError] = []
    seen_from = False
    for item in raw.items:
        if type(item) is RawInstruction:
            try:
                ins = node(item)
            except InstructionError as bad:
                err = syntax_error(item, bad, path, body)
                if strict:
                    raise err from None
                errors.append(err)
                ins = unknown(item) if item.split.keyword.upper() not in ast.INSTRUCTION_CLASSES else _invalid(item, err)
            if not seen_from:
                if type(ins) is ast.From:
                    seen_from = True
                elif not isinstance(ins, (ast.Arg, ast.Unknown, ast.Invalid)):
                    err = DockerfileSyntaxError(
                        "no build stage in current context", span=ins.span, path=path, source=body,
                        hint="a Dockerfile must begin with FROM (only ARG may come before it)",
                    )
                    if strict:
                        raise err
                    errors.append(err)
            items.append(ins)
            nodes.append(ins)
        elif isinstance(item, RawDirective):
            span = Span(item.line, 1, item.line, len(item.text.rstrip("\r\n")) + 1)
            directive = ast.Directive(item.name, item.value, span, item.text)
            directives.append(directive)
            items.append(directive)
        else:  # Trivia: raw made the node the AST holds
            items.append(item)
    # made with its instructions already picked out of the items (what Dockerfile.__post_init__ would do)
    return new_dockerfile(path, body, raw.escape, tuple(directives), tuple(items), tuple(errors), raw.bom,
                          tuple(nodes), None)


def _invalid(item, err: DockerfileSyntaxError) -> ast.Invalid:
    return ast.Invalid(keyword=item.split.keyword, span=item.span, raw=item, error=err.message)


def parse_file(path: str | Path, *, strict: bool = True) -> Dockerfile:
    """Read and parse a Dockerfile; `-` reads standard input."""
    text, name = read_source(path)
    return parse(text, path=name, strict=strict)


def read_source(path: str | Path) -> tuple[str, str]:
    """The text of a Dockerfile and the name to show for it; `-` reads standard input."""
    import sys

    if str(path) == "-":
        data = sys.stdin.buffer.read()
        name = "<stdin>"
    else:
        try:
            with open(path, "rb") as f:  # not Path.read_bytes: this runs for every file linted
                data = f.read()
        except FileNotFoundError:
            raise DockerfileSyntaxError(
                f"no such file: {path}", path=str(path), hint="pass the path of a Dockerfile, or - for standard input"
            ) from None
        except IsADirectoryError:
            raise DockerfileSyntaxError(
                f"{path} is a directory", path=str(path), hint=f"did you mean {Path(path) / 'Dockerfile'}?"
            ) from None
        except OSError as err:  # unreadable (permissions, a device, ...): say why, no traceback
            raise DockerfileSyntaxError(
                f"cannot read {path}: {err.strerror or err}", path=str(path),
                hint="check the file's permissions, or pass - and the text on standard input",
            ) from None
        name = str(path)
    return data.decode("utf-8", "surrogateescape"), name
