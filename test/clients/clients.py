"""psycopg 2 as a BI tool's reader: filter, sort and read every view (test/scripts/clients.sh)."""
import sys
import psycopg2

conn = psycopg2.connect(sys.argv[1])
conn.autocommit = True
cur = conn.cursor()
ok = True


def check(what, good, detail=""):
    global ok
    print("psycopg2 %-28s %s %s" % (what, "ok" if good else "FAILED", detail))
    ok = ok and good


def key(code):
    annex = code.startswith("A.")
    return (annex, [int(n) for n in code[2 if annex else 0:].split(".")])


cur.execute("SHOW search_path")
check("search_path without isms", "isms" not in cur.fetchone()[0])
cur.execute("SELECT process_code FROM isms_report.process_status WHERE process_code = %s", ("7.4",))
check("filter process_code = '7.4'", cur.fetchall() == [("7.4",)])
cur.execute("SELECT process_code FROM isms_report.process_status ORDER BY process_sort")
codes = [r[0] for r in cur.fetchall()]
check("sort by process_sort", len(codes) == 17 and codes == sorted(codes, key=key), " ".join(codes))
cur.execute("SELECT clause FROM isms_report.iso27001_readiness ORDER BY clause_sort")
clauses = [r[0] for r in cur.fetchall()]
check("sort by clause_sort", clauses == sorted(clauses, key=key) and "10.1" in clauses)
cur.execute("SELECT processes FROM isms_report.iso27001_readiness WHERE clause = %s", ("6.1.2",))
processes = cur.fetchone()[0]
check("array as a list", isinstance(processes, list) and "7.4" in processes, repr(processes))
cur.execute("SELECT pa11, pa11_value FROM isms_report.capability_profile WHERE process_code = %s", ("7.4",))
row = cur.fetchone()
check("rating as text and value", isinstance(row[0], str) and isinstance(row[1], int), repr(row))
cur.execute("SELECT relname FROM pg_class WHERE relnamespace = 'isms_report'::regnamespace AND relkind = 'v' ORDER BY 1")
views = [r[0] for r in cur.fetchall()]
for v in views:
    cur.execute("SELECT * FROM isms_report.%s" % v)
    rows = cur.fetchall()
    cols = [d[0] for d in cur.description]
    # every value is a plain Python type (no unparsed '{...}' array strings)
    bad = [c for r in rows for c, x in zip(cols, r) if isinstance(x, str) and x.startswith("{") and x.endswith("}")]
    check("read " + v, len(rows) > 0 and not bad, "%d rows %s" % (len(rows), bad[:1]))
check("views read", len(views) >= 9, str(len(views)))
sys.exit(0 if ok else 1)
