"""End-of-life dates of the software that common official images are named after (for PB003).

Compiled on TABLE_DATE from the projects' own published schedules: the Python devguide
(release cycle), the Node.js Release working group schedule, go.dev's release policy (a
release is supported until the second newer one ships), ruby-lang.org's branch list,
php.net's supported-versions and EOL pages, the PostgreSQL versioning policy, Oracle's MySQL
lifecycle, the MariaDB release pages, nginx.org's CHANGES (a branch ends when the next
stable/mainline branch ships), Adoptium's Temurin support roadmap, the Debian release and
LTS pages, Ubuntu's release cycle page, Alpine's release branches, and CentOS's EOL notices;
cross-checked with endoflife.date. A date is `YYYY-MM-DD`, or `YYYY-MM` where the project
publishes only a month. Dates after TABLE_DATE are the projects' schedules and may move.

Versions not listed are unknown to the table and never reported. Redis is left out: it
publishes no dated end of life for its open-source releases.
"""
from __future__ import annotations

from dataclasses import field

from ...records import dataclass

TABLE_DATE = "2026-11-25"


@dataclass(frozen=True)
class Product:
    """A language or distribution with its release cycles, their end-of-life dates and a version to suggest."""

    label: str  # how messages name it: "Python", "Debian"
    eol: dict[str, str]  # version (or "major") -> end-of-life date
    recommended: str | None  # a supported version to suggest (None: the image itself is retired)
    codenames: dict[str, str] = field(default_factory=dict)  # codename -> version
    note: str = ""  # said in the message when the whole image is retired


PYTHON = Product("Python", {
    "2": "2020-01-01", "2.7": "2020-01-01", "3.3": "2017-09-29", "3.4": "2019-03-18", "3.5": "2020-09-30",
    "3.6": "2021-12-23", "3.7": "2023-06-27", "3.8": "2024-10-07", "3.9": "2025-10-31", "3.10": "2026-10-31",
    "3.11": "2027-10", "3.12": "2028-10", "3.13": "2029-10", "3.14": "2030-10",
}, recommended="3.13")

NODE = Product("Node.js", {
    "0.10": "2016-10-31", "0.12": "2016-12-31", "4": "2018-04-30", "5": "2016-06-30", "6": "2019-04-30",
    "7": "2017-06-30", "8": "2019-12-31", "9": "2018-06-30", "10": "2021-04-30", "11": "2019-06-01",
    "12": "2022-04-30", "13": "2020-06-01", "14": "2023-04-30", "15": "2021-06-01", "16": "2023-09-11",
    "17": "2022-06-01", "18": "2025-04-30", "19": "2023-06-01", "20": "2026-04-30", "21": "2024-06-01",
    "22": "2027-04-30", "23": "2025-06-01", "24": "2028-04-30", "25": "2026-06-01", "26": "2029-04-30",
}, recommended="24", codenames={
    "argon": "4", "boron": "6", "carbon": "8", "dubnium": "10", "erbium": "12", "fermium": "14",
    "gallium": "16", "hydrogen": "18", "iron": "20", "jod": "22", "krypton": "24",
})

# Go: each release is supported until the release two minor versions later ships.
GO = Product("Go", {
    "1.9": "2018-08-24", "1.10": "2019-02-25", "1.11": "2019-09-03", "1.12": "2020-02-25",
    "1.13": "2020-08-11", "1.14": "2021-02-16", "1.15": "2021-08-16", "1.16": "2022-03-15",
    "1.17": "2022-08-02", "1.18": "2023-02-01", "1.19": "2023-08-08", "1.20": "2024-02-06",
    "1.21": "2024-08-13", "1.22": "2025-02-11", "1.23": "2025-08-12", "1.24": "2026-02-11",
    "1.25": "2026-08",  # Go 1.27's scheduled release
}, recommended="1.26")

