-- pgTAP checks of isms.rating: the type, its operator classes and the level rule.
BEGIN;
SELECT plan(12);

SELECT has_type('isms', 'rating', 'type isms.rating exists');
SELECT has_function('isms', 'capability_level',
    ARRAY['isms.rating', 'isms.rating', 'isms.rating', 'isms.rating', 'isms.rating',
          'isms.rating', 'isms.rating', 'isms.rating', 'isms.rating'],
    'isms.capability_level(pa11 .. pa52) exists');
SELECT has_opclass('isms', 'rating_ops', 'btree opclass isms.rating_ops exists');
SELECT has_opclass('isms', 'rating_hash_ops', 'hash opclass isms.rating_hash_ops exists');
SELECT is('P−'::isms.rating::text, 'P-', 'Unicode minus is read, ASCII minus written');
SELECT throws_ok($$SELECT 'p'::isms.rating$$, '22P02', NULL, 'lower case letters are rejected');
SELECT throws_ok($$SELECT isms.rating(100.5)$$, '22003', NULL, 'percentages above 100 are rejected');
SELECT is(isms.rating_refined(32.5)::text, 'P-', '32.5 % is P-');
SELECT ok('P-'::isms.rating OPERATOR(isms.<) 'P' AND 'P'::isms.rating OPERATOR(isms.<) 'P+',
    'unrefined P sorts between P- and P+');
SELECT is(isms.capability_level('F', 'L', 'F'), 2, 'PA1.1=F, PA2.1=L, PA2.2=F is level 2');
SELECT is(isms.capability_level('F', 'F', 'F', 'L', 'P'), 2, 'PA3.2=P keeps the process at level 2');
SELECT is((SELECT isms.capability_level_agg(a, r)
           FROM (VALUES ('PA 1.1', 'F'::isms.rating), ('PA 2.1', 'L'), ('PA 2.2', 'L')) AS v(a, r)),
          2, 'the aggregate applies the same rule');

SELECT * FROM finish();
ROLLBACK;
