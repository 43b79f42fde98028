/*-------------------------------------------------------------------------
 *
 * verify.c
 *	  isms.verify_events: recompute an organisation's event chain end to
 *	  end, optionally against a checkpoint kept outside the database, and
 *	  check that the records the chain vouches for still hold that content.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/sha2.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "engine.h"

PG_FUNCTION_INFO_V1(event_verify);
PG_FUNCTION_INFO_V1(event_verify_checkpoint);

/* Report of isms.verify_events: one row. */
static Datum
verify_result(FunctionCallInfo fcinfo, bool valid, int64 checked, int64 broken_at, const char *problem)
{
	TupleDesc	desc;
	Datum		values[4];
	bool		nulls[4] = {false, false, broken_at == 0, problem == NULL};

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	values[0] = BoolGetDatum(valid);
	values[1] = Int64GetDatum(checked);
	values[2] = Int64GetDatum(broken_at);
	values[3] = problem ? CStringGetTextDatum(problem) : (Datum) 0;
	return HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls));
}

/* Does a nullable bytea column equal these bytes? */
static bool
bytes_equal(Datum d, bool isnull, const uint8 *bytes, int len)
{
	bytea	   *b;

	if (isnull)
		return len == 0;
	b = DatumGetByteaPP(d);
	return VARSIZE_ANY_EXHDR(b) == (Size) len && memcmp(VARDATA_ANY(b), bytes, len) == 0;
}

/* Compare the chain head with the last event found; NULL if they agree. */
static char *
verify_head(int64 org_id, int64 last_no, const uint8 *last_hash, int last_len)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		args[1] = {Int64GetDatum(org_id)};
	bool		isnull;
	int64		head_no;
	Datum		head_hash;

	if (SPI_execute_with_args("SELECT last_event_no, last_hash FROM isms.event_chain "
							  "WHERE org_id OPERATOR(pg_catalog.=) $1",
							  1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
	{
		if (RULE_ON(IS015_VERIFY_ORG) && last_no == 0)
			event_org_not_found(org_id);
		return psprintf("the chain head of organization " INT64_FORMAT " is missing", org_id);
	}
	head_no = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	head_hash = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
	if (head_no != last_no)
		return psprintf("the chain head records " INT64_FORMAT " events but " INT64_FORMAT " were found",
						head_no, last_no);
	if (!bytes_equal(head_hash, isnull, last_hash, last_len))
		return psprintf("the chain head's hash does not match event " INT64_FORMAT, last_no);
	return NULL;
}

/*
 * Check one event against the previous hash; on success leave its hash in
 * prev.  Returns a description of the problem, or NULL.
 */
static char *
verify_one(HeapTuple t, TupleDesc d, int64 org_id, int64 expected_no, uint8 *prev, int *prev_len)
{
	bool		isnull;
	int64		no = DatumGetInt64(SPI_getbinval(t, d, 1, &isnull));
	TimestampTz at = DatumGetTimestampTz(SPI_getbinval(t, d, 2, &isnull));
	Datum		stored_prev = SPI_getbinval(t, d, 10, &isnull);
	Datum		stored_hash;
	uint8		hash[PG_SHA256_DIGEST_LENGTH];

	if (no != expected_no)
		return psprintf("event " INT64_FORMAT " is missing", expected_no);
	if (!bytes_equal(stored_prev, isnull, prev, *prev_len))
		return psprintf("event " INT64_FORMAT " does not link to the hash of event " INT64_FORMAT, no, no - 1);
	event_hash(prev, *prev_len, org_id, no, at, DatumGetTimestampTz(SPI_getbinval(t, d, 12, &isnull)),
			   DatumGetInt64(SPI_getbinval(t, d, 13, &isnull)),
			   SPI_getvalue(t, d, 3), SPI_getvalue(t, d, 4), SPI_getvalue(t, d, 5),
			   SPI_getvalue(t, d, 6), SPI_getvalue(t, d, 7), SPI_getvalue(t, d, 8),
			   SPI_getvalue(t, d, 9), hash);
	stored_hash = SPI_getbinval(t, d, 11, &isnull);
	if (!bytes_equal(stored_hash, isnull, hash, sizeof(hash)))
		return psprintf("event " INT64_FORMAT " was altered: its hash does not match its content", no);
	memcpy(prev, hash, sizeof(hash));
	*prev_len = sizeof(hash);
	return NULL;
}

/*
 * The first event (event_no, object id, whether the row is missing) that a
 * content query finds no longer true of the rows, or NULL.
 */
static char *
verify_content_query(int64 org_id, const char *sql, const char *what)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		args[1] = {Int64GetDatum(org_id)};
	bool		isnull;
	int64		event_no;
	int64		object_id;

	if (SPI_execute_with_args(sql, 1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not verify the %ss of organization " INT64_FORMAT, what, org_id);
	if (SPI_processed == 0)
		return NULL;
	event_no = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	object_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull)))
		return psprintf("%s " INT64_FORMAT " of event " INT64_FORMAT " was removed", what, object_id, event_no);
	return psprintf("%s " INT64_FORMAT " no longer has the content event " INT64_FORMAT " recorded",
					what, object_id, event_no);
}