RUBY = Product("Ruby", {
    "2.2": "2018-03-31", "2.3": "2019-03-31", "2.4": "2020-03-31", "2.5": "2021-04-05", "2.6": "2022-04-12",
    "2.7": "2023-03-31", "3.0": "2024-04-23", "3.1": "2025-03-26", "3.2": "2026-03-31", "3.3": "2027-03-31",
    "3.4": "2028-03-31", "4.0": "2029-03-31",
}, recommended="3.4")

PHP = Product("PHP", {
    "5": "2018-12-31", "5.5": "2016-07-21", "5.6": "2018-12-31", "7": "2022-11-28", "7.0": "2019-01-10",
    "7.1": "2019-12-01", "7.2": "2020-11-30", "7.3": "2021-12-06", "7.4": "2022-11-28", "8.0": "2023-11-26",
    "8.1": "2025-12-31", "8.2": "2026-12-31", "8.3": "2027-12-31", "8.4": "2028-12-31", "8.5": "2029-12-31",
}, recommended="8.4")

POSTGRES = Product("PostgreSQL", {
    "9": "2021-11-11", "9.3": "2018-11-08", "9.4": "2020-02-13", "9.5": "2021-02-11", "9.6": "2021-11-11",
    "10": "2022-11-10", "11": "2023-11-09", "12": "2024-11-21", "13": "2025-11-13", "14": "2026-11-12",
    "15": "2027-11-11", "16": "2028-11-09", "17": "2029-11-08", "18": "2030-11-14",
}, recommended="18")

MYSQL = Product("MySQL", {
    "5": "2023-10-31", "5.5": "2018-12-31", "5.6": "2021-02-28", "5.7": "2023-10-31", "8.0": "2026-04-30",
    "8.1": "2023-10-25", "8.2": "2023-12-14", "8.3": "2024-04-10", "8.4": "2032-04-30", "9.0": "2024-10-15",
    "9.1": "2025-01-21", "9.2": "2025-04-15", "9.3": "2025-07-22", "9.4": "2025-10-21", "9.5": "2026-01-20",
    "9.6": "2026-04-21",
}, recommended="8.4")

MARIADB = Product("MariaDB", {
    "10.2": "2022-05-23", "10.3": "2023-05-25", "10.4": "2024-06-18", "10.5": "2025-06-24", "10.6": "2026-07-06",
    "10.7": "2023-02-09", "10.8": "2023-05-20", "10.9": "2023-08-22", "10.10": "2023-11-17",
    "10.11": "2028-02-16", "11.0": "2024-06-06", "11.1": "2024-08-21", "11.2": "2024-11-21",
    "11.3": "2024-05-29", "11.4": "2029-05-29", "11.5": "2024-11-21", "11.6": "2025-02-13",
    "11.7": "2025-05-12", "11.8": "2028-06-04", "12.0": "2025-11-07",
}, recommended="11.4")

# nginx supports the newest stable (even) and mainline (odd) branches; a branch ends when the
# next one of its kind ships.
NGINX = Product("nginx", {
    "1.18": "2021-04-20", "1.19": "2021-05-25", "1.20": "2022-05-24", "1.21": "2022-06-21",
    "1.22": "2023-04-11", "1.23": "2023-05-23", "1.24": "2024-04-23", "1.25": "2024-05-29",
    "1.26": "2025-04-23", "1.27": "2025-06-24", "1.28": "2026-04-14", "1.29": "2026-05-13",
}, recommended="1.30")

TEMURIN = Product("Eclipse Temurin (Java)", {
    "16": "2021-09", "18": "2022-09", "19": "2023-03", "20": "2023-09", "22": "2024-09", "23": "2025-03",
    "24": "2025-09", "26": "2026-09", "11": "2027-10", "17": "2027-10", "21": "2029-12",
}, recommended="21")

# Docker's `openjdk` image stopped getting updates for released Java versions in July 2022.
OPENJDK = Product("the openjdk image", {"*": "2022-07"}, recommended=None,
                  note="the openjdk image is deprecated and no longer updated; use eclipse-temurin")

