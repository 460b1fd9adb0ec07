"""The image configuration: platform, run defaults (`config`), rootfs diff_ids and history.

Docker's extensions that BuildKit writes into OCI configs too (Healthcheck, OnBuild, Shell) are
modelled; other Docker fields (container_config, docker_version, ...) ride along in `extra`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from typing import Any

from buildkit_py.oci.jsonfields import (
    ImageSpecError, check_digest, extra_fields, get_bool, get_int, get_map, get_set, get_str,
    get_strs, obj, put, sorted_map, with_extra,
)
from buildkit_py.records import dataclass


def _list(v: tuple[str, ...] | None) -> list[str] | None:
    return None if v is None else list(v)


def _set(v: tuple[str, ...] | None) -> dict[str, dict[str, Any]] | None:
    return None if v is None else {k: {} for k in sorted(v)}


@dataclass(frozen=True)
class Healthcheck:
    """HEALTHCHECK; durations in nanoseconds as Docker stores them."""

    test: tuple[str, ...] | None = None
    interval: int | None = None
    timeout: int | None = None
    start_period: int | None = None
    start_interval: int | None = None
    retries: int | None = None
    extra: Mapping[str, Any] | None = field(default=None, compare=False)

    _KEYS = ("Test", "Interval", "Timeout", "StartPeriod", "StartInterval", "Retries")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        put(out, "Test", _list(self.test))
        for key, value in zip(self._KEYS[1:], (self.interval, self.timeout, self.start_period,
                                               self.start_interval, self.retries)):
            put(out, key, value)
        return with_extra(out, self.extra)

    @classmethod
    def from_json(cls, d: Any) -> Healthcheck:
        w = "config: Healthcheck"
        d = obj(d, w)
        ints = [get_int(d, k, w) for k in cls._KEYS[1:]]
        return cls(get_strs(d, "Test", w), *ints, extra=extra_fields(d, cls._KEYS))


_CONTAINER_KEYS = ("User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes", "WorkingDir",
                   "Labels", "StopSignal", "ArgsEscaped", "Healthcheck", "OnBuild", "Shell")


@dataclass(frozen=True)
class ContainerConfig:
    """The `config` member: defaults for containers run from the image. None means unset."""

    user: str | None = None
    exposed_ports: tuple[str, ...] | None = None
    env: tuple[str, ...] | None = None
    entrypoint: tuple[str, ...] | None = None
    cmd: tuple[str, ...] | None = None
    volumes: tuple[str, ...] | None = None
    working_dir: str | None = None
    labels: Mapping[str, str] | None = None
    stop_signal: str | None = None
    args_escaped: bool = False
    healthcheck: Healthcheck | None = None
    on_build: tuple[str, ...] | None = None
    shell: tuple[str, ...] | None = None
    extra: Mapping[str, Any] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # Ports and volumes are sets (Go maps) in the JSON: keep them sorted so equal means equal.
        for name in ("exposed_ports", "volumes"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, tuple(sorted(set(value))))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        put(out, "User", self.user or None)
        put(out, "ExposedPorts", _set(self.exposed_ports) or None)
        put(out, "Env", _list(self.env))
        put(out, "Entrypoint", _list(self.entrypoint))
        put(out, "Cmd", _list(self.cmd))
        put(out, "Volumes", _set(self.volumes) or None)
        put(out, "WorkingDir", self.working_dir or None)
        put(out, "Labels", sorted_map(self.labels) or None)
        put(out, "StopSignal", self.stop_signal or None)
        put(out, "ArgsEscaped", True if self.args_escaped else None)
        put(out, "Healthcheck", None if self.healthcheck is None else self.healthcheck.to_json())
        put(out, "OnBuild", _list(self.on_build))
        put(out, "Shell", _list(self.shell))
        return with_extra(out, self.extra)

    @classmethod
    def from_json(cls, d: Any) -> ContainerConfig:
        w = "config"
        d = obj(d, w)
        hc = d.get("Healthcheck")
        return cls(
            user=get_str(d, "User", w),
            exposed_ports=get_set(d, "ExposedPorts", w),
            env=get_strs(d, "Env", w),
            entrypoint=get_strs(d, "Entrypoint", w),
            cmd=get_strs(d, "Cmd", w),
            volumes=get_set(d, "Volumes", w),
            working_dir=get_str(d, "WorkingDir", w),
            labels=get_map(d, "Labels", w),
            stop_signal=get_str(d, "StopSignal", w),
            args_escaped=get_bool(d, "ArgsEscaped", w),
            healthcheck=None if hc is None else Healthcheck.from_json(hc),
            on_build=get_strs(d, "OnBuild", w),
            shell=get_strs(d, "Shell", w),
            extra=extra_fields(d, _CONTAINER_KEYS),
        )


@dataclass(frozen=True)
class History:
    created: str | None = None
    created_by: str | None = None
    author: str | None = None
    comment: str | None = None
    empty_layer: bool = False
    extra: Mapping[str, Any] | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        put(out, "created", self.created)
        put(out, "created_by", self.created_by)
        put(out, "author", self.author)
        put(out, "comment", self.comment)
        put(out, "empty_layer", True if self.empty_layer else None)
        return with_extra(out, self.extra)

    @classmethod
    def from_json(cls, d: Any, what: str = "history") -> History:
        d = obj(d, what)
        return cls(
            created=get_str(d, "created", what),
            created_by=get_str(d, "created_by", what),
            author=get_str(d, "author", what),
            comment=get_str(d, "comment", what),
            empty_layer=get_bool(d, "empty_layer", what),
            extra=extra_fields(d, ("created", "created_by", "author", "comment", "empty_layer")),
        )


_IMAGE_KEYS = ("created", "author", "architecture", "os", "os.version", "os.features", "variant",
               "config", "rootfs", "history")


@dataclass(frozen=True)
class ImageConfig:
    """The image configuration blob (OCI_CONFIG / DOCKER_CONFIG)."""

    architecture: str
    os: str
    diff_ids: tuple[str, ...] = ()
    history: tuple[History, ...] | None = None
    config: ContainerConfig | None = None
    created: str | None = None
    author: str | None = None
    variant: str | None = None
    os_version: str | None = None
    os_features: tuple[str, ...] | None = None
    extra: Mapping[str, Any] | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        put(out, "created", self.created)
        put(out, "author", self.author)
        out["architecture"] = self.architecture
        out["os"] = self.os
        put(out, "os.version", self.os_version)
        put(out, "os.features", _list(self.os_features))
        put(out, "variant", self.variant)
        if self.config is not None:
            out["config"] = self.config.to_json()
        out["rootfs"] = {"type": "layers", "diff_ids": list(self.diff_ids)}
        put(out, "history", None if self.history is None else [h.to_json() for h in self.history])
        return with_extra(out, self.extra)

    @classmethod
    def from_json(cls, d: Any) -> ImageConfig:
        w = "image config"
        d = obj(d, w)
        rootfs = obj(d.get("rootfs"), f"{w}: rootfs")
        if rootfs.get("type") != "layers":
            raise ImageSpecError(f"{w}: rootfs.type must be 'layers', got {rootfs.get('type')!r}")
        diff_ids = get_strs(rootfs, "diff_ids", f"{w}: rootfs")
        if diff_ids is None:
            raise ImageSpecError(f"{w}: rootfs: missing required field 'diff_ids'")
        for i, x in enumerate(diff_ids):
            check_digest(x, f"{w}: rootfs.diff_ids[{i}]")
        history = d.get("history")
        if history is not None and not isinstance(history, list):
            raise ImageSpecError(f"{w}: field 'history' must be an array")
        config = d.get("config")
        return cls(
            architecture=get_str(d, "architecture", w, required=True) or "",
            os=get_str(d, "os", w, required=True) or "",
            diff_ids=diff_ids,
            history=None if history is None else tuple(
                History.from_json(h, f"{w}: history[{i}]") for i, h in enumerate(history)),
            config=None if config is None else ContainerConfig.from_json(config),
            created=get_str(d, "created", w),
            author=get_str(d, "author", w),
            variant=get_str(d, "variant", w),
            os_version=get_str(d, "os.version", w),
            os_features=get_strs(d, "os.features", w),
            extra=extra_fields(d, _IMAGE_KEYS),
        )
