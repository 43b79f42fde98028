-- 120_registers: the typed registers of issue 15 -- risk criteria, risks and
-- the Statement of Applicability -- as tables (their rules: 130_risk,
-- 140_soa).
--
-- A register is a real table with typed columns, org_id leading every key,
-- forced row-level security and comments.  Its entries are maintained inside
-- runs: run_id names the run of the latest change, which must be an active
-- run of a process listed in isms.register.maintained_by.  The register's
-- work product is produced by such a run as a record the engine fills with
-- the frozen register (a snapshot); approving that record approves the
-- register as it stood.

CREATE TABLE isms.register (
    kind          text PRIMARY KEY CHECK (kind ~ '^[a-z][a-z0-9_]{0,62}$'),
    relation      regclass NOT NULL UNIQUE,
    work_product  text NOT NULL UNIQUE,
    maintained_by isms.clause[] NOT NULL CHECK (pg_catalog.cardinality(maintained_by) OPERATOR(pg_catalog.>) 0)
);
COMMENT ON TABLE isms.register IS
    'The typed registers: the table holding the entries, the work product whose records are its snapshots, the processes whose runs maintain it';
COMMENT ON COLUMN isms.register.work_product IS 'Key of the PRM work product a snapshot of the register is a record of';
COMMENT ON COLUMN isms.register.maintained_by IS 'Codes of the processes in whose active runs the entries may change';
GRANT SELECT ON isms.register TO isms_reader;

CREATE TYPE isms.risk_state AS ENUM
    ('identified', 'analysed', 'evaluated', 'treatment_planned', 'accepted', 'closed');
COMMENT ON TYPE isms.risk_state IS 'Lifecycle state of a risk (ISO/IEC 27001 6.1.2 c-e, 6.1.3)';
CREATE TYPE isms.risk_treatment AS ENUM ('modify', 'retain', 'avoid', 'share');
COMMENT ON TYPE isms.risk_treatment IS 'Risk treatment option (ISO/IEC 27005): modify, retain, avoid or share the risk';
CREATE TYPE isms.control_status AS ENUM ('not_implemented', 'planned', 'partially_implemented', 'implemented');
COMMENT ON TYPE isms.control_status IS 'Implementation status of a control in the Statement of Applicability';

-- Risk criteria (6.1.2 a): one row per organisation.
CREATE TABLE isms.risk_criteria (
    org_id               bigint PRIMARY KEY REFERENCES isms.organization,
    run_id               bigint NOT NULL,
    likelihood_levels    text[] NOT NULL,
    impact_levels        text[] NOT NULL,
    level_rule           text NOT NULL DEFAULT 'product' CHECK (level_rule IN ('product', 'matrix')),
    level_matrix         smallint[],
    acceptance_threshold smallint NOT NULL CHECK (acceptance_threshold OPERATOR(pg_catalog.>=) 1),
    updated_at           timestamptz NOT NULL DEFAULT pg_catalog.now(),
    FOREIGN KEY (org_id, run_id) REFERENCES isms.run (org_id, run_id),
    CHECK (pg_catalog.array_ndims(likelihood_levels) OPERATOR(pg_catalog.=) 1
           AND pg_catalog.cardinality(likelihood_levels) BETWEEN 2 AND 10),
    CHECK (pg_catalog.array_ndims(impact_levels) OPERATOR(pg_catalog.=) 1
           AND pg_catalog.cardinality(impact_levels) BETWEEN 2 AND 10),
    CHECK ((level_rule OPERATOR(pg_catalog.=) 'matrix') OPERATOR(pg_catalog.=) (level_matrix IS NOT NULL))
);
COMMENT ON TABLE isms.risk_criteria IS
    'Risk criteria of an organisation (ISO/IEC 27001 6.1.2 a): likelihood and impact scales, how a level is computed, the acceptance threshold';
COMMENT ON COLUMN isms.risk_criteria.run_id IS 'The run (of a process maintaining the criteria) the latest change was made in';
COMMENT ON COLUMN isms.risk_criteria.likelihood_levels IS 'Labels of the likelihood levels 1..n, lowest first';
COMMENT ON COLUMN isms.risk_criteria.impact_levels IS 'Labels of the impact levels 1..n, lowest first';
COMMENT ON COLUMN isms.risk_criteria.level_rule IS 'How a risk level is computed: product (likelihood × impact) or matrix (level_matrix[likelihood][impact])';
COMMENT ON COLUMN isms.risk_criteria.level_matrix IS 'With level_rule matrix: the level of each likelihood (row) and impact (column)';
COMMENT ON COLUMN isms.risk_criteria.acceptance_threshold IS 'Risk appetite: the highest level a risk may have and be retained without treatment';

