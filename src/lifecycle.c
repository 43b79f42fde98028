/*-------------------------------------------------------------------------
 *
 * lifecycle.c
 *	  The one lifecycle mechanism: every kind of object (run, step, record,
 *	  and the registers to come) has its states and allowed transitions as
 *	  catalog rows, and this module checks every transition against them and
 *	  runs the transition's guards.
 *
 * isms.lifecycle_kind names the table of each kind and its state column,
 * an enum; isms.lifecycle_state holds the kind's states (labels of that
 * enum) and isms.lifecycle_transition the allowed transitions, each with
 * the action its event names and the guards it runs.  A guard is a C
 * function holding one of the kind's own rules, registered by name in the
 * kind's guard table (run_guards in run.c, ...) and listed in
 * lifecycle_guard_tables below; the kind's trigger calls lifecycle_check
 * and lifecycle_guard.  States are known by name and by the enum value
 * that stores them, never by their position in the enum.
 *
 * The lifecycles are read once per backend and kept in a hash table keyed
 * by enum value, so that a check is a hash probe and no query.  A statement
 * trigger on the three tables (isms.lifecycle_changed_trigger) sends a
 * relcache invalidation for the table changed; the callback registered here
 * marks the cache stale, and the next lookup loads it again.  The old cache
 * is handed to the transaction's memory context, because callers up the
 * stack may hold pointers into it; a load interrupted by an error is not
 * kept.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "engine.h"

PG_FUNCTION_INFO_V1(lifecycle_transition_trigger);
PG_FUNCTION_INFO_V1(lifecycle_changed_trigger);

/* An allowed transition, kept in the list of its source state. */
struct LifecycleTransition
{
	const LifecycleState *to;
	char	   *action;
	char	   *designation;	/* required of whoever makes it, or NULL */
	int			nguards;
	LifecycleGuardFn guards[FLEXIBLE_ARRAY_MEMBER];
};

/* The guard tables of the kinds, by kind. */
static const struct
{
	const char *kind;
	const LifecycleGuard *guards;
}			lifecycle_guard_tables[] =
{
	{"run", run_guards},
	{"step", step_guards},
	{"record", record_guards},
	{"risk", risk_guards},
	{"incident", incident_guards},
	{"nonconformity", nonconformity_guards},
	{"asset", register_guards},
	{"supplier", register_guards},
	{"objective", register_guards},
	{"course", register_guards},
};

/* The cache: enum value -> state, and the state column of each kind. */
typedef struct StateEntry
{
	Oid			label;
	LifecycleState *state;
} StateEntry;

typedef struct LifecycleKind
{
	const char *kind;
	const char *state_column;
} LifecycleKind;

static MemoryContext lifecycle_cxt = NULL;
static HTAB *state_cache = NULL;	/* NULL: not loaded */
static List *kinds = NIL;		/* LifecycleKinds */
static bool lifecycle_stale = true;

static const char *const catalog_tables[] = {
	"lifecycle_kind", "lifecycle_state", "lifecycle_transition"
};
static Oid	catalog_relids[lengthof(catalog_tables)];

/* Relcache callback: a change to a lifecycle table (or everything) makes us stale. */
static void
lifecycle_relcache_callback(Datum arg, Oid relid)
{
	int			i;

	for (i = 0; i < (int) lengthof(catalog_relids); i++)
		if (relid == InvalidOid || relid == catalog_relids[i])
			lifecycle_stale = true;
}

/* Called once from _PG_init. */
void
lifecycle_register_callbacks(void)
{
	CacheRegisterRelcacheCallback(lifecycle_relcache_callback, (Datum) 0);
}

/* The guard table of a kind, or NULL. */
static const LifecycleGuard *
lifecycle_kind_guards(const char *kind)
{
	int			i;

	for (i = 0; i < (int) lengthof(lifecycle_guard_tables); i++)
		if (strcmp(lifecycle_guard_tables[i].kind, kind) == 0)
			return lifecycle_guard_tables[i].guards;
	return NULL;
}

