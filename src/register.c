/*-------------------------------------------------------------------------
 *
 * register.c
 *	  The generic register mechanism: what holds for every typed register
 *	  (risk criteria, risks, the Statement of Applicability, and those to
 *	  come), whatever its table.
 *
 * isms.register names each register's table, its work product and the
 * processes whose runs maintain it.  isms.register_trigger, BEFORE INSERT,
 * UPDATE and DELETE on every such table, reads the table's row of
 * isms.register (cached per backend like the lifecycles, see lifecycle.c)
 * and enforces, without knowing the table:
 *
 *	- a change names in run_id an active run of the entry's organisation,
 *	  of a process the register is maintained by (IS029); a register with
 *	  created_outside_runs lets any member create an entry with run_id NULL
 *	  (anyone reports an incident), every later change names its run;
 *	- entries are closed, not deleted (IS011); TRUNCATE is refused by
 *	  isms.truncate_guard_trigger (IS026);
 *	- org_id, the primary key and created_at never change (IS009);
 *	- a column "owner" or "member" (regrole), when set, names a member of
 *	  the organisation (IS032);
 *	- a column "assets", "suppliers" or "risks" (bigint[]) names entries of
 *	  that register of the same organisation (IS040, register_references);
 *	- a column "last_reviewed" (date) is not in the future and
 *	  "next_review" not before it; with a column "review_months" the engine
 *	  sets next_review when last_reviewed is set or changed and next_review
 *	  is not (IS041);
 *	- a column "control" (text) or "controls" (text[]) holds control codes:
 *	  an Annex A control of the catalog when it starts with "A.", else (in
 *	  "controls") a control of the organisation's own Statement of
 *	  Applicability (IS033);
 *	- the kind's hook (register_hooks below) checks and derives the kind's
 *	  own columns; a kind with a lifecycle (a row of isms.lifecycle_kind of
 *	  the same name and table) is born in its initial state, moves only as
 *	  isms.lifecycle_transition allows, runs the transition's guards, and
 *	  never changes once in a final state; the generic guards
 *	  (register_guards: "reason", "reviewed") serve any kind;
 *	- updated_at (and created_at, on INSERT) are the business time of the change (import.c);
 *	- every change appends an event: object type the kind, action
 *	  "<kind>.updated" or "<kind>.<transition action>", detail the run, the
 *	  key and the columns changed.  isms.register_created_trigger, AFTER
 *	  INSERT, appends "<kind>.created" (AFTER, so that a row INSERT ... ON
 *	  CONFLICT does not insert has none).
 *
 * isms.register_changed_trigger on isms.register makes every backend reload
 * the registers when the table changes.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/sysattr.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "nodes/bitmapset.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/timestamp.h"

#include "engine.h"

PG_FUNCTION_INFO_V1(register_trigger);
PG_FUNCTION_INFO_V1(register_created_trigger);
PG_FUNCTION_INFO_V1(register_changed_trigger);

/* A register as the trigger needs it: a row of isms.register. */
typedef struct RegisterKind
{
	Oid			relid;			/* hash key */
	char	   *kind;
	char	   *work_product;
	int			nprocesses;
	char	  **processes;		/* codes of the maintaining processes */
	char	   *maintainers;	/* the same, for messages: "7.4, 7.5" */
	char	   *state_column;	/* NULL: the kind has no lifecycle */
	bool		outside_runs;	/* entries may be created with run_id NULL */
} RegisterKind;

/* The hooks of the kinds: their own checks and derived columns. */
static const struct
{
	const char *kind;
	RegisterHook hook;
}			register_hooks[] =
{
	{"risk_criteria", risk_criteria_hook},
	{"risk", risk_hook},
	{"soa", soa_hook},
	{"incident", incident_hook},
	{"nonconformity", nonconformity_hook},
	{"measurement", measurement_hook},
	{"training_completion", training_completion_hook},
};

/*
 * References between registers, by convention of the column's name: a
 * bigint[] column of this name holds keys of that register (IS040).
 */
static const struct
{
	const char *column;
	const char *kind;			/* for messages */
	const char *sql;			/* the first key of $2 not in the organisation $1 */
}			register_references[] =
{
	{"assets", "asset",
	 "SELECT x FROM pg_catalog.unnest($2) x WHERE x IS NULL OR NOT EXISTS (SELECT 1 FROM isms.asset e "
	 "WHERE e.org_id OPERATOR(pg_catalog.=) $1 AND e.asset_id OPERATOR(pg_catalog.=) x) LIMIT 1"},
	{"suppliers", "supplier",
	 "SELECT x FROM pg_catalog.unnest($2) x WHERE x IS NULL OR NOT EXISTS (SELECT 1 FROM isms.supplier e "
	 "WHERE e.org_id OPERATOR(pg_catalog.=) $1 AND e.supplier_id OPERATOR(pg_catalog.=) x) LIMIT 1"},
	{"risks", "risk",
	 "SELECT x FROM pg_catalog.unnest($2) x WHERE x IS NULL OR NOT EXISTS (SELECT 1 FROM isms.risk e "
	 "WHERE e.org_id OPERATOR(pg_catalog.=) $1 AND e.risk_id OPERATOR(pg_catalog.=) x) LIMIT 1"},
};
static SPIPlanPtr plan_references[lengthof(register_references)];
static SPIPlanPtr plan_add_months = NULL;

