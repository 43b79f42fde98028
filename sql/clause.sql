--
-- isms.clause: ISO/IEC 27001:2022 clause / Annex A control references
--
\set VERBOSITY default
-- The operators live in schema isms, like the type.
SET search_path = public, isms;

-- Round trips of valid input.
SELECT c::text AS text_form, isms.clause_depth(c) AS depth, isms.clause_is_annex(c) AS annex
  FROM unnest('{7.4,6.1.2,9.2.2,10.2,A.5.23,A.8.34,6.2,7.13,8.5,1,A.5,9999.9999,1.2.3.4.5.6.7.8,A.1.2.3.4.5.6.7.8}'::isms.clause[]) AS c;
SELECT '9999.9999.9999.9999.9999.9999.9999.9999'::isms.clause;
SELECT 'A.10'::isms.clause::text::isms.clause = 'A.10' AS same;

-- Malformed input, case by case.
SELECT ''::isms.clause;
SELECT '6..1'::isms.clause;
SELECT 'A.'::isms.clause;
SELECT '7.x'::isms.clause;
SELECT ' 7.4'::isms.clause;
SELECT '7.4 '::isms.clause;
SELECT 'A'::isms.clause;
SELECT 'A5.1'::isms.clause;
SELECT 'a.5.1'::isms.clause;
SELECT 'B.5.1'::isms.clause;
SELECT 'A.B'::isms.clause;
SELECT '.7'::isms.clause;
SELECT '7.'::isms.clause;
SELECT '-7'::isms.clause;
SELECT '7,4'::isms.clause;
SELECT '07.4'::isms.clause;
SELECT '7.04'::isms.clause;
SELECT '0'::isms.clause;
SELECT '7.0'::isms.clause;
SELECT 'A.0'::isms.clause;
SELECT '99999999999999999999'::isms.clause;
SELECT '10000'::isms.clause;
SELECT '6.1.10000'::isms.clause;
SELECT '1.2.3.4.5.6.7.8.9'::isms.clause;
SELECT '1.2.3.4.5.6.7.8.'::isms.clause;
SELECT 'A.1.2.3.4.5.6.7.8.9'::isms.clause;
SELECT '7.4é'::isms.clause;
SELECT repeat('1.', 5000)::isms.clause;
SELECT repeat('1', 101)::isms.clause;

-- Every malformed input fails with SQLSTATE 22P02 (invalid_text_representation).
CREATE FUNCTION pg_temp.clause_error(input text, OUT state text, OUT detail text)
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM input::isms.clause;
    state := 'accepted';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, detail = PG_EXCEPTION_DETAIL;
END $$;
SELECT left(input, 20) AS input, (pg_temp.clause_error(input)).*
  FROM unnest(ARRAY['', '6..1', 'A.', '7.x', ' 7.4', '7.4 ', 'A', 'a.5.1', '.7', '7.',
                    '99999999999999999999', '10000', '1.2.3.4.5.6.7.8.9', repeat('1.', 5000),
                    '07.4', '0', '6.1.2']) AS input;

-- NULL handling.
SELECT NULL::isms.clause IS NULL AS is_null, isms.clause_depth(NULL) IS NULL AS depth_null;

-- Binary send output: version 1, kind, segment count, big-endian uint16 segments.
SELECT isms.clause_send('6.1.2'), isms.clause_send('A.5.23'), isms.clause_send('9999');

-- Binary receive: a binary COPY of a table is read back through clause_recv.
-- The files live in the data directory, so concurrent clusters never collide.
CREATE TEMP TABLE clause_bin (c isms.clause);
INSERT INTO clause_bin VALUES ('6.1.2'), ('A.5.23'), ('10.2'), ('1.2.3.4.5.6.7.8'), ('A.8.34');
CREATE TEMP TABLE clause_bin_back (c isms.clause);
CREATE FUNCTION pg_temp.bin_file(name text) RETURNS text LANGUAGE sql
    AS $$ SELECT current_setting('data_directory') || '/isms_clause_test_' || name || '.bin' $$;
DO $$
BEGIN
    EXECUTE format('COPY clause_bin TO %L WITH (FORMAT binary)', pg_temp.bin_file('good'));
    EXECUTE format('COPY clause_bin_back FROM %L WITH (FORMAT binary)', pg_temp.bin_file('good'));
