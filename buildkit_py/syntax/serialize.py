"""The AST as plain JSON data (`pybuild parse --format=json`)."""
from __future__ import annotations

import dataclasses
from typing import Any

from . import ast as A

_SKIP = {"keyword", "flags", "args", "json", "span", "line", "text", "comments", "heredocs",
         "empty_continuation_lines", "raw"}


def instruction_to_json(ins: A.Instruction) -> dict[str, Any]:
    out: dict[str, Any] = {
        "instruction": ins.name or ins.keyword.upper(),
        "keyword": ins.keyword,
        "form": "exec" if ins.json else "shell",
        "span": ins.span.to_json(),
        "flags": [
            {"name": f.name, "value": f.value, "span": ins.span_of(f).to_json()} for f in ins.flags
        ],
        "arguments": [{"value": w.value, "span": ins.span_of(w).to_json()} for w in ins.args],
        "line": ins.line,
    }
    if ins.heredocs:
        out["heredocs"] = [
            {"name": h.name, "fd": h.fd, "expand": h.expand, "chomp": h.chomp, "content": h.content}
            for h in ins.heredocs
        ]
    if ins.comments:
        out["comments"] = list(ins.comments)
    if ins.empty_continuation_lines:
        out["empty_continuation_lines"] = list(ins.empty_continuation_lines)
    details: dict[str, Any] = {}
    for f in dataclasses.fields(ins):
        if f.name in _SKIP:
            continue
        value = getattr(ins, f.name)
        details[f.name.rstrip("_")] = _plain(value, ins)
    if details:
        out["details"] = details
    return out


def _plain(value: Any, ins: A.Instruction) -> Any:
    if isinstance(value, A.Instruction):
        return instruction_to_json(value)
    if isinstance(value, (A.KeyValue, A.ArgDef)):
        d = {k: v for k, v in dataclasses.asdict(value).items() if k not in ("start", "end")}
        d["span"] = ins.span_of(value).to_json()
        return d
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    if isinstance(value, tuple):
        return [_plain(v, ins) for v in value]
    return value


def dockerfile_to_json(df: A.Dockerfile) -> dict[str, Any]:
    return {
        "path": df.path,
        "escape": df.escape,
        "directives": [{"name": d.name, "value": d.value, "line": d.span.start_line} for d in df.directives],
        "instructions": [instruction_to_json(i) for i in df.instructions],
    }
