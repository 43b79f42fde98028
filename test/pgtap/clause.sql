-- pgTAP checks of the isms.clause type: catalog objects, ordering, hierarchy, errors.
BEGIN;
SELECT plan(22);

SELECT has_type('isms', 'clause', 'type isms.clause exists');
SELECT has_operator('isms.clause', 'isms', '<', 'isms.clause', 'boolean', 'operator < exists');
SELECT has_operator('isms.clause', 'isms', '=', 'isms.clause', 'boolean', 'operator = exists');
SELECT has_operator('isms.clause', 'isms', '@>', 'isms.clause', 'boolean', 'operator @> exists');
SELECT has_operator('isms.clause', 'isms', '<@', 'isms.clause', 'boolean', 'operator <@ exists');
SELECT has_opclass('isms', 'clause_ops', 'btree operator class exists');
SELECT has_opclass('isms', 'clause_hash_ops', 'hash operator class exists');
SELECT volatility_is('isms', 'clause_parent', ARRAY['isms.clause'], 'immutable', 'clause_parent is immutable');

SELECT is('6.1.2'::isms.clause::text, '6.1.2', 'numbered clause round trip');
SELECT is('A.5.23'::isms.clause::text, 'A.5.23', 'Annex A control round trip');
SELECT ok('6.1.2'::isms.clause OPERATOR(isms.<) '6.1.10'::isms.clause, '6.1.2 < 6.1.10');
SELECT ok('9.3'::isms.clause OPERATOR(isms.<) '10.1'::isms.clause, '9.3 < 10.1');
SELECT ok('6.1'::isms.clause OPERATOR(isms.<) '6.1.1'::isms.clause, 'a prefix sorts before its descendants');
SELECT ok('10.2'::isms.clause OPERATOR(isms.<) 'A.5.1'::isms.clause, 'numbered clauses sort before Annex A');
SELECT ok('6.1'::isms.clause OPERATOR(isms.@>) '6.1.2'::isms.clause, '6.1 is an ancestor of 6.1.2');
SELECT ok(NOT ('6.1'::isms.clause OPERATOR(isms.@>) '6.10'::isms.clause), '6.1 is not an ancestor of 6.10');
SELECT is(isms.clause_parent('A.5.23')::text, 'A.5', 'parent of A.5.23 is A.5');
SELECT ok(isms.clause_parent('A.5') IS NULL, 'A.5 has no parent');
SELECT is(isms.clause_depth('9.2.2'), 3, 'depth of 9.2.2 is 3');

SELECT throws_ok($$SELECT '07.4'::isms.clause$$, '22P02',
                 'invalid input syntax for type clause: "07.4"', 'leading zero rejected');
SELECT throws_ok($$SELECT 'a.5.1'::isms.clause$$, '22P02',
                 'invalid input syntax for type clause: "a.5.1"', 'lower-case annex prefix rejected');
SELECT throws_ok($$SELECT repeat('1.', 5000)::isms.clause$$, '22P02', NULL, 'very long input rejected');

SELECT * FROM finish();
ROLLBACK;
