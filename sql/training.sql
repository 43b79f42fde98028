-- Awareness and training (issue 16, item 5; 235_objective_training.sql,
-- src/training.c): courses and completions in 7.8 runs (IS029), the member
-- who completed a course is a member (IS032), not in the future and not of
-- a retired course (IS043), due again after the course's validity (set by
-- the engine), and the completion rates (isms_report.training_status); as
-- tenant roles.
\i test/lib/try.sql
\i test/lib/support.sql
SET search_path = isms, public;

CREATE ROLE regress_tr_lead LOGIN IN ROLE isms_contributor;
CREATE ROLE regress_tr_ana LOGIN IN ROLE isms_contributor;
CREATE ROLE regress_tr_ben LOGIN IN ROLE isms_contributor;
CREATE ROLE regress_tr_reader LOGIN IN ROLE isms_reader;
CREATE ROLE regress_tr_nobody LOGIN IN ROLE isms_contributor;
SELECT pg_temp.name('organization', create_organization('Training Ltd'), 'org') AS org \gset
SELECT add_member(:org, m, r)
  FROM (VALUES ('regress_tr_lead', 'contributor'), ('regress_tr_ana', 'contributor'), ('regress_tr_ben', 'contributor'),
               ('regress_tr_reader', 'reader')) AS x (m, r);
SELECT pg_temp.support_org(:org) = :org AS ready;
SELECT pg_temp.name('run', pg_temp.start_with_inputs(:org, '7.8'), 'aw') AS aw,
       pg_temp.name('run', pg_temp.start_with_inputs(:org, '6.2'), 'gov') AS gov \gset
RESET isms.actor;
GRANT ALL ON ALL TABLES IN SCHEMA pg_temp TO PUBLIC;

-- Courses (7.8): audience (org roles), validity in months.
SET ROLE regress_tr_lead;
SELECT pg_temp.name('course', add_course(:aw, 'Security awareness', 12, '{admin,manager,contributor}', 'regress_tr_lead'),
                    'awareness') AS awareness,
       pg_temp.name('course', add_course(:aw, 'Secure coding', 24, '{contributor}'), 'coding') AS coding \gset
SELECT count(pg_temp.name('training_completion', id, n)) FROM (VALUES (:awareness, 'awareness'), (:coding, 'coding')) AS x (id, n);
SELECT pg_temp.try(format('SELECT add_course(%s, %L)', :gov, 'Phishing'));
SELECT pg_temp.try(format('SELECT add_course(%s, %L, 12, %L)', :aw, 'Phishing', '{everyone}'));
SELECT title, audience, validity_months, owner, state FROM course WHERE org_id = :org ORDER BY course_id;

-- Completions: due again after the validity; members only (IS032), not in the future (IS043).
SELECT complete_training(:aw, :awareness, 'regress_tr_ben', '2024-03-01', 'quiz 9/10') AS ben_due;
SELECT pg_temp.relative_date(complete_training(:aw, :awareness, 'regress_tr_ana', current_date)) AS ana_due;
SELECT pg_temp.try(format('SELECT complete_training(%s, %s, %L, %L)', :aw, :awareness, 'regress_tr_nobody', '2024-03-01'));
SELECT pg_temp.try(format('SELECT complete_training(%s, %s, %L, %L)', :aw, :awareness, 'regress_tr_ana', '2999-01-01'));
-- in an import of past work, the future begins at the import's business date
RESET ROLE;
SELECT isms.designate(:org, current_user, 'history_importer') IS NOT NULL AS importer;
BEGIN;
SELECT isms.begin_import(:org, 'training.csv') > 0 AS importing;
SELECT isms.import_at('2024-06-01 09:00+00') IS NOT NULL AS at;
SELECT pg_temp.try(format('SELECT complete_training(%s, %s, %L, %L)', :aw, :awareness, 'regress_tr_ana', '2024-06-03'));
ROLLBACK;
SET ROLE regress_tr_lead;
SELECT pg_temp.try(format('UPDATE training_completion SET due_again = %L WHERE member = %L::regrole', '2999-01-01', 'regress_tr_ben'));
RESET ROLE;
INSERT INTO training_completion (org_id, course_id, member, completed_at, run_id, due_again)
VALUES (:org, :coding, 'regress_tr_ben', '2024-01-10', :aw, '2999-01-01') RETURNING due_again;
SET ROLE regress_tr_lead;

-- A retired course takes no completions (IS043); retiring needs a reason (IS021).
SELECT pg_temp.try(format('UPDATE course SET run_id = %s, state = %L WHERE course_id = %s', :aw, 'retired', :coding));
UPDATE course SET run_id = :aw, state = 'retired', state_reason = 'merged into the awareness course' WHERE course_id = :coding;
SELECT pg_temp.try(format('SELECT complete_training(%s, %s, %L, %L)', :aw, :coding, 'regress_tr_ana', '2024-03-01'));

-- Completion rates: of the members in the audience, who holds a valid completion.
SELECT title, audience, validity_months, members, completed, expired, never_completed, completion_rate
  FROM isms_report.training_status ORDER BY course_id;
-- what is due (240_due): each member's latest completion of an active course, due again
SELECT d.title, d.owner AS member, d.state,
       d.due = (max(t.completed_at) + c.validity_months * interval '1 month')::date AS due_after_validity
  FROM isms_report.due d
  JOIN isms.course c ON c.org_id = d.org_id AND c.course_id = d.item_id
  JOIN isms.training_completion t ON t.org_id = d.org_id AND t.course_id = d.item_id AND t.member::text = d.owner
 WHERE d.org_id = :org AND d.item_type = 'training'
 GROUP BY d.title, d.owner, d.state, d.due, c.validity_months ORDER BY 1, 2;
SET ROLE regress_tr_reader;
SELECT title, members, completed, completion_rate FROM isms_report.training_status;
SET ROLE regress_tr_nobody;
SELECT count(*) AS courses FROM isms_report.training_status;
RESET ROLE;

-- Every change is an event.
SELECT object_type, action, count(*) FROM event
 WHERE org_id = :org AND object_type IN ('course', 'training_completion')
 GROUP BY object_type, action ORDER BY object_type, action;

-- The superuser leaves the organisation (later tests count what it sees).
SELECT pg_temp.leave(:org);
DROP OWNED BY regress_tr_lead, regress_tr_ana, regress_tr_ben, regress_tr_reader, regress_tr_nobody;
DROP ROLE regress_tr_lead, regress_tr_ana, regress_tr_ben, regress_tr_reader, regress_tr_nobody;
