"""Output for the image commands: docker's aligned tables, JSON lines, and `{{.Field}}` templates."""
from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import InvalidInput

_FIELD = re.compile(r"\{\{\s*(json\s+)?\.([A-Za-z]\w*)?\s*\}\}")


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded as docker's tabwriter does (min width 10, 3 spaces), the last one not padded."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    widths = [max(w + 3, 10) for w in widths]
    lines = []
    for cells in [list(headers), *map(list, rows)]:
        head = "".join(c.ljust(widths[i]) for i, c in enumerate(cells[:-1]))
        lines.append((head + cells[-1]).rstrip())
    return "\n".join(lines)


def check_format(fmt: str | None, fields: Sequence[str]) -> None:
    """Reject a template naming a field the command does not have (bad input, exit 2)."""
    if not fmt or fmt in ("table", "json"):
        return
    for m in _FIELD.finditer(fmt):
        name = m.group(2)
        if name is not None and name not in fields:
            raise InvalidInput(
                f"template: can't evaluate field {name}",
                hint="fields: " + ", ".join(fields),
            )


def render(fmt: str | None, records: Sequence[Mapping[str, Any]], headers: Sequence[str],
           columns: Sequence[str]) -> str:
    """Render records by `--format`: None/"table" a table, "json" one object a line, else a template."""
    if fmt is None or fmt == "table":
        return table(headers, [[str(r[c]) for c in columns] for r in records])
    if fmt == "json":
        return "\n".join(json.dumps(r, separators=(",", ":")) for r in records)
    is_table = fmt.startswith("table ")
    tmpl = fmt[len("table "):] if is_table else fmt
    tmpl = tmpl.replace("\\t", "\t").replace("\\n", "\n")

    def fill(r: Mapping[str, Any]) -> str:
        def one(m: re.Match[str]) -> str:
            value: Any = r if m.group(2) is None else r.get(m.group(2), "")
            return json.dumps(value) if m.group(1) else str(value)
        return _FIELD.sub(one, tmpl)

    lines = [fill(r) for r in records]
    if not is_table:
        return "\n".join(lines)
    head = _FIELD.sub(lambda m: _header(m.group(2) or ""), tmpl)
    split = [line.split("\t") for line in [head, *lines]]
    width = max(len(s) for s in split)
    split = [s + [""] * (width - len(s)) for s in split]
    return table(split[0], split[1:])


def _header(field: str) -> str:
    """`CreatedSince` -> `CREATED`, `ID` -> `IMAGE ID`, as docker's headers read."""
    special = {"ID": "IMAGE ID", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT",
               "CreatedBy": "CREATED BY"}
    return special.get(field, re.sub(r"(?<=[a-z])(?=[A-Z])", " ", field).upper())
