#!/usr/bin/env bash
# test/run.sh -- run every test of isms27022 on a throwaway PostgreSQL 15 cluster.
#
#   sudo bash test/run.sh                 # everything: regress, isolation, pgtap, scripts
#   sudo bash test/run.sh regress pgtap   # only some suites
#   REGRESS="clause catalog" bash test/run.sh regress   # only some files
#   ISMS_KEEP=1 ... keeps the work directory (results, server log) and says where
#
# Installs what is missing, builds the extension into a private staging copy
# of the server, starts a cluster as the postgres user on a free loopback
# port, runs the suites, stops the cluster, prints regression.diffs on
# failure and exits non-zero if anything failed.  The last line is
# "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/cluster.sh"

suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(regress isolation pgtap scripts)

isms_setup || exit 1
cd "$ISMS_BUILD" || exit 1
pgc=/usr/lib/postgresql/$ISMS_PGVER/bin/pg_config
passed=0
failed=0
failures=()

# Count "ok"/"FAILED" lines of pg_regress output.
count_regress() {
	local log=$1 name=$2
	local ok bad
	ok=$(grep -cE '^(ok|test) .* ok( |$)|^ok [0-9]+ ' "$log")
	bad=$(grep -cE ' (FAILED|failed)( |$)|^not ok ' "$log")
	passed=$((passed + ok))
	failed=$((failed + bad))
	[ "$bad" -gt 0 ] && failures+=("$name")
	return 0
}

run_regress() {
	local out=$ISMS_WORK/regress
	mkdir -p "$out"
	echo "== pg_regress"
	local only=()
	[ -n "${REGRESS:-}" ] && only=("REGRESS=$REGRESS")
	make -s PG_CONFIG=$pgc installcheck ISOLATION= "${only[@]}" \
		REGRESS_OPTS="--load-extension=isms27022 --outputdir=$out --user=postgres" \
		2>&1 | tee "$out/log"
	count_regress "$out/log" regress
	[ -f "$out/regression.diffs" ] && cat "$out/regression.diffs"
}

run_isolation() {
	local out=$ISMS_WORK/isolation
	ls test/specs/*.spec >/dev/null 2>&1 || return 0
	mkdir -p "$out"
	echo "== isolation"
	local only=()
	[ -n "${ISOLATION:-}" ] && only=("ISOLATION=$ISOLATION")
	make -s PG_CONFIG=$pgc installcheck REGRESS= "${only[@]}" \
		ISOLATION_OPTS="--inputdir=test --load-extension=isms27022 --outputdir=$out --user=postgres" \
		2>&1 | tee "$out/log"
	count_regress "$out/log" isolation
	[ -f "$out/regression.diffs" ] && cat "$out/regression.diffs"
}

run_pgtap() {
	local files=(${PGTAP:-test/pgtap/*.sql})
	ls "${files[@]}" >/dev/null 2>&1 || return 0
	echo "== pgTAP"
	psql -qX -c "CREATE DATABASE isms_tap" &&
		psql -qX -d isms_tap -c "CREATE EXTENSION pgtap; CREATE EXTENSION isms27022" || { failed=$((failed + 1)); return; }
	local log=$ISMS_WORK/pgtap.log
	pg_prove -d isms_tap "${files[@]}" 2>&1 | tee "$log"
	local ok bad
	ok=$(grep -cE '\.\. ok$' "$log")
	bad=$(grep -cE '\.\. (Failed|Dubious|not ok)' "$log")
	grep -q '^Result: PASS' "$log" || [ "$bad" -gt 0 ] || bad=1
	passed=$((passed + ok))
	failed=$((failed + bad))
	[ "$bad" -gt 0 ] && failures+=(pgtap)
}

# test/scripts/*.sh get the cluster's environment and must exit non-zero on failure.
run_scripts() {
	local s
	for s in ${SCRIPTS:-test/scripts/*.sh}; do
		[ -f "$s" ] || continue
		echo "== script $(basename "$s")"
		if bash "$s"; then
			echo "ok     $(basename "$s")"
			passed=$((passed + 1))
		else
			echo "FAILED $(basename "$s")"
			failed=$((failed + 1))
			failures+=("$(basename "$s")")
		fi
	done
}

for s in "${suites[@]}"; do
	case $s in
	regress | isolation | pgtap | scripts) "run_$s" ;;
	*) echo "unknown suite: $s" >&2; exit 2 ;;
	esac
done

[ ${#failures[@]} -gt 0 ] && echo "failed suites: ${failures[*]}"
[ "${ISMS_KEEP:-0}" = 1 ] && echo "work directory kept: $ISMS_WORK (results under regress/, isolation/)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
