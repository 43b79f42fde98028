-- scripts/scenario/09_a_year_later.sql -- chapter 9: simulated expiry.
-- Time does not pass in a scenario: every approval above was stamped today,
-- so every document is valid for its full review cycle.  To show what the
-- ISMS looks like when a document's review is due, the superuser backdates
-- the valid_until of one approved policy with session_replication_role =
-- replica, which disables the engine's triggers.  It is the only write in
-- the scenario that bypasses the engine, and the output says so.

\echo
\echo '== Chapter 9. Simulated expiry: a policy whose review is overdue'
\echo '   [simulation] As superuser, with session_replication_role = replica (engine triggers OFF),'
\echo '   the valid_until of the acceptable use policy is set to the first day of month 12.'
\echo '   Nothing else bypasses the engine; valid_until is not part of any event, so the chains still verify.'

RESET ROLE;
SET session_replication_role = replica;
UPDATE isms.record SET valid_until = demo.day(12, 1) WHERE record_id = :aup;
RESET session_replication_role;

\echo '   Amir starts the policy review run; an expired policy cannot simply be confirmed:'
SET ROLE amir_ciso;
SELECT isms.plan_run(:nw, '7.2', 'Policy review', 'amir_ciso', demo.day(12, 10), current_date + 30) AS pol2 \gset
SELECT isms.add_input(:pol2, r) FROM unnest(ARRAY[:objectives, :requirements, :plan, :audit_report]::bigint[]) AS r;
SELECT isms.start_run(:pol2);
\o
SELECT demo.refused('IS016', format('SELECT isms.confirm_record(%s, %s)', :pol2, :aup)) \g (tuples_only=on)
\o /dev/null
\echo '   He confirms the three policies that are still current, and drafts version 2 of the expired one;'
\echo '   the review run stays open at the end of the year.'
SELECT isms.confirm_record(:pol2, r) FROM unnest(ARRAY[:policy, :access_policy, :supplier_policy]::bigint[]) AS r;
SELECT isms.new_version(:aup, :pol2) AS aup_v2 \gset
RESET ROLE;
