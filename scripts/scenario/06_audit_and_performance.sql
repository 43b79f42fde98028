-- scripts/scenario/06_audit_and_performance.sql -- chapter 6: months 10-11.
-- The internal audit (7.11) finds a nonconformity, which is corrected
-- (7.13); performance evaluation (7.12) measures the year against the
-- objectives.

\echo
\echo '== Chapter 6. Months 10-11: internal audit (7.11), corrective action (7.13), performance (7.12)'
\echo '   Priya (internal auditor) audits the ISMS and records one nonconformity; Kofi, the lead auditor,'
\echo '   who had no part in the audited work, approves her report; Grace approves the programme and the finding.'

BEGIN;
SELECT demo.at(10, 1);
SET ROLE amir_ciso;
SELECT isms.plan_run(:nw, '7.11', 'Internal audit', 'priya_audit', demo.day(10, 1), demo.day(10, 31)) AS audit \gset
SELECT isms.add_input(:audit, r) FROM unnest(ARRAY[:scope, :requirements, :ra2_report]::bigint[]) AS r;
SELECT isms.start_run(:audit);
SELECT demo.at(10, 2);
SET ROLE priya_audit;
SELECT isms.new_record(:audit, 'audit_programme', 'Audit programme',
       '{"audits": ["clauses 4-10", "Annex A themes 5 and 8", "supplier controls"], "frequency": "yearly"}');
SELECT isms.new_record(:audit, 'audit_report', 'Internal audit report',
       '{"conformity": "the ISMS conforms with one minor nonconformity", "observations": 3, "nonconformities": 1}',
       's3://northwind-isms/evidence/internal-audit-report.pdf',
       encode(sha256('internal-audit-report.pdf'::bytea), 'hex')) AS audit_report \gset
SELECT isms.new_record(:audit, 'nonconformity', 'NC-1: access reviews not evidenced',
       '{"requirement": "A.5.18 and the quarterly access review procedure",
         "finding": "no evidence of the Q2 access review for 2 of 9 systems", "grade": "minor"}') AS nc \gset
-- the finding in the nonconformity register, linked to the audit and its report
SELECT isms.raise_nonconformity(:audit, 'NC-1: access reviews not evidenced', 'audit_finding', 'A.5.18',
                                'No evidence of the Q2 access review for 2 of 9 systems', NULL, :audit_report) AS nc1_entry \gset
SELECT demo.at(10, 20);
SELECT demo.work_steps(:audit, 'priya_audit');
SELECT demo.submit_outputs(:audit);
SET ROLE grace_ceo;
\echo '   The audit report needs an independent internal auditor (ISO/IEC 27001 9.2.2, A.5.35), not the CEO:'
\o
SELECT demo.refused('IS024', format('SELECT isms.approve_record(%s)', :audit_report)) \g (tuples_only=on)
\echo '   Lena is an internal auditor too, but she approved the requirements register the audit checked:'
SET ROLE lena_cto;
SELECT demo.refused('IS025', format('SELECT isms.approve_record(%s)', :audit_report)) \g (tuples_only=on)
\o /dev/null
SELECT demo.at(10, 24);
SET ROLE kofi_audit;
SELECT isms.approve_record(:audit_report);
SET ROLE grace_ceo;
SELECT demo.approve_outputs(:audit);
SET ROLE amir_ciso;
SELECT isms.complete_run(:audit);

SELECT demo.at(10, 26);
\echo '   7.13: Tomas fixes the cause of NC-1; Lena, owner of the access risks, approves the correction.'
SELECT isms.plan_run(:nw, '7.13', 'Corrective action: NC-1', 'tomas_eng', demo.day(10, 20), demo.day(11, 20)) AS ca2 \gset
SELECT isms.add_input(:ca2, r) FROM unnest(ARRAY[:nc, :ca1_record]::bigint[]) AS r;
SELECT isms.start_run(:ca2);
SELECT demo.at(11, 2);
SET ROLE tomas_eng;
-- NC-1 in the register: Tomas implements the action; its effectiveness is
-- verified by Priya, who found it, not by Tomas.  A second action, for the
-- supplier reviews, is planned and not yet done.
SELECT isms.analyse_nonconformity(:ca2, :nc1_entry, 'Q2 reviews of the 2 systems done', 'Reviews done by e-mail, not filed'),
       isms.plan_corrective_action(:ca2, :nc1_entry, 'Reviews run from the ticketing system', demo.day(11, 20), 'tomas_eng'),
       isms.implement_corrective_action(:ca2, :nc1_entry);
