/*-------------------------------------------------------------------------
 *
 * rating.c
 *		The capability-rating type isms.rating (ISO/IEC 33020 process
 *		attribute ratings), its constructors from achievement percentages,
 *		comparison and hash support, aggregates over several ratings and the
 *		capability-level rule.
 *
 * Representation
 * --------------
 * A rating is one byte, passed by value: its position on the scale
 *
 *		N = 0, P- = 1, P = 2, P+ = 3, L- = 4, L = 5, L+ = 6, F = 7
 *
 * This is the refined ordinal (0..5) together with a flag telling whether P
 * or L was given unrefined, folded into one number so that the natural
 * order of the byte is the order of the type: an unrefined P sits between
 * P- and P+ (it is "somewhere in P"), an unrefined L between L- and L+.
 * Every value has exactly one text form, so equality, hashing and ordering
 * are all plain integer operations on the byte.  Percentages are not kept:
 * a rating built from a percentage is the letter of that percentage.
 *
 * Aggregates map ratings to ordinals (N, P, L, F = 0..3; refined N, P-, P+,
 * L-, L+, F = 0..5).  The mean is rounded half up; the median of an even
 * number of ratings is the lower of the two middle ones.
 *
 * Binary format (send/recv): a version byte (1) followed by the scale
 * position above.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "parser/scansup.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/sortsupport.h"

/* Scale positions; the byte stored for a rating. */
#define RATING_N		0
#define RATING_P_MINUS	1
#define RATING_P		2
#define RATING_P_PLUS	3
#define RATING_L_MINUS	4
#define RATING_L		5
#define RATING_L_PLUS	6
#define RATING_F		7
#define RATING_COUNT	8

/* Version byte of the binary format. */
#define RATING_BINARY_VERSION 1

/* Number of process attributes (PA 1.1 .. PA 5.2) and capability levels. */
#define PA_COUNT		9
#define LEVEL_COUNT		5

/* Nibble of the capability-level aggregate state meaning "not rated". */
#define PA_UNRATED		0xF

#define DatumGetRating(X)		((uint8) DatumGetChar(X))
#define RatingGetDatum(X)		CharGetDatum((char) (X))
#define PG_GETARG_RATING(n)		DatumGetRating(PG_GETARG_DATUM(n))
#define PG_RETURN_RATING(x)		return RatingGetDatum(x)

/* Text form of each scale position. */
static const char *const rating_names[RATING_COUNT] = {
	"N", "P-", "P", "P+", "L-", "L", "L+", "F"
};

/* Unrefined ordinal (N, P, L, F = 0..3) of each scale position. */
static const int rating_ordinals[RATING_COUNT] = {0, 1, 1, 1, 2, 2, 2, 3};

/* Refined ordinal (0..5) of each scale position; -1 for unrefined P and L. */
static const int rating_refined_ordinals[RATING_COUNT] = {0, 1, -1, 2, 3, -1, 4, 5};

/* Scale position of each unrefined ordinal 0..3. */
static const uint8 ordinal_ratings[4] = {RATING_N, RATING_P, RATING_L, RATING_F};

/* Scale position of each refined ordinal 0..5. */
static const uint8 refined_ordinal_ratings[6] = {
	RATING_N, RATING_P_MINUS, RATING_P_PLUS, RATING_L_MINUS, RATING_L_PLUS, RATING_F
};

/* Capability level (1..5) of each process attribute, in argument order. */
static const int pa_levels[PA_COUNT] = {1, 2, 2, 3, 3, 4, 4, 5, 5};

/* Names of the process attributes, in argument order. */
static const char *const pa_names[PA_COUNT] = {
	"1.1", "2.1", "2.2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2"
};

/* Transition state of the ordinal aggregates: how often each rating was seen. */
typedef struct RatingAggState
{
	int64		count[RATING_COUNT];
} RatingAggState;

