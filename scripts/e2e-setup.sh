#!/usr/bin/env bash
# Install what the real-browser tests (tests/e2e, marker e2e) need on top of scripts/setup.sh
# (which installs the project, WeasyPrint with its Pango libraries and the CJK font, and pypdf):
#   Debian: chromium, poppler-utils (pdftotext)
#   .venv : playwright
#   npm   : axe-core 4 into tests/e2e/node_modules (injected into pages under test; never a CDN)
# Idempotent and quiet when everything is already there; exits non-zero on any failure.
# Playwright's own browser download (`playwright install`) is not used: the tests launch
# Debian's /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "e2e-setup: $*"; }

# -- the project, WeasyPrint, its Pango libraries and the CJK font (scripts/setup.sh) -----------
bash scripts/setup.sh

# -- Debian packages --------------------------------------------------------------------------
APT_PACKAGES=(chromium poppler-utils)
command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(npm)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  say "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

# -- Python packages into the project's venv -----------------------------------------------------
PY_REQS=("playwright>=1.40")
if ! .venv/bin/python - "${PY_REQS[@]}" <<'PY'
import sys
from importlib.metadata import PackageNotFoundError, version

def parts(v):
    return tuple(int(x) for x in v.split(".")[:2] if x.isdigit())

for req in sys.argv[1:]:
    name, low = req.split(">=")
    try:
        if parts(version(name)) < parts(low):
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
PY
then
  say "installing Python packages: ${PY_REQS[*]}"
  .venv/bin/python -m pip install -q "${PY_REQS[@]}"
fi

# -- axe-core from the npm registry ----------------------------------------------------------------
AXE=tests/e2e/node_modules/axe-core
if [ ! -f "$AXE/axe.min.js" ] || ! grep -q '"version": "4\.' "$AXE/package.json"; then
  say "installing axe-core 4 into tests/e2e/node_modules"
  if [ -f tests/e2e/package-lock.json ]; then
    npm ci --prefix tests/e2e --no-audit --no-fund --silent
  else
    npm install --prefix tests/e2e --no-audit --no-fund --silent axe-core@4
  fi
fi

# -- check the result ----------------------------------------------------------------------------
/usr/bin/chromium --version >/dev/null 2>&1 || { say "chromium does not start" >&2; exit 1; }
fc-list :lang=zh family | grep -q "Noto" || { say "no CJK font found by fontconfig" >&2; exit 1; }
command -v pdftotext >/dev/null || { say "pdftotext (poppler-utils) missing" >&2; exit 1; }
.venv/bin/python -c "import weasyprint, playwright.sync_api, pypdf" \
  || { say "weasyprint / playwright / pypdf do not import" >&2; exit 1; }
[ -f "$AXE/axe.min.js" ] || { say "axe-core missing" >&2; exit 1; }
