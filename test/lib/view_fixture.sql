-- test/lib/view_fixture.sql -- for the client tests (test/scripts/clients.sh,
-- odbc.sh): the extension, two organisations "<prefix> Acme" and
-- "<prefix> Globex", each with an approved business context, a completed
-- governance run (management review skipped), filled registers, a planned run
-- and a record in review, so that every isms_report view has rows; and a
-- login role holding only isms_reader, a reader of the first organisation.
-- psql variables: prefix, role, pass.
CREATE EXTENSION isms27022;
SET isms.actor = 'alice';
SELECT isms.create_organization(:'prefix' || ' Acme') IS NULL, isms.create_organization(:'prefix' || ' Globex') IS NULL;
\ir governance.sql
\ir registers.sql
DO $$
DECLARE
    org bigint;
BEGIN
    FOR org IN SELECT org_id FROM isms.organization ORDER BY org_id LOOP
        PERFORM pg_temp.publish(isms.new_external_record(org, 'business_context', 'Strategy'));
        PERFORM pg_temp.governance(org, 'Governance', CURRENT_DATE + 30, false);
        PERFORM pg_temp.registers(org);
        PERFORM isms.plan_run(org, '7.4', 'Risk assessment', 'alice', CURRENT_DATE, CURRENT_DATE + 30);
        PERFORM isms.submit_record(isms.new_external_record(org, 'legal_obligation', 'Obligation'));
    END LOOP;
END
$$;
CREATE ROLE :"role" LOGIN PASSWORD :'pass' IN ROLE isms_reader;
INSERT INTO isms.membership (org_id, member, org_role)
SELECT min(org_id), :'role', 'reader' FROM isms.organization;
