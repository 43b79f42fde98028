-- Scale-out on Citus (issue 19): isms.distribute() turns an isms27022
-- database whose coordinator has the citus extension (and its workers added)
-- into a distributed one: the catalog and the membership as reference
-- tables, isms.organization and every operational table distributed by
-- org_id and co-located with it, so that all of one organisation's rows,
-- its event chain included, live in one shard group on one node.
-- docs/guide.md (Scaling out) gives the settings it needs and the limits.
-- One table: reference (colocate NULL, shard_count NULL) or distributed
-- by org_id.  Citus copies the existing rows into the new shards, whose
-- copies of the engine's triggers would refuse them as new writes (the PRM
-- is read-only, approved records cannot be inserted): the table's enabled
-- row triggers are disabled for the copy and enabled again, on every shard.
-- Only row triggers: Citus carries ENABLE TRIGGER to the shards' copies of
-- row triggers only, so a statement trigger switched off would stay off on
-- every shard (lifecycle_changed, register_changed: committed catalog
-- changes would never reach a worker's open sessions); the statement
-- triggers only drop caches or guard TRUNCATE, which the copy does not run.
CREATE FUNCTION isms.distribute_table(t regclass, colocate regclass, shard_count integer) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $fn$
DECLARE
    triggers name[];
    tg name;
BEGIN
    SELECT array_agg(tgname) INTO triggers FROM pg_trigger
     WHERE tgrelid OPERATOR(pg_catalog.=) t AND NOT tgisinternal AND tgenabled OPERATOR(pg_catalog.=) 'O'
       AND (tgtype::integer OPERATOR(pg_catalog.&) 1) OPERATOR(pg_catalog.=) 1;   -- TRIGGER_TYPE_ROW
    FOREACH tg IN ARRAY coalesce(triggers, '{}') LOOP
        EXECUTE format('ALTER TABLE %s DISABLE TRIGGER %I', t, tg);
    END LOOP;
    IF colocate IS NULL AND shard_count IS NULL THEN
        PERFORM create_reference_table(t);
    ELSIF colocate IS NULL THEN
        PERFORM create_distributed_table(t, 'org_id', shard_count => shard_count);
    ELSE
        PERFORM create_distributed_table(t, 'org_id', colocate_with => colocate::text);
    END IF;
    FOREACH tg IN ARRAY coalesce(triggers, '{}') LOOP
        EXECUTE format('ALTER TABLE %s ENABLE TRIGGER %I', t, tg);
    END LOOP;
END
$fn$;
REVOKE ALL ON FUNCTION isms.distribute_table(regclass, regclass, integer) FROM PUBLIC;

-- Reference tables that name relations (regclass: isms.lifecycle_kind,
-- isms.register) hold OIDs, which differ from node to node: Citus copies a
-- reference table's rows as they are, but sends a change as SQL text, in
-- which a regclass constant is the relation's name.  Rewriting each such
-- value by name makes every copy name its own node's relation.  It also
-- gives every node the reporting views of isms.distribute_views (below).
-- Run again after citus_add_node (which copies the reference tables to the
-- new node).
CREATE FUNCTION isms.distribute_refresh() RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $fn$
DECLARE
    col record;
    v record;
    failed text;
BEGIN
    IF NOT isms.distributed() THEN
        RETURN;
    END IF;
    -- the views on every node: Citus may send a query that joins a view
    -- with the engine's tables to a worker, with the view's function
    PERFORM isms.distribute_views();
    SELECT string_agg(w.nodename || ':' || w.nodeport || ': ' || w.result, '; ') INTO failed
      FROM run_command_on_workers('SELECT isms.distribute_views()') w WHERE NOT w.success;
    IF failed IS NOT NULL THEN
        RAISE EXCEPTION 'isms.distribute_views() failed on a worker: %', failed;
    END IF;
    FOR col IN SELECT a.attrelid::regclass AS rel, a.attname
                 FROM pg_attribute a JOIN pg_class c ON c.oid OPERATOR(pg_catalog.=) a.attrelid
                WHERE c.relnamespace OPERATOR(pg_catalog.=) 'isms'::regnamespace AND c.relkind OPERATOR(pg_catalog.=) 'r'
                  AND a.atttypid OPERATOR(pg_catalog.=) 'pg_catalog.regclass'::regtype AND NOT a.attisdropped LOOP
        FOR v IN EXECUTE format('SELECT DISTINCT %I::oid AS o, %I::text AS name FROM %s', col.attname, col.attname, col.rel) LOOP
            EXECUTE format('UPDATE %s SET %I = %L::regclass WHERE %I::oid OPERATOR(pg_catalog.=) %s',
                           col.rel, col.attname, v.name, col.attname, v.o);
        END LOOP;
    END LOOP;
END
$fn$;
REVOKE ALL ON FUNCTION isms.distribute_refresh() FROM PUBLIC;
COMMENT ON FUNCTION isms.distribute_refresh() IS
    'On a distributed database: make every node''s copy of the reference tables name its own relations, and give every node the distributed reporting views (after isms.distribute and citus_add_node)';

-- The query of a reporting view for one organisation, given as $1.  A view
-- is SELECT o.org_id, v.* FROM isms.my_organizations() o CROSS JOIN LATERAL
-- (its rows for organisation o.org_id) v (090_views.sql): the query is the
-- lateral subquery alone, so that every table it reads is filtered by the
-- organisation and Citus can leave out the other organisations' shards.
-- It is pg_get_viewdef's text, run under this search_path.  A view over
-- another view reads that one's rows of the organisation, and so does a
-- view whose rows come from a function that looks the caller up
-- (isms.derived_ratings, isms.run_blockers_of): routed to a worker, that
-- function would run there as the owner and find nothing, where the query
-- over the caller's organisations is refused by Citus (docs/guide.md).
CREATE FUNCTION isms.distribute_view_query(v regclass) RETURNS text
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
    AS $fn$
DECLARE
    query text := pg_get_viewdef(v);
    orgs constant text := 'isms.my_organizations() o(org_id, org_role)';
    shape constant text := '^\s*SELECT o\.org_id,.*\sFROM \(isms\.my_organizations\(\) o\(org_id, org_role\)\s+CROSS JOIN LATERAL \(.*\) v\);?\s*$';
    caller_bound constant name[] := '{capability_profile, run_blockers}';
BEGIN
    IF (SELECT c.relname FROM pg_class c WHERE c.oid OPERATOR(pg_catalog.=) v) OPERATOR(pg_catalog.=) ANY (caller_bound) OR strpos(query, orgs) OPERATOR(pg_catalog.=) 0 THEN
        RETURN format('SELECT * FROM %s x WHERE x.org_id OPERATOR(pg_catalog.=) $1', v);
    END IF;
    IF query OPERATOR(pg_catalog.!~) shape OR regexp_count(query, '\mo[\s(,.)]')
       OPERATOR(pg_catalog.<>) (regexp_count(query, '\mo\.org_id\M') OPERATOR(pg_catalog.+) 1) THEN
        RAISE EXCEPTION '% is not SELECT o.org_id, v.* FROM isms.my_organizations() o CROSS JOIN LATERAL (...) v', v;
    END IF;
    query := regexp_replace(query, 'FROM \(isms\.my_organizations\(\) o\(org_id, org_role\)\s+CROSS JOIN LATERAL ', 'FROM ');
    query := regexp_replace(query, '\) v\)\s*;?\s*$', ') v');
    RETURN regexp_replace(query, '\mo\.org_id\M', '$1', 'g');
END
$fn$;
REVOKE ALL ON FUNCTION isms.distribute_view_query(regclass) FROM PUBLIC;
COMMENT ON FUNCTION isms.distribute_view_query(regclass) IS
    'On a distributed database (isms.distribute_views): the query of a moved reporting view for the one organization given as $1';

-- On one node a reporting view reads its tables with its owner's rights and
-- filters them to the caller's organisations itself.  Citus sends a view's
-- shard queries to the workers as the caller, so the caller's table
-- privileges and row-level security applied there: a reader was refused, a
-- contributor saw fewer rows.  Each view moves to isms_report_rows, where
-- no tenant may read it, and isms_report gets in its place a view of the
-- same columns over isms_report_rows.<view>(org), a SECURITY DEFINER
-- function that runs the view's query for one organisation of the caller
-- (isms.is_member names the session's identity, not the current role): the
-- shard queries run as the owner, and a filter on org_id still chooses the
-- organisations the function runs for.  Each node makes its own (Citus
-- does not propagate them: the views are not Citus objects).
CREATE FUNCTION isms.distribute_views() RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $fn$
DECLARE
    v record;
    cols text;
    c record;
    propagate text := current_setting('citus.enable_ddl_propagation');
BEGIN
    IF to_regnamespace('isms_report_rows') IS NOT NULL THEN
        RETURN;
    END IF;
    PERFORM set_config('citus.enable_ddl_propagation', 'off', true);
    CREATE SCHEMA isms_report_rows;
    ALTER EXTENSION isms27022 ADD SCHEMA isms_report_rows;
    -- a worker finds the functions by name in the queries Citus sends it
    GRANT USAGE ON SCHEMA isms_report_rows TO PUBLIC;
    FOR v IN SELECT k.oid, k.relname, k.relowner, k.relacl, obj_description(k.oid, 'pg_class') AS comment FROM pg_class k
              WHERE k.relnamespace OPERATOR(pg_catalog.=) 'isms_report'::regnamespace AND k.relkind OPERATOR(pg_catalog.=) 'v'
              ORDER BY k.oid LOOP
        EXECUTE format('ALTER VIEW isms_report.%I SET SCHEMA isms_report_rows', v.relname);
        EXECUTE format('REVOKE ALL ON isms_report_rows.%I FROM PUBLIC', v.relname);
        FOR c IN SELECT DISTINCT a.grantee::regrole AS grantee FROM aclexplode(v.relacl) a
                  WHERE a.grantee OPERATOR(pg_catalog.<>) ALL (ARRAY[0, v.relowner]) LOOP
            EXECUTE format('REVOKE ALL ON isms_report_rows.%I FROM %s', v.relname, c.grantee);
        END LOOP;
        EXECUTE format('CREATE FUNCTION isms_report_rows.%1$I(org bigint) RETURNS SETOF isms_report_rows.%1$I '
                       'LANGUAGE plpgsql STABLE STRICT SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS '
                       '$b$ BEGIN IF isms.is_member(org) THEN '
                       'RETURN QUERY EXECUTE %2$L USING org; END IF; END $b$',
                       v.relname, isms.distribute_view_query(v.oid));
        SELECT string_agg(format('r.%I', a.attname), ', ' ORDER BY a.attnum) INTO cols FROM pg_attribute a
         WHERE a.attrelid OPERATOR(pg_catalog.=) v.oid AND a.attnum OPERATOR(pg_catalog.>) 1 AND NOT a.attisdropped;
        EXECUTE format('CREATE VIEW isms_report.%1$I WITH (security_barrier = true) AS SELECT o.org_id, %2$s '
                       'FROM isms.my_organizations() o CROSS JOIN LATERAL isms_report_rows.%1$I(o.org_id) r',
                       v.relname, cols);
        EXECUTE format('ALTER EXTENSION isms27022 ADD FUNCTION isms_report_rows.%I(bigint)', v.relname);
        EXECUTE format('ALTER EXTENSION isms27022 ADD VIEW isms_report.%I', v.relname);
        EXECUTE format('REVOKE ALL ON FUNCTION isms_report_rows.%I(bigint) FROM PUBLIC', v.relname);
        EXECUTE format('COMMENT ON VIEW isms_report.%I IS %L', v.relname, v.comment);
        EXECUTE format('COMMENT ON FUNCTION isms_report_rows.%1$I(bigint) IS %2$L', v.relname,
                       format('The rows of isms_report.%s for one of the caller''s organizations, read as the owner', v.relname));
        FOR c IN SELECT a.attname, col_description(v.oid, a.attnum) AS comment FROM pg_attribute a
                  WHERE a.attrelid OPERATOR(pg_catalog.=) v.oid AND a.attnum OPERATOR(pg_catalog.>) 0
                    AND NOT a.attisdropped AND col_description(v.oid, a.attnum) IS NOT NULL LOOP
            EXECUTE format('COMMENT ON COLUMN isms_report.%I.%I IS %L', v.relname, c.attname, c.comment);
        END LOOP;
        FOR c IN SELECT DISTINCT a.grantee::regrole AS grantee FROM aclexplode(v.relacl) a
                  WHERE a.privilege_type OPERATOR(pg_catalog.=) 'SELECT'
                    AND a.grantee OPERATOR(pg_catalog.<>) ALL (ARRAY[0, v.relowner]) LOOP
            EXECUTE format('GRANT SELECT ON isms_report.%I TO %s', v.relname, c.grantee);
            EXECUTE format('GRANT EXECUTE ON FUNCTION isms_report_rows.%I(bigint) TO %s', v.relname, c.grantee);
        END LOOP;
    END LOOP;
    PERFORM set_config('citus.enable_ddl_propagation', propagate, true);
END
$fn$;
REVOKE ALL ON FUNCTION isms.distribute_views() FROM PUBLIC;
COMMENT ON FUNCTION isms.distribute_views() IS
    'On a distributed database (called by isms.distribute_refresh on every node): each reporting view over a SECURITY DEFINER function of one organization, so that the shards are read as the owner';

CREATE FUNCTION isms.distribute(shard_count integer DEFAULT NULL) RETURNS TABLE (table_name regclass, how text)
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $fn$
DECLARE
    t regclass;
    fk record;
    ix record;
    distributed regclass[];
    reference regclass[];
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname OPERATOR(pg_catalog.=) 'citus') THEN
        RAISE EXCEPTION 'isms.distribute needs the citus extension'
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'CREATE EXTENSION citus on the coordinator and add the workers first.';
    END IF;
    -- the engine's triggers must fire on the shards (they are written for
    -- it: see docs/guide.md); no table of the extension may become a Citus
    -- local table, whose conversion would drop and recreate the views
    PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
    PERFORM set_config('citus.enable_local_reference_table_foreign_keys', 'off', true);
    -- operational: an org_id that is NOT NULL and leads the primary key;
    -- the membership is read by the row-level security policies of every
    -- shard, so it is a reference table (a copy on every node, whose
    -- triggers invalidate each node's caches)
    SELECT array_agg(c.oid::regclass ORDER BY c.oid) INTO distributed
      FROM pg_class c
      JOIN pg_index i ON i.indrelid OPERATOR(pg_catalog.=) c.oid AND i.indisprimary
      JOIN pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid AND a.attnum OPERATOR(pg_catalog.=) i.indkey[0]
     WHERE c.relnamespace OPERATOR(pg_catalog.=) 'isms'::regnamespace AND c.relkind OPERATOR(pg_catalog.=) 'r'
       AND a.attname OPERATOR(pg_catalog.=) 'org_id' AND a.attnotnull
       AND c.oid OPERATOR(pg_catalog.<>) 'isms.membership'::regclass;
    SELECT array_agg(c.oid::regclass ORDER BY c.oid) INTO reference
      FROM pg_class c
     WHERE c.relnamespace OPERATOR(pg_catalog.=) 'isms'::regnamespace AND c.relkind OPERATOR(pg_catalog.=) 'r'
       AND c.oid OPERATOR(pg_catalog.<>) ALL (distributed);

    -- a reference table cannot refer to a distributed one: the tailoring
    -- rows and the memberships lose their foreign key to the organisation
    FOR fk IN SELECT conrelid::regclass AS rel, conname FROM pg_constraint
               WHERE contype OPERATOR(pg_catalog.=) 'f' AND confrelid OPERATOR(pg_catalog.=) 'isms.organization'::regclass
                 AND conrelid OPERATOR(pg_catalog.=) ANY (reference) LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.rel, fk.conname);
    END LOOP;

    -- a unique index must include the distribution column: ids that are
    -- unique across organisations (run, record, risk) keep a plain index,
    -- and their uniqueness rests on their sequence alone (docs/guide.md)
    FOR ix IN SELECT i.indexrelid::regclass AS idx, pg_get_indexdef(i.indexrelid) AS def
               FROM pg_index i JOIN pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) i.indrelid
                                                  AND a.attname OPERATOR(pg_catalog.=) 'org_id'
              WHERE i.indrelid OPERATOR(pg_catalog.=) ANY (distributed) AND i.indisunique
                AND NOT a.attnum OPERATOR(pg_catalog.=) ANY (i.indkey::int2[]) LOOP
        EXECUTE format('DROP INDEX %s', ix.idx);
        EXECUTE replace(ix.def, 'CREATE UNIQUE INDEX', 'CREATE INDEX');
    END LOOP;

    -- reference tables in foreign key order (referenced first)
    FOR t IN WITH RECURSIVE dep (rel, depth) AS (
                 SELECT r, 0 FROM unnest(reference) r
                 UNION ALL
                 SELECT f.conrelid::regclass, d.depth OPERATOR(pg_catalog.+) 1
                   FROM dep d JOIN pg_constraint f ON f.confrelid OPERATOR(pg_catalog.=) d.rel::oid
                  WHERE f.contype OPERATOR(pg_catalog.=) 'f' AND f.conrelid OPERATOR(pg_catalog.<>) f.confrelid
                    AND f.conrelid OPERATOR(pg_catalog.=) ANY (reference) AND d.depth OPERATOR(pg_catalog.<) 20)
             SELECT rel FROM dep GROUP BY rel ORDER BY max(depth), rel::oid LOOP
        PERFORM isms.distribute_table(t, NULL, NULL);
        table_name := t; how := 'reference'; RETURN NEXT;
    END LOOP;

    -- the organisation is the co-location anchor; then the rest in foreign key order
    PERFORM isms.distribute_table('isms.organization', NULL, coalesce(shard_count, current_setting('citus.shard_count')::integer));
    table_name := 'isms.organization'::regclass; how := 'distributed by org_id'; RETURN NEXT;
    FOR t IN WITH RECURSIVE dep (rel, depth) AS (
                 SELECT r, 0 FROM unnest(distributed) r WHERE r OPERATOR(pg_catalog.<>) 'isms.organization'::regclass
                 UNION ALL
                 SELECT f.conrelid::regclass, d.depth OPERATOR(pg_catalog.+) 1
                   FROM dep d JOIN pg_constraint f ON f.confrelid OPERATOR(pg_catalog.=) d.rel::oid
                  WHERE f.contype OPERATOR(pg_catalog.=) 'f' AND f.conrelid OPERATOR(pg_catalog.<>) f.confrelid
                    AND f.conrelid OPERATOR(pg_catalog.=) ANY (distributed) AND d.depth OPERATOR(pg_catalog.<) 20)
             SELECT rel FROM dep GROUP BY rel ORDER BY max(depth), rel::oid LOOP
        PERFORM isms.distribute_table(t, 'isms.organization', NULL);
        table_name := t; how := 'distributed by org_id'; RETURN NEXT;
    END LOOP;

    -- the creation of an organisation runs on the node of its shard
    PERFORM create_distributed_function('isms.organization_open_at(bigint, text)', 'org',
                                        colocate_with => 'isms.organization', force_delegation => true);
    -- a history import's batch is opened and advanced there too (src/import.c)
    PERFORM create_distributed_function('isms.begin_import_on_node(bigint, text)', 'org',
                                        colocate_with => 'isms.organization', force_delegation => true);
    PERFORM create_distributed_function('isms.import_at_on_node(bigint, timestamptz)', 'org',
                                        colocate_with => 'isms.organization', force_delegation => true);
    PERFORM isms.distribute_refresh();
    -- settings of the database, on every node (docs/guide.md says why each is safe)
    EXECUTE format('ALTER DATABASE %I SET citus.allow_nested_distributed_execution = on', current_database());
    EXECUTE format('ALTER DATABASE %I SET citus.propagate_set_commands = local', current_database());
    EXECUTE format('ALTER DATABASE %I SET citus.enable_binary_protocol = off', current_database());
    -- the engine's executor hook (src/distribute.c) must be in place before
    -- a session's first write, which may come before any C function loads it
    EXECUTE format('ALTER DATABASE %I SET session_preload_libraries = ''isms27022''', current_database());
