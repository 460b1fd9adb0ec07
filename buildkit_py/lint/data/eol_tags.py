"""Reading versions out of official image tags, and suggesting a supported tag (for PB003).

`python:3.8-slim-buster` names Python 3.8 and Debian 10 (buster); `node:14-alpine3.12` names
Node.js 14 and Alpine 3.12; `ubuntu:bionic-20230530` names Ubuntu 18.04. Pure functions.
"""
from __future__ import annotations

import re

from ...records import dataclass
from .eol import ALPINE, DEBIAN, DISTROS, IMAGES, OPENJDK, TEMURIN, UBUNTU, Product, eol_cycle, eol_date, is_past

_VERSION = re.compile(r"\d+(?:\.\d+)*")
_ALPINE_TOKEN = re.compile(r"alpine(\d+\.\d+)(?:\.\d+)?\Z")
_DATE_TOKEN = re.compile(r"\d{8}\Z")  # debian:bookworm-20240612, ubuntu:jammy-20240530
_DOCKER_HUB = ("docker.io", "index.docker.io", "registry-1.docker.io")


@dataclass(frozen=True)
class Expired:
    """A product version past its end of life, as found in an image tag."""

    product: Product
    version: str
    eol: str

    def describe(self) -> str:
        if self.product.note:
            return f"{self.product.note} (since {self.eol[:7]})"
        codename = next((c for c, v in self.product.codenames.items() if v == self.version), None)
        name = f"{self.product.label} {self.version}" + (f" ({codename})" if codename else "")
        return f"{name} reached end of life {self.eol[:7]}"


@dataclass(frozen=True)
class ImageTag:
    """An official Docker Hub image named by a reference, with its tag and digest."""

    name: str  # the official image's name: "python"
    tag: str
    digest: str | None


def official_image(ref: str) -> ImageTag | None:
    """The Docker Hub official image a reference names, with its tag; None for anything else."""
    ref = ref.strip()
    digest = None
    if "@" in ref:
        ref, digest = ref.split("@", 1)
    first, _, rest = ref.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        if first.lower() not in _DOCKER_HUB:
            return None
        ref = rest
    if ref.startswith("library/"):
        ref = ref[len("library/"):]
    if "/" in ref:
        return None  # a user's image, not an official one
    name, _, tag = ref.partition(":")
    if not tag or name not in IMAGES:
        return None
    return ImageTag(name, tag, digest)


def expired(ref: str, today: str) -> list[Expired]:
    """What `ref` runs that is past its end of life on `today` (ISO date), in tag order."""
    image = official_image(ref)
    if image is None:
        return []
    product = IMAGES[image.name]
    out: list[Expired] = []
    tokens = image.tag.split("-")
    version = _product_version(product, tokens[0], image.name)
    cycle = eol_cycle(product, version) if version is not None else None
    if cycle is not None and is_past(cycle[1], today):
        out.append(Expired(product, cycle[0], cycle[1]))
    if product in (DEBIAN, UBUNTU, ALPINE):
        return out  # the distro images: the first token is the distro's own version
    for token in tokens[1:]:
        found = _distro_in(token)
        if found is None:
            continue
        distro, dversion = found
        cycle = eol_cycle(distro, dversion)
        if cycle is not None and is_past(cycle[1], today):
            out.append(Expired(distro, cycle[0], cycle[1]))
    return out


def suggest(ref: str, today: str) -> str | None:
    """A supported reference to use instead of `ref` (same image and variant), or None."""
    image = official_image(ref)
    if image is None:
        return None
    product = IMAGES[image.name]
    tokens = image.tag.split("-")
    if product is OPENJDK:
        major = _VERSION.match(tokens[0])
        kind = "jre" if "jre" in tokens else "jdk"
        version = major.group(0).split(".")[0] if major else TEMURIN.recommended
        date = eol_date(TEMURIN, version or "")
        if date is None or is_past(date, today):
            version = TEMURIN.recommended
        return f"eclipse-temurin:{version}-{kind}"
    if product.recommended is None:
        return None
    out: list[str] = []
    for i, token in enumerate(tokens):
        if i == 0:
            version = _product_version(product, token, image.name)
            date = eol_date(product, version) if version else None
            if date is not None and is_past(date, today):
                out.append(_replacement_version(product, token))
            elif product is TEMURIN and version:
                out.append(version.split(".")[0])  # 8u372 / 11.0.19_7 name one build; the major is enough
            else:
                out.append(token)
            continue
        if _DATE_TOKEN.match(token) or (product is TEMURIN and re.fullmatch(r"b\d+", token)):
            continue  # a build or snapshot date of the old release
        found = _distro_in(token)
        date = eol_date(*found) if found is not None else None
        if found is not None and date is not None and is_past(date, today):
            out.append(_replacement_distro(found[0]))
        else:
            out.append(token)
    return f"{image.name}:{'-'.join(out)}"


def _product_version(product: Product, token: str, name: str) -> str | None:
    lowered = token.lower()
    if product is OPENJDK:
        return "*"
    if lowered in product.codenames:
        return product.codenames[lowered]
    if name == "centos" and lowered.startswith("centos"):
        lowered = lowered[len("centos"):]
    match = _VERSION.match(lowered)
    return match.group(0) if match else None


def _distro_in(token: str) -> tuple[Product, str] | None:
    lowered = token.lower()
    for distro in DISTROS:
        if lowered in distro.codenames:
            return distro, distro.codenames[lowered]
    alpine = _ALPINE_TOKEN.match(lowered)
    if alpine:
        return ALPINE, alpine.group(1)
    return None


def _replacement_version(product: Product, token: str) -> str:
    lowered = token.lower()
    recommended = product.recommended or ""
    if lowered in product.codenames:  # keep the style: a codename for a codename
        return next((c for c, v in product.codenames.items() if v == recommended), recommended)
    return recommended


def _replacement_distro(distro: Product) -> str:
    if distro is ALPINE:
        return f"alpine{ALPINE.recommended}"
    return next(c for c, v in distro.codenames.items() if v == distro.recommended)
