/*-------------------------------------------------------------------------
 *
 * schedule.c
 *	  Rules of time as an organisation tailors it: its own review cycles and
 *	  retention per work product (isms.work_product_cycle, IS034) and its
 *	  schedules of recurring runs (isms.schedule, IS035), and the events of
 *	  both.  The planner itself is SQL (isms.plan_due_runs, 190_schedule.sql);
 *	  what the engine does with a cycle is model.c's (model_work_product
 *	  returns a work product with the organisation's cycle).
 *
 * isms.cycle_trigger fires BEFORE INSERT, UPDATE and DELETE on
 * isms.work_product_cycle, isms.schedule_trigger on isms.schedule, and
 * isms.schedule_event_trigger AFTER INSERT, UPDATE and DELETE on both (and
 * AFTER INSERT on isms.schedule_run: a run planned by a schedule).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/rel.h"

#include "engine.h"

PG_FUNCTION_INFO_V1(cycle_trigger);
PG_FUNCTION_INFO_V1(schedule_trigger);
PG_FUNCTION_INFO_V1(schedule_event_trigger);

#define ERRCODE_ISMS_CYCLE		ISMS_ERRCODE(34)	/* IS034 */
#define ERRCODE_ISMS_SCHEDULE	ISMS_ERRCODE(35)	/* IS035 */

static SPIPlanPtr plan_schedule_runs = NULL;

static const char *const cycle_fixed_columns[] = {"org_id", "work_product_id", NULL};
static const char *const schedule_fixed_columns[] = {"org_id", "schedule_id", "process_id", NULL};

/* A date column in ISO form (events do not depend on DateStyle), or NULL. */
static char *
iso_date(HeapTuple tuple, TupleDesc desc, const char *column)
{
	bool		isnull;
	DateADT		d = DatumGetDateADT(engine_get(tuple, desc, column, &isnull));
	int			year;
	int			month;
	int			day;

	if (isnull)
		return NULL;
	if (DATE_NOT_FINITE(d))
		return DatumGetCString(DirectFunctionCall1(date_out, DateADTGetDatum(d)));
	j2date(d + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	return psprintf("%04d-%02d-%02d", year, month, day);
}

/* A refusal of a review cycle or a schedule. */
static void
refuse(int sqlstate, const char *what, const char *detail, const char *hint)
{
	ereport(ERROR,
			(errcode(sqlstate),
			 errmsg("%s", what),
			 errdetail("%s", detail),
			 errhint("%s", hint)));
}

/* A new or changed review cycle: of a work product of the organisation's vocabulary; review cycles for documents only. */
static void
cycle_check(HeapTuple tuple, TupleDesc desc, int64 org_id)
{
	int32		wp_id = (int32) engine_get_int64(tuple, desc, "work_product_id");
	const WorkProduct *wp = model_work_product(org_id, wp_id);
	bool		isnull;

	if (RULE_ON(IS034_CYCLE_WORK_PRODUCT) && (wp == NULL || (wp->org_id != 0 && wp->org_id != org_id)))
		refuse(ERRCODE_ISMS_CYCLE, psprintf("review cycle refused: work_product_id %d is not in the vocabulary of organization " INT64_FORMAT, wp_id, org_id),
			   "An organization sets review cycles for the PRM's work products and its own, nobody else's.",
			   "Pick a work product of the PRM or one of the organization's own (isms.set_review_cycle takes its key).");
	engine_get(tuple, desc, "review_months", &isnull);
	if (RULE_ON(IS034_CYCLE_DOCUMENT) && !isnull && wp != NULL && !wp->is_document)
		refuse(ERRCODE_ISMS_CYCLE, psprintf("review cycle refused: %s is a record, not a document", wp->key),
			   "Records are evidence of what was done and do not expire; only documents are reviewed at planned intervals.",
			   "Set only the retention of a record's work product.");
}

/* isms.cycle_trigger: BEFORE INSERT OR UPDATE OR DELETE ON isms.work_product_cycle FOR EACH ROW */
Datum
cycle_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	tuple;

	engine_check_trigger(fcinfo, "cycle_trigger", true, true);
	desc = RelationGetDescr(td->tg_relation);
	if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
		return PointerGetDatum(td->tg_trigtuple);
	tuple = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		ENGINE_RULE(IS034_CYCLE_IDENTITY, engine_refuse_change(td->tg_trigtuple, tuple, desc, cycle_fixed_columns, ERRCODE_ISMS_CYCLE,
							 "review cycle", "A review cycle belongs to one organization and work product.",
							 "Reset it with isms.reset_review_cycle and set the other one."));
	SPI_connect();
	cycle_check(tuple, desc, engine_get_int64(tuple, desc, "org_id"));
	SPI_finish();
	return PointerGetDatum(tuple);
}

