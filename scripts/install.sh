#!/usr/bin/env bash
# Installs everything Flowdesk needs on a fresh machine: uv, the locked Python packages, then the
# console's locked npm packages and its build (web/dist, served by `flowdesk serve` at /).
# Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v uv >/dev/null 2>&1; then
  UV=(uv)
elif python3 -m uv --version >/dev/null 2>&1; then
  UV=(python3 -m uv)
else
  echo "==> installing uv (Python package manager)"
  python3 -m pip install --quiet --disable-pip-version-check uv
  UV=(python3 -m uv)
fi

echo "==> installing Python packages (uv sync --frozen)"
"${UV[@]}" sync --frozen --quiet

if ! command -v npm >/dev/null 2>&1; then
  echo "error: npm (Node.js 20.19 or newer) is needed to build the console; install Node.js" >&2
  exit 1
fi

echo "==> installing console packages (npm ci)"
(cd web && npm ci --no-audit --no-fund --loglevel=error)

echo "==> building the console (npm run build → web/dist)"
(cd web && npm run --silent build)
