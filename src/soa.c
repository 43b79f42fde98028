/*-------------------------------------------------------------------------
 *
 * soa.c
 *	  Rules of the Statement of Applicability (ISO/IEC 27001 6.1.3 d), the
 *	  register isms.soa: what one entry must say, and when a record of the
 *	  work product statement_of_applicability may be approved.
 *
 * soa_hook, the register hook of kind "soa" (register.c), checks what one
 * entry says, beside the rules every register has (run, owner, known
 * controls, no DELETE, events): an own control (a code not starting with
 * "A.") has a title, an Annex A control has none (its title is the
 * catalog's), and an excluded control is not implemented.  The guard
 * "soa_complete" of the record transitions to approved refuses a Statement
 * of Applicability whose snapshot lacks one of the Annex A controls,
 * excludes (or lacks) a control that an open risk is treated with, or
 * still carries the placeholder justification of isms.soa_init (IS030).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/rel.h"

#include "engine.h"

/* How many controls a refusal's DETAIL names at most. */
#define SOA_LIST_MAX 10

/*
 * How refusals list controls: Annex A first in their natural order (A.5.2
 * before A.5.10), then own controls by code.
 */
#define SOA_ORDER(c) "CASE WHEN " c " OPERATOR(pg_catalog.~) '^A\\.[5-8]\\.[0-9]{1,2}$' THEN " c "::isms.clause END NULLS LAST, " \
	c " COLLATE \"C\""

static SPIPlanPtr plan_soa_check = NULL;

/* An IS030 refusal of one entry. */
static void
soa_refuse_entry(const char *control, const char *message, const char *detail, const char *hint)
{
	ereport(ERROR,
			(errcode(ERRCODE_ISMS_SOA),
			 errmsg("control \"%s\" of the statement of applicability %s", engine_clip(control), message),
			 errdetail("%s", detail),
			 errhint("%s", hint)));
}

/* The register hook of isms.soa: what one entry of the SoA must say. */
void
soa_hook(RegisterRow *row)
{
	HeapTuple	tup = row->lc.newtup;
	TupleDesc	desc = RelationGetDescr(row->lc.rel);
	char	   *control;
	char	   *status;
	bool		annex;
	bool		no_title;
	bool		isnull;
	bool		applicable;

	control = engine_get_text(tup, desc, "control");
	annex = control != NULL && strncmp(control, "A.", 2) == 0;
	engine_get(tup, desc, "title", &no_title);
	applicable = DatumGetBool(engine_get(tup, desc, "applicable", &isnull)) || isnull;
	status = engine_get_text(tup, desc, "status");

	if (RULE_ON(IS030_OWN_CONTROL_TITLE) && !annex && no_title)
		soa_refuse_entry(control, "needs a title",
						 "A code not starting with \"A.\" is one of the organization's own controls; the Statement of Applicability says what it is.",
						 "Give the title, e.g. isms.soa_set(run, control, applicable, justification, title => 'what the control does').");
	if (RULE_ON(IS030_ANNEX_CONTROL_TITLE) && annex && !no_title)
		soa_refuse_entry(control, "must not carry a title",
						 "An Annex A control is named by its code; its title is the catalog's (isms.iso27001_clause).",
						 "Leave the title NULL; give an own control a code that does not start with \"A.\".");
	if (RULE_ON(IS030_EXCLUDED_STATUS) && !applicable && status != NULL && strcmp(status, "not_implemented") != 0)
		soa_refuse_entry(control, psprintf("is excluded and cannot be %s", status),
						 "A control that is not applicable is not implemented for the ISMS: its status is not_implemented.",
						 "Set status to not_implemented with the exclusion (isms.soa_set does it), or keep the control applicable.");
}

/* "A, B, C" and, past the list's limit, " and N more". */
static char *
soa_list(const char *items, int64 count)
{
	if (count <= SOA_LIST_MAX)
		return pstrdup(items);
	return psprintf("%s and " INT64_FORMAT " more", items, count - SOA_LIST_MAX);
}

/*
 * What is wrong with a Statement of Applicability snapshot (the record's
 * content, see snapshot.c) in the light of the organisation's open risks:
 * one row of (Annex A controls, missing, first missing, risk controls not
 * applicable, first of them, placeholders, first placeholders).
 */
