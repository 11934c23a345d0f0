#!/usr/bin/env bash
# Runs the whole suite on SQLite, then again on PostgreSQL when one is reachable.
# With CI=true a reachable PostgreSQL that the suite did not actually use is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
# Two workers: the suite is mostly database set-up and browser waits, which overlap well.
WORKERS=${PYTEST_WORKERS:-2}
PG_URL=${PLACEBASE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
used=var/test-databases-used
rm -rf "$used"; mkdir -p "$used"

echo "== tests on SQLite =="
env -u DATABASE_URL "$PY" -m pytest -n "$WORKERS" "$@"

pg_reachable() {
  "$PY" - "$PG_URL" <<'PYEOF'
import sys
import psycopg
try:
    psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://", 1), connect_timeout=3).close()
except Exception as error:
    print(f"PostgreSQL not reachable: {type(error).__name__}", file=sys.stderr)
    sys.exit(1)
PYEOF
}

if pg_reachable; then
  echo "== tests on PostgreSQL =="
  DATABASE_URL="$PG_URL" "$PY" -m pytest -n "$WORKERS" "$@"
  if [ ! -f "$used/postgresql" ]; then
    echo "PostgreSQL was reachable but the suite did not use it." >&2
    exit 1
  fi
elif [ "${CI:-}" = "true" ]; then
  echo "CI=true but PostgreSQL is not reachable at $PG_URL: the suite must run on it." >&2
  exit 1
else
  echo "PostgreSQL is not reachable: skipped the PostgreSQL run (CI would fail here)."
fi
