/*
 * clause.c -- the isms.clause base type.
 *
 * A clause value is a hierarchical reference to an ISO/IEC 27001:2022
 * clause ("7.4", "6.1.2", "10.2") or Annex A control ("A.5.23"); it is also
 * used for process codes ("6.2", "8.5").  This file holds the text and
 * binary I/O, the total order behind the btree and hash operator classes,
 * the ancestor/descendant operators (@>, <@) and their planner support
 * function, the small navigation functions (depth, parent, ...) and the
 * text sort key the reporting views show next to a code.
 *
 * Text form: [A.]N(.N)*, every N a decimal number 1..9999 without leading
 * zeros, at most 8 numbers.  Order: numbered clauses before Annex A, then
 * segment by segment numerically, a prefix before its descendants.  Hence
 * the descendants of X (X included) are exactly the btree range
 * [X, clause_subtree_last(X)], which is what the support function hands
 * to the planner for "col <@ const" and "const @> col".
 */
#include "postgres.h"

#include <ctype.h>

#include "access/hash.h"
#include "catalog/pg_am.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "common/hashfn.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/supportnodes.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "clause.h"

/* Version byte leading the binary form. */
#define CLAUSE_BINARY_VERSION	1

PG_FUNCTION_INFO_V1(clause_in);
PG_FUNCTION_INFO_V1(clause_out);
PG_FUNCTION_INFO_V1(clause_recv);
PG_FUNCTION_INFO_V1(clause_send);
PG_FUNCTION_INFO_V1(clause_cmp);
PG_FUNCTION_INFO_V1(clause_lt);
PG_FUNCTION_INFO_V1(clause_le);
PG_FUNCTION_INFO_V1(clause_eq);
PG_FUNCTION_INFO_V1(clause_ne);
PG_FUNCTION_INFO_V1(clause_ge);
PG_FUNCTION_INFO_V1(clause_gt);
PG_FUNCTION_INFO_V1(clause_smaller);
PG_FUNCTION_INFO_V1(clause_larger);
PG_FUNCTION_INFO_V1(clause_hash);
PG_FUNCTION_INFO_V1(clause_hash_extended);
PG_FUNCTION_INFO_V1(clause_contains);
PG_FUNCTION_INFO_V1(clause_contained);
PG_FUNCTION_INFO_V1(clause_contains_support);
PG_FUNCTION_INFO_V1(clause_contained_support);
PG_FUNCTION_INFO_V1(clause_depth);
PG_FUNCTION_INFO_V1(clause_sort_key);
PG_FUNCTION_INFO_V1(clause_parent);
PG_FUNCTION_INFO_V1(clause_is_annex);
PG_FUNCTION_INFO_V1(clause_next_sibling);
PG_FUNCTION_INFO_V1(clause_subtree_last);

static void clause_syntax_error(const char *str, const char *detail) pg_attribute_noreturn();
static void clause_binary_error(const char *detail) pg_attribute_noreturn();

/* Allocate a zeroed clause with room for nseg segments. */
static Clause *
clause_alloc(int kind, int nseg)
{
	Clause	   *c = (Clause *) palloc0(CLAUSE_SIZE(nseg));

	SET_VARSIZE(c, CLAUSE_SIZE(nseg));
	c->kind = (uint8) kind;
	c->nseg = (uint8) nseg;
	return c;
}

/*
 * Raise the "invalid input syntax" error for str with the given detail.
 * Very long inputs are echoed clipped (on a character boundary) with "...".
 */
static void
clause_syntax_error(const char *str, const char *detail)
{
	int			len = strlen(str);

	if (len > CLAUSE_MAX_INPUT_LEN)
	{
		int			clip = pg_mbcliplen(str, len, CLAUSE_MAX_INPUT_LEN);

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type clause: \"%.*s...\"",
						clip, str),
				 errdetail_internal("%s", detail),
				 errhint("Write a clause like 7.4, 6.1.2 or A.5.23: numbers from 1 to 9999 without leading zeros, separated by dots, at most 8 of them.")));
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type clause: \"%s\"", str),
			 errdetail_internal("%s", detail),
			 errhint("Write a clause like 7.4, 6.1.2 or A.5.23: numbers from 1 to 9999 without leading zeros, separated by dots, at most 8 of them.")));
}

/*
 * Parse the text form into a new palloc'd clause; every malformed input
 * raises ERRCODE_INVALID_TEXT_REPRESENTATION with a precise detail.
 */
