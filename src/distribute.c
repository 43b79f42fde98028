/*-------------------------------------------------------------------------
 *
 * distribute.c
 *	  What the engine does differently once isms.distribute() has spread a
 *	  database over a Citus cluster (issue 19; docs/guide.md, Scaling out).
 *
 * On Citus the engine's triggers fire on the shards, on the worker that
 * holds the organisation's shard group, and every nested write they make
 * (steps, links, supersessions, events, the chain head) names a table of
 * the same organisation, whose shard is co-located: Citus executes it
 * locally, in the same backend, so the engine's per-backend state (the
 * internal-write marker, the pending events, the model cache) is the
 * state of the backend that runs the rules.  Two things start on the
 * coordinator instead and are carried to that backend here:
 *
 * - The creation of an organisation is an internal write (IS020 refuses any
 *   other).  Its id is taken on the coordinator and the insert is made by
 *   isms.organization_open_at(org, name), a function Citus delegates to the
 *   node of the organisation's shard (create_distributed_function, forced
 *   delegation): the marker is set in the backend where the trigger fires.
 * - The actor named in isms.actor: at each write the engine issues
 *   SET LOCAL isms.actor, which Citus (citus.propagate_set_commands =
 *   'local', set by isms.distribute for the database) sends to every node
 *   the transaction uses and will use.  isms.distribute preloads the
 *   library for every session of the database (session_preload_libraries),
 *   so that the hook is in place before a session's first write.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "engine.h"

PG_FUNCTION_INFO_V1(distribute_organization_open_at);
PG_FUNCTION_INFO_V1(distribute_distributed);

/*
 * Is isms.organization a Citus table in this database?  False at no cost
 * where the citus library is not loaded (its settings do not exist);
 * otherwise one query, remembered for the transaction once true and for
 * the command while false (isms.distribute may change it in the middle of
 * a transaction).
 */
bool
distribute_active(void)
{
	static LocalTransactionId checked_in = InvalidLocalTransactionId;
	static CommandId checked_at = InvalidCommandId;
	static bool active = false;
	bool		isnull;
	Oid			organization;

	if (GetConfigOption("citus.propagate_set_commands", true, false) == NULL)
		return false;
	if (checked_in == MyProc->lxid && (active || checked_at == GetCurrentCommandId(false)))
		return active;
	active = false;
	/* by OID: a role without USAGE on schema isms writes too (its own tables) */
	organization = get_relname_relid("organization", get_namespace_oid("isms", true));
	if (OidIsValid(get_extension_oid("citus", true)) && OidIsValid(organization))
	{
		Oid			argtypes[1] = {OIDOID};
		Datum		values[1] = {ObjectIdGetDatum(organization)};

		SPI_connect();
		if (SPI_execute_with_args("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition "
								  "WHERE logicalrelid OPERATOR(pg_catalog.=) $1)",
								  1, argtypes, values, NULL, true, 1) == SPI_OK_SELECT && SPI_processed == 1)
			active = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		SPI_finish();
	}
	checked_in = MyProc->lxid;
	checked_at = GetCurrentCommandId(false);
	return active;
}

/* isms.distributed() -> boolean */
Datum
distribute_distributed(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(distribute_active());
}

/*
 * isms.organization_open on a distributed database: take the id here and
 * have the node of its shard insert the row (see the file header).  The
 * call must name the id as a constant for Citus to delegate it.
 */
