-- scripts/scenario/08_labs_and_refusals.sql -- chapter 8: a second
-- organisation, Northwind Labs, tailors the model (it has no customers of
-- its own), and a tour of what the engine refuses to anyone, superusers
-- included: steps out of order, skipped mandatory work, changed evidence,
-- rewritten history, malformed input.

\echo
\echo '== Chapter 8. Northwind Labs, and what the engine refuses'
\echo '   Labs (15 people, R&D) has no customers of its own: Omar declares 8.5 not applicable.'

SET ROLE omar_labs;
SELECT isms.exclude_process(:labs, '8.5', 'Labs has no external customers; Northwind Cloud serves them.');
\o
SELECT demo.refused('IS014', format('SELECT isms.plan_run(%s, %L, %L)', :labs, '8.5', 'Customer questionnaire')) \g (tuples_only=on)
\o /dev/null

\echo '   Omar starts Labs'' own governance run, and tries shortcuts:'
SELECT isms.new_external_record(:labs, 'business_context', 'Labs charter',
       '{"mission": "prototype machine-learning features", "people": 15}') AS labs_context \gset
SELECT isms.submit_record(:labs_context);
SET ROLE amir_ciso;
SELECT isms.approve_record(:labs_context);
SET ROLE omar_labs;
SELECT isms.plan_run(:labs, '6.2', 'Establish the Labs ISMS', 'omar_labs', demo.day(11, 1), demo.day(12, 31)) AS labs_gov \gset
SELECT isms.add_input(:labs_gov, :labs_context);
SELECT isms.start_run(:labs_gov);
\o
SELECT demo.refused('IS003', format('SELECT isms.start_step(%s, 3)', :labs_gov)) \g (tuples_only=on)
SELECT demo.refused('IS005', format('SELECT isms.skip_step(%s, 1, %L)', :labs_gov, 'we know our context')) \g (tuples_only=on)
SELECT demo.refused('IS007', format('SELECT isms.new_external_record(%s, %L, %L)', :labs, 'security_policy', 'Labs policy')) \g (tuples_only=on)
SELECT demo.refused('22P02', format('SELECT isms.plan_run(%s, %L, %L)', :labs, '7.4a', 'Risk assessment')) \g (tuples_only=on)
\echo '   Tenants are isolated: to Omar, Northwind Cloud''s runs do not exist.'
SELECT demo.refused('IS015', format('SELECT isms.start_step(%s, 1)', :review)) \g (tuples_only=on)
\o /dev/null
SELECT isms.start_step(:labs_gov, 1, 'omar_labs');

\echo '   At Northwind Cloud, nobody can change approved evidence or rewrite history, not even a superuser:'
SET ROLE amir_ciso;
\o
SELECT demo.refused('IS009', format('UPDATE isms.record SET content = %L WHERE record_id = %s',
                                    '{"commitments": []}', :policy)) \g (tuples_only=on)
\echo '   The registers change only in runs that maintain them, and an approved snapshot never changes:'
SELECT demo.refused('IS029', format('UPDATE isms.soa SET status = %L WHERE org_id = %s AND control = %L',
                                    'implemented', :nw, 'A.8.14')) \g (tuples_only=on)
SELECT demo.refused('IS031', format('UPDATE isms.record SET content = %L WHERE record_id = %s',
                                    '{"entries": []}', :soa)) \g (tuples_only=on)
\echo '   The BI tool''s login reads reports; it cannot act:'
SET ROLE bi_dashboard;
SELECT demo.refused('42501', format('SELECT isms.withdraw_record(%s, %L)', :policy, 'dashboard click')) \g (tuples_only=on)
RESET ROLE;
\echo '   The superuser bypasses row-level security, but not the engine:'
SELECT demo.refused('IS012', format('DELETE FROM isms.event WHERE org_id = %s AND event_no = 1', :nw)) \g (tuples_only=on)
SELECT demo.refused('IS011', format('DELETE FROM isms.record WHERE record_id = %s', :incident)) \g (tuples_only=on)
\o /dev/null
