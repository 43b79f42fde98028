--
-- isms.rating: ISO/IEC 33020 process attribute ratings and the capability level rule
--
SET search_path = isms, public;
SET extra_float_digits = 0;

-- text I/O of every value
SELECT v, v::isms.rating AS rating, v::isms.rating::text AS text
FROM unnest(ARRAY['N', 'P-', 'P', 'P+', 'L-', 'L', 'L+', 'F']) AS v;

-- Unicode minus (U+2212) and surrounding whitespace are accepted
SELECT E'P\u2212'::isms.rating AS p_minus, E'L\u2212'::isms.rating AS l_minus,
       ' F '::isms.rating AS padded, E'\tL+\n'::isms.rating AS tabbed;

-- casts from text and functional notation
SELECT 'L+'::text::isms.rating AS from_text, 'P-'::varchar::isms.rating AS from_varchar,
       isms.rating('F') AS functional, isms.rating(t) FROM (VALUES ('N'::text)) AS x(t);
SELECT 'L-'::isms.rating::text || '/' || 'F'::isms.rating AS concat;

-- malformed input, case by case
SELECT ''::isms.rating;
SELECT '   '::isms.rating;
SELECT 'p'::isms.rating;
SELECT 'f'::isms.rating;
SELECT 'X'::isms.rating;
SELECT 'P++'::isms.rating;
SELECT 'L -'::isms.rating;
SELECT 'N+'::isms.rating;
SELECT 'F-'::isms.rating;
SELECT 'PL'::isms.rating;
SELECT 'Fully'::isms.rating;
SELECT E'N\u2212'::isms.rating;
SELECT E'P\u2212\u2212'::isms.rating;
SELECT E'P\u2013'::isms.rating;
-- NULL handling
SELECT NULL::isms.rating AS null_rating, isms.rating_ordinal(NULL) AS null_ordinal,
       isms.rating(NULL::numeric) AS null_pct;

-- in a table
CREATE TEMP TABLE r (id int, v isms.rating);
INSERT INTO r VALUES (1, 'F'), (2, 'P-'), (3, 'L'), (4, 'N'), (5, 'P+'), (6, 'L+'),
    (7, 'P'), (8, 'L-'), (9, NULL);
INSERT INTO r VALUES (10, 'Q');

-- ordering: N < P- < P < P+ < L- < L < L+ < F, NULL last
SELECT id, v FROM r ORDER BY v, id;
SELECT id, v FROM r ORDER BY v DESC NULLS LAST, id;
SELECT v FROM unnest('{F,N,L+,P,L-,P+,L,P-,F,N}'::isms.rating[]) AS v ORDER BY v;
SELECT 'P'::isms.rating > 'P-' AS p_gt_pminus, 'P'::isms.rating < 'P+' AS p_lt_pplus,
       'P+'::isms.rating < 'L-' AS pplus_lt_lminus, 'L'::isms.rating = 'L' AS l_eq_l,
       'L'::isms.rating <> 'L+' AS l_ne_lplus, 'F'::isms.rating >= 'F' AS f_ge_f,
       'N'::isms.rating <= 'P-' AS n_le_pminus, isms.rating_cmp('N', 'F') AS cmp_nf,
       isms.rating_cmp('L', 'L') AS cmp_ll, isms.rating_cmp('F', 'L+') AS cmp_fl;
SELECT isms.min(v), isms.max(v) FROM r;
SELECT count(*) FROM r WHERE v >= 'L-';
SELECT count(*) FROM r WHERE v BETWEEN 'P-' AND 'P+';

-- ordinals and predicates
SELECT v, isms.rating_ordinal(v) AS ordinal, isms.rating_refined_ordinal(v) AS refined_ordinal,
       isms.rating_is_refined(v) AS is_refined, isms.rating_is_achieved(v) AS achieved,
       isms.rating_unrefined(v) AS unrefined
FROM r WHERE v IS NOT NULL ORDER BY v;

