-- Approval authority: designations (top management, internal auditors) given
-- by an organisation's admins to its members; the designation a work
-- product or a transition requires of the approver (IS024); the
-- independence of an audit report's approver from the audited work (IS025).
\i test/lib/try.sql
SET client_min_messages = warning;

CREATE ROLE regress_auth_admin LOGIN IN ROLE isms_admin;
CREATE ROLE regress_auth_mgr LOGIN IN ROLE isms_manager;
CREATE ROLE regress_auth_writer LOGIN IN ROLE isms_manager;
CREATE ROLE regress_auth_audit LOGIN IN ROLE isms_manager;
CREATE ROLE regress_auth_owner LOGIN IN ROLE isms_manager;
CREATE ROLE regress_auth_perf LOGIN IN ROLE isms_manager;
CREATE ROLE regress_auth_contrib LOGIN IN ROLE isms_contributor;
CREATE ROLE regress_auth_stranger LOGIN IN ROLE isms_admin;

-- The catalog: the designations, and what the PRM requires of approvers.
SELECT designation, name FROM isms.designation_kind ORDER BY designation;
SELECT key, approval_designation, approval_independent FROM isms.work_product
 WHERE org_id IS NULL AND approval_designation IS NOT NULL ORDER BY key;

-- The founder of an organisation is its first admin and top management.
SET ROLE regress_auth_admin;
SELECT pg_temp.name('organization', isms.create_organization('Authority Ltd'), 'authority') AS org \gset
SELECT isms.add_member(:org, m, r)
  FROM (VALUES ('regress_auth_mgr', 'manager'), ('regress_auth_writer', 'manager'), ('regress_auth_audit', 'manager'),
               ('regress_auth_owner', 'manager'), ('regress_auth_perf', 'manager'),
               ('regress_auth_contrib', 'contributor')) AS v (m, r);
SELECT member_oid, designation, granted_by FROM isms.designation WHERE org_id = :org;
SET ROLE regress_auth_stranger;
SELECT pg_temp.name('organization', isms.create_organization('Elsewhere Inc'), 'elsewhere') AS other \gset

-- Only the organisation's admins designate, only members, only known
-- designations; a stranger neither sees nor grants them.
SELECT count(*) AS visible FROM isms.designation WHERE org_id = :org;
SELECT pg_temp.try(format($$SELECT isms.designate(%s, 'regress_auth_stranger', 'top_management')$$, :org));
SET ROLE regress_auth_mgr;
SELECT pg_temp.try(format($$SELECT isms.designate(%s, 'regress_auth_mgr', 'top_management')$$, :org));
SELECT pg_temp.try(format($$INSERT INTO isms.designation (org_id, member_oid, designation) VALUES (%s, 'regress_auth_mgr', 'top_management')$$, :org));
SET ROLE regress_auth_admin;
SELECT pg_temp.try(format($$SELECT isms.designate(%s, 'regress_auth_stranger', 'top_management')$$, :org));
SELECT pg_temp.try(format($$SELECT isms.designate(%s, 'regress_auth_mgr', 'chief_wizard')$$, :org));
SELECT pg_temp.try(format($$INSERT INTO isms.designation (org_id, member_oid, designation) VALUES (%s, 'regress_auth_stranger', 'top_management')$$, :org));
-- an admin may also insert the row; who designated and when is the engine's
-- to record, whatever the row names (an admin's or a superuser's)
INSERT INTO isms.designation (org_id, member_oid, designation) VALUES (:org, 'regress_auth_audit', 'internal_auditor');
BEGIN;
INSERT INTO isms.designation (org_id, member_oid, designation, granted_by, granted_at)
VALUES (:org, 'regress_auth_owner', 'top_management', 'regress_auth_mgr', '2001-01-01');
SELECT granted_by = 'regress_auth_admin'::regrole AS granted_by_admin, granted_at = now() AS granted_now
  FROM isms.designation WHERE org_id = :org AND member_oid = 'regress_auth_owner'::regrole;
ROLLBACK;
RESET ROLE;
BEGIN;
INSERT INTO isms.designation (org_id, member_oid, designation, granted_by, granted_at)
VALUES (:org, 'regress_auth_owner', 'top_management', 'regress_auth_mgr', '2001-01-01');
SELECT granted_by = current_user::regrole AS granted_by_me, granted_at = now() AS granted_now
  FROM isms.designation WHERE org_id = :org AND member_oid = 'regress_auth_owner'::regrole;
ROLLBACK;
SET ROLE regress_auth_admin;
SELECT member_oid, designation, granted_by
  FROM isms.designation WHERE org_id = :org ORDER BY designation, member_oid::text;
