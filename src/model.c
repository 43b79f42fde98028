/*-------------------------------------------------------------------------
 *
 * model.c
 *	  Per-backend cache of the process reference model: what it reads.
 *
 * The rules consult the catalog on every write, so the catalog is read
 * through SPI once and kept: processes as each organisation sees them (the
 * PRM plus its tailoring), process codes and work-product keys, work
 * products, and the roles of identities in organisations (lifecycle.c
 * caches the lifecycles).  Where that is kept, how much of it and for how long is
 * model_cache.c's: an organisation without tailoring reads and shares the
 * PRM's scope (one copy for all of them), a tailored one has a scope of its
 * own, and invalidation names the organisation that changed.
 *
 * Every read runs as the extension owner in its own SPI connection, under
 * the latest snapshot (not the statement's), so that a read that follows
 * an invalidation sees the change that sent it, also in a REPEATABLE READ
 * transaction.  A read looks nothing up (its queries run as a superuser on
 * plain tables: no row-level security, no trigger), so the entry it fills
 * cannot be evicted under it; an invalidation that arrives during a read
 * marks what it fills stale, and the next lookup reads it again.  Pointers
 * a lookup returns stay valid until the end of the transaction.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "miscadmin.h"

#include "engine.h"
#include "model_cache.h"

#define MODEL_NAME_LEN 64

/* the names a scope resolves to ids */
typedef enum NameKind
{
	NAME_PROCESS_CODE, NAME_WORK_PRODUCT_KEY,
	NAME_NKINDS
} NameKind;

typedef struct ScopeName
{
	NameKind	kind;
	int32		id;
	char		name[MODEL_NAME_LEN];
} ScopeName;

static OrgCache *prm_scope = NULL;	/* the PRM's scope, in model_cxt */
static MemoryContext read_cxt = NULL;	/* where the running read allocates */

static const char *const org_roles[] = {"admin", "manager", "contributor", "auditor", "reader"};

#define VISIBLE_TO_ORG "(org_id IS NULL OR org_id OPERATOR(pg_catalog.=) $1)"

static const char *const name_sql[NAME_NKINDS] = {
	"SELECT process_id FROM isms.process WHERE code OPERATOR(isms.=) $2::isms.clause AND " VISIBLE_TO_ORG,
	"SELECT work_product_id FROM isms.work_product WHERE key OPERATOR(pg_catalog.=) $2 AND " VISIBLE_TO_ORG
};

static SPIPlanPtr plan_process = NULL;
static SPIPlanPtr plan_activities = NULL;
static SPIPlanPtr plan_inputs = NULL;
static SPIPlanPtr plan_activity_inputs = NULL;
static SPIPlanPtr plan_outputs = NULL;
static SPIPlanPtr plan_names[NAME_NKINDS] = {NULL, NULL};
static SPIPlanPtr plan_work_product = NULL;
static SPIPlanPtr plan_org = NULL;
static SPIPlanPtr plan_org_rules = NULL;
static SPIPlanPtr plan_org_rules_no_cycles = NULL;

/*
 * Whether an organisation tailored: the catalog tables only (reference
 * tables on a distributed database, so the read stays on this node: the
 * name lookups of the API on a Citus coordinator need nothing else).
 */
#define ORG_SQL \
	"SELECT EXISTS (SELECT FROM isms.process WHERE org_id OPERATOR(pg_catalog.=) $1) " \
	"OR EXISTS (SELECT FROM isms.work_product WHERE org_id OPERATOR(pg_catalog.=) $1) " \
	"OR EXISTS (SELECT FROM isms.activity WHERE org_id OPERATOR(pg_catalog.=) $1) " \
	"OR EXISTS (SELECT FROM isms.process_input WHERE org_id OPERATOR(pg_catalog.=) $1) " \
	"OR EXISTS (SELECT FROM isms.activity_input WHERE org_id OPERATOR(pg_catalog.=) $1) " \
	"OR EXISTS (SELECT FROM isms.process_output WHERE org_id OPERATOR(pg_catalog.=) $1)"
/*
 * What it excluded and (below) its review cycles: read when a rule first
 * asks (on Citus, on the node of the organisation's shard, where the rules
 * run; a read from the coordinator as the engine would use a connection of
 * its own to shards the caller's connection may have written).
 */
