/*-------------------------------------------------------------------------
 *
 * event.c
 *	  The audit trail: append-only events, SHA-256 chained per organisation.
 *
 * Each event's hash is SHA-256 over the previous event's hash and a
 * canonical, length-prefixed encoding of the event's fields.  Appending
 * locks the organisation's row in isms.event_chain, so concurrent writers
 * of one organisation produce one unbroken chain while organisations never
 * wait for each other.  isms.verify_events recomputes a chain end to end.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "funcapi.h"
#include "storage/itemptr.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/memutils.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "engine.h"

PG_FUNCTION_INFO_V1(event_verify);
PG_FUNCTION_INFO_V1(event_verify_checkpoint);
PG_FUNCTION_INFO_V1(event_guard_trigger);
PG_FUNCTION_INFO_V1(truncate_guard_trigger);

static SPIPlanPtr plan_lock_chain = NULL;
static SPIPlanPtr plan_lock_head = NULL;
static SPIPlanPtr plan_append = NULL;

/*
 * The version of an organisation's chain head that this transaction wrote
 * last.  Every event updates the head row, and all those versions stay
 * visible to the index until the transaction ends, so looking the head up by
 * org_id again costs more with every event of the transaction (quadratic in
 * a bulk load).  The next event of the same transaction locks it by ctid
 * instead, and falls back to the index if that version is gone (a
 * subtransaction rolled back).  Forgotten at the end of every transaction.
 */
static int64 head_org_id = 0;
static ItemPointerData head_ctid;

static void
event_xact_callback(XactEvent event, void *arg)
{
	head_org_id = 0;
}

/* Append one field to the canonical encoding: its length, ':', its bytes. */
static void
canonical_field(StringInfo buf, const char *value)
{
	if (value == NULL)
		appendStringInfoString(buf, "-;");
	else
		appendStringInfo(buf, "%zu:%s;", strlen(value), value);
}

/*
 * SHA-256 of prev_hash and the canonical encoding of an event.  Timestamps
 * enter as microseconds since 2000-01-01 UTC so that the hash does not
 * depend on TimeZone or DateStyle; detail as jsonb's normalised text.
 */
static void
event_hash(const uint8 *prev_hash, int prev_len, int64 org_id, int64 event_no,
		   TimestampTz occurred_at, const char *actor, const char *object_type,
		   const char *object_id, const char *action, const char *old_state,
		   const char *new_state, const char *detail, uint8 *result)
{
	StringInfoData buf;
	pg_cryptohash_ctx *ctx;

	initStringInfo(&buf);
	appendStringInfo(&buf, "isms-event-v1;" INT64_FORMAT ";" INT64_FORMAT ";" INT64_FORMAT ";",
					 org_id, event_no, (int64) occurred_at);
	canonical_field(&buf, actor);
	canonical_field(&buf, object_type);
	canonical_field(&buf, object_id);
	canonical_field(&buf, action);
	canonical_field(&buf, old_state);
	canonical_field(&buf, new_state);
	canonical_field(&buf, detail);

	ctx = pg_cryptohash_create(PG_SHA256);
	if (ctx == NULL || pg_cryptohash_init(ctx) < 0 ||
		(prev_len > 0 && pg_cryptohash_update(ctx, prev_hash, prev_len) < 0) ||
		pg_cryptohash_update(ctx, (uint8 *) buf.data, buf.len) < 0 ||
		pg_cryptohash_final(ctx, result, PG_SHA256_DIGEST_LENGTH) < 0)
		elog(ERROR, "could not compute SHA-256: %s", pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);
	pfree(buf.data);
}

/*
 * An organisation without a visible chain head does not exist for the
 * caller: deleted, restarted, or another tenant's (IS015, revealing nothing).
 */
static void pg_attribute_noreturn()
organization_not_found(int64 org_id)
{
	ereport(ERROR,
			(errcode(ERRCODE_ISMS_NOT_FOUND),
			 errmsg("organization " INT64_FORMAT " does not exist", org_id),
			 errdetail("There is no event chain for organization " INT64_FORMAT ".", org_id),
			 errhint("Create the organization with isms.create_organization first.")));
}

