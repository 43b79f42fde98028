/*-------------------------------------------------------------------------
 *
 * assessment.c
 *	  Capability assessment in the audit trail: every assessor rating
 *	  inserted into isms.assessment_rating appends an "assessment" event
 *	  (object: the process, action "rate", new state: the rating), so an
 *	  assessor's override of a derived rating is kept in the organisation's
 *	  hash chain with its justification.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/rel.h"

#include "engine.h"

PG_FUNCTION_INFO_V1(assessment_trigger);

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
	event_append(engine_get_int64(tup, desc, "org_id"), "assessment",
				 engine_get_int64(tup, desc, "process_id"), "rate", NULL,
				 engine_get_text(tup, desc, "rating"),
				 engine_json(5,
							 "attribute", engine_get_text(tup, desc, "attribute"),
							 "period_start", engine_get_text(tup, desc, "period_start"),
							 "period_end", engine_get_text(tup, desc, "period_end"),
							 "assessor", engine_get_text(tup, desc, "assessor"),
							 "justification", engine_get_text(tup, desc, "justification")));
	return PointerGetDatum(NULL);
}
