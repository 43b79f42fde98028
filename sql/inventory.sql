-- The asset inventory and the supplier register (issue 16, item 3;
-- 230_asset_supplier.sql): changes in runs of the maintaining processes
-- (7.4, 7.6 for assets, 7.7 for suppliers), owners are members (IS032),
-- references between registers (IS040: risks and suppliers name assets,
-- suppliers name risks), review dates (IS041: not in the future, the next
-- after the last, derived from review_months, a review recorded to leave
-- under_review), the lifecycles (retire and terminate with a reason,
-- IS021), the report of entries due for review; as tenant roles.
\i test/lib/try.sql
\i test/lib/support.sql
SET search_path = isms, public;

CREATE ROLE regress_asset_lead LOGIN IN ROLE isms_contributor;
CREATE ROLE regress_asset_owner LOGIN IN ROLE isms_contributor;
CREATE ROLE regress_asset_reader LOGIN IN ROLE isms_reader;
CREATE ROLE regress_asset_nobody LOGIN IN ROLE isms_contributor;
CREATE ROLE regress_asset_other LOGIN IN ROLE isms_admin;
SELECT pg_temp.name('organization', create_organization('Asset Ltd'), 'org') AS org \gset
SELECT pg_temp.name('organization', create_organization('Other Asset Ltd', 'regress_asset_other'), 'other') AS other \gset
SELECT add_member(:org, 'regress_asset_lead', 'contributor'), add_member(:org, 'regress_asset_owner', 'contributor'),
       add_member(:org, 'regress_asset_reader', 'reader');
SELECT pg_temp.support_org(:org) = :org AS ready;
SELECT pg_temp.name('run', pg_temp.start_with_inputs(:org, '7.4'), 'ra') AS ra,
       pg_temp.name('run', pg_temp.start_with_inputs(:org, '7.6'), 'im') AS im,
       pg_temp.name('run', pg_temp.start_with_inputs(:org, '7.7'), 'sup') AS sup,
       pg_temp.name('run', pg_temp.start_with_inputs(:org, '7.8'), 'aw') AS aw \gset
SELECT pg_temp.name('risk', add_risk(:ra, 'Stolen customer data'), 'risk') AS risk \gset
RESET isms.actor;
GRANT ALL ON ALL TABLES IN SCHEMA pg_temp TO PUBLIC;

-- Assets: identified in 7.4, kept in 7.6; not in a 7.8 run (IS029).
SET ROLE regress_asset_lead;
SELECT pg_temp.name('asset', add_asset(:ra, 'Customer database', 'regress_asset_owner', 'restricted', 'information',
                                       '{analytics platform}'), 'db') AS db \gset
SELECT pg_temp.name('asset', add_asset(:im, 'Build server', 'regress_asset_owner', review_months => 6), 'build') AS build \gset
SELECT name, owner, classification, services, state, last_reviewed = current_date AS reviewed_today,
       next_review = (last_reviewed + make_interval(months => review_months))::date AS next_from_months
  FROM asset WHERE org_id = :org ORDER BY asset_id;
SELECT pg_temp.try(format('SELECT add_asset(%s, %L, %L)', :aw, 'Laptop', 'regress_asset_owner'));
-- owners are members (IS032)
SELECT pg_temp.try(format('SELECT add_asset(%s, %L, %L)', :ra, 'Laptop', 'regress_asset_nobody'));
-- review dates (IS041): not in the future, the next one not before the last
SELECT pg_temp.try(format('UPDATE asset SET run_id = %s, last_reviewed = %L WHERE asset_id = %s', :im, '2999-01-01', :db));
-- in an import of past work, the future begins at the import's business date
RESET ROLE;
SELECT isms.designate(:org, current_user, 'history_importer') IS NOT NULL AS importer;
BEGIN;
SELECT isms.begin_import(:org, 'assets.csv') > 0 AS importing;
SELECT isms.import_at('2024-06-01 09:00+00') IS NOT NULL AS at;
SELECT pg_temp.try(format('UPDATE asset SET run_id = %s, last_reviewed = %L WHERE asset_id = %s', :im, '2024-06-03', :db));
-- left out, last_reviewed is the business date: an entry added or reviewed in the import
SELECT add_asset(:ra, 'Archive tape', 'regress_asset_owner') AS tape \gset
SELECT review_asset(:im, :build) AS build_next_review;
SELECT name, last_reviewed, next_review FROM asset WHERE asset_id IN (:tape, :build) ORDER BY asset_id;
ROLLBACK;
SET ROLE regress_asset_lead;
SELECT pg_temp.try(format('UPDATE asset SET run_id = %s, last_reviewed = %L, next_review = %L WHERE asset_id = %s',
                          :im, current_date - 10, current_date - 20, :db));
-- a review moves next_review on by review_months, unless the change sets it
SELECT review_asset(:im, :build, current_date - 200) = (current_date - 200 + interval '6 months')::date AS moved;
SELECT pg_temp.try(format('UPDATE asset SET run_id = %s, last_reviewed = %L, next_review = %L WHERE asset_id = %s',
                          :im, current_date - 10, current_date + 5, :db));
SELECT pg_temp.relative_date(next_review) FROM asset WHERE asset_id = :db;

