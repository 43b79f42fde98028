/*-------------------------------------------------------------------------
 *
 * tailoring.c
 *	  Rules of tailoring: the PRM shipped with the extension is read-only,
 *	  and an organisation's own processes, activities, work products and
 *	  input/output rules add to its own model without touching the PRM or
 *	  any other organisation's model.
 *
 * isms.tailoring_trigger fires BEFORE INSERT, UPDATE and DELETE on the
 * catalog tables that carry an org_id.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/rel.h"

#include "engine.h"

PG_FUNCTION_INFO_V1(tailoring_trigger);
PG_FUNCTION_INFO_V1(api_require_org_role);

static SPIPlanPtr plan_shadowed_key = NULL;
static SPIPlanPtr plan_shadowed_code = NULL;
static SPIPlanPtr plan_shadowed_process_key = NULL;
static SPIPlanPtr plan_last_prm_activity = NULL;
static SPIPlanPtr plan_visible_process = NULL;
static SPIPlanPtr plan_visible_work_product = NULL;

/* A tailoring refusal. */
static void
refuse_tailoring(const char *table, const char *what, const char *detail, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_ISMS_TAILORING),
			 errmsg("tailoring of isms.%s refused: %s", table, what),
			 errdetail("%s", detail),
			 errhint("%s", hint)));
}

/*
 * Run a one-row check query of the catalog tables with one argument ($1)
 * and the organisation ($2); true if it found a row (its first column in
 * *result).  The checks read the tables, not the model cache: on a
 * distributed database this trigger also fires on every worker's copy of
 * these reference tables, where the cache's read of an organisation
 * (exclusions, review cycles) would query distributed tables, which a
 * command on a shard may not.
 */
static bool
tailoring_query(SPIPlanPtr *plan, const char *sql, Oid argtype, Datum arg, int64 org_id, int64 *result)
{
	Oid			argtypes[2] = {argtype, INT8OID};
	Datum		values[2] = {arg, Int64GetDatum(org_id)};
	bool		isnull;

	engine_prepare(plan, sql, 2, argtypes);
	if (engine_exec(*plan, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "tailoring check failed: %s", sql);
	if (SPI_processed == 0)
		return false;
	if (result)
		*result = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	return true;
}

#define VISIBLE_TO_ORG "(org_id IS NULL OR org_id OPERATOR(pg_catalog.=) $2)"

/* The process and work product a tailored rule refers to must be visible to the organisation. */
static void
tailoring_check_references(HeapTuple tuple, TupleDesc desc, int64 org_id, const char *table)
{
	if (RULE_ON(IS017_OTHER_ORG_PROCESS) && strcmp(table, "process") != 0 && strcmp(table, "work_product") != 0 &&
		!tailoring_query(&plan_visible_process,
						 "SELECT 1 FROM isms.process WHERE process_id OPERATOR(pg_catalog.=) $1 AND " VISIBLE_TO_ORG,
						 INT4OID, Int32GetDatum((int32) engine_get_int64(tuple, desc, "process_id")), org_id, NULL))
		refuse_tailoring(table, "the process is another organization's own",
						 "An organization tailors the PRM's processes and its own, nobody else's.",
						 "Pick a process of the PRM or one of the organization's own.");
	if (SPI_fnumber(desc, "work_product_id") > 0 && strcmp(table, "work_product") != 0)
	{
		int64		external = 0;
		bool		visible = tailoring_query(&plan_visible_work_product,
											  "SELECT (origin OPERATOR(pg_catalog.=) 'external')::pg_catalog.int4, key "
											  "FROM isms.work_product WHERE work_product_id OPERATOR(pg_catalog.=) $1 AND " VISIBLE_TO_ORG,
											  INT4OID, Int32GetDatum((int32) engine_get_int64(tuple, desc, "work_product_id")),
											  org_id, &external);

		if (RULE_ON(IS017_OTHER_ORG_WORK_PRODUCT) && !visible)
			refuse_tailoring(table, "the work product is another organization's own",
							 "An organization uses the PRM's work products and its own, nobody else's.",
							 "Add the work product to the organization with isms.add_work_product first.");
		if (RULE_ON(IS017_EXTERNAL_OUTPUT) && strcmp(table, "process_output") == 0 && visible && external)
			refuse_tailoring(table, psprintf("%s comes from outside the ISMS and cannot be a process output",
											 SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2)),
							 "No run can produce a record of an external work product, so the process could never complete.",
							 "Make it an input with isms.add_process_input, or add a work product of origin process or either.");
	}
}