END $$;
SELECT c FROM clause_bin_back;
SELECT count(*) AS mismatches
  FROM (SELECT c FROM clause_bin EXCEPT ALL SELECT c FROM clause_bin_back
        UNION ALL
        SELECT c FROM clause_bin_back EXCEPT ALL SELECT c FROM clause_bin) AS d;

-- Malformed binary: the binary COPY of a bytea column holds its raw bytes,
-- so writing bytea values and reading them back as clause feeds clause_recv
-- arbitrary input.
CREATE FUNCTION pg_temp.clause_recv_bytes(bytes bytea, OUT state text, OUT detail text, OUT result text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('COPY (SELECT %L::bytea) TO %L WITH (FORMAT binary)', bytes, pg_temp.bin_file('raw'));
    TRUNCATE clause_bin_back;
    EXECUTE format('COPY clause_bin_back FROM %L WITH (FORMAT binary)', pg_temp.bin_file('raw'));
    SELECT c::text INTO result FROM clause_bin_back;
    state := 'accepted';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, detail = PG_EXCEPTION_DETAIL;
END $$;
SELECT bytes, (pg_temp.clause_recv_bytes(bytes)).*
  FROM unnest(ARRAY['\x010003000600010002',   -- 6.1.2
                    '\x01010205dc0017',       -- A.1500.23
                    '\x020003000600010002',   -- unknown version
                    '\x000003000600010002',   -- version 0
                    '\x0100',                 -- short header
                    '',                       -- empty
                    '\x010203000600010002',   -- unknown kind
                    '\x010000',               -- no segments
                    '\x010009000100010001000100010001000100010001', -- 9 segments
                    '\x01000300060001',       -- truncated segments
                    '\x0100030006000100020000', -- trailing bytes
                    '\x01000200060000',       -- segment 0
                    '\x0100020006270f',       -- 6.9999
                    '\x01000200062710'        -- segment 10000
                    ]::bytea[]) AS bytes;

-- Ordering: numeric per segment, prefix first, numbered before Annex A.
SELECT c
  FROM unnest('{A.8.34,10.1,6.1.10,A.5.1,6.1.2,9.3,6.1,6,A.5,6.1.1,10,A.10.1,A.8.4,6.10}'::isms.clause[]) AS c
 ORDER BY c;
SELECT c
  FROM unnest('{A.8.34,10.1,6.1.10,A.5.1,6.1.2,9.3,6.1,6,A.5,6.1.1,10,A.10.1,A.8.4,6.10}'::isms.clause[]) AS c
 ORDER BY c DESC;

-- Comparison operators and their consistency with clause_cmp.
SELECT a, b, a < b AS lt, a <= b AS le, a = b AS eq, a <> b AS ne, a >= b AS ge, a > b AS gt,
       isms.clause_cmp(a, b) AS cmp
  FROM (VALUES ('6.1.2'::isms.clause, '6.1.10'::isms.clause),
               ('9.3', '10.1'),
               ('6.1', '6.1.1'),
               ('10.2', 'A.5.1'),
               ('A.5.23', 'A.5.23'),
               ('A.8.34', 'A.8.4'),
               ('7', '6.9999')) AS t(a, b);
SELECT min(c), max(c), isms.max(c) FILTER (WHERE NOT isms.clause_is_annex(c)) AS max_numbered
  FROM unnest('{A.8.34,10.1,6.1.10,A.5.1,9.3}'::isms.clause[]) AS c;

-- Operator metadata.
SELECT o.oprname, o.oprcode::regproc AS function,
       c.oprname AS commutator, n.oprname AS negator,
       o.oprrest::regproc AS restrict, o.oprjoin::regproc AS join,
       o.oprcanmerge AS merges, o.oprcanhash AS hashes
  FROM pg_operator o
  LEFT JOIN pg_operator c ON c.oid = o.oprcom
  LEFT JOIN pg_operator n ON n.oid = o.oprnegate
 WHERE o.oprleft = 'isms.clause'::regtype
 ORDER BY o.oprname;
SELECT am.amname, opc.opcname, opc.opcdefault
  FROM pg_opclass opc JOIN pg_am am ON am.oid = opc.opcmethod
 WHERE opc.opcintype = 'isms.clause'::regtype
 ORDER BY 1;
SELECT p.proname, p.provolatile, p.proisstrict, p.proparallel
  FROM pg_proc p
 WHERE p.pronamespace = 'isms'::regnamespace
   AND (p.proname LIKE 'clause%' OR p.proname = 'is_descendant')
 ORDER BY 1;

-- Ancestor / descendant operators.
SELECT a, b, a @> b AS contains, a <@ b AS contained, b @> a AS rev_contains, b <@ a AS rev_contained
  FROM (VALUES ('6.1'::isms.clause, '6.1.2'::isms.clause),
               ('6.1', '6.1'),
               ('6.1', '6.10'),
               ('6.1', '6.10.1'),
               ('6', 'A.6'),
               ('A.5', 'A.5.23'),
               ('A.5.23', 'A.5'),
               ('10', '10.2')) AS t(a, b);
SELECT isms.is_descendant('6.1.2', '6.1') AS yes, isms.is_descendant('6.10', '6.1') AS no,
       isms.is_descendant(NULL, '6.1') AS null1, isms.is_descendant('6.1', NULL) AS null2;

-- Navigation functions.
SELECT c, isms.clause_depth(c) AS depth, isms.clause_parent(c) AS parent,
       isms.clause_parent(isms.clause_parent(c)) AS grandparent,
       isms.clause_next_sibling(c) AS next_sibling, isms.clause_subtree_last(c) AS subtree_last
  FROM unnest('{7,6.1,6.1.2,A.5,A.5.23,10.2,9.9999,A.9999}'::isms.clause[]) AS c;

-- Hashing: equal values hash equally; hash operator class drives hash aggregates and joins.
SELECT isms.clause_hash('6.1.2') = isms.clause_hash('6.1.2'::text::isms.clause) AS same_hash,
       isms.clause_hash('6.1.2') <> isms.clause_hash('6.1.3') AS differs,
       isms.clause_hash_extended('6.1.2', 0) = isms.clause_hash_extended('6.1.2', 0) AS same_ext,
       isms.clause_hash_extended('6.1.2', 0) <> isms.clause_hash_extended('6.1.2', 1) AS seeded;

CREATE TEMP TABLE clause_t (code isms.clause NOT NULL);
INSERT INTO clause_t
SELECT format('%s', a)::isms.clause FROM generate_series(4, 10) a
UNION ALL
SELECT format('%s.%s', a, b)::isms.clause FROM generate_series(4, 10) a, generate_series(1, 15) b
UNION ALL
SELECT format('%s.%s.%s', a, b, c)::isms.clause
  FROM generate_series(4, 10) a, generate_series(1, 15) b, generate_series(1, 15) c
UNION ALL
SELECT format('6.1.2.%s', d)::isms.clause FROM generate_series(1, 12) d
UNION ALL
SELECT format('A.%s', a)::isms.clause FROM generate_series(5, 8) a
UNION ALL
SELECT format('A.%s.%s', a, b)::isms.clause FROM generate_series(5, 8) a, generate_series(1, 40) b;
SELECT count(*), count(DISTINCT code) FROM clause_t;

SET enable_sort = off;
EXPLAIN (COSTS OFF)
SELECT isms.clause_parent(code) AS parent, count(*) FROM clause_t GROUP BY 1;
SELECT isms.clause_parent(code) AS parent, count(*) FROM clause_t
 WHERE isms.clause_depth(code) = 2 GROUP BY 1 ORDER BY 1;
RESET enable_sort;

SET enable_mergejoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF)
SELECT count(*) FROM clause_t a JOIN clause_t b ON isms.clause_parent(b.code) = a.code;
SELECT count(*) FROM clause_t a JOIN clause_t b ON isms.clause_parent(b.code) = a.code;
RESET enable_mergejoin;
RESET enable_nestloop;

