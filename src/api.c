/*-------------------------------------------------------------------------
 *
 * api.c
 *	  C support for the SQL API: id lookups that fail with IS015, the
 *	  organisation trigger that opens its event chain, and the membership
 *	  lookups of row-level security.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "engine.h"

PG_FUNCTION_INFO_V1(api_run_org);
PG_FUNCTION_INFO_V1(api_record_org);
PG_FUNCTION_INFO_V1(api_process_id);
PG_FUNCTION_INFO_V1(api_work_product_id);
PG_FUNCTION_INFO_V1(api_organization_open);
PG_FUNCTION_INFO_V1(organization_trigger);
PG_FUNCTION_INFO_V1(organization_guard_trigger);

static SPIPlanPtr plan_run_org = NULL;
static SPIPlanPtr plan_record_org = NULL;
static SPIPlanPtr plan_open_chain = NULL;

/*
 * The last successful lookup of each kind, and what it was seen with.  The
 * API's SQL functions look the same object up twice in one call (a SELECT
 * that raises IS015, then the UPDATE's WHERE); the second lookup is
 * answered from here when nothing that decides it can have changed: the
 * same transaction, role, command (no write of ours since) and snapshot
 * (no transaction has ended since: the same xmin, xmax and running count).
 */
typedef struct ApiLookup
{
	int64		id;
	int32		sub;			/* step: activity number */
	int64		org_id;			/* 0: nothing remembered */
	Oid			userid;
	LocalTransactionId lxid;
	CommandId	cid;
	TransactionId xmin;
	TransactionId xmax;
	uint32		xcnt;
} ApiLookup;

enum
{
	LOOKUP_RUN, LOOKUP_RECORD, LOOKUP_STEP, LOOKUP_KINDS
};
static ApiLookup lookups[LOOKUP_KINDS];

/* Fill in what a lookup is seen with; false if there is no active snapshot. */
static bool
lookup_seen(ApiLookup *l, int64 id, int32 sub)
{
	Snapshot	snap;

	if (!ActiveSnapshotSet())
		return false;
	snap = GetActiveSnapshot();
	l->id = id;
	l->sub = sub;
	l->userid = GetUserId();
	l->lxid = MyProc->lxid;
	l->cid = GetCurrentCommandId(false);
	l->xmin = snap->xmin;
	l->xmax = snap->xmax;
	l->xcnt = snap->xcnt;
	return true;
}

/* The remembered organisation of this lookup, or 0. */
static int64
lookup_cached(int kind, int64 id, int32 sub)
{
	ApiLookup	now;
	ApiLookup  *l = &lookups[kind];

	if (l->org_id == 0 || !lookup_seen(&now, id, sub))
		return 0;
	if (l->id != now.id || l->sub != now.sub || l->userid != now.userid || l->lxid != now.lxid ||
		l->cid != now.cid || l->xmin != now.xmin || l->xmax != now.xmax || l->xcnt != now.xcnt)
		return 0;
	return l->org_id;
}

/* Remember a successful lookup. */
static void
lookup_remember(int kind, int64 id, int32 sub, int64 org_id)
{
	ApiLookup  *l = &lookups[kind];

	l->org_id = 0;
	if (org_id != 0 && lookup_seen(l, id, sub))
		l->org_id = org_id;
}

/* The organisation of a run or record visible to the caller, or IS015. */
static int64
lookup_org(SPIPlanPtr *plan, const char *table, const char *what, int64 id, const char *hint)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(id)};
	int			kind = strcmp(table, "run") == 0 ? LOOKUP_RUN : LOOKUP_RECORD;
	char	   *sql;
	int64		org_id = lookup_cached(kind, id, 0);
	bool		isnull;

	if (org_id != 0)
		return org_id;
	sql = psprintf("SELECT org_id FROM isms.%s WHERE %s_id OPERATOR(pg_catalog.=) $1", table, what);
	SPI_connect();
	engine_prepare(plan, sql, 1, argtypes);
	if (engine_exec(*plan, values, NULL, false, 1) == SPI_OK_SELECT && SPI_processed == 1)
		org_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	if (RULE_ON(IS015_API_OBJECT) && org_id == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_NOT_FOUND),
				 errmsg("%s " INT64_FORMAT " does not exist", what, id),
				 errdetail("No %s with this id is visible to role \"%s\".", what, GetUserNameFromId(GetUserId(), false)),
				 errhint("%s", hint)));
	lookup_remember(kind, id, 0, org_id);
	return org_id;
}