/* The guard of a kind by name; 42883 if the kind has none of that name. */
static LifecycleGuardFn
lifecycle_find_guard(const char *kind, const char *name)
{
	const LifecycleGuard *guards = lifecycle_kind_guards(kind);
	const LifecycleGuard *g;
	StringInfoData known;

	for (g = guards; g && g->name; g++)
		if (strcmp(g->name, name) == 0)
			return g->guard;
	initStringInfo(&known);
	for (g = guards; g && g->name; g++)
		appendStringInfo(&known, "%s%s", known.len ? ", " : "", g->name);
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_FUNCTION),
			 errmsg("lifecycle kind \"%s\" has no guard \"%s\"", engine_clip(kind), engine_clip(name)),
			 known.len ? errdetail("The guards of kind \"%s\" are: %s.", engine_clip(kind), known.data)
			 : errdetail("Kind \"%s\" has no guards.", engine_clip(kind)),
			 errhint("A guard is a C function of the engine; name one of them in isms.lifecycle_transition.guards.")));
	return NULL;				/* keep compiler quiet */
}

/* A loaded state by kind and name, or NULL. */
static LifecycleState *
lifecycle_find_state(List *states, const char *kind, const char *name)
{
	ListCell   *lc;

	foreach(lc, states)
	{
		LifecycleState *s = lfirst(lc);

		if (strcmp(s->kind, kind) == 0 && strcmp(s->name, name) == 0)
			return s;
	}
	return NULL;
}

/* A column of a row read, as text. */
static char *
lifecycle_value(int row, int col)
{
	return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);
}

/* The same, copied into the cache. */
static char *
lifecycle_text(int row, int col)
{
	return MemoryContextStrdup(lifecycle_cxt, lifecycle_value(row, col));
}

/* Append to a list of the cache. */
static List *
lifecycle_append(List *list, void *item)
{
	MemoryContext old = MemoryContextSwitchTo(lifecycle_cxt);

	list = lappend(list, item);
	MemoryContextSwitchTo(old);
	return list;
}

static bool
lifecycle_bool(int row, int col)
{
	bool		isnull;

	return DatumGetBool(SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &isnull));
}

/*
 * Read the states of every kind into the cache, and the kinds' state
 * columns; returns the states as a list.
 */
static List *
lifecycle_load_states(HTAB *cache)
{
	List	   *states = NIL;
	uint64		i;

	if (SPI_execute("SELECT s.kind, s.state, s.initial, s.final, e.oid, k.state_column FROM isms.lifecycle_state s "
					"JOIN isms.lifecycle_kind k ON k.kind OPERATOR(pg_catalog.=) s.kind "
					"LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) k.relation::pg_catalog.oid "
					"AND a.attname OPERATOR(pg_catalog.=) k.state_column "
					"LEFT JOIN pg_catalog.pg_enum e ON e.enumtypid OPERATOR(pg_catalog.=) a.atttypid "
					"AND e.enumlabel OPERATOR(pg_catalog.=) s.state "
					"ORDER BY s.kind, s.ordinal", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read isms.lifecycle_state");
	for (i = 0; i < SPI_processed; i++)
	{
		LifecycleState *s = MemoryContextAllocZero(lifecycle_cxt, sizeof(LifecycleState));
		bool		isnull;
		Oid			label = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 5, &isnull));
		bool		found;
		StateEntry *entry;

		s->kind = lifecycle_text(i, 1);
		s->name = lifecycle_text(i, 2);
		s->initial = lifecycle_bool(i, 3);
		s->final = lifecycle_bool(i, 4);
		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("state \"%s\" of lifecycle kind \"%s\" is not a value of its state column",
							s->name, s->kind),
					 errdetail("The states of a kind are labels of the enum type of the column isms.lifecycle_kind names."),
					 errhint("Add the label to the enum type, or correct isms.lifecycle_state.")));
		entry = hash_search(cache, &label, HASH_ENTER, &found);
		if (found)
			elog(ERROR, "lifecycle kinds \"%s\" and \"%s\" share an enum value", entry->state->kind, s->kind);
		entry->state = s;
		states = lifecycle_append(states, s);
		if (kinds == NIL || strcmp(((LifecycleKind *) llast(kinds))->kind, s->kind) != 0)
		{
			LifecycleKind *k = MemoryContextAlloc(lifecycle_cxt, sizeof(LifecycleKind));

			k->kind = s->kind;
			k->state_column = lifecycle_text(i, 6);
			kinds = lifecycle_append(kinds, k);
		}
	}
	return states;
}