#define ORG_RULES_SQL \
	"SELECT ARRAY(SELECT process_id FROM isms.process_exclusion WHERE org_id OPERATOR(pg_catalog.=) $1), "
/* an organisation's review cycles as (work_product_id, review_months, retention_months) triples, -1 for NULL */
#define ORG_CYCLES_SQL \
	"ARRAY(SELECT u.v FROM isms.work_product_cycle c CROSS JOIN LATERAL pg_catalog.unnest(" \
	"ARRAY[c.work_product_id, COALESCE(c.review_months, -1), COALESCE(c.retention_months, -1)]) " \
	"WITH ORDINALITY u (v, n) WHERE c.org_id OPERATOR(pg_catalog.=) $1 ORDER BY c.work_product_id, u.n)"
static SPIPlanPtr plan_member = NULL;

/*
 * Run a catalog read (stmt) as the extension owner inside its own SPI
 * connection, under the latest snapshot (a parallel worker cannot take one
 * and keeps the query's).  What the read keeps it allocates in read_cxt.
 */
#define WITH_CATALOG_ACCESS(cxt, stmt) \
	do { \
		EngineSaved saved_; \
		read_cxt = (cxt); \
		engine_begin_internal(&saved_); \
		SPI_connect(); \
		if (!IsInParallelMode()) \
			PushActiveSnapshot(GetLatestSnapshot()); \
		stmt; \
		if (!IsInParallelMode()) \
			PopActiveSnapshot(); \
		SPI_finish(); \
		engine_end_internal(&saved_); \
	} while (0)

/* Start a fresh cache if the current one is stale; the PRM's scope comes first. */
static void
model_ensure_fresh(void)
{
	if (!model_cache_begin(false))
		return;
	prm_scope = MemoryContextAllocZero(model_cxt, sizeof(OrgCache));
	prm_scope->loaded = true;
	prm_scope->cxt = model_cxt;
}

/* Run a prepared read-only catalog query with (org_id, id) as arguments; idtype InvalidOid: (org_id) alone. */
static void
model_query(SPIPlanPtr *plan, const char *sql, int64 org_id, Oid idtype, Datum id)
{
	Oid			argtypes[2] = {INT8OID, idtype};
	Datum		values[2] = {Int64GetDatum(org_id), id};

	engine_prepare(plan, sql, OidIsValid(idtype) ? 2 : 1, argtypes);
	if (SPI_execute_plan(*plan, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "catalog query failed: %s", sql);
}

static char *
model_text(int row, int col)
{
	char	   *s = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);

	return s ? MemoryContextStrdup(read_cxt, s) : NULL;
}

static int32
model_int(int row, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &isnull);

	return isnull ? 0 : DatumGetInt32(d);
}

static int64
model_int64(int row, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &isnull);

	return isnull ? 0 : DatumGetInt64(d);
}

static bool
model_bool(int row, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &isnull);

	return !isnull && DatumGetBool(d);
}

