/*-------------------------------------------------------------------------
 *
 * model_cache.c
 *	  Memory, bounds and invalidation of the per-backend model cache.
 *
 * The cache (read by model.c) has a shared part and one entry per
 * organisation.  The shared part holds the PRM as shipped: its process
 * models, process codes, work products and the lifecycles.  Most
 * organisations never tailor, and they all use that one copy; an
 * organisation's entry then holds only what is its own: whether it is
 * tailored, the processes it excluded and the roles of up to two
 * identities in it (about 150 bytes).  A tailored organisation's entry also
 * owns a memory context with its own process models, names and work
 * products.
 *
 * Bounds.  At most MODEL_MAX_ORGS entries are kept, in LRU order: a new
 * entry beyond the bound evicts the least recently used one.  The tailored
 * organisations' contexts together stay under MODEL_TAILORED_BYTES
 * (MemoryContextMemAllocated): past it, the least recently used tailored
 * models are dropped, and the organisation's entry stays.  Everything
 * evicted is read again when it is needed, so eviction changes no answer,
 * only the number of catalog queries.  Memory a caller may still point to
 * (a model of an organisation used by the current transaction) is handed
 * to TopTransactionContext and freed when the transaction ends; memory the
 * current transaction has not used is freed at once.  So a single
 * transaction that works through more tailored organisations than fit the
 * budget holds those it evicted until it ends.
 *
 * Invalidation names the organisation.  A row trigger on every tailoring
 * and membership table (isms.model_changed_trigger) registers, for the
 * organisation of the old and of the new row, a relcache invalidation of
 * the pseudo relation ORG_INVAL_BASE + org_id mod ORG_INVAL_RANGE, through
 * CacheInvalidateRelcacheByTuple with a pg_class tuple made for the purpose
 * (the function reads only its oid and relisshared).  No relation has such
 * an OID unless the cluster's OID counter has run past 4,026,531,840; if one
 * does, its invalidations also drop an organisation's entry, and ours make
 * the relcache look up an entry it does not have: both are only extra work.
 * The message travels by PostgreSQL's own transactional machinery: applied
 * locally at the end of the command, discarded with an aborted
 * (sub)transaction, sent to every backend of the database at commit and
 * replayed on hot standbys.  The callback below marks the named entry stale
 * and the next lookup of that organisation reads it again; every other
 * organisation's entries and the shared part stay.  Alternatives rejected:
 * a per-organisation generation counter in a table costs a query per
 * lookup, or per organisation after any change anywhere; shared memory
 * needs shared_preload_libraries, which the extension does not require.
 *
 * Changes to the PRM (rows without org_id), to the transition tables, a
 * TRUNCATE, a relcache invalidation of isms.process and a reset of the
 * invalidation queue still drop the whole cache.  So does a transaction
 * that changes rows of more than MODEL_INVAL_ORGS_PER_XACT organisations,
 * past the first ones (a bulk load or an organisation's deletion with
 * thousands of rows): one message per command instead of one per row,
 * which could overflow the shared invalidation queue and make every
 * backend reset all of its caches.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "commands/trigger.h"
#include "storage/proc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "engine.h"
#include "model_cache.h"

PG_FUNCTION_INFO_V1(model_changed_trigger);

#define MODEL_MAX_ORGS 8192
#define MODEL_TAILORED_BYTES (4 * 1024 * 1024)
#define MODEL_INVAL_ORGS_PER_XACT 64
#define ORG_INVAL_BASE ((Oid) 0xF0000000)
#define ORG_INVAL_RANGE ((uint64) 0x10000000)

#if PG_VERSION_NUM >= 170000
#define CURRENT_LXID (MyProc->vxid.lxid)
#else
#define CURRENT_LXID (MyProc->lxid)
#endif

MemoryContext model_cxt = NULL;
static MemoryContext tailored_cxt = NULL;	/* parent of the tailored organisations' contexts */
static LocalTransactionId model_used_in = InvalidLocalTransactionId;
static bool model_stale = true;
static Oid	process_relid = InvalidOid;
static HTAB *org_cache = NULL;
static dlist_head org_lru;
static bool org_ids_alias = false;	/* an org_id outside [0, ORG_INVAL_RANGE) is cached */

/* The pseudo relation whose invalidation names an organisation, less ORG_INVAL_BASE. */
static uint32
org_slot(int64 org_id)
{
	return (uint32) ((uint64) org_id % ORG_INVAL_RANGE);
}