Clause *
clause_parse(const char *str)
{
	const char *p = str;
	size_t		len = strlen(str);
	int			kind = CLAUSE_KIND_NUMBERED;
	uint16		seg[CLAUSE_MAX_SEGMENTS];
	int			nseg = 0;
	Clause	   *c;

	if (len > CLAUSE_MAX_INPUT_LEN)
		clause_syntax_error(str, psprintf("Input is longer than %d characters.",
										  CLAUSE_MAX_INPUT_LEN));
	if (len == 0)
		clause_syntax_error(str, "Input is empty.");
	if (isspace((unsigned char) str[0]) || isspace((unsigned char) str[len - 1]))
		clause_syntax_error(str, "Leading or trailing white space is not allowed.");

	if (*p == 'a')
		clause_syntax_error(str, "The Annex A prefix must be an upper-case \"A\".");
	if (*p == 'A')
	{
		kind = CLAUSE_KIND_ANNEX;
		p++;
		if (*p != '.')
			clause_syntax_error(str, "\"A\" must be followed by \".\" and a segment number.");
		p++;
	}

	for (;;)
	{
		int			segno = nseg + 1;
		int			value = 0;
		int			ndigits = 0;

		if (nseg == CLAUSE_MAX_SEGMENTS)
			clause_syntax_error(str, psprintf("A clause reference has at most %d segments.",
											  CLAUSE_MAX_SEGMENTS));
		if (*p == '\0' || *p == '.')
			clause_syntax_error(str, psprintf("Segment %d is empty.", segno));
		if (*p == '0')
		{
			if (isdigit((unsigned char) p[1]))
				clause_syntax_error(str, psprintf("Segment %d has a leading zero.", segno));
			clause_syntax_error(str, psprintf("Segment %d is zero; segment numbers start at 1.",
											  segno));
		}
		while (isdigit((unsigned char) *p))
		{
			if (++ndigits > 4)
				clause_syntax_error(str, psprintf("Segment %d exceeds the maximum of %d.",
												  segno, CLAUSE_MAX_SEGMENT));
			value = value * 10 + (*p - '0');
			p++;
		}
		if (*p != '\0' && *p != '.')
			clause_syntax_error(str, psprintf("Segment %d contains the invalid character \"%.*s\".",
											  segno, pg_mblen(p), p));
		seg[nseg++] = (uint16) value;
		if (*p == '\0')
			break;
		p++;					/* skip the '.' */
	}

	c = clause_alloc(kind, nseg);
	memcpy(c->seg, seg, nseg * sizeof(uint16));
	return c;
}

/* Text input: see clause_parse. */
Datum
clause_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_CLAUSE_P(clause_parse(PG_GETARG_CSTRING(0)));
}

/* Text output: "6.1.2" or "A.5.23". */
Datum
clause_out(PG_FUNCTION_ARGS)
{
	Clause	   *c = PG_GETARG_CLAUSE_P(0);
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	if (c->kind == CLAUSE_KIND_ANNEX)
		appendStringInfoString(&buf, "A.");
	for (i = 0; i < c->nseg; i++)
		appendStringInfo(&buf, i == 0 ? "%u" : ".%u", (unsigned) c->seg[i]);
	PG_RETURN_CSTRING(buf.data);
}

/* Raise the "invalid binary" error with the given detail. */
static void
clause_binary_error(const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid external binary representation for type clause"),
			 errdetail_internal("%s", detail),
			 errhint("Send clauses in the binary format of isms.clause_send, or as text.")));
}

/*
 * Binary input: version byte (1), kind byte, segment count byte, then the
 * segments as 16-bit network-order integers.  Everything is validated as
 * strictly as the text form.
 */
