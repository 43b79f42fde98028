-- bench/generate.sql -- bulk history for the benchmark: organisations with
-- years of completed runs of all 17 processes, their steps, records (with
-- versions of documents), links and events.
--
--   psql -v orgs=100 -v years=2 -v kmax=4 -v bench_years=1 -v tag=s -f bench/generate.sql
--
-- Adds :orgs new organisations 'bulk-<tag>-<n>', each with :years years of
-- history, and :bench_years years of history for each of the benchmark's
-- own organisations (bench.org).  A process runs k times a year (incident
-- handling 48, ...), capped at :kmax.  Rows are computed
-- set-based with the triggers off (session_replication_role = replica,
-- superuser only); they are consistent with the model (completed runs, done
-- steps, approved and superseded versions, output and input links) but the
-- events of the bulk organisations are placeholders: their hashes are not a
-- valid chain and they have no chain head, so the bulk organisations are
-- excluded from isms.verify_events.  The benchmark organisations get no
-- bulk events, so their chains (built through the API) stay valid.

\set ON_ERROR_STOP on
SET session_replication_role = replica;
SET synchronous_commit = off;
SET work_mem = '256MB';
BEGIN;

-- How often each process runs in a year (default once).
CREATE TEMP TABLE g_proc ON COMMIT DROP AS
SELECT p.process_id, p.code::text AS code,
       least(coalesce(m.k, 1), :kmax) AS k
  FROM isms.process p
  LEFT JOIN (VALUES ('7.9', 48), ('7.10', 24), ('8.4', 12), ('8.5', 6)) AS m (code, k) ON m.code = p.code::text
 WHERE p.org_id IS NULL;

INSERT INTO isms.organization (name)
SELECT format('bulk-%s-%s', :'tag', n) FROM generate_series(1, :orgs) n;

CREATE TEMP TABLE g_org ON COMMIT DROP AS
SELECT org_id, :years AS years, true AS with_events FROM isms.organization WHERE name LIKE 'bulk-' || :'tag' || '-%'
UNION ALL
SELECT org_id, :bench_years, false FROM bench.org WHERE :bench_years > 0;

-- Runs: k per process and year, dated back from today.
CREATE TEMP TABLE g_run ON COMMIT DROP AS
SELECT o.org_id, nextval('isms.run_id_seq') AS run_id, p.process_id, p.code, o.with_events,
       (CURRENT_DATE - (y * 365 + (i * 365) / (p.k + 1)))::date AS d, y, i
  FROM g_org o
  JOIN g_proc p ON true
  JOIN LATERAL generate_series(1, o.years) y ON true
  JOIN LATERAL generate_series(1, p.k) i ON true;

INSERT INTO isms.run (org_id, run_id, process_id, title, owner, planned_start, due, state,
                      created_at, started_at, ended_at)
SELECT org_id, run_id, process_id, format('%s %s/%s', code, y, i), 'alice', d, d + 30, 'completed',
       d, d, d + 20
  FROM g_run;

INSERT INTO isms.step (org_id, run_id, activity_no, state, performer, started_at, finished_at)
SELECT r.org_id, r.run_id, a.activity_no, 'done', 'alice', r.d + a.activity_no, r.d + a.activity_no + 1
  FROM g_run r JOIN isms.activity a ON a.process_id = r.process_id AND a.org_id IS NULL;

-- Records: one per output of each run (documents get a new version each
-- time, the latest approved, the others superseded) and one reported
-- security event per incident run.  Ids are reserved as one block.
CREATE TEMP TABLE g_rec ON COMMIT DROP AS
SELECT row_number() OVER () AS n, x.*
  FROM (SELECT r.org_id, r.run_id, r.d, r.with_events, w.work_product_id, w.kind::text AS kind,
               w.review_months, w.retention_months, true AS produced
          FROM g_run r
          JOIN isms.process_output o ON o.process_id = r.process_id AND o.org_id IS NULL
          JOIN isms.work_product w ON w.work_product_id = o.work_product_id
        UNION ALL
        SELECT r.org_id, r.run_id, r.d - 1, r.with_events, w.work_product_id, 'record', NULL, w.retention_months, false
          FROM g_run r JOIN isms.work_product w ON w.key = 'security_event' AND w.org_id IS NULL
         WHERE r.code = '7.9') x;

SELECT nextval('isms.record_id_seq') AS g_base \gset
SELECT setval('isms.record_id_seq', :g_base + (SELECT count(*) FROM g_rec)) AS g_last \gset

CREATE TEMP TABLE g_rec2 ON COMMIT DROP AS
SELECT g.*, :g_base + g.n AS record_id,
       first_value(:g_base + g.n) OVER doc AS document_id,
       row_number() OVER doc AS version,
       count(*) OVER (PARTITION BY g.org_id, g.work_product_id, g.kind = 'document',
                      CASE WHEN g.kind = 'document' THEN 0 ELSE g.n END) AS versions
  FROM g_rec g
WINDOW doc AS (PARTITION BY g.org_id, g.work_product_id, g.kind = 'document',
               CASE WHEN g.kind = 'document' THEN 0 ELSE g.n END ORDER BY g.d, g.n);

INSERT INTO isms.record (org_id, record_id, work_product_id, document_id, version, title, state, author,
                         approver, approved_at, content, valid_until, retain_until, produced_by_run, created_at)
SELECT org_id, record_id, work_product_id, document_id, version, format('Record %s v%s', document_id, version),
       CASE WHEN version < versions THEN 'superseded' ELSE 'approved' END::isms.record_state,
       'alice', 'bob', d + 10,
       jsonb_build_object('summary', 'generated history', 'n', n),
       CASE WHEN review_months IS NOT NULL THEN d + 10 + review_months * 30 END,
       d + 10 + retention_months * 30,
       CASE WHEN produced THEN run_id END, d
  FROM g_rec2;

INSERT INTO isms.run_record (org_id, run_id, record_id, role, linked_by, linked_at)
SELECT org_id, run_id, record_id, CASE WHEN produced THEN 'output' ELSE 'input' END::isms.link_role, 'alice', d
  FROM g_rec2;

-- Placeholder events of the bulk organisations: plan, start and complete of
-- each run; create and approve of each record.
INSERT INTO isms.event (org_id, event_no, occurred_at, business_at, actor, object_type, object_id, action,
                        old_state, new_state, detail, prev_hash, hash)
SELECT org_id, row_number() OVER (PARTITION BY org_id ORDER BY at, object_id, action),
       at, at, 'alice', object_type, object_id, action, old_state, new_state, NULL, NULL, '\x00'::bytea
  FROM (SELECT org_id, d::timestamptz + e.o * interval '1 day' AS at, 'run' AS object_type, run_id AS object_id,
               e.action, e.old_state, e.new_state
          FROM g_run, (VALUES (0, 'plan', NULL, 'planned'), (1, 'start', 'planned', 'active'),
                              (20, 'complete', 'active', 'completed')) AS e (o, action, old_state, new_state)
         WHERE with_events
        UNION ALL
        SELECT org_id, d::timestamptz + e.o * interval '1 day', 'record', record_id, e.action, e.old_state, e.new_state
          FROM g_rec2, (VALUES (0, 'create', NULL, 'draft'), (10, 'approve', 'in_review', 'approved'))
                       AS e (o, action, old_state, new_state)
         WHERE with_events) ev;

COMMIT;
