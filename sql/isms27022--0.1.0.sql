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
-- Group roles of the extension (NOLOGIN; grant them to login roles).
-- Roles are cluster-wide: they are created if missing and survive
-- DROP EXTENSION.  What each may do is granted in 090_security.sql.
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['isms_admin', 'isms_manager', 'isms_contributor', 'isms_auditor', 'isms_reader', 'isms_app']
    LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) r) THEN
            EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
END
$$;
-- isms.clause: hierarchical reference to an ISO/IEC 27001:2022 clause ("6.1.2")
-- or Annex A control ("A.5.23"); also used for process codes.  C code: src/clause.c.

CREATE TYPE isms.clause;

CREATE FUNCTION isms.clause_in(cstring) RETURNS isms.clause
    AS 'MODULE_PATHNAME', 'clause_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.clause_out(isms.clause) RETURNS cstring
    AS 'MODULE_PATHNAME', 'clause_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.clause_recv(internal) RETURNS isms.clause
    AS 'MODULE_PATHNAME', 'clause_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.clause_send(isms.clause) RETURNS bytea
    AS 'MODULE_PATHNAME', 'clause_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE isms.clause (
    INTERNALLENGTH = VARIABLE,
    INPUT = isms.clause_in,
    OUTPUT = isms.clause_out,
    RECEIVE = isms.clause_recv,
    SEND = isms.clause_send,
    ALIGNMENT = int4,
    STORAGE = plain
);

COMMENT ON TYPE isms.clause IS
    'ISO/IEC 27001:2022 clause or Annex A control reference, e.g. 6.1.2 or A.5.23; '
    'ordered numerically segment by segment, numbered clauses before Annex A';

-- Comparison.

CREATE FUNCTION isms.clause_cmp(isms.clause, isms.clause) RETURNS integer
    AS 'MODULE_PATHNAME', 'clause_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.clause_lt(isms.clause, isms.clause) RETURNS boolean
    AS 'MODULE_PATHNAME', 'clause_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.clause_le(isms.clause, isms.clause) RETURNS boolean
    AS 'MODULE_PATHNAME', 'clause_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.clause_eq(isms.clause, isms.clause) RETURNS boolean
    AS 'MODULE_PATHNAME', 'clause_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.clause_ne(isms.clause, isms.clause) RETURNS boolean
    AS 'MODULE_PATHNAME', 'clause_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.clause_ge(isms.clause, isms.clause) RETURNS boolean
    AS 'MODULE_PATHNAME', 'clause_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.clause_gt(isms.clause, isms.clause) RETURNS boolean
    AS 'MODULE_PATHNAME', 'clause_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.clause_hash(isms.clause) RETURNS integer
    AS 'MODULE_PATHNAME', 'clause_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.clause_hash_extended(isms.clause, bigint) RETURNS bigint
    AS 'MODULE_PATHNAME', 'clause_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR isms.< (
    LEFTARG = isms.clause, RIGHTARG = isms.clause, FUNCTION = isms.clause_lt,
    COMMUTATOR = OPERATOR(isms.>), NEGATOR = OPERATOR(isms.>=),
    RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);
CREATE OPERATOR isms.<= (
    LEFTARG = isms.clause, RIGHTARG = isms.clause, FUNCTION = isms.clause_le,
    COMMUTATOR = OPERATOR(isms.>=), NEGATOR = OPERATOR(isms.>),
    RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);
CREATE OPERATOR isms.= (
    LEFTARG = isms.clause, RIGHTARG = isms.clause, FUNCTION = isms.clause_eq,
    COMMUTATOR = OPERATOR(isms.=), NEGATOR = OPERATOR(isms.<>),
    RESTRICT = eqsel, JOIN = eqjoinsel, MERGES, HASHES
);
CREATE OPERATOR isms.<> (
    LEFTARG = isms.clause, RIGHTARG = isms.clause, FUNCTION = isms.clause_ne,
    COMMUTATOR = OPERATOR(isms.<>), NEGATOR = OPERATOR(isms.=),
    RESTRICT = neqsel, JOIN = neqjoinsel
);
CREATE OPERATOR isms.>= (
    LEFTARG = isms.clause, RIGHTARG = isms.clause, FUNCTION = isms.clause_ge,
    COMMUTATOR = OPERATOR(isms.<=), NEGATOR = OPERATOR(isms.<),
    RESTRICT = scalargesel, JOIN = scalargejoinsel
);
CREATE OPERATOR isms.> (
    LEFTARG = isms.clause, RIGHTARG = isms.clause, FUNCTION = isms.clause_gt,
    COMMUTATOR = OPERATOR(isms.<), NEGATOR = OPERATOR(isms.<=),
    RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);

CREATE OPERATOR CLASS isms.clause_ops
    DEFAULT FOR TYPE isms.clause USING btree AS
        OPERATOR 1 isms.< ,
        OPERATOR 2 isms.<= ,
        OPERATOR 3 isms.= ,
        OPERATOR 4 isms.>= ,
        OPERATOR 5 isms.> ,
        FUNCTION 1 isms.clause_cmp(isms.clause, isms.clause);

CREATE OPERATOR CLASS isms.clause_hash_ops
    DEFAULT FOR TYPE isms.clause USING hash AS
        OPERATOR 1 isms.= ,
        FUNCTION 1 isms.clause_hash(isms.clause),
        FUNCTION 2 isms.clause_hash_extended(isms.clause, bigint);

-- min() and max() in clause order.

CREATE FUNCTION isms.clause_smaller(isms.clause, isms.clause) RETURNS isms.clause
    AS 'MODULE_PATHNAME', 'clause_smaller' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.clause_larger(isms.clause, isms.clause) RETURNS isms.clause
    AS 'MODULE_PATHNAME', 'clause_larger' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE isms.min(isms.clause) (
    SFUNC = isms.clause_smaller, STYPE = isms.clause, COMBINEFUNC = isms.clause_smaller,
    SORTOP = OPERATOR(isms.<), PARALLEL = SAFE
);
CREATE AGGREGATE isms.max(isms.clause) (
    SFUNC = isms.clause_larger, STYPE = isms.clause, COMBINEFUNC = isms.clause_larger,
    SORTOP = OPERATOR(isms.>), PARALLEL = SAFE
);

-- Ancestor / descendant.  The support functions let "col <@ const" and
-- "const @> col" use a plain btree index on col (as the exact range
-- col BETWEEN const AND isms.clause_subtree_last(const)).

