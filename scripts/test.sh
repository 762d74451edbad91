#!/usr/bin/env bash
# The whole test suite: install into .venv if needed, lint, type-check, then pytest.
# Arguments are passed to pytest. Exits with pytest's code (5 = no tests collected).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/bootstrap.sh || exit 1
.venv/bin/ruff check src tests benchmarks || exit 1
.venv/bin/ruff format --check src tests benchmarks || exit 1
.venv/bin/mypy || exit 1
exec .venv/bin/python -m pytest "$@"