int64
distribute_organization_open(Datum name, bool name_isnull)
{
	int64		org_id;
	bool		isnull;

	SPI_connect();
	if (SPI_execute("SELECT pg_catalog.nextval(pg_catalog.pg_get_serial_sequence('isms.organization', 'org_id'))",
					false, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not take an organization id");
	org_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	distribute_call(psprintf("SELECT * FROM isms.organization_open_at(" INT64_FORMAT ", %s)", org_id,
							 name_isnull ? "NULL" : quote_literal_cstr(TextDatumGetCString(name))));
	return org_id;
}

/* Is this a backend Citus opened to run a coordinator's commands on this node? */
static bool
distribute_node_backend(void)
{
	const char *appname = GetConfigOption("application_name", true, false);

	return appname != NULL && strncmp(appname, "citus_internal", 14) == 0;
}

/*
 * Does an engine call that keeps state for the rest of the transaction
 * (the history import's batch) belong on the node of the organisation's
 * shard rather than here?  On a distributed database, except in the
 * backends that already run there.
 */
bool
distribute_delegates(void)
{
	return distribute_active() && !distribute_node_backend();
}

/*
 * Run a call of a function that isms.distribute() made Citus delegate by
 * organisation, with the actor sent first; its result (a bigint, or a
 * timestamptz's microseconds).  The call is SELECT * FROM f(constants):
 * Citus delegates only constant arguments, and not a call in the select
 * list from inside a PL/pgSQL function (a "simple expression" there).  In a
 * transaction block Citus runs it over the connection it then uses for the
 * organisation's shards, so the node's backend that keeps the call's state
 * is the one that runs the transaction's triggers there.
 */
int64
distribute_call(const char *sql)
{
	int64		result;
	bool		isnull;

	distribute_send_actor();
	SPI_connect();
	if (SPI_execute(sql, false, 0) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not run on the organization's node: %s", sql);
	result = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	return result;
}

/*
 * isms.organization_open_at(org bigint, name text) -> bigint: the engine's
 * insert of an organisation with a given id, on the node Citus delegated
 * the call to.  Owner only (like isms.organization_open).
 */
Datum
distribute_organization_open_at(PG_FUNCTION_ARGS)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[2] = {INT8OID, TEXTOID};
	Datum		values[2] = {PG_GETARG_DATUM(0), PG_ARGISNULL(1) ? (Datum) 0 : PG_GETARG_DATUM(1)};

	if (PG_ARGISNULL(0) || !distribute_active())
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("isms.organization_open_at is for distributed databases"),
				 errdetail("It is the insert isms.create_organization delegates to the node of the organization's shard."),
				 errhint("Create organizations with isms.create_organization.")));
	SPI_connect();
	engine_prepare(&plan, "INSERT INTO isms.organization (org_id, name) OVERRIDING SYSTEM VALUE VALUES ($1, $2)",
				   2, argtypes);
	if (engine_exec(plan, values, PG_ARGISNULL(1) ? " n" : NULL, true, 0) != SPI_OK_INSERT || SPI_processed != 1)
		elog(ERROR, "could not create the organization");
	SPI_finish();
	PG_RETURN_DATUM(values[0]);
}

/*
 * The relation a trigger fires on stands for: itself, or on Citus, for a
 * shard (isms.record_102257), the distributed table it is a shard of
 * (isms.record), found by its name, as Citus names shards: the table's
 * name, '_', the shard id.  Only checked where distribute_active().
 */
Oid
distribute_logical_relid(Relation rel)
{
	const char *name = RelationGetRelationName(rel);
	int			len = strlen(name);
	int			i = len;
	Oid			logical;
	char	   *base;

	while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9')
		i--;
	if (i == len || i < 2 || name[i - 1] != '_' || !distribute_active())
		return RelationGetRelid(rel);
	base = pnstrdup(name, i - 1);
	logical = get_relname_relid(base, RelationGetNamespace(rel));
	pfree(base);
	return OidIsValid(logical) ? logical : RelationGetRelid(rel);
}

/* The name of that relation (for rules that depend on the table, and messages). */
const char *
distribute_relation_name(Relation rel)
{
	Oid			logical = distribute_logical_relid(rel);

	return logical == RelationGetRelid(rel) ? RelationGetRelationName(rel) : get_rel_name(logical);
}

/*
 * A row of the relation a trigger fires on as a value of the row type of
 * the relation it stands for (*typid), for the SQL functions that take one
 * (the content hashes): a shard's row type is not the table's.
 */
