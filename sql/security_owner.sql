-- The engine acts as the extension owner, not as the owner of schema isms
-- (finding 11 of issue 12).  A schema isms that an ordinary role created
-- before CREATE EXTENSION is refused with a clear message; the owner of an
-- installed extension is the role the engine's own writes are made as.
-- It runs in a database of its own, so that the other tests keep theirs.
SET client_min_messages = warning;
SELECT current_database() AS home \gset
CREATE DATABASE regress_isms_owner;
\c regress_isms_owner
SET client_min_messages = warning;

-- a pre-created schema owned by an ordinary role: refused, nothing installed
CREATE ROLE regress_isms_o_squatter LOGIN;
CREATE SCHEMA isms AUTHORIZATION regress_isms_o_squatter;
\set VERBOSITY default
CREATE EXTENSION isms27022;
\set VERBOSITY terse
SELECT count(*) AS installed FROM pg_extension WHERE extname = 'isms27022';

-- once the schema belongs to the installing superuser, the install works
-- and an ordinary organisation admin creates an organisation
ALTER SCHEMA isms OWNER TO CURRENT_USER;
CREATE EXTENSION isms27022;
SELECT extowner::regrole = current_user::regrole AS owned_by_installer
  FROM pg_extension WHERE extname = 'isms27022';
CREATE ROLE regress_isms_o_admin LOGIN IN ROLE isms_admin;
SET ROLE regress_isms_o_admin;
SELECT isms.create_organization('owner org') > 0 AS created;
-- the engine's own writes are attributed to the caller, made as the owner
SELECT actor, action FROM isms.event ORDER BY event_no;
RESET ROLE;

-- the engine refuses to act for an extension owner who is not a superuser
-- (a trusted install would be one): a clear 42501, not a failure later
CREATE ROLE regress_isms_o_plain LOGIN;
UPDATE pg_extension SET extowner = 'regress_isms_o_plain'::regrole WHERE extname = 'isms27022';
SET ROLE regress_isms_o_admin;
\set VERBOSITY default
SELECT isms.create_organization('second org');
\set VERBOSITY terse
RESET ROLE;
UPDATE pg_extension SET extowner = current_user::regrole WHERE extname = 'isms27022';
SET ROLE regress_isms_o_admin;
SELECT isms.create_organization('second org') > 0 AS created;
RESET ROLE;

\c :home
DROP DATABASE regress_isms_owner;
DROP ROLE regress_isms_o_squatter, regress_isms_o_admin, regress_isms_o_plain;
