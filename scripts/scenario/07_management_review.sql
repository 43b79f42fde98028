-- scripts/scenario/07_management_review.sql -- chapter 7: month 12.  The
-- governance interface (6.2) runs again, now with its management review:
-- performance and audit results go in, decisions and revised objectives
-- come out; documents that are still right are confirmed, not copied.

\echo
\echo '== Chapter 7. Month 12: management review (6.2 again)'
\echo '   The review needs the performance report and the audit report linked to its run:'

BEGIN;
SELECT demo.at(12, 1);
SET ROLE amir_ciso;
SELECT isms.plan_run(:nw, '6.2', 'Management review', 'grace_ceo', demo.day(12, 1), demo.day(12, 15)) AS review \gset
SELECT isms.add_input(:review, r)
  FROM unnest(ARRAY[:business_context, :ra2_report, :ca1_record, :ca2_record, :improvement, :feedback, :resources]::bigint[]) AS r;
SELECT isms.start_run(:review);
SELECT isms.confirm_record(:review, r) FROM unnest(ARRAY[:context, :scope, :roles, :criteria]::bigint[]) AS r;
SELECT isms.new_version(:objectives, :review) AS objectives_v2 \gset
UPDATE isms.record
   SET content = jsonb_set(content, '{objectives}', content -> 'objectives' || '["breach notice to customers within 24 h"]')
 WHERE record_id = :objectives_v2;
SELECT isms.new_record(:review, 'management_review_results', 'Management review decisions',
       '{"decisions": ["proceed to certification audit", "fund vulnerability management tooling",
                       "adopt 24 h breach notice for all customers"], "chair": "grace_ceo"}') AS review_results \gset
SELECT isms.submit_record(r) FROM unnest(ARRAY[:objectives_v2, :review_results]::bigint[]) AS r;
SELECT demo.at(12, 8);
SELECT isms.start_step(:review, n, 'amir_ciso'), isms.finish_step(:review, n) FROM generate_series(1, 4) AS n;
SELECT isms.start_step(:review, 5, 'grace_ceo');
\o
SELECT demo.refused('IS006', format('SELECT isms.finish_step(%s, 5)', :review)) \g (tuples_only=on)
\o /dev/null

SELECT demo.at(12, 10);
\echo '   Amir links them, Grace chairs the review and approves its results.'
SELECT isms.add_input(:review, r) FROM unnest(ARRAY[:performance, :audit_report]::bigint[]) AS r;
SELECT isms.finish_step(:review, 5);
SELECT demo.at(12, 12);
SET ROLE grace_ceo;
SELECT count(isms.approve_record(r)) FROM unnest(ARRAY[:objectives_v2, :review_results]::bigint[]) AS r;
SET ROLE amir_ciso;
SELECT isms.complete_run(:review);
RESET ROLE;
COMMIT;
\set objectives :objectives_v2

\o
SELECT wp.key AS output, l.role AS "how", r.version, r.approver, r.valid_until
  FROM isms.run_record l
  JOIN isms.record r USING (org_id, record_id)
  JOIN isms.work_product wp USING (work_product_id)
 WHERE l.org_id = :nw AND l.run_id = :review AND l.role <> 'input'
 ORDER BY l.role, wp.key;
\o /dev/null
