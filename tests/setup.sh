#!/usr/bin/env bash
# Installs and starts what the test suite needs on a fresh Debian machine: the package with its test
# extras, Debian's Chromium for the browser tests, and a PostgreSQL server on 127.0.0.1:5432 that lets
# the tests in as `postgres` (or the server SMSGW_KIT_TEST_PG_URL names). Runs as root or as a user with
# sudo; says what it does at each step and stops with what to do when it cannot go on by itself.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }
fail() { printf '\nsetup.sh stopped: %s\n' "$*" >&2; exit 1; }

# Only what needs root goes through as_root: with everything already installed, no sudo is needed.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else fail "this step needs root ($*), and sudo is missing: run it as root, or install sudo, then run
bash tests/setup.sh again."
  fi
}
apt_updated=""
apt_install() {
  step "Installing Debian packages: $* (apt-get, as root)"
  [ -n "$apt_updated" ] || { as_root apt-get update -q; apt_updated=1; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

step "Installing smsgw_kit with its test extras into $(python3 -c 'import sys; print(sys.prefix)')"
python3 -m pip install --disable-pip-version-check --progress-bar off -e '.[test]' \
  || fail "pip could not install the package. On Debian's own python3 make a virtual environment first:
  python3 -m venv .venv && . .venv/bin/activate && bash tests/setup.sh
(if venv says ensurepip is missing: apt-get install python3-venv, as root)"

step "Checking for Chromium (the browser tests drive /usr/bin/chromium headless)"
if [ -x /usr/bin/chromium ]; then echo "found /usr/bin/chromium"; else apt_install chromium; fi

# The URL the tests use, in the form psql understands (no "+psycopg" driver part).
PG_URL="${SMSGW_KIT_TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
PSQL_URL="${PG_URL/+psycopg/}"
SERVER_URL="${PSQL_URL%/*}/postgres"
pg_ok() { PGCONNECT_TIMEOUT=5 psql -w "$SERVER_URL" -tAc "SELECT 1" >/dev/null 2>&1; }

step "Checking for PostgreSQL (the suite runs every database test on SQLite and on PostgreSQL)"
installed_here=""
if ! command -v pg_ctlcluster >/dev/null && [ -z "${SMSGW_KIT_TEST_PG_URL:-}" ]; then
  apt_install postgresql
  installed_here=1
elif ! command -v psql >/dev/null; then
  apt_install postgresql-client
fi

if [ -z "${SMSGW_KIT_TEST_PG_URL:-}" ] && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)
  [ -n "$version" ] || fail "no PostgreSQL cluster under /etc/postgresql and none answering on 127.0.0.1:5432."
  step "Starting the PostgreSQL $version cluster 'main'"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

step "Checking that the tests can log in: $SERVER_URL"
if ! pg_ok; then
  if [ -n "$installed_here" ]; then
    # A cluster this script just installed: let postgres in over loopback without a password, as on
    # the project's machines (only 127.0.0.1, only for this throwaway test server).
    conf=$(ls -d /etc/postgresql/*/main | sort -V | tail -n1)
    step "Letting postgres in over 127.0.0.1 without a password ($conf/pg_hba.conf) and reloading"
    as_root sed -i 's/^\(host\s\+all\s\+all\s\+127.0.0.1\/32\s\+\)\S\+/\1trust/' "$conf/pg_hba.conf"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(basename "$(dirname "$conf")")" main reload
    sleep 1
  fi
  said=$(PGCONNECT_TIMEOUT=5 psql -w "$SERVER_URL" -tAc "SELECT 1" 2>&1 >/dev/null | head -n1 || true)
  pg_ok || fail "PostgreSQL on ${SERVER_URL#*@} does not let the tests in without a password prompt
(psql: ${said:-no answer}).
Either point the tests at a role that can log in, e.g.
  export SMSGW_KIT_TEST_PG_URL='postgresql+psycopg://USER:PASSWORD@127.0.0.1:5432/test'
(the role needs CREATEDB: the tests make a database of their own per run), or, on a throwaway test
server only, add this line above the other 'host' lines of its pg_hba.conf and reload it:
  host  all  postgres  127.0.0.1/32  trust
Then run bash tests/setup.sh again. Without PostgreSQL the PostgreSQL tests are skipped (with a reason)."
fi

db="${PSQL_URL##*/}"
step "Making sure the database '$db' exists"
if psql -w "$SERVER_URL" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
  echo "database '$db' is there"
else
  psql -w "$SERVER_URL" -c "CREATE DATABASE \"$db\"" >/dev/null && echo "created database '$db'"
fi

step "Ready: run the tests with  python3 -m pytest -n auto"