-- from percentages: boundaries (numeric)
SELECT p, isms.rating(p) AS rating, isms.rating_refined(p) AS refined
FROM unnest('{0,15,15.0001,32.5,32.5001,50,50.0001,67.5,67.5001,85,85.0001,100}'::numeric[]) AS p;
-- the same as double precision
SELECT p, isms.rating(p) AS rating, isms.rating_refined(p) AS refined
FROM unnest('{0,15,15.0001,32.5,32.5001,50,50.0001,67.5,67.5001,85,85.0001,100}'::float8[]) AS p;
-- integers resolve to the double precision variant, and exact numerics stay exact
SELECT isms.rating(15) AS i15, isms.rating(16) AS i16,
       isms.rating(15.000000000000000000001) AS just_above_15,
       isms.rating_refined(32.500000000000000000001) AS just_above_32_5;
-- out of range
SELECT isms.rating(-1);
SELECT isms.rating(100.5);
SELECT isms.rating('NaN'::numeric);
SELECT isms.rating('NaN'::float8);
SELECT isms.rating_refined('Infinity'::float8);
SELECT isms.rating_refined('-Infinity'::numeric);
SELECT isms.rating(-0.0001::numeric);

-- aggregates over ratings: mean of ordinals rounded half up, lower median
CREATE TEMP TABLE runs (attr text, run int, v isms.rating);
INSERT INTO runs VALUES
    ('a', 1, 'F'), ('a', 2, 'L'), ('a', 3, 'L'),          -- mean 7/3 = 2.33 -> L; median L
    ('b', 1, 'N'), ('b', 2, 'F'),                         -- mean 1.5 -> L (half up); median N (lower)
    ('c', 1, 'P'), ('c', 2, 'L'),                         -- mean 1.5 -> L; median P
    ('d', 1, 'P-'), ('d', 2, 'P+'), ('d', 3, 'F'), ('d', 4, 'F'), -- mean 8/4 = 2 -> L; median P
    ('e', 1, 'N'), ('e', 2, 'N'), ('e', 3, 'P'),          -- mean 0.33 -> N; median N
    ('f', 1, 'L+'), ('f', 2, NULL),                       -- NULL ignored
    ('g', 1, NULL);                                       -- no ratings -> NULL
SELECT attr, isms.rating_mean(v) AS mean, isms.rating_median(v) AS median,
       round(avg(isms.rating_ordinal(v)), 2) AS avg_ordinal
FROM runs GROUP BY attr ORDER BY attr;
SELECT isms.rating_mean(v) AS mean, isms.rating_median(v) AS median FROM runs WHERE false;

-- refined aggregates: ordinals 0..5
SELECT isms.rating_refined_mean(v) AS mean, isms.rating_refined_median(v) AS median
FROM unnest('{P-,L+}'::isms.rating[]) AS v;     -- mean 2.5 -> L- (half up); median P-
SELECT isms.rating_refined_mean(v) AS mean, isms.rating_refined_median(v) AS median
FROM unnest('{N,P-,P+,L-,L+,F,F}'::isms.rating[]) AS v;  -- mean 20/7 = 2.86 -> L-; median L-
SELECT isms.rating_refined_mean(v) FROM unnest('{P-,P}'::isms.rating[]) AS v;

-- aggregates over percentages: rating of the mean achievement
SELECT isms.rating_of_mean(p) AS of_mean, isms.rating_refined_of_mean(p) AS refined_of_mean,
       isms.rating_of_mean(p::float8) AS of_mean_f8, isms.rating_refined_of_mean(p::float8) AS refined_f8
FROM unnest('{40,60,80}'::numeric[]) AS p;       -- mean 60 -> L, L-
SELECT isms.rating_of_mean(p), isms.rating_of_mean(p::float8)
FROM unnest('{15,15.0003}'::numeric[]) AS p;     -- mean 15.00015 -> P
SELECT isms.rating_of_mean(p), isms.rating_of_mean(p::float8)
FROM unnest('{0,30}'::numeric[]) AS p;           -- mean 15 -> N
SELECT isms.rating_of_mean(p), isms.rating_of_mean(p::float8)
FROM unnest('{70,NULL}'::numeric[]) AS p;        -- NULL ignored
SELECT isms.rating_of_mean(p), isms.rating_of_mean(p::float8)
FROM unnest('{}'::numeric[]) AS p;               -- no input -> NULL
SELECT isms.rating_of_mean(p) FROM unnest('{-10,110}'::numeric[]) AS p;
SELECT isms.rating_of_mean(p) FROM unnest('{-10,110}'::float8[]) AS p;

