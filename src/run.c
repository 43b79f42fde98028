/*-------------------------------------------------------------------------
 *
 * run.c
 *	  Rules of runs: the run lifecycle, the input rule before a run starts,
 *	  the completion rule, and the steps created with each run.
 *
 * isms.run_trigger fires BEFORE INSERT, UPDATE and DELETE on isms.run;
 * isms.run_steps_trigger fires AFTER INSERT and creates one step per
 * activity of the process as the organisation has tailored it;
 * isms.run_planned_trigger fires AFTER INSERT and appends the plan event
 * (AFTER, so that a row not inserted by INSERT ... ON CONFLICT DO NOTHING
 * has none).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "engine.h"

PG_FUNCTION_INFO_V1(run_trigger);
PG_FUNCTION_INFO_V1(run_steps_trigger);
PG_FUNCTION_INFO_V1(run_planned_trigger);

static SPIPlanPtr plan_create_steps = NULL;

static const char *const run_fixed_columns[] = {"org_id", "run_id", "process_id", "created_at", NULL};
static const char *const run_managed_columns[] = {"started_at", "ended_at", NULL};

/* Raise IS00x with the blockers as detail, if there are any. */
static void
refuse_if_blocked(List *blockers, int sqlstate, int64 run_id, const ProcessModel *pm,
				  const char *action, const char *hint)
{
	List	   *items = NIL;
	ListCell   *lc;

	if (blockers == NIL)
		return;
	foreach(lc, blockers)
		items = lappend(items, ((Blocker *) lfirst(lc))->detail);
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg("run " INT64_FORMAT " of process %s cannot %s", run_id, pm->code, action),
			 errdetail("Still needed: %s.", engine_list_text(items)),
			 errhint("%s", hint)));
}

/* The process of a new or changed run, as its organisation sees it. */
static const ProcessModel *
run_process(int64 org_id, int32 process_id)
{
	const ProcessModel *pm = model_process(org_id, process_id);

	if (RULE_ON(IS015_RUN_PROCESS) && pm == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_NOT_FOUND),
				 errmsg("process %d does not exist for organization " INT64_FORMAT, process_id, org_id),
				 errdetail("The process is neither part of the PRM nor one of the organization's own."),
				 errhint("Pick a process from isms.process.")));
	return pm;
}

static void
refuse_excluded(const ProcessModel *pm, int64 org_id)
{
	if (model_excluded(org_id, pm->process_id))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_NOT_APPLICABLE),
				 errmsg("process %s \"%s\" is not applicable for organization " INT64_FORMAT,
						pm->code, pm->name, org_id),
				 errdetail("The organization declared the process not applicable (see isms.process_exclusion)."),
				 errhint("Revoke the exclusion with isms.include_process before running the process.")));
}

/* A reason is required for suspending and cancelling. */
static void
require_reason(HeapTuple tuple, TupleDesc desc, const char *object, const char *action)
{
	engine_require_reason(tuple, desc, "state_reason", object, action,
						  psprintf("Pass a reason, e.g. isms.%s_run(run, 'why').", action));
}

/* Refuse a transition that is not in the lifecycle. */
void
refuse_transition(Lifecycle lc, const char *object, int from, int to, const char *hint)
{
	StringInfoData allowed;
	int			s;

	if (model_transition(lc, from, to) != NULL)
		return;
	initStringInfo(&allowed);
	for (s = 0; s < 8; s++)
		if (model_transition(lc, from, s) != NULL)
			appendStringInfo(&allowed, "%s%s", allowed.len ? ", " : "", model_state_name(lc, s));
	ereport(ERROR,
			(errcode(ERRCODE_ISMS_TRANSITION),
			 errmsg("%s cannot go from %s to %s", object, model_state_name(lc, from), model_state_name(lc, to)),
			 allowed.len ? errdetail("From %s it may go to: %s.", model_state_name(lc, from), allowed.data)
			 : errdetail("%s is a final state.", model_state_name(lc, from)),
			 errhint("%s", hint)));
}