static void register_check_person(int64 org_id, Oid role, const char *column, const char *object);

static MemoryContext register_cxt = NULL;
static HTAB *register_cache = NULL; /* NULL: not loaded */
static bool register_stale = true;
static Oid	register_relid = InvalidOid;
static Oid	lifecycle_kind_relid = InvalidOid;

static SPIPlanPtr plan_run = NULL;
static SPIPlanPtr plan_annex = NULL;
static SPIPlanPtr plan_own_control = NULL;

/* Relcache callback: isms.register or isms.lifecycle_kind changed (or everything). */
static void
register_relcache_callback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == register_relid || relid == lifecycle_kind_relid)
		register_stale = true;
}

/* Called once from _PG_init. */
void
register_register_callbacks(void)
{
	CacheRegisterRelcacheCallback(register_relcache_callback, (Datum) 0);
}

/* Copy a column of the current SPI row into the cache, or NULL. */
static char *
register_text(uint64 row, int col)
{
	char	   *value = SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col);

	return value ? MemoryContextStrdup(register_cxt, value) : NULL;
}

/* Read isms.register into a new hash table. */
static void
register_load(HTAB *cache)
{
	uint64		i;

	if (SPI_execute("SELECT r.relation::pg_catalog.oid, r.kind, r.work_product, "
					"ARRAY(SELECT c::pg_catalog.text FROM pg_catalog.unnest(r.maintained_by) c), k.state_column, "
					"r.created_outside_runs FROM isms.register r LEFT JOIN isms.lifecycle_kind k ON k.kind OPERATOR(pg_catalog.=) r.kind "
					"AND k.relation::pg_catalog.oid OPERATOR(pg_catalog.=) r.relation::pg_catalog.oid",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read isms.register");
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Oid			relid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
		RegisterKind *reg = hash_search(cache, &relid, HASH_ENTER, NULL);
		Datum	   *codes;
		int			n;
		int			c;
		StringInfoData names;

		reg->kind = register_text(i, 2);
		reg->work_product = register_text(i, 3);
		reg->state_column = register_text(i, 5);
		reg->outside_runs = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 6, &isnull));
		deconstruct_array(DatumGetArrayTypeP(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 4, &isnull)),
						  TEXTOID, -1, false, TYPALIGN_INT, &codes, NULL, &n);
		reg->nprocesses = n;
		reg->processes = MemoryContextAlloc(register_cxt, sizeof(char *) * Max(n, 1));
		initStringInfo(&names);
		for (c = 0; c < n; c++)
		{
			reg->processes[c] = MemoryContextStrdup(register_cxt, TextDatumGetCString(codes[c]));
			appendStringInfo(&names, "%s%s", c ? ", " : "", reg->processes[c]);
		}
		reg->maintainers = MemoryContextStrdup(register_cxt, names.data);
	}
}

/* Load the registers if stale; the new cache is used only once loaded. */
static void
register_ensure_fresh(void)
{
	HASHCTL		ctl;
	HTAB	   *cache;
	EngineSaved saved;
	Oid			nsp;

	if (!register_stale && register_cache != NULL)
		return;
	/* callers up the stack may hold pointers: free the old cache with the transaction */
	if (register_cxt != NULL)
		MemoryContextSetParent(register_cxt, TopTransactionContext);
	register_cache = NULL;
	register_stale = false;
	register_cxt = AllocSetContextCreate(CacheMemoryContext, "isms27022 register cache", ALLOCSET_SMALL_SIZES);
	nsp = get_namespace_oid("isms", false);
	register_relid = get_relname_relid("register", nsp);
	lifecycle_kind_relid = get_relname_relid("lifecycle_kind", nsp);
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(RegisterKind);
	ctl.hcxt = register_cxt;
	cache = hash_create("isms registers", 16, &ctl, HASH_ELEM | HASH_CONTEXT | HASH_BLOBS);
	engine_begin_internal(&saved);
	SPI_connect();
	register_load(cache);
	SPI_finish();
	engine_end_internal(&saved);
	register_cache = cache;
}

/*
 * The register whose work product is this one (its table), or InvalidOid;
 * from the cache, so that a record insert reads no catalog (issue 14).
 */
Oid
register_of_work_product(const char *work_product)
{
	HASH_SEQ_STATUS seq;
	RegisterKind *reg;

	register_ensure_fresh();
	hash_seq_init(&seq, register_cache);
	while ((reg = hash_seq_search(&seq)) != NULL)
		if (strcmp(reg->work_product, work_product) == 0)
		{
			hash_seq_term(&seq);
			return reg->relid;
		}
	return InvalidOid;
}

/* The register a trigger fired on. */
static const RegisterKind *
register_lookup(Relation rel)
{
	Oid			relid = distribute_logical_relid(rel);
	RegisterKind *reg;

	register_ensure_fresh();
	reg = hash_search(register_cache, &relid, HASH_FIND, NULL);
	if (reg == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("table \"%s\" is not a register", distribute_relation_name(rel)),
				 errhint("List the table in isms.register before attaching isms.register_trigger to it.")));
	return reg;
}

/* Does the table have this column? */
static bool
register_has_column(TupleDesc desc, const char *column)
{
	return SPI_fnumber(desc, column) > 0;
}

