/*-------------------------------------------------------------------------
 *
 * event.c
 *	  The audit trail: append-only events, SHA-256 chained per organisation,
 *	  chained when their transaction commits.
 *
 * Each event's hash is SHA-256 over the previous event's hash and a
 * canonical, length-prefixed encoding of the event's fields.  A change
 * appends its event to its transaction; just before the transaction
 * commits, its events are numbered, stamped and hashed after the
 * organisation's chain head in isms.event_chain, which is locked only
 * then, and written in batches.  So writers of one organisation run in
 * parallel until they commit, the head is the last lock a transaction takes
 * (no deadlock can involve it), a rolled-back transaction leaves neither an
 * event nor a gap, and organisations never wait for each other.
 * Verification is in verify.c.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "engine.h"

PG_FUNCTION_INFO_V1(event_guard_trigger);
PG_FUNCTION_INFO_V1(truncate_guard_trigger);

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
 * depend on TimeZone or DateStyle; detail as jsonb's normalised text.  An
 * event whose business time is its recorded time and that no import batch
 * wrote is encoded as version 1 (every event before business time was);
 * any other as version 2, which covers the business time and the batch.
 */
void
event_hash(const uint8 *prev_hash, int prev_len, int64 org_id, int64 event_no,
		   TimestampTz occurred_at, TimestampTz business_at, int64 import_batch,
		   const char *actor, const char *object_type,
		   const char *object_id, const char *action, const char *old_state,
		   const char *new_state, const char *detail, uint8 *result)
{
	StringInfoData buf;
	pg_cryptohash_ctx *ctx;

	initStringInfo(&buf);
	if (business_at == occurred_at && import_batch == 0)
		appendStringInfo(&buf, "isms-event-v1;" INT64_FORMAT ";" INT64_FORMAT ";" INT64_FORMAT ";",
						 org_id, event_no, (int64) occurred_at);
	else
		appendStringInfo(&buf, "isms-event-v2;" INT64_FORMAT ";" INT64_FORMAT ";" INT64_FORMAT ";"
						 INT64_FORMAT ";" INT64_FORMAT ";",
						 org_id, event_no, (int64) occurred_at, (int64) business_at, import_batch);
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
void
event_org_not_found(int64 org_id)
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
 * An event waiting for its transaction to commit.  What it says is fixed
 * when it is appended (actor, states, detail as jsonb's normalised text);
 * its number, time and hashes when it is chained at commit.
 */
typedef struct PendingEvent
{
	int64		org_id;
	int64		seq;			/* order of appending, across organisations */
	int			nest_level;		/* the (sub)transaction that appended it */
	char	   *actor;
	char	   *object_type;
	int64		object_id;		/* 0: none */
	char	   *action;
	char	   *old_state;
	char	   *new_state;
	char	   *detail;
	TimestampTz business_at;	/* 0: the time it is recorded at (event_business_time) */
	int64		import_batch;	/* 0: live work */
} PendingEvent;

/* An organisation this transaction appends to: checked once, at its first event. */
typedef struct PendingOrg
{
	int64		org_id;			/* hash key */
	bool		notify;
} PendingOrg;

/* This transaction's events, in TopTransactionContext; forgotten at its end. */
static List *pending = NIL;
static HTAB *pending_orgs = NULL;
static int64 pending_seq = 0;

/*
 * A transaction that has appended this many events chains them before it
 * commits (at top level only: a subtransaction that rolls back would take
 * the chained rows of its parent with it), so that a bulk load does not
 * hold them all in memory.  From then on it holds the chain head's lock.
 */
#define EVENT_EARLY_FLUSH	10000

/* Events written by one statement when chained. */
#define EVENT_BATCH			1000

static void event_flush(void);

static void
event_forget(void)
{
	pending = NIL;
	pending_orgs = NULL;
	pending_seq = 0;
}

/*
 * Chain the transaction's events just before it commits (or is prepared):
 * after every deferred trigger, so the chain head is the last lock the
 * transaction takes and is held only for the flush.
 */
static void
event_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_PRE_COMMIT || event == XACT_EVENT_PRE_PREPARE)
		event_flush();
	else if (event != XACT_EVENT_PARALLEL_PRE_COMMIT)
		event_forget();
}

/*
 * A subtransaction that rolls back takes its events with it; one that
 * commits hands them to its parent.  Its events are the tail of the list.
 */
static void
event_subxact_callback(SubXactEvent event, SubTransactionId sub, SubTransactionId parent, void *arg)
{
	int			level = GetCurrentTransactionNestLevel();
	int			n;

	if (event != SUBXACT_EVENT_ABORT_SUB && event != SUBXACT_EVENT_COMMIT_SUB)
		return;
	for (n = list_length(pending); n > 0; n--)
	{
		PendingEvent *ev = list_nth(pending, n - 1);

		if (ev->nest_level < level)
			break;
		if (event == SUBXACT_EVENT_ABORT_SUB)
			pending = list_delete_last(pending);
		else
			ev->nest_level = level - 1;
	}
}

