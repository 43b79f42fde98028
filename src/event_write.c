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
 * version (simple_heap_update, HOT when no indexed column changes).  What
 * is skipped is only what the engine's own write never needs: row-level
 * security and privileges (the engine writes as the extension owner),
 * and the append-only triggers, which let the engine's writes through.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "executor/executor.h"
#include "nodes/execnodes.h"
#include "storage/bufmgr.h"
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

/* Start writing events (one flush). */
EventWriter *
event_writer_open(void)
{
	EventWriter *w = palloc0(sizeof(EventWriter));

	w->estate = CreateExecutorState();
	direct_open(&w->event, w->estate, "event", &TTSOpsVirtual);
	direct_open(&w->chain, w->estate, "event_chain", &TTSOpsHeapTuple);
	return w;
}

void
event_writer_close(EventWriter *w)
{
	direct_close(&w->event);
	direct_close(&w->chain);
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
