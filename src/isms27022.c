/*-------------------------------------------------------------------------
 *
 * isms27022.c
 *	  Module entry point of the isms27022 extension: the magic block, the
 *	  isms.actor setting and the cache callbacks.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "engine.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

static char *actor_setting = NULL;

/* Called when the library is loaded. */
void
_PG_init(void)
{
	DefineCustomStringVariable("isms.actor",
							   "Application user recorded as the actor of ISMS changes.",
							   "Only members of isms_app may set it; otherwise the actor is the database role.",
							   &actor_setting,
							   NULL,
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);
	MarkGUCPrefixReserved("isms");
	model_register_callbacks();
	lifecycle_register_callbacks();
	register_register_callbacks();
	distribute_register_hooks();
}
