-- scripts/history.sql -- synthetic history for the demo (bash scripts/demo.sh
-- --history N): a third organisation, Fabrikam Payments, that has operated
-- its ISMS for :years years before the scenario's year.  Every year runs all
-- 17 processes once, in the order their inputs become available, through
-- the SQL API; the author and the approver of each output differ (the
-- superuser names them in isms.actor, as an application would).  Like
-- Northwind Cloud's year, each year is imported in business time
-- (isms.begin_import, isms.import_at; one batch per year): a run is planned
-- every 20 days, due 14 days later, its steps a day apart; the policy (7.2)
-- and audit (7.11) runs end on day 17, late, the others on day 12.
--
-- Run by scripts/demo.sh after the chapters of scripts/scenario/, in the
-- same psql session (it needs the demo schema of chapter 0).

\o /dev/null
\echo
\echo '== History: Fabrikam Payments,' :years 'year(s) of synthetic operation'

-- One run of a process, performed generically, at its business times: link the latest approved
-- record of every input the process takes, do every mandatory step (and the
-- optional ones whose outputs the process then needs), produce each
-- required output (a new version where a current document exists), have
-- another person approve it, complete the run.
CREATE FUNCTION demo.synthetic_run(org bigint, code isms.clause, title text, planned date,
                                   author text, approver text) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
    run bigint;
    rec record;
    act record;
    out record;
    produced bigint;
    risk bigint;
    at timestamptz := planned + time '09:00';
