-- Reporting views driven by the caller's memberships (090_views.sql,
-- src/membership.c): isms.my_organizations() is isms.is_member as a set,
-- estimated at the caller's number of memberships; every view's plan starts
-- from it and reads each organisation through the org_id indexes; and every
-- view returns exactly what its 0.1.0 definition (isms.organization
-- filtered on is_member) returns, on the data of the earlier tests and of
-- this file.  Organisation ids depend on the earlier tests: only counts and
-- comparisons are printed.
SET client_min_messages = warning;
SET isms.actor = 'alice';
\i test/lib/governance.sql

-- Some history of every kind the views show: a completed governance run
-- with a draft, an open run, a record in review, an excluded process and
-- an assessor's rating; a second organisation with a planned run only.
SELECT isms.create_organization('Membership Umbrella') AS org \gset
SELECT isms.create_organization('Membership Tyrell') AS other \gset
SELECT pg_temp.publish(isms.new_external_record(:org, 'business_context', 'Strategy')) IS NOT NULL AS ok;
SELECT pg_temp.governance(:org, 'Governance', CURRENT_DATE + 30, true) IS NOT NULL AS ok;
SELECT isms.plan_run(:org, '7.4', 'Risk assessment', 'alice', CURRENT_DATE - 10, CURRENT_DATE - 3) IS NOT NULL AS ok;
SELECT isms.submit_record(isms.new_external_record(:org, 'legal_obligation', 'Data protection act'));
SELECT isms.exclude_process(:org, '8.4', 'no such activity here');
SET isms.actor = 'carol';
SELECT isms.rate_process(:org, '6.2', 'PA 1.1', 'L', 'seen in the review') IS NOT NULL AS ok;
SET isms.actor = 'alice';
SELECT isms.plan_run(:other, '6.2', 'Tyrell governance', 'gina') IS NOT NULL AS ok;

-- Callers: a reader of one organisation, a reader of every other one, a
-- reader of none, and a role of no isms group role (PUBLIC may not call
-- my_organizations).
CREATE ROLE regress_member_one LOGIN;
CREATE ROLE regress_member_half LOGIN;
CREATE ROLE regress_member_none LOGIN;
CREATE ROLE regress_member_outsider LOGIN;
GRANT isms_reader TO regress_member_one, regress_member_half, regress_member_none;
GRANT USAGE ON SCHEMA isms TO regress_member_outsider;
INSERT INTO isms.membership (org_id, member, org_role) VALUES (:org, 'regress_member_one', 'reader');
INSERT INTO isms.membership (org_id, member, org_role)
SELECT org_id, 'regress_member_half', CASE WHEN org_id % 4 = 0 THEN 'auditor' ELSE 'reader' END
  FROM isms.organization WHERE org_id % 2 = 0 OR org_id = :org;
CREATE TEMP TABLE all_orgs AS SELECT org_id FROM isms.organization;
GRANT SELECT ON all_orgs TO PUBLIC;

-- my_organizations is is_member as a set (and member_role for the role),
-- for each caller and for the superuser, who is a member of nothing here
-- and, after SET ROLE, sees what the role sees.
CREATE FUNCTION pg_temp.same_as_is_member() RETURNS boolean LANGUAGE sql AS $$
    SELECT (SELECT coalesce(array_agg((org_id, org_role)::text ORDER BY org_id), '{}') FROM isms.my_organizations())
         = (SELECT coalesce(array_agg((org_id, isms.member_role(org_id))::text ORDER BY org_id), '{}')
              FROM all_orgs WHERE isms.is_member(org_id))
$$;
SELECT current_user, pg_temp.same_as_is_member(), (SELECT count(*) FROM isms.my_organizations()) AS organizations;
SET ROLE regress_member_one;
SELECT current_user, pg_temp.same_as_is_member(), (SELECT count(*) FROM isms.my_organizations()) AS organizations;
SET ROLE regress_member_half;
SELECT current_user, pg_temp.same_as_is_member(),
       (SELECT count(*) FROM isms.my_organizations()) = (SELECT count(*) FROM all_orgs WHERE org_id % 2 = 0 OR org_id = :org) AS organizations;