-- members see their organisation's designations and ask for their own
SET ROLE regress_auth_contrib;
SELECT count(*) AS visible FROM isms.designation WHERE org_id = :org;
SELECT isms.has_designation(:org, 'top_management') AS contributor_is_top;
SET ROLE regress_auth_admin;
SELECT isms.has_designation(:org, 'top_management') AS admin_is_top;
RESET ROLE;
-- a designation is granted and revoked, never changed, not even by a superuser
SELECT pg_temp.try(format($$UPDATE isms.designation SET designation = 'top_management' WHERE org_id = %s AND member_oid = 'regress_auth_audit'::regrole$$, :org));

-- Evidence of earlier work, written with the engine's triggers off
-- (session_replication_role = replica, superuser only) so that authors,
-- approvers, run owners and step performers are exactly these: a
-- governance run (6.2) owned by regress_auth_owner, its step performed by
-- regress_auth_perf, producing the scope (author regress_auth_mgr) and the
-- objectives; a requirements run (7.3) producing the register (approved by
-- regress_auth_admin); and the previous internal audit (7.11), owned and
-- written by regress_auth_audit.
SET session_replication_role = replica;
INSERT INTO isms.run (org_id, process_id, title, owner, state)
VALUES (:org, isms.process_id(:org, '6.2'), 'Governance', 'regress_auth_owner', 'completed'),
       (:org, isms.process_id(:org, '7.3'), 'Requirements', 'regress_auth_writer', 'completed'),
       (:org, isms.process_id(:org, '7.11'), 'Last year''s audit', 'regress_auth_audit', 'completed');
SELECT pg_temp.name('run', run_id, 'governance') AS gov FROM isms.run WHERE org_id = :org AND title = 'Governance' \gset
SELECT pg_temp.name('run', run_id, 'requirements') AS req FROM isms.run WHERE org_id = :org AND title = 'Requirements' \gset
SELECT pg_temp.name('run', run_id, 'last_audit') AS last FROM isms.run WHERE org_id = :org AND title = 'Last year''s audit' \gset
INSERT INTO isms.step (org_id, run_id, activity_no, state, performer) VALUES (:org, :gov, 1, 'done', 'regress_auth_perf');
INSERT INTO isms.record (org_id, work_product_id, version, title, state, author, author_oid, approver, approver_oid,
                         approved_at, valid_until, produced_by_run)
SELECT :org, isms.work_product_id(:org, v.wp), 1, v.wp, 'approved', v.author, v.author::regrole, v.approver,
       v.approver::regrole, now(), CURRENT_DATE + 365, v.run
  FROM (VALUES ('isms_scope', 'regress_auth_mgr', 'regress_auth_writer', :gov),
               ('security_objectives', 'regress_auth_writer', 'regress_auth_mgr', :gov),
               ('requirements_register', 'regress_auth_writer', 'regress_auth_admin', :req),
               ('audit_report', 'regress_auth_audit', 'regress_auth_writer', :last)) AS v (wp, author, approver, run);
UPDATE isms.record SET document_id = record_id WHERE org_id = :org;
RESET session_replication_role;
SELECT pg_temp.name('record', record_id, w.key) FROM isms.record r JOIN isms.work_product w USING (work_product_id)
 WHERE r.org_id = :org ORDER BY record_id;
SELECT max(record_id) FILTER (WHERE w.key = 'isms_scope') AS scope,
       max(record_id) FILTER (WHERE w.key = 'security_objectives') AS objectives,
       max(record_id) FILTER (WHERE w.key = 'requirements_register') AS requirements,
       max(record_id) FILTER (WHERE w.key = 'audit_report') AS last_report
  FROM isms.record r JOIN isms.work_product w USING (work_product_id) WHERE r.org_id = :org \gset

-- IS024: the information security policy is approved by top management only.
SET ROLE regress_auth_writer;
SELECT pg_temp.name('run', isms.plan_run(:org, '7.2', 'Policy', 'regress_auth_writer'), 'policy_run') AS pol \gset
SELECT isms.add_input(:pol, r) FROM unnest(ARRAY[:objectives, :requirements]::bigint[]) AS r;
SELECT isms.start_run(:pol);
SELECT isms.start_step(:pol, 1);
SELECT pg_temp.name('record', isms.new_record(:pol, 'security_policy', 'Information security policy'), 'policy') AS policy \gset
SELECT isms.submit_record(:policy);
SET ROLE regress_auth_mgr;
SELECT pg_temp.try(format('SELECT isms.approve_record(%s)', :policy));
SET ROLE regress_auth_admin;
SELECT pg_temp.try(format('SELECT isms.approve_record(%s)', :policy));
RESET ROLE;
SELECT state, approver FROM isms.record WHERE record_id = :policy;

