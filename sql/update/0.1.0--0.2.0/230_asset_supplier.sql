-- 230_asset_supplier: the asset inventory (A.5.9-A.5.12) and the supplier
-- register (A.5.19-A.5.22) as registers (issue 16, item 3), and risks that
-- name the assets they concern.
--
-- Both are registers of the generic mechanism (120_registers, 130_risk,
-- src/register.c): changes in active runs of the maintaining processes
-- (IS029), owners are members (IS032), no DELETE (IS011, IS026), fixed keys
-- (IS009), an event per change.  Two conventions of the mechanism serve
-- them, and any register with the same columns:
--   - references: a column assets, suppliers or risks (bigint[]) names
--     entries of that register of the same organisation (IS040);
--   - review dates: last_reviewed (left out: the business date) is not in
--     the future and next_review not before it; with review_months, the engine sets next_review to
--     last_reviewed + review_months whenever last_reviewed changes and
--     next_review is not set by the same change (IS041).
-- Assets are identified in risk assessment (7.4, 6.1.2 c) and kept current
-- where controls are implemented and operated (7.6); their snapshot is the
-- work product asset_inventory.  Suppliers are the register of 7.7
-- (supplier_register).  Lifecycles: an asset is active until retired; a
-- supplier is active, under_review while a review is open (back to active
-- only with the review recorded), or terminated.

CREATE TYPE isms.asset_state AS ENUM ('active', 'retired');
COMMENT ON TYPE isms.asset_state IS 'Lifecycle state of an asset: active, or retired (disposed of, returned, no longer used)';
CREATE TYPE isms.asset_classification AS ENUM ('public', 'internal', 'confidential', 'restricted');
COMMENT ON TYPE isms.asset_classification IS 'Information classification of an asset (ISO/IEC 27001 A.5.12), lowest first';
CREATE TYPE isms.supplier_state AS ENUM ('active', 'under_review', 'terminated');
COMMENT ON TYPE isms.supplier_state IS 'Lifecycle state of a supplier: active, under_review while a review is open, terminated';
CREATE TYPE isms.supplier_criticality AS ENUM ('low', 'medium', 'high', 'critical');
COMMENT ON TYPE isms.supplier_criticality IS 'How much the organisation''s information security depends on a supplier, lowest first';

CREATE SEQUENCE isms.asset_id_seq;
CREATE TABLE isms.asset (
    org_id          bigint NOT NULL REFERENCES isms.organization,
    asset_id        bigint NOT NULL DEFAULT pg_catalog.nextval('isms.asset_id_seq'),
    run_id          bigint NOT NULL,
    name            text NOT NULL CHECK (name ~ '[^[:space:]]'),
    category        text CHECK (category ~ '[^[:space:]]'),
    description     text,
    owner           regrole NOT NULL,
    classification  isms.asset_classification NOT NULL DEFAULT 'internal',
    services        text[] NOT NULL DEFAULT '{}',
    location        text,
    review_months   integer NOT NULL DEFAULT 12 CHECK (review_months BETWEEN 1 AND 120),
    last_reviewed   date NOT NULL,
    next_review     date,
    state           isms.asset_state NOT NULL DEFAULT 'active',
    state_reason    text,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (org_id, asset_id),
    FOREIGN KEY (org_id, run_id) REFERENCES isms.run (org_id, run_id)
);
ALTER SEQUENCE isms.asset_id_seq OWNED BY isms.asset.asset_id;
CREATE UNIQUE INDEX asset_asset_id_idx ON isms.asset (asset_id);
COMMENT ON TABLE isms.asset IS
    'The asset inventory (ISO/IEC 27001 A.5.9-A.5.12): information and other associated assets with their owner and classification';
