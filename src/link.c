/*-------------------------------------------------------------------------
 *
 * link.c
 *	  Rules of links between runs and records: inputs must be approved,
 *	  current records of a work product the process accepts; confirmation
 *	  re-validates an approved output without a new version; links of a
 *	  started run are evidence and stay.
 *
 * isms.run_record_trigger fires BEFORE INSERT, UPDATE and DELETE on
 * isms.run_record and checks; isms.run_record_added_trigger fires AFTER
 * INSERT and does what a new link does (its event, a confirmation's
 * validity), so that a row not inserted (INSERT ... ON CONFLICT DO
 * NOTHING) does nothing.  Output links are made by the engine when a run
 * produces a record.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/rel.h"

#include "engine.h"

PG_FUNCTION_INFO_V1(run_record_trigger);
PG_FUNCTION_INFO_V1(run_record_added_trigger);

static SPIPlanPtr plan_link_run = NULL;
static SPIPlanPtr plan_link_record = NULL;
static SPIPlanPtr plan_extend_validity = NULL;

typedef struct LinkEnds
{
	const LifecycleState *run_state;
	const ProcessModel *pm;
	const LifecycleState *record_state;
	const WorkProduct *wp;
	bool		expired;
} LinkEnds;

/* The columns of a link row. */
typedef struct LinkRow
{
	int64		org_id;
	int64		run_id;
	int64		record_id;
	char	   *role;			/* input, output or confirmed */
} LinkRow;

static LinkRow
link_row(Relation rel, HeapTuple tuple)
{
	TupleDesc	desc = RelationGetDescr(rel);
	LinkRow		l;

	l.org_id = engine_get_int64(tuple, desc, "org_id");
	l.run_id = engine_get_int64(tuple, desc, "run_id");
	l.record_id = engine_get_int64(tuple, desc, "record_id");
	l.role = engine_get_text(tuple, desc, "role");
	return l;
}

/* Lock one end of a link (a run or a record of the organisation) FOR SHARE; IS015 if missing. */
static HeapTuple
link_lock_end(SPIPlanPtr *plan, const char *sql, int64 org_id, int64 id, const char *what)
{
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		values[2] = {Int64GetDatum(org_id), Int64GetDatum(id)};

	engine_prepare(plan, sql, 2, argtypes);
	if ((engine_exec(*plan, values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1) && RULE_ON(IS015_LINK_END))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_NOT_FOUND),
				 errmsg("%s " INT64_FORMAT " does not exist in organization " INT64_FORMAT, what, id, org_id),
				 errdetail("Runs and records can only be linked within one organization."),
				 errhint("Check the %s id.", what)));
	return SPI_tuptable->vals[0];
}

/* Read and lock both ends of a link. */
static void
link_read_ends(int64 org_id, int64 run_id, int64 record_id, LinkEnds *ends)
{
	bool		isnull;
	HeapTuple	t;

	t = link_lock_end(&plan_link_run,
					  "SELECT state, process_id FROM isms.run "
					  "WHERE org_id OPERATOR(pg_catalog.=) $1 AND run_id OPERATOR(pg_catalog.=) $2 FOR SHARE",
					  org_id, run_id, "run");
	ends->run_state = lifecycle_state("run", SPI_getbinval(t, SPI_tuptable->tupdesc, 1, &isnull));
	ends->pm = model_process(org_id, DatumGetInt32(SPI_getbinval(t, SPI_tuptable->tupdesc, 2, &isnull)));

	t = link_lock_end(&plan_link_record,
					  "SELECT state, work_product_id, valid_until OPERATOR(pg_catalog.<) isms.business_date($1) FROM isms.record "
					  "WHERE org_id OPERATOR(pg_catalog.=) $1 AND record_id OPERATOR(pg_catalog.=) $2 FOR SHARE",
					  org_id, record_id, "record");
	ends->record_state = lifecycle_state("record", SPI_getbinval(t, SPI_tuptable->tupdesc, 1, &isnull));
	ends->wp = model_work_product(org_id, DatumGetInt32(SPI_getbinval(t, SPI_tuptable->tupdesc, 2, &isnull)));
	ends->expired = DatumGetBool(SPI_getbinval(t, SPI_tuptable->tupdesc, 3, &isnull)) && !isnull;
}

