-- bench/reference/rules.sql -- the engine's rules written as plain PL/pgSQL
-- triggers: the baseline a competent DBA would write without a C extension.
--
-- Same contract as the C triggers (docs: /work/shared/design/engine.md):
-- lifecycles from the transition tables, input/step/output/completion rules,
-- record control (immutability, versions, segregation of duties by identity,
-- supersession, retention, submission time, content hashes), and an
-- append-only event per state change, SHA-256 chained per organisation with
-- the built-in sha256(bytea) in the same canonical encoding as src/event.c,
-- so isms.verify_events checks these chains too.
--
-- Written as a DBA who cares about speed would: static SQL only (PL/pgSQL
-- prepares and caches the plan of every statement on first use), and the
-- same chain-head technique as the C engine: the organisation's head row is
-- found through the index once per transaction and then locked by its ctid
-- (remembered in a transaction-local setting, which a rolled-back
-- subtransaction also rolls back), so many events in one statement do not
-- walk a growing chain of row versions.  The rule triggers run as the caller
-- (row-level security applies to their queries, as to the caller's own);
-- only the event writer runs as its owner, because tenants cannot write
-- events.  Internal writes are recognised by pg_trigger_depth().  Error
-- codes are the engine's IS0xx.
--
-- Installed by bench/run.sh next to the extension; bench.use_variant (in
-- bench/setup.sql) switches between the C triggers, these, and none (the
-- floor).

CREATE SCHEMA isms_ref;
GRANT USAGE ON SCHEMA isms_ref TO PUBLIC;

-- The application user named in isms.actor (members of isms_app only), or NULL.
CREATE FUNCTION isms_ref.app_user() RETURNS text
    LANGUAGE plpgsql STABLE AS
$$
DECLARE
    v_app text := nullif(current_setting('isms.actor', true), '');
BEGIN
    IF v_app IS NOT NULL AND NOT pg_has_role(isms.current_identity()::oid, 'isms_app', 'MEMBER') THEN
        RAISE EXCEPTION 'role "%" may not act as application user "%"', isms.current_identity(), v_app
            USING ERRCODE = 'IS019';
    END IF;
    RETURN v_app;
END
$$;

-- The actor's display name: the application user, or the login role (the
-- engine's identity, also inside SECURITY DEFINER functions).
CREATE FUNCTION isms_ref.actor() RETURNS text
    LANGUAGE sql STABLE AS
$$ SELECT coalesce(isms_ref.app_user(), isms.current_identity()::text) $$;

-- One field of the canonical event encoding: length, ':', bytes, ';'.
CREATE FUNCTION isms_ref.canonical(v text) RETURNS text
    LANGUAGE sql IMMUTABLE AS
$$ SELECT CASE WHEN v IS NULL THEN '-;' ELSE octet_length(v) || ':' || v || ';' END $$;

-- The content hash that submission and approval events carry (the engine's
-- function, which tenants may not call directly).
CREATE FUNCTION isms_ref.content_hash(r isms.record, approved boolean) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$ SELECT isms.record_content_hash(r, approved) $$;

-- Append one event to the organisation's chain.  The head row is locked by
-- ctid when this transaction already wrote it (see the header), else by
-- org_id through the index.
CREATE FUNCTION isms_ref.append_event(p_org bigint, p_type text, p_id bigint, p_action text,
                                      p_old text, p_new text, p_detail jsonb) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
DECLARE
    v_head  text := current_setting('isms_ref.chain_head', true);
    v_ctid  tid;
    v_no    bigint;
    v_prev  bytea;
    v_at    timestamptz;
    v_actor text := isms_ref.actor();
    v_hash  bytea;
BEGIN
    IF v_head LIKE p_org || ':%' THEN
        SELECT last_event_no, last_hash, ctid INTO v_no, v_prev, v_ctid
          FROM isms.event_chain WHERE ctid = split_part(v_head, ':', 2)::tid AND org_id = p_org FOR UPDATE;
    END IF;
    IF v_ctid IS NULL THEN
        SELECT last_event_no, last_hash, ctid INTO v_no, v_prev, v_ctid
          FROM isms.event_chain WHERE org_id = p_org FOR UPDATE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'organization % does not exist', p_org USING ERRCODE = 'IS015';
        END IF;
    END IF;
    v_at := clock_timestamp();      -- stamped after the lock, as the engine does; live work:
                                    -- business time = recorded time, hash encoding v1
    v_no := v_no + 1;
    v_hash := sha256(coalesce(v_prev, '\x'::bytea) || convert_to(
        'isms-event-v1;' || p_org || ';' || v_no || ';'
        || ((extract(epoch FROM v_at) * 1000000)::bigint - 946684800000000) || ';'
        || isms_ref.canonical(v_actor) || isms_ref.canonical(p_type) || isms_ref.canonical(p_id::text)
        || isms_ref.canonical(p_action) || isms_ref.canonical(p_old) || isms_ref.canonical(p_new)
        || isms_ref.canonical(p_detail::text), 'UTF8'));
    INSERT INTO isms.event (org_id, event_no, occurred_at, business_at, actor, object_type, object_id, action,
                            old_state, new_state, detail, prev_hash, hash)
    VALUES (p_org, v_no, v_at, v_at, v_actor, p_type, p_id, p_action, p_old, p_new, p_detail, v_prev, v_hash);
    UPDATE isms.event_chain SET last_event_no = v_no, last_hash = v_hash
     WHERE ctid = v_ctid AND org_id = p_org RETURNING ctid INTO v_ctid;
    PERFORM set_config('isms_ref.chain_head', p_org || ':' || v_ctid, true);
END
$$;

-- Events are never changed or removed.
CREATE FUNCTION isms_ref.event_guard() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'IS012';
END
$$;

-- The action of a transition, or an error if it is not in the lifecycle.
-- One static query per lifecycle, so each keeps its cached plan.
CREATE FUNCTION isms_ref.transition(p_lifecycle text, p_from text, p_to text) RETURNS text
    LANGUAGE plpgsql STABLE AS
$$
DECLARE
    v_action text;
BEGIN
    CASE p_lifecycle
        WHEN 'run' THEN
            SELECT action INTO v_action FROM isms.run_transition
             WHERE from_state = p_from::isms.run_state AND to_state = p_to::isms.run_state;
        WHEN 'step' THEN
            SELECT action INTO v_action FROM isms.step_transition
             WHERE from_state = p_from::isms.step_state AND to_state = p_to::isms.step_state;
        ELSE
            SELECT action INTO v_action FROM isms.record_transition
             WHERE from_state = p_from::isms.record_state AND to_state = p_to::isms.record_state;
    END CASE;
    IF v_action IS NULL THEN
        RAISE EXCEPTION '% cannot go from % to %', p_lifecycle, p_from, p_to USING ERRCODE = 'IS001';
    END IF;
    RETURN v_action;
END
$$;

-- Required inputs and input groups of a run's process not met by the
-- work products given (for the start and completion rules).
CREATE FUNCTION isms_ref.missing_inputs(p_org bigint, p_process integer, p_have integer[]) RETURNS text
    LANGUAGE sql STABLE AS
$$
SELECT string_agg(coalesce(i.input_group, w.key), ', ')
  FROM isms.process_input i JOIN isms.work_product w USING (work_product_id)
 WHERE i.process_id = p_process AND (i.org_id IS NULL OR i.org_id = p_org)
   AND ((i.requirement = 'required' AND NOT i.work_product_id = ANY (p_have))
     OR (i.requirement = 'group' AND NOT EXISTS (
            SELECT FROM isms.process_input g
             WHERE g.process_id = i.process_id AND g.input_group = i.input_group
               AND (g.org_id IS NULL OR g.org_id = p_org) AND g.work_product_id = ANY (p_have))))
$$;

-- BEFORE INSERT OR UPDATE OR DELETE ON isms.run
CREATE FUNCTION isms_ref.run_rules() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    v_code    text;
    v_action  text;
    v_missing text;
    v_have    integer[];
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'run % cannot be deleted', OLD.run_id USING ERRCODE = 'IS011';
    END IF;
    SELECT code::text INTO v_code FROM isms.process
     WHERE process_id = NEW.process_id AND (org_id IS NULL OR org_id = NEW.org_id);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'process % does not exist for organization %', NEW.process_id, NEW.org_id
            USING ERRCODE = 'IS015';
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.state <> 'planned' THEN
            RAISE EXCEPTION 'run % must be created in state planned', NEW.run_id USING ERRCODE = 'IS001';
        END IF;
        IF NEW.started_at IS NOT NULL OR NEW.ended_at IS NOT NULL THEN
            RAISE EXCEPTION 'run %: start and end times are set by the engine', NEW.run_id USING ERRCODE = 'IS020';
        END IF;
        IF EXISTS (SELECT FROM isms.process_exclusion WHERE org_id = NEW.org_id AND process_id = NEW.process_id) THEN
            RAISE EXCEPTION 'process % is not applicable for organization %', v_code, NEW.org_id USING ERRCODE = 'IS014';
        END IF;
        NEW.owner := coalesce(NEW.owner, isms_ref.actor());
        PERFORM isms_ref.append_event(NEW.org_id, 'run', NEW.run_id, 'plan', NULL, 'planned',
                                      jsonb_build_object('process', v_code, 'title', NEW.title));
        RETURN NEW;
    END IF;

    IF (NEW.org_id, NEW.run_id, NEW.process_id, NEW.created_at) IS DISTINCT FROM
       (OLD.org_id, OLD.run_id, OLD.process_id, OLD.created_at) THEN
        RAISE EXCEPTION 'run %: organization, process and identity are fixed', OLD.run_id USING ERRCODE = 'IS009';
    END IF;
    IF (NEW.started_at, NEW.ended_at) IS DISTINCT FROM (OLD.started_at, OLD.ended_at) THEN
        RAISE EXCEPTION 'run %: start and end times are set by the engine', OLD.run_id USING ERRCODE = 'IS020';
    END IF;
    IF NEW.state = OLD.state THEN
        IF OLD.state IN ('completed', 'cancelled') THEN
            RAISE EXCEPTION 'run % is % and cannot be changed', OLD.run_id, OLD.state USING ERRCODE = 'IS009';
        END IF;
        RETURN NEW;
    END IF;
    v_action := isms_ref.transition('run', OLD.state::text, NEW.state::text);

    IF OLD.state = 'planned' AND NEW.state = 'active' THEN
        IF EXISTS (SELECT FROM isms.process_exclusion WHERE org_id = NEW.org_id AND process_id = NEW.process_id) THEN
            RAISE EXCEPTION 'process % is not applicable for organization %', v_code, NEW.org_id USING ERRCODE = 'IS014';
        END IF;
        SELECT coalesce(array_agg(r.work_product_id), '{}') INTO v_have
          FROM isms.run_record l JOIN isms.record r ON r.org_id = l.org_id AND r.record_id = l.record_id
         WHERE l.org_id = NEW.org_id AND l.run_id = NEW.run_id AND l.role = 'input' AND r.state = 'approved'
           AND (r.valid_until IS NULL OR r.valid_until >= CURRENT_DATE);
        v_missing := isms_ref.missing_inputs(NEW.org_id, NEW.process_id, v_have);
        IF v_missing IS NOT NULL THEN
            RAISE EXCEPTION 'run % of process % cannot start', NEW.run_id, v_code USING ERRCODE = 'IS002',
                DETAIL = 'Still needed: ' || v_missing || '.';
        END IF;
        NEW.started_at := transaction_timestamp();
    ELSIF NEW.state = 'completed' THEN
        SELECT string_agg(a.activity_no::text, ', ') INTO v_missing
          FROM isms.activity a
          LEFT JOIN isms.step s ON s.org_id = NEW.org_id AND s.run_id = NEW.run_id AND s.activity_no = a.activity_no
         WHERE a.process_id = NEW.process_id AND (a.org_id IS NULL OR a.org_id = NEW.org_id)
           AND NOT (s.state = 'done' OR (s.state = 'skipped' AND a.optional)) IS TRUE;
        IF v_missing IS NOT NULL THEN
            RAISE EXCEPTION 'run % of process % cannot complete', NEW.run_id, v_code USING ERRCODE = 'IS008',
                DETAIL = 'Steps not done: ' || v_missing || '.';
        END IF;
        SELECT string_agg(w.key, ', ') INTO v_missing
          FROM isms.process_output o JOIN isms.work_product w USING (work_product_id)
         WHERE o.process_id = NEW.process_id AND (o.org_id IS NULL OR o.org_id = NEW.org_id) AND o.required
           AND NOT EXISTS (SELECT FROM isms.step s WHERE s.org_id = NEW.org_id AND s.run_id = NEW.run_id
                              AND s.activity_no = o.activity_no AND s.state = 'skipped')
           AND NOT EXISTS (SELECT FROM isms.run_record l
                             JOIN isms.record r ON r.org_id = l.org_id AND r.record_id = l.record_id
                            WHERE l.org_id = NEW.org_id AND l.run_id = NEW.run_id AND l.role <> 'input'
                              AND r.state = 'approved' AND r.work_product_id = o.work_product_id);
        IF v_missing IS NOT NULL THEN
            RAISE EXCEPTION 'run % of process % cannot complete', NEW.run_id, v_code USING ERRCODE = 'IS008',
                DETAIL = 'Outputs not approved: ' || v_missing || '.';
        END IF;
        SELECT coalesce(array_agg(r.work_product_id), '{}') INTO v_have
          FROM isms.run_record l JOIN isms.record r ON r.org_id = l.org_id AND r.record_id = l.record_id
         WHERE l.org_id = NEW.org_id AND l.run_id = NEW.run_id AND l.role = 'input'
           AND r.state IN ('approved', 'superseded');
        v_missing := isms_ref.missing_inputs(NEW.org_id, NEW.process_id, v_have);
        IF v_missing IS NOT NULL THEN
            RAISE EXCEPTION 'run % of process % cannot complete', NEW.run_id, v_code USING ERRCODE = 'IS008',
                DETAIL = 'Inputs withdrawn: ' || v_missing || '.';
        END IF;
        NEW.ended_at := transaction_timestamp();
    ELSIF NEW.state IN ('cancelled', 'suspended') THEN
        IF btrim(coalesce(NEW.state_reason, '')) = '' THEN
            RAISE EXCEPTION 'run %: a reason is required', NEW.run_id USING ERRCODE = 'IS021';
        END IF;
        IF NEW.state = 'cancelled' THEN
            NEW.ended_at := transaction_timestamp();
        END IF;
    END IF;
    PERFORM isms_ref.append_event(NEW.org_id, 'run', NEW.run_id, v_action, OLD.state::text, NEW.state::text,
                                  CASE WHEN NEW.state IN ('cancelled', 'suspended')
                                       THEN jsonb_build_object('reason', NEW.state_reason) END);
    RETURN NEW;
END
$$;

-- AFTER INSERT ON isms.run: one step per activity of the process (as the
-- owner: tenants do not insert steps).
CREATE FUNCTION isms_ref.run_creates_steps() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
    INSERT INTO isms.step (org_id, run_id, activity_no)
    SELECT NEW.org_id, NEW.run_id, a.activity_no
      FROM isms.activity a
     WHERE a.process_id = NEW.process_id AND (a.org_id IS NULL OR a.org_id = NEW.org_id);
    RETURN NULL;
END
$$;

-- BEFORE INSERT OR UPDATE OR DELETE ON isms.step
CREATE FUNCTION isms_ref.step_rules() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    v_action    text;
    v_run_state isms.run_state;
    v_process   integer;
    v_optional  boolean;
    v_open      text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF pg_trigger_depth() > 1 THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'steps are created by the engine' USING ERRCODE = 'IS020';
    ELSIF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'steps cannot be deleted' USING ERRCODE = 'IS011';
    END IF;
    IF (NEW.org_id, NEW.run_id, NEW.activity_no) IS DISTINCT FROM (OLD.org_id, OLD.run_id, OLD.activity_no) THEN
        RAISE EXCEPTION 'step % of run %: identity is fixed', OLD.activity_no, OLD.run_id USING ERRCODE = 'IS009';
    END IF;
    IF (NEW.started_at, NEW.finished_at) IS DISTINCT FROM (OLD.started_at, OLD.finished_at) THEN
        RAISE EXCEPTION 'step % of run %: times are set by the engine', OLD.activity_no, OLD.run_id USING ERRCODE = 'IS020';
    END IF;
    IF NEW.state = OLD.state THEN
        IF OLD.state IN ('done', 'skipped') THEN
            RAISE EXCEPTION 'step % of run % is % and cannot be changed', OLD.activity_no, OLD.run_id, OLD.state
                USING ERRCODE = 'IS009';
        END IF;
        RETURN NEW;
    END IF;
    v_action := isms_ref.transition('step', OLD.state::text, NEW.state::text);
    SELECT state, process_id INTO v_run_state, v_process FROM isms.run WHERE org_id = NEW.org_id AND run_id = NEW.run_id;
    IF v_run_state <> 'active' THEN
        RAISE EXCEPTION 'step % cannot change: run % is %', NEW.activity_no, NEW.run_id, v_run_state USING ERRCODE = 'IS004';
    END IF;
    SELECT optional INTO v_optional FROM isms.activity
     WHERE process_id = v_process AND activity_no = NEW.activity_no AND (org_id IS NULL OR org_id = NEW.org_id);
    IF NEW.state = 'active' OR (NEW.state = 'skipped' AND OLD.state = 'pending') THEN
        SELECT string_agg(activity_no || ' (' || state || ')', ', ' ORDER BY activity_no) INTO v_open
          FROM isms.step
         WHERE org_id = NEW.org_id AND run_id = NEW.run_id AND activity_no < NEW.activity_no
           AND state NOT IN ('done', 'skipped');
        IF v_open IS NOT NULL THEN
            RAISE EXCEPTION 'step % of run % cannot start before the steps before it are done or skipped',
                NEW.activity_no, NEW.run_id USING ERRCODE = 'IS003', DETAIL = 'Steps still open: ' || v_open || '.';
        END IF;
    END IF;
    IF NEW.state = 'skipped' THEN
        IF NOT v_optional THEN
            RAISE EXCEPTION 'step % of run % cannot be skipped: the activity is mandatory', NEW.activity_no, NEW.run_id
                USING ERRCODE = 'IS005';
        END IF;
        IF btrim(coalesce(NEW.skip_reason, '')) = '' THEN
            RAISE EXCEPTION 'step % of run %: a reason is required to skip', NEW.activity_no, NEW.run_id
                USING ERRCODE = 'IS021';
        END IF;
    END IF;
    IF NEW.state = 'done' THEN
        SELECT string_agg(w.key, ', ') INTO v_open
          FROM isms.activity_input ai JOIN isms.work_product w USING (work_product_id)
         WHERE ai.process_id = v_process AND ai.activity_no = NEW.activity_no
           AND (ai.org_id IS NULL OR ai.org_id = NEW.org_id)
           AND NOT EXISTS (SELECT FROM isms.run_record l
                             JOIN isms.record r ON r.org_id = l.org_id AND r.record_id = l.record_id
                            WHERE l.org_id = NEW.org_id AND l.run_id = NEW.run_id AND l.role = 'input'
                              AND r.work_product_id = ai.work_product_id AND r.state = 'approved'
                              AND (r.valid_until IS NULL OR r.valid_until >= CURRENT_DATE));
        IF v_open IS NOT NULL THEN
            RAISE EXCEPTION 'step % of run % cannot be done: the activity needs its inputs', NEW.activity_no, NEW.run_id
                USING ERRCODE = 'IS006', DETAIL = 'Still needed: ' || v_open || '.';
        END IF;
    END IF;
    IF NEW.state = 'active' THEN
        NEW.started_at := transaction_timestamp();
    ELSE
        NEW.finished_at := transaction_timestamp();
    END IF;
    NEW.performer := coalesce(NEW.performer, isms_ref.actor());
    PERFORM isms_ref.append_event(NEW.org_id, 'step', NEW.run_id, v_action, OLD.state::text, NEW.state::text,
                                  jsonb_build_object('activity_no', NEW.activity_no::text,
                                                     'reason', CASE WHEN NEW.state = 'skipped' THEN NEW.skip_reason END));
    RETURN NEW;
END
$$;

-- BEFORE INSERT OR UPDATE OR DELETE ON isms.record
CREATE FUNCTION isms_ref.record_rules() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    v_wp        isms.work_product;
    v_actor     text := isms_ref.actor();
    v_identity  regrole := isms.current_identity();
    v_app       text := isms_ref.app_user();
    v_run_state isms.run_state;
    v_process   integer;
    v_doc_wp    integer;
    v_next      integer;
    v_approved  integer;
    v_action    text;
    v_detail    jsonb;
    v_internal  boolean := pg_trigger_depth() > 1;
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF NOT (OLD.state = 'draft' AND OLD.submitted_at IS NULL)
           AND (OLD.retain_until IS NULL OR OLD.retain_until >= CURRENT_DATE) THEN
            RAISE EXCEPTION 'record % cannot be deleted before its retention ends', OLD.record_id USING ERRCODE = 'IS011';
        END IF;
        IF OLD.document_id = OLD.record_id AND EXISTS (
                SELECT FROM isms.record WHERE org_id = OLD.org_id AND document_id = OLD.record_id
                   AND record_id <> OLD.record_id) THEN
            RAISE EXCEPTION 'record % is the first version of a document with other versions', OLD.record_id
                USING ERRCODE = 'IS011';
        END IF;
        DELETE FROM isms.run_record WHERE org_id = OLD.org_id AND record_id = OLD.record_id AND role = 'output';
        PERFORM isms_ref.append_event(OLD.org_id, 'record', OLD.record_id,
                                      CASE WHEN OLD.state = 'draft' AND OLD.submitted_at IS NULL THEN 'discard' ELSE 'dispose' END,
                                      OLD.state::text, NULL, NULL);
        RETURN OLD;
    END IF;

    SELECT * INTO v_wp FROM isms.work_product
     WHERE work_product_id = NEW.work_product_id AND (org_id IS NULL OR org_id = NEW.org_id);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'work product % does not exist for organization %', NEW.work_product_id, NEW.org_id
            USING ERRCODE = 'IS015';
    END IF;

    IF TG_OP = 'INSERT' THEN
        IF NEW.state <> 'draft' THEN
            RAISE EXCEPTION 'record % must be created as a draft', NEW.record_id USING ERRCODE = 'IS001';
        END IF;
        IF num_nonnulls(NEW.approver, NEW.approver_oid, NEW.approver_app, NEW.approved_at, NEW.valid_until,
                        NEW.retain_until, NEW.submitted_at, NEW.author_oid, NEW.author_app) > 0 THEN
            RAISE EXCEPTION 'record %: approval, validity and retention are set by the engine', NEW.record_id
                USING ERRCODE = 'IS020';
        END IF;
        IF NEW.author IS NOT NULL AND NEW.author <> v_actor THEN
            RAISE EXCEPTION 'record %: author "%" is not the actor "%"', NEW.record_id, NEW.author, v_actor
                USING ERRCODE = 'IS019';
        END IF;
        IF NEW.produced_by_run IS NOT NULL THEN
            SELECT state, process_id INTO v_run_state, v_process FROM isms.run
             WHERE org_id = NEW.org_id AND run_id = NEW.produced_by_run FOR SHARE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'record %: run % does not exist in organization %', NEW.record_id, NEW.produced_by_run,
                    NEW.org_id USING ERRCODE = 'IS015';
            ELSIF v_run_state <> 'active' THEN
                RAISE EXCEPTION 'record %: run % is % and cannot produce records', NEW.record_id, NEW.produced_by_run,
                    v_run_state USING ERRCODE = 'IS004';
            ELSIF v_wp.origin = 'external' OR NOT EXISTS (
                    SELECT FROM isms.process_output WHERE process_id = v_process AND work_product_id = v_wp.work_product_id
                       AND (org_id IS NULL OR org_id = NEW.org_id)) THEN
                RAISE EXCEPTION 'record %: the process of run % does not output %', NEW.record_id, NEW.produced_by_run,
                    v_wp.key USING ERRCODE = 'IS007';
            END IF;
        ELSIF v_wp.origin = 'process' THEN
            RAISE EXCEPTION 'record %: records of % are produced only by a run', NEW.record_id, v_wp.key
                USING ERRCODE = 'IS007';
        END IF;
        v_next := 1;
        IF NEW.document_id IS NULL THEN
            NEW.document_id := NEW.record_id;
        ELSE
            SELECT work_product_id INTO v_doc_wp FROM isms.record
             WHERE org_id = NEW.org_id AND record_id = NEW.document_id FOR UPDATE;
            IF v_doc_wp IS DISTINCT FROM NEW.work_product_id THEN
                RAISE EXCEPTION 'record %: not a new version of document %', NEW.record_id, NEW.document_id
                    USING ERRCODE = 'IS018';
            END IF;
            SELECT max(version) + 1 INTO v_next FROM isms.record
             WHERE org_id = NEW.org_id AND document_id = NEW.document_id;
        END IF;
        IF NEW.version IS NOT NULL AND NEW.version <> v_next THEN
            RAISE EXCEPTION 'record %: version % is not the next version', NEW.record_id, NEW.version USING ERRCODE = 'IS018';
        END IF;
        NEW.version := v_next;
        NEW.author := v_actor;
        NEW.author_oid := v_identity;
        NEW.author_app := v_app;
        PERFORM isms_ref.append_event(NEW.org_id, 'record', NEW.record_id, 'create', NULL, 'draft',
                                      jsonb_build_object('work_product', v_wp.key, 'document_id', NEW.document_id::text,
                                                         'version', v_next::text));
        RETURN NEW;
    END IF;

    -- UPDATE
    IF (NEW.org_id, NEW.record_id, NEW.work_product_id, NEW.document_id, NEW.version, NEW.author,
        NEW.author_oid, NEW.author_app, NEW.produced_by_run, NEW.created_at) IS DISTINCT FROM
       (OLD.org_id, OLD.record_id, OLD.work_product_id, OLD.document_id, OLD.version, OLD.author,
        OLD.author_oid, OLD.author_app, OLD.produced_by_run, OLD.created_at) THEN
        RAISE EXCEPTION 'record %: identity, work product, version and author are fixed', OLD.record_id
            USING ERRCODE = 'IS009';
    END IF;
    IF OLD.state <> 'draft' AND (NEW.title, NEW.content, NEW.evidence_uri, NEW.evidence_sha256) IS DISTINCT FROM
                                (OLD.title, OLD.content, OLD.evidence_uri, OLD.evidence_sha256) THEN
        RAISE EXCEPTION 'record %: the content is frozen once submitted', OLD.record_id USING ERRCODE = 'IS009';
    END IF;
    IF NOT v_internal AND (NEW.approver, NEW.approver_oid, NEW.approver_app, NEW.approved_at, NEW.valid_until,
                           NEW.retain_until, NEW.submitted_at) IS DISTINCT FROM
                          (OLD.approver, OLD.approver_oid, OLD.approver_app, OLD.approved_at, OLD.valid_until,
                           OLD.retain_until, OLD.submitted_at) THEN
        RAISE EXCEPTION 'record %: approval, validity and retention are set by the engine', OLD.record_id
            USING ERRCODE = 'IS020';
    END IF;
    IF NEW.state = OLD.state THEN
        RETURN NEW;
    END IF;
    IF NEW.state = 'superseded' AND NOT v_internal THEN
        RAISE EXCEPTION 'record % cannot be superseded directly', OLD.record_id USING ERRCODE = 'IS001';
    END IF;
    v_action := isms_ref.transition('record', OLD.state::text, NEW.state::text);
    IF NEW.state = 'approved' THEN
        IF (OLD.author_oid IS NULL AND OLD.author = v_actor)
           OR (OLD.author_oid = v_identity
               AND (OLD.author_app IS NULL OR v_app IS NULL OR OLD.author_app = v_app)) THEN
            RAISE EXCEPTION 'record % cannot be approved by its author "%"', OLD.record_id, v_actor USING ERRCODE = 'IS010';
        END IF;
        IF OLD.document_id <> OLD.record_id THEN  -- the first version's own UPDATE holds its lock
            PERFORM FROM isms.record WHERE org_id = OLD.org_id AND record_id = OLD.document_id FOR UPDATE;
        END IF;
        SELECT max(version) INTO v_approved FROM isms.record
         WHERE org_id = OLD.org_id AND document_id = OLD.document_id AND state = 'approved';
        IF v_approved > OLD.version THEN
            RAISE EXCEPTION 'record %: version % cannot be approved, version % is already approved', OLD.record_id,
                OLD.version, v_approved USING ERRCODE = 'IS018';
        END IF;
        UPDATE isms.record SET state = 'superseded'
         WHERE org_id = OLD.org_id AND document_id = OLD.document_id AND state = 'approved' AND record_id <> OLD.record_id;
        NEW.approver := v_actor;
        NEW.approver_oid := v_identity;
        NEW.approver_app := v_app;
        NEW.approved_at := transaction_timestamp();
        NEW.valid_until := CASE WHEN v_wp.review_months IS NOT NULL
                                THEN (CURRENT_DATE + make_interval(months => v_wp.review_months))::date END;
        NEW.retain_until := (CURRENT_DATE + make_interval(months => v_wp.retention_months))::date;
        v_detail := jsonb_build_object('approver', v_actor, 'content_sha256', isms_ref.content_hash(NEW, true));
    ELSIF NEW.state = 'withdrawn' OR (OLD.state = 'in_review' AND NEW.state = 'draft') THEN
        IF btrim(coalesce(NEW.state_reason, '')) = '' THEN
            RAISE EXCEPTION 'record %: a reason is required to %', OLD.record_id, v_action USING ERRCODE = 'IS021';
        END IF;
        v_detail := jsonb_build_object('reason', NEW.state_reason);
    ELSIF NEW.state = 'in_review' THEN
        NEW.submitted_at := coalesce(OLD.submitted_at, transaction_timestamp());
        v_detail := jsonb_build_object('content_sha256', isms_ref.content_hash(NEW, false));
    END IF;
    PERFORM isms_ref.append_event(NEW.org_id, 'record', NEW.record_id, v_action, OLD.state::text, NEW.state::text, v_detail);
    RETURN NEW;
END
$$;

-- AFTER INSERT ON isms.record: a record produced by a run is its output (as
-- the owner: tenants do not make output links).
CREATE FUNCTION isms_ref.record_links_output() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS
$$
BEGIN
    IF NEW.produced_by_run IS NOT NULL THEN
        INSERT INTO isms.run_record (org_id, run_id, record_id, role, linked_by)
        VALUES (NEW.org_id, NEW.produced_by_run, NEW.record_id, 'output', NEW.author);
    END IF;
    RETURN NULL;
END
$$;

-- BEFORE INSERT OR UPDATE OR DELETE ON isms.run_record
CREATE FUNCTION isms_ref.run_record_rules() RETURNS trigger
    LANGUAGE plpgsql AS
$$
DECLARE
    v_run_state isms.run_state;
    v_process   integer;
    v_rec_state isms.record_state;
    v_wp        isms.work_product;
    v_expired   boolean;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'links between runs and records cannot be changed' USING ERRCODE = 'IS020';
    END IF;
    IF pg_trigger_depth() > 1 THEN
        RETURN CASE WHEN TG_OP = 'INSERT' THEN NEW ELSE OLD END;
    END IF;
    IF TG_OP = 'DELETE' THEN
        SELECT state INTO v_run_state FROM isms.run WHERE org_id = OLD.org_id AND run_id = OLD.run_id FOR SHARE;
        IF OLD.role <> 'input' OR v_run_state <> 'planned' THEN
            RAISE EXCEPTION 'the % link of record % to run % cannot be removed', OLD.role, OLD.record_id, OLD.run_id
                USING ERRCODE = 'IS011';
        END IF;
        PERFORM isms_ref.append_event(OLD.org_id, 'run', OLD.run_id, 'remove_input', NULL, NULL,
                                      jsonb_build_object('record_id', OLD.record_id::text));
        RETURN OLD;
    END IF;
    IF NEW.role = 'output' THEN
        RAISE EXCEPTION 'output links are made by the engine' USING ERRCODE = 'IS020';
    END IF;
    SELECT state, process_id INTO v_run_state, v_process FROM isms.run
     WHERE org_id = NEW.org_id AND run_id = NEW.run_id FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'run % does not exist in organization %', NEW.run_id, NEW.org_id USING ERRCODE = 'IS015';
    END IF;
    SELECT r.state, r.valid_until < CURRENT_DATE INTO v_rec_state, v_expired FROM isms.record r
     WHERE r.org_id = NEW.org_id AND r.record_id = NEW.record_id FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'record % does not exist in organization %', NEW.record_id, NEW.org_id USING ERRCODE = 'IS015';
    END IF;
    SELECT w.* INTO v_wp FROM isms.work_product w JOIN isms.record r USING (work_product_id)
     WHERE r.org_id = NEW.org_id AND r.record_id = NEW.record_id;
    v_expired := coalesce(v_expired, false);
    IF NEW.role = 'input' THEN
        IF v_run_state IN ('completed', 'cancelled') THEN
            RAISE EXCEPTION 'run % is %: no input can be added', NEW.run_id, v_run_state USING ERRCODE = 'IS004';
        END IF;
        IF NOT EXISTS (SELECT FROM isms.process_input WHERE process_id = v_process AND work_product_id = v_wp.work_product_id
                          AND (org_id IS NULL OR org_id = NEW.org_id))
           AND NOT EXISTS (SELECT FROM isms.activity_input WHERE process_id = v_process
                              AND work_product_id = v_wp.work_product_id AND (org_id IS NULL OR org_id = NEW.org_id)) THEN
            RAISE EXCEPTION 'record % cannot be an input of run %: the process does not take %', NEW.record_id,
                NEW.run_id, v_wp.key USING ERRCODE = 'IS013';
        END IF;
        IF v_rec_state <> 'approved' OR v_expired THEN
            RAISE EXCEPTION 'record % cannot be an input of run %: it is %', NEW.record_id, NEW.run_id,
                CASE WHEN v_expired THEN 'expired' ELSE v_rec_state::text END USING ERRCODE = 'IS013';
        END IF;
    ELSE
        IF v_run_state <> 'active' THEN
            RAISE EXCEPTION 'run % is % and cannot confirm records', NEW.run_id, v_run_state USING ERRCODE = 'IS004';
        END IF;
        IF NOT EXISTS (SELECT FROM isms.process_output WHERE process_id = v_process AND work_product_id = v_wp.work_product_id
                          AND (org_id IS NULL OR org_id = NEW.org_id))
           OR v_rec_state <> 'approved' OR v_expired THEN
            RAISE EXCEPTION 'record % cannot be confirmed by run %', NEW.record_id, NEW.run_id USING ERRCODE = 'IS016';
        END IF;
        IF v_wp.review_months IS NOT NULL THEN
            UPDATE isms.record SET valid_until = (CURRENT_DATE + make_interval(months => v_wp.review_months))::date
             WHERE org_id = NEW.org_id AND record_id = NEW.record_id;
        END IF;
    END IF;
    NEW.linked_by := isms_ref.actor();
    IF NEW.role = 'input' THEN
        PERFORM isms_ref.append_event(NEW.org_id, 'run', NEW.run_id, 'add_input', NULL, NULL,
                                      jsonb_build_object('record_id', NEW.record_id::text, 'work_product', v_wp.key));
    ELSE
        PERFORM isms_ref.append_event(NEW.org_id, 'record', NEW.record_id, 'confirm', NULL, NULL,
                                      jsonb_build_object('run_id', NEW.run_id::text));
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER ref_run_rules BEFORE INSERT OR UPDATE OR DELETE ON isms.run
    FOR EACH ROW EXECUTE FUNCTION isms_ref.run_rules();
CREATE TRIGGER ref_run_creates_steps AFTER INSERT ON isms.run
    FOR EACH ROW EXECUTE FUNCTION isms_ref.run_creates_steps();
CREATE TRIGGER ref_step_rules BEFORE INSERT OR UPDATE OR DELETE ON isms.step
    FOR EACH ROW EXECUTE FUNCTION isms_ref.step_rules();
CREATE TRIGGER ref_record_rules BEFORE INSERT OR UPDATE OR DELETE ON isms.record
    FOR EACH ROW EXECUTE FUNCTION isms_ref.record_rules();
CREATE TRIGGER ref_record_links_output AFTER INSERT ON isms.record
    FOR EACH ROW EXECUTE FUNCTION isms_ref.record_links_output();
CREATE TRIGGER ref_run_record_rules BEFORE INSERT OR UPDATE OR DELETE ON isms.run_record
    FOR EACH ROW EXECUTE FUNCTION isms_ref.run_record_rules();
CREATE TRIGGER ref_event_append_only BEFORE UPDATE OR DELETE ON isms.event
    FOR EACH ROW EXECUTE FUNCTION isms_ref.event_guard();
