-- Integrity of the shipped process reference model (org_id IS NULL rows).
-- Every "problem" query below must return no rows.
SET search_path = isms, pg_catalog;

-- 17 processes: 1 management, 12 core, 4 support.
SELECT category, count(*) AS processes,
       string_agg(code::text, ' ' ORDER BY code) AS codes
  FROM process WHERE org_id IS NULL
 GROUP BY category ORDER BY category;

-- Problem: a process without purpose, activities or a required output.
SELECT p.code, p.key,
       btrim(p.purpose) = '' AS no_purpose,
       NOT EXISTS (SELECT FROM activity a WHERE a.process_id = p.process_id AND a.org_id IS NULL) AS no_activity,
       NOT EXISTS (SELECT FROM process_output o WHERE o.process_id = p.process_id AND o.org_id IS NULL
                      AND o.required) AS no_required_output
  FROM process p
 WHERE p.org_id IS NULL
   AND (btrim(p.purpose) = ''
        OR NOT EXISTS (SELECT FROM activity a WHERE a.process_id = p.process_id AND a.org_id IS NULL)
        OR NOT EXISTS (SELECT FROM process_output o WHERE o.process_id = p.process_id AND o.org_id IS NULL
                          AND o.required))
 ORDER BY p.code;

-- Problem: activities not numbered 1..n without gaps.
SELECT p.code, array_agg(a.activity_no ORDER BY a.activity_no) AS activity_nos
  FROM process p JOIN activity a ON a.process_id = p.process_id AND a.org_id IS NULL
 WHERE p.org_id IS NULL
 GROUP BY p.code
HAVING min(a.activity_no) <> 1 OR max(a.activity_no) <> count(*)
 ORDER BY p.code;

-- Activities per process, optional ones marked.
SELECT p.code, count(*) AS activities,
       string_agg(a.activity_no::text || CASE WHEN a.optional THEN '?' ELSE '' END, ' '
                  ORDER BY a.activity_no) AS steps
  FROM process p JOIN activity a ON a.process_id = p.process_id AND a.org_id IS NULL
 WHERE p.org_id IS NULL
 GROUP BY p.code ORDER BY p.code;

-- Problem: a required or group input that nothing can supply (neither entered
-- directly nor output by any process).
SELECT p.code, w.key, i.requirement
  FROM process_input i
  JOIN process p ON p.process_id = i.process_id
  JOIN work_product w ON w.work_product_id = i.work_product_id
 WHERE i.org_id IS NULL AND i.requirement <> 'optional'
   AND w.origin = 'process'
   AND NOT EXISTS (SELECT FROM process_output o
                    WHERE o.work_product_id = i.work_product_id AND o.org_id IS NULL)
 ORDER BY p.code, w.key;

-- Problem: an output or activity input naming an activity that does not exist.
SELECT p.code, w.key, o.activity_no, 'output' AS kind
  FROM process_output o
  JOIN process p ON p.process_id = o.process_id
  JOIN work_product w ON w.work_product_id = o.work_product_id
 WHERE o.org_id IS NULL AND o.activity_no IS NOT NULL
   AND NOT EXISTS (SELECT FROM activity a WHERE a.process_id = o.process_id
                      AND a.activity_no = o.activity_no AND a.org_id IS NULL)
UNION ALL
SELECT p.code, w.key, ai.activity_no, 'activity input'
  FROM activity_input ai
  JOIN process p ON p.process_id = ai.process_id
  JOIN work_product w ON w.work_product_id = ai.work_product_id
 WHERE ai.org_id IS NULL
   AND NOT EXISTS (SELECT FROM activity a WHERE a.process_id = ai.process_id
                      AND a.activity_no = ai.activity_no AND a.org_id IS NULL)
 ORDER BY 1, 2;

-- Problem: an activity input the process does not accept as an input.
SELECT p.code, ai.activity_no, w.key
  FROM activity_input ai
  JOIN process p ON p.process_id = ai.process_id
  JOIN work_product w ON w.work_product_id = ai.work_product_id
 WHERE ai.org_id IS NULL
   AND NOT EXISTS (SELECT FROM process_input i WHERE i.process_id = ai.process_id
                      AND i.work_product_id = ai.work_product_id AND i.org_id IS NULL)
 ORDER BY 1, 2, 3;

