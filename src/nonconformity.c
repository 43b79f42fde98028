/*-------------------------------------------------------------------------
 *
 * nonconformity.c
 *	  Rules of the register of nonconformities and corrective actions
 *	  (ISO/IEC 27001 10.2; processes 7.13 and 7.11): the source and its
 *	  links, what each step of the lifecycle needs, and the independent
 *	  review of effectiveness.
 *
 * isms.nonconformity is a register (see register.c) maintained in runs of
 * 7.13 and 7.11.  nonconformity_hook keeps the columns only the engine sets
 * (IS020) and checks the source (IS037): a run of 7.11 only records audit
 * findings, linked to an audit run of 7.11 (by default the run itself); a
 * nonconformity of source incident names the incident; a link that does
 * not fit the source is refused.  The transitions of kind "nonconformity"
 * name the guards in nonconformity_guards: analysis needs the root cause,
 * the plan the action, due date and owner, verification a review of
 * effectiveness (IS038) by someone other than who implemented the action
 * (IS039); the engine records who implemented and verified, and when; an
 * ineffective action goes back to planning with a reason (IS021).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "engine.h"

static SPIPlanPtr plan_audit_run = NULL;

/* Columns the engine sets on nonconformities. */
static const char *const nc_managed_columns[] = {
	"implemented_by", "implemented_at", "verified_by", "verified_at", "closed_at", NULL
};

/* Is the text column NULL or blank? */
static bool
nc_blank(HeapTuple tuple, TupleDesc desc, const char *column)
{
	char	   *value = engine_get_text(tuple, desc, column);

	return value == NULL || value[strspn(value, " \t\r\n")] == '\0';
}

/* Is the column NULL? */
static bool
nc_null(HeapTuple tuple, TupleDesc desc, const char *column)
{
	bool		isnull;

	engine_get(tuple, desc, column, &isnull);
	return isnull;
}

/* The code of the process of a run of the organisation, or NULL. */
static const char *
nc_run_process(int64 org_id, int64 run_id)
{
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		values[2] = {Int64GetDatum(org_id), Int64GetDatum(run_id)};
	bool		isnull;
	const ProcessModel *pm;

	engine_prepare(&plan_audit_run,
				   "SELECT process_id FROM isms.run WHERE org_id OPERATOR(pg_catalog.=) $1 "
				   "AND run_id OPERATOR(pg_catalog.=) $2", 2, argtypes);
	if (engine_exec(plan_audit_run, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read isms.run");
	if (SPI_processed != 1)
		return NULL;
	pm = model_process(org_id, DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)));
	return pm ? pm->code : NULL;
}

/* IS037: a run of 7.11 records audit findings, linked to it by default, and nothing else. */
static void
nc_check_audit_run(RegisterRow *row)
{
	TupleDesc	desc = RelationGetDescr(row->lc.rel);
	char	   *source = engine_get_text(row->lc.newtup, desc, "source");
	const char *cols[1] = {"audit_run_id"};
	Datum		vals[1] = {Int64GetDatum(row->run_id)};
	bool		nulls[1] = {false};

	if (row->process == NULL || strcmp(row->process, "7.11") != 0)
		return;
	if (RULE_ON(IS037_NC_AUDIT_RUN) && (!row->insert || strcmp(source, "audit_finding") != 0))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_NC_SOURCE),
				 errmsg("%s: a run of 7.11 only records audit findings", row->lc.object),
				 errdetail("Internal audit (7.11) records what it found as nonconformities of source audit_finding; they are handled in runs of 7.13 (10.2)."),
				 errhint("Record the finding with source audit_finding, and handle it in a run of 7.13.")));
	if (nc_null(row->lc.newtup, desc, "audit_run_id"))
		row->lc.newtup = engine_set_columns(row->lc.rel, row->lc.newtup, 1, cols, vals, nulls);
}