-- Risks (6.1.2 c-e, 6.1.3).
CREATE SEQUENCE isms.risk_id_seq;
CREATE TABLE isms.risk (
    org_id              bigint NOT NULL REFERENCES isms.organization,
    risk_id             bigint NOT NULL DEFAULT pg_catalog.nextval('isms.risk_id_seq'),
    run_id              bigint NOT NULL,
    title               text NOT NULL CHECK (title ~ '[^[:space:]]'),
    description         text,
    scope               text,
    owner               regrole NOT NULL,
    likelihood          smallint,
    impact              smallint,
    level               smallint,
    treatment           isms.risk_treatment,
    controls            text[] NOT NULL DEFAULT '{}',
    residual_likelihood smallint,
    residual_impact     smallint,
    residual_level      smallint,
    review_date         date,
    state               isms.risk_state NOT NULL DEFAULT 'identified',
    state_reason        text,
    accepted_by         regrole,
    accepted_at         timestamptz,
    created_at          timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at          timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (org_id, risk_id),
    FOREIGN KEY (org_id, run_id) REFERENCES isms.run (org_id, run_id)
);
ALTER SEQUENCE isms.risk_id_seq OWNED BY isms.risk.risk_id;
CREATE UNIQUE INDEX risk_risk_id_idx ON isms.risk (risk_id);
CREATE INDEX risk_state_idx ON isms.risk (org_id, state);
COMMENT ON TABLE isms.risk IS 'The risk register: information security risks of an organisation (ISO/IEC 27001 6.1.2, 6.1.3)';
COMMENT ON COLUMN isms.risk.run_id IS 'The run (of a process maintaining the register) the latest change was made in';
COMMENT ON COLUMN isms.risk.scope IS 'The assets, processes or scope the risk concerns';
COMMENT ON COLUMN isms.risk.owner IS 'The risk owner: a member of the organisation (login role); only the owner accepts the risk';
COMMENT ON COLUMN isms.risk.likelihood IS 'Likelihood level on the organisation''s scale (1 = lowest)';
COMMENT ON COLUMN isms.risk.impact IS 'Impact level on the organisation''s scale (1 = lowest)';
COMMENT ON COLUMN isms.risk.level IS 'Risk level from likelihood and impact by the organisation''s rule (set by the engine)';
COMMENT ON COLUMN isms.risk.treatment IS 'The treatment option chosen';
COMMENT ON COLUMN isms.risk.controls IS 'Treating controls: codes of the Statement of Applicability (Annex A such as A.5.15, or the organisation''s own)';
COMMENT ON COLUMN isms.risk.residual_level IS 'Residual risk level after treatment (set by the engine)';
COMMENT ON COLUMN isms.risk.review_date IS 'The risk is to be reviewed by this date';
COMMENT ON COLUMN isms.risk.state_reason IS 'Reason given for the latest closing or reassessment';
COMMENT ON COLUMN isms.risk.accepted_by IS 'The risk owner who accepted the (residual) risk';
COMMENT ON COLUMN isms.risk.accepted_at IS 'When the (residual) risk was accepted';
SELECT pg_catalog.pg_extension_config_dump('isms.risk', '');
SELECT pg_catalog.pg_extension_config_dump('isms.risk_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('isms.risk_criteria', '');

-- The Statement of Applicability (6.1.3 d): one row per control.
CREATE TABLE isms.soa (
    org_id        bigint NOT NULL REFERENCES isms.organization,
    control       text NOT NULL CHECK (control ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$'),
    title         text CHECK (title ~ '[^[:space:]]'),
    run_id        bigint NOT NULL,
    applicable    boolean NOT NULL,
    justification text NOT NULL CHECK (justification ~ '[^[:space:]]'),
    status        isms.control_status NOT NULL DEFAULT 'not_implemented',
    owner         regrole,
    updated_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (org_id, control),
    FOREIGN KEY (org_id, run_id) REFERENCES isms.run (org_id, run_id)
);
COMMENT ON TABLE isms.soa IS
    'The Statement of Applicability (ISO/IEC 27001 6.1.3 d): every Annex A control and the organisation''s own, applicable or not, with the justification';
COMMENT ON COLUMN isms.soa.control IS 'An Annex A control (A.5.1 .. A.8.34) or a code of the organisation''s own control (not starting with A.)';
COMMENT ON COLUMN isms.soa.title IS 'Title of an own control (NULL for Annex A controls: the catalog''s title)';
COMMENT ON COLUMN isms.soa.run_id IS 'The run (of a process maintaining the SoA) the latest change was made in';
COMMENT ON COLUMN isms.soa.applicable IS 'Whether the control is included (applicable) or excluded';
COMMENT ON COLUMN isms.soa.justification IS 'Justification of the inclusion or the exclusion (required both ways)';
COMMENT ON COLUMN isms.soa.owner IS 'Who is responsible for the control: a member of the organisation';
SELECT pg_catalog.pg_extension_config_dump('isms.soa', '');

INSERT INTO isms.register (kind, relation, work_product, maintained_by) VALUES
    ('risk_criteria', 'isms.risk_criteria', 'risk_criteria', '{6.2,7.4}'),
    ('risk', 'isms.risk', 'risk_register', '{7.4,7.5}'),
    ('soa', 'isms.soa', 'statement_of_applicability', '{7.5,7.6}');

-- Tenancy: members read; those who maintain the register write (in runs):
-- isms.register_attach (130_risk).
GRANT INSERT, UPDATE (run_id, likelihood_levels, impact_levels, level_rule, level_matrix, acceptance_threshold)
    ON isms.risk_criteria TO isms_manager;
GRANT INSERT, UPDATE (run_id, title, description, scope, owner, likelihood, impact, treatment, controls,
                      residual_likelihood, residual_impact, review_date, state, state_reason)
    ON isms.risk TO isms_contributor;
GRANT USAGE ON SEQUENCE isms.risk_id_seq TO isms_contributor;
GRANT INSERT, UPDATE (run_id, title, applicable, justification, status, owner)
    ON isms.soa TO isms_contributor;