/* Wrap raw bytes as a bytea Datum. */
static Datum
bytes_datum(const uint8 *bytes, int len)
{
	bytea	   *b = palloc(VARHDRSZ + len);

	SET_VARSIZE(b, VARHDRSZ + len);
	memcpy(VARDATA(b), bytes, len);
	return PointerGetDatum(b);
}

/*
 * Send the event as NOTIFY on the organisation's channel with a small JSON
 * payload.  LISTEN cannot be access-controlled, so the channel name is a hash
 * of a database secret and the organisation (isms.event_channel_name): only
 * members learn it, from isms.event_channel(org).
 */
static void
event_notify(int64 org_id, int64 event_no, const char *object_type, const char *object_id,
			 const char *action, const char *new_state)
{
	static SPIPlanPtr plan_channel = NULL;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(org_id)};
	StringInfoData payload;

	initStringInfo(&payload);
	appendStringInfo(&payload, "{\"org_id\": " INT64_FORMAT ", \"event_no\": " INT64_FORMAT ", \"object_type\": ",
					 org_id, event_no);
	escape_json(&payload, object_type);
	appendStringInfo(&payload, ", \"object_id\": %s, \"action\": ", object_id ? object_id : "null");
	escape_json(&payload, action);
	appendStringInfoString(&payload, ", \"new_state\": ");
	if (new_state)
		escape_json(&payload, new_state);
	else
		appendStringInfoString(&payload, "null");
	appendStringInfoChar(&payload, '}');
	SPI_connect();
	engine_prepare(&plan_channel, "SELECT isms.event_channel_name($1)", 1, argtypes);
	if (engine_exec(plan_channel, values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not find the event channel of organization " INT64_FORMAT, org_id);
	Async_Notify(SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1), payload.data);
	SPI_finish();
}

/*
 * Append an event for org_id in the current transaction.  detail_json is a
 * JSON object or NULL.  Runs as the extension owner: tenants cannot write
 * events themselves.
 */