PG_FUNCTION_INFO_V1(rating_in);
PG_FUNCTION_INFO_V1(rating_out);
PG_FUNCTION_INFO_V1(rating_recv);
PG_FUNCTION_INFO_V1(rating_send);
PG_FUNCTION_INFO_V1(rating_from_numeric);
PG_FUNCTION_INFO_V1(rating_refined_from_numeric);
PG_FUNCTION_INFO_V1(rating_from_float8);
PG_FUNCTION_INFO_V1(rating_refined_from_float8);
PG_FUNCTION_INFO_V1(rating_cmp);
PG_FUNCTION_INFO_V1(rating_lt);
PG_FUNCTION_INFO_V1(rating_le);
PG_FUNCTION_INFO_V1(rating_eq);
PG_FUNCTION_INFO_V1(rating_ne);
PG_FUNCTION_INFO_V1(rating_ge);
PG_FUNCTION_INFO_V1(rating_gt);
PG_FUNCTION_INFO_V1(rating_sortsupport);
PG_FUNCTION_INFO_V1(rating_hash);
PG_FUNCTION_INFO_V1(rating_hash_extended);
PG_FUNCTION_INFO_V1(rating_smaller);
PG_FUNCTION_INFO_V1(rating_larger);
PG_FUNCTION_INFO_V1(rating_value);
PG_FUNCTION_INFO_V1(rating_ordinal);
PG_FUNCTION_INFO_V1(rating_refined_ordinal);
PG_FUNCTION_INFO_V1(rating_is_refined);
PG_FUNCTION_INFO_V1(rating_is_achieved);
PG_FUNCTION_INFO_V1(rating_unrefined);
PG_FUNCTION_INFO_V1(rating_agg_accum);
PG_FUNCTION_INFO_V1(rating_agg_combine);
PG_FUNCTION_INFO_V1(rating_agg_serialize);
PG_FUNCTION_INFO_V1(rating_agg_deserialize);
PG_FUNCTION_INFO_V1(rating_mean_final);
PG_FUNCTION_INFO_V1(rating_median_final);
PG_FUNCTION_INFO_V1(rating_refined_mean_final);
PG_FUNCTION_INFO_V1(rating_refined_median_final);
PG_FUNCTION_INFO_V1(rating_pct_accum_numeric);
PG_FUNCTION_INFO_V1(rating_pct_accum_float8);
PG_FUNCTION_INFO_V1(rating_of_mean_numeric_final);
PG_FUNCTION_INFO_V1(rating_refined_of_mean_numeric_final);
PG_FUNCTION_INFO_V1(rating_of_mean_float8_final);
PG_FUNCTION_INFO_V1(rating_refined_of_mean_float8_final);
PG_FUNCTION_INFO_V1(rating_capability_level);
PG_FUNCTION_INFO_V1(rating_level_accum);
PG_FUNCTION_INFO_V1(rating_level_combine);
PG_FUNCTION_INFO_V1(rating_level_final);

/* ----------------------------------------------------------------
 * Text and binary I/O
 * ----------------------------------------------------------------
 */

/* Report a malformed text rating. */
static pg_attribute_noreturn() void
rating_syntax_error(const char *input, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type rating: \"%s\"", input),
			 errdetail("%s", detail),
			 errhint("Use N, P, P-, P+, L, L-, L+ or F.")));
}

/*
 * Parse a rating: one of N, P, P-, P+, L, L-, L+, F (upper case), with
 * U+2212 MINUS SIGN accepted for "-" in UTF8 and SQL_ASCII databases, and
 * surrounding whitespace ignored.
 */
Datum
rating_in(PG_FUNCTION_ARGS)
{
	const char *input = PG_GETARG_CSTRING(0);
	const char *s = input;
	size_t		len;
	uint8		base;
	int			encoding = GetDatabaseEncoding();

	while (*s && scanner_isspace(*s))
		s++;
	len = strlen(s);
	while (len > 0 && scanner_isspace(s[len - 1]))
		len--;

	if (len == 0)
		rating_syntax_error(input, "The input is empty.");

	switch (s[0])
	{
		case 'N':
			base = RATING_N;
			break;
		case 'P':
			base = RATING_P;
			break;
		case 'L':
			base = RATING_L;
			break;
		case 'F':
			base = RATING_F;
			break;
		case 'n':
		case 'p':
		case 'l':
		case 'f':
			rating_syntax_error(input, "Rating letters are upper case.");
			pg_unreachable();
		default:
			rating_syntax_error(input,
								"A rating is one of the letters N, P, L and F; P and L may be refined by a following - or +.");
			pg_unreachable();
	}

	if (len == 1)
		PG_RETURN_RATING(base);

	if (base == RATING_P || base == RATING_L)
	{
		if (len == 2 && s[1] == '-')
			PG_RETURN_RATING(base - 1);
		if (len == 2 && s[1] == '+')
			PG_RETURN_RATING(base + 1);
		if (len == 4 && memcmp(s + 1, "\xE2\x88\x92", 3) == 0 &&
			(encoding == PG_UTF8 || encoding == PG_SQL_ASCII))
			PG_RETURN_RATING(base - 1);
		rating_syntax_error(input,
							"P and L may only be followed by a refinement - or +.");
	}
	if (s[1] == '-' || s[1] == '+' || (len >= 4 && memcmp(s + 1, "\xE2\x88\x92", 3) == 0))
		rating_syntax_error(input, "N and F cannot be refined.");
	rating_syntax_error(input,
						"A rating is one of the letters N, P, L and F; P and L may be refined by a following - or +.");
}