/* Mark the entries of the organisations an invalidation names (callback: no allocation). */
static void
model_org_mark_stale(uint32 slot)
{
	int64		org_id = slot;
	OrgCache   *org = hash_search(org_cache, &org_id, HASH_FIND, NULL);
	HASH_SEQ_STATUS seq;

	if (org != NULL)
		org->stale = true;
	if (!org_ids_alias)
		return;
	hash_seq_init(&seq, org_cache);
	while ((org = hash_seq_search(&seq)) != NULL)
		if (org_slot(org->org_id) == slot)
			org->stale = true;
}

/* Relcache callback: isms.process (or everything) drops the cache, a pseudo relation one organisation. */
static void
model_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == process_relid)
		model_stale = true;
	else if (relid >= ORG_INVAL_BASE && org_cache != NULL)
		model_org_mark_stale(relid - ORG_INVAL_BASE);
}

/* Called once from _PG_init. */
void
model_register_callbacks(void)
{
	CacheRegisterRelcacheCallback(model_relcache_callback, (Datum) 0);
}

/*
 * Let go of cache memory: freed now unless the current transaction used it
 * (a caller up the stack may still point into it), else with the transaction.
 */
static void
model_release_context(MemoryContext cxt, LocalTransactionId used_in)
{
	if (used_in == CURRENT_LXID)
		MemoryContextSetParent(cxt, TopTransactionContext);
	else
		MemoryContextDelete(cxt);
}

/*
 * Called by every lookup: starts an empty cache if there is none, if it is
 * stale or if restart is set, and notes that this transaction uses it.
 * True if the cache was started.
 */
