"""Finding Dockerfiles: the files named on the command line, and those in directories."""
from __future__ import annotations

import errno
import fnmatch
import os
import stat

NAMES = ("Dockerfile", "*.Dockerfile", "Dockerfile.*", "Containerfile", "*.Containerfile", "Containerfile.*")
# Directories that hold other people's files or tools' caches, never the project's Dockerfiles.
_SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache"})
_NOT_DOCKERFILES = (".dockerignore", ".md", ".txt", ".orig", ".rej", ".swp")
# What makes a path "does not exist" (as Path.exists says), rather than unreadable.
_MISSING = frozenset({errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.ENAMETOOLONG})


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
        try:
            is_dir = stat.S_ISDIR(os.stat(p).st_mode)  # one stat per path (a long file list is common)
        except OSError as err:
            if err.errno in _MISSING:
                missing.append(p)
            else:
                files.append(p)  # unreadable: reading it reports the error with its reason
            continue
        if is_dir:
            found = []
            for root, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS)
                found.extend(os.path.normpath(os.path.join(root, n)) for n in names if is_dockerfile_name(n))
            files.extend(sorted(found))
        else:
            files.append(p)
    seen: set[str] = set()
    return [f for f in files if not (f in seen or seen.add(f))], missing