/*
 * How errors and events name an entry: "<kind> <key>" with the primary key
 * columns other than org_id ("risk 12", "soa A.5.1"), or "<kind> of
 * organization N" when org_id is the whole key.  *object_id is the key when
 * it is one bigint column (the event's object_id), else 0; the key's
 * columns and values are appended to pairs as JSON members.
 */
static char *
register_describe(const RegisterKind *reg, Relation rel, HeapTuple tuple, int64 *object_id, StringInfo pairs)
{
	TupleDesc	desc = RelationGetDescr(rel);
	Bitmapset  *keys = RelationGetIndexAttrBitmap(rel, INDEX_ATTR_BITMAP_PRIMARY_KEY);
	int			orgno = engine_column(desc, "org_id");
	StringInfoData name;
	int			x = -1;
	int			nkeys = 0;

	initStringInfo(&name);
	*object_id = 0;
	while ((x = bms_next_member(keys, x)) >= 0)
	{
		AttrNumber	attno = x + FirstLowInvalidHeapAttributeNumber;
		Form_pg_attribute att = TupleDescAttr(desc, attno - 1);
		char	   *value;

		if (attno == orgno)
			continue;
		value = SPI_getvalue(tuple, desc, attno);
		appendStringInfo(&name, "%s%s", nkeys++ ? "/" : "", value ? engine_clip(value) : "?");
		if (pairs)
		{
			appendStringInfoString(pairs, ", ");
			escape_json(pairs, NameStr(att->attname));
			appendStringInfoString(pairs, ": ");
			if (value)
				escape_json(pairs, value);
			else
				appendStringInfoString(pairs, "null");
		}
		if (att->atttypid == INT8OID && value)
			*object_id = engine_get_int64(tuple, desc, NameStr(att->attname));
	}
	if (nkeys != 1)
		*object_id = 0;
	if (nkeys == 0)
		return psprintf("%s of organization " INT64_FORMAT, reg->kind, engine_get_int64(tuple, desc, "org_id"));
	return psprintf("%s %s", reg->kind, name.data);
}

/* How errors name an entry being inserted: "new risk", "new soa A.5.1". */
static char *
register_describe_new(const RegisterKind *reg, Relation rel, HeapTuple tuple)
{
	int64		object_id;
	char	   *object = register_describe(reg, rel, tuple, &object_id, NULL);

	/* a generated id is not the user's to know yet */
	return object_id != 0 ? psprintf("new %s", reg->kind) : psprintf("new %s", object);
}

/* Is the process one the register is maintained by? */
static bool
register_maintained_by(const RegisterKind *reg, const char *code)
{
	int			i;

	for (i = 0; i < reg->nprocesses; i++)
		if (code != NULL && strcmp(reg->processes[i], code) == 0)
			return true;
	return false;
}

/* IS029: how to get a run that may change the register. */
static char *
register_run_hint(const RegisterKind *reg)
{
	return psprintf("Plan and start a run of process %s (isms.plan_run(org, '%s', title), isms.start_run(run)) and name it in run_id.",
					reg->processes[0], reg->processes[0]);
}

/*
 * IS029: the run named in run_id is an active run of the entry's
 * organisation, of a process the register is maintained by.  The run is
 * locked (FOR SHARE) so that it cannot complete while the change is made.
 */
static void
register_check_run(RegisterRow *row, const RegisterKind *reg)
{
	TupleDesc	desc = RelationGetDescr(row->lc.rel);
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		values[2];
	bool		isnull;
	Datum		state_value;
	int32		process_id;
	const LifecycleState *state;
	const ProcessModel *pm;

	engine_get(row->lc.newtup, desc, "run_id", &isnull);
	if (isnull && row->insert && reg->outside_runs)
		return;					/* created outside a run: any member may */
	row->run_id = engine_get_int64(row->lc.newtup, desc, "run_id");
	values[0] = Int64GetDatum(row->lc.org_id);
	values[1] = Int64GetDatum(row->run_id);
	engine_prepare(&plan_run,
				   "SELECT state, process_id FROM isms.run "
				   "WHERE org_id OPERATOR(pg_catalog.=) $1 AND run_id OPERATOR(pg_catalog.=) $2 FOR SHARE",
				   2, argtypes);
	if (isnull || engine_exec(plan_run, values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
	{
		if (RULE_ON(IS029_REGISTER_RUN_EXISTS))
			ereport(ERROR,
					(errcode(ERRCODE_ISMS_REGISTER_RUN),
					 isnull ? errmsg("%s: a change must name its run in run_id", row->lc.object)
					 : errmsg("%s: run " INT64_FORMAT " does not exist in organization " INT64_FORMAT,
							  row->lc.object, row->run_id, row->lc.org_id),
					 errdetail("Register %s is maintained in active runs of process %s of the entry's organization.",
							   reg->kind, reg->maintainers),
					 errhint("%s", register_run_hint(reg))));
		return;
	}
	state_value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	process_id = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	state = lifecycle_state("run", state_value);
	pm = model_process(row->lc.org_id, process_id);
	row->process = pm ? pm->code : NULL;
	if (RULE_ON(IS029_REGISTER_RUN_ACTIVE) && !lifecycle_is(state, "active"))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_REGISTER_RUN),
				 errmsg("%s: run " INT64_FORMAT " is %s", row->lc.object, row->run_id, state->name),
				 errdetail("Register %s changes only in an active run of process %s.", reg->kind, reg->maintainers),
				 errhint("%s", lifecycle_is(state, "planned") ? "Start the run with isms.start_run(run)." :
						 lifecycle_is(state, "suspended") ? "Resume the run with isms.resume_run(run)." :
						 register_run_hint(reg))));
	if (RULE_ON(IS029_REGISTER_RUN_PROCESS) && !register_maintained_by(reg, row->process))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_REGISTER_RUN),
				 errmsg("%s: run " INT64_FORMAT " is a run of process %s, which does not maintain register %s",
						row->lc.object, row->run_id, row->process ? row->process : "?", reg->kind),
				 errdetail("Register %s is maintained by process %s.", reg->kind, reg->maintainers),
				 errhint("%s", register_run_hint(reg))));
}

