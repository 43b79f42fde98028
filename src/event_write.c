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
 * (table_tuple_insert, its constraints checked by ExecConstraints, then
 * every index through ExecInsertIndexTuples, so unique, partial and
 * expression indexes behave as for SQL), and the head is replaced in place
 * of the version locked here (simple_heap_update, HOT when no indexed
 * column changes).  The head is found by a primary-key probe and locked
 * with heap_lock_tuple, as SELECT ... FOR UPDATE would, without a
 * statement.  What is skipped is only what the engine's own write never
 * needs: row-level security and privileges (the engine writes as the
 * extension owner), and the append-only triggers, which let the engine's
 * writes through.
 *
 * Where isms.distribute() has spread the database over Citus
 * (distribute_active()), the rows of isms.event and isms.event_chain live
 * in shard relations, and the relations named isms.event and
 * isms.event_chain are empty shells: a direct write would go into the
 * shell, and a probe of it finds no head ("organization 1 does not
 * exist").  There every read and write goes through SQL, which Citus
 * routes to the organisation's shard (executed locally, in this backend,
 * when it runs on the shard's node).  Resolving the shard relation
 * ourselves would tie the engine to Citus' internals for a path whose cost
 * is dominated by the routing anyway (bench/citus.sh).
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
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "nodes/execnodes.h"
#include "storage/bufmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
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
	bool		sql;			/* through SQL: the tables are distributed (see above) */
	EState	   *estate;
	DirectTable event;
	DirectTable chain;
	Relation	org;			/* read only: notify_events */
	/* sql: the rows of the current batch, column by column, in cxt */
	MemoryContext cxt;
	int			nrows;
	int			maxrows;
	Datum	  **cols;
	bool	  **colnulls;
};

static Oid
engine_relid(const char *name)
{
	Oid			relid = get_relname_relid(name, get_namespace_oid("isms", false));

	if (!OidIsValid(relid))
		elog(ERROR, "table isms.%s not found", name);
	return relid;
}

/*
 * Open isms.<name> and its indexes for writing; the slot holds the rows to
 * insert (ops: virtual rows, or heap tuples already formed).
 */
static void
direct_open(DirectTable *t, const char *name, const TupleTableSlotOps *ops)
{
	t->rel = table_open(engine_relid(name), RowExclusiveLock);
	if (t->rel->rd_rel->relkind != RELKIND_RELATION)
		elog(ERROR, "isms.%s is not a plain table", name);
	t->rri = makeNode(ResultRelInfo);
	/* no range table: ExecConstraints then names no inserted columns */
	InitResultRelInfo(t->rri, t->rel, 0, NULL, 0);
	ExecOpenIndices(t->rri, false);
	t->slot = MakeSingleTupleTableSlot(RelationGetDescr(t->rel), ops);
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

/* Run a prepared statement as the engine, its single row in SPI_tuptable. */
static bool
sql_row(SPIPlanPtr *plan, const char *sql, int64 org_id)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(org_id)};

	engine_prepare(plan, sql, 1, argtypes);
	return engine_exec(*plan, values, NULL, true, 1) == SPI_OK_SELECT && SPI_processed == 1;
}

/*
 * Does the organisation's chain head exist?  The check of an
 * organisation's first event in a transaction, without a SQL statement
 * unless the tables are distributed.
 */
bool
event_head_exists(int64 org_id)
{
	static SPIPlanPtr plan = NULL;
	Relation	rel;
	ItemPointerData tid;
	bool		found;

	if (distribute_active())
	{
		SPI_connect();
		found = sql_row(&plan, "SELECT 1 FROM isms.event_chain WHERE org_id OPERATOR(pg_catalog.=) $1", org_id);
		SPI_finish();
		return found;
	}
	rel = table_open(engine_relid("event_chain"), AccessShareLock);
	found = direct_find(rel, org_id, &tid);
	table_close(rel, AccessShareLock);
	return found;
}

