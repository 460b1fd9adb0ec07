""".dockerignore: reading the file and matching paths, with BuildKit's semantics (moby/patternmatcher).

Pure functions and values; finding and reading the file is the caller's business
(`ignore_file_names` says where BuildKit looks).

Semantics, as BuildKit applies them when it sends the build context:
- Lines starting with `#` are comments; other lines are trimmed, blank ones skipped.
- Each pattern is cleaned like Go's `filepath.Clean`, and a leading `/` is dropped, so
  `/a/b`, `a/b/` and `./a/b` are the same pattern.
- `!pattern` re-includes what earlier patterns excluded. The last pattern that matches wins.
- `*` matches within one path element, `?` one character of an element, `[...]` a class,
  `**` any number of elements (also none); `\\` escapes the next character.
- A path is excluded when it matches, or when one of its parent directories matches.
"""
from __future__ import annotations

import re

__all__ = ["DockerignoreError", "Pattern", "PatternMatcher", "clean_path", "ignore_file_names", "parse_dockerignore"]


class DockerignoreError(ValueError):
    """A pattern Go's filepath.Match would reject (BuildKit fails the build on it)."""


def ignore_file_names(dockerfile_name: str) -> tuple[str, ...]:
    """Where BuildKit looks, in order: `<Dockerfile>.dockerignore` beside the Dockerfile,
    then `.dockerignore` at the root of the context."""
    return (f"{dockerfile_name}.dockerignore", ".dockerignore")


def clean_path(path: str) -> str:
    """Go's `path.Clean`: the shortest equivalent path (`""` gives `"."`)."""
    if not path:
        return "."
    rooted = path.startswith("/")
    out: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if out and out[-1] != "..":
                out.pop()
            elif not rooted:
                out.append("..")
            continue
        out.append(part)
    cleaned = "/".join(out)
    if rooted:
        return "/" + cleaned
    return cleaned or "."


def parse_dockerignore(text: str) -> list[str]:
    """The patterns of a .dockerignore file, normalised as BuildKit's ignorefile.ReadAll does."""
    if text.startswith("\ufeff"):
        text = text[1:]
    patterns: list[str] = []
    for raw in text.splitlines():
        if raw.startswith("#"):
            continue
        line = raw.strip()
        if not line:
            continue
        invert = line.startswith("!")
        if invert:
            line = line[1:].strip()
        if line:
            line = clean_path(line)
            if len(line) > 1 and line.startswith("/"):
                line = line[1:]
        patterns.append(("!" if invert else "") + line)
    return patterns


class Pattern:
    """One compiled pattern. `kind` is exact, prefix, suffix or regexp (as patternmatcher).

    A plain slotted class, not a dataclass: this module is on the path of cached rebuilds.
    """

    __slots__ = ("text", "exclusion", "kind", "regexp", "depth")

    def __init__(self, text: str, exclusion: bool, kind: str, regexp: re.Pattern[str] | None = None,
                 depth: int = 1) -> None:
        self.text = text  # the cleaned pattern, without `!`
        self.exclusion = exclusion  # a `!` pattern: re-includes
        self.kind = kind
        self.regexp = regexp
        self.depth = depth  # path elements in the pattern

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Pattern):
            return NotImplemented
        return (self.text, self.exclusion, self.kind, self.depth) == (other.text, other.exclusion, other.kind, other.depth)

    def __hash__(self) -> int:
        return hash((self.text, self.exclusion, self.kind, self.depth))

    def __repr__(self) -> str:
        return f"Pattern({self.text!r}, exclusion={self.exclusion}, kind={self.kind!r})"

    def match(self, path: str) -> bool:
        if self.kind == "exact":
            return path == self.text
        if self.kind == "prefix":
            return path.startswith(self.text[:-2])
        if self.kind == "suffix":
            suffix = self.text[2:]
            return path.endswith(suffix) or (suffix.startswith("/") and path == suffix[1:])
        assert self.regexp is not None
        return self.regexp.match(path) is not None


