#!/usr/bin/env bash
# Installs everything Flowdesk needs on a fresh machine: uv, then the locked Python packages.
# Safe to run again; it only does what is missing.
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
