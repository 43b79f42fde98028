#!/usr/bin/env bash
# bench/cache_memory.sh -- backend memory of the model cache against the
# number of organisations a backend works for.  Not part of the tests.
#
#   bash bench/cache_memory.sh               # 100, 1,000 and 10,000 organisations
#   bash bench/cache_memory.sh 100 50000     # any counts
#
# For each count, a database gets that many organisations (created in one
# statement by their admin, a login role), first as shipped (no tailoring),
# then with one activity of its own added to process 7.9 by every
# organisation.  Each time one fresh backend, as that admin, plans a run of
# each of the 17 PRM processes for every organisation (one transaction per
# organisation), then reads pg_backend_memory_contexts: the model cache's
# contexts (every context whose name starts with isms: the cache and its
# hash tables, in 0.1.0 and now) and all of the backend's contexts.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../test/lib/cluster.sh"

counts=("$@")
[ ${#counts[@]} -eq 0 ] && counts=(100 1000 10000)
isms_setup || exit 1
# the extension creates the group roles
psql -qX -v ON_ERROR_STOP=1 -c "CREATE EXTENSION isms27022" \
	-c "CREATE ROLE bench_admin LOGIN IN ROLE isms_admin, pg_read_all_stats" || exit 1

# touch DB: every organisation, every PRM process, one transaction per organisation; prints "cache|all" in bytes
touch_all() {
	psql -qXAt -v ON_ERROR_STOP=1 -U bench_admin -d "$1" <<'SQL'
DO $$
DECLARE
    o bigint;
BEGIN
    FOR o IN SELECT org_id FROM isms.organization ORDER BY org_id LOOP
        PERFORM isms.plan_run(o, p.code, 'touch') FROM isms.process p WHERE p.org_id IS NULL;
        COMMIT;
    END LOOP;
END
$$;
SELECT sum(total_bytes) FILTER (WHERE name LIKE 'isms%') || '|' || sum(total_bytes)
  FROM pg_backend_memory_contexts;
SQL
}

mb() { awk "BEGIN {printf \"%.1f MB\", $1 / 1048576}"; }

printf '%-14s %-11s %-14s %s\n' organisations tailored "model cache" "all contexts of the backend"
for n in "${counts[@]}"; do
	db=cache_$n
	psql -qX -v ON_ERROR_STOP=1 -c "CREATE DATABASE $db" &&
		psql -qX -v ON_ERROR_STOP=1 -d "$db" -c "CREATE EXTENSION isms27022" &&
		psql -qXAt -v ON_ERROR_STOP=1 -U bench_admin -d "$db" \
			-c "SELECT count(isms.create_organization('org ' || i)) FROM generate_series(1, $n) i" >/dev/null || exit 1
	for tailored in no yes; do
		if [ $tailored = yes ]; then
			psql -qXAt -v ON_ERROR_STOP=1 -U bench_admin -d "$db" -c \
				"SELECT count(isms.add_activity(org_id, '7.9', 'Local review', optional => true)) FROM isms.organization" \
				>/dev/null || exit 1
		fi
		out=$(touch_all "$db") || exit 1
		printf '%-14s %-11s %-14s %s\n' "$n" $tailored "$(mb "${out%|*}")" "$(mb "${out#*|}")"
	done
done
