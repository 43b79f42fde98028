#!/usr/bin/env bash
# test/valgrind/run.sh -- run regression tests against a server whose
# backends run under valgrind's memcheck, and report every error whose stack
# passes through the extension's code.
#
#   sudo bash test/valgrind/run.sh                       # the C-heavy regression tests
#   REGRESS="engine" sudo bash test/valgrind/run.sh      # some of them
#
# The server is not built for valgrind (no USE_VALGRIND, no suppressions), so
# PostgreSQL's own code reports some uninitialised-byte warnings; only errors
# with isms27022.so in their stack count.  Leak checking is off: PostgreSQL
# frees memory by context.  Not part of CI (minutes, not seconds); the
# figures of the last run are in docs/reliability.md.
set -u
here=$(cd "$(dirname "$0")" && pwd)
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
logs=$(mktemp -d /tmp/isms27022-valgrind.XXXXXX)
chmod 777 "$logs"
export ISMS_SERVER_WRAPPER="valgrind --quiet --tool=memcheck --trace-children=yes --leak-check=no --read-var-info=no --num-callers=30 --log-file=$logs/%p.log"
export REGRESS="${REGRESS:-clause rating engine engine_dml engine_e2e tailoring garbage}"
bash "$here/../run.sh" regress
status=$?
errors=0
for f in "$logs"/*.log; do
	[ -s "$f" ] || continue
	# one error block per blank-line-separated paragraph
	n=$(awk -v RS= '/isms27022\.so/ && /(Invalid|uninitialised|Conditional jump|Mismatched|free)/' "$f" | grep -c '==[0-9]*== [A-Z]')
	if [ "$n" -gt 0 ]; then
		errors=$((errors + n))
		awk -v RS= -v ORS='\n\n' '/isms27022\.so/' "$f"
	fi
done
echo "valgrind: $(ls "$logs" | wc -l) processes checked, $errors error(s) in isms27022 code"
rm -rf "$logs"
[ "$status" -eq 0 ] && [ "$errors" -eq 0 ]
