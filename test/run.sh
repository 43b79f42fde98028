#!/usr/bin/env bash
# test/run.sh -- run every test of isms27022 on throwaway PostgreSQL 15 clusters.
#
#   bash test/run.sh                      # everything (as root; others prefix sudo)
#   bash test/run.sh regress pgtap        # only some suites of the first pass
#   bash test/run.sh future               # only the second pass
#   REGRESS="clause catalog" bash test/run.sh regress   # only some files
#   ISMS_KEEP=1 ... keeps the work directory (results, server log) and says where
#
# Installs what is missing, builds the extension into a private staging copy
# of the server and runs two passes, each on its own cluster started as the
# postgres user on a free loopback port:
#
#   1. regress, isolation, pgtap, scripts: server and clients in time zone UTC;
#   2. future: regress, isolation and pgtap again, with the server's clock a
#      year and a day ahead (libfaketime, FAKETIME=+366d) and server and
#      clients in time zone Pacific/Kiritimati (UTC+14), which proves that no
#      expected output depends on today's date or the time zone.
#
# pg_regress forces PGTZ=PST8PDT on its psql; --launcher="env PGTZ=..."
# overrides it.  A script test exits 0 (passed), 77 (skipped, as automake's
# convention) or anything else (failed).  Prints regression.diffs on failure,
# exits non-zero if anything failed; the last line is "N passed, N failed",
# followed by ", N skipped" when a test was skipped.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/cluster.sh"

suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(regress isolation pgtap scripts future)
for s in "${suites[@]}"; do
	case $s in
	regress | isolation | pgtap | scripts) ;;
	future) ISMS_EXTRA_PACKAGES="${ISMS_EXTRA_PACKAGES:-} faketime" ;;
	*) echo "unknown suite: $s" >&2; exit 2 ;;
	esac
done

