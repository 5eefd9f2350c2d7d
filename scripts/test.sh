#!/usr/bin/env bash
# Set up and run the whole test suite: ruff (style, import order), the tests on SQLite, then on
# PostgreSQL when a server answers (TEST_DATABASE_URL, default
# postgresql://postgres@127.0.0.1:5432/test), then the end-to-end
# tests in Debian's Chromium (scripts/e2e-setup.sh installs it; SKIP_E2E=1 skips both).
# Exits non-zero if any run fails or collects no tests (pytest exit 5).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
# The browser and axe-core for the e2e pass (setup.sh above already installed WeasyPrint and
# the CJK font, so the PDF tests of the fast suites run too).
if [ -z "${SKIP_E2E:-}" ]; then
  bash scripts/e2e-setup.sh || { echo "e2e set-up failed" >&2; exit 1; }
fi
run() {
  .venv/bin/python -m pytest "$@"
  rc=$?
  if [ "$rc" -eq 5 ]; then echo "pytest collected no tests: failing" >&2; return 1; fi
  return "$rc"
}
status=0
echo "== ruff (style and import order) =="
.venv/bin/ruff check . || status=1
echo "== tests on SQLite =="
TEST_DATABASE_URL= run -q -p no:cacheprovider -m "not e2e" "$@" || status=1
PG_URL=${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}
if .venv/bin/python - "$PG_URL" <<'PY' 2>/dev/null
import sys, psycopg
psycopg.connect(sys.argv[1].replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3).close()
PY
then
  echo "== tests on PostgreSQL ($PG_URL) =="
  TEST_DATABASE_URL="$PG_URL" run -q -p no:cacheprovider -m "not e2e" "$@" || status=1
else
  echo "PostgreSQL at $PG_URL does not answer: PostgreSQL run skipped" >&2
fi
if [ -z "${SKIP_E2E:-}" ]; then
  echo "== end-to-end tests in a real Chromium =="
  TEST_DATABASE_URL= run -q -p no:cacheprovider -m e2e tests/e2e "$@" || status=1
fi
exit $status