/* Text form of a rating; the refinement minus is always ASCII "-". */
Datum
rating_out(PG_FUNCTION_ARGS)
{
	uint8		r = PG_GETARG_RATING(0);

	if (r >= RATING_COUNT)
		elog(ERROR, "invalid rating value %d", (int) r);
	PG_RETURN_CSTRING(pstrdup(rating_names[r]));
}

/* Binary input: version byte, then the scale position. */
Datum
rating_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			version = pq_getmsgbyte(buf);
	int			r;

	if (version != RATING_BINARY_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported binary format version %d for type rating", version),
				 errdetail("Only version %d is supported.", RATING_BINARY_VERSION),
				 errhint("Send ratings in the binary format of isms.rating_send, or as text.")));
	r = pq_getmsgbyte(buf);
	if (r < 0 || r >= RATING_COUNT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid binary value %d for type rating", r),
				 errdetail("A rating is sent as a number from 0 (N) to 7 (F)."),
				 errhint("Send ratings in the binary format of isms.rating_send, or as text.")));
	PG_RETURN_RATING((uint8) r);
}

/* Binary output: version byte, then the scale position. */
Datum
rating_send(PG_FUNCTION_ARGS)
{
	uint8		r = PG_GETARG_RATING(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, RATING_BINARY_VERSION);
	pq_sendbyte(&buf, r);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ----------------------------------------------------------------
 * Construction from achievement percentages
 * ----------------------------------------------------------------
 */

/* Report an achievement percentage outside 0..100 (or NaN). */
static pg_attribute_noreturn() void
rating_pct_range_error(const char *value)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("achievement percentage %s is out of range for type rating", value),
			 errdetail("An achievement percentage must be between 0 and 100."),
			 errhint("Give the achievement in percent, for example 72.5 for 72.5 %%.")));
}

/*
 * Rating of a percentage given as positions relative to the scale bounds:
 * above[i] is true when the percentage is strictly above bound i of
 * 15, 32.5, 50, 67.5, 85.
 */
static uint8
rating_from_bounds(const bool above[5], bool refined)
{
	if (!above[0])
		return RATING_N;
	if (!above[2])
		return refined ? (above[1] ? RATING_P_PLUS : RATING_P_MINUS) : RATING_P;
	if (!above[4])
		return refined ? (above[3] ? RATING_L_PLUS : RATING_L_MINUS) : RATING_L;
	return RATING_F;
}

/* Scale bounds as numerics, built once per backend. */
static Numeric
rating_numeric_bound(int i)
{
	static Numeric bounds[7];
	static const char *const texts[7] = {"15", "32.5", "50", "67.5", "85", "0", "100"};

	if (bounds[i] == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		bounds[i] = DatumGetNumeric(DirectFunctionCall3(numeric_in,
														CStringGetDatum(texts[i]),
														ObjectIdGetDatum(InvalidOid),
														Int32GetDatum(-1)));
		MemoryContextSwitchTo(old);
	}
	return bounds[i];
}

/* Compare two numerics (no NaN) with numeric_cmp. */
static int
rating_numeric_cmp(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp,
											 NumericGetDatum(a),
											 NumericGetDatum(b)));
}

/* Raise an error unless the numeric percentage lies in 0..100. */
static void
rating_check_numeric(Numeric pct)
{
	if (numeric_is_nan(pct) ||
		rating_numeric_cmp(pct, rating_numeric_bound(5)) < 0 ||
		rating_numeric_cmp(pct, rating_numeric_bound(6)) > 0)
		rating_pct_range_error(DatumGetCString(DirectFunctionCall1(numeric_out,
																   NumericGetDatum(pct))));
}

