#!/usr/bin/env bash
# The main job: install into .venv if needed, then `supplymind demo` on the embedded
# (synthetic) sample company. Arguments go to `supplymind demo` (e.g. --out DIR, --seed N).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh
exec .venv/bin/supplymind demo "$@"
