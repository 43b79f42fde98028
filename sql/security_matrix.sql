-- Tenancy: what each role may do to each operational table, in its own
-- organisation and in another one.
--
-- Two organisations with the same data.  Each of five login roles is a
-- member of organisation A with the org role of its group role; none is a
-- member of B.  Every command is tried as the login role (SET ROLE, never
-- as superuser) inside a subtransaction that is always rolled back, and
-- the outcome is recorded:
--   a number   the command succeeded: rows counted (SELECT) or changed
--              (0: the rows are invisible to the role)
--   denied     42501 permission denied: no privilege on the table
--   rls        42501 new row violates a row-level security policy
--   ISnnn      the privilege and the policy allowed it; the engine refused
SET client_min_messages = warning;
SET search_path = pg_catalog;

CREATE ROLE regress_isms_admin LOGIN IN ROLE isms_admin;
CREATE ROLE regress_isms_manager LOGIN IN ROLE isms_manager;
CREATE ROLE regress_isms_contributor LOGIN IN ROLE isms_contributor;
CREATE ROLE regress_isms_auditor LOGIN IN ROLE isms_auditor;
CREATE ROLE regress_isms_reader LOGIN IN ROLE isms_reader;
CREATE ROLE regress_isms_b_admin LOGIN IN ROLE isms_admin;
CREATE ROLE regress_isms_b_manager LOGIN IN ROLE isms_manager;

-- One organisation, set up through the API by its own members: a process
-- declared not applicable, a planned run of 6.2 with an approved input
-- linked, a second approved record not yet linked and a draft.
CREATE FUNCTION pg_temp.seed(org_name text, admin name, manager name) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    org bigint;
    run bigint;
    linked bigint;
    spare bigint;
BEGIN
    PERFORM set_config('role', admin, true);
    org := isms.create_organization(org_name);
    PERFORM isms.add_member(org, manager, 'manager');
    PERFORM isms.exclude_process(org, '8.5', 'outsourced');
    PERFORM set_config('role', manager, true);
    run := isms.plan_run(org, '6.2', 'governance interface 2026');
    linked := isms.new_external_record(org, 'business_context', 'strategy 2026');
    spare := isms.new_external_record(org, 'business_context', 'market study');
    PERFORM isms.submit_record(linked);
    PERFORM isms.submit_record(spare);
    PERFORM isms.new_external_record(org, 'legal_obligation', 'GDPR');
    PERFORM set_config('role', admin, true);
    PERFORM isms.approve_record(linked);
    PERFORM isms.approve_record(spare);
    PERFORM set_config('role', manager, true);
    PERFORM isms.add_input(run, linked);
    PERFORM set_config('role', 'none', true);
    RETURN org;
END
$$;
SELECT pg_temp.seed('regress org A', 'regress_isms_admin', 'regress_isms_manager') AS org_a \gset
SELECT pg_temp.seed('regress org B', 'regress_isms_b_admin', 'regress_isms_b_manager') AS org_b \gset
SET ROLE regress_isms_admin;
SELECT isms.add_member(:org_a, 'regress_isms_contributor', 'contributor'),
       isms.add_member(:org_a, 'regress_isms_auditor', 'auditor'),
       isms.add_member(:org_a, 'regress_isms_reader', 'reader');
RESET ROLE;

