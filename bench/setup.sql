-- bench/setup.sql -- benchmark-only helpers (schema bench): the tenant roles
-- the workloads run as, switching between the variants, the benchmark's own
-- organisations, and the pools of objects the single-operation workloads
-- work through.  Loaded by bench/run.sh after CREATE EXTENSION isms27022
-- and bench/reference/rules.sql; never shipped.

CREATE SCHEMA bench;
GRANT USAGE ON SCHEMA bench TO PUBLIC;

-- The tenants (login roles of a throwaway cluster, no passwords: trust):
--   bench_app     the application every workload connects as: a manager
--                 of the benchmark's organisations, member of isms_app so
--                 that it names its users (alice writes, bob approves)
--   bench_reader  a BI tool reading the isms_report views of 100 organisations
--   bench_import  a bulk importer: COPY FROM is refused under row-level
--                 security (PostgreSQL: "COPY FROM not supported with
--                 row-level security"), so a COPY importer needs BYPASSRLS;
--                 the engine's rules still run for it
--   bench_reader  a BI tool reading the isms_report views of 100 organisations
--   bench_mem     a contributor of every organisation (the cache-memory
--                 probe, allowed to read its own memory contexts)
CREATE ROLE bench_app LOGIN IN ROLE isms_manager, isms_app;
CREATE ROLE bench_import LOGIN BYPASSRLS IN ROLE isms_contributor, isms_app;
CREATE ROLE bench_reader LOGIN IN ROLE isms_reader;
CREATE ROLE bench_mem LOGIN IN ROLE isms_contributor;
GRANT SELECT ON pg_backend_memory_contexts TO bench_mem;
GRANT EXECUTE ON FUNCTION pg_get_backend_memory_contexts() TO bench_mem;

-- The benchmark's organisations: per variant, one per client of the
-- single-operation workloads (variant 'scale': the 8 organisations of the
-- lifecycle scaling runs), built through the API (valid event chains), each
-- with one approved security event that the finish_step pool links as the
-- input of its incident runs.
CREATE TABLE bench.org (
    org_id        bigint PRIMARY KEY,
    variant       text NOT NULL,
    client        integer NOT NULL,
    input_record  bigint NOT NULL,
    UNIQUE (variant, client)
);

-- Which triggers make up each variant (every trigger on the engine's
-- tables whose function lives in schema isms is the engine's, whatever its
-- name, so a new engine trigger is switched with the others):
--   c, nochecks  the extension's triggers (nochecks: with the benchmark
--                build of the library, see bench/run.sh)
--   floor        none of the rules and no events; only the two structural
--                triggers stay (steps created with a run, output links made
--                with a record) so that every variant writes the same rows
--                of run, step, record and run_record
--   plpgsql      the reference triggers of bench/reference/rules.sql
CREATE FUNCTION bench.use_variant(v text) RETURNS void
    LANGUAGE plpgsql AS
$$
DECLARE
    t record;
    enable boolean;
BEGIN
    IF v NOT IN ('c', 'nochecks', 'floor', 'plpgsql') THEN
        RAISE EXCEPTION 'unknown variant %', v;
    END IF;
    FOR t IN
        SELECT g.tgrelid::regclass AS rel, g.tgname, n.nspname, g.tgenabled <> 'D' AS enabled
          FROM pg_trigger g
          JOIN pg_proc f ON f.oid = g.tgfoid
          JOIN pg_namespace n ON n.oid = f.pronamespace
         WHERE NOT g.tgisinternal
           AND n.nspname IN ('isms', 'isms_ref')
           AND g.tgtype & 32 = 0        -- not the TRUNCATE guards
           AND g.tgrelid IN ('isms.run'::regclass, 'isms.step'::regclass, 'isms.record'::regclass,
                             'isms.run_record'::regclass, 'isms.event'::regclass, 'isms.event_chain'::regclass)
    LOOP
        enable := CASE
            WHEN t.nspname = 'isms_ref' THEN v = 'plpgsql'
            WHEN t.tgname IN ('run_creates_steps', 'record_links_output') THEN v <> 'plpgsql'
            ELSE v IN ('c', 'nochecks')
        END;
        IF enable IS DISTINCT FROM t.enabled THEN
            EXECUTE format('ALTER TABLE %s %s TRIGGER %I', t.rel, CASE WHEN enable THEN 'ENABLE' ELSE 'DISABLE' END,
                           t.tgname);
        END IF;
    END LOOP;
END
$$;

-- Create the organisations of one variant (contiguous ids), bench_app a
-- manager and bench_import a contributor of each; returns the first.
CREATE FUNCTION bench.make_orgs(v text, n integer) RETURNS bigint
    LANGUAGE plpgsql AS
