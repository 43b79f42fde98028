/*-------------------------------------------------------------------------
 *
 * membership.c
 *	  The caller's memberships as a set: isms.my_organizations() and its
 *	  planner support function.
 *
 * The reporting views start from the organisations the caller belongs to
 * and reach the operational tables through their org_id indexes, so that
 * their cost follows what the caller can see, not the number of
 * organisations in the database.  The support function tells the planner
 * how many organisations that is (a count of the caller's memberships at
 * plan time), where a filter on isms.is_member(org_id) would be estimated
 * to keep a third of all organisations.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "nodes/supportnodes.h"

#include "engine.h"

PG_FUNCTION_INFO_V1(membership_organizations);
PG_FUNCTION_INFO_V1(membership_support);

static SPIPlanPtr plan_organizations = NULL;
static SPIPlanPtr plan_count = NULL;

/*
 * Run a query on isms.membership with a role as $1, as the extension owner
 * and with the caller's snapshot.  The caller connects to SPI and keeps the
 * engine's rights until it has read the result.
 */
static void
membership_query(SPIPlanPtr *plan, const char *sql, Oid role)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(role)};

	engine_prepare(plan, sql, 1, argtypes);
	if (SPI_execute_plan(*plan, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "membership query failed: %s", sql);
}

/*
 * isms.my_organizations() -> setof (org_id, org_role): the organisations
 * the caller (see engine_identity) is a member of, with its role in each,
 * by org_id: exactly those for which isms.is_member(org_id) is true.
 */
Datum
membership_organizations(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Oid			role = engine_identity();
	EngineSaved saved;
	uint64		i;

	InitMaterializedSRF(fcinfo, 0);
	engine_begin_internal(&saved);
	SPI_connect();
	membership_query(&plan_organizations,
					 "SELECT m.org_id, m.org_role FROM isms.membership m "
					 "WHERE m.member_oid OPERATOR(pg_catalog.=) $1 ORDER BY m.org_id", role);
	for (i = 0; i < SPI_processed; i++)
	{
		Datum		values[2];
		bool		nulls[2];

		values[0] = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &nulls[0]);
		values[1] = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2, &nulls[1]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	SPI_finish();
	engine_end_internal(&saved);
	return (Datum) 0;
}

/* How many organisations the caller (see engine_identity) is a member of. */
static double
membership_count(void)
{
	Oid			role = engine_identity();
	EngineSaved saved;
	bool		isnull;
	int64		count;

	engine_begin_internal(&saved);
	SPI_connect();
	membership_query(&plan_count,
					 "SELECT pg_catalog.count(*) FROM isms.membership m "
					 "WHERE m.member_oid OPERATOR(pg_catalog.=) $1", role);
	count = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	engine_end_internal(&saved);
	return (double) count;
}

/*
 * Planner support of isms.my_organizations: its row count is the caller's
 * number of memberships (at least 1, as the planner wants).  A plan kept
 * for another caller is still correct, only costed for a different count.
 */
Datum
membership_support(PG_FUNCTION_ARGS)
{
	Node	   *rawreq = (Node *) PG_GETARG_POINTER(0);

	if (IsA(rawreq, SupportRequestRows))
	{
		SupportRequestRows *req = (SupportRequestRows *) rawreq;

		req->rows = Max(membership_count(), 1.0);
		PG_RETURN_POINTER(req);
	}
	PG_RETURN_POINTER(NULL);
}
