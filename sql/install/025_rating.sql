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