/* Raise an error unless the float8 percentage lies in 0..100. */
static void
rating_check_float8(float8 pct)
{
	if (isnan(pct) || pct < 0.0 || pct > 100.0)
		rating_pct_range_error(float8out_internal(pct));
}

/* Rating of a numeric percentage. */
static uint8
rating_of_numeric(Numeric pct, bool refined)
{
	bool		above[5];
	int			i;

	rating_check_numeric(pct);
	for (i = 0; i < 5; i++)
		above[i] = rating_numeric_cmp(pct, rating_numeric_bound(i)) > 0;
	return rating_from_bounds(above, refined);
}

/* Rating of a float8 percentage. */
static uint8
rating_of_float8(float8 pct, bool refined)
{
	static const float8 bounds[5] = {15.0, 32.5, 50.0, 67.5, 85.0};
	bool		above[5];
	int			i;

	rating_check_float8(pct);
	for (i = 0; i < 5; i++)
		above[i] = pct > bounds[i];
	return rating_from_bounds(above, refined);
}

/* isms.rating(numeric): N, P, L or F of an achievement percentage. */
Datum
rating_from_numeric(PG_FUNCTION_ARGS)
{
	PG_RETURN_RATING(rating_of_numeric(PG_GETARG_NUMERIC(0), false));
}

/* isms.rating_refined(numeric): N, P-, P+, L-, L+ or F of a percentage. */
Datum
rating_refined_from_numeric(PG_FUNCTION_ARGS)
{
	PG_RETURN_RATING(rating_of_numeric(PG_GETARG_NUMERIC(0), true));
}

/* isms.rating(float8): N, P, L or F of an achievement percentage. */
Datum
rating_from_float8(PG_FUNCTION_ARGS)
{
	PG_RETURN_RATING(rating_of_float8(PG_GETARG_FLOAT8(0), false));
}

/* isms.rating_refined(float8): N, P-, P+, L-, L+ or F of a percentage. */
Datum
rating_refined_from_float8(PG_FUNCTION_ARGS)
{
	PG_RETURN_RATING(rating_of_float8(PG_GETARG_FLOAT8(0), true));
}

/* ----------------------------------------------------------------
 * Comparison, sorting and hashing
 * ----------------------------------------------------------------
 */

/* Three-way comparison of two scale positions. */
static inline int
rating_compare(uint8 a, uint8 b)
{
	return (a > b) - (a < b);
}

/* btree support function 1. */
Datum
rating_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(rating_compare(PG_GETARG_RATING(0), PG_GETARG_RATING(1)));
}

/* Operator <. */
Datum
rating_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(PG_GETARG_RATING(0) < PG_GETARG_RATING(1));
}

/* Operator <=. */
Datum
rating_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(PG_GETARG_RATING(0) <= PG_GETARG_RATING(1));
}

/* Operator =. */
Datum
rating_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(PG_GETARG_RATING(0) == PG_GETARG_RATING(1));
}

/* Operator <>. */
Datum
rating_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(PG_GETARG_RATING(0) != PG_GETARG_RATING(1));
}

/* Operator >=. */
Datum
rating_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(PG_GETARG_RATING(0) >= PG_GETARG_RATING(1));
}

/* Operator >. */
Datum
rating_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(PG_GETARG_RATING(0) > PG_GETARG_RATING(1));
}

/* Comparator used by sortsupport. */
static int
rating_fastcmp(Datum a, Datum b, SortSupport ssup)
{
	return rating_compare(DatumGetRating(a), DatumGetRating(b));
}

/* btree support function 2: sort without going through fmgr. */
Datum
rating_sortsupport(PG_FUNCTION_ARGS)
{
	SortSupport ssup = (SortSupport) PG_GETARG_POINTER(0);

	ssup->comparator = rating_fastcmp;
	PG_RETURN_VOID();
}

/* hash support function 1. */
Datum
rating_hash(PG_FUNCTION_ARGS)
{
	return hash_uint32((uint32) PG_GETARG_RATING(0));
}

/* hash support function 2 (seeded, 64-bit). */
Datum
rating_hash_extended(PG_FUNCTION_ARGS)
{
	return hash_uint32_extended((uint32) PG_GETARG_RATING(0), PG_GETARG_INT64(1));
}

/* The lower of two ratings (for min). */
Datum
rating_smaller(PG_FUNCTION_ARGS)
{
	uint8		a = PG_GETARG_RATING(0);
	uint8		b = PG_GETARG_RATING(1);

	PG_RETURN_RATING(a < b ? a : b);
}