CREATE FUNCTION isms.clause_contains_support(internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'clause_contains_support' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.clause_contained_support(internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'clause_contained_support' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION isms.clause_contains(isms.clause, isms.clause) RETURNS boolean
    AS 'MODULE_PATHNAME', 'clause_contains' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
    SUPPORT isms.clause_contains_support;
COMMENT ON FUNCTION isms.clause_contains(isms.clause, isms.clause) IS
    'true if the first clause is an ancestor of the second or equal to it';
CREATE FUNCTION isms.clause_contained(isms.clause, isms.clause) RETURNS boolean
    AS 'MODULE_PATHNAME', 'clause_contained' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
    SUPPORT isms.clause_contained_support;
COMMENT ON FUNCTION isms.clause_contained(isms.clause, isms.clause) IS
    'true if the first clause is a descendant of the second or equal to it';

CREATE OPERATOR isms.@> (
    LEFTARG = isms.clause, RIGHTARG = isms.clause, FUNCTION = isms.clause_contains,
    COMMUTATOR = OPERATOR(isms.<@),
    RESTRICT = contsel, JOIN = contjoinsel
);
CREATE OPERATOR isms.<@ (
    LEFTARG = isms.clause, RIGHTARG = isms.clause, FUNCTION = isms.clause_contained,
    COMMUTATOR = OPERATOR(isms.@>),
    RESTRICT = contsel, JOIN = contjoinsel
);

-- Navigation.

CREATE FUNCTION isms.clause_depth(isms.clause) RETURNS integer
    AS 'MODULE_PATHNAME', 'clause_depth' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION isms.clause_depth(isms.clause) IS
    'number of segments: 1 for 7 and A.5, 3 for 6.1.2';
CREATE FUNCTION isms.clause_parent(isms.clause) RETURNS isms.clause
    AS 'MODULE_PATHNAME', 'clause_parent' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION isms.clause_parent(isms.clause) IS
    'the clause without its last segment; NULL at depth 1 (6.1 -> 6, A.5.23 -> A.5, A.5 -> NULL)';
CREATE FUNCTION isms.clause_is_annex(isms.clause) RETURNS boolean
    AS 'MODULE_PATHNAME', 'clause_is_annex' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION isms.clause_is_annex(isms.clause) IS
    'true for Annex A references (A.5.23)';
CREATE FUNCTION isms.clause_next_sibling(isms.clause) RETURNS isms.clause
    AS 'MODULE_PATHNAME', 'clause_next_sibling' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION isms.clause_next_sibling(isms.clause) IS
    'the clause with its last segment incremented (6.1.2 -> 6.1.3); NULL if the last segment is 9999';
CREATE FUNCTION isms.clause_subtree_last(isms.clause) RETURNS isms.clause
    AS 'MODULE_PATHNAME', 'clause_subtree_last' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION isms.clause_subtree_last(isms.clause) IS
    'greatest possible descendant (6.1 -> 6.1.9999.9999.9999.9999.9999.9999); '
    'the descendants of X are exactly X .. isms.clause_subtree_last(X) in btree order';

-- Descendant-or-self test that inlines into a btree range (not STRICT, so
-- that the planner can inline it; NULL arguments still give NULL).
CREATE FUNCTION isms.is_descendant(c isms.clause, ancestor isms.clause) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT c OPERATOR(isms.>=) ancestor
             AND c OPERATOR(isms.<=) isms.clause_subtree_last(ancestor) $$;
COMMENT ON FUNCTION isms.is_descendant(isms.clause, isms.clause) IS
    'true if c is ancestor or a descendant of it; inlines to an indexable btree range';
-- isms.rating: ISO/IEC 33020 process-attribute ratings (src/rating.c).
--
-- Values N < P- < P < P+ < L- < L < L+ < F.  Stored as one byte, the position
-- on that scale: the refined ordinal plus whether P or L was given unrefined.
-- An unrefined P sorts between P- and P+ (likewise L); every value has one
-- text form, so =, hashing and ordering agree.

CREATE TYPE isms.rating;

CREATE FUNCTION isms.rating_in(cstring) RETURNS isms.rating
    AS 'MODULE_PATHNAME', 'rating_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.rating_out(isms.rating) RETURNS cstring
    AS 'MODULE_PATHNAME', 'rating_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.rating_recv(internal) RETURNS isms.rating
    AS 'MODULE_PATHNAME', 'rating_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.rating_send(isms.rating) RETURNS bytea
    AS 'MODULE_PATHNAME', 'rating_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE isms.rating (
    INPUT = isms.rating_in,
    OUTPUT = isms.rating_out,
    RECEIVE = isms.rating_recv,
    SEND = isms.rating_send,
    INTERNALLENGTH = 1,
    PASSEDBYVALUE,
    ALIGNMENT = char,
    STORAGE = plain
);
COMMENT ON TYPE isms.rating IS
    'ISO/IEC 33020 process attribute rating: N, P-, P, P+, L-, L, L+, F (in that order)';

-- Constructors from an achievement percentage (0..100):
-- N 0-15, P >15-50 (P- >15-32.5, P+ >32.5-50), L >50-85 (L- >50-67.5, L+ >67.5-85), F >85-100.
CREATE FUNCTION isms.rating(achievement numeric) RETURNS isms.rating
    AS 'MODULE_PATHNAME', 'rating_from_numeric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.rating(achievement double precision) RETURNS isms.rating
    AS 'MODULE_PATHNAME', 'rating_from_float8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.rating_refined(achievement numeric) RETURNS isms.rating
    AS 'MODULE_PATHNAME', 'rating_refined_from_numeric' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.rating_refined(achievement double precision) RETURNS isms.rating
    AS 'MODULE_PATHNAME', 'rating_refined_from_float8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION isms.rating(numeric) IS 'Rating N, P, L or F of an achievement percentage';
COMMENT ON FUNCTION isms.rating(double precision) IS 'Rating N, P, L or F of an achievement percentage';
COMMENT ON FUNCTION isms.rating_refined(numeric) IS
    'Refined rating N, P-, P+, L-, L+ or F of an achievement percentage';
COMMENT ON FUNCTION isms.rating_refined(double precision) IS
    'Refined rating N, P-, P+, L-, L+ or F of an achievement percentage';

-- Comparison.
CREATE FUNCTION isms.rating_cmp(isms.rating, isms.rating) RETURNS integer
    AS 'MODULE_PATHNAME', 'rating_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.rating_lt(isms.rating, isms.rating) RETURNS boolean
    AS 'MODULE_PATHNAME', 'rating_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION isms.rating_le(isms.rating, isms.rating) RETURNS boolean
    AS 'MODULE_PATHNAME', 'rating_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION isms.rating_eq(isms.rating, isms.rating) RETURNS boolean
    AS 'MODULE_PATHNAME', 'rating_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION isms.rating_ne(isms.rating, isms.rating) RETURNS boolean
    AS 'MODULE_PATHNAME', 'rating_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION isms.rating_ge(isms.rating, isms.rating) RETURNS boolean
    AS 'MODULE_PATHNAME', 'rating_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION isms.rating_gt(isms.rating, isms.rating) RETURNS boolean
    AS 'MODULE_PATHNAME', 'rating_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION isms.rating_sortsupport(internal) RETURNS void
    AS 'MODULE_PATHNAME', 'rating_sortsupport' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.rating_hash(isms.rating) RETURNS integer
    AS 'MODULE_PATHNAME', 'rating_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.rating_hash_extended(isms.rating, bigint) RETURNS bigint
    AS 'MODULE_PATHNAME', 'rating_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.rating_smaller(isms.rating, isms.rating) RETURNS isms.rating
    AS 'MODULE_PATHNAME', 'rating_smaller' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.rating_larger(isms.rating, isms.rating) RETURNS isms.rating
    AS 'MODULE_PATHNAME', 'rating_larger' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR isms.< (
    LEFTARG = isms.rating, RIGHTARG = isms.rating, FUNCTION = isms.rating_lt,
    COMMUTATOR = OPERATOR(isms.>), NEGATOR = OPERATOR(isms.>=),
    RESTRICT = pg_catalog.scalarltsel, JOIN = pg_catalog.scalarltjoinsel
);
CREATE OPERATOR isms.<= (
    LEFTARG = isms.rating, RIGHTARG = isms.rating, FUNCTION = isms.rating_le,
    COMMUTATOR = OPERATOR(isms.>=), NEGATOR = OPERATOR(isms.>),
    RESTRICT = pg_catalog.scalarlesel, JOIN = pg_catalog.scalarlejoinsel
);
CREATE OPERATOR isms.= (
    LEFTARG = isms.rating, RIGHTARG = isms.rating, FUNCTION = isms.rating_eq,
    COMMUTATOR = OPERATOR(isms.=), NEGATOR = OPERATOR(isms.<>),
    RESTRICT = pg_catalog.eqsel, JOIN = pg_catalog.eqjoinsel,
    HASHES, MERGES
);
CREATE OPERATOR isms.<> (
    LEFTARG = isms.rating, RIGHTARG = isms.rating, FUNCTION = isms.rating_ne,
    COMMUTATOR = OPERATOR(isms.<>), NEGATOR = OPERATOR(isms.=),
    RESTRICT = pg_catalog.neqsel, JOIN = pg_catalog.neqjoinsel
);
CREATE OPERATOR isms.>= (
    LEFTARG = isms.rating, RIGHTARG = isms.rating, FUNCTION = isms.rating_ge,
    COMMUTATOR = OPERATOR(isms.<=), NEGATOR = OPERATOR(isms.<),
    RESTRICT = pg_catalog.scalargesel, JOIN = pg_catalog.scalargejoinsel
);
CREATE OPERATOR isms.> (
    LEFTARG = isms.rating, RIGHTARG = isms.rating, FUNCTION = isms.rating_gt,
    COMMUTATOR = OPERATOR(isms.<), NEGATOR = OPERATOR(isms.<=),
    RESTRICT = pg_catalog.scalargtsel, JOIN = pg_catalog.scalargtjoinsel
);

CREATE OPERATOR CLASS isms.rating_ops
    DEFAULT FOR TYPE isms.rating USING btree AS
        OPERATOR 1 isms.<,
        OPERATOR 2 isms.<=,
        OPERATOR 3 isms.=,
        OPERATOR 4 isms.>=,
        OPERATOR 5 isms.>,
        FUNCTION 1 isms.rating_cmp(isms.rating, isms.rating),
        FUNCTION 2 isms.rating_sortsupport(internal);

CREATE OPERATOR CLASS isms.rating_hash_ops
    DEFAULT FOR TYPE isms.rating USING hash AS
        OPERATOR 1 isms.=,
        FUNCTION 1 isms.rating_hash(isms.rating),
        FUNCTION 2 isms.rating_hash_extended(isms.rating, bigint);

-- Ordinals and predicates.
CREATE FUNCTION isms.rating_ordinal(isms.rating) RETURNS integer
    AS 'MODULE_PATHNAME', 'rating_ordinal' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION isms.rating_ordinal(isms.rating) IS
    'Ordinal of a rating: N, P, L, F = 0..3 (refinement ignored)';
CREATE FUNCTION isms.rating_refined_ordinal(isms.rating) RETURNS integer
    AS 'MODULE_PATHNAME', 'rating_refined_ordinal' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION isms.rating_refined_ordinal(isms.rating) IS
    'Refined ordinal of a rating: N, P-, P+, L-, L+, F = 0..5; NULL for unrefined P and L';
CREATE FUNCTION isms.rating_is_refined(isms.rating) RETURNS boolean
    AS 'MODULE_PATHNAME', 'rating_is_refined' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION isms.rating_is_refined(isms.rating) IS
    'False for the unrefined P and L, true otherwise';
CREATE FUNCTION isms.rating_is_achieved(isms.rating) RETURNS boolean
    AS 'MODULE_PATHNAME', 'rating_is_achieved' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION isms.rating_is_achieved(isms.rating) IS
    'True when the attribute is largely or fully achieved (L-, L, L+ or F)';
CREATE FUNCTION isms.rating_unrefined(isms.rating) RETURNS isms.rating
    AS 'MODULE_PATHNAME', 'rating_unrefined' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION isms.rating_unrefined(isms.rating) IS
    'The rating without refinement: P- and P+ become P, L- and L+ become L';

-- min/max.
CREATE AGGREGATE isms.min(isms.rating) (
    SFUNC = isms.rating_smaller, STYPE = isms.rating,
    COMBINEFUNC = isms.rating_smaller, SORTOP = OPERATOR(isms.<), PARALLEL = SAFE
);
CREATE AGGREGATE isms.max(isms.rating) (
    SFUNC = isms.rating_larger, STYPE = isms.rating,
    COMBINEFUNC = isms.rating_larger, SORTOP = OPERATOR(isms.>), PARALLEL = SAFE
);

-- Aggregates of several ratings (e.g. one attribute over several runs).  The
-- state counts each rating; the mean of the ordinals is rounded half up, the
-- median of an even number of ratings is the lower middle one.
CREATE FUNCTION isms.rating_agg_accum(internal, isms.rating) RETURNS internal
    AS 'MODULE_PATHNAME', 'rating_agg_accum' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION isms.rating_agg_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'rating_agg_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION isms.rating_agg_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'rating_agg_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.rating_agg_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'rating_agg_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.rating_mean_final(internal) RETURNS isms.rating
    AS 'MODULE_PATHNAME', 'rating_mean_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION isms.rating_median_final(internal) RETURNS isms.rating
    AS 'MODULE_PATHNAME', 'rating_median_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION isms.rating_refined_mean_final(internal) RETURNS isms.rating
    AS 'MODULE_PATHNAME', 'rating_refined_mean_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION isms.rating_refined_median_final(internal) RETURNS isms.rating
    AS 'MODULE_PATHNAME', 'rating_refined_median_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE isms.rating_mean(isms.rating) (
    SFUNC = isms.rating_agg_accum, STYPE = internal, SSPACE = 64,
    FINALFUNC = isms.rating_mean_final,
    COMBINEFUNC = isms.rating_agg_combine,
    SERIALFUNC = isms.rating_agg_serialize, DESERIALFUNC = isms.rating_agg_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE isms.rating_mean(isms.rating) IS
    'Rating of the mean ordinal (N, P, L, F = 0..3), rounded half up';
CREATE AGGREGATE isms.rating_median(isms.rating) (
    SFUNC = isms.rating_agg_accum, STYPE = internal, SSPACE = 64,
    FINALFUNC = isms.rating_median_final,
    COMBINEFUNC = isms.rating_agg_combine,
    SERIALFUNC = isms.rating_agg_serialize, DESERIALFUNC = isms.rating_agg_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE isms.rating_median(isms.rating) IS
    'Rating of the median ordinal (N, P, L, F = 0..3); the lower middle one for an even count';
CREATE AGGREGATE isms.rating_refined_mean(isms.rating) (
    SFUNC = isms.rating_agg_accum, STYPE = internal, SSPACE = 64,
    FINALFUNC = isms.rating_refined_mean_final,
    COMBINEFUNC = isms.rating_agg_combine,
    SERIALFUNC = isms.rating_agg_serialize, DESERIALFUNC = isms.rating_agg_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE isms.rating_refined_mean(isms.rating) IS
    'Refined rating of the mean refined ordinal (N, P-, P+, L-, L+, F = 0..5), rounded half up';
CREATE AGGREGATE isms.rating_refined_median(isms.rating) (
    SFUNC = isms.rating_agg_accum, STYPE = internal, SSPACE = 64,
    FINALFUNC = isms.rating_refined_median_final,
    COMBINEFUNC = isms.rating_agg_combine,
    SERIALFUNC = isms.rating_agg_serialize, DESERIALFUNC = isms.rating_agg_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE isms.rating_refined_median(isms.rating) IS
    'Refined rating of the median refined ordinal (0..5); the lower middle one for an even count';

-- Rating of the mean achievement percentage (each input is checked to be 0..100).
CREATE FUNCTION isms.rating_pct_accum(internal, numeric) RETURNS internal
    AS 'MODULE_PATHNAME', 'rating_pct_accum_numeric' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION isms.rating_pct_accum(double precision[], double precision) RETURNS double precision[]
    AS 'MODULE_PATHNAME', 'rating_pct_accum_float8' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.rating_of_mean_final(internal) RETURNS isms.rating
    AS 'MODULE_PATHNAME', 'rating_of_mean_numeric_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION isms.rating_refined_of_mean_final(internal) RETURNS isms.rating
    AS 'MODULE_PATHNAME', 'rating_refined_of_mean_numeric_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION isms.rating_of_mean_final(double precision[]) RETURNS isms.rating
    AS 'MODULE_PATHNAME', 'rating_of_mean_float8_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.rating_refined_of_mean_final(double precision[]) RETURNS isms.rating
    AS 'MODULE_PATHNAME', 'rating_refined_of_mean_float8_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE isms.rating_of_mean(numeric) (
    SFUNC = isms.rating_pct_accum, STYPE = internal, SSPACE = 128,
    FINALFUNC = isms.rating_of_mean_final,
    COMBINEFUNC = pg_catalog.numeric_avg_combine,
    SERIALFUNC = pg_catalog.numeric_avg_serialize, DESERIALFUNC = pg_catalog.numeric_avg_deserialize,
    PARALLEL = SAFE
);
CREATE AGGREGATE isms.rating_refined_of_mean(numeric) (
    SFUNC = isms.rating_pct_accum, STYPE = internal, SSPACE = 128,
    FINALFUNC = isms.rating_refined_of_mean_final,
    COMBINEFUNC = pg_catalog.numeric_avg_combine,
    SERIALFUNC = pg_catalog.numeric_avg_serialize, DESERIALFUNC = pg_catalog.numeric_avg_deserialize,
    PARALLEL = SAFE
);
CREATE AGGREGATE isms.rating_of_mean(double precision) (
    SFUNC = isms.rating_pct_accum, STYPE = double precision[], INITCOND = '{0,0,0}',
    FINALFUNC = isms.rating_of_mean_final,
    COMBINEFUNC = pg_catalog.float8_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE isms.rating_refined_of_mean(double precision) (
    SFUNC = isms.rating_pct_accum, STYPE = double precision[], INITCOND = '{0,0,0}',
    FINALFUNC = isms.rating_refined_of_mean_final,
    COMBINEFUNC = pg_catalog.float8_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE isms.rating_of_mean(numeric) IS
    'Rating N, P, L or F of the mean achievement percentage';
COMMENT ON AGGREGATE isms.rating_of_mean(double precision) IS
    'Rating N, P, L or F of the mean achievement percentage';
COMMENT ON AGGREGATE isms.rating_refined_of_mean(numeric) IS
    'Refined rating of the mean achievement percentage';
COMMENT ON AGGREGATE isms.rating_refined_of_mean(double precision) IS
    'Refined rating of the mean achievement percentage';

-- The capability level (ISO/IEC 33020): a process is at level n when every
-- attribute of level n is rated L or F and every attribute of the levels
-- below is rated F.  NULL (not rated) counts as N.
CREATE FUNCTION isms.capability_level(
    pa11 isms.rating,
    pa21 isms.rating DEFAULT NULL, pa22 isms.rating DEFAULT NULL,
    pa31 isms.rating DEFAULT NULL, pa32 isms.rating DEFAULT NULL,
    pa41 isms.rating DEFAULT NULL, pa42 isms.rating DEFAULT NULL,
    pa51 isms.rating DEFAULT NULL, pa52 isms.rating DEFAULT NULL)
    RETURNS integer
    AS 'MODULE_PATHNAME', 'rating_capability_level'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION isms.capability_level(isms.rating, isms.rating, isms.rating, isms.rating,
    isms.rating, isms.rating, isms.rating, isms.rating, isms.rating) IS
    'Capability level 0..5 of a process from the ratings of PA 1.1 .. PA 5.2 (NULL = not rated)';

-- Aggregate form over rows (attribute, rating), e.g. GROUP BY process.
-- Attributes are named 'PA 2.1', 'PA2.1' or '2.1'; an attribute rated more
-- than once counts with its lowest rating; rows with a NULL are skipped.
-- The state packs one 4-bit rating per attribute (15 = not rated).
CREATE FUNCTION isms.capability_level_accum(bigint, text, isms.rating) RETURNS bigint
    AS 'MODULE_PATHNAME', 'rating_level_accum' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.capability_level_combine(bigint, bigint) RETURNS bigint
    AS 'MODULE_PATHNAME', 'rating_level_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION isms.capability_level_final(bigint) RETURNS integer
    AS 'MODULE_PATHNAME', 'rating_level_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE isms.capability_level_agg(attribute text, rating isms.rating) (
    SFUNC = isms.capability_level_accum, STYPE = bigint, INITCOND = '68719476735',
    FINALFUNC = isms.capability_level_final,
    COMBINEFUNC = isms.capability_level_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE isms.capability_level_agg(text, isms.rating) IS
    'Capability level 0..5 from rows of (process attribute, rating)';
-- Organisations: the tenants.  Every operational row carries an org_id, and
-- tailoring rows of the catalog name the organisation that added them.

CREATE TABLE isms.organization (
    org_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL UNIQUE CHECK (name ~ '[^[:space:]]'),
    notify_events   boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE isms.organization IS 'Organisations (tenants) operating an ISMS';
COMMENT ON COLUMN isms.organization.notify_events IS
    'When true, every event of the organisation is also sent as NOTIFY on channel isms_event';
-- The process reference model as catalog tables.
--
-- Rows with org_id IS NULL are the PRM shipped by the extension (read-only for
-- every tenant role); rows with an org_id are one organisation's tailoring
-- (its own processes, activities, work products and input/output rules) and
-- are visible to and used for that organisation only.

-- ISO/IEC 27001:2022 requirements (clauses 4-10) and Annex A controls.
CREATE TABLE isms.iso27001_clause (
    clause      isms.clause PRIMARY KEY,
    title       text NOT NULL,
    theme       text CHECK (theme IN ('organizational', 'people', 'physical', 'technological')),
    CHECK ((theme IS NOT NULL) = isms.clause_is_annex(clause))
);
COMMENT ON TABLE isms.iso27001_clause IS
    'ISO/IEC 27001:2022 clauses 4.1-10.2 (with subclauses) and the 93 Annex A controls (short titles in our own words)';
COMMENT ON COLUMN isms.iso27001_clause.theme IS 'Annex A theme (5 organizational, 6 people, 7 physical, 8 technological); NULL for clauses';

-- The work-product vocabulary: kinds of documented information.
CREATE TABLE isms.work_product (
    work_product_id  integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    org_id           bigint REFERENCES isms.organization ON DELETE CASCADE,
    key              text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{0,62}$'),
    name             text NOT NULL CHECK (name ~ '[^[:space:]]'),
    kind             isms.work_product_kind NOT NULL,
    origin           isms.work_product_origin NOT NULL,
    review_months    integer CHECK (review_months BETWEEN 1 AND 120),
    retention_months integer NOT NULL DEFAULT 36 CHECK (retention_months BETWEEN 0 AND 1200),
    description      text,
    UNIQUE NULLS NOT DISTINCT (org_id, key)
);
COMMENT ON TABLE isms.work_product IS 'Work products (information items): what processes take as input and produce as output';
COMMENT ON COLUMN isms.work_product.review_months IS
    'Review cycle: an approved record is valid for this many months (NULL: does not expire)';
COMMENT ON COLUMN isms.work_product.retention_months IS
    'An approved record is retained at least this many months after approval';

-- The processes.
CREATE TABLE isms.process (
    process_id  integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    org_id      bigint REFERENCES isms.organization ON DELETE CASCADE,
    code        isms.clause NOT NULL,
    key         text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{0,62}$'),
    name        text NOT NULL CHECK (name ~ '[^[:space:]]'),
    category    isms.process_category NOT NULL,
    purpose     text NOT NULL CHECK (purpose ~ '[^[:space:]]'),
    UNIQUE NULLS NOT DISTINCT (org_id, code),
    UNIQUE NULLS NOT DISTINCT (org_id, key)
);
COMMENT ON TABLE isms.process IS 'ISMS processes: the 17 of ISO/IEC TS 27022 (org_id NULL) and organisations'' own';
COMMENT ON COLUMN isms.process.code IS 'Stable code: the clause number of the process in ISO/IEC TS 27022 (e.g. 7.4)';

-- Activities of a process, in order.
CREATE TABLE isms.activity (
    activity_id  integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    process_id   integer NOT NULL REFERENCES isms.process ON DELETE CASCADE,
    org_id       bigint REFERENCES isms.organization ON DELETE CASCADE,
    activity_no  integer NOT NULL CHECK (activity_no BETWEEN 1 AND 99),
    name         text NOT NULL CHECK (name ~ '[^[:space:]]'),
    optional     boolean NOT NULL DEFAULT false,
    description  text,
    UNIQUE NULLS NOT DISTINCT (process_id, org_id, activity_no)
);
COMMENT ON TABLE isms.activity IS 'Activities of each process in the order they are performed';
COMMENT ON COLUMN isms.activity.optional IS 'An optional activity may be skipped in a run (with a reason)';

-- Inputs a process needs or accepts.
CREATE TABLE isms.process_input (
    process_input_id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    process_id       integer NOT NULL REFERENCES isms.process ON DELETE CASCADE,
    work_product_id  integer NOT NULL REFERENCES isms.work_product ON DELETE CASCADE,
    org_id           bigint REFERENCES isms.organization ON DELETE CASCADE,
    requirement      isms.input_requirement NOT NULL,
    input_group      text,
    note             text,
    CHECK ((requirement = 'group') = (input_group IS NOT NULL)),
    UNIQUE NULLS NOT DISTINCT (process_id, work_product_id, org_id)
);
COMMENT ON TABLE isms.process_input IS
    'Input work products of a process: required, optional, or at least one of a named group';

-- Inputs an activity needs linked to the run before its step is done.
CREATE TABLE isms.activity_input (
    activity_input_id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    process_id        integer NOT NULL REFERENCES isms.process ON DELETE CASCADE,
    activity_no       integer NOT NULL,
    work_product_id   integer NOT NULL REFERENCES isms.work_product ON DELETE CASCADE,
    org_id            bigint REFERENCES isms.organization ON DELETE CASCADE,
    UNIQUE NULLS NOT DISTINCT (process_id, activity_no, work_product_id, org_id)
);
COMMENT ON TABLE isms.activity_input IS
    'Work products an activity needs: an approved record of each must be linked to the run before the step is done';

-- Outputs a process produces.
CREATE TABLE isms.process_output (
    process_output_id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    process_id        integer NOT NULL REFERENCES isms.process ON DELETE CASCADE,
    work_product_id   integer NOT NULL REFERENCES isms.work_product ON DELETE CASCADE,
    org_id            bigint REFERENCES isms.organization ON DELETE CASCADE,
    required          boolean NOT NULL,
    activity_no       integer,
    UNIQUE NULLS NOT DISTINCT (process_id, work_product_id, org_id)
);
COMMENT ON TABLE isms.process_output IS
    'Output work products of a process; a required output is required only if its producing activity was not skipped';
COMMENT ON COLUMN isms.process_output.activity_no IS 'The activity that produces the output (NULL: the process as a whole)';

-- ISO/IEC 27001:2022 references of processes, activities and work products.
CREATE TABLE isms.process_reference (
    process_id  integer NOT NULL REFERENCES isms.process ON DELETE CASCADE,
    clause      isms.clause NOT NULL REFERENCES isms.iso27001_clause,
    PRIMARY KEY (process_id, clause)
);
CREATE TABLE isms.activity_reference (
    activity_id integer NOT NULL REFERENCES isms.activity ON DELETE CASCADE,
    clause      isms.clause NOT NULL REFERENCES isms.iso27001_clause,
    PRIMARY KEY (activity_id, clause)
);
CREATE TABLE isms.work_product_reference (
    work_product_id integer NOT NULL REFERENCES isms.work_product ON DELETE CASCADE,
    clause          isms.clause NOT NULL REFERENCES isms.iso27001_clause,
    PRIMARY KEY (work_product_id, clause)
);
CREATE INDEX ON isms.process_reference (clause);
CREATE INDEX ON isms.activity_reference (clause);
CREATE INDEX ON isms.work_product_reference (clause);
COMMENT ON TABLE isms.process_reference IS 'ISO/IEC 27001:2022 clauses and controls a process serves';
COMMENT ON TABLE isms.activity_reference IS 'ISO/IEC 27001:2022 clauses and controls an activity serves';
COMMENT ON TABLE isms.work_product_reference IS 'ISO/IEC 27001:2022 clauses and controls that require or concern a work product';

-- Lifecycles: the only allowed transitions.  The engine reads these tables.
CREATE TABLE isms.run_transition (
    from_state  isms.run_state NOT NULL,
    to_state    isms.run_state NOT NULL,
    action      text NOT NULL,
    PRIMARY KEY (from_state, to_state)
);
CREATE TABLE isms.step_transition (
    from_state  isms.step_state NOT NULL,
    to_state    isms.step_state NOT NULL,
    action      text NOT NULL,
    PRIMARY KEY (from_state, to_state)
);
CREATE TABLE isms.record_transition (
    from_state  isms.record_state NOT NULL,
    to_state    isms.record_state NOT NULL,
    action      text NOT NULL,
    PRIMARY KEY (from_state, to_state)
);
COMMENT ON TABLE isms.run_transition IS 'Allowed state transitions of a run';
COMMENT ON TABLE isms.step_transition IS 'Allowed state transitions of a step';
COMMENT ON TABLE isms.record_transition IS 'Allowed state transitions of a record';

INSERT INTO isms.run_transition VALUES
    ('planned', 'active', 'start'),
    ('active', 'completed', 'complete'),
    ('active', 'suspended', 'suspend'),
    ('suspended', 'active', 'resume'),
    ('planned', 'cancelled', 'cancel'),
    ('active', 'cancelled', 'cancel'),
    ('suspended', 'cancelled', 'cancel');
INSERT INTO isms.step_transition VALUES
    ('pending', 'active', 'start'),
    ('active', 'done', 'finish'),
    ('pending', 'skipped', 'skip'),
    ('active', 'skipped', 'skip');
INSERT INTO isms.record_transition VALUES
    ('draft', 'in_review', 'submit'),
    ('in_review', 'approved', 'approve'),
    ('in_review', 'draft', 'return'),
    ('approved', 'superseded', 'supersede'),
    ('approved', 'withdrawn', 'withdraw');

-- The architecture derived from the catalog: producer -> consumer edges.
CREATE VIEW isms.process_flow AS
SELECT p.code AS producer_code,
       p.key AS producer,
       c.code AS consumer_code,
       c.key AS consumer,
       array_agg(wp.key ORDER BY wp.key) AS work_products,
       bool_or(i.requirement OPERATOR(pg_catalog.<>) 'optional') AS needed,
       coalesce(o.org_id, i.org_id) AS org_id
  FROM isms.process_output o
  JOIN isms.process_input i ON i.work_product_id = o.work_product_id
  JOIN isms.process p ON p.process_id = o.process_id
  JOIN isms.process c ON c.process_id = i.process_id
  JOIN isms.work_product wp ON wp.work_product_id = o.work_product_id
 WHERE o.org_id IS NULL OR i.org_id IS NULL OR o.org_id = i.org_id
 GROUP BY p.code, p.key, c.code, c.key, coalesce(o.org_id, i.org_id);
COMMENT ON VIEW isms.process_flow IS
    'Derived process architecture: one row per producer -> consumer edge with the work products that make it; needed is true when at least one of them is a required or group input';
-- The shipped process reference model: ISO/IEC 27001:2022 clauses and Annex A
-- controls, the work-product vocabulary, the 17 processes with their
-- activities, inputs, outputs and clause references (all with org_id NULL).
-- Ordered like the design notes (prm-catalog.md).  Titles and purposes are the
-- project's own words; clause and control numbers are public facts.
-- Retention: records 36 months, evidence that audits and claims look back on
-- (risk decisions, reviews, audits, nonconformities, incidents, competence,
-- changes) 60 months; documents keep superseded versions 36 months.

-- ISO/IEC 27001:2022 clauses 4-10 (with their subclauses) and Annex A controls.
INSERT INTO isms.iso27001_clause (clause, title, theme)
SELECT v.clause::isms.clause, v.title, v.theme
  FROM (VALUES
    ('4',      'Context of the organisation', NULL),
    ('4.1',    'Internal and external issues', NULL),
    ('4.2',    'Interested parties and their requirements', NULL),
    ('4.3',    'Scope of the ISMS', NULL),
    ('4.4',    'Establishing and maintaining the ISMS', NULL),
    ('5',      'Leadership', NULL),
    ('5.1',    'Top management commitment', NULL),
    ('5.2',    'Information security policy', NULL),
    ('5.3',    'Roles, responsibilities and authorities', NULL),
    ('6',      'Planning', NULL),
    ('6.1',    'Addressing risks and opportunities', NULL),
    ('6.1.1',  'Risks and opportunities of the ISMS', NULL),
    ('6.1.2',  'Risk assessment process', NULL),
    ('6.1.3',  'Risk treatment process', NULL),
    ('6.2',    'Security objectives and plans to meet them', NULL),
    ('6.3',    'Planned changes to the ISMS', NULL),
    ('7',      'Support', NULL),
    ('7.1',    'Resources for the ISMS', NULL),
    ('7.2',    'Competence of people', NULL),
    ('7.3',    'Awareness of people', NULL),
    ('7.4',    'Internal and external communication', NULL),
    ('7.5',    'Documented information', NULL),
    ('7.5.1',  'Documented information the ISMS needs', NULL),
    ('7.5.2',  'Creating and updating documents', NULL),
    ('7.5.3',  'Controlling documented information', NULL),
    ('8',      'Operation', NULL),
    ('8.1',    'Planning and controlling operations', NULL),
    ('8.2',    'Performing risk assessments', NULL),
    ('8.3',    'Implementing risk treatment', NULL),
    ('9',      'Performance evaluation', NULL),
    ('9.1',    'Monitoring, measuring, analysing and evaluating', NULL),
    ('9.2',    'Internal audit', NULL),
    ('9.2.1',  'Auditing at planned intervals', NULL),
    ('9.2.2',  'Audit programme', NULL),
    ('9.3',    'Management review', NULL),
    ('9.3.1',  'Holding management reviews', NULL),
    ('9.3.2',  'What the review considers', NULL),
    ('9.3.3',  'Decisions of the review', NULL),
    ('10',     'Improvement', NULL),
    ('10.1',   'Improving continually', NULL),
    ('10.2',   'Nonconformities and corrective action', NULL),
    ('A.5.1',  'Security policies', 'organizational'),
    ('A.5.2',  'Security roles and responsibilities', 'organizational'),
    ('A.5.3',  'Separating conflicting duties', 'organizational'),
    ('A.5.4',  'Duties of management', 'organizational'),
    ('A.5.5',  'Contact with authorities', 'organizational'),
    ('A.5.6',  'Contact with interest groups and forums', 'organizational'),
    ('A.5.7',  'Threat intelligence', 'organizational'),
    ('A.5.8',  'Security in projects', 'organizational'),
    ('A.5.9',  'Asset inventory', 'organizational'),
    ('A.5.10', 'Acceptable use of assets', 'organizational'),
    ('A.5.11', 'Returning assets', 'organizational'),
    ('A.5.12', 'Classifying information', 'organizational'),
    ('A.5.13', 'Labelling information', 'organizational'),
    ('A.5.14', 'Transferring information', 'organizational'),
    ('A.5.15', 'Access control rules', 'organizational'),
    ('A.5.16', 'Managing identities', 'organizational'),
    ('A.5.17', 'Managing authentication information', 'organizational'),
    ('A.5.18', 'Granting and reviewing access rights', 'organizational'),
    ('A.5.19', 'Security with suppliers', 'organizational'),
    ('A.5.20', 'Security in supplier agreements', 'organizational'),
    ('A.5.21', 'ICT supply chain security', 'organizational'),
    ('A.5.22', 'Monitoring and changing supplier services', 'organizational'),
    ('A.5.23', 'Security of cloud service use', 'organizational'),
    ('A.5.24', 'Preparing for incident management', 'organizational'),
    ('A.5.25', 'Assessing security events', 'organizational'),
    ('A.5.26', 'Responding to incidents', 'organizational'),
    ('A.5.27', 'Learning from incidents', 'organizational'),
    ('A.5.28', 'Collecting evidence', 'organizational'),
    ('A.5.29', 'Security during disruption', 'organizational'),
    ('A.5.30', 'ICT readiness for continuity', 'organizational'),
    ('A.5.31', 'Legal, regulatory and contractual requirements', 'organizational'),
    ('A.5.32', 'Intellectual property', 'organizational'),
    ('A.5.33', 'Protecting records', 'organizational'),
    ('A.5.34', 'Privacy and personal data', 'organizational'),
    ('A.5.35', 'Independent security review', 'organizational'),
    ('A.5.36', 'Compliance with security policies and standards', 'organizational'),
    ('A.5.37', 'Documented operating procedures', 'organizational'),
    ('A.6.1',  'Background screening', 'people'),
    ('A.6.2',  'Employment terms', 'people'),
    ('A.6.3',  'Awareness, education and training', 'people'),
    ('A.6.4',  'Disciplinary process', 'people'),
    ('A.6.5',  'Duties after leaving or changing job', 'people'),
    ('A.6.6',  'Confidentiality agreements', 'people'),
    ('A.6.7',  'Working remotely', 'people'),
    ('A.6.8',  'Reporting security events', 'people'),
    ('A.7.1',  'Physical perimeters', 'physical'),
    ('A.7.2',  'Controlling physical entry', 'physical'),
    ('A.7.3',  'Securing offices and facilities', 'physical'),
    ('A.7.4',  'Monitoring premises', 'physical'),
    ('A.7.5',  'Physical and environmental threats', 'physical'),
    ('A.7.6',  'Work in secure areas', 'physical'),
    ('A.7.7',  'Clear desk and screen', 'physical'),
    ('A.7.8',  'Siting and protecting equipment', 'physical'),
    ('A.7.9',  'Assets off the premises', 'physical'),
    ('A.7.10', 'Storage media', 'physical'),
    ('A.7.11', 'Supporting utilities', 'physical'),
    ('A.7.12', 'Cabling', 'physical'),
    ('A.7.13', 'Maintaining equipment', 'physical'),
    ('A.7.14', 'Disposal and re-use of equipment', 'physical'),
    ('A.8.1',  'Endpoint devices', 'technological'),
    ('A.8.2',  'Privileged access', 'technological'),
    ('A.8.3',  'Restricting access to information', 'technological'),
    ('A.8.4',  'Access to source code', 'technological'),
    ('A.8.5',  'Secure authentication', 'technological'),
    ('A.8.6',  'Capacity management', 'technological'),
    ('A.8.7',  'Malware protection', 'technological'),
    ('A.8.8',  'Technical vulnerability management', 'technological'),
    ('A.8.9',  'Configuration management', 'technological'),
    ('A.8.10', 'Deleting information', 'technological'),
    ('A.8.11', 'Data masking', 'technological'),
    ('A.8.12', 'Preventing data leakage', 'technological'),
    ('A.8.13', 'Backup', 'technological'),
    ('A.8.14', 'Redundant processing facilities', 'technological'),
    ('A.8.15', 'Logging', 'technological'),
    ('A.8.16', 'Monitoring for anomalies', 'technological'),
    ('A.8.17', 'Clock synchronisation', 'technological'),
    ('A.8.18', 'Privileged utility programs', 'technological'),
    ('A.8.19', 'Installing software on operational systems', 'technological'),
    ('A.8.20', 'Network security', 'technological'),
    ('A.8.21', 'Security of network services', 'technological'),
    ('A.8.22', 'Network segregation', 'technological'),
    ('A.8.23', 'Web filtering', 'technological'),
    ('A.8.24', 'Cryptography', 'technological'),
    ('A.8.25', 'Secure development life cycle', 'technological'),
    ('A.8.26', 'Application security requirements', 'technological'),
    ('A.8.27', 'Secure architecture and engineering', 'technological'),
    ('A.8.28', 'Secure coding', 'technological'),
    ('A.8.29', 'Security testing', 'technological'),
    ('A.8.30', 'Outsourced development', 'technological'),
    ('A.8.31', 'Separate development, test and production', 'technological'),
    ('A.8.32', 'Change management', 'technological'),
    ('A.8.33', 'Test data', 'technological'),
    ('A.8.34', 'Protecting systems during audit tests', 'technological')
  ) AS v (clause, title, theme);

-- The work-product vocabulary and the clauses that require or concern each.
WITH v (key, name, kind, origin, review_months, retention_months, refs) AS (VALUES
    ('business_context',            'Business strategy and context information', 'document', 'external', NULL, 36, '{4.1}'),
    ('legal_obligation',            'Legal, regulatory or contractual obligation', 'document', 'external', NULL, 36, '{4.2,A.5.31}'),
    ('asset_inventory',             'Inventory of information and other associated assets', 'document', 'external', NULL, 36, '{A.5.9}'),
    ('security_event',              'Reported information security event', 'record', 'external', NULL, 36, '{A.6.8}'),
    ('customer_request',            'Customer enquiry, contract clause or complaint', 'record', 'external', NULL, 36, '{4.2}'),
    ('context_analysis',            'Internal and external issues', 'document', 'process', 12, 36, '{4.1}'),
    ('isms_scope',                  'ISMS scope', 'document', 'process', 12, 36, '{4.3}'),
    ('roles_and_responsibilities',  'Information security roles, responsibilities and authorities', 'document', 'process', 12, 36, '{5.3}'),
    ('security_objectives',         'Information security objectives and plans to achieve them', 'document', 'process', 12, 36, '{6.2}'),
    ('risk_criteria',               'Risk acceptance criteria and criteria for performing risk assessments', 'document', 'process', 12, 36, '{6.1.2}'),
    ('management_review_results',   'Management review results', 'record', 'process', NULL, 60, '{9.3.3}'),
    ('security_policy',             'Information security policy', 'document', 'process', 12, 36, '{5.2}'),
    ('topic_specific_policy',       'Topic-specific policy', 'document', 'process', 12, 36, '{A.5.1}'),
    ('interested_parties_register', 'Interested parties and their requirements', 'document', 'process', 12, 36, '{4.2}'),
    ('requirements_register',       'Requirements addressed by the ISMS', 'document', 'process', 12, 36, '{4.2,A.5.31}'),
    ('risk_register',               'Identified, analysed and evaluated risks with owners', 'document', 'process', 12, 36, '{6.1.2}'),
    ('risk_assessment_report',      'Information security risk assessment results', 'record', 'process', 12, 60, '{6.1.2,8.2}'),
    ('statement_of_applicability',  'Statement of Applicability', 'document', 'process', 12, 36, '{6.1.3}'),
    ('risk_treatment_plan',         'Information security risk treatment plan', 'document', 'process', 12, 36, '{6.1.3,8.3}'),
    ('risk_acceptance',             'Risk owners'' approval of the plan and acceptance of residual risks', 'record', 'process', 12, 60, '{6.1.3}'),
    ('change_request',              'Request to change the ISMS or its controls', 'record', 'either', NULL, 36, '{6.3}'),
    ('implementation_record',       'Control implementation status and evidence', 'record', 'process', NULL, 36, '{8.1,8.3}'),
    ('operating_procedure',         'Documented operating procedure', 'document', 'process', 12, 36, '{7.5.1,A.5.37}'),
    ('supplier_register',           'Suppliers and outsourced processes', 'document', 'process', 12, 36, '{8.1,A.5.19}'),
    ('supplier_agreement',          'Information security requirements agreed with a supplier', 'document', 'process', 24, 36, '{A.5.20}'),
    ('supplier_review',             'Supplier service monitoring and review', 'record', 'process', 12, 36, '{A.5.22}'),
    ('competence_requirements',     'Competence required for roles', 'document', 'process', 12, 36, '{7.2}'),
    ('awareness_programme',         'Awareness, education and training programme', 'document', 'process', 12, 36, '{7.3,A.6.3}'),
    ('competence_evidence',         'Evidence of competence', 'record', 'process', NULL, 60, '{7.2}'),
    ('incident_record',             'Information security incident record', 'record', 'process', NULL, 60, '{A.5.24,A.5.25,A.5.26}'),
    ('lessons_learned',             'Lessons learned from incidents', 'record', 'process', NULL, 36, '{A.5.27}'),
    ('change_assessment',           'Impact and risk assessment of a change', 'record', 'process', NULL, 36, '{6.3}'),
    ('change_record',               'Approved and implemented change', 'record', 'process', NULL, 60, '{6.3,A.8.32}'),
    ('audit_programme',             'Internal audit programme', 'document', 'process', 12, 36, '{9.2.2}'),
    ('audit_report',                'Internal audit results', 'record', 'process', NULL, 60, '{9.2.2}'),
    ('nonconformity',               'Nonconformity', 'record', 'process', NULL, 60, '{10.2}'),
    ('measurement_plan',            'What is monitored and measured, how and when', 'document', 'process', 12, 36, '{9.1}'),
    ('measurement_results',         'Monitoring and measurement results', 'record', 'process', NULL, 36, '{9.1}'),
    ('performance_report',          'Information security performance report', 'record', 'process', NULL, 36, '{9.1,9.3.2}'),
    ('corrective_action_record',    'Nonconformity handling and corrective action results', 'record', 'process', NULL, 60, '{10.2}'),
    ('improvement_proposal',        'Opportunity for improvement', 'record', 'process', NULL, 36, '{10.1,9.3.3}'),
    ('document_register',           'Register of controlled documented information', 'document', 'process', 12, 36, '{7.5.3}'),
    ('retention_schedule',          'Retention and disposal rules', 'document', 'process', 24, 36, '{7.5.3,A.5.33}'),
    ('resource_plan',               'Resources allocated to the ISMS', 'document', 'process', 12, 36, '{7.1}'),
    ('communication_plan',          'Communication plan: what, when, with whom, how', 'document', 'process', 12, 36, '{7.4}'),
    ('communication_record',        'Record of a communication', 'record', 'process', NULL, 36, '{7.4}'),
    ('customer_requirements',       'Customers'' information security requirements', 'document', 'process', 12, 36, '{4.2}'),
    ('customer_report',             'Security report to a customer', 'record', 'process', NULL, 36, '{7.4}'),
    ('customer_feedback',           'Customer feedback and complaints', 'record', 'process', NULL, 36, '{9.3.2}')
), wp AS (
    INSERT INTO isms.work_product (key, name, kind, origin, review_months, retention_months)
    SELECT v.key, v.name, v.kind::isms.work_product_kind, v.origin::isms.work_product_origin,
           v.review_months::integer, v.retention_months
      FROM v
    RETURNING work_product_id, key
)
INSERT INTO isms.work_product_reference (work_product_id, clause)
SELECT wp.work_product_id, r.clause::isms.clause
  FROM wp JOIN v ON v.key = wp.key, unnest(v.refs::text[]) AS r (clause);

-- The 17 processes and the clauses and controls each serves.
WITH v (code, key, name, category, purpose, refs) AS (VALUES
    ('6.2', 'governance_interface', 'Information security governance/management interface process', 'management',
     'Translate the governing body''s direction into the ISMS''s context, scope, roles, objectives and risk criteria, and report the ISMS''s performance back so that top management can review it and decide.',
     '{4.1,4.3,4.4,5.1,5.3,6.1.1,6.2,9.3}'),
    ('7.2', 'policy_management', 'Security policy management process', 'core',
     'Write, approve, publish, review and withdraw the information security policy and the topic-specific policies that put it into practice, keeping them aligned with objectives and requirements.',
     '{5.2,A.5.1}'),
    ('7.3', 'requirements_management', 'Requirements management process', 'core',
     'Know the interested parties and their information security requirements, legal, regulatory and contractual ones included, and decide and record which of them the ISMS addresses.',
     '{4.2,A.5.31,A.5.32,A.5.33,A.5.34}'),
    ('7.4', 'risk_assessment', 'Information security risk assessment process', 'core',
     'Identify, analyse and evaluate information security risks against agreed criteria, so that repeated assessments give consistent, valid and comparable results.',
     '{6.1.2,8.2}'),
    ('7.5', 'risk_treatment', 'Information security risk treatment process', 'core',
     'Choose treatment options and the controls they need, justify them against Annex A in a Statement of Applicability, and obtain the risk owners'' approval of the plan and acceptance of residual risks.',
     '{6.1.3,8.3}'),
    ('7.6', 'implementation_management', 'Security implementation management process', 'core',
     'Plan, steer and verify the implementation of the risk treatment plan and of approved changes, and keep evidence that controls operate as intended.',
     '{6.2,8.1,8.3}'),
    ('7.7', 'outsourced_services_control', 'Process to control outsourced services', 'core',
     'Keep outsourced processes and supplier products and services under information security control through agreed requirements, monitoring and review.',
     '{8.1,A.5.19,A.5.20,A.5.21,A.5.22,A.5.23}'),
    ('7.8', 'awareness_and_competence', 'Process to assure necessary awareness and competence', 'core',
     'Make sure that everyone whose work affects information security is competent for it and aware of the policy, of their contribution and of the consequences of not conforming.',
     '{7.2,7.3,A.6.3}'),
    ('7.9', 'incident_management', 'Information security incident management process', 'core',
     'Report, assess and respond to information security events and incidents consistently, and learn from them to reduce their likelihood and impact.',
     '{A.5.24,A.5.25,A.5.26,A.5.27,A.5.28,A.6.8}'),
    ('7.10', 'change_management', 'Information security change management process', 'core',
     'Assess, approve and control changes to the ISMS and its controls so that they are made as planned and unintended consequences are reviewed.',
     '{6.3,8.1,A.8.32}'),
    ('7.11', 'internal_audit', 'Internal audit process', 'core',
     'Plan and run an audit programme that tells management objectively whether the ISMS conforms to its requirements and is effectively implemented and maintained.',
     '{9.2}'),
    ('7.12', 'performance_evaluation', 'Performance evaluation process', 'core',
     'Decide what to monitor and measure, collect and analyse the results, and evaluate and report information security performance and the effectiveness of the ISMS.',
     '{9.1}'),
    ('7.13', 'improvement', 'Information security improvement process', 'core',
     'React to nonconformities, remove their causes with corrective actions, and improve the suitability, adequacy and effectiveness of the ISMS continually.',
     '{10.1,10.2}'),
    ('8.2', 'records_control', 'Records control process', 'support',
     'Control the ISMS''s documented information: identify it, set rules for its format, review and approval, protect and distribute it, and retain and dispose of it as required.',
     '{7.5,A.5.33,A.5.37}'),
    ('8.3', 'resource_management', 'Resource management process', 'support',
     'Determine and provide the people, budget, tools and infrastructure the ISMS needs, and monitor their use.',
     '{5.1,7.1}'),
    ('8.4', 'communication', 'Communication process', 'support',
     'Decide what to communicate about information security, when, with whom and how, inside and outside the organisation, and carry it out.',
     '{7.4}'),
    ('8.5', 'customer_relationship_management', 'Information security customer relationship management process', 'support',
     'Capture customers'' information security requirements, report to customers on information security, and handle their feedback and complaints.',
     '{4.2,7.4,9.3.2}')
), p AS (
    INSERT INTO isms.process (code, key, name, category, purpose)
    SELECT v.code::isms.clause, v.key, v.name, v.category::isms.process_category, v.purpose
      FROM v
    RETURNING process_id, key
)
INSERT INTO isms.process_reference (process_id, clause)
SELECT p.process_id, r.clause::isms.clause
  FROM p JOIN v ON v.key = p.key, unnest(v.refs::text[]) AS r (clause);

-- Activities of each process, in order, and the clauses each serves.
WITH v (code, activity_no, name, optional, refs) AS (VALUES
    ('6.2',  1, 'Analyse context', false, '{4.1}'),
    ('6.2',  2, 'Define the ISMS scope', false, '{4.3}'),
    ('6.2',  3, 'Assign roles and authorities', false, '{5.3}'),
    ('6.2',  4, 'Set objectives and risk criteria', false, '{6.2,6.1.2}'),
    ('6.2',  5, 'Conduct management review', true, '{9.3}'),
    ('7.2',  1, 'Draft or revise policies', false, '{5.2,A.5.1}'),
    ('7.2',  2, 'Approve policies', false, '{A.5.1}'),
    ('7.2',  3, 'Publish and communicate', false, '{5.2,A.5.1}'),
    ('7.2',  4, 'Plan the next review', false, '{A.5.1}'),
    ('7.3',  1, 'Identify interested parties', false, '{4.2}'),
    ('7.3',  2, 'Identify and record requirements', false, '{4.2,A.5.31}'),
    ('7.3',  3, 'Decide which requirements the ISMS addresses', false, '{4.2}'),
    ('7.3',  4, 'Hand requirements to dependent processes', false, '{}'),
    ('7.4',  1, 'Confirm criteria and method', false, '{6.1.2}'),
    ('7.4',  2, 'Identify risks and risk owners', false, '{6.1.2}'),
    ('7.4',  3, 'Analyse risks', false, '{6.1.2}'),
    ('7.4',  4, 'Evaluate and prioritise risks', false, '{6.1.2}'),
    ('7.4',  5, 'Report the results', false, '{8.2}'),
    ('7.5',  1, 'Select treatment options', false, '{6.1.3}'),
    ('7.5',  2, 'Determine controls', false, '{6.1.3}'),
    ('7.5',  3, 'Compare with Annex A and produce the SoA', false, '{6.1.3}'),
    ('7.5',  4, 'Formulate the treatment plan', false, '{6.1.3}'),
    ('7.5',  5, 'Obtain risk owners'' approval', false, '{6.1.3}'),
    ('7.6',  1, 'Plan implementation', false, '{8.1}'),
    ('7.6',  2, 'Implement controls', false, '{8.3}'),
    ('7.6',  3, 'Verify and collect evidence', false, '{8.3}'),
    ('7.6',  4, 'Report status', false, '{}'),
    ('7.7',  1, 'Identify outsourced processes and suppliers', false, '{8.1,A.5.19}'),
    ('7.7',  2, 'Agree security requirements', false, '{A.5.20}'),
    ('7.7',  3, 'Monitor and review supplier services', false, '{A.5.22}'),
    ('7.7',  4, 'Manage changes to supplier services', true, '{A.5.22}'),
    ('7.8',  1, 'Determine competence needs', false, '{7.2}'),
    ('7.8',  2, 'Plan awareness and training', false, '{7.3,A.6.3}'),
    ('7.8',  3, 'Deliver awareness and training', false, '{A.6.3}'),
    ('7.8',  4, 'Evaluate effectiveness and keep evidence', false, '{7.2}'),
    ('7.9',  1, 'Report and log events', false, '{A.6.8}'),
    ('7.9',  2, 'Assess and decide', false, '{A.5.25}'),
    ('7.9',  3, 'Respond', false, '{A.5.26}'),
    ('7.9',  4, 'Collect evidence', true, '{A.5.28}'),
    ('7.9',  5, 'Learn', false, '{A.5.27}'),
    ('7.10', 1, 'Record the request', false, '{6.3}'),
    ('7.10', 2, 'Assess impact and risk', false, '{6.3}'),
    ('7.10', 3, 'Approve or reject', false, '{8.1}'),
    ('7.10', 4, 'Implement and review', false, '{8.1,A.8.32}'),
    ('7.11', 1, 'Plan the audit programme', false, '{9.2.2}'),
    ('7.11', 2, 'Define criteria and scope', false, '{9.2.2}'),
    ('7.11', 3, 'Conduct audits', false, '{9.2.1}'),
    ('7.11', 4, 'Report to management', false, '{9.2.2}'),
    ('7.11', 5, 'Record nonconformities', true, '{10.2}'),
    ('7.12', 1, 'Decide what to measure and how', false, '{9.1}'),
    ('7.12', 2, 'Monitor and measure', false, '{9.1}'),
    ('7.12', 3, 'Analyse and evaluate', false, '{9.1}'),
    ('7.12', 4, 'Report', false, '{9.1}'),
    ('7.13', 1, 'React to the nonconformity', false, '{10.2}'),
    ('7.13', 2, 'Determine causes', false, '{10.2}'),
    ('7.13', 3, 'Implement corrective actions', false, '{10.2}'),
    ('7.13', 4, 'Review effectiveness', false, '{10.2}'),
    ('7.13', 5, 'Update the ISMS', true, '{10.1,10.2}'),
    ('8.2',  1, 'Identify documented information', false, '{7.5.1}'),
    ('8.2',  2, 'Set format, review and approval rules', false, '{7.5.2}'),
    ('8.2',  3, 'Control distribution, access and storage', false, '{7.5.3}'),
    ('8.2',  4, 'Retain and dispose', false, '{7.5.3,A.5.33}'),
    ('8.3',  1, 'Determine needs', false, '{7.1}'),
    ('8.3',  2, 'Allocate', false, '{5.1,7.1}'),
    ('8.3',  3, 'Monitor use', false, '{}'),
    ('8.4',  1, 'Plan what, when, with whom and how', false, '{7.4}'),
    ('8.4',  2, 'Communicate', false, '{7.4}'),
    ('8.4',  3, 'Record', true, '{}'),
    ('8.5',  1, 'Capture customer requirements', false, '{4.2}'),
    ('8.5',  2, 'Report to customers', false, '{7.4}'),
    ('8.5',  3, 'Handle feedback and complaints', false, '{9.3.2}')
), a AS (
    INSERT INTO isms.activity (process_id, activity_no, name, optional)
    SELECT p.process_id, v.activity_no, v.name, v.optional
      FROM v JOIN isms.process p ON p.code = v.code::isms.clause AND p.org_id IS NULL
    RETURNING activity_id, process_id, activity_no
)
INSERT INTO isms.activity_reference (activity_id, clause)
SELECT a.activity_id, r.clause::isms.clause
  FROM a
  JOIN isms.process p ON p.process_id = a.process_id
  JOIN v ON v.code::isms.clause = p.code AND v.activity_no = a.activity_no,
       unnest(v.refs::text[]) AS r (clause);

-- Inputs: required, optional, or at least one of a named group.
INSERT INTO isms.process_input (process_id, work_product_id, requirement, input_group, note)
SELECT p.process_id, w.work_product_id, v.requirement::isms.input_requirement, v.input_group, v.note
  FROM (VALUES
    ('6.2',  'business_context',           'required', NULL, NULL),
    ('6.2',  'performance_report',         'optional', NULL, NULL),
    ('6.2',  'audit_report',               'optional', NULL, NULL),
    ('6.2',  'corrective_action_record',   'optional', NULL, NULL),
    ('6.2',  'improvement_proposal',       'optional', NULL, NULL),
    ('6.2',  'risk_assessment_report',     'optional', NULL, NULL),
    ('6.2',  'customer_feedback',          'optional', NULL, NULL),
    ('6.2',  'resource_plan',              'optional', NULL, NULL),
    ('7.2',  'security_objectives',        'required', NULL, NULL),
    ('7.2',  'requirements_register',      'required', NULL, NULL),
    ('7.2',  'risk_treatment_plan',        'optional', NULL, NULL),
    ('7.2',  'audit_report',               'optional', NULL, NULL),
    ('7.3',  'context_analysis',           'required', NULL, NULL),
    ('7.3',  'legal_obligation',           'optional', NULL, NULL),
    ('7.3',  'customer_requirements',      'optional', NULL, NULL),
    ('7.3',  'isms_scope',                 'optional', NULL, NULL),
    ('7.4',  'isms_scope',                 'required', NULL, NULL),
    ('7.4',  'risk_criteria',              'required', NULL, NULL),
    ('7.4',  'requirements_register',      'required', NULL, NULL),
    ('7.4',  'asset_inventory',            'optional', NULL, NULL),
    ('7.4',  'lessons_learned',            'optional', NULL, NULL),
    ('7.4',  'change_record',              'optional', NULL, NULL),
    ('7.4',  'risk_register',              'optional', NULL, 'the previous risk register'),
    ('7.5',  'risk_assessment_report',     'required', NULL, NULL),
    ('7.5',  'risk_register',              'required', NULL, NULL),
    ('7.5',  'risk_criteria',              'required', NULL, NULL),
    ('7.6',  'risk_treatment_plan',        'required', NULL, NULL),
    ('7.6',  'statement_of_applicability', 'required', NULL, NULL),
    ('7.6',  'risk_acceptance',            'required', NULL, NULL),
    ('7.6',  'change_record',              'optional', NULL, NULL),
    ('7.6',  'security_policy',            'optional', NULL, NULL),
    ('7.7',  'requirements_register',      'required', NULL, NULL),
    ('7.7',  'risk_treatment_plan',        'required', NULL, NULL),
    ('7.8',  'roles_and_responsibilities', 'required', NULL, NULL),
    ('7.8',  'security_policy',            'required', NULL, NULL),
    ('7.8',  'lessons_learned',            'optional', NULL, NULL),
    ('7.9',  'security_event',             'required', NULL, NULL),
    ('7.9',  'security_policy',            'optional', NULL, NULL),
    ('7.10', 'change_request',             'required', NULL, NULL),
    ('7.10', 'risk_register',              'optional', NULL, NULL),
    ('7.11', 'isms_scope',                 'required', NULL, NULL),
    ('7.11', 'requirements_register',      'required', NULL, NULL),
    ('7.11', 'audit_report',               'optional', NULL, 'the previous audit results'),
    ('7.11', 'risk_assessment_report',     'optional', NULL, NULL),
    ('7.12', 'security_objectives',        'required', NULL, NULL),
    ('7.12', 'measurement_plan',           'optional', NULL, 'the current plan, if one exists'),
    ('7.12', 'implementation_record',      'optional', NULL, NULL),
    ('7.12', 'incident_record',            'optional', NULL, NULL),
    ('7.13', 'nonconformity',              'group',    'trigger', NULL),
    ('7.13', 'lessons_learned',            'group',    'trigger', NULL),
    ('7.13', 'performance_report',         'group',    'trigger', NULL),
    ('7.13', 'management_review_results',  'group',    'trigger', NULL),
    ('7.13', 'corrective_action_record',   'optional', NULL, 'earlier corrective actions'),
    ('8.2',  'requirements_register',      'required', NULL, NULL),
    ('8.2',  'document_register',          'optional', NULL, 'the current register, if one exists'),
    ('8.3',  'security_objectives',        'required', NULL, NULL),
    ('8.3',  'risk_treatment_plan',        'optional', NULL, NULL),
    ('8.3',  'awareness_programme',        'optional', NULL, NULL),
    ('8.4',  'security_policy',            'required', NULL, NULL),
    ('8.4',  'risk_register',              'optional', NULL, NULL),
    ('8.4',  'performance_report',         'optional', NULL, NULL),
    ('8.4',  'incident_record',            'optional', NULL, NULL),
    ('8.5',  'customer_request',           'required', NULL, NULL),
    ('8.5',  'incident_record',            'optional', NULL, NULL)
  ) AS v (code, key, requirement, input_group, note)
  JOIN isms.process p ON p.code = v.code::isms.clause AND p.org_id IS NULL
  JOIN isms.work_product w ON w.key = v.key AND w.org_id IS NULL;

-- Inputs an activity needs linked before its step is done.
INSERT INTO isms.activity_input (process_id, activity_no, work_product_id)
SELECT p.process_id, v.activity_no, w.work_product_id
  FROM (VALUES
    ('6.2', 5, 'performance_report'),
    ('6.2', 5, 'audit_report')
  ) AS v (code, activity_no, key)
  JOIN isms.process p ON p.code = v.code::isms.clause AND p.org_id IS NULL
  JOIN isms.work_product w ON w.key = v.key AND w.org_id IS NULL;

-- Outputs, with the activity that produces each.
INSERT INTO isms.process_output (process_id, work_product_id, required, activity_no)
SELECT p.process_id, w.work_product_id, v.required, v.activity_no
  FROM (VALUES
    ('6.2',  'context_analysis',           true,  1),
    ('6.2',  'isms_scope',                 true,  2),
    ('6.2',  'roles_and_responsibilities', true,  3),
    ('6.2',  'security_objectives',        true,  4),
    ('6.2',  'risk_criteria',              true,  4),
    ('6.2',  'management_review_results',  true,  5),
    ('7.2',  'security_policy',            true,  1),
    ('7.2',  'topic_specific_policy',      false, 1),
    ('7.3',  'interested_parties_register', true, 1),
    ('7.3',  'requirements_register',      true,  2),
    ('7.4',  'risk_register',              true,  4),
    ('7.4',  'risk_assessment_report',     true,  5),
    ('7.5',  'statement_of_applicability', true,  3),
    ('7.5',  'risk_treatment_plan',        true,  4),
    ('7.5',  'risk_acceptance',            true,  5),
    ('7.5',  'change_request',             false, 4),
    ('7.6',  'implementation_record',      true,  3),
    ('7.6',  'operating_procedure',        false, 2),
    ('7.7',  'supplier_register',          true,  1),
    ('7.7',  'supplier_agreement',         false, 2),
    ('7.7',  'supplier_review',            true,  3),
    ('7.8',  'competence_requirements',    true,  1),
    ('7.8',  'awareness_programme',        true,  2),
    ('7.8',  'competence_evidence',        true,  4),
    ('7.9',  'incident_record',            true,  2),
    ('7.9',  'lessons_learned',            true,  5),
    ('7.9',  'change_request',             false, 5),
    ('7.10', 'change_assessment',          true,  2),
    ('7.10', 'change_record',              true,  3),
    ('7.11', 'audit_programme',            true,  1),
    ('7.11', 'audit_report',               true,  4),
    ('7.11', 'nonconformity',              true,  5),
    ('7.12', 'measurement_plan',           true,  1),
    ('7.12', 'measurement_results',        true,  2),
    ('7.12', 'performance_report',         true,  4),
    ('7.13', 'corrective_action_record',   true,  4),
    ('7.13', 'improvement_proposal',       false, 5),
    ('7.13', 'change_request',             false, 5),
    ('8.2',  'document_register',          true,  1),
    ('8.2',  'retention_schedule',         true,  4),
    ('8.3',  'resource_plan',              true,  2),
    ('8.4',  'communication_plan',         true,  1),
    ('8.4',  'communication_record',       true,  3),
    ('8.5',  'customer_requirements',      true,  1),
    ('8.5',  'customer_report',            false, 2),
    ('8.5',  'customer_feedback',          true,  3)
  ) AS v (code, key, required, activity_no)
  JOIN isms.process p ON p.code = v.code::isms.clause AND p.org_id IS NULL
  JOIN isms.work_product w ON w.key = v.key AND w.org_id IS NULL;

-- Organisations' tailoring rows, and the identity sequences behind their ids,
-- are user data: pg_dump must dump them, but never the shipped rows.  (One
-- call per statement: each call updates the same pg_extension row.)
SELECT pg_catalog.pg_extension_config_dump('isms.work_product', 'WHERE org_id IS NOT NULL');
SELECT pg_catalog.pg_extension_config_dump('isms.process', 'WHERE org_id IS NOT NULL');
SELECT pg_catalog.pg_extension_config_dump('isms.activity', 'WHERE org_id IS NOT NULL');
SELECT pg_catalog.pg_extension_config_dump('isms.process_input', 'WHERE org_id IS NOT NULL');
SELECT pg_catalog.pg_extension_config_dump('isms.activity_input', 'WHERE org_id IS NOT NULL');
SELECT pg_catalog.pg_extension_config_dump('isms.process_output', 'WHERE org_id IS NOT NULL');
-- References have no org_id: dump those of organisations' own rows.
SELECT pg_catalog.pg_extension_config_dump('isms.process_reference',
    'WHERE process_id IN (SELECT process_id FROM isms.process WHERE org_id IS NOT NULL)');
SELECT pg_catalog.pg_extension_config_dump('isms.activity_reference',
    'WHERE activity_id IN (SELECT activity_id FROM isms.activity WHERE org_id IS NOT NULL)');
SELECT pg_catalog.pg_extension_config_dump('isms.work_product_reference',
    'WHERE work_product_id IN (SELECT work_product_id FROM isms.work_product WHERE org_id IS NOT NULL)');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('isms.work_product', 'work_product_id')::regclass, '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('isms.process', 'process_id')::regclass, '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('isms.activity', 'activity_id')::regclass, '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('isms.process_input', 'process_input_id')::regclass, '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('isms.activity_input', 'activity_input_id')::regclass, '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('isms.process_output', 'process_output_id')::regclass, '');
-- Operational tables of the process engine.
--
-- Every key and foreign key leads with org_id, so tenants can be isolated
-- with row-level security and the tables distributed by organisation.  The
-- rules are enforced by the C triggers created in 070_engine_triggers.sql.

CREATE SEQUENCE isms.run_id_seq;
CREATE SEQUENCE isms.record_id_seq;

-- The event chain head of each organisation: the number and hash of its
-- latest event.  Appending an event locks this row, which serialises the
-- writers of one organisation into one unbroken chain.
CREATE TABLE isms.event_chain (
    org_id         bigint PRIMARY KEY REFERENCES isms.organization ON DELETE CASCADE,
    last_event_no  bigint NOT NULL DEFAULT 0,
    last_hash      bytea
);
COMMENT ON TABLE isms.event_chain IS 'Head of each organisation''s event hash chain (written by the engine only)';

-- Tailoring: processes an organisation declares not applicable.
CREATE TABLE isms.process_exclusion (
    org_id         bigint NOT NULL REFERENCES isms.organization ON DELETE CASCADE,
    process_id     integer NOT NULL REFERENCES isms.process,
    justification  text NOT NULL CHECK (justification ~ '[^[:space:]]'),
    decided_by     text NOT NULL DEFAULT current_user,
    decided_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, process_id)
);
COMMENT ON TABLE isms.process_exclusion IS
    'Processes an organisation has declared not applicable, with the justification; they cannot be run';

-- A run: one performance of a process by an organisation.
CREATE TABLE isms.run (
    org_id         bigint NOT NULL REFERENCES isms.organization,
    run_id         bigint NOT NULL DEFAULT nextval('isms.run_id_seq'),
    process_id     integer NOT NULL REFERENCES isms.process,
    title          text NOT NULL CHECK (title ~ '[^[:space:]]'),
    owner          text,
    planned_start  date,
    due            date,
    state          isms.run_state NOT NULL DEFAULT 'planned',
    state_reason   text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    started_at     timestamptz,
    ended_at       timestamptz,
    PRIMARY KEY (org_id, run_id),
    CHECK (due >= planned_start)
);
ALTER SEQUENCE isms.run_id_seq OWNED BY isms.run.run_id;
CREATE INDEX run_run_id_idx ON isms.run (run_id);
CREATE INDEX run_process_idx ON isms.run (org_id, process_id, state);
COMMENT ON TABLE isms.run IS 'Runs: performances of a process by an organisation';
COMMENT ON COLUMN isms.run.state_reason IS 'Reason given for the latest suspension or cancellation';
COMMENT ON COLUMN isms.run.ended_at IS 'When the run was completed or cancelled';

-- A step: one activity inside a run (created by the engine with the run).
CREATE TABLE isms.step (
    org_id         bigint NOT NULL,
    run_id         bigint NOT NULL,
    activity_no    integer NOT NULL,
    state          isms.step_state NOT NULL DEFAULT 'pending',
    performer      text,
    started_at     timestamptz,
    finished_at    timestamptz,
    skip_reason    text,
    PRIMARY KEY (org_id, run_id, activity_no),
    FOREIGN KEY (org_id, run_id) REFERENCES isms.run
);
COMMENT ON TABLE isms.step IS 'Steps: the activities of a run, created with the run';

-- A record: one version of a work product (documented information).
CREATE TABLE isms.record (
    org_id           bigint NOT NULL REFERENCES isms.organization,
    record_id        bigint NOT NULL DEFAULT nextval('isms.record_id_seq'),
    work_product_id  integer NOT NULL REFERENCES isms.work_product,
    document_id      bigint,
    version          integer CHECK (version >= 1),
    title            text NOT NULL CHECK (title ~ '[^[:space:]]'),
    state            isms.record_state NOT NULL DEFAULT 'draft',
    author           text,
    approver         text,
    approved_at      timestamptz,
    content          jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(content) = 'object'),
    evidence_uri     text CHECK (evidence_uri ~ '[^[:space:]]'),
    evidence_sha256  text CHECK (evidence_sha256 ~ '^[0-9a-f]{64}$'),
    valid_until      date,
    retain_until     date,
    produced_by_run  bigint,
    state_reason     text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, record_id),
    UNIQUE (org_id, document_id, version),
    FOREIGN KEY (org_id, document_id) REFERENCES isms.record (org_id, record_id),
    FOREIGN KEY (org_id, produced_by_run) REFERENCES isms.run (org_id, run_id),
    CHECK ((evidence_uri IS NULL) = (evidence_sha256 IS NULL))
);
ALTER SEQUENCE isms.record_id_seq OWNED BY isms.record.record_id;
CREATE INDEX record_record_id_idx ON isms.record (record_id);
CREATE INDEX record_work_product_idx ON isms.record (org_id, work_product_id, state);
-- at most one approved (current) version of a document
CREATE UNIQUE INDEX record_current_version_idx ON isms.record (org_id, document_id) WHERE state = 'approved';
COMMENT ON TABLE isms.record IS 'Records: versions of work products (documented information)';
COMMENT ON COLUMN isms.record.document_id IS 'The record_id of the first version: all versions of one document share it';
COMMENT ON COLUMN isms.record.valid_until IS 'An approved document must be reviewed (confirmed or replaced) by this date';
COMMENT ON COLUMN isms.record.retain_until IS 'The record may not be deleted before this date';
COMMENT ON COLUMN isms.record.produced_by_run IS 'The run that produced this record as an output (NULL for external records)';

-- Links between runs and records.
CREATE TABLE isms.run_record (
    org_id     bigint NOT NULL,
    run_id     bigint NOT NULL,
    record_id  bigint NOT NULL,
    role       isms.link_role NOT NULL,
    linked_by  text,
    linked_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, run_id, role, record_id),
    FOREIGN KEY (org_id, run_id) REFERENCES isms.run,
    FOREIGN KEY (org_id, record_id) REFERENCES isms.record
);
CREATE INDEX run_record_record_idx ON isms.run_record (org_id, record_id);
COMMENT ON TABLE isms.run_record IS
    'Records used by a run as inputs, produced by it as outputs, or confirmed by it as still valid outputs';

-- Events: the append-only, hash-chained audit trail of every state change.
CREATE TABLE isms.event (
    org_id       bigint NOT NULL REFERENCES isms.organization,
    event_no     bigint NOT NULL,
    occurred_at  timestamptz NOT NULL,
    actor        text NOT NULL,
    object_type  text NOT NULL,
    object_id    bigint,
    action       text NOT NULL,
    old_state    text,
    new_state    text,
    detail       jsonb,
    prev_hash    bytea,
    hash         bytea NOT NULL,
    PRIMARY KEY (org_id, event_no)
);
CREATE INDEX event_object_idx ON isms.event (org_id, object_type, object_id);
COMMENT ON TABLE isms.event IS
    'Append-only audit trail: one row per state change, approval and confirmation, SHA-256 chained per organisation';
COMMENT ON COLUMN isms.event.hash IS 'SHA-256 of prev_hash and the canonical form of this event (see isms.verify_events)';

SELECT pg_catalog.pg_extension_config_dump('isms.organization', '');
SELECT pg_catalog.pg_extension_config_dump('isms.event_chain', '');
SELECT pg_catalog.pg_extension_config_dump('isms.process_exclusion', '');
SELECT pg_catalog.pg_extension_config_dump('isms.run', '');
SELECT pg_catalog.pg_extension_config_dump('isms.step', '');
SELECT pg_catalog.pg_extension_config_dump('isms.record', '');
SELECT pg_catalog.pg_extension_config_dump('isms.run_record', '');
SELECT pg_catalog.pg_extension_config_dump('isms.event', '');
SELECT pg_catalog.pg_extension_config_dump('isms.run_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('isms.record_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('isms.organization', 'org_id')::pg_catalog.regclass, '');
-- The engine's rules, written in C and attached as triggers, so that the API
-- functions, plain INSERT/UPDATE/DELETE and COPY all obey them alike.

CREATE FUNCTION isms.run_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'run_trigger';
CREATE FUNCTION isms.run_steps_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'run_steps_trigger';
CREATE FUNCTION isms.step_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'step_trigger';
CREATE FUNCTION isms.record_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'record_trigger';
CREATE FUNCTION isms.record_output_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'record_output_trigger';
CREATE FUNCTION isms.run_record_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'run_record_trigger';
CREATE FUNCTION isms.event_guard_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'event_guard_trigger';
CREATE FUNCTION isms.organization_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'organization_trigger';
CREATE FUNCTION isms.model_changed_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'model_changed_trigger';

CREATE TRIGGER organization_opens_chain AFTER INSERT ON isms.organization
    FOR EACH ROW EXECUTE FUNCTION isms.organization_trigger();

CREATE TRIGGER run_rules BEFORE INSERT OR UPDATE OR DELETE ON isms.run
    FOR EACH ROW EXECUTE FUNCTION isms.run_trigger();
CREATE TRIGGER run_creates_steps AFTER INSERT ON isms.run
    FOR EACH ROW EXECUTE FUNCTION isms.run_steps_trigger();
CREATE TRIGGER step_rules BEFORE INSERT OR UPDATE OR DELETE ON isms.step
    FOR EACH ROW EXECUTE FUNCTION isms.step_trigger();
CREATE TRIGGER record_rules BEFORE INSERT OR UPDATE OR DELETE ON isms.record
    FOR EACH ROW EXECUTE FUNCTION isms.record_trigger();
CREATE TRIGGER record_links_output AFTER INSERT ON isms.record
    FOR EACH ROW EXECUTE FUNCTION isms.record_output_trigger();
CREATE TRIGGER run_record_rules BEFORE INSERT OR UPDATE OR DELETE ON isms.run_record
    FOR EACH ROW EXECUTE FUNCTION isms.run_record_trigger();

CREATE TRIGGER event_append_only BEFORE INSERT OR UPDATE OR DELETE ON isms.event
    FOR EACH ROW EXECUTE FUNCTION isms.event_guard_trigger();
CREATE TRIGGER event_no_truncate BEFORE TRUNCATE ON isms.event
    FOR EACH STATEMENT EXECUTE FUNCTION isms.event_guard_trigger();
CREATE TRIGGER event_chain_engine_only BEFORE INSERT OR UPDATE OR DELETE ON isms.event_chain
    FOR EACH ROW EXECUTE FUNCTION isms.event_guard_trigger();
CREATE TRIGGER event_chain_no_truncate BEFORE TRUNCATE ON isms.event_chain
    FOR EACH STATEMENT EXECUTE FUNCTION isms.event_guard_trigger();

-- Every backend's model cache is dropped when the catalog or tailoring changes.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['process', 'activity', 'work_product', 'process_input', 'activity_input',
                             'process_output', 'run_transition', 'step_transition', 'record_transition',
                             'process_exclusion']
    LOOP
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER model_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON isms.%I '
            'FOR EACH STATEMENT EXECUTE FUNCTION isms.model_changed_trigger()', t);
    END LOOP;