/* Read one process as organisation org_id sees it; NULL if it does not exist. */
static ProcessModel *
model_load_process(int64 org_id, int32 process_id)
{
	ProcessModel *pm;
	Datum		id = Int32GetDatum(process_id);
	uint64		i;

	model_query(&plan_process,
				"SELECT code::pg_catalog.text, name FROM isms.process "
				"WHERE process_id OPERATOR(pg_catalog.=) $2 AND " VISIBLE_TO_ORG,
				org_id, INT4OID, id);
	if (SPI_processed == 0)
		return NULL;
	pm = MemoryContextAllocZero(read_cxt, sizeof(ProcessModel));
	pm->org_id = org_id;
	pm->process_id = process_id;
	pm->code = model_text(0, 1);
	pm->name = model_text(0, 2);

	model_query(&plan_activities,
				"SELECT activity_no, optional, name FROM isms.activity "
				"WHERE process_id OPERATOR(pg_catalog.=) $2 AND " VISIBLE_TO_ORG " ORDER BY activity_no",
				org_id, INT4OID, id);
	pm->nactivities = (int) SPI_processed;
	pm->activities = MemoryContextAllocZero(read_cxt, sizeof(ModelActivity) * (SPI_processed + 1));
	for (i = 0; i < SPI_processed; i++)
	{
		pm->activities[i].activity_no = model_int(i, 1);
		pm->activities[i].optional = model_bool(i, 2);
		pm->activities[i].name = model_text(i, 3);
	}

	model_query(&plan_inputs,
				"SELECT work_product_id, requirement::pg_catalog.text, input_group FROM isms.process_input "
				"WHERE process_id OPERATOR(pg_catalog.=) $2 AND " VISIBLE_TO_ORG " ORDER BY process_input_id",
				org_id, INT4OID, id);
	pm->ninputs = (int) SPI_processed;
	pm->inputs = MemoryContextAllocZero(read_cxt, sizeof(ModelInput) * (SPI_processed + 1));
	for (i = 0; i < SPI_processed; i++)
	{
		char	   *req = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);

		pm->inputs[i].work_product_id = model_int(i, 1);
		pm->inputs[i].requirement = strcmp(req, "required") == 0 ? INPUT_REQUIRED :
			strcmp(req, "group") == 0 ? INPUT_GROUP : INPUT_OPTIONAL;
		pm->inputs[i].input_group = model_text(i, 3);
	}

	model_query(&plan_activity_inputs,
				"SELECT activity_no, work_product_id FROM isms.activity_input "
				"WHERE process_id OPERATOR(pg_catalog.=) $2 AND " VISIBLE_TO_ORG " ORDER BY activity_input_id",
				org_id, INT4OID, id);
	pm->nactivity_inputs = (int) SPI_processed;
	pm->activity_inputs = MemoryContextAllocZero(read_cxt, sizeof(ModelActivityInput) * (SPI_processed + 1));
	for (i = 0; i < SPI_processed; i++)
	{
		pm->activity_inputs[i].activity_no = model_int(i, 1);
		pm->activity_inputs[i].work_product_id = model_int(i, 2);
	}

	model_query(&plan_outputs,
				"SELECT work_product_id, required, activity_no FROM isms.process_output "
				"WHERE process_id OPERATOR(pg_catalog.=) $2 AND " VISIBLE_TO_ORG " ORDER BY process_output_id",
				org_id, INT4OID, id);
	pm->noutputs = (int) SPI_processed;
	pm->outputs = MemoryContextAllocZero(read_cxt, sizeof(ModelOutput) * (SPI_processed + 1));
	for (i = 0; i < SPI_processed; i++)
	{
		pm->outputs[i].work_product_id = model_int(i, 1);
		pm->outputs[i].required = model_bool(i, 2);
		pm->outputs[i].activity_no = model_int(i, 3);
	}
	return pm;
}

/* Read an organisation's review cycles (flattened triples, see ORG_CYCLES_SQL) into its entry. */
static void
model_read_cycles(OrgCache *org, Datum flat)
{
	Datum	   *elems;
	int			n;
	int			i;

	deconstruct_array(DatumGetArrayTypeP(flat), INT4OID, sizeof(int32), true, TYPALIGN_INT, &elems, NULL, &n);
	org->ncycles = n / 3;
	org->cycles = MemoryContextAlloc(read_cxt, sizeof(WorkProductCycle) * (org->ncycles + 1));
	for (i = 0; i < org->ncycles; i++)
	{
		org->cycles[i].work_product_id = DatumGetInt32(elems[3 * i]);
		org->cycles[i].review_months = DatumGetInt32(elems[3 * i + 1]);
		org->cycles[i].retention_months = DatumGetInt32(elems[3 * i + 2]);
	}
}

/* Read whether an organisation has tailoring rows into its entry. */
static void
model_read_org(OrgCache *org)
{
	bool		tailored = false;

	WITH_CATALOG_ACCESS(model_cxt,
						model_query(&plan_org, ORG_SQL, org->org_id, InvalidOid, (Datum) 0);
						tailored = model_bool(0, 1));
	org->tailored = tailored;
	org->loaded = true;
}

/*
 * Read what an organisation excluded and its review cycles
 * (isms.work_product_cycle: neither makes it tailored, the models stay
 * shared) into its entry.
 */