-- Merge join through the btree operator class.
SET enable_hashjoin = off;
SET enable_nestloop = off;
EXPLAIN (COSTS OFF)
SELECT count(*) FROM clause_t a JOIN clause_t b ON isms.clause_parent(b.code) = a.code;
SELECT count(*) FROM clause_t a JOIN clause_t b ON isms.clause_parent(b.code) = a.code;
RESET enable_hashjoin;
RESET enable_nestloop;

-- Hash index.
CREATE INDEX clause_t_hash ON clause_t USING hash (code);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM clause_t WHERE code = 'A.5.23';
SELECT * FROM clause_t WHERE code = 'A.5.23';
RESET enable_seqscan;
DROP INDEX clause_t_hash;

-- Descendant search through a plain btree index.
CREATE INDEX clause_t_code ON clause_t (code);
VACUUM ANALYZE clause_t;
SET enable_bitmapscan = off;

EXPLAIN (COSTS OFF) SELECT code FROM clause_t WHERE code <@ '6.1';
EXPLAIN (COSTS OFF) SELECT code FROM clause_t WHERE '6.1' @> code;
EXPLAIN (COSTS OFF) SELECT code FROM clause_t WHERE isms.is_descendant(code, '6.1');
EXPLAIN (COSTS OFF)
SELECT code FROM clause_t WHERE code BETWEEN '6.1' AND isms.clause_subtree_last('6.1');
-- Ancestors of a constant are not turned into an index range (filter only).
EXPLAIN (COSTS OFF) SELECT code FROM clause_t WHERE code @> '6.1.2.3';