END
$$;
-- The SQL API.  Every function is a thin, SECURITY INVOKER wrapper around
-- plain DML on the operational tables: the C triggers enforce the rules, so
-- the API and direct DML behave identically, and row-level security applies
-- to the caller.  Functions that change an existing object first look it up
-- on its own (isms.run_org, isms.record_org, isms.step_org), so that an
-- unknown or invisible id fails with IS015 instead of changing nothing.

-- Id lookups that fail with IS015 when the object is not visible to the caller.
CREATE FUNCTION isms.run_org(run bigint) RETURNS bigint
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'api_run_org';
CREATE FUNCTION isms.record_org(record bigint) RETURNS bigint
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'api_record_org';
CREATE FUNCTION isms.step_org(run bigint, activity_no integer) RETURNS bigint
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'api_step_org';
CREATE FUNCTION isms.process_id(org bigint, process isms.clause) RETURNS integer
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'api_process_id';
CREATE FUNCTION isms.work_product_id(org bigint, work_product text) RETURNS integer
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'api_work_product_id';
COMMENT ON FUNCTION isms.process_id(bigint, isms.clause) IS 'The process with this code as the organization sees it (IS015 if none)';
COMMENT ON FUNCTION isms.work_product_id(bigint, text) IS 'The work product with this key as the organization sees it (IS015 if none)';