-- The statements tried; %1$s is the organisation, %2$s its run, %3$s its
-- unlinked approved record, %4$s the run's process.
CREATE TEMP TABLE probe (tab text, cmd text, stmt text, PRIMARY KEY (tab, cmd));
INSERT INTO probe VALUES
 ('organization', 'select', 'SELECT count(*) FROM isms.organization WHERE org_id = %1$s'),
 ('organization', 'insert', 'INSERT INTO isms.organization (name) VALUES (''probe %1$s'')'),
 ('organization', 'update', 'UPDATE isms.organization SET notify_events = notify_events WHERE org_id = %1$s'),
 ('organization', 'delete', 'DELETE FROM isms.organization WHERE org_id = %1$s'),
 ('membership', 'select', 'SELECT count(*) FROM isms.membership WHERE org_id = %1$s'),
 ('membership', 'insert', 'INSERT INTO isms.membership (org_id, member, org_role) VALUES (%1$s, ''regress_isms_b_admin'', ''reader'')'),
 ('membership', 'update', 'UPDATE isms.membership SET org_role = org_role WHERE org_id = %1$s'),
 ('membership', 'delete', 'DELETE FROM isms.membership WHERE org_id = %1$s AND org_role <> ''admin'''),
 ('designation', 'select', 'SELECT count(*) FROM isms.designation WHERE org_id = %1$s'),
 ('designation', 'insert', 'INSERT INTO isms.designation (org_id, member_oid, designation) VALUES (%1$s, ''regress_isms_manager'', ''internal_auditor'')'),
 ('designation', 'update', 'UPDATE isms.designation SET designation = designation WHERE org_id = %1$s'),
 ('designation', 'delete', 'DELETE FROM isms.designation WHERE org_id = %1$s'),
 ('process_exclusion', 'select', 'SELECT count(*) FROM isms.process_exclusion WHERE org_id = %1$s'),
 ('process_exclusion', 'insert', 'INSERT INTO isms.process_exclusion (org_id, process_id, justification) SELECT %1$s, process_id, ''probe'' FROM isms.process WHERE org_id IS NULL AND code::text = ''8.4'''),
 ('process_exclusion', 'update', 'UPDATE isms.process_exclusion SET justification = justification WHERE org_id = %1$s'),
 ('process_exclusion', 'delete', 'DELETE FROM isms.process_exclusion WHERE org_id = %1$s'),
 ('run', 'select', 'SELECT count(*) FROM isms.run WHERE org_id = %1$s'),
 ('run', 'insert', 'INSERT INTO isms.run (org_id, process_id, title) VALUES (%1$s, %4$s, ''probe'')'),
 ('run', 'update', 'UPDATE isms.run SET title = title WHERE org_id = %1$s'),
 ('run', 'delete', 'DELETE FROM isms.run WHERE org_id = %1$s'),
 ('step', 'select', 'SELECT count(*) FROM isms.step WHERE org_id = %1$s'),
 ('step', 'insert', 'INSERT INTO isms.step (org_id, run_id, activity_no) VALUES (%1$s, %2$s, 99)'),
 ('step', 'update', 'UPDATE isms.step SET performer = performer WHERE org_id = %1$s'),
 ('step', 'delete', 'DELETE FROM isms.step WHERE org_id = %1$s'),
 ('record', 'select', 'SELECT count(*) FROM isms.record WHERE org_id = %1$s'),
 ('record', 'insert', 'INSERT INTO isms.record (org_id, work_product_id, title) SELECT %1$s, work_product_id, ''probe'' FROM isms.work_product WHERE org_id IS NULL AND key = ''legal_obligation'''),
 ('record', 'update', 'UPDATE isms.record SET title = title WHERE org_id = %1$s AND state = ''draft'''),
 ('record', 'delete', 'DELETE FROM isms.record WHERE org_id = %1$s AND state = ''draft'''),
 ('run_record', 'select', 'SELECT count(*) FROM isms.run_record WHERE org_id = %1$s'),
 ('run_record', 'insert', 'INSERT INTO isms.run_record (org_id, run_id, record_id, role) VALUES (%1$s, %2$s, %3$s, ''input'')'),
 ('run_record', 'update', 'UPDATE isms.run_record SET linked_by = linked_by WHERE org_id = %1$s'),
 ('run_record', 'delete', 'DELETE FROM isms.run_record WHERE org_id = %1$s AND role = ''input'''),
 ('event', 'select', 'SELECT count(*) FROM isms.event WHERE org_id = %1$s'),
 ('event', 'insert', 'INSERT INTO isms.event (org_id, event_no, occurred_at, actor, object_type, action, hash) VALUES (%1$s, 1000, now(), ''me'', ''run'', ''forge'', ''\x00'')'),
 ('event', 'update', 'UPDATE isms.event SET actor = actor WHERE org_id = %1$s'),
 ('event', 'delete', 'DELETE FROM isms.event WHERE org_id = %1$s'),
 ('event_chain', 'select', 'SELECT count(*) FROM isms.event_chain WHERE org_id = %1$s'),
 ('event_chain', 'insert', 'INSERT INTO isms.event_chain (org_id) VALUES (%1$s)'),
 ('event_chain', 'update', 'UPDATE isms.event_chain SET last_hash = last_hash WHERE org_id = %1$s'),
 ('event_chain', 'delete', 'DELETE FROM isms.event_chain WHERE org_id = %1$s');
