"""Properties of expansion over random input."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from buildkit_py.shell import Lexer, ShellExpansionError
from buildkit_py.shell.lex import _Scanner

PIECES = st.sampled_from(
    ["$", "{", "}", ":", "-", "+", "?", "#", "%", "/", "\\", "`", "'", '"', " ", "\t", "\n", "<<", "*",
     "${", "${A", "${A:-", "${A#", "${A%%", "${A//", "$A", "$0", "$$", "a", "_", "é", "\ufeff", "\x00"]
)
WORDS = st.one_of(st.text(max_size=40), st.lists(PIECES | st.text(max_size=3), max_size=25).map("".join))
LEXERS = st.builds(
    Lexer,
    escape=st.sampled_from(["\\", "`"]),
    raw_quotes=st.booleans(),
    raw_escapes=st.booleans(),
    skip_unset_env=st.booleans(),
    skip_process_quotes=st.booleans(),
)
ENVS = st.dictionaries(st.sampled_from(["A", "B", "0", "_"]), st.text(max_size=8), max_size=4)


@settings(max_examples=400, deadline=None)
@given(word=WORDS, lexer=LEXERS, env=ENVS)
def test_random_input_only_raises_expansion_errors(word: str, lexer: Lexer, env: dict[str, str]) -> None:
    for call in (lexer.process_word, lexer.process_words, lexer.process_word_with_matches):
        try:
            call(word, env)
        except ShellExpansionError as err:
            assert err.reason


@settings(max_examples=300, deadline=None)
@given(word=st.text(alphabet=st.characters(blacklist_characters="$\\`'\"\ufeff"), max_size=30), lexer=LEXERS)
def test_fast_path_agrees_with_the_full_scan(word: str, lexer: Lexer) -> None:
    slow_word = _Scanner(lexer, word, {}, False).run()
    slow = _Scanner(lexer, word, {}, True)
    slow.run()
    assert lexer.process_word(word, {}) == slow_word
    assert lexer.process_words(word, {}) == slow.words


@settings(max_examples=200, deadline=None)
@given(word=WORDS, env=ENVS)
def test_matches_partition_the_names_looked_up(word: str, env: dict[str, str]) -> None:
    try:
        _, matched, unmatched = Lexer().process_word_with_matches(word, env)
    except ShellExpansionError:
        return
    assert matched <= set(env)
    assert not unmatched & set(env)
