/*-------------------------------------------------------------------------
 *
 * step.c
 *	  Rules of steps: the step lifecycle, step order, steps only in an
 *	  active run, skipping only optional activities (with a reason), and the
 *	  activity's own inputs before a step is done.
 *
 * isms.step_trigger fires BEFORE INSERT, UPDATE and DELETE on isms.step.
 * Steps are created by the engine with their run and never deleted.
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

/* The run a step belongs to must be active; returns its process. */
static const ProcessModel *
step_active_run(int64 org_id, int64 run_id, const char *object)
{
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		values[2] = {Int64GetDatum(org_id), Int64GetDatum(run_id)};
	bool		isnull;
	int			state;

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
	state = model_state(LC_RUN, SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	if (RULE_ON(IS004_STEP_RUN_ACTIVE) && state != RUN_ACTIVE)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_RUN_NOT_ACTIVE),
				 errmsg("%s cannot change: run " INT64_FORMAT " is %s", object, run_id, model_state_name(LC_RUN, state)),
				 errdetail("Steps are worked on only while their run is active."),
				 errhint(state == RUN_PLANNED ? "Start the run with isms.start_run(run)." :
						 state == RUN_SUSPENDED ? "Resume the run with isms.resume_run(run)." :
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

/* BEFORE UPDATE: lifecycle and the step rules. */
static HeapTuple
step_update(Relation rel, HeapTuple oldtup, HeapTuple newtup)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int64		org_id = engine_get_int64(oldtup, desc, "org_id");
	int64		run_id = engine_get_int64(oldtup, desc, "run_id");
	int32		activity_no = (int32) engine_get_int64(oldtup, desc, "activity_no");
	bool		isnull;
	int			from = model_state(LC_STEP, engine_get(oldtup, desc, "state", &isnull));
	int			to = model_state(LC_STEP, engine_get(newtup, desc, "state", &isnull));
	char	   *object = psprintf("step %d of run " INT64_FORMAT, activity_no, run_id);
	const ProcessModel *pm;
	const ModelActivity *act;
	const char *cols[2] = {NULL, "performer"};
	Datum		vals[2];
	bool		nulls[2] = {false, false};
	int			ncols = 1;
	char	   *actor = engine_actor();

	ENGINE_RULE(IS009_STEP_IDENTITY, engine_refuse_change(oldtup, newtup, desc, step_fixed_columns, ERRCODE_ISMS_IMMUTABLE, object,
						 "A step belongs to one activity of one run.", "Change the state of the step instead."));
	ENGINE_RULE(IS020_STEP_TIMES, engine_refuse_change(oldtup, newtup, desc, step_managed_columns, ERRCODE_ISMS_ENGINE_MANAGED, object,
						 "Start and finish times are recorded when the step changes state.",
						 "Use isms.start_step, isms.finish_step or isms.skip_step."));
	if (from == to)
	{
		if (RULE_ON(IS009_FINISHED_STEP) && (from == STEP_DONE || from == STEP_SKIPPED))
			ereport(ERROR,
					(errcode(ERRCODE_ISMS_IMMUTABLE),
					 errmsg("%s is %s and cannot be changed", object, model_state_name(LC_STEP, from)),
					 errdetail("A finished step is evidence of what was done."),
					 errhint("Plan a new run to redo the activity.")));
		return newtup;
	}
	ENGINE_RULE(IS001_STEP_TRANSITION, refuse_transition(LC_STEP, object, from, to, "Use isms.start_step, isms.finish_step or isms.skip_step."));
	pm = step_active_run(org_id, run_id, object);
	act = model_activity(pm, activity_no);
	if (act == NULL)
		elog(ERROR, "%s: activity not found in process %s", object, pm->code);

	if (to == STEP_ACTIVE || (to == STEP_SKIPPED && from == STEP_PENDING))
		ENGINE_CHECK(step_check_order(org_id, run_id, activity_no, object));
	if (to == STEP_SKIPPED)
	{
		if (RULE_ON(IS005_SKIP_MANDATORY) && !act->optional)
			ereport(ERROR,
					(errcode(ERRCODE_ISMS_SKIP_REFUSED),
					 errmsg("%s cannot be skipped: activity \"%s\" is mandatory", object, act->name),
					 errdetail("Only optional activities of process %s may be skipped.", pm->code),
					 errhint("Perform the activity, or tailor the process for the organization.")));
		ENGINE_RULE(IS021_SKIP_REASON, engine_require_reason(newtup, desc, "skip_reason", object, "skip",
							  "Pass a reason: isms.skip_step(run, activity_no, 'why')."));
	}
#ifndef ISMS_BENCH_NO_CHECKS		/* see ENGINE_CHECK in engine.h */
	if (to == STEP_DONE)
	{
		List	   *blockers = rules_activity_blockers(org_id, run_id, pm, activity_no);

		if (RULE_ON(IS006_ACTIVITY_INPUTS) && blockers != NIL)
			ereport(ERROR,
					(errcode(ERRCODE_ISMS_ACTIVITY_INPUTS),
					 errmsg("%s cannot be done: activity \"%s\" needs its inputs", object, act->name),
					 errdetail("Still needed: %s.", ((Blocker *) linitial(blockers))->detail),
					 errhint("Link the records with isms.add_input(run, record).")));
	}
#endif
	cols[0] = to == STEP_ACTIVE ? "started_at" : "finished_at";
	vals[0] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	engine_get(newtup, desc, "performer", &isnull);
	if (isnull)
	{
		vals[1] = CStringGetTextDatum(actor);
		ncols = 2;
	}
	newtup = engine_set_columns(rel, newtup, ncols, cols, vals, nulls);
	event_append(org_id, "step", run_id, model_transition(LC_STEP, from, to),
				 model_state_name(LC_STEP, from), model_state_name(LC_STEP, to),
				 engine_json(2, "activity_no", psprintf("%d", activity_no),
							 "reason", to == STEP_SKIPPED ? engine_get_text(newtup, desc, "skip_reason") : NULL));
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
