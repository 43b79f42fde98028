-- 130_risk: the generic register mechanism, the rules of the risk criteria
-- and the risk register (issue 15, items 2 and 3).
--
-- isms.register_trigger (src/register.c) fires on every table listed in
-- isms.register: changes only in an active run of a maintaining process
-- (IS029), no DELETE (IS011), fixed keys (IS009), owners are members
-- (IS032), control codes name controls (IS033), the kind's own rules
-- (src/risk.c: IS027, IS028) and lifecycle, and an event per change.
-- TRUNCATE is refused (IS026).  Risks have the lifecycle of kind "risk".

CREATE FUNCTION isms.register_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'register_trigger';
CREATE FUNCTION isms.register_created_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'register_created_trigger';
CREATE FUNCTION isms.register_changed_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'register_changed_trigger';
CREATE TRIGGER register_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON isms.register
    FOR EACH STATEMENT EXECUTE FUNCTION isms.register_changed_trigger();
CREATE TRIGGER register_no_truncate BEFORE TRUNCATE ON isms.register
    FOR EACH STATEMENT EXECUTE FUNCTION isms.truncate_guard_trigger();

-- What makes a table a register: the engine's triggers (rules, creation
-- events, no TRUNCATE) and row-level security: members with a role in
-- readers read, those in writers change entries (in runs: IS029), those in
-- inserters (default: writers) create them.  Every register piece calls it
-- once per table; the grants of columns stay with the table.
CREATE FUNCTION isms.register_attach(tbl text, writers text[],
                                     readers text[] DEFAULT '{admin,manager,contributor,auditor}',
                                     inserters text[] DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    role_in constant text := 'isms.member_role(org_id) OPERATOR(pg_catalog.=) ANY (%L::text[])';
    r text := format(role_in, readers);
    w text := format(role_in, writers);
    i text := format(role_in, COALESCE(inserters, writers));
BEGIN
    EXECUTE format('CREATE TRIGGER register_rules BEFORE INSERT OR UPDATE OR DELETE ON isms.%I '
                   'FOR EACH ROW EXECUTE FUNCTION isms.register_trigger()', tbl);
    EXECUTE format('CREATE TRIGGER register_created AFTER INSERT ON isms.%I '
                   'FOR EACH ROW EXECUTE FUNCTION isms.register_created_trigger()', tbl);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON isms.%I '
                   'FOR EACH STATEMENT EXECUTE FUNCTION isms.truncate_guard_trigger()', tbl || '_no_truncate', tbl);
    EXECUTE format('CREATE POLICY select_member ON isms.%I FOR SELECT USING (%s)', tbl, r);
    EXECUTE format('CREATE POLICY insert_maintainer ON isms.%I FOR INSERT WITH CHECK (%s)', tbl, i);
    EXECUTE format('CREATE POLICY update_maintainer ON isms.%I FOR UPDATE USING (%s) WITH CHECK (%s)', tbl, w, w);
    EXECUTE format('ALTER TABLE isms.%I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', tbl);
    EXECUTE format('GRANT SELECT ON isms.%I TO isms_auditor, isms_contributor', tbl);
END
$$;
REVOKE ALL ON FUNCTION isms.register_attach(text, text[], text[], text[]) FROM PUBLIC;
COMMENT ON FUNCTION isms.register_attach(text, text[], text[], text[]) IS
    'Install step of every register table: the register triggers, TRUNCATE guard and row-level security (readers read, inserters create, writers change); not for use after installation';

-- The registers so far: the criteria are set by managers.
SELECT isms.register_attach('risk_criteria', '{admin,manager}'),
       isms.register_attach('risk', '{admin,manager,contributor}'),
       isms.register_attach('soa', '{admin,manager,contributor}');

-- The lifecycle of a risk.
INSERT INTO isms.lifecycle_kind VALUES ('risk', 'isms.risk', 'state');
INSERT INTO isms.lifecycle_state (kind, state, ordinal, initial, final) VALUES
    ('risk', 'identified', 1, true, false),
    ('risk', 'analysed', 2, false, false),
    ('risk', 'evaluated', 3, false, false),
    ('risk', 'treatment_planned', 4, false, false),
    ('risk', 'accepted', 5, false, false),
    ('risk', 'closed', 6, false, true);
