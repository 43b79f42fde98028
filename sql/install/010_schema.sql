-- isms27022 install script.
-- Built by the Makefile from the pieces in sql/install/, concatenated in name order.

\echo Use "CREATE EXTENSION isms27022" to load this file. \quit

COMMENT ON SCHEMA isms IS
    'ISO/IEC TS 27022 process reference model (catalog), ISMS process engine and capability assessment';

-- Categories of processes in the PRM.
CREATE TYPE isms.process_category AS ENUM ('management', 'core', 'support');

-- Documented information is either kept current (document) or retained as evidence (record).
CREATE TYPE isms.work_product_kind AS ENUM ('document', 'record');

-- Who may create a record of a work product: only a run of a producing process,
-- only directly (it comes from outside the ISMS), or both.
CREATE TYPE isms.work_product_origin AS ENUM ('process', 'external', 'either');

-- How a process needs an input: always, when available, or at least one of a group.
CREATE TYPE isms.input_requirement AS ENUM ('required', 'optional', 'group');

-- Lifecycle states of the operational objects (transitions: isms.*_transition).
CREATE TYPE isms.run_state AS ENUM ('planned', 'active', 'suspended', 'completed', 'cancelled');
CREATE TYPE isms.step_state AS ENUM ('pending', 'active', 'done', 'skipped');
CREATE TYPE isms.record_state AS ENUM ('draft', 'in_review', 'approved', 'superseded', 'withdrawn');

-- How a record is linked to a run.
CREATE TYPE isms.link_role AS ENUM ('input', 'output', 'confirmed');