-- IS024 and IS025: the internal audit report is approved by an internal
-- auditor who neither wrote nor approved what the audit took as input, nor
-- owned or worked in the runs that produced it.  The previous audit's
-- report is an input too, but an audit does not audit the audit process:
-- its author may approve this one.
SET ROLE regress_auth_writer;
SELECT pg_temp.name('run', isms.plan_run(:org, '7.11', 'Internal audit', 'regress_auth_writer'), 'audit_run') AS audit \gset
SELECT isms.add_input(:audit, r) FROM unnest(ARRAY[:scope, :requirements, :last_report]::bigint[]) AS r;
SELECT isms.start_run(:audit);
SELECT isms.start_step(:audit, 1);
SELECT pg_temp.name('record', isms.new_record(:audit, 'audit_report', 'Internal audit results'), 'report') AS report \gset
SELECT isms.submit_record(:report);
SET ROLE regress_auth_admin;
SELECT pg_temp.try(format('SELECT isms.approve_record(%s)', :report));
SELECT isms.designate(:org, m, 'internal_auditor')
  FROM unnest('{regress_auth_mgr,regress_auth_admin,regress_auth_owner,regress_auth_perf}'::name[]) AS m;
SELECT pg_temp.try(format('SELECT isms.approve_record(%s)', :report));
SET ROLE regress_auth_mgr;
SELECT pg_temp.try(format('SELECT isms.approve_record(%s)', :report));
SET ROLE regress_auth_owner;
SELECT pg_temp.try(format('SELECT isms.approve_record(%s)', :report));
SET ROLE regress_auth_perf;
SELECT pg_temp.try(format('SELECT isms.approve_record(%s)', :report));
SET ROLE regress_auth_audit;
SELECT pg_temp.try(format('SELECT isms.approve_record(%s)', :report));
RESET ROLE;
SELECT state, approver FROM isms.record WHERE record_id = :report;

-- IS024 on a transition: required_designation applies to every kind.  Here
-- cancelling a planned run is made a decision for top management.
BEGIN;
UPDATE isms.lifecycle_transition SET required_designation = 'top_management'
 WHERE kind = 'run' AND from_state = 'planned' AND to_state = 'cancelled';
SET ROLE regress_auth_mgr;
SELECT pg_temp.name('run', isms.plan_run(:org, '7.9', 'Lost laptop'), 'incident') AS incident \gset
SELECT pg_temp.try(format($$SELECT isms.cancel_run(%s, 'false alarm')$$, :incident));
SET ROLE regress_auth_admin;
SELECT pg_temp.try(format($$SELECT isms.cancel_run(%s, 'false alarm')$$, :incident));
ROLLBACK;

-- A designation ends with the membership; the member added again holds none.
SET ROLE regress_auth_admin;
SELECT isms.remove_member(:org, 'regress_auth_perf');
SELECT isms.add_member(:org, 'regress_auth_perf', 'manager');
SELECT count(*) AS perf_designations FROM isms.designation
 WHERE org_id = :org AND member_oid = 'regress_auth_perf'::regrole;
SELECT isms.revoke_designation(:org, 'regress_auth_mgr', 'internal_auditor');
SELECT pg_temp.try(format($$SELECT isms.revoke_designation(%s, 'regress_auth_mgr', 'internal_auditor')$$, :org));
RESET ROLE;

-- Every grant and revocation is an event of the organisation's chain.
SELECT e.actor, e.action, e.old_state, e.new_state, e.detail ->> 'member' AS member, e.detail ->> 'reason' AS reason
  FROM isms.event e WHERE e.org_id = :org AND e.object_type = 'designation' ORDER BY e.event_no;
SELECT valid FROM isms.verify_events(:org);

-- Designations belong to identities: a role dropped and created again
-- with the same name holds none.
DROP ROLE regress_auth_audit;
CREATE ROLE regress_auth_audit LOGIN IN ROLE isms_manager;
SELECT count(*) AS held_by_new_role FROM isms.designation
 WHERE org_id = :org AND member_oid::oid = (SELECT oid FROM pg_roles WHERE rolname = 'regress_auth_audit');
SET ROLE regress_auth_audit;
SELECT isms.has_designation(:org, 'internal_auditor') AS new_role_is_auditor;
RESET ROLE;

DROP ROLE regress_auth_admin, regress_auth_mgr, regress_auth_writer, regress_auth_audit, regress_auth_owner,
          regress_auth_perf, regress_auth_contrib, regress_auth_stranger;