/*
 * IS032: the owner of a register entry is a member of its organisation (a
 * login role in isms.membership; only login roles are members).
 */
void
register_check_owner(int64 org_id, Oid owner, const char *object)
{
	if (RULE_ON(IS032_REGISTER_OWNER))
		register_check_person(org_id, owner, "owner", object);
}

/* IS032: the role a column (owner, member) names is a member of the organisation. */
static void
register_check_person(int64 org_id, Oid role, const char *column, const char *object)
{
	const char *name;

	if (model_member_role(role, org_id) != NULL)
		return;
	name = GetUserNameFromId(role, true);
	ereport(ERROR,
			(errcode(ERRCODE_ISMS_NOT_A_MEMBER),
			 errmsg("%s: %s \"%s\" is not a member of organization " INT64_FORMAT,
					object, column, name ? engine_clip(name) : "?", org_id),
			 errdetail("The %s of a register entry is a member of its organization: a login role listed in isms.membership.", column),
			 errhint("Name a member as %s, or add the role with isms.add_member(org, role, org_role).", column)));
}

/* Is a code an Annex A control of the catalog? */
static bool
register_annex_control(const char *code)
{
	Oid			argtypes[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(code)};

	engine_prepare(&plan_annex,
				   "SELECT 1 FROM isms.iso27001_clause c WHERE c.clause::pg_catalog.text OPERATOR(pg_catalog.=) $1 "
				   "AND isms.clause_is_annex(c.clause)", 1, argtypes);
	if (engine_exec(plan_annex, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read isms.iso27001_clause");
	return SPI_processed == 1;
}

/* Is a code a control of the organisation's Statement of Applicability? */
static bool
register_own_control(int64 org_id, const char *code)
{
	Oid			argtypes[2] = {INT8OID, TEXTOID};
	Datum		values[2] = {Int64GetDatum(org_id), CStringGetTextDatum(code)};

	engine_prepare(&plan_own_control,
				   "SELECT 1 FROM isms.soa s WHERE s.org_id OPERATOR(pg_catalog.=) $1 "
				   "AND s.control OPERATOR(pg_catalog.=) $2", 2, argtypes);
	if (engine_exec(plan_own_control, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read isms.soa");
	return SPI_processed == 1;
}

/*
 * IS033: a control code names a control.  A code starting with "A." (or
 * "a.") must be an Annex A control of ISO/IEC 27001:2022 as the catalog
 * holds it (isms.iso27001_clause); any other code is an own control, which
 * with own_in_soa must be a row of the organisation's isms.soa.  The caller
 * is connected to SPI.
 */
void
register_check_control(int64 org_id, const char *code, bool own_in_soa, const char *object)
{
	bool		annex = code != NULL && (code[0] == 'A' || code[0] == 'a') && code[1] == '.';

	if (code == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_UNKNOWN_CONTROL),
				 errmsg("%s: a control code is NULL", object),
				 errdetail("Every element of a list of controls names a control."),
				 errhint("Remove the NULL element.")));
	if (annex && RULE_ON(IS033_ANNEX_CONTROL) && !register_annex_control(code))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_UNKNOWN_CONTROL),
				 errmsg("%s: unknown control \"%s\"", object, engine_clip(code)),
				 errdetail("\"%s\" is not an Annex A control of ISO/IEC 27001:2022 (see isms.iso27001_clause).", engine_clip(code)),
				 errhint("Annex A controls are written A.5.1 to A.8.34; codes of the organization's own controls do not start with \"A.\".")));
	if (!annex && own_in_soa && RULE_ON(IS033_OWN_CONTROL) && !register_own_control(org_id, code))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_UNKNOWN_CONTROL),
				 errmsg("%s: unknown control \"%s\"", object, engine_clip(code)),
				 errdetail("An own control (a code not starting with \"A.\") is a row of the organization's Statement of Applicability."),
				 errhint("Add the control to isms.soa in a run that maintains it, or name an Annex A control.")));
}

/* Was a column set by the INSERT, or changed by the UPDATE? */
static bool
register_column_set(const RegisterRow *row, const char *column)
{
	bool		isnull;

	if (!row->insert)
		return engine_column_changed(row->lc.oldtup, row->lc.newtup, RelationGetDescr(row->lc.rel), column);
	engine_get(row->lc.newtup, RelationGetDescr(row->lc.rel), column, &isnull);
	return !isnull;
}

/*
 * IS040: every element of a reference column (register_references) is a
 * key of that register in the entry's organisation.
 */
