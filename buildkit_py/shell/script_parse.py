"""The grammar half of the script parser: lists, and-or chains, pipelines, commands, compounds.

Forgiving recursive descent: where the text breaks the grammar, a problem is noted and parsing
goes on from the next sensible place, so a result always comes back.
"""
from __future__ import annotations

import re

from buildkit_py.shell.script_model import (
    AndOr,
    Compound,
    Node,
    Pipeline,
    Redirect,
    Sequence,
    Word,
    new_and_or,
    new_command,
    new_pipeline,
    new_word,
)
from buildkit_py.shell.script_words import META, QUOTED_WORD, SKIP_BLANKS, SKIPPABLE, WordReader

_RESERVED = re.compile(r"(if|then|elif|else|fi|do|done|case|esac|while|until|for|select|in|function|\{|\}|!)"
                       r"(?=[ \t\r\n;&|()<>]|\Z)")
_RESERVED_FIRST = frozenset("itefdcwus{}!")
# The same words by first character, and what may follow one.
_RESERVED_BY_FIRST: dict[str, tuple[str, ...]] = {}
for _word in ("if", "then", "elif", "else", "fi", "do", "done", "case", "esac", "while", "until", "for", "select",
              "in", "function", "{", "}", "!"):
    _RESERVED_BY_FIRST[_word[0]] = (*_RESERVED_BY_FIRST.get(_word[0], ()), _word)
_RESERVED_END = frozenset(" \t\r\n;&|()<>")
_CLOSERS = frozenset({"then", "elif", "else", "fi", "do", "done", "esac", "}"})
_OPENERS = frozenset({"if", "while", "until", "for", "select", "case", "{", "function"})
_CASE_ENDS = frozenset({";;", ";&", ";;&"})
_REDIRECT = re.compile(r"([0-9]*)(<<<|<<-|<<|<>|<&|>>|>&|>\||&>>|&>|<(?!\()|>(?!\())")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=")
_REDIRECT_START = frozenset("0123456789<>&")
_OP_FIRST = frozenset("&|;()\n")
# Two characters that make an operator of their own (`&>` starts a redirection: no operator);
# any other character of _OP_FIRST is an operator by itself.
_OP_TWO: dict[str, str | None] = {"&&": "&&", "&>": None, "||": "||", "|&": "|&", ";;": ";;", ";&": ";&"}
_CHAINS = frozenset({"&&", "||", "|", "|&"})  # what joins commands into an and-or list or a pipeline
# A command that starts with none of these is simple (`_RESERVED_FIRST` covers the keywords).
_COMMAND_SPECIAL = _RESERVED_FIRST | {"(", "["}
_TEST_OPEN = re.compile(r"\[\[(?=[ \t])")
_TEST_OP = re.compile(r"&&|\|\||[<>()!|&;]")
_EMPTY_PARENS = re.compile(r"\([ \t]*\)")
# A plain word (no quotes, escapes, expansions; not a comment) and the blanks after it, where
# nothing but blanks, a newline or a control operator follows: neither a redirection (`2>`,
# `2&>`) nor anything the word reader must look at. Other words take the general path.
# Group 2: otherwise a word `quoted_word` takes (quotes, `$NAME`), ended the same way.
_PLAIN_ARG = re.compile(r"(?:([^ \t\r\n;&|()<>\\'\"$`#][^ \t\r\n;&|()<>\\'\"$`]*)|(?!#)(" + QUOTED_WORD + r"))"
                        r"(?=[ \t\n;|)]|&(?!>)|\Z)[ \t]*")

# Where parse_list may skip blanks, newlines and comments.
_LINE_SKIPPABLE = frozenset(" \t\r\\#\n")
_SKIP_LINES = re.compile(r"(?:[ \t\r\n]+|\\\r?\n|#[^\n]*)*")
# A plain word where a command starts, ended as _PLAIN_ARG's (then no redirection follows it),
# and blanks. The list reads a simple command on from it unless it is one of _NOT_SIMPLE_HEADS.
_COMMAND_HEAD = re.compile(r"([^ \t\r\n;&|()<>\\'\"$`#]+)(?=[ \t\n;|)]|&(?!>)|\Z)[ \t]*")
_NOT_SIMPLE_HEADS = frozenset([*(w for ws in _RESERVED_BY_FIRST.values() for w in ws), "[["])
_ENDS_COMMAND = frozenset(";\n|)")  # after a word, these end a simple command