Datum
clause_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			version;
	int			kind;
	int			nseg;
	int			i;
	Clause	   *c;

	if (buf->len - buf->cursor < 3)
		clause_binary_error("The value is shorter than its 3-byte header.");
	version = pq_getmsgbyte(buf);
	if (version != CLAUSE_BINARY_VERSION)
		clause_binary_error(psprintf("Unsupported binary format version %d.", version));
	kind = pq_getmsgbyte(buf);
	if (kind != CLAUSE_KIND_NUMBERED && kind != CLAUSE_KIND_ANNEX)
		clause_binary_error(psprintf("Unknown clause kind %d.", kind));
	nseg = pq_getmsgbyte(buf);
	if (nseg < 1 || nseg > CLAUSE_MAX_SEGMENTS)
		clause_binary_error(psprintf("Segment count %d is outside 1..%d.",
									 nseg, CLAUSE_MAX_SEGMENTS));
	if (buf->len - buf->cursor != nseg * 2)
		clause_binary_error(psprintf("Expected %d bytes of segments, found %d.",
									 nseg * 2, buf->len - buf->cursor));

	c = clause_alloc(kind, nseg);
	for (i = 0; i < nseg; i++)
	{
		int			value = (uint16) pq_getmsgint(buf, 2);

		if (value < 1 || value > CLAUSE_MAX_SEGMENT)
			clause_binary_error(psprintf("Segment %d is %d, outside 1..%d.",
										 i + 1, value, CLAUSE_MAX_SEGMENT));
		c->seg[i] = (uint16) value;
	}
	PG_RETURN_CLAUSE_P(c);
}

/* Binary output: see clause_recv. */
Datum
clause_send(PG_FUNCTION_ARGS)
{
	Clause	   *c = PG_GETARG_CLAUSE_P(0);
	StringInfoData buf;
	int			i;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, CLAUSE_BINARY_VERSION);
	pq_sendbyte(&buf, c->kind);
	pq_sendbyte(&buf, c->nseg);
	for (i = 0; i < c->nseg; i++)
		pq_sendint16(&buf, c->seg[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * Total order: numbered before Annex A, then segment by segment
 * numerically, and a prefix before its descendants.
 */
int
clause_compare(const Clause *a, const Clause *b)
{
	int			n = Min(a->nseg, b->nseg);
	int			i;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	for (i = 0; i < n; i++)
	{
		if (a->seg[i] != b->seg[i])
			return a->seg[i] < b->seg[i] ? -1 : 1;
	}
	if (a->nseg != b->nseg)
		return a->nseg < b->nseg ? -1 : 1;
	return 0;
}

/* Compare the two clause arguments of a SQL-callable function. */
static int
clause_compare_args(FunctionCallInfo fcinfo)
{
	Clause	   *a = PG_GETARG_CLAUSE_P(0);
	Clause	   *b = PG_GETARG_CLAUSE_P(1);

	return clause_compare(a, b);
}

/* btree support function 1. */
Datum
clause_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(clause_compare_args(fcinfo));
}

/* Operator <. */
Datum
clause_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(clause_compare_args(fcinfo) < 0);
}

/* Operator <=. */
Datum
clause_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(clause_compare_args(fcinfo) <= 0);
}

/* Operator =. */
Datum
clause_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(clause_compare_args(fcinfo) == 0);
}

/* Operator <>. */
Datum
clause_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(clause_compare_args(fcinfo) != 0);
}

/* Operator >=. */
Datum
clause_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(clause_compare_args(fcinfo) >= 0);
}

/* Operator >. */
Datum
clause_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(clause_compare_args(fcinfo) > 0);
}

/* Transition function of isms.min(clause): the smaller argument. */
Datum
clause_smaller(PG_FUNCTION_ARGS)
{
	Clause	   *a = PG_GETARG_CLAUSE_P(0);
	Clause	   *b = PG_GETARG_CLAUSE_P(1);

	PG_RETURN_CLAUSE_P(clause_compare(a, b) <= 0 ? a : b);
}

/* Transition function of isms.max(clause): the larger argument. */
Datum
clause_larger(PG_FUNCTION_ARGS)
{
	Clause	   *a = PG_GETARG_CLAUSE_P(0);
	Clause	   *b = PG_GETARG_CLAUSE_P(1);

	PG_RETURN_CLAUSE_P(clause_compare(a, b) >= 0 ? a : b);
}

/*
 * Serialise c into a platform-independent byte string for hashing (kind,
 * count, big-endian segments), so that hash values -- and hash partitions --
 * do not depend on the server's byte order.  Returns the length used.
 */
static int
clause_hash_key(const Clause *c, unsigned char *key)
{
	int			len = 0;
	int			i;

	key[len++] = c->kind;
	key[len++] = c->nseg;
	for (i = 0; i < c->nseg; i++)
	{
		key[len++] = (unsigned char) (c->seg[i] >> 8);
		key[len++] = (unsigned char) (c->seg[i] & 0xFF);
	}
	return len;
}

