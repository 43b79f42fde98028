/*-------------------------------------------------------------------------
 *
 * event_write.c
 *	  The physical writes of the event chain: event rows and the advanced
 *	  chain head, written straight into the heap and its indexes.
 *
 * Events are chained at commit (event.c) as the engine's own write; a SQL
 * statement for them cost an executor start-up per flush (an INSERT over
 * unnested arrays plus the head's UPDATE), a large part of a single
 * operation.  Here a row is formed and inserted as COPY does it
 * (table_tuple_insert, then every index through ExecInsertIndexTuples, so
 * unique, partial and expression indexes behave as for SQL), and the head,
 * locked FOR UPDATE by the caller, is replaced in place of the locked
 * version (simple_heap_update, HOT when no indexed column changes).  The
 * head itself is found by a primary-key probe and locked with
 * heap_lock_tuple, as SELECT ... FOR UPDATE would, without a statement.  What
 * is skipped is only what the engine's own write never needs: row-level
 * security and privileges (the engine writes as the extension owner),
 * and the append-only triggers, which let the engine's writes through.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "executor/executor.h"
#include "nodes/execnodes.h"
#include "storage/bufmgr.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "engine.h"

/* One engine table opened for direct writes. */
typedef struct DirectTable
{
	Relation	rel;
	ResultRelInfo *rri;
	TupleTableSlot *slot;
} DirectTable;

struct EventWriter
{
	EState	   *estate;
	DirectTable event;
	DirectTable chain;
	DirectTable org;			/* read only: notify_events */
};

/*
 * Open isms.<name> and its indexes for writing; the slot holds a formed
 * heap tuple (ops: virtual rows to insert, or heap tuples already formed).
 */
static void
direct_open(DirectTable *t, EState *estate, const char *name, const TupleTableSlotOps *ops)
{
	Oid			relid = get_relname_relid(name, get_namespace_oid("isms", false));

	if (!OidIsValid(relid))
		elog(ERROR, "table isms.%s not found", name);
	t->rel = table_open(relid, RowExclusiveLock);
	if (t->rel->rd_rel->relkind != RELKIND_RELATION)
		elog(ERROR, "isms.%s is not a plain table", name);
	t->rri = makeNode(ResultRelInfo);
	InitResultRelInfo(t->rri, t->rel, 1, NULL, 0);
	ExecOpenIndices(t->rri, false);
	t->slot = MakeSingleTupleTableSlot(RelationGetDescr(t->rel), ops);
	(void) estate;
}

static void
direct_close(DirectTable *t)
{
	ExecDropSingleTupleTableSlot(t->slot);
	ExecCloseIndices(t->rri);
	table_close(t->rel, NoLock);
}

/*
 * The tid of the organisation's row in an engine table keyed by org_id
 * (primary key probe), as this transaction sees it: committed rows and
 * its own.  False if there is none.
 */
static bool
direct_find(Relation rel, int64 org_id, ItemPointer tid)
{
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	bool		found;

	ScanKeyInit(&key, engine_column(RelationGetDescr(rel), "org_id"), BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum(org_id));
	scan = systable_beginscan(rel, RelationGetPrimaryKeyIndex(rel), true, SnapshotSelf, 1, &key);
	tup = systable_getnext(scan);
	found = HeapTupleIsValid(tup);
	if (found)
		*tid = tup->t_self;
	systable_endscan(scan);
	return found;
}

/*
 * Does the organisation's chain head exist?  The check of an
 * organisation's first event in a transaction, without a SQL statement.
 */
bool
event_head_exists(int64 org_id)
{
	Relation	rel = table_open(get_relname_relid("event_chain", get_namespace_oid("isms", false)),
								 AccessShareLock);
	ItemPointerData tid;
	bool		found = direct_find(rel, org_id, &tid);

	table_close(rel, AccessShareLock);
	return found;
}

/*
 * Lock the organisation's chain head FOR UPDATE, waiting for a writer
 * that holds it, and follow its updates to the latest version (a head is
 * like a sequence: whatever the isolation level, the chain continues
 * from the newest head).  Fills in the head; false if there is none.
 */
bool
event_writer_lock(EventWriter *w, int64 org_id, EventHead *head)
{
	Relation	rel = w->chain.rel;
	TupleDesc	desc = RelationGetDescr(rel);
	HeapTupleData tuple;
	Buffer		buffer;
	TM_FailureData tmfd;
	TM_Result	result;
	bool		isnull;
	Datum		hash;

	if (!direct_find(rel, org_id, &tuple.t_self))
		return false;
	for (;;)
	{
		result = heap_lock_tuple(rel, &tuple, GetCurrentCommandId(true), LockTupleExclusive,
								 LockWaitBlock, false, &buffer, &tmfd);
		if (result != TM_Updated)
			break;
		ReleaseBuffer(buffer);
		tuple.t_self = tmfd.ctid;
	}
	if (result != TM_Ok)
	{
		ReleaseBuffer(buffer);
		if (result == TM_Deleted)
			return false;
		elog(ERROR, "could not lock the chain head of organization " INT64_FORMAT ": %d", org_id, (int) result);
	}
	head->tid = tuple.t_self;
	head->last_no = DatumGetInt64(heap_getattr(&tuple, engine_column(desc, "last_event_no"), desc, &isnull));
	hash = heap_getattr(&tuple, engine_column(desc, "last_hash"), desc, &isnull);
	head->hash_len = isnull ? 0 : VARSIZE_ANY_EXHDR(DatumGetPointer(hash));
	if (head->hash_len > (int) sizeof(head->hash))
		elog(ERROR, "the chain head of organization " INT64_FORMAT " holds no SHA-256 hash", org_id);
	if (!isnull)
		memcpy(head->hash, VARDATA_ANY(DatumGetPointer(hash)), head->hash_len);
	ReleaseBuffer(buffer);
	head->notify = event_writer_notifies(w, org_id);
	return true;
}

