/*-------------------------------------------------------------------------
 *
 * record_hash.c
 *	  The canonical content hash of a record, in C: what a record's
 *	  submission and approval events carry and isms.verify_events
 *	  recomputes from the row.
 *
 * The hash is the SHA-256 (hex) of the UTF-8 text of the jsonb array
 *   [work_product_id, document_id, version, title, content, evidence_uri,
 *    evidence_sha256, author, author_oid, author_app,
 *    approver, approver_oid, approver_app]
 * (the approver's three only for an approval, else null), built the way
 * jsonb_build_array builds it.  It was a SQL function; the trigger called it
 * through SPI, which planned its body on every submission and approval.
 * Now the trigger calls record_content_hash directly, and the SQL function
 * isms.record_content_hash (used by verification) is this same code, so
 * there is one implementation and the hashes stay byte-identical.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/typcache.h"

#include "engine.h"

PG_FUNCTION_INFO_V1(record_content_hash_sql);

/* Push a jsonb value the way jsonb_build_array pushes a scalar argument. */
static void
hash_push(JsonbParseState **state, JsonbValue *v)
{
	pushJsonbValue(state, WJB_ELEM, v);
}

/* An integer column (int4 or int8) as a jsonb number, or null. */
static void
hash_push_number(JsonbParseState **state, HeapTuple tuple, TupleDesc desc, const char *column)
{
	JsonbValue	v;
	bool		isnull;
	int			attno = engine_column(desc, column);
	Datum		d = heap_getattr(tuple, attno, desc, &isnull);

	if (isnull)
		v.type = jbvNull;
	else
	{
		v.type = jbvNumeric;
		v.val.numeric = int64_to_numeric(TupleDescAttr(desc, attno - 1)->atttypid == INT8OID ?
										 DatumGetInt64(d) : (int64) DatumGetInt32(d));
	}
	hash_push(state, &v);
}

/*
 * A role column cast to oid: jsonb_build_array gives an oid as a string
 * of its digits (oid is not one of jsonb's number types), or null.
 */
static void
hash_push_oid(JsonbParseState **state, HeapTuple tuple, TupleDesc desc, const char *column, bool use)
{
	JsonbValue	v;
	bool		isnull = true;
	Datum		d = use ? engine_get(tuple, desc, column, &isnull) : (Datum) 0;

	if (isnull)
		v.type = jbvNull;
	else
	{
		v.type = jbvString;
		v.val.string.val = psprintf("%u", DatumGetObjectId(d));
		v.val.string.len = strlen(v.val.string.val);
	}
	hash_push(state, &v);
}

/* A text column as a jsonb string, or null. */
static void
hash_push_text(JsonbParseState **state, HeapTuple tuple, TupleDesc desc, const char *column, bool use)
{
	JsonbValue	v;
	bool		isnull = true;
	Datum		d = use ? engine_get(tuple, desc, column, &isnull) : (Datum) 0;

	if (isnull)
		v.type = jbvNull;
	else
	{
		text	   *t = DatumGetTextPP(d);

		v.type = jbvString;
		v.val.string.val = VARDATA_ANY(t);
		v.val.string.len = VARSIZE_ANY_EXHDR(t);
	}
	hash_push(state, &v);
}

/* A jsonb column embedded as jsonb_build_array embeds a jsonb argument. */
static void
hash_push_jsonb(JsonbParseState **state, HeapTuple tuple, TupleDesc desc, const char *column)
{
	bool		isnull;
	Datum		d = engine_get(tuple, desc, column, &isnull);
	Jsonb	   *jb;
	JsonbIterator *it;
	JsonbIteratorToken type;
	JsonbValue	v;

	if (isnull)
	{
		v.type = jbvNull;
		hash_push(state, &v);
		return;
	}
	jb = DatumGetJsonbP(d);
	it = JsonbIteratorInit(&jb->root);
	if (JB_ROOT_IS_SCALAR(jb))
	{
		(void) JsonbIteratorNext(&it, &v, true);
		(void) JsonbIteratorNext(&it, &v, true);
		hash_push(state, &v);
		return;
	}
	while ((type = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		if (type == WJB_BEGIN_ARRAY || type == WJB_END_ARRAY ||
			type == WJB_BEGIN_OBJECT || type == WJB_END_OBJECT)
			pushJsonbValue(state, type, NULL);
		else
			pushJsonbValue(state, type, &v);
	}
}

/* SHA-256 of bytes, as 64 lowercase hex digits. */
static char *
hash_hex(const char *bytes, size_t len)
{
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	char	   *hex = palloc(PG_SHA256_DIGEST_LENGTH * 2 + 1);
	pg_cryptohash_ctx *ctx = pg_cryptohash_create(PG_SHA256);

	if (ctx == NULL || pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (const uint8 *) bytes, len) < 0 ||
		pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
		elog(ERROR, "could not compute SHA-256: %s", pg_cryptohash_error(ctx));
	pg_cryptohash_free(ctx);
	hex_encode((const char *) digest, sizeof(digest), hex);
	hex[PG_SHA256_DIGEST_LENGTH * 2] = '\0';
	return hex;
}

/*
 * The content hash of a record row (tuple of the isms.record row type);
 * with approved, the approver is covered too.
 */
char *
record_content_hash(HeapTuple tuple, TupleDesc desc, bool approved)
{
	JsonbParseState *state = NULL;
	JsonbValue *array;
	Jsonb	   *jb;
	char	   *json;
	char	   *utf8;

	pushJsonbValue(&state, WJB_BEGIN_ARRAY, NULL);
	hash_push_number(&state, tuple, desc, "work_product_id");
	hash_push_number(&state, tuple, desc, "document_id");
	hash_push_number(&state, tuple, desc, "version");
	hash_push_text(&state, tuple, desc, "title", true);
	hash_push_jsonb(&state, tuple, desc, "content");
	hash_push_text(&state, tuple, desc, "evidence_uri", true);
	hash_push_text(&state, tuple, desc, "evidence_sha256", true);
	hash_push_text(&state, tuple, desc, "author", true);
	hash_push_oid(&state, tuple, desc, "author_oid", true);
	hash_push_text(&state, tuple, desc, "author_app", true);
	hash_push_text(&state, tuple, desc, "approver", approved);
	hash_push_oid(&state, tuple, desc, "approver_oid", approved);
	hash_push_text(&state, tuple, desc, "approver_app", approved);
	array = pushJsonbValue(&state, WJB_END_ARRAY, NULL);
	jb = JsonbValueToJsonb(array);
	json = JsonbToCString(NULL, &jb->root, VARSIZE(jb));
	utf8 = pg_server_to_any(json, strlen(json), PG_UTF8);
	return hash_hex(utf8, strlen(utf8));
}

/* isms.record_content_hash(r isms.record, approved boolean) -> text */
Datum
record_content_hash_sql(PG_FUNCTION_ARGS)
{
	HeapTupleHeader th;
	TupleDesc	desc;
	HeapTupleData tuple;
	char	   *hash;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	th = PG_GETARG_HEAPTUPLEHEADER(0);
	desc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(th), HeapTupleHeaderGetTypMod(th));
	tuple.t_len = HeapTupleHeaderGetDatumLength(th);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = th;
	hash = record_content_hash(&tuple, desc, !PG_ARGISNULL(1) && PG_GETARG_BOOL(1));
	ReleaseTupleDesc(desc);
	PG_RETURN_TEXT_P(cstring_to_text(hash));
}