bool
model_cache_begin(bool restart)
{
	HASHCTL		ctl;

	if (!restart && !model_stale && model_cxt != NULL)
	{
		model_used_in = CURRENT_LXID;
		return false;
	}
	org_cache = NULL;
	if (model_cxt != NULL)
		model_release_context(model_cxt, model_used_in);
	model_stale = false;
	model_used_in = CURRENT_LXID;
	model_cxt = AllocSetContextCreate(CacheMemoryContext, "isms27022 model cache", ALLOCSET_DEFAULT_SIZES);
	tailored_cxt = AllocSetContextCreate(model_cxt, "isms27022 tailored models", ALLOCSET_SMALL_SIZES);
	ctl.keysize = sizeof(int64);
	ctl.entrysize = sizeof(OrgCache);
	ctl.hcxt = model_cxt;
	org_cache = hash_create("isms27022 organizations", 256, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	dlist_init(&org_lru);
	org_ids_alias = false;
	/* last: the lookup may process invalidations, and model_stale then stays set */
	process_relid = get_relname_relid("process", get_namespace_oid("isms", false));
	return true;
}

/* Drop a tailored organisation's models, names and work products. */
static void
model_org_drop_models(OrgCache *org)
{
	if (org->cxt != NULL)
		model_release_context(org->cxt, org->used_in);
	org->cxt = NULL;
	org->models = NIL;
	org->names = NIL;
	org->work_products = NIL;
}

/* Forget everything about an organisation. */
static void
model_org_reset(OrgCache *org)
{
	model_org_drop_models(org);
	if (org->excluded != NULL)
		pfree(org->excluded);
	org->excluded = NULL;
	org->nexcluded = 0;
	if (org->cycles != NULL)
		pfree(org->cycles);
	org->cycles = NULL;
	org->ncycles = 0;
	org->loaded = false;
	org->rules_loaded = false;
	org->tailored = false;
	org->stale = false;
	org->next_slot = 0;
	memset(org->members, 0, sizeof(org->members));
}

/*
 * The entry of an organisation for a lookup: created empty if it is not
 * cached, reset if an invalidation named it, made the most recently used.
 * A new entry beyond MODEL_MAX_ORGS evicts the least recently used one.
 */
OrgCache *
model_org(int64 org_id)
{
	bool		found;
	OrgCache   *org = hash_search(org_cache, &org_id, HASH_ENTER, &found);

	if (!found)
	{
		memset(org, 0, sizeof(OrgCache));
		org->org_id = org_id;
		dlist_push_head(&org_lru, &org->lru);
		org_ids_alias |= (uint64) org_id >= ORG_INVAL_RANGE;
	}
	else
	{
		if (org->stale)
			model_org_reset(org);
		dlist_move_head(&org_lru, &org->lru);
	}
	org->used_in = CURRENT_LXID;
	if (!found && hash_get_num_entries(org_cache) > MODEL_MAX_ORGS)
	{
		OrgCache   *victim = dlist_tail_element(OrgCache, lru, &org_lru);

		model_org_reset(victim);
		dlist_delete(&victim->lru);
		hash_search(org_cache, &victim->org_id, HASH_REMOVE, NULL);
	}
	return org;
}

/* The context of a tailored organisation's models, created when first needed. */
MemoryContext
model_org_context(OrgCache *org)
{
	if (org->cxt == NULL)
	{
		org->cxt = AllocSetContextCreate(tailored_cxt, "isms27022 organization", ALLOCSET_SMALL_SIZES);
		MemoryContextSetIdentifier(org->cxt, MemoryContextStrdup(org->cxt, psprintf(INT64_FORMAT, org->org_id)));
	}
	return org->cxt;
}

/* Keep the tailored models under MODEL_TAILORED_BYTES: drop the least recently used but keep's. */
void
model_org_trim(OrgCache *keep)
{
	Size		allocated = MemoryContextMemAllocated(tailored_cxt, true);
	dlist_iter	iter;

	dlist_reverse_foreach(iter, &org_lru)
	{
		OrgCache   *org = dlist_container(OrgCache, lru, iter.cur);

		if (allocated <= MODEL_TAILORED_BYTES)
			break;
		if (org == keep || org->cxt == NULL)
			continue;
		allocated -= MemoryContextMemAllocated(org->cxt, true);
		model_org_drop_models(org);
	}
}

/* Register an invalidation of a relation that need not exist (see the file header). */
static void
model_send_invalidation(Oid relid)
{
	HeapTupleData tuple;
	Form_pg_class form;
	Size		hoff = MAXALIGN(SizeofHeapTupleHeader);

	memset(&tuple, 0, sizeof(tuple));
	tuple.t_len = hoff + sizeof(FormData_pg_class);
	tuple.t_data = palloc0(tuple.t_len);
	tuple.t_data->t_hoff = hoff;
	form = (Form_pg_class) GETSTRUCT(&tuple);
	form->oid = relid;
	form->relisshared = false;
	CacheInvalidateRelcacheByTuple(&tuple);
	pfree(tuple.t_data);
}

/*
 * Every backend drops what it caches about organisation org_id when this
 * transaction commits (this backend: at the end of the command); org_id 0
 * (the PRM), or any organisation past the first MODEL_INVAL_ORGS_PER_XACT
 * a transaction names, drops every backend's whole cache.
 */
static void
model_invalidate_org(int64 org_id)
{
	static TransactionId xid = InvalidTransactionId;
	static int	named = 0;
	TransactionId top = GetTopTransactionIdIfAny();

	if (top != xid)
	{
		xid = top;
		named = 0;
	}
	if (org_id != 0 && named < MODEL_INVAL_ORGS_PER_XACT)
	{
		named++;
		model_send_invalidation(ORG_INVAL_BASE + org_slot(org_id));
	}
	else
		CacheInvalidateRelcacheByRelid(get_relname_relid("process", get_namespace_oid("isms", false)));
}

/*
 * isms.model_changed_trigger: AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW
 * on the tailoring and membership tables (the old and the new row's
 * organisation), or AFTER ... FOR EACH STATEMENT (everything: the
 * transition tables, TRUNCATE, and 0.1.0's definitions before the update).
 */
Datum
model_changed_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	bool		row = CALLED_AS_TRIGGER(fcinfo) && TRIGGER_FIRED_FOR_ROW(td->tg_event);
	TupleDesc	desc;
	int64		old_org;

	engine_check_trigger(fcinfo, "model_changed_trigger", false, row);
	if (!row)
	{
		model_invalidate_org(0);
		return PointerGetDatum(NULL);
	}
	desc = RelationGetDescr(td->tg_relation);
	old_org = engine_row_org(td->tg_trigtuple, desc);
	model_invalidate_org(old_org);
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event) && engine_row_org(td->tg_newtuple, desc) != old_org)
		model_invalidate_org(engine_row_org(td->tg_newtuple, desc));
	return PointerGetDatum(NULL);
}
