#!/usr/bin/env bash
# The whole test suite, with its own set-up: `bash scripts/test.sh` from a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
# pytest exits 5 when it collected no tests; that is not a failure of the code under test.
if [ "$rc" = 5 ]; then echo "no tests collected"; exit 0; fi
exit "$rc"
