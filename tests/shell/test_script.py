"""The shell command analyser: each construct, the hadolint-style queries, the real corpus."""
from __future__ import annotations

from pathlib import Path

import pytest

from buildkit_py.shell.script import Command, Compound, parse_shell

from .corpus_runs import corpus_files, run_scripts


def names(text: str) -> list[str]:
    return parse_shell(text).command_names()


def only(text: str) -> Command:
    cmds = parse_shell(text).commands
    assert len(cmds) == 1, cmds
    return cmds[0]


class TestJoins:
    def test_and_or_semicolon_newline_background(self) -> None:
        p = parse_shell("a && b || c; d &\ne")
        assert p.command_names() == ["a", "b", "c", "d", "e"]
        first, second, third = p.body
        assert first.ops == ("&&", "||") and first.terminator == ";"
        assert second.terminator == "&" and third.terminator == ""
        assert p.problems == ()

    def test_pipelines(self) -> None:
        p = parse_shell("! curl -s x | tar xz |& cat; echo no-pipe")
        assert p.has_pipes
        (pipe,) = p.pipelines
        assert pipe.negated and pipe.ops == ("|", "|&") and pipe.names() == ["curl", "tar", "cat"]
        assert not parse_shell("a || b && c").has_pipes

    def test_is_pipeline_with(self) -> None:
        p = parse_shell("curl -fsSL https://x/install.sh | sudo bash -s -- -y")
        assert p.is_pipeline_with("curl", "bash")
        assert not p.is_pipeline_with("bash", "curl")
        assert not p.is_pipeline_with("wget", "sh")

    def test_line_continuations_and_comments(self) -> None:
        p = parse_shell("apt-get install \\\n  -y foo # a comment && not-a-command\n# full line\nbar")
        assert p.command_names() == ["apt-get", "bar"]
        assert p.commands[0].args == ("install", "-y", "foo")


class TestCompounds:
    def test_subshell_and_group(self) -> None:
        p = parse_shell("(cd /src && make) || { echo failed; exit 1; }")
        assert p.command_names() == ["cd", "make", "echo", "exit"]
        sub = p.body[0].pipelines[0].nodes[0]
        assert isinstance(sub, Compound) and sub.kind == "subshell"
        assert p.commands[0].context == ("subshell",) and p.commands[2].context == ("group",)

    def test_if_elif_else(self) -> None:
        p = parse_shell("if [ -f a ]; then x; elif test -d b; then y; else z; fi; after")
        assert p.command_names() == ["[", "x", "test", "y", "z", "after"]
        node = p.body[0].pipelines[0].nodes[0]
        assert isinstance(node, Compound) and node.kind == "if" and len(node.bodies) == 5

    def test_loops(self) -> None:
        p = parse_shell("for f in a 'b c' $X; do rm \"$f\"; done\nwhile read l; do echo $l; done < list\n"
                        "until false; do sleep 1; done")
        assert p.command_names() == ["rm", "read", "echo", "false", "sleep"]
        loop = p.body[0].pipelines[0].nodes[0]
        assert isinstance(loop, Compound) and [w.value for w in loop.words] == ["f", "a", "b c", "$X"]
        wloop = p.body[1].pipelines[0].nodes[0]
        assert wloop.redirects[0].op == "<" and wloop.redirects[0].target.value == "list"

    def test_case(self) -> None:
        p = parse_shell('case "$(uname -m)" in\n  x86_64|amd64) arch=amd64 ;;\n  aarch64) arch=arm64; echo arm ;;\n'
                        "  *) echo unsupported; exit 1 ;;\nesac\necho $arch")
        assert p.command_names() == ["uname", "echo", "echo", "exit", "echo"]
        assert p.problems == ()

    def test_functions(self) -> None:
        p = parse_shell("f() { echo in-f; }\nfunction g { echo in-g; }\nf; g")
        assert p.command_names() == ["echo", "echo", "f", "g"]
        assert p.commands[0].context == ("function", "group")

    def test_double_bracket_test_keeps_its_operators_as_words(self) -> None:
        p = parse_shell('[[ -f a && "$x" == b* || ( 1 < 2 ) ]] && echo yes')
        assert p.command_names() == ["[[", "echo"]
        assert p.commands[0].args == ("-f", "a", "&&", "$x", "==", "b*", "||", "(", "1", "<", "2", ")", "]]")

    def test_arithmetic(self) -> None:
        assert names("(( i = 1 + (2 * 3) )) && echo $((i + 1))") == ["echo"]
        assert names("(( n = `nproc` )); make -j$(( $(nproc) + 1 ))") == ["nproc", "make", "nproc"]