/*
 * The organisation's entry for this transaction: at its first event, its
 * chain head must exist (IS015 otherwise: the engine does not start a fresh
 * chain for an organisation whose head is gone) and whether it notifies
 * is read.  One query per organisation per transaction.
 */
static PendingOrg *
pending_org(int64 org_id)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(org_id)};
	PendingOrg *org;
	bool		found;
	bool		isnull;

	if (pending_orgs == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(int64);
		ctl.entrysize = sizeof(PendingOrg);
		ctl.hcxt = TopTransactionContext;
		pending_orgs = hash_create("isms pending organizations", 16, &ctl,
								   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	org = hash_search(pending_orgs, &org_id, HASH_FIND, NULL);
	if (org != NULL)
		return org;

	SPI_connect();
	engine_prepare(&plan,
				   "SELECT o.notify_events FROM isms.event_chain c "
				   "JOIN isms.organization o ON o.org_id OPERATOR(pg_catalog.=) c.org_id "
				   "WHERE c.org_id OPERATOR(pg_catalog.=) $1",
				   1, argtypes);
	if ((engine_exec(plan, values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1) &&
		RULE_ON(IS015_EVENT_ORG))
		event_org_not_found(org_id);
	org = hash_search(pending_orgs, &org_id, HASH_ENTER, &found);
	org->notify = SPI_processed == 1 &&
		DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	return org;
}

/*
 * Append an event for org_id to the current transaction.  detail_json is a
 * JSON object or NULL.  The event is chained when the transaction commits:
 * a transaction that rolls back leaves neither an event nor a gap, and
 * writers of one organisation do not wait for each other until they
 * commit.
 */
void
event_append(int64 org_id, const char *object_type, int64 object_id,
			 const char *action, const char *old_state, const char *new_state,
			 const char *detail_json)
{
	static bool callbacks_registered = false;
	char	   *detail = NULL;
	char	   *actor = engine_actor();
	MemoryContext old;
	PendingEvent *ev;

	if (!callbacks_registered)
	{
		RegisterXactCallback(event_xact_callback, NULL);
		RegisterSubXactCallback(event_subxact_callback, NULL);
		callbacks_registered = true;
	}
	pending_org(org_id);
	if (detail_json != NULL)
		detail = DatumGetCString(DirectFunctionCall1(jsonb_out,
													 DirectFunctionCall1(jsonb_in, CStringGetDatum(detail_json))));

	old = MemoryContextSwitchTo(TopTransactionContext);
	ev = palloc(sizeof(PendingEvent));
	ev->org_id = org_id;
	ev->seq = pending_seq++;
	ev->nest_level = GetCurrentTransactionNestLevel();
	ev->actor = pstrdup(actor);
	ev->object_type = pstrdup(object_type);
	ev->object_id = object_id;
	ev->action = pstrdup(action);
	ev->old_state = old_state ? pstrdup(old_state) : NULL;
	ev->new_state = new_state ? pstrdup(new_state) : NULL;
	ev->detail = detail ? pstrdup(detail) : NULL;
	ev->business_at = event_business_time(org_id, &ev->import_batch);
	pending = lappend(pending, ev);
	MemoryContextSwitchTo(old);

	if (list_length(pending) >= EVENT_EARLY_FLUSH && GetCurrentTransactionNestLevel() == 1)
		event_flush();
}

/* Order of chaining: by organisation (the order heads are locked in), then as appended. */
static int
pending_cmp(const ListCell *a, const ListCell *b)
{
	const PendingEvent *x = lfirst(a);
	const PendingEvent *y = lfirst(b);

	if (x->org_id != y->org_id)
		return x->org_id < y->org_id ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq ? 1 : 0;
}

/* A one-dimensional array of n Datums of type elemtype, NULL where nulls[i]. */
static Datum
array_of(Datum *elems, bool *nulls, int n, Oid elemtype)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;
	int			dims[1] = {n};
	int			lbs[1] = {1};

	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs, elemtype,
											  typlen, typbyval, typalign));
}

