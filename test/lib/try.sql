-- Test helpers shared by the engine's regression tests (included with \ir).
--
-- pg_temp.name(kind, id, name) registers an id under a stable name, and
-- pg_temp.try(statement) runs a statement in a subtransaction and returns
-- 'ok' or "SQLSTATE: message / DETAIL / HINT" with registered ids replaced
-- by their names and dates by <date>, so expected output depends neither on
-- sequence values nor on the day the test runs.

CREATE TEMP TABLE test_names (kind text, id bigint, name text, PRIMARY KEY (kind, id));
GRANT ALL ON test_names TO PUBLIC;

CREATE FUNCTION pg_temp.name(kind text, id bigint, name text) RETURNS bigint
    LANGUAGE sql AS $$
    INSERT INTO test_names VALUES ($1, $2, $3) ON CONFLICT (kind, id) DO UPDATE SET name = excluded.name;
    SELECT $2
$$;

CREATE FUNCTION pg_temp.named(msg text) RETURNS text
    LANGUAGE plpgsql AS $$
DECLARE
    n record;
BEGIN
    FOR n IN SELECT * FROM test_names ORDER BY length(id::text) DESC LOOP
        msg := regexp_replace(msg, '(' || n.kind || ')s? ' || n.id || '\M', '\1 <' || n.name || '>', 'g');
        msg := regexp_replace(msg, '("?' || n.kind || '_id"?:? =? ?"?)' || n.id || '\M', '\1<' || n.name || '>', 'g');
    END LOOP;
    msg := regexp_replace(msg, 'Failing row contains \(.*\)\.', 'Failing row contains (...).');
    RETURN regexp_replace(msg, '\d{4}-\d\d-\d\d', '<date>', 'g');
END
$$;

CREATE FUNCTION pg_temp.try(stmt text) RETURNS text
    LANGUAGE plpgsql AS $$
DECLARE
    detail text;
    hint text;
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN pg_temp.named(SQLSTATE || ': ' || SQLERRM
        || coalesce(E'\n   DETAIL: ' || nullif(detail, ''), '')
        || coalesce(E'\n   HINT: ' || nullif(hint, ''), ''));
END
$$;
