"""PB004: COPY of the whole context before an install that needs only the manifests."""
from __future__ import annotations

import pytest

from .pb_helpers import lines, run


def test_copy_all_before_pip_install_requirements_is_reported_at_the_copy():
    text = "FROM python:3.13\nWORKDIR /app\nCOPY . /app\nRUN pip install --no-cache-dir -r requirements.txt\n"
    diags = run(text, "PB004")
    assert lines(diags) == [3]
    d = diags[0]
    assert str(d.severity) == "info" and d.fix is None
    assert "line 4" in d.message
    assert "`COPY requirements.txt /app/`" in d.message


@pytest.mark.parametrize(("run_line", "manifests"), [
    ("npm ci", "package.json package-lock.json"),
    ("npm install --omit=dev", "package.json package-lock.json"),
    ("yarn install --frozen-lockfile", "package.json yarn.lock"),
    ("pnpm install", "package.json pnpm-lock.yaml"),
    ("go mod download", "go.mod go.sum"),
    ("bundle install", "Gemfile Gemfile.lock"),
    ("composer install --no-dev", "composer.json composer.lock"),
    ("cargo fetch", "Cargo.toml Cargo.lock"),
    ("poetry install --no-root", "pyproject.toml poetry.lock"),
    ("python3 -m pip install -r req/base.txt", "req/base.txt"),
    ("cd /src && sudo npm ci", "package.json package-lock.json"),
])
def test_dependency_installs_of_each_ecosystem(run_line, manifests):
    text = f"FROM busybox:1.36\nWORKDIR /src\nCOPY . .\nRUN {run_line}\n"
    diags = run(text, "PB004")
    assert lines(diags) == [3], run_line
    assert f"`COPY {manifests} ./`" in diags[0].message or f"`COPY {manifests} .`" in diags[0].message


def test_manifests_copied_first_but_install_still_after_copy_all_suggests_moving_the_run():
    text = ("FROM node:24\nWORKDIR /app\nCOPY package.json package-lock.json ./\nCOPY . .\nRUN npm ci\n")
    diags = run(text, "PB004")
    assert lines(diags) == [4] and "move the RUN above" in diags[0].message


@pytest.mark.parametrize("body", [
    # the right order
    "COPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n",
    # installs that need the sources
    "COPY . .\nRUN pip install .\n",
    "COPY . .\nRUN pip install -e . -r requirements.txt\n",
    "COPY . .\nRUN npm install left-pad\n",
    "COPY . .\nRUN poetry install\n",
    "COPY . .\nRUN go build ./...\n",
    # a part of the context only, or from another stage
    "COPY src/ /app/src/\nRUN pip install -r requirements.txt\n",
    "COPY --from=build /out .\nRUN npm ci\n",
])
def test_orders_and_installs_that_are_fine(body):
    assert run(f"FROM busybox:1.36\nWORKDIR /app\n{body}", "PB004") == []


def test_each_stage_is_looked_at_alone():
    text = "FROM busybox:1.36 AS a\nCOPY . .\nFROM busybox:1.36\nRUN npm ci\n"
    assert run(text, "PB004") == []
