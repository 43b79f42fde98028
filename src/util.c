/*-------------------------------------------------------------------------
 *
 * util.c
 *	  Helpers shared by the rule modules: who the actor is, internal writes
 *	  made as the extension owner with a pinned search_path, prepared
 *	  statements kept for the life of the backend, the "caller may see this
 *	  organisation" check, and tuple access by column name.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "access/genam.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "common/hashfn.h"
#include "catalog/namespace.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/timestamp.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"

#include "engine.h"

/* > 0 while the engine itself writes (steps, events, supersessions) */
static int	internal_depth = 0;

/*
 * The identity a change is attributed to and memberships are looked up for:
 * the role that logged in (the session user), whatever SET ROLE or SECURITY
 * DEFINER functions made current, so that neither a group role nor another
 * login role granted to it gives a login a second identity.  A superuser
 * session acts as the role it set (SET ROLE is how superusers, who may SET
 * SESSION AUTHORIZATION anyway, impersonate a member).
 */
Oid
engine_identity(void)
{
	Oid			session = GetSessionUserId();

	return superuser_arg(session) ? GetOuterUserId() : session;
}

/*
 * The application user named in isms.actor, or NULL: only members of
 * isms_app may name one, and it is an identity within that login role.
 */
char *
engine_app_user(void)
{
	Oid			role = engine_identity();
	const char *app_user = GetConfigOption("isms.actor", true, false);
	Oid			app_role;

	if (app_user == NULL || app_user[0] == '\0')
		return NULL;
	app_role = get_role_oid("isms_app", true);
	if (RULE_ON(IS019_APP_ACTOR) && !superuser_arg(role) && (!OidIsValid(app_role) || !has_privs_of_role(role, app_role)))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_ACTOR),
				 errmsg("role \"%s\" may not act as application user \"%s\"",
						GetUserNameFromId(role, false), engine_clip(app_user)),
				 errdetail("Only members of isms_app may name the actor in isms.actor."),
				 errhint("RESET isms.actor, or have an administrator GRANT isms_app to the application's login role.")));
	return pstrdup(app_user);
}

/*
 * The actor's display name: the application user, else the name the
 * identity's role has now (names are for display; see engine_identity).
 */
char *
engine_actor(void)
{
	char	   *app_user = engine_app_user();

	return app_user ? app_user : GetUserNameFromId(engine_identity(), false);
}

/*
 * User-supplied text for an error message: at most ENGINE_CLIP_LEN bytes,
 * cut on a character boundary, with "..." when it was longer, so that no
 * error echoes a huge input.
 */
const char *
engine_clip(const char *text)
{
	int			len;

	if (text == NULL)
		return NULL;
	len = strlen(text);
	if (len <= ENGINE_CLIP_LEN)
		return text;
	return psprintf("%.*s...", pg_mbcliplen(text, len, ENGINE_CLIP_LEN), text);
}

/* Is the engine itself writing right now? */
bool
engine_internal_write(void)
{
	return internal_depth > 0;
}

/*
 * The extension owner, cached per backend.  The cache is checked once per
 * transaction (an index lookup of pg_extension), so that a dropped and
 * re-created extension, or REASSIGN OWNED, is seen by the next transaction.
 */
static Oid	owner_cache = InvalidOid;
static LocalTransactionId owner_cache_xid = InvalidLocalTransactionId;

/*
 * The role the engine acts as: the owner of extension isms27022
 * (pg_extension.extowner, as pg_cron does), which must be a superuser.
 */
static Oid
engine_owner(void)
{
	Oid			ext;
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;

	if (OidIsValid(owner_cache) && owner_cache_xid == MyProc->lxid)
		return owner_cache;
	ext = get_extension_oid("isms27022", false);
	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(ext));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "could not find extension isms27022");
	owner_cache = ((Form_pg_extension) GETSTRUCT(tup))->extowner;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	if (!superuser_arg(owner_cache))
	{
		Oid			owner = owner_cache;

		owner_cache = InvalidOid;
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("extension isms27022 must be owned by a superuser"),
				 errdetail("The engine acts as the extension owner, role \"%s\", which is not a superuser.",
						   GetUserNameFromId(owner, false)),
				 errhint("Install the extension as a superuser; it is not a trusted extension.")));
	}
	owner_cache_xid = MyProc->lxid;
	return owner_cache;
}

/*
 * Pin search_path to pg_catalog, pg_temp until engine_unpin_search_path,
 * whatever the caller set: every statement the engine prepares or runs
 * resolves names the same way, and a cached plan never sees another path.
 * An error unwinds the setting with the (sub)transaction.
 */
int
engine_pin_search_path(void)
{
	int			level = NewGUCNestLevel();

	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	return level;
}

void
engine_unpin_search_path(int level)
{
	AtEOXact_GUC(true, level);
}

/*
 * Act as the extension owner, past row-level security, the way PostgreSQL's
 * own foreign-key triggers do, as a security-restricted operation and with
 * the pinned search_path.  The previous identity and path are restored by
 * engine_end_internal, or by (sub)transaction abort.
 */
void
engine_begin_internal(EngineSaved *saved)
{
	Oid			owner = engine_owner();

	GetUserIdAndSecContext(&saved->userid, &saved->sec_context);
	saved->guc_level = engine_pin_search_path();
	SetUserIdAndSecContext(owner, saved->sec_context | SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION | SECURITY_NOFORCE_RLS);
}

void
engine_end_internal(const EngineSaved *saved)
{
	SetUserIdAndSecContext(saved->userid, saved->sec_context);
	engine_unpin_search_path(saved->guc_level);
}

