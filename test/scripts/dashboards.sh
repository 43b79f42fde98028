#!/usr/bin/env bash
# test/scripts/dashboards.sh -- dashboards as code (issue 18): every query of
# docs/dashboards/grafana-isms.json (the organisation variable and every
# panel target's rawSql) runs against the main job's data
# (test/lib/demo.sh) as its BI login bi_dashboard (isms_reader, reader of
# Northwind Cloud), with no search_path setting.  The dashboard's $org is
# Northwind Cloud's id; Grafana's macros are substituted as Grafana expands
# them for the dashboard's default range (now-1y to now): $__timeFilter(c)
# becomes c BETWEEN ... AND ..., $__timeFrom() and $__timeTo() timestamps;
# any other $ left in a query fails the test.  A query must run without
# error and return rows, unless its panel's description starts with
# "May be empty".  Exits non-zero on failure; drops what it made.
set -u
root=${ISMS_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/test/lib/demo.sh"
db=isms_dashboards_test
log=$(mktemp)
trap 'rm -f "$log"; psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1' EXIT
isms_demo_load $db "$log" || exit 1

org=$(psql -qXAt -d $db -c "SELECT org_id FROM isms.organization WHERE name = 'Northwind Cloud'") || exit 1
# One line per query: mandatory (1/0), title, the query with $org and the macros substituted.
queries=$(/usr/bin/python3 - "$root/docs/dashboards/grafana-isms.json" "$org" <<'PY'
import json, re, sys
dash = json.load(open(sys.argv[1]))
org = sys.argv[2]
frm, to = "(now() - interval '1 year')", "now()"

def expand(sql):
    sql = re.sub(r"\$__timeFilter\(([^)]*)\)", r"(\1 BETWEEN %s AND %s)" % (frm, to), sql)
    sql = sql.replace("$__timeFrom()", frm).replace("$__timeTo()", to)
    return re.sub(r"\$org\b|\$\{org\}", org, sql)

def panels(ps):
    for p in ps:
        yield p
        yield from panels(p.get("panels", []))

for v in dash["templating"]["list"]:
    print("1\tvariable %s\t%s" % (v["name"], expand(v["query"])))
n = 0
for p in panels(dash["panels"]):
    for t in p.get("targets", []):
        n += 1
        optional = p.get("description", "").startswith("May be empty")
        print("%d\tpanel %s\t%s" % (0 if optional else 1, p["title"], " ".join(expand(t["rawSql"]).split())))
if n < 10:
    sys.exit("only %d panel queries" % n)
PY
) || { echo "not ok - cannot read the dashboard"; exit 1; }

failed=0
total=0
while IFS=$'\t' read -r mandatory title query; do
	total=$((total + 1))
	case $query in *'$'*) echo "not ok - $title: unsubstituted \$ in: $query"; failed=$((failed + 1)); continue ;; esac
	out=$(psql -X -v ON_ERROR_STOP=1 -qAt -d $db -c "SET ROLE bi_dashboard" -c "$query" 2>&1)
	rc=$?
	rows=$(printf '%s' "$out" | grep -c .)
	if [ $rc -ne 0 ]; then
		echo "not ok - $title: $out"; failed=$((failed + 1))
	elif [ "$mandatory" = 1 ] && [ "$rows" -eq 0 ]; then
		echo "not ok - $title: no rows"; failed=$((failed + 1))
	else
		echo "ok - $title: $rows rows"
	fi
done <<<"$queries"
echo "dashboards: $total queries, $failed failed"
[ "$failed" -eq 0 ]
