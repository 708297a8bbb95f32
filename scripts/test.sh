#!/usr/bin/env bash
# Set up everything the tests need (virtualenv, PostgreSQL, Chromium, CJK font) and run the suite
# on SQLite and on a real PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
CBEC_TEST_PG_URL="$(bash scripts/start_postgres.sh | tail -n 1)"
export CBEC_TEST_PG_URL
export CBEC_CHROMIUM="${CBEC_CHROMIUM:-/usr/bin/chromium}"
# Here PostgreSQL and Chromium are installed and started: a missing one fails the run, never skips.
export CBEC_REQUIRE_SERVICES=1
# Tests never touch the user's own database: tests/conftest.py gives each test a throw-away one.
unset CBEC_DB_URL
mkdir -p artifacts
.venv/bin/python -m pytest "$@"
# The newcomer check of ARCHITECTURE.md: the same tests again against a copy of the reference data
# that holds a made-up ninth pilot batch (rows in the data files only).
bash scripts/check_newcomer.sh "$@"