/* Prepare a statement once per backend, with the pinned search_path, and keep it. */
SPIPlanPtr
engine_prepare(SPIPlanPtr *cache, const char *sql, int nargs, const Oid *argtypes)
{
	if (*cache == NULL)
	{
		int			level = engine_pin_search_path();
		SPIPlanPtr	plan = SPI_prepare(sql, nargs, (Oid *) argtypes);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql, SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		engine_unpin_search_path(level);
		*cache = plan;
	}
	return *cache;
}

/*
 * Execute a prepared statement with the pinned search_path.  An internal
 * statement is the engine's own write: it runs as the extension owner, as a
 * security-restricted operation, and the triggers it fires know it.
 */
int
engine_exec(SPIPlanPtr plan, Datum *values, const char *nulls, bool internal, long count)
{
	EngineSaved saved;
	volatile int rc = 0;

	if (!internal)
	{
		int			level = engine_pin_search_path();

		rc = SPI_execute_plan(plan, values, nulls, false, count);
		engine_unpin_search_path(level);
		return rc;
	}

	engine_begin_internal(&saved);
	internal_depth++;
	PG_TRY();
	{
		rc = SPI_execute_plan(plan, values, nulls, false, count);
	}
	PG_CATCH();
	{
		/* the search_path unwinds with the (sub)transaction */
		internal_depth--;
		SetUserIdAndSecContext(saved.userid, saved.sec_context);
		PG_RE_THROW();
	}
	PG_END_TRY();
	internal_depth--;
	engine_end_internal(&saved);
	return rc;
}

/*
 * The text of the one value a prepared query returns, run as the engine's
 * own read (see engine_exec); "what" names it in the error if there is no
 * single row.  The caller is connected to SPI.
 */
char *
engine_select_text(SPIPlanPtr *plan, const char *sql, int nargs, const Oid *argtypes, Datum *values,
				   const char *what)
{
	engine_prepare(plan, sql, nargs, argtypes);
	if (engine_exec(*plan, values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read %s", what);
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

/*
 * Where each column name was found last, per row type: the rules look
 * columns up by name on every row, and a scan of the tuple descriptor per
 * lookup showed in bulk-load profiles.  A slot is only a guess, checked
 * against the descriptor (one name comparison), so a renamed or dropped
 * column, or another name at the same address, falls back to the scan.
 */
typedef struct ColumnSlot
{
	Oid			typeid;
	const char *column;
	int			attno;
} ColumnSlot;

static ColumnSlot column_slots[256];

/* The attribute number of a column; an error if it does not exist. */
int
engine_column(TupleDesc desc, const char *column)
{
	uint32		h = hash_bytes_uint32((uint32) (uintptr_t) column) ^ desc->tdtypeid;
	ColumnSlot *slot = &column_slots[h % lengthof(column_slots)];
	int			attno;

	if (slot->column == column && slot->typeid == desc->tdtypeid && slot->attno <= desc->natts &&
		!TupleDescAttr(desc, slot->attno - 1)->attisdropped &&
		strcmp(NameStr(TupleDescAttr(desc, slot->attno - 1)->attname), column) == 0)
		return slot->attno;
	attno = SPI_fnumber(desc, column);
	if (attno <= 0)
		elog(ERROR, "column \"%s\" not found", column);
	slot->typeid = desc->tdtypeid;
	slot->column = column;
	slot->attno = attno;
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

/* The organisation a row names in column org_id, or 0 if none (PRM rows). */
int64
engine_row_org(HeapTuple tuple, TupleDesc desc)
{
	int			col = SPI_fnumber(desc, "org_id");
	bool		isnull;
	Datum		d;

	if (col <= 0 || tuple == NULL)
		return 0;
	d = heap_getattr(tuple, col, desc, &isnull);
	return isnull ? 0 : DatumGetInt64(d);
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
	/* A BEFORE ROW trigger's rules run before row-level security checks the new row. */
	if (before && row)
	{
		TupleDesc	desc = RelationGetDescr(trigdata->tg_relation);
		int64		org_id = engine_row_org(TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple
									 : trigdata->tg_trigtuple, desc);

		if (org_id != 0)
			engine_require_visible_org(org_id);
	}
}

/*
 * May the caller see organisation org_id?  Members, superusers and roles that
 * bypass row-level security may (as row-level security decides); the engine's
 * own writes may.  Anyone else gets IS015 "does not exist", the same answer
 * as for an organisation that does not exist, before any rule could name
 * another tenant's object.
 */
void
engine_require_visible_org(int64 org_id)
{
	Oid			user = GetUserId();

	if (RULE_OFF(IS015_VISIBLE_ORG) || engine_internal_write() || superuser_arg(user) || has_bypassrls_privilege(user) ||
		model_member_role(engine_identity(), org_id) != NULL)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_ISMS_NOT_FOUND),
			 errmsg("organization " INT64_FORMAT " does not exist", org_id),
			 errdetail("No organization with this id is visible to role \"%s\".", GetUserNameFromId(user, false)),
			 errhint("Check the organization id, and that you are a member of the organization.")));
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

/* The organisation's business date (CURRENT_DATE when live) plus a number of months, as a date Datum. */
Datum
engine_date_plus_months(int64 org_id, int months)
{
	Interval	iv;
	Datum		ts;

	memset(&iv, 0, sizeof(iv));
	iv.month = months;
	ts = DirectFunctionCall2(date_pl_interval, DateADTGetDatum(engine_business_date(org_id)), IntervalPGetDatum(&iv));
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
