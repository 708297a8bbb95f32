#!/usr/bin/env bash
# Set up cbec-policy on a fresh Debian machine with Python 3.11 (run as root for system packages).
#   bash scripts/setup.sh          runtime: CJK font for figures + virtualenv with the package
#   bash scripts/setup.sh --test   also PostgreSQL and Chromium for the test suite
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

packages=(fonts-noto-cjk)  # real CJK glyphs in report figures
# Old Word .doc (antiword) and WPS .wps / difficult .doc files (LibreOffice headless, Writer only).
packages+=(antiword libreoffice-writer-nogui)
if [ "$want_test" = 1 ]; then
  packages+=(postgresql chromium)  # real database and real browser for the tests
fi

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "warning: please install these Debian packages first: ${missing[*]}" >&2
  fi
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "==> creating virtualenv .venv"
  "$PYTHON" -m venv .venv
fi
extra=""
[ "$want_test" = 1 ] && extra="[test]"
echo "==> installing cbec-policy${extra} into .venv"
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e ".${extra}" 2>&1 | grep -vE "^(WARNING: Location|$)" || true
.venv/bin/python -c "import cbec_policy" # fail here, not later, if the install broke
echo "==> setup done"