/*
 * Every row an event vouches for with a content hash still has that
 * content, and is still there unless an event removed it: a record's
 * latest submission (a returned draft may be edited and submitted again)
 * and its approval, recomputed from the row, unless a later event
 * discarded or disposed of the record; every assessment rating.  A
 * snapshot record is checked against its own hashes first (snapshot.c),
 * which names the entry changed.  Returns the first mismatch, or NULL.  A
 * row goes to the hash function through its text form: on Citus the query
 * runs on a shard, whose row type is not the table's (src/distribute.c).
 */
static char *
verify_content(int64 org_id)
{
	char	   *problem = snapshot_verify(org_id);

	if (problem == NULL)
		problem = verify_content_query(org_id,
											   "SELECT e.event_no, e.object_id, r.record_id IS NULL FROM ("
											   "  SELECT DISTINCT ON (object_id, action) event_no, object_id, action, "
											   "         detail OPERATOR(pg_catalog.->>) 'content_sha256' AS hash"
											   "    FROM isms.event WHERE org_id OPERATOR(pg_catalog.=) $1 AND object_type OPERATOR(pg_catalog.=) 'record'"
											   "     AND action OPERATOR(pg_catalog.=) ANY ('{submit,approve}'::pg_catalog.text[])"
											   "     AND detail OPERATOR(pg_catalog.?) 'content_sha256'"
											   "   ORDER BY object_id, action, event_no DESC) e"
											   "  LEFT JOIN isms.record r ON r.org_id OPERATOR(pg_catalog.=) $1 AND r.record_id OPERATOR(pg_catalog.=) e.object_id"
											   " WHERE CASE WHEN r.record_id IS NULL THEN NOT EXISTS ("
											   "         SELECT FROM isms.event d WHERE d.org_id OPERATOR(pg_catalog.=) $1"
											   "            AND d.object_type OPERATOR(pg_catalog.=) 'record' AND d.object_id OPERATOR(pg_catalog.=) e.object_id"
											   "            AND d.action OPERATOR(pg_catalog.=) ANY ('{discard,dispose}'::pg_catalog.text[]))"
											   "       ELSE isms.record_content_hash(r::pg_catalog.text::isms.record, e.action OPERATOR(pg_catalog.=) 'approve') "
											   "            OPERATOR(pg_catalog.<>) e.hash END"
											   " ORDER BY e.event_no LIMIT 1",
											   "record");

	if (problem == NULL)
		problem = verify_content_query(org_id,
									   "SELECT e.event_no, (e.detail OPERATOR(pg_catalog.->>) 'rating_id')::pg_catalog.int8, "
									   "       a.rating_id IS NULL"
									   "  FROM isms.event e"
									   "  LEFT JOIN isms.assessment_rating a ON a.org_id OPERATOR(pg_catalog.=) $1"
									   "   AND a.rating_id OPERATOR(pg_catalog.=) (e.detail OPERATOR(pg_catalog.->>) 'rating_id')::pg_catalog.int8"
									   " WHERE e.org_id OPERATOR(pg_catalog.=) $1 AND e.object_type OPERATOR(pg_catalog.=) 'assessment'"
									   "   AND e.detail OPERATOR(pg_catalog.?) 'content_sha256'"
									   "   AND (a.rating_id IS NULL OR isms.assessment_content_hash(a::pg_catalog.text::isms.assessment_rating) "
									   "        OPERATOR(pg_catalog.<>) (e.detail OPERATOR(pg_catalog.->>) 'content_sha256'))"
									   " ORDER BY e.event_no LIMIT 1",
									   "rating");
	return problem;
}

/*
 * Walk the organisation's chain from its first event: numbering without
 * gaps, each prev_hash equal to the previous hash, each hash equal to the
 * recomputed one, the chain head pointing at the last event and, with a
 * checkpoint (checkpoint_no > 0), event checkpoint_no carrying exactly the
 * checkpoint's hash.  Events are read through a cursor in batches and each
 * one is checked in a memory context reset per event, so memory stays flat
 * however long the chain.  Returns the problem (NULL if none) in the
 * caller's context; *checked is the number of events that verified.
 */