COMMENT ON COLUMN isms.asset.run_id IS 'The run (of a process maintaining the inventory: 7.4, 7.6) the latest change was made in';
COMMENT ON COLUMN isms.asset.name IS 'Name of the asset';
COMMENT ON COLUMN isms.asset.category IS 'Kind of asset: information, software, hardware, service, people, site, ...';
COMMENT ON COLUMN isms.asset.owner IS 'The asset owner (A.5.9): a member of the organisation (login role)';
COMMENT ON COLUMN isms.asset.classification IS 'Classification of the information (A.5.12): public, internal, confidential, restricted';
COMMENT ON COLUMN isms.asset.services IS 'The services (business or IT) the asset supports';
COMMENT ON COLUMN isms.asset.location IS 'Where the asset is (site, cloud account, region)';
COMMENT ON COLUMN isms.asset.review_months IS 'Months between reviews of the entry; next_review follows last_reviewed by this much';
COMMENT ON COLUMN isms.asset.last_reviewed IS 'When the entry was last reviewed (its creation counts as the first review; left out, the engine sets the business date); not in the future';
COMMENT ON COLUMN isms.asset.next_review IS 'When the entry is next to be reviewed (set by the engine from last_reviewed and review_months unless given)';
COMMENT ON COLUMN isms.asset.state_reason IS 'Reason given for retiring the asset';

CREATE SEQUENCE isms.supplier_id_seq;
CREATE TABLE isms.supplier (
    org_id          bigint NOT NULL REFERENCES isms.organization,
    supplier_id     bigint NOT NULL DEFAULT pg_catalog.nextval('isms.supplier_id_seq'),
    run_id          bigint NOT NULL,
    name            text NOT NULL CHECK (name ~ '[^[:space:]]'),
    description     text,
    owner           regrole NOT NULL,
    criticality     isms.supplier_criticality NOT NULL,
    services        text[] NOT NULL DEFAULT '{}',
    assets          bigint[] NOT NULL DEFAULT '{}',
    risks           bigint[] NOT NULL DEFAULT '{}',
    agreement       text,
    review_months   integer NOT NULL DEFAULT 12 CHECK (review_months BETWEEN 1 AND 120),
    last_reviewed   date NOT NULL,
    next_review     date,
    review_notes    text,
    state           isms.supplier_state NOT NULL DEFAULT 'active',
    state_reason    text,
    created_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (org_id, supplier_id),
    FOREIGN KEY (org_id, run_id) REFERENCES isms.run (org_id, run_id)
);
ALTER SEQUENCE isms.supplier_id_seq OWNED BY isms.supplier.supplier_id;
CREATE UNIQUE INDEX supplier_supplier_id_idx ON isms.supplier (supplier_id);
COMMENT ON TABLE isms.supplier IS
    'The supplier register (ISO/IEC 27001 A.5.19-A.5.22): suppliers and outsourced processes, their criticality, what they provide and when they are reviewed';
COMMENT ON COLUMN isms.supplier.run_id IS 'The run (of process 7.7) the latest change was made in';
COMMENT ON COLUMN isms.supplier.name IS 'Name of the supplier';
COMMENT ON COLUMN isms.supplier.owner IS 'Who manages the supplier relationship: a member of the organisation (login role)';
COMMENT ON COLUMN isms.supplier.criticality IS 'How much information security depends on the supplier: low, medium, high, critical';
COMMENT ON COLUMN isms.supplier.services IS 'The services or outsourced processes the supplier provides';
COMMENT ON COLUMN isms.supplier.assets IS 'Assets of the inventory the supplier provides, hosts or processes (asset ids of the organisation)';
COMMENT ON COLUMN isms.supplier.risks IS 'Risks of the risk register the supplier relates to (risk ids of the organisation)';
COMMENT ON COLUMN isms.supplier.agreement IS 'Reference to the agreement with the supplier''s security requirements (A.5.20)';
COMMENT ON COLUMN isms.supplier.review_months IS 'Months between reviews of the supplier (A.5.22); next_review follows last_reviewed by this much';
COMMENT ON COLUMN isms.supplier.last_reviewed IS 'When the supplier was last reviewed (its creation counts as the first review; left out, the engine sets the business date); not in the future';
COMMENT ON COLUMN isms.supplier.next_review IS 'When the supplier is next to be reviewed (set by the engine from last_reviewed and review_months unless given)';
COMMENT ON COLUMN isms.supplier.review_notes IS 'What the latest review found';
COMMENT ON COLUMN isms.supplier.state_reason IS 'Reason given for the latest review opened or the termination';