BEGIN
    PERFORM isms.import_at(at);
    PERFORM set_config('isms.actor', author, true);
    run := isms.plan_run(org, code, title, author, planned, planned + 14);
    FOR rec IN
        SELECT DISTINCT ON (r.work_product_id) r.record_id
          FROM isms.process_input i
          JOIN isms.record r ON r.org_id = org AND r.work_product_id = i.work_product_id
         WHERE i.process_id = isms.process_id(org, code) AND r.state = 'approved'
         ORDER BY r.work_product_id, r.record_id DESC
    LOOP
        PERFORM isms.add_input(run, rec.record_id);
    END LOOP;
    PERFORM isms.start_run(run);
    -- the registers, through the API (each record of their work products is
    -- the engine's snapshot): governance sets the risk criteria, the risk
    -- assessment adds the year's risk (owned by the writer, a member), risk
    -- treatment plans its treatment, has the owner accept it and keeps the
    -- Statement of Applicability complete
    IF code::text = '6.2' THEN
        PERFORM isms.set_risk_criteria(run, '{low,medium,high}', '{low,medium,high}', 4);
    ELSIF code::text = '7.4' THEN
        risk := isms.add_risk(run, 'Year ' || extract(year FROM planned) || ': card data skimmed at a merchant',
                              current_user::regrole);
        PERFORM isms.assess_risk(run, risk, 3, 2);
        PERFORM isms.evaluate_risk(run, risk);
    ELSIF code::text = '7.5' THEN
        PERFORM isms.soa_init(run);
        UPDATE isms.soa SET justification = 'Synthetic history: baseline control', run_id = run
         WHERE org_id = org AND justification = isms.soa_placeholder();
        FOR risk IN SELECT r.risk_id FROM isms.risk r WHERE r.org_id = org AND r.state = 'evaluated' LOOP
            PERFORM isms.plan_treatment(run, risk, 'modify', '{A.8.24}', 1, 2);
            PERFORM isms.accept_risk(run, risk);
        END LOOP;
    END IF;
    FOR act IN
        SELECT a.activity_no, a.optional,
               NOT EXISTS (SELECT FROM isms.activity_input ai
                            WHERE ai.process_id = a.process_id AND ai.activity_no = a.activity_no
                              AND NOT EXISTS (SELECT FROM isms.run_record l JOIN isms.record r USING (org_id, record_id)
                                               WHERE l.org_id = org AND l.run_id = run AND l.role = 'input'
                                                 AND r.work_product_id = ai.work_product_id)) AS possible
          FROM isms.activity a
         WHERE a.process_id = isms.process_id(org, code) AND a.org_id IS NULL
         ORDER BY a.activity_no
    LOOP
        IF act.optional AND NOT act.possible THEN
            PERFORM isms.skip_step(run, act.activity_no, 'synthetic history: inputs not available');
            CONTINUE;
        END IF;
        at := at + interval '1 day';
        PERFORM isms.import_at(at);
        PERFORM isms.start_step(run, act.activity_no, author);
        PERFORM isms.finish_step(run, act.activity_no);
        FOR out IN
            SELECT o.work_product_id, wp.key, wp.kind,
                   (SELECT max(r.record_id) FROM isms.record r
                     WHERE r.org_id = org AND r.work_product_id = o.work_product_id AND r.state = 'approved') AS current
              FROM isms.process_output o JOIN isms.work_product wp USING (work_product_id)
             WHERE o.process_id = isms.process_id(org, code) AND o.required AND o.activity_no = act.activity_no
        LOOP
            IF out.kind = 'document' AND out.current IS NOT NULL THEN
                produced := isms.new_version(out.current, run);
            ELSE
                produced := isms.new_record(run, out.key, initcap(replace(out.key, '_', ' ')),
                                            CASE WHEN out.key IN (SELECT work_product FROM isms.register) THEN '{}'
                                                 ELSE jsonb_build_object('synthetic', true, 'year', extract(year FROM planned)) END);
            END IF;
            PERFORM isms.submit_record(produced);
            -- the audit report is approved by the internal auditor, who
            -- had no part in the work audited
            PERFORM set_config('isms.actor', CASE WHEN (SELECT wp.approval_independent FROM isms.work_product wp
                                                         WHERE wp.work_product_id = out.work_product_id)
                                                  THEN 'fab_auditor' ELSE approver END, true);
            PERFORM isms.approve_record(produced);
            PERFORM set_config('isms.actor', author, true);
        END LOOP;
    END LOOP;
    PERFORM isms.import_at(planned + time '09:00'
                           + make_interval(days => CASE WHEN code::text IN ('7.2', '7.11') THEN 17 ELSE 12 END));
    PERFORM isms.complete_run(run);
    RETURN run;
END
$$;

-- An external record, entered by one person and approved by another.
CREATE FUNCTION demo.synthetic_external(org bigint, key text, title text, author text, approver text)
    RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
    rec bigint;
BEGIN
    PERFORM set_config('isms.actor', author, true);
    rec := isms.new_external_record(org, key, title,
                                    CASE WHEN key IN (SELECT work_product FROM isms.register) THEN '{}'
                                         ELSE '{"synthetic": true}' END::jsonb);
    PERFORM isms.submit_record(rec);
    PERFORM set_config('isms.actor', approver, true);
    PERFORM isms.approve_record(rec);
    PERFORM set_config('isms.actor', '', true);
    RETURN rec;
END
$$;

SELECT isms.create_organization('Fabrikam Payments') AS fab \gset
-- The superuser writes the history for Fabrikam's people (isms.actor):
-- approving the policy, the review results and the audit reports needs
-- designations, which members hold, so it is a member while it writes.
SELECT isms.add_member(:fab, current_user, 'manager');
SELECT isms.designate(:fab, current_user, d) FROM unnest('{top_management,internal_auditor,history_importer}'::text[]) AS d;

-- Year by year, oldest first; one transaction per year.
SELECT format($q$
BEGIN;
SELECT isms.begin_import(%1$s, 'scripts/history.sql: year %2$s');
SELECT isms.import_at(demo.day(1, 1) - %3$s * 365 + time '08:00');
SELECT demo.synthetic_external(%1$s, 'business_context', 'Business plan %2$s', 'fab_ciso', 'fab_ceo');
SELECT demo.synthetic_external(%1$s, k, initcap(replace(k, '_', ' ')) || ' %2$s', 'fab_ciso', 'fab_cto')
  FROM unnest('{legal_obligation,asset_inventory,security_event,customer_request,change_request}'::text[]) AS k;
SELECT demo.synthetic_run(%1$s, c::isms.clause, 'Year %2$s: ' || c, demo.day(1, 1) - %3$s * 365 + i::integer * 20,
                          'fab_ciso', 'fab_ceo')
  FROM unnest('{6.2,7.3,7.2,7.4,7.5,7.6,7.7,7.8,8.2,8.3,8.4,8.5,7.9,7.10,7.11,7.13,7.12}'::text[])
       WITH ORDINALITY AS u (c, i);
COMMIT;
$q$, :fab, extract(year FROM demo.day(1, 1)) - y, y)
  FROM generate_series(least(greatest(:years, 0), 25), 1, -1) AS y
\gexec
SELECT isms.remove_member(:fab, current_user);

\o
SELECT count(*) AS runs, count(DISTINCT process_id) AS processes,
       (SELECT count(*) FROM isms.record WHERE org_id = :fab) AS records,
       (SELECT count(*) FROM isms.event WHERE org_id = :fab) AS events
  FROM isms.run WHERE org_id = :fab;
\o /dev/null