# PGXS installs $(SCRIPTS): keep the runner's SCRIPTS out of make's environment
script_tests=${SCRIPTS:-test/scripts/*.sh}
unset SCRIPTS
export PGTZ=UTC
isms_setup timezone=UTC || exit 1
cd "$ISMS_BUILD" || exit 1
pgc=/usr/lib/postgresql/$ISMS_PGVER/bin/pg_config
passed=0
failed=0
skipped=0
failures=()
out=$ISMS_WORK   # where the current pass writes its results
pass=""          # "" for the first pass, "future " for the second

# Count "ok"/"FAILED" lines of pg_regress output.
count_regress() {
	local log=$1 name=$2
	local ok bad
	ok=$(grep -cE '^(ok|test) .* ok( |$)|^ok [0-9]+ ' "$log")
	bad=$(grep -cE ' (FAILED|failed)( |$)|^not ok ' "$log")
	passed=$((passed + ok))
	failed=$((failed + bad))
	[ "$bad" -gt 0 ] && failures+=("$pass$name")
	return 0
}

run_regress() {
	local dir=$out/regress
	mkdir -p "$dir"
	echo "== ${pass}pg_regress"
	local only=()
	[ -n "${REGRESS:-}" ] && only=("REGRESS=$REGRESS")
	make -s PG_CONFIG=$pgc installcheck ISOLATION= "${only[@]}" \
		REGRESS_OPTS="--load-extension=isms27022 --outputdir=$dir --user=postgres --launcher='env PGTZ=$PGTZ'" \
		2>&1 | tee "$dir/log"
	count_regress "$dir/log" regress
	[ -f "$dir/regression.diffs" ] && cat "$dir/regression.diffs"
}

run_isolation() {
	local dir=$out/isolation
	ls test/specs/*.spec >/dev/null 2>&1 || return 0
	mkdir -p "$dir"
	echo "== ${pass}isolation"
	local only=()
	[ -n "${ISOLATION:-}" ] && only=("ISOLATION=$ISOLATION")
	make -s PG_CONFIG=$pgc installcheck REGRESS= "${only[@]}" \
		ISOLATION_OPTS="--inputdir=test --load-extension=isms27022 --outputdir=$dir --user=postgres --launcher='env PGTZ=$PGTZ'" \
		2>&1 | tee "$dir/log"
	count_regress "$dir/log" isolation
	[ -f "$dir/regression.diffs" ] && cat "$dir/regression.diffs"
}

run_pgtap() {
	local files=(${PGTAP:-test/pgtap/*.sql})
	ls "${files[@]}" >/dev/null 2>&1 || return 0
	echo "== ${pass}pgTAP"
	psql -qX -c "CREATE DATABASE isms_tap" &&
		psql -qX -d isms_tap -c "CREATE EXTENSION pgtap; CREATE EXTENSION isms27022" ||
		{ failed=$((failed + 1)); failures+=("${pass}pgtap"); return; }
	local log=$out/pgtap.log
	pg_prove -d isms_tap "${files[@]}" 2>&1 | tee "$log"
	local ok bad
	ok=$(grep -cE '\.\. ok$' "$log")
	bad=$(grep -cE '\.\. (Failed|Dubious|not ok)' "$log")
	grep -q '^Result: PASS' "$log" || [ "$bad" -gt 0 ] || bad=1
	passed=$((passed + ok))
	failed=$((failed + bad))
	[ "$bad" -gt 0 ] && failures+=("${pass}pgtap")
}

# test/scripts/*.sh get the cluster's environment; exit 0 passed, 77 skipped.
run_scripts() {
	local s rc
	for s in $script_tests; do
		[ -f "$s" ] || continue
		echo "== script $(basename "$s")"
		bash "$s"
		rc=$?
		if [ $rc -eq 0 ]; then
			echo "ok      $(basename "$s")"
			passed=$((passed + 1))
		elif [ $rc -eq 77 ]; then
			echo "skipped $(basename "$s")"
			skipped=$((skipped + 1))
		else
			echo "FAILED  $(basename "$s")"
			failed=$((failed + 1))
			failures+=("$(basename "$s")")
		fi
	done
}

# The second pass: a new cluster a year and a day ahead, in UTC+14.
run_future() {
	local skew s faketime_lib
	# the library itself: the faketime command forks, so pg_ctl would wait on the wrong pid
	faketime_lib=$(dpkg -L libfaketime 2>/dev/null | grep -m1 '/libfaketime\.so\.1$')
	isms_cluster_stop
	pass="future "
	out=$ISMS_WORK/future
	mkdir -p "$out"
	export PGTZ=Pacific/Kiritimati
	ISMS_DATA=$out/data ISMS_SERVER_WRAPPER="env LD_PRELOAD=$faketime_lib FAKETIME=+366d" isms_cluster_start timezone=$PGTZ ||
		{ failed=$((failed + 1)); failures+=("future cluster"); return; }
	skew=$(psql -XAtc "SELECT (now() AT TIME ZONE 'UTC')::date - '$(date -u +%F)'::date, current_setting('TimeZone')")
	echo "== future: the server's date is today + ${skew%|*} days, time zone ${skew#*|}"
	case $skew in
	36[67]"|$PGTZ") ;;
	*) echo "the server's clock or time zone did not move" >&2
	   failed=$((failed + 1)); failures+=("future clock"); return ;;
	esac
	for s in "${suites[@]}"; do
		case $s in regress | isolation | pgtap) ;; *) continue ;; esac
		"run_$s"
	done
	# "future" alone runs all three
	[ "${suites[*]}" = future ] && { run_regress; run_isolation; run_pgtap; }
	return 0
}

for s in "${suites[@]}"; do
	[ "$s" = future ] && continue
	"run_$s"
done
for s in "${suites[@]}"; do [ "$s" = future ] && run_future; done

[ ${#failures[@]} -gt 0 ] && echo "failed suites: ${failures[*]}"
[ "${ISMS_KEEP:-0}" = 1 ] && echo "work directory kept: $ISMS_WORK (results under regress/, isolation/, future/)"
summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ]
