"""Expansion, one behaviour per test. Expected values were checked against BuildKit's lexer."""
from __future__ import annotations

import pytest

from buildkit_py.shell import Lexer, ShellExpansionError

ENV = {"V": "a/b/c.tar.gz", "E": "", "S": "x  y", "N": "/foo*/*/*.txt", "STAR": "\\*/", "T": "$0"}
LX = Lexer()


def expand(word: str, lexer: Lexer = LX, env: dict[str, str] = ENV) -> str:
    return lexer.process_word(word, env)


def reason(word: str, lexer: Lexer = LX, env: dict[str, str] = ENV) -> str:
    with pytest.raises(ShellExpansionError) as info:
        lexer.process_word(word, env)
    return info.value.reason


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("$V", "a/b/c.tar.gz"),
        ("${V}x", "a/b/c.tar.gzx"),
        ("$X.", "."),
        ("$V$", "a/b/c.tar.gz$"),
        ("$", "$"),
        ("$.", "$."),
        ("$1x", "x"),
        ("$@@", "@"),
    ],
)
def test_plain_references(word: str, expected: str) -> None:
    assert expand(word) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("${V:-d}", "a/b/c.tar.gz"),
        ("${E:-d}", "d"),
        ("${E-d}", ""),
        ("${X-d}", "d"),
        ("${X:-${E:-${V}}}", "a/b/c.tar.gz"),
    ],
)
def test_default_value(word: str, expected: str) -> None:
    assert expand(word) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [("${V:+p}", "p"), ("${E:+p}", ""), ("${E+p}", "p"), ("${X+p}", ""), ("${V:+-$V}", "-a/b/c.tar.gz")],
)
def test_alternative_value(word: str, expected: str) -> None:
    assert expand(word) == expected


def test_required_value_passes_through_when_set() -> None:
    assert expand("${V:?m}") == "a/b/c.tar.gz"
    assert expand("${E?}") == ""


@pytest.mark.parametrize(
    ("word", "message"),
    [
        ("${X?}", "X: is not allowed to be unset"),
        ("${E:?}", "E: is not allowed to be empty"),
        ("${X:?}", "X: is not allowed to be unset"),
        ("${X?gone $V}", "X: gone a/b/c.tar.gz"),
        ("${E:?empty!}", "E: empty!"),
    ],
)
def test_required_value_errors(word: str, message: str) -> None:
    assert reason(word) == message


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("${V#*/}", "b/c.tar.gz"),
        ("${V##*/}", "c.tar.gz"),
        ("${V%.*}", "a/b/c.tar"),
        ("${V%%.*}", "a/b/c"),
        ("${V#x}", "a/b/c.tar.gz"),
        ("${V#}", "a/b/c.tar.gz"),
        ("${V#a?b}", "/c.tar.gz"),
        ("${X#*}", ""),
    ],
)
def test_trim_prefix_and_suffix(word: str, expected: str) -> None:
    assert expand(word) == expected


def test_trim_patterns_with_escapes_and_regex_characters() -> None:
    env = {"F": "()[]{}^$.*?|\\x", "G": "a***yy*", "H": "???y"}
    assert expand("${F#()[]{\\}^$.\\*\\?|\\\\}", env=env) == "x"
    assert expand("${G%%\\**\\*}", env=env) == "a"
    assert expand("${H#?\\?}", env=env) == "?y"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("${V/\\//_}", "a_b/c.tar.gz"),
        ("${V//\\//_}", "a_b_c.tar.gz"),
        ("${N/$STAR/.}", "/foo.*/*.txt"),
        ("${N//$STAR/.}", "/foo..*.txt"),
        ("${V//x*/-}", "a/b/c.tar.gz"),
        ("${E//x*/-}", ""),
        ("${V///}", "a/b/c.tar.gz"),
        ("${X///}", ""),
    ],
)
def test_replace_first_and_all(word: str, expected: str) -> None:
    assert expand(word) == expected


def test_replace_all_expands_dollar_zero_in_the_replacement_like_go() -> None:
    # Go's ReplaceAllString reads `$0` in the replacement as the whole match; a single
    # replacement inserts it literally.
    assert expand("${V/b/$T}") == "a/$0/c.tar.gz"
    assert expand("${V//b/$T}") == "a/b/c.tar.gz"