-- Problem: an output with origin external (it could never be produced), or a
-- process-origin work product that no process outputs.
SELECT w.key, w.origin, count(o.*) AS producers
  FROM work_product w
  LEFT JOIN process_output o ON o.work_product_id = w.work_product_id AND o.org_id IS NULL
 WHERE w.org_id IS NULL
 GROUP BY w.key, w.origin
HAVING (w.origin = 'external') <> (count(o.*) = 0)
 ORDER BY w.key;

-- Work products by kind and origin; documents made by processes have a review cycle.
SELECT kind, origin, count(*) AS work_products,
       count(review_months) AS with_review_cycle,
       string_agg(DISTINCT retention_months::text, '/') AS retention_months
  FROM work_product WHERE org_id IS NULL
 GROUP BY kind, origin ORDER BY kind, origin;

-- Problem: a clause 4.1-10.2 (any depth) that no process serves, directly,
-- through an ancestor or through a descendant.
SELECT c.clause, c.title
  FROM iso27001_clause c
 WHERE NOT clause_is_annex(c.clause) AND clause_depth(c.clause) >= 2
   AND NOT EXISTS (SELECT FROM process_reference r JOIN process p USING (process_id)
                    WHERE p.org_id IS NULL
                      AND (c.clause @> r.clause OR r.clause @> c.clause))
 ORDER BY c.clause;

-- Every clause 4.1-10.2 at depth 2 and the processes serving it or a subclause.
SELECT c.clause, c.title,
       array_to_string(array(SELECT DISTINCT p.code
                               FROM process_reference r JOIN process p USING (process_id)
                              WHERE p.org_id IS NULL AND c.clause @> r.clause
                              ORDER BY p.code), ' ') AS processes
  FROM iso27001_clause c
 WHERE NOT clause_is_annex(c.clause) AND clause_depth(c.clause) = 2
 ORDER BY c.clause;

-- Problem: a reference to a clause that is not in the clause table is
-- impossible (foreign keys); the clause order is numeric-aware.
SELECT string_agg(clause::text, ' ' ORDER BY clause) AS order_sample
  FROM iso27001_clause
 WHERE clause IN ('6.1', '6.1.1', '6.1.2', '6.1.3', '9.3.3', '10', '10.1', 'A.5.2', 'A.5.10', 'A.8.1');

-- 93 Annex A controls in four themes (37/8/14/34), numbered without gaps.
SELECT theme, count(*) AS controls, min(clause) AS first, max(clause) AS last,
       max(clause) = (clause_parent(min(clause))::text || '.' || count(*))::clause AS no_gaps
  FROM iso27001_clause WHERE clause_is_annex(clause)
 GROUP BY theme ORDER BY min(clause);
SELECT count(*) AS annex_a_controls FROM iso27001_clause WHERE clause_is_annex(clause);

-- Problem: an edge named in the design notes missing from the derived architecture.
SELECT e.producer, e.consumer
  FROM (VALUES ('6.2', '7.4'), ('7.3', '7.4'), ('7.3', '7.7'), ('7.3', '7.11'), ('7.3', '8.2'),
               ('7.4', '7.5'), ('7.5', '7.6'), ('7.5', '7.10'), ('7.9', '7.10'), ('7.13', '7.10'),
               ('7.10', '7.4'), ('7.10', '7.6'), ('7.11', '7.13'), ('7.12', '6.2'),
               ('7.12', '7.13'), ('8.5', '7.3')) AS e (producer, consumer)
 WHERE NOT EXISTS (SELECT FROM process_flow f
                    WHERE f.org_id IS NULL
                      AND f.producer_code = e.producer::clause
                      AND f.consumer_code = e.consumer::clause)
 ORDER BY 1, 2;

-- The whole derived architecture (needed: some work product of the edge is a
-- required or group input of the consumer).
SELECT producer_code, consumer_code, needed, work_products
  FROM process_flow WHERE org_id IS NULL
 ORDER BY producer_code, consumer_code;

-- Bootstrappability: starting from the work products that may be entered
-- directly (origin external or either), run every process whose required
-- inputs, and at least one input of each group, are available; a run makes
-- available only its required outputs of mandatory activities (an optional
-- activity may be skipped, an optional output may be left out).  Repeat
-- until nothing new can run.
WITH RECURSIVE
inp AS (
    SELECT i.process_id, w.key, i.requirement, i.input_group
      FROM process_input i JOIN work_product w USING (work_product_id)
     WHERE i.org_id IS NULL AND i.requirement <> 'optional'),