/* The higher of two ratings (for max). */
Datum
rating_larger(PG_FUNCTION_ARGS)
{
	uint8		a = PG_GETARG_RATING(0);
	uint8		b = PG_GETARG_RATING(1);

	PG_RETURN_RATING(a > b ? a : b);
}

/* ----------------------------------------------------------------
 * Ordinals and predicates
 * ----------------------------------------------------------------
 */

/* isms.rating_value: the scale position, N = 0 .. F = 7 (the type's order). */
Datum
rating_value(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(PG_GETARG_RATING(0));
}

/* isms.rating_ordinal: N, P, L, F = 0..3 (refinement ignored). */
Datum
rating_ordinal(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(rating_ordinals[PG_GETARG_RATING(0)]);
}

/* isms.rating_refined_ordinal: N, P-, P+, L-, L+, F = 0..5; NULL for P, L. */
Datum
rating_refined_ordinal(PG_FUNCTION_ARGS)
{
	int			o = rating_refined_ordinals[PG_GETARG_RATING(0)];

	if (o < 0)
		PG_RETURN_NULL();
	PG_RETURN_INT32(o);
}

/* isms.rating_is_refined: false only for the unrefined P and L. */
Datum
rating_is_refined(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(rating_refined_ordinals[PG_GETARG_RATING(0)] >= 0);
}

/* isms.rating_is_achieved: true for L (any refinement) and F. */
Datum
rating_is_achieved(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(PG_GETARG_RATING(0) >= RATING_L_MINUS);
}

/* isms.rating_unrefined: drop the refinement (P- and P+ become P). */
Datum
rating_unrefined(PG_FUNCTION_ARGS)
{
	PG_RETURN_RATING(ordinal_ratings[rating_ordinals[PG_GETARG_RATING(0)]]);
}

/* ----------------------------------------------------------------
 * Aggregates over ratings: mean and median of ordinals
 * ----------------------------------------------------------------
 */

/* The aggregate memory context, or an error when not called as aggregate. */
static MemoryContext
rating_agg_context(FunctionCallInfo fcinfo, const char *fn)
{
	MemoryContext aggcontext;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "%s called in non-aggregate context", fn);
	return aggcontext;
}

/* Transition: count one more rating (NULL ratings are ignored). */
Datum
rating_agg_accum(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = rating_agg_context(fcinfo, "rating_agg_accum");
	RatingAggState *state;

	if (PG_ARGISNULL(0))
		state = (RatingAggState *) MemoryContextAllocZero(aggcontext, sizeof(RatingAggState));
	else
		state = (RatingAggState *) PG_GETARG_POINTER(0);

	if (!PG_ARGISNULL(1))
		state->count[PG_GETARG_RATING(1)]++;
	PG_RETURN_POINTER(state);
}

/* Combine: add the counts of two partial states. */
Datum
rating_agg_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext = rating_agg_context(fcinfo, "rating_agg_combine");
	RatingAggState *s1 = PG_ARGISNULL(0) ? NULL : (RatingAggState *) PG_GETARG_POINTER(0);
	RatingAggState *s2 = PG_ARGISNULL(1) ? NULL : (RatingAggState *) PG_GETARG_POINTER(1);
	int			i;

	if (s2 == NULL)
	{
		if (s1 == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(s1);
	}
	if (s1 == NULL)
	{
		s1 = (RatingAggState *) MemoryContextAlloc(aggcontext, sizeof(RatingAggState));
		memcpy(s1, s2, sizeof(RatingAggState));
		PG_RETURN_POINTER(s1);
	}
	for (i = 0; i < RATING_COUNT; i++)
		s1->count[i] += s2->count[i];
	PG_RETURN_POINTER(s1);
}

/* Serialize a partial state for parallel aggregation. */
Datum
rating_agg_serialize(PG_FUNCTION_ARGS)
{
	RatingAggState *state;
	StringInfoData buf;
	int			i;

	rating_agg_context(fcinfo, "rating_agg_serialize");
	state = (RatingAggState *) PG_GETARG_POINTER(0);
	pq_begintypsend(&buf);
	for (i = 0; i < RATING_COUNT; i++)
		pq_sendint64(&buf, state->count[i]);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Deserialize a partial state for parallel aggregation. */
Datum
rating_agg_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *sstate;
	RatingAggState *state;
	StringInfoData buf;
	int			i;

	rating_agg_context(fcinfo, "rating_agg_deserialize");
	sstate = PG_GETARG_BYTEA_PP(0);
	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, VARDATA_ANY(sstate), VARSIZE_ANY_EXHDR(sstate));
	state = (RatingAggState *) palloc(sizeof(RatingAggState));
	for (i = 0; i < RATING_COUNT; i++)
		state->count[i] = pq_getmsgint64(&buf);
	pq_getmsgend(&buf);
	pfree(buf.data);
	PG_RETURN_POINTER(state);
}

