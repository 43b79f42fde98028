/*-------------------------------------------------------------------------
 *
 * authority.c
 *	  Approval authority: the designations an organisation gives its
 *	  members (isms.designation: top management, internal auditors), the
 *	  check that whoever approves or makes a transition holds the one
 *	  required (IS024), and the independence of an approver from the work
 *	  a record's run audited (IS025).
 *
 * A designation is required by a work product (isms.work_product.
 * approval_designation, checked by the record guard "approval" in
 * record.c) or by a lifecycle transition of any kind (isms.
 * lifecycle_transition.required_designation, checked by lifecycle_guard).
 * Designations are held by identities (role OIDs, see engine_identity), so
 * a role re-created with an old name holds none; a designee is a member,
 * and a designation ends with the membership (a foreign key cascades, and
 * the cascaded delete appends its event here like any revocation).
 *
 * Independence (approval_independent, the PRM's audit_report): the
 * approver of a record produced by a run is independent when, for every
 * record linked to that run as an input, other than those produced by runs
 * of the run's own process (an audit may take the previous audit's
 * results), the approver
 *   - did not author it (IS025_AUDITED_AUTHOR),
 *   - did not approve it (IS025_AUDITED_APPROVER),
 *   - neither owns nor performed a step of the run that produced it
 *     (IS025_AUDITED_RUN; owner and performer are names, compared with the
 *     approver's role name and application user).
 * A record not produced by a run has no audited inputs.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "engine.h"

PG_FUNCTION_INFO_V1(authority_designation_trigger);

static SPIPlanPtr plan_holds = NULL;
static SPIPlanPtr plan_member = NULL;
static SPIPlanPtr plan_audited = NULL;

static const char *const designation_columns[] = {
	"org_id", "member_oid", "designation", "granted_by", "granted_at", NULL
};

/* The name of a role for messages and events: its name now, or its OID if dropped. */
static char *
authority_role_name(Oid role)
{
	char	   *name = GetUserNameFromId(role, true);

	return name ? name : psprintf("%u", role);
}

/* Does the role hold the designation in the organisation?  The caller is connected to SPI. */
bool
authority_holds(int64 org_id, const char *designation, Oid role)
{
	Oid			argtypes[3] = {INT8OID, TEXTOID, OIDOID};
	Datum		values[3] = {Int64GetDatum(org_id), CStringGetTextDatum(designation), ObjectIdGetDatum(role)};

	engine_prepare(&plan_holds,
				   "SELECT 1 FROM isms.designation WHERE org_id OPERATOR(pg_catalog.=) $1 "
				   "AND designation OPERATOR(pg_catalog.=) $2 "
				   "AND member_oid::pg_catalog.oid OPERATOR(pg_catalog.=) $3",
				   3, argtypes);
	if (engine_exec(plan_holds, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the designations of organization " INT64_FORMAT, org_id);
	return SPI_processed > 0;
}

/*
 * IS024: the caller (engine_identity) holds the designation in the
 * organisation, or "what" (e.g. "approving record 7 (security_policy)") is
 * refused.  The caller can see the object: the refusal names only it, the
 * designation and the caller.  The caller is connected to SPI.
 */
void
authority_require(int64 org_id, const char *designation, const char *what)
{
	Oid			role = engine_identity();

	if (authority_holds(org_id, designation, role))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_ISMS_DESIGNATION),
			 errmsg("%s needs a member designated %s", what, designation),
			 errdetail("Role \"%s\" is not designated %s in organization " INT64_FORMAT ".",
					   authority_role_name(role), designation, org_id),
			 errhint("An administrator of the organization designates members with isms.designate(org, member, '%s'); "
					 "ask a member so designated.", designation)));
}

/*
 * IS025: the approver (role, application user, display name) of a record
 * produced by run_id is independent of the work that run audited (see the
 * header).  The caller is connected to SPI.  Every table is filtered by the
 * organisation itself, not only joined on it, so that on a distributed
 * database the query is routed to the organisation's shards (Citus plans
 * the outer-joined run as a multi-shard scan otherwise, which a trigger on
 * a worker may not run).
 */