sure_out AS (
    SELECT o.process_id, w.key
      FROM process_output o
      JOIN work_product w USING (work_product_id)
      LEFT JOIN activity a ON a.process_id = o.process_id AND a.activity_no = o.activity_no
                          AND a.org_id IS NULL
     WHERE o.org_id IS NULL AND o.required AND NOT coalesce(a.optional, false)),
rounds (round, available, done, ran) AS (
    SELECT 0, array(SELECT key FROM work_product WHERE org_id IS NULL AND origin <> 'process'),
           '{}'::int[], '{}'::text[]
    UNION ALL
    SELECT r.round + 1,
           r.available || array(SELECT DISTINCT s.key FROM sure_out s
                                 WHERE s.process_id = ANY (n.ids) AND s.key <> ALL (r.available)),
           r.done || n.ids, n.codes
      FROM rounds r
     CROSS JOIN LATERAL (
           SELECT array_agg(p.process_id) AS ids, array_agg(p.code::text ORDER BY p.code) AS codes
             FROM process p
            WHERE p.org_id IS NULL AND p.process_id <> ALL (r.done)
              AND NOT EXISTS (SELECT FROM inp i WHERE i.process_id = p.process_id
                                 AND i.requirement = 'required' AND i.key <> ALL (r.available))
              AND NOT EXISTS (SELECT FROM inp i WHERE i.process_id = p.process_id
                                 AND i.requirement = 'group'
                               GROUP BY i.input_group
                              HAVING NOT bool_or(i.key = ANY (r.available)))) AS n
     WHERE n.ids IS NOT NULL)
SELECT round, array_to_string(ran, ' ') AS processes_that_can_run,
       cardinality(available) AS work_products_available
  FROM rounds WHERE round > 0 ORDER BY round;

-- Problem: a process that can never run from external inputs alone (same fixpoint).
WITH RECURSIVE
inp AS (
    SELECT i.process_id, w.key, i.requirement, i.input_group
      FROM process_input i JOIN work_product w USING (work_product_id)
     WHERE i.org_id IS NULL AND i.requirement <> 'optional'),
sure_out AS (
    SELECT o.process_id, w.key
      FROM process_output o
      JOIN work_product w USING (work_product_id)
      LEFT JOIN activity a ON a.process_id = o.process_id AND a.activity_no = o.activity_no
                          AND a.org_id IS NULL
     WHERE o.org_id IS NULL AND o.required AND NOT coalesce(a.optional, false)),
rounds (round, available, done) AS (
    SELECT 0, array(SELECT key FROM work_product WHERE org_id IS NULL AND origin <> 'process'),
           '{}'::int[]
    UNION ALL
    SELECT r.round + 1,
           r.available || array(SELECT DISTINCT s.key FROM sure_out s
                                 WHERE s.process_id = ANY (n.ids) AND s.key <> ALL (r.available)),
           r.done || n.ids
      FROM rounds r
     CROSS JOIN LATERAL (
           SELECT array_agg(p.process_id) AS ids
             FROM process p
            WHERE p.org_id IS NULL AND p.process_id <> ALL (r.done)
              AND NOT EXISTS (SELECT FROM inp i WHERE i.process_id = p.process_id
                                 AND i.requirement = 'required' AND i.key <> ALL (r.available))
              AND NOT EXISTS (SELECT FROM inp i WHERE i.process_id = p.process_id
                                 AND i.requirement = 'group'
                               GROUP BY i.input_group
                              HAVING NOT bool_or(i.key = ANY (r.available)))) AS n
     WHERE n.ids IS NOT NULL),
fixpoint AS (SELECT done FROM rounds ORDER BY round DESC LIMIT 1)
SELECT p.code, p.key
  FROM process p, fixpoint f
 WHERE p.org_id IS NULL AND p.process_id <> ALL (f.done)
 ORDER BY p.code;

-- Tour: which processes consume the risk assessment results, and how?
SELECT p.code, p.name, i.requirement
  FROM process_input i
  JOIN process p ON p.process_id = i.process_id
  JOIN work_product w ON w.work_product_id = i.work_product_id
 WHERE w.key = 'risk_assessment_report' AND i.org_id IS NULL
 ORDER BY p.code;