/* A text Datum, or a NULL flag. */
static Datum
text_or_null(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

/* The chain head, as locked and advanced by one organisation's flush. */
typedef struct ChainHead
{
	int64		org_id;
	int64		last_no;
	uint8		hash[PG_SHA256_DIGEST_LENGTH];
	int			hash_len;		/* 0: no event yet */
	TimestampTz at;
} ChainHead;

/* Lock the organisation's chain head; stamp the events only now (see below). */
static void
chain_lock(ChainHead *head)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(head->org_id)};
	bool		isnull;
	Datum		hash;

	engine_prepare(&plan,
				   "SELECT last_event_no, last_hash FROM isms.event_chain "
				   "WHERE org_id OPERATOR(pg_catalog.=) $1 FOR UPDATE",
				   1, argtypes);
	if (engine_exec(plan, values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		event_org_not_found(head->org_id);
	head->last_no = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	hash = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
	head->hash_len = isnull ? 0 : VARSIZE_ANY_EXHDR(DatumGetPointer(hash));
	if (head->hash_len > PG_SHA256_DIGEST_LENGTH)
		elog(ERROR, "the chain head of organization " INT64_FORMAT " holds no SHA-256 hash", head->org_id);
	if (!isnull)
		memcpy(head->hash, VARDATA_ANY(DatumGetPointer(hash)), head->hash_len);
	SPI_freetuptable(SPI_tuptable);

	/*
	 * A time taken before waiting for the lock could be earlier than the
	 * events of the transaction we waited for, and occurred_at would go
	 * backwards along the chain (test/specs/events.spec).
	 */
	head->at = GetCurrentTimestamp();
}

/*
 * Chain n events of one organisation after the head and write them with
 * one statement, which also advances the head.
 */
static void
chain_write(ChainHead *head, PendingEvent **events, int n)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[16] = {INT8OID, TIMESTAMPTZOID, INT8ARRAYOID, TEXTARRAYOID, TEXTARRAYOID,
		INT8ARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, BYTEAARRAYOID,
	BYTEAARRAYOID, INT8OID, BYTEAOID, TIMESTAMPTZARRAYOID, INT8ARRAYOID};
	Datum		values[16];
	Datum	   *cols[12];
	bool	   *nulls[12];
	int			c;
	int			i;

	for (c = 0; c < 12; c++)
	{
		cols[c] = palloc(n * sizeof(Datum));
		nulls[c] = palloc0(n * sizeof(bool));
	}
	for (i = 0; i < n; i++)
	{
		PendingEvent *ev = events[i];
		char		idtext[32];
		uint8		hash[PG_SHA256_DIGEST_LENGTH];
		TimestampTz business_at = ev->business_at ? ev->business_at : head->at;

		snprintf(idtext, sizeof(idtext), INT64_FORMAT, ev->object_id);
		event_hash(head->hash, head->hash_len, head->org_id, head->last_no + 1, head->at, business_at,
				   ev->import_batch, ev->actor,
				   ev->object_type, ev->object_id ? idtext : NULL, ev->action, ev->old_state,
				   ev->new_state, ev->detail, hash);
		cols[0][i] = Int64GetDatum(head->last_no + 1);
		cols[1][i] = CStringGetTextDatum(ev->actor);
		cols[2][i] = CStringGetTextDatum(ev->object_type);
		cols[3][i] = Int64GetDatum(ev->object_id);
		nulls[3][i] = ev->object_id == 0;
		cols[4][i] = CStringGetTextDatum(ev->action);
		cols[5][i] = text_or_null(ev->old_state, &nulls[5][i]);
		cols[6][i] = text_or_null(ev->new_state, &nulls[6][i]);
		cols[7][i] = text_or_null(ev->detail, &nulls[7][i]);
		cols[8][i] = bytes_datum(head->hash, head->hash_len);
		nulls[8][i] = head->hash_len == 0;
		cols[9][i] = bytes_datum(hash, sizeof(hash));
		cols[10][i] = TimestampTzGetDatum(business_at);
		cols[11][i] = Int64GetDatum(ev->import_batch);
		nulls[11][i] = ev->import_batch == 0;
		memcpy(head->hash, hash, sizeof(hash));
		head->hash_len = sizeof(hash);
		head->last_no++;
	}
	values[0] = Int64GetDatum(head->org_id);
	values[1] = TimestampTzGetDatum(head->at);
	for (c = 0; c < 10; c++)
		values[2 + c] = array_of(cols[c], nulls[c], n,
								 c == 0 || c == 3 ? INT8OID : c >= 8 ? BYTEAOID : TEXTOID);
	values[12] = Int64GetDatum(head->last_no);
	values[13] = bytes_datum(head->hash, head->hash_len);
	values[14] = array_of(cols[10], nulls[10], n, TIMESTAMPTZOID);
	values[15] = array_of(cols[11], nulls[11], n, INT8OID);
	engine_prepare(&plan,
				   "WITH e AS (INSERT INTO isms.event (org_id, event_no, occurred_at, actor, object_type, "
				   "object_id, action, old_state, new_state, detail, prev_hash, hash, business_at, import_batch) "
				   "SELECT $1, u.n, $2, u.a, u.t, u.i, u.c, u.o, u.s, u.d::pg_catalog.jsonb, u.p, u.h, u.b, u.x "
				   "FROM ROWS FROM (pg_catalog.unnest($3), pg_catalog.unnest($4), pg_catalog.unnest($5), "
				   "pg_catalog.unnest($6), pg_catalog.unnest($7), pg_catalog.unnest($8), pg_catalog.unnest($9), "
				   "pg_catalog.unnest($10), pg_catalog.unnest($11), pg_catalog.unnest($12), "
				   "pg_catalog.unnest($15), pg_catalog.unnest($16)) "
				   "AS u (n, a, t, i, c, o, s, d, p, h, b, x)) "
				   "UPDATE isms.event_chain SET last_event_no = $13, last_hash = $14 "
				   "WHERE org_id OPERATOR(pg_catalog.=) $1",
				   16, argtypes);
	if (engine_exec(plan, values, NULL, true, 0) != SPI_OK_UPDATE || SPI_processed != 1)
		elog(ERROR, "could not append the events of organization " INT64_FORMAT, head->org_id);
}

