/*-------------------------------------------------------------------------
 *
 * training.c
 *	  Rules of training completions (ISO/IEC 27001 7.2 d, 7.3, A.6.3): a
 *	  member completed a course on a day, and is due again after the
 *	  course's validity.
 *
 * isms.training_completion is a register (see register.c):
 * isms.register_trigger checks the run (7.8), the key, that "member" is a
 * member of the organisation (IS032) and the event, then calls
 * training_completion_hook here.  The hook reads the course (locked FOR
 * SHARE, so that its validity cannot change until the completion commits)
 * and refuses a completion of a retired course or one dated in the future
 * (IS043); it sets due_again to completed_at plus the course's validity in
 * months.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/rel.h"

#include "engine.h"

static SPIPlanPtr plan_course = NULL;

/*
 * The course of a completion, locked FOR SHARE: whether it is retired, and
 * the completion's due date; false if the course does not exist.
 */
static bool
training_course(const RegisterRow *row, bool *retired, Datum *due_again)
{
	TupleDesc	desc = RelationGetDescr(row->lc.rel);
	Oid			argtypes[3] = {INT8OID, INT8OID, DATEOID};
	Datum		values[3];
	bool		isnull;

	values[0] = Int64GetDatum(row->lc.org_id);
	values[1] = Int64GetDatum(engine_get_int64(row->lc.newtup, desc, "course_id"));
	values[2] = engine_get(row->lc.newtup, desc, "completed_at", &isnull);
	engine_prepare(&plan_course,
				   "SELECT st.final, ($3 OPERATOR(pg_catalog.+) pg_catalog.make_interval(months => c.validity_months))::pg_catalog.date "
				   "FROM isms.course c JOIN isms.lifecycle_state st ON st.kind OPERATOR(pg_catalog.=) 'course' "
				   "AND st.state OPERATOR(pg_catalog.=) c.state::pg_catalog.text "
				   "WHERE c.org_id OPERATOR(pg_catalog.=) $1 AND c.course_id OPERATOR(pg_catalog.=) $2 FOR SHARE OF c",
				   3, argtypes);
	if (engine_exec(plan_course, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the courses of organization " INT64_FORMAT, row->lc.org_id);
	if (SPI_processed != 1)
		return false;			/* the foreign key refuses it */
	*retired = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	*due_again = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
	return true;
}

/*
 * The hook of register training_completion: not a retired course, not in
 * the future of the business date (IS043); due_again is the engine's.
 */
void
training_completion_hook(RegisterRow *row)
{
	TupleDesc	desc = RelationGetDescr(row->lc.rel);
	bool		isnull;
	DateADT		completed = DatumGetDateADT(engine_get(row->lc.newtup, desc, "completed_at", &isnull));
	bool		retired;
	const char *cols[1] = {"due_again"};
	Datum		vals[1];
	bool		nulls[1] = {false};

	if (!training_course(row, &retired, &vals[0]))
		return;
	if (RULE_ON(IS043_COURSE_RETIRED) && retired)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_TRAINING),
				 errmsg("%s: course %s is retired", row->lc.object, engine_get_text(row->lc.newtup, desc, "course_id")),
				 errdetail("Completions are recorded for active courses; a retired course keeps the completions it had."),
				 errhint("Record the completion of the course that replaced it.")));
	if (RULE_ON(IS043_COMPLETED_FUTURE) && completed > engine_business_date(row->lc.org_id))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_TRAINING),
				 errmsg("%s: completed_at %s is in the future", row->lc.object,
						engine_get_text(row->lc.newtup, desc, "completed_at")),
				 errdetail("A completion is recorded on or after the day the course was completed."),
				 errhint("Record the completion once it has taken place.")));
	row->lc.newtup = engine_set_columns(row->lc.rel, row->lc.newtup, 1, cols, vals, nulls);
}
