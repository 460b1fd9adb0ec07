"""Reading lint configuration: `[tool.pybuild.lint]` in pyproject.toml, `.pybuild.toml`, and
hadolint's `.hadolint.yaml`/`.hadolint.yml` (so a hadolint user keeps their file).

The nearest directory (walking up from the Dockerfile, or the current directory) that has any
of them is used; when it has several, .hadolint.yaml is read first, then pyproject.toml, then
.pybuild.toml, each overriding the one before. With none, the user's hadolint config is read
(`$XDG_CONFIG_HOME/hadolint.yaml`, `~/.hadolint.yaml`, ...), as hadolint does.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, replace
from pathlib import Path

from ..errors import PybuildError
from .config import LintConfig
from .model import Severity

TYPE_CHECKING = False  # as typing's, without importing typing (~6 ms) at every start
if TYPE_CHECKING:
    from typing import Any

HADOLINT_FILES = (".hadolint.yaml", ".hadolint.yml")
# hadolint keys that only concern its own output; accepted and ignored
_HADOLINT_IGNORED_KEYS = frozenset({"format", "no-color", "verbose"})
_LABEL_TYPES = frozenset({"text", "email", "url", "rfc3339", "semver", "hash", "spdx"})


class ConfigError(PybuildError):
    """A configuration file we cannot use."""


def _user_hadolint_files() -> list[Path]:
    """Where hadolint looks when the project has no config: the user's own files."""
    import os

    home = Path.home()
    xdg = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    return [xdg / "hadolint.yaml", xdg / "hadolint.yml", home / ".hadolint" / "hadolint.yaml",
            home / ".hadolint.yaml"]


def find_config_files(start: Path) -> list[Path]:
    """The config files of the nearest directory at or above `start` that has any; else the
    user's hadolint config, as hadolint would read it."""
    start = start.resolve()
    for d in (start, *start.parents):
        found = [d / n for n in HADOLINT_FILES if (d / n).is_file()][:1]
        pyproject = d / "pyproject.toml"
        if pyproject.is_file() and _has_pybuild_table(pyproject):
            found.append(pyproject)
        if (d / ".pybuild.toml").is_file():
            found.append(d / ".pybuild.toml")
        if found:
            return found
    return next(([p] for p in _user_hadolint_files() if p.is_file()), [])


def _has_pybuild_table(path: Path) -> bool:
    import tomllib  # here: most lint runs find no TOML file to read

    try:
        text = path.read_text(encoding="utf-8")
        if "pybuild" not in text:
            return False
        return "lint" in tomllib.loads(text).get("tool", {}).get("pybuild", {})
    except (OSError, tomllib.TOMLDecodeError):
        return False


def load_config(explicit: str | Path | None, start: Path, base: LintConfig | None = None) -> tuple[LintConfig, list[Path]]:
    """The config from `explicit` (--config), else from files found from `start` upwards."""
    config = base or LintConfig()
    paths = [Path(explicit)] if explicit is not None else find_config_files(start)
    for path in paths:
        config = apply_file(config, path)
    return config, paths


