#!/usr/bin/env bash
# test/scripts/cache_reload.sh -- an interrupted catalog cache load is not
# kept (issue 12, finding 10).
#
# One session holds an ACCESS EXCLUSIVE lock on isms.record_transition;
# another backend, whose cache is cold, submits a record under
# statement_timeout: its cache load times out half-way.  After the lock is
# released the same backend must submit and link normally: before the fix
# it kept the half-built cache and refused every submit ("draft is a final
# state", IS001) until it exited.  Uses the runner's cluster (PGHOST,
# PGPORT, PGUSER); exits non-zero on failure.
set -u

db=isms_cache_reload
out=$ISMS_WORK/cache_reload.out
sql() { psql -X -v ON_ERROR_STOP=1 -qAt "$@"; }
fail() { echo "cache_reload: $*"; exit 1; }
cleanup() { sql -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup

sql -d postgres -c "CREATE DATABASE $db" || fail "cannot create database"
sql -d "$db" -c "CREATE EXTENSION isms27022" || fail "cannot create extension"
read -r org rec < <(sql -d "$db" -F ' ' <<'SQL'
SET isms.actor = 'alice';
SELECT o, isms.new_external_record(o, 'security_event', 'Event')
  FROM isms.create_organization('Cache reload') o;
SQL
) || fail "cannot set up"

# the lock holder: waits until the victim has timed out (a marker table)
sql -d "$db" <<'SQL' &
BEGIN;
LOCK TABLE isms.record_transition IN ACCESS EXCLUSIVE MODE;
DO $$ BEGIN
  WHILE NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = 'victim_timed_out') LOOP
    PERFORM pg_sleep(0.05);
  END LOOP;
END $$;
COMMIT;
SQL
holder=$!

# the victim: one backend throughout
psql -X -qAt -d "$db" >"$out" 2>&1 <<SQL
SET isms.actor = 'alice';
DO \$\$ BEGIN
  WHILE NOT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                     WHERE c.relname = 'record_transition' AND l.mode = 'AccessExclusiveLock' AND l.granted) LOOP
    PERFORM pg_sleep(0.05);
  END LOOP;
END \$\$;
SET statement_timeout = '300ms';
SELECT isms.submit_record($rec);
RESET statement_timeout;
CREATE TABLE public.victim_timed_out ();
DO \$\$ BEGIN
  WHILE EXISTS (SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                 WHERE c.relname = 'record_transition' AND l.mode = 'AccessExclusiveLock') LOOP
    PERFORM pg_sleep(0.05);
  END LOOP;
END \$\$;
SELECT 'submit: ' || coalesce(isms.submit_record($rec)::text, 'ok');
SELECT 'state: ' || state FROM isms.record WHERE record_id = $rec;
SQL
wait $holder || fail "the lock holder failed"
grep -q "canceling statement due to statement timeout" "$out" || fail "the cache load was not interrupted: $(cat "$out")"
grep -q "^submit: ok" "$out" || fail "submit refused after an interrupted cache load: $(cat "$out")"
grep -q "^state: in_review" "$out" || fail "record not in review: $(cat "$out")"
echo "cache_reload: an interrupted cache load is reloaded; submit works in the same backend"