/*
 * Fill counts[] with how often each ordinal occurs (unrefined ordinals 0..3
 * or refined 0..5) and return the total.  For refined ordinals an unrefined
 * P or L in the input is an error.
 */
static int64
rating_agg_ordinal_counts(const RatingAggState *state, bool refined, int64 *counts)
{
	int64		n = 0;
	int			i;

	memset(counts, 0, sizeof(int64) * 6);
	for (i = 0; i < RATING_COUNT; i++)
	{
		int			o;

		if (state->count[i] == 0)
			continue;
		o = refined ? rating_refined_ordinals[i] : rating_ordinals[i];
		if (o < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cannot aggregate unrefined rating %s on the refined scale",
							rating_names[i]),
					 errdetail("The refined scale has ordinals only for N, P-, P+, L-, L+ and F."),
					 errhint("Use isms.rating_mean() or isms.rating_median(), or rate P and L as P-/P+ and L-/L+.")));
		counts[o] += state->count[i];
		n += state->count[i];
	}
	return n;
}

/* Mean of the ordinals rounded half up, or -1 when there is no input. */
static int
rating_agg_mean(const RatingAggState *state, bool refined)
{
	int64		counts[6];
	int64		n = rating_agg_ordinal_counts(state, refined, counts);
	int64		q = 0;
	int64		r = 0;
	int			o;

	if (n == 0)
		return -1;
	/*
	 * sum / n = q + r / n with 0 <= r < n, where sum is the sum of the
	 * ordinals; each count is added o times as quotient and remainder so
	 * that nothing can overflow.
	 */
	for (o = 1; o < 6; o++)
	{
		int			k;

		for (k = 0; k < o; k++)
		{
			q += counts[o] / n;
			r += counts[o] % n;
			if (r >= n)
			{
				q++;
				r -= n;
			}
		}
	}
	/* round half up: add one when r / n >= 1/2 */
	if (r >= n - r)
		q++;
	return (int) q;
}

/* Lower median of the ordinals, or -1 when there is no input. */
static int
rating_agg_median(const RatingAggState *state, bool refined)
{
	int64		counts[6];
	int64		n = rating_agg_ordinal_counts(state, refined, counts);
	int64		rank;
	int64		seen = 0;
	int			o;

	if (n == 0)
		return -1;
	/* 1-based rank of the lower median */
	rank = (n + 1) / 2;
	for (o = 0; o < 6; o++)
	{
		seen += counts[o];
		if (seen >= rank)
			return o;
	}
	elog(ERROR, "rating median not found");
	return -1;					/* keep compiler quiet */
}

/* Final function of isms.rating_mean: N, P, L or F. */
Datum
rating_mean_final(PG_FUNCTION_ARGS)
{
	int			o;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	o = rating_agg_mean((RatingAggState *) PG_GETARG_POINTER(0), false);
	if (o < 0)
		PG_RETURN_NULL();
	PG_RETURN_RATING(ordinal_ratings[o]);
}

/* Final function of isms.rating_median: N, P, L or F. */
Datum
rating_median_final(PG_FUNCTION_ARGS)
{
	int			o;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	o = rating_agg_median((RatingAggState *) PG_GETARG_POINTER(0), false);
	if (o < 0)
		PG_RETURN_NULL();
	PG_RETURN_RATING(ordinal_ratings[o]);
}

/* Final function of isms.rating_refined_mean: N, P-, P+, L-, L+ or F. */
Datum
rating_refined_mean_final(PG_FUNCTION_ARGS)
{
	int			o;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	o = rating_agg_mean((RatingAggState *) PG_GETARG_POINTER(0), true);
	if (o < 0)
		PG_RETURN_NULL();
	PG_RETURN_RATING(refined_ordinal_ratings[o]);
}