\o
SELECT demo.refused('IS039', format('SELECT isms.verify_effectiveness(%s, %s, %L)', :ca2, :nc1_entry, 'works for me')) \g (tuples_only=on)
\o /dev/null
SELECT demo.at(11, 12);
SET ROLE priya_audit;
SELECT isms.verify_effectiveness(:ca2, :nc1_entry, 'Q3 reviews sampled: all 9 systems evidenced in the ticketing system'),
       isms.close_nonconformity(:ca2, :nc1_entry);
SET ROLE tomas_eng;
SELECT isms.raise_nonconformity(:ca2, 'Supplier review evidence filed by e-mail', 'other', 'A.5.22') AS nc_sup \gset
SELECT isms.analyse_nonconformity(:ca2, :nc_sup, NULL, 'Same as NC-1: no ticket for the review'),
       isms.plan_corrective_action(:ca2, :nc_sup, 'Supplier reviews from the ticketing system', demo.day(11, 30), 'tomas_eng');
SELECT isms.new_record(:ca2, 'corrective_action_record', 'CA-2: automated access review evidence',
       '{"cause": "reviews were done by e-mail and not filed", "action": "reviews run from the ticketing system",
         "effective": true, "checked_by": "priya_audit"}') AS ca2_record \gset
SELECT isms.new_record(:ca2, 'improvement_proposal', 'Extend automation to supplier reviews',
       '{"proposal": "generate supplier review evidence from the ticketing system as well"}') AS improvement \gset
SELECT demo.at(11, 16);
SELECT demo.work_steps(:ca2, 'tomas_eng');
SELECT demo.submit_outputs(:ca2);
SET ROLE lena_cto;
SELECT demo.approve_outputs(:ca2);
SET ROLE amir_ciso;
SELECT isms.complete_run(:ca2);

SELECT demo.at(11, 18);
\echo '   7.12: Amir measures the year against the objectives; Grace approves the report.'
SET ROLE amir_ciso;
SELECT isms.plan_run(:nw, '7.12', 'Performance evaluation', 'amir_ciso', demo.day(11, 1), demo.day(11, 30)) AS perf \gset
SELECT isms.add_input(:perf, r) FROM unnest(ARRAY[:objectives, :implementation, :incident]::bigint[]) AS r;
SELECT isms.start_run(:perf);
-- the objectives as measured (isms.objective) and their quarterly values (isms.measurement);
-- the measurement plan and results records are the engine's snapshots of them
SELECT isms.add_objective(:perf, 'Staff trained in security awareness', 95, '%', owner => 'mei_people') AS o_trained,
       isms.add_objective(:perf, 'Critical vulnerabilities fixed within 14 days', 100, '%', owner => 'lena_cto') AS o_vulns,
       isms.add_objective(:perf, 'Median time to contain an incident', 60, 'minutes', 'at_most', owner => 'amir_ciso') AS o_contain \gset
SELECT isms.measure(:perf, o, date_trunc('quarter', demo.day(q, 1))::date, v)
  FROM (VALUES (:o_trained, 1, 91), (:o_trained, 4, 96), (:o_trained, 7, 97),
               (:o_vulns, 1, 88), (:o_vulns, 4, 95), (:o_vulns, 7, 92),
               (:o_contain, 1, 50), (:o_contain, 4, 41), (:o_contain, 7, 35)) AS x (o, q, v);
SELECT isms.new_record(:perf, 'measurement_plan', 'Measurement plan');
SELECT isms.new_record(:perf, 'measurement_results', 'Measurement results');
SELECT isms.new_record(:perf, 'performance_report', 'ISMS performance report',
       '{"objectives_met": 3, "objectives_total": 4, "missed": "critical vulnerabilities: 92 % within 14 days (target 100 %)"}') AS performance \gset
SELECT demo.at(11, 26);
SELECT demo.work_steps(:perf, 'amir_ciso');
SELECT demo.submit_outputs(:perf);
SET ROLE grace_ceo;
SELECT demo.approve_outputs(:perf);
SET ROLE amir_ciso;
SELECT isms.complete_run(:perf);
RESET ROLE;
COMMIT;