void
event_append(int64 org_id, const char *object_type, int64 object_id,
			 const char *action, const char *old_state, const char *new_state,
			 const char *detail_json)
{
	static bool callback_registered = false;
	Oid			lock_types[2] = {INT8OID, TIDOID};
	Oid			append_types[13] = {INT8OID, INT8OID, TIMESTAMPTZOID, TEXTOID, TEXTOID, INT8OID,
		TEXTOID, TEXTOID, TEXTOID, JSONBOID, BYTEAOID, BYTEAOID, TIDOID};
	Datum		values[13];
	char		nulls[13];
	char	   *actor = engine_actor();
	char	   *detail = NULL;
	char		idtext[32];
	int64		event_no;
	bool		isnull;
	bool		prev_null;
	bool		notify;
	Datum		prev;
	uint8		hash[PG_SHA256_DIGEST_LENGTH];
	ItemPointerData locked;
	TimestampTz now;

	if (!callback_registered)
	{
		RegisterXactCallback(event_xact_callback, NULL);
		callback_registered = true;
	}
	SPI_connect();
	engine_prepare(&plan_lock_chain,
				   "SELECT c.last_event_no, c.last_hash, o.notify_events, c.ctid "
				   "FROM isms.event_chain c JOIN isms.organization o ON o.org_id OPERATOR(pg_catalog.=) c.org_id "
				   "WHERE c.org_id OPERATOR(pg_catalog.=) $1 FOR UPDATE OF c",
				   1, lock_types);
	engine_prepare(&plan_lock_head,
				   "SELECT c.last_event_no, c.last_hash, o.notify_events, c.ctid "
				   "FROM isms.event_chain c JOIN isms.organization o ON o.org_id OPERATOR(pg_catalog.=) c.org_id "
				   "WHERE c.ctid OPERATOR(pg_catalog.=) $2 AND c.org_id OPERATOR(pg_catalog.=) $1 FOR UPDATE OF c",
				   2, lock_types);
	values[0] = Int64GetDatum(org_id);
	values[1] = PointerGetDatum(&head_ctid);
	if ((head_org_id != org_id ||
		 engine_exec(plan_lock_head, values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1) &&
		(engine_exec(plan_lock_chain, values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1) &&
		RULE_ON(IS015_EVENT_ORG))
		organization_not_found(org_id);
	event_no = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)) + 1;
	prev = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &prev_null);
	if (!prev_null)
		prev = PointerGetDatum(PG_DETOAST_DATUM_COPY(prev));
	notify = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
	ItemPointerCopy((ItemPointer) DatumGetPointer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4, &isnull)),
					&locked);

	/*
	 * Stamp the event only now that the chain is locked: a time taken before
	 * waiting for the lock could be earlier than the events appended by the
	 * transaction we waited for, and occurred_at would go backwards along
	 * the chain (test/specs/events.spec).
	 */
	now = GetCurrentTimestamp();

	memset(nulls, ' ', sizeof(nulls));
	if (detail_json != NULL)
	{
		Datum		jb = DirectFunctionCall1(jsonb_in, CStringGetDatum(detail_json));

		detail = DatumGetCString(DirectFunctionCall1(jsonb_out, jb));
		values[9] = jb;
	}
	else
		nulls[9] = 'n';
	snprintf(idtext, sizeof(idtext), INT64_FORMAT, object_id);
	event_hash(prev_null ? NULL : (uint8 *) VARDATA_ANY(DatumGetPointer(prev)),
			   prev_null ? 0 : VARSIZE_ANY_EXHDR(DatumGetPointer(prev)),
			   org_id, event_no, now, actor, object_type, object_id ? idtext : NULL,
			   action, old_state, new_state, detail, hash);

	values[0] = Int64GetDatum(org_id);
	values[1] = Int64GetDatum(event_no);
	values[2] = TimestampTzGetDatum(now);
	values[3] = CStringGetTextDatum(actor);
	values[4] = CStringGetTextDatum(object_type);
	values[5] = Int64GetDatum(object_id);
	nulls[5] = object_id ? ' ' : 'n';
	values[6] = CStringGetTextDatum(action);
	values[7] = old_state ? CStringGetTextDatum(old_state) : (Datum) 0;
	nulls[7] = old_state ? ' ' : 'n';
	values[8] = new_state ? CStringGetTextDatum(new_state) : (Datum) 0;
	nulls[8] = new_state ? ' ' : 'n';
	values[10] = prev;
	nulls[10] = prev_null ? 'n' : ' ';
	values[11] = bytes_datum(hash, sizeof(hash));
	values[12] = PointerGetDatum(&locked);
	/* one statement: append the event and advance the (locked) head by ctid */
	engine_prepare(&plan_append,
				   "WITH e AS (INSERT INTO isms.event (org_id, event_no, occurred_at, actor, object_type, object_id, "
				   "action, old_state, new_state, detail, prev_hash, hash) "
				   "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)) "
				   "UPDATE isms.event_chain SET last_event_no = $2, last_hash = $12 "
				   "WHERE ctid OPERATOR(pg_catalog.=) $13 AND org_id OPERATOR(pg_catalog.=) $1 RETURNING ctid",
				   13, append_types);
	if (engine_exec(plan_append, values, nulls, true, 0) != SPI_OK_UPDATE_RETURNING || SPI_processed != 1)
		elog(ERROR, "could not append event");
	ItemPointerCopy((ItemPointer) DatumGetPointer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)),
					&head_ctid);
	head_org_id = org_id;
	SPI_finish();

	if (notify)
		event_notify(org_id, event_no, object_type, object_id ? idtext : NULL, action, new_state);
}

/* Report of isms.verify_events: one row. */
static Datum
verify_result(FunctionCallInfo fcinfo, bool valid, int64 checked, int64 broken_at, const char *problem)
{
	TupleDesc	desc;
	Datum		values[4];
	bool		nulls[4] = {false, false, broken_at == 0, problem == NULL};

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	values[0] = BoolGetDatum(valid);
	values[1] = Int64GetDatum(checked);
	values[2] = Int64GetDatum(broken_at);
	values[3] = problem ? CStringGetTextDatum(problem) : (Datum) 0;
	return HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls));
}

