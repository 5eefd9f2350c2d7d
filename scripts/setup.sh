#!/usr/bin/env bash
# Create .venv and install the project with its test tools (idempotent, quiet when up to date).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test]"
  touch "$stamp"
fi
# The UI catalogues (disclosure/translations/*/messages.po → .mo); cheap, so always.
.venv/bin/python scripts/i18n.py compile
