/*-------------------------------------------------------------------------
 *
 * snapshot.c
 *	  Snapshots as approvals: a record of a register's work product (a
 *	  risk register, a Statement of Applicability, risk criteria: see
 *	  isms.register) holds the frozen register of its organisation, filled
 *	  by the engine, never by the client.
 *
 * The guard "snapshot" of the record transition draft -> in_review fills
 * the record's content with the register as it stands at submission: every
 * entry of the organisation in key order, each with the SHA-256 of its
 * columns, and a hash over the entries.  The submission guard that follows
 * hashes that content into the submission event, and the record rules keep
 * it frozen from then on (IS009), so approving the record approves the
 * register as it stood.  isms.record_snapshot_trigger (BEFORE INSERT OR
 * UPDATE on isms.record, named to fire before record_rules) refuses content
 * a client supplies or changes for such a record (IS031).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/rel.h"

#include "engine.h"

PG_FUNCTION_INFO_V1(snapshot_trigger);

/* Version of the snapshot format, the first key of every snapshot. */
#define SNAPSHOT_FORMAT "isms-snapshot-v1"

static SPIPlanPtr plan_register_query = NULL;

/*
 * The register whose work product this is (its table), or InvalidOid.
 * Only the PRM's work products name registers.
 */
Oid
snapshot_register(const WorkProduct *wp)
{
	if (wp == NULL || wp->org_id != 0)
		return InvalidOid;
	return register_of_work_product(wp->key);
}

/* Lower-case hex of a SHA-256 digest. */
static char *
snapshot_hex(const uint8 *digest)
{
	char	   *hex = palloc(PG_SHA256_DIGEST_LENGTH * 2 + 1);

	hex_encode((const char *) digest, PG_SHA256_DIGEST_LENGTH, hex);
	hex[PG_SHA256_DIGEST_LENGTH * 2] = '\0';
	return hex;
}

/* SHA-256 of some bytes, with PostgreSQL's cryptohash (as event.c hashes). */
static void
snapshot_sha256(pg_cryptohash_ctx *ctx, const uint8 *data, size_t len, uint8 *digest)
{
	if (pg_cryptohash_init(ctx) < 0 || pg_cryptohash_update(ctx, data, len) < 0 ||
		pg_cryptohash_final(ctx, digest, PG_SHA256_DIGEST_LENGTH) < 0)
		elog(ERROR, "could not compute SHA-256: %s", pg_cryptohash_error(ctx));
}

/*
 * The query reading a register's entries of one organisation: each row as
 * JSON without its org_id, in primary-key order (text keys in byte order,
 * whatever the database's collation), and the register's kind.
 */
static char *
snapshot_entries_query(Oid relid, char **kind)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		values[1] = {ObjectIdGetDatum(relid)};
	char	   *order;

	engine_prepare(&plan_register_query,
				   "SELECT r.kind, r.relation::pg_catalog.text, "
				   "       pg_catalog.string_agg('t.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(a.attname::pg_catalog.text)"
				   "           OPERATOR(pg_catalog.||) CASE WHEN a.attcollation OPERATOR(pg_catalog.<>) 0 THEN ' COLLATE \"C\"' ELSE '' END,"
				   "           ', ' ORDER BY k.n) FILTER (WHERE a.attname OPERATOR(pg_catalog.<>) 'org_id')"
				   "  FROM isms.register r"
				   "  JOIN pg_catalog.pg_index i ON i.indrelid OPERATOR(pg_catalog.=) r.relation AND i.indisprimary"
				   "  CROSS JOIN LATERAL pg_catalog.unnest(i.indkey::pg_catalog.int2[]) WITH ORDINALITY k (attnum, n)"
				   "  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) i.indrelid AND a.attnum OPERATOR(pg_catalog.=) k.attnum"
				   " WHERE r.relation OPERATOR(pg_catalog.=) $1::pg_catalog.regclass"
				   " GROUP BY r.kind, r.relation",
				   1, argtypes);
	if (engine_exec(plan_register_query, values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "register %u has no primary key", relid);
	*kind = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	order = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
	return psprintf("SELECT (pg_catalog.to_jsonb(t) OPERATOR(pg_catalog.-) 'org_id'::pg_catalog.text)::pg_catalog.text "
					"FROM %s t WHERE t.org_id OPERATOR(pg_catalog.=) $1%s%s",
					SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2),
					order ? " ORDER BY " : "", order ? order : "");
}