END
$fn$;
REVOKE ALL ON FUNCTION isms.distribute(integer) FROM PUBLIC;
COMMENT ON FUNCTION isms.distribute(integer) IS
    'On a Citus coordinator: the catalog and memberships as reference tables, organisations and operational tables distributed by org_id, co-located';

-- The insert of an organisation with an id taken on the coordinator, run by
-- the node that holds its shard (src/distribute.c).
CREATE FUNCTION isms.organization_open_at(org bigint, name text) RETURNS bigint
    LANGUAGE c AS 'MODULE_PATHNAME', 'distribute_organization_open_at';
REVOKE ALL ON FUNCTION isms.organization_open_at(bigint, text) FROM PUBLIC;
COMMENT ON FUNCTION isms.organization_open_at(bigint, text) IS
    'On a distributed database: the engine''s insert of a new organisation, delegated to the node of its shard';

-- Citus cannot plan an SQL function's INSERT ... SELECT with parameters
-- (new_record's CTE, new_version's copy): the same statements as an
-- INSERT ... VALUES, which it routes by the organisation it is given.
CREATE OR REPLACE FUNCTION isms.new_record(run bigint, work_product text, title text, content jsonb DEFAULT '{}',
                                           evidence_uri text DEFAULT NULL, evidence_sha256 text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    org bigint := isms.run_org($1);
    id bigint;
BEGIN
    INSERT INTO isms.record (org_id, work_product_id, title, content, evidence_uri, evidence_sha256, produced_by_run)
    VALUES (org, isms.work_product_id(org, $2), $3, $4, $5, $6, $1)
    RETURNING record_id INTO id;
    RETURN id;
END
$$;

CREATE OR REPLACE FUNCTION isms.new_version(record bigint, run bigint DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    org bigint := isms.record_org($1);
    r isms.record;
    id bigint;
BEGIN
    SELECT * INTO r FROM isms.record x
     WHERE x.org_id OPERATOR(pg_catalog.=) org AND x.record_id OPERATOR(pg_catalog.=) $1;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    -- a register's record starts empty: the engine fills it (140_soa.sql)
    IF EXISTS (SELECT FROM isms.register g JOIN isms.work_product w ON w.key OPERATOR(pg_catalog.=) g.work_product
                WHERE w.work_product_id OPERATOR(pg_catalog.=) r.work_product_id AND w.org_id IS NULL) THEN
        r.content := '{}'::jsonb;
    END IF;
    INSERT INTO isms.record (org_id, work_product_id, document_id, title, content, evidence_uri, evidence_sha256,
                             produced_by_run)
    VALUES (r.org_id, r.work_product_id, r.document_id, r.title, r.content, r.evidence_uri, r.evidence_sha256, $2)
    RETURNING record_id INTO id;
    RETURN id;
END
$$;

-- add_activity's INSERT ... SELECT numbers the activity from the process's
-- existing ones: the number taken first, then an INSERT ... VALUES.
CREATE OR REPLACE FUNCTION isms.add_activity(org bigint, process isms.clause, name text, optional boolean DEFAULT false,
                                             description text DEFAULT NULL)
    RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    pid integer;
    n integer;
BEGIN
    PERFORM isms.require_org_role($1, '{admin}');
    pid := isms.process_id($1, $2);
    SELECT coalesce(max(a.activity_no), 0) OPERATOR(pg_catalog.+) 1 INTO n
      FROM isms.activity a
     WHERE a.process_id OPERATOR(pg_catalog.=) pid AND (a.org_id IS NULL OR a.org_id OPERATOR(pg_catalog.=) $1);
    INSERT INTO isms.activity (process_id, org_id, activity_no, name, optional, description)
    VALUES (pid, $1, n, $3, $4, $5);
    RETURN n;
END
$$;

-- run_blockers_of's lateral join on the run, as two statements: the run's
-- organisation first (no rows unless the caller is a member), then its blockers.
CREATE OR REPLACE FUNCTION isms_report.run_blockers_of(run bigint)
    RETURNS TABLE (blocker text, item text, detail text)
    LANGUAGE plpgsql STABLE STRICT SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    org bigint;
BEGIN
    SELECT r.org_id INTO org FROM isms.run r WHERE r.run_id OPERATOR(pg_catalog.=) $1;
    IF org IS NULL OR NOT isms.is_member(org) THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT b.blocker, b.item, b.detail FROM isms.run_blockers($1) b;
END
$$;

-- A state change through an SQL function compares org_id with the lookup
-- function itself (WHERE org_id = isms.step_org(...)), which Citus cannot
-- prune: it sent the UPDATE to every shard of the table, locking them all
-- (a multi-shard write), so one organisation's step change waited for
-- another's to commit (test/specs/steps.spec on the cluster).  The same
-- statements with the organisation looked up first are routed to its shard.
CREATE OR REPLACE FUNCTION isms.set_run_state(run bigint, state isms.run_state, reason text DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    org bigint := isms.run_org($1);
BEGIN
    UPDATE isms.run SET state = $2, state_reason = coalesce($3, state_reason)
     WHERE org_id OPERATOR(pg_catalog.=) org AND run_id OPERATOR(pg_catalog.=) $1;
END
$$;

CREATE OR REPLACE FUNCTION isms.set_step_state(run bigint, activity_no integer, state isms.step_state,
                                               performer text DEFAULT NULL, reason text DEFAULT NULL) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    org bigint := isms.step_org($1, $2);
BEGIN
    UPDATE isms.step SET state = $3, performer = coalesce($4, performer), skip_reason = coalesce($5, skip_reason)
     WHERE org_id OPERATOR(pg_catalog.=) org AND run_id OPERATOR(pg_catalog.=) $1
       AND activity_no OPERATOR(pg_catalog.=) $2;
END
$$;

CREATE OR REPLACE FUNCTION isms.set_record_state(record bigint, state isms.record_state, reason text DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    org bigint := isms.record_org($1);
BEGIN
    UPDATE isms.record SET state = $2, state_reason = $3
     WHERE org_id OPERATOR(pg_catalog.=) org AND record_id OPERATOR(pg_catalog.=) $1;
END
$$;

CREATE OR REPLACE FUNCTION isms.remove_input(run bigint, record bigint) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    org bigint := isms.run_org($1);
BEGIN
    DELETE FROM isms.run_record
     WHERE org_id OPERATOR(pg_catalog.=) org AND run_id OPERATOR(pg_catalog.=) $1
       AND record_id OPERATOR(pg_catalog.=) $2 AND role OPERATOR(pg_catalog.=) 'input';
END
$$;

-- Is this database distributed (isms.organization a Citus table)?
CREATE FUNCTION isms.distributed() RETURNS boolean
    LANGUAGE c STABLE AS 'MODULE_PATHNAME', 'distribute_distributed';
COMMENT ON FUNCTION isms.distributed() IS 'True when isms.distribute() has distributed this database on Citus';

-- remove_member: Citus cannot send a subquery on pg_roles to the copies of
-- a reference table, and a role's OID differs from node to node (Citus
-- sends the coordinator's, as a parameter or folded constant).  There the
-- membership is removed by the member's name, which every copy holds; on
-- one node, by identity as before (docs/guide.md: a renamed member).
CREATE OR REPLACE FUNCTION isms.remove_member(org bigint, member name) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    PERFORM isms.require_org_role($1, '{admin}');
    IF isms.distributed() THEN
        DELETE FROM isms.membership m
         WHERE m.org_id OPERATOR(pg_catalog.=) $1 AND m.member OPERATOR(pg_catalog.=) $2;
    ELSE
        DELETE FROM isms.membership m
         WHERE m.org_id OPERATOR(pg_catalog.=) $1
           AND (m.member_oid::pg_catalog.oid OPERATOR(pg_catalog.=)
                    (SELECT a.oid FROM pg_catalog.pg_roles a WHERE a.rolname OPERATOR(pg_catalog.=) $2)
                OR (m.member OPERATOR(pg_catalog.=) $2
                    AND NOT EXISTS (SELECT FROM pg_catalog.pg_roles a
                                     WHERE a.oid OPERATOR(pg_catalog.=) m.member_oid::pg_catalog.oid)));
    END IF;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'role "%" is not a member of organization %', $2, $1
            USING ERRCODE = 'IS015',
                  DETAIL = 'There is no membership to remove.',
                  HINT = pg_catalog.format('List the members with: SELECT * FROM isms.membership WHERE org_id = %s.', $1);
    END IF;
END
$$;
COMMENT ON FUNCTION isms.distribute_table(regclass, regclass, integer) IS
    'Used by isms.distribute(): distributes one table by org_id (or makes it a reference table), copying its rows with the engine''s triggers off';