def test_replace_all_does_not_replace_an_empty_match_right_after_a_match() -> None:
    # (Python's re.sub gives "--" here.)
    assert expand("${V//*/-}", env={"V": "abxd"}) == "-"


@pytest.mark.parametrize(
    ("word", "message"),
    [
        ("${", "syntax error: missing '}'"),
        ("${V:-", "syntax error: missing '}'"),
        ("${V%\\}", "syntax error: missing '}'"),
        ("${V/a", "syntax error: missing '/' in ${}"),
        ("${V/a/", "syntax error: missing '}'"),
        ("${}", "syntax error: bad substitution"),
        ("${:-x}", "syntax error: bad substitution"),
        ("${{V}", "syntax error: bad substitution"),
        ("${V", "unsupported modifier (\ufffd) in substitution"),
        ("${V:#x}", "unsupported modifier (:#) in substitution"),
        ("${V:%x}", "unsupported modifier (:%) in substitution"),
        ("${V=x}", "unsupported modifier (=) in substitution"),
        ("${V:=x}", "unsupported modifier (:=) in substitution"),
        ("${#V}", "unsupported modifier (V) in substitution"),
        ("${V#\\x}", "invalid pattern (\\x) in substitution: invalid escape '\\x'"),
        ("'a", "unexpected end of statement while looking for matching single-quote"),
        ('"a', "unexpected end of statement while looking for matching double-quote"),
    ],
)
def test_errors_carry_buildkits_reason(word: str, message: str) -> None:
    assert reason(word) == message


def test_error_message_quotes_the_word_like_buildkit_and_has_a_hint() -> None:
    with pytest.raises(ShellExpansionError) as info:
        LX.process_word('a"\t${V:=x}', ENV)
    err = info.value
    assert err.message == 'failed to process "a\\"\\t${V:=x}": unsupported modifier (:=) in substitution'
    assert err.hint and "${V:-w}" in err.hint
    assert err.exit_code == 2


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("'$V'", "$V"),
        ('"$V"', "a/b/c.tar.gz"),
        ("\\$V", "$V"),
        ('"\\$V"', "$V"),
        ('"a\\tb"', "a\\tb"),
        ("a\\tb", "atb"),
        ("a\\", "a"),
        ("'a\\'", "a\\"),
        ("\"it's\"", "it's"),
        ("안'녕'$V", "안녕a/b/c.tar.gz"),
    ],
)
def test_quotes_and_escapes(word: str, expected: str) -> None:
    assert expand(word) == expected


def test_backtick_escape() -> None:
    bt = Lexer(escape="`")
    assert expand("`$V", bt) == "$V"
    assert expand('"`"`$V"', bt) == '"$V'
    assert expand("\\$V", bt) == "\\a/b/c.tar.gz"


def test_raw_quotes_keep_quote_characters() -> None:
    assert expand("'a' \"b\" \\c", Lexer(raw_quotes=True)) == "'a' \"b\" c"


def test_raw_escapes_keep_escape_characters() -> None:
    lexer = Lexer(raw_escapes=True)
    assert expand("'a' \"b\" \\c", lexer) == "a b \\c"
    # Inside double quotes a non-escaping backslash is kept twice, as BuildKit does.
    assert expand('"x\\ty"', lexer) == "x\\\\ty"


def test_skip_unset_env_leaves_references_to_unset_names() -> None:
    lexer = Lexer(skip_unset_env=True)
    got = expand("$X ${X} ${X:-d} ${X//a/b} ${V}", lexer)
    # BuildKit writes `${X//a/b}` back with a single slash.
    assert got == "$X ${X} ${X:-d} ${X/a/b} a/b/c.tar.gz"


def test_skip_process_quotes_treats_quotes_as_text() -> None:
    assert expand("'$V' \"$V\"", Lexer(skip_process_quotes=True)) == "'a/b/c.tar.gz' \"a/b/c.tar.gz\""


def test_names_are_case_sensitive() -> None:
    assert expand("$v${v}", env={"V": "x"}) == ""


