#!/usr/bin/env bash
# Create .venv and install the project with its test tools (idempotent, quiet when up to date),
# and what the PDF letters need from the system: WeasyPrint's Pango libraries and a CJK font
# (Debian/Ubuntu packages, installed with apt-get — through sudo unless run as root). Without
# apt-get it says what to install by hand and goes on: the app runs, PDF links answer 503.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "setup: $*"; }

# -- Debian packages for the PDF letters (WeasyPrint ≥ 61 from pip wheels) ----------------------
# Pango and its fontconfig backend (WeasyPrint's documented needs on Debian ≥ 11), and the CJK
# font disclosure/static/pdf.css asks for (Noto Serif/Sans CJK SC).
PDF_APT_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk)
PDF_HINT="Pango ≥ 1.44 and a CJK font (Noto Serif/Sans CJK SC, e.g. Debian's fonts-noto-cjk)"
pdf_system_packages() {
  if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
    say "apt-get is not available: install $PDF_HINT yourself, or PDF letters answer 503" >&2
    return 0
  fi
  local missing=() pkg
  for pkg in "${PDF_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      say "not root and no sudo: install ${missing[*]} as root, or PDF letters answer 503" >&2
      return 0
    fi
    sudo="sudo"
  fi
  say "installing Debian packages for the PDF letters: ${missing[*]}"
  if ! { $sudo apt-get update -qq \
         && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
              --no-install-recommends "${missing[@]}" >/dev/null; }; then
    say "apt-get could not install ${missing[*]}: PDF letters answer 503 until it is done" >&2
  fi
}
pdf_system_packages

# -- the project and its test tools into .venv -----------------------------------------------------
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

# -- check the PDF letters (a warning, not a failure: everything else works without them) -------
if ! .venv/bin/python -c "import weasyprint" >/dev/null 2>&1; then
  say "WeasyPrint does not load (missing $PDF_HINT?): PDF letters answer 503" >&2
elif command -v fc-list >/dev/null 2>&1 && ! fc-list :lang=zh family | grep -q .; then
  say "no CJK font found by fontconfig ($PDF_HINT): PDF letters would show empty boxes" >&2
fi