CREATE FUNCTION isms.verify_events(org bigint,
    OUT valid boolean, OUT events_checked bigint, OUT first_broken_event bigint, OUT problem text)
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'event_verify';
COMMENT ON FUNCTION isms.verify_events(bigint) IS
    'Recompute the organization''s event hash chain end to end; report the first broken link';

CREATE FUNCTION isms.run_blockers(run bigint)
    RETURNS TABLE (blocker text, item text, detail text)
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'run_blockers';
COMMENT ON FUNCTION isms.run_blockers(bigint) IS
    'What a run still needs before it can start (planned) or complete (active): one row per missing thing';

-- Organisations
CREATE FUNCTION isms.create_organization(name text) RETURNS bigint
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ INSERT INTO isms.organization (name) VALUES ($1) RETURNING org_id $$;
COMMENT ON FUNCTION isms.create_organization(text) IS 'Create an organization (tenant) and open its event chain';

-- Runs
CREATE FUNCTION isms.plan_run(org bigint, process isms.clause, title text, owner text DEFAULT NULL,
                              planned_start date DEFAULT CURRENT_DATE, due date DEFAULT NULL)
    RETURNS bigint
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    INSERT INTO isms.run (org_id, process_id, title, owner, planned_start, due)
    VALUES ($1, isms.process_id($1, $2), $3, $4, $5, $6)
    RETURNING run_id