/* The head's number and hash from its row. */
static void
head_read(EventHead *head, Datum last_no, Datum hash, bool hash_isnull)
{
	head->last_no = DatumGetInt64(last_no);
	head->hash_len = hash_isnull ? 0 : VARSIZE_ANY_EXHDR(DatumGetPointer(hash));
	if (head->hash_len > (int) sizeof(head->hash))
		elog(ERROR, "the chain head of organization " INT64_FORMAT " holds no SHA-256 hash", head->org_id);
	if (!hash_isnull)
		memcpy(head->hash, VARDATA_ANY(DatumGetPointer(hash)), head->hash_len);
}

/* Does the organisation send its events as NOTIFY (organization.notify_events)? */
static bool
direct_notifies(Relation rel, int64 org_id)
{
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

/*
 * The lock by SQL (distributed tables): SELECT ... FOR UPDATE, then the
 * organisation's notify_events.
 */
static bool
sql_lock(EventHead *head)
{
	static SPIPlanPtr lock_plan = NULL;
	static SPIPlanPtr notify_plan = NULL;
	bool		isnull;
	bool		hash_isnull;
	Datum		last_no;
	Datum		hash;

	if (!sql_row(&lock_plan, "SELECT last_event_no, last_hash FROM isms.event_chain "
				 "WHERE org_id OPERATOR(pg_catalog.=) $1 FOR UPDATE", head->org_id))
		return false;
	last_no = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	hash = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &hash_isnull);
	head_read(head, last_no, hash, hash_isnull);
	SPI_freetuptable(SPI_tuptable);
	head->notify = sql_row(&notify_plan, "SELECT notify_events FROM isms.organization "
						   "WHERE org_id OPERATOR(pg_catalog.=) $1", head->org_id) &&
		DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)) && !isnull;
	SPI_freetuptable(SPI_tuptable);
	return true;
}

/*
 * Lock the organisation's chain head FOR UPDATE, waiting for a writer
 * that holds it, and follow its updates to the latest version (a head is
 * like a sequence: whatever the isolation level, the chain continues
 * from the newest head).  Fills in the head (org_id given); false if there
 * is none.
 */
bool
event_writer_lock(EventWriter *w, EventHead *head)
{
	Relation	rel = w->chain.rel;
	TupleDesc	desc;
	HeapTupleData tuple;
	Buffer		buffer;
	TM_FailureData tmfd;
	TM_Result	result;
	bool		isnull;
	bool		hash_isnull;
	Datum		hash;

	if (w->sql)
		return sql_lock(head);
	desc = RelationGetDescr(rel);
	if (!direct_find(rel, head->org_id, &tuple.t_self))
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
		elog(ERROR, "could not lock the chain head of organization " INT64_FORMAT ": %d", head->org_id, (int) result);
	}
	head->tid = tuple.t_self;
	hash = heap_getattr(&tuple, engine_column(desc, "last_hash"), desc, &hash_isnull);
	head_read(head, heap_getattr(&tuple, engine_column(desc, "last_event_no"), desc, &isnull), hash, hash_isnull);
	ReleaseBuffer(buffer);
	head->notify = direct_notifies(w->org, head->org_id);
	return true;
}

/*
 * Start writing events (one flush).  The caller has pushed a snapshot; in
 * SQL mode it is connected to SPI by us.
 */
EventWriter *
event_writer_open(void)
{
	EventWriter *w = palloc0(sizeof(EventWriter));

	w->cxt = CurrentMemoryContext;
	w->sql = distribute_active();
	if (w->sql)
	{
		/* only the descriptor: the rows are in the shards */
		w->event.rel = table_open(engine_relid("event"), AccessShareLock);
		SPI_connect();
		return w;
	}
	w->estate = CreateExecutorState();
	direct_open(&w->event, "event", &TTSOpsVirtual);
	direct_open(&w->chain, "event_chain", &TTSOpsHeapTuple);
	w->org = table_open(engine_relid("organization"), AccessShareLock);
	CommandCounterIncrement();	/* the heads this transaction has just written are visible */
	return w;
}