static void
register_check_references(RegisterRow *row)
{
	TupleDesc	desc = RelationGetDescr(row->lc.rel);
	Oid			argtypes[2] = {INT8OID, INT8ARRAYOID};
	Datum		values[2];
	bool		isnull;
	int			i;

	for (i = 0; i < (int) lengthof(register_references); i++)
	{
		const char *column = register_references[i].column;
		char	   *missing;

		if (!register_has_column(desc, column) || !register_column_set(row, column))
			continue;
		values[0] = Int64GetDatum(row->lc.org_id);
		values[1] = engine_get(row->lc.newtup, desc, column, &isnull);
		if (isnull)
			continue;
		engine_prepare(&plan_references[i], register_references[i].sql, 2, argtypes);
		if (engine_exec(plan_references[i], values, NULL, true, 1) != SPI_OK_SELECT)
			elog(ERROR, "could not read register %s", register_references[i].kind);
		if (SPI_processed == 0)
			continue;
		missing = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_REGISTER_REFERENCE),
				 missing ? errmsg("%s: %s %s does not exist in organization " INT64_FORMAT,
								  row->lc.object, register_references[i].kind, missing, row->lc.org_id)
				 : errmsg("%s: column \"%s\" has a NULL element", row->lc.object, column),
				 errdetail("Column \"%s\" names entries of register %s of the entry's own organization.",
						   column, register_references[i].kind),
				 errhint("Name existing %s ids of the organization (see isms.%s).",
						 register_references[i].kind, register_references[i].kind)));
	}
}

/* A date plus some months (the date functions' own arithmetic). */
static Datum
register_add_months(Datum date, int32 months)
{
	Oid			argtypes[2] = {DATEOID, INT4OID};
	Datum		values[2] = {date, Int32GetDatum(months)};
	bool		isnull;

	engine_prepare(&plan_add_months,
				   "SELECT ($1 OPERATOR(pg_catalog.+) pg_catalog.make_interval(months => $2))::pg_catalog.date",
				   2, argtypes);
	if (engine_exec(plan_add_months, values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not compute a review date");
	return SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
}

/*
 * IS041: the review dates of an entry.  last_reviewed left out (NULL) is
 * the business date (today, or the time an import has reached), and is
 * never after it; with review_months, next_review follows a new
 * last_reviewed unless the change sets it too; next_review is not before
 * last_reviewed.
 */
static void
register_check_review(RegisterRow *row)
{
	TupleDesc	desc = RelationGetDescr(row->lc.rel);
	bool		no_last;
	bool		no_next;
	Datum		last;
	Datum		next;

	if (!register_has_column(desc, "last_reviewed"))
		return;
	last = engine_get(row->lc.newtup, desc, "last_reviewed", &no_last);
	if (no_last)
	{
		const char *cols[1] = {"last_reviewed"};
		bool		nulls[1] = {false};
		Datum		vals[1];

		vals[0] = last = DateADTGetDatum(engine_business_date(row->lc.org_id));
		row->lc.newtup = engine_set_columns(row->lc.rel, row->lc.newtup, 1, cols, vals, nulls);
	}
	if (RULE_ON(IS041_REVIEW_FUTURE) && register_column_set(row, "last_reviewed") &&
		DatumGetDateADT(last) > engine_business_date(row->lc.org_id))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_REVIEW_DATE),
				 errmsg("%s: last_reviewed %s is in the future", row->lc.object,
						engine_get_text(row->lc.newtup, desc, "last_reviewed")),
				 errdetail("last_reviewed says when a review took place."),
				 errhint("Record the review on the day it took place or later.")));
	if (register_has_column(desc, "review_months") && register_column_set(row, "last_reviewed") &&
		!register_column_set(row, "next_review"))
	{
		const char *cols[1] = {"next_review"};
		bool		nulls[1] = {false};
		Datum		vals[1];

		vals[0] = register_add_months(last, (int32) engine_get_int64(row->lc.newtup, desc, "review_months"));
		row->lc.newtup = engine_set_columns(row->lc.rel, row->lc.newtup, 1, cols, vals, nulls);
	}
	next = engine_get(row->lc.newtup, desc, "next_review", &no_next);
	if (RULE_ON(IS041_REVIEW_ORDER) && !no_next && DatumGetDateADT(next) < DatumGetDateADT(last))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_REVIEW_DATE),
				 errmsg("%s: next_review %s is before last_reviewed %s", row->lc.object,
						engine_get_text(row->lc.newtup, desc, "next_review"),
						engine_get_text(row->lc.newtup, desc, "last_reviewed")),
				 errdetail("The next review of an entry follows its last one."),
				 errhint("Set next_review on or after last_reviewed, or leave it out: the engine sets it from review_months.")));
}

/* The role a regrole column holds when the change sets it, else InvalidOid. */
static Oid
register_role_set(RegisterRow *row, const char *column)
{
	TupleDesc	desc = RelationGetDescr(row->lc.rel);
	bool		isnull;
	Datum		d;

	if (!register_has_column(desc, column) || !register_column_set(row, column))
		return InvalidOid;
	d = engine_get(row->lc.newtup, desc, column, &isnull);
	return isnull ? InvalidOid : DatumGetObjectId(d);
}

