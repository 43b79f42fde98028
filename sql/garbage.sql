-- garbage: hostile and malformed input to every entry point of the API.
--
-- Nothing may crash the backend, and every refusal must carry a documented
-- SQLSTATE: IS0xx for a rule, 22P02 for malformed type input, 23xxx for a
-- constraint -- never XX000 (an internal error).  VERBOSITY sqlstate prints
-- only the SQLSTATE, so the output does not depend on ids.
\set VERBOSITY sqlstate
SET isms.actor = 'alice';

-- 1. NULL in every argument of every function of schema isms (trigger,
-- internal and I/O functions excluded): each returns NULL (STRICT) or
-- raises a clean error.  Each call runs in a subtransaction that is rolled
-- back, so it changes nothing.  Only offenders are listed.
CREATE TEMP TABLE null_calls (calls int, offenders text[]);
DO $$
DECLARE
    f record;
    outcome text;
    offenders text[] := '{}';
    calls int := 0;
BEGIN
    FOR f IN
        SELECT p.oid::regprocedure AS sig, p.proname,
               (SELECT string_agg(format('NULL::%s', t::regtype), ', ' ORDER BY i)
                  FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(t, i)) AS args
          FROM pg_proc p
         WHERE p.pronamespace = 'isms'::regnamespace AND p.prokind = 'f'
           AND p.prorettype NOT IN ('trigger'::regtype, 'internal'::regtype, 'cstring'::regtype)
           AND NOT ('internal'::regtype = ANY (p.proargtypes) OR 'cstring'::regtype = ANY (p.proargtypes))
         ORDER BY 1::text
    LOOP
        calls := calls + 1;
        BEGIN
            EXECUTE format('SELECT %I.%I(%s)', 'isms', f.proname, coalesce(f.args, ''));
            RAISE SQLSTATE 'ISMSX';
        EXCEPTION
            WHEN SQLSTATE 'ISMSX' THEN outcome := NULL;
            WHEN OTHERS THEN
                outcome := CASE WHEN SQLSTATE LIKE 'XX%' OR SQLSTATE LIKE '58%' THEN SQLSTATE || ' ' || SQLERRM END;
        END;
        IF outcome IS NOT NULL THEN
            offenders := offenders || (f.sig::text || ': ' || outcome);
        END IF;
    END LOOP;
    INSERT INTO null_calls VALUES (calls, offenders);
END $$;
SELECT calls > 40 AS many_functions_called, offenders FROM null_calls;

-- the API's non-STRICT SQL functions refuse NULLs with a constraint error
SELECT isms.create_organization(NULL);
SELECT isms.plan_run(NULL, '7.9', 'x');
SELECT isms.new_external_record(NULL, 'security_event', 'x');

-- 2. An organisation to attack, and a second one.
SELECT isms.create_organization('garbage A') AS org \gset
SELECT isms.create_organization('garbage B') AS other \gset
SELECT isms.plan_run(:org, '7.9', 'incident') AS run \gset
SELECT isms.plan_run(:other, '7.9', 'foreign incident') AS foreign_run \gset
SELECT isms.new_external_record(:other, 'security_event', 'foreign event') AS foreign_rec \gset

-- empty and blank strings
SELECT isms.create_organization('');
SELECT isms.create_organization(' ');
SELECT isms.plan_run(:org, '7.9', '');
-- a title of tabs and newlines is blank too
SELECT isms.new_external_record(:org, 'security_event', E'\t\n');
SELECT isms.new_external_record(:org, '', 'x');
SELECT isms.plan_run(:org, '', 'x');
SELECT isms.cancel_run(:run, '   ');

-- a 10 MB title is stored (TOAST), and its event chains as usual
SELECT isms.plan_run(:org, '7.9', repeat('x', 10000000)) AS huge_run \gset
SELECT length(title) FROM isms.run WHERE run_id = :huge_run;
SELECT length(detail->>'title') FROM isms.event WHERE org_id = :org AND object_id = :huge_run;
-- a 10 MB work-product key or clause code is refused, not a crash
SELECT isms.new_external_record(:org, repeat('k', 10000000), 'x');
SELECT isms.plan_run(:org, (repeat('7.', 100000) || '9')::isms.clause, 'x');
SELECT isms.plan_run(:org, repeat('9', 100000)::isms.clause, 'x');
SELECT repeat('A.', 5000000)::isms.clause;

-- ids that do not exist (IS015)
SELECT isms.start_run(-1);
SELECT isms.start_run(0);
SELECT isms.start_run(9223372036854775807);
-- unknown record ids are refused (IS015), not silently ignored
SELECT isms.approve_record(-1);
SELECT isms.new_version(0);
SELECT isms.start_step(:run, 2147483647);
SELECT isms.start_step(:run, -2147483648);
SELECT * FROM isms.run_blockers(-1);
SELECT isms.plan_run(-1, '7.9', 'x');
SELECT isms.new_external_record(9223372036854775807, 'security_event', 'x');

