/*-------------------------------------------------------------------------
 *
 * util.c
 *	  Helpers shared by the rule modules: who the actor is, internal writes
 *	  made as the extension owner, prepared statements kept for the life of
 *	  the backend, and tuple access by column name.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/timestamp.h"
#include "utils/guc.h"
#include "utils/syscache.h"

#include "engine.h"

/* > 0 while the engine itself writes (steps, events, supersessions) */
static int	internal_depth = 0;

/*
 * The actor of a change: the database role that is logged in and set (SET
 * ROLE), unaffected by SECURITY DEFINER functions and by the engine's own
 * switch to the owner; or the application user named in isms.actor, which
 * only members of isms_app may set.
 */
char *
engine_actor(void)
{
	Oid			role = GetOuterUserId();
	const char *app_user = GetConfigOption("isms.actor", true, false);
	Oid			app_role;

	if (app_user == NULL || app_user[0] == '\0')
		return GetUserNameFromId(role, false);
	app_role = get_role_oid("isms_app", true);
	if (RULE_ON(IS019_APP_ACTOR) && !superuser_arg(role) && (!OidIsValid(app_role) || !has_privs_of_role(role, app_role)))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_ACTOR),
				 errmsg("role \"%s\" may not act as application user \"%s\"",
						GetUserNameFromId(role, false), app_user),
				 errdetail("Only members of isms_app may name the actor in isms.actor."),
				 errhint("RESET isms.actor, or have an administrator GRANT isms_app to the application's login role.")));
	return pstrdup(app_user);
}

/* Is the engine itself writing right now? */
bool
engine_internal_write(void)
{
	return internal_depth > 0;
}

/* The owner of schema isms, i.e. of the extension's objects. */
static Oid
engine_owner(void)
{
	Oid			nsp = get_namespace_oid("isms", false);
	HeapTuple	tup = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
	Oid			owner;

	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for schema isms");
	owner = ((Form_pg_namespace) GETSTRUCT(tup))->nspowner;
	ReleaseSysCache(tup);
	return owner;
}

/*
 * Act as the extension owner, past row-level security, the way PostgreSQL's
 * own foreign-key triggers do.  The previous identity is restored by
 * engine_end_internal, or by transaction abort.
 */
void
engine_begin_internal(Oid *save_userid, int *save_sec)
{
	GetUserIdAndSecContext(save_userid, save_sec);
	SetUserIdAndSecContext(engine_owner(),
						   *save_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
}

void
engine_end_internal(Oid save_userid, int save_sec)
{
	SetUserIdAndSecContext(save_userid, save_sec);
}

/* Prepare a statement once per backend and keep it. */
SPIPlanPtr
engine_prepare(SPIPlanPtr *cache, const char *sql, int nargs, const Oid *argtypes)
{
	if (*cache == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(sql, nargs, (Oid *) argtypes);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql, SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		*cache = plan;
	}
	return *cache;
}

/*
 * Execute a prepared statement.  An internal statement is the engine's own
 * write: it runs as the extension owner and the triggers it fires know it.
 */
int
engine_exec(SPIPlanPtr plan, Datum *values, const char *nulls, bool internal, long count)
{
	Oid			save_userid;
	int			save_sec;
	volatile int rc = 0;

	if (!internal)
		return SPI_execute_plan(plan, values, nulls, false, count);

	engine_begin_internal(&save_userid, &save_sec);
	internal_depth++;
	PG_TRY();
	{
		rc = SPI_execute_plan(plan, values, nulls, false, count);
	}
	PG_FINALLY();
	{
		internal_depth--;
		engine_end_internal(save_userid, save_sec);
	}
	PG_END_TRY();
	return rc;
}

/* The attribute number of a column; an error if it does not exist. */
int
engine_column(TupleDesc desc, const char *column)
{
	int			attno = SPI_fnumber(desc, column);

	if (attno <= 0)
		elog(ERROR, "column \"%s\" not found", column);
	return attno;
}

Datum
engine_get(HeapTuple tuple, TupleDesc desc, const char *column, bool *isnull)
{
	return heap_getattr(tuple, engine_column(desc, column), desc, isnull);
}

/* A bigint (or integer) column; 0 if NULL. */
int64
engine_get_int64(HeapTuple tuple, TupleDesc desc, const char *column)
{
	bool		isnull;
	int			attno = engine_column(desc, column);
	Datum		d = heap_getattr(tuple, attno, desc, &isnull);

	if (isnull)
		return 0;
	if (TupleDescAttr(desc, attno - 1)->atttypid == INT4OID)
		return DatumGetInt32(d);
	return DatumGetInt64(d);
}

/* A column's text form, or NULL. */
char *
engine_get_text(HeapTuple tuple, TupleDesc desc, const char *column)
{
	return SPI_getvalue(tuple, desc, engine_column(desc, column));
}

/* Did an UPDATE change this column? */
bool
engine_column_changed(HeapTuple oldtup, HeapTuple newtup, TupleDesc desc, const char *column)
{
	int			attno = engine_column(desc, column);
	Form_pg_attribute att = TupleDescAttr(desc, attno - 1);
	bool		oldnull;
	bool		newnull;
	Datum		oldval = heap_getattr(oldtup, attno, desc, &oldnull);
	Datum		newval = heap_getattr(newtup, attno, desc, &newnull);

	if (oldnull || newnull)
		return oldnull != newnull;
	return !datumIsEqual(oldval, newval, att->attbyval, att->attlen);
}

/* Return a copy of the tuple with some columns replaced. */
HeapTuple
engine_set_columns(Relation rel, HeapTuple tuple, int n, const char **columns,
				   Datum *values, bool *nulls)
{
	int			attnums[16];
	int			i;

	Assert(n <= 16);
	for (i = 0; i < n; i++)
		attnums[i] = engine_column(RelationGetDescr(rel), columns[i]);
	return heap_modify_tuple_by_cols(tuple, RelationGetDescr(rel), n, attnums, values, nulls);
}

/* Refuse to run a trigger function the way it was not meant to be fired. */
void
engine_check_trigger(FunctionCallInfo fcinfo, const char *name, bool before, bool row)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s: not called by trigger manager", name)));
	if ((before && !TRIGGER_FIRED_BEFORE(trigdata->tg_event)) ||
		(!before && !TRIGGER_FIRED_AFTER(trigdata->tg_event)) ||
		(row && !TRIGGER_FIRED_FOR_ROW(trigdata->tg_event)) ||
		(!row && !TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s: must be fired %s %s", name,
						before ? "BEFORE" : "AFTER", row ? "FOR EACH ROW" : "FOR EACH STATEMENT")));
}

