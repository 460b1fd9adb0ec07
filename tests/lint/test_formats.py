"""Every output format, read back by what reads it (a JSON Schema validator, an XML parser, ...)."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from buildkit_py.lint import LintConfig, Severity, lint
from buildkit_py.lint.format import FORMATS, render
from tests.conftest import SHARED

SOURCE = "FROM scratch AS Base\nENV A 1\nMAINTAINER me, \"you\" & <them>\n"
CONFIG = LintConfig(select=frozenset({"StageNameCasing", "LegacyKeyValueFormat", "MaintainerDeprecated"}),
                    severity={"MaintainerDeprecated": Severity.ERROR})


@pytest.fixture(scope="module")
def diags():
    found = lint(SOURCE, CONFIG, path="app/Dockerfile")
    assert [d.code for d in found] == ["StageNameCasing", "LegacyKeyValueFormat", "MaintainerDeprecated"]
    return found


def test_sarif_is_valid_sarif_2_1_0(diags):
    schema = json.loads((SHARED / "schemas" / "sarif-schema-2.1.0.json").read_text())
    doc = json.loads(render("sarif", diags))
    jsonschema.validate(doc, schema)
    run = doc["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == [d.code for d in diags]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    first = run["results"][0]
    region = first["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (1, 17)
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app/Dockerfile"
    assert first["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"] == "base"
    assert [r["level"] for r in run["results"]] == ["warning", "warning", "error"]


def test_sarif_with_no_findings_is_valid():
    schema = json.loads((SHARED / "schemas" / "sarif-schema-2.1.0.json").read_text())
    doc = json.loads(render("sarif", []))
    jsonschema.validate(doc, schema)
    assert doc["runs"][0]["results"] == []


def test_json_lists_diagnostics(diags):
    data = json.loads(render("json", diags))
    assert [(d["code"], d["line"], d["column"], d["severity"]) for d in data] == [
        ("StageNameCasing", 1, 17, "warning"), ("LegacyKeyValueFormat", 2, 1, "warning"),
        ("MaintainerDeprecated", 3, 1, "error")]
    assert data[0]["fix"]["edits"] == [{"start": 16, "end": 20, "text": "base"}]


def test_checkstyle_is_xml_with_escaped_messages(diags):
    root = ET.fromstring(render("checkstyle", diags))
    assert root.tag == "checkstyle"
    (file,) = root.findall("file")
    assert file.get("name") == "app/Dockerfile"
    errors = file.findall("error")
    assert [(e.get("line"), e.get("severity"), e.get("source")) for e in errors] == [
        ("1", "warning", "pybuild.StageNameCasing"), ("2", "warning", "pybuild.LegacyKeyValueFormat"),
        ("3", "error", "pybuild.MaintainerDeprecated")]
    assert errors[1].get("message") == diags[1].message  # quotes survived the XML round trip


def test_codeclimate_is_nul_separated_issues(diags):
    text = render("codeclimate", diags)
    docs = [json.loads(part) for part in text.split("\0") if part]
    assert [d["check_name"] for d in docs] == [d.code for d in diags]
    assert docs[2]["severity"] == "critical" and docs[0]["location"] == {
        "path": "app/Dockerfile", "lines": {"begin": 1, "end": 1}}
    assert len({d["fingerprint"] for d in docs}) == 3


def test_gitlab_code_quality_report(diags):
    docs = json.loads(render("gitlab", diags))
    assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(docs[0])
    assert docs[0]["location"]["lines"]["begin"] == 1


def test_github_workflow_commands(diags):
    lines = render("github", diags).splitlines()
    assert lines[0] == ("::warning file=app/Dockerfile,line=1,col=17,endLine=1,endColumn=21,"
                        "title=StageNameCasing::Stage name 'Base' should be lowercase")
    assert lines[2].startswith("::error file=app/Dockerfile,line=3,")


def test_github_escapes_what_would_break_the_command():
    from buildkit_py.lint.format.github import _data, _prop

    assert _data("50%\nnext") == "50%25%0Anext"
    assert _prop("a:b,c") == "a%3Ab%2Cc"


def test_gnu_format(diags):
    lines = render("gnu", diags).splitlines()
    assert lines[0] == "app/Dockerfile:1.17: warning: Stage name 'Base' should be lowercase [StageNameCasing]"
    assert lines[2].startswith("app/Dockerfile:3.1: error: ")


def test_tty_has_place_source_caret_and_fix(diags):
    text = render("tty", diags)
    lines = text.splitlines()
    assert lines[0] == "app/Dockerfile:1:17: StageNameCasing Stage name 'Base' should be lowercase [*]"
    assert lines[1] == "1 | FROM scratch AS Base"
    assert lines[2] == "  |                 ^^^^"
    assert lines[3].strip().startswith("= fix:")
    coloured = render("tty", diags, color=True)
    assert "\x1b[" in coloured and "\x1b[" not in text


def test_every_format_is_listed():
    assert set(FORMATS) == {"tty", "json", "sarif", "checkstyle", "codeclimate", "gitlab", "github", "gnu"}
