# isms27022 -- PGXS build of the ISO/IEC TS 27022 process reference model extension.
#
# sql/isms27022--0.1.0.sql is the install script of the released 0.1.0, frozen.
# Every later change is an upgrade script sql/isms27022--A--B.sql, built by
# concatenating the pieces in sql/update/A--B/ in name order; CREATE EXTENSION
# at a later version runs the 0.1.0 script and then the upgrade chain, as
# PostgreSQL's contrib modules do.  Regression tests are the other files of
# sql/ (inputs) and expected/ (outputs); pgTAP tests, isolation specs and
# script tests live under test/ and are run by test/run.sh.

EXTENSION = isms27022
EXTVERSION = $(shell grep default_version $(EXTENSION).control | sed -e "s/default_version[[:space:]]*=[[:space:]]*'\([^']*\)'/\1/")

MODULE_big = isms27022
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
PG_CPPFLAGS = -I$(srcdir)/src
# test/mutation/run.sh builds "make ISMS_MUTANT=IS013_EXPIRED_INPUT": that rule off (engine.h)
ifdef ISMS_MUTANT
PG_CPPFLAGS += -DISMS_MUTANT_$(ISMS_MUTANT)=1
endif
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers

UPGRADES = $(notdir $(wildcard sql/update/*--*))
DATA_built = $(patsubst %,sql/$(EXTENSION)--%.sql,$(UPGRADES))
DATA = sql/$(EXTENSION)--0.1.0.sql

REGRESS = $(sort $(filter-out $(EXTENSION)--%,$(patsubst sql/%.sql,%,$(wildcard sql/*.sql))))
REGRESS_OPTS = --load-extension=$(EXTENSION)

ISOLATION = $(patsubst test/specs/%.spec,%,$(sort $(wildcard test/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test --load-extension=$(EXTENSION)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# An upgrade script is its pieces in name order; the directory is a
# prerequisite too, so that removing or renaming a piece rebuilds it.
.SECONDEXPANSION:
$(DATA_built): sql/$(EXTENSION)--%.sql: $$(sort $$(wildcard sql/update/%/*.sql)) sql/update/%
	cat $(filter %.sql,$^) > $@