INSERT INTO probe SELECT DISTINCT tab, 'truncate', 'TRUNCATE isms.' || tab FROM probe;

-- Where: the organisation, its run, its approved record not yet linked and
-- the run's process.
CREATE TEMP TABLE scope AS
SELECT v.scope, v.org, r.run_id AS run, r.process_id AS process,
       (SELECT max(record_id) FROM isms.record c WHERE c.org_id = v.org AND c.state = 'approved') AS record
  FROM (VALUES ('own', :org_a), ('other', :org_b)) AS v (scope, org)
  JOIN isms.run r ON r.org_id = v.org;

-- Try everything; the subtransaction (and the role switch) always rolls back.
CREATE TEMP TABLE outcome (login name, tab text, cmd text, scope text, result text);
DO $$
DECLARE
    login name;
    p record;
    stmt text;
    n bigint;
    res text;
BEGIN
    FOREACH login IN ARRAY '{regress_isms_admin,regress_isms_manager,regress_isms_contributor,regress_isms_auditor,regress_isms_reader}'::name[]
    LOOP
        FOR p IN SELECT * FROM probe, scope WHERE probe.cmd <> 'truncate' OR scope.scope = 'own'
        LOOP
            stmt := format(p.stmt, p.org, p.run, p.record, p.process);
            BEGIN
                PERFORM set_config('role', login, true);
                IF p.cmd = 'select' THEN
                    EXECUTE stmt INTO n;
                ELSE
                    EXECUTE stmt;
                    GET DIAGNOSTICS n = ROW_COUNT;
                END IF;
                RAISE SQLSTATE 'RGRES' USING MESSAGE = n;
            EXCEPTION WHEN OTHERS THEN
                res := CASE WHEN SQLSTATE = 'RGRES' THEN SQLERRM
                            WHEN SQLSTATE = '42501' AND SQLERRM LIKE '%row-level security%' THEN 'rls'
                            WHEN SQLSTATE = '42501' THEN 'denied'
                            ELSE SQLSTATE END;
            END;
            INSERT INTO outcome VALUES (login, p.tab, p.cmd, p.scope, res);
        END LOOP;
    END LOOP;
END
$$;

-- The matrix: one row per role and table, own organisation / other one.
SELECT substr(login, 14) AS role, tab AS "table",
       max(result) FILTER (WHERE cmd = 'select' AND scope = 'own') || ' / ' ||
       max(result) FILTER (WHERE cmd = 'select' AND scope = 'other') AS "select",
       max(result) FILTER (WHERE cmd = 'insert' AND scope = 'own') || ' / ' ||
       max(result) FILTER (WHERE cmd = 'insert' AND scope = 'other') AS "insert",
       max(result) FILTER (WHERE cmd = 'update' AND scope = 'own') || ' / ' ||
       max(result) FILTER (WHERE cmd = 'update' AND scope = 'other') AS "update",
       max(result) FILTER (WHERE cmd = 'delete' AND scope = 'own') || ' / ' ||
       max(result) FILTER (WHERE cmd = 'delete' AND scope = 'other') AS "delete",
       max(result) FILTER (WHERE cmd = 'truncate') AS "truncate"
  FROM outcome
 GROUP BY login, tab
 ORDER BY array_position('{regress_isms_admin,regress_isms_manager,regress_isms_contributor,regress_isms_auditor,regress_isms_reader}'::name[], login),
          array_position('{organization,membership,designation,process_exclusion,run,step,record,run_record,event,event_chain}'::text[], tab);

-- Nothing that was tried is left behind, and both chains are intact.
SELECT org_id = :org_a AS own, count(*) AS events FROM isms.event WHERE org_id IN (:org_a, :org_b) GROUP BY 1 ORDER BY 1;
SELECT valid, problem FROM isms.verify_events(:org_a) UNION ALL SELECT valid, problem FROM isms.verify_events(:org_b);

DROP ROLE regress_isms_admin, regress_isms_manager, regress_isms_contributor, regress_isms_auditor,
          regress_isms_reader, regress_isms_b_admin, regress_isms_b_manager;
