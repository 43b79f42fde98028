/*-------------------------------------------------------------------------
 *
 * assessment.c
 *	  Capability assessment in the audit trail: every assessor rating
 *	  inserted into isms.assessment_rating appends an "assessment" event
 *	  (object: the process, action "rate", new state: the rating), so an
 *	  assessor's override of a derived rating is kept in the organisation's
 *	  hash chain with its justification.
 *
 * isms.assessment_rules_trigger fires BEFORE INSERT: the assessor is the
 * acting identity and the time is the transaction's, both set by the
 * engine, so that no client can record a rating in another's name or date.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "utils/builtins.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "engine.h"

PG_FUNCTION_INFO_V1(assessment_trigger);
PG_FUNCTION_INFO_V1(assessment_rules_trigger);

/* isms.assessment_rules_trigger: BEFORE INSERT ON isms.assessment_rating FOR EACH ROW */
Datum
assessment_rules_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	char	   *assessor;
	char	   *actor;
	bool		isnull;
	const char *cols[2] = {"assessor", "assessed_at"};
	Datum		vals[2];
	bool		nulls[2] = {false, false};

	engine_check_trigger(fcinfo, "assessment_rules_trigger", true, true);
	rel = td->tg_relation;
	desc = RelationGetDescr(rel);
	assessor = engine_get_text(td->tg_trigtuple, desc, "assessor");
	actor = engine_actor();
	if (RULE_ON(IS019_ASSESSOR_NOT_ACTOR) && assessor != NULL && strcmp(assessor, actor) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_ACTOR),
				 errmsg("new rating: assessor \"%s\" is not the actor \"%s\"", engine_clip(assessor), actor),
				 errdetail("The assessor of a rating is whoever records it."),
				 errhint("Leave \"assessor\" out of the INSERT.")));
	engine_get(td->tg_trigtuple, desc, "assessed_at", &isnull);
	if (RULE_ON(IS020_ASSESSED_AT) && !isnull)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_ENGINE_MANAGED),
				 errmsg("new rating: column \"assessed_at\" is set by the engine"),
				 errdetail("A rating is dated when it is recorded; the period it is about is period_start to period_end."),
				 errhint("Leave \"assessed_at\" out of the INSERT.")));
	vals[0] = CStringGetTextDatum(actor);
	vals[1] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	return PointerGetDatum(engine_set_columns(rel, td->tg_trigtuple, 2, cols, vals, nulls));
}

/*
 * The SHA-256 (hex) of the rating's canonical content, as
 * isms.assessment_content_hash computes it: the rating's event carries it, so
 * that isms.verify_events finds a rewritten or removed rating.
 */
static char *
assessment_content_hash(Relation rel, HeapTuple tuple)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[1] = {InvalidOid};
	Datum		args[1] = {distribute_row_datum(rel, tuple, &argtypes[0])};

	return engine_select_text(&plan, "SELECT isms.assessment_content_hash($1)", 1, argtypes, args,
							  "the content hash of a rating");
}

/* isms.assessment_trigger: AFTER INSERT ON isms.assessment_rating FOR EACH ROW */
Datum
assessment_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	HeapTuple	tup;
	TupleDesc	desc;

	engine_check_trigger(fcinfo, "assessment_trigger", false, true);
	if (!TRIGGER_FIRED_BY_INSERT(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("assessment_trigger: must be fired for INSERT")));
	tup = td->tg_trigtuple;
	desc = RelationGetDescr(td->tg_relation);
	SPI_connect();
	event_append(engine_get_int64(tup, desc, "org_id"), "assessment",
				 engine_get_int64(tup, desc, "process_id"), "rate", NULL,
				 engine_get_text(tup, desc, "rating"),
				 engine_json(7,
							 "rating_id", engine_get_text(tup, desc, "rating_id"),
							 "attribute", engine_get_text(tup, desc, "attribute"),
							 "period_start", engine_get_text(tup, desc, "period_start"),
							 "period_end", engine_get_text(tup, desc, "period_end"),
							 "assessor", engine_get_text(tup, desc, "assessor"),
							 "justification", engine_get_text(tup, desc, "justification"),
							 "content_sha256", assessment_content_hash(td->tg_relation, tup)));
	SPI_finish();
	return PointerGetDatum(NULL);
}