CENTOS = Product("CentOS", {"6": "2020-11-30", "7": "2024-06-30", "8": "2021-12-31"}, recommended=None,
                 note="CentOS Linux is discontinued; move to a maintained distribution")

# Debian: the end of LTS (five years in all), which is when the images stop getting fixes.
DEBIAN = Product("Debian", {
    "7": "2018-05-31", "8": "2020-06-30", "9": "2022-06-30", "10": "2024-06-30", "11": "2026-08-31",
    "12": "2028-06-30", "13": "2030-06-30",
}, recommended="13", codenames={
    "wheezy": "7", "jessie": "8", "stretch": "9", "buster": "10", "bullseye": "11", "bookworm": "12",
    "trixie": "13",
})

# Ubuntu: the end of standard support (container images get no ESM).
UBUNTU = Product("Ubuntu", {
    "12.04": "2017-04", "14.04": "2019-04", "16.04": "2021-04", "18.04": "2023-05-31", "20.04": "2025-05-29",
    "20.10": "2021-07", "21.04": "2022-01", "21.10": "2022-07", "22.04": "2027-04", "22.10": "2023-07",
    "23.04": "2024-01", "23.10": "2024-07", "24.04": "2029-04", "24.10": "2025-07", "25.04": "2026-01",
    "25.10": "2026-07",
}, recommended="24.04", codenames={
    "precise": "12.04", "trusty": "14.04", "xenial": "16.04", "bionic": "18.04", "focal": "20.04",
    "groovy": "20.10", "hirsute": "21.04", "impish": "21.10", "jammy": "22.04", "kinetic": "22.10",
    "lunar": "23.04", "mantic": "23.10", "noble": "24.04", "oracular": "24.10", "plucky": "25.04",
    "questing": "25.10",
})

# Alpine: the end of the main repository's support (two years per branch).
ALPINE = Product("Alpine", {
    "3.4": "2018-05-01", "3.5": "2018-11-01", "3.6": "2019-05-01", "3.7": "2019-11-01", "3.8": "2020-05-01",
    "3.9": "2021-01-01", "3.10": "2021-05-01", "3.11": "2021-11-01", "3.12": "2022-05-01",
    "3.13": "2022-11-01", "3.14": "2023-05-01", "3.15": "2023-11-01", "3.16": "2024-05-23",
    "3.17": "2024-11-22", "3.18": "2025-05-09", "3.19": "2025-11-01", "3.20": "2026-04-01",
    "3.21": "2026-11-01", "3.22": "2027-05-01", "3.23": "2027-11-01",
}, recommended="3.23")

# Official image name -> the product its tags version.
IMAGES: dict[str, Product] = {
    "python": PYTHON, "node": NODE, "golang": GO, "ruby": RUBY, "php": PHP, "postgres": POSTGRES,
    "mysql": MYSQL, "mariadb": MARIADB, "nginx": NGINX, "eclipse-temurin": TEMURIN, "openjdk": OPENJDK,
    "centos": CENTOS, "debian": DEBIAN, "ubuntu": UBUNTU, "alpine": ALPINE,
}
DISTROS = (DEBIAN, UBUNTU)  # whose codenames appear in other images' tags (`3.8-slim-buster`)


def eol_cycle(product: Product, version: str) -> tuple[str, str] | None:
    """The release cycle `version` belongs to (`3.8.10` is in `3.8`) and its EOL date, if known."""
    if "*" in product.eol:
        return "*", product.eol["*"]
    parts = version.split(".")
    for n in range(len(parts), 0, -1):
        cycle = ".".join(parts[:n])
        found = product.eol.get(cycle)
        if found is not None:
            return cycle, found
    return None


def eol_date(product: Product, version: str) -> str | None:
    """The EOL date of `version`, or None when the table does not know it."""
    found = eol_cycle(product, version)
    return found[1] if found else None


def is_past(date: str, today: str) -> bool:
    """Whether an EOL date (`YYYY-MM-DD` or `YYYY-MM`, the month's first day) is on or before `today`."""
    if len(date) == 7:
        date += "-01"
    return date <= today