/* hash support function 1. */
Datum
clause_hash(PG_FUNCTION_ARGS)
{
	Clause	   *c = PG_GETARG_CLAUSE_P(0);
	unsigned char key[2 + 2 * CLAUSE_MAX_SEGMENTS];
	int			len = clause_hash_key(c, key);

	return hash_any(key, len);
}

/* hash support function 2 (seeded 64-bit hash, used by hash partitioning). */
Datum
clause_hash_extended(PG_FUNCTION_ARGS)
{
	Clause	   *c = PG_GETARG_CLAUSE_P(0);
	uint64		seed = PG_GETARG_INT64(1);
	unsigned char key[2 + 2 * CLAUSE_MAX_SEGMENTS];
	int			len = clause_hash_key(c, key);

	return hash_any_extended(key, len, seed);
}

/* True if a is an ancestor of b or equal to it. */
static bool
clause_is_prefix(const Clause *a, const Clause *b)
{
	int			i;

	if (a->kind != b->kind || a->nseg > b->nseg)
		return false;
	for (i = 0; i < a->nseg; i++)
	{
		if (a->seg[i] != b->seg[i])
			return false;
	}
	return true;
}

/* Operator @>: left is an ancestor of right or equal to it. */
Datum
clause_contains(PG_FUNCTION_ARGS)
{
	Clause	   *a = PG_GETARG_CLAUSE_P(0);
	Clause	   *b = PG_GETARG_CLAUSE_P(1);

	PG_RETURN_BOOL(clause_is_prefix(a, b));
}

/* Operator <@: left is a descendant of right or equal to it. */
Datum
clause_contained(PG_FUNCTION_ARGS)
{
	Clause	   *a = PG_GETARG_CLAUSE_P(0);
	Clause	   *b = PG_GETARG_CLAUSE_P(1);

	PG_RETURN_BOOL(clause_is_prefix(b, a));
}

/*
 * The greatest possible descendant of c: c extended with 9999 up to the
 * maximum depth.  [c, clause_subtree_last(c)] is exactly c's subtree.
 */
static Clause *
clause_make_subtree_last(const Clause *c)
{
	Clause	   *r = clause_alloc(c->kind, CLAUSE_MAX_SEGMENTS);
	int			i;

	for (i = 0; i < CLAUSE_MAX_SEGMENTS; i++)
		r->seg[i] = i < c->nseg ? c->seg[i] : CLAUSE_MAX_SEGMENT;
	return r;
}

/*
 * Turn "indexcol <@ const" / "const @> indexcol" into the exact btree range
 * "indexcol >= const AND indexcol <= subtree_last(const)".  descendant_arg is
 * the argument position of the descendant in the operator's function.
 * Only constants and the default btree operator family are handled.
 */
static Node *
clause_index_condition(SupportRequestIndexCondition *req, int descendant_arg)
{
	List	   *args;
	Node	   *indexkey;
	Node	   *other;
	Const	   *lower;
	Const	   *upper;
	Oid			typid;
	Oid			opclass;
	Oid			ge_op;
	Oid			le_op;

	if (is_opclause(req->node))
		args = ((OpExpr *) req->node)->args;
	else if (is_funcclause(req->node))
		args = ((FuncExpr *) req->node)->args;
	else
		return NULL;
	if (list_length(args) != 2 || req->indexarg != descendant_arg)
		return NULL;

	indexkey = (Node *) list_nth(args, req->indexarg);
	other = (Node *) list_nth(args, 1 - req->indexarg);
	if (!IsA(other, Const) || ((Const *) other)->constisnull)
		return NULL;
	typid = exprType(indexkey);
	if (exprType(other) != typid)
		return NULL;

	/* Only the order we know: our own default btree family. */
	opclass = GetDefaultOpClass(typid, BTREE_AM_OID);
	if (!OidIsValid(opclass) || get_opclass_family(opclass) != req->opfamily)
		return NULL;
	ge_op = get_opfamily_member(req->opfamily, typid, typid, BTGreaterEqualStrategyNumber);
	le_op = get_opfamily_member(req->opfamily, typid, typid, BTLessEqualStrategyNumber);
	if (!OidIsValid(ge_op) || !OidIsValid(le_op))
		return NULL;

	lower = (Const *) copyObject(other);
	upper = makeConst(typid, -1, InvalidOid, -1,
					  ClausePGetDatum(clause_make_subtree_last(DatumGetClauseP(lower->constvalue))),
					  false, false);

	req->lossy = false;
	return (Node *) list_make2(make_opclause(ge_op, BOOLOID, false,
											 (Expr *) indexkey, (Expr *) lower,
											 InvalidOid, InvalidOid),
							   make_opclause(le_op, BOOLOID, false,
											 (Expr *) indexkey, (Expr *) upper,
											 InvalidOid, InvalidOid));
}

