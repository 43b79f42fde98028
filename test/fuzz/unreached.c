/*
 * unreached.c -- backend functions that src/clause.c and src/rating.c
 * reference outside their text parsers (binary I/O, planner support,
 * aggregates, catalog lookups, the sort key).  The fuzz targets never call
 * them; each aborts so that reaching one shows up as a crash.  Defined
 * without their prototypes: only the symbol matters to the linker.
 */
#include <stdlib.h>

void	   *CurrentMemoryContext = NULL;
void	   *TopMemoryContext = NULL;

#define UNREACHED(name) void name(void); void name(void) { abort(); }
UNREACHED(AggCheckCallContext)
UNREACHED(DirectFunctionCall1Coll)
UNREACHED(DirectFunctionCall2Coll)
UNREACHED(DirectFunctionCall3Coll)
UNREACHED(GetDefaultOpClass)
UNREACHED(MemoryContextAlloc)
UNREACHED(MemoryContextAllocZero)
UNREACHED(copyObjectImpl)
UNREACHED(cstring_to_text_with_len)
UNREACHED(exprType)
UNREACHED(float8_accum)
UNREACHED(float8out_internal)
UNREACHED(get_opclass_family)
UNREACHED(get_opfamily_member)
UNREACHED(list_make2_impl)
UNREACHED(makeConst)
UNREACHED(make_opclause)
UNREACHED(numeric_avg)
UNREACHED(numeric_avg_accum)
UNREACHED(numeric_cmp)
UNREACHED(numeric_in)
UNREACHED(numeric_is_nan)
UNREACHED(numeric_out)
UNREACHED(pq_begintypsend)
UNREACHED(pq_endtypsend)
UNREACHED(pq_getmsgbyte)
UNREACHED(pq_getmsgend)
UNREACHED(pq_getmsgint)
UNREACHED(pq_getmsgint64)
UNREACHED(text_to_cstring)
