/*-------------------------------------------------------------------------
 *
 * rules.c
 *	  What a run still needs: the input rule (before it starts), the
 *	  activity-input rule (before a step is done) and the completion rule
 *	  (mandatory steps and required outputs).
 *
 * Each function returns a list of Blockers, empty when the rule holds.  The
 * run and step triggers refuse a transition when the list is not empty, and
 * isms.run_blockers shows the same lists to users, so both always agree.
 * Every query here is a prepared index scan over one run's links or steps.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "engine.h"

PG_FUNCTION_INFO_V1(run_blockers);

#define LINKED_RECORDS \
	"SELECT r.work_product_id FROM isms.run_record l JOIN isms.record r " \
	"ON r.org_id OPERATOR(pg_catalog.=) l.org_id AND r.record_id OPERATOR(pg_catalog.=) l.record_id " \
	"WHERE l.org_id OPERATOR(pg_catalog.=) $1 AND l.run_id OPERATOR(pg_catalog.=) $2 "
#define CURRENT_INPUTS LINKED_RECORDS \
	"AND l.role OPERATOR(pg_catalog.=) 'input' AND r.state OPERATOR(pg_catalog.=) 'approved' " \
	"AND (r.valid_until IS NULL OR r.valid_until OPERATOR(pg_catalog.>=) isms.business_date($1))"
#define HELD_INPUTS LINKED_RECORDS \
	"AND l.role OPERATOR(pg_catalog.=) 'input' " \
	"AND r.state OPERATOR(pg_catalog.=) ANY ('{approved,superseded}'::isms.record_state[])"
#define APPROVED_OUTPUTS LINKED_RECORDS \
	"AND l.role OPERATOR(pg_catalog.<>) 'input' AND r.state OPERATOR(pg_catalog.=) 'approved'"

typedef enum LinkQuery
{
	Q_CURRENT_INPUTS, Q_CURRENT_INPUTS_LOCKED, Q_HELD_INPUTS, Q_HELD_INPUTS_LOCKED, Q_OUTPUTS, Q_OUTPUTS_LOCKED,
	Q_NQUERIES
} LinkQuery;

static const char *const link_sql[Q_NQUERIES] = {
	CURRENT_INPUTS,
	CURRENT_INPUTS " FOR SHARE OF r",
	HELD_INPUTS,
	HELD_INPUTS " FOR SHARE OF r",
	APPROVED_OUTPUTS,
	APPROVED_OUTPUTS " FOR SHARE OF r"
};
static SPIPlanPtr link_plans[Q_NQUERIES];
static SPIPlanPtr plan_steps = NULL;

/* The work products of a run's linked records that match one query. */
static List *
linked_work_products(LinkQuery q, int64 org_id, int64 run_id)
{
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		values[2] = {Int64GetDatum(org_id), Int64GetDatum(run_id)};
	List	   *result = NIL;
	uint64		i;

	engine_prepare(&link_plans[q], link_sql[q], 2, argtypes);
	if (engine_exec(link_plans[q], values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the records linked to run " INT64_FORMAT, run_id);
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;

		result = lappend_int(result, DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[i],
																 SPI_tuptable->tupdesc, 1, &isnull)));
	}
	return result;
}

static Blocker *
make_blocker(const char *kind, char *item, char *detail)
{
	Blocker    *b = palloc(sizeof(Blocker));

	b->kind = kind;
	b->item = item;
	b->detail = detail;
	return b;
}

static const char *
wp_key(const ProcessModel *pm, int32 work_product_id)
{
	const WorkProduct *wp = model_work_product(pm->org_id, work_product_id);

	return wp ? wp->key : "?";
}