/* isms.run_org(run bigint) -> bigint */
Datum
api_run_org(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(lookup_org(&plan_run_org, "run", "run", PG_GETARG_INT64(0),
							   "Check the run id, and that you are a member of the run's organization."));
}

/* isms.record_org(record bigint) -> bigint */
Datum
api_record_org(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(lookup_org(&plan_record_org, "record", "record", PG_GETARG_INT64(0),
							   "Check the record id, and that you are a member of the record's organization."));
}

/* isms.process_id(org bigint, code isms.clause) -> integer, or IS015 */
Datum
api_process_id(PG_FUNCTION_ARGS)
{
	int64		org_id = PG_GETARG_INT64(0);
	int32		id;
	Oid			output;
	bool		varlena;
	char	   *code;

	getTypeOutputInfo(get_fn_expr_argtype(fcinfo->flinfo, 1), &output, &varlena);
	code = OidOutputFunctionCall(output, PG_GETARG_DATUM(1));
	engine_require_visible_org(org_id);
	id = model_process_id(org_id, code);

	if (RULE_ON(IS015_API_PROCESS) && id == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_NOT_FOUND),
				 errmsg("process %s does not exist for organization " INT64_FORMAT, code, org_id),
				 errdetail("Neither the PRM nor the organization's tailoring has a process with this code."),
				 errhint("List the processes with: SELECT code, name FROM isms.process ORDER BY code.")));
	PG_RETURN_INT32(id);
}

/* isms.work_product_id(org bigint, key text) -> integer, or IS015 */
Datum
api_work_product_id(PG_FUNCTION_ARGS)
{
	int64		org_id = PG_GETARG_INT64(0);
	char	   *key = text_to_cstring(PG_GETARG_TEXT_PP(1));
	int32		id;

	engine_require_visible_org(org_id);
	id = model_work_product_id(org_id, key);
	if (RULE_ON(IS015_API_WORK_PRODUCT) && id == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_NOT_FOUND),
				 errmsg("work product \"%s\" does not exist for organization " INT64_FORMAT, engine_clip(key), org_id),
				 errdetail("Neither the PRM nor the organization's tailoring has a work product with this key."),
				 errhint("List the work products with: SELECT key, name FROM isms.work_product ORDER BY key.")));
	PG_RETURN_INT32(id);
}

/*
 * isms.organization_open(name) -> bigint: the insert of isms.create_organization,
 * made as the engine's own write so that organization_trigger accepts it.
 */
Datum
api_organization_open(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1] = {PG_ARGISNULL(0) ? (Datum) 0 : PG_GETARG_DATUM(0)};
	bool		isnull;
	int64		org_id;

	/* a NULL name is for the NOT NULL constraint to refuse */
	if (distribute_active())
		PG_RETURN_INT64(distribute_organization_open(values[0], PG_ARGISNULL(0)));
	SPI_connect();
	engine_prepare(&plan, "INSERT INTO isms.organization (name) VALUES ($1) RETURNING org_id", 1, argtypes);
	if (engine_exec(plan, values, PG_ARGISNULL(0) ? "n" : NULL, true, 1) != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
		elog(ERROR, "could not create the organization");
	org_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	PG_RETURN_INT64(org_id);
}

/*
 * isms.organization_trigger: AFTER INSERT ON isms.organization: open the
 * event chain.  Only the engine creates organisations: a row that arrives
 * otherwise, typically from a pg_restore with triggers enabled, would get a
 * fresh chain while its restored events are missing, and is refused.
 */