/*
 * Read the entries as the engine (past row-level security: the register of
 * the whole organisation, whoever submits), with time stamps in UTC so that
 * the JSON and its hashes do not depend on the submitter's time zone.
 */
static void
snapshot_read(const char *sql, int64 org_id)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(org_id)};
	SPIPlanPtr	plan;
	int			level;

	plan = SPI_prepare(sql, 1, argtypes);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql, SPI_result_code_string(SPI_result));
	level = NewGUCNestLevel();
	(void) set_config_option("TimeZone", "UTC", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	if (engine_exec(plan, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the register of organization " INT64_FORMAT, org_id);
	AtEOXact_GUC(true, level);
	SPI_freeplan(plan);
}

/*
 * The snapshot of a register for one organisation, as JSON text:
 *   {"format": "isms-snapshot-v1", "register": kind,
 *    "entries": [{...columns..., "row_sha256": hex}, ...],
 *    "entry_count": n, "entries_sha256": hex}
 * An entry is the row without org_id as PostgreSQL's jsonb prints it, and
 * row_sha256 the SHA-256 of that text in UTF-8 (so that
 * sha256(convert_to((entry - 'row_sha256')::text, 'UTF8')) recomputes it);
 * entries_sha256 is the SHA-256 of the entries' row hashes (32 bytes each)
 * in entry order.
 */
static char *
snapshot_build(int64 org_id, Oid relid)
{
	char	   *kind;
	char	   *sql = snapshot_entries_query(relid, &kind);
	pg_cryptohash_ctx *row_ctx = pg_cryptohash_create(PG_SHA256);
	pg_cryptohash_ctx *all_ctx = pg_cryptohash_create(PG_SHA256);
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	StringInfoData buf;
	uint64		i;

	if (row_ctx == NULL || all_ctx == NULL || pg_cryptohash_init(all_ctx) < 0)
		elog(ERROR, "could not compute SHA-256");
	snapshot_read(sql, org_id);
	initStringInfo(&buf);
	appendStringInfoString(&buf, "{\"format\": \"" SNAPSHOT_FORMAT "\", \"register\": ");
	escape_json(&buf, kind);
	appendStringInfoString(&buf, ", \"entries\": [");
	for (i = 0; i < SPI_processed; i++)
	{
		char	   *row = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		size_t		len = strlen(row);
		char	   *utf8;

		if (len < 2 || row[len - 1] != '}')
			elog(ERROR, "unexpected register row \"%s\"", engine_clip(row));
		utf8 = pg_server_to_any(row, (int) len, PG_UTF8);
		snapshot_sha256(row_ctx, (const uint8 *) utf8, strlen(utf8), digest);
		if (pg_cryptohash_update(all_ctx, digest, sizeof(digest)) < 0)
			elog(ERROR, "could not compute SHA-256: %s", pg_cryptohash_error(all_ctx));
		if (i > 0)
			appendStringInfoString(&buf, ", ");
		appendBinaryStringInfo(&buf, row, (int) len - 1);
		appendStringInfo(&buf, "%s\"row_sha256\": \"%s\"}", len > 2 ? ", " : "", snapshot_hex(digest));
	}
	if (pg_cryptohash_final(all_ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not compute SHA-256: %s", pg_cryptohash_error(all_ctx));
	appendStringInfo(&buf, "], \"entry_count\": " UINT64_FORMAT ", \"entries_sha256\": \"%s\"}",
					 SPI_processed, snapshot_hex(digest));
	pg_cryptohash_free(row_ctx);
	pg_cryptohash_free(all_ctx);
	return buf.data;
}

/*
 * Guard snapshot (draft -> in_review, before submission): a record of a
 * register's work product gets the register as it stands now.  Taken at
 * every submission, not at creation: the draft may wait while the register
 * is worked on in the same run, and a record returned from review is
 * submitted again with the register as corrected.
 */
void
snapshot_guard_submission(LifecycleRow *row)
{
	TupleDesc	desc = RelationGetDescr(row->rel);
	const WorkProduct *wp = model_work_product(row->org_id,
											   (int32) engine_get_int64(row->oldtup, desc, "work_product_id"));
	Oid			relid = snapshot_register(wp);
	const char *cols[1] = {"content"};
	Datum		vals[1];
	bool		nulls[1] = {false};

	if (!OidIsValid(relid) || RULE_OFF(IS031_SNAPSHOT_AT_SUBMISSION))
		return;
	vals[0] = DirectFunctionCall1(jsonb_in, CStringGetDatum(snapshot_build(row->org_id, relid)));
	row->newtup = engine_set_columns(row->rel, row->newtup, 1, cols, vals, nulls);
}

/* Is this jsonb the empty object? */
static bool
snapshot_empty(Datum content)
{
	Jsonb	   *jb = DatumGetJsonbP(content);

	return JB_ROOT_IS_OBJECT(jb) && JB_ROOT_COUNT(jb) == 0;
}

/* IS031: the content of a snapshot record is the engine's. */
static void
snapshot_refuse(const WorkProduct *wp, const char *object, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_ISMS_SNAPSHOT),
			 errmsg("%s: the content of a %s record is a snapshot of the register, set by the engine", object, wp->key),
			 errdetail("%s", why),
			 errhint("Change the register's entries in a run that maintains it; the record's content is taken from them when it is submitted.")));
}

/*
 * isms.record_snapshot_trigger: BEFORE INSERT OR UPDATE ON isms.record FOR
 * EACH ROW.  A record of a register's work product is created with empty
 * content and its content is never changed by a client; the engine fills it
 * at submission (inside record_rules, which fires after this trigger).
 */
Datum
snapshot_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	tup;
	bool		isnull;
	Datum		content;
	bool		insert;
	int64		org_id;

	engine_check_trigger(fcinfo, "record_snapshot_trigger", true, true);
	desc = RelationGetDescr(td->tg_relation);
	insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);
	tup = insert ? td->tg_trigtuple : td->tg_newtuple;
	content = engine_get(tup, desc, "content", &isnull);
	if (insert ? (isnull || snapshot_empty(content))
		: (engine_internal_write() || !engine_column_changed(td->tg_trigtuple, tup, desc, "content")))
		return PointerGetDatum(tup);
	org_id = engine_get_int64(tup, desc, "org_id");
	SPI_connect();
	{
		const WorkProduct *wp = model_work_product(org_id, (int32) engine_get_int64(tup, desc, "work_product_id"));

		if (OidIsValid(snapshot_register(wp)))
		{
			if (insert && RULE_ON(IS031_CLIENT_CONTENT))
				snapshot_refuse(wp, psprintf("new %s record", wp->key),
								"A new record of a register's work product starts with empty content.");
			if (!insert && RULE_ON(IS031_CONTENT_CHANGE))
				snapshot_refuse(wp, psprintf("record " INT64_FORMAT, engine_get_int64(tup, desc, "record_id")),
								"Neither the author nor anyone else writes the snapshot; it is taken at submission and frozen from then on.");
		}
	}
	SPI_finish();
	return PointerGetDatum(tup);
}

