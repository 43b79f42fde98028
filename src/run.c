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
 * has none).  A run is never due before its planned start (IS047).  The rules of one transition are guards (run_guards), which
 * isms.lifecycle_transition attaches to the transitions of kind "run".
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "engine.h"

PG_FUNCTION_INFO_V1(run_trigger);
PG_FUNCTION_INFO_V1(run_steps_trigger);
PG_FUNCTION_INFO_V1(run_planned_trigger);

static SPIPlanPtr plan_create_steps = NULL;

static const char *const run_fixed_columns[] = {"org_id", "run_id", "process_id", "created_at", NULL};
static const char *const run_managed_columns[] = {"started_at", "ended_at", NULL};

/* A run changing state, as its guards see it. */
typedef struct RunRow
{
	LifecycleRow lc;
	int64		run_id;
	const ProcessModel *pm;
} RunRow;

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

/* Guard applicable: a process declared not applicable is not started (IS014). */
static void
run_guard_applicable(LifecycleRow *row)
{
	ENGINE_RULE(IS014_EXCLUDED_START, refuse_excluded(((RunRow *) row)->pm, row->org_id));
}

/* Guard inputs: a run starts with its required inputs linked (IS002). */
static void
run_guard_inputs(LifecycleRow *row)
{
	RunRow	   *r = (RunRow *) row;

	ENGINE_CHECK(RULE_OFF(IS002_START_INPUTS) ? (void) 0 : refuse_if_blocked(rules_start_blockers(row->org_id, r->run_id, r->pm, true), ERRCODE_ISMS_INPUTS_MISSING,
									   r->run_id, r->pm, "start",
									   "Link an approved, unexpired record of each with isms.add_input(run, record); see isms.run_blockers(run)."));
}

/* Guard completion: steps finished, outputs approved, inputs held (IS008). */
static void
run_guard_completion(LifecycleRow *row)
{
	RunRow	   *r = (RunRow *) row;

	ENGINE_CHECK(RULE_OFF(IS008_COMPLETION) ? (void) 0 : refuse_if_blocked(rules_complete_blockers(row->org_id, r->run_id, r->pm, true), ERRCODE_ISMS_COMPLETION,
									   r->run_id, r->pm, "complete",
									   "Finish or skip the steps and get the outputs approved (isms.new_record, isms.approve_record) or confirmed (isms.confirm_record); see isms.run_blockers(run)."));
}

/* A reason for suspending or cancelling, if required (IS021); the event carries it. */
static void
run_reason(LifecycleRow *row, bool required, const char *action)
{
	TupleDesc	desc = RelationGetDescr(row->rel);

	if (required)
		engine_require_reason(row->newtup, desc, "state_reason", row->object, action,
							  psprintf("Pass a reason, e.g. isms.%s_run(run, 'why').", action));
	row->detail = engine_json(1, "reason", engine_get_text(row->newtup, desc, "state_reason"));
}

/* Guards cancel_reason and suspend_reason. */
static void
run_guard_cancel_reason(LifecycleRow *row)
{
	run_reason(row, RULE_ON(IS021_CANCEL_REASON), "cancel");
}

static void
run_guard_suspend_reason(LifecycleRow *row)
{
	run_reason(row, RULE_ON(IS021_SUSPEND_REASON), "suspend");
}

const LifecycleGuard run_guards[] = {
	{"applicable", run_guard_applicable},
	{"inputs", run_guard_inputs},
	{"completion", run_guard_completion},
	{"cancel_reason", run_guard_cancel_reason},
	{"suspend_reason", run_guard_suspend_reason},
	{NULL, NULL}
};

/* A due date before the planned start is refused with both dates (IS047). */
static void
refuse_due_before_start(HeapTuple tuple, TupleDesc desc, const char *object)
{
	bool		start_null,
				due_null;
	Datum		start = engine_get(tuple, desc, "planned_start", &start_null);
	Datum		due = engine_get(tuple, desc, "due", &due_null);

	if (start_null || due_null || DatumGetDateADT(due) >= DatumGetDateADT(start))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_ISMS_RUN_DATES),
			 errmsg("%s cannot be due on %s, before its planned start on %s", object,
					DatumGetCString(DirectFunctionCall1(date_out, due)),
					DatumGetCString(DirectFunctionCall1(date_out, start))),
			 errdetail("A run is due on or after the day it is planned to start; planned_start defaults to the current date."),
			 errhint("Pass a due date on or after planned_start, e.g. due => CURRENT_DATE + 30, or an earlier planned_start.")));
}

