#!/usr/bin/env bash
# test/scripts/demo.sh -- run the main job's scenario (scripts/scenario/, plus
# one year of scripts/history.sql) against the test cluster, in a database of
# its own, and check the facts it must establish and its auditor pack.  Run
# by test/run.sh with PGHOST/PGPORT/PGUSER exported; exits non-zero on any
# failure.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
db=isms_demo_test
export PGDATABASE=$db
log=$(mktemp)
trap 'rm -f "$log"' EXIT

. "$root/test/lib/demo.sh"
isms_demo_load $db "$log" || exit 1

failed=0
# check "description" "SQL returning one boolean"
check() {
	local got
	got=$(PGOPTIONS='-c search_path=isms,public' psql -qXAt -c "$2" 2>&1)
	if [ "$got" = t ]; then
		echo "ok - $1"
	else
		echo "not ok - $1 (got: $got)"
		failed=$((failed + 1))
	fi
}

nw="(SELECT org_id FROM isms.organization WHERE name = 'Northwind Cloud')"
check "Northwind Cloud completed a run of every one of the 17 PRM processes" \
	"SELECT count(DISTINCT p.code) = 17 FROM isms.run r JOIN isms.process p USING (process_id)
	  WHERE r.org_id = $nw AND r.state = 'completed' AND p.org_id IS NULL"
check "no run is left half-way except the open policy review and the Labs governance run" \
	"SELECT array_agg(title ORDER BY title) = '{\"Establish the Labs ISMS\",\"Policy review\"}'
	   FROM isms.run WHERE state IN ('planned', 'active', 'suspended')"
check "every organisation's event chain verifies (3 organisations)" \
	"SELECT count(*) = 3 AND bool_and(v.valid) FROM isms.organization o, isms.verify_events(o.org_id) v"
check "every refusal happened with the expected SQLSTATE" \
	"SELECT count(*) > 0 AND bool_and(sqlstate IS NOT DISTINCT FROM expected) FROM demo.refusal"
check "the refusals cover the documented rules" \
	"SELECT array_agg(DISTINCT expected ORDER BY expected) @> '{IS002,IS003,IS005,IS006,IS007,IS008,IS009,IS010,IS011,IS012,IS013,IS014,IS015,IS016,IS021,IS024,IS025,IS028,IS029,IS031,22P02,42501}'
	   FROM demo.refusal"
check "the policy and the review results were approved by top management, the audit report by an internal auditor" \
	"SELECT bool_and(EXISTS (SELECT FROM isms.designation d WHERE d.org_id = r.org_id AND d.member_oid = r.approver_oid
	                                                         AND d.designation = wp.approval_designation)) AND count(*) = 3
	   FROM isms.record r JOIN isms.work_product wp USING (work_product_id)
	  WHERE r.org_id = $nw AND r.approver_oid IS NOT NULL AND wp.approval_designation IS NOT NULL"
check "no approved record was approved by its author" \
	"SELECT NOT EXISTS (SELECT FROM isms.record WHERE approver = author)"
check "the incident register: a false positive closed as not an incident, an incident closed with a corrective action linked" \
	"SELECT EXISTS (SELECT FROM isms.incident WHERE org_id = $nw AND state = 'closed' AND NOT is_incident AND state_reason IS NOT NULL)
	    AND EXISTS (SELECT FROM isms.incident i JOIN isms.nonconformity n USING (org_id, incident_id)
	                 WHERE i.org_id = $nw AND i.state = 'closed' AND i.is_incident AND n.source = 'incident')"
check "the audit finding was closed after its effectiveness was verified by someone other than who implemented the action" \
	"SELECT count(*) = 1 FROM isms.nonconformity n JOIN isms.run a ON a.org_id = n.org_id AND a.run_id = n.audit_run_id
	  WHERE n.org_id = $nw AND n.source = 'audit_finding' AND n.state = 'closed' AND n.verified_by <> n.implemented_by"
check "the dashboard finds the incident open after 30 days and the overdue corrective action with one SELECT each" \
	"SET ROLE bi_dashboard; SELECT (SELECT count(*) FROM isms_report.open_incidents WHERE age_days > 30) = 1
	    AND (SELECT count(*) FROM isms_report.corrective_actions_overdue) = 1"