/* IS037: the links fit the source. */
static void
nc_check_links(const RegisterRow *row)
{
	TupleDesc	desc = RelationGetDescr(row->lc.rel);
	char	   *source = engine_get_text(row->lc.newtup, desc, "source");
	bool		audit = strcmp(source, "audit_finding") == 0;
	bool		incident = strcmp(source, "incident") == 0;
	bool		no_audit_run = nc_null(row->lc.newtup, desc, "audit_run_id");
	const char *audit_process;

	if (RULE_ON(IS037_NC_INCIDENT_LINK) && incident && nc_null(row->lc.newtup, desc, "incident_id"))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_NC_SOURCE),
				 errmsg("%s: source incident names no incident", row->lc.object),
				 errdetail("A nonconformity found through an incident is linked to the incident it comes from."),
				 errhint("Name the incident: isms.raise_nonconformity(run, title, 'incident', clause, description, incident).")));
	if (RULE_ON(IS037_NC_FOREIGN_LINK) &&
		((!incident && !nc_null(row->lc.newtup, desc, "incident_id")) ||
		 (!audit && (!no_audit_run || !nc_null(row->lc.newtup, desc, "audit_record_id")))))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_NC_SOURCE),
				 errmsg("%s: source %s does not fit its links", row->lc.object, source),
				 errdetail("Only a nonconformity of source incident names an incident, and only an audit finding names an audit run or report."),
				 errhint("Correct the source, or remove the links.")));
	if (!audit)
		return;
	audit_process = no_audit_run ? NULL :
		nc_run_process(row->lc.org_id, engine_get_int64(row->lc.newtup, desc, "audit_run_id"));
	if (RULE_ON(IS037_NC_AUDIT_LINK) && (audit_process == NULL || strcmp(audit_process, "7.11") != 0))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_NC_SOURCE),
				 errmsg("%s: an audit finding names no audit run of 7.11", row->lc.object),
				 errdetail("Audit findings come from internal audits: audit_run_id names the run of 7.11 that found it%s.",
						   no_audit_run ? "" : psprintf(", not a run of %s", audit_process ? audit_process : "?")),
				 errhint("Record the finding in the 7.11 run, or name that run in audit_run_id.")));
}

/*
 * The hook of register nonconformity: the engine's columns (IS020), audit
 * findings of 7.11 runs and the links of each source (IS037).
 */
void
nonconformity_hook(RegisterRow *row)
{
	ENGINE_RULE(IS020_NC_MANAGED,
				register_refuse_managed(row, nc_managed_columns,
										"The engine records who implemented the corrective action, who verified its effectiveness, and when.",
										"Move the nonconformity on with isms.implement_corrective_action and isms.verify_effectiveness."));
	nc_check_audit_run(row);
	nc_check_links(row);
}

/* IS038: a column a step of the lifecycle needs. */
static void
nc_require(LifecycleRow *row, const char *column, bool missing, const char *why, const char *hint)
{
	if (missing)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_NC_LIFECYCLE),
				 errmsg("%s cannot be %s: %s is not set", row->object, row->to->name, column),
				 errdetail("%s", why),
				 errhint("%s", hint)));
}

/* Guard analysis: the root cause is known (IS038, 10.2 b). */
static void
nc_guard_analysis(LifecycleRow *row)
{
	if (RULE_ON(IS038_NC_ANALYSIS))
		nc_require(row, "root_cause", nc_blank(row->newtup, RelationGetDescr(row->rel), "root_cause"),
				   "A nonconformity is analysed by determining its causes (ISO/IEC 27001 10.2 b).",
				   "Analyse it with isms.analyse_nonconformity(run, nonconformity, correction, root_cause).");
}