def test_leading_byte_order_mark_is_dropped_like_gos_scanner() -> None:
    assert expand("\ufeffab") == "ab"
    assert expand("a\ufeffb") == "a\ufeffb"


class TestWords:
    def test_split_on_unquoted_whitespace_after_expansion(self) -> None:
        assert LX.process_words("$S", ENV) == ["x", "y"]
        assert LX.process_words('"$S"', ENV) == ["x  y"]
        assert LX.process_words("a${S}b", ENV) == ["ax", "yb"]

    def test_empty_quotes_make_no_word(self) -> None:
        assert LX.process_words('a "" b', ENV) == ["a", "b"]

    def test_heredoc_marker_keeps_its_spaces(self) -> None:
        assert LX.process_words("cat <<  EOF", ENV) == ["cat", "<<  EOF"]
        assert LX.process_words("a <b", ENV) == ["a", "<b"]

    def test_nested_expansion_drops_the_text_before_it_like_buildkit(self) -> None:
        # BuildKit's shared word buffer: `hello${x:-y}` splits to ["y"] (its result is "helloy").
        env = {"x": ""}
        assert LX.process_words("hello${x:-y}", env) == ["y"]
        assert LX.process_word("hello${x:-y}", env) == "helloy"
        assert LX.process_words("a b${x:-c d}e f", env) == ["a", "c", "de", "f"]

    def test_go_whitespace_not_pythons(self) -> None:
        # \x1c is whitespace to str.split but not to Go's unicode.IsSpace.
        assert LX.process_words("a\x1cb c\u3000d", ENV) == ["a\x1cb", "c", "d"]
        assert LX.process_words("a\x1cb $V", ENV) == ["a\x1cb", "a/b/c.tar.gz"]

    def test_error_is_raised(self) -> None:
        with pytest.raises(ShellExpansionError):
            LX.process_words('hello" there', ENV)


class TestMatches:
    def test_found_and_missing_names(self) -> None:
        got = LX.process_word_with_matches("${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}", {"FOO": "xxx", "BAR": ""})
        assert got == ("xxx bbb ccc", frozenset({"FOO", "BAR"}), frozenset({"BAZ"}))

    def test_names_in_nested_words_and_patterns_count(self) -> None:
        # The word after an operator is expanded before the operator looks at the variable,
        # so R counts even though Q is unset and the word is discarded.
        got = LX.process_word_with_matches("${FOO#$BAR}${Q:+$R}", {"FOO": "xxyy", "BAR": "x"})
        assert got == ("xyy", frozenset({"FOO", "BAR"}), frozenset({"Q", "R"}))

    def test_plain_word_has_no_matches(self) -> None:
        assert LX.process_word_with_matches("x", {"DUMMY": "d"}) == ("x", frozenset(), frozenset())

    def test_skip_unset_still_reports_unset_names(self) -> None:
        got = Lexer(skip_unset_env=True).process_word_with_matches("$A-$B", {"B": "b"})
        assert got == ("$A-b", frozenset({"B"}), frozenset({"A"}))

    def test_platform_style_release_names(self) -> None:
        word = "n-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tgz"
        env = {"VERSION": "v1", "TARGETOS": "linux", "TARGETARCH": "arm"}
        assert LX.process_word(word, {**env, "TARGETVARIANT": "v7"}) == "n-v1.linux-arm-v7.tgz"
        assert LX.process_word(word, {**env, "TARGETVARIANT": ""}) == "n-v1.linux-arm.tgz"
        result, _, unmatched = LX.process_word_with_matches(word, env)
        assert result == "n-v1.linux-arm.tgz" and unmatched == frozenset({"TARGETVARIANT"})


def test_lexer_is_a_frozen_value() -> None:
    assert Lexer() == Lexer()
    assert hash(Lexer(escape="`")) == hash(Lexer(escape="`"))
    with pytest.raises(ValueError):
        Lexer(escape="ab")


def test_absurd_nesting_is_an_expansion_error_not_a_crash() -> None:
    word = "${A:-" * 5000 + "x" + "}" * 5000
    assert reason(word) == "expression nested too deeply"