class TestSubstitutions:
    def test_dollar_paren_and_backticks_count_as_commands(self) -> None:
        p = parse_shell('echo "$(dpkg --print-architecture)" `uname -r` $(a $(b))')
        assert p.command_names() == ["echo", "dpkg", "uname", "a", "b"]
        assert p.commands[1].context == ("$(",) and p.commands[2].context == ("`",)

    def test_substitution_in_assignment_and_redirect(self) -> None:
        p = parse_shell("GNUPGHOME=\"$(mktemp -d)\" gpg --batch > $(tty)")
        assert p.command_names() == ["gpg", "mktemp", "tty"]
        assert p.commands[0].assignments[0].raw == 'GNUPGHOME="$(mktemp -d)"'

    def test_assignment_only_commands_are_not_listed_but_their_substitutions_are(self) -> None:
        assert names("dir=$(mktemp -d); x=1") == ["mktemp"]

    def test_process_substitution_and_parameter_expansion(self) -> None:
        assert names("diff <(sort a) >(cat) ${X:-$(pwd)}") == ["diff", "sort", "cat", "pwd"]

    def test_case_inside_substitution(self) -> None:
        assert names("echo $(case x in a) one;; *) two;; esac) done-not") == ["echo", "one", "two"]


class TestWords:
    def test_quotes_and_escapes_removed_from_static_words(self) -> None:
        c = only("""echo 'a b' "c\\"d" e\\ f "x"'y'z""")
        assert c.args == ("a b", 'c"d', "e f", "xyz")
        assert all(w.static and w.quoted for w in c.arg_words)

    def test_expansions_stay_as_written(self) -> None:
        c = only('install "$DIR/bin" ${V:-1.0} pkg=$VERSION')
        assert c.args == ("$DIR/bin", "${V:-1.0}", "pkg=$VERSION")
        assert not any(w.static for w in c.arg_words)

    def test_mixed_quotes_and_dollar_in_single_quotes(self) -> None:
        # Words read in one regex step: both kinds of quote, `$` quoted or not, `${…}` in "…".
        c = only("""echo "it's" 'say "hi"' '$HOME' x'$y'"$z" "${A}"'b' $1 "$@" end""")
        assert c.args == ("it's", 'say "hi"', "$HOME", "x$y$z", "${A}b", "$1", "$@", "end")
        assert [w.static for w in c.arg_words] == [True, True, True, False, False, False, False, True]
        assert [w.quoted for w in c.arg_words] == [True, True, True, True, True, False, True, False]
        text = parse_shell("echo a 'b c'  \"d\"").source
        assert [text[w.start:w.end] for w in only(text).arg_words] == ["a", "'b c'", '"d"']

    def test_parameter_expansion_at_the_depth_limit_is_reported(self) -> None:
        parsed = parse_shell("$(" * 50 + 'echo a "${x}" b' + ")" * 50)
        assert any("nested too deeply" in p for p in parsed.problems)

    def test_raw_text_and_offsets(self) -> None:
        text = "apt-get  install 'curl'"
        w = only(text).arg_words[1]
        assert (w.raw, w.value) == ("'curl'", "curl")
        assert text[w.start:w.end] == "'curl'"

    def test_redirections(self) -> None:
        c = only("cmd 2>&1 >/dev/null <in >>log &>all 3<>rw")
        assert [(r.fd, r.op, r.target.value) for r in c.redirects] == [
            ("2", ">&", "1"), (None, ">", "/dev/null"), (None, "<", "in"), (None, ">>", "log"),
            (None, "&>", "all"), ("3", "<>", "rw")]
        assert c.args == ()

    def test_heredocs(self) -> None:
        p = parse_shell("cat <<EOF >/etc/conf && cat <<-'END'\nkey=$V\n\tEOF-not\nEOF\n\tliteral $x\n\tEND\necho next")
        assert p.command_names() == ["cat", "cat", "echo"]
        first, second = p.commands[0].redirects[0], p.commands[1].redirects[0]
        assert first.heredoc == "key=$V\n\tEOF-not\n" and not first.heredoc_quoted
        assert second.heredoc == "literal $x\n" and second.heredoc_quoted
        assert p.problems == ()


class TestFlags:
    def test_flags_as_hadolint_reads_them(self) -> None:
        c = only("apt-get -qq install -y --no-install-recommends --opt=v - -- foo")
        assert c.flags == ("q", "q", "y", "no-install-recommends", "opt")
        assert c.has_flag("y", "yes") and c.has_any_flag(["no-install-recommends"]) and not c.has_flag("f")
        assert c.count_flag("q") == 2

    def test_flag_values(self) -> None:
        c = only("useradd -u 12345 -g=7 --shell=/bin/sh --home /h -lu 99 luser")
        assert c.flag_values("u") == ["12345", "99"]
        assert c.flag_value("--shell") == "/bin/sh" and c.flag_value("-home") == "/h"
        assert c.flag_value("x") is None

    def test_args_without_flags(self) -> None:
        c = only("apt-get install -t bookworm-backports -y curl --target-release=x wget")
        assert c.args_without_flags() == ["install", "bookworm-backports", "curl", "wget"]
        assert c.args_without_flags(drop_values_of=["t", "target-release"]) == ["install", "curl", "wget"]

    def test_match_is_cmd_has_args(self) -> None:
        c = only("apt-get install foo")
        assert c.match("apt-get", "install", "upgrade") and c.match(["apt", "apt-get"])
        assert not c.match("apt-get", "update") and not c.match("apt")
        assert c.has_arg_prefix("fo")


