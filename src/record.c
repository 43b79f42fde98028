/*-------------------------------------------------------------------------
 *
 * record.c
 *	  Rules of records (documented information): the record lifecycle,
 *	  outputs only from an active run of a producing process, versions,
 *	  immutability once submitted, approver is not author, the approver's
 *	  designation and independence where the work product requires them
 *	  (authority.c), validity and retention, and supersession of the
 *	  previous approved version.
 *
 * isms.record_trigger fires BEFORE INSERT, UPDATE and DELETE on
 * isms.record; isms.record_created_trigger fires AFTER INSERT and appends
 * the create event (AFTER, so that a row not inserted by INSERT ... ON
 * CONFLICT DO NOTHING has none); isms.record_output_trigger fires AFTER
 * INSERT and links a record produced by a run to that run as an output.
 * The rules of one transition are guards (record_guards), which
 * isms.lifecycle_transition attaches to the transitions of kind "record".
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_index.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/fmgroids.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "engine.h"

PG_FUNCTION_INFO_V1(record_trigger);
PG_FUNCTION_INFO_V1(record_output_trigger);
PG_FUNCTION_INFO_V1(record_created_trigger);

static SPIPlanPtr plan_producing_run = NULL;
static SPIPlanPtr plan_lock_document = NULL;
static SPIPlanPtr plan_supersede = NULL;
static SPIPlanPtr plan_link_output = NULL;
static SPIPlanPtr plan_unlink_outputs = NULL;

static const char *const record_fixed_columns[] = {
	"org_id", "record_id", "work_product_id", "document_id", "version", "author",
	"author_oid", "author_app", "produced_by_run", "created_at", NULL
};
static const char *const record_author_columns[] = {
	"author_oid", "author_app", NULL
};
static const char *const record_content_columns[] = {
	"title", "content", "evidence_uri", "evidence_sha256", NULL
};
static const char *const record_managed_columns[] = {
	"approver", "approver_oid", "approver_app", "approved_at", "valid_until", "retain_until",
	"submitted_at", NULL
};
static const char *const record_reason_column[] = {"state_reason", NULL};

/*
 * Who acts: the identity (a role OID, see engine_identity), the application
 * user within it (NULL if none) and the display name.  Two actors are the
 * same person when their role is the same and their application users are
 * the same or one of them is none; names alone never decide, so renaming a
 * role or re-creating one with an old name changes nothing.
 */
typedef struct RecordActor
{
	Oid			role;
	char	   *app_user;
	char	   *name;
} RecordActor;

static RecordActor
record_actor(void)
{
	RecordActor a;

	a.role = engine_identity();
	a.app_user = engine_app_user();
	a.name = a.app_user ? a.app_user : GetUserNameFromId(a.role, false);
	return a;
}

/* The record's columns for an actor: name, identity, application user. */
static void
record_actor_values(const RecordActor *a, Datum *vals, bool *nulls)
{
	vals[0] = CStringGetTextDatum(a->name);
	vals[1] = ObjectIdGetDatum(a->role);
	vals[2] = a->app_user ? CStringGetTextDatum(a->app_user) : (Datum) 0;
	nulls[0] = nulls[1] = false;
	nulls[2] = a->app_user == NULL;
}

/*
 * Is the actor the record's author?  Records authored before identities were
 * recorded (author_oid NULL) compare by name, which refuses more, not less.
 */
static bool
record_by_author(HeapTuple tuple, TupleDesc desc, const RecordActor *a)
{
	bool		isnull;
	Datum		author_oid = engine_get(tuple, desc, "author_oid", &isnull);
	char	   *author_app;

	if (isnull)
	{
		char	   *author = engine_get_text(tuple, desc, "author");

		return author != NULL && strcmp(author, a->name) == 0;
	}
	if (DatumGetObjectId(author_oid) != a->role)
		return false;
	author_app = engine_get_text(tuple, desc, "author_app");
	if (author_app == NULL || a->app_user == NULL)
		return true;			/* the application role itself is each of its users */
	return strcmp(author_app, a->app_user) == 0;
}