/* Does a nullable bytea column equal these bytes? */
static bool
bytes_equal(Datum d, bool isnull, const uint8 *bytes, int len)
{
	bytea	   *b;

	if (isnull)
		return len == 0;
	b = DatumGetByteaPP(d);
	return VARSIZE_ANY_EXHDR(b) == (Size) len && memcmp(VARDATA_ANY(b), bytes, len) == 0;
}

/* Compare the chain head with the last event found; NULL if they agree. */
static char *
verify_head(int64 org_id, int64 last_no, const uint8 *last_hash, int last_len)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		args[1] = {Int64GetDatum(org_id)};
	bool		isnull;
	int64		head_no;
	Datum		head_hash;

	if (SPI_execute_with_args("SELECT last_event_no, last_hash FROM isms.event_chain "
							  "WHERE org_id OPERATOR(pg_catalog.=) $1",
							  1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
	{
		if (RULE_ON(IS015_VERIFY_ORG) && last_no == 0)
			organization_not_found(org_id);
		return psprintf("the chain head of organization " INT64_FORMAT " is missing", org_id);
	}
	head_no = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	head_hash = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
	if (head_no != last_no)
		return psprintf("the chain head records " INT64_FORMAT " events but " INT64_FORMAT " were found",
						head_no, last_no);
	if (!bytes_equal(head_hash, isnull, last_hash, last_len))
		return psprintf("the chain head's hash does not match event " INT64_FORMAT, last_no);
	return NULL;
}

/*
 * Check one event against the previous hash; on success leave its hash in
 * prev.  Returns a description of the problem, or NULL.
 */
static char *
verify_one(HeapTuple t, TupleDesc d, int64 org_id, int64 expected_no, uint8 *prev, int *prev_len)
{
	bool		isnull;
	int64		no = DatumGetInt64(SPI_getbinval(t, d, 1, &isnull));
	TimestampTz at = DatumGetTimestampTz(SPI_getbinval(t, d, 2, &isnull));
	Datum		stored_prev = SPI_getbinval(t, d, 10, &isnull);
	Datum		stored_hash;
	uint8		hash[PG_SHA256_DIGEST_LENGTH];

	if (no != expected_no)
		return psprintf("event " INT64_FORMAT " is missing", expected_no);
	if (!bytes_equal(stored_prev, isnull, prev, *prev_len))
		return psprintf("event " INT64_FORMAT " does not link to the hash of event " INT64_FORMAT, no, no - 1);
	event_hash(prev, *prev_len, org_id, no, at,
			   SPI_getvalue(t, d, 3), SPI_getvalue(t, d, 4), SPI_getvalue(t, d, 5),
			   SPI_getvalue(t, d, 6), SPI_getvalue(t, d, 7), SPI_getvalue(t, d, 8),
			   SPI_getvalue(t, d, 9), hash);
	stored_hash = SPI_getbinval(t, d, 11, &isnull);
	if (!bytes_equal(stored_hash, isnull, hash, sizeof(hash)))
		return psprintf("event " INT64_FORMAT " was altered: its hash does not match its content", no);
	memcpy(prev, hash, sizeof(hash));
	*prev_len = sizeof(hash);
	return NULL;
}

/*
 * Every record whose submission or approval event carries a content hash
 * still has that content: its latest submission (a returned draft may be
 * edited and submitted again) and its approval are recomputed from the row.
 * Returns the first mismatch, or NULL.
 */
static char *
verify_record_content(int64 org_id)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		args[1] = {Int64GetDatum(org_id)};
	bool		isnull;

	if (SPI_execute_with_args(
			"SELECT e.event_no, e.object_id FROM ("
			"  SELECT DISTINCT ON (object_id, action) event_no, object_id, action, "
			"         detail OPERATOR(pg_catalog.->>) 'content_sha256' AS hash"
			"    FROM isms.event WHERE org_id OPERATOR(pg_catalog.=) $1 AND object_type OPERATOR(pg_catalog.=) 'record'"
			"     AND action OPERATOR(pg_catalog.=) ANY ('{submit,approve}'::pg_catalog.text[])"
			"     AND detail OPERATOR(pg_catalog.?) 'content_sha256'"
			"   ORDER BY object_id, action, event_no DESC) e"
			"  JOIN isms.record r ON r.org_id OPERATOR(pg_catalog.=) $1 AND r.record_id OPERATOR(pg_catalog.=) e.object_id"
			" WHERE isms.record_content_hash(r, e.action OPERATOR(pg_catalog.=) 'approve') "
			"       OPERATOR(pg_catalog.<>) e.hash"
			" ORDER BY e.event_no LIMIT 1",
			1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not verify the content of the records of organization " INT64_FORMAT, org_id);
	if (SPI_processed == 0)
		return NULL;
	return psprintf("record " INT64_FORMAT " no longer has the content event " INT64_FORMAT " recorded",
					DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)),
					DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)));
}

