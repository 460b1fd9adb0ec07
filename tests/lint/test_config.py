"""Configuration: pyproject.toml, .pybuild.toml, .hadolint.yaml; inline pragmas; BuildKit's # check=."""
from __future__ import annotations

import pytest

from buildkit_py.lint import LintConfig, Severity, lint
from buildkit_py.lint.config_files import ConfigError, find_config_files, load_config

@pytest.fixture(autouse=True)
def _no_user_config(tmp_path_factory, monkeypatch):
    """The user's own hadolint config must not leak into these tests."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))


BK = frozenset({"LegacyKeyValueFormat", "MaintainerDeprecated", "StageNameCasing", "JSONArgsRecommended"})


def codes(text: str, config: LintConfig | None = None) -> list[tuple[str, int]]:
    return [(d.code, d.span.start_line) for d in lint(text, config or LintConfig(select=BK))]


# ---- config files ------------------------------------------------------------------------

def test_pyproject_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.pybuild.lint]\nignore = ["DL3008"]\nfailure-threshold = "warning"\n'
        'trusted-registries = ["my.registry:5000"]\n[tool.pybuild.lint.severity]\nDL3006 = "error"\n'
        '[tool.pybuild.lint.build-args]\nVERSION = "1"\n')
    (tmp_path / "sub").mkdir()
    config, paths = load_config(None, tmp_path / "sub")
    assert paths == [tmp_path / "pyproject.toml"]
    assert config.ignore == {"DL3008"} and config.failure_threshold == Severity.WARNING
    assert config.severity == {"DL3006": Severity.ERROR}
    assert config.trusted_registries == ("my.registry:5000",) and config.build_args == {"VERSION": "1"}


def test_pyproject_without_our_table_is_not_a_config(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert find_config_files(tmp_path) == []


def test_pybuild_toml_overrides_hadolint_yaml_in_the_same_directory(tmp_path):
    (tmp_path / ".hadolint.yaml").write_text("ignored: [DL3008]\nfailure-threshold: error\n")
    (tmp_path / ".pybuild.toml").write_text('failure-threshold = "style"\nexperimental = true\n')
    config, paths = load_config(None, tmp_path)
    assert [p.name for p in paths] == [".hadolint.yaml", ".pybuild.toml"]
    assert config.ignore == {"DL3008"} and config.failure_threshold == Severity.STYLE and config.experimental


def test_hadolint_yaml_keys(tmp_path):
    (tmp_path / ".hadolint.yml").write_text(
        "failure-threshold: warning\nformat: json\nignored:\n  - DL3008\n  - DL3009\noverride:\n"
        "  error: [DL3006]\n  style: [DL3015]\ntrustedRegistries: docker.io\nlabel-schema:\n  author: text\n"
        "  url: url\nstrict-labels: true\nno-fail: true\ndisable-ignore-pragma: true\n")
    config, _ = load_config(None, tmp_path)
    assert config.ignore == {"DL3008", "DL3009"}
    assert config.severity == {"DL3006": Severity.ERROR, "DL3015": Severity.STYLE}
    assert config.trusted_registries == ("docker.io",) and config.label_schema == {"author": "text", "url": "url"}
    assert config.strict_labels and config.no_fail and config.disable_ignore_pragma
    assert config.failure_threshold == Severity.WARNING


def test_nearest_directory_wins(tmp_path):
    (tmp_path / ".pybuild.toml").write_text('ignore = ["A"]\n')
    (tmp_path / "inner").mkdir()
    (tmp_path / "inner" / ".hadolint.yaml").write_text("ignored: [B]\n")
    config, _ = load_config(None, tmp_path / "inner")
    assert config.ignore == {"B"}


def test_explicit_config_file(tmp_path):
    cfg = tmp_path / "lint.toml"
    cfg.write_text('[lint]\nselect = ["StageNameCasing"]\n')
    config, paths = load_config(cfg, tmp_path)
    assert paths == [cfg] and config.select == {"StageNameCasing"}


@pytest.mark.parametrize("name,text,needle", [
    (".pybuild.toml", 'ignore = "x" = 1\n', "invalid TOML"),
    (".pybuild.toml", 'colour = true\n', "unknown lint setting `colour`"),
    (".pybuild.toml", 'failure-threshold = "loud"\n', "failure-threshold"),
    (".hadolint.yaml", "ignored: [DL3008\n", "invalid YAML"),
    (".hadolint.yaml", "ignore: [DL3008]\n", "unknown hadolint setting `ignore`"),
    (".hadolint.yaml", "label-schema:\n  a: weird\n", "unknown type"),
])
def test_bad_config_is_one_clear_error(tmp_path, name, text, needle):
    (tmp_path / name).write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(None, tmp_path)
    assert needle in str(err.value) and name in str(err.value)


def test_bad_config_exits_2_without_traceback(tmp_path):
    import subprocess
    import sys

    (tmp_path / ".pybuild.toml").write_text("colour = true\n")
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    r = subprocess.run([sys.executable, "-m", "buildkit_py.cli", "lint", "Dockerfile"], cwd=tmp_path,
                       capture_output=True, text=True)
    assert r.returncode == 2 and "unknown lint setting" in r.stderr and "Traceback" not in r.stderr


# ---- inline pragmas ----------------------------------------------------------------------

def test_pybuild_ignore_applies_to_the_next_instruction_only():
    text = ("FROM scratch\n# pybuild: ignore=LegacyKeyValueFormat\n# why: legacy on purpose\nENV A 1\n"
            "ENV B 2\n")
    assert codes(text) == [("LegacyKeyValueFormat", 5)]


def test_hadolint_ignore_and_a_blank_line_ends_the_block():
    text = "FROM scratch\n# hadolint ignore=DL3000,LegacyKeyValueFormat\nENV A 1\n# hadolint ignore=X\n\nENV B 2\n"
    assert codes(text) == [("LegacyKeyValueFormat", 6)]


def test_file_wide_pragmas():
    text = "# pybuild: ignore-file=LegacyKeyValueFormat\nFROM scratch\nENV A 1\nMAINTAINER me\n"
    assert codes(text) == [("MaintainerDeprecated", 4)]
    text = "FROM scratch\nENV A 1\n# hadolint global ignore=MaintainerDeprecated\nMAINTAINER me\n"
    assert codes(text) == [("LegacyKeyValueFormat", 2)]


def test_pragmas_cover_every_line_of_a_continued_instruction():
    text = "FROM scratch\n# pybuild: ignore=LegacyKeyValueFormat\nENV A \\\n  1\n"
    assert codes(text) == []


def test_disable_ignore_pragma():
    text = "FROM scratch\n# pybuild: ignore=LegacyKeyValueFormat\nENV A 1\n"
    assert codes(text, LintConfig(select=BK, disable_ignore_pragma=True)) == [("LegacyKeyValueFormat", 3)]


# ---- BuildKit's # check= -----------------------------------------------------------------

def test_check_skip_and_error_in_the_directive():
    text = "# check=skip=LegacyKeyValueFormat;error=true\nFROM scratch\nENV A 1\nMAINTAINER me\n"
    found = lint(text, LintConfig(select=BK))
    assert [(d.code, d.severity) for d in found] == [("MaintainerDeprecated", Severity.ERROR)]


def test_check_comment_on_an_instruction_skips_only_there():
    text = "FROM scratch\n# check=skip=LegacyKeyValueFormat\nENV A 1\nENV B 2\n"
    assert codes(text) == [("LegacyKeyValueFormat", 4)]


def test_build_arg_replaces_the_directive():
    text = "# check=skip=all\nFROM scratch\nENV A 1\n"
    cfg = LintConfig(select=BK, build_args={"BUILDKIT_DOCKERFILE_CHECK": "error=true"})
    assert [(d.code, d.severity) for d in lint(text, cfg)] == [("LegacyKeyValueFormat", Severity.ERROR)]


def test_experimental_checks_ignore_skip_all():
    text = "# check=skip=all;experimental=InvalidDefinitionDescription\n# wrong\nARG A=1\nFROM scratch\n"
    assert [d.code for d in lint(text)] == ["InvalidDefinitionDescription"]


def test_unreadable_check_directive_is_a_build_error():
    found = lint("# check=skip=all;colour=red\nFROM scratch\n", LintConfig(select=frozenset({"BuildError"})))
    assert [(d.code, d.span.start_line) for d in found] == [("BuildError", 1)]
    assert 'invalid check option "colour"' in found[0].message


def test_severity_override_wins_and_none_drops():
    text = "FROM scratch\nENV A 1\nMAINTAINER me\n"
    cfg = LintConfig(select=BK, severity={"LegacyKeyValueFormat": Severity.STYLE, "MaintainerDeprecated": Severity.NONE})
    assert [(d.code, d.severity) for d in lint(text, cfg)] == [("LegacyKeyValueFormat", Severity.STYLE)]


def test_users_hadolint_config_when_the_project_has_none(tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / ".config").mkdir(parents=True)
    (home / ".config" / "hadolint.yaml").write_text("ignored: [DL3007]\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    project = tmp_path / "project"
    project.mkdir()
    config, paths = load_config(None, project)
    assert paths == [home / ".config" / "hadolint.yaml"] and config.ignore == {"DL3007"}
    (project / ".pybuild.toml").write_text('ignore = ["X"]\n')
    config, _ = load_config(None, project)
    assert config.ignore == {"X"}  # a project config wins; the user's is not merged in


def test_shellcheck_findings_go_through_the_same_suppression(monkeypatch):
    import sys
    import types

    from buildkit_py.errors import Span
    from buildkit_py.lint import Diagnostic

    def run_shellcheck(ctx):  # stands in for the module that runs the real shellcheck
        for ins in ctx.instructions:
            if ins.name == "RUN":
                yield Diagnostic("SC2086", "Double quote to prevent globbing", Severity.INFO,
                                 Span(ins.start_line, 1, ins.start_line, 4), ctx.path)

    fake = types.ModuleType("buildkit_py.lint.shellcheck")
    fake.run_shellcheck = run_shellcheck
    monkeypatch.setitem(sys.modules, "buildkit_py.lint.shellcheck", fake)
    text = "FROM scratch\nRUN echo $a\n# hadolint ignore=SC2086\nRUN echo $b\n"
    cfg = LintConfig(select=frozenset({"X"}), shellcheck=True)
    assert [(d.code, d.span.start_line) for d in lint(text, cfg)] == [("SC2086", 2)]
    assert lint(text, LintConfig(select=frozenset({"X"}), shellcheck=True, ignore=frozenset({"SC2086"}))) == []
