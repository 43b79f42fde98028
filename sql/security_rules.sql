-- Records that cannot be forged, and the admin functions: each refusal in a
-- test of its own, tried as an unprivileged login role.  Errors are shown
-- by SQLSTATE only, so that ids made by other tests do not matter.
SET client_min_messages = warning;
SET search_path = pg_catalog;
\set VERBOSITY sqlstate

CREATE ROLE regress_isms_r_admin LOGIN IN ROLE isms_admin;
CREATE ROLE regress_isms_r_manager LOGIN IN ROLE isms_manager;
CREATE ROLE regress_isms_r_contrib LOGIN IN ROLE isms_contributor;
CREATE ROLE regress_isms_r_other LOGIN IN ROLE isms_admin;
CREATE ROLE regress_isms_r_app LOGIN IN ROLE isms_manager, isms_app;

-- Organisation A with a manager, a contributor and an application login;
-- organisation B, run by another admin, keeps a risk.
SET ROLE regress_isms_r_admin;
SELECT isms.create_organization('rules org A') AS org_a \gset
SELECT isms.add_member(:org_a, 'regress_isms_r_manager', 'manager'),
       isms.add_member(:org_a, 'regress_isms_r_contrib', 'contributor'),
       isms.add_member(:org_a, 'regress_isms_r_app', 'manager');
SET ROLE regress_isms_r_other;
SELECT isms.create_organization('rules org B') AS org_b \gset
SELECT isms.new_external_record(:org_b, 'legal_obligation', 'Risk: supplier breach',
                                '{"risk": "supplier breach", "likelihood": "high"}') AS risk_b \gset
RESET ROLE;

-- The creator of an organisation is its first admin.
SELECT member, org_role, granted_by FROM isms.membership WHERE org_id = :org_a ORDER BY member;
-- A superuser needs no membership: the role it names becomes the admin.
SELECT isms.create_organization('rules org C', 'regress_isms_r_other') AS org_c \gset
SELECT member, org_role FROM isms.membership WHERE org_id = :org_c;
SELECT isms.create_organization('rules org D', 'regress_isms_no_such_role');

-- Only isms_admin may create organisations.
SET ROLE regress_isms_r_manager;
SELECT isms.create_organization('not allowed');
RESET ROLE;

-- Membership is managed by the organisation's admins only.
SET ROLE regress_isms_r_manager;
SELECT isms.add_member(:org_a, 'regress_isms_r_other', 'admin');
SET ROLE regress_isms_r_other;
SELECT isms.add_member(:org_a, 'regress_isms_r_other', 'admin');
SET ROLE regress_isms_r_admin;
SELECT isms.add_member(:org_a, 'regress_isms_no_such_role', 'reader');
SELECT isms.add_member(:org_a, 'regress_isms_r_other', 'owner');
SELECT isms.remove_member(:org_a, 'regress_isms_r_other');
-- an organisation keeps an admin
SELECT isms.remove_member(:org_a, 'regress_isms_r_admin');
SELECT isms.add_member(:org_a, 'regress_isms_r_admin', 'manager');
RESET ROLE;

-- A contributor cannot approve his own record (IS010), by the API (no
-- privilege) or by a plain UPDATE (the engine refuses).
SET ROLE regress_isms_r_contrib;
SELECT isms.new_external_record(:org_a, 'legal_obligation', 'GDPR') AS own_rec \gset
SELECT isms.submit_record(:own_rec);
SELECT isms.approve_record(:own_rec);
UPDATE isms.record SET state = 'approved' WHERE org_id = :org_a AND record_id = :own_rec;
-- nor someone else's: approving is for managers
SET ROLE regress_isms_r_manager;
SELECT isms.new_external_record(:org_a, 'business_context', 'strategy') AS mgr_rec \gset
SELECT isms.submit_record(:mgr_rec);
SET ROLE regress_isms_r_contrib;
UPDATE isms.record SET state = 'approved' WHERE org_id = :org_a AND record_id = :mgr_rec;
RESET ROLE;
SELECT state, approver FROM isms.record WHERE record_id IN (:own_rec, :mgr_rec) ORDER BY record_id;