/* Guard plan: the corrective action, its due date and owner (IS038, 10.2 c). */
static void
nc_guard_plan(LifecycleRow *row)
{
	TupleDesc	desc = RelationGetDescr(row->rel);
	const char *hint = "Plan it with isms.plan_corrective_action(run, nonconformity, action, due_date, owner).";
	const char *why = "A corrective action says what is done, by when and who is responsible (ISO/IEC 27001 10.2 c).";

	if (RULE_OFF(IS038_NC_PLAN))
		return;
	nc_require(row, "action", nc_blank(row->newtup, desc, "action"), why, hint);
	nc_require(row, "due_date", nc_null(row->newtup, desc, "due_date"), why, hint);
	nc_require(row, "owner", nc_null(row->newtup, desc, "owner"), why, hint);
	row->detail = engine_json(2, "due_date", engine_get_text(row->newtup, desc, "due_date"),
							  "owner", engine_get_text(row->newtup, desc, "owner"));
}

/* Set a role and a time column to the caller and the business time of the change (import.c). */
static void
nc_record_actor(LifecycleRow *row, const char *role_column, const char *time_column)
{
	const char *cols[2] = {role_column, time_column};
	Datum		vals[2] = {ObjectIdGetDatum(engine_identity()),
	TimestampTzGetDatum(engine_business_time(row->org_id))};
	bool		nulls[2] = {false, false};

	row->newtup = engine_set_columns(row->rel, row->newtup, 2, cols, vals, nulls);
}

/* Guard implementation: the engine records who implemented the action and when. */
static void
nc_guard_implementation(LifecycleRow *row)
{
	nc_record_actor(row, "implemented_by", "implemented_at");
	row->detail = engine_json(1, "implemented_by", GetUserNameFromId(engine_identity(), false));
}

/*
 * Guard verification: a review of effectiveness (IS038, 10.2 d) by someone
 * other than who implemented the action (IS039); the engine records who
 * verified and when.
 */
static void
nc_guard_verification(LifecycleRow *row)
{
	TupleDesc	desc = RelationGetDescr(row->rel);
	bool		isnull;
	Oid			implementer = DatumGetObjectId(engine_get(row->newtup, desc, "implemented_by", &isnull));
	Oid			actor = engine_identity();
	const char *name = isnull ? NULL : GetUserNameFromId(implementer, true);

	if (RULE_ON(IS038_NC_VERIFICATION))
		nc_require(row, "effectiveness_review", nc_blank(row->newtup, desc, "effectiveness_review"),
				   "The effectiveness of a corrective action is reviewed, and the review is retained (ISO/IEC 27001 10.2 d, g).",
				   "Record the review: isms.verify_effectiveness(run, nonconformity, review).");
	if (RULE_ON(IS039_NC_INDEPENDENT_VERIFIER) && !isnull && implementer == actor)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_NC_VERIFIER),
				 errmsg("%s: role \"%s\" implemented the corrective action and cannot verify its effectiveness",
						row->object, name ? name : "?"),
				 errdetail("The effectiveness of a corrective action is verified by someone other than who implemented it."),
				 errhint("Ask another member to verify it with isms.verify_effectiveness(run, nonconformity, review).")));
	nc_record_actor(row, "verified_by", "verified_at");
	row->detail = engine_json(2, "implemented_by", name, "verified_by", GetUserNameFromId(actor, false));
}

/* Guard reason: an ineffective action goes back to planning with a reason (IS021). */
static void
nc_guard_reason(LifecycleRow *row)
{
	char	   *reason = RULE_OFF(IS021_NC_REASON) ? NULL :
		engine_require_reason(row->newtup, RelationGetDescr(row->rel), "state_reason", row->object, row->action,
							  "Pass a reason: isms.set_nonconformity_state(run, nonconformity, 'action_planned', 'why').");

	row->detail = engine_json(1, "reason", reason);
}

const LifecycleGuard nonconformity_guards[] = {
	{"analysis", nc_guard_analysis},
	{"plan", nc_guard_plan},
	{"implementation", nc_guard_implementation},
	{"verification", nc_guard_verification},
	{"reason", nc_guard_reason},
	{"closed", register_guard_closed},
	{NULL, NULL}
};