/* Join a list of C strings with ", ". */
char *
engine_list_text(List *items)
{
	StringInfoData buf;
	ListCell   *lc;

	initStringInfo(&buf);
	foreach(lc, items)
	{
		if (buf.len > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoString(&buf, (const char *) lfirst(lc));
	}
	return buf.data;
}

/*
 * A JSON object from (key, value) C-string pairs; a NULL value becomes
 * JSON null.  Used for event details.
 */
char *
engine_json(int npairs,...)
{
	StringInfoData buf;
	va_list		args;
	int			i;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	va_start(args, npairs);
	for (i = 0; i < npairs; i++)
	{
		const char *key = va_arg(args, const char *);
		const char *value = va_arg(args, const char *);

		if (i > 0)
			appendStringInfoString(&buf, ", ");
		escape_json(&buf, key);
		appendStringInfoString(&buf, ": ");
		if (value)
			escape_json(&buf, value);
		else
			appendStringInfoString(&buf, "null");
	}
	va_end(args);
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/* CURRENT_DATE plus a number of months, as a date Datum. */
Datum
engine_date_plus_months(int months)
{
	Interval	iv;
	Datum		ts;

	memset(&iv, 0, sizeof(iv));
	iv.month = months;
	ts = DirectFunctionCall2(date_pl_interval, DateADTGetDatum(GetSQLCurrentDate()), IntervalPGetDatum(&iv));
	return DirectFunctionCall1(timestamp_date, ts);
}

/*
 * Refuse an UPDATE that changes any of the listed columns (NULL-terminated),
 * naming the first one changed.
 */
void
engine_refuse_change(HeapTuple oldtup, HeapTuple newtup, TupleDesc desc,
					 const char *const *columns, int sqlstate, const char *object,
					 const char *why, const char *hint)
{
	for (; *columns; columns++)
		if (engine_column_changed(oldtup, newtup, desc, *columns))
			ereport(ERROR,
					(errcode(sqlstate),
					 errmsg("%s: column \"%s\" cannot be changed", object, *columns),
					 errdetail("%s", why),
					 errhint("%s", hint)));
}

/*
 * The reason given in a column for a transition that needs one (suspend,
 * cancel, skip, return, withdraw); IS021 if it is missing or blank.
 */
char *
engine_require_reason(HeapTuple tuple, TupleDesc desc, const char *column,
					  const char *object, const char *action, const char *hint)
{
	char	   *reason = engine_get_text(tuple, desc, column);

	if (reason == NULL || reason[strspn(reason, " \t\r\n")] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_REASON_REQUIRED),
				 errmsg("%s: a reason is required to %s", object, action),
				 errdetail("Column \"%s\" is empty.", column),
				 errhint("%s", hint)));
	return reason;
}
