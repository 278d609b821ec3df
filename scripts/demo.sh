#!/usr/bin/env bash
# One command: install everything, seed the demo flow, channels and accounts, and serve.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install.sh
exec .venv/bin/flowdesk demo "$@"
