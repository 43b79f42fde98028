#!/usr/bin/env bash
# test/scripts/upgrade.sh -- ALTER EXTENSION isms27022 UPDATE from the
# released 0.1.0, as a DBA does it, on a cluster of its own.
#
# Builds 0.1.0 from git history (commit b02865b of $ISMS_SRC) into a private
# copy of the server, loads that tree's own realistic scenario (the Northwind
# chapters of scripts/scenario/ and its test/lib/scenario.sh fill), stops the
# server, installs the new build over the old one, starts it and runs ALTER
# EXTENSION isms27022 UPDATE.  Then checks:
#   (a) the schema (pg_dump --schema-only --binary-upgrade of the extension's
#       schemas, which includes its member objects, normalised) equals a
#       fresh CREATE EXTENSION in another database of the same cluster;
#   (b) every row of every table of the extension's schemas is still there
#       (over the columns 0.1.0 had);
#   (c) every organisation's event chain verifies;
#   (d) the engine keeps working: a new incident run in every organisation
#       continues its chain, the chains verify and the invariants hold;
#   (e) DROP EXTENSION leaves schema isms behind, empty (PostgreSQL cannot
#       make an extension's own schema a member of it: docs/reliability.md);
#   (f) the shipped catalog, ids included, equals a fresh install's, although
#       an organisation's tailoring took the ids after 0.1.0's shipped rows
#       before the update (so shipped rows an update adds cannot draw theirs
#       from the identity sequences, which pg_dump carries over).
# Exits 77 (skipped) if $ISMS_SRC is not a git checkout holding b02865b.
set -u
release=b02865b
src=${ISMS_SRC:-}
if [ -z "$src" ] || ! git -c safe.directory='*' -C "$src" cat-file -e "$release^{commit}" 2>/dev/null; then
	echo "upgrade: skipped: ISMS_SRC (${src:-unset}) is not a git checkout holding 0.1.0 ($release)"
	exit 77
fi
. "$ISMS_BUILD/test/lib/cluster.sh"
. "$ISMS_BUILD/test/lib/scenario.sh"
. "$ISMS_BUILD/test/lib/upgrade.sh"
ISMS_SRC=$src
unset SCRIPTS # test/run.sh's selection; PGXS would install it as a script

dir=$ISMS_WORK/upgrade
old=$dir/v0.1.0
mkdir -p "$old/tree"
trap 'isms_extra_cluster_stop "$dir/cluster"' EXIT
fail() { echo "upgrade: $*" >&2; exit 1; }
q() { psql -qXAt -v ON_ERROR_STOP=1 "$@"; }

# 1. the released tree, built and staged like the runner's own build
git -c safe.directory='*' -C "$src" archive "$release" | tar -C "$old/tree" -xf - || fail "git archive $release failed"
(ISMS_SRC=$old/tree ISMS_WORK=$old isms_build_and_stage) || fail "could not build 0.1.0"
ISMS_BIN=$old/stage/usr/lib/postgresql/$ISMS_PGVER/bin
export PGPORT
PGPORT=$(isms_extra_cluster_start "$dir/cluster") || fail "could not start the 0.1.0 cluster"

# 2. a 0.1.0 user's data: the old tree's scenario and fill
db=isms_upgraded
q -d postgres -c "CREATE DATABASE $db" || exit 1
export PGDATABASE=$db
q -c "CREATE EXTENSION isms27022 VERSION '0.1.0'" || fail "CREATE EXTENSION VERSION '0.1.0' failed"
chapters=()
for f in "$old/tree"/scripts/scenario/[0-9]*.sql; do
	case $f in */99_summary.sql) continue ;; esac
	chapters+=(-f "$f")
done
psql -qX -v ON_ERROR_STOP=1 "${chapters[@]}" >"$dir/scenario.log" 2>&1 || { tail -20 "$dir/scenario.log" >&2; fail "the 0.1.0 scenario failed"; }
(. "$old/tree/test/lib/scenario.sh" && PGOPTIONS="-c client_min_messages=warning" isms_scenario_install) || fail "could not install the 0.1.0 scenario helpers"
q -c "SELECT isms_scenario.fill('Acme', 3), isms_scenario.fill('Globex', 1)" >/dev/null || fail "fill failed"
q -c "SELECT isms.add_work_product(o.org_id, 'upgrade_probe', 'Probe', 'record', 'either'),
              isms.add_process_input(o.org_id, '8.5', 'upgrade_probe', 'optional'),
              isms.add_process_output(o.org_id, '8.5', 'upgrade_probe', false)
         FROM isms.organization o WHERE o.name = 'Acme'" >/dev/null || fail "tailoring failed"
isms_upgrade_row_queries >"$dir/rows.sql" || fail "could not list the tables"
q -f "$dir/rows.sql" | sort >"$dir/rows.before" || fail "could not read the rows"
[ "$(isms_upgrade_chains_valid)" = t ] || fail "the 0.1.0 chains do not verify before the upgrade"

