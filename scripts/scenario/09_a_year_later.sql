-- scripts/scenario/09_a_year_later.sql -- chapter 9: the end of month 12.
-- The 12-month review cycles come round.  The acceptable use policy of the
-- staff handbook (chapter 1, month 0) passed its review date in month 12;
-- the other policies (month 3) are reviewed on schedule.  No write bypasses
-- the engine: the policy is overdue because the year really passed in
-- business time.

\echo
\echo '== Chapter 9. Month 12: the policy review finds one policy overdue'
\echo '   The acceptable use policy of the staff handbook (month 0) was due for review in month 12:'
\echo '   an expired policy cannot simply be confirmed.'

BEGIN;
SELECT demo.at(12, 20);
SET ROLE amir_ciso;
SELECT isms.plan_run(:nw, '7.2', 'Policy review', 'amir_ciso', demo.day(12, 20), current_date + 30) AS pol2 \gset
SELECT isms.add_input(:pol2, r) FROM unnest(ARRAY[:objectives, :requirements, :plan, :audit_report]::bigint[]) AS r;
SELECT isms.start_run(:pol2);
\o
SELECT demo.refused('IS016', format('SELECT isms.confirm_record(%s, %s)', :pol2, :aup)) \g (tuples_only=on)
\o /dev/null
\echo '   He confirms the three policies of month 3, reviewed on schedule, and drafts version 2 of the'
\echo '   expired one; the review run stays open at the end of the year.'
SELECT isms.confirm_record(:pol2, r) FROM unnest(ARRAY[:policy, :access_policy, :supplier_policy]::bigint[]) AS r;
SELECT isms.new_version(:aup, :pol2) AS aup_v2 \gset
RESET ROLE;
COMMIT;
