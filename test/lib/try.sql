\set ECHO none
-- Test helpers shared by the engine's regression tests (included with \ir).
--
-- pg_temp.name(kind, id, name) registers an id under a stable name, and
-- pg_temp.try(statement) runs a statement in a subtransaction and returns
-- 'ok' or "SQLSTATE: message / DETAIL / HINT" with registered ids replaced
-- by their names and dates (ISO or pg_regress's MDY form) by their distance
-- from current_date (pg_temp.relative_date), so expected output depends
-- neither on sequence values nor on the day or time zone the test runs in.
-- The file is not echoed (first line), so the expected outputs do not repeat it.

CREATE TEMP TABLE test_names (kind text, id bigint, name text, PRIMARY KEY (kind, id));
GRANT ALL ON test_names TO PUBLIC;

CREATE FUNCTION pg_temp.name(kind text, id bigint, name text) RETURNS bigint
    LANGUAGE sql AS $$
    INSERT INTO test_names VALUES ($1, $2, $3) ON CONFLICT (kind, id) DO UPDATE SET name = excluded.name;
    SELECT $2
$$;

-- A date as seen from today: <today>, <today + 5 years>, <today + 12 months>,
-- <today + N days> within four weeks (the same on every day), else <date>.
CREATE FUNCTION pg_temp.relative_date(d date) RETURNS text
    LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN d = current_date THEN '<today>'
        WHEN d = (current_date + interval '5 years')::date THEN '<today + 5 years>'
        WHEN d = (current_date + interval '12 months')::date THEN '<today + 12 months>'
        WHEN abs(d - current_date) <= 28 THEN format('<today %s %s days>',
             CASE WHEN d > current_date THEN '+' ELSE '-' END, abs(d - current_date))
        ELSE '<date>' END
$$;

CREATE FUNCTION pg_temp.named(msg text) RETURNS text
    LANGUAGE plpgsql AS $$
DECLARE
    n record;
    m text;
BEGIN
    FOR n IN SELECT * FROM test_names ORDER BY length(id::text) DESC LOOP
        msg := regexp_replace(msg, '(' || n.kind || ')s? ' || n.id || '\M', '\1 <' || n.name || '>', 'g');
        msg := regexp_replace(msg, '("?' || n.kind || '_id"?:? =? ?"?)' || n.id || '\M', '\1<' || n.name || '>', 'g');
    END LOOP;
    msg := regexp_replace(msg, 'Failing row contains \(.*\)\.', 'Failing row contains (...).');
    FOR m IN SELECT DISTINCT x[1] FROM regexp_matches(msg, '\m(\d{4}-\d\d-\d\d|\d\d-\d\d-\d{4})\M', 'g') x LOOP
        msg := replace(msg, m, pg_temp.relative_date(CASE WHEN m ~ '^\d{4}' THEN to_date(m, 'YYYY-MM-DD')
                                                          ELSE to_date(m, 'MM-DD-YYYY') END));
    END LOOP;
    RETURN msg;
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
\set ECHO all