/* Final function of isms.rating_refined_median: N, P-, P+, L-, L+ or F. */
Datum
rating_refined_median_final(PG_FUNCTION_ARGS)
{
	int			o;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	o = rating_agg_median((RatingAggState *) PG_GETARG_POINTER(0), true);
	if (o < 0)
		PG_RETURN_NULL();
	PG_RETURN_RATING(refined_ordinal_ratings[o]);
}

/* ----------------------------------------------------------------
 * Aggregates over percentages: rating of the mean achievement
 * ----------------------------------------------------------------
 */

/* Transition: check the percentage, then accumulate as avg(numeric) does. */
Datum
rating_pct_accum_numeric(PG_FUNCTION_ARGS)
{
	if (!PG_ARGISNULL(1))
		rating_check_numeric(PG_GETARG_NUMERIC(1));
	return numeric_avg_accum(fcinfo);
}

/* Transition: check the percentage, then accumulate as avg(float8) does. */
Datum
rating_pct_accum_float8(PG_FUNCTION_ARGS)
{
	rating_check_float8(PG_GETARG_FLOAT8(1));
	return float8_accum(fcinfo);
}

/* Mean of a numeric avg state as rating, or NULL when there was no input. */
static Datum
rating_of_mean_numeric(FunctionCallInfo fcinfo, bool refined)
{
	Datum		mean;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	mean = numeric_avg(fcinfo);
	if (fcinfo->isnull)
		PG_RETURN_NULL();
	PG_RETURN_RATING(rating_of_numeric(DatumGetNumeric(mean), refined));
}

/* Final function of isms.rating_of_mean(numeric). */
Datum
rating_of_mean_numeric_final(PG_FUNCTION_ARGS)
{
	return rating_of_mean_numeric(fcinfo, false);
}

/* Final function of isms.rating_refined_of_mean(numeric). */
Datum
rating_refined_of_mean_numeric_final(PG_FUNCTION_ARGS)
{
	return rating_of_mean_numeric(fcinfo, true);
}

/* Mean of a float8 accumulator {N, sum, sum of squares} as rating. */
static Datum
rating_of_mean_float8(FunctionCallInfo fcinfo, bool refined)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	float8	   *vals;
	float8		mean;

	if (ARR_NDIM(arr) != 1 || ARR_DIMS(arr)[0] != 3 || ARR_HASNULL(arr) ||
		ARR_ELEMTYPE(arr) != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid state for rating_of_mean"),
				 errdetail("The state must be a float8 array {count, sum, sum of squares} without NULLs."),
				 errhint("Call the aggregate isms.rating_of_mean rather than its support functions.")));
	/* no NULLs, so the data follows the fixed header (ARR_DATA_PTR trips -Wsign-compare) */
	vals = (float8 *) ((char *) arr + ARR_OVERHEAD_NONULLS(1));
	if (vals[0] == 0.0)
		PG_RETURN_NULL();
	mean = vals[1] / vals[0];
	/* the mean of values in 0..100 can stray only by rounding */
	mean = Max(0.0, Min(100.0, mean));
	PG_RETURN_RATING(rating_of_float8(mean, refined));
}

/* Final function of isms.rating_of_mean(float8). */
Datum
rating_of_mean_float8_final(PG_FUNCTION_ARGS)
{
	return rating_of_mean_float8(fcinfo, false);
}

/* Final function of isms.rating_refined_of_mean(float8). */
Datum
rating_refined_of_mean_float8_final(PG_FUNCTION_ARGS)
{
	return rating_of_mean_float8(fcinfo, true);
}

/* ----------------------------------------------------------------
 * The capability-level rule (ISO/IEC 33020)
 * ----------------------------------------------------------------
 */

/*
 * The capability level of a process from the ratings of PA 1.1 .. PA 5.2
 * (argument order of pa_names; PA_UNRATED counts as N).  A process is at
 * level n when every attribute of level n is rated L or F and every
 * attribute of the levels below is rated F.  The rule is the one place
 * the level is computed; the function and the aggregate both use it.
 */
static int
capability_level_of(const uint8 ratings[PA_COUNT])
{
	int			level;

	for (level = 1; level <= LEVEL_COUNT; level++)
	{
		int			i;

		for (i = 0; i < PA_COUNT; i++)
		{
			uint8		r = ratings[i] == PA_UNRATED ? RATING_N : ratings[i];

			if (pa_levels[i] == level && r < RATING_L_MINUS)
				return level - 1;
			if (pa_levels[i] < level && r != RATING_F)
				return level - 1;
		}
	}
	return LEVEL_COUNT;
}