/* The work product of a record, visible to the record's organisation. */
static const WorkProduct *
record_work_product(int64 org_id, int32 work_product_id)
{
	const WorkProduct *wp = model_work_product(org_id, work_product_id);

	if (RULE_ON(IS015_RECORD_WORK_PRODUCT) && (wp == NULL || (wp->org_id != 0 && wp->org_id != org_id)))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_NOT_FOUND),
				 errmsg("work product %d does not exist for organization " INT64_FORMAT, work_product_id, org_id),
				 errdetail("The work product is neither part of the PRM nor one of the organization's own."),
				 errhint("Pick a work product from isms.work_product.")));
	return wp;
}

/* A record produced by a run: the run is active and its process outputs the work product. */
static void
record_check_producer(int64 org_id, int64 run_id, const WorkProduct *wp, const char *object)
{
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		values[2] = {Int64GetDatum(org_id), Int64GetDatum(run_id)};
	bool		isnull;
	const LifecycleState *state;
	const ProcessModel *pm;

	engine_prepare(&plan_producing_run,
				   "SELECT state, process_id FROM isms.run "
				   "WHERE org_id OPERATOR(pg_catalog.=) $1 AND run_id OPERATOR(pg_catalog.=) $2 FOR SHARE",
				   2, argtypes);
	if ((engine_exec(plan_producing_run, values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1) && RULE_ON(IS015_PRODUCING_RUN))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_NOT_FOUND),
				 errmsg("%s: run " INT64_FORMAT " does not exist in organization " INT64_FORMAT, object, run_id, org_id),
				 errdetail("A record can only be produced by a run of its own organization."),
				 errhint("Check the run id.")));
	state = lifecycle_state("run", SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	pm = model_process(org_id, DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull)));
	if (RULE_ON(IS004_OUTPUT_RUN_ACTIVE) && !lifecycle_is(state, "active"))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_RUN_NOT_ACTIVE),
				 errmsg("run " INT64_FORMAT " is %s and cannot produce records", run_id, state->name),
				 errdetail("Outputs are produced only while their run is active."),
				 errhint("Start or resume the run first.")));
	if (RULE_ON(IS007_NOT_AN_OUTPUT) && (wp->origin == ORIGIN_EXTERNAL || model_output(pm, wp->work_product_id) == NULL))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_OUTPUT_REFUSED),
				 errmsg("run " INT64_FORMAT " cannot produce a %s record: process %s does not output it",
						run_id, wp->key, pm->code),
				 errdetail("Records of %s are %s.", wp->key,
						   wp->origin == ORIGIN_EXTERNAL ? "entered directly: they come from outside the ISMS"
						   : "produced by the processes that output them"),
				 errhint(wp->origin == ORIGIN_EXTERNAL ? "Use isms.new_external_record(org, work_product, ...)."
						 : "Produce it in a run of a process listed in isms.process_output for it.")));
}

/* Lock the first version of a document: serialises versioning and approval per document. */
static void
record_lock_document(int64 org_id, int64 document_id, int32 work_product_id, const char *object)
{
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		values[2] = {Int64GetDatum(org_id), Int64GetDatum(document_id)};
	bool		isnull;

	engine_prepare(&plan_lock_document,
				   "SELECT work_product_id FROM isms.record "
				   "WHERE org_id OPERATOR(pg_catalog.=) $1 AND record_id OPERATOR(pg_catalog.=) $2 FOR UPDATE",
				   2, argtypes);
	if ((engine_exec(plan_lock_document, values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1) && RULE_ON(IS018_DOCUMENT_MISSING))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_VERSION),
				 errmsg("%s: document " INT64_FORMAT " does not exist in organization " INT64_FORMAT,
						object, document_id, org_id),
				 errdetail("A new version must continue an existing document of the same organization."),
				 errhint("Use isms.new_version(record).")));
	if (RULE_ON(IS018_OTHER_WORK_PRODUCT) && DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)) != work_product_id)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_VERSION),
				 errmsg("%s: a new version must keep the work product of document " INT64_FORMAT, object, document_id),
				 errdetail("All versions of a document are of one work product."),
				 errhint("Create a new document for another work product.")));
}