class TestWrappers:
    def test_sudo_env_chain(self) -> None:
        c = only("sudo -u root env -u X A=1 DEBIAN_FRONTEND=noninteractive apt-get install foo").unwrap()
        assert c.name == "apt-get" and c.args == ("install", "foo")
        assert [a.value for a in c.assignments] == ["A=1", "DEBIAN_FRONTEND=noninteractive"]
        assert c.wrappers == ("sudo", "env")

    @pytest.mark.parametrize(
        ("text", "name"),
        [("xargs -r -n1 -I{} rm {}", "rm"), ("nice -n 10 make", "make"), ("timeout -s KILL 10 curl x", "curl"),
         ("exec gosu app node server.js", "node"), ("command -v curl", "command"), ("sudo -l", "sudo"),
         ("env", "env"), ("nohup time -p ./run", "./run"), ("sudo -uroot id", "id")],
    )
    def test_unwrap(self, text: str, name: str) -> None:
        assert only(text).unwrap().name == name

    def test_using_program_with_unwrap(self) -> None:
        p = parse_shell("sudo apt-get update")
        assert p.using_program("sudo") and not p.using_program("apt-get")
        assert p.using_program("apt-get", unwrap=True)


class TestGarbage:
    @pytest.mark.parametrize(
        "text",
        ["fi done ) ;; |", "if then", "echo 'open", 'echo "open $(', "case x in", "for", "$(", "`", "((", "${",
         "a &&", "| b", "{ a", "f() ", "cat <<EOF", "x=(1 2", "'\\", "$((1+", "((((((((((((((("],
    )
    def test_odd_input_gives_a_result_and_problems(self, text: str) -> None:
        p = parse_shell(text)
        assert p.problems, text
        assert not any("internal error" in pr for pr in p.problems)

    def test_deep_nesting_is_reported_not_crashed(self) -> None:
        p = parse_shell("$(" * 500 + "x" + ")" * 500)
        assert any("nested too deeply" in pr for pr in p.problems)
        p = parse_shell("${a:-" * 2000 + "}" * 2000)
        assert not any("internal error" in pr for pr in p.problems)

    def test_empty(self) -> None:
        p = parse_shell("")
        assert p.commands == () and p.problems == () and not p.has_pipes


def test_corpus_run_lines_parse_and_find_apt_get(shared: Path) -> None:
    files = corpus_files(shared)
    assert len(files) > 300
    scripts = [s for f in files for s in run_scripts(f)]
    assert len(scripts) > 1000
    with_install = 0
    for script in scripts:
        p = parse_shell(script)
        assert not any("internal error" in pr for pr in p.problems), script
        if "apt-get install" in script:
            with_install += 1
            assert any(c.match("apt-get", "install") for c in p.effective_commands), script
    assert with_install > 100


def test_corpus_run_lines_parse_without_problems(shared: Path) -> None:
    # Real, working scripts: the parser should understand every POSIX one. The Windows images'
    # RUN lines are PowerShell (their SHELL says so), which is not expected to parse cleanly.
    problems = {}
    posix = 0
    for f in corpus_files(shared):
        if "windows" in f.name:
            continue
        for script in run_scripts(f):
            posix += 1
            p = parse_shell(script)
            if p.problems:
                problems[f.name + ": " + script[:80]] = p.problems
    assert posix > 1000
    assert problems == {}


def test_fast_builders_make_the_same_values_as_the_constructors() -> None:
    from buildkit_py.shell.script_model import AndOr, Pipeline, Word, new_and_or, new_command, new_pipeline, new_word

    w = new_word("'a'", "a", True, True, 0, 3)
    assert w == Word("'a'", "a", True, True, 0, 3) and hash(w) == hash(Word("'a'", "a", True, True, 0, 3))
    c = new_command((w,), (), (), 0, 3, ("if",))
    assert c == Command((w,), (), (), 0, 3, ("if",)) and c.flags == ()
    p = new_pipeline((c,), True, ())
    assert p == Pipeline((c,), True) and new_and_or((p,), (), ";") == AndOr((p,), (), ";")