void
event_writer_close(EventWriter *w)
{
	if (w->sql)
	{
		SPI_finish();
		table_close(w->event.rel, NoLock);
		pfree(w);
		return;
	}
	direct_close(&w->event);
	direct_close(&w->chain);
	table_close(w->org, NoLock);
	FreeExecutorState(w->estate);
	pfree(w);
}

/* The descriptor of isms.event: event.c fills a row's values in its column order. */
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

/* SQL mode: keep the row for the batch's statement (its Datums live as long as the batch). */
static void
sql_keep(EventWriter *w, Datum *values, bool *nulls)
{
	int			natts = RelationGetDescr(w->event.rel)->natts;
	int			c;

	if (w->nrows == w->maxrows)
	{
		int			max = Max(16, w->maxrows * 2);

		if (w->cols == NULL)
		{
			w->cols = MemoryContextAllocZero(w->cxt, natts * sizeof(Datum *));
			w->colnulls = MemoryContextAllocZero(w->cxt, natts * sizeof(bool *));
		}
		for (c = 0; c < natts; c++)
		{
			w->cols[c] = w->cols[c] ? repalloc(w->cols[c], max * sizeof(Datum)) :
				MemoryContextAlloc(w->cxt, max * sizeof(Datum));
			w->colnulls[c] = w->colnulls[c] ? repalloc(w->colnulls[c], max * sizeof(bool)) :
				MemoryContextAlloc(w->cxt, max * sizeof(bool));
		}
		w->maxrows = max;
	}
	for (c = 0; c < natts; c++)
	{
		w->cols[c][w->nrows] = values[c];
		w->colnulls[c][w->nrows] = nulls[c];
	}
	w->nrows++;
}

/*
 * Write one event row (values and nulls in the order of isms.event's
 * columns; every column is given, defaults do not apply).
 */
void
event_writer_insert(EventWriter *w, Datum *values, bool *nulls)
{
	TupleTableSlot *slot = w->event.slot;
	int			natts = RelationGetDescr(w->event.rel)->natts;

	if (w->sql)
	{
		sql_keep(w, values, nulls);
		return;
	}
	ExecClearTuple(slot);
	memcpy(slot->tts_values, values, natts * sizeof(Datum));
	memcpy(slot->tts_isnull, nulls, natts * sizeof(bool));
	ExecStoreVirtualTuple(slot);
	if (w->event.rel->rd_att->constr)
		ExecConstraints(w->event.rri, slot, w->estate);
	table_tuple_insert(w->event.rel, slot, GetCurrentCommandId(true), 0, NULL);
	direct_index(&w->event, w->estate);
}

/*
 * The statement of SQL mode, from isms.event's descriptor: the batch's rows
 * as one array per column ($4...; org_id is $1), inserted in a CTE whose
 * statement advances the head to $2 and $3 -- one statement per batch, the
 * shape Citus routes to the organisation's shard.
 */
static char *
sql_statement(TupleDesc desc, Oid *argtypes, int *nargs)
{
	StringInfoData cols;
	StringInfoData sel;
	StringInfoData from;
	StringInfoData alias;
	int			c;

	initStringInfo(&cols);
	initStringInfo(&sel);
	initStringInfo(&from);
	initStringInfo(&alias);
	argtypes[0] = INT8OID;
	argtypes[1] = INT8OID;
	argtypes[2] = BYTEAOID;
	*nargs = 3;
	for (c = 0; c < desc->natts; c++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, c);
		const char *sep = cols.len ? ", " : "";

		if (att->attisdropped)
			continue;
		appendStringInfo(&cols, "%s%s", sep, quote_identifier(NameStr(att->attname)));
		if (strcmp(NameStr(att->attname), "org_id") == 0)
		{
			appendStringInfo(&sel, "%s$1", sep);
			continue;
		}
		argtypes[*nargs] = get_array_type(att->atttypid);
		(*nargs)++;
		appendStringInfo(&sel, "%su.c%d", sep, c);
		appendStringInfo(&from, "%spg_catalog.unnest($%d)", from.len ? ", " : "", *nargs);
		appendStringInfo(&alias, "%sc%d", alias.len ? ", " : "", c);
	}
	return psprintf("WITH e AS (INSERT INTO isms.event (%s) SELECT %s FROM ROWS FROM (%s) AS u (%s)) "
					"UPDATE isms.event_chain SET last_event_no = $2, last_hash = $3 "
					"WHERE org_id OPERATOR(pg_catalog.=) $1", cols.data, sel.data, from.data, alias.data);
}