-- ids of another organisation: refused, nothing linked across tenants
SELECT isms.add_input(:run, :foreign_rec);
SELECT isms.confirm_record(:run, :foreign_rec);
INSERT INTO isms.run_record (org_id, run_id, record_id, role) VALUES (:org, :foreign_run, :foreign_rec, 'input');
INSERT INTO isms.record (org_id, work_product_id, title, produced_by_run)
    VALUES (:org, isms.work_product_id(:org, 'incident_record'), 'x', :foreign_run);
INSERT INTO isms.record (org_id, work_product_id, title, document_id)
    VALUES (:org, isms.work_product_id(:org, 'security_event'), 'x', :foreign_rec);
SELECT count(*) AS cross_links FROM isms.run_record WHERE org_id = :org;

-- content that is not a JSON object
SELECT isms.new_external_record(:org, 'security_event', 'x', '[1, 2]');
SELECT isms.new_external_record(:org, 'security_event', 'x', '"text"');
SELECT isms.new_external_record(:org, 'security_event', 'x', 'null');
SELECT isms.new_external_record(:org, 'security_event', 'x', '42');
SELECT isms.new_external_record(:org, 'security_event', 'x', '{"a": ');
-- deeply nested JSON is refused by the JSON parser's depth limit, not a crash
SELECT isms.new_external_record(:org, 'security_event', 'x', (repeat('{"a":', 100000) || '1' || repeat('}', 100000))::jsonb);

-- evidence: bad SHA-256, URI without hash and hash without URI
SELECT isms.new_external_record(:org, 'security_event', 'x', '{}', 'https://e.example/1', 'abc');
SELECT isms.new_external_record(:org, 'security_event', 'x', '{}', 'https://e.example/1', upper(repeat('ab', 32)));
SELECT isms.new_external_record(:org, 'security_event', 'x', '{}', 'https://e.example/1', repeat('g', 64));
SELECT isms.new_external_record(:org, 'security_event', 'x', '{}', 'https://e.example/1', repeat('a', 65));
SELECT isms.new_external_record(:org, 'security_event', 'x', '{}', 'https://e.example/1', NULL);
SELECT isms.new_external_record(:org, 'security_event', 'x', '{}', NULL, repeat('a', 64));
SELECT isms.new_external_record(:org, 'security_event', 'x', '{}', '', repeat('a', 64));

-- bad clause codes and ratings (22P02), and codes that parse but name no process (IS015)
SELECT isms.plan_run(:org, 'x.y', 'x');
SELECT isms.plan_run(:org, '7..9', 'x');
SELECT isms.plan_run(:org, '7.9.', 'x');
SELECT isms.plan_run(:org, '-7.9', 'x');
SELECT isms.plan_run(:org, E'7.9\\x00', 'x');
SELECT isms.plan_run(:org, '99999999999999999999', 'x');
SELECT isms.plan_run(:org, '4.1', 'x');
SELECT isms.plan_run(:org, 'A.5.1', 'x');
SELECT ''::isms.rating;
SELECT 'Q'::isms.rating;
SELECT 'F+'::isms.rating;
SELECT '101%'::isms.rating;
SELECT 'NaN%'::isms.rating;
SELECT isms.rating('NaN'::numeric);
SELECT isms.rating('-Infinity'::double precision);

-- dates and states that make no sense
SELECT isms.plan_run(:org, '7.9', 'x', NULL, '2026-01-31', '2026-01-01');
SELECT isms.plan_run(:org, '7.9', 'x', NULL, 'infinity', 'infinity') IS NOT NULL AS infinite_dates_accepted;
INSERT INTO isms.run (org_id, process_id, title, state) VALUES (:org, isms.process_id(:org, '7.9'), 'x', 'completed');
SELECT isms.complete_run(:run);
SELECT isms.finish_step(:run, 1);
SELECT isms.withdraw_record(:foreign_rec, 'x');

-- the audit trail cannot be written, rewritten or erased by hand
INSERT INTO isms.event (org_id, event_no, occurred_at, actor, object_type, action, hash)
    VALUES (:org, 1000, now(), 'mallory', 'run', 'plan', '\x00');
UPDATE isms.event SET actor = 'mallory' WHERE org_id = :org;
DELETE FROM isms.event WHERE org_id = :org;
TRUNCATE isms.event;
UPDATE isms.event_chain SET last_event_no = 0 WHERE org_id = :org;

-- an absurd application user name is just a name
SET isms.actor = '';
SELECT isms.plan_run(:org, '7.9', 'empty actor means the role') IS NOT NULL AS planned;
SELECT set_config('isms.actor', repeat('m', 100000), false) IS NOT NULL AS long_actor;
SELECT isms.plan_run(:org, '7.9', 'long actor') IS NOT NULL AS planned;
RESET isms.actor;

-- after all that, both chains verify and the backend is alive
SELECT valid, problem FROM isms.verify_events(:org);
SELECT valid, problem FROM isms.verify_events(:other);