/* Does the organisation send its events as NOTIFY (organization.notify_events)? */
bool
event_writer_notifies(EventWriter *w, int64 org_id)
{
	Relation	rel = w->org.rel;
	TupleDesc	desc = RelationGetDescr(rel);
	HeapTupleData tuple;
	Buffer		buffer;
	bool		isnull;
	bool		notify;

	if (!direct_find(rel, org_id, &tuple.t_self) || !heap_fetch(rel, SnapshotSelf, &tuple, &buffer, false))
		return false;
	notify = DatumGetBool(heap_getattr(&tuple, engine_column(desc, "notify_events"), desc, &isnull));
	ReleaseBuffer(buffer);
	return !isnull && notify;
}

/* Start writing events (one flush). */
EventWriter *
event_writer_open(void)
{
	EventWriter *w = palloc0(sizeof(EventWriter));

	w->estate = CreateExecutorState();
	direct_open(&w->event, w->estate, "event", &TTSOpsVirtual);
	direct_open(&w->chain, w->estate, "event_chain", &TTSOpsHeapTuple);
	direct_open(&w->org, w->estate, "organization", &TTSOpsHeapTuple);
	CommandCounterIncrement();	/* the heads this transaction has just written are visible */
	return w;
}

void
event_writer_close(EventWriter *w)
{
	direct_close(&w->event);
	direct_close(&w->chain);
	direct_close(&w->org);
	FreeExecutorState(w->estate);
	pfree(w);
}

/* The descriptor of isms.event, to place the columns of a row. */
TupleDesc
event_writer_desc(EventWriter *w)
{
	return RelationGetDescr(w->event.rel);
}

/*
 * Index entries for the tuple in a table's slot (not needed after a HOT
 * update).  Always as for an insert: the "unchanged by update" hint would
 * need the range table of a real UPDATE.
 */
static void
direct_index(DirectTable *t, EState *estate)
{
	List	   *recheck;

	if (t->rri->ri_NumIndices == 0)
		return;
	recheck = ExecInsertIndexTuples(t->rri, t->slot, estate, false, false, NULL, NIL);
	if (recheck != NIL)
		elog(ERROR, "deferred constraints are not supported on the engine's event tables");
	ResetPerTupleExprContext(estate);
}

/* Insert one event row (values and nulls in the order of isms.event's columns). */
void
event_writer_insert(EventWriter *w, Datum *values, bool *nulls)
{
	TupleTableSlot *slot = w->event.slot;
	int			natts = RelationGetDescr(w->event.rel)->natts;

	ExecClearTuple(slot);
	memcpy(slot->tts_values, values, natts * sizeof(Datum));
	memcpy(slot->tts_isnull, nulls, natts * sizeof(bool));
	ExecStoreVirtualTuple(slot);
	table_tuple_insert(w->event.rel, slot, GetCurrentCommandId(true), 0, NULL);
	direct_index(&w->event, w->estate);
}

/*
 * Advance the chain head at tid (the version the caller locked FOR UPDATE
 * in this transaction) to last_no and hash.
 */
void
event_writer_advance(EventWriter *w, ItemPointer tid, int64 last_no, Datum hash)
{
	Relation	rel = w->chain.rel;
	TupleDesc	desc = RelationGetDescr(rel);
	HeapTupleData oldtup;
	Buffer		buffer;
	HeapTuple	newtup;
	int			attnums[2] = {engine_column(desc, "last_event_no"), engine_column(desc, "last_hash")};
	Datum		values[2] = {Int64GetDatum(last_no), hash};
	bool		nulls[2] = {false, false};

	oldtup.t_self = *tid;
	if (!heap_fetch(rel, SnapshotAny, &oldtup, &buffer, false))
		elog(ERROR, "the locked chain head is gone");
	newtup = heap_modify_tuple_by_cols(&oldtup, desc, 2, attnums, values, nulls);
	ReleaseBuffer(buffer);
	simple_heap_update(rel, tid, newtup);
	if (!HeapTupleIsHeapOnly(newtup))
	{
		ExecClearTuple(w->chain.slot);
		ExecStoreHeapTuple(newtup, w->chain.slot, false);
		w->chain.slot->tts_tid = newtup->t_self;
		direct_index(&w->chain, w->estate);
	}
}
