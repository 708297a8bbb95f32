#!/usr/bin/env bash
# Set up and run the main job on the bundled data: build the database, write the paper's
# Tables 1 and 2 and the full analysis report into ./out, and print where they are.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
out="${1:-out}"
mkdir -p "$out"
.venv/bin/cbec init
# relevance, instruments and evidence for every stored policy (verified types and themes are kept)
.venv/bin/cbec classify stored
.venv/bin/cbec tables table1 --format md > "$out/table1.md"
.venv/bin/cbec tables table1 --format csv > "$out/table1.csv"
.venv/bin/cbec tables table2 --format md > "$out/table2.md"
.venv/bin/cbec tables table2 --format csv > "$out/table2.csv"
where="$(cd "$out" && pwd)"  # absolute, whether OUT was given relative or absolute
echo "Table 1: $where/table1.md  (CSV: $where/table1.csv)"
echo "Table 2: $where/table2.md  (CSV: $where/table2.csv)"
if .venv/bin/cbec report --help >/dev/null 2>&1; then
  .venv/bin/cbec report --out "$out/report"
fi