/* An input: approved, unexpired, of a work product the process accepts, to an open run. */
static void
link_check_input(const LinkEnds *e, int64 run_id, int64 record_id)
{
	if (RULE_ON(IS004_INPUT_CLOSED_RUN) && e->run_state->final)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_RUN_NOT_ACTIVE),
				 errmsg("run " INT64_FORMAT " is %s: no input can be added", run_id, e->run_state->name),
				 errdetail("A closed run's inputs are evidence of what it used."),
				 errhint("Plan a new run.")));
	if (RULE_ON(IS013_INPUT_NOT_ACCEPTED) && !model_accepts_input(e->pm, e->wp->work_product_id))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_INPUT_REFUSED),
				 errmsg("record " INT64_FORMAT " cannot be an input of run " INT64_FORMAT ": process %s does not take %s",
						record_id, run_id, e->pm->code, e->wp->key),
				 errdetail("The inputs of process %s are listed in isms.process_input and isms.activity_input.", e->pm->code),
				 errhint("Link a record of one of the process's inputs, or tailor the process to accept %s.", e->wp->key)));
	if ((RULE_ON(IS013_UNAPPROVED_INPUT) && !lifecycle_is(e->record_state, "approved")) || (RULE_ON(IS013_EXPIRED_INPUT) && e->expired))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_INPUT_REFUSED),
				 errmsg("record " INT64_FORMAT " cannot be an input of run " INT64_FORMAT ": it is %s",
						record_id, run_id, e->expired ? "expired" : e->record_state->name),
				 errdetail("Only approved, unexpired records can be used as inputs."),
				 errhint(e->expired ? "Confirm the record in a run of its producing process (isms.confirm_record) or approve a new version."
						 : "Get the record approved first (isms.submit_record, isms.approve_record), or link its current version.")));
}

/* A confirmation: an approved, unexpired output of the process, by an active run. */
static void
link_check_confirm(const LinkEnds *e, int64 run_id, int64 record_id)
{
	if (RULE_ON(IS004_CONFIRM_RUN_ACTIVE) && !lifecycle_is(e->run_state, "active"))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_RUN_NOT_ACTIVE),
				 errmsg("run " INT64_FORMAT " is %s and cannot confirm records", run_id, e->run_state->name),
				 errdetail("Records are confirmed by an active run of a process that outputs them."),
				 errhint("Start or resume the run first.")));
	if (RULE_ON(IS016_CONFIRM_REFUSED) && (model_output(e->pm, e->wp->work_product_id) == NULL || !lifecycle_is(e->record_state, "approved") || e->expired))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_CONFIRM_REFUSED),
				 errmsg("record " INT64_FORMAT " cannot be confirmed by run " INT64_FORMAT, record_id, run_id),
				 model_output(e->pm, e->wp->work_product_id) == NULL
				 ? errdetail("Process %s does not output %s.", e->pm->code, e->wp->key)
				 : errdetail("The record is %s; only approved, unexpired records can be confirmed.",
							 e->expired ? "expired" : e->record_state->name),
				 errhint("Produce a new version with isms.new_version(record, run) instead.")));
}

/* A confirmed record is valid for another review cycle of its work product. */
static void
link_extend_validity(const WorkProduct *wp, int64 org_id, int64 record_id)
{
	Oid			argtypes[3] = {INT8OID, INT8OID, DATEOID};
	Datum		values[3];

	if (wp->review_months == 0)
		return;
	values[0] = Int64GetDatum(org_id);
	values[1] = Int64GetDatum(record_id);
	values[2] = engine_date_plus_months(org_id, wp->review_months);
	engine_prepare(&plan_extend_validity,
				   "UPDATE isms.record SET valid_until = $3 "
				   "WHERE org_id OPERATOR(pg_catalog.=) $1 AND record_id OPERATOR(pg_catalog.=) $2",
				   3, argtypes);
	if (engine_exec(plan_extend_validity, values, NULL, true, 0) != SPI_OK_UPDATE)
		elog(ERROR, "could not extend the validity of record " INT64_FORMAT, record_id);
}

