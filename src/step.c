/*-------------------------------------------------------------------------
 *
 * step.c
 *	  Rules of steps: the step lifecycle, step order, steps only in an
 *	  active run, skipping only optional activities (with a reason), and the
 *	  activity's own inputs before a step is done.
 *
 * isms.step_trigger fires BEFORE INSERT, UPDATE and DELETE on isms.step.
 * Steps are created by the engine with their run and never deleted.  The
 * rules of one transition are guards (step_guards), which
 * isms.lifecycle_transition attaches to the transitions of kind "step".
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "engine.h"

PG_FUNCTION_INFO_V1(step_trigger);

static SPIPlanPtr plan_run_of_step = NULL;
static SPIPlanPtr plan_earlier_steps = NULL;

static const char *const step_fixed_columns[] = {"org_id", "run_id", "activity_no", NULL};
static const char *const step_managed_columns[] = {"started_at", "finished_at", NULL};

/* A step changing state, as its guards see it. */
typedef struct StepRow
{
	LifecycleRow lc;
	int64		run_id;
	int32		activity_no;
	const ProcessModel *pm;
	const ModelActivity *act;
	char	   *reason;			/* of a skip, for the event */
} StepRow;

/* The run a step belongs to must be active; returns its process. */
static const ProcessModel *
step_active_run(int64 org_id, int64 run_id, const char *object)
{
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		values[2] = {Int64GetDatum(org_id), Int64GetDatum(run_id)};
	bool		isnull;
	const LifecycleState *state;

	/*
	 * FOR SHARE: without the lock a step could be finished while another
	 * transaction cancels or suspends the run (the step would only wait for
	 * the event chain and land after the cancellation).  With it, the step
	 * waits for the run's pending change and sees its outcome, and a
	 * cancellation waits for the step (test/specs/steps.spec).
	 */
	engine_prepare(&plan_run_of_step,
				   "SELECT state, process_id FROM isms.run "
				   "WHERE org_id OPERATOR(pg_catalog.=) $1 AND run_id OPERATOR(pg_catalog.=) $2 FOR SHARE",
				   2, argtypes);
	if (engine_exec(plan_run_of_step, values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "run " INT64_FORMAT " of %s not found", run_id, object);
	state = lifecycle_state("run", SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (RULE_ON(IS004_STEP_RUN_ACTIVE) && !lifecycle_is(state, "active"))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_RUN_NOT_ACTIVE),
				 errmsg("%s cannot change: run " INT64_FORMAT " is %s", object, run_id, state->name),
				 errdetail("Steps are worked on only while their run is active."),
				 errhint(lifecycle_is(state, "planned") ? "Start the run with isms.start_run(run)." :
						 lifecycle_is(state, "suspended") ? "Resume the run with isms.resume_run(run)." :
						 "The run is closed; plan a new run.")));
	return model_process(org_id, DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)));
}

/* A step starts (or is skipped) only after every earlier step is done or skipped. */
static void
step_check_order(int64 org_id, int64 run_id, int32 activity_no, const char *object)
{
	Oid			argtypes[3] = {INT8OID, INT8OID, INT4OID};
	Datum		values[3] = {Int64GetDatum(org_id), Int64GetDatum(run_id), Int32GetDatum(activity_no)};
	List	   *open_steps = NIL;
	uint64		i;

	engine_prepare(&plan_earlier_steps,
				   "SELECT activity_no::pg_catalog.text OPERATOR(pg_catalog.||) ' (' OPERATOR(pg_catalog.||) "
				   "state::pg_catalog.text OPERATOR(pg_catalog.||) ')' FROM isms.step "
				   "WHERE org_id OPERATOR(pg_catalog.=) $1 AND run_id OPERATOR(pg_catalog.=) $2 "
				   "AND activity_no OPERATOR(pg_catalog.<) $3 "
				   "AND state OPERATOR(pg_catalog.<>) ALL ('{done,skipped}'::isms.step_state[]) ORDER BY activity_no",
				   3, argtypes);
	if (engine_exec(plan_earlier_steps, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the steps of run " INT64_FORMAT, run_id);
	for (i = 0; i < SPI_processed; i++)
		open_steps = lappend(open_steps, SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1));
	if (RULE_ON(IS003_STEP_ORDER) && open_steps != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_STEP_ORDER),
				 errmsg("%s cannot start before the steps before it are done or skipped", object),
				 errdetail("Steps still open: %s.", engine_list_text(open_steps)),
				 errhint("Finish (isms.finish_step) or skip (isms.skip_step) the earlier steps first.")));
}

/* Guard order: a step starts (or is skipped) after the steps before it (IS003). */
static void
step_guard_order(LifecycleRow *row)
{
	StepRow    *s = (StepRow *) row;

	ENGINE_CHECK(step_check_order(row->org_id, s->run_id, s->activity_no, row->object));
}

/* Guard optional: only an optional activity is skipped (IS005). */
static void
step_guard_optional(LifecycleRow *row)
{
	StepRow    *s = (StepRow *) row;

	if (RULE_ON(IS005_SKIP_MANDATORY) && !s->act->optional)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_SKIP_REFUSED),
				 errmsg("%s cannot be skipped: activity \"%s\" is mandatory", row->object, s->act->name),
				 errdetail("Only optional activities of process %s may be skipped.", s->pm->code),
				 errhint("Perform the activity, or tailor the process for the organization.")));
}

