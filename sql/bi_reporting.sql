-- Reporting views in plain SQL types (issue 18; 160_bi.sql): a reader with no
-- isms on search_path filters and sorts every code, rating and array; the
-- sort keys order as the extension's types do; text and varchar convert to
-- the types where the engine's columns are compared with them; and every
-- view, view column and function of the extension has a comment.
SET client_min_messages = warning;
SET isms.actor = 'alice';

-- No column of a reporting view is of a type of the extension.
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid
 WHERE c.relnamespace = 'isms_report'::regnamespace AND a.attnum > 0
   AND t.typnamespace <> 'pg_catalog'::regnamespace
   AND (t.typelem = 0 OR (SELECT e.typnamespace FROM pg_type e WHERE e.oid = t.typelem) <> 'pg_catalog'::regnamespace);

-- Every view, view column and function of the extension has a comment.
SELECT 'view' AS kind, c.oid::regclass::text AS name FROM pg_class c
 WHERE c.relnamespace = 'isms_report'::regnamespace AND c.relkind IN ('v', 'm')
   AND obj_description(c.oid, 'pg_class') IS NULL
UNION ALL
SELECT 'column', c.oid::regclass || '.' || a.attname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
 WHERE c.relnamespace = 'isms_report'::regnamespace AND c.relkind IN ('v', 'm') AND a.attnum > 0 AND NOT a.attisdropped
   AND col_description(c.oid, a.attnum) IS NULL
UNION ALL
SELECT 'function', p.oid::regprocedure::text FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
 WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'isms27022')
   AND obj_description(p.oid, 'pg_proc') IS NULL
ORDER BY 1, 2;

-- The sort key orders every clause of the catalog (and codes with large
-- numbers) as isms.clause does, in the database's collation and in "C".
WITH c(code) AS (SELECT clause FROM isms.iso27001_clause
                 UNION ALL SELECT x::isms.clause FROM unnest('{7.10,7.9,10.1,9.3,6.1.10,6.1.2,A.5.23,A.5.3,9999.1,1}'::text[]) x)
SELECT count(*) AS codes,
       array_agg(code ORDER BY code) = array_agg(code ORDER BY isms.clause_sort_key(code), code) AS default_collation,
       array_agg(code ORDER BY code) = array_agg(code ORDER BY isms.clause_sort_key(code) COLLATE "C", code) AS c_collation
  FROM c;
SELECT x AS code, isms.clause_sort_key(x) FROM unnest('{7.4,6.1.2,10.2,A.5.23}'::isms.clause[]) x;
-- The rating value is the position on the scale, in the order of isms.rating.
SELECT r, isms.rating_value(r) FROM unnest('{N,P-,P,P+,L-,L,L+,F}'::isms.rating[]) r ORDER BY r;

-- An organisation with a planned run of 7.4 and a record in review.
CREATE TEMP TABLE o AS SELECT isms.create_organization('BI Types') AS org;
SELECT isms.plan_run(org, '7.4', 'Risk assessment', 'alice', CURRENT_DATE, CURRENT_DATE + 30) IS NOT NULL AS planned FROM o;
SELECT isms.submit_record(isms.new_external_record(org, 'legal_obligation', 'Obligation')) FROM o;
CREATE ROLE regress_bi_reader LOGIN IN ROLE isms_reader;
INSERT INTO isms.membership (org_id, member, org_role) SELECT org, 'regress_bi_reader', 'reader' FROM o;

-- The reader, with no isms on search_path, as a BI tool would query.
SET ROLE regress_bi_reader;
SET search_path = public;
SELECT process_code, process_sort, process_key, category, applicable, open_runs
  FROM isms_report.process_status WHERE process_code = '7.4';
SELECT string_agg(process_code, ' ' ORDER BY process_sort) AS by_sort_key FROM isms_report.process_status;
SELECT process_code, run_state, blocker FROM isms_report.run_blockers
 WHERE process_code = '7.4' AND run_state = 'planned' ORDER BY process_sort, blocker, item LIMIT 3;
-- A varchar parameter, as JDBC's setString binds it.
PREPARE by_code(varchar) AS SELECT count(*) FROM isms_report.process_status WHERE process_code = $1;
EXECUTE by_code('7.4');
PREPARE by_state(varchar) AS SELECT count(*) FROM isms_report.run_blockers WHERE run_state = $1;
EXECUTE by_state('planned');
SELECT clause, clause_sort, processes, pg_typeof(processes) FROM isms_report.iso27001_readiness
 WHERE clause = '6.1.2';
SELECT string_agg(clause, ' ' ORDER BY clause_sort) FILTER (WHERE clause LIKE '9.%' OR clause LIKE '10.%') AS clauses
  FROM isms_report.iso27001_readiness;
SELECT process_code, pa11, pa11_value, pa21, pa21_value, capability_level
  FROM isms_report.capability_profile WHERE process_code IN ('7.2', '7.4') ORDER BY process_sort;
SELECT process_code FROM isms_report.capability_profile WHERE pa11 = 'N' AND pa11_value < 2 ORDER BY process_sort LIMIT 2;
SELECT count(*) AS rows FROM isms_report.pending_approvals WHERE process_code IS NULL;
RESET search_path;
RESET ROLE;

-- With isms on search_path, the engine's columns compare with text and
-- varchar values (implicit casts), and malformed text is still refused.
SET search_path = isms, public;
PREPARE code(varchar) AS SELECT key FROM isms.process WHERE code = $1 AND org_id IS NULL;
EXECUTE code('7.4');
PREPARE code_text(text) AS SELECT count(*) FROM isms.process WHERE code <@ $1 AND org_id IS NULL;
EXECUTE code_text('7');
PREPARE rated(varchar) AS SELECT $1::text::rating > 'P' AS above_p, rating_value($1);
EXECUTE rated('L-');
\set VERBOSITY terse
EXECUTE code('7.4a');
\set VERBOSITY default
RESET search_path;

DEALLOCATE ALL;
DROP TABLE o;
DELETE FROM isms.membership WHERE member = 'regress_bi_reader';
DROP ROLE regress_bi_reader;