/* SQL mode: write the batch's rows and advance the head, in one statement. */
static void
sql_write(EventWriter *w, EventHead *head, Datum hash)
{
	static SPIPlanPtr plan = NULL;
	TupleDesc	desc = RelationGetDescr(w->event.rel);
	Oid		   *argtypes = palloc((desc->natts + 3) * sizeof(Oid));
	Datum	   *values = palloc((desc->natts + 3) * sizeof(Datum));
	int			nargs;
	int			c;
	int			k = 3;

	if (plan == NULL)
	{
		char	   *sql = sql_statement(desc, argtypes, &nargs);

		engine_prepare(&plan, sql, nargs, argtypes);
	}
	values[0] = Int64GetDatum(head->org_id);
	values[1] = Int64GetDatum(head->last_no);
	values[2] = hash;
	for (c = 0; c < desc->natts; c++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, c);
		int			dims[1] = {w->nrows};
		int			lbs[1] = {1};

		if (att->attisdropped || strcmp(NameStr(att->attname), "org_id") == 0)
			continue;
		values[k++] = PointerGetDatum(construct_md_array(w->cols[c], w->colnulls[c], 1, dims, lbs,
														 att->atttypid, att->attlen, att->attbyval,
														 att->attalign));
	}
	if (engine_exec(plan, values, NULL, true, 0) != SPI_OK_UPDATE || SPI_processed != 1)
		elog(ERROR, "could not append the events of organization " INT64_FORMAT, head->org_id);
	w->nrows = 0;
}

/*
 * Advance the chain head (locked by event_writer_lock in this flush) to
 * its last_no and hash: after each batch of events written, whose rows
 * SQL mode writes now.
 */
void
event_writer_advance(EventWriter *w, EventHead *head)
{
	Relation	rel = w->chain.rel;
	TupleDesc	desc;
	HeapTupleData oldtup;
	Buffer		buffer;
	HeapTuple	newtup;
	int			attnums[2];
	Datum		values[2];
	bool		nulls[2] = {false, false};
	bytea	   *hash = palloc(VARHDRSZ + head->hash_len);

	SET_VARSIZE(hash, VARHDRSZ + head->hash_len);
	memcpy(VARDATA(hash), head->hash, head->hash_len);
	if (w->sql)
	{
		sql_write(w, head, PointerGetDatum(hash));
		return;
	}
	desc = RelationGetDescr(rel);
	attnums[0] = engine_column(desc, "last_event_no");
	attnums[1] = engine_column(desc, "last_hash");
	values[0] = Int64GetDatum(head->last_no);
	values[1] = PointerGetDatum(hash);
	oldtup.t_self = head->tid;
	if (!heap_fetch(rel, SnapshotAny, &oldtup, &buffer, false))
		elog(ERROR, "the locked chain head is gone");
	newtup = heap_modify_tuple_by_cols(&oldtup, desc, 2, attnums, values, nulls);
	ReleaseBuffer(buffer);
	simple_heap_update(rel, &head->tid, newtup);
	if (!HeapTupleIsHeapOnly(newtup))
	{
		ExecClearTuple(w->chain.slot);
		ExecStoreHeapTuple(newtup, w->chain.slot, false);
		w->chain.slot->tts_tid = newtup->t_self;
		direct_index(&w->chain, w->estate);
	}
	/* the next batch advances this new version */
	head->tid = newtup->t_self;
	CommandCounterIncrement();
}
