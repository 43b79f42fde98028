# test/lib/upgrade.sh -- helpers of test/scripts/upgrade.sh: what of a
# database the upgrade must keep (schema, rows, chains) and what DROP
# EXTENSION leaves.  They use psql/pg_dump of $ISMS_BIN with the caller's
# PGHOST/PGPORT/PGDATABASE.

# The extension's schemas: its own (extnamespace) and those that are members.
isms_upgrade_schemas_sql="
SELECT n.nspname FROM pg_namespace n, pg_extension e
 WHERE e.extname = 'isms27022'
   AND (n.oid = e.extnamespace
        OR n.oid IN (SELECT objid FROM pg_depend WHERE classid = 'pg_namespace'::regclass
                        AND refclassid = 'pg_extension'::regclass AND refobjid = e.oid))
 ORDER BY 1"

# One query per table of those schemas; each prints "table md5(row)" for
# every row, over the table's columns as they are now.  Saved before an
# upgrade, the queries read the same columns after it.
isms_upgrade_row_queries() {
	psql -qXAt -v ON_ERROR_STOP=1 <<SQL
SELECT format('SELECT %L || '' '' || md5(ROW(%s)::text) FROM ONLY %s;', c.oid::regclass,
              string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum), c.oid::regclass)
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'p')
   AND c.relnamespace::regnamespace::text IN ($isms_upgrade_schemas_sql)
 GROUP BY c.oid ORDER BY c.oid::regclass::text;
SQL
}

# The shipped catalog of database $1 (rows of the PRM, not of organisations'
# tailoring), one "table md5(row)" line per row, ids included, sorted.
isms_upgrade_shipped_catalog() {
	psql -qXAt -v ON_ERROR_STOP=1 -d "$1" <<'SQL' | sort
SELECT 'iso27001_clause ' || md5(t::text) FROM isms.iso27001_clause t
UNION ALL SELECT 'work_product ' || md5(t::text) FROM isms.work_product t WHERE org_id IS NULL
UNION ALL SELECT 'process ' || md5(t::text) FROM isms.process t WHERE org_id IS NULL
UNION ALL SELECT 'activity ' || md5(t::text) FROM isms.activity t WHERE org_id IS NULL
UNION ALL SELECT 'process_input ' || md5(t::text) FROM isms.process_input t WHERE org_id IS NULL
UNION ALL SELECT 'activity_input ' || md5(t::text) FROM isms.activity_input t WHERE org_id IS NULL
UNION ALL SELECT 'process_output ' || md5(t::text) FROM isms.process_output t WHERE org_id IS NULL
UNION ALL SELECT 'process_reference ' || md5(t::text) FROM isms.process_reference t
           WHERE process_id IN (SELECT process_id FROM isms.process WHERE org_id IS NULL)
UNION ALL SELECT 'activity_reference ' || md5(t::text) FROM isms.activity_reference t
           WHERE activity_id IN (SELECT activity_id FROM isms.activity WHERE org_id IS NULL)
UNION ALL SELECT 'work_product_reference ' || md5(t::text) FROM isms.work_product_reference t
           WHERE work_product_id IN (SELECT work_product_id FROM isms.work_product WHERE org_id IS NULL)
UNION ALL SELECT 'process_outcome ' || md5(t::text) FROM isms.process_outcome t;
SQL
}

# Whether every organisation's event chain verifies (t/f).
isms_upgrade_chains_valid() {
	psql -qXAt -v ON_ERROR_STOP=1 -c \
		"SELECT coalesce(bool_and(v.valid), true) FROM isms.organization o, isms.verify_events(o.org_id) v"
}

# pg_dump --schema-only of the extension in database $1.  Plain pg_dump
# leaves out an extension's member objects and -n leaves out the extension;
# --binary-upgrade of the whole database keeps them (each followed by ALTER
# EXTENSION ... ADD), so every schema that is not the extension's is
# excluded instead.  Normalised: no comments, SET lines, psql meta-commands,
# OIDs and XIDs (binary_upgrade_* calls, pg_class fix-ups), sequence
# positions (data), blank lines.
isms_upgrade_schema() {
	local args=() s
	for s in $(psql -qXAt -d "$1" -c "SELECT nspname FROM pg_namespace WHERE nspname !~ '^pg_'
	                                    AND nspname <> 'information_schema' EXCEPT $isms_upgrade_schemas_sql"); do
		args+=(-N "$s")
	done
	"$ISMS_BIN/pg_dump" --schema-only --binary-upgrade --no-owner "${args[@]}" -d "$1" 2>/dev/null |
		grep -vE '^(--|\\|SET |SELECT pg_catalog\.(set_config|setval|binary_upgrade_)|$)' |
		sed -E "s/^WHERE oid = '[0-9]+';/WHERE oid = <oid>;/"
}

# In database $1: ALTER EXTENSION ADD SCHEMA isms is refused (the extension
# lives in it), and after DROP EXTENSION schema isms remains, holding
# nothing, while the member schemas are gone.
isms_upgrade_drop_check() {
	local got
	got=$(psql -qXAt -d "$1" -c "ALTER EXTENSION isms27022 ADD SCHEMA isms" 2>&1)
	case $got in *"because the schema contains the extension"*) ;; *) echo "ADD SCHEMA isms: $got" >&2; return 1 ;; esac
	got=$(psql -qXAt -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
DROP EXTENSION isms27022;
SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace WHERE nspname LIKE 'isms%';
SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = 'isms'::regnamespace)
     + (SELECT count(*) FROM pg_proc WHERE pronamespace = 'isms'::regnamespace)
     + (SELECT count(*) FROM pg_type WHERE typnamespace = 'isms'::regnamespace);
DROP SCHEMA isms;
SQL
	) || return 1
	[ "$got" = "$(printf 'isms\n0')" ] || { echo "after DROP EXTENSION: $got" >&2; return 1; }
}