/* Required inputs and input groups not satisfied by the given work products. */
static List *
missing_inputs(const ProcessModel *pm, List *have, const char *what)
{
	List	   *blockers = NIL;
	List	   *groups_seen = NIL;
	int			i;

	for (i = 0; i < pm->ninputs; i++)
	{
		const ModelInput *in = &pm->inputs[i];

		if (in->requirement == INPUT_REQUIRED && !list_member_int(have, in->work_product_id))
			blockers = lappend(blockers,
							   make_blocker("input", pstrdup(wp_key(pm, in->work_product_id)),
											psprintf("no %s record of %s is linked as input",
													 what, wp_key(pm, in->work_product_id))));
		else if (in->requirement == INPUT_GROUP)
		{
			ListCell   *lc;
			bool		satisfied = false;
			StringInfoData members;
			int			j;

			foreach(lc, groups_seen)
				if (strcmp((char *) lfirst(lc), in->input_group) == 0)
					satisfied = true;
			if (satisfied)
				continue;
			groups_seen = lappend(groups_seen, in->input_group);
			initStringInfo(&members);
			for (j = 0; j < pm->ninputs; j++)
			{
				if (pm->inputs[j].requirement != INPUT_GROUP ||
					strcmp(pm->inputs[j].input_group, in->input_group) != 0)
					continue;
				if (list_member_int(have, pm->inputs[j].work_product_id))
					satisfied = true;
				appendStringInfo(&members, "%s%s", members.len ? " | " : "", wp_key(pm, pm->inputs[j].work_product_id));
			}
			if (!satisfied)
				blockers = lappend(blockers,
								   make_blocker("input", members.data,
												psprintf("no %s record of any of group \"%s\" (%s) is linked as input",
														 what, in->input_group, members.data)));
		}
	}
	return blockers;
}

/* Before a run starts: approved, unexpired records of every required input and group. */
List *
rules_start_blockers(int64 org_id, int64 run_id, const ProcessModel *pm, bool lock)
{
	List	   *have = linked_work_products(lock ? Q_CURRENT_INPUTS_LOCKED : Q_CURRENT_INPUTS, org_id, run_id);

	return missing_inputs(pm, have, "approved, unexpired");
}

/* Before a step is done: the activity's own inputs are linked. */
List *
rules_activity_blockers(int64 org_id, int64 run_id, const ProcessModel *pm, int32 activity_no)
{
	List	   *blockers = NIL;
	List	   *have = NIL;
	bool		fetched = false;
	int			i;

	for (i = 0; i < pm->nactivity_inputs; i++)
	{
		const ModelActivityInput *ai = &pm->activity_inputs[i];

		if (ai->activity_no != activity_no)
			continue;
		if (!fetched)
		{
			have = linked_work_products(Q_CURRENT_INPUTS, org_id, run_id);
			fetched = true;
		}
		if (!list_member_int(have, ai->work_product_id))
			blockers = lappend(blockers,
							   make_blocker("activity input", pstrdup(wp_key(pm, ai->work_product_id)),
											psprintf("activity %d needs an approved, unexpired record of %s linked as input",
													 activity_no, wp_key(pm, ai->work_product_id))));
	}
	return blockers;
}

/* The step states of a run, indexed by position in pm->activities; NULL: missing. */
static const LifecycleState **
step_states(int64 org_id, int64 run_id, const ProcessModel *pm)
{
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		values[2] = {Int64GetDatum(org_id), Int64GetDatum(run_id)};
	const LifecycleState **states = palloc0(sizeof(LifecycleState *) * (pm->nactivities + 1));
	uint64		i;
	int			a;

	engine_prepare(&plan_steps,
				   "SELECT activity_no, state FROM isms.step "
				   "WHERE org_id OPERATOR(pg_catalog.=) $1 AND run_id OPERATOR(pg_catalog.=) $2",
				   2, argtypes);
	if (engine_exec(plan_steps, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the steps of run " INT64_FORMAT, run_id);
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		int32		no = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
		Datum		st = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &isnull);

		for (a = 0; a < pm->nactivities; a++)
			if (pm->activities[a].activity_no == no)
				states[a] = lifecycle_state("step", st);
	}
	return states;
}

/*
 * Before a run completes: every mandatory step done, every optional step
 * done or skipped, every required output (of an activity not skipped) with
 * an approved record produced or confirmed by the run, and the inputs the
 * run started with not withdrawn meanwhile.
 */
