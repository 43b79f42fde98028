-- 265_import_history: the loader of the documented history format (issue
-- 17, item 2; docs/history-import.md "The import format").
--
-- isms.import_history(org, history) imports one organisation's history
-- document in one import batch: it flattens the document into actions
-- (create, submit and approve a record; plan, link an input, start,
-- complete or cancel a run; start, finish or skip a step), each with its
-- business time and its place in the document, and performs them in order
-- of time, then of place, through the ordinary API in import mode.  Every
-- rule of the engine applies; the function is one statement, so an error
-- anywhere leaves nothing imported.  It runs with the caller's rights: the
-- caller is designated history_importer (IS046) and may set isms.actor for
-- the authors, approvers and performers the document names.

-- The actions of one record of the document: create, submit, approve.
CREATE FUNCTION isms.import_record_actions(rec jsonb, run_key text) RETURNS jsonb[]
    LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT pg_catalog.array_agg(a.action ORDER BY a.n) FILTER (WHERE a.action OPERATOR(pg_catalog.->>) 'at' IS NOT NULL)
      FROM (VALUES
        (1, pg_catalog.jsonb_build_object('op', 'record', 'at', $1 OPERATOR(pg_catalog.->>) 'created', 'record', $1,
                                          'run', $2, 'actor', $1 OPERATOR(pg_catalog.->>) 'author')),
        (2, pg_catalog.jsonb_build_object('op', 'submit', 'at', $1 OPERATOR(pg_catalog.->>) 'submitted',
                                          'key', $1 OPERATOR(pg_catalog.->>) 'key', 'actor', $1 OPERATOR(pg_catalog.->>) 'author')),
        (3, pg_catalog.jsonb_build_object('op', 'approve', 'at', $1 OPERATOR(pg_catalog.->>) 'approved',
                                          'key', $1 OPERATOR(pg_catalog.->>) 'key', 'actor', $1 OPERATOR(pg_catalog.->>) 'approver'))
      ) AS a (n, action)
$$;
COMMENT ON FUNCTION isms.import_record_actions(jsonb, text) IS
    'Helper of isms.import_history: the actions (create, submit, approve) of one record of a history document';

-- The actions of one run: plan, inputs, start, its steps with their outputs, the end.
CREATE FUNCTION isms.import_run_actions(run jsonb) RETURNS jsonb[]
    LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    k text := run OPERATOR(pg_catalog.->>) 'key';
    owner text := run OPERATOR(pg_catalog.->>) 'owner';
    acts jsonb[] := ARRAY[pg_catalog.jsonb_build_object('op', 'plan', 'at', run OPERATOR(pg_catalog.->>) 'planned',
                                                        'run', run, 'actor', owner)];
    s jsonb;
    o jsonb;
BEGIN
    acts := acts OPERATOR(pg_catalog.||) ARRAY(
        SELECT pg_catalog.jsonb_build_object('op', 'input', 'at', run OPERATOR(pg_catalog.->>) 'started',
                                             'run_key', k, 'key', i.value, 'actor', owner)
          FROM pg_catalog.jsonb_array_elements_text(COALESCE(run OPERATOR(pg_catalog.->) 'inputs', '[]')) WITH ORDINALITY AS i (value, n)
         ORDER BY i.n);
    acts := acts OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('op', 'start', 'at', run OPERATOR(pg_catalog.->>) 'started',
                                                                       'run_key', k, 'actor', owner);
    FOR s IN SELECT e.value FROM pg_catalog.jsonb_array_elements(COALESCE(run OPERATOR(pg_catalog.->) 'steps', '[]')) WITH ORDINALITY AS e (value, n) ORDER BY e.n LOOP
        IF s OPERATOR(pg_catalog.?) 'skipped' THEN
            acts := acts OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('op', 'skip_step', 'at', s OPERATOR(pg_catalog.->>) 'skipped',
                'run_key', k, 'step', s, 'actor', COALESCE(s OPERATOR(pg_catalog.->>) 'performer', owner));
            CONTINUE;
        END IF;
        acts := acts OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('op', 'start_step', 'at', s OPERATOR(pg_catalog.->>) 'started',
            'run_key', k, 'step', s, 'actor', COALESCE(s OPERATOR(pg_catalog.->>) 'performer', owner));
        FOR o IN SELECT e.value FROM pg_catalog.jsonb_array_elements(COALESCE(s OPERATOR(pg_catalog.->) 'outputs', '[]')) WITH ORDINALITY AS e (value, n) ORDER BY e.n LOOP
            acts := acts OPERATOR(pg_catalog.||) isms.import_record_actions(o, k);
        END LOOP;
        acts := acts OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('op', 'finish_step', 'at', s OPERATOR(pg_catalog.->>) 'finished',
            'run_key', k, 'step', s, 'actor', COALESCE(s OPERATOR(pg_catalog.->>) 'performer', owner));
    END LOOP;
    IF run OPERATOR(pg_catalog.?) 'cancelled' THEN
        acts := acts OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('op', 'cancel', 'at', run OPERATOR(pg_catalog.->>) 'cancelled',
            'run_key', k, 'reason', run OPERATOR(pg_catalog.->>) 'reason', 'actor', owner);
    ELSIF run OPERATOR(pg_catalog.?) 'completed' THEN
        acts := acts OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('op', 'complete', 'at', run OPERATOR(pg_catalog.->>) 'completed',
            'run_key', k, 'actor', owner);
    END IF;
    -- a run still open at the end of the history has no end; actions without a time are not done
    RETURN ARRAY(SELECT a FROM pg_catalog.unnest(acts) AS a WHERE a OPERATOR(pg_catalog.->>) 'at' IS NOT NULL);