/* IS032, IS033, IS040 and IS041 for the conventional columns. */
static void
register_check_columns(RegisterRow *row)
{
	TupleDesc	desc = RelationGetDescr(row->lc.rel);
	bool		isnull;
	Datum		d;
	Oid			owner = register_role_set(row, "owner");
	Oid			member = register_role_set(row, "member");

	if (OidIsValid(owner))
		register_check_owner(row->lc.org_id, owner, row->lc.object);
	if (OidIsValid(member) && RULE_ON(IS032_REGISTER_MEMBER))
		register_check_person(row->lc.org_id, member, "member", row->lc.object);
	ENGINE_RULE(IS040_REGISTER_REFERENCE, register_check_references(row));
	register_check_review(row);
	if (register_has_column(desc, "control") && register_column_set(row, "control"))
		register_check_control(row->lc.org_id, engine_get_text(row->lc.newtup, desc, "control"), false, row->lc.object);
	if (register_has_column(desc, "controls") && register_column_set(row, "controls"))
	{
		Datum	   *codes;
		bool	   *nulls;
		int			n;
		int			i;

		d = engine_get(row->lc.newtup, desc, "controls", &isnull);
		if (isnull)
			return;
		deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT, &codes, &nulls, &n);
		for (i = 0; i < n; i++)
			register_check_control(row->lc.org_id, nulls[i] ? NULL : TextDatumGetCString(codes[i]), true,
								   row->lc.object);
	}
}

/*
 * IS020: columns the engine sets on a kind's entries are not set by an
 * INSERT or changed by an UPDATE (internal writes aside).  why is the
 * DETAIL, hint the HINT of an UPDATE's refusal.
 */
void
register_refuse_managed(const RegisterRow *row, const char *const *columns, const char *why, const char *hint)
{
	TupleDesc	desc = RelationGetDescr(row->lc.rel);
	const char *const *c;
	bool		isnull;

	if (engine_internal_write())
		return;
	if (!row->insert)
	{
		engine_refuse_change(row->lc.oldtup, row->lc.newtup, desc, columns, ERRCODE_ISMS_ENGINE_MANAGED,
							 row->lc.object, why, hint);
		return;
	}
	for (c = columns; *c; c++)
	{
		engine_get(row->lc.newtup, desc, *c, &isnull);
		if (!isnull)
			ereport(ERROR,
					(errcode(ERRCODE_ISMS_ENGINE_MANAGED),
					 errmsg("%s: column \"%s\" is set by the engine", row->lc.object, *c),
					 errdetail("%s", why),
					 errhint("Leave \"%s\" out of the INSERT.", *c)));
	}
}

/*
 * A guard any kind may list for its transitions into a final state: the
 * entry's closed_at is the business time of the change (import.c).
 */
void
register_guard_closed(LifecycleRow *row)
{
	const char *cols[1] = {"closed_at"};
	Datum		vals[1] = {TimestampTzGetDatum(engine_business_time(row->org_id))};
	bool		nulls[1] = {false};

	row->newtup = engine_set_columns(row->rel, row->newtup, 1, cols, vals, nulls);
}

/* The columns an UPDATE changed, for the event ("likelihood, impact"). */
static char *
register_changed_columns(Relation rel, HeapTuple oldtup, HeapTuple newtup)
{
	TupleDesc	desc = RelationGetDescr(rel);
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		bool		oldnull;
		bool		newnull;
		Datum		oldval;
		Datum		newval;

		if (att->attisdropped || strcmp(NameStr(att->attname), "updated_at") == 0)
			continue;
		oldval = heap_getattr(oldtup, i + 1, desc, &oldnull);
		newval = heap_getattr(newtup, i + 1, desc, &newnull);
		if (oldnull != newnull || (!oldnull && !datumIsEqual(oldval, newval, att->attbyval, att->attlen)))
			appendStringInfo(&buf, "%s%s", buf.len ? ", " : "", NameStr(att->attname));
	}
	return buf.data;
}

/*
 * The detail of an entry's event: its run, its key, the columns changed
 * and what the transition's guards added (a JSON object's members).
 */
static char *
register_event_detail(const RegisterKind *reg, RegisterRow *row, int64 *object_id, const char *changed)
{
	StringInfoData buf;
	TupleDesc	desc = RelationGetDescr(row->lc.rel);

	char	   *run = engine_get_text(row->lc.newtup, desc, "run_id");

	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"run_id\": ");
	if (run)
		escape_json(&buf, run);
	else
		appendStringInfoString(&buf, "null");
	register_describe(reg, row->lc.rel, row->lc.newtup, object_id, &buf);
	if (changed)
	{
		appendStringInfoString(&buf, ", \"changed\": ");
		escape_json(&buf, changed);
	}
	if (row->lc.detail && row->lc.detail[0] == '{')
	{
		const char *inner = row->lc.detail + 1;
		int			len = strlen(inner) - 1;	/* without the closing brace */

		while (len > 0 && inner[len] != '}')
			len--;
		if (len > 0 && strspn(inner, " ") < (size_t) len)
			appendStringInfo(&buf, ", %.*s", len, inner);
	}
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/*
 * Guard reason (any register kind): the transition needs a reason in
 * state_reason (IS021); the event carries it.
 */
