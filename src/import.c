/*-------------------------------------------------------------------------
 *
 * import.c
 *	  Engine time and business time, and the audited history import.
 *
 * Every event keeps the time the engine recorded it (isms.event.
 * occurred_at, trusted, never settable) and carries the business time of
 * the change (business_at): the same as the recorded time for live work.
 * History import is an explicit mode of one transaction: a member
 * designated history_importer in an organisation opens a batch with
 * isms.begin_import(org, source) and sets the business time of the
 * changes that follow with isms.import_at(at).  Until the transaction
 * ends, the organisation's changes take that time: the run, step, record
 * and register timestamps (started_at, approved_at, valid_until, ...), the
 * dates the rules compare with (an input's validity) and the events, which
 * name the batch (import_batch) and are hashed with it.  Every other rule
 * holds as in live work.
 *
 * Refusals: IS044 an import time in the future or before the previous
 * imported time of the organisation (imports are in order); IS045
 * isms.import_at outside import mode, a second batch in one transaction, or
 * a change in import mode before any isms.import_at; IS046 a caller not
 * designated history_importer.
 *
 * engine_business_time and event_business_time are the one source of the
 * business time for every write path (row timestamps and events).
 *
 * On a distributed database the import mode lives where the organisation's
 * rows are written: the triggers that stamp them run on the node of its
 * shard.  There isms.begin_import and isms.import_at have that node run them
 * (isms.begin_import_on_node, isms.import_at_on_node, which Citus delegates
 * by organisation over the connection it uses for the organisation's shards
 * for the rest of the transaction), and keep only a copy of the mode here:
 * the batch's row, the checks and the state the node's triggers read are
 * the node's, set by this code there, never by a client's setting.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/timestamp.h"

#include "engine.h"

#define ERRCODE_ISMS_IMPORT_TIME	ISMS_ERRCODE(44)	/* IS044 */
#define ERRCODE_ISMS_IMPORT_MODE	ISMS_ERRCODE(45)	/* IS045 */
#define ERRCODE_ISMS_IMPORT_RIGHT	ISMS_ERRCODE(46)	/* IS046 */

#define IMPORT_DESIGNATION "history_importer"

PG_FUNCTION_INFO_V1(import_begin);
PG_FUNCTION_INFO_V1(import_begin_on_node);
PG_FUNCTION_INFO_V1(import_at);
PG_FUNCTION_INFO_V1(import_at_on_node);
PG_FUNCTION_INFO_V1(import_business_date);

/* The transaction's import mode: org_id 0 when live. */
typedef struct ImportState
{
	int64		org_id;
	int64		batch_id;
	int			nest_level;		/* the (sub)transaction that opened the batch */
	TimestampTz floor;			/* the organisation's last imported time before the batch */
	TimestampTz at;				/* the business time set by isms.import_at; 0: none yet */
	bool		on_node;		/* a copy: the batch is open on the node of the organisation's shard */
} ImportState;

static ImportState import;

/* Import mode ends with the transaction, or with the subtransaction that opened it. */
static void
import_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PREPARE ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT)
		memset(&import, 0, sizeof(import));
}

static void
import_subxact_callback(SubXactEvent event, SubTransactionId sub, SubTransactionId parent, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB && import.org_id != 0 &&
		import.nest_level >= GetCurrentTransactionNestLevel())
		memset(&import, 0, sizeof(import));
	else if (event == SUBXACT_EVENT_COMMIT_SUB && import.nest_level >= GetCurrentTransactionNestLevel())
		import.nest_level = GetCurrentTransactionNestLevel() - 1;
}

/* Is the transaction importing the organisation's history?  IS045 if no time is set yet. */
static bool
import_active(int64 org_id)
{
	if (import.org_id == 0 || import.org_id != org_id)
		return false;
	if (RULE_ON(IS045_IMPORT_NO_TIME) && import.at == 0)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_IMPORT_MODE),
				 errmsg("import batch " INT64_FORMAT " has no business time yet", import.batch_id),
				 errdetail("In import mode every change of organization " INT64_FORMAT " takes the time set by isms.import_at.",
						   org_id),
				 errhint("Call isms.import_at(time) before the first change.")));
	return import.at != 0;
}

/*
 * The business time of a change of the organisation made now: the import
 * time in import mode, else the transaction's time (what now() says).
 */
TimestampTz
engine_business_time(int64 org_id)
{
	return import_active(org_id) ? import.at : GetCurrentTransactionStartTimestamp();
}

/* The business date (the session's time zone, as CURRENT_DATE). */
DateADT
engine_business_date(int64 org_id)
{
	if (!import_active(org_id))
		return GetSQLCurrentDate();
	return DatumGetDateADT(DirectFunctionCall1(timestamptz_date, TimestampTzGetDatum(import.at)));
}

/*
 * The business time and import batch of an event of the organisation
 * appended now: 0 and 0 for live work (the event's business time is then
 * the time it is recorded at).
 */