List *
rules_complete_blockers(int64 org_id, int64 run_id, const ProcessModel *pm, bool lock)
{
	List	   *blockers = NIL;
	const LifecycleState **states = step_states(org_id, run_id, pm);
	List	   *outputs;
	List	   *inputs;
	int			a;
	int			i;

	for (a = 0; a < pm->nactivities; a++)
	{
		const ModelActivity *act = &pm->activities[a];
		const LifecycleState *st = states[a];

		if (st && (lifecycle_is(st, "done") || (lifecycle_is(st, "skipped") && act->optional)))
			continue;
		blockers = lappend(blockers,
						   make_blocker("step", psprintf("%d", act->activity_no),
										psprintf("%s activity %d \"%s\" is %s",
												 act->optional ? "optional" : "mandatory", act->activity_no, act->name,
												 st ? st->name : "missing")));
	}

	outputs = linked_work_products(lock ? Q_OUTPUTS_LOCKED : Q_OUTPUTS, org_id, run_id);
	for (i = 0; i < pm->noutputs; i++)
	{
		const ModelOutput *out = &pm->outputs[i];
		bool		skipped = false;

		for (a = 0; a < pm->nactivities; a++)
			if (pm->activities[a].activity_no == out->activity_no && states[a] &&
				lifecycle_is(states[a], "skipped"))
				skipped = true;
		if (!out->required || skipped || list_member_int(outputs, out->work_product_id))
			continue;
		blockers = lappend(blockers,
						   make_blocker("output", pstrdup(wp_key(pm, out->work_product_id)),
										psprintf("no approved record of %s is produced or confirmed by the run",
												 wp_key(pm, out->work_product_id))));
	}

	inputs = linked_work_products(lock ? Q_HELD_INPUTS_LOCKED : Q_HELD_INPUTS, org_id, run_id);
	return list_concat(blockers, missing_inputs(pm, inputs, "approved (not withdrawn)"));
}

/*
 * isms.run_blockers(run) -> setof (blocker, item, detail)
 *
 * What a run still needs before its next transition: before it starts if it
 * is planned, before it completes if it is active.
 */
Datum
run_blockers(PG_FUNCTION_ARGS)
{
	int64		run_id = PG_GETARG_INT64(0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext caller = CurrentMemoryContext;
	Oid			argtypes[1] = {INT8OID};
	Datum		args[1] = {Int64GetDatum(run_id)};
	List	   *blockers = NIL;
	ListCell   *lc;
	int			guc_level;

	InitMaterializedSRF(fcinfo, 0);
	SPI_connect();
	guc_level = engine_pin_search_path();
	if ((SPI_execute_with_args("SELECT org_id, process_id, state FROM isms.run WHERE run_id OPERATOR(pg_catalog.=) $1",
							  1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT || SPI_processed == 0) && RULE_ON(IS015_BLOCKERS_RUN))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_NOT_FOUND),
				 errmsg("run " INT64_FORMAT " does not exist", run_id),
				 errdetail("No run with this id is visible to role \"%s\".", GetUserNameFromId(GetUserId(), false)),
				 errhint("Check the run id, and that you are a member of the run's organization.")));
	{
		HeapTuple	t = SPI_tuptable->vals[0];
		TupleDesc	d = SPI_tuptable->tupdesc;
		int64		org_id = engine_get_int64(t, d, "org_id");
		bool		isnull;
		const LifecycleState *state = lifecycle_state("run", engine_get(t, d, "state", &isnull));
		const ProcessModel *pm = model_process(org_id, (int32) engine_get_int64(t, d, "process_id"));

		if (lifecycle_is(state, "planned"))
			blockers = rules_start_blockers(org_id, run_id, pm, false);
		else if (lifecycle_is(state, "active"))
			blockers = rules_complete_blockers(org_id, run_id, pm, false);
		else if (lifecycle_is(state, "suspended"))
			blockers = list_make1(make_blocker("state", pstrdup("suspended"),
											   pstrdup("the run is suspended: resume it to continue")));
		if (model_excluded(org_id, pm->process_id) && lifecycle_is(state, "planned"))
			blockers = lappend(blockers, make_blocker("process", pstrdup(pm->code),
													  psprintf("process %s is declared not applicable", pm->code)));
	}
	foreach(lc, blockers)
	{
		Blocker    *b = lfirst(lc);
		Datum		values[3];
		bool		nulls[3] = {false, false, false};
		MemoryContext old = MemoryContextSwitchTo(caller);

		values[0] = CStringGetTextDatum(b->kind);
		values[1] = CStringGetTextDatum(b->item);
		values[2] = CStringGetTextDatum(b->detail);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		MemoryContextSwitchTo(old);
	}
	engine_unpin_search_path(guc_level);
	SPI_finish();
	return (Datum) 0;
}
