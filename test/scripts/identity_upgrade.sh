#!/usr/bin/env bash
# test/scripts/identity_upgrade.sh -- ALTER EXTENSION UPDATE of a 0.1.0
# database maps member and author names to role OIDs (030_identities.sql).
#
# A 0.1.0 database (rows written with triggers off: the 0.1.0 schema has no
# identity columns for the new library's rules) holds memberships of a login
# role, of a group role and of a role that no longer exists, and a record
# authored and submitted by the login role.  After the update:
#   - the login role is still a member, by OID; the group role's and the
#     dropped role's memberships are gone;
#   - the record's author is its role's OID, so after a rename the author
#     still cannot approve it (IS010).
set -u
db=isms_identity_upgrade
trap 'psql -qX -d postgres -c "DROP DATABASE IF EXISTS $db" 2>/dev/null; psql -qX -d postgres -c "DROP ROLE IF EXISTS regress_up_author, regress_up_author2" 2>/dev/null' EXIT
fail() { echo "identity_upgrade: $*" >&2; exit 1; }

psql -qX -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" || exit 1
out=$(psql -qXAt -v ON_ERROR_STOP=1 -d $db <<'SQL'
CREATE EXTENSION isms27022 VERSION '0.1.0';
CREATE ROLE regress_up_author LOGIN IN ROLE isms_manager;
SET session_replication_role = replica;
INSERT INTO isms.organization (org_id, name) OVERRIDING SYSTEM VALUE VALUES (900, 'Upgrade Ltd');
INSERT INTO isms.membership (org_id, member, org_role) VALUES
    (900, 'regress_up_author', 'manager'), (900, 'isms_manager', 'manager'), (900, 'regress_up_dropped', 'admin');
INSERT INTO isms.record (org_id, record_id, work_product_id, document_id, version, title, state, author)
    VALUES (900, 900, isms.work_product_id(900, 'security_event'), 900, 1, 'Old record', 'in_review', 'regress_up_author');
RESET session_replication_role;
ALTER EXTENSION isms27022 UPDATE TO '0.2.0';
SELECT string_agg(member || '=' || (member_oid::oid = 'regress_up_author'::regrole::oid), ',') FROM isms.membership;
SELECT author_oid::text FROM isms.record WHERE record_id = 900;
ALTER ROLE regress_up_author RENAME TO regress_up_author2;
SET ROLE regress_up_author2;
DO $$ BEGIN PERFORM isms.approve_record(900); RAISE EXCEPTION 'renamed author approved its record';
EXCEPTION WHEN SQLSTATE 'IS010' THEN NULL; END $$;
SQL
) || fail "the upgrade failed"
expected="regress_up_author=true
regress_up_author"
[ "$out" = "$expected" ] || fail "unexpected result after the update: $out"
echo "identity_upgrade: memberships and authors mapped to OIDs; a group role's and a dropped role's memberships dropped"
