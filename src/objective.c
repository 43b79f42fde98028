/*-------------------------------------------------------------------------
 *
 * objective.c
 *	  Rules of the measurements of objectives (ISO/IEC 27001 6.2, 9.1): a
 *	  value per objective and period, measured against the target in force.
 *
 * isms.measurement is a register (see register.c): isms.register_trigger
 * checks the run (7.12), the key and the event, then calls
 * measurement_hook here.  The hook reads the objective (locked FOR SHARE,
 * so that its target cannot change until the measurement commits) and
 * refuses a measurement of a retired objective, of a period that is not
 * one of the objective's (the first day of a calendar month, quarter or
 * year) or that has not started yet (IS042).  It records the target in
 * force and whether the value meets it in the objective's direction; the
 * client sets neither.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/datum.h"
#include "utils/numeric.h"
#include "utils/rel.h"

#include "engine.h"

static SPIPlanPtr plan_objective = NULL;

/* An objective as a measurement needs it. */
typedef struct Objective
{
	Datum		target;			/* numeric */
	char	   *direction;		/* at_least, at_most */
	char	   *period;			/* month, quarter, year */
	bool		final;			/* retired */
} Objective;

/* The objective of a measurement, locked FOR SHARE; false if it does not exist. */
static bool
objective_load(int64 org_id, int64 objective_id, Objective *o)
{
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		values[2] = {Int64GetDatum(org_id), Int64GetDatum(objective_id)};
	bool		isnull;

	engine_prepare(&plan_objective,
				   "SELECT o.target, o.direction::pg_catalog.text, o.period::pg_catalog.text, st.final "
				   "FROM isms.objective o JOIN isms.lifecycle_state st ON st.kind OPERATOR(pg_catalog.=) 'objective' "
				   "AND st.state OPERATOR(pg_catalog.=) o.state::pg_catalog.text "
				   "WHERE o.org_id OPERATOR(pg_catalog.=) $1 AND o.objective_id OPERATOR(pg_catalog.=) $2 FOR SHARE OF o",
				   2, argtypes);
	if (engine_exec(plan_objective, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the objectives of organization " INT64_FORMAT, org_id);
	if (SPI_processed != 1)
		return false;			/* the foreign key refuses it */
	o->target = datumCopy(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull), false, -1);
	o->direction = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	o->period = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
	o->final = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4, &isnull));
	return true;
}

/* Is the day the first of a period of this kind (month, quarter, year)? */
static bool
objective_period_start(DateADT day, const char *period)
{
	int			year;
	int			month;
	int			mday;

	j2date(day + POSTGRES_EPOCH_JDATE, &year, &month, &mday);
	if (mday != 1)
		return false;
	if (strcmp(period, "quarter") == 0)
		return month % 3 == 1;
	if (strcmp(period, "year") == 0)
		return month == 1;
	return true;
}

/* IS042: what a measurement may measure. */
static void
measurement_check(const RegisterRow *row, const Objective *o, DateADT start)
{
	TupleDesc	desc = RelationGetDescr(row->lc.rel);
	const char *start_text = engine_get_text(row->lc.newtup, desc, "period_start");

	if (RULE_ON(IS042_OBJECTIVE_RETIRED) && o->final)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_OBJECTIVE),
				 errmsg("%s: objective %s is retired", row->lc.object, engine_get_text(row->lc.newtup, desc, "objective_id")),
				 errdetail("A retired objective is no longer measured; its measurements stay as they were."),
				 errhint("Measure an active objective, or set a new one with isms.add_objective.")));
	if (RULE_ON(IS042_PERIOD_START) && !objective_period_start(start, o->period))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_OBJECTIVE),
				 errmsg("%s: %s is not the start of a %s", row->lc.object, start_text, o->period),
				 errdetail("The objective is measured once per calendar %s; period_start is the first day of it.", o->period),
				 errhint("Name the period by its first day, e.g. %s.",
						 strcmp(o->period, "month") == 0 ? "2026-05-01" : strcmp(o->period, "quarter") == 0 ?
						 "2026-01-01, 2026-04-01, 2026-07-01 or 2026-10-01" : "2026-01-01")));
	if (RULE_ON(IS042_PERIOD_FUTURE) && start > engine_business_date(row->lc.org_id))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_OBJECTIVE),
				 errmsg("%s: the %s starting %s has not begun", row->lc.object, o->period, start_text),
				 errdetail("A value is measured in or after its period."),
				 errhint("Record the value once the period has begun.")));
}

/*
 * The hook of register measurement: the objective may be measured for the
 * period (IS042); the target in force and whether the value meets it are
 * the engine's.
 */
void
measurement_hook(RegisterRow *row)
{
	TupleDesc	desc = RelationGetDescr(row->lc.rel);
	Objective	o;
	bool		isnull;
	DateADT		start = DatumGetDateADT(engine_get(row->lc.newtup, desc, "period_start", &isnull));
	Datum		value = engine_get(row->lc.newtup, desc, "value", &isnull);
	const char *cols[2] = {"target", "on_target"};
	Datum		vals[2];
	bool		nulls[2] = {false, false};
	int			cmp;

	if (!objective_load(row->lc.org_id, engine_get_int64(row->lc.newtup, desc, "objective_id"), &o))
		return;
	measurement_check(row, &o, start);
	cmp = isnull ? 0 : DatumGetInt32(DirectFunctionCall2(numeric_cmp, value, o.target));
	vals[0] = o.target;
	vals[1] = BoolGetDatum(strcmp(o.direction, "at_most") == 0 ? cmp <= 0 : cmp >= 0);
	nulls[1] = isnull;
	row->lc.newtup = engine_set_columns(row->lc.rel, row->lc.newtup, 2, cols, vals, nulls);
}
