"""The pre-commit hooks, run by the real `pre-commit try-repo` on a temporary git repository.

pre-commit installs this repository (its committed HEAD: `--ref`, so that uncommitted edits of a
shared working tree are not included and the one install is reused) into a fresh virtualenv from
PyPI, so this test takes a minute or so.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import yaml

from tests.conftest import ROOT

LEGACY = "FROM scratch\nENV A 1\n"


def test_hooks_file_declares_both_hooks():
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"pybuild-lint", "pybuild-lint-fix"}
    assert all(h["language"] == "python" for h in hooks.values())
    assert hooks["pybuild-lint-fix"]["entry"] == "pybuild lint --fix"


def _git(*args, cwd):
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


def test_pre_commit_try_repo_runs_the_hooks(tmp_path):
    if shutil.which("git") is None:
        reason = "pre-commit needs git, which is not installed"
        print(f"skipped: {reason}")
        pytest.skip(reason)
    if "pybuild-lint" not in subprocess.run(["git", "show", "HEAD:.pre-commit-hooks.yaml"], cwd=ROOT,
                                            capture_output=True, text=True).stdout:
        pytest.fail(".pre-commit-hooks.yaml must be committed: try-repo reads the repository's HEAD")
    project = tmp_path / "project"
    project.mkdir()
    _git("init", "-q", cwd=project)
    (project / "Dockerfile").write_text(LEGACY)
    (project / "notes.txt").write_text("ENV A 1\n")  # not a Dockerfile: the hooks leave it alone
    _git("add", ".", cwd=project)
    _git("commit", "-q", "-m", "init", cwd=project)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1"}
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    def try_repo(hook: str) -> subprocess.CompletedProcess:
        cmd = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--ref", head, "--all-files"]
        return subprocess.run(cmd, cwd=project, capture_output=True, text=True, env=env, timeout=900)

    lint = try_repo("pybuild-lint")
    assert lint.returncode == 1, lint.stdout + lint.stderr
    assert "Dockerfile:2:1: LegacyKeyValueFormat" in lint.stdout
    assert "notes.txt" not in lint.stdout

    fix = try_repo("pybuild-lint-fix")
    assert fix.returncode == 1, fix.stdout + fix.stderr  # pre-commit fails a hook that changed files
    assert "files were modified by this hook" in fix.stdout
    assert (project / "Dockerfile").read_text() == "FROM scratch\nENV A=1\n"

    again = try_repo("pybuild-lint")
    assert again.returncode == 0, again.stdout + again.stderr