void
authority_require_independent(int64 org_id, int64 run_id, Oid role, const char *app_user, const char *name,
							  const char *object, const char *designation)
{
	Oid			argtypes[8] = {INT8OID, INT8OID, OIDOID, TEXTOID, TEXTARRAYOID, BOOLOID, BOOLOID, BOOLOID};
	Datum		values[8];
	char		nulls[8] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
	Datum		names[2];
	int			nnames = 0;
	char	   *role_name = authority_role_name(role);
	HeapTuple	tup;
	TupleDesc	desc;
	char	   *how;
	char	   *involvement;

	if (run_id == 0)
		return;
	names[nnames++] = CStringGetTextDatum(role_name);
	if (app_user)
		names[nnames++] = CStringGetTextDatum(app_user);
	values[0] = Int64GetDatum(org_id);
	values[1] = Int64GetDatum(run_id);
	values[2] = ObjectIdGetDatum(role);
	values[3] = app_user ? CStringGetTextDatum(app_user) : (Datum) 0;
	nulls[3] = app_user ? ' ' : 'n';
	values[4] = PointerGetDatum(construct_array(names, nnames, TEXTOID, -1, false, TYPALIGN_INT));
	values[5] = BoolGetDatum(RULE_ON(IS025_AUDITED_AUTHOR));
	values[6] = BoolGetDatum(RULE_ON(IS025_AUDITED_APPROVER));
	values[7] = BoolGetDatum(RULE_ON(IS025_AUDITED_RUN));
	engine_prepare(&plan_audited,
				   "SELECT x.record_id, x.key, x.how, x.producer FROM ("
				   " SELECT i.record_id, w.key, p.run_id AS producer, CASE"
				   "  WHEN $6 AND (i.author_oid::pg_catalog.oid OPERATOR(pg_catalog.=) $3"
				   "              AND (i.author_app IS NULL OR $4 IS NULL OR i.author_app OPERATOR(pg_catalog.=) $4)"
				   "            OR i.author_oid IS NULL AND i.author OPERATOR(pg_catalog.=) ANY ($5)) THEN 'authored'"
				   "  WHEN $7 AND (i.approver_oid::pg_catalog.oid OPERATOR(pg_catalog.=) $3"
				   "              AND (i.approver_app IS NULL OR $4 IS NULL OR i.approver_app OPERATOR(pg_catalog.=) $4)"
				   "            OR i.approver_oid IS NULL AND i.approver OPERATOR(pg_catalog.=) ANY ($5)) THEN 'approved'"
				   "  WHEN $8 AND p.owner OPERATOR(pg_catalog.=) ANY ($5) THEN 'owner'"
				   "  WHEN $8 AND EXISTS (SELECT FROM isms.step s WHERE s.org_id OPERATOR(pg_catalog.=) $1"
				   "              AND s.run_id OPERATOR(pg_catalog.=) p.run_id AND s.performer OPERATOR(pg_catalog.=) ANY ($5)) THEN 'performer'"
				   "  END AS how"
				   " FROM isms.run a"
				   " JOIN isms.run_record l ON l.org_id OPERATOR(pg_catalog.=) $1 AND l.run_id OPERATOR(pg_catalog.=) a.run_id"
				   "  AND l.role OPERATOR(pg_catalog.=) 'input'"
				   " JOIN isms.record i ON i.org_id OPERATOR(pg_catalog.=) $1 AND i.record_id OPERATOR(pg_catalog.=) l.record_id"
				   " JOIN isms.work_product w ON w.work_product_id OPERATOR(pg_catalog.=) i.work_product_id"
				   " LEFT JOIN isms.run p ON p.org_id OPERATOR(pg_catalog.=) $1 AND p.run_id OPERATOR(pg_catalog.=) i.produced_by_run"
				   " WHERE a.org_id OPERATOR(pg_catalog.=) $1 AND a.run_id OPERATOR(pg_catalog.=) $2"
				   "  AND p.process_id IS DISTINCT FROM a.process_id"
				   ") x WHERE x.how IS NOT NULL ORDER BY x.record_id LIMIT 1",
				   8, argtypes);
	if (engine_exec(plan_audited, values, nulls, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the inputs of run " INT64_FORMAT, run_id);
	if (SPI_processed == 0)
		return;
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	how = SPI_getvalue(tup, desc, 3);
	if (strcmp(how, "owner") == 0)
		involvement = psprintf("owns run %s, which produced", SPI_getvalue(tup, desc, 4));
	else if (strcmp(how, "performer") == 0)
		involvement = psprintf("performed a step of run %s, which produced", SPI_getvalue(tup, desc, 4));
	else
		involvement = how;
	ereport(ERROR,
			(errcode(ERRCODE_ISMS_INDEPENDENCE),
			 errmsg("%s cannot be approved by \"%s\": the approver is not independent of the audited work",
					object, name),
			 errdetail("\"%s\" %s record %s (%s), an input of run " INT64_FORMAT ".",
					   name, involvement, SPI_getvalue(tup, desc, 1), SPI_getvalue(tup, desc, 2), run_id),
			 errhint("Ask a member designated %s who neither authored nor approved the run's inputs, "
					 "nor owned or performed the runs that produced them.", designation ? designation : "by the organization")));
}

/* The designation's event: designate, or revoke (with the reason when the membership ended). */
static void
authority_designation_event(HeapTuple tuple, TupleDesc desc, bool revoke)
{
	int64		org_id = engine_get_int64(tuple, desc, "org_id");
	bool		isnull;
	Oid			member = DatumGetObjectId(engine_get(tuple, desc, "member_oid", &isnull));
	char	   *designation = engine_get_text(tuple, desc, "designation");
	char	   *reason = NULL;

	if (revoke)
	{
		Oid			argtypes[2] = {INT8OID, OIDOID};
		Datum		values[2] = {Int64GetDatum(org_id), ObjectIdGetDatum(member)};

		engine_prepare(&plan_member,
					   "SELECT 1 FROM isms.membership WHERE org_id OPERATOR(pg_catalog.=) $1 "
					   "AND member_oid::pg_catalog.oid OPERATOR(pg_catalog.=) $2",
					   2, argtypes);
		if (engine_exec(plan_member, values, NULL, true, 1) != SPI_OK_SELECT)
			elog(ERROR, "could not read the membership of role %u", member);
		if (SPI_processed == 0)
			reason = "the membership ended";
	}
	event_append(org_id, "designation", (int64) member, revoke ? "revoke" : "designate",
				 revoke ? designation : NULL, revoke ? NULL : designation,
				 engine_json(3, "member", authority_role_name(member), "designation", designation, "reason", reason));
}

/*
 * isms.designation_trigger: BEFORE INSERT OR UPDATE and AFTER INSERT OR
 * DELETE ON isms.designation FOR EACH ROW.  Before insert the engine records
 * who designates and when; a designation is never changed (IS009); every
 * grant and revocation appends an event.
 */
Datum
authority_designation_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	result = NULL;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_FOR_ROW(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("authority_designation_trigger must be fired for each row")));
	desc = RelationGetDescr(td->tg_relation);
	SPI_connect();
	if (TRIGGER_FIRED_BEFORE(td->tg_event) && TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		const char *cols[2] = {"granted_by", "granted_at"};
		Datum		vals[2] = {ObjectIdGetDatum(engine_identity()),
		TimestampTzGetDatum(GetCurrentTransactionStartTimestamp())};
		bool		nulls[2] = {false, false};

		result = SPI_copytuple(engine_set_columns(td->tg_relation, td->tg_trigtuple, 2, cols, vals, nulls));
	}
	else if (TRIGGER_FIRED_BEFORE(td->tg_event) && TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		ENGINE_RULE(IS009_DESIGNATION_FIXED,
					engine_refuse_change(td->tg_trigtuple, td->tg_newtuple, desc, designation_columns,
										 ERRCODE_ISMS_IMMUTABLE, "designation",
										 "A designation is granted and revoked, never changed.",
										 "Revoke it with isms.revoke_designation(org, member, designation) and designate anew."));
		result = td->tg_newtuple;
	}
	else if (TRIGGER_FIRED_AFTER(td->tg_event) && !TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		authority_designation_event(td->tg_trigtuple, desc, TRIGGER_FIRED_BY_DELETE(td->tg_event));
	else
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("authority_designation_trigger fired for an unexpected event")));
	SPI_finish();
	return PointerGetDatum(result);
}
