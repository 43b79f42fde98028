/*-------------------------------------------------------------------------
 *
 * stubs.c
 *	  Just enough of the PostgreSQL backend to run the extension's type
 *	  input parsers (src/clause.c, src/rating.c) outside the server, under
 *	  libFuzzer, AddressSanitizer and UBSan.
 *
 * Stubbed: palloc/palloc0/repalloc/pfree/pstrdup (malloc, every block
 * tracked so that fuzz_reset frees what an error left behind), ereport
 * (errstart/errfinish: an ERROR longjmps back to the harness, which counts
 * it as a clean refusal if its SQLSTATE is a data exception), the UTF-8
 * helpers pg_mblen, pg_mbcliplen and GetDatabaseEncoding (the database is
 * UTF-8), scanner_isspace and pg_detoast_datum (values are never
 * toasted here).  StringInfo, psprintf and snprintf come from
 * libpgcommon and libpgport (they allocate through the stubs above).
 * Everything else the two files reference aborts (unreached.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <setjmp.h>

#include "mb/pg_wchar.h"
#include "parser/scansup.h"

#include "fuzz.h"

typedef struct Block
{
	struct Block *prev;
	struct Block *next;
	size_t		size;
	max_align_t data[];
} Block;

static Block blocks = {&blocks, &blocks, 0};
sigjmp_buf *fuzz_error_jmp = NULL;

static void *
block_alloc(size_t size, bool zero)
{
	Block	   *b = zero ? calloc(1, sizeof(Block) + size) : malloc(sizeof(Block) + size);

	if (b == NULL)
		abort();
	b->size = size;
	b->next = blocks.next;
	b->prev = &blocks;
	blocks.next->prev = b;
	blocks.next = b;
	return b->data;
}

static Block *
block_of(void *p)
{
	return (Block *) ((char *) p - offsetof(Block, data));
}

void *palloc(Size size) { return block_alloc(size, false); }
void *palloc0(Size size) { return block_alloc(size, true); }
void *palloc_extended(Size size, int flags) { return block_alloc(size, (flags & MCXT_ALLOC_ZERO) != 0); }

void
pfree(void *p)
{
	Block	   *b = block_of(p);

	b->prev->next = b->next;
	b->next->prev = b->prev;
	free(b);
}

void *
repalloc(void *p, Size size)
{
	void	   *q = block_alloc(size, false);
	Size		old = block_of(p)->size;

	memcpy(q, p, old < size ? old : size);
	pfree(p);
	return q;
}

char *
pstrdup(const char *s)
{
	size_t		n = strlen(s) + 1;

	return memcpy(palloc(n), s, n);
}

/* Free everything allocated since the last reset. */
void
fuzz_reset(void)
{
	while (blocks.next != &blocks)
		pfree(blocks.next->data);
}

/* ereport: only ERROR and above matter; they jump back to the harness. */
static int	error_level;

bool
errstart(int elevel, const char *domain)
{
	error_level = elevel;
	return elevel >= ERROR;
}

bool errstart_cold(int elevel, const char *domain) { return errstart(elevel, domain); }

void
errfinish(const char *filename, int lineno, const char *funcname)
{
	if (error_level >= ERROR && fuzz_error_jmp != NULL)
		siglongjmp(*fuzz_error_jmp, 1);
	if (error_level >= ERROR)
		abort();
}

int errcode(int sqlerrcode) { fuzz_last_sqlstate = sqlerrcode; return 0; }
int errmsg(const char *fmt,...) { return 0; }
int errmsg_internal(const char *fmt,...) { return 0; }
int errdetail(const char *fmt,...) { return 0; }
int errdetail_internal(const char *fmt,...) { return 0; }
int errhint(const char *fmt,...) { return 0; }
int fuzz_last_sqlstate;

/* The database encoding is UTF-8. */
int GetDatabaseEncoding(void) { return PG_UTF8; }
int pg_mblen(const char *mbstr) { return pg_utf_mblen((const unsigned char *) mbstr); }

int
pg_mbcliplen(const char *mbstr, int len, int limit)
{
	int			n = 0;

	while (n < len && *mbstr)
	{
		int			l = pg_mblen(mbstr);

		if (n + l > limit)
			break;
		n += l;
		mbstr += l;
	}
	return n;
}

bool
scanner_isspace(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}

/* Values made by the input functions are plain, never toasted or packed. */
struct varlena *
pg_detoast_datum(struct varlena *datum)
{
	if (VARATT_IS_EXTENDED(datum))
		abort();
	return datum;
}

struct varlena *
pg_detoast_datum_packed(struct varlena *datum)
{
	return datum;
}