static char *
verify_chain(int64 org_id, int64 checkpoint_no, bytea *checkpoint_hash, int64 *checked)
{
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext per_event;
	Oid			argtypes[1] = {INT8OID};
	Datum		args[1] = {Int64GetDatum(org_id)};
	Portal		portal;
	uint8		prev[PG_SHA256_DIGEST_LENGTH];
	int			prev_len = 0;
	int64		next_no = 1;
	char	   *problem = NULL;
	int			guc_level;

	SPI_connect();
	guc_level = engine_pin_search_path();
	per_event = AllocSetContextCreate(CurrentMemoryContext, "isms verify event", ALLOCSET_DEFAULT_SIZES);
	portal = SPI_cursor_open_with_args(NULL,
									   "SELECT event_no, occurred_at, actor, object_type, object_id::pg_catalog.text, "
									   "action, old_state, new_state, detail::pg_catalog.text, prev_hash, hash, business_at, "
									   "COALESCE(import_batch, 0) "
									   "FROM isms.event WHERE org_id OPERATOR(pg_catalog.=) $1 ORDER BY event_no",
									   1, argtypes, args, NULL, true, 0);
	while (problem == NULL)
	{
		uint64		i;

		SPI_cursor_fetch(portal, true, 1000);
		if (SPI_processed == 0)
			break;
		for (i = 0; i < SPI_processed && problem == NULL; i++)
		{
			MemoryContext old = MemoryContextSwitchTo(per_event);

			problem = verify_one(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, org_id, next_no, prev, &prev_len);
			if (problem == NULL && next_no == checkpoint_no &&
				!bytes_equal(PointerGetDatum(checkpoint_hash), false, prev, prev_len))
				problem = psprintf("event " INT64_FORMAT " does not carry the checkpoint's hash: the chain "
								   "up to it was rewritten, or the organization's chain was restarted",
								   next_no);
			MemoryContextSwitchTo(old);
			if (problem)
				problem = MemoryContextStrdup(caller, problem);
			else
				next_no++;
			MemoryContextReset(per_event);
		}
		SPI_freetuptable(SPI_tuptable);
		if (problem == NULL && next_no % 100000 == 1)
			ereport(NOTICE, (errmsg("verified " INT64_FORMAT " events of organization " INT64_FORMAT,
									next_no - 1, org_id)));
	}
	SPI_cursor_close(portal);
	if (problem == NULL && checkpoint_no >= next_no)
		problem = psprintf("event " INT64_FORMAT " of the checkpoint is missing: the chain ends at event "
						   INT64_FORMAT " (its tail was removed, or it was restarted)",
						   checkpoint_no, next_no - 1);
	if (problem == NULL)
		problem = verify_head(org_id, next_no - 1, prev, prev_len);
	if (problem == NULL)
		problem = verify_content(org_id);
	if (problem)
		problem = MemoryContextStrdup(caller, problem);
	engine_unpin_search_path(guc_level);
	SPI_finish();
	*checked = next_no - 1;
	return problem;
}

/*
 * isms.verify_events(org) -> (valid, events_checked, first_broken_event, problem)
 *
 * The chain is consistent in itself.  Anyone who can rewrite every event can
 * also recompute every hash: only a checkpoint kept outside the database
 * proves more (below).
 */
Datum
event_verify(PG_FUNCTION_ARGS)
{
	int64		checked;
	char	   *problem = verify_chain(PG_GETARG_INT64(0), 0, NULL, &checked);

	PG_RETURN_DATUM(verify_result(fcinfo, problem == NULL, checked, problem ? checked + 1 : 0, problem));
}

/*
 * isms.verify_events(org, checkpoint_event_no, checkpoint_hash)
 *
 * The chain still contains the checkpoint's event with the checkpoint's
 * hash, and continues validly from it to the head: a removed tail, a head
 * moved back, a rewritten and re-hashed event up to the checkpoint, or a
 * deleted or restarted organisation all fail.
 */
Datum
event_verify_checkpoint(PG_FUNCTION_ARGS)
{
	int64		org_id = PG_GETARG_INT64(0);
	int64		checkpoint_no = PG_GETARG_INT64(1);
	bytea	   *checkpoint_hash = PG_GETARG_BYTEA_PP(2);
	int64		checked;
	char	   *problem;

	if (checkpoint_no < 1 || VARSIZE_ANY_EXHDR(checkpoint_hash) != PG_SHA256_DIGEST_LENGTH)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid checkpoint for organization " INT64_FORMAT, org_id),
				 errdetail("A checkpoint names an event number of at least 1 and its 32-byte SHA-256 hash."),
				 errhint("Pass the event_no and hash that isms.chain_head(org) returned.")));
	problem = verify_chain(org_id, checkpoint_no, checkpoint_hash, &checked);
	PG_RETURN_DATUM(verify_result(fcinfo, problem == NULL, checked, problem ? checked + 1 : 0, problem));
}
