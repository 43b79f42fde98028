/*-------------------------------------------------------------------------
 *
 * model.c
 *	  Per-backend cache of the process reference model.
 *
 * The rules consult the catalog on every write, so the catalog is read
 * through SPI once per backend and kept in hash tables: processes as each
 * organisation sees them (the PRM plus its tailoring), work products and
 * memberships (lifecycle.c caches the lifecycles).  A statement trigger on
 * every catalog table (isms.model_changed) sends a relcache invalidation
 * for isms.process; the callback registered here marks the cache stale, and
 * the next lookup starts a fresh cache.  The old cache memory is handed to the transaction's
 * memory context rather than freed at once, because a caller up the stack
 * may still hold pointers into it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "miscadmin.h"

#include "engine.h"

/* keys of the hash tables */
typedef struct ProcessKey
{
	int64		org_id;
	int32		process_id;
} ProcessKey;

typedef struct ProcessEntry
{
	ProcessKey	key;
	ProcessModel *model;
} ProcessEntry;

typedef struct NameKey
{
	int64		org_id;
	char		name[64];
} NameKey;

typedef struct NameEntry
{
	NameKey		key;
	int32		id;
} NameEntry;

typedef struct MemberKey
{
	Oid			role;
	int64		org_id;
} MemberKey;

typedef struct MemberEntry
{
	MemberKey	key;
	char		org_role[16];	/* empty: not a member */
} MemberEntry;

typedef struct WorkProductEntry
{
	int32		work_product_id;
	WorkProduct wp;
} WorkProductEntry;

/* the whole cache lives in model_cxt */
static MemoryContext model_cxt = NULL;
static bool model_stale = true;
static Oid	process_relid = InvalidOid;
static HTAB *process_cache = NULL;
static HTAB *process_code_cache = NULL;
static HTAB *work_product_cache = NULL;
static HTAB *work_product_key_cache = NULL;
static HTAB *member_cache = NULL;

static SPIPlanPtr plan_process = NULL;
static SPIPlanPtr plan_activities = NULL;
static SPIPlanPtr plan_inputs = NULL;
static SPIPlanPtr plan_activity_inputs = NULL;
static SPIPlanPtr plan_outputs = NULL;
static SPIPlanPtr plan_process_code = NULL;
static SPIPlanPtr plan_work_product = NULL;
static SPIPlanPtr plan_work_product_key = NULL;
static SPIPlanPtr plan_member = NULL;

/* Relcache callback: a change to isms.process (or everything) makes us stale. */
static void
model_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == process_relid)
		model_stale = true;
}

/* Called once from _PG_init. */
void
model_register_callbacks(void)
{
	CacheRegisterRelcacheCallback(model_relcache_callback, (Datum) 0);
}

/* Create an empty hash table in the cache context. */
static HTAB *
model_hash(const char *name, Size keysize, Size entrysize)
{
	HASHCTL		ctl;

	ctl.keysize = keysize;
	ctl.entrysize = entrysize;
	ctl.hcxt = model_cxt;
	return hash_create(name, 64, &ctl, HASH_ELEM | HASH_CONTEXT | HASH_BLOBS);
}

/* Start a fresh, empty cache if the current one is stale. */
static void
model_ensure_fresh(void)
{
	if (!model_stale && model_cxt != NULL)
		return;
	/* retire the stale cache: it is freed with the transaction */
	if (model_cxt != NULL)
		MemoryContextSetParent(model_cxt, TopTransactionContext);
	model_stale = false;
	model_cxt = AllocSetContextCreate(CacheMemoryContext, "isms27022 model cache",
									  ALLOCSET_DEFAULT_SIZES);
	process_cache = model_hash("isms process models", sizeof(ProcessKey), sizeof(ProcessEntry));
	process_code_cache = model_hash("isms process codes", sizeof(NameKey), sizeof(NameEntry));
	work_product_cache = model_hash("isms work products", sizeof(int32), sizeof(WorkProductEntry));
	work_product_key_cache = model_hash("isms work product keys", sizeof(NameKey), sizeof(NameEntry));
	member_cache = model_hash("isms memberships", sizeof(MemberKey), sizeof(MemberEntry));
	process_relid = get_relname_relid("process", get_namespace_oid("isms", false));
}