-- Tour: what does 7.5 need, and what does it produce (and in which activity)?
SELECT 'input' AS direction, w.key, i.requirement::text AS rule, NULL::int AS activity_no
  FROM process p
  JOIN process_input i ON i.process_id = p.process_id AND i.org_id IS NULL
  JOIN work_product w ON w.work_product_id = i.work_product_id
 WHERE p.code = '7.5' AND p.org_id IS NULL
UNION ALL
SELECT 'output', w.key, CASE WHEN o.required THEN 'required' ELSE 'optional' END, o.activity_no
  FROM process p
  JOIN process_output o ON o.process_id = p.process_id AND o.org_id IS NULL
  JOIN work_product w ON w.work_product_id = o.work_product_id
 WHERE p.code = '7.5' AND p.org_id IS NULL
 ORDER BY 1, 4, 2;

-- Tour: the activities of 6.2 with the clauses each serves.
SELECT a.activity_no, a.name, a.optional,
       string_agg(r.clause::text, ', ' ORDER BY r.clause) AS clauses
  FROM process p
  JOIN activity a ON a.process_id = p.process_id AND a.org_id IS NULL
  LEFT JOIN activity_reference r ON r.activity_id = a.activity_id
 WHERE p.code = '6.2' AND p.org_id IS NULL
 GROUP BY a.activity_no, a.name, a.optional ORDER BY a.activity_no;

-- Tour: which processes serve the incident controls A.5.24-A.5.28?
SELECT r.clause, c.title, string_agg(p.code::text, ' ' ORDER BY p.code) AS processes
  FROM process_reference r
  JOIN iso27001_clause c USING (clause)
  JOIN process p USING (process_id)
 WHERE r.clause BETWEEN 'A.5.24' AND 'A.5.28'
 GROUP BY r.clause, c.title ORDER BY r.clause;

-- Issue 15, the catalog corrections.
-- The eight titles brought back to the published ISO/IEC 27001:2022 ones.
SELECT clause, title
  FROM iso27001_clause
 WHERE clause IN ('4.4', '9.2.1', '9.3.2', '9.3.3', 'A.5.6', 'A.5.15', 'A.8.16', 'A.8.33')
 ORDER BY clause;

-- What the governance interface (6.2) takes: every input of the management
-- review (9.3.2), the risk treatment plan (f), the interested parties (c)
-- and nonconformities (d 1) among them.
SELECT w.key, i.requirement, i.note
  FROM process_input i
  JOIN process p ON p.process_id = i.process_id
  JOIN work_product w ON w.work_product_id = i.work_product_id
 WHERE p.code = '6.2' AND p.org_id IS NULL AND i.org_id IS NULL
 ORDER BY w.key;

-- The ISMS's own risks and opportunities (6.1.1) and threat intelligence
-- (A.5.7): what they are, who produces them, who uses them.
SELECT w.key, w.kind, w.origin, w.review_months,
       array_to_string(array(SELECT c.clause::text FROM work_product_reference c
                              WHERE c.work_product_id = w.work_product_id ORDER BY c.clause), ' ') AS refs,
       array_to_string(array(SELECT p.code::text || ' a' || o.activity_no || CASE WHEN o.required THEN '' ELSE ' (optional)' END
                               FROM process_output o JOIN process p USING (process_id)
                              WHERE o.work_product_id = w.work_product_id AND o.org_id IS NULL ORDER BY p.code), ', ') AS produced_by,
       array_to_string(array(SELECT p.code::text || ' ' || i.requirement
                               FROM process_input i JOIN process p USING (process_id)
                              WHERE i.work_product_id = w.work_product_id AND i.org_id IS NULL ORDER BY p.code), ', ') AS used_by
  FROM work_product w
 WHERE w.key IN ('isms_risks_opportunities', 'threat_intelligence') AND w.org_id IS NULL
 ORDER BY w.key;

-- Problem: a process without outcomes, outcomes not numbered 1..n, or an
-- outcome evidenced by a work product its process does not output.
SELECT p.code, 'no outcomes' AS problem
  FROM process p
 WHERE p.org_id IS NULL AND NOT EXISTS (SELECT FROM process_outcome o WHERE o.process_id = p.process_id)