/* The unique index among rel's indexes on (org_id, document_id, version). */
static Oid
record_find_versions_index(Relation rel, List *indexes)
{
	TupleDesc	desc = RelationGetDescr(rel);
	ListCell   *lc;

	foreach(lc, indexes)
	{
		Relation	index = index_open(lfirst_oid(lc), AccessShareLock);
		Form_pg_index form = index->rd_index;
		bool		match = form->indisunique && form->indnkeyatts == 3 && RelationGetIndexPredicate(index) == NIL &&
			form->indkey.values[0] == engine_column(desc, "org_id") &&
			form->indkey.values[1] == engine_column(desc, "document_id") &&
			form->indkey.values[2] == engine_column(desc, "version");

		index_close(index, AccessShareLock);
		if (match)
			return lfirst_oid(lc);
	}
	elog(ERROR, "%s has no unique index on (org_id, document_id, version)", RelationGetRelationName(rel));
	return InvalidOid;			/* keep compiler quiet */
}

/*
 * The index of the versions of a document, in order.  Found by its columns,
 * not its name, so that on Citus it is the index of the shard the trigger
 * fires on; remembered while it is one of rel's indexes.
 */
static Oid
record_versions_index(Relation rel)
{
	static Oid	cached = InvalidOid;
	List	   *indexes = RelationGetIndexList(rel);

	if (!(OidIsValid(cached) && list_member_oid(indexes, cached)))
		cached = record_find_versions_index(rel, indexes);
	list_free(indexes);
	return cached;
}

/* What the versions of a document are: how many, the last and the highest approved. */
typedef struct DocumentVersions
{
	int			count;
	int32		last;
	int32		approved;		/* 0: none */
} DocumentVersions;

/*
 * Read the versions of a document from their index, without a SQL
 * statement (a query's executor start-up was the largest part of an
 * approval's rule checks), as SPI would: this transaction's changes
 * included, under a fresh snapshot (at READ COMMITTED, what committed
 * while the caller waited for the document's lock), or with latest, what
 * is committed now whatever the isolation level (as PostgreSQL's
 * foreign-key checks read at REPEATABLE READ).
 */
static DocumentVersions
record_read_versions(Relation rel, int64 org_id, int64 document_id, bool latest)
{
	TupleDesc	desc = RelationGetDescr(rel);
	DocumentVersions v = {0, 0, 0};
	ScanKeyData keys[2];
	SysScanDesc scan;
	Snapshot	snapshot;
	HeapTuple	tup;
	bool		isnull;

	ScanKeyInit(&keys[0], engine_column(desc, "org_id"), BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(org_id));
	ScanKeyInit(&keys[1], engine_column(desc, "document_id"), BTEqualStrategyNumber, F_INT8EQ,
				Int64GetDatum(document_id));
	CommandCounterIncrement();
	snapshot = RegisterSnapshot(latest ? GetLatestSnapshot() : GetTransactionSnapshot());
	scan = systable_beginscan(rel, record_versions_index(rel), true, snapshot, 2, keys);
	while (HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		int32		version = DatumGetInt32(heap_getattr(tup, engine_column(desc, "version"), desc, &isnull));

		v.count++;
		v.last = Max(v.last, version);
		if (lifecycle_is(lifecycle_state("record", heap_getattr(tup, engine_column(desc, "state"), desc, &isnull)),
						 "approved"))
			v.approved = Max(v.approved, version);
	}
	systable_endscan(scan);
	UnregisterSnapshot(snapshot);
	return v;
}

