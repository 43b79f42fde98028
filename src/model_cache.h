/*-------------------------------------------------------------------------
 *
 * model_cache.h
 *	  The memory of the per-backend model cache and its per-organisation
 *	  entries (model_cache.c), shared with the catalog reader (model.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef ISMS_MODEL_CACHE_H
#define ISMS_MODEL_CACHE_H

#include "lib/ilist.h"
#include "nodes/pg_list.h"

/* what one role is in the organisation: a constant string, or NULL (not a member) */
typedef struct MemberSlot
{
	Oid			role;			/* InvalidOid: slot unused */
	const char *org_role;
} MemberSlot;

#define ORG_MEMBER_SLOTS 2

/* an organisation's own review cycle and retention of a work product; -1: the work product's own */
typedef struct WorkProductCycle
{
	int32		work_product_id;
	int32		review_months;
	int32		retention_months;
} WorkProductCycle;

/*
 * What the cache holds about one organisation.  An organisation without
 * tailoring rows keeps no models of its own: its lookups go to the shared
 * PRM models.  A tailored one keeps its models, names and work products in
 * cxt, created when the first of them is read.
 */
typedef struct OrgCache
{
	int64		org_id;			/* hash key */
	dlist_node	lru;			/* in the LRU list, most recently used first */
	LocalTransactionId used_in; /* the transaction that used it last */
	bool		stale;			/* an invalidation named the organisation */
	bool		loaded;			/* tailored is read */
	bool		rules_loaded;	/* excluded and cycles are read */
	bool		tailored;		/* has catalog rows of its own */
	int			nexcluded;
	int32	   *excluded;		/* processes declared not applicable */
	int			ncycles;
	WorkProductCycle *cycles;	/* isms.work_product_cycle, by work_product_id */
	int			next_slot;
	MemberSlot	members[ORG_MEMBER_SLOTS];
	MemoryContext cxt;			/* tailored only: what follows */
	List	   *models;			/* ProcessModel * */
	List	   *names;			/* OrgName * */
	List	   *work_products;	/* WorkProduct * */
} OrgCache;

/* the shared part of the cache (PRM models, names, states) lives in model_cxt */
extern MemoryContext model_cxt;
extern bool model_cache_begin(bool restart);
extern OrgCache *model_org(int64 org_id);
extern MemoryContext model_org_context(OrgCache *org);
extern void model_org_trim(OrgCache *keep);

#endif							/* ISMS_MODEL_CACHE_H */
