#!/usr/bin/env bash
# Start a local PostgreSQL server on loopback and create the test role and database.
# Prints the SQLAlchemy URL to use as CBEC_TEST_PG_URL on its last line.
set -euo pipefail
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
  pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | grep -q "^$version main .* online"; then
  pg_ctlcluster "$version" main start
fi
for _ in $(seq 1 30); do
  su postgres -c "pg_isready -q -h 127.0.0.1" && break
  sleep 1
done
su postgres -c "psql -q -tc \"SELECT 1 FROM pg_roles WHERE rolname='cbec'\"" | grep -q 1 \
  || su postgres -c "psql -q -c \"CREATE ROLE cbec LOGIN SUPERUSER PASSWORD 'cbec'\""
su postgres -c "psql -q -tc \"SELECT 1 FROM pg_database WHERE datname='cbec_test'\"" | grep -q 1 \
  || su postgres -c "createdb -O cbec cbec_test"
echo "postgresql+psycopg://cbec:cbec@127.0.0.1:5432/cbec_test"
