#!/usr/bin/env bash
# test/scripts/readme.sh -- the README's SQL examples run as written, on any
# day (issue 18): the sql blocks of "Running an ISMS: the SQL API in one
# screen" and "Reporting views and BI tools", extracted from README.md (so
# they cannot drift), run in order in a fresh database as the superuser with
# ON_ERROR_STOP; the reporting block's reader must see organisation 1.  The
# blocks hold no fixed date, and the API block's plan_run with a due date in
# the past is refused with IS047, its DETAIL and HINT.
# Uses the harness environment (PGHOST, PGPORT, PGUSER, ISMS_BUILD); exits
# non-zero on failure; drops what it made.
set -u
db=isms_readme
readme=${ISMS_BUILD:-.}/README.md
sql() { psql -X -v ON_ERROR_STOP=1 -qAt "$@"; }
cleanup() {
	sql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "DROP ROLE IF EXISTS grafana" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup

# The first sql block after the heading $1.
block() {
	awk -v h="$1" '$0 == h { found = 1; next }
	               found && /^```sql$/ { inblock = 1; next }
	               inblock && /^```$/ { exit }
	               inblock { print }' "$readme"
}
api=$(block '## Running an ISMS: the SQL API in one screen')
report=$(block '## Reporting views and BI tools')
[ "$(echo "$api" | grep -c 'isms\.')" -ge 10 ] || { echo "readme: the API block was not found"; exit 1; }
echo "$report" | grep -q 'SET ROLE' || { echo "readme: the reporting block was not found"; exit 1; }

# "on any day": no fixed date in the examples (a due date that passes one day fails from then on)
if printf '%s\n' "$api" "$report" | grep -nE "[0-9]{4}-[0-9]{2}-[0-9]{2}"; then
	echo "readme: the examples hold a fixed date; use one relative to CURRENT_DATE"; exit 1
fi
sql -d postgres -c "CREATE DATABASE $db" && sql -d "$db" -c "CREATE EXTENSION isms27022" || exit 1
out=$(printf '%s\n' "$api" "$report" | psql -X -v ON_ERROR_STOP=1 -qAt -d "$db" 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] || { echo "readme: the README's examples fail as written"; exit 1; }
# the reader's page: process 6.2 with its open run
echo "$out" | grep -q '^6\.2|1|' || { echo "readme: the reader does not see organisation 1's process 6.2"; exit 1; }
echo "$out" | grep -q '^t|' || { echo "readme: verify_events did not return valid"; exit 1; }
# and the example as it was, once its due date passed: IS047 with DETAIL and HINT, not a bare CHECK error
out=$(sql -d "$db" -v VERBOSITY=verbose -c "SET isms.actor = 'alice'" \
	-c "SELECT isms.plan_run(1, '6.2', 'ISMS governance', due => CURRENT_DATE - 1)" 2>&1)
echo "$out"
echo "$out" | grep -q '^ERROR:  IS047: ' && echo "$out" | grep -q '^DETAIL:  ' && echo "$out" | grep -q '^HINT:  ' ||
	{ echo "readme: a past due date is not refused with IS047, DETAIL and HINT"; exit 1; }
echo "readme: the README's examples run as written"
