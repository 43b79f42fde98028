/* fuzz_rating.c -- libFuzzer harness for isms.rating's text input (src/rating.c). */
#include "postgres.h"
#include "fuzz.h"

extern Datum rating_in(PG_FUNCTION_ARGS);
extern Datum rating_out(PG_FUNCTION_ARGS);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_type(data, size, rating_in, rating_out);
}