/* Has the schedule planned runs? */
static bool
schedule_has_runs(int64 org_id, int64 schedule_id)
{
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		values[2] = {Int64GetDatum(org_id), Int64GetDatum(schedule_id)};

	engine_prepare(&plan_schedule_runs,
				   "SELECT FROM isms.schedule_run WHERE org_id OPERATOR(pg_catalog.=) $1 "
				   "AND schedule_id OPERATOR(pg_catalog.=) $2 LIMIT 1",
				   2, argtypes);
	if (engine_exec(plan_schedule_runs, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the runs of schedule " INT64_FORMAT, schedule_id);
	return SPI_processed > 0;
}

/* A new or changed schedule: of a process of the organisation's model that it has not declared not applicable. */
static void
schedule_check(HeapTuple oldtup, HeapTuple tuple, TupleDesc desc, int64 org_id)
{
	int32		process_id = (int32) engine_get_int64(tuple, desc, "process_id");
	const ProcessModel *pm = model_process(org_id, process_id);
	bool		isnull;
	bool		active = DatumGetBool(engine_get(tuple, desc, "active", &isnull));
	bool		was_active = oldtup != NULL && DatumGetBool(engine_get(oldtup, desc, "active", &isnull));

	if (RULE_ON(IS035_SCHEDULE_PROCESS) && pm == NULL)
		refuse(ERRCODE_ISMS_SCHEDULE, psprintf("schedule refused: process %d is not in the model of organization " INT64_FORMAT, process_id, org_id),
			   "An organization schedules runs of the PRM's processes and its own, nobody else's.",
			   "Pick a process of the PRM or one of the organization's own (isms.add_schedule takes its code).");
	if (RULE_ON(IS035_SCHEDULE_EXCLUDED) && active && !was_active && model_excluded(org_id, process_id))
		refuse(ERRCODE_ISMS_SCHEDULE, psprintf("schedule refused: process %s is declared not applicable", pm ? pm->code : "?"),
			   "A process the organization declared not applicable is never run, so it is not scheduled either.",
			   "Include the process again with isms.include_process first.");
}

/* isms.schedule_trigger: BEFORE INSERT OR UPDATE OR DELETE ON isms.schedule FOR EACH ROW */
Datum
schedule_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	oldtup = NULL;
	HeapTuple	tuple = td->tg_trigtuple;
	int64		org_id;

	engine_check_trigger(fcinfo, "schedule_trigger", true, true);
	desc = RelationGetDescr(td->tg_relation);
	org_id = engine_get_int64(tuple, desc, "org_id");
	SPI_connect();
	if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		if (RULE_ON(IS035_SCHEDULE_DELETE) && schedule_has_runs(org_id, engine_get_int64(tuple, desc, "schedule_id")))
			refuse(ERRCODE_ISMS_SCHEDULE,
				   psprintf("schedule " INT64_FORMAT " cannot be deleted", engine_get_int64(tuple, desc, "schedule_id")),
				   "Runs were planned by the schedule; which schedule planned a run is part of the audit trail.",
				   "Deactivate it instead: UPDATE isms.schedule SET active = false.");
		SPI_finish();
		return PointerGetDatum(tuple);
	}
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		oldtup = td->tg_trigtuple;
		tuple = td->tg_newtuple;
		ENGINE_RULE(IS035_SCHEDULE_IDENTITY,
					engine_refuse_change(oldtup, tuple, desc, schedule_fixed_columns, ERRCODE_ISMS_SCHEDULE,
										 psprintf("schedule " INT64_FORMAT, engine_get_int64(oldtup, desc, "schedule_id")),
										 "The organization, process and identity of a schedule are fixed.",
										 "Deactivate the schedule and add a new one."));
	}
	schedule_check(oldtup, tuple, desc, org_id);
	SPI_finish();
	return PointerGetDatum(tuple);
}