$$;
COMMENT ON FUNCTION isms.plan_run(bigint, isms.clause, text, text, date, date) IS
    'Plan a run of a process; its steps are created from the process''s activities';

CREATE FUNCTION isms.add_input(run bigint, record bigint) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ INSERT INTO isms.run_record (org_id, run_id, record_id, role) VALUES (isms.run_org($1), $1, $2, 'input') $$;
COMMENT ON FUNCTION isms.add_input(bigint, bigint) IS 'Link an approved, current record to a run as an input';

CREATE FUNCTION isms.remove_input(run bigint, record bigint) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.run_org($1);
    DELETE FROM isms.run_record
     WHERE org_id = isms.run_org($1) AND run_id = $1 AND record_id = $2 AND role = 'input'
$$;
COMMENT ON FUNCTION isms.remove_input(bigint, bigint) IS 'Unlink an input from a run that has not started';

-- Change the state of a run (and its reason).
CREATE FUNCTION isms.set_run_state(run bigint, state isms.run_state, reason text DEFAULT NULL) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.run_org($1);
    UPDATE isms.run SET state = $2, state_reason = coalesce($3, state_reason)
     WHERE org_id = isms.run_org($1) AND run_id = $1
$$;
COMMENT ON FUNCTION isms.set_run_state(bigint, isms.run_state, text) IS
    'Move a run to another state; the lifecycle and its rules are enforced';

CREATE FUNCTION isms.start_run(run bigint) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_run_state($1, 'active') $$;
CREATE FUNCTION isms.complete_run(run bigint) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_run_state($1, 'completed') $$;
CREATE FUNCTION isms.suspend_run(run bigint, reason text) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_run_state($1, 'suspended', $2) $$;
CREATE FUNCTION isms.resume_run(run bigint) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_run_state($1, 'active') $$;
CREATE FUNCTION isms.cancel_run(run bigint, reason text) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_run_state($1, 'cancelled', $2) $$;
COMMENT ON FUNCTION isms.start_run(bigint) IS 'Start a planned run: needs every required input linked (IS002)';
COMMENT ON FUNCTION isms.complete_run(bigint) IS 'Complete an active run: needs its steps finished and required outputs approved (IS008)';
COMMENT ON FUNCTION isms.suspend_run(bigint, text) IS 'Suspend an active run, with a reason';
COMMENT ON FUNCTION isms.resume_run(bigint) IS 'Resume a suspended run';
COMMENT ON FUNCTION isms.cancel_run(bigint, text) IS 'Cancel a run that is not closed, with a reason';

-- Steps
CREATE FUNCTION isms.set_step_state(run bigint, activity_no integer, state isms.step_state,
                                    performer text DEFAULT NULL, reason text DEFAULT NULL) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.step_org($1, $2);
    UPDATE isms.step SET state = $3, performer = coalesce($4, performer), skip_reason = coalesce($5, skip_reason)
     WHERE org_id = isms.step_org($1, $2) AND run_id = $1 AND activity_no = $2
$$;
COMMENT ON FUNCTION isms.set_step_state(bigint, integer, isms.step_state, text, text) IS
    'Move a step to another state; the lifecycle and its rules are enforced';

CREATE FUNCTION isms.start_step(run bigint, activity_no integer, performer text DEFAULT NULL) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_step_state($1, $2, 'active', $3) $$;
CREATE FUNCTION isms.finish_step(run bigint, activity_no integer) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_step_state($1, $2, 'done') $$;
CREATE FUNCTION isms.skip_step(run bigint, activity_no integer, reason text) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_step_state($1, $2, 'skipped', NULL, $3) $$;
COMMENT ON FUNCTION isms.start_step(bigint, integer, text) IS 'Start a step: the run is active and the steps before it are finished';
COMMENT ON FUNCTION isms.finish_step(bigint, integer) IS 'Finish a step: the activity''s own inputs are linked';
COMMENT ON FUNCTION isms.skip_step(bigint, integer, text) IS 'Skip an optional step, with a reason';

-- Records
CREATE FUNCTION isms.new_record(run bigint, work_product text, title text, content jsonb DEFAULT '{}',
                                evidence_uri text DEFAULT NULL, evidence_sha256 text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    WITH r AS (SELECT isms.run_org($1) AS org_id)
    INSERT INTO isms.record (org_id, work_product_id, title, content, evidence_uri, evidence_sha256, produced_by_run)
    SELECT r.org_id, isms.work_product_id(r.org_id, $2), $3, $4, $5, $6, $1 FROM r
    RETURNING record_id
$$;
COMMENT ON FUNCTION isms.new_record(bigint, text, text, jsonb, text, text) IS
    'Create a draft record as an output of an active run whose process outputs the work product';

CREATE FUNCTION isms.new_external_record(org bigint, work_product text, title text, content jsonb DEFAULT '{}',
                                         evidence_uri text DEFAULT NULL, evidence_sha256 text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    INSERT INTO isms.record (org_id, work_product_id, title, content, evidence_uri, evidence_sha256)
    VALUES ($1, isms.work_product_id($1, $2), $3, $4, $5, $6)
    RETURNING record_id
$$;
COMMENT ON FUNCTION isms.new_external_record(bigint, text, text, jsonb, text, text) IS
    'Create a draft record of a work product that comes from outside the ISMS (origin external or either)';

CREATE FUNCTION isms.new_version(record bigint, run bigint DEFAULT NULL) RETURNS bigint
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.record_org($1);
    INSERT INTO isms.record (org_id, work_product_id, document_id, title, content, evidence_uri, evidence_sha256,
                             produced_by_run)
    SELECT org_id, work_product_id, document_id, title, content, evidence_uri, evidence_sha256, $2
      FROM isms.record
     WHERE org_id = isms.record_org($1) AND record_id = $1
    RETURNING record_id
$$;
COMMENT ON FUNCTION isms.new_version(bigint, bigint) IS
    'Start the next version of a document as a draft copy of this record (produced by run, for process outputs)';

CREATE FUNCTION isms.set_record_state(record bigint, state isms.record_state, reason text DEFAULT NULL) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.record_org($1);
    UPDATE isms.record SET state = $2, state_reason = $3
     WHERE org_id = isms.record_org($1) AND record_id = $1
$$;
COMMENT ON FUNCTION isms.set_record_state(bigint, isms.record_state, text) IS
    'Move a record to another state; the lifecycle and its rules are enforced';

CREATE FUNCTION isms.submit_record(record bigint) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_record_state($1, 'in_review') $$;
CREATE FUNCTION isms.approve_record(record bigint) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_record_state($1, 'approved') $$;
CREATE FUNCTION isms.return_record(record bigint, reason text) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_record_state($1, 'draft', $2) $$;
CREATE FUNCTION isms.withdraw_record(record bigint, reason text) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ SELECT isms.set_record_state($1, 'withdrawn', $2) $$;
COMMENT ON FUNCTION isms.submit_record(bigint) IS 'Submit a draft record for review (its content is then frozen)';
COMMENT ON FUNCTION isms.approve_record(bigint) IS 'Approve a record in review: not by its author (IS010); supersedes the previous version';
COMMENT ON FUNCTION isms.return_record(bigint, text) IS 'Send a record in review back to draft, with a reason';
COMMENT ON FUNCTION isms.withdraw_record(bigint, text) IS 'Withdraw an approved record, with a reason';

CREATE FUNCTION isms.confirm_record(run bigint, record bigint) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ INSERT INTO isms.run_record (org_id, run_id, record_id, role) VALUES (isms.run_org($1), $1, $2, 'confirmed') $$;
COMMENT ON FUNCTION isms.confirm_record(bigint, bigint) IS
    'Confirm that an approved output is still valid, as an output of an active run: extends valid_until, no new version';

-- Tailoring
CREATE FUNCTION isms.exclude_process(org bigint, process isms.clause, justification text) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ INSERT INTO isms.process_exclusion (org_id, process_id, justification) VALUES ($1, isms.process_id($1, $2), $3) $$;
CREATE FUNCTION isms.include_process(org bigint, process isms.clause) RETURNS void
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$ DELETE FROM isms.process_exclusion WHERE org_id = $1 AND process_id = isms.process_id($1, $2) $$;
COMMENT ON FUNCTION isms.exclude_process(bigint, isms.clause, text) IS
    'Declare a process not applicable to the organization, with a justification; it can then not be run';
COMMENT ON FUNCTION isms.include_process(bigint, isms.clause) IS 'Revoke a declaration that a process is not applicable';
-- Membership: which database roles work for which organisations, and as
-- what.  Row-level security and the reporting views filter on
-- isms.is_member(org_id).

CREATE TABLE isms.membership (
    org_id      bigint NOT NULL REFERENCES isms.organization ON DELETE CASCADE,
    member      name NOT NULL,
    org_role    text NOT NULL CHECK (org_role IN ('admin', 'manager', 'contributor', 'auditor', 'reader')),
    granted_by  text NOT NULL DEFAULT current_user,
    granted_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, member)
);
CREATE INDEX membership_member_idx ON isms.membership (member, org_id);
COMMENT ON TABLE isms.membership IS
    'Database roles that belong to an organization, with their role in it';
SELECT pg_catalog.pg_extension_config_dump('isms.membership', '');

-- The caller's role in an organisation, and whether it is a member.  The
-- caller is the role logged in and set with SET ROLE, also inside SECURITY
-- DEFINER functions; answers are cached per backend (see src/model.c) and
-- dropped when isms.membership changes.
CREATE FUNCTION isms.member_role(org bigint) RETURNS text
    LANGUAGE c STABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'api_member_role';
CREATE FUNCTION isms.is_member(org bigint) RETURNS boolean
    LANGUAGE c STABLE STRICT PARALLEL SAFE AS 'MODULE_PATHNAME', 'api_is_member';
COMMENT ON FUNCTION isms.member_role(bigint) IS
    'The current role''s role in the organization (admin, manager, contributor, auditor, reader), or NULL';
COMMENT ON FUNCTION isms.is_member(bigint) IS 'Whether the current role is a member of the organization';

CREATE TRIGGER model_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON isms.membership
    FOR EACH STATEMENT EXECUTE FUNCTION isms.model_changed_trigger();
-- Tailoring: an organisation's own processes, activities, work products and
-- input/output rules.  The catalog tables are read-only for tenant roles;
-- these SECURITY DEFINER functions write an organisation's rows for its
-- administrators, and isms.tailoring_trigger (C) keeps the PRM read-only and
-- every organisation's tailoring its own.

CREATE FUNCTION isms.tailoring_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'tailoring_trigger';
CREATE FUNCTION isms.require_org_role(org bigint, org_roles text[]) RETURNS void
    LANGUAGE c STABLE STRICT AS 'MODULE_PATHNAME', 'api_require_org_role';
COMMENT ON FUNCTION isms.require_org_role(bigint, text[]) IS
    'Raise 42501 unless the caller has one of these roles in the organization (or is a superuser)';

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['process', 'activity', 'work_product', 'process_input', 'activity_input', 'process_output']
    LOOP
        EXECUTE pg_catalog.format(
            'CREATE TRIGGER tailoring_rules BEFORE INSERT OR UPDATE OR DELETE ON isms.%I '
            'FOR EACH ROW EXECUTE FUNCTION isms.tailoring_trigger()', t);
    END LOOP;
END
$$;

CREATE FUNCTION isms.add_work_product(org bigint, key text, name text, kind isms.work_product_kind,
                                      origin isms.work_product_origin, review_months integer DEFAULT NULL,
                                      retention_months integer DEFAULT 36, description text DEFAULT NULL)
    RETURNS integer
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.require_org_role($1, '{admin}');
    INSERT INTO isms.work_product (org_id, key, name, kind, origin, review_months, retention_months, description)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
    RETURNING work_product_id
$$;
COMMENT ON FUNCTION isms.add_work_product(bigint, text, text, isms.work_product_kind, isms.work_product_origin,
                                          integer, integer, text) IS
    'Add a work product of the organization''s own (administrators)';

CREATE FUNCTION isms.add_process(org bigint, code isms.clause, key text, name text,
                                 category isms.process_category, purpose text)
    RETURNS integer
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.require_org_role($1, '{admin}');
    INSERT INTO isms.process (org_id, code, key, name, category, purpose)
    VALUES ($1, $2, $3, $4, $5, $6)
    RETURNING process_id
$$;
COMMENT ON FUNCTION isms.add_process(bigint, isms.clause, text, text, isms.process_category, text) IS
    'Add a process of the organization''s own (administrators); give it activities, inputs and outputs next';

CREATE FUNCTION isms.add_activity(org bigint, process isms.clause, name text, optional boolean DEFAULT false,
                                  description text DEFAULT NULL)
    RETURNS integer
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.require_org_role($1, '{admin}');
    INSERT INTO isms.activity (process_id, org_id, activity_no, name, optional, description)
    SELECT p.pid, $1, coalesce(max(a.activity_no), 0) + 1, $3, $4, $5
      FROM (SELECT isms.process_id($1, $2) AS pid) p
      LEFT JOIN isms.activity a
        ON a.process_id = p.pid AND (a.org_id IS NULL OR a.org_id = $1)
     GROUP BY p.pid
    RETURNING activity_no
$$;
COMMENT ON FUNCTION isms.add_activity(bigint, isms.clause, text, boolean, text) IS
    'Append an activity to a process for the organization (administrators); returns its number';

CREATE FUNCTION isms.add_process_input(org bigint, process isms.clause, work_product text,
                                       requirement isms.input_requirement DEFAULT 'required',
                                       input_group text DEFAULT NULL)
    RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.require_org_role($1, '{admin}');
    INSERT INTO isms.process_input (process_id, work_product_id, org_id, requirement, input_group)
    VALUES (isms.process_id($1, $2), isms.work_product_id($1, $3), $1, $4, $5)
$$;
COMMENT ON FUNCTION isms.add_process_input(bigint, isms.clause, text, isms.input_requirement, text) IS
    'Make a work product an input of a process for the organization (administrators)';

CREATE FUNCTION isms.add_process_output(org bigint, process isms.clause, work_product text,
                                        required boolean DEFAULT true, activity_no integer DEFAULT NULL)
    RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.require_org_role($1, '{admin}');
    INSERT INTO isms.process_output (process_id, work_product_id, org_id, required, activity_no)
    VALUES (isms.process_id($1, $2), isms.work_product_id($1, $3), $1, $4, $5)
$$;
COMMENT ON FUNCTION isms.add_process_output(bigint, isms.clause, text, boolean, integer) IS
    'Make a work product an output of a process for the organization (administrators)';

CREATE FUNCTION isms.add_activity_input(org bigint, process isms.clause, activity_no integer, work_product text)
    RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT isms.require_org_role($1, '{admin}');
    INSERT INTO isms.activity_input (process_id, activity_no, work_product_id, org_id)
    VALUES (isms.process_id($1, $2), $3, isms.work_product_id($1, $4), $1)
$$;
COMMENT ON FUNCTION isms.add_activity_input(bigint, isms.clause, integer, text) IS
    'Require an input to be linked before an activity is done, for the organization (administrators)';
-- Tenancy and security: what each group role may do, the row-level security
-- that confines it to its organisations, and the admin functions that manage
-- organisations and their members.
--
-- Two layers decide what a login role may do:
--   * its group roles (GRANT isms_manager TO alice) decide which statements
--     it may run at all: table and function privileges;
--   * its org_role in isms.membership decides, per organisation, which rows
--     those statements see and may write: row-level security policies.
-- The group roles nest: isms_reader < isms_contributor < isms_manager <
-- isms_admin, and isms_reader < isms_auditor.  Org roles nest the same way.
-- Superusers (the extension owner among them) bypass row-level security;
-- nobody else does, FORCE included.  The C triggers run for everyone.

-- The group roles nest (roles are cluster-wide: grant only what is missing).
DO $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT * FROM (VALUES ('isms_reader', 'isms_contributor'), ('isms_reader', 'isms_auditor'),
                                   ('isms_contributor', 'isms_manager'), ('isms_manager', 'isms_admin'))
                           AS v (granted, grantee)
    LOOP
        IF NOT pg_catalog.pg_has_role(g.grantee, g.granted, 'MEMBER') THEN
            EXECUTE pg_catalog.format('GRANT %I TO %I', g.granted, g.grantee);
        END IF;
    END LOOP;
END
$$;

-- Organisations are created by isms_admin members; the first admin is the
-- caller (the default is evaluated in the caller's context, where
-- CURRENT_USER is still the caller) or the role named.  Naming another role
-- only chooses who administers a new, empty organisation.  A superuser
-- needs no membership and gets none.  This replaces the invoker definition
-- of 080_api.sql, which a tenant role could not use under row-level
-- security.
DROP FUNCTION isms.create_organization(text);
CREATE FUNCTION isms.create_organization(name text, admin name DEFAULT CURRENT_USER) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    org bigint;
    superuser boolean;
BEGIN
    SELECT r.rolsuper INTO superuser FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) $2;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'role "%" does not exist', $2
            USING ERRCODE = '42704',
                  DETAIL = 'The first admin of an organization is a database role.',
                  HINT = 'Leave "admin" out to become the admin yourself.';
    END IF;
    INSERT INTO isms.organization (name) VALUES ($1) RETURNING org_id INTO org;
    IF NOT superuser THEN
        INSERT INTO isms.membership (org_id, member, org_role, granted_by) VALUES (org, $2, 'admin', $2);
    END IF;
    RETURN org;