static void
register_guard_reason(LifecycleRow *row)
{
	char	   *reason = RULE_OFF(IS021_REGISTER_REASON) ? NULL :
		engine_require_reason(row->newtup, RelationGetDescr(row->rel), "state_reason", row->object, row->action,
							  "Give the reason in state_reason with the change of state.");

	row->detail = engine_json(1, "reason", reason);
}

/*
 * Guard reviewed (any register kind with last_reviewed): an entry leaves a
 * review only with the review recorded, last_reviewed not before the day
 * the review was opened (the old row's updated_at) (IS041).
 */
static void
register_guard_reviewed(LifecycleRow *row)
{
	TupleDesc	desc = RelationGetDescr(row->rel);
	bool		no_last;
	bool		isnull;
	Datum		last = engine_get(row->newtup, desc, "last_reviewed", &no_last);
	Datum		opened = DirectFunctionCall1(timestamptz_date,
											 engine_get(row->oldtup, desc, "updated_at", &isnull));

	if (RULE_ON(IS041_REVIEW_RECORDED) && (no_last || DatumGetDateADT(last) < DatumGetDateADT(opened)))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_REVIEW_DATE),
				 errmsg("%s cannot go from %s to %s: no review is recorded since the review was opened",
						row->object, row->from->name, row->to->name),
				 errdetail("last_reviewed is before the day the entry went %s.", row->from->name),
				 errhint("Record the review: set last_reviewed to the day it took place (e.g. isms.review_supplier(run, supplier, notes)).")));
	row->detail = engine_json(1, "last_reviewed", engine_get_text(row->newtup, desc, "last_reviewed"));
}

const LifecycleGuard register_guards[] = {
	{"reason", register_guard_reason},
	{"reviewed", register_guard_reviewed},
	{NULL, NULL}
};

/* The kind's hook, if it has one. */
static void
register_run_hook(RegisterRow *row)
{
	int			i;

	for (i = 0; i < (int) lengthof(register_hooks); i++)
		if (strcmp(register_hooks[i].kind, row->kind) == 0)
			register_hooks[i].hook(row);
}

/* The timestamps the engine keeps: updated_at always, created_at on INSERT. */
static void
register_set_times(RegisterRow *row)
{
	TupleDesc	desc = RelationGetDescr(row->lc.rel);
	const char *cols[2];
	Datum		vals[2];
	bool		nulls[2] = {false, false};
	int			n = 0;
	Datum		now = TimestampTzGetDatum(engine_business_time(row->lc.org_id));

	if (register_has_column(desc, "updated_at"))
	{
		cols[n] = "updated_at";
		vals[n++] = now;
	}
	if (row->insert && register_has_column(desc, "created_at"))
	{
		cols[n] = "created_at";
		vals[n++] = now;
	}
	if (n > 0)
		row->lc.newtup = engine_set_columns(row->lc.rel, row->lc.newtup, n, cols, vals, nulls);
}

/* BEFORE UPDATE: the fixed columns, and the lifecycle's state before and after. */
static void
register_start_update(RegisterRow *row, const RegisterKind *reg)
{
	TupleDesc	desc = RelationGetDescr(row->lc.rel);
	const char **fixed = palloc(sizeof(char *) * (desc->natts + 3));
	int			n = 0;
	Bitmapset  *keys = RelationGetIndexAttrBitmap(row->lc.rel, INDEX_ATTR_BITMAP_PRIMARY_KEY);
	int			x = -1;

	fixed[n++] = "org_id";
	while ((x = bms_next_member(keys, x)) >= 0)
	{
		const char *name = NameStr(TupleDescAttr(desc, x + FirstLowInvalidHeapAttributeNumber - 1)->attname);

		if (strcmp(name, "org_id") != 0)
			fixed[n++] = name;
	}
	if (register_has_column(desc, "created_at"))
		fixed[n++] = "created_at";
	fixed[n] = NULL;
	ENGINE_RULE(IS009_REGISTER_KEY,
				engine_refuse_change(row->lc.oldtup, row->lc.newtup, desc, (const char *const *) fixed, ERRCODE_ISMS_IMMUTABLE, row->lc.object,
									 "The organization and the key of a register entry are fixed.",
									 "Close the entry and create another one."));
	if (!row->has_lifecycle)
		return;
	if (RULE_ON(IS009_REGISTER_CLOSED) && row->lc.from->final)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_IMMUTABLE),
				 errmsg("%s is %s and cannot be changed", row->lc.object, row->lc.from->name),
				 errdetail("A closed register entry is evidence of what was decided."),
				 errhint("Create a new entry.")));
	if (row->lc.from != row->lc.to)
		ENGINE_RULE(IS001_REGISTER_TRANSITION,
					lifecycle_check(&row->lc, psprintf("See the transitions of kind %s in isms.lifecycle_transition.", reg->kind)));
}

/* BEFORE INSERT: a kind with a lifecycle is born in its initial state. */
static void
register_start_insert(RegisterRow *row, const RegisterKind *reg)
{
	bool		isnull;

	if (!row->has_lifecycle)
		return;
	row->lc.to = lifecycle_state(reg->kind, engine_get(row->lc.newtup, RelationGetDescr(row->lc.rel),
													   reg->state_column, &isnull));
	if (RULE_ON(IS001_REGISTER_BORN_INITIAL) && !row->lc.to->initial)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_TRANSITION),
				 errmsg("%s must be created in its initial state, not %s", row->lc.object, row->lc.to->name),
				 errdetail("Entries of register %s start in the initial state of their lifecycle and move on through it.", reg->kind),
				 errhint("Leave \"%s\" out of the INSERT.", reg->state_column)));
}