static void
soa_check(Datum content, int64 org_id)
{
	Oid			argtypes[2] = {JSONBOID, INT8OID};
	Datum		values[2] = {content, Int64GetDatum(org_id)};

	engine_prepare(&plan_soa_check,
				   "WITH e AS ("
				   "  SELECT x OPERATOR(pg_catalog.->>) 'control' AS control,"
				   "         (x OPERATOR(pg_catalog.->) 'applicable') OPERATOR(pg_catalog.=) 'true'::pg_catalog.jsonb AS applicable,"
				   "         x OPERATOR(pg_catalog.->>) 'justification' AS justification"
				   "    FROM pg_catalog.jsonb_array_elements(CASE WHEN pg_catalog.jsonb_typeof($1 OPERATOR(pg_catalog.->) 'entries')"
				   "              OPERATOR(pg_catalog.=) 'array' THEN $1 OPERATOR(pg_catalog.->) 'entries' ELSE '[]'::pg_catalog.jsonb END) x),"
				   " a AS (SELECT c.clause FROM isms.iso27001_clause c WHERE c.theme IS NOT NULL),"
				   " m AS (SELECT a.clause FROM a WHERE NOT EXISTS ("
				   "         SELECT FROM e WHERE e.control OPERATOR(pg_catalog.=) a.clause::pg_catalog.text)),"
				   " k AS (SELECT u.control, pg_catalog.min(r.risk_id) AS risk_id"
				   "         FROM isms.risk r, pg_catalog.unnest(r.controls) u (control)"
				   "        WHERE r.org_id OPERATOR(pg_catalog.=) $2 AND r.state::pg_catalog.text OPERATOR(pg_catalog.<>) 'closed'"
				   "          AND NOT EXISTS (SELECT FROM e WHERE e.control OPERATOR(pg_catalog.=) u.control AND e.applicable)"
				   "        GROUP BY u.control),"
				   " p AS (SELECT e.control FROM e WHERE e.justification OPERATOR(pg_catalog.=) isms.soa_placeholder())"
				   " SELECT (SELECT pg_catalog.count(*) FROM a), (SELECT pg_catalog.count(*) FROM m),"
				   "        (SELECT pg_catalog.string_agg(s.clause::pg_catalog.text, ', ' ORDER BY s.clause)"
				   "           FROM (SELECT clause FROM m ORDER BY clause LIMIT " CppAsString2(SOA_LIST_MAX) ") s),"
				   "        (SELECT pg_catalog.count(*) FROM k),"
				   "        (SELECT pg_catalog.string_agg(pg_catalog.format('%s (risk %s)', s.control, s.risk_id), ', ' ORDER BY s.n)"
				   "           FROM (SELECT k.*, pg_catalog.row_number() OVER (ORDER BY " SOA_ORDER("k.control") ") AS n FROM k) s"
				   "          WHERE s.n OPERATOR(pg_catalog.<=) " CppAsString2(SOA_LIST_MAX) "),"
				   "        (SELECT pg_catalog.count(*) FROM p),"
				   "        (SELECT pg_catalog.string_agg(s.control, ', ' ORDER BY s.n)"
				   "           FROM (SELECT p.control, pg_catalog.row_number() OVER (ORDER BY " SOA_ORDER("p.control") ") AS n FROM p) s"
				   "          WHERE s.n OPERATOR(pg_catalog.<=) " CppAsString2(SOA_LIST_MAX) ")",
				   2, argtypes);
	if (engine_exec(plan_soa_check, values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not check the statement of applicability of organization " INT64_FORMAT, org_id);
}

/* Column n (1-based) of the check's row as a count. */
static int64
soa_count(int n)
{
	bool		isnull;

	return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, n, &isnull));
}

/* Column n of the check's row as text. */
static char *
soa_text(int n)
{
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, n);
}

/*
 * Guard soa_complete (to approved): a record of statement_of_applicability
 * is approved only if its snapshot has an entry for every Annex A control,
 * every control named by a risk of the organisation that is not closed is
 * applicable in it, and no justification is still the placeholder (IS030).
 * The snapshot is checked, not the live register: the record is what is
 * approved.  Other records pass untouched.
 */
void
soa_guard_approval(LifecycleRow *row)
{
	TupleDesc	desc = RelationGetDescr(row->rel);
	const WorkProduct *wp = model_work_product(row->org_id,
											   (int32) engine_get_int64(row->oldtup, desc, "work_product_id"));
	const char *resubmit = "then return the record with isms.return_record(record, reason) and submit it again: "
		"the snapshot is taken at submission.";
	bool		isnull;
	int64		annex;
	int64		n;

	if (wp == NULL || wp->org_id != 0 || strcmp(wp->key, "statement_of_applicability") != 0)
		return;
	soa_check(engine_get(row->oldtup, desc, "content", &isnull), row->org_id);
	annex = soa_count(1);
	if (RULE_ON(IS030_SOA_MISSING) && (n = soa_count(2)) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_SOA),
				 errmsg("%s cannot be approved: " INT64_FORMAT " of the " INT64_FORMAT " Annex A controls are missing from its statement of applicability",
						row->object, n, annex),
				 errdetail("Missing: %s.", soa_list(soa_text(3), n)),
				 errhint("Add every Annex A control, applicable or not, with isms.soa_init(run) or isms.soa_set(run, control, applicable, justification); %s",
						 resubmit)));
	if (RULE_ON(IS030_SOA_RISK_CONTROL) && (n = soa_count(4)) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_SOA),
				 errmsg("%s cannot be approved: " INT64_FORMAT " controls treating open risks are not applicable in its statement of applicability",
						row->object, n),
				 errdetail("Not applicable or absent: %s.", soa_list(soa_text(5), n)),
				 errhint("Make each control applicable with isms.soa_set, or change or close the risk treatment naming it; %s",
						 resubmit)));
	if (RULE_ON(IS030_SOA_PLACEHOLDER) && (n = soa_count(6)) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_SOA),
				 errmsg("%s cannot be approved: " INT64_FORMAT " controls of its statement of applicability have no justification yet",
						row->object, n),
				 errdetail("Still justified by the placeholder of isms.soa_init: %s.", soa_list(soa_text(7), n)),
				 errhint("Justify each inclusion or exclusion with isms.soa_set(run, control, applicable, justification); %s",
						 resubmit)));
}