/*
 * For isms.verify_events: the first snapshot record of the organisation
 * that no longer agrees with its own hashes (an entry's row hash, the hash
 * over the entries, the count), or NULL.  The event chain vouches for the
 * whole content already; this names the entry that was changed.
 */
char *
snapshot_verify(int64 org_id)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		args[1] = {Int64GetDatum(org_id)};

	if (SPI_execute_with_args("WITH s AS ("
							  "  SELECT r.record_id, r.content FROM isms.record r"
							  "    JOIN isms.work_product w ON w.work_product_id OPERATOR(pg_catalog.=) r.work_product_id AND w.org_id IS NULL"
							  "    JOIN isms.register g ON g.work_product OPERATOR(pg_catalog.=) w.key"
							  "   WHERE r.org_id OPERATOR(pg_catalog.=) $1"
							  "     AND r.content OPERATOR(pg_catalog.->>) 'format' OPERATOR(pg_catalog.=) '" SNAPSHOT_FORMAT "'),"
							  " e AS ("
							  "  SELECT s.record_id, x.n, x.e OPERATOR(pg_catalog.->>) 'row_sha256' AS stored,"
							  "         pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(("
							  "             x.e OPERATOR(pg_catalog.-) 'row_sha256'::pg_catalog.text)::pg_catalog.text, 'UTF8')), 'hex') AS computed"
							  "    FROM s, pg_catalog.jsonb_array_elements(CASE WHEN pg_catalog.jsonb_typeof(s.content OPERATOR(pg_catalog.->) 'entries')"
							  "              OPERATOR(pg_catalog.=) 'array' THEN s.content OPERATOR(pg_catalog.->) 'entries'"
							  "              ELSE '[]'::pg_catalog.jsonb END) WITH ORDINALITY x (e, n))"
							  " SELECT s.record_id, (SELECT pg_catalog.min(e.n) FROM e WHERE e.record_id OPERATOR(pg_catalog.=) s.record_id"
							  "                         AND COALESCE(e.stored OPERATOR(pg_catalog.<>) e.computed, true))"
							  "   FROM s"
							  "  WHERE COALESCE(pg_catalog.jsonb_typeof(s.content OPERATOR(pg_catalog.->) 'entries') OPERATOR(pg_catalog.<>) 'array', true)"
							  "     OR EXISTS (SELECT FROM e WHERE e.record_id OPERATOR(pg_catalog.=) s.record_id"
							  "                   AND COALESCE(e.stored OPERATOR(pg_catalog.<>) e.computed, true))"
							  "     OR COALESCE((SELECT pg_catalog.encode(pg_catalog.sha256(COALESCE(pg_catalog.string_agg("
							  "                    CASE WHEN e.stored OPERATOR(pg_catalog.~) '^[0-9a-f]{64}$' THEN pg_catalog.decode(e.stored, 'hex')"
							  "                    ELSE '\\x00'::pg_catalog.bytea END, ''::pg_catalog.bytea ORDER BY e.n), ''::pg_catalog.bytea)), 'hex')"
							  "                  FROM e WHERE e.record_id OPERATOR(pg_catalog.=) s.record_id)"
							  "                 OPERATOR(pg_catalog.<>) (s.content OPERATOR(pg_catalog.->>) 'entries_sha256'), true)"
							  "     OR COALESCE(pg_catalog.to_jsonb((SELECT pg_catalog.count(*) FROM e WHERE e.record_id OPERATOR(pg_catalog.=) s.record_id))"
							  "                 OPERATOR(pg_catalog.<>) (s.content OPERATOR(pg_catalog.->) 'entry_count'), true)"
							  "  ORDER BY s.record_id LIMIT 1",
							  1, argtypes, args, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not verify the snapshots of organization " INT64_FORMAT, org_id);
	if (SPI_processed == 0)
		return NULL;
	{
		char	   *record = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		char	   *entry = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);

		if (entry)
			return psprintf("snapshot record %s: entry %s does not match its row hash", record, entry);
		return psprintf("snapshot record %s does not match the hash of its entries", record);
	}
}
