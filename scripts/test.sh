#!/usr/bin/env bash
# One command: install everything and run every check and test.
# The tests use the PostgreSQL at 127.0.0.1:5432 (FLOWDESK_TEST_POSTGRES_URL overrides);
# with CI set, an unreachable PostgreSQL fails the run instead of skipping those tests.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh

echo "==> ruff (lint and format)"
.venv/bin/ruff check src tests
.venv/bin/ruff format --check src tests

echo "==> mypy --strict"
.venv/bin/mypy

echo "==> pytest"
exec .venv/bin/pytest -q "$@"