-- the capability level rule
SELECT isms.capability_level('F', 'L', 'F') AS "F,L,F = 2",
       isms.capability_level('L') AS "L = 1",
       isms.capability_level('P') AS "P = 0",
       isms.capability_level('F', 'F', 'F', 'L', 'P') AS "F,F,F,L,P = 2";
SELECT isms.capability_level('F', 'F', 'F', 'F', 'F', 'F', 'F', 'F', 'F') AS "all F = 5",
       isms.capability_level('F', 'F', 'F', 'F', 'F', 'F', 'F', 'L-', 'L+') AS "level 5 largely = 5",
       isms.capability_level('F', 'F', 'F', 'F', 'F', 'F', 'F', 'F', 'P+') AS "PA 5.2 P+ = 4",
       isms.capability_level('F', 'F', 'L+', 'F', 'F') AS "PA 2.2 not F = 2",
       isms.capability_level('L-', 'F', 'F') AS "PA 1.1 not F = 1";
-- NULL = not rated = N
SELECT isms.capability_level(NULL) AS "NULL = 0",
       isms.capability_level('F', NULL, 'F') AS "PA 2.1 unrated = 1",
       isms.capability_level('F', 'F', 'F', pa32 => 'F', pa31 => NULL) AS "PA 3.1 unrated = 2",
       isms.capability_level(pa11 => 'F', pa21 => 'L', pa22 => 'L') AS named;

-- aggregate form, one group per process
CREATE TEMP TABLE pa (process text, attribute text, v isms.rating);
INSERT INTO pa VALUES
    ('p1', 'PA 1.1', 'F'), ('p1', 'PA 2.1', 'L'), ('p1', 'PA 2.2', 'F'),
    ('p2', 'PA 1.1', 'L'),
    ('p3', 'PA 1.1', 'P'),
    ('p4', 'PA 1.1', 'F'), ('p4', 'PA2.1', 'F'), ('p4', '2.2', 'F'), ('p4', 'pa 3.1', 'L'), ('p4', ' PA 3.2 ', 'P'),
    ('p5', 'PA 1.1', 'F'), ('p5', 'PA 2.1', 'F'), ('p5', 'PA 2.2', 'F'), ('p5', 'PA 3.1', 'F'),
    ('p5', 'PA 3.2', 'F'), ('p5', 'PA 4.1', 'F'), ('p5', 'PA 4.2', 'F'), ('p5', 'PA 5.1', 'F'),
    ('p5', 'PA 5.2', 'F'),
    ('p6', 'PA 1.1', 'F'), ('p6', 'PA 2.1', 'F'), ('p6', 'PA 2.2', NULL),   -- NULL skipped: PA 2.2 unrated
    ('p7', 'PA 1.1', 'F'), ('p7', 'PA 1.1', 'L'), ('p7', 'PA 2.1', 'F'), ('p7', 'PA 2.2', 'F'), -- lowest PA 1.1 counts
    ('p8', NULL, 'F');
SELECT process, isms.capability_level_agg(attribute, v) AS level
FROM pa GROUP BY process ORDER BY process;
SELECT isms.capability_level_agg(attribute, v) FROM pa WHERE false;
SELECT isms.capability_level_agg(a, 'F') FROM (VALUES ('PA 6.1')) AS x(a);
SELECT isms.capability_level_agg(a, 'F') FROM (VALUES ('1.3')) AS x(a);

-- hash opclass: hash aggregation, hash join, hash index
SET enable_sort = off;
EXPLAIN (COSTS OFF) SELECT v, count(*) FROM r GROUP BY v;
SELECT v, count(*) FROM r GROUP BY v ORDER BY v;
RESET enable_sort;
SET enable_mergejoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM r JOIN runs USING (v);
SELECT count(*) FROM r JOIN runs USING (v);
RESET enable_mergejoin;
RESET enable_nestloop;
-- the extended hash with seed 0 agrees with the plain hash in its low 32 bits
SELECT v, (isms.rating_hash_extended(v, 0) & 4294967295) = (isms.rating_hash(v)::bigint & 4294967295) AS agree,
       isms.rating_hash_extended(v, 0) <> isms.rating_hash_extended(v, 1) AS seeded