-- A contributor cannot pose as another actor (IS019) to get around it.
SET ROLE regress_isms_r_contrib;
SET isms.actor = 'regress_isms_r_manager';
SELECT isms.new_external_record(:org_a, 'legal_obligation', 'posing');
UPDATE isms.record SET state = 'draft', state_reason = 'posing' WHERE org_id = :org_a AND record_id = :own_rec;
RESET isms.actor;
RESET ROLE;

-- Nobody deletes, changes or truncates an event: tenant roles have no
-- privilege (42501), and the trigger refuses even a superuser (IS012).
SET ROLE regress_isms_r_contrib;
DELETE FROM isms.event WHERE org_id = :org_a;
SET ROLE regress_isms_r_manager;
DELETE FROM isms.event WHERE org_id = :org_a;
UPDATE isms.event SET actor = 'nobody' WHERE org_id = :org_a;
TRUNCATE isms.event;
RESET ROLE;
DELETE FROM isms.event WHERE org_id = :org_a;
TRUNCATE isms.event;
-- a superuser who gets around the trigger is caught by the hash chain
BEGIN;
ALTER TABLE isms.event DISABLE TRIGGER event_append_only;
UPDATE isms.event SET actor = 'nobody' WHERE org_id = :org_a AND event_no = 2;
SELECT valid, first_broken_event, problem FROM isms.verify_events(:org_a);
ROLLBACK;
SELECT valid, first_broken_event FROM isms.verify_events(:org_a);

-- Approved content is immutable (IS009), and an approved record is kept
-- until its retention ends (IS011), even for the managers who approved it.
SET ROLE regress_isms_r_admin;
SELECT isms.approve_record(:mgr_rec);
SET ROLE regress_isms_r_manager;
UPDATE isms.record SET content = '{"goal": "changed"}' WHERE org_id = :org_a AND record_id = :mgr_rec;
UPDATE isms.record SET title = 'renamed' WHERE org_id = :org_a AND record_id = :mgr_rec;
DELETE FROM isms.record WHERE org_id = :org_a AND record_id = :mgr_rec;
RESET ROLE;
SELECT title, content, state FROM isms.record WHERE record_id = :mgr_rec;

-- Another tenant's risks are invisible: no rows, IS015 by id, nothing changed.
SET ROLE regress_isms_r_contrib;
SELECT count(*) AS risks FROM isms.record WHERE content ? 'risk';
SELECT count(*) AS by_id FROM isms.record WHERE record_id = :risk_b;
SELECT isms.record_org(:risk_b);
SELECT isms.new_version(:risk_b);
UPDATE isms.record SET title = 'mine now' WHERE record_id = :risk_b;
DELETE FROM isms.record WHERE record_id = :risk_b;
RESET ROLE;
SELECT title FROM isms.record WHERE record_id = :risk_b;

-- An isms_app member names the application user: the events show it, and
-- approver <> author holds between application users.
SET ROLE regress_isms_r_app;
SET isms.actor = 'alice@example.com';
SELECT isms.new_external_record(:org_a, 'legal_obligation', 'NIS2') AS app_rec \gset
SELECT isms.submit_record(:app_rec);
SELECT isms.approve_record(:app_rec);
SET isms.actor = 'bob@example.com';
SELECT isms.approve_record(:app_rec);
RESET isms.actor;
RESET ROLE;
SELECT author, approver, state FROM isms.record WHERE record_id = :app_rec;
SELECT actor, action, new_state FROM isms.event
 WHERE org_id = :org_a AND object_type = 'record' AND object_id = :app_rec ORDER BY event_no;

DROP ROLE regress_isms_r_admin, regress_isms_r_manager, regress_isms_r_contrib, regress_isms_r_other,
          regress_isms_r_app;
