/*
 * fuzz.h -- shared by the libFuzzer harnesses of test/fuzz and stubs.c.
 */
#ifndef ISMS_FUZZ_H
#define ISMS_FUZZ_H

#include <setjmp.h>
#include "fmgr.h"

extern sigjmp_buf *fuzz_error_jmp;	/* where an ERROR jumps to */
extern int	fuzz_last_sqlstate;		/* the errcode of the last ERROR */
extern void fuzz_reset(void);		/* free every palloc'd block */

/*
 * Run a type's input function on a NUL-terminated copy of the fuzz input,
 * then its output function, then input again on that output, and check the
 * round trip is stable.  An ERROR must be 22P02 (malformed input) or, for
 * values out of range, 22003.
 */
extern int	fuzz_type(const uint8_t *data, size_t size, PGFunction in, PGFunction out);

#endif
