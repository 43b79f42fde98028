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