END
$$;
COMMENT ON FUNCTION isms.create_organization(text, name) IS
    'Create an organization (tenant), open its event chain and make the caller (or the role named) its first admin';

-- Add a member to an organisation, or change its org role.  These two run
-- with the caller's rights: row-level security confines them to the
-- organisations the caller is admin of, and granted_by is the caller.
CREATE FUNCTION isms.add_member(org bigint, member name, org_role text) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    PERFORM isms.require_org_role($1, '{admin}');
    IF $3 IS NULL OR $3 OPERATOR(pg_catalog.<>) ALL ('{admin,manager,contributor,auditor,reader}'::text[]) THEN
        RAISE EXCEPTION 'invalid org role "%"', $3
            USING ERRCODE = '22023',
                  DETAIL = 'An org role is one of admin, manager, contributor, auditor, reader.',
                  HINT = 'Pass one of the org roles listed.';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles r WHERE r.rolname OPERATOR(pg_catalog.=) $2) THEN
        RAISE EXCEPTION 'role "%" does not exist', $2
            USING ERRCODE = '42704',
                  DETAIL = 'Members are database roles.',
                  HINT = 'Create the role first, and grant it the isms_* group role that matches its org role.';
    END IF;
    INSERT INTO isms.membership AS m (org_id, member, org_role) VALUES ($1, $2, $3)
        ON CONFLICT (org_id, member) DO UPDATE
        SET org_role = excluded.org_role, granted_by = excluded.granted_by, granted_at = excluded.granted_at;
END
$$;
COMMENT ON FUNCTION isms.add_member(bigint, name, text) IS
    'Make a role a member of the organization with an org role (admin, manager, contributor, auditor, reader), or change its org role';

-- Remove a member from an organisation (admins only).
CREATE FUNCTION isms.remove_member(org bigint, member name) RETURNS void
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    PERFORM isms.require_org_role($1, '{admin}');
    DELETE FROM isms.membership m
     WHERE m.org_id OPERATOR(pg_catalog.=) $1 AND m.member OPERATOR(pg_catalog.=) $2;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'role "%" is not a member of organization %', $2, $1
            USING ERRCODE = 'IS015',
                  DETAIL = 'There is no membership to remove.',
                  HINT = pg_catalog.format('List the members with: SELECT * FROM isms.membership WHERE org_id = %s.', $1);
    END IF;
END
$$;
COMMENT ON FUNCTION isms.remove_member(bigint, name) IS 'Remove a role from the organization (admins only)';

-- An organisation keeps at least one admin.  Changes to one organisation's
-- admins are serialised on its row, so two admins cannot remove each other.
CREATE FUNCTION isms.membership_keeps_admin_trigger() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF OLD.org_role OPERATOR(pg_catalog.=) 'admin'
       AND (TG_OP OPERATOR(pg_catalog.=) 'DELETE' OR NEW.org_role OPERATOR(pg_catalog.<>) 'admin') THEN
        PERFORM FROM isms.organization o WHERE o.org_id OPERATOR(pg_catalog.=) OLD.org_id FOR NO KEY UPDATE;
        IF FOUND AND NOT EXISTS (SELECT FROM isms.membership m
                                  WHERE m.org_id OPERATOR(pg_catalog.=) OLD.org_id
                                    AND m.org_role OPERATOR(pg_catalog.=) 'admin'
                                    AND m.member OPERATOR(pg_catalog.<>) OLD.member) THEN
            RAISE EXCEPTION 'organization % must keep an admin', OLD.org_id
                USING ERRCODE = '23514',
                      DETAIL = pg_catalog.format('Role "%s" is its only admin.', OLD.member),
                      HINT = 'Make another member admin first with isms.add_member(org, role, ''admin'').';
        END IF;
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER membership_keeps_admin BEFORE UPDATE OR DELETE ON isms.membership
    FOR EACH ROW EXECUTE FUNCTION isms.membership_keeps_admin_trigger();

-- Row-level security: one permissive policy per table, command and set of
-- org roles (isms.member_role is the caller's role in the row's
-- organisation, from the per-backend cache); a few add a condition on the
-- row.  UPDATE policies check the new row as well.
DO $$
DECLARE
    p record;
    cond text;
BEGIN
    FOR p IN SELECT * FROM (VALUES
        -- table            command   org roles                                extra condition on the row
        ('organization',    'SELECT', '{admin,manager,contributor,auditor}', NULL),
        ('organization',    'UPDATE', '{admin}',                             NULL),
        -- everyone sees its own memberships
        ('membership',      'SELECT', '{admin,manager,auditor}',             NULL),
        ('membership',      'INSERT', '{admin}',                             NULL),
        ('membership',      'UPDATE', '{admin}',                             NULL),
        ('membership',      'DELETE', '{admin}',                             NULL),
        ('process_exclusion', 'SELECT', '{admin,manager,contributor,auditor}', NULL),
        ('process_exclusion', 'INSERT', '{admin}',                           NULL),
        ('process_exclusion', 'UPDATE', '{admin}',                           NULL),
        ('process_exclusion', 'DELETE', '{admin}',                           NULL),
        ('run',             'SELECT', '{admin,manager,contributor,auditor}', NULL),
        ('run',             'INSERT', '{admin,manager}',                     NULL),
        ('run',             'UPDATE', '{admin,manager}',                     NULL),
        ('step',            'SELECT', '{admin,manager,contributor,auditor}', NULL),
        ('step',            'UPDATE', '{admin,manager,contributor}',         NULL),
        ('record',          'SELECT', '{admin,manager,contributor,auditor}', NULL),
        ('record',          'INSERT', '{admin,manager,contributor}',         NULL),
        -- contributors edit and submit drafts; approving and withdrawing is for managers
        ('record',          'UPDATE', '{admin,manager}',                     NULL),
        ('record',          'UPDATE', '{contributor}',                       'state OPERATOR(pg_catalog.=) ANY (''{draft,in_review}''::isms.record_state[])'),
        ('record',          'DELETE', '{admin,manager}',                     NULL),
        ('record',          'DELETE', '{contributor}',                       'state OPERATOR(pg_catalog.=) ''draft''::isms.record_state'),
        -- contributors link inputs; confirming an output is for managers
        ('run_record',      'SELECT', '{admin,manager,contributor,auditor}', NULL),
        ('run_record',      'INSERT', '{admin,manager}',                     NULL),
        ('run_record',      'INSERT', '{contributor}',                       'role OPERATOR(pg_catalog.=) ''input''::isms.link_role'),
        ('run_record',      'DELETE', '{admin,manager,contributor}',         NULL),
        ('event',           'SELECT', '{admin,manager,auditor}',             NULL),
        ('event_chain',     'SELECT', '{admin,manager,auditor}',             NULL)
      ) AS v (tab, cmd, org_roles, extra)
    LOOP
        cond := pg_catalog.format('isms.member_role(org_id) OPERATOR(pg_catalog.=) ANY (%L::text[])', p.org_roles);
        IF p.extra IS NOT NULL THEN
            cond := cond || ' AND ' || p.extra;
        END IF;
        IF p.tab OPERATOR(pg_catalog.=) 'membership' AND p.cmd OPERATOR(pg_catalog.=) 'SELECT' THEN
            cond := 'member OPERATOR(pg_catalog.=) CURRENT_USER OR ' || cond;
        END IF;
        EXECUTE pg_catalog.format('CREATE POLICY %I ON isms.%I FOR %s %s (%s)%s',
            pg_catalog.lower(p.cmd) || '_' || pg_catalog.array_to_string(p.org_roles::text[], '_'),
            p.tab, p.cmd, CASE p.cmd WHEN 'INSERT' THEN 'WITH CHECK' ELSE 'USING' END, cond,
            CASE p.cmd WHEN 'UPDATE' THEN pg_catalog.format(' WITH CHECK (%s)', cond) ELSE '' END);
    END LOOP;

    FOREACH cond IN ARRAY ARRAY['organization', 'membership', 'process_exclusion', 'run', 'step', 'record',
                                'run_record', 'event', 'event_chain']
    LOOP
        EXECUTE pg_catalog.format('ALTER TABLE isms.%I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', cond);
    END LOOP;

    -- the catalog: the PRM and the tailoring of one's own organisations
    FOREACH cond IN ARRAY ARRAY['work_product', 'process', 'activity', 'process_input', 'activity_input',
                                'process_output']
    LOOP
        EXECUTE pg_catalog.format('CREATE POLICY select_prm_or_member ON isms.%I FOR SELECT '
                                  'USING (org_id IS NULL OR isms.is_member(org_id))', cond);
        EXECUTE pg_catalog.format('ALTER TABLE isms.%I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', cond);
    END LOOP;
END
$$;
-- the view reads the catalog as its caller, so that the policies apply
ALTER VIEW isms.process_flow SET (security_invoker = true);

-- Nothing in schema isms is executable by PUBLIC but the functions of the
-- clause and rating types (operators, aggregates, the capability rule).
-- The roles below get what they need.  Install pieces after this one
-- revoke and grant their own functions.
DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure
               FROM pg_catalog.pg_proc p
              WHERE p.pronamespace OPERATOR(pg_catalog.=) 'isms'::pg_catalog.regnamespace
                AND p.prokind OPERATOR(pg_catalog.<>) 'a'
                AND p.proname OPERATOR(pg_catalog.!~) '^(clause_|rating|capability_level|is_descendant$)'
    LOOP
        EXECUTE pg_catalog.format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    END LOOP;
END
$$;

-- isms_reader (and every other role, which all include it): the membership
-- checks that the reporting views use.
GRANT USAGE ON SCHEMA isms TO isms_reader;
GRANT EXECUTE ON FUNCTION isms.is_member(bigint), isms.member_role(bigint) TO isms_reader;

-- isms_contributor and isms_auditor read the catalog, the operational
-- tables and use the id lookups.
GRANT SELECT ON isms.iso27001_clause, isms.work_product, isms.process, isms.activity, isms.process_input,
    isms.activity_input, isms.process_output, isms.process_reference, isms.activity_reference,
    isms.work_product_reference, isms.run_transition, isms.step_transition, isms.record_transition,
    isms.process_flow, isms.organization, isms.membership, isms.process_exclusion, isms.run, isms.step,
    isms.record, isms.run_record
    TO isms_contributor, isms_auditor;
GRANT EXECUTE ON FUNCTION isms.run_org(bigint), isms.record_org(bigint), isms.step_org(bigint, integer),
    isms.process_id(bigint, isms.clause), isms.work_product_id(bigint, text), isms.run_blockers(bigint),
    isms.require_org_role(bigint, text[])
    TO isms_contributor, isms_auditor;

-- isms_auditor: the audit trail too.
GRANT SELECT ON isms.event, isms.event_chain TO isms_auditor;
GRANT EXECUTE ON FUNCTION isms.verify_events(bigint) TO isms_auditor;

-- isms_contributor: steps, draft records, inputs.
GRANT UPDATE (state, performer, skip_reason) ON isms.step TO isms_contributor;
GRANT INSERT, DELETE, UPDATE (title, content, evidence_uri, evidence_sha256, state, state_reason)
    ON isms.record TO isms_contributor;
GRANT USAGE ON SEQUENCE isms.record_id_seq TO isms_contributor;
GRANT INSERT, DELETE ON isms.run_record TO isms_contributor;
GRANT EXECUTE ON FUNCTION
    isms.add_input(bigint, bigint), isms.remove_input(bigint, bigint),
    isms.set_step_state(bigint, integer, isms.step_state, text, text),
    isms.start_step(bigint, integer, text), isms.finish_step(bigint, integer), isms.skip_step(bigint, integer, text),
    isms.new_record(bigint, text, text, jsonb, text, text),
    isms.new_external_record(bigint, text, text, jsonb, text, text), isms.new_version(bigint, bigint),
    isms.set_record_state(bigint, isms.record_state, text), isms.submit_record(bigint)
    TO isms_contributor;

-- isms_manager: runs, review and approval, confirmation, the audit trail.
GRANT SELECT ON isms.event, isms.event_chain TO isms_manager;
GRANT INSERT, UPDATE (title, owner, planned_start, due, state, state_reason) ON isms.run TO isms_manager;
GRANT USAGE ON SEQUENCE isms.run_id_seq TO isms_manager;
GRANT EXECUTE ON FUNCTION
    isms.plan_run(bigint, isms.clause, text, text, date, date), isms.set_run_state(bigint, isms.run_state, text),
    isms.start_run(bigint), isms.complete_run(bigint), isms.suspend_run(bigint, text), isms.resume_run(bigint),
    isms.cancel_run(bigint, text),
    isms.approve_record(bigint), isms.return_record(bigint, text), isms.withdraw_record(bigint, text),
    isms.confirm_record(bigint, bigint), isms.verify_events(bigint)
    TO isms_manager;

-- isms_admin: organisations, members, tailoring.
GRANT UPDATE (name, notify_events) ON isms.organization TO isms_admin;
GRANT INSERT, DELETE, UPDATE (org_role, granted_by, granted_at) ON isms.membership TO isms_admin;
GRANT INSERT, DELETE, UPDATE (justification) ON isms.process_exclusion TO isms_admin;
GRANT EXECUTE ON FUNCTION
    isms.create_organization(text, name), isms.add_member(bigint, name, text), isms.remove_member(bigint, name),
    isms.exclude_process(bigint, isms.clause, text), isms.include_process(bigint, isms.clause)
    TO isms_admin;
-- the tailoring functions of 087_tailoring.sql (they check the org role themselves)
DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure
               FROM pg_catalog.pg_proc p
              WHERE p.pronamespace OPERATOR(pg_catalog.=) 'isms'::pg_catalog.regnamespace
                AND p.proname OPERATOR(pg_catalog.=) ANY ('{add_work_product,add_process,add_activity,add_process_input,add_process_output,add_activity_input}'::name[])
    LOOP
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO isms_admin', f);
    END LOOP;
END
$$;
-- Reporting views for BI dashboards: schema isms_report.
--
-- Read-only views with stable names and columns.  A view runs with the rights
-- of its owner (the extension owner, who is not subject to row-level
-- security), so every view filters tenants itself: it drives from
-- isms.organization restricted to isms.is_member(org_id), and joins the
-- operational tables on org_id.  security_invoker is not used on purpose: the
-- report roles have no rights on the base tables.  Every view leads with
-- org_id, so "WHERE org_id = n" is pushed down to the org-leading indexes of
-- run, record and event (and is_member is evaluated once per organisation,
-- not once per row).

CREATE SCHEMA isms_report;
COMMENT ON SCHEMA isms_report IS
    'Read-only reporting views of the ISMS for dashboards and BI tools (rows of the caller''s organisations only)';

-- Indexes for the views (small: they cover only open or completed runs and
-- records in review).
CREATE INDEX run_open_idx ON isms.run (org_id, process_id, due)
    WHERE state OPERATOR(pg_catalog.=) ANY (ARRAY['planned', 'active', 'suspended']::isms.run_state[]);
CREATE INDEX run_completed_idx ON isms.run (org_id, process_id, ended_at)
    WHERE state OPERATOR(pg_catalog.=) 'completed'::isms.run_state;
CREATE INDEX record_in_review_idx ON isms.record (org_id, record_id)
    WHERE state OPERATOR(pg_catalog.=) 'in_review'::isms.record_state;

-- What a run still needs, for members of its organisation.  isms.run_blockers
-- reads the run as the caller, and report roles cannot read isms.run; this
-- definer's-rights wrapper answers only for runs of the caller's
-- organisations.
CREATE FUNCTION isms_report.run_blockers_of(run bigint)
    RETURNS TABLE (blocker text, item text, detail text)
    LANGUAGE sql STABLE STRICT SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT b.blocker, b.item, b.detail
      FROM isms.run r
     CROSS JOIN LATERAL isms.run_blockers(r.run_id) b
     WHERE r.run_id OPERATOR(pg_catalog.=) $1
       AND isms.is_member(r.org_id)
$$;
COMMENT ON FUNCTION isms_report.run_blockers_of(bigint) IS
    'isms.run_blockers for a run of one of the caller''s organizations (no rows for any other run)';

-- Per organisation and process: applicable or not, last completed run, open
-- and overdue runs.
CREATE VIEW isms_report.process_status AS
SELECT o.org_id,
       o.name AS organization,
       p.process_id,
       p.code AS process_code,
       p.key AS process_key,
       p.name AS process_name,
       p.category,
       x.justification IS NULL AS applicable,
       x.justification AS exclusion_justification,
       lc.run_id AS last_completed_run_id,
       lc.title AS last_completed_run_title,
       lc.ended_at AS last_completed_at,
       op.open_runs,
       op.overdue_runs,
       op.next_due
  FROM isms.organization o
  JOIN isms.process p
    ON p.org_id IS NULL OR p.org_id OPERATOR(pg_catalog.=) o.org_id
  LEFT JOIN isms.process_exclusion x
    ON x.org_id OPERATOR(pg_catalog.=) o.org_id AND x.process_id OPERATOR(pg_catalog.=) p.process_id
  LEFT JOIN LATERAL (
        SELECT r.run_id, r.title, r.ended_at
          FROM isms.run r
         WHERE r.org_id OPERATOR(pg_catalog.=) o.org_id
           AND r.process_id OPERATOR(pg_catalog.=) p.process_id
           AND r.state OPERATOR(pg_catalog.=) 'completed'::isms.run_state
         ORDER BY r.ended_at DESC
         LIMIT 1) lc ON true
 CROSS JOIN LATERAL (
        SELECT pg_catalog.count(*) AS open_runs,
               pg_catalog.count(*) FILTER (WHERE r.due OPERATOR(pg_catalog.<) CURRENT_DATE) AS overdue_runs,
               pg_catalog.min(r.due) AS next_due
          FROM isms.run r
         WHERE r.org_id OPERATOR(pg_catalog.=) o.org_id
           AND r.process_id OPERATOR(pg_catalog.=) p.process_id
           AND r.state OPERATOR(pg_catalog.=) ANY (ARRAY['planned', 'active', 'suspended']::isms.run_state[])) op
 WHERE isms.is_member(o.org_id);
COMMENT ON VIEW isms_report.process_status IS
    'One row per organization and process (the PRM and the organization''s own): applicability, last completed run, open and overdue runs';
COMMENT ON COLUMN isms_report.process_status.applicable IS
    'False when the organization declared the process not applicable (isms.process_exclusion)';
COMMENT ON COLUMN isms_report.process_status.last_completed_at IS 'When the latest completed run of the process ended';
COMMENT ON COLUMN isms_report.process_status.open_runs IS 'Runs planned, active or suspended';
COMMENT ON COLUMN isms_report.process_status.overdue_runs IS 'Open runs whose due date has passed';
COMMENT ON COLUMN isms_report.process_status.next_due IS 'Earliest due date of the open runs (past if overdue)';

-- Per organisation and document-kind work product: is there a current
-- approved version?
CREATE VIEW isms_report.work_product_currency AS
SELECT o.org_id,
       wp.work_product_id,
       wp.key AS work_product,
       wp.name AS work_product_name,
       wp.review_months,
       r.record_id,
       r.document_id,
       r.version,
       r.title,
       r.approver,
       r.approved_at,
       r.valid_until,
       r.valid_until OPERATOR(pg_catalog.-) CURRENT_DATE AS days_left,
       pg_catalog.count(r.record_id) OVER (PARTITION BY o.org_id, wp.work_product_id) AS approved_documents,
       CASE WHEN r.record_id IS NULL THEN 'missing'
            WHEN r.valid_until OPERATOR(pg_catalog.<) CURRENT_DATE THEN 'expired'
            WHEN r.valid_until OPERATOR(pg_catalog.<=) (CURRENT_DATE OPERATOR(pg_catalog.+) 30) THEN 'needs review'
            ELSE 'current'
       END AS status
  FROM isms.organization o
  JOIN isms.work_product wp
    ON (wp.org_id IS NULL OR wp.org_id OPERATOR(pg_catalog.=) o.org_id)
   AND wp.kind OPERATOR(pg_catalog.=) 'document'::isms.work_product_kind
  -- the approved (current) version of each document; at most one per document
  LEFT JOIN isms.record r
    ON r.org_id OPERATOR(pg_catalog.=) o.org_id
   AND r.work_product_id OPERATOR(pg_catalog.=) wp.work_product_id
   AND r.state OPERATOR(pg_catalog.=) 'approved'::isms.record_state
 WHERE isms.is_member(o.org_id);
