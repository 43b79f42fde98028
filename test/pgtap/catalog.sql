-- pgTAP checks of the shipped catalog: tables, keys, column types, the
-- model's counts, and that nothing in it is writable through PUBLIC.
BEGIN;
SELECT plan(106);

-- Tables and the derived architecture view.
SELECT has_table('isms', t, 'table isms.' || t || ' exists')
  FROM unnest(ARRAY['iso27001_clause', 'work_product', 'process', 'activity', 'process_input',
                    'activity_input', 'process_output', 'process_reference', 'activity_reference',
                    'work_product_reference', 'lifecycle_kind', 'lifecycle_state',
                    'lifecycle_transition', 'process_outcome']) AS t;
SELECT has_view('isms', 'process_flow', 'view isms.process_flow exists');
SELECT has_view('isms', v, 'view isms.' || v || ' exists (0.1.0''s table, now a view of isms.lifecycle_transition)')
  FROM unnest(ARRAY['run_transition', 'step_transition', 'record_transition']) AS v;

-- Primary keys.
SELECT has_pk('isms', t, 'table isms.' || t || ' has a primary key')
  FROM unnest(ARRAY['iso27001_clause', 'work_product', 'process', 'activity', 'process_input',
                    'activity_input', 'process_output', 'process_reference', 'activity_reference',
                    'work_product_reference', 'lifecycle_kind', 'lifecycle_state',
                    'lifecycle_transition', 'process_outcome']) AS t;
SELECT col_is_pk('isms', 'iso27001_clause', 'clause', 'the clause number is the key of a clause');
SELECT col_is_pk('isms', 'process_reference', ARRAY['process_id', 'clause'],
                 'a process references a clause once');
SELECT col_is_pk('isms', 'process_outcome', ARRAY['process_id', 'outcome_no'],
                 'an outcome is numbered within its process');
SELECT fk_ok('isms', 'process_outcome', 'work_product_id', 'isms', 'work_product', 'work_product_id',
             'an outcome is evidenced by a work product');

-- Column types.
SELECT col_type_is('isms', 'iso27001_clause', 'clause', 'isms', 'clause', 'iso27001_clause.clause is isms.clause');
SELECT col_type_is('isms', 'process', 'code', 'isms', 'clause', 'process.code is isms.clause');
SELECT col_type_is('isms', 'process_reference', 'clause', 'isms', 'clause', 'process_reference.clause is isms.clause');
SELECT col_type_is('isms', 'activity_reference', 'clause', 'isms', 'clause', 'activity_reference.clause is isms.clause');
SELECT col_type_is('isms', 'work_product_reference', 'clause', 'isms', 'clause', 'work_product_reference.clause is isms.clause');
SELECT col_type_is('isms', 'process', 'category', 'isms', 'process_category', 'process.category is isms.process_category');
SELECT col_type_is('isms', 'work_product', 'kind', 'isms', 'work_product_kind', 'work_product.kind is isms.work_product_kind');
SELECT col_type_is('isms', 'work_product', 'origin', 'isms', 'work_product_origin', 'work_product.origin is isms.work_product_origin');
SELECT col_type_is('isms', 'process_input', 'requirement', 'isms', 'input_requirement', 'process_input.requirement is isms.input_requirement');
SELECT col_type_is('isms', 'work_product', 'review_months', 'integer', 'work_product.review_months is integer');
SELECT col_type_is('isms', 'work_product', 'retention_months', 'integer', 'work_product.retention_months is integer');
SELECT col_type_is('isms', 'activity', 'optional', 'boolean', 'activity.optional is boolean');
SELECT col_type_is('isms', 'process_output', 'required', 'boolean', 'process_output.required is boolean');
SELECT col_type_is('isms', 'process_output', 'activity_no', 'integer', 'process_output.activity_no is integer');
SELECT col_type_is('isms', t, 'org_id', 'bigint', t || '.org_id is bigint')
  FROM unnest(ARRAY['work_product', 'process', 'activity', 'process_input', 'activity_input',
                    'process_output']) AS t;
SELECT col_not_null('isms', 'process', 'purpose', 'a process has a purpose');
SELECT col_not_null('isms', 'work_product', 'retention_months', 'a work product has a retention');
SELECT col_not_null('isms', 'process_outcome', 'text', 'an outcome has a text');
SELECT col_is_null('isms', 'process_outcome', 'work_product_id', 'an outcome may name no work product');

-- The model's counts (shipped rows only).
SELECT is((SELECT count(*) FROM isms.process WHERE org_id IS NULL), 17::bigint, '17 processes');
SELECT is((SELECT count(*) FROM isms.process WHERE org_id IS NULL AND category = 'management'), 1::bigint, '1 management process');
SELECT is((SELECT count(*) FROM isms.process WHERE org_id IS NULL AND category = 'core'), 12::bigint, '12 core processes');
SELECT is((SELECT count(*) FROM isms.process WHERE org_id IS NULL AND category = 'support'), 4::bigint, '4 support processes');
SELECT is((SELECT count(*) FROM isms.activity WHERE org_id IS NULL), 71::bigint, '71 activities');
SELECT is((SELECT count(*) FROM isms.activity WHERE org_id IS NULL AND optional), 7::bigint, '7 optional activities');
SELECT is((SELECT count(*) FROM isms.work_product WHERE org_id IS NULL), 54::bigint, '54 work products');
SELECT is((SELECT count(*) FROM isms.work_product WHERE org_id IS NULL AND origin <> 'process'), 7::bigint,
          '7 work products may be entered directly');
