-- Organisations: the tenants.  Every operational row carries an org_id, and
-- tailoring rows of the catalog name the organisation that added them.

CREATE TABLE isms.organization (
    org_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL UNIQUE CHECK (name ~ '[^[:space:]]'),
    notify_events   boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE isms.organization IS 'Organisations (tenants) operating an ISMS';
COMMENT ON COLUMN isms.organization.notify_events IS
    'When true, every event of the organisation is also sent as NOTIFY on channel isms_event';
