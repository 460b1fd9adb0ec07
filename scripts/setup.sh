#!/usr/bin/env bash
# Installs what pybuild and its tests need on Debian (as root): system packages, a venv, pybuild.
# Idempotent; every step checks first.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
APT_PACKAGES=(umoci skopeo busybox-static docker-registry runc debootstrap zstd git)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: missing Debian packages (need root to install): ${missing[*]}" >&2
  fi
fi
# The packaged registry starts itself on all interfaces; the tests run their own on 127.0.0.1.
if systemctl is-active --quiet docker-registry 2>/dev/null; then systemctl stop docker-registry || true; fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
# compat mode: the checkout goes on sys.path through a .pth line. The default editable mode installs
# an import hook that costs every pybuild start ~20 ms (it imports pathlib and importlib.util), which
# an installed wheel never pays and which the benchmarks would otherwise charge to pybuild.
# (setuptools calls compat mode transitional: if a later setuptools drops it, the default mode is used.)
.venv/bin/python -m pip install -q -e '.[test]' --config-settings editable_mode=compat 2>/dev/null \
  || .venv/bin/python -m pip install -q -e '.[test]'