TimestampTz
event_business_time(int64 org_id, int64 *import_batch)
{
	*import_batch = 0;
	if (!import_active(org_id))
		return 0;
	*import_batch = import.batch_id;
	return import.at;
}

/* isms.business_date(org bigint) -> date: what the rules compare validity with */
Datum
import_business_date(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(engine_business_date(PG_GETARG_INT64(0)));
}

/* IS046: the caller is designated history_importer in the organisation. */
static void
import_require_right(int64 org_id)
{
	if (RULE_OFF(IS046_IMPORT_RIGHT) || authority_holds(org_id, IMPORT_DESIGNATION, engine_identity()))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_ISMS_IMPORT_RIGHT),
			 errmsg("importing the history of organization " INT64_FORMAT " needs a member designated %s",
					org_id, IMPORT_DESIGNATION),
			 errdetail("Role \"%s\" is not designated %s in organization " INT64_FORMAT ".",
					   GetUserNameFromId(GetUserId(), false), IMPORT_DESIGNATION, org_id),
			 errhint("An administrator designates importers with isms.designate(org, member, '%s').",
					 IMPORT_DESIGNATION)));
}

/*
 * Serialise the imports of one organisation (a transaction-level advisory
 * lock in the extension's own key space), then read its last imported
 * time: 0 if none.
 */
static TimestampTz
import_lock_floor(int64 org_id)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(org_id)};
	bool		isnull;
	Datum		d;

	engine_prepare(&plan,
				   "SELECT (SELECT pg_catalog.max(last_at) FROM isms.import_batch "
				   "         WHERE org_id OPERATOR(pg_catalog.=) $1) "
				   "  FROM pg_catalog.pg_advisory_xact_lock(1229147475, pg_catalog.hashint8($1))",
				   1, argtypes);
	if (engine_exec(plan, values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not lock the imports of organization " INT64_FORMAT, org_id);
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return isnull ? 0 : DatumGetTimestampTz(d);
}

/* Open the batch's row; returns its id. */
static int64
import_open_batch(int64 org_id, text *source)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[4] = {INT8OID, TEXTOID, TEXTOID, OIDOID};
	Datum		values[4] = {Int64GetDatum(org_id), PointerGetDatum(source),
	CStringGetTextDatum(engine_actor()), ObjectIdGetDatum(engine_identity())};
	bool		isnull;

	engine_prepare(&plan,
				   "INSERT INTO isms.import_batch (org_id, source, imported_by, imported_by_oid) "
				   "VALUES ($1, $2, $3, $4) RETURNING batch_id",
				   4, argtypes);
	if (engine_exec(plan, values, NULL, true, 1) != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
		elog(ERROR, "could not open an import batch for organization " INT64_FORMAT, org_id);
	return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/* IS045: one batch per transaction. */
static void
import_refuse_second_batch(void)
{
	if (RULE_ON(IS045_IMPORT_TWICE) && import.org_id != 0)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_IMPORT_MODE),
				 errmsg("this transaction already imports batch " INT64_FORMAT " of organization " INT64_FORMAT,
						import.batch_id, import.org_id),
				 errdetail("An import batch is one transaction, of one organization."),
				 errhint("Commit the batch, then begin the next one in a new transaction.")));
}

/* Enter import mode for the rest of the (sub)transaction. */
static void
import_enter(int64 org_id, int64 batch_id, TimestampTz floor, bool on_node)
{
	static bool callbacks_registered = false;

	if (!callbacks_registered)
	{
		RegisterXactCallback(import_xact_callback, NULL);
		RegisterSubXactCallback(import_subxact_callback, NULL);
		callbacks_registered = true;
	}
	import.org_id = org_id;
	import.batch_id = batch_id;
	import.nest_level = GetCurrentTransactionNestLevel();
	import.floor = floor;
	import.at = 0;
	import.on_node = on_node;
}

/* Open the organisation's batch here: the right, the lock, the row, its event. */
static int64
import_open(int64 org_id, text *source)
{
	TimestampTz floor;
	int64		batch_id;

	engine_require_visible_org(org_id);
	import_refuse_second_batch();
	SPI_connect();
	import_require_right(org_id);
	floor = import_lock_floor(org_id);
	batch_id = import_open_batch(org_id, source);
	SPI_finish();
	/* the batch's opening is live work, recorded now */
	event_append(org_id, "import_batch", batch_id, "begin", NULL, "open",
				 engine_json(1, "source", text_to_cstring(source)));
	import_enter(org_id, batch_id, floor, false);
	return batch_id;
}