SELECT is((SELECT count(*) FROM isms.process_outcome), 47::bigint, '47 process outcomes');
SELECT is((SELECT count(*) FROM isms.process_outcome WHERE work_product_id IS NOT NULL), 45::bigint,
          '45 outcomes evidenced by a work product');
SELECT is((SELECT count(*) FROM isms.iso27001_clause c
            WHERE isms.clause_is_annex(c.clause)
              AND (EXISTS (SELECT FROM isms.process_reference r WHERE r.clause OPERATOR(isms.=) c.clause)
                   OR EXISTS (SELECT FROM isms.activity_reference r WHERE r.clause OPERATOR(isms.=) c.clause)
                   OR EXISTS (SELECT FROM isms.work_product_reference r WHERE r.clause OPERATOR(isms.=) c.clause))),
          32::bigint, '32 Annex A controls referenced by the PRM');
SELECT is((SELECT count(*) FROM isms.iso27001_clause WHERE isms.clause_is_annex(clause)), 93::bigint, '93 Annex A controls');
SELECT is((SELECT count(*) FROM isms.iso27001_clause WHERE theme = 'organizational'), 37::bigint, '37 organizational controls');
SELECT is((SELECT count(*) FROM isms.iso27001_clause WHERE theme = 'people'), 8::bigint, '8 people controls');
SELECT is((SELECT count(*) FROM isms.iso27001_clause WHERE theme = 'physical'), 14::bigint, '14 physical controls');
SELECT is((SELECT count(*) FROM isms.iso27001_clause WHERE theme = 'technological'), 34::bigint, '34 technological controls');
SELECT is((SELECT count(*) FROM isms.iso27001_clause
            WHERE NOT isms.clause_is_annex(clause) AND isms.clause_depth(clause) = 2), 23::bigint,
          '23 clauses 4.1-10.2');
SELECT is_empty($$
    SELECT c.clause FROM isms.iso27001_clause c
     WHERE NOT isms.clause_is_annex(c.clause) AND isms.clause_depth(c.clause) = 2
       AND NOT EXISTS (SELECT FROM isms.process_reference r JOIN isms.process p USING (process_id)
                        WHERE p.org_id IS NULL AND c.clause OPERATOR(isms.@>) r.clause)$$,
    'every clause 4.1-10.2 is served by a process');
SELECT is_empty($$
    SELECT p.code FROM isms.process p
     WHERE p.org_id IS NULL
       AND NOT EXISTS (SELECT FROM isms.process_output o WHERE o.process_id = p.process_id AND o.required)$$,
    'every process has a required output');
SELECT is_empty($$
    SELECT p.code FROM isms.process p
     WHERE p.org_id IS NULL
       AND NOT EXISTS (SELECT FROM isms.process_outcome o WHERE o.process_id = p.process_id)$$,
    'every process has outcomes');
SELECT is_empty($$
    SELECT w.work_product_id FROM isms.work_product w
     WHERE w.key IN ('isms_risks_opportunities', 'threat_intelligence') AND w.work_product_id >= 0$$,
    'shipped work products added after 0.1.0 have negative ids');

-- Privileges: a role with nothing but PUBLIC's rights can change nothing.
CREATE ROLE isms_tap_nobody NOLOGIN;
SELECT ok(NOT has_table_privilege('isms_tap_nobody', 'isms.' || t,
                                  'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER'),
          'PUBLIC cannot write isms.' || t)
  FROM unnest(ARRAY['iso27001_clause', 'work_product', 'process', 'activity', 'process_input',
                    'activity_input', 'process_output', 'process_reference', 'activity_reference',
                    'work_product_reference', 'lifecycle_kind', 'lifecycle_state',
                    'lifecycle_transition', 'run_transition', 'step_transition',
                    'record_transition', 'process_flow', 'process_outcome']) AS t;
SELECT ok(NOT has_sequence_privilege('isms_tap_nobody',
                                     pg_get_serial_sequence('isms.' || t, t || '_id'), 'USAGE, UPDATE'),
          'PUBLIC cannot use the id sequence of isms.' || t)
  FROM unnest(ARRAY['work_product', 'process', 'activity', 'process_input', 'activity_input',
                    'process_output']) AS t;
SELECT is_empty($$
    SELECT c.relname, a.privilege_type
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) AS a
     WHERE n.nspname = 'isms' AND a.grantee = 0
       AND a.privilege_type NOT IN ('SELECT')
       AND c.relname IN ('iso27001_clause', 'work_product', 'process', 'activity', 'process_input',
                         'activity_input', 'process_output', 'process_reference',
                         'activity_reference', 'work_product_reference', 'lifecycle_kind',
                         'lifecycle_state', 'lifecycle_transition', 'run_transition',
                         'step_transition', 'record_transition', 'process_flow', 'process_outcome')$$,
    'no write privilege on the catalog is granted to PUBLIC');

SELECT * FROM finish();
ROLLBACK;