/* INSERT: refuse values in columns only the engine sets. */
static void
record_refuse_set(HeapTuple tuple, TupleDesc desc, const char *const *columns, const char *object,
				  const char *detail)
{
	const char *const *c;
	bool		isnull;

	for (c = columns; *c; c++)
	{
		engine_get(tuple, desc, *c, &isnull);
		if (!isnull)
			ereport(ERROR,
					(errcode(ERRCODE_ISMS_ENGINE_MANAGED),
					 errmsg("%s: column \"%s\" is set by the engine", object, *c),
					 errdetail("%s", detail),
					 errhint("Leave \"%s\" out of the INSERT.", *c)));
	}
}

/* BEFORE INSERT: a record is born a draft, by its author, of an allowed origin. */
static HeapTuple
record_insert(Relation rel, HeapTuple tuple)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int64		org_id = engine_get_int64(tuple, desc, "org_id");
	int64		record_id = engine_get_int64(tuple, desc, "record_id");
	int64		run_id = engine_get_int64(tuple, desc, "produced_by_run");
	int64		document_id = engine_get_int64(tuple, desc, "document_id");
	int64		version = engine_get_int64(tuple, desc, "version");
	char	   *author = engine_get_text(tuple, desc, "author");
	RecordActor actor = record_actor();
	const WorkProduct *wp = record_work_product(org_id, (int32) engine_get_int64(tuple, desc, "work_product_id"));
	char	   *object = psprintf("new %s record", wp->key);
	bool		isnull;
	const LifecycleState *state = lifecycle_state("record", engine_get(tuple, desc, "state", &isnull));
	const char *cols[6] = {"author", "author_oid", "author_app", "document_id", "version", "created_at"};
	Datum		vals[6];
	bool		nulls[6] = {false, false, false, false, false, false};
	int32		next = 1;

	if (RULE_ON(IS001_RECORD_BORN_DRAFT) && !state->initial)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_TRANSITION),
				 errmsg("%s must be created as a draft, not as %s", object, state->name),
				 errdetail("Records are approved through review: draft, in_review, approved."),
				 errhint("Insert it as a draft, then isms.submit_record and isms.approve_record.")));
	ENGINE_RULE(IS020_NEW_RECORD_APPROVAL,
				record_refuse_set(tuple, desc, record_managed_columns, object,
								  "Submission, approval, validity and retention are recorded when they happen."));
	ENGINE_RULE(IS020_NEW_RECORD_AUTHOR,
				record_refuse_set(tuple, desc, record_author_columns, object,
								  "The author's identity is the role that creates the record."));
	if (RULE_ON(IS019_AUTHOR_NOT_ACTOR) && author != NULL && strcmp(author, actor.name) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_ACTOR),
				 errmsg("%s: author \"%s\" is not the actor \"%s\"", object, engine_clip(author), actor.name),
				 errdetail("The author of a record is whoever creates it."),
				 errhint("Leave \"author\" out of the INSERT.")));
	if (run_id != 0)
		ENGINE_CHECK(record_check_producer(org_id, run_id, wp, object));
	else if (RULE_ON(IS007_ONLY_BY_RUN) && wp->origin == ORIGIN_PROCESS)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_OUTPUT_REFUSED),
				 errmsg("%s records can only be produced by a run", wp->key),
				 errdetail("%s is an output of ISMS processes, not an external input.", wp->key),
				 errhint("Create it with isms.new_record(run, '%s', ...) in an active run of a process that outputs it.",
						 wp->key)));
	if (document_id == 0)
		document_id = record_id;
	else
	{
		record_lock_document(org_id, document_id, wp->work_product_id, object);
		next = record_read_versions(rel, org_id, document_id, false).last + 1;
	}
	if (RULE_ON(IS018_NEXT_VERSION) && version != 0 && version != next)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_VERSION),
				 next == 1 ? errmsg("%s: a new document starts at version 1, not " INT64_FORMAT, object, version)
				 : errmsg("%s: version " INT64_FORMAT " is not the next version of document " INT64_FORMAT,
						  object, version, document_id),
				 errdetail("The next version is %d.", next),
				 errhint("Leave \"version\" out: the engine numbers versions.")));
	record_actor_values(&actor, vals, nulls);
	vals[3] = Int64GetDatum(document_id);
	vals[4] = Int32GetDatum(next);
	vals[5] = TimestampTzGetDatum(engine_business_time(org_id));
	return engine_set_columns(rel, tuple, 6, cols, vals, nulls);
}

