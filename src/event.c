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
#include "storage/itemptr.h"
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
	Jsonb	   *detail_jsonb;	/* the same, as the column's value */
} PendingEvent;

/* An organisation this transaction appends to: checked once, at its first event. */
typedef struct PendingOrg
{
	int64		org_id;			/* hash key */
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

/* Events chained per batch (a batch's memory is freed after it is written). */
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
 * chain for an organisation whose head is gone).  Whether it notifies is
 * read when its head is locked at commit.
 */
static PendingOrg *
pending_org(int64 org_id)
{
	PendingOrg *org;
	bool		found;

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
	if (!event_head_exists(org_id) && RULE_ON(IS015_EVENT_ORG))
		event_org_not_found(org_id);
	return hash_search(pending_orgs, &org_id, HASH_ENTER, &found);
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
	Jsonb	   *detail_jsonb = NULL;
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
	{
		detail_jsonb = DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(detail_json)));
		detail = DatumGetCString(DirectFunctionCall1(jsonb_out, JsonbPGetDatum(detail_jsonb)));
	}

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
	if (detail_jsonb != NULL)
	{
		ev->detail_jsonb = palloc(VARSIZE(detail_jsonb));
		memcpy(ev->detail_jsonb, detail_jsonb, VARSIZE(detail_jsonb));
	}
	else
		ev->detail_jsonb = NULL;
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

/* A text Datum, or 0 for NULL. */
static Datum
text_or_null(const char *s)
{
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

/* Lock the organisation's chain head; stamp the events only now (see below). */
static void
chain_lock(EventWriter *w, EventHead *head)
{
	if (!event_writer_lock(w, head))
		event_org_not_found(head->org_id);

	/*
	 * A time taken before waiting for the lock could be earlier than the
	 * events of the transaction we waited for, and occurred_at would go
	 * backwards along the chain (test/specs/events.spec).
	 */
	head->at = GetCurrentTimestamp();
}

/* The business time of an event: its own, or the time it is recorded at. */
static TimestampTz
event_business_at(const EventHead *head, const PendingEvent *ev)
{
	return ev->business_at ? ev->business_at : head->at;
}

/* Set a column of an event row by name. */
static void
event_set(TupleDesc desc, Datum *values, bool *nulls, const char *column, Datum value, bool isnull)
{
	int			att = engine_column(desc, column) - 1;

	values[att] = value;
	nulls[att] = isnull;
}

/*
 * The row of isms.event for the event chained next after the head, whose
 * hash is hash: the one place that says what each column holds, for both
 * ways of writing (event_write.c).  Every column is set here (a column not
 * named is NULL: defaults do not apply), one line per column.
 */
static void
event_row(TupleDesc desc, const EventHead *head, const PendingEvent *ev, const uint8 *hash,
		  Datum *values, bool *nulls)
{
	memset(nulls, true, desc->natts * sizeof(bool));
	event_set(desc, values, nulls, "org_id", Int64GetDatum(head->org_id), false);
	event_set(desc, values, nulls, "event_no", Int64GetDatum(head->last_no + 1), false);
	event_set(desc, values, nulls, "occurred_at", TimestampTzGetDatum(head->at), false);
	event_set(desc, values, nulls, "actor", CStringGetTextDatum(ev->actor), false);
	event_set(desc, values, nulls, "object_type", CStringGetTextDatum(ev->object_type), false);
	event_set(desc, values, nulls, "object_id", Int64GetDatum(ev->object_id), ev->object_id == 0);
	event_set(desc, values, nulls, "action", CStringGetTextDatum(ev->action), false);
	event_set(desc, values, nulls, "old_state", text_or_null(ev->old_state), ev->old_state == NULL);
	event_set(desc, values, nulls, "new_state", text_or_null(ev->new_state), ev->new_state == NULL);
	event_set(desc, values, nulls, "detail", ev->detail ? PointerGetDatum(ev->detail_jsonb) : (Datum) 0,
			  ev->detail == NULL);
	event_set(desc, values, nulls, "prev_hash", bytes_datum(head->hash, head->hash_len), head->hash_len == 0);
	event_set(desc, values, nulls, "hash", bytes_datum(hash, PG_SHA256_DIGEST_LENGTH), false);
	event_set(desc, values, nulls, "business_at", TimestampTzGetDatum(event_business_at(head, ev)), false);
	event_set(desc, values, nulls, "import_batch", Int64GetDatum(ev->import_batch), ev->import_batch == 0);
}

/* Chain n events of one organisation after the head and write them (event_write.c). */
static void
chain_write(EventWriter *w, EventHead *head, PendingEvent **events, int n)
{
	TupleDesc	desc = event_writer_desc(w);
	Datum	   *values = palloc0(desc->natts * sizeof(Datum));
	bool	   *nulls = palloc(desc->natts * sizeof(bool));
	int			i;

	for (i = 0; i < n; i++)
	{
		PendingEvent *ev = events[i];
		char		idtext[32];
		uint8		hash[PG_SHA256_DIGEST_LENGTH];

		snprintf(idtext, sizeof(idtext), INT64_FORMAT, ev->object_id);
		event_hash(head->hash, head->hash_len, head->org_id, head->last_no + 1, head->at, event_business_at(head, ev),
				   ev->import_batch, ev->actor,
				   ev->object_type, ev->object_id ? idtext : NULL, ev->action, ev->old_state,
				   ev->new_state, ev->detail, hash);
		event_row(desc, head, ev, hash, values, nulls);
		event_writer_insert(w, values, nulls);
		memcpy(head->hash, hash, sizeof(hash));
		head->hash_len = sizeof(hash);
		head->last_no++;
	}
	event_writer_advance(w, head);
}

/*
 * Send the organisation's new events as NOTIFY on its channel, with a small
 * JSON payload.  LISTEN cannot be access-controlled, so the channel name is
 * a hash of a database secret and the organisation (isms.event_channel_name):
 * only members learn it, from isms.event_channel(org).  Delivered at commit.
 */
static void
chain_notify(const EventHead *head, PendingEvent **events, int n)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(head->org_id)};
	char	   *channel;
	int			i;

	SPI_connect();
	channel = engine_select_text(&plan, "SELECT isms.event_channel_name($1)", 1, argtypes, values,
								 "the event channel of an organization");
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
	SPI_finish();
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
	EventWriter *writer;
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
	batch_cxt = AllocSetContextCreate(CurrentMemoryContext, "isms event batch", ALLOCSET_DEFAULT_SIZES);
	writer = event_writer_open();
	for (start = 0; start < n;)
	{
		EventHead	head;
		int			end = start;

		while (end < n && events[end]->org_id == events[start]->org_id)
			end++;
		head.org_id = events[start]->org_id;
		chain_lock(writer, &head);
		for (i = start; i < end; i += EVENT_BATCH)
		{
			MemoryContext old = MemoryContextSwitchTo(batch_cxt);
			int			len = Min(EVENT_BATCH, end - i);

			chain_write(writer, &head, events + i, len);
			if (head.notify)
				chain_notify(&head, events + i, len);
			MemoryContextSwitchTo(old);
			MemoryContextReset(batch_cxt);
		}
		start = end;
	}
	event_writer_close(writer);
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