/* BEFORE INSERT: a run is born planned, for an applicable process. */
static HeapTuple
run_insert(Relation rel, HeapTuple tuple)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int64		org_id = engine_get_int64(tuple, desc, "org_id");
	bool		isnull;
	int			state = model_state(LC_RUN, engine_get(tuple, desc, "state", &isnull));
	const ProcessModel *pm = run_process(org_id, (int32) engine_get_int64(tuple, desc, "process_id"));
	const char *cols[1] = {"owner"};
	Datum		vals[1];
	bool		nulls[1] = {false};
	const char *const *c;

	if (RULE_ON(IS001_RUN_BORN_PLANNED) && state != RUN_PLANNED)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_TRANSITION),
				 errmsg("a new run must be created in state planned, not %s", model_state_name(LC_RUN, state)),
				 errdetail("Every run starts planned and moves on through its lifecycle."),
				 errhint("Insert it planned, then use isms.start_run.")));
	for (c = run_managed_columns; *c; c++)
	{
		engine_get(tuple, desc, *c, &isnull);
		if (RULE_ON(IS020_NEW_RUN_TIMES) && !isnull)
			ereport(ERROR,
					(errcode(ERRCODE_ISMS_ENGINE_MANAGED),
					 errmsg("new run: column \"%s\" is set by the engine", *c),
					 errdetail("Start and end times are recorded when the run changes state."),
					 errhint("Leave \"%s\" out of the INSERT.", *c)));
	}
	ENGINE_RULE(IS014_EXCLUDED_PLAN, refuse_excluded(pm, org_id));
	engine_get(tuple, desc, "owner", &isnull);
	if (isnull)
	{
		vals[0] = CStringGetTextDatum(engine_actor());
		tuple = engine_set_columns(rel, tuple, 1, cols, vals, nulls);
	}
	return tuple;
}

/* BEFORE UPDATE: the lifecycle, and the rules of starting and completing. */
static HeapTuple
run_update(Relation rel, HeapTuple oldtup, HeapTuple newtup)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int64		org_id = engine_get_int64(oldtup, desc, "org_id");
	int64		run_id = engine_get_int64(oldtup, desc, "run_id");
	bool		isnull;
	int			from = model_state(LC_RUN, engine_get(oldtup, desc, "state", &isnull));
	int			to = model_state(LC_RUN, engine_get(newtup, desc, "state", &isnull));
	char	   *object = psprintf("run " INT64_FORMAT, run_id);
	const ProcessModel *pm;
	const char *cols[1];
	Datum		vals[1];
	bool		nulls[1] = {false};

	ENGINE_RULE(IS009_RUN_IDENTITY, engine_refuse_change(oldtup, newtup, desc, run_fixed_columns, ERRCODE_ISMS_IMMUTABLE, object,
						 "The organization, process and identity of a run are fixed.",
						 "Cancel the run and plan a new one."));
	ENGINE_RULE(IS020_RUN_TIMES, engine_refuse_change(oldtup, newtup, desc, run_managed_columns, ERRCODE_ISMS_ENGINE_MANAGED, object,
						 "Start and end times are recorded when the run changes state.",
						 "Change the state with isms.start_run, isms.complete_run or isms.cancel_run."));
	if (from == to)
	{
		if (RULE_ON(IS009_CLOSED_RUN) && (from == RUN_COMPLETED || from == RUN_CANCELLED))
			ereport(ERROR,
					(errcode(ERRCODE_ISMS_IMMUTABLE),
					 errmsg("%s is %s and cannot be changed", object, model_state_name(LC_RUN, from)),
					 errdetail("A closed run is evidence of what was done."),
					 errhint("Plan a new run.")));
		return newtup;
	}
	ENGINE_RULE(IS001_RUN_TRANSITION, refuse_transition(LC_RUN, object, from, to,
					  "Use isms.start_run, isms.suspend_run, isms.resume_run, isms.complete_run or isms.cancel_run."));
	pm = run_process(org_id, (int32) engine_get_int64(oldtup, desc, "process_id"));

	if (to == RUN_ACTIVE && from == RUN_PLANNED)
	{
		ENGINE_RULE(IS014_EXCLUDED_START, refuse_excluded(pm, org_id));
		ENGINE_CHECK(RULE_OFF(IS002_START_INPUTS) ? (void) 0 : refuse_if_blocked(rules_start_blockers(org_id, run_id, pm, true), ERRCODE_ISMS_INPUTS_MISSING,
									   run_id, pm, "start",
									   "Link an approved, unexpired record of each with isms.add_input(run, record); see isms.run_blockers(run)."));
		cols[0] = "started_at";
	}
	else if (to == RUN_COMPLETED)
	{
		ENGINE_CHECK(RULE_OFF(IS008_COMPLETION) ? (void) 0 : refuse_if_blocked(rules_complete_blockers(org_id, run_id, pm, true), ERRCODE_ISMS_COMPLETION,
									   run_id, pm, "complete",
									   "Finish or skip the steps and get the outputs approved (isms.new_record, isms.approve_record) or confirmed (isms.confirm_record); see isms.run_blockers(run)."));
		cols[0] = "ended_at";
	}
	else if (to == RUN_CANCELLED)
	{
		ENGINE_RULE(IS021_CANCEL_REASON, require_reason(newtup, desc, object, "cancel"));
		cols[0] = "ended_at";
	}
	else
	{
		if (RULE_ON(IS021_SUSPEND_REASON) && to == RUN_SUSPENDED)
			require_reason(newtup, desc, object, "suspend");
		cols[0] = NULL;
	}
	if (cols[0])
	{
		vals[0] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
		newtup = engine_set_columns(rel, newtup, 1, cols, vals, nulls);
	}
	event_append(org_id, "run", run_id, model_transition(LC_RUN, from, to),
				 model_state_name(LC_RUN, from), model_state_name(LC_RUN, to),
				 (to == RUN_SUSPENDED || to == RUN_CANCELLED)
				 ? engine_json(1, "reason", engine_get_text(newtup, desc, "state_reason")) : NULL);
	return newtup;
}