END
$$;
COMMENT ON FUNCTION isms.import_run_actions(jsonb) IS
    'Helper of isms.import_history: the actions of one run of a history document (plan, inputs, start, steps and their outputs, end)';

-- A history names a record or run it does not describe (before using it).
CREATE FUNCTION isms.import_unknown(what text, key text) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RAISE EXCEPTION 'history refers to an unknown % "%"', what, key
          USING ERRCODE = '22023',
                HINT = 'Describe every record and run the history uses, with a time before its use.';
END
$$;
COMMENT ON FUNCTION isms.import_unknown(text, text) IS
    'Helper of isms.import_history: refuse a history that names a record or run it does not describe (22023)';

-- Perform one action; ids maps the document's record and run keys to ids.
CREATE FUNCTION isms.import_action(org bigint, a jsonb, INOUT ids jsonb)
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    r jsonb := COALESCE(a OPERATOR(pg_catalog.->) 'record', a OPERATOR(pg_catalog.->) 'run');
    run bigint := (ids OPERATOR(pg_catalog.->) 'run' OPERATOR(pg_catalog.->>) (a OPERATOR(pg_catalog.->>) 'run_key'))::bigint;
    rec bigint := (ids OPERATOR(pg_catalog.->) 'record' OPERATOR(pg_catalog.->>) (a OPERATOR(pg_catalog.->>) 'key'))::bigint;
    step integer := (a OPERATOR(pg_catalog.->) 'step' OPERATOR(pg_catalog.->>) 'activity')::integer;
    id bigint;
BEGIN
    IF (a OPERATOR(pg_catalog.->>) 'op') OPERATOR(pg_catalog.=) ANY ('{input,submit,approve}'::text[]) AND rec IS NULL THEN
        PERFORM isms.import_unknown('record', a OPERATOR(pg_catalog.->>) 'key');
    ELSIF (a OPERATOR(pg_catalog.->>) 'op') OPERATOR(pg_catalog.<>) ALL ('{record,plan,submit,approve}'::text[]) AND run IS NULL
          OR (a OPERATOR(pg_catalog.->>) 'op') OPERATOR(pg_catalog.=) 'record' AND a OPERATOR(pg_catalog.->>) 'run' IS NOT NULL
             AND NOT ids OPERATOR(pg_catalog.->) 'run' OPERATOR(pg_catalog.?) (a OPERATOR(pg_catalog.->>) 'run') THEN
        PERFORM isms.import_unknown('run', COALESCE(a OPERATOR(pg_catalog.->>) 'run_key', a OPERATOR(pg_catalog.->>) 'run'));
    END IF;
    CASE a OPERATOR(pg_catalog.->>) 'op'
    WHEN 'record' THEN
        IF a OPERATOR(pg_catalog.->>) 'run' IS NULL THEN
            id := isms.new_external_record(org, r OPERATOR(pg_catalog.->>) 'work_product', r OPERATOR(pg_catalog.->>) 'title',
                                           COALESCE(r OPERATOR(pg_catalog.->) 'content', '{}'));
        ELSE
            id := isms.new_record((ids OPERATOR(pg_catalog.->) 'run' OPERATOR(pg_catalog.->>) (a OPERATOR(pg_catalog.->>) 'run'))::bigint,
                                  r OPERATOR(pg_catalog.->>) 'work_product', r OPERATOR(pg_catalog.->>) 'title',
                                  COALESCE(r OPERATOR(pg_catalog.->) 'content', '{}'));
        END IF;
        ids := pg_catalog.jsonb_set(ids, ARRAY['record', r OPERATOR(pg_catalog.->>) 'key'], pg_catalog.to_jsonb(id));
    WHEN 'submit' THEN PERFORM isms.submit_record(rec);
    WHEN 'approve' THEN PERFORM isms.approve_record(rec);
    WHEN 'plan' THEN
        id := isms.plan_run(org, (r OPERATOR(pg_catalog.->>) 'process')::isms.clause, r OPERATOR(pg_catalog.->>) 'title',
                            r OPERATOR(pg_catalog.->>) 'owner', (r OPERATOR(pg_catalog.->>) 'planned_start')::date,
                            (r OPERATOR(pg_catalog.->>) 'due')::date);
        ids := pg_catalog.jsonb_set(ids, ARRAY['run', r OPERATOR(pg_catalog.->>) 'key'], pg_catalog.to_jsonb(id));
    WHEN 'input' THEN PERFORM isms.add_input(run, rec);
    WHEN 'start' THEN PERFORM isms.start_run(run);
    WHEN 'start_step' THEN PERFORM isms.start_step(run, step, a OPERATOR(pg_catalog.->) 'step' OPERATOR(pg_catalog.->>) 'performer');
    WHEN 'finish_step' THEN PERFORM isms.finish_step(run, step);
    WHEN 'skip_step' THEN PERFORM isms.skip_step(run, step, a OPERATOR(pg_catalog.->) 'step' OPERATOR(pg_catalog.->>) 'reason');
    WHEN 'complete' THEN PERFORM isms.complete_run(run);
    WHEN 'cancel' THEN PERFORM isms.cancel_run(run, a OPERATOR(pg_catalog.->>) 'reason');
    END CASE;