COMMENT ON VIEW isms_report.work_product_currency IS
    'One row per organization and approved document of a document-kind work product (its current version), and a missing row for each such work product with no approved document: current, needs review (expires within 30 days), expired or missing';
COMMENT ON COLUMN isms_report.work_product_currency.record_id IS
    'The approved (current) version of the document (NULL when the work product is missing)';
COMMENT ON COLUMN isms_report.work_product_currency.days_left IS 'Days until valid_until (negative: expired; NULL: does not expire)';
COMMENT ON COLUMN isms_report.work_product_currency.approved_documents IS
    'How many approved documents of this work product the organization has (e.g. several topic-specific policies)';
COMMENT ON COLUMN isms_report.work_product_currency.status IS
    'current, needs review (valid_until within 30 days), expired (valid_until passed) or missing (no approved document)';

-- For each open run: what it still needs.
CREATE VIEW isms_report.run_blockers AS
SELECT r.org_id,
       r.run_id,
       p.code AS process_code,
       p.key AS process_key,
       r.title AS run_title,
       r.state AS run_state,
       r.owner,
       r.due,
       b.blocker,
       b.item,
       b.detail
  FROM isms.organization o
  JOIN isms.run r
    ON r.org_id OPERATOR(pg_catalog.=) o.org_id
   AND r.state OPERATOR(pg_catalog.=) ANY (ARRAY['planned', 'active', 'suspended']::isms.run_state[])
  JOIN isms.process p ON p.process_id OPERATOR(pg_catalog.=) r.process_id
 CROSS JOIN LATERAL isms_report.run_blockers_of(r.run_id) b
 WHERE isms.is_member(o.org_id);
COMMENT ON VIEW isms_report.run_blockers IS
    'One row per open run and thing it still needs: to start (planned), to complete (active) or to resume (suspended); see isms.run_blockers';
COMMENT ON COLUMN isms_report.run_blockers.blocker IS 'Kind of blocker: input, step, output, state or process';
COMMENT ON COLUMN isms_report.run_blockers.item IS 'The work product key(s), step number or state concerned';

-- Records waiting for approval.
CREATE VIEW isms_report.pending_approvals AS
SELECT r.org_id,
       r.record_id,
       r.document_id,
       r.version,
       wp.key AS work_product,
       r.title,
       r.author,
       r.produced_by_run,
       p.code AS process_code,
       s.submitted_at,
       CURRENT_TIMESTAMP OPERATOR(pg_catalog.-) s.submitted_at AS age,
       CURRENT_DATE OPERATOR(pg_catalog.-) (s.submitted_at)::date AS age_days
  FROM isms.organization o
  JOIN isms.record r
    ON r.org_id OPERATOR(pg_catalog.=) o.org_id
   AND r.state OPERATOR(pg_catalog.=) 'in_review'::isms.record_state
  JOIN isms.work_product wp ON wp.work_product_id OPERATOR(pg_catalog.=) r.work_product_id
  LEFT JOIN isms.run rn
    ON rn.org_id OPERATOR(pg_catalog.=) r.org_id AND rn.run_id OPERATOR(pg_catalog.=) r.produced_by_run
  LEFT JOIN isms.process p ON p.process_id OPERATOR(pg_catalog.=) rn.process_id
 CROSS JOIN LATERAL (
        SELECT pg_catalog.max(e.occurred_at) AS submitted_at
          FROM isms.event e
         WHERE e.org_id OPERATOR(pg_catalog.=) r.org_id
           AND e.object_type OPERATOR(pg_catalog.=) 'record'
           AND e.object_id OPERATOR(pg_catalog.=) r.record_id
           AND e.action OPERATOR(pg_catalog.=) 'submit') s
 WHERE isms.is_member(o.org_id);
COMMENT ON VIEW isms_report.pending_approvals IS
    'Records in review, waiting for an approver other than their author, with how long they have waited';
COMMENT ON COLUMN isms_report.pending_approvals.produced_by_run IS 'The run the record is an output of (NULL for external records)';
COMMENT ON COLUMN isms_report.pending_approvals.submitted_at IS 'When the record was (last) submitted for review (from the events)';
COMMENT ON COLUMN isms_report.pending_approvals.age IS 'Time in review so far';
COMMENT ON COLUMN isms_report.pending_approvals.age_days IS 'Whole days in review so far';

-- ISO/IEC 27001:2022 readiness per clause.
CREATE VIEW isms_report.iso27001_readiness AS
SELECT o.org_id,
       c.clause,
       c.title,
       isms.clause_depth(c.clause) AS depth,
       sp.processes,
       di.documented_information,
       di.missing,
       CASE WHEN di.documented_information IS NULL THEN 'no documented information'
            WHEN di.missing IS NULL THEN 'ready'
            ELSE 'not ready'
       END AS status
  FROM isms.organization o
 CROSS JOIN isms.iso27001_clause c
 CROSS JOIN LATERAL (
        SELECT pg_catalog.array_agg(DISTINCT p.code ORDER BY p.code) AS processes
          FROM isms.process_reference pr
          JOIN isms.process p ON p.process_id OPERATOR(pg_catalog.=) pr.process_id
         WHERE c.clause OPERATOR(isms.@>) pr.clause
           AND (p.org_id IS NULL OR p.org_id OPERATOR(pg_catalog.=) o.org_id)
           AND NOT EXISTS (SELECT FROM isms.process_exclusion x
                            WHERE x.org_id OPERATOR(pg_catalog.=) o.org_id
                              AND x.process_id OPERATOR(pg_catalog.=) p.process_id)) sp
 CROSS JOIN LATERAL (
        SELECT pg_catalog.array_agg(w.key ORDER BY w.key) AS documented_information,
               pg_catalog.array_agg(w.key ORDER BY w.key) FILTER (WHERE NOT w.current) AS missing
          FROM (SELECT wp.key,
                       EXISTS (SELECT FROM isms.record r
                                WHERE r.org_id OPERATOR(pg_catalog.=) o.org_id
                                  AND r.work_product_id OPERATOR(pg_catalog.=) wp.work_product_id
                                  AND r.state OPERATOR(pg_catalog.=) 'approved'::isms.record_state
                                  AND (r.valid_until IS NULL OR r.valid_until OPERATOR(pg_catalog.>=) CURRENT_DATE)) AS current
                  FROM isms.work_product wp
                 WHERE (wp.org_id IS NULL OR wp.org_id OPERATOR(pg_catalog.=) o.org_id)
                   AND EXISTS (SELECT FROM isms.work_product_reference wr
                                WHERE wr.work_product_id OPERATOR(pg_catalog.=) wp.work_product_id
                                  AND c.clause OPERATOR(isms.@>) wr.clause)) w) di
 WHERE isms.is_member(o.org_id)
   AND NOT isms.clause_is_annex(c.clause)
   AND isms.clause_depth(c.clause) OPERATOR(pg_catalog.>=) 2;
COMMENT ON VIEW isms_report.iso27001_readiness IS
    'One row per organization and ISO/IEC 27001:2022 clause 4.1-10.2 (with subclauses): the processes that serve it, its documented information and whether a current approved record of each exists';
COMMENT ON COLUMN isms_report.iso27001_readiness.depth IS '2 for a clause such as 6.1, 3 for a subclause such as 6.1.2';
COMMENT ON COLUMN isms_report.iso27001_readiness.processes IS
    'Applicable processes (not declared not applicable) that serve the clause or one of its subclauses';
COMMENT ON COLUMN isms_report.iso27001_readiness.documented_information IS
    'Work products that reference the clause or one of its subclauses (NULL: none)';
COMMENT ON COLUMN isms_report.iso27001_readiness.missing IS
    'Those of them without an approved, unexpired record (NULL: none missing)';
COMMENT ON COLUMN isms_report.iso27001_readiness.status IS
    'ready (every documented information current), not ready (some missing) or no documented information';

-- Inputs of the management review (ISO/IEC 27001:2022 9.3.2): the latest
-- approved record of what the other processes produced.
CREATE VIEW isms_report.management_review_inputs AS
SELECT o.org_id,
       i.item,
       i.input,
       wp.key AS work_product,
       l.record_id,
       l.title,
       l.version,
       l.approved_at,
       l.valid_until,
       l.produced_by_run,
       p.code AS process_code,
       lr.last_review_at,
       n.new_since_last_review
  FROM isms.organization o
 CROSS JOIN (VALUES
        ('a', 'Status of actions from previous management reviews', 'management_review_results'),
        ('b', 'Changes in external and internal issues', 'context_analysis'),
        ('c', 'Changes in needs and expectations of interested parties', 'interested_parties_register'),
        ('d1', 'Nonconformities and corrective actions', 'nonconformity'),
        ('d1', 'Nonconformities and corrective actions', 'corrective_action_record'),
        ('d2', 'Monitoring and measurement results', 'performance_report'),
        ('d2', 'Monitoring and measurement results', 'measurement_results'),
        ('d3', 'Audit results', 'audit_report'),
        ('d4', 'Information security incidents', 'incident_record'),
        ('e', 'Feedback from interested parties', 'customer_feedback'),
        ('f', 'Results of risk assessment and status of risk treatment', 'risk_assessment_report'),
        ('f', 'Results of risk assessment and status of risk treatment', 'risk_register'),
        ('f', 'Results of risk assessment and status of risk treatment', 'risk_treatment_plan'),
        ('g', 'Opportunities for continual improvement', 'improvement_proposal')
       ) i (item, input, work_product)
  JOIN isms.work_product wp
    ON wp.org_id IS NULL AND wp.key OPERATOR(pg_catalog.=) i.work_product
  LEFT JOIN LATERAL (
        SELECT r.record_id, r.title, r.version, r.approved_at, r.valid_until, r.produced_by_run
          FROM isms.record r
         WHERE r.org_id OPERATOR(pg_catalog.=) o.org_id
           AND r.work_product_id OPERATOR(pg_catalog.=) wp.work_product_id
           AND r.state OPERATOR(pg_catalog.=) 'approved'::isms.record_state
         ORDER BY r.approved_at DESC
         LIMIT 1) l ON true
  LEFT JOIN isms.run rn
    ON rn.org_id OPERATOR(pg_catalog.=) o.org_id AND rn.run_id OPERATOR(pg_catalog.=) l.produced_by_run
  LEFT JOIN isms.process p ON p.process_id OPERATOR(pg_catalog.=) rn.process_id
 CROSS JOIN LATERAL (
        SELECT pg_catalog.max(r.approved_at) AS last_review_at
          FROM isms.record r
          JOIN isms.work_product mr
            ON mr.work_product_id OPERATOR(pg_catalog.=) r.work_product_id
           AND mr.org_id IS NULL AND mr.key OPERATOR(pg_catalog.=) 'management_review_results'
         WHERE r.org_id OPERATOR(pg_catalog.=) o.org_id
           AND r.state OPERATOR(pg_catalog.=) ANY (ARRAY['approved', 'superseded']::isms.record_state[])) lr
 CROSS JOIN LATERAL (
        SELECT pg_catalog.count(*) AS new_since_last_review
          FROM isms.record r
         WHERE r.org_id OPERATOR(pg_catalog.=) o.org_id
           AND r.work_product_id OPERATOR(pg_catalog.=) wp.work_product_id
           AND r.state OPERATOR(pg_catalog.=) 'approved'::isms.record_state
           AND (lr.last_review_at IS NULL OR r.approved_at OPERATOR(pg_catalog.>) lr.last_review_at)) n
 WHERE isms.is_member(o.org_id);
COMMENT ON VIEW isms_report.management_review_inputs IS
    'What the management review considers (ISO/IEC 27001:2022 9.3.2 a-g): per organization and input, the latest approved record of the work product that carries it';
COMMENT ON COLUMN isms_report.management_review_inputs.item IS
    'The item of 9.3.2 (a..g; d split into d1 nonconformities, d2 measurement, d3 audit, d4 incidents)';
COMMENT ON COLUMN isms_report.management_review_inputs.record_id IS 'The latest approved record (NULL: none yet)';
COMMENT ON COLUMN isms_report.management_review_inputs.process_code IS 'The process whose run produced the record';
COMMENT ON COLUMN isms_report.management_review_inputs.last_review_at IS
    'When the latest management review results were approved (NULL: no review yet)';
COMMENT ON COLUMN isms_report.management_review_inputs.new_since_last_review IS
    'Approved records of the work product approved after the latest management review (all of them if none)';

-- Cycle time and on-time rate of completed runs, by month and by quarter.
CREATE VIEW isms_report.cycle_time AS
SELECT r.org_id,
       r.process_id,
       p.code AS process_code,
       g.period,
       g.period_start,
       pg_catalog.count(*) AS runs_completed,
       pg_catalog.avg(r.ended_at OPERATOR(pg_catalog.-) r.started_at) AS avg_cycle_time,
       pg_catalog.round((pg_catalog.avg(EXTRACT(epoch FROM r.ended_at OPERATOR(pg_catalog.-) r.started_at))
                         OPERATOR(pg_catalog./) 86400)::numeric, 2) AS avg_cycle_days,
       pg_catalog.count(r.due) AS runs_with_due,
       pg_catalog.count(*) FILTER (WHERE (r.ended_at)::date OPERATOR(pg_catalog.<=) r.due) AS runs_on_time,
       pg_catalog.round((pg_catalog.count(*) FILTER (WHERE (r.ended_at)::date OPERATOR(pg_catalog.<=) r.due))::numeric
                        OPERATOR(pg_catalog./) NULLIF(pg_catalog.count(r.due), 0), 3) AS on_time_rate
  FROM isms.organization o
  JOIN isms.run r
    ON r.org_id OPERATOR(pg_catalog.=) o.org_id
   AND r.state OPERATOR(pg_catalog.=) 'completed'::isms.run_state
  JOIN isms.process p ON p.process_id OPERATOR(pg_catalog.=) r.process_id
 CROSS JOIN LATERAL (VALUES
        ('month', (pg_catalog.date_trunc('month', r.ended_at))::date),
        ('quarter', (pg_catalog.date_trunc('quarter', r.ended_at))::date)) g (period, period_start)
 WHERE isms.is_member(o.org_id)
 GROUP BY r.org_id, r.process_id, p.code, g.period, g.period_start;
COMMENT ON VIEW isms_report.cycle_time IS
    'Per organization, process and month or quarter (by end date): completed runs, average cycle time from start to completion and on-time rate';
COMMENT ON COLUMN isms_report.cycle_time.period IS 'month or quarter: every completed run is counted once in each';
COMMENT ON COLUMN isms_report.cycle_time.period_start IS 'First day of the month or quarter in which the runs were completed';
COMMENT ON COLUMN isms_report.cycle_time.avg_cycle_time IS 'Average of ended_at - started_at';
COMMENT ON COLUMN isms_report.cycle_time.avg_cycle_days IS 'The same in days, rounded to 2 decimals';
COMMENT ON COLUMN isms_report.cycle_time.runs_with_due IS 'Completed runs that had a due date';
COMMENT ON COLUMN isms_report.cycle_time.runs_on_time IS 'Completed runs that ended on or before their due date';
COMMENT ON COLUMN isms_report.cycle_time.on_time_rate IS 'runs_on_time / runs_with_due (0..1; NULL when no run had a due date)';

-- The audit trail with readable descriptions of its objects.
CREATE VIEW isms_report.event_timeline AS
SELECT e.org_id,
       e.event_no,
       e.occurred_at,
       e.actor,
       e.object_type,
       e.object_id,
       CASE e.object_type
            WHEN 'organization' THEN pg_catalog.format('organization "%s"', o.name)
            WHEN 'run' THEN pg_catalog.format('run %s "%s" of %s %s', e.object_id, rn.title, p.code, p.key)
            WHEN 'step' THEN pg_catalog.format('step %s "%s" of run %s "%s" (%s %s)',
                                               e.detail OPERATOR(pg_catalog.->>) 'activity_no', a.name,
                                               e.object_id, rn.title, p.code, p.key)
            WHEN 'record' THEN pg_catalog.format('record %s %s v%s "%s"', e.object_id,
                                                 COALESCE(wp.key, e.detail OPERATOR(pg_catalog.->>) 'work_product'),
                                                 rc.version, rc.title)
            WHEN 'assessment' THEN pg_catalog.format('capability of %s %s', p.code, p.key)
            ELSE pg_catalog.format('%s %s', e.object_type, e.object_id)
       END AS object,
       e.action,
       e.old_state,
       e.new_state,
       e.detail
  FROM isms.organization o
  JOIN isms.event e ON e.org_id OPERATOR(pg_catalog.=) o.org_id
  LEFT JOIN isms.run rn
    ON e.object_type OPERATOR(pg_catalog.=) ANY (ARRAY['run', 'step'])
   AND rn.org_id OPERATOR(pg_catalog.=) e.org_id AND rn.run_id OPERATOR(pg_catalog.=) e.object_id
  LEFT JOIN isms.record rc
    ON e.object_type OPERATOR(pg_catalog.=) 'record'
   AND rc.org_id OPERATOR(pg_catalog.=) e.org_id AND rc.record_id OPERATOR(pg_catalog.=) e.object_id
  LEFT JOIN isms.work_product wp ON wp.work_product_id OPERATOR(pg_catalog.=) rc.work_product_id
  LEFT JOIN isms.process p
    ON p.process_id OPERATOR(pg_catalog.=)
       CASE WHEN e.object_type OPERATOR(pg_catalog.=) 'assessment' THEN (e.object_id)::integer ELSE rn.process_id END
  LEFT JOIN LATERAL (
        -- the organization's own activity of that number first, else the PRM's
        SELECT ac.name
          FROM isms.activity ac
         WHERE e.object_type OPERATOR(pg_catalog.=) 'step'
           AND ac.process_id OPERATOR(pg_catalog.=) rn.process_id
           AND ac.activity_no OPERATOR(pg_catalog.=) (e.detail OPERATOR(pg_catalog.->>) 'activity_no')::integer
           AND (ac.org_id IS NULL OR ac.org_id OPERATOR(pg_catalog.=) e.org_id)
         ORDER BY ac.org_id NULLS LAST
         LIMIT 1) a ON true
 WHERE isms.is_member(o.org_id);
COMMENT ON VIEW isms_report.event_timeline IS
    'The audit trail (isms.event) with a readable description of each event''s object';
COMMENT ON COLUMN isms_report.event_timeline.object_id IS
    'Run id for run and step events, record id for records, process id for assessments, org id for the organization';
COMMENT ON COLUMN isms_report.event_timeline.object IS
    'Readable description: run title and process, step activity, record work product, version and title, ...';

-- Read access for every role of the extension; nothing here can write.
GRANT USAGE ON SCHEMA isms_report TO isms_reader, isms_auditor, isms_manager, isms_admin, isms_contributor;
GRANT SELECT ON isms_report.process_status, isms_report.work_product_currency, isms_report.run_blockers,
    isms_report.pending_approvals, isms_report.iso27001_readiness, isms_report.management_review_inputs,
    isms_report.cycle_time, isms_report.event_timeline
    TO isms_reader, isms_auditor, isms_manager, isms_admin, isms_contributor;