/*
 * IS018: no older version is approved over a newer one.  The document lock
 * serialises the approvals of one document (test/specs/approve_versions.spec);
 * the first version's own update already holds a lock on it that conflicts
 * with FOR UPDATE, so approving it takes no other.  Returns the highest
 * approved version (0: none, so nothing to supersede).
 */
static int32
record_check_older_version(Relation rel, int64 org_id, int64 record_id, int64 document_id, int32 version,
						   const WorkProduct *wp, const char *object)
{
	int32		approved;

	if (record_id != document_id)
		record_lock_document(org_id, document_id, wp->work_product_id, object);
	approved = record_read_versions(rel, org_id, document_id, false).approved;
	if (RULE_ON(IS018_OLDER_VERSION) && approved > version)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_VERSION),
				 errmsg("%s: version %d cannot be approved, version %d is already approved", object, version, approved),
				 errdetail("Approving an older version would replace a newer approved one."),
				 errhint("Return this version to draft, or withdraw the newer one first.")));
	return approved;
}

/* The approved version of a document other than the record args[2] becomes superseded. */
static void
record_supersede(Datum *args, Oid *argtypes, int64 document_id)
{
	engine_prepare(&plan_supersede,
				   "UPDATE isms.record SET state = 'superseded' "
				   "WHERE org_id OPERATOR(pg_catalog.=) $1 AND document_id OPERATOR(pg_catalog.=) $2 "
				   "AND state OPERATOR(pg_catalog.=) 'approved' AND record_id OPERATOR(pg_catalog.<>) $3",
				   3, argtypes);
	if (engine_exec(plan_supersede, args, NULL, true, 0) != SPI_OK_UPDATE)
		elog(ERROR, "could not supersede the previous version of document " INT64_FORMAT, document_id);
}

/* Approval: segregation of duties, validity, retention, supersession. */
static HeapTuple
record_approve(Relation rel, HeapTuple oldtup, HeapTuple newtup, const char *object, const RecordActor *actor)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int64		org_id = engine_get_int64(oldtup, desc, "org_id");
	int64		record_id = engine_get_int64(oldtup, desc, "record_id");
	int64		document_id = engine_get_int64(oldtup, desc, "document_id");
	int32		version = (int32) engine_get_int64(oldtup, desc, "version");
	const WorkProduct *wp = record_work_product(org_id, (int32) engine_get_int64(oldtup, desc, "work_product_id"));
	const char *cols[6] = {"approver", "approver_oid", "approver_app", "approved_at", "valid_until", "retain_until"};
	Datum		vals[6];
	bool		nulls[6] = {false, false, false, false, wp->review_months == 0, false};
	Oid			argtypes[3] = {INT8OID, INT8OID, INT8OID};
	Datum		args[3] = {Int64GetDatum(org_id), Int64GetDatum(document_id), Int64GetDatum(record_id)};
	int32		approved = -1;	/* not read (the benchmark build): supersede whatever is approved */

	if (RULE_ON(IS010_SEGREGATION) && record_by_author(oldtup, desc, actor))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_SEGREGATION),
				 errmsg("%s cannot be approved by its author \"%s\"", object, actor->name),
				 errdetail("Segregation of duties: the approver must not be the author."),
				 errhint("Ask another member of the organization with approval rights to approve it.")));
	if (RULE_ON(IS024_APPROVAL_DESIGNATION) && wp->approval_designation[0] != '\0')
		ENGINE_CHECK(authority_require(org_id, wp->approval_designation,
									   psprintf("approving %s (%s)", object, wp->key)));
	if (wp->approval_independent)
		ENGINE_CHECK(authority_require_independent(org_id, engine_get_int64(oldtup, desc, "produced_by_run"),
												   actor->role, actor->app_user, actor->name, object,
												   wp->approval_designation[0] ? wp->approval_designation : NULL));
	ENGINE_CHECK(approved = record_check_older_version(rel, org_id, record_id, document_id, version, wp, object));
	if (approved != 0)
		record_supersede(args, argtypes, document_id);

	record_actor_values(actor, vals, nulls);
	vals[3] = TimestampTzGetDatum(engine_business_time(org_id));
	vals[4] = wp->review_months ? engine_date_plus_months(org_id, wp->review_months) : (Datum) 0;
	vals[5] = engine_date_plus_months(org_id, wp->retention_months);
	return engine_set_columns(rel, newtup, 6, cols, vals, nulls);
}

