#!/usr/bin/env bash
# pybuild's main job on the bundled example, from nothing, on Debian 12 as root:
#   1. install pybuild (scripts/setup.sh),
#   2. lint the founding example (fixtures/lint/founding-example.Dockerfile) and show its fixes,
#   3. make a local Python base image once from Debian packages (debootstrap + pybuild import),
#   4. build fixtures/seed-app on it and show the image.
# Docker Hub may be out of reach, so the base image is passed with --build-arg BASE=...
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PYBUILD=.venv/bin/pybuild
CACHE=${PYBUILD_EXAMPLE_CACHE:-$HOME/.cache/pybuild-example}
mkdir -p "$CACHE"

echo "== pybuild lint: the founding example, with its typos"
$PYBUILD lint fixtures/lint/founding-example.Dockerfile || true
echo "== pybuild lint --diff: the fixes it would apply"
$PYBUILD lint --diff fixtures/lint/founding-example.Dockerfile || true

base=python-local:bookworm
if ! $PYBUILD inspect "$base" >/dev/null 2>&1; then
  tar="$CACHE/debian-python-rootfs.tar"
  if [ ! -s "$tar" ]; then
    mirror=${DEBIAN_MIRROR:-$(awk 'BEGIN{RS=""} /Suites:.*bookworm/ && /URIs:/ {for(i=1;i<=NF;i++) if($i=="URIs:"){print $(i+1); exit}}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)}
    mirror=${mirror:-http://deb.debian.org/debian}
    dir="$CACHE/rootfs"
    rm -rf "$dir"
    echo "== debootstrap: a minimal Debian with python3 (once, about a minute) from $mirror"
    debootstrap --variant=minbase --include=python3-minimal bookworm "$dir" "$mirror" >"$CACHE/debootstrap.log" 2>&1 \
      || { tail -n 20 "$CACHE/debootstrap.log"; exit 1; }
    rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
    tar --numeric-owner -C "$dir" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
    rm -rf "$dir"
  fi
  echo "== pybuild import: the root filesystem becomes $base"
  $PYBUILD import --change 'CMD ["python3"]' "$tar" "$base"
fi

echo "== pybuild build: fixtures/seed-app"
$PYBUILD build --build-arg BASE=$base -t seed-app:1 fixtures/seed-app
echo "== pybuild history seed-app:1"
$PYBUILD history seed-app:1
echo "== a cached rebuild"
time $PYBUILD build --build-arg BASE=$base -t seed-app:1 fixtures/seed-app
