#!/usr/bin/env bash
# test/scripts/registers_tutorial.sh -- the register tutorial of
# docs/registers.md ("Tutorial: a risk lead's day") runs as written and
# prints what the document shows (issue 15): its sql blocks, extracted from
# the markdown so that they cannot drift, run in order in one psql session
# in a fresh database, after test/lib/registers_tutorial.sql has set up the
# organisation and its runs; the output of each sql block that a text block
# follows must be that text block.  Uses the harness environment (PGHOST,
# PGPORT, PGUSER, ISMS_BUILD); exits non-zero on failure; drops what it made.
set -u
root=${ISMS_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)}
doc=$root/docs/registers.md
db=isms_registers_tutorial
work=$(mktemp -d)
sql() { psql -X -v ON_ERROR_STOP=1 -qAt "$@"; }
cleanup() {
	sql -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
	for r in tut_lead tut_ciso tut_owner tut_reader; do
		sql -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null 2>&1
	done
	rm -rf "$work"
}
trap cleanup EXIT
cleanup
mkdir -p "$work"

# The section's blocks: block N's sql in $work/N.sql, the text block that
# follows it (if any) in $work/N.expected.
awk -v dir="$work" '
	/^## / { insec = ($0 == "## Tutorial: a risk lead'"'"'s day"); next }
	!insec { next }
	/^```sql$/ { n++; f = dir "/" n ".sql"; printf "" > f; kind = "sql"; next }
	/^```text$/ && n { f = dir "/" n ".expected"; printf "" > f; kind = "text"; next }
	/^```$/ { kind = ""; next }
	kind != "" { print >> f }
' "$doc"
blocks=$(ls "$work"/*.sql 2>/dev/null | wc -l)
[ "$blocks" -ge 5 ] || { echo "registers_tutorial: the tutorial's sql blocks were not found in $doc"; exit 1; }

sql -d postgres -c "CREATE DATABASE $db" && sql -d "$db" -c "CREATE EXTENSION isms27022" || exit 1
{
	echo "\\i $root/test/lib/registers_tutorial.sql"
	echo '\pset footer off'
	for i in $(seq 1 "$blocks"); do
		echo "\\echo '<<block $i>>'"
		cat "$work/$i.sql"
	done
	echo "\\echo '<<block end>>'"
} >"$work/all.psql"
if ! psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$work/all.psql" >"$work/out" 2>&1; then
	echo "registers_tutorial: the tutorial fails as written:"
	tail -20 "$work/out"
	exit 1
fi
failed=0
for i in $(seq 1 "$blocks"); do
	[ -f "$work/$i.expected" ] || continue
	# trailing blank lines aside ($(...) drops them)
	got=$(awk -v b="<<block $i>>" '$0 == b { on = 1; next } /^<<block / { on = 0 } on' "$work/out")
	expected=$(cat "$work/$i.expected")
	if [ "$got" = "$expected" ]; then
		echo "ok - block $i prints what the document shows"
	else
		echo "not ok - block $i prints something else than the document shows:"
		diff -u <(echo "$expected") <(echo "$got")
		failed=$((failed + 1))
	fi
done
[ $failed -eq 0 ] && echo "registers_tutorial: $blocks blocks of the tutorial run as written"
[ $failed -eq 0 ]