/* New rows of an organisation: no shadowing of the PRM, activities after the PRM's. */
static void
tailoring_check_row(HeapTuple tuple, TupleDesc desc, int64 org_id, const char *table)
{
	int64		found;

	tailoring_check_references(tuple, desc, org_id, table);
	if (RULE_ON(IS017_SHADOW_WORK_PRODUCT) && strcmp(table, "work_product") == 0 &&
		tailoring_query(&plan_shadowed_key,
						"SELECT 1 FROM isms.work_product WHERE org_id IS NULL AND key OPERATOR(pg_catalog.=) $1",
						TEXTOID, CStringGetTextDatum(engine_get_text(tuple, desc, "key")), org_id, NULL))
		refuse_tailoring(table, "the key is a work product of the PRM",
						 "An organization's own work products must not shadow the PRM's.",
						 "Choose another key.");
	if (RULE_ON(IS017_SHADOW_PROCESS) && strcmp(table, "process") == 0 &&
		(tailoring_query(&plan_shadowed_code,
						 "SELECT 1 FROM isms.process WHERE org_id IS NULL AND code OPERATOR(isms.=) $1::isms.clause",
						 TEXTOID, CStringGetTextDatum(engine_get_text(tuple, desc, "code")), org_id, NULL) ||
		 tailoring_query(&plan_shadowed_process_key,
						 "SELECT 1 FROM isms.process WHERE org_id IS NULL AND key OPERATOR(pg_catalog.=) $1",
						 TEXTOID, CStringGetTextDatum(engine_get_text(tuple, desc, "key")), org_id, NULL)))
		refuse_tailoring(table, "the code or key is a process of the PRM",
						 "An organization's own processes must not shadow the PRM's.",
						 "Choose another code and key.");
	if (RULE_ON(IS017_ACTIVITY_NUMBER) && strcmp(table, "activity") == 0 &&
		tailoring_query(&plan_last_prm_activity,
						"SELECT pg_catalog.max(activity_no) FROM isms.activity "
						"WHERE org_id IS NULL AND process_id OPERATOR(pg_catalog.=) $1 HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 0",
						INT4OID, Int32GetDatum((int32) engine_get_int64(tuple, desc, "process_id")), org_id, &found) &&
		engine_get_int64(tuple, desc, "activity_no") <= found)
		refuse_tailoring(table, "activities added to a PRM process come after its own",
						 psprintf("The PRM's activities of this process are numbered 1 to " INT64_FORMAT ".", found),
						 "Use isms.add_activity, which numbers the new activity.");
}

/* isms.tailoring_trigger: BEFORE INSERT OR UPDATE OR DELETE FOR EACH ROW on the tailorable catalog tables */
Datum
tailoring_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	tuple;
	const char *table;
	int64		org_id;
	int64		old_org_id = 0;

	engine_check_trigger(fcinfo, "tailoring_trigger", true, true);
	desc = RelationGetDescr(td->tg_relation);
	table = distribute_relation_name(td->tg_relation);
	tuple = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	org_id = engine_get_int64(tuple, desc, "org_id");
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		old_org_id = engine_get_int64(td->tg_trigtuple, desc, "org_id");
	if (creating_extension)
		return PointerGetDatum(tuple);
	if ((RULE_ON(IS017_PRM_READ_ONLY) && org_id == 0) || (RULE_ON(IS017_MOVE_ORG) && TRIGGER_FIRED_BY_UPDATE(td->tg_event) && old_org_id != org_id))
		refuse_tailoring(table, org_id == 0 ? "the PRM is read-only" : "rows cannot move between organizations",
						 "The process reference model is shipped with the extension; organizations tailor it with rows of their own.",
						 "Use isms.add_process, isms.add_activity, isms.add_work_product, isms.add_process_input or isms.add_process_output.");
	if (!TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		SPI_connect();
		tailoring_check_row(tuple, desc, org_id, table);
		SPI_finish();
	}
	return PointerGetDatum(tuple);
}

/*
 * isms.require_org_role(org bigint, org_roles text[]) -> void
 *
 * Refuse (42501) unless the caller is a superuser or has one of the roles in
 * the organisation.  Used by the SECURITY DEFINER tailoring functions.
 */
Datum
api_require_org_role(PG_FUNCTION_ARGS)
{
	int64		org_id = PG_GETARG_INT64(0);
	ArrayType  *wanted = PG_GETARG_ARRAYTYPE_P(1);
	Oid			role = engine_identity();
	const char *have = model_member_role(role, org_id);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;

	if (RULE_OFF(R42501_TAILOR_ROLE) || superuser_arg(role))
		PG_RETURN_VOID();
	deconstruct_array(wanted, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	for (i = 0; i < n && have; i++)
		if (!nulls[i] && strcmp(TextDatumGetCString(elems[i]), have) == 0)
			PG_RETURN_VOID();
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("role \"%s\" may not tailor organization " INT64_FORMAT, GetUserNameFromId(role, false), org_id),
			 have ? errdetail("Its role in the organization is %s.", have)
			 : errdetail("It is not a member of the organization."),
			 errhint("Ask an administrator of the organization.")));
	PG_RETURN_VOID();
}
