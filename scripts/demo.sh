#!/usr/bin/env bash
# scripts/demo.sh -- the main job: a year in the life of an ISMS.
#
#   bash scripts/demo.sh                 # build, start a throwaway cluster, run the scenario
#   bash scripts/demo.sh --keep          # ... and leave the cluster running to explore
#   bash scripts/demo.sh --history 5     # ... plus 5 years of synthetic history (at most 25)
#
# Installs what is missing, builds the extension into a private staging copy
# of PostgreSQL 15 (test/lib/cluster.sh), starts a cluster as the postgres
# user on a free loopback port, creates database isms_demo with the
# extension, and runs the chapters of scripts/scenario/ in one psql session:
# Northwind Cloud, a 200-person SaaS company, establishes its ISMS and
# operates it for a year.  Exits non-zero if any chapter fails.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../test/lib/cluster.sh"

keep=0
years=0
while [ $# -gt 0 ]; do
	case $1 in
	--keep) keep=1 ;;
	--history)
		shift
		case ${1:-} in
		'' | *[!0-9]*) echo "--history needs a number of years (0-25)" >&2; exit 2 ;;
		esac
		years=$1
		[ "$years" -le 25 ] || { echo "--history: at most 25 years" >&2; exit 2; }
		;;
	-h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "unknown option: $1 (try --help)" >&2; exit 2 ;;
	esac
	shift
done

t0=$(date +%s)
echo "== Preparing: packages, build, throwaway PostgreSQL $ISMS_PGVER cluster"
isms_setup || exit 1
if [ "$keep" = 1 ]; then
	ISMS_KEEP=1
	trap - EXIT
fi
t1=$(date +%s)
echo "   ready in $((t1 - t0)) s: port $PGPORT, work directory $ISMS_WORK"

export PGDATABASE=isms_demo
psql -qX -d postgres -c "CREATE DATABASE isms_demo" &&
	psql -qX -c "CREATE EXTENSION isms27022" || exit 1

chapters=()
for f in "$here"/scenario/[0-9]*.sql; do
	case $f in */99_summary.sql) continue ;; esac
	chapters+=(-f "$f")
done
[ "$years" -gt 0 ] && chapters+=(-v "years=$years" -f "$here/history.sql")
chapters+=(-f "$here/scenario/99_summary.sql")

echo
echo "== Northwind Cloud: a year of an ISMS (ISO/IEC TS 27022 processes, ISO/IEC 27001:2022)"
psql -qX -v ON_ERROR_STOP=1 "${chapters[@]}"
rc=$?
t2=$(date +%s)
echo
echo "== Scenario $([ $rc = 0 ] && echo finished || echo FAILED) in $((t2 - t1)) s (total $((t2 - t0)) s)"
# the auditor pack (scripts/auditor_pack.sh): HTML, PDF and PNG, paths printed
if [ $rc = 0 ]; then
	echo "== Auditor pack of Northwind Cloud, read as kofi_audit (lead internal auditor):"
	bash "$here/auditor_pack.sh" --org 'Northwind Cloud' --role kofi_audit --screenshot \
		--out "$(mktemp -d /tmp/isms_demo_pack.XXXXXX)" || rc=1
fi

if [ "$keep" = 1 ]; then
	cat <<MSG

The cluster keeps running.  Connect as the superuser or as one of the people:
    psql -h $PGHOST -p $PGPORT -U postgres -d isms_demo
    psql -h $PGHOST -p $PGPORT -U amir_ciso -d isms_demo      # the CISO
    psql -h $PGHOST -p $PGPORT -U bi_dashboard -d isms_demo   # read-only, for BI tools
Stop it and remove its files when done:
    runuser -u postgres -- $ISMS_BIN/pg_ctl -D $ISMS_WORK/data stop && rm -rf $ISMS_WORK
MSG
fi
exit $rc
