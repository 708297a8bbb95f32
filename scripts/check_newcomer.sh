#!/usr/bin/env bash
# The newcomer check of ARCHITECTURE.md over the whole suite: a ninth pilot batch is rows in the
# data files only, so every test must pass against a copy of the reference folder that holds one.
# Builds the copy (tests/ninth_batch.py), runs pytest with CBEC_REFERENCE_DIR pointed at it, and
# fails if the package's own files changed. Arguments go to pytest (e.g. -m "not browser").
# Run by scripts/test.sh after the main suite, with the same services; alone it needs what the
# suite needs (see scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-.venv/bin/python}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fingerprint() {
  find src/cbec_policy -type f -not -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum
}
fingerprint >"$work/before"
reference="$("$python" tests/ninth_batch.py "$work")"
echo "newcomer check: the whole suite against $reference (a ninth pilot batch)"
# The made-up batch must not reach the user's database; tests make their own ones.
unset CBEC_DB_URL
status=0
CBEC_REFERENCE_DIR="$reference" "$python" -m pytest -q -p no:cacheprovider "$@" || status=$?
fingerprint >"$work/after"
if ! cmp -s "$work/before" "$work/after"; then
  echo "newcomer check: the package's own files changed during the run:" >&2
  diff "$work/before" "$work/after" >&2 || true
  exit 1
fi
exit "$status"
