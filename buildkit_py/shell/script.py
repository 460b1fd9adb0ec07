"""A POSIX shell command analyser for lint rules that look inside RUN (and heredoc scripts).

`parse_shell(text)` never raises: text the grammar does not cover is noted in
`ParsedShell.problems` and parsing goes on, so rules can run on any script.

The model (types in `script_model`):
- `ParsedShell.body` is a `Sequence`: a tuple of `AndOr` chains, each ended by `;`, `&`, a
  newline or nothing. An `AndOr` joins `Pipeline`s with `&&` / `||`; a `Pipeline` joins nodes with
  `|` / `|&`, maybe negated by `!`.
- A node is a `Command` (simple command: leading `assignments`, `words` = name and arguments,
  `redirects`) or a `Compound`: "subshell" `( … )`, "group" `{ …; }`, "if", "for", "select",
  "while", "until", "case", "function", "arith" `(( … ))`. A compound's `bodies` are Sequences
  (if: condition, then-part, [elif condition, then-part]…, [else-part]; while/until: condition,
  body; for/case/function: bodies), its `words` the for-list / case subject and patterns /
  function name.
- A `Word` keeps its `raw` text and its `value`: quotes and escapes removed, expansions kept as
  written (`$V`, `${V:-x}`, `$(cmd)`); `static` says there is no expansion at all. Scripts inside
  `$( … )`, backticks and `<( … )` are parsed too (`Word.substitutions`), so their commands count.
- Heredocs inside the script (`cat <<EOF …`) are read into `Redirect.heredoc`; their bodies are
  data, not commands. Comments and line continuations are dropped.
- Offsets (`start`, `end`) index the parsed text; inside backticks they are approximate.

Queries follow hadolint's `Hadolint.Shell`: `ParsedShell.commands` (every named simple command,
flattened in source order, a command before the commands in its substitutions), `Command.name`,
`args`, `flags` (`-xy` is x and y, `--name=v` is name), `has_flag`, `flag_values`,
`args_without_flags`, `match("apt-get", "install")`, `using_program`, `has_pipes`,
`is_pipeline_with("curl", "sh")`. `Command.unwrap()` peels `sudo`, `env`, `xargs`, `nice`, …
One difference: hadolint lists every command twice (ShellCheck's redirect wrapper and the command
itself), so its count thresholds are twice ours.
"""
from __future__ import annotations

from buildkit_py.shell.script_model import (
    AndOr,
    Command,
    Compound,
    Node,
    ParsedShell,
    Pipeline,
    Redirect,
    Sequence,
    Word,
    iter_words,
)
from buildkit_py.shell.script_parse import Parser

__all__ = ["AndOr", "Command", "Compound", "Node", "ParsedShell", "Pipeline", "Redirect", "Sequence", "Word",
           "iter_words", "parse_shell"]


def parse_shell(text: str) -> ParsedShell:
    """Parse a shell script; best effort, never raises."""
    problems: list[str] = []
    parser = Parser(text, 0, 0, (), problems)
    try:
        body = parser.parse_all()
    except RecursionError:
        body = ()
        problems.append("nested too deeply to parse")
    except Exception as exc:  # noqa: BLE001 - a lint rule must never crash on an odd script
        body = ()
        problems.append(f"internal error: {type(exc).__name__}: {exc}")
    return ParsedShell(text, body, tuple(problems))
