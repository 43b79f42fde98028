/*
 * fuzz_type.c -- the libFuzzer entry point shared by the type harnesses:
 * parse, print, re-parse, re-print; the two printed forms must agree, and
 * every refusal must be a clean ERROR with a data-exception SQLSTATE.
 */
#include "postgres.h"

#include "utils/elog.h"

#include "fuzz.h"

static Datum
call1(PGFunction fn, Datum arg)
{
	LOCAL_FCINFO(fcinfo, 1);

	InitFunctionCallInfoData(*fcinfo, NULL, 1, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = arg;
	fcinfo->args[0].isnull = false;
	return fn(fcinfo);
}

int
fuzz_type(const uint8_t *data, size_t size, PGFunction in, PGFunction out)
{
	sigjmp_buf	jmp;
	char	   *str = palloc(size + 1);

	memcpy(str, data, size);
	str[size] = '\0';
	fuzz_error_jmp = &jmp;
	if (sigsetjmp(jmp, 0) == 0)
	{
		char	   *text1 = DatumGetCString(call1(out, call1(in, CStringGetDatum(str))));
		char	   *text2;

		/* the printed form must parse, and print the same */
		fuzz_error_jmp = NULL;	/* an ERROR now aborts: a bug */
		text2 = DatumGetCString(call1(out, call1(in, CStringGetDatum(text1))));
		if (strcmp(text1, text2) != 0)
			abort();
	}
	else if (fuzz_last_sqlstate != ERRCODE_INVALID_TEXT_REPRESENTATION &&
			 fuzz_last_sqlstate != ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE)
		abort();
	fuzz_error_jmp = NULL;
	fuzz_reset();
	return 0;
}
