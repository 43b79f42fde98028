# test/lib/demo.sh -- the main job's data for script tests: a database with
# the extension and the scenario of scripts/scenario/ (Northwind Cloud and
# Labs) plus one year of scripts/history.sql (Fabrikam Payments).
#
#   . "$ISMS_BUILD/test/lib/demo.sh"
#   isms_demo_load DB LOG     # drops and creates DB; psql output to LOG
#
# Uses the libpq environment (PGHOST, PGPORT, PGUSER); returns non-zero and
# prints the end of LOG if the scenario fails.
isms_demo_load() {
	local db=$1 log=$2 scenario f args=()
	scenario=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../scripts" && pwd)
	psql -qX -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" &&
		psql -qX -d "$db" -c "CREATE EXTENSION isms27022" || return 1
	for f in "$scenario"/scenario/[0-9]*.sql; do
		case $f in */99_summary.sql) continue ;; esac
		args+=(-f "$f")
	done
	args+=(-v years=1 -f "$scenario/history.sql" -f "$scenario/scenario/99_summary.sql")
	if ! psql -qX -d "$db" -v ON_ERROR_STOP=1 "${args[@]}" >"$log" 2>&1; then
		echo "not ok - the scenario failed:"
		tail -25 "$log"
		return 1
	fi
}
