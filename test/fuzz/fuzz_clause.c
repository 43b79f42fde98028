/* fuzz_clause.c -- libFuzzer harness for isms.clause's text input (src/clause.c). */
#include "postgres.h"
#include "fuzz.h"

extern Datum clause_in(PG_FUNCTION_ARGS);
extern Datum clause_out(PG_FUNCTION_ARGS);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_type(data, size, clause_in, clause_out);
}
