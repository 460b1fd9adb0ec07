"""PB005-PB007: rules that read the build context (`--context DIR`)."""
from __future__ import annotations

from pathlib import Path

import pytest

from buildkit_py.lint import LintConfig, lint

from .pb_helpers import lines

CODES = frozenset({"PB005", "PB006", "PB007"})


def make(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def check(text: str, context: Path, code: str, *, path: str | None = None):
    diags = lint(text, LintConfig(select=CODES), context_dir=context, path=path)
    return [d for d in diags if d.code == code]


def test_context_rules_do_not_run_without_a_context():
    diags = lint("FROM busybox:1.36\nCOPY nope /x\n", LintConfig(select=CODES))
    assert diags == []


def test_missing_sources_are_errors_at_the_source_word(tmp_path):
    make(tmp_path, {"app.py": "", "src/a.py": ""})
    text = "FROM busybox:1.36\nCOPY app.py requirments.txt /app/\nCOPY src/*.py /app/\nCOPY src/*.go /app/\n"
    diags = check(text, tmp_path, "PB005")
    assert lines(diags) == [2, 4]
    assert "`requirments.txt` does not exist" in diags[0].message
    assert diags[0].span.start_col == 13
    assert "`src/*.go` matches nothing" in diags[1].message
    assert str(diags[0].severity) == "error"


def test_stage_url_heredoc_and_unset_variable_sources_are_not_checked(tmp_path):
    text = ("FROM busybox:1.36 AS b\nFROM busybox:1.36\nCOPY --from=b /nope /x\n"
            "ADD https://example.com/a.tgz /x\nCOPY <<EOF /x\nhi\nEOF\nARG F\nCOPY $F /x\n")
    assert check(text, tmp_path, "PB005") == []


def test_arg_and_env_references_in_sources_are_expanded(tmp_path):
    make(tmp_path, {"app-1.2.jar": ""})
    text = ("ARG V=1.2\nFROM busybox:1.36\nARG V\nENV NAME=app\nCOPY ${NAME}-${V}.jar /a/\n"
            "COPY ${NAME}-9.jar /a/\n")
    diags = check(text, tmp_path, "PB005")
    assert lines(diags) == [6] and "`${NAME}-9.jar` (`app-9.jar`) does not exist" in diags[0].message


def test_leading_slash_and_dot_slash_are_context_relative(tmp_path):
    make(tmp_path, {"a/b.txt": ""})
    assert check("FROM busybox:1.36\nCOPY /a/b.txt ./a/../a/b.txt /x/\n", tmp_path, "PB005") == []


def test_sources_excluded_by_dockerignore(tmp_path):
    make(tmp_path, {".dockerignore": "*.txt\n!keep.txt\nbuild\n", "req.txt": "", "keep.txt": "",
                    "build/out.o": "", "app.py": ""})
    text = "FROM busybox:1.36\nCOPY req.txt /x/\nCOPY keep.txt app.py /x/\nCOPY build /b\nCOPY *.txt /t/\n"
    diags = check(text, tmp_path, "PB006")
    assert lines(diags) == [2, 4]
    assert "excluded by .dockerignore (`*.txt`)" in diags[0].message
    assert "(`build`)" in diags[1].message
    assert check(text, tmp_path, "PB005") == []  # they exist: not reported twice


def test_a_directory_with_a_reincluded_file_is_not_fully_excluded(tmp_path):
    make(tmp_path, {".dockerignore": "docs\n!docs/keep.md\n", "docs/keep.md": "", "docs/drop.md": ""})
    assert check("FROM busybox:1.36\nCOPY docs /d\n", tmp_path, "PB006") == []


def test_dockerfile_specific_ignore_file_wins(tmp_path):
    make(tmp_path, {".dockerignore": "", "app.Dockerfile.dockerignore": "secret.cfg\n", "secret.cfg": ""})
    dockerfile = tmp_path / "app.Dockerfile"
    text = "FROM busybox:1.36\nCOPY secret.cfg /x\n"
    diags = check(text, tmp_path, "PB006", path=str(dockerfile))
    assert lines(diags) == [2] and "app.Dockerfile.dockerignore" in diags[0].message
    assert check(text, tmp_path, "PB006", path=str(tmp_path / "Dockerfile")) == []


def test_a_broken_dockerignore_is_reported(tmp_path):
    make(tmp_path, {".dockerignore": "[\n"})
    diags = check("FROM busybox:1.36\nCOPY . /x\n", tmp_path, "PB006")
    assert lines(diags) == [1] and "cannot be read" in diags[0].message


SECRETS = {
    ".env": "TOKEN=1", ".env.production": "TOKEN=1", "deploy/id_rsa": "key", "home/.aws/credentials": "x",
    ".npmrc": "//registry/:_authToken=x", "tls/server.key": "-----BEGIN RSA PRIVATE KEY-----\n",
}
HARMLESS = {".env.example": "TOKEN=", "tls/ca.pem": "-----BEGIN CERTIFICATE-----\n", "deploy/id_rsa.pub": "ssh-rsa",
            "app.py": "print()", "keys/apt.key": "-----BEGIN PGP PUBLIC KEY BLOCK-----\n"}


def test_copying_the_whole_context_with_secrets_is_reported(tmp_path):
    make(tmp_path, {**SECRETS, **HARMLESS})
    diags = check("FROM busybox:1.36\nWORKDIR /app\nCOPY . .\n", tmp_path, "PB007")
    assert lines(diags) == [3]
    message = diags[0].message
    named = ".env, .env.production, .npmrc, deploy/id_rsa, home/.aws/credentials and 1 more"
    assert named in message  # five are named in path order, the rest counted
    for name in (".env.example", "ca.pem", "id_rsa.pub", "app.py", "apt.key"):
        assert name not in message


def test_secrets_kept_out_by_dockerignore_or_exclude_are_not_reported(tmp_path):
    make(tmp_path, {**SECRETS, **HARMLESS,
                    ".dockerignore": ".env*\n!.env.example\n**/id_rsa\n**/.aws\n.npmrc\n"})
    diags = check("FROM busybox:1.36\nCOPY . /app\n", tmp_path, "PB007")
    assert lines(diags) == [2] and "image: tls/server.key (add" in diags[0].message
    assert check("FROM busybox:1.36\nCOPY --exclude=**/*.key . /app\n", tmp_path, "PB007") == []


def test_copying_only_named_files_does_not_report_other_secrets(tmp_path):
    make(tmp_path, {**SECRETS, **HARMLESS})
    assert check("FROM busybox:1.36\nCOPY app.py /app/\n", tmp_path, "PB007") == []
    assert lines(check("FROM busybox:1.36\nCOPY .env /app/\n", tmp_path, "PB007")) == [2]


@pytest.mark.parametrize("ignore", ["", "**\n!app.py\n"])
def test_git_directory_is_not_walked(tmp_path, ignore):
    make(tmp_path, {".git/config": "", ".git/.env": "x", "app.py": "", ".dockerignore": ignore})
    assert check("FROM busybox:1.36\nCOPY . /app\n", tmp_path, "PB007") == []