INSERT INTO isms.lifecycle_transition (kind, from_state, to_state, action, guards) VALUES
    ('risk', 'identified', 'analysed', 'analyse', '{analysis}'),
    ('risk', 'analysed', 'evaluated', 'evaluate', '{analysis,evaluation}'),
    ('risk', 'evaluated', 'treatment_planned', 'plan_treatment', '{analysis,treatment}'),
    ('risk', 'treatment_planned', 'accepted', 'accept', '{analysis,treatment,acceptance}'),
    ('risk', 'evaluated', 'analysed', 'reassess', '{reason}'),
    ('risk', 'treatment_planned', 'analysed', 'reassess', '{reason}'),
    ('risk', 'accepted', 'analysed', 'reassess', '{reason}'),
    ('risk', 'identified', 'closed', 'close', '{reason}'),
    ('risk', 'analysed', 'closed', 'close', '{reason}'),
    ('risk', 'evaluated', 'closed', 'close', '{reason}'),
    ('risk', 'treatment_planned', 'closed', 'close', '{reason}'),
    ('risk', 'accepted', 'closed', 'close', '{reason}');

-- The API: plain DML under the caller's rights, so that the same rules and
-- policies apply; each names the run the change is made in.
CREATE FUNCTION isms.set_risk_criteria(run bigint, likelihood_levels text[], impact_levels text[],
                                       acceptance_threshold integer, level_matrix integer[] DEFAULT NULL)
    RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    INSERT INTO isms.risk_criteria AS c (org_id, run_id, likelihood_levels, impact_levels, level_rule,
                                         level_matrix, acceptance_threshold)
    VALUES (isms.run_org($1), $1, $2, $3, CASE WHEN $5 IS NULL THEN 'product' ELSE 'matrix' END, $5, $4)
    ON CONFLICT (org_id) DO UPDATE
       SET run_id = excluded.run_id, likelihood_levels = excluded.likelihood_levels,
           impact_levels = excluded.impact_levels, level_rule = excluded.level_rule,
           level_matrix = excluded.level_matrix, acceptance_threshold = excluded.acceptance_threshold
$$;
COMMENT ON FUNCTION isms.set_risk_criteria(bigint, text[], text[], integer, integer[]) IS
    'Set the organization''s risk criteria in a run of 6.2 or 7.4: scales (labels, lowest first), threshold, optional level matrix (else likelihood × impact) (IS027, IS029)';

CREATE FUNCTION isms.add_risk(run bigint, title text, owner regrole DEFAULT isms.current_identity(),
                              description text DEFAULT NULL, scope text DEFAULT NULL) RETURNS bigint
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    INSERT INTO isms.risk (org_id, run_id, title, owner, description, scope)
    VALUES (isms.run_org($1), $1, $2, $3, $4, $5)
    RETURNING risk_id
$$;
COMMENT ON FUNCTION isms.add_risk(bigint, text, regrole, text, text) IS
    'Identify a risk in a run of 7.4 or 7.5; its owner is a member (IS029, IS032)';

-- A risk's organisation, for the caller (IS015 if it cannot see the risk).
CREATE FUNCTION isms.risk_org(risk bigint) RETURNS bigint
    LANGUAGE plpgsql STABLE STRICT SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    org bigint;
BEGIN
    SELECT r.org_id INTO org FROM isms.risk r WHERE r.risk_id OPERATOR(pg_catalog.=) $1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'risk % does not exist', $1
            USING ERRCODE = 'IS015',
                  DETAIL = 'No risk with this id is visible to the current role.',
                  HINT = 'Check the risk id, and that you are a member of its organization.';
    END IF;
    RETURN org;
END
$$;
COMMENT ON FUNCTION isms.risk_org(bigint) IS 'The organization of a risk the caller can see (IS015 otherwise)';

CREATE FUNCTION isms.assess_risk(run bigint, risk bigint, likelihood integer, impact integer)
    RETURNS isms.risk_state
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.risk_org($2);
    UPDATE isms.risk r
       SET run_id = $1, likelihood = $3, impact = $4,
           state = CASE WHEN r.state OPERATOR(pg_catalog.=) 'identified' THEN 'analysed' ELSE r.state END
     WHERE r.org_id OPERATOR(pg_catalog.=) isms.risk_org($2) AND r.risk_id OPERATOR(pg_catalog.=) $2
    RETURNING r.state
$$;
COMMENT ON FUNCTION isms.assess_risk(bigint, bigint, integer, integer) IS
    'Rate a risk''s likelihood and impact on the organization''s scales; an identified risk becomes analysed (IS027)';

CREATE FUNCTION isms.set_risk_state(run bigint, risk bigint, state isms.risk_state, reason text DEFAULT NULL)
    RETURNS isms.risk_state
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.risk_org($2);
    UPDATE isms.risk r SET run_id = $1, state = $3, state_reason = COALESCE($4, r.state_reason)
     WHERE r.org_id OPERATOR(pg_catalog.=) isms.risk_org($2) AND r.risk_id OPERATOR(pg_catalog.=) $2
    RETURNING r.state