Datum
distribute_row_datum(Relation rel, HeapTuple tuple, Oid *typid)
{
	Datum		row = heap_copy_tuple_as_datum(tuple, RelationGetDescr(rel));
	Oid			logical = distribute_logical_relid(rel);
	char	   *text;

	*typid = RelationGetForm(rel)->reltype;
	if (logical == RelationGetRelid(rel))
		return row;
	*typid = get_rel_type_id(logical);
	text = OidOutputFunctionCall(F_RECORD_OUT, row);
	return OidInputFunctionCall(F_RECORD_IN, text, *typid, -1);
}

/*
 * The actor, carried to the nodes.  Before each write this backend starts
 * (and before an organisation is created on its shard's node), if
 * isms.actor differs from what this transaction last sent, the engine
 * issues SET LOCAL isms.actor, in a DO block through SPI so that Citus's
 * utility hook sees it inside what it counts as a transaction block: with citus.propagate_set_commands = 'local' Citus sends it to
 * every node the transaction has used and starts every later remote
 * transaction with it.  A single INSERT, UPDATE or DELETE of a table,
 * sent outside a transaction block, may reach its shard without a remote
 * transaction and so without the setting (docs/guide.md); the API's calls
 * do not.  What was sent is remembered
 * per subtransaction: one that rolls back takes the setting with it, on
 * the nodes too.  Nothing is done where Citus
 * is not loaded (its settings do not exist), nor in the backends that
 * execute a coordinator's shard commands (they received the setting).
 */
static ExecutorStart_hook_type prev_executor_start = NULL;
static LocalTransactionId actor_sent_in = InvalidLocalTransactionId;
static SubTransactionId actor_sent_sub = InvalidSubTransactionId;
static char *actor_sent = NULL;

static bool
distribute_citus_loaded(void)
{
	return GetConfigOption("citus.propagate_set_commands", true, false) != NULL;
}

void
distribute_send_actor(void)
{
	const char *actor;
	StringInfoData sql;

	if (!distribute_citus_loaded() || !IsTransactionState() || distribute_node_backend())
		return;
	actor = GetConfigOption("isms.actor", true, false);
	if (actor == NULL)
		actor = "";
	if (actor_sent_in == MyProc->lxid && actor_sent_sub == GetCurrentSubTransactionId() &&
		actor_sent != NULL && strcmp(actor_sent, actor) == 0)
		return;
	if (!distribute_active())
		return;
	actor = MemoryContextStrdup(TopMemoryContext, actor);
	if (strstr(actor, "$isms_actor$") != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("isms.actor cannot contain \"$isms_actor$\" on a distributed database")));
	/* in a DO block: Citus propagates only in a block or a function call */
	initStringInfo(&sql);
	appendStringInfoString(&sql, "DO $isms_actor$ BEGIN ");
	if (strcmp(GetConfigOption("citus.propagate_set_commands", true, false), "local") != 0)
		appendStringInfoString(&sql, "SET LOCAL citus.propagate_set_commands = 'local'; ");
	appendStringInfo(&sql, "SET LOCAL isms.actor = %s; END $isms_actor$", quote_literal_cstr(actor));
	SPI_connect();
	if (SPI_execute(sql.data, false, 0) < 0)
		elog(ERROR, "could not send isms.actor to the nodes");
	SPI_finish();
	pfree(sql.data);
	if (actor_sent != NULL)
		pfree(actor_sent);
	actor_sent = (char *) actor;
	actor_sent_in = MyProc->lxid;
	actor_sent_sub = GetCurrentSubTransactionId();
}

static void
distribute_executor_start(QueryDesc *queryDesc, int eflags)
{
	if (queryDesc->operation != CMD_SELECT && !(eflags & EXEC_FLAG_EXPLAIN_ONLY))
		distribute_send_actor();
	if (prev_executor_start)
		prev_executor_start(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
}

/* Called once from _PG_init. */
void
distribute_register_hooks(void)
{
	prev_executor_start = ExecutorStart_hook;
	ExecutorStart_hook = distribute_executor_start;
}