static void
model_read_org_rules(OrgCache *org)
{
	bool		isnull;
	Datum	   *elems;
	int			n = 0;
	int32	   *excluded = NULL;
	int			i;
	bool		with_cycles;

	if (org->excluded != NULL)
		pfree(org->excluded);
	if (org->cycles != NULL)
		pfree(org->cycles);
	org->excluded = NULL;
	org->cycles = NULL;
	org->ncycles = 0;
	/* the table comes with piece 190: an upgrade runs the pieces before it with this library */
	with_cycles = OidIsValid(get_relname_relid("work_product_cycle", get_namespace_oid("isms", false)));
	WITH_CATALOG_ACCESS(model_cxt,
						model_query(with_cycles ? &plan_org_rules : &plan_org_rules_no_cycles,
									with_cycles ? ORG_RULES_SQL ORG_CYCLES_SQL : ORG_RULES_SQL "'{}'::pg_catalog.int4[]",
									org->org_id, InvalidOid, (Datum) 0);
						deconstruct_array(DatumGetArrayTypeP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)),
										  INT4OID, sizeof(int32), true, TYPALIGN_INT, &elems, NULL, &n);
						excluded = MemoryContextAlloc(read_cxt, sizeof(int32) * (n + 1));
						for (i = 0; i < n; i++)
						excluded[i] = DatumGetInt32(elems[i]);
						model_read_cycles(org, SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)));
	org->nexcluded = n;
	org->excluded = excluded;
	org->rules_loaded = true;
}

/*
 * The entry of an organisation, with whether it tailored read, and with
 * rules, what it excluded and its review cycles.
 */
static OrgCache *
model_org_read(int64 org_id, bool rules)
{
	OrgCache   *org = model_org(org_id);

	if (!org->loaded)
		model_read_org(org);
	if (rules && !org->rules_loaded)
		model_read_org_rules(org);
	return org;
}

/*
 * Where the lookups of an organisation are kept: its own entry if it has
 * tailored the PRM, otherwise the PRM's scope, shared by every such
 * organisation (and by org_id 0, the PRM itself).
 */
static OrgCache *
model_scope(int64 org_id)
{
	OrgCache   *org;

	if (org_id == 0)
		return prm_scope;
	org = model_org_read(org_id, false);
	return org->tailored ? org : prm_scope;
}

/* Keep what a read found (allocated in the scope's memory) in one of the scope's lists. */
static void
model_keep(OrgCache *scope, List **list, void *item)
{
	MemoryContext old = MemoryContextSwitchTo(scope->cxt);

	*list = lappend(*list, item);
	MemoryContextSwitchTo(old);
	model_org_trim(scope);
}

/* A process as organisation org_id sees it, or NULL if there is none. */
const ProcessModel *
model_process(int64 org_id, int32 process_id)
{
	OrgCache   *scope;
	ProcessModel *pm;
	ListCell   *lc;

	model_ensure_fresh();
	scope = model_scope(org_id);
	foreach(lc, scope->models)
	{
		pm = lfirst(lc);
		if (pm->process_id == process_id)
			return pm;
	}
	WITH_CATALOG_ACCESS(model_org_context(scope), pm = model_load_process(scope->org_id, process_id));
	if (pm != NULL)
		model_keep(scope, &scope->models, pm);
	return pm;
}

/* Is the process declared not applicable by the organisation? */
bool
model_excluded(int64 org_id, int32 process_id)
{
	OrgCache   *org;
	int			i;

	model_ensure_fresh();
	if (org_id == 0)
		return false;
	org = model_org_read(org_id, true);
	for (i = 0; i < org->nexcluded; i++)
		if (org->excluded[i] == process_id)
			return true;
	return false;
}

/* Look up an id by name as organisation org_id sees the catalog; 0 if unknown. */
static int32
model_lookup_name(NameKind kind, int64 org_id, const char *name)
{
	OrgCache   *scope;
	ScopeName  *found;
	ListCell   *lc;
	int32		id = 0;

	model_ensure_fresh();
	if (strlen(name) >= MODEL_NAME_LEN)
		return 0;
	scope = model_scope(org_id);
	foreach(lc, scope->names)
	{
		found = lfirst(lc);
		if (found->kind == kind && strcmp(found->name, name) == 0)
			return found->id;
	}
	WITH_CATALOG_ACCESS(CurrentMemoryContext,
						model_query(&plan_names[kind], name_sql[kind], scope->org_id, TEXTOID, CStringGetTextDatum(name));
						if (SPI_processed > 0) id = model_int(0, 1));
	if (id == 0)
		return 0;
	found = MemoryContextAllocZero(model_org_context(scope), sizeof(ScopeName));
	found->kind = kind;
	found->id = id;
	strlcpy(found->name, name, sizeof(found->name));
	model_keep(scope, &scope->names, found);
	return id;
}