check "the management review ran with the performance and audit reports as inputs" \
	"SELECT EXISTS (SELECT FROM isms.run r JOIN isms.step s USING (org_id, run_id)
	                 WHERE r.org_id = $nw AND r.title = 'Management review' AND r.state = 'completed'
	                   AND s.activity_no = 5 AND s.state = 'done')
	    AND (SELECT count(*) FROM isms.run r
	           JOIN isms.run_record l ON l.org_id = r.org_id AND l.run_id = r.run_id
	           JOIN isms.record rec ON rec.org_id = l.org_id AND rec.record_id = l.record_id
	           JOIN isms.work_product wp ON wp.work_product_id = rec.work_product_id
	          WHERE r.title = 'Management review' AND l.role = 'input'
	            AND wp.key IN ('performance_report', 'audit_report')) = 2"
check "versions: risk register, treatment plan, requirements and objectives each have a superseded version 1" \
	"SELECT count(DISTINCT wp.key) = 4 FROM isms.record r JOIN isms.work_product wp USING (work_product_id)
	  WHERE r.org_id = $nw AND r.state = 'superseded' AND r.version = 1
	    AND wp.key IN ('risk_register', 'risk_treatment_plan', 'requirements_register', 'security_objectives')"
check "the risks and opportunities of month 0, not confirmed by the management review, are the one approved document past its review date" \
	"SELECT array_agg(title) = '{\"Risks and opportunities of the ISMS\"}' FROM isms.record
	  WHERE org_id = $nw AND state = 'approved' AND valid_until < current_date"
check "the risk criteria were set in the 6.2 run, through the API (an event of the run)" \
	"SELECT EXISTS (SELECT FROM isms.risk_criteria c JOIN isms.run r USING (org_id, run_id) JOIN isms.process p USING (process_id)
	                 WHERE c.org_id = $nw AND p.code = '6.2' AND c.acceptance_threshold = 6)"
check "the risk assessment identified six risks with owners, each accepted by its owner" \
	"SELECT count(*) = 6 AND bool_and(state = 'accepted' AND accepted_by = owner) FROM isms.risk WHERE org_id = $nw"
check "the owners' acceptances are events of 7.5 runs" \
	"SELECT count(*) = 7 FROM isms.event e JOIN isms.run r ON r.org_id = e.org_id AND r.run_id = (e.detail->>'run_id')::bigint
	   JOIN isms.process p USING (process_id) WHERE e.org_id = $nw AND e.action = 'risk.accept' AND p.code = '7.5'"
check "the SoA covers the 93 Annex A controls, justified, four excluded" \
	"SELECT count(*) = 93 AND count(*) FILTER (WHERE NOT applicable) = 4
	        AND bool_and(justification <> isms.soa_placeholder())
	   FROM isms.soa WHERE org_id = $nw AND control LIKE 'A.%'"
check "the approved risk register and SoA records are engine snapshots" \
	"SELECT count(DISTINCT wp.key) = 2 AND bool_and(r.content->>'format' = 'isms-snapshot-v1')
	   FROM isms.record r JOIN isms.work_product wp USING (work_product_id)
	  WHERE r.org_id = $nw AND r.state IN ('approved', 'superseded')
	    AND wp.key IN ('risk_register', 'statement_of_applicability')"
check "the heat map has every cell of the 5 x 5 scales, inherent and residual, six risks in each" \
	"SET ROLE bi_dashboard; SELECT count(*) = 50 AND sum(risks) FILTER (WHERE basis = 'inherent') = 6
	        AND sum(risks) FILTER (WHERE basis = 'residual') = 6 FROM isms_report.risk_heat_map"
check "Northwind Labs declared 8.5 not applicable" \
	"SELECT EXISTS (SELECT FROM isms.process_exclusion x JOIN isms.organization o USING (org_id)
	                 JOIN isms.process p USING (process_id) WHERE o.name = 'Northwind Labs' AND p.code = '8.5')"
check "the year is Northwind Cloud's imported history: 8 batches (chapters 1-7 and 9), by the history importer, business times in order and never after recording" \
	"SELECT count(*) = 8 AND bool_and(b.imported_by = 'amir_ciso')
	        AND (SELECT bool_and(e.business_at <= e.occurred_at) AND count(*) FILTER (WHERE e.import_batch IS NOT NULL) > 500
	               FROM isms.event e WHERE e.org_id = $nw)
	   FROM isms.import_batch b WHERE b.org_id = $nw"