SET ROLE regress_member_none;
SELECT current_user, pg_temp.same_as_is_member(), (SELECT count(*) FROM isms.my_organizations()) AS organizations;
SET ROLE regress_member_outsider;
SELECT * FROM isms.my_organizations();
RESET ROLE;

-- The planner's estimate is the caller's number of memberships (at least 1).
CREATE FUNCTION pg_temp.estimate() RETURNS float8 LANGUAGE plpgsql AS $$
DECLARE
    plan jsonb;
BEGIN
    EXPLAIN (FORMAT JSON) SELECT * FROM isms.my_organizations() INTO plan;
    RETURN (plan->0->'Plan'->>'Plan Rows')::float8;
END $$;
SET ROLE regress_member_one;
SELECT current_user, pg_temp.estimate();
SET ROLE regress_member_half;
SELECT current_user, pg_temp.estimate() = (SELECT count(*) FROM isms.my_organizations()) AS estimate_is_count;
SET ROLE regress_member_none;
SELECT current_user, pg_temp.estimate();
RESET ROLE;

-- Every view's plan starts from the memberships: a nested loop whose outer
-- side is the function scan, and whose inner side, run once per
-- organisation, reads every operational table by org_id (with sequential
-- scans disabled, so that the plan does not depend on the size of these
-- small tables: each scan of an operational table is an index scan on
-- org_id, on a unique id or on a key its row joins on).
CREATE FUNCTION pg_temp.plan_shape(view text, OUT plan_root text, OUT driven_by text, OUT per_organisation text,
                                   OUT unindexed_scans text) LANGUAGE plpgsql AS $$
DECLARE
    plan jsonb;
BEGIN
    EXECUTE format('EXPLAIN (COSTS OFF, FORMAT JSON) SELECT * FROM isms_report.%I', view) INTO plan;
    plan_root := plan->0->'Plan'->>'Node Type';
    driven_by := concat_ws(' ', plan->0->'Plan'->'Plans'->0->>'Node Type', 'on',
                           plan->0->'Plan'->'Plans'->0->>'Function Name');
    SELECT string_agg(DISTINCT n->>'Relation Name', ', ') INTO per_organisation
      FROM jsonb_path_query(plan->0->'Plan'->'Plans'->1, 'lax $.**') n
     WHERE jsonb_typeof(n) = 'object'
       AND n->>'Relation Name' IN ('organization', 'run', 'step', 'record', 'run_record', 'event',
                                   'process_exclusion', 'assessment_rating');
    SELECT string_agg(DISTINCT (n->>'Node Type') || ' on ' || (n->>'Relation Name'), ', ') INTO unindexed_scans
      FROM jsonb_path_query(plan, 'lax $.**') n
     WHERE jsonb_typeof(n) = 'object'
       AND n->>'Relation Name' IN ('organization', 'run', 'step', 'record', 'run_record', 'event',
                                   'process_exclusion', 'assessment_rating')
       AND coalesce(n->>'Index Cond', n->>'Recheck Cond', '') !~ '(org_id|run_id|record_id) = ';
END $$;
SET enable_seqscan = off;
SET ROLE regress_member_half;
SELECT c.relname AS view, s.*
  FROM pg_class c, pg_temp.plan_shape(c.relname) s
 WHERE c.relnamespace = 'isms_report'::regnamespace AND c.relkind = 'v'
 ORDER BY c.relname;
RESET ROLE;
RESET enable_seqscan;