/* The process_id of a process code as organisation org_id sees it; 0 if none. */
int32
model_process_id(int64 org_id, const char *code)
{
	return model_lookup_name(NAME_PROCESS_CODE, org_id, code);
}

/* The id of a work product by key, as organisation org_id sees the vocabulary; 0 if none. */
int32
model_work_product_id(int64 org_id, const char *key)
{
	return model_lookup_name(NAME_WORK_PRODUCT_KEY, org_id, key);
}

/* A work product kept in a scope, or NULL. */
static const WorkProduct *
model_find_work_product(OrgCache *scope, int32 work_product_id)
{
	ListCell   *lc;

	foreach(lc, scope->work_products)
	{
		const WorkProduct *wp = lfirst(lc);

		if (wp->work_product_id == work_product_id)
			return wp;
	}
	return NULL;
}

/*
 * Read a work product by id into *wp; false if it does not exist.  The
 * approval requirements are read by name from the row (to_jsonb), so that
 * the read also works during an upgrade, before the piece that adds those
 * columns (150_authority) has run: the engine's triggers fire in earlier
 * pieces.
 */
static bool
model_read_work_product(int32 work_product_id, WorkProduct *wp)
{
	bool		found = false;

	memset(wp, 0, sizeof(*wp));
	WITH_CATALOG_ACCESS(CurrentMemoryContext,
						model_query(&plan_work_product,
									"SELECT key, kind OPERATOR(pg_catalog.=) 'document', origin::pg_catalog.text, "
									"review_months, retention_months, org_id, "
									"pg_catalog.to_jsonb(w) OPERATOR(pg_catalog.->>) 'approval_designation', "
									"(pg_catalog.to_jsonb(w) OPERATOR(pg_catalog.->>) 'approval_independent')::pg_catalog.bool "
									"FROM isms.work_product w "
									"WHERE work_product_id OPERATOR(pg_catalog.=) $2",
									0, INT4OID, Int32GetDatum(work_product_id));
						if (SPI_processed > 0)
						{
							char	   *origin = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);

							found = true;
							strlcpy(wp->key, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1), sizeof(wp->key));
							wp->is_document = model_bool(0, 2);
							wp->origin = strcmp(origin, "process") == 0 ? ORIGIN_PROCESS :
								strcmp(origin, "external") == 0 ? ORIGIN_EXTERNAL : ORIGIN_EITHER;
							wp->review_months = model_int(0, 4);
							wp->retention_months = model_int(0, 5);
							wp->org_id = model_int64(0, 6);
							if (SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 7))
								strlcpy(wp->approval_designation, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 7),
										sizeof(wp->approval_designation));
							wp->approval_independent = model_bool(0, 8);
						});
	wp->work_product_id = work_product_id;
	return found;
}

/*
 * The work product as organisation org_id sees it: with its own review
 * cycle and retention (isms.work_product_cycle) if it set one, in a copy
 * that lives in the caller's memory context; otherwise wp itself.
 */
static const WorkProduct *
model_apply_cycle(int64 org_id, const WorkProduct *wp)
{
	OrgCache   *org;
	WorkProduct *copy;
	int			i;

	if (org_id == 0 || (wp->org_id != 0 && wp->org_id != org_id))
		return wp;
	org = model_org_read(org_id, true);
	for (i = 0; i < org->ncycles; i++)
	{
		const WorkProductCycle *c = &org->cycles[i];

		if (c->work_product_id != wp->work_product_id)
			continue;
		copy = palloc(sizeof(WorkProduct));
		*copy = *wp;
		if (c->review_months >= 0)
			copy->review_months = c->review_months;
		if (c->retention_months >= 0)
			copy->retention_months = c->retention_months;
		return copy;
	}
	return wp;
}