check "the year spans a year: governance in month 0 (more than 12 months ago), the policy review in month 12" \
	"SELECT min(started_at) < now() - interval '12 months' AND max(started_at) > now() - interval '1 month'
	   FROM isms.run WHERE org_id = $nw"
check "four runs ended after their due date (7.4, 7.10, 8.2, 8.3), every other completed run on time" \
	"SELECT array_agg(title ORDER BY title COLLATE \"C\") = '{\"Change: hardware keys for support\",\"ISMS budget and staffing\",\"Initial risk assessment\",\"Records control rules\"}'
	   FROM isms.run WHERE org_id = $nw AND state = 'completed' AND ended_at::date > due"
check "cycle times in days: the initial risk assessment took 39 days, its treatment 19, the incident 2" \
	"SELECT array_agg(round(extract(epoch FROM ended_at - started_at) / 86400) ORDER BY run_id) = '{39,19,2}'
	   FROM isms.run WHERE org_id = $nw AND title IN ('Initial risk assessment', 'Risk treatment', 'Incident: phished support credentials')"
check "isms_report.cycle_time: 7.4 one of two runs on time, 7.2 all, every average cycle at least a day" \
	"SET ROLE bi_dashboard;
	 SELECT (SELECT sum(runs_on_time) = 1 AND sum(runs_completed) = 2 FROM isms_report.cycle_time WHERE period = 'month' AND process_code = '7.4')
	    AND (SELECT bool_and(on_time_rate = 1) FROM isms_report.cycle_time WHERE period = 'month' AND process_code = '7.2')
	    AND (SELECT min(avg_cycle_days) >= 1 FROM isms_report.cycle_time WHERE period = 'quarter')"
check "the capability profile differs: level 3 for 7.6 (its own procedure), 1 for the late 7.4, 7.10, 8.2, 8.3, 2 for the other twelve" \
	"SET ROLE bi_dashboard;
	 SELECT string_agg(process_code || '=' || capability_level, ' ' ORDER BY process_sort) =
	        '6.2=2 7.2=2 7.3=2 7.4=1 7.5=2 7.6=3 7.7=2 7.8=2 7.9=2 7.10=1 7.11=2 7.12=2 7.13=2 8.2=1 8.3=1 8.4=2 8.5=2'
	   FROM isms_report.capability_profile"
check "documents reviewed on schedule: the policy review confirmed the three policies of month 3 before their review date" \
	"SELECT count(*) = 3 AND bool_and(r.valid_until > current_date + 300)
	   FROM isms.run_record l JOIN isms.run p ON p.org_id = l.org_id AND p.run_id = l.run_id
	   JOIN isms.record r ON r.org_id = l.org_id AND r.record_id = l.record_id
	  WHERE p.org_id = $nw AND p.title = 'Policy review' AND l.role = 'confirmed'"
check "the history is imported too: one batch for Fabrikam's year, its 7.2 and 7.11 runs late" \
	"SELECT (SELECT count(*) = 1 FROM isms.import_batch b JOIN isms.organization o USING (org_id) WHERE o.name = 'Fabrikam Payments')
	    AND (SELECT array_agg(p.code::text ORDER BY p.code::text COLLATE \"C\") = '{7.11,7.2}' FROM isms.run r JOIN isms.process p USING (process_id)
	           JOIN isms.organization o ON o.org_id = r.org_id
	          WHERE o.name = 'Fabrikam Payments' AND r.ended_at::date > r.due)"
check "one year of synthetic history: 17 completed runs for Fabrikam Payments" \
	"SELECT count(*) = 17 FROM isms.run r JOIN isms.organization o USING (org_id)
	  WHERE o.name = 'Fabrikam Payments' AND r.state = 'completed'"

# the main job's auditor pack (scripts/demo.sh ends with it): every section filled
. "$root/test/lib/auditor_pack.sh"
pack=$(mktemp -d)
if bash "$root/scripts/auditor_pack.sh" --org 'Northwind Cloud' --role kofi_audit --out "$pack" >"$log" 2>&1; then
	isms_check_pack "$pack" heatmap readiness soa documents_due capability chain || failed=$((failed + 1))
else
	echo "not ok - the auditor pack failed:"; tail -5 "$log"; failed=$((failed + 1))
fi
rm -rf "$pack"

psql -qX -d postgres -c "DROP DATABASE $db"
[ "$failed" -eq 0 ]