-- The top of the plan of a few views as EXPLAIN shows it (numbers masked):
-- the caller's organisations, then per organisation its rows (below that
-- node the plan depends on the data).  With "WHERE org_id = n" the
-- function scan keeps one organisation.
CREATE FUNCTION pg_temp.plan_top(query text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    driver_at integer;          -- where the function scan's arrow is
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        IF driver_at IS NOT NULL AND strpos(line, '->') = driver_at THEN
            RETURN NEXT left(line, driver_at + 3) || '(the organisation''s rows)';
            RETURN;
        END IF;
        IF line ~ 'Function Scan on my_organizations' THEN
            driver_at := strpos(line, '->');
        END IF;
        RETURN NEXT regexp_replace(line, '[0-9]+', 'N', 'g');
    END LOOP;
END $$;
SET ROLE regress_member_half;
SELECT pg_temp.plan_top('SELECT * FROM isms_report.event_timeline');
SELECT pg_temp.plan_top('SELECT * FROM isms_report.pending_approvals LIMIT 100');
SELECT pg_temp.plan_top(format('SELECT * FROM isms_report.process_status WHERE org_id = %s', :org));
RESET ROLE;

-- Every view returns what its 0.1.0 definition returns, for each caller:
-- the definitions are read from the frozen install script into a schema of
-- their own and compared row for row (EXCEPT ALL both ways, in one
-- statement, so CURRENT_DATE and CURRENT_TIMESTAMP are the same).
CREATE SCHEMA regress_views_010;
\set views_010 `sed -n -e '/^CREATE VIEW isms_report\./,/;$/{s/^CREATE VIEW isms_report\./CREATE VIEW regress_views_010./;p}' sql/isms27022--0.1.0.sql`
-- ... with 0.2.0's mapping of 9.3.2 d 4 (the fulfilment of the objectives).
SELECT replace(:'views_010', $$('d4', 'Information security incidents', 'incident_record'),$$,
               $$('d4', 'Fulfilment of information security objectives', 'security_objectives'),
                 ('d4', 'Fulfilment of information security objectives', 'performance_report'),$$) AS views_010 \gset
:views_010
GRANT USAGE ON SCHEMA regress_views_010 TO PUBLIC;
GRANT SELECT ON ALL TABLES IN SCHEMA regress_views_010 TO PUBLIC;
-- The columns of the 0.1.0 view, in their text form in both: 0.2.0 shows
-- codes, ratings and enums as text and adds sort keys (160_bi.sql).
CREATE FUNCTION pg_temp.differences(view text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
    cols text;
BEGIN
    SELECT string_agg(format('%I::text', a.attname), ', ' ORDER BY a.attnum) INTO cols
      FROM pg_attribute a
     WHERE a.attrelid = format('regress_views_010.%I', view)::regclass AND a.attnum > 0;
    EXECUTE format('SELECT (SELECT count(*) FROM (SELECT %2$s FROM isms_report.%1$I EXCEPT ALL SELECT %2$s FROM regress_views_010.%1$I) a)
                         + (SELECT count(*) FROM (SELECT %2$s FROM regress_views_010.%1$I EXCEPT ALL SELECT %2$s FROM isms_report.%1$I) b)',
                   view, cols) INTO n;
    RETURN n;
END $$;
CREATE FUNCTION pg_temp.compared(OUT views bigint, OUT has_rows boolean, OUT differences bigint)
    LANGUAGE plpgsql AS $$
DECLARE
    v name;
    n bigint;
    total bigint := 0;
BEGIN
    views := 0;
    differences := 0;
    -- the views of 0.1.0 (later ones have no 0.1.0 definition to compare with)
    FOR v IN SELECT c.relname FROM pg_class c
              WHERE c.relnamespace = 'regress_views_010'::regnamespace AND c.relkind = 'v' ORDER BY 1 LOOP
        EXECUTE format('SELECT count(*) FROM isms_report.%I', v) INTO n;
        views := views + 1;
        total := total + n;
        differences := differences + pg_temp.differences(v);
    END LOOP;
    has_rows := total > 0;
END $$;
SET ROLE regress_member_one;
SELECT current_user, * FROM pg_temp.compared();
SET ROLE regress_member_half;
SELECT current_user, * FROM pg_temp.compared();
SET ROLE regress_member_none;
SELECT current_user, * FROM pg_temp.compared();
RESET ROLE;
SELECT current_user, * FROM pg_temp.compared();

DROP SCHEMA regress_views_010 CASCADE;
REVOKE USAGE ON SCHEMA isms FROM regress_member_outsider;
DELETE FROM isms.membership WHERE member IN ('regress_member_one', 'regress_member_half');
DROP ROLE regress_member_one, regress_member_half, regress_member_none, regress_member_outsider;