/* Submission: the first one is recorded, and makes the record evidence (see record_delete). */
static HeapTuple
record_mark_submitted(Relation rel, HeapTuple newtup)
{
	const char *cols[1] = {"submitted_at"};
	Datum		vals[1] = {TimestampTzGetDatum(engine_business_time(engine_row_org(newtup, RelationGetDescr(rel))))};
	bool		nulls[1] = {false};
	bool		isnull;

	engine_get(newtup, RelationGetDescr(rel), "submitted_at", &isnull);
	if (!isnull)
		return newtup;
	return engine_set_columns(rel, newtup, 1, cols, vals, nulls);
}

/* Guard approval: the approver, validity and retention; the event carries the content's hash. */
static void
record_guard_approval(LifecycleRow *row)
{
	RecordActor actor = record_actor();

	row->newtup = record_approve(row->rel, row->oldtup, row->newtup, row->object, &actor);
	row->detail = engine_json(2, "approver", actor.name, "content_sha256", record_content_hash(row->newtup, RelationGetDescr(row->rel), true));
}

/* Guard reason: returning and withdrawing need a reason (IS021); the event carries it. */
static void
record_guard_reason(LifecycleRow *row)
{
	char	   *reason = RULE_OFF(IS021_RECORD_REASON) ? NULL : engine_require_reason(row->newtup, RelationGetDescr(row->rel), "state_reason", row->object, row->action,
											   psprintf("Pass a reason, e.g. isms.%s_record(record, 'why').", row->action));

	row->detail = engine_json(1, "reason", reason);
}

/* Guard submission: the first submission is recorded; the event carries the content's hash. */
static void
record_guard_submission(LifecycleRow *row)
{
	row->newtup = record_mark_submitted(row->rel, row->newtup);
	row->detail = engine_json(1, "content_sha256", record_content_hash(row->newtup, RelationGetDescr(row->rel), false));
}

const LifecycleGuard record_guards[] = {
	{"approval", record_guard_approval},
	{"reason", record_guard_reason},
	{"snapshot", snapshot_guard_submission},	/* snapshot.c */
	{"soa_complete", soa_guard_approval},	/* soa.c */
	{"submission", record_guard_submission},
	{NULL, NULL}
};

