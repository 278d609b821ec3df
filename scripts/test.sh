#!/usr/bin/env bash
# One command: install everything and run every check and test.
# The tests use the PostgreSQL at 127.0.0.1:5432 (FLOWDESK_TEST_POSTGRES_URL overrides) and the
# Redis at 127.0.0.1:6379 (FLOWDESK_TEST_REDIS_URL); the several-node fault tests also start a
# private redis-server of their own. With CI set, an unreachable PostgreSQL or Redis fails the
# run instead of skipping those tests.
# The browser tests (tests/e2e) drive Debian's chromium at /usr/bin/chromium, installed here
# when missing; with CI set, a missing chromium fails them instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

echo "==> ruff (lint and format)"
.venv/bin/ruff check src tests
.venv/bin/ruff format --check src tests

echo "==> mypy --strict"
.venv/bin/mypy

echo "==> console: typecheck and unit tests (vitest)"
(cd web && npm run --silent typecheck && npm test --silent)

if [ ! -x /usr/bin/chromium ]; then
  echo "==> installing Debian's chromium (for the browser tests)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi

if ! command -v redis-server >/dev/null 2>&1; then
  echo "==> installing Debian's redis-server (the fault tests start one of their own)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server
fi

echo "==> pytest"
exec .venv/bin/pytest -q "$@"
