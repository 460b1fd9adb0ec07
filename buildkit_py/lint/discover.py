"""Finding Dockerfiles: the files named on the command line, and those in directories."""
from __future__ import annotations

import fnmatch
import os
from pathlib import Path

NAMES = ("Dockerfile", "*.Dockerfile", "Dockerfile.*", "Containerfile", "*.Containerfile", "Containerfile.*")
# Directories that hold other people's files or tools' caches, never the project's Dockerfiles.
_SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache"})
_NOT_DOCKERFILES = (".dockerignore", ".md", ".txt", ".orig", ".rej", ".swp")


def is_dockerfile_name(name: str) -> bool:
    if name.endswith(_NOT_DOCKERFILES):
        return False
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in NAMES)


def find_dockerfiles(paths: list[str]) -> tuple[list[str], list[str]]:
    """(files to lint, in order; paths that do not exist). `-` is standard input."""
    files: list[str] = []
    missing: list[str] = []
    for p in paths:
        if p == "-":
            files.append(p)
            continue
        path = Path(p)
        if path.is_dir():
            found = []
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
                found.extend(os.path.normpath(os.path.join(root, n)) for n in names if is_dockerfile_name(n))
            files.extend(sorted(found))
        elif path.exists():
            files.append(p)
        else:
            missing.append(p)
    seen: set[str] = set()
    return [f for f in files if not (f in seen or seen.add(f))], missing