/* BEFORE INSERT: a run is born planned, for an applicable process. */
static HeapTuple
run_insert(Relation rel, HeapTuple tuple)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int64		org_id = engine_get_int64(tuple, desc, "org_id");
	bool		isnull;
	const LifecycleState *state = lifecycle_state("run", engine_get(tuple, desc, "state", &isnull));
	const ProcessModel *pm = run_process(org_id, (int32) engine_get_int64(tuple, desc, "process_id"));
	const char *cols[2] = {"created_at", "owner"};
	Datum		vals[2];
	bool		nulls[2] = {false, false};
	const char *const *c;

	if (RULE_ON(IS001_RUN_BORN_PLANNED) && !state->initial)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_TRANSITION),
				 errmsg("a new run must be created in state planned, not %s", state->name),
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
	ENGINE_RULE(IS047_PLAN_DATES, refuse_due_before_start(tuple, desc, "a new run"));
	/* created at the business time; owned by whoever plans it unless named */
	vals[0] = TimestampTzGetDatum(engine_business_time(org_id));
	engine_get(tuple, desc, "owner", &isnull);
	vals[1] = isnull ? CStringGetTextDatum(engine_actor()) : (Datum) 0;
	return engine_set_columns(rel, tuple, isnull ? 2 : 1, cols, vals, nulls);
}

/* BEFORE UPDATE: the lifecycle and the guards of the transition. */
static HeapTuple
run_update(Relation rel, HeapTuple oldtup, HeapTuple newtup)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int64		run_id = engine_get_int64(oldtup, desc, "run_id");
	char	   *object = psprintf("run " INT64_FORMAT, run_id);
	RunRow		r;
	const char *action;
	const char *cols[1];
	Datum		vals[1];
	bool		nulls[1] = {false};

	lifecycle_row(&r.lc, "run", rel, oldtup, newtup, object);
	r.run_id = run_id;
	ENGINE_RULE(IS009_RUN_IDENTITY, engine_refuse_change(oldtup, newtup, desc, run_fixed_columns, ERRCODE_ISMS_IMMUTABLE, object,
						 "The organization, process and identity of a run are fixed.",
						 "Cancel the run and plan a new one."));
	ENGINE_RULE(IS020_RUN_TIMES, engine_refuse_change(oldtup, newtup, desc, run_managed_columns, ERRCODE_ISMS_ENGINE_MANAGED, object,
						 "Start and end times are recorded when the run changes state.",
						 "Change the state with isms.start_run, isms.complete_run or isms.cancel_run."));
	ENGINE_RULE(IS047_REPLAN_DATES, refuse_due_before_start(newtup, desc, object));
	if (r.lc.from == r.lc.to)
	{
		if (RULE_ON(IS009_CLOSED_RUN) && r.lc.from->final)
			ereport(ERROR,
					(errcode(ERRCODE_ISMS_IMMUTABLE),
					 errmsg("%s is %s and cannot be changed", object, r.lc.from->name),
					 errdetail("A closed run is evidence of what was done."),
					 errhint("Plan a new run.")));
		return newtup;
	}
	ENGINE_RULE(IS001_RUN_TRANSITION, lifecycle_check(&r.lc,
					  "Use isms.start_run, isms.suspend_run, isms.resume_run, isms.complete_run or isms.cancel_run."));
	r.pm = run_process(r.lc.org_id, (int32) engine_get_int64(oldtup, desc, "process_id"));
	action = lifecycle_guard(&r.lc);

	/* a run starts when it leaves its first state and ends in a final one */
	cols[0] = r.lc.to->final ? "ended_at" : r.lc.from->initial ? "started_at" : NULL;
	if (cols[0])
	{
		vals[0] = TimestampTzGetDatum(engine_business_time(r.lc.org_id));
		r.lc.newtup = engine_set_columns(rel, r.lc.newtup, 1, cols, vals, nulls);
	}
	event_append(r.lc.org_id, "run", run_id, action, r.lc.from->name, r.lc.to->name, r.lc.detail);
	return r.lc.newtup;
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
