\set ECHO none
-- Test helper (included with \i): an organisation whose ISMS has come far
-- enough that runs of every process maintaining the support registers of
-- 230_asset_supplier and 235_objective_training can start (7.4, 7.6, 7.7,
-- 7.8, 7.12, 6.2).  As the superuser naming actors in isms.actor (alice
-- writes, bob approves: test/lib/governance.sql); the superuser is a
-- manager of the organisation designated top management.
\ir governance.sql
\ir registers.sql

-- Governance, requirements, policy, a risk assessment and its treatment
-- completed; returns the organisation.
CREATE FUNCTION pg_temp.support_org(org bigint) RETURNS bigint
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('isms.actor', 'alice', false);
    PERFORM isms.add_member(org, current_user, 'manager');
    PERFORM isms.designate(org, current_user, 'top_management');
    PERFORM pg_temp.publish(isms.new_external_record(org, 'business_context', 'Strategy'));
    PERFORM pg_temp.governance(org, 'Governance', CURRENT_DATE + 30, false);
    PERFORM pg_temp.perform_run(org, c::isms.clause) FROM unnest('{7.3,7.2,7.4}'::text[]) WITH ORDINALITY u (c, n) ORDER BY n;
    PERFORM pg_temp.perform_run(org, '7.5');
    RETURN org;
END $$;

-- The superuser leaves the organisation at the end of a test.
CREATE FUNCTION pg_temp.leave(org bigint) RETURNS void
    LANGUAGE sql AS $$ SELECT isms.remove_member(org, current_user) $$;
\set ECHO all