/* isms.run_trigger: BEFORE INSERT OR UPDATE OR DELETE ON isms.run FOR EACH ROW */
Datum
run_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	HeapTuple	result;

	engine_check_trigger(fcinfo, "run_trigger", true, true);
	if (RULE_ON(IS011_RUN_DELETE) && TRIGGER_FIRED_BY_DELETE(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_RETENTION),
				 errmsg("run " INT64_FORMAT " cannot be deleted",
						engine_get_int64(td->tg_trigtuple, RelationGetDescr(td->tg_relation), "run_id")),
				 errdetail("Runs are part of the audit trail and are never deleted."),
				 errhint("Cancel the run with isms.cancel_run(run, reason).")));
	SPI_connect();
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		result = run_insert(td->tg_relation, td->tg_trigtuple);
	else
		result = run_update(td->tg_relation, td->tg_trigtuple, td->tg_newtuple);
	result = SPI_copytuple(result);
	SPI_finish();
	return PointerGetDatum(result);
}

/* isms.run_steps_trigger: AFTER INSERT ON isms.run FOR EACH ROW: one step per activity */
Datum
run_steps_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	int64		org_id;
	const ProcessModel *pm;
	Datum	   *nos;
	Datum		values[3];
	Oid			argtypes[3] = {INT8OID, INT8OID, INT4ARRAYOID};
	int			i;

	engine_check_trigger(fcinfo, "run_steps_trigger", false, true);
	desc = RelationGetDescr(td->tg_relation);
	org_id = engine_get_int64(td->tg_trigtuple, desc, "org_id");
	SPI_connect();
	pm = run_process(org_id, (int32) engine_get_int64(td->tg_trigtuple, desc, "process_id"));
	nos = palloc(sizeof(Datum) * (pm->nactivities + 1));
	for (i = 0; i < pm->nactivities; i++)
		nos[i] = Int32GetDatum(pm->activities[i].activity_no);
	values[0] = Int64GetDatum(org_id);
	values[1] = Int64GetDatum(engine_get_int64(td->tg_trigtuple, desc, "run_id"));
	values[2] = PointerGetDatum(construct_array(nos, pm->nactivities, INT4OID, sizeof(int32), true, TYPALIGN_INT));
	engine_prepare(&plan_create_steps,
				   "INSERT INTO isms.step (org_id, run_id, activity_no) SELECT $1, $2, pg_catalog.unnest($3)",
				   3, argtypes);
	if (engine_exec(plan_create_steps, values, NULL, true, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not create the steps of a run");
	SPI_finish();
	return PointerGetDatum(NULL);
}

/* isms.run_planned_trigger: AFTER INSERT ON isms.run FOR EACH ROW: the plan event */
Datum
run_planned_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	int64		org_id;
	const ProcessModel *pm;

	engine_check_trigger(fcinfo, "run_planned_trigger", false, true);
	desc = RelationGetDescr(td->tg_relation);
	org_id = engine_get_int64(td->tg_trigtuple, desc, "org_id");
	SPI_connect();
	pm = run_process(org_id, (int32) engine_get_int64(td->tg_trigtuple, desc, "process_id"));
	event_append(org_id, "run", engine_get_int64(td->tg_trigtuple, desc, "run_id"), "plan", NULL, "planned",
				 engine_json(2, "process", pm->code, "title", engine_get_text(td->tg_trigtuple, desc, "title")));
	SPI_finish();
	return PointerGetDatum(NULL);
}