/* BEFORE UPDATE: immutability, the lifecycle and the guards of the transition. */
static HeapTuple
record_update(Relation rel, HeapTuple oldtup, HeapTuple newtup)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int64		record_id = engine_get_int64(oldtup, desc, "record_id");
	char	   *object = psprintf("record " INT64_FORMAT, record_id);
	bool		internal = engine_internal_write();
	LifecycleRow row;
	const char *action;

	lifecycle_row(&row, "record", rel, oldtup, newtup, object);
	ENGINE_RULE(IS009_RECORD_IDENTITY, engine_refuse_change(oldtup, newtup, desc, record_fixed_columns, ERRCODE_ISMS_IMMUTABLE, object,
						 "The identity, work product, version and author of a record are fixed.",
						 "Create a new version with isms.new_version(record)."));
	if (RULE_ON(IS009_FROZEN_CONTENT) && !lifecycle_is(row.from, "draft"))
		engine_refuse_change(oldtup, newtup, desc, record_content_columns, ERRCODE_ISMS_IMMUTABLE, object,
							 "The content of a record is frozen once it is submitted for review; an approved record never changes.",
							 lifecycle_is(row.from, "in_review") ? "Return it to draft with isms.return_record(record, reason) to edit it."
							 : "Create a new version with isms.new_version(record).");
	if (RULE_ON(IS020_RECORD_APPROVAL) && !internal)
		engine_refuse_change(oldtup, newtup, desc, record_managed_columns, ERRCODE_ISMS_ENGINE_MANAGED, object,
							 "Submission, approval, validity and retention are recorded by the engine.",
							 "Approve with isms.approve_record; extend validity with isms.confirm_record(run, record).");
	if (row.from == row.to)
	{
		ENGINE_RULE(IS009_REASON_WITH_STATE,
					engine_refuse_change(oldtup, newtup, desc, record_reason_column, ERRCODE_ISMS_IMMUTABLE, object,
										 "The reason of a state change is recorded with the change, in its event.",
										 "Give the reason with the change, e.g. isms.withdraw_record(record, 'why')."));
		return newtup;
	}
	if (RULE_ON(IS001_SUPERSEDE_DIRECTLY) && lifecycle_is(row.to, "superseded") && !internal)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_TRANSITION),
				 errmsg("%s cannot be superseded directly", object),
				 errdetail("A record is superseded when a newer version of its document is approved."),
				 errhint("Approve a newer version, or withdraw the record with isms.withdraw_record(record, reason).")));
	ENGINE_RULE(IS001_RECORD_TRANSITION, lifecycle_check(&row,
					  "Use isms.submit_record, isms.approve_record, isms.return_record or isms.withdraw_record."));
	action = lifecycle_guard(&row);
	event_append(row.org_id, "record", record_id, action, row.from->name, row.to->name, row.detail);
	return row.newtup;
}

/*
 * The first version of a document stays while the document has other
 * versions: its record_id is their document_id (the rule replaces a
 * foreign key, whose check of every new document against itself was about
 * a fifth of a bulk import's CPU time in perf).  Read as committed now, so
 * that a version committed after a REPEATABLE READ snapshot is not missed;
 * a version being written holds the first version's lock
 * (record_lock_document), so the delete waits for it.
 */
static void
record_check_first_version(Relation rel, int64 org_id, int64 record_id, int64 document_id)
{
	if (document_id == record_id && record_read_versions(rel, org_id, document_id, true).count > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_RETENTION),
				 errmsg("record " INT64_FORMAT " cannot be deleted: it is the first version of a document with other versions",
						record_id),
				 errdetail("All versions of a document name its first version as their document_id."),
				 errhint("Delete the other versions of document " INT64_FORMAT " first.", document_id)));
}

/* BEFORE DELETE: drafts never submitted, or records past their retention. */
static void
record_delete(Relation rel, HeapTuple tuple)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int64		org_id = engine_get_int64(tuple, desc, "org_id");
	int64		record_id = engine_get_int64(tuple, desc, "record_id");
	bool		isnull;
	bool		never_submitted;
	const LifecycleState *state = lifecycle_state("record", engine_get(tuple, desc, "state", &isnull));
	Datum		retain;
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		args[2] = {Int64GetDatum(org_id), Int64GetDatum(record_id)};

	engine_get(tuple, desc, "submitted_at", &never_submitted);
	retain = engine_get(tuple, desc, "retain_until", &isnull);
	if (RULE_ON(IS011_RECORD_DELETE) && !(lifecycle_is(state, "draft") && never_submitted) &&
		(isnull || DatumGetDateADT(retain) >= GetSQLCurrentDate()))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_RETENTION),
				 errmsg("record " INT64_FORMAT " cannot be deleted before its retention ends", record_id),
				 isnull ? errdetail("The record was submitted for review; it is kept as evidence.") :
				 errdetail("The record must be retained until %s.", engine_get_text(tuple, desc, "retain_until")),
				 errhint("Withdraw it with isms.withdraw_record(record, reason) if it is no longer valid.")));
	ENGINE_RULE(IS011_FIRST_VERSION, record_check_first_version(rel, org_id, record_id, engine_get_int64(tuple, desc, "document_id")));
	engine_prepare(&plan_unlink_outputs,
				   "DELETE FROM isms.run_record WHERE org_id OPERATOR(pg_catalog.=) $1 "
				   "AND record_id OPERATOR(pg_catalog.=) $2 AND role OPERATOR(pg_catalog.=) 'output'",
				   2, argtypes);
	if (engine_exec(plan_unlink_outputs, args, NULL, true, 0) != SPI_OK_DELETE)
		elog(ERROR, "could not unlink record " INT64_FORMAT, record_id);
	event_append(org_id, "record", record_id, lifecycle_is(state, "draft") && never_submitted ? "discard" : "dispose",
				 state->name, NULL, NULL);
}