Datum
organization_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	int64		org_id;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1];

	engine_check_trigger(fcinfo, "organization_trigger", false, true);
	desc = RelationGetDescr(td->tg_relation);
	org_id = engine_get_int64(td->tg_trigtuple, desc, "org_id");
	if (RULE_ON(IS020_ORG_BY_ENGINE) && !engine_internal_write())
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_ENGINE_MANAGED),
				 errmsg("organization " INT64_FORMAT " must be created by the engine", org_id),
				 errdetail("A new organization starts a new event chain; a restored one arrives with its own events."),
				 errhint("Create organizations with isms.create_organization; restore a dump as docs/backup.md shows.")));
	values[0] = Int64GetDatum(org_id);
	SPI_connect();
	engine_prepare(&plan_open_chain, "INSERT INTO isms.event_chain (org_id) VALUES ($1)", 1, argtypes);
	if (engine_exec(plan_open_chain, values, NULL, true, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not open the event chain of organization " INT64_FORMAT, org_id);
	event_append(org_id, "organization", org_id, "create", NULL, NULL,
				 engine_json(1, "name", engine_get_text(td->tg_trigtuple, desc, "name")));
	SPI_finish();
	return PointerGetDatum(NULL);
}

/*
 * isms.organization_guard_trigger: BEFORE DELETE ON isms.organization: an
 * organisation's events are kept for good, and with them the organisation.
 */
Datum
organization_guard_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	int64		org_id;

	engine_check_trigger(fcinfo, "organization_guard_trigger", true, true);
	org_id = engine_get_int64(td->tg_trigtuple, RelationGetDescr(td->tg_relation), "org_id");
	if (RULE_ON(IS011_ORGANIZATION))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_RETENTION),
				 errmsg("organization " INT64_FORMAT " cannot be deleted", org_id),
				 errdetail("Its event chain is retained for good, and with it the organization."),
				 errhint("Organizations are kept; their history stays verifiable with isms.verify_events.")));
	return PointerGetDatum(td->tg_trigtuple);
}

PG_FUNCTION_INFO_V1(api_step_org);

static SPIPlanPtr plan_step_org = NULL;

/* isms.step_org(run bigint, activity_no integer) -> bigint: the run's organisation, or IS015 */
Datum
api_step_org(PG_FUNCTION_ARGS)
{
	int64		run_id = PG_GETARG_INT64(0);
	int32		activity_no = PG_GETARG_INT32(1);
	int64		org_id = lookup_cached(LOOKUP_STEP, run_id, activity_no);
	Oid			argtypes[3] = {INT8OID, INT8OID, INT4OID};
	Datum		values[3];
	bool		found;

	if (org_id != 0)
		PG_RETURN_INT64(org_id);
	org_id = lookup_org(&plan_run_org, "run", "run", run_id,
						"Check the run id, and that you are a member of the run's organization.");
	values[0] = Int64GetDatum(org_id);
	values[1] = Int64GetDatum(run_id);
	values[2] = Int32GetDatum(activity_no);
	SPI_connect();
	engine_prepare(&plan_step_org,
				   "SELECT 1 FROM isms.step WHERE org_id OPERATOR(pg_catalog.=) $1 "
				   "AND run_id OPERATOR(pg_catalog.=) $2 AND activity_no OPERATOR(pg_catalog.=) $3",
				   3, argtypes);
	found = engine_exec(plan_step_org, values, NULL, false, 1) == SPI_OK_SELECT && SPI_processed == 1;
	SPI_finish();
	if (RULE_ON(IS015_API_STEP) && !found)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_NOT_FOUND),
				 errmsg("run " INT64_FORMAT " has no step %d", run_id, activity_no),
				 errdetail("A run has one step per activity of its process, numbered from 1."),
				 errhint("List the steps with: SELECT * FROM isms.step WHERE run_id = " INT64_FORMAT ".", run_id)));
	if (found)
		lookup_remember(LOOKUP_STEP, run_id, activity_no, org_id);
	PG_RETURN_INT64(org_id);
}

PG_FUNCTION_INFO_V1(api_member_role);
PG_FUNCTION_INFO_V1(api_is_member);
PG_FUNCTION_INFO_V1(api_current_identity);

/*
 * isms.member_role(org bigint) -> text: the caller's role in the
 * organisation, or NULL.  The caller is the engine's identity (the role
 * that logged in, see engine_identity), so the answer does not change with
 * SET ROLE, inside SECURITY DEFINER functions or the engine's internal writes.
 */
Datum
api_member_role(PG_FUNCTION_ARGS)
{
	const char *org_role = model_member_role(engine_identity(), PG_GETARG_INT64(0));

	if (org_role == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(org_role));
}

/* isms.current_identity() -> regrole: who the engine takes the caller for. */
Datum
api_current_identity(PG_FUNCTION_ARGS)
{
	PG_RETURN_OID(engine_identity());
}

/* isms.is_member(org bigint) -> boolean: is the caller a member of the organisation? */
Datum
api_is_member(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(model_member_role(engine_identity(), PG_GETARG_INT64(0)) != NULL);
}