/* isms.capability_level(pa11, pa21, ..., pa52): NULL means not rated. */
Datum
rating_capability_level(PG_FUNCTION_ARGS)
{
	uint8		ratings[PA_COUNT];
	int			i;

	for (i = 0; i < PA_COUNT; i++)
	{
		if (i >= PG_NARGS() || PG_ARGISNULL(i))
			ratings[i] = PA_UNRATED;
		else
			ratings[i] = PG_GETARG_RATING(i);
	}
	PG_RETURN_INT32(capability_level_of(ratings));
}

/*
 * Index (0..8) of a process attribute name: "PA 1.1", "PA1.1", "pa 1.1" or
 * "1.1" (surrounding whitespace ignored); an unknown name is an error.
 */
static int
pa_index(const char *name)
{
	const char *s = name;
	size_t		len;
	int			i;

	while (*s && scanner_isspace(*s))
		s++;
	if ((s[0] == 'P' || s[0] == 'p') && (s[1] == 'A' || s[1] == 'a'))
	{
		s += 2;
		while (*s && scanner_isspace(*s))
			s++;
	}
	len = strlen(s);
	while (len > 0 && scanner_isspace(s[len - 1]))
		len--;
	for (i = 0; i < PA_COUNT; i++)
		if (len == 3 && memcmp(s, pa_names[i], 3) == 0)
			return i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown process attribute \"%s\"", name),
			 errdetail("The process attributes are PA 1.1, PA 2.1, PA 2.2, PA 3.1, PA 3.2, PA 4.1, PA 4.2, PA 5.1 and PA 5.2."),
			 errhint("Name the attribute as \"PA 2.1\" or \"2.1\".")));
	return -1;					/* keep compiler quiet */
}

/*
 * Transition of isms.capability_level_agg.  The state is a bigint holding
 * one 4-bit nibble per attribute (attribute i at bits 4i..4i+3): the scale
 * position of its rating, or PA_UNRATED.  An attribute rated more than once
 * keeps its lowest rating.  The function is strict: rows with a NULL
 * attribute or rating are skipped.
 */
Datum
rating_level_accum(PG_FUNCTION_ARGS)
{
	uint64		state = (uint64) PG_GETARG_INT64(0);
	char	   *attr = text_to_cstring(PG_GETARG_TEXT_PP(1));
	uint8		r = PG_GETARG_RATING(2);
	int			i = pa_index(attr);
	uint8		old = (state >> (4 * i)) & 0xF;

	if (old == PA_UNRATED || r < old)
		state = (state & ~((uint64) 0xF << (4 * i))) | ((uint64) r << (4 * i));
	pfree(attr);
	PG_RETURN_INT64((int64) state);
}

/* Combine two capability-level states: the lower rating of each attribute. */
Datum
rating_level_combine(PG_FUNCTION_ARGS)
{
	uint64		a = (uint64) PG_GETARG_INT64(0);
	uint64		b = (uint64) PG_GETARG_INT64(1);
	uint64		result = 0;
	int			i;

	for (i = 0; i < PA_COUNT; i++)
	{
		uint8		x = (a >> (4 * i)) & 0xF;
		uint8		y = (b >> (4 * i)) & 0xF;
		uint8		z;

		if (x == PA_UNRATED)
			z = y;
		else if (y == PA_UNRATED)
			z = x;
		else
			z = Min(x, y);
		result |= (uint64) z << (4 * i);
	}
	PG_RETURN_INT64((int64) result);
}

/* Final function of isms.capability_level_agg: the level of the state. */
Datum
rating_level_final(PG_FUNCTION_ARGS)
{
	uint64		state = (uint64) PG_GETARG_INT64(0);
	uint8		ratings[PA_COUNT];
	int			i;

	for (i = 0; i < PA_COUNT; i++)
	{
		ratings[i] = (state >> (4 * i)) & 0xF;
		if (ratings[i] >= RATING_COUNT && ratings[i] != PA_UNRATED)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid state for capability_level_agg"),
					 errdetail("Each 4-bit attribute field must hold 0 to 7 or 15."),
					 errhint("Call the aggregate isms.capability_level_agg rather than its support functions.")));
	}
	PG_RETURN_INT32(capability_level_of(ratings));
}