def _seq(node: Node) -> Sequence:
    return (AndOr((Pipeline((node,)),)),)


class Parser(WordReader):
    """Shell text to a tree of `AndOr` / `Pipeline` / `Command` / `Compound` nodes."""

    def sub_parser(self, text: str, offset: int) -> Parser:
        return Parser(text, offset, self.depth, tuple(self.context), self.problems)

    def parse_all(self) -> Sequence:
        body = self.parse_list()
        if self.i < self.n:  # a closer of a construct that is not open here
            self.problem("unexpected text; the rest is not parsed")
        return body

    # -- tokens ----------------------------------------------------------------------------------

    def op(self) -> str | None:
        """The control operator at the position, if any (`&>` is a redirection, not `&`)."""
        s, i = self.s, self.i
        c = s[i:i + 1]
        if c not in _OP_FIRST:  # (also the end: "" is not in it)
            return None
        two = s[i:i + 2]
        if two in _OP_TWO:
            if two == ";;" and s.startswith("&", i + 2):
                return ";;&"
            return _OP_TWO[two]
        return c

    def blank_op(self) -> str | None:
        """`op()` after blanks, line continuations and a comment (the parser's most common step)."""
        i = self.i
        if i < self.n and self.s[i] in SKIPPABLE:
            self.i = SKIP_BLANKS.match(self.s, i).end()  # type: ignore[union-attr]
        return self.op()

    def reserved(self) -> str | None:
        s, i = self.s, self.i
        candidates = _RESERVED_BY_FIRST.get(s[i:i + 1])
        if candidates is None:
            return None
        for word in candidates:  # (what _RESERVED matches, without a regex call)
            end = i + len(word)
            if s.startswith(word, i) and (end >= self.n or s[end] in _RESERVED_END):
                return word
        return None

    def take(self, word: str) -> bool:
        if self.reserved() == word:
            self.i += len(word)
            return True
        return False

    def expect(self, word: str, construct: str) -> None:
        self.skip_linebreaks()
        if not self.take(word):
            self.problem(f"expected '{word}' in {construct}")

    # -- lists -----------------------------------------------------------------------------------

    def parse_list(self, stop_words: frozenset[str] = frozenset(), stop_ops: frozenset[str] = frozenset()) -> Sequence:
        items: list[AndOr] = []
        s, n = self.s, self.n
        while True:
            i = self.i
            if i < n and s[i] in _LINE_SKIPPABLE:
                if self.heredoc_end:
                    self.skip_linebreaks()
                else:  # no heredoc body waits after a newline: blanks and newlines in one step
                    self.i = _SKIP_LINES.match(s, i).end()  # type: ignore[union-attr]
                i = self.i
            if i >= n:
                break
            start = i
            head = _COMMAND_HEAD.match(s, i)
            if head is not None and head.group(1) not in _NOT_SIMPLE_HEADS:
                # A plain first word that is no keyword, `[[` or `!`: a simple command, read from
                # that word on (what the general steps below would do, in fewer of them).
                items.append(self.simple_and_or(head))
                continue
            op = self.op()
            if op is not None and (op in stop_ops or (op == ")" and self.parens)):
                break
            if op is not None and op not in "(":
                self.problem(f"unexpected '{op}'")
                self.i += len(op)
                continue
            word = self.reserved()
            if word in _CLOSERS:
                if word in stop_words or self.depth > self.base_depth:
                    break  # ours, or an enclosing construct's
                self.problem(f"unexpected '{word}'")
                self.i += len(word)
                continue
            if word is None and self.s[self.i] not in "([!":
                items.append(self.simple_and_or())
            else:
                pipelines, ops = self.parse_and_or()
                items.append(self.end_and_or(self.blank_op(), pipelines, ops))
            if self.i == start:  # never stall on input the grammar does not cover
                self.problem(f"unexpected {self.s[self.i]!r}")
                self.i += 1
        return tuple(items)

    def simple_and_or(self, head: re.Match[str] | None = None) -> AndOr:
        """The and-or chain that starts with a simple command (`head`: as for parse_simple): what
        parse_and_or → parse_pipeline → parse_command would do, without their calls and repeated
        operator reads."""
        node = self.parse_simple(head)
        op = self.blank_op()
        if op is None or op not in _CHAINS:
            pipelines, ops = (new_pipeline((node,), False, ()),), ()
        else:
            pipelines, ops = self.parse_and_or(node)
            op = self.blank_op()
        return self.end_and_or(op, pipelines, ops)

    def end_and_or(self, op: str | None, pipelines: tuple[Pipeline, ...], ops: tuple[str, ...]) -> AndOr:
        """The and-or chain, with `op` (at the position) as its terminator if it ends one."""
        terminator = ""
        if op == ";" or op == "&":
            terminator = op
            self.i += 1
        elif op == "\n":
            terminator = "\n"
            self.newline()
        return new_and_or(pipelines, ops, terminator)

    def parse_and_or(self, first: Node | None = None) -> tuple[tuple[Pipeline, ...], tuple[str, ...]]:
        """`first`: the first pipeline's first command, when the caller has read it already."""
        pipelines = [self.parse_pipeline(first)]
        ops: list[str] = []
        while True:
            op = self.blank_op()
            if op != "&&" and op != "||":
                break
            self.i += 2
            self.skip_linebreaks()
            ops.append(op)
            pipelines.append(self.parse_pipeline())
        return tuple(pipelines), tuple(ops)

    def parse_pipeline(self, first: Node | None = None) -> Pipeline:
        if first is None:
            self.skip_blanks()
            negated = self.s.startswith("!", self.i) and self.take("!")
            nodes = [self.parse_command()]
        else:
            negated, nodes = False, [first]
        ops: list[str] = []
        while True:
            op = self.blank_op()
            if op != "|" and op != "|&":
                break
            self.i += len(op)
            self.skip_linebreaks()
            ops.append(op)
            nodes.append(self.parse_command())
        return new_pipeline(tuple(nodes), negated, tuple(ops))

    # -- commands --------------------------------------------------------------------------------

    def parse_command(self) -> Node:
        self.skip_blanks()
        start = self.i
        c = self.s[start:start + 1]
        if c not in _COMMAND_SPECIAL:  # the common case: not a keyword, subshell or test
            return self.parse_simple()
        word = self.reserved()
        if word in _OPENERS:
            kind, bodies, words = self.parse_compound(word)  # type: ignore[arg-type]
        elif self.s.startswith("((", self.i):
            subs: list[Sequence] = []
            self.i = self.skip_parens(self.i + 2, 2, subs)
            text = self.s[start:self.i]
            kind, bodies = "arith", ()
            words = (Word(text, text, False, False, self.off + start, self.off + self.i, tuple(subs)),)
        elif c == "(":
            self.i += 1
            kind, bodies, words = "subshell", (self.nested_list("subshell"),), ()
        elif c == "[" and _TEST_OPEN.match(self.s, self.i):
            return self.parse_test()
        else:
            return self.parse_simple()
        redirects = []
        while True:
            self.skip_blanks()
            r = self.parse_redirect()
            if r is None:
                break
            redirects.append(r)
        return Compound(kind, bodies, words, tuple(redirects), self.off + start, self.off + self.i)

    def parse_simple(self, head: re.Match[str] | None = None) -> Node:
        """`head`: a match of _COMMAND_HEAD at the position, the command's first word."""
        start = self.i
        assignments: list[Word] = []
        words: list[Word] = []
        redirects: list[Redirect] = []
        s, n = self.s, self.n
        if head is not None:
            a, b = head.span(1)
            text = s[a:b]
            w = new_word(text, text, True, False, self.off + a, self.off + b)
            if "=" in text and _ASSIGNMENT.match(text):
                assignments.append(w)
            else:
                words.append(w)
            self.i = head.end()
        while True:
            i = self.i
            if i >= n:
                break
            c = s[i]
            if c == " " and s[i + 1:i + 2] not in SKIPPABLE:  # one space: no regex needed
                self.i = i = i + 1
                if i >= n:
                    break
                c = s[i]
            elif c in " \t\r\\#":
                self.i = i = SKIP_BLANKS.match(s, i).end()  # type: ignore[union-attr]
                if i >= n:
                    break
                c = s[i]
            if words:  # arguments: a run of plain words takes one regex step per word
                m = _PLAIN_ARG.match(s, i)
                if m is not None:
                    off = self.off
                    while m is not None:
                        a, b = m.span(1)
                        if a >= 0:
                            text = s[a:b]
                            words.append(new_word(text, text, True, False, off + a, off + b))
                        else:
                            a, b = m.span(2)
                            w = self.quoted_word(s[a:b], a, b)
                            if w is None:
                                break  # the general reader takes this one
                            words.append(w)
                        i = m.end()
                        m = _PLAIN_ARG.match(s, i) if i < n and s[i] not in META else None
                    self.i = i
                    if m is None:
                        if i >= n or s[i] in _ENDS_COMMAND:
                            break  # (what the steps below find for these)
                        continue
                    c = s[i]  # a word the general reader takes, below
            if c == "(" and len(words) == 1 and not assignments:
                fn = self.parse_function_def(words[0], start)
                if fn is not None:
                    return fn
            if c in _REDIRECT_START:
                r = self.parse_redirect()
                if r is not None:
                    redirects.append(r)
                    continue
            if c in META and not (c in "<>" and s.startswith("(", i + 1)):
                break
            w = self.read_word()
            if w is None:
                break
            if not words and "=" in w.raw and _ASSIGNMENT.match(w.raw):
                assignments.append(w)
            else:
                words.append(w)
        end = self.i
        if not (words or assignments or redirects):
            self.problem("expected a command")
        return new_command(tuple(words), tuple(assignments), tuple(redirects), self.off + start, self.off + end,
                           tuple(self.context))

    def parse_test(self) -> Node:
        """`[[ … ]]`: a command named `[[` whose words may be `&&`, `<`, `(`, … up to `]]`."""
        start = self.i
        words: list[Word] = []
        while True:
            self.skip_blanks()
            if self.i >= self.n or self.s[self.i] == "\n":
                self.problem("expected ']]'", start)
                break
            w = self.read_word()
            if w is None:  # an operator character: inside [[ ]] it is a word
                m = _TEST_OP.match(self.s, self.i)
                end = m.end() if m is not None else self.i + 1
                text = self.s[self.i:end]
                w = Word(text, text, True, False, self.off + self.i, self.off + end)
                self.i = end
            words.append(w)
            if w.raw == "]]" and len(words) > 1:
                break
        return new_command(tuple(words), (), (), self.off + start, self.off + self.i, tuple(self.context))

    def parse_redirect(self) -> Redirect | None:
        if self.i >= self.n or self.s[self.i] not in _REDIRECT_START:
            return None
        m = _REDIRECT.match(self.s, self.i)
        if m is None:
            return None
        start = self.i
        fd, op = m.group(1) or None, m.group(2)
        self.i = m.end()
        self.skip_blanks()
        target = self.read_word()
        body = None
        if target is None:
            self.problem(f"missing target after '{op}'", start)
        elif op in ("<<", "<<-"):
            body = self.read_heredoc(target.value, op == "<<-")
        return Redirect(op, target, fd, body, bool(target and target.quoted and op in ("<<", "<<-")),
                        self.off + start, self.off + self.i)

    def parse_function_def(self, name: Word, start: int) -> Compound | None:
        m = _EMPTY_PARENS.match(self.s, self.i)
        if m is None:
            return None
        self.i = m.end()
        self.skip_linebreaks()
        if not self.enter("function"):
            return None
        try:
            body = self.parse_command()
        finally:
            self.leave()
        return Compound("function", (_seq(body),), (name,), (), self.off + start, self.off + self.i)

    # -- compounds -------------------------------------------------------------------------------

    def parse_compound(self, word: str) -> tuple[str, tuple[Sequence, ...], tuple[Word, ...]]:
        self.i += len(word)
        kind = {"{": "group"}.get(word, word)
        if not self.enter(kind):
            return kind, (), ()
        try:
            if word == "if":
                return kind, self.parse_if(), ()
            if word in ("while", "until"):
                cond = self.parse_list(frozenset({"do"}))
                self.expect("do", word)
                body = self.parse_list(frozenset({"done"}))
                self.expect("done", word)
                return kind, (cond, body), ()
            if word in ("for", "select"):
                words = self.parse_for_head()
                self.expect("do", word)
                body = self.parse_list(frozenset({"done"}))
                self.expect("done", word)
                return kind, (body,), words
            if word == "case":
                return (kind, *self.parse_case())
            if word == "{":
                body = self.parse_list(frozenset({"}"}))
                self.expect("}", "{ … }")
                return kind, (body,), ()
            # `function name [()] body`
            self.skip_blanks()
            name = self.read_word()
            self.skip_blanks()
            m = _EMPTY_PARENS.match(self.s, self.i)
            if m is not None:
                self.i = m.end()
            self.skip_linebreaks()
            body = self.parse_command()
            return kind, (_seq(body),), (name,) if name is not None else ()
        finally:
            self.leave()

    def parse_if(self) -> tuple[Sequence, ...]:
        bodies = [self.parse_list(frozenset({"then"}))]
        self.expect("then", "if")
        bodies.append(self.parse_list(frozenset({"elif", "else", "fi"})))
        while True:
            self.skip_linebreaks()
            if self.take("elif"):
                bodies.append(self.parse_list(frozenset({"then"})))
                self.expect("then", "elif")
                bodies.append(self.parse_list(frozenset({"elif", "else", "fi"})))
            elif self.take("else"):
                bodies.append(self.parse_list(frozenset({"fi"})))
                self.expect("fi", "if")
                break
            else:
                self.expect("fi", "if")
                break
        return tuple(bodies)

    def parse_for_head(self) -> tuple[Word, ...]:
        self.skip_blanks()
        if self.s.startswith("((", self.i):  # for (( i = 0; i < n; i++ ))
            self.i = self.skip_parens(self.i + 2, 2, [])
            words: list[Word] = []
        else:
            var = self.read_word()
            words = [var] if var is not None else []
            self.skip_linebreaks()
            if self.take("in"):
                while True:
                    self.skip_blanks()
                    w = self.read_word()
                    if w is None:
                        break
                    words.append(w)
        self.skip_blanks()
        if self.op() == ";":
            self.i += 1
        self.skip_linebreaks()
        return tuple(words)

    def parse_case(self) -> tuple[tuple[Sequence, ...], tuple[Word, ...]]:
        self.skip_blanks()
        subject = self.read_word()
        words = [subject] if subject is not None else []
        self.expect("in", "case")
        bodies: list[Sequence] = []
        while True:
            self.skip_linebreaks()
            if self.i >= self.n:
                self.problem("expected 'esac' in case")
                break
            if self.take("esac"):
                break
            start = self.i
            if self.s.startswith("(", self.i):
                self.i += 1
            while True:  # patterns: a | b | c )
                self.skip_blanks()
                w = self.read_word()
                if w is not None:
                    words.append(w)
                self.skip_blanks()
                if self.op() == "|":
                    self.i += 1
                    continue
                break
            if self.s.startswith(")", self.i):
                self.i += 1
            else:
                self.problem("expected ')' after a case pattern")
            bodies.append(self.parse_list(frozenset({"esac"}), _CASE_ENDS))
            self.skip_blanks()
            op = self.op()
            if op in _CASE_ENDS:
                self.i += len(op)  # type: ignore[arg-type]
            if self.i == start:
                self.problem("cannot read case item")
                self.i += 1
        return tuple(bodies), tuple(words)