/* Run a prepared read-only catalog query with (org_id, id) as arguments. */
static void
model_query(SPIPlanPtr *plan, const char *sql, int64 org_id, Oid idtype, Datum id)
{
	Oid			argtypes[2] = {INT8OID, idtype};
	Datum		values[2] = {Int64GetDatum(org_id), id};

	engine_prepare(plan, sql, 2, argtypes);
	if (SPI_execute_plan(*plan, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "catalog query failed: %s", sql);
}

static char *
model_text(int row, int col)
{
	char	   *s = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);

	return s ? MemoryContextStrdup(model_cxt, s) : NULL;
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

#define VISIBLE_TO_ORG "(org_id IS NULL OR org_id OPERATOR(pg_catalog.=) $1)"

/* Read one process as organisation org_id sees it; NULL if it does not exist. */
static ProcessModel *
model_load_process(int64 org_id, int32 process_id)
{
	ProcessModel *pm;
	Datum		id = Int32GetDatum(process_id);
	uint64		i;

	model_query(&plan_process,
				"SELECT p.code::pg_catalog.text, p.name, EXISTS (SELECT 1 FROM isms.process_exclusion e "
				"WHERE e.org_id OPERATOR(pg_catalog.=) $1 AND e.process_id OPERATOR(pg_catalog.=) $2) "
				"FROM isms.process p WHERE p.process_id OPERATOR(pg_catalog.=) $2 "
				"AND (p.org_id IS NULL OR p.org_id OPERATOR(pg_catalog.=) $1)",
				org_id, INT4OID, id);
	if (SPI_processed == 0)
		return NULL;
	pm = MemoryContextAllocZero(model_cxt, sizeof(ProcessModel));
	pm->org_id = org_id;
	pm->process_id = process_id;
	pm->code = model_text(0, 1);
	pm->name = model_text(0, 2);
	pm->excluded = model_bool(0, 3);

	model_query(&plan_activities,
				"SELECT activity_no, optional, name FROM isms.activity "
				"WHERE process_id OPERATOR(pg_catalog.=) $2 AND " VISIBLE_TO_ORG " ORDER BY activity_no",
				org_id, INT4OID, id);
	pm->nactivities = (int) SPI_processed;
	pm->activities = MemoryContextAllocZero(model_cxt, sizeof(ModelActivity) * (SPI_processed + 1));
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
	pm->inputs = MemoryContextAllocZero(model_cxt, sizeof(ModelInput) * (SPI_processed + 1));
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
	pm->activity_inputs = MemoryContextAllocZero(model_cxt, sizeof(ModelActivityInput) * (SPI_processed + 1));
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
	pm->outputs = MemoryContextAllocZero(model_cxt, sizeof(ModelOutput) * (SPI_processed + 1));
	for (i = 0; i < SPI_processed; i++)
	{
		pm->outputs[i].work_product_id = model_int(i, 1);
		pm->outputs[i].required = model_bool(i, 2);
		pm->outputs[i].activity_no = model_int(i, 3);
	}
	return pm;
}

/*
 * Run a catalog loader as the extension owner inside its own SPI
 * connection, in the cache context.
 */
#define WITH_CATALOG_ACCESS(stmt) \
	do { \
		EngineSaved saved_; \
		MemoryContext old_ = MemoryContextSwitchTo(model_cxt); \
		engine_begin_internal(&saved_); \
		SPI_connect(); \
		stmt; \
		SPI_finish(); \
		engine_end_internal(&saved_); \
		MemoryContextSwitchTo(old_); \
	} while (0)

/* A process as organisation org_id sees it, or NULL if there is none. */
const ProcessModel *
model_process(int64 org_id, int32 process_id)
{
	ProcessKey	key;
	ProcessEntry *entry;
	ProcessModel *pm;
	HTAB	   *cache;

	model_ensure_fresh();
	memset(&key, 0, sizeof(key));
	key.org_id = org_id;
	key.process_id = process_id;
	entry = hash_search(process_cache, &key, HASH_FIND, NULL);
	if (entry)
		return entry->model;

	cache = process_cache;
	WITH_CATALOG_ACCESS(pm = model_load_process(org_id, process_id));
	/* the load may have made the cache stale: then do not keep the result */
	if (pm != NULL && !model_stale && cache == process_cache)
	{
		entry = hash_search(process_cache, &key, HASH_ENTER, NULL);
		entry->model = pm;
	}
	return pm;
}

/* Fill a NameKey. */
static void
model_name_key(NameKey *key, int64 org_id, const char *name)
{
	memset(key, 0, sizeof(*key));
	key->org_id = org_id;
	strlcpy(key->name, name, sizeof(key->name));
}

/* Look up an id by (org, name) in one of the name caches; 0 if unknown. */
static int32
model_lookup_name(HTAB **cachep, SPIPlanPtr *plan, const char *sql, int64 org_id, const char *name)
{
	NameKey		key;
	NameEntry  *entry;
	HTAB	   *cache;
	int32		id = 0;

	model_ensure_fresh();
	if (strlen(name) >= sizeof(key.name))
		return 0;
	model_name_key(&key, org_id, name);
	entry = hash_search(*cachep, &key, HASH_FIND, NULL);
	if (entry)
		return entry->id;

	cache = *cachep;
	WITH_CATALOG_ACCESS(
						model_query(plan, sql, org_id, TEXTOID, CStringGetTextDatum(name));
						if (SPI_processed > 0) id = model_int(0, 1));
	if (id != 0 && !model_stale && cache == *cachep)
	{
		entry = hash_search(*cachep, &key, HASH_ENTER, NULL);
		entry->id = id;
	}
	return id;
}

/* The process_id of a process code as organisation org_id sees it; 0 if none. */
int32
model_process_id(int64 org_id, const char *code)
{
	model_ensure_fresh();
	return model_lookup_name(&process_code_cache, &plan_process_code,
							 "SELECT process_id FROM isms.process WHERE code OPERATOR(isms.=) $2::isms.clause "
							 "AND " VISIBLE_TO_ORG,
							 org_id, code);
}

/* A work product by key, as organisation org_id sees the vocabulary; NULL if none. */
const WorkProduct *
model_work_product_by_key(int64 org_id, const char *key)
{
	int32		id = model_lookup_name(&work_product_key_cache, &plan_work_product_key,
									   "SELECT work_product_id FROM isms.work_product "
									   "WHERE key OPERATOR(pg_catalog.=) $2 AND " VISIBLE_TO_ORG,
									   org_id, key);

	return id == 0 ? NULL : model_work_product(id);
}

/* A work product by id; NULL if it does not exist. */
const WorkProduct *
model_work_product(int32 work_product_id)
{
	WorkProductEntry *entry;
	WorkProduct wp;
	bool		found = false;
	HTAB	   *cache;

	model_ensure_fresh();
	entry = hash_search(work_product_cache, &work_product_id, HASH_FIND, NULL);
	if (entry)
		return &entry->wp;

	cache = work_product_cache;
	memset(&wp, 0, sizeof(wp));
	WITH_CATALOG_ACCESS(
						model_query(&plan_work_product,
									"SELECT key, kind OPERATOR(pg_catalog.=) 'document', origin::pg_catalog.text, "
									"review_months, retention_months, org_id FROM isms.work_product "
									"WHERE work_product_id OPERATOR(pg_catalog.=) $2",
									0, INT4OID, Int32GetDatum(work_product_id));
						if (SPI_processed > 0)
						{
							char	   *origin = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);

							found = true;
							strlcpy(wp.key, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1), sizeof(wp.key));
							wp.is_document = model_bool(0, 2);
							wp.origin = strcmp(origin, "process") == 0 ? ORIGIN_PROCESS :
								strcmp(origin, "external") == 0 ? ORIGIN_EXTERNAL : ORIGIN_EITHER;
							wp.review_months = model_int(0, 4);
							wp.retention_months = model_int(0, 5);
							wp.org_id = model_int64(0, 6);
						});
	if (!found)
		return NULL;
	wp.work_product_id = work_product_id;
	if (model_stale || cache != work_product_cache)
	{
		WorkProduct *copy = palloc(sizeof(WorkProduct));

		*copy = wp;
		return copy;
	}
	entry = hash_search(work_product_cache, &work_product_id, HASH_ENTER, NULL);
	entry->wp = wp;
	return &entry->wp;
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
 * row it checks, so the answer is cached like the catalog.
 */
const char *
model_member_role(Oid role, int64 org_id)
{
	MemberKey	key;
	MemberEntry *entry;
	HTAB	   *cache;
	char		org_role[16] = "";

	model_ensure_fresh();
	memset(&key, 0, sizeof(key));
	key.role = role;
	key.org_id = org_id;
	entry = hash_search(member_cache, &key, HASH_FIND, NULL);
	if (entry)
		return entry->org_role[0] ? entry->org_role : NULL;

	cache = member_cache;
	WITH_CATALOG_ACCESS(
						model_query(&plan_member,
									"SELECT org_role FROM isms.membership WHERE org_id OPERATOR(pg_catalog.=) $1 "
									"AND member_oid OPERATOR(pg_catalog.=) $2",
									org_id, OIDOID, ObjectIdGetDatum(role));
						if (SPI_processed > 0)
							strlcpy(org_role, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1),
									sizeof(org_role)));
	if (!model_stale && cache == member_cache)
	{
		entry = hash_search(member_cache, &key, HASH_ENTER, NULL);
		memcpy(entry->org_role, org_role, sizeof(org_role));
		return entry->org_role[0] ? entry->org_role : NULL;
	}
	return org_role[0] ? pstrdup(org_role) : NULL;
}
