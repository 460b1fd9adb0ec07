"""DL3013, DL3016, DL3018, DL3019, DL3028, DL3030: pip, npm, apk, gem and yum."""
from __future__ import annotations

import pytest

from .dl_helpers import df, fixed, lines


def one_run(script: str, code: str) -> list[int]:
    return lines(df("FROM a:1", f"RUN {script}"), code)


@pytest.mark.parametrize("script", [
    "pip install MySQL_python", "pip3 install flask", "python -m pip install example",
    "pip install --index-url url example", "pip install git+https://github.com/a/b.git#egg=b",
    "pip3 install --upgrade pip", "pip install flask==1 requests",
])
def test_dl3013_unpinned(script: str) -> None:
    assert one_run(script, "DL3013") == [2]


@pytest.mark.parametrize("script", [
    "pip install MySQL_python==1.2.2", "pip install 'alabaster>=0.7'", "pip install x~=1.2 y===3 z!=2",
    "pip install -r requirements.txt", "pip install --requirement requirements.txt", "pip install .",
    "pip3 install mypkg.whl mypkg.tar.gz", "pip install foo/bar", "pip install -c constraints.txt flask",
    "pip3 install --prefix /opt/x --target /t --trusted-host h yamllint==1.20.0",
    "pip install git+https://github.com/a/b.git@0.6#egg=b", "pipenv install flask", "pip download flask",
])
def test_dl3013_pinned_or_not_an_install(script: str) -> None:
    assert one_run(script, "DL3013") == []


def test_dl3016_npm() -> None:
    for script in ("npm install express", "npm i -g typescript@5 && npm install eslint",
                   "npm install @scope/pkg", "npm install git+https://x/y.git", "npm --loglevel warn install x"):
        assert one_run(script, "DL3016") == [2], script
    for script in ("npm install", "npm install express@4 @types/node@20", "npm install ./local ../x ~/y /z",
                   "npm install git+https://x/y.git#v1 foo.tgz", "npm ci", "npm run build install"):
        assert one_run(script, "DL3016") == [], script
    assert one_run("npm install express@4 eslint", "DL3016") == [2]


def test_dl3018_apk_pinning() -> None:
    assert one_run("apk add --no-cache curl", "DL3018") == [2]
    assert one_run("apk add --no-cache curl=8 'bash>5' vim~9 ./x.apk", "DL3018") == []
    assert one_run("apk add --no-cache --virtual .deps -X http://mirror --repository http://r gcc=13", "DL3018") == []
    assert one_run("apk add -t .deps gcc", "DL3018") == [2]


def test_dl3019_apk_no_cache() -> None:
    assert one_run("apk add curl=1", "DL3019") == [2]
    assert one_run("apk --no-cache add curl=1", "DL3019") == []
    assert lines(df("FROM a:1", "RUN --mount=type=cache,target=/var/cache/apk apk add curl=1"), "DL3019") == []
    assert one_run("apk update", "DL3019") == []


def test_dl3028_gem_pinning() -> None:
    for script in ("gem install bundler", "gem i bunlder:1 nokogiri"):
        assert one_run(script, "DL3028") == [2], script
    for script in ("gem install bundler:1", "gem i a:1 b:2", "gem install bundler -v '2.0.1'",
                   "gem install bundler --version='2.0.1'", "gem install bundler:2.0.1 -- --use-system-libraries true",
                   "gem install bundler:2.0.1 --use-system-libraries true", "gem update --system"):
        assert one_run(script, "DL3028") == [], script


def test_dl3030_yum_yes() -> None:
    for script in ("yum install httpd", "yum groupinstall x", "yum localinstall x.rpm", "yum -q install x"):
        assert one_run(script, "DL3030") == [2], script
    for script in ("yum install -y httpd", "yum -y install x", "yum install --assumeyes x", "yum update",
                   "dnf install x"):
        assert one_run(script, "DL3030") == [], script


def test_dl3019_fix_adds_no_cache_safely() -> None:
    text = df("FROM a:1", "RUN apk add curl=1 && apk add --virtual .deps gcc=13 && apk --no-cache add x=1")
    assert fixed(text, "DL3019") == df(
        "FROM a:1", "RUN apk add --no-cache curl=1 && apk add --no-cache --virtual .deps gcc=13 && apk --no-cache add x=1")
    assert lines(fixed(text, "DL3019"), "DL3019") == []