def apply_file(config: LintConfig, path: Path) -> LintConfig:
    """`config` with the settings of one file laid over it."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"cannot read config file {path}: {err.strerror}", path=str(path)) from None
    if path.name in HADOLINT_FILES or path.suffix in (".yaml", ".yml"):
        return apply_hadolint(config, _load_yaml(text, path), path)
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"invalid TOML in {path}: {err}", path=str(path)) from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("pybuild", {}).get("lint", {})
    else:
        data = data.get("tool", {}).get("pybuild", {}).get("lint", data.get("lint", data))
    return apply_pybuild(config, data, path)


def _load_yaml(text: str, path: Path) -> Mapping[str, Any]:
    import yaml  # PyYAML: hadolint's config is YAML

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ConfigError(f"invalid YAML in {path}: {err}", path=str(path)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top", path=str(path))
    return data


def _codes(value: Any, key: str, path: Path) -> frozenset[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: `{key}` must be a list of rule codes", path=str(path))
    return frozenset(c.strip() for v in value for c in v.split(",") if c.strip())


def _severity(value: Any, key: str, path: Path) -> Severity:
    text = str(value).strip().lower()
    if text == "ignore":
        return Severity.NONE
    try:
        return Severity.parse(text)
    except ValueError:
        raise ConfigError(f"{path}: `{key}` must be one of error, warning, info, style, none (got {value!r})",
                          path=str(path)) from None


def _bool(value: Any, key: str, path: Path) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{path}: `{key}` must be true or false", path=str(path))
    return value


def _labels(value: Any, key: str, path: Path) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: `{key}` must map label names to types", path=str(path))
    for name, typ in value.items():
        if str(typ) not in _LABEL_TYPES:
            raise ConfigError(f"{path}: label {name!r} has unknown type {typ!r}",
                              path=str(path), hint="types: " + ", ".join(sorted(_LABEL_TYPES)))
    return {str(k): str(v) for k, v in value.items()}


def _overrides(config: LintConfig, value: Any, path: Path) -> dict[str, Severity]:
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: `override` must map error/warning/info/style to lists of codes", path=str(path))
    out = dict(config.severity)
    for level, codes in value.items():
        sev = _severity(level, "override", path)
        for code in _codes(codes or [], f"override.{level}", path):
            out[code] = sev
    return out


def apply_hadolint(config: LintConfig, data: Mapping[str, Any], path: Path) -> LintConfig:
    """hadolint's keys, as its own config reader takes them."""
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key == "ignored":
            changes["ignore"] = config.ignore | _codes(value or [], key, path)
        elif key == "override":
            changes["severity"] = _overrides(config, value or {}, path)
        elif key in ("trustedRegistries", "trusted-registries"):
            changes["trusted_registries"] = tuple(sorted(_codes(value or [], key, path)))
        elif key == "label-schema":
            changes["label_schema"] = _labels(value or {}, key, path)
        elif key == "strict-labels":
            changes["strict_labels"] = _bool(value, key, path)
        elif key == "failure-threshold":
            changes["failure_threshold"] = _severity(value, key, path)
        elif key == "no-fail":
            changes["no_fail"] = _bool(value, key, path)
        elif key == "disable-ignore-pragma":
            changes["disable_ignore_pragma"] = _bool(value, key, path)
        elif key not in _HADOLINT_IGNORED_KEYS:
            raise ConfigError(f"{path}: unknown hadolint setting `{key}`", path=str(path),
                              hint="hadolint's keys: ignored, override, trustedRegistries, label-schema, "
                                   "strict-labels, failure-threshold, no-fail, disable-ignore-pragma")
    return replace(config, **changes)


_FIELDS = {f.name for f in fields(LintConfig)}


def apply_pybuild(config: LintConfig, data: Mapping[str, Any], path: Path) -> LintConfig:
    """Our keys: LintConfig's field names (dashes or underscores), plus hadolint's `override`."""
    changes: dict[str, Any] = {}
    for raw_key, value in data.items():
        key = raw_key.replace("-", "_")
        if key in ("select", "ignore", "allowed_unpinned"):
            changes[key] = _codes(value, raw_key, path)
        elif key == "extend_ignore":
            changes["ignore"] = changes.get("ignore", config.ignore) | _codes(value, raw_key, path)
        elif key == "severity":
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: `severity` must map rule codes to levels", path=str(path))
            sev = dict(changes.get("severity", config.severity))
            sev.update({code: _severity(level, f"severity.{code}", path) for code, level in value.items()})
            changes["severity"] = sev
        elif key == "override":
            changes["severity"] = _overrides(replace(config, **changes), value, path)
        elif key == "failure_threshold":
            changes[key] = _severity(value, raw_key, path)
        elif key in ("trusted_registries",):
            changes[key] = tuple(sorted(_codes(value, raw_key, path)))
        elif key == "label_schema":
            changes[key] = _labels(value, raw_key, path)
        elif key == "build_args":
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: `build-args` must map names to values", path=str(path))
            changes[key] = {str(k): str(v) for k, v in value.items()}
        elif key in ("strict_labels", "experimental", "shellcheck", "no_fail", "disable_ignore_pragma"):
            changes[key] = _bool(value, raw_key, path)
        elif key in ("target", "platform"):
            changes[key] = str(value)
        else:
            known = sorted(k.replace("_", "-") for k in _FIELDS)
            raise ConfigError(f"{path}: unknown lint setting `{raw_key}`", path=str(path),
                              hint="settings: " + ", ".join(known))
    return replace(config, **changes)
