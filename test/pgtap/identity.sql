-- pgTAP checks of identities (issue 12, findings 3 and 4): login roles only
-- as members (IS022), a fixed member (IS023), segregation of duties by
-- identity across a rename (IS010), nothing for a re-created role.
BEGIN;
SELECT plan(10);

CREATE ROLE isms_tap_admin LOGIN IN ROLE isms_admin;
CREATE ROLE isms_tap_author LOGIN IN ROLE isms_manager;
CREATE ROLE isms_tap_gone LOGIN IN ROLE isms_manager;
CREATE TEMP TABLE tap (org bigint, rec bigint, gone oid);
GRANT ALL ON tap TO PUBLIC;
INSERT INTO tap (org) VALUES (isms.create_organization('TAP identity', 'isms_tap_admin'));
SELECT isms.add_member(org, 'isms_tap_author', 'manager'), isms.add_member(org, 'isms_tap_gone', 'manager') FROM tap;

SELECT has_column('isms', 'membership', 'member_oid', 'membership is keyed by member_oid');
SELECT col_type_is('isms', 'record', 'approver_oid', 'regrole', 'approvers are role OIDs');
SELECT throws_ok(format($$SELECT isms.add_member(%s, 'isms_manager', 'manager')$$, org), 'IS022', NULL,
                 'a group role cannot be a member') FROM tap;
SELECT throws_ok(format($$INSERT INTO isms.membership (org_id, member, org_role) VALUES (%s, 'isms_reader', 'reader')$$, org),
                 'IS022', NULL, 'nor through plain INSERT') FROM tap;
SELECT throws_ok(format($$UPDATE isms.membership SET member_oid = 'isms_tap_admin' WHERE org_id = %s AND member = 'isms_tap_author'$$, org),
                 'IS023', NULL, 'the member of a row is fixed') FROM tap;

-- A role dropped and created again with its name is not a member.
UPDATE tap SET gone = 'isms_tap_gone'::regrole;
DROP ROLE isms_tap_gone;
CREATE ROLE isms_tap_gone LOGIN IN ROLE isms_manager;
SET ROLE isms_tap_gone;
SELECT ok(NOT isms.is_member(org), 'a re-created role is not a member') FROM tap;
RESET ROLE;
SELECT ok(EXISTS (SELECT FROM isms.membership m, tap WHERE m.member_oid::oid = tap.gone), 'the dropped role''s row keeps its OID');

-- A renamed author is still the author.
SET ROLE isms_tap_author;
UPDATE tap SET rec = isms.new_external_record(org, 'security_event', 'TAP record');
SELECT isms.submit_record(rec) FROM tap;
RESET ROLE;
ALTER ROLE isms_tap_author RENAME TO isms_tap_author2;
SET ROLE isms_tap_author2;
SELECT is(isms.current_identity()::text, 'isms_tap_author2', 'the identity follows the rename');
SELECT throws_ok(format('SELECT isms.approve_record(%s)', rec), 'IS010', NULL,
                 'a renamed author cannot approve its record') FROM tap;
RESET ROLE;
SET ROLE isms_tap_admin;
SELECT lives_ok(format('SELECT isms.approve_record(%s)', rec), 'another member can') FROM tap;
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