/* The event of a change of a review cycle. */
static void
cycle_event(TriggerData *td, TupleDesc desc, HeapTuple tuple, const char *action)
{
	int64		org_id = engine_get_int64(tuple, desc, "org_id");
	int32		wp_id = (int32) engine_get_int64(tuple, desc, "work_product_id");
	const WorkProduct *wp = model_work_product(org_id, wp_id);
	bool		deleted = TRIGGER_FIRED_BY_DELETE(td->tg_event);

	event_append(org_id, "work_product_cycle", wp_id, action, NULL, NULL,
				 engine_json(4,
							 "work_product", wp ? wp->key : NULL,
							 "review_months", deleted ? NULL : engine_get_text(tuple, desc, "review_months"),
							 "retention_months", deleted ? NULL : engine_get_text(tuple, desc, "retention_months"),
							 "justification", deleted ? NULL : engine_get_text(tuple, desc, "justification")));
}

/* The event of a change of a schedule. */
static void
schedule_change_event(TriggerData *td, TupleDesc desc, HeapTuple tuple, const char *action)
{
	int64		org_id = engine_get_int64(tuple, desc, "org_id");
	const ProcessModel *pm = model_process(org_id, (int32) engine_get_int64(tuple, desc, "process_id"));

	event_append(org_id, "schedule", engine_get_int64(tuple, desc, "schedule_id"), action, NULL, NULL,
				 engine_json(7,
							 "process", pm ? pm->code : NULL,
							 "title", engine_get_text(tuple, desc, "title"),
							 "owner", engine_get_text(tuple, desc, "owner"),
							 "first_due", iso_date(tuple, desc, "first_due"),
							 "every_months", engine_get_text(tuple, desc, "every_months"),
							 "lead_days", engine_get_text(tuple, desc, "lead_days"),
							 "active", engine_get_text(tuple, desc, "active")));
}

/*
 * isms.schedule_event_trigger: AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW
 * on isms.work_product_cycle and isms.schedule, AFTER INSERT on
 * isms.schedule_run: one event per change, in the organisation's chain.
 */
Datum
schedule_event_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	tuple;
	const char *table;
	bool		inserted;
	const char *action;

	engine_check_trigger(fcinfo, "schedule_event_trigger", false, true);
	desc = RelationGetDescr(td->tg_relation);
	table = distribute_relation_name(td->tg_relation);
	inserted = TRIGGER_FIRED_BY_INSERT(td->tg_event);
	tuple = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	SPI_connect();
	if (strcmp(table, "work_product_cycle") == 0)
		cycle_event(td, desc, tuple, inserted ? "set" : TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? "change" : "reset");
	else if (strcmp(table, "schedule") == 0)
	{
		action = inserted ? "create" : TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? "change" : "delete";
		schedule_change_event(td, desc, tuple, action);
	}
	else if (strcmp(table, "schedule_run") == 0 && inserted)
		event_append(engine_get_int64(tuple, desc, "org_id"), "schedule", engine_get_int64(tuple, desc, "schedule_id"),
					 "plan", NULL, NULL,
					 engine_json(2, "run_id", engine_get_text(tuple, desc, "run_id"),
								 "due", iso_date(tuple, desc, "due")));
	else
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("schedule_event_trigger: not for table \"%s\"", table)));
	SPI_finish();
	return PointerGetDatum(NULL);
}