FROM r WHERE v IS NOT NULL ORDER BY v;
CREATE INDEX r_v_hash ON r USING hash (v);
CREATE INDEX r_v_btree ON r (v);
SET enable_seqscan = off;
SELECT id FROM r WHERE v = 'L+';
SELECT id FROM r WHERE v > 'L' ORDER BY v;
RESET enable_seqscan;
SELECT DISTINCT v FROM r ORDER BY v;

-- parallel aggregation uses the combine and serialization functions
CREATE TABLE rating_big AS
    SELECT i, (ARRAY['N','P-','P','P+','L-','L','L+','F']::isms.rating[])[i % 8 + 1] AS v,
           (i % 101)::numeric AS pct
    FROM generate_series(0, 79999) AS i;
ANALYZE rating_big;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT isms.rating_mean(v), isms.rating_median(v), isms.rating_of_mean(pct),
       isms.capability_level_agg('PA 1.1', v) FROM rating_big;
SELECT isms.rating_mean(v), isms.rating_median(v), isms.rating_of_mean(pct),
       isms.rating_of_mean(pct::float8), isms.rating_refined_of_mean(pct),
       isms.capability_level_agg('PA 1.1', v), isms.min(v), isms.max(v) FROM rating_big;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
DROP TABLE rating_big;

-- binary send/recv round trip through a server-side binary COPY
-- (file names carry the backend pid so that concurrent runs do not collide)
SELECT isms.rating_send('F') AS f, isms.rating_send('N') AS n, isms.rating_send('P') AS p;
SELECT '/tmp/isms27022_rating_' || pg_backend_pid() AS binfile \gset
SELECT :'binfile' || '.bin' AS binfile1, :'binfile' || '_v2.bin' AS binfile2,
       :'binfile' || '_8.bin' AS binfile3, :'binfile' || '_ok.bin' AS binfile4,
       'rm -f ' || :'binfile' || '*.bin' AS rmcmd \gset
COPY r TO :'binfile1' WITH (FORMAT binary);
CREATE TEMP TABLE r2 (LIKE r);
COPY r2 FROM :'binfile1' WITH (FORMAT binary);
SELECT count(*) AS rows, count(*) FILTER (WHERE r.v IS NOT DISTINCT FROM r2.v) AS same
FROM r JOIN r2 USING (id);
-- a bad version byte and a bad value are rejected; the files are written
-- through server-side large objects: signature, flags, header extension,
-- field count 1, field length 2, version byte, value, trailer
CREATE FUNCTION pg_temp.write_copy_file(path text, field text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    o oid := lo_from_bytea(0, decode('5047434f50590aff0d0a00' || '00000000' || '00000000'
                                     || '0001' || '00000002' || field || 'ffff', 'hex'));
BEGIN
    PERFORM lo_export(o, path);
    PERFORM lo_unlink(o);
END
$$;
SELECT pg_temp.write_copy_file(:'binfile2', '0207'), pg_temp.write_copy_file(:'binfile3', '0108'),
       pg_temp.write_copy_file(:'binfile4', '0106');
CREATE TEMP TABLE r3 (v isms.rating);
COPY r3 FROM :'binfile2' WITH (FORMAT binary);
COPY r3 FROM :'binfile3' WITH (FORMAT binary);
COPY r3 FROM :'binfile4' WITH (FORMAT binary);
SELECT v FROM r3;
COPY (SELECT 1 WHERE false) TO PROGRAM :'rmcmd';

-- support functions called directly with a bad state fail cleanly
SELECT isms.rating_of_mean_final('{1,2}'::float8[]);
SELECT isms.capability_level_final(8);
SELECT isms.capability_level_final(-1);

-- catalog: every function of the type is immutable and parallel safe
SELECT p.proname, p.provolatile, p.proparallel
FROM pg_proc p
WHERE p.pronamespace = 'isms'::regnamespace
  AND (p.proname LIKE 'rating%' OR p.proname LIKE 'capability_level%')
  AND (p.provolatile <> 'i' OR p.proparallel <> 's')
ORDER BY 1;
SELECT a.aggfnoid::regprocedure AS aggregate, a.aggcombinefn <> 0 AS has_combine
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
WHERE p.pronamespace = 'isms'::regnamespace AND p.proparallel = 's'
  AND (p.proname LIKE 'rating%' OR p.proname LIKE 'capability_level%'
       OR 'isms.rating'::regtype = ANY (p.proargtypes::oid[]))
ORDER BY a.aggfnoid::regprocedure::text COLLATE "C";