/* The rules of a register entry's INSERT or UPDATE; returns the row to store. */
static HeapTuple
register_change(Relation rel, HeapTuple oldtup, HeapTuple newtup)
{
	const RegisterKind *reg = register_lookup(rel);
	TupleDesc	desc = RelationGetDescr(rel);
	RegisterRow row;
	int64		object_id;
	char	   *object = oldtup ? register_describe(reg, rel, oldtup, &object_id, NULL)
		: register_describe_new(reg, rel, newtup);
	const char *action = NULL;

	memset(&row, 0, sizeof(row));
	if (oldtup && reg->state_column)
		lifecycle_row(&row.lc, reg->kind, rel, oldtup, newtup, object);
	row.lc.rel = rel;
	row.lc.oldtup = oldtup;
	row.lc.newtup = newtup;
	row.lc.org_id = engine_get_int64(oldtup ? oldtup : newtup, desc, "org_id");
	row.lc.object = object;
	row.kind = reg->kind;
	row.insert = oldtup == NULL;
	row.has_lifecycle = reg->state_column != NULL;

	if (row.insert)
		register_start_insert(&row, reg);
	else
		register_start_update(&row, reg);
	ENGINE_CHECK(register_check_run(&row, reg));
	register_check_columns(&row);
	register_run_hook(&row);
	if (!row.insert && row.has_lifecycle && row.lc.from != row.lc.to)
		action = lifecycle_guard(&row.lc);
	register_set_times(&row);
	if (!row.insert)
	{
		char	   *changed = register_changed_columns(rel, oldtup, row.lc.newtup);
		char	   *detail = register_event_detail(reg, &row, &object_id, changed);

		event_append(row.lc.org_id, reg->kind, object_id,
					 psprintf("%s.%s", reg->kind, action ? action : "updated"),
					 row.has_lifecycle ? row.lc.from->name : NULL,
					 row.has_lifecycle ? row.lc.to->name : NULL, detail);
	}
	return row.lc.newtup;
}

/* BEFORE DELETE: entries are closed, not deleted (IS011). */
static void
register_refuse_delete(Relation rel, HeapTuple tuple)
{
	const RegisterKind *reg = register_lookup(rel);
	int64		object_id;

	if (RULE_ON(IS011_REGISTER_DELETE))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_RETENTION),
				 errmsg("%s cannot be deleted", register_describe(reg, rel, tuple, &object_id, NULL)),
				 errdetail("Register entries are part of the audit trail: they are changed or closed in runs, never deleted."),
				 reg->state_column ? errhint("Close the entry (state closed, with a reason) in a run that maintains register %s.", reg->kind)
				 : errhint("Change the entry in a run that maintains register %s.", reg->kind)));
}

/*
 * isms.register_trigger: BEFORE INSERT OR UPDATE OR DELETE FOR EACH ROW on
 * every table listed in isms.register.
 */
Datum
register_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	HeapTuple	result;

	engine_check_trigger(fcinfo, "register_trigger", true, true);
	SPI_connect();
	if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		register_refuse_delete(td->tg_relation, td->tg_trigtuple);
		result = td->tg_trigtuple;
	}
	else if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		result = SPI_copytuple(register_change(td->tg_relation, NULL, td->tg_trigtuple));
	else
		result = SPI_copytuple(register_change(td->tg_relation, td->tg_trigtuple, td->tg_newtuple));
	SPI_finish();
	return PointerGetDatum(result);
}

/* isms.register_created_trigger: AFTER INSERT FOR EACH ROW: the "<kind>.created" event. */
Datum
register_created_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	const RegisterKind *reg;
	RegisterRow row;
	int64		object_id;
	char	   *detail;

	engine_check_trigger(fcinfo, "register_created_trigger", false, true);
	SPI_connect();
	reg = register_lookup(td->tg_relation);
	memset(&row, 0, sizeof(row));
	row.lc.rel = td->tg_relation;
	row.lc.newtup = td->tg_trigtuple;
	row.lc.org_id = engine_get_int64(td->tg_trigtuple, RelationGetDescr(td->tg_relation), "org_id");
	detail = register_event_detail(reg, &row, &object_id, NULL);
	event_append(row.lc.org_id, reg->kind, object_id, psprintf("%s.created", reg->kind), NULL,
				 reg->state_column ? engine_get_text(td->tg_trigtuple, RelationGetDescr(td->tg_relation), reg->state_column) : NULL,
				 detail);
	SPI_finish();
	return PointerGetDatum(NULL);
}

/*
 * isms.register_changed_trigger: AFTER INSERT OR UPDATE OR DELETE OR
 * TRUNCATE FOR EACH STATEMENT on isms.register: every backend reloads the
 * registers when this transaction commits.
 */
Datum
register_changed_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	engine_check_trigger(fcinfo, "register_changed_trigger", false, false);
	/* on Citus the trigger fires on the shard: invalidate the table */
	CacheInvalidateRelcacheByRelid(distribute_logical_relid(td->tg_relation));
	return PointerGetDatum(NULL);
}
