#!/usr/bin/env bash
# Set up, create the SQLite database with demo data, print the demo logins and serve
# http://127.0.0.1:5000 (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export FLASK_APP=disclosure
.venv/bin/flask init-db
.venv/bin/flask demo
echo "打开 http://127.0.0.1:${PORT:-5000} （工作人员登录：http://127.0.0.1:${PORT:-5000}/login）"
exec .venv/bin/flask run --host 127.0.0.1 --port "${PORT:-5000}"
