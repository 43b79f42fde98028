#!/usr/bin/env bash
# test/mutation/run.sh -- the mutation test: switch each documented rule off,
# one at a time, and prove that some test fails.
#
#   sudo bash test/mutation/run.sh                      # every rule site
#   sudo bash test/mutation/run.sh IS013_EXPIRED_INPUT  # some of them
#   bash test/mutation/run.sh --list                    # the rule names
#
# The rule names are read from the sources (RULE_ON, RULE_OFF and
# ENGINE_RULE in src/*.c, see src/engine.h), so a new rule is picked up
# without a list to maintain.  One staged server and cluster is built once;
# for each mutant only the files naming the rule are recompiled with
# "make ISMS_MUTANT=name", the library is swapped and the server restarted,
# and the fast deterministic suites run (pgTAP first, then regress and
# isolation, one file at a time) until the first failure.  Prints rule,
# killer (first failing test) or SURVIVED, the score, and exits non-zero if
# any mutant survived.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)

rule_names() {
	grep -ohE '\b(RULE_ON|RULE_OFF|ENGINE_RULE)\([A-Z0-9_]+' "$src"/src/*.c | sed -E 's/.*\(//' | sort
}

if [ "${1:-}" = --list ]; then
	rule_names
	exit 0
fi
dups=$(rule_names | uniq -d)
[ -n "$dups" ] && { echo "rule names used twice: $dups" >&2; exit 2; }
rules=("$@")
[ ${#rules[@]} -eq 0 ] && mapfile -t rules < <(rule_names)
for r in "${rules[@]}"; do
	rule_names | grep -qx "$r" || { echo "unknown rule: $r" >&2; exit 2; }
done

. "$src/test/lib/cluster.sh"
isms_setup || exit 1
pgc=/usr/lib/postgresql/$ISMS_PGVER/bin/pg_config
libdir=$ISMS_BIN/../lib
cd "$ISMS_BUILD" || exit 1
out=$ISMS_WORK/mutation
mkdir -p "$out"
chown -R postgres "$ISMS_WORK"

# The tests, in the order they run: the rule tests first (they kill most).
tests=()
for f in test/pgtap/engine_rules.sql test/pgtap/*.sql; do
	[[ " ${tests[*]} " == *" pgtap:$f "* ]] || tests+=("pgtap:$f")
done
for f in $(make -s -f - PG_CONFIG=$pgc <<<'include Makefile
print: ; @echo $(REGRESS)' print 2>/dev/null); do tests+=("regress:$f"); done
for f in test/specs/*.spec; do tests+=("isolation:$(basename "$f" .spec)"); done

# Run one test against the running cluster; 0 if it passed.
run_test() {
	local kind=${1%%:*} name=${1#*:}
	case $kind in
	pgtap)
		psql -qX -c "DROP DATABASE IF EXISTS isms_tap" -c "CREATE DATABASE isms_tap" >/dev/null 2>&1 &&
			psql -qX -d isms_tap -c "CREATE EXTENSION pgtap; CREATE EXTENSION isms27022" >/dev/null 2>&1 &&
			pg_prove -d isms_tap "$name" >"$out/last.log" 2>&1 ;;
	regress)
		make -s PG_CONFIG=$pgc installcheck ISOLATION= REGRESS="$name" \
			REGRESS_OPTS="--load-extension=isms27022 --outputdir=$out/r --user=postgres" >"$out/last.log" 2>&1 ;;
	isolation)
		make -s PG_CONFIG=$pgc installcheck REGRESS= ISOLATION="$name" \
			ISOLATION_OPTS="--inputdir=test --load-extension=isms27022 --outputdir=$out/i --user=postgres" >"$out/last.log" 2>&1 ;;
	esac
}

# Build the mutant: recompile only the files that name the rule.
build_mutant() {
	local files
	files=$(grep -lE "\($1\b" src/*.c)
	touch $files	# make does not rebuild a deleted .o it takes for intermediate
	make -s -j2 PG_CONFIG=$pgc ISMS_MUTANT="$1" >"$out/build.log" 2>&1 || return 1
	cp isms27022.so "$libdir/.isms27022.so.new" && mv -f "$libdir/.isms27022.so.new" "$libdir/isms27022.so"
	# the next build recompiles these files without this mutant
	sleep 1; touch $files
	runuser -u postgres -- "$ISMS_BIN/pg_ctl" -D "$ISMS_WORK/data" -m fast -w restart >/dev/null
}

# A regression test or spec that fails without a mutant (its expected file
# went stale, e.g. a date) is compared with the unmutated output instead, in
# the private build copy only; a pgTAP file that fails is left out.  Loudly.
passing=()
for t in "${tests[@]}"; do
	if run_test "$t"; then passing+=("$t"); continue; fi
	name=${t#*:}
	case $t in
	regress:*) cp "$out/r/results/$name.out" "expected/$name.out" ;;
	isolation:*) cp "$out/i/results/$name.out" "test/expected/$name.out" ;;
	esac
	if [ "${t%%:*}" != pgtap ] && run_test "$t"; then
		echo "compared with the unmutated output (its expected file fails): $t"
		passing+=("$t")
	else
		echo "left out, fails without a mutant: $t"
	fi
done
tests=("${passing[@]}")

killed=0
survivors=()
printf '%-32s %s\n' rule "killed by"
for r in "${rules[@]}"; do
	if ! build_mutant "$r"; then
		printf '%-32s %s\n' "$r" "BUILD FAILED"; cat "$out/build.log"; survivors+=("$r"); continue
	fi
	killer=
	for t in "${tests[@]}"; do
		run_test "$t" || { killer=$t; break; }
	done
	if [ -n "$killer" ]; then
		killed=$((killed + 1))
		printf '%-32s %s\n' "$r" "$killer"
	else
		printf '%-32s %s\n' "$r" SURVIVED
		survivors+=("$r")
	fi
done
echo "mutation score: $killed/${#rules[@]}"
[ ${#survivors[@]} -gt 0 ] && echo "survived: ${survivors[*]}"
[ ${#survivors[@]} -eq 0 ]
