"""PB003: base images past their end of life, from the embedded dated table."""
from __future__ import annotations

import datetime

import pytest

from buildkit_py.lint import LintConfig
from buildkit_py.lint.data import eol
from buildkit_py.lint.data.eol_tags import expired, suggest

from .pb_helpers import apply_edits, lines, run

TODAY = "2026-11-25"


def names(ref: str, today: str = TODAY) -> list[str]:
    return [f"{e.product.label} {e.version}" for e in expired(ref, today)]


def test_founding_example_image_names_both_python_and_debian():
    assert names("python:3.8-slim-buster") == ["Python 3.8", "Debian 10"]
    described = [e.describe() for e in expired("python:3.8-slim-buster", TODAY)]
    assert described == ["Python 3.8 reached end of life 2024-10", "Debian 10 (buster) reached end of life 2024-06"]
    assert suggest("python:3.8-slim-buster", TODAY) == "python:3.13-slim-trixie"


@pytest.mark.parametrize(("ref", "expect", "better"), [
    ("node:14-alpine3.12", ["Node.js 14", "Alpine 3.12"], "node:24-alpine3.23"),
    ("docker.io/library/node:carbon", ["Node.js 8"], "node:krypton"),
    ("golang:1.16.5-buster", ["Go 1.16", "Debian 10"], "golang:1.26-trixie"),
    ("debian:stretch-slim", ["Debian 9"], "debian:trixie-slim"),
    ("ubuntu:bionic-20230530", ["Ubuntu 18.04"], "ubuntu:noble"),
    ("ubuntu:20.04", ["Ubuntu 20.04"], "ubuntu:24.04"),
    ("alpine:3.12.1", ["Alpine 3.12"], "alpine:3.23"),
    ("php:7.4-fpm-alpine3.12", ["PHP 7.4", "Alpine 3.12"], "php:8.4-fpm-alpine3.23"),
    ("postgres:9.6.24-alpine", ["PostgreSQL 9.6"], "postgres:18-alpine"),
    ("mysql:5.7", ["MySQL 5.7"], "mysql:8.4"),
    ("ruby:2.7-slim-bullseye", ["Ruby 2.7", "Debian 11"], "ruby:3.4-slim-trixie"),
    ("nginx:1.21-alpine", ["nginx 1.21"], "nginx:1.30-alpine"),
    ("eclipse-temurin:11.0.19_7-jre-focal", ["Ubuntu 20.04"], "eclipse-temurin:11-jre-noble"),
    ("openjdk:11-jre-slim", ["the openjdk image *"], "eclipse-temurin:11-jre"),
    ("python:3.12-slim-bullseye", ["Debian 11"], "python:3.12-slim-trixie"),  # only the distro expired
    ("python:3.8@sha256:" + "0" * 64, ["Python 3.8"], "python:3.13"),
])
def test_versions_in_tags_are_read(ref, expect, better):
    assert names(ref) == expect
    assert suggest(ref, TODAY) == better


@pytest.mark.parametrize("ref", [
    "python:3.13-slim-trixie", "python:3", "python", "node:lts", "alpine:edge", "ubuntu:24.04",
    "ghcr.io/acme/python:3.8", "acme/python:3.8", "scratch", "debian:bookworm", "postgres:17",
])
def test_supported_floating_unknown_or_unofficial_images_are_not_reported(ref):
    assert expired(ref, TODAY) == []


def test_dates_are_compared_with_the_day_given():
    assert names("python:3.11", "2027-09-30") == []
    assert names("python:3.11", "2027-10-01") == ["Python 3.11"]  # a month-only date counts from the 1st


def test_the_table_is_well_formed_and_its_suggestions_are_supported():
    for product in {id(p): p for p in eol.IMAGES.values()}.values():
        for version, date in product.eol.items():
            datetime.date.fromisoformat(date if len(date) == 10 else date + "-01")
        if product.recommended is not None:
            recommended = eol.eol_date(product, product.recommended)
            assert recommended is None or not eol.is_past(recommended, eol.TABLE_DATE), product.label
    for name, product in eol.IMAGES.items():
        for version in product.eol:
            ref = f"{name}:{version if version != '*' else '11'}-slim-buster"
            better = suggest(ref, eol.TABLE_DATE)
            if better is not None:
                assert expired(better, eol.TABLE_DATE) == [], (ref, better)


def test_rule_reports_the_from_line_with_an_unsafe_fix():
    text = "FROM python:3.8-slim-buster\nRUN true\n"
    diags = run(text, "PB003")
    assert lines(diags) == [1]
    d = diags[0]
    assert str(d.severity) == "warning"
    assert "Python 3.8 reached end of life 2024-10" in d.message and "Debian 10 (buster)" in d.message
    assert "python:3.13-slim-trixie" in d.message
    assert d.fix is not None and not d.fix.safe
    assert apply_edits(text, diags) == text
    assert apply_edits(text, diags, unsafe=True) == "FROM python:3.13-slim-trixie\nRUN true\n"


def test_arg_defaults_are_resolved_and_the_fix_edits_the_default():
    text = 'ARG BASE="python:3.8-slim-buster"\nFROM ${BASE}\n'
    diags = run(text, "PB003")
    assert lines(diags) == [2] and "(from ${BASE})" in diags[0].message
    assert apply_edits(text, diags, unsafe=True) == 'ARG BASE="python:3.13-slim-trixie"\nFROM ${BASE}\n'


def test_partial_arg_references_are_reported_without_a_fix():
    diags = run("ARG PY=3.9\nFROM python:${PY}-alpine\n", "PB003")
    assert lines(diags) == [2] and diags[0].fix is None


def test_build_args_override_defaults():
    text = "ARG BASE=python:3.8\nFROM ${BASE}\n"
    config = LintConfig(select=frozenset({"PB003"}), build_args={"BASE": "python:3.13"})
    assert run(text, "PB003", config=config) == []
    config = LintConfig(select=frozenset({"PB003"}), build_args={"BASE": "node:16"})
    diags = run("ARG BASE=python:3.13\nFROM ${BASE}\n", "PB003", config=config)
    assert "Node.js 16" in diags[0].message and diags[0].fix is None  # the value is not in the file


def test_stage_names_and_supported_images_are_not_reported():
    text = "FROM python:3.13-slim AS build\nFROM build\nFROM scratch\n"
    assert run(text, "PB003") == []