$$
DECLARE
    c integer;
    o bigint;
    r bigint;
    first bigint;
BEGIN
    FOR c IN 0 .. n - 1 LOOP
        o := isms.create_organization(format('bench-%s-%s', v, c));
        first := coalesce(first, o);
        IF o <> first + c THEN
            RAISE EXCEPTION 'organisation ids of variant % are not contiguous', v;
        END IF;
        PERFORM isms.add_member(o, 'bench_app', 'manager');
        PERFORM isms.add_member(o, 'bench_import', 'contributor');
        PERFORM set_config('isms.actor', 'alice', true);
        r := isms.new_external_record(o, 'security_event', 'Standing security event', '{"source": "bench"}');
        PERFORM isms.submit_record(r);
        PERFORM set_config('isms.actor', 'bob', true);
        PERFORM isms.approve_record(r);
        INSERT INTO bench.org VALUES (o, v, c, r);
    END LOOP;
    PERFORM set_config('isms.actor', '', true);
    RETURN first;
END
$$;

-- Make a role a member of organisations, in one statement.
CREATE FUNCTION bench.add_members(role name, org_role text, orgs bigint[]) RETURNS void
    LANGUAGE sql AS
$$
INSERT INTO isms.membership (org_id, member, org_role)
SELECT o, role, org_role FROM unnest(orgs) o ON CONFLICT DO NOTHING
$$;

-- n records in review per client, written by alice, record ids contiguous:
-- client c approves first + c * n + i (i = 0 .. n-1).  Returns first.
CREATE FUNCTION bench.make_approve_pool(orgbase bigint, clients integer, n integer) RETURNS bigint
    LANGUAGE plpgsql AS
$$
DECLARE
    first bigint;
BEGIN
    PERFORM set_config('isms.actor', 'alice', true);
    CREATE TEMP TABLE new_pool ON COMMIT DROP AS
    WITH ins AS (
        INSERT INTO isms.record (org_id, work_product_id, title, content)
        SELECT orgbase + g / n, isms.work_product_id(orgbase, 'security_event'), 'Reported event ' || g,
               jsonb_build_object('g', g)
          FROM generate_series(0, clients * n - 1) g ORDER BY g
        RETURNING record_id, (content->>'g')::integer AS g)
    SELECT * FROM ins;
    SELECT min(record_id) INTO first FROM new_pool;
    IF EXISTS (SELECT FROM new_pool WHERE record_id <> first + g) THEN
        RAISE EXCEPTION 'approve pool ids are not contiguous';
    END IF;
    UPDATE isms.record SET state = 'in_review'
     WHERE org_id BETWEEN orgbase AND orgbase + clients - 1 AND record_id BETWEEN first AND first + clients * n - 1;
    PERFORM set_config('isms.actor', '', true);
    RETURN first;
END
$$;

-- n active incident runs per client with step 1 active, run ids contiguous:
-- client c finishes step 1 of run first + c * n + i.  Returns first.
CREATE FUNCTION bench.make_step_pool(orgbase bigint, clients integer, n integer) RETURNS bigint
    LANGUAGE plpgsql AS
$$
DECLARE
    first bigint;
BEGIN
    CREATE TEMP TABLE new_pool ON COMMIT DROP AS
    WITH ins AS (
        INSERT INTO isms.run (org_id, process_id, title)
        SELECT orgbase + g / n, isms.process_id(orgbase, '7.9'), 'Incident ' || g
          FROM generate_series(0, clients * n - 1) g ORDER BY g
        RETURNING org_id, run_id, (substr(title, 10))::integer AS g)
    SELECT * FROM ins;
    SELECT min(run_id) INTO first FROM new_pool;
    IF EXISTS (SELECT FROM new_pool WHERE run_id <> first + g) THEN
        RAISE EXCEPTION 'step pool ids are not contiguous';
    END IF;
    INSERT INTO isms.run_record (org_id, run_id, record_id, role)
    SELECT p.org_id, p.run_id, o.input_record, 'input' FROM new_pool p JOIN bench.org o USING (org_id);
    UPDATE isms.run SET state = 'active'
     WHERE org_id BETWEEN orgbase AND orgbase + clients - 1 AND run_id BETWEEN first AND first + clients * n - 1;
    UPDATE isms.step SET state = 'active'
     WHERE org_id BETWEEN orgbase AND orgbase + clients - 1 AND run_id BETWEEN first AND first + clients * n - 1
       AND activity_no = 1;
    RETURN first;
END
$$;