_REGEX_SPECIAL = set(".+()|{}$")


def compile_pattern(pattern: str) -> Pattern:
    """Compile one pattern (a leading `!` makes it an exclusion). Raises DockerignoreError."""
    pattern = pattern.strip()
    exclusion = pattern.startswith("!")
    if exclusion:
        if len(pattern) == 1:
            raise DockerignoreError('illegal exclusion pattern: "!"')
        pattern = pattern[1:]
    pattern = clean_path(pattern)
    _check_syntax(pattern)
    kind, regex = _translate(pattern)
    compiled = re.compile(regex) if kind == "regexp" else None
    return Pattern(pattern, exclusion, kind, compiled, len(pattern.split("/")))


def _translate(pattern: str) -> tuple[str, str]:
    """patternmatcher's compile: the match kind and, for regexps, the expression."""
    out = ["^"]
    kind = "exact"
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        first = i == 0
        i += 1
        if ch == "*":
            if i < n and pattern[i] == "*":
                i += 1
                if i < n and pattern[i] == "/":
                    i += 1
                if i >= n:  # `**` at the end: everything below
                    if kind == "exact":
                        kind = "prefix"
                    else:
                        out.append(".*")
                        kind = "regexp"
                else:
                    out.append("(.*/)?")
                    kind = "regexp"
                if first:
                    kind = "suffix"
            else:
                out.append("[^/]*")
                kind = "regexp"
        elif ch == "?":
            out.append("[^/]")
            kind = "regexp"
        elif ch in _REGEX_SPECIAL:
            out.append("\\" + ch)
        elif ch == "\\":
            if i < n:
                out.append(re.escape(pattern[i]))
                i += 1
                kind = "regexp"
            else:
                out.append("\\\\")
        elif ch in "[]":
            out.append(ch)
            kind = "regexp"
        else:
            out.append(ch)  # as patternmatcher: `^` inside a class negates it
    if kind == "regexp":
        out.append(r"\Z")
    return kind, "".join(out)


def _check_syntax(pattern: str) -> None:
    """Reject what Go's filepath.Match calls ErrBadPattern: bad classes, a trailing escape."""
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= n:
                raise DockerignoreError(f"syntax error in pattern: {pattern!r} ends with an escape")
            i += 2
            continue
        if ch == "[":
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            start = j
            while j < n and (pattern[j] != "]" or j == start):
                if pattern[j] == "\\":
                    j += 1
                j += 1
            if j >= n:
                raise DockerignoreError(f"syntax error in pattern: {pattern!r} has an unclosed '['")
            i = j + 1
            continue
        i += 1


class PatternMatcher:
    """Matches slash-separated context paths against a list of patterns (last match wins)."""

    def __init__(self, patterns: list[str] | tuple[str, ...]) -> None:
        self.patterns = tuple(compile_pattern(p) for p in patterns if p.strip())
        self.exclusions = any(p.exclusion for p in self.patterns)

    def matches(self, path: str) -> bool:
        """Whether `path` is excluded: it or one of its parents matches (MatchesOrParentMatches)."""
        decided = self.deciding_pattern(path)
        return decided is not None and not decided.exclusion

    def deciding_pattern(self, path: str) -> Pattern | None:
        """The last pattern that changed `path`'s fate (an exclusion means it is sent after all)."""
        path = clean_path(path)
        if path == ".":
            return None  # the context root itself is never excluded
        parent = path.rsplit("/", 1)[0] if "/" in path else "."
        parents = parent.split("/") if parent != "." else []
        matched = False
        decided: Pattern | None = None
        for pattern in self.patterns:
            if pattern.exclusion != matched:
                continue  # only an exclusion can undo a match, only an inclusion can make one
            hit = pattern.match(path)
            if not hit:
                for i in range(len(parents)):
                    if pattern.match("/".join(parents[: i + 1])):
                        hit = True
                        break
            if hit:
                matched = not pattern.exclusion
                decided = pattern
        return decided