-- Functions the views call run with the caller's EXECUTE rights.
REVOKE ALL ON FUNCTION isms_report.run_blockers_of(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION isms_report.run_blockers_of(bigint), isms.is_member(bigint),
    isms.clause_depth(isms.clause), isms.clause_is_annex(isms.clause),
    isms.clause_contains(isms.clause, isms.clause)
    TO isms_reader, isms_auditor, isms_manager, isms_admin, isms_contributor;
-- Capability assessment on the ISO/IEC 33020 scale (see capability.md).
--
-- isms.derived_ratings rates PA 1.1, 2.1, 2.2, 3.1 and 3.2 of every
-- applicable process of an organisation from the evidence in the database;
-- isms.assessment_rating keeps assessors' ratings, which override derived
-- ones (each insertion is an event, written by src/assessment.c); the view
-- isms_report.capability_profile combines both into the current profile and
-- capability level of every process.

-- Assessors' ratings: an append-only history; the latest one of an
-- attribute counts.
CREATE TABLE isms.assessment_rating (
    org_id         bigint NOT NULL REFERENCES isms.organization,
    rating_id      bigint GENERATED ALWAYS AS IDENTITY,
    process_id     integer NOT NULL REFERENCES isms.process,
    attribute      text NOT NULL CHECK (attribute OPERATOR(pg_catalog.=) ANY (ARRAY[
                       'PA 1.1', 'PA 2.1', 'PA 2.2', 'PA 3.1', 'PA 3.2', 'PA 4.1', 'PA 4.2', 'PA 5.1', 'PA 5.2'])),
    period_start   date NOT NULL,
    period_end     date NOT NULL,
    rating         isms.rating NOT NULL,
    justification  text NOT NULL CHECK (justification OPERATOR(pg_catalog.~) '[^[:space:]]'),
    assessor       text NOT NULL DEFAULT CURRENT_USER,
    assessed_at    timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (org_id, rating_id),
    CHECK (period_end OPERATOR(pg_catalog.>=) period_start)
);
CREATE INDEX assessment_rating_process_idx ON isms.assessment_rating (org_id, process_id, attribute, assessed_at);
COMMENT ON TABLE isms.assessment_rating IS
    'Assessors'' ratings of process attributes, with justification; they override derived ratings (isms.derived_ratings); each insertion is an event';
COMMENT ON COLUMN isms.assessment_rating.attribute IS 'Process attribute: PA 1.1, PA 2.1, PA 2.2, PA 3.1, PA 3.2, PA 4.1, PA 4.2, PA 5.1 or PA 5.2';
COMMENT ON COLUMN isms.assessment_rating.period_start IS 'First day of the period the rating is about';
COMMENT ON COLUMN isms.assessment_rating.period_end IS 'Last day of the period the rating is about';
COMMENT ON COLUMN isms.assessment_rating.assessor IS 'The database role that recorded the rating (the event records the actor)';
SELECT pg_catalog.pg_extension_config_dump('isms.assessment_rating', '');

CREATE FUNCTION isms.assessment_trigger() RETURNS trigger
    LANGUAGE c AS 'MODULE_PATHNAME', 'assessment_trigger';
CREATE TRIGGER assessment_evented AFTER INSERT ON isms.assessment_rating
    FOR EACH ROW EXECUTE FUNCTION isms.assessment_trigger();

-- Tenancy: members of the organisation only, the table owner included.
ALTER TABLE isms.assessment_rating ENABLE ROW LEVEL SECURITY;
ALTER TABLE isms.assessment_rating FORCE ROW LEVEL SECURITY;
CREATE POLICY assessment_rating_member ON isms.assessment_rating
    USING (isms.is_member(org_id)) WITH CHECK (isms.is_member(org_id));
GRANT SELECT, INSERT ON isms.assessment_rating TO isms_auditor;
GRANT SELECT ON isms.assessment_rating TO isms_manager, isms_admin;

-- Record an assessor's rating of a process attribute.
CREATE FUNCTION isms.rate_process(org bigint, process isms.clause, attribute text, rating isms.rating,
                                  justification text, period_start date DEFAULT NULL, period_end date DEFAULT NULL)
    RETURNS bigint
    LANGUAGE sql SET search_path = pg_catalog, pg_temp
    AS $$
    INSERT INTO isms.assessment_rating (org_id, process_id, attribute, period_start, period_end, rating, justification)
    VALUES ($1, isms.process_id($1, $2),
            COALESCE('PA ' OPERATOR(pg_catalog.||) pg_catalog.substring(pg_catalog.upper($3), '^ *(?:PA)? *([1-5]\.[12]) *$'), $3),
            COALESCE($6, ($7 OPERATOR(pg_catalog.-) '12 months'::interval)::date,
                     (CURRENT_DATE OPERATOR(pg_catalog.-) '12 months'::interval)::date),
            COALESCE($7, CURRENT_DATE), $4, $5)
    RETURNING rating_id
$$;
COMMENT ON FUNCTION isms.rate_process(bigint, isms.clause, text, isms.rating, text, date, date) IS
    'Record an assessor''s rating (with justification) of a process attribute (''PA 2.1'', ''PA2.1'' or ''2.1'') for a period (default: the 12 months up to today); it overrides the derived rating';
REVOKE ALL ON FUNCTION isms.rate_process(bigint, isms.clause, text, isms.rating, text, date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION isms.rate_process(bigint, isms.clause, text, isms.rating, text, date, date) TO isms_auditor;

-- Derived ratings of PA 1.1 .. 3.2 of every applicable process of an
-- organisation for a period (dates inclusive).  Achievement is a percentage
-- of what the evidence in the period shows:
--   PA 1.1 performance: share of the process's required outputs of which a
--          run completed in the period produced or confirmed an approved
--          record (an output never produced, e.g. because its activity is
--          always skipped, is an outcome not achieved);
--   PA 2.1 performance management: share of the runs closed (completed or
--          cancelled) in the period that were planned (owner, planned start
--          and due date) and completed by their due date;
--   PA 2.2 work product management: share of the records produced by runs
--          completed in the period that were approved by someone other than
--          their author, carry a version and are current (approved and not
--          expired, or superseded by a newer approved version);
--   PA 3.1 process definition: 50 if the organisation has a current approved
--          operating_procedure whose content names the process
--          ({"process": "7.4"}), plus 12.5 for each current approved
--          organisation-wide definition a defined process relies on: roles
--          (roles_and_responsibilities), competence (competence_requirements),
--          resources (resource_plan) and monitoring (measurement_plan);
--   PA 3.2 process deployment: mean of the share of the steps of completed
--          runs that were done (not skipped) and the share of the process's
--          activities done in at least one of them.
-- No evidence (e.g. no run in the period) is 0 %, rated N.  Ratings are
-- refined (N, P-, P+, L-, L+, F).  figures holds the numbers used.
-- Definer's rights: answers for members of the organisation only (no rows
-- otherwise), so report roles can read it without rights on the tables.
CREATE FUNCTION isms.derived_ratings(org bigint, period_start date, period_end date)
    RETURNS TABLE (process_id integer, process isms.clause, attribute text, achievement numeric,
                   rating isms.rating, figures jsonb)
    LANGUAGE sql STABLE STRICT SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
WITH proc AS (
    SELECT p.process_id, p.code
      FROM isms.process p
     WHERE (p.org_id IS NULL OR p.org_id OPERATOR(pg_catalog.=) $1)
       AND isms.is_member($1)
       AND NOT EXISTS (SELECT FROM isms.process_exclusion x
                        WHERE x.org_id OPERATOR(pg_catalog.=) $1
                          AND x.process_id OPERATOR(pg_catalog.=) p.process_id)
), closed AS (
    -- runs completed or cancelled in the period
    SELECT r.run_id, r.process_id, r.state OPERATOR(pg_catalog.=) 'completed'::isms.run_state AS completed,
           r.owner IS NOT NULL AND r.planned_start IS NOT NULL AND r.due IS NOT NULL AS planned,
           (r.ended_at)::date OPERATOR(pg_catalog.<=) r.due AS on_time
      FROM isms.run r
     WHERE r.org_id OPERATOR(pg_catalog.=) $1
       AND r.state OPERATOR(pg_catalog.=) ANY (ARRAY['completed', 'cancelled']::isms.run_state[])
       AND r.ended_at OPERATOR(pg_catalog.>=) $2
       AND r.ended_at OPERATOR(pg_catalog.<) ($3 OPERATOR(pg_catalog.+) 1)
), outputs AS (
    -- records produced or confirmed by the completed runs
    SELECT DISTINCT c.process_id, rc.record_id, rc.work_product_id, rc.state, rc.author, rc.approver,
           rc.version, rc.valid_until
      FROM closed c
      JOIN isms.run_record l
        ON l.org_id OPERATOR(pg_catalog.=) $1 AND l.run_id OPERATOR(pg_catalog.=) c.run_id
       AND l.role OPERATOR(pg_catalog.<>) 'input'::isms.link_role
      JOIN isms.record rc
        ON rc.org_id OPERATOR(pg_catalog.=) $1 AND rc.record_id OPERATOR(pg_catalog.=) l.record_id
     WHERE c.completed
), run_figures AS (
    SELECT c.process_id,
           pg_catalog.count(*) FILTER (WHERE c.completed) AS completed,
           pg_catalog.count(*) AS closed,
           pg_catalog.count(*) FILTER (WHERE c.planned) AS planned,
           pg_catalog.count(*) FILTER (WHERE c.planned AND c.completed AND c.on_time) AS on_plan
      FROM closed c
     GROUP BY c.process_id
), achieved AS (
    SELECT DISTINCT x.process_id, x.work_product_id
      FROM outputs x
     WHERE x.state OPERATOR(pg_catalog.=) ANY (ARRAY['approved', 'superseded']::isms.record_state[])
), record_figures AS (
    SELECT x.process_id,
           pg_catalog.count(*) AS records,
           pg_catalog.count(*) FILTER (WHERE x.approver IS NOT NULL AND x.approver OPERATOR(pg_catalog.<>) x.author
                                         AND x.version IS NOT NULL
                                         AND (x.state OPERATOR(pg_catalog.=) 'superseded'::isms.record_state
                                              OR (x.state OPERATOR(pg_catalog.=) 'approved'::isms.record_state
                                                  AND (x.valid_until IS NULL
                                                       OR x.valid_until OPERATOR(pg_catalog.>=) CURRENT_DATE)))) AS managed
      FROM outputs x
     GROUP BY x.process_id
), step_figures AS (
    SELECT c.process_id,
           pg_catalog.count(*) AS steps,
           pg_catalog.count(*) FILTER (WHERE s.state OPERATOR(pg_catalog.=) 'done'::isms.step_state) AS done,
           pg_catalog.count(DISTINCT s.activity_no)
               FILTER (WHERE s.state OPERATOR(pg_catalog.=) 'done'::isms.step_state) AS activities_used
      FROM closed c
      JOIN isms.step s ON s.org_id OPERATOR(pg_catalog.=) $1 AND s.run_id OPERATOR(pg_catalog.=) c.run_id
     WHERE c.completed
     GROUP BY c.process_id
), definitions AS (
    -- current approved definitions: operating procedures and the org-wide ones
    SELECT wp.key, r.content
      FROM isms.work_product wp
      JOIN isms.record r
        ON r.org_id OPERATOR(pg_catalog.=) $1 AND r.work_product_id OPERATOR(pg_catalog.=) wp.work_product_id
       AND r.state OPERATOR(pg_catalog.=) 'approved'::isms.record_state
       AND (r.valid_until IS NULL OR r.valid_until OPERATOR(pg_catalog.>=) CURRENT_DATE)
     WHERE wp.org_id IS NULL
       AND wp.key OPERATOR(pg_catalog.=) ANY (ARRAY['operating_procedure', 'roles_and_responsibilities',
                                                    'competence_requirements', 'resource_plan', 'measurement_plan'])
), org_wide AS (
    SELECT pg_catalog.jsonb_agg(DISTINCT d.key) AS keys
      FROM definitions d
     WHERE d.key OPERATOR(pg_catalog.<>) 'operating_procedure'
)
SELECT p.process_id, p.code, a.attribute, a.achievement, isms.rating_refined(a.achievement), a.figures
  FROM proc p
  LEFT JOIN run_figures rf ON rf.process_id OPERATOR(pg_catalog.=) p.process_id
  LEFT JOIN record_figures wf ON wf.process_id OPERATOR(pg_catalog.=) p.process_id
  LEFT JOIN step_figures sf ON sf.process_id OPERATOR(pg_catalog.=) p.process_id
 CROSS JOIN org_wide ow
 CROSS JOIN LATERAL (
        SELECT pg_catalog.count(*) AS required,
               pg_catalog.count(ac.work_product_id) AS achieved,
               COALESCE(pg_catalog.jsonb_agg(wp.key ORDER BY wp.key) FILTER (WHERE ac.work_product_id IS NULL),
                        '[]') AS missing
          FROM isms.process_output po
          JOIN isms.work_product wp ON wp.work_product_id OPERATOR(pg_catalog.=) po.work_product_id
          LEFT JOIN achieved ac
            ON ac.process_id OPERATOR(pg_catalog.=) p.process_id
           AND ac.work_product_id OPERATOR(pg_catalog.=) po.work_product_id
         WHERE po.process_id OPERATOR(pg_catalog.=) p.process_id AND po.required
           AND (po.org_id IS NULL OR po.org_id OPERATOR(pg_catalog.=) $1)) req
 CROSS JOIN LATERAL (
        SELECT EXISTS (SELECT FROM definitions d
                        WHERE d.key OPERATOR(pg_catalog.=) 'operating_procedure'
                          AND (d.content OPERATOR(pg_catalog.->>) 'process') OPERATOR(pg_catalog.=) (p.code)::text) AS procedure,
               (SELECT pg_catalog.count(DISTINCT ac.activity_no) FROM isms.activity ac
                 WHERE ac.process_id OPERATOR(pg_catalog.=) p.process_id
                   AND (ac.org_id IS NULL OR ac.org_id OPERATOR(pg_catalog.=) $1)) AS activities) def
 CROSS JOIN LATERAL (VALUES
        ('PA 1.1',
         CASE WHEN COALESCE(rf.completed, 0) OPERATOR(pg_catalog.=) 0 THEN 0
              WHEN req.required OPERATOR(pg_catalog.=) 0 THEN 100
              ELSE 100.0 OPERATOR(pg_catalog.*) req.achieved OPERATOR(pg_catalog./) req.required END,
         pg_catalog.jsonb_build_object('runs_completed', COALESCE(rf.completed, 0), 'required_outputs', req.required,
                                       'outputs_achieved', req.achieved, 'outputs_missing', req.missing)),
        ('PA 2.1',
         CASE WHEN rf.closed IS NULL THEN 0
              ELSE 100.0 OPERATOR(pg_catalog.*) rf.on_plan OPERATOR(pg_catalog./) rf.closed END,
         pg_catalog.jsonb_build_object('runs_closed', COALESCE(rf.closed, 0), 'runs_planned', COALESCE(rf.planned, 0),
                                       'runs_on_plan', COALESCE(rf.on_plan, 0))),
        ('PA 2.2',
         CASE WHEN wf.records IS NULL THEN 0
              ELSE 100.0 OPERATOR(pg_catalog.*) wf.managed OPERATOR(pg_catalog./) wf.records END,
         pg_catalog.jsonb_build_object('output_records', COALESCE(wf.records, 0), 'records_managed', COALESCE(wf.managed, 0))),
        ('PA 3.1',
         (CASE WHEN def.procedure THEN 50 ELSE 0 END
          OPERATOR(pg_catalog.+) (12.5 OPERATOR(pg_catalog.*) COALESCE(pg_catalog.jsonb_array_length(ow.keys), 0)))::numeric,
         pg_catalog.jsonb_build_object('operating_procedure', def.procedure, 'definitions', COALESCE(ow.keys, '[]'))),
        ('PA 3.2',
         CASE WHEN sf.steps IS NULL THEN 0
              ELSE (50.0 OPERATOR(pg_catalog.*) sf.done OPERATOR(pg_catalog./) sf.steps)
                   OPERATOR(pg_catalog.+) (50.0 OPERATOR(pg_catalog.*) sf.activities_used
                                           OPERATOR(pg_catalog./) NULLIF(def.activities, 0)) END,
         pg_catalog.jsonb_build_object('steps', COALESCE(sf.steps, 0), 'steps_done', COALESCE(sf.done, 0),
                                       'activities', def.activities, 'activities_used', COALESCE(sf.activities_used, 0)))
       ) v (attribute, pct, figures)
 CROSS JOIN LATERAL (SELECT v.attribute, pg_catalog.round(v.pct, 1) AS achievement, v.figures) a
 ORDER BY p.code, a.attribute
$$;
COMMENT ON FUNCTION isms.derived_ratings(bigint, date, date) IS
    'Ratings of PA 1.1, 2.1, 2.2, 3.1 and 3.2 of every applicable process of the organization derived from the evidence of a period (dates inclusive), with the figures they come from; no rows unless the caller is a member';
REVOKE ALL ON FUNCTION isms.derived_ratings(bigint, date, date) FROM PUBLIC;

-- The current capability profile: per attribute the latest assessor rating
-- whose period ended within the last 12 months, else the rating derived from
-- the last 12 months; the level by the ISO/IEC 33020 rule.
CREATE VIEW isms_report.capability_profile AS
SELECT o.org_id,
       p.process_id,
       p.code AS process_code,
       p.key AS process_key,
       p.name AS process_name,
       prof.pa11, prof.pa21, prof.pa22, prof.pa31, prof.pa32,
       prof.pa41, prof.pa42, prof.pa51, prof.pa52,
       isms.capability_level(prof.pa11, prof.pa21, prof.pa22, prof.pa31, prof.pa32,
                             prof.pa41, prof.pa42, prof.pa51, prof.pa52) AS capability_level,
       prof.assessor_rated
  FROM isms.organization o
 CROSS JOIN LATERAL (
        SELECT r.process_id,
               isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 1.1') AS pa11,
               isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 2.1') AS pa21,
               isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 2.2') AS pa22,
               isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 3.1') AS pa31,
               isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 3.2') AS pa32,
               isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 4.1') AS pa41,
               isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 4.2') AS pa42,
               isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 5.1') AS pa51,
               isms.max(r.rating) FILTER (WHERE r.attribute OPERATOR(pg_catalog.=) 'PA 5.2') AS pa52,
               pg_catalog.array_agg(r.attribute ORDER BY r.attribute) FILTER (WHERE r.by_assessor) AS assessor_rated
          FROM (SELECT COALESCE(ar.process_id, d.process_id) AS process_id,
                       COALESCE(ar.attribute, d.attribute) AS attribute,
                       COALESCE(ar.rating, d.rating) AS rating,
                       ar.rating IS NOT NULL AS by_assessor
                  FROM isms.derived_ratings(o.org_id, (CURRENT_DATE OPERATOR(pg_catalog.-) '12 months'::interval)::date,
                                            CURRENT_DATE) d
                  FULL JOIN (SELECT DISTINCT ON (x.process_id, x.attribute) x.process_id, x.attribute, x.rating
                               FROM isms.assessment_rating x
                              WHERE x.org_id OPERATOR(pg_catalog.=) o.org_id
                                AND x.period_end OPERATOR(pg_catalog.>=) (CURRENT_DATE OPERATOR(pg_catalog.-) '12 months'::interval)
                              ORDER BY x.process_id, x.attribute, x.assessed_at DESC, x.rating_id DESC) ar
                    ON ar.process_id OPERATOR(pg_catalog.=) d.process_id
                   AND ar.attribute OPERATOR(pg_catalog.=) d.attribute) r
         GROUP BY r.process_id) prof
  JOIN isms.process p ON p.process_id OPERATOR(pg_catalog.=) prof.process_id
 WHERE isms.is_member(o.org_id)
   AND NOT EXISTS (SELECT FROM isms.process_exclusion x
                    WHERE x.org_id OPERATOR(pg_catalog.=) o.org_id
                      AND x.process_id OPERATOR(pg_catalog.=) p.process_id);
COMMENT ON VIEW isms_report.capability_profile IS
    'Current capability profile of every applicable process: per attribute the latest assessor rating whose period ended in the last 12 months, else the rating derived from the last 12 months (isms.derived_ratings); and the capability level (isms.capability_level)';
COMMENT ON COLUMN isms_report.capability_profile.pa11 IS 'PA 1.1 process performance';
COMMENT ON COLUMN isms_report.capability_profile.pa21 IS 'PA 2.1 performance management';
COMMENT ON COLUMN isms_report.capability_profile.pa22 IS 'PA 2.2 work product management';
COMMENT ON COLUMN isms_report.capability_profile.pa31 IS 'PA 3.1 process definition';
COMMENT ON COLUMN isms_report.capability_profile.pa32 IS 'PA 3.2 process deployment';
COMMENT ON COLUMN isms_report.capability_profile.pa41 IS 'PA 4.1 quantitative analysis (assessor ratings only)';
COMMENT ON COLUMN isms_report.capability_profile.pa42 IS 'PA 4.2 quantitative control (assessor ratings only)';
COMMENT ON COLUMN isms_report.capability_profile.pa51 IS 'PA 5.1 process innovation (assessor ratings only)';
COMMENT ON COLUMN isms_report.capability_profile.pa52 IS 'PA 5.2 process innovation implementation (assessor ratings only)';
COMMENT ON COLUMN isms_report.capability_profile.capability_level IS 'Capability level 0..5 (ISO/IEC 33020 rule; unrated attributes count as N)';
COMMENT ON COLUMN isms_report.capability_profile.assessor_rated IS 'Attributes whose rating is an assessor''s (the others are derived)';

GRANT SELECT ON isms_report.capability_profile TO isms_reader, isms_auditor, isms_manager, isms_admin, isms_contributor;
GRANT EXECUTE ON FUNCTION isms.derived_ratings(bigint, date, date),
    isms.capability_level(isms.rating, isms.rating, isms.rating, isms.rating, isms.rating,
                          isms.rating, isms.rating, isms.rating, isms.rating),
    isms.rating_smaller(isms.rating, isms.rating), isms.rating_larger(isms.rating, isms.rating),
    isms.rating_eq(isms.rating, isms.rating)
    TO isms_reader, isms_auditor, isms_manager, isms_admin, isms_contributor;