/* isms.begin_import(org bigint, source text) -> bigint: the batch */
Datum
import_begin(PG_FUNCTION_ARGS)
{
	int64		org_id = PG_GETARG_INT64(0);
	text	   *source = PG_GETARG_TEXT_PP(1);
	int64		batch_id;

	if (!distribute_delegates())
		PG_RETURN_INT64(import_open(org_id, source));
	import_refuse_second_batch();
	batch_id = distribute_call(psprintf("SELECT * FROM isms.begin_import_on_node(" INT64_FORMAT ", %s)", org_id,
										quote_literal_cstr(text_to_cstring(source))));
	import_enter(org_id, batch_id, 0, true);
	PG_RETURN_INT64(batch_id);
}

/* isms.begin_import_on_node(org bigint, source text) -> bigint: isms.begin_import, run here */
Datum
import_begin_on_node(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(import_open(PG_GETARG_INT64(0), PG_GETARG_TEXT_PP(1)));
}

/* IS044: an import time is not in the future and not before the previous one. */
static void
import_check_time(TimestampTz at)
{
	TimestampTz previous = Max(import.floor, import.at);

	if (RULE_ON(IS044_IMPORT_FUTURE) && at > GetCurrentTimestamp())
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_IMPORT_TIME),
				 errmsg("import time %s is in the future", timestamptz_to_str(at)),
				 errdetail("Imported history happened before it is recorded."),
				 errhint("Record future work live when it happens.")));
	/* timestamptz_to_str returns a static buffer: the first is copied */
	if (RULE_ON(IS044_IMPORT_ORDER) && previous != 0 && at < previous)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_IMPORT_TIME),
				 errmsg("import time %s is before the previous imported time %s of organization " INT64_FORMAT,
						pstrdup(timestamptz_to_str(at)), timestamptz_to_str(previous), import.org_id),
				 errdetail("History is imported in order: no change may claim a time before the one imported before it."),
				 errhint("Sort the history by time before importing it.")));
}

/* IS045: isms.import_at needs the transaction's batch (of org_id, when not 0). */
static void
import_require_mode(int64 org_id)
{
	if (RULE_ON(IS045_IMPORT_OUTSIDE) && (import.org_id == 0 || (org_id != 0 && import.org_id != org_id)))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_IMPORT_MODE),
				 errmsg("isms.import_at outside import mode"),
				 errdetail("Only an import batch sets business times; live changes take the time they are recorded at."),
				 errhint("Call isms.begin_import(org, source) first, in the same transaction.")));
}

/* Check a business time and advance the batch's row to it. */
static void
import_advance(TimestampTz at)
{
	static SPIPlanPtr plan = NULL;
	Oid			argtypes[3] = {INT8OID, INT8OID, TIMESTAMPTZOID};
	Datum		values[3];

	import_check_time(at);
	values[0] = Int64GetDatum(import.org_id);
	values[1] = Int64GetDatum(import.batch_id);
	values[2] = TimestampTzGetDatum(at);
	SPI_connect();
	engine_prepare(&plan,
				   "UPDATE isms.import_batch SET first_at = COALESCE(first_at, $3), last_at = $3 "
				   "WHERE org_id OPERATOR(pg_catalog.=) $1 AND batch_id OPERATOR(pg_catalog.=) $2",
				   3, argtypes);
	if (engine_exec(plan, values, NULL, true, 0) != SPI_OK_UPDATE || SPI_processed != 1)
		elog(ERROR, "could not advance import batch " INT64_FORMAT, import.batch_id);
	SPI_finish();
	import.at = at;
}

/* A timestamptz as an SQL literal that reads the same in any session (ISO, UTC). */
static char *
import_time_literal(TimestampTz at)
{
	char		buf[MAXDATELEN + 1];
	struct pg_tm tm;
	fsec_t		fsec;

	if (TIMESTAMP_NOT_FINITE(at))
		EncodeSpecialTimestamp(at, buf);
	else if (timestamp2tm(at, NULL, &tm, &fsec, NULL, NULL) == 0)
		EncodeDateTime(&tm, fsec, true, 0, NULL, USE_ISO_DATES, buf);
	else
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return psprintf("%s::pg_catalog.timestamptz", quote_literal_cstr(buf));
}

/* isms.import_at(at timestamptz) -> timestamptz: the business time of the changes that follow */
Datum
import_at(PG_FUNCTION_ARGS)
{
	TimestampTz at = PG_GETARG_TIMESTAMPTZ(0);

	import_require_mode(0);
	if (import.on_node)
	{
		distribute_call(psprintf("SELECT * FROM isms.import_at_on_node(" INT64_FORMAT ", %s)",
								 import.org_id, import_time_literal(at)));
		import.at = at;
	}
	else
		import_advance(at);
	PG_RETURN_TIMESTAMPTZ(at);
}

/* isms.import_at_on_node(org bigint, at timestamptz) -> timestamptz: isms.import_at, run here */
Datum
import_at_on_node(PG_FUNCTION_ARGS)
{
	TimestampTz at = PG_GETARG_TIMESTAMPTZ(1);

	import_require_mode(PG_GETARG_INT64(0));
	import_advance(at);
	PG_RETURN_TIMESTAMPTZ(at);
}