/*
 * Send the organisation's new events as NOTIFY on its channel, with a small
 * JSON payload.  LISTEN cannot be access-controlled, so the channel name is
 * a hash of a database secret and the organisation (isms.event_channel_name):
 * only members learn it, from isms.event_channel(org).  Delivered at commit.
 */
static void
chain_notify(const ChainHead *head, PendingEvent **events, int n)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(head->org_id)};
	char	   *channel;
	int			i;

	channel = engine_select_text(&plan, "SELECT isms.event_channel_name($1)", 1, argtypes, values,
								 "the event channel of an organization");
	SPI_freetuptable(SPI_tuptable);
	for (i = 0; i < n; i++)
	{
		PendingEvent *ev = events[i];
		StringInfoData payload;

		initStringInfo(&payload);
		appendStringInfo(&payload, "{\"org_id\": " INT64_FORMAT ", \"event_no\": " INT64_FORMAT
						 ", \"object_type\": ", head->org_id, head->last_no - n + 1 + i);
		escape_json(&payload, ev->object_type);
		if (ev->object_id != 0)
			appendStringInfo(&payload, ", \"object_id\": " INT64_FORMAT ", \"action\": ", ev->object_id);
		else
			appendStringInfoString(&payload, ", \"object_id\": null, \"action\": ");
		escape_json(&payload, ev->action);
		appendStringInfoString(&payload, ", \"new_state\": ");
		if (ev->new_state)
			escape_json(&payload, ev->new_state);
		else
			appendStringInfoString(&payload, "null");
		appendStringInfoChar(&payload, '}');
		Async_Notify(channel, payload.data);
		pfree(payload.data);
	}
}

/*
 * Chain every pending event: organisation by organisation in ascending
 * order (so two committing transactions lock heads in the same order and
 * cannot deadlock on them), in batches, each batch's arrays freed after it
 * is written.
 */
static void
event_flush(void)
{
	MemoryContext batch_cxt;
	PendingEvent **events;
	ListCell   *lc;
	int			n = list_length(pending);
	int			i = 0;
	int			start;

	if (n == 0)
		return;
	list_sort(pending, pending_cmp);
	events = palloc(n * sizeof(PendingEvent *));
	foreach(lc, pending)
		events[i++] = lfirst(lc);
	pending = NIL;

	/* at commit no statement's snapshot is active any more */
	PushActiveSnapshot(GetTransactionSnapshot());
	SPI_connect();
	batch_cxt = AllocSetContextCreate(CurrentMemoryContext, "isms event batch", ALLOCSET_DEFAULT_SIZES);
	for (start = 0; start < n;)
	{
		ChainHead	head;
		PendingOrg *org = hash_search(pending_orgs, &events[start]->org_id, HASH_FIND, NULL);
		int			end = start;

		while (end < n && events[end]->org_id == events[start]->org_id)
			end++;
		head.org_id = events[start]->org_id;
		chain_lock(&head);
		for (i = start; i < end; i += EVENT_BATCH)
		{
			MemoryContext old = MemoryContextSwitchTo(batch_cxt);
			int			len = Min(EVENT_BATCH, end - i);

			chain_write(&head, events + i, len);
			if (org != NULL && org->notify)
				chain_notify(&head, events + i, len);
			MemoryContextSwitchTo(old);
			MemoryContextReset(batch_cxt);
		}
		start = end;
	}
	SPI_finish();
	PopActiveSnapshot();
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
			 errmsg("%s is append-only: %s refused", distribute_relation_name(trigdata->tg_relation),
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
			 errmsg("TRUNCATE of %s refused", distribute_relation_name(trigdata->tg_relation)),
			 errdetail("Engine tables keep retained records and the rows that events refer to; TRUNCATE would remove them without any check."),
			 errhint("Delete individual rows instead: the engine allows what retention permits.")));
	PG_RETURN_NULL();			/* keep compiler quiet */
}