$$;
COMMENT ON FUNCTION isms.set_risk_state(bigint, bigint, isms.risk_state, text) IS
    'Move a risk to another state of its lifecycle; the lifecycle and its guards are enforced';

CREATE FUNCTION isms.evaluate_risk(run bigint, risk bigint) RETURNS isms.risk_state
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_risk_state($1, $2, 'evaluated') $$;
COMMENT ON FUNCTION isms.evaluate_risk(bigint, bigint) IS
    'Evaluate an analysed risk against the acceptance threshold; the event says whether it is within appetite';

CREATE FUNCTION isms.plan_treatment(run bigint, risk bigint, treatment isms.risk_treatment,
                                    controls text[] DEFAULT '{}', residual_likelihood integer DEFAULT NULL,
                                    residual_impact integer DEFAULT NULL) RETURNS isms.risk_state
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.risk_org($2);
    UPDATE isms.risk r
       SET run_id = $1, treatment = $3, controls = COALESCE($4, '{}'),
           residual_likelihood = $5, residual_impact = $6, state = 'treatment_planned'
     WHERE r.org_id OPERATOR(pg_catalog.=) isms.risk_org($2) AND r.risk_id OPERATOR(pg_catalog.=) $2
    RETURNING r.state
$$;
COMMENT ON FUNCTION isms.plan_treatment(bigint, bigint, isms.risk_treatment, text[], integer, integer) IS
    'Plan the treatment of an evaluated risk: option, treating controls (modify, share), residual likelihood and impact (retain: the inherent ones) (IS027, IS028, IS033)';

CREATE FUNCTION isms.accept_risk(run bigint, risk bigint) RETURNS isms.risk_state
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_risk_state($1, $2, 'accepted') $$;
COMMENT ON FUNCTION isms.accept_risk(bigint, bigint) IS
    'Accept the planned treatment and the residual risk: only the risk owner may (IS028)';

CREATE FUNCTION isms.reassess_risk(run bigint, risk bigint, reason text) RETURNS isms.risk_state
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_risk_state($1, $2, 'analysed', $3) $$;
COMMENT ON FUNCTION isms.reassess_risk(bigint, bigint, text) IS
    'Take an evaluated, planned or accepted risk back to analysed, with a reason; an acceptance is withdrawn (IS021)';

CREATE FUNCTION isms.close_risk(run bigint, risk bigint, reason text) RETURNS isms.risk_state
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_risk_state($1, $2, 'closed', $3) $$;
COMMENT ON FUNCTION isms.close_risk(bigint, bigint, text) IS
    'Close a risk, with a reason; a closed risk never changes (IS021, IS009)';

REVOKE ALL ON FUNCTION isms.register_trigger(), isms.register_created_trigger(), isms.register_changed_trigger()
    FROM PUBLIC;
REVOKE ALL ON FUNCTION isms.set_risk_criteria(bigint, text[], text[], integer, integer[]),
    isms.add_risk(bigint, text, regrole, text, text), isms.risk_org(bigint),
    isms.assess_risk(bigint, bigint, integer, integer), isms.set_risk_state(bigint, bigint, isms.risk_state, text),
    isms.evaluate_risk(bigint, bigint), isms.plan_treatment(bigint, bigint, isms.risk_treatment, text[], integer, integer),
    isms.accept_risk(bigint, bigint), isms.reassess_risk(bigint, bigint, text), isms.close_risk(bigint, bigint, text)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION isms.risk_org(bigint) TO isms_contributor, isms_auditor;
GRANT EXECUTE ON FUNCTION isms.set_risk_criteria(bigint, text[], text[], integer, integer[]) TO isms_manager;
GRANT EXECUTE ON FUNCTION isms.add_risk(bigint, text, regrole, text, text),
    isms.assess_risk(bigint, bigint, integer, integer), isms.set_risk_state(bigint, bigint, isms.risk_state, text),
    isms.evaluate_risk(bigint, bigint), isms.plan_treatment(bigint, bigint, isms.risk_treatment, text[], integer, integer),
    isms.accept_risk(bigint, bigint), isms.reassess_risk(bigint, bigint, text), isms.close_risk(bigint, bigint, text)
    TO isms_contributor;
COMMENT ON FUNCTION isms.register_trigger() IS
    'Engine trigger on every register table: run of a maintaining process, fixed keys, owners and controls, the kind''s rules and lifecycle, the event';
COMMENT ON FUNCTION isms.register_created_trigger() IS
    'Engine trigger on every register table: the created event of an inserted entry';
COMMENT ON FUNCTION isms.register_changed_trigger() IS
    'Engine trigger on isms.register: every backend reloads the registers after a change';
