#!/usr/bin/env bash
# Create .venv in the repository root (Python 3.11) and install SupplyMind with what it needs.
# Idempotent: reinstalls only when pyproject.toml changed. torch goes first, pinned, so pip
# takes the CPU wheel instead of a multi-GB CUDA build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

pick_python() {
  for candidate in "${PYTHON:-}" python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "SupplyMind needs Python 3.11 (set PYTHON=/path/to/python3.11)" >&2
  return 1
}

if [ ! -x .venv/bin/python ]; then
  "$(pick_python)" -m venv .venv
fi
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
stamp=.venv/.install-stamp
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || ! .venv/bin/python -c 'import supplymind' 2>/dev/null; then
  echo "installing SupplyMind into .venv ..." >&2
  # --no-compile: Python compiles what it imports on first use; byte-compiling every file
  # of torch, ray and the rest up front only lengthens a fresh install.
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet --no-compile "torch==2.13.0"
  .venv/bin/python -m pip install --quiet --no-compile -e ".[dev]"
  echo "$want" > "$stamp"
fi
