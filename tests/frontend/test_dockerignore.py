"""The .dockerignore matcher follows BuildKit's (moby/patternmatcher) semantics."""
from __future__ import annotations

import pytest

from buildkit_py.frontend.dockerignore import (
    DockerignoreError,
    PatternMatcher,
    clean_path,
    ignore_file_names,
    parse_dockerignore,
)


def excluded(patterns: list[str], path: str) -> bool:
    return PatternMatcher(patterns).matches(path)


def test_reading_skips_comments_and_blank_lines_and_cleans_patterns():
    text = "\ufeff# comment\n\n  /node_modules/  \n!./keep//me\nbuild/../dist\n # not a comment\n"
    assert parse_dockerignore(text) == ["node_modules", "!keep/me", "dist", "# not a comment"]


def test_clean_path_is_go_path_clean():
    assert clean_path("") == "."
    assert clean_path("./a//b/") == "a/b"
    assert clean_path("a/../../b") == "../b"
    assert clean_path("/../a") == "/a"


def test_star_stays_within_one_path_element():
    assert excluded(["*.md"], "README.md")
    assert not excluded(["*.md"], "docs/README.md")


def test_double_star_crosses_directories_and_matches_zero_of_them():
    assert excluded(["**/*.md"], "docs/a/README.md")
    assert excluded(["**/*.md"], "README.md")
    assert excluded(["**"], "anything/at/all")
    assert excluded(["docs/**"], "docs/a/b")
    assert not excluded(["docs/**"], "other/a")


def test_a_directory_pattern_excludes_everything_below_it():
    assert excluded(["node_modules"], "node_modules/left-pad/index.js")
    assert not excluded(["node_modules"], "src/node_modules_list.txt")


def test_leading_slash_and_trailing_slash_do_not_matter():
    assert excluded(parse_dockerignore("/build/\n"), "build/out.o")


def test_exclamation_reincludes_and_the_last_match_wins():
    assert not excluded(["*.md", "!README.md"], "README.md")
    assert excluded(["*.md", "!README.md"], "CHANGES.md")
    assert excluded(["!README.md", "*.md"], "README.md")
    assert not excluded(["docs", "!docs/keep.md"], "docs/keep.md")
    assert excluded(["docs", "!docs/keep.md"], "docs/other.md")


def test_classes_question_mark_and_escapes():
    assert excluded(["[ab].txt"], "a.txt")
    assert not excluded(["[ab].txt"], "c.txt")
    assert excluded(["[^ab].txt"], "c.txt")
    assert not excluded(["[^ab].txt"], "a.txt")
    assert excluded(["?.txt"], "x.txt")
    assert not excluded(["?.txt"], "xy.txt")
    assert excluded([r"\*.txt"], "*.txt")
    assert not excluded([r"\*.txt"], "a.txt")


def test_regex_characters_are_literal():
    assert excluded(["a+b(1).txt"], "a+b(1).txt")
    assert not excluded(["a.txt"], "abtxt")


def test_the_context_root_is_never_excluded():
    assert not excluded(["**"], ".")


@pytest.mark.parametrize("bad", ["[", "a[b", "!"])
def test_bad_patterns_are_rejected(bad):
    with pytest.raises(DockerignoreError):
        PatternMatcher([bad])


def test_dockerfile_specific_ignore_file_comes_first():
    assert ignore_file_names("app.Dockerfile") == ("app.Dockerfile.dockerignore", ".dockerignore")


def test_deciding_pattern_names_the_pattern_that_settled_it():
    m = PatternMatcher(["*.md", "docs", "!docs/keep.md"])
    assert m.deciding_pattern("docs/a.txt").text == "docs"
    decided = m.deciding_pattern("docs/keep.md")
    assert decided.text == "docs/keep.md" and decided.exclusion
    assert m.deciding_pattern("src/a.py") is None