END
$$;
COMMENT ON FUNCTION isms.import_action(bigint, jsonb, jsonb) IS
    'Helper of isms.import_history: perform one action of a history document through the API';

CREATE FUNCTION isms.import_history(org bigint, history jsonb) RETURNS bigint
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    batch bigint;
    acts jsonb[] := '{}';
    a jsonb;
    ids jsonb := '{"record": {}, "run": {}}';
    caller_actor text := pg_catalog.current_setting('isms.actor', true);
    st text;
    msg text;
    det text;
    hin text;
BEGIN
    IF pg_catalog.jsonb_typeof(history) IS DISTINCT FROM 'object' OR history OPERATOR(pg_catalog.->>) 'source' IS NULL THEN
        RAISE EXCEPTION 'a history document is a JSON object with a "source"'
              USING ERRCODE = '22023', HINT = 'See docs/history-import.md, "The import format".';
    END IF;
    batch := isms.begin_import(org, history OPERATOR(pg_catalog.->>) 'source');
    SELECT COALESCE(pg_catalog.array_agg(x ORDER BY n), '{}') INTO acts
      FROM (SELECT a.x, r.n, a.m
              FROM pg_catalog.jsonb_array_elements(COALESCE(history OPERATOR(pg_catalog.->) 'records', '[]')) WITH ORDINALITY AS r (value, n),
                   pg_catalog.unnest(isms.import_record_actions(r.value, NULL)) WITH ORDINALITY AS a (x, m)
            UNION ALL
            SELECT a.x, 1000000 OPERATOR(pg_catalog.+) r.n, a.m
              FROM pg_catalog.jsonb_array_elements(COALESCE(history OPERATOR(pg_catalog.->) 'runs', '[]')) WITH ORDINALITY AS r (value, n),
                   pg_catalog.unnest(isms.import_run_actions(r.value)) WITH ORDINALITY AS a (x, m)
             ORDER BY 2, 3) AS f (x, n, m);
    -- in order of time, then of place in the document
    FOR a IN SELECT u.x FROM pg_catalog.unnest(acts) WITH ORDINALITY AS u (x, n)
              ORDER BY (u.x OPERATOR(pg_catalog.->>) 'at')::timestamptz, u.n LOOP
        BEGIN
            PERFORM isms.import_at((a OPERATOR(pg_catalog.->>) 'at')::timestamptz);
            PERFORM pg_catalog.set_config('isms.actor', COALESCE(a OPERATOR(pg_catalog.->>) 'actor', caller_actor), true);
            ids := isms.import_action(org, a, ids);
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hin = PG_EXCEPTION_HINT;
            RAISE EXCEPTION USING ERRCODE = st, MESSAGE = msg, HINT = hin,
                  DETAIL = pg_catalog.concat_ws(' ', NULLIF(det, ''),
                                                pg_catalog.format('Importing %s at %s (%s): nothing of the history was imported.',
                                                                  a OPERATOR(pg_catalog.->>) 'op', a OPERATOR(pg_catalog.->>) 'at',
                                                                  COALESCE(a OPERATOR(pg_catalog.->>) 'key', a OPERATOR(pg_catalog.->>) 'run_key',
                                                                           a OPERATOR(pg_catalog.->) 'record' OPERATOR(pg_catalog.->>) 'key',
                                                                           a OPERATOR(pg_catalog.->) 'run' OPERATOR(pg_catalog.->>) 'key')));
        END;
    END LOOP;
    PERFORM pg_catalog.set_config('isms.actor', caller_actor, true);
    RETURN batch;
END
$$;
COMMENT ON FUNCTION isms.import_history(bigint, jsonb) IS
    'Import one organization''s history document (docs/history-import.md) in one import batch, in order of time, every rule enforced; all or nothing. Returns the batch';