/* Planner support for @> (clause_contains): the descendant is argument 1. */
Datum
clause_contains_support(PG_FUNCTION_ARGS)
{
	Node	   *rawreq = (Node *) PG_GETARG_POINTER(0);

	if (IsA(rawreq, SupportRequestIndexCondition))
		PG_RETURN_POINTER(clause_index_condition((SupportRequestIndexCondition *) rawreq, 1));
	PG_RETURN_POINTER(NULL);
}

/* Planner support for <@ (clause_contained): the descendant is argument 0. */
Datum
clause_contained_support(PG_FUNCTION_ARGS)
{
	Node	   *rawreq = (Node *) PG_GETARG_POINTER(0);

	if (IsA(rawreq, SupportRequestIndexCondition))
		PG_RETURN_POINTER(clause_index_condition((SupportRequestIndexCondition *) rawreq, 0));
	PG_RETURN_POINTER(NULL);
}

/* Number of segments: 1 for "7" and "A.5", 3 for "6.1.2". */
Datum
clause_depth(PG_FUNCTION_ARGS)
{
	Clause	   *c = PG_GETARG_CLAUSE_P(0);

	PG_RETURN_INT32(c->nseg);
}

/*
 * Sort key: the text form with every number zero-padded to 4 digits
 * ("7.4" -> "0007.0004", "A.5.23" -> "A.0005.0023").  Numbers are at most
 * 9999, digits and the dot sort before letters and a clause's key is a
 * prefix of its descendants' keys, so comparing keys as text, in any
 * collation, is the order of the type.  For clients that sort text.
 */
Datum
clause_sort_key(PG_FUNCTION_ARGS)
{
	Clause	   *c = PG_GETARG_CLAUSE_P(0);
	char		buf[2 + CLAUSE_MAX_SEGMENTS * 5 + 1];
	char	   *p = buf;
	int			i;

	if (c->kind == CLAUSE_KIND_ANNEX)
	{
		*p++ = 'A';
		*p++ = '.';
	}
	for (i = 0; i < c->nseg; i++)
		p += sprintf(p, i > 0 ? ".%04u" : "%04u", (unsigned) c->seg[i]);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf, p - buf));
}

/* Parent: the clause without its last segment; NULL at depth 1. */
Datum
clause_parent(PG_FUNCTION_ARGS)
{
	Clause	   *c = PG_GETARG_CLAUSE_P(0);
	Clause	   *r;

	if (c->nseg <= 1)
		PG_RETURN_NULL();
	r = clause_alloc(c->kind, c->nseg - 1);
	memcpy(r->seg, c->seg, (c->nseg - 1) * sizeof(uint16));
	PG_RETURN_CLAUSE_P(r);
}

/* True for Annex A references. */
Datum
clause_is_annex(PG_FUNCTION_ARGS)
{
	Clause	   *c = PG_GETARG_CLAUSE_P(0);

	PG_RETURN_BOOL(c->kind == CLAUSE_KIND_ANNEX);
}

/* Next sibling (last segment + 1); NULL if the last segment is 9999. */
Datum
clause_next_sibling(PG_FUNCTION_ARGS)
{
	Clause	   *c = PG_GETARG_CLAUSE_P(0);
	Clause	   *r;

	if (c->seg[c->nseg - 1] >= CLAUSE_MAX_SEGMENT)
		PG_RETURN_NULL();
	r = clause_alloc(c->kind, c->nseg);
	memcpy(r->seg, c->seg, c->nseg * sizeof(uint16));
	r->seg[c->nseg - 1]++;
	PG_RETURN_CLAUSE_P(r);
}

/* Greatest possible descendant (see clause_make_subtree_last). */
Datum
clause_subtree_last(PG_FUNCTION_ARGS)
{
	PG_RETURN_CLAUSE_P(clause_make_subtree_last(PG_GETARG_CLAUSE_P(0)));
}
