-- Identities are role OIDs, not names (issue 12, findings 3 and 4): a group
-- role is never a member and SET ROLE gives no second identity; a dropped
-- and re-created role gets nothing; a renamed role is still the author.
\i test/lib/try.sql
SET search_path = isms, public;

CREATE ROLE regress_id_admin LOGIN IN ROLE isms_admin;
CREATE ROLE regress_id_peer LOGIN IN ROLE isms_manager;
CREATE ROLE regress_id_other LOGIN IN ROLE isms_admin;
GRANT regress_id_peer TO regress_id_admin;
SELECT pg_temp.name('organization', create_organization('Identity A', 'regress_id_admin'), 'a') AS a \gset
SELECT pg_temp.name('organization', create_organization('Identity B', 'regress_id_other'), 'b') AS b \gset
SELECT add_member(:a, 'regress_id_peer', 'manager');

-- Finding 3: an org admin, logged in as itself, tries to make the shared
-- group role isms_manager a member (IS022), by function and by plain DML.
SET SESSION AUTHORIZATION regress_id_admin;
SELECT current_identity();
SELECT pg_temp.try($$SELECT isms.add_member($$ || :a || $$, 'isms_manager', 'manager')$$);
SELECT pg_temp.try($$INSERT INTO isms.membership (org_id, member, org_role) VALUES ($$ || :a || $$, 'isms_manager', 'manager')$$);
SELECT pg_temp.try($$INSERT INTO isms.membership (org_id, member_oid, org_role) VALUES ($$ || :a || $$, 'isms_admin', 'reader')$$);
-- It authors a record, then SET ROLE to the group role or to a login role
-- granted to it: the identity stays its own, and it cannot approve (IS010).
SELECT pg_temp.name('record', new_external_record(:a, 'security_event', 'Mine'), 'mine') AS mine \gset
SELECT submit_record(:mine);
SET ROLE isms_manager;
SELECT current_user, current_identity(), member_role(:a);
SELECT pg_temp.try('SELECT isms.approve_record(' || :mine || ')');
SET ROLE regress_id_peer;
SELECT current_user, current_identity();
SELECT pg_temp.try('SELECT isms.approve_record(' || :mine || ')');
RESET ROLE;
RESET SESSION AUTHORIZATION;
-- The other tenant's admin, through the same group role, sees nothing of A.
SET SESSION AUTHORIZATION regress_id_other;
SET ROLE isms_manager;
SELECT current_identity(), is_member(:a) AS in_a, is_member(:b) AS in_b,
       (SELECT count(*) FROM isms.record WHERE org_id = :a) AS a_records,
       (SELECT count(*) FROM isms.membership WHERE org_id = :a) AS a_members;
RESET ROLE;
RESET SESSION AUTHORIZATION;
-- The peer (a different login) may approve.
SET ROLE regress_id_peer;
SELECT approve_record(:mine);
RESET ROLE;
SELECT author, author_oid, author_app, approver, approver_oid, approver_app FROM record WHERE record_id = :mine;

-- Finding 4a: DROP ROLE and CREATE ROLE with the same name hands over nothing.
CREATE ROLE regress_id_mgr LOGIN IN ROLE isms_manager;
SELECT add_member(:a, 'regress_id_mgr', 'manager');
SELECT 'regress_id_mgr'::regrole::oid AS old_mgr \gset
DROP ROLE regress_id_mgr;
CREATE ROLE regress_id_mgr LOGIN IN ROLE isms_manager;
SET ROLE regress_id_mgr;
SELECT member_role(:a), is_member(:a), (SELECT count(*) FROM isms.record WHERE org_id = :a) AS records;
RESET ROLE;
SELECT member, member_oid::oid = :old_mgr AS old_role, org_role FROM membership
 WHERE org_id = :a AND member = 'regress_id_mgr';
-- remove_member by the name clears what the dropped role left.
SET ROLE regress_id_admin;
SELECT remove_member(:a, 'regress_id_mgr');
SELECT count(*) AS left_behind FROM isms.membership WHERE org_id = :a AND member = 'regress_id_mgr';
RESET ROLE;

-- Finding 4b: a renamed author is still the author.
CREATE ROLE regress_id_author LOGIN IN ROLE isms_manager;
SELECT add_member(:a, 'regress_id_author', 'manager');
SET ROLE regress_id_author;
SELECT pg_temp.name('record', new_external_record(:a, 'security_event', 'Renamed'), 'renamed') AS renamed \gset
SELECT submit_record(:renamed);
RESET ROLE;
ALTER ROLE regress_id_author RENAME TO regress_id_author2;
SELECT add_member(:a, 'regress_id_author2', 'manager');
SELECT member, org_role FROM membership WHERE org_id = :a AND member LIKE 'regress_id_author%';
SET ROLE regress_id_author2;
SELECT pg_temp.try('SELECT isms.approve_record(' || :renamed || ')');
RESET ROLE;

-- Identity columns are the engine's: not on INSERT (IS020), never changed
-- (IS009 on records, IS023 on memberships).
SET ROLE regress_id_peer;
SELECT pg_temp.try($$INSERT INTO isms.record (org_id, work_product_id, title, author_oid) VALUES ($$ || :a
    || $$, isms.work_product_id($$ || :a || $$, 'security_event'), 'Forged', 'regress_id_admin')$$);
RESET ROLE;
SELECT pg_temp.try($$UPDATE isms.record SET author_oid = 'regress_id_peer' WHERE record_id = $$ || :renamed);
SELECT pg_temp.try($$UPDATE isms.membership SET member_oid = 'regress_id_peer' WHERE org_id = $$ || :a
    || $$ AND member = 'regress_id_author2'$$);

-- Application users are identities within their isms_app login role:
-- the same user, or the role itself, cannot approve the record; another user can.
CREATE ROLE regress_id_app LOGIN IN ROLE isms_app, isms_manager;
SELECT add_member(:a, 'regress_id_app', 'manager');
SET ROLE regress_id_app;
SET isms.actor = 'erin@example.com';
SELECT pg_temp.name('record', new_external_record(:a, 'security_event', 'Via the app'), 'app') AS app \gset
SELECT submit_record(:app);
SELECT pg_temp.try('SELECT isms.approve_record(' || :app || ')');
RESET isms.actor;
SELECT pg_temp.try('SELECT isms.approve_record(' || :app || ')');
SET isms.actor = 'frank@example.com';
SELECT approve_record(:app);
RESET isms.actor;
RESET ROLE;
SELECT author, author_oid, author_app, approver, approver_oid, approver_app FROM record WHERE record_id = :app;

DROP OWNED BY regress_id_admin, regress_id_peer, regress_id_other, regress_id_mgr, regress_id_author2, regress_id_app;
DROP ROLE regress_id_admin, regress_id_peer, regress_id_other, regress_id_mgr, regress_id_author2, regress_id_app;
