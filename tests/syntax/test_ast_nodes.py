"""AST nodes are frozen values: immutable, equal by content and class, printable, replaceable."""
from __future__ import annotations

import dataclasses

import pytest

from buildkit_py.syntax import ast as A
from buildkit_py.syntax import parse

TEXT = 'FROM a\nCMD ["x"]\nENTRYPOINT ["x"]\nENV a=1\nLABEL a=1\nRUN x\n'


@pytest.mark.parametrize("index,cls", [(1, A.Cmd), (2, A.Entrypoint), (3, A.Env), (4, A.Label), (5, A.Run)])
def test_instruction_nodes_behave_as_frozen_dataclasses(index, cls):
    ins = parse(TEXT).instructions[index]
    assert type(ins) is cls and A.INSTRUCTION_CLASSES[cls.name] is cls
    assert dataclasses.is_dataclass(ins) and repr(ins).startswith(f"{cls.__name__}(keyword=")
    with pytest.raises(dataclasses.FrozenInstanceError):
        ins.keyword = "x"  # type: ignore[misc]
    with pytest.raises((AttributeError, TypeError)):
        ins.anything = 1  # type: ignore[attr-defined]
    again = parse(TEXT).instructions[index]
    assert again == ins and hash(again) == hash(ins)
    changed = dataclasses.replace(ins, keyword=ins.keyword.lower())
    assert type(changed) is cls and changed.keyword == ins.keyword.lower() and changed != ins


def test_nodes_of_different_instructions_with_the_same_fields_differ():
    df = parse(TEXT)
    cmd, entrypoint, env, label = df.instructions[1:5]
    assert [f.name for f in dataclasses.fields(cmd)] == [f.name for f in dataclasses.fields(entrypoint)]
    assert cmd.command == entrypoint.command and cmd != entrypoint
    assert [(p.key, p.value) for p in env.pairs] == [(p.key, p.value) for p in label.pairs] and env != label


def test_a_copy_source_heredoc_broken_by_its_quotes_is_a_syntax_error_not_a_crash():
    # found by the mutation fuzzer: `<<'EOF` opens no heredoc, and BuildKit's COPY rejects the word
    from buildkit_py.syntax import DockerfileSyntaxError, parse

    text = "FROM a\nCOPY <<'EOF /a\nhello\nEOF\n"
    with pytest.raises(DockerfileSyntaxError, match="matching single-quote") as info:
        parse(text)
    assert info.value.span.start_line == 2
    df = parse(text, strict=False)
    assert type(df.instructions[1]).__name__ == "Invalid" and df.errors