-- Risks name the assets they concern (6.1.2 c).
ALTER TABLE isms.risk ADD COLUMN assets bigint[] NOT NULL DEFAULT '{}';
COMMENT ON COLUMN isms.risk.assets IS 'Assets of the inventory the risk concerns (asset ids of the organisation)';

SELECT pg_catalog.pg_extension_config_dump('isms.asset', '');
SELECT pg_catalog.pg_extension_config_dump('isms.asset_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('isms.supplier', '');
SELECT pg_catalog.pg_extension_config_dump('isms.supplier_id_seq', '');

INSERT INTO isms.register (kind, relation, work_product, maintained_by) VALUES
    ('asset', 'isms.asset', 'asset_inventory', '{7.4,7.6}'),
    ('supplier', 'isms.supplier', 'supplier_register', '{7.7}');

-- The triggers of every register, row-level security and the grants.
SELECT isms.register_attach('asset', '{admin,manager,contributor}'),
       isms.register_attach('supplier', '{admin,manager,contributor}');
GRANT INSERT, UPDATE (run_id, name, category, description, owner, classification, services, location,
                      review_months, last_reviewed, next_review, state, state_reason)
    ON isms.asset TO isms_contributor;
GRANT USAGE ON SEQUENCE isms.asset_id_seq TO isms_contributor;
GRANT INSERT, UPDATE (run_id, name, description, owner, criticality, services, assets, risks, agreement,
                      review_months, last_reviewed, next_review, review_notes, state, state_reason)
    ON isms.supplier TO isms_contributor;
GRANT USAGE ON SEQUENCE isms.supplier_id_seq TO isms_contributor;
GRANT UPDATE (assets) ON isms.risk TO isms_contributor;

-- The lifecycles; their guards are the generic ones of register.c.
INSERT INTO isms.lifecycle_kind VALUES ('asset', 'isms.asset', 'state'), ('supplier', 'isms.supplier', 'state');
INSERT INTO isms.lifecycle_state (kind, state, ordinal, initial, final) VALUES
    ('asset', 'active', 1, true, false),
    ('asset', 'retired', 2, false, true),
    ('supplier', 'active', 1, true, false),
    ('supplier', 'under_review', 2, false, false),
    ('supplier', 'terminated', 3, false, true);
INSERT INTO isms.lifecycle_transition (kind, from_state, to_state, action, guards) VALUES
    ('asset', 'active', 'retired', 'retire', '{reason}'),
    ('supplier', 'active', 'under_review', 'open_review', '{reason}'),
    ('supplier', 'under_review', 'active', 'review', '{reviewed}'),
    ('supplier', 'active', 'terminated', 'terminate', '{reason}'),
    ('supplier', 'under_review', 'terminated', 'terminate', '{reason}');

-- The API: plain DML under the caller's rights, in the run named.
CREATE FUNCTION isms.add_asset(run bigint, name text, owner regrole,
                               classification isms.asset_classification DEFAULT 'internal',
                               category text DEFAULT NULL, services text[] DEFAULT '{}',
                               review_months integer DEFAULT 12) RETURNS bigint
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    INSERT INTO isms.asset (org_id, run_id, name, owner, classification, category, services, review_months)
    VALUES (isms.run_org($1), $1, $2, $3, $4, $5, COALESCE($6, '{}'), $7)
    RETURNING asset_id
$$;
COMMENT ON FUNCTION isms.add_asset(bigint, text, regrole, isms.asset_classification, text, text[], integer) IS
    'Add an asset to the inventory in a run of 7.4 or 7.6: its owner (a member), classification, the services it supports (IS029, IS032)';

CREATE FUNCTION isms.add_supplier(run bigint, name text, owner regrole, criticality isms.supplier_criticality,
                                  services text[] DEFAULT '{}', assets bigint[] DEFAULT '{}',
                                  risks bigint[] DEFAULT '{}', review_months integer DEFAULT 12) RETURNS bigint
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    INSERT INTO isms.supplier (org_id, run_id, name, owner, criticality, services, assets, risks, review_months)
    VALUES (isms.run_org($1), $1, $2, $3, $4, COALESCE($5, '{}'), COALESCE($6, '{}'), COALESCE($7, '{}'), $8)
    RETURNING supplier_id
$$;
COMMENT ON FUNCTION isms.add_supplier(bigint, text, regrole, isms.supplier_criticality, text[], bigint[], bigint[], integer) IS
    'Add a supplier to the register in a run of 7.7: owner, criticality, the services it provides, the assets and risks it relates to (IS029, IS032, IS040)';

-- Record a review of a supplier in a run of 7.7: last_reviewed becomes the
-- date given (by default the business date: today, or an import's time) and next_review follows; a supplier under
-- review goes back to active.
CREATE FUNCTION isms.review_supplier(run bigint, supplier bigint, notes text, reviewed date DEFAULT NULL)
    RETURNS date
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    UPDATE isms.supplier s
       SET run_id = $1, last_reviewed = $4, review_notes = $3, state = 'active'
     WHERE s.supplier_id OPERATOR(pg_catalog.=) $2 AND s.org_id OPERATOR(pg_catalog.=) isms.run_org($1)
    RETURNING s.next_review
$$;
COMMENT ON FUNCTION isms.review_supplier(bigint, bigint, text, date) IS
    'Record a review of a supplier (A.5.22) in a run of 7.7: what it found, when; returns the next review date (IS029, IS041)';

CREATE FUNCTION isms.review_asset(run bigint, asset bigint, reviewed date DEFAULT NULL) RETURNS date
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    UPDATE isms.asset a SET run_id = $1, last_reviewed = $3
     WHERE a.asset_id OPERATOR(pg_catalog.=) $2 AND a.org_id OPERATOR(pg_catalog.=) isms.run_org($1)
    RETURNING a.next_review
$$;
COMMENT ON FUNCTION isms.review_asset(bigint, bigint, date) IS
    'Record a review of an asset''s entry (owner, classification still right) in a run of 7.4 or 7.6; returns the next review date (IS029, IS041)';

CREATE FUNCTION isms.retire_asset(run bigint, asset bigint, reason text) RETURNS isms.asset_state
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    UPDATE isms.asset a SET run_id = $1, state = 'retired', state_reason = $3
     WHERE a.asset_id OPERATOR(pg_catalog.=) $2 AND a.org_id OPERATOR(pg_catalog.=) isms.run_org($1)
    RETURNING a.state
$$;
COMMENT ON FUNCTION isms.retire_asset(bigint, bigint, text) IS
    'Retire an asset (returned, disposed of, no longer used: A.5.11), with a reason; a retired asset never changes (IS021, IS009)';

REVOKE ALL ON FUNCTION isms.add_asset(bigint, text, regrole, isms.asset_classification, text, text[], integer),
    isms.add_supplier(bigint, text, regrole, isms.supplier_criticality, text[], bigint[], bigint[], integer),
    isms.review_supplier(bigint, bigint, text, date), isms.review_asset(bigint, bigint, date),
    isms.retire_asset(bigint, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION isms.add_asset(bigint, text, regrole, isms.asset_classification, text, text[], integer),
    isms.add_supplier(bigint, text, regrole, isms.supplier_criticality, text[], bigint[], bigint[], integer),
    isms.review_supplier(bigint, bigint, text, date), isms.review_asset(bigint, bigint, date),
    isms.retire_asset(bigint, bigint, text) TO isms_contributor;