/* isms.record_trigger: BEFORE INSERT OR UPDATE OR DELETE ON isms.record FOR EACH ROW */
Datum
record_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	HeapTuple	result;

	engine_check_trigger(fcinfo, "record_trigger", true, true);
	SPI_connect();
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
		result = SPI_copytuple(record_insert(td->tg_relation, td->tg_trigtuple));
	else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
		result = SPI_copytuple(record_update(td->tg_relation, td->tg_trigtuple, td->tg_newtuple));
	else
	{
		record_delete(td->tg_relation, td->tg_trigtuple);
		result = td->tg_trigtuple;
	}
	SPI_finish();
	return PointerGetDatum(result);
}

/* isms.record_created_trigger: AFTER INSERT ON isms.record FOR EACH ROW: the create event */
Datum
record_created_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	HeapTuple	tup;
	TupleDesc	desc;
	int64		org_id;
	const WorkProduct *wp;

	engine_check_trigger(fcinfo, "record_created_trigger", false, true);
	tup = td->tg_trigtuple;
	desc = RelationGetDescr(td->tg_relation);
	org_id = engine_get_int64(tup, desc, "org_id");
	SPI_connect();
	wp = record_work_product(org_id, (int32) engine_get_int64(tup, desc, "work_product_id"));
	event_append(org_id, "record", engine_get_int64(tup, desc, "record_id"), "create", NULL, "draft",
				 engine_json(3, "work_product", wp->key, "document_id", engine_get_text(tup, desc, "document_id"),
							 "version", engine_get_text(tup, desc, "version")));
	SPI_finish();
	return PointerGetDatum(NULL);
}

/* isms.record_output_trigger: AFTER INSERT ON isms.record FOR EACH ROW: link outputs to their run */
Datum
record_output_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	Oid			argtypes[4] = {INT8OID, INT8OID, INT8OID, TEXTOID};
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};
	char	   *author;
	int64		run_id;

	engine_check_trigger(fcinfo, "record_output_trigger", false, true);
	desc = RelationGetDescr(td->tg_relation);
	run_id = engine_get_int64(td->tg_trigtuple, desc, "produced_by_run");
	if (run_id == 0)
		return PointerGetDatum(NULL);
	SPI_connect();
	values[0] = Int64GetDatum(engine_get_int64(td->tg_trigtuple, desc, "org_id"));
	values[1] = Int64GetDatum(run_id);
	values[2] = Int64GetDatum(engine_get_int64(td->tg_trigtuple, desc, "record_id"));
	/* NULL only if record_rules was disabled (the benchmark's floor): no crash */
	author = engine_get_text(td->tg_trigtuple, desc, "author");
	values[3] = author ? CStringGetTextDatum(author) : (Datum) 0;
	nulls[3] = author ? ' ' : 'n';
	engine_prepare(&plan_link_output,
				   "INSERT INTO isms.run_record (org_id, run_id, record_id, role, linked_by) "
				   "VALUES ($1, $2, $3, 'output', $4)",
				   4, argtypes);
	if (engine_exec(plan_link_output, values, nulls, true, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not link record to run " INT64_FORMAT, run_id);
	SPI_finish();
	return PointerGetDatum(NULL);
}