/*
 * Walk the organisation's chain from its first event: numbering without
 * gaps, each prev_hash equal to the previous hash, each hash equal to the
 * recomputed one, the chain head pointing at the last event and, with a
 * checkpoint (checkpoint_no > 0), event checkpoint_no carrying exactly the
 * checkpoint's hash.  Events are read through a cursor in batches and each
 * one is checked in a memory context reset per event, so memory stays flat
 * however long the chain.  Returns the problem (NULL if none) in the
 * caller's context; *checked is the number of events that verified.
 */
static char *
verify_chain(int64 org_id, int64 checkpoint_no, bytea *checkpoint_hash, int64 *checked)
{
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext per_event;
	Oid			argtypes[1] = {INT8OID};
	Datum		args[1] = {Int64GetDatum(org_id)};
	Portal		portal;
	uint8		prev[PG_SHA256_DIGEST_LENGTH];
	int			prev_len = 0;
	int64		next_no = 1;
	char	   *problem = NULL;
	int			guc_level;

	SPI_connect();
	guc_level = engine_pin_search_path();
	per_event = AllocSetContextCreate(CurrentMemoryContext, "isms verify event", ALLOCSET_DEFAULT_SIZES);
	portal = SPI_cursor_open_with_args(NULL,
									   "SELECT event_no, occurred_at, actor, object_type, object_id::pg_catalog.text, "
									   "action, old_state, new_state, detail::pg_catalog.text, prev_hash, hash "
									   "FROM isms.event WHERE org_id OPERATOR(pg_catalog.=) $1 ORDER BY event_no",
									   1, argtypes, args, NULL, true, 0);
	while (problem == NULL)
	{
		uint64		i;

		SPI_cursor_fetch(portal, true, 1000);
		if (SPI_processed == 0)
			break;
		for (i = 0; i < SPI_processed && problem == NULL; i++)
		{
			MemoryContext old = MemoryContextSwitchTo(per_event);

			problem = verify_one(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, org_id, next_no, prev, &prev_len);
			if (problem == NULL && next_no == checkpoint_no &&
				!bytes_equal(PointerGetDatum(checkpoint_hash), false, prev, prev_len))
				problem = psprintf("event " INT64_FORMAT " does not carry the checkpoint's hash: the chain "
								   "up to it was rewritten, or the organization's chain was restarted",
								   next_no);
			MemoryContextSwitchTo(old);
			if (problem)
				problem = MemoryContextStrdup(caller, problem);
			else
				next_no++;
			MemoryContextReset(per_event);
		}
		SPI_freetuptable(SPI_tuptable);
		if (problem == NULL && next_no % 100000 == 1)
			ereport(NOTICE, (errmsg("verified " INT64_FORMAT " events of organization " INT64_FORMAT,
									next_no - 1, org_id)));
	}
	SPI_cursor_close(portal);
	if (problem == NULL && checkpoint_no >= next_no)
		problem = psprintf("event " INT64_FORMAT " of the checkpoint is missing: the chain ends at event "
						   INT64_FORMAT " (its tail was removed, or it was restarted)",
						   checkpoint_no, next_no - 1);
	if (problem == NULL)
		problem = verify_head(org_id, next_no - 1, prev, prev_len);
	if (problem == NULL)
		problem = verify_record_content(org_id);
	if (problem)
		problem = MemoryContextStrdup(caller, problem);
	engine_unpin_search_path(guc_level);
	SPI_finish();
	*checked = next_no - 1;
	return problem;
}

