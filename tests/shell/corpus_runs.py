"""RUN scripts of the shared corpus, cut out with a few lines of Dockerfile reading (enough for
these files: `\\` continuations, comment lines inside them, JSON form left out)."""
from __future__ import annotations

import json
from pathlib import Path


def corpus_files(shared: Path) -> list[Path]:
    return sorted(p for p in (shared / "corpus").glob("*/*") if p.name.endswith("Dockerfile"))


def run_scripts(path: Path) -> list[str]:
    """The shell-form text of every RUN in a Dockerfile, flags removed, continuations joined."""
    out = []
    current: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if current is None:
            stripped = line.lstrip()
            if not stripped.upper().startswith("RUN ") and stripped.upper() != "RUN":
                continue
            current = []
            line = stripped[3:]
        elif line.lstrip().startswith("#") or not line.strip():
            continue  # comment and empty lines inside a continued instruction are dropped
        body = line.rstrip()
        if body.endswith("\\"):
            current.append(body[:-1])
            continue
        current.append(body)
        text = "".join(current).strip()  # BuildKit drops the escape and the newline
        current = None
        while text.startswith("--"):  # RUN --mount=… --network=…
            text = text.split(None, 1)[1] if " " in text else ""
        if _is_json_array(text):
            continue
        out.append(text)
    return out


def _is_json_array(text: str) -> bool:
    try:
        value = json.loads(text)
    except ValueError:
        return False
    return isinstance(value, list) and all(isinstance(v, str) for v in value)