# 3. the new build over the old one, then the update
isms_extra_cluster_stop "$dir/cluster" || fail "could not stop the cluster"
make -C "$ISMS_BUILD" -s PG_CONFIG=/usr/lib/postgresql/$ISMS_PGVER/bin/pg_config \
	DESTDIR="$old/stage" install >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; fail "make install failed"; }
isms_extra_cluster_restart "$dir/cluster" || fail "the new build does not start"
q -c "ALTER EXTENSION isms27022 UPDATE" || fail "ALTER EXTENSION isms27022 UPDATE failed"
version=$(q -c "SELECT e.extversion = a.default_version FROM pg_extension e
                  JOIN pg_available_extensions a ON a.name = e.extname WHERE e.extname = 'isms27022'")
[ "$version" = t ] || fail "after the update extversion is not the default version"

# (a) the same schema as a fresh install
q -d postgres -c "CREATE DATABASE isms_fresh" && q -d isms_fresh -c "CREATE EXTENSION isms27022" || fail "fresh install failed"
isms_upgrade_schema $db >"$dir/schema.upgraded" && isms_upgrade_schema isms_fresh >"$dir/schema.fresh" || fail "pg_dump failed"
grep -q 'CREATE TABLE isms.run ' "$dir/schema.fresh" || fail "the schema dump holds no extension objects"
diff "$dir/schema.fresh" "$dir/schema.upgraded" >&2 || fail "the upgraded schema differs from a fresh install (< fresh, > upgraded)"

# (b) every old row is still there.  Pieces may add rows (catalog entries,
# backfills in new tables), so the old rows, read over the columns 0.1.0
# had, must be a subset of the new ones; a piece that rewrites old values
# must say so here: 100_catalog retitles eight clauses (exactly those rows
# of isms.iso27001_clause change); 210_incident makes activity 5 of 7.9
# (Learn) optional (exactly one row of isms.activity changes).
q -f "$dir/rows.sql" | sort >"$dir/rows.after" || fail "the 0.1.0 columns cannot be read after the update"
comm -23 "$dir/rows.before" "$dir/rows.after" >"$dir/rows.lost"
retitled=$(grep -c '^isms\.iso27001_clause ' "$dir/rows.lost")
optional=$(grep -c '^isms\.activity ' "$dir/rows.lost" || true)
lost=$(($(wc -l <"$dir/rows.lost") - retitled - optional))
[ "$lost" -eq 0 ] && [ "$retitled" -eq 8 ] && [ "$optional" -eq 1 ] ||
	{ cut -d' ' -f1 "$dir/rows.lost" | uniq -c >&2
	  fail "$lost rows lost or changed, $retitled clauses retitled (8 expected), $optional activities made optional (1 expected)"; }
added=$(comm -13 "$dir/rows.before" "$dir/rows.after" | wc -l)

# (c) chains, (d) the engine continues on the upgraded data
[ "$(isms_upgrade_chains_valid)" = t ] || fail "an event chain does not verify after the update"
PGOPTIONS="-c client_min_messages=warning" isms_scenario_install || fail "could not install the scenario helpers"
continued=$(q <<'SQL'
CREATE TEMP TABLE head AS SELECT org_id, last_event_no FROM isms.event_chain;
SELECT count(isms_scenario.incident(org_id, 'after the upgrade')) FROM isms.organization;
SELECT bool_and(e.n > h.last_event_no) FROM head h
  CROSS JOIN LATERAL (SELECT max(event_no) AS n FROM isms.event WHERE org_id = h.org_id) e;
SQL
) || fail "the engine does not work on the upgraded data"
[ "$(echo "$continued" | tail -1)" = t ] || fail "a new run did not continue its organisation's chain"
[ "$(isms_upgrade_chains_valid)" = t ] || fail "an event chain does not verify after new runs"
isms_scenario_check || fail "invariants violated on the upgraded data"

# (f) the shipped catalog of both databases, ids included
isms_upgrade_shipped_catalog $db >"$dir/catalog.upgraded" && isms_upgrade_shipped_catalog isms_fresh >"$dir/catalog.fresh" ||
	fail "could not read the shipped catalog"
diff "$dir/catalog.fresh" "$dir/catalog.upgraded" >&2 || fail "the shipped catalog differs from a fresh install's (< fresh, > upgraded)"

# (e) DROP EXTENSION: schema isms stays, empty
isms_upgrade_drop_check isms_fresh || fail "DROP EXTENSION did not leave exactly an empty schema isms"

orgs=$(q -c "SELECT count(*) FROM isms.organization")
echo "upgrade: 0.1.0 -> $(q -c "SELECT extversion FROM pg_extension WHERE extname = 'isms27022'"):" \
	"schema as fresh ($(grep -c '^CREATE' "$dir/schema.fresh") CREATE statements)," \
	"$(wc -l <"$dir/rows.before") rows kept ($added added, $retitled retitled), $orgs chains valid, engine continues," \
	"shipped catalog as fresh ($(wc -l <"$dir/catalog.fresh") rows), DROP EXTENSION leaves empty isms"