/* Read the transitions and attach them to their source states, by target. */
static void
lifecycle_load_transitions(List *states)
{
	uint64		i;

	if (SPI_execute("SELECT t.kind, t.from_state, t.to_state, t.action, t.guards, t.required_designation "
					"FROM isms.lifecycle_transition t JOIN isms.lifecycle_state s "
					"ON s.kind OPERATOR(pg_catalog.=) t.kind AND s.state OPERATOR(pg_catalog.=) t.to_state "
					"ORDER BY t.kind, s.ordinal", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read isms.lifecycle_transition");
	for (i = 0; i < SPI_processed; i++)
	{
		char	   *kind = lifecycle_value(i, 1);
		LifecycleState *from = lifecycle_find_state(states, kind, lifecycle_value(i, 2));
		LifecycleState *to = lifecycle_find_state(states, kind, lifecycle_value(i, 3));
		bool		isnull;
		ArrayType  *guards = DatumGetArrayTypeP(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 5, &isnull));
		Datum	   *names;
		int			nguards;
		int			g;
		LifecycleTransition *t;

		/* the foreign keys hold unless a restore skipped them */
		if (from == NULL || to == NULL)
			elog(ERROR, "transition of lifecycle kind \"%s\" between unknown states", kind);
		deconstruct_array(guards, TEXTOID, -1, false, TYPALIGN_INT, &names, NULL, &nguards);
		t = MemoryContextAllocZero(lifecycle_cxt, offsetof(LifecycleTransition, guards) +
								   sizeof(LifecycleGuardFn) * nguards);
		t->to = to;
		t->action = lifecycle_text(i, 4);
		t->designation = lifecycle_value(i, 6) ? lifecycle_text(i, 6) : NULL;
		t->nguards = nguards;
		for (g = 0; g < nguards; g++)
			t->guards[g] = lifecycle_find_guard(kind, TextDatumGetCString(names[g]));
		from->transitions = lifecycle_append(from->transitions, t);
	}
}

/*
 * Load the lifecycles if the cache is stale or was never completed.  The
 * new cache is in use only once the load has succeeded.
 */
static void
lifecycle_ensure_fresh(void)
{
	HASHCTL		ctl;
	HTAB	   *cache;
	EngineSaved saved;
	Oid			nsp;
	int			i;

	if (!lifecycle_stale && state_cache != NULL)
		return;
	/* retire the stale cache: it is freed with the transaction */
	if (lifecycle_cxt != NULL)
		MemoryContextSetParent(lifecycle_cxt, TopTransactionContext);
	state_cache = NULL;
	kinds = NIL;
	lifecycle_stale = false;
	lifecycle_cxt = AllocSetContextCreate(CacheMemoryContext, "isms27022 lifecycle cache",
										  ALLOCSET_SMALL_SIZES);
	nsp = get_namespace_oid("isms", false);
	for (i = 0; i < (int) lengthof(catalog_relids); i++)
		catalog_relids[i] = get_relname_relid(catalog_tables[i], nsp);
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(StateEntry);
	ctl.hcxt = lifecycle_cxt;
	cache = hash_create("isms lifecycle states", 64, &ctl, HASH_ELEM | HASH_CONTEXT | HASH_BLOBS);

	engine_begin_internal(&saved);
	SPI_connect();
	lifecycle_load_transitions(lifecycle_load_states(cache));
	SPI_finish();
	engine_end_internal(&saved);
	state_cache = cache;
}

/* The state a value of a kind's state column stands for, from the loaded cache. */
static const LifecycleState *
lifecycle_lookup(const char *kind, Datum value)
{
	Oid			label = DatumGetObjectId(value);
	StateEntry *entry = hash_search(state_cache, &label, HASH_FIND, NULL);

	if (entry == NULL || strcmp(entry->state->kind, kind) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("value %u of the state column of kind \"%s\" is not a state of its lifecycle", label, kind),
				 errhint("Add the state to isms.lifecycle_state.")));
	return entry->state;
}

/*
 * The state a value of kind's state column stands for (the column is an
 * enum: the value is the label's OID).
 */
const LifecycleState *
lifecycle_state(const char *kind, Datum value)
{
	lifecycle_ensure_fresh();
	return lifecycle_lookup(kind, value);
}

/*
 * Start the transition of a row of a kind from oldtup to newtup: its states
 * before and after, read from one cache (so that they compare as pointers),
 * and what the guards see.  The caller fills what its kind adds.
 */
