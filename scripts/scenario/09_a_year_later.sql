-- scripts/scenario/09_a_year_later.sql -- chapter 9: the end of month 12.
-- The 12-month review cycles come round.  The policies of month 3 are
-- reviewed on schedule in a 7.2 review run.  The governance documents of
-- month 0 came due at the end of the year: the management review
-- (chapter 7) confirmed four of them, but not the risks and opportunities
-- of the ISMS, which only a governance run (6.2) can confirm: it is the
-- document past its review date in the summary.  No write bypasses the
-- engine: the year really passed, in business time.

\echo
\echo '== Chapter 9. Month 12: the policies are reviewed on schedule; one governance document is overdue'

BEGIN;
SELECT demo.at(12, 20);
SET ROLE amir_ciso;
SELECT isms.plan_run(:nw, '7.2', 'Policy review', 'amir_ciso', demo.day(12, 20), current_date + 30) AS pol2 \gset
SELECT isms.add_input(:pol2, r) FROM unnest(ARRAY[:objectives, :requirements, :plan, :audit_report]::bigint[]) AS r;
SELECT isms.start_run(:pol2);
\echo '   Amir confirms the policy, the access control and the supplier policies of month 3, nine months'
\echo '   old, and drafts version 2 of the acceptable use policy; the review run stays open at the end of the year.'
SELECT isms.confirm_record(:pol2, r) FROM unnest(ARRAY[:policy, :access_policy, :supplier_policy]::bigint[]) AS r;
SELECT isms.new_version(:aup, :pol2) AS aup_v2 \gset
\echo '   The management review did not confirm the risks and opportunities of the ISMS (month 0),'
\echo '   and a policy review cannot: it falls due and stays overdue until the next governance run.'
\o
SELECT demo.refused('IS016', format('SELECT isms.confirm_record(%s, %s)', :pol2, :isms_risks)) \g (tuples_only=on)
\o /dev/null
RESET ROLE;
COMMIT;