/* Guard skip_reason: a skip needs a reason (IS021); the event carries it. */
static void
step_guard_skip_reason(LifecycleRow *row)
{
	TupleDesc	desc = RelationGetDescr(row->rel);

	ENGINE_RULE(IS021_SKIP_REASON, engine_require_reason(row->newtup, desc, "skip_reason", row->object, "skip",
						  "Pass a reason: isms.skip_step(run, activity_no, 'why')."));
	((StepRow *) row)->reason = engine_get_text(row->newtup, desc, "skip_reason");
}

/* Guard activity_inputs: a step is done with its activity's inputs linked (IS006). */
static void
step_guard_activity_inputs(LifecycleRow *row)
{
#ifndef ISMS_BENCH_NO_CHECKS		/* see ENGINE_CHECK in engine.h */
	StepRow    *s = (StepRow *) row;
	List	   *blockers = rules_activity_blockers(row->org_id, s->run_id, s->pm, s->activity_no);

	if (RULE_ON(IS006_ACTIVITY_INPUTS) && blockers != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_ACTIVITY_INPUTS),
				 errmsg("%s cannot be done: activity \"%s\" needs its inputs", row->object, s->act->name),
				 errdetail("Still needed: %s.", ((Blocker *) linitial(blockers))->detail),
				 errhint("Link the records with isms.add_input(run, record).")));
#endif
}

const LifecycleGuard step_guards[] = {
	{"order", step_guard_order},
	{"optional", step_guard_optional},
	{"skip_reason", step_guard_skip_reason},
	{"activity_inputs", step_guard_activity_inputs},
	{NULL, NULL}
};

/* BEFORE UPDATE: the lifecycle and the guards of the transition. */
static HeapTuple
step_update(Relation rel, HeapTuple oldtup, HeapTuple newtup)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int64		run_id = engine_get_int64(oldtup, desc, "run_id");
	int32		activity_no = (int32) engine_get_int64(oldtup, desc, "activity_no");
	char	   *object = psprintf("step %d of run " INT64_FORMAT, activity_no, run_id);
	StepRow		s;
	const char *action;
	bool		isnull;
	const char *cols[2] = {NULL, "performer"};
	Datum		vals[2];
	bool		nulls[2] = {false, false};
	int			ncols = 1;
	char	   *actor = engine_actor();

	lifecycle_row(&s.lc, "step", rel, oldtup, newtup, object);
	s.run_id = run_id;
	s.activity_no = activity_no;
	s.reason = NULL;
	ENGINE_RULE(IS009_STEP_IDENTITY, engine_refuse_change(oldtup, newtup, desc, step_fixed_columns, ERRCODE_ISMS_IMMUTABLE, object,
						 "A step belongs to one activity of one run.", "Change the state of the step instead."));
	ENGINE_RULE(IS020_STEP_TIMES, engine_refuse_change(oldtup, newtup, desc, step_managed_columns, ERRCODE_ISMS_ENGINE_MANAGED, object,
						 "Start and finish times are recorded when the step changes state.",
						 "Use isms.start_step, isms.finish_step or isms.skip_step."));
	if (s.lc.from == s.lc.to)
	{
		if (RULE_ON(IS009_FINISHED_STEP) && s.lc.from->final)
			ereport(ERROR,
					(errcode(ERRCODE_ISMS_IMMUTABLE),
					 errmsg("%s is %s and cannot be changed", object, s.lc.from->name),
					 errdetail("A finished step is evidence of what was done."),
					 errhint("Plan a new run to redo the activity.")));
		return newtup;
	}
	ENGINE_RULE(IS001_STEP_TRANSITION, lifecycle_check(&s.lc, "Use isms.start_step, isms.finish_step or isms.skip_step."));
	s.pm = step_active_run(s.lc.org_id, run_id, object);
	s.act = model_activity(s.pm, activity_no);
	if (s.act == NULL)
		elog(ERROR, "%s: activity not found in process %s", object, s.pm->code);
	action = lifecycle_guard(&s.lc);

	/* a step is finished when it reaches a final state, else started */
	cols[0] = s.lc.to->final ? "finished_at" : "started_at";
	vals[0] = TimestampTzGetDatum(engine_business_time(s.lc.org_id));
	engine_get(newtup, desc, "performer", &isnull);
	if (isnull)
	{
		vals[1] = CStringGetTextDatum(actor);
		ncols = 2;
	}
	newtup = engine_set_columns(rel, s.lc.newtup, ncols, cols, vals, nulls);
	event_append(s.lc.org_id, "step", run_id, action, s.lc.from->name, s.lc.to->name,
				 engine_json(2, "activity_no", psprintf("%d", activity_no), "reason", s.reason));
	return newtup;
}

/* isms.step_trigger: BEFORE INSERT OR UPDATE OR DELETE ON isms.step FOR EACH ROW */
Datum
step_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	HeapTuple	result;

	engine_check_trigger(fcinfo, "step_trigger", true, true);
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		if (RULE_OFF(IS020_STEP_INSERT) || engine_internal_write())
			return PointerGetDatum(td->tg_trigtuple);
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_ENGINE_MANAGED),
				 errmsg("steps are created by the engine"),
				 errdetail("A run gets one step per activity of its process when it is planned."),
				 errhint("Plan a run with isms.plan_run; tailor the process to add activities.")));
	}
	if (RULE_ON(IS011_STEP_DELETE) && TRIGGER_FIRED_BY_DELETE(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_RETENTION),
				 errmsg("steps cannot be deleted"),
				 errdetail("Steps are part of the audit trail of their run."),
				 errhint("Skip an optional step with isms.skip_step, or cancel the run.")));
	SPI_connect();
	result = SPI_copytuple(step_update(td->tg_relation, td->tg_trigtuple, td->tg_newtuple));
	SPI_finish();
	return PointerGetDatum(result);
}