-- Risks name the assets they concern (IS040): assets of the same organisation.
SELECT pg_temp.try(format('UPDATE risk SET run_id = %s, assets = %L WHERE risk_id = %s', :ra, ARRAY[:db, :build], :risk));
SELECT pg_temp.try(format('UPDATE risk SET run_id = %s, assets = %L WHERE risk_id = %s', :ra, ARRAY[:db, -1], :risk));
SELECT pg_temp.try(format('UPDATE risk SET run_id = %s, assets = %L WHERE risk_id = %s', :ra, '{NULL}', :risk));

-- Suppliers (7.7): criticality, the services, assets and risks they relate to.
SELECT pg_temp.name('supplier', add_supplier(:sup, 'Hosting provider', 'regress_asset_lead', 'critical',
                                             '{hosting}', ARRAY[:db], ARRAY[:risk]), 'hosting') AS hosting \gset
SELECT pg_temp.try(format('SELECT add_supplier(%s, %L, %L, %L, assets => %L)', :sup, 'Payroll', 'regress_asset_lead',
                          'high', ARRAY[-5]));
SELECT pg_temp.try(format('SELECT add_supplier(%s, %L, %L, %L, risks => %L)', :sup, 'Payroll', 'regress_asset_lead',
                          'high', ARRAY[:risk, -7]));
SELECT pg_temp.try(format('SELECT add_supplier(%s, %L, %L, %L)', :ra, 'Payroll', 'regress_asset_lead', 'high'));
INSERT INTO supplier (org_id, run_id, name, owner, criticality, last_reviewed)
VALUES (:org, :sup, 'Payroll service', 'regress_asset_lead', 'high', current_date - 400)
RETURNING pg_temp.name('supplier', supplier_id, 'payroll') AS payroll \gset
-- due for review: next_review (last_reviewed + 12 months) has passed
SELECT register, name, rating, state, days_overdue > 0 AS overdue FROM isms_report.review_due ORDER BY entry_id;
-- what is due (240_due): the same reviews, by next_review, and the asset's process
SELECT d.item_type, d.subject, d.title, d.state, d.process_code,
       d.due = coalesce(a.next_review, s.next_review) AS due_is_next_review
  FROM isms_report.due d
  LEFT JOIN asset a ON d.item_type = 'asset_review' AND a.org_id = d.org_id AND a.asset_id = d.item_id
  LEFT JOIN supplier s ON d.item_type = 'supplier_review' AND s.org_id = d.org_id AND s.supplier_id = d.item_id
 WHERE d.org_id = :org AND d.item_type IN ('asset_review', 'supplier_review')
 ORDER BY d.item_type, d.item_id;
-- Tenancy: a reader reads the report but not the tables; other organisations see nothing.
SET ROLE regress_asset_reader;
SELECT count(*) AS due_rows FROM isms_report.review_due;
SELECT pg_temp.try('SELECT count(*) FROM isms.asset');
SET ROLE regress_asset_other;
SELECT count(*) AS assets, (SELECT count(*) FROM isms_report.review_due) AS due FROM asset;
SET ROLE regress_asset_lead;

-- A review: opened with a reason, closed only with the review recorded (IS041).
SELECT pg_temp.try(format('UPDATE supplier SET run_id = %s, state = %L WHERE supplier_id = %s', :sup, 'under_review', :payroll));
UPDATE supplier SET run_id = :sup, state = 'under_review', state_reason = 'yearly review' WHERE supplier_id = :payroll;
SELECT register, name, state FROM isms_report.review_due ORDER BY entry_id;
SELECT pg_temp.try(format('UPDATE supplier SET run_id = %s, state = %L WHERE supplier_id = %s', :sup, 'active', :payroll));
SELECT pg_temp.relative_date(review_supplier(:sup, :payroll, 'new SOC 2 report received'));
SELECT name, state, review_notes FROM supplier WHERE supplier_id = :payroll;
SELECT count(*) AS due FROM isms_report.review_due;

-- Retired and terminated entries need a reason and never change again.
SELECT pg_temp.try(format('SELECT retire_asset(%s, %s, NULL)', :im, :build));
SELECT retire_asset(:im, :build, 'replaced by hosted CI');
SELECT pg_temp.try(format('SELECT review_asset(%s, %s)', :im, :build));
SELECT pg_temp.try(format('UPDATE supplier SET run_id = %s, state = %L, state_reason = %L WHERE supplier_id = %s',
                          :sup, 'terminated', 'contract ended', :hosting));
RESET ROLE;
SELECT pg_temp.try(format('DELETE FROM supplier WHERE supplier_id = %s', :hosting));

-- Every change is an event.
SELECT object_type, action, old_state, new_state FROM event
 WHERE org_id = :org AND object_type IN ('asset', 'supplier') ORDER BY event_no;

-- The snapshots: the supplier register's record holds the register.
SET isms.actor = 'alice';
SELECT pg_temp.publish(new_record(:sup, 'supplier_register', 'Suppliers')) AS sr \gset
SELECT state, content ->> 'register' AS register, content ->> 'entry_count' AS entries FROM record WHERE record_id = :sr;
RESET isms.actor;

-- The superuser leaves the organisation (later tests count what it sees).
SELECT pg_temp.leave(:org);
DROP OWNED BY regress_asset_lead, regress_asset_owner, regress_asset_reader, regress_asset_nobody, regress_asset_other;
DROP ROLE regress_asset_lead, regress_asset_owner, regress_asset_reader, regress_asset_nobody, regress_asset_other;
