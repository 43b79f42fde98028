/*
 * clause.h -- the isms.clause type: a hierarchical reference to an
 * ISO/IEC 27001:2022 clause ("6.1.2") or Annex A control ("A.5.23").
 *
 * Exposed so that other C files of the extension can parse, compare and
 * build clause values without going through the SQL function manager.
 */
#ifndef ISMS_CLAUSE_H
#define ISMS_CLAUSE_H

#include "fmgr.h"

/* Limits of the text and binary forms. */
#define CLAUSE_MAX_SEGMENTS		8
#define CLAUSE_MAX_SEGMENT		9999
#define CLAUSE_MAX_INPUT_LEN	100

/* Kinds of reference. */
#define CLAUSE_KIND_NUMBERED	0	/* "6.1.2" */
#define CLAUSE_KIND_ANNEX		1	/* "A.5.23" */

/*
 * On-disk and in-memory form (varlena).  Segments are 1..9999; the struct
 * is always fully initialised so that equal values are equal bytewise.
 */
typedef struct Clause
{
	int32		vl_len_;		/* varlena header (do not touch directly) */
	uint8		kind;			/* CLAUSE_KIND_* */
	uint8		nseg;			/* 1..CLAUSE_MAX_SEGMENTS */
	uint16		seg[FLEXIBLE_ARRAY_MEMBER];
} Clause;

#define CLAUSE_SIZE(nseg)		(offsetof(Clause, seg) + (nseg) * sizeof(uint16))

#define DatumGetClauseP(d)		((Clause *) PG_DETOAST_DATUM(d))
#define ClausePGetDatum(p)		PointerGetDatum(p)
#define PG_GETARG_CLAUSE_P(n)	DatumGetClauseP(PG_GETARG_DATUM(n))
#define PG_RETURN_CLAUSE_P(p)	PG_RETURN_POINTER(p)

/* Parse the text form; raises ERROR on malformed input. */
extern Clause *clause_parse(const char *str);

/* Total order used by the btree operator class (<0, 0, >0). */
extern int	clause_compare(const Clause *a, const Clause *b);

#endif							/* ISMS_CLAUSE_H */