/*
 * A work product by id, looked up for organisation org_id, with the
 * organisation's review cycle and retention; NULL if it does not exist.
 * The PRM's are kept in the PRM's scope, a tailored organisation's own in
 * its scope; another organisation's is returned (for a refusal to name it)
 * but not kept.
 */
const WorkProduct *
model_work_product(int64 org_id, int32 work_product_id)
{
	OrgCache   *scope;
	OrgCache   *owner;
	const WorkProduct *wp;
	WorkProduct read;
	WorkProduct *copy;

	model_ensure_fresh();
	scope = model_scope(org_id);
	wp = model_find_work_product(prm_scope, work_product_id);
	if (wp == NULL && scope != prm_scope)
		wp = model_find_work_product(scope, work_product_id);
	if (wp != NULL)
		return model_apply_cycle(org_id, wp);
	if (!model_read_work_product(work_product_id, &read))
		return NULL;
	owner = read.org_id == 0 ? prm_scope : read.org_id == scope->org_id ? scope : NULL;
	copy = MemoryContextAlloc(owner ? model_org_context(owner) : CurrentMemoryContext, sizeof(WorkProduct));
	*copy = read;
	if (owner)
		model_keep(owner, &owner->work_products, copy);
	return model_apply_cycle(org_id, copy);
}

/* The activity with this number, or NULL. */
const ModelActivity *
model_activity(const ProcessModel *pm, int32 activity_no)
{
	int			i;

	for (i = 0; i < pm->nactivities; i++)
		if (pm->activities[i].activity_no == activity_no)
			return &pm->activities[i];
	return NULL;
}

/* The output rule of a work product, or NULL if the process does not output it. */
const ModelOutput *
model_output(const ProcessModel *pm, int32 work_product_id)
{
	int			i;

	for (i = 0; i < pm->noutputs; i++)
		if (pm->outputs[i].work_product_id == work_product_id)
			return &pm->outputs[i];
	return NULL;
}

/* Does the process accept records of this work product as inputs? */
bool
model_accepts_input(const ProcessModel *pm, int32 work_product_id)
{
	int			i;

	for (i = 0; i < pm->ninputs; i++)
		if (pm->inputs[i].work_product_id == work_product_id)
			return true;
	for (i = 0; i < pm->nactivity_inputs; i++)
		if (pm->activity_inputs[i].work_product_id == work_product_id)
			return true;
	return false;
}

/*
 * The role a database role (an identity: a role OID, never its name, see
 * engine_identity) has in an organisation ("admin", "manager", ...), or
 * NULL if it is not a member.  Row-level security calls this for every
 * row it checks, so the answer is kept in the organisation's entry, for
 * the last two identities asked about.  The answer is a constant string.
 */
const char *
model_member_role(Oid role, int64 org_id)
{
	OrgCache   *org;
	MemberSlot *slot;
	char		org_role[16] = "";
	int			i;

	model_ensure_fresh();
	org = model_org(org_id);
	for (i = 0; i < ORG_MEMBER_SLOTS; i++)
		if (org->members[i].role == role)
			return org->members[i].org_role;
	WITH_CATALOG_ACCESS(CurrentMemoryContext,
						model_query(&plan_member,
									"SELECT org_role FROM isms.membership WHERE org_id OPERATOR(pg_catalog.=) $1 "
									"AND member_oid OPERATOR(pg_catalog.=) $2",
									org_id, OIDOID, ObjectIdGetDatum(role));
						if (SPI_processed > 0)
							strlcpy(org_role, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1),
									sizeof(org_role)));
	for (i = 0; i < (int) lengthof(org_roles) && strcmp(org_role, org_roles[i]) != 0; i++)
		;
	if (org_role[0] != '\0' && i == (int) lengthof(org_roles))
		elog(ERROR, "unknown org role \"%s\"", org_role);
	slot = &org->members[org->next_slot];
	org->next_slot = (org->next_slot + 1) % ORG_MEMBER_SLOTS;
	slot->role = role;
	slot->org_role = org_role[0] != '\0' ? org_roles[i] : NULL;
	return slot->org_role;
}