UNION ALL
SELECT p.code, 'outcomes not numbered 1..n'
  FROM process p JOIN process_outcome o USING (process_id)
 GROUP BY p.code
HAVING min(o.outcome_no) <> 1 OR max(o.outcome_no) <> count(*)
UNION ALL
SELECT p.code, 'outcome ' || o.outcome_no || ': ' || w.key || ' is not an output of the process'
  FROM process_outcome o
  JOIN process p USING (process_id)
  JOIN work_product w USING (work_product_id)
 WHERE NOT EXISTS (SELECT FROM process_output po
                    WHERE po.process_id = o.process_id AND po.work_product_id = o.work_product_id
                      AND po.org_id IS NULL)
 ORDER BY 1, 2;

-- The outcomes of every process and the work product that evidences each
-- (PA 1.1 is the share achieved; none: the completed run is the evidence).
SELECT p.code, count(*) AS outcomes,
       string_agg(o.outcome_no || ' ' || coalesce(w.key, '(the run)'), ', ' ORDER BY o.outcome_no) AS evidence
  FROM process p
  JOIN process_outcome o USING (process_id)
  LEFT JOIN work_product w USING (work_product_id)
 GROUP BY p.code ORDER BY p.code;

-- Required outputs that evidence no outcome: nonconformities are recorded
-- only when an audit finds some (7.11 activity 5 is optional).
SELECT p.code, w.key
  FROM process_output po
  JOIN process p USING (process_id)
  JOIN work_product w USING (work_product_id)
 WHERE po.org_id IS NULL AND po.required
   AND NOT EXISTS (SELECT FROM process_outcome o
                    WHERE o.process_id = po.process_id AND o.work_product_id = po.work_product_id)
 ORDER BY p.code, w.key;

-- Annex A controls referenced by a process, activity or work product, per
-- theme, and those that stay unreferenced: controls that are implemented
-- (physical and technological measures, HR and access rules) rather than
-- performed as a process of the PRM; the SoA (7.5) and implementation
-- management (7.6) handle them as a whole.
WITH referenced AS (
    SELECT clause FROM process_reference
    UNION SELECT clause FROM activity_reference
    UNION SELECT clause FROM work_product_reference)
SELECT c.theme, count(*) AS controls, count(r.clause) AS referenced,
       string_agg(c.clause::text, ' ' ORDER BY c.clause) FILTER (WHERE r.clause IS NULL) AS unreferenced
  FROM iso27001_clause c
  LEFT JOIN referenced r USING (clause)
 WHERE clause_is_annex(c.clause)
 GROUP BY c.theme ORDER BY min(c.clause);

-- The Annex A controls each process serves.
SELECT p.code, string_agg(r.clause::text, ' ' ORDER BY r.clause) AS controls
  FROM process p JOIN process_reference r USING (process_id)
 WHERE p.org_id IS NULL AND clause_is_annex(r.clause)
 GROUP BY p.code ORDER BY p.code;

-- Tailoring survives pg_dump: organisations' catalog rows, and the sequences
-- behind their ids, are extension configuration (the shipped rows are not).
SELECT t.tab, coalesce(x.cond, '(not dumped)') AS dump_condition
  FROM unnest(ARRAY['work_product', 'process', 'activity', 'process_input', 'activity_input',
                    'process_output', 'process_reference', 'activity_reference',
                    'work_product_reference', 'iso27001_clause', 'process_outcome']) AS t (tab)
  LEFT JOIN (SELECT x.oid, x.cond
               FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS x (oid, cond)
              WHERE e.extname = 'isms27022') AS x ON x.oid = ('isms.' || t.tab)::regclass
 ORDER BY t.tab;
SELECT t.tab, x.oid IS NOT NULL AS id_sequence_dumped
  FROM unnest(ARRAY['work_product', 'process', 'activity', 'process_input', 'activity_input',
                    'process_output']) AS t (tab)
  LEFT JOIN (SELECT x.oid
               FROM pg_extension e, unnest(e.extconfig) AS x (oid)
              WHERE e.extname = 'isms27022') AS x
         ON x.oid = pg_get_serial_sequence('isms.' || t.tab, t.tab || '_id')::regclass
 ORDER BY t.tab;