void
lifecycle_row(LifecycleRow *row, const char *kind, Relation rel, HeapTuple oldtup, HeapTuple newtup,
			  const char *object)
{
	TupleDesc	desc = RelationGetDescr(rel);
	const char *column = NULL;
	ListCell   *lc;
	bool		isnull;

	lifecycle_ensure_fresh();
	foreach(lc, kinds)
		if (strcmp(((LifecycleKind *) lfirst(lc))->kind, kind) == 0)
			column = ((LifecycleKind *) lfirst(lc))->state_column;
	if (column == NULL)
		elog(ERROR, "lifecycle kind \"%s\" has no states", kind);
	memset(row, 0, sizeof(LifecycleRow));
	row->from = lifecycle_lookup(kind, engine_get(oldtup, desc, column, &isnull));
	row->to = lifecycle_lookup(kind, engine_get(newtup, desc, column, &isnull));
	row->rel = rel;
	row->oldtup = oldtup;
	row->newtup = newtup;
	row->org_id = engine_get_int64(oldtup, desc, "org_id");
	row->object = object;
}

/* The allowed transition from row->from to row->to, or NULL. */
static const LifecycleTransition *
lifecycle_find(const LifecycleRow *row)
{
	ListCell   *lc;

	foreach(lc, row->from->transitions)
	{
		const LifecycleTransition *t = lfirst(lc);

		if (t->to == row->to)
			return t;
	}
	return NULL;
}

/* Refuse (IS001) a transition that is not in the lifecycle of its kind. */
void
lifecycle_check(const LifecycleRow *row, const char *hint)
{
	StringInfoData allowed;
	ListCell   *lc;

	if (lifecycle_find(row) != NULL)
		return;
	initStringInfo(&allowed);
	foreach(lc, row->from->transitions)
		appendStringInfo(&allowed, "%s%s", allowed.len ? ", " : "",
						 ((const LifecycleTransition *) lfirst(lc))->to->name);
	ereport(ERROR,
			(errcode(ERRCODE_ISMS_TRANSITION),
			 errmsg("%s cannot go from %s to %s", row->object, row->from->name, row->to->name),
			 allowed.len ? errdetail("From %s it may go to: %s.", row->from->name, allowed.data)
			 : errdetail("%s is a final state.", row->from->name),
			 errhint("%s", hint)));
}

/*
 * Check the designation the transition requires of whoever makes it
 * (IS024, authority.c), run the guards of the transition from row->from to
 * row->to, in the order the catalog names them, and return its action: what the event of the
 * transition names.  NULL if the transition is not in the lifecycle (only
 * a mutant lets one through).
 */
const char *
lifecycle_guard(LifecycleRow *row)
{
	const LifecycleTransition *t = lifecycle_find(row);
	int			g;

	if (t == NULL)
		return NULL;
	row->action = t->action;
	if (RULE_ON(IS024_TRANSITION_DESIGNATION) && t->designation != NULL)
		authority_require(row->org_id, t->designation,
						  psprintf("%s: the transition from %s to %s", row->object, row->from->name, row->to->name));
	for (g = 0; g < t->nguards; g++)
		t->guards[g] (row);
	return t->action;
}

/*
 * isms.lifecycle_transition_trigger: BEFORE INSERT OR UPDATE ON
 * isms.lifecycle_transition FOR EACH ROW: every guard named exists.
 */
Datum
lifecycle_transition_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	HeapTuple	tuple;
	TupleDesc	desc;
	bool		isnull;
	Datum	   *names;
	int			n;
	int			i;
	char	   *kind;

	engine_check_trigger(fcinfo, "lifecycle_transition_trigger", true, true);
	tuple = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	desc = RelationGetDescr(td->tg_relation);
	kind = TextDatumGetCString(engine_get(tuple, desc, "kind", &isnull));
	deconstruct_array(DatumGetArrayTypeP(engine_get(tuple, desc, "guards", &isnull)),
					  TEXTOID, -1, false, TYPALIGN_INT, &names, NULL, &n);
	for (i = 0; i < n; i++)
		lifecycle_find_guard(kind, TextDatumGetCString(names[i]));
	return PointerGetDatum(tuple);
}

/*
 * isms.lifecycle_changed_trigger: AFTER INSERT OR UPDATE OR DELETE OR
 * TRUNCATE FOR EACH STATEMENT on the lifecycle tables: every backend
 * reloads the lifecycles when this transaction commits.
 */
Datum
lifecycle_changed_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	engine_check_trigger(fcinfo, "lifecycle_changed_trigger", false, false);
	/* on Citus the trigger fires on the shard: invalidate the table */
	CacheInvalidateRelcacheByRelid(distribute_logical_relid(td->tg_relation));
	return PointerGetDatum(NULL);
}