/* A new input or confirmation: its ends are read for these checks only. */
static void
link_check_new(const LinkRow *l)
{
	LinkEnds	ends;

	link_read_ends(l->org_id, l->run_id, l->record_id, &ends);
	if (strcmp(l->role, "input") == 0)
		link_check_input(&ends, l->run_id, l->record_id);
	else
		link_check_confirm(&ends, l->run_id, l->record_id);
}

/* BEFORE INSERT */
static HeapTuple
link_insert(Relation rel, HeapTuple tuple)
{
	LinkRow		l = link_row(rel, tuple);
	const char *cols[1] = {"linked_by"};
	Datum		vals[1];
	bool		nulls[1] = {false};
	char	   *actor;

	if (engine_internal_write())
		return tuple;
	if (RULE_ON(IS020_OUTPUT_LINK) && strcmp(l.role, "output") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_ENGINE_MANAGED),
				 errmsg("output links are made by the engine"),
				 errdetail("A record produced by a run is linked to it when it is created."),
				 errhint("Create outputs with isms.new_record(run, ...); confirm existing ones with isms.confirm_record.")));
	actor = engine_actor();
	ENGINE_CHECK(link_check_new(&l));
	vals[0] = CStringGetTextDatum(actor);
	return engine_set_columns(rel, tuple, 1, cols, vals, nulls);
}

/* AFTER INSERT: the event of a new input or confirmation; a confirmation extends validity. */
static void
link_added(Relation rel, HeapTuple tuple)
{
	LinkRow		l = link_row(rel, tuple);
	LinkEnds	ends;

	if (strcmp(l.role, "output") == 0)
		return;
	link_read_ends(l.org_id, l.run_id, l.record_id, &ends);
	if (strcmp(l.role, "input") == 0)
		event_append(l.org_id, "run", l.run_id, "add_input", NULL, NULL,
					 engine_json(2, "record_id", psprintf(INT64_FORMAT, l.record_id), "work_product", ends.wp->key));
	else
	{
		link_extend_validity(ends.wp, l.org_id, l.record_id);
		event_append(l.org_id, "record", l.record_id, "confirm", NULL, NULL,
					 engine_json(1, "run_id", psprintf(INT64_FORMAT, l.run_id)));
	}
}

/* BEFORE DELETE: only an input of a run not yet started may be unlinked. */
static void
link_delete(Relation rel, HeapTuple tuple)
{
	LinkRow		l = link_row(rel, tuple);
	LinkEnds	ends;

	if (engine_internal_write())
		return;
	link_read_ends(l.org_id, l.run_id, l.record_id, &ends);
	if (RULE_ON(IS011_LINK_DELETE) && (strcmp(l.role, "input") != 0 || !ends.run_state->initial))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_RETENTION),
				 errmsg("the %s link of record " INT64_FORMAT " to run " INT64_FORMAT " cannot be removed",
						l.role, l.record_id, l.run_id),
				 errdetail("Only inputs of a run that has not started may be unlinked; other links are evidence."),
				 errhint("Cancel the run if it should not go on.")));
	event_append(l.org_id, "run", l.run_id, "remove_input", NULL, NULL,
				 engine_json(1, "record_id", psprintf(INT64_FORMAT, l.record_id)));
}

/* isms.run_record_trigger: BEFORE INSERT OR UPDATE OR DELETE ON isms.run_record FOR EACH ROW */
Datum
run_record_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	HeapTuple	result = td->tg_trigtuple;

	engine_check_trigger(fcinfo, "run_record_trigger", true, true);
	if (RULE_ON(IS020_LINK_UPDATE) && TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_ENGINE_MANAGED),
				 errmsg("links between runs and records cannot be changed"),
				 errdetail("A link records what a run used, produced or confirmed."),
				 errhint("Remove an input of a planned run and add another one instead.")));
	SPI_connect();
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		result = SPI_copytuple(link_insert(td->tg_relation, td->tg_trigtuple));
	else
		link_delete(td->tg_relation, td->tg_trigtuple);
	SPI_finish();
	return PointerGetDatum(result);
}

/* isms.run_record_added_trigger: AFTER INSERT ON isms.run_record FOR EACH ROW */
Datum
run_record_added_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	engine_check_trigger(fcinfo, "run_record_added_trigger", false, true);
	SPI_connect();
	link_added(td->tg_relation, td->tg_trigtuple);
	SPI_finish();
	return PointerGetDatum(NULL);
}