/*
 * isms.verify_events(org) -> (valid, events_checked, first_broken_event, problem)
 *
 * The chain is consistent in itself.  Anyone who can rewrite every event can
 * also recompute every hash: only a checkpoint kept outside the database
 * proves more (below).
 */
Datum
event_verify(PG_FUNCTION_ARGS)
{
	int64		checked;
	char	   *problem = verify_chain(PG_GETARG_INT64(0), 0, NULL, &checked);

	PG_RETURN_DATUM(verify_result(fcinfo, problem == NULL, checked, problem ? checked + 1 : 0, problem));
}

/*
 * isms.verify_events(org, checkpoint_event_no, checkpoint_hash)
 *
 * The chain still contains the checkpoint's event with the checkpoint's
 * hash, and continues validly from it to the head: a removed tail, a head
 * moved back, a rewritten and re-hashed event up to the checkpoint, or a
 * deleted or restarted organisation all fail.
 */
Datum
event_verify_checkpoint(PG_FUNCTION_ARGS)
{
	int64		org_id = PG_GETARG_INT64(0);
	int64		checkpoint_no = PG_GETARG_INT64(1);
	bytea	   *checkpoint_hash = PG_GETARG_BYTEA_PP(2);
	int64		checked;
	char	   *problem;

	if (checkpoint_no < 1 || VARSIZE_ANY_EXHDR(checkpoint_hash) != PG_SHA256_DIGEST_LENGTH)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid checkpoint for organization " INT64_FORMAT, org_id),
				 errdetail("A checkpoint names an event number of at least 1 and its 32-byte SHA-256 hash."),
				 errhint("Pass the event_no and hash that isms.chain_head(org) returned.")));
	problem = verify_chain(org_id, checkpoint_no, checkpoint_hash, &checked);
	PG_RETURN_DATUM(verify_result(fcinfo, problem == NULL, checked, problem ? checked + 1 : 0, problem));
}

/*
 * Trigger on isms.event and isms.event_chain: the engine appends, nobody
 * updates, deletes or truncates.
 */
Datum
event_guard_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("event_guard_trigger: must be fired BEFORE by the trigger manager")));
	if (RULE_OFF(IS012_APPEND_ONLY) || (engine_internal_write() && !TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event) &&
		!TRIGGER_FIRED_BY_DELETE(trigdata->tg_event)))
		return PointerGetDatum(TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? trigdata->tg_newtuple : trigdata->tg_trigtuple);
	ereport(ERROR,
			(errcode(ERRCODE_ISMS_APPEND_ONLY),
			 errmsg("%s is append-only: %s refused", RelationGetRelationName(trigdata->tg_relation),
					TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) ? "INSERT" :
					TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ? "UPDATE" :
					TRIGGER_FIRED_BY_DELETE(trigdata->tg_event) ? "DELETE" : "TRUNCATE"),
			 errdetail("Events are written by the engine only and are never changed or removed."),
			 errhint("Record a correction as a new state change; use isms.verify_events to check the chain.")));
	PG_RETURN_NULL();			/* keep compiler quiet */
}

/*
 * BEFORE TRUNCATE trigger on every engine table: TRUNCATE bypasses the row
 * triggers that enforce retention and append-only events, so it is refused
 * for everybody, the superuser included, while triggers are enabled.
 */
Datum
truncate_guard_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("truncate_guard_trigger: must be fired by TRUNCATE")));
	if (RULE_OFF(IS026_TRUNCATE))
		return PointerGetDatum(NULL);
	ereport(ERROR,
			(errcode(ERRCODE_ISMS_TRUNCATE),
			 errmsg("TRUNCATE of %s refused", RelationGetRelationName(trigdata->tg_relation)),
			 errdetail("Engine tables keep retained records and the rows that events refer to; TRUNCATE would remove them without any check."),
			 errhint("Delete individual rows instead: the engine allows what retention permits.")));
	PG_RETURN_NULL();			/* keep compiler quiet */
}