-- The function form of the operator is indexable too.
EXPLAIN (COSTS OFF) SELECT code FROM clause_t WHERE isms.clause_contained(code, 'A.5');
-- max() uses the index (SORTOP).
EXPLAIN (COSTS OFF) SELECT max(code) FROM clause_t;
SELECT max(code), min(code) FROM clause_t;

SELECT code FROM clause_t WHERE code <@ '6.1' ORDER BY code;

-- With a parameter instead of a constant (generic plan) the operator is a
-- plain filter, still correct.
PREPARE clause_desc(isms.clause) AS SELECT count(*) FROM clause_t WHERE code <@ $1;
SET plan_cache_mode = force_generic_plan;
EXPLAIN (COSTS OFF) EXECUTE clause_desc('6.1');
EXECUTE clause_desc('6.1');
SET plan_cache_mode = force_custom_plan;
EXPLAIN (COSTS OFF) EXECUTE clause_desc('6.1');
EXECUTE clause_desc('6.1');
RESET plan_cache_mode;
DEALLOCATE clause_desc;

-- All idioms return exactly the subtree, as computed without any index.
CREATE TEMP TABLE clause_roots AS
SELECT r::isms.clause AS root FROM unnest('{6.1,6.1.2,6,10,10.15,A.5,A.8.40,4.1.1,7.13}'::text[]) AS r;
SELECT root,
       (SELECT count(*) FROM clause_t WHERE code <@ root) AS contained,
       (SELECT count(*) FROM clause_t WHERE root @> code) AS contains,
       (SELECT count(*) FROM clause_t WHERE isms.is_descendant(code, root)) AS is_descendant,
       (SELECT count(*) FROM clause_t
         WHERE code::text = root::text OR code::text LIKE root::text || '.%') AS by_text
  FROM clause_roots ORDER BY root;

SET enable_indexscan = off;
SET enable_indexonlyscan = off;
CREATE TEMP TABLE clause_expected AS
SELECT root, code FROM clause_roots, clause_t
 WHERE code::text = root::text OR code::text LIKE root::text || '.%';
RESET enable_indexscan;
RESET enable_indexonlyscan;
SELECT count(*) AS rows_expected FROM clause_expected;
-- Each root is a constant here, so the index path is the one being checked.
CREATE FUNCTION pg_temp.subtree_diff(r isms.clause) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE format($q$
        SELECT count(*) FROM (
            (SELECT code FROM clause_t WHERE code <@ %1$L
             EXCEPT ALL SELECT code FROM clause_expected WHERE root = %1$L)
            UNION ALL
            (SELECT code FROM clause_expected WHERE root = %1$L
             EXCEPT ALL SELECT code FROM clause_t WHERE code <@ %1$L)
            UNION ALL
            (SELECT code FROM clause_t WHERE isms.is_descendant(code, %1$L)
             EXCEPT ALL SELECT code FROM clause_expected WHERE root = %1$L)
            UNION ALL
            (SELECT code FROM clause_expected WHERE root = %1$L
             EXCEPT ALL SELECT code FROM clause_t WHERE isms.is_descendant(code, %1$L))) AS d$q$, r)
        INTO n;
    RETURN n;
END $$;
SELECT root, pg_temp.subtree_diff(root) AS differences FROM clause_roots ORDER BY root;

RESET enable_bitmapscan;
DROP TABLE clause_t, clause_roots, clause_expected, clause_bin, clause_bin_back;
