/*-------------------------------------------------------------------------
 *
 * engine.h
 *	  Shared declarations of the isms27022 process engine: SQLSTATEs of
 *	  class IS, the per-backend model cache, the lifecycle mechanism, the
 *	  event writer and the helpers every rule module uses.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ISMS_ENGINE_H
#define ISMS_ENGINE_H

#include "fmgr.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "nodes/pg_list.h"
#include "utils/date.h"

/*
 * SQLSTATEs of the extension's own class IS: one per rule, stable.
 * The README's SQLSTATE table lists them with meaning and example.
 */
#define ISMS_ERRCODE(n) MAKE_SQLSTATE('I', 'S', '0', (n) / 10 + '0', (n) % 10 + '0')
#define ERRCODE_ISMS_TRANSITION			ISMS_ERRCODE(1)		/* IS001 */
#define ERRCODE_ISMS_INPUTS_MISSING		ISMS_ERRCODE(2)		/* IS002 */
#define ERRCODE_ISMS_STEP_ORDER			ISMS_ERRCODE(3)		/* IS003 */
#define ERRCODE_ISMS_RUN_NOT_ACTIVE		ISMS_ERRCODE(4)		/* IS004 */
#define ERRCODE_ISMS_SKIP_REFUSED		ISMS_ERRCODE(5)		/* IS005 */
#define ERRCODE_ISMS_ACTIVITY_INPUTS	ISMS_ERRCODE(6)		/* IS006 */
#define ERRCODE_ISMS_OUTPUT_REFUSED		ISMS_ERRCODE(7)		/* IS007 */
#define ERRCODE_ISMS_COMPLETION			ISMS_ERRCODE(8)		/* IS008 */
#define ERRCODE_ISMS_IMMUTABLE			ISMS_ERRCODE(9)		/* IS009 */
#define ERRCODE_ISMS_SEGREGATION		ISMS_ERRCODE(10)	/* IS010 */
#define ERRCODE_ISMS_RETENTION			ISMS_ERRCODE(11)	/* IS011 */
#define ERRCODE_ISMS_APPEND_ONLY		ISMS_ERRCODE(12)	/* IS012 */
#define ERRCODE_ISMS_INPUT_REFUSED		ISMS_ERRCODE(13)	/* IS013 */
#define ERRCODE_ISMS_NOT_APPLICABLE		ISMS_ERRCODE(14)	/* IS014 */
#define ERRCODE_ISMS_NOT_FOUND			ISMS_ERRCODE(15)	/* IS015 */
#define ERRCODE_ISMS_CONFIRM_REFUSED	ISMS_ERRCODE(16)	/* IS016 */
#define ERRCODE_ISMS_TAILORING			ISMS_ERRCODE(17)	/* IS017 */
#define ERRCODE_ISMS_VERSION			ISMS_ERRCODE(18)	/* IS018 */
#define ERRCODE_ISMS_ACTOR				ISMS_ERRCODE(19)	/* IS019 */
#define ERRCODE_ISMS_ENGINE_MANAGED		ISMS_ERRCODE(20)	/* IS020 */
#define ERRCODE_ISMS_REASON_REQUIRED	ISMS_ERRCODE(21)	/* IS021 */
#define ERRCODE_ISMS_DESIGNATION		ISMS_ERRCODE(24)	/* IS024 */
#define ERRCODE_ISMS_INDEPENDENCE		ISMS_ERRCODE(25)	/* IS025 */
#define ERRCODE_ISMS_TRUNCATE			ISMS_ERRCODE(26)	/* IS026 */
#define ERRCODE_ISMS_SOA				ISMS_ERRCODE(30)	/* IS030 */
#define ERRCODE_ISMS_SNAPSHOT			ISMS_ERRCODE(31)	/* IS031 */
#define ERRCODE_ISMS_RISK_CRITERIA		ISMS_ERRCODE(27)	/* IS027 */
#define ERRCODE_ISMS_RISK_ACCEPTANCE	ISMS_ERRCODE(28)	/* IS028 */
#define ERRCODE_ISMS_REGISTER_RUN		ISMS_ERRCODE(29)	/* IS029 */
#define ERRCODE_ISMS_NOT_A_MEMBER		ISMS_ERRCODE(32)	/* IS032 */
#define ERRCODE_ISMS_UNKNOWN_CONTROL	ISMS_ERRCODE(33)	/* IS033 */
#define ERRCODE_ISMS_INCIDENT			ISMS_ERRCODE(36)	/* IS036 */
#define ERRCODE_ISMS_NC_SOURCE			ISMS_ERRCODE(37)	/* IS037 */
#define ERRCODE_ISMS_NC_LIFECYCLE		ISMS_ERRCODE(38)	/* IS038 */
#define ERRCODE_ISMS_NC_VERIFIER		ISMS_ERRCODE(39)	/* IS039 */
#define ERRCODE_ISMS_RUN_DATES			ISMS_ERRCODE(47)	/* IS047 */
#define ERRCODE_ISMS_REGISTER_REFERENCE	ISMS_ERRCODE(40)	/* IS040 */
#define ERRCODE_ISMS_REVIEW_DATE		ISMS_ERRCODE(41)	/* IS041 */
#define ERRCODE_ISMS_OBJECTIVE			ISMS_ERRCODE(42)	/* IS042 */
#define ERRCODE_ISMS_TRAINING			ISMS_ERRCODE(43)	/* IS043 */

/*
 * Rule switches for the mutation test (test/mutation/run.sh).  Every rule
 * site is marked with a name, SQLSTATE first (IS013_EXPIRED_INPUT): in a
 * condition as RULE_ON(name) or RULE_OFF(name), around a refusal helper as
 * ENGINE_RULE(name, call).  "make ISMS_MUTANT=name" defines
 * ISMS_MUTANT_<name> and so switches exactly that one site off; in every
 * other build RULE_ON is the constant 1 and compiles away.  The test of the
 * macro is preprocessor-only (the IS_ENABLED idiom of Linux's kconfig.h):
 * ISMS_MUTANT_<name> expands to 1 only when it is defined as 1.
 */
#define ISMS_MUTANT_PLACEHOLDER_1 0,
#define ISMS_SECOND_ARG(ignored, val, ...) val
#define ISMS_IS_ONE3(arg1_or_junk) ISMS_SECOND_ARG(arg1_or_junk 1, 0, 0)
#define ISMS_IS_ONE2(val) ISMS_IS_ONE3(ISMS_MUTANT_PLACEHOLDER_##val)
#define ISMS_IS_ONE(x) ISMS_IS_ONE2(x)
#define RULE_OFF(name) ISMS_IS_ONE(ISMS_MUTANT_##name)
#define RULE_ON(name) (!RULE_OFF(name))
#define ENGINE_RULE(name, check) (RULE_ON(name) ? (void) (check) : (void) 0)

/*
 * Benchmark-only builds (bench/run.sh compiles with -DISMS_BENCH_NO_CHECKS)
 * leave out the rule checks that query the database while keeping every
 * write and event, so that the cost of checking can be measured apart from
 * the cost of the audit trail.  Shipped builds never define it.  Like a
 * mutant, but for a group of rules at once; the rules inside keep their
 * own names.
 */
#ifdef ISMS_BENCH_NO_CHECKS
#define ENGINE_CHECK(check) (false ? (void) (check) : (void) 0)	/* compiled, never run */
#else
#define ENGINE_CHECK(check) (check)
#endif

typedef enum InputRequirement
{
	INPUT_REQUIRED, INPUT_OPTIONAL, INPUT_GROUP
} InputRequirement;

typedef enum WorkProductOrigin
{
	ORIGIN_PROCESS, ORIGIN_EXTERNAL, ORIGIN_EITHER
} WorkProductOrigin;

/* A work product as the rules need it. */
typedef struct WorkProduct
{
	int32		work_product_id;
	int64		org_id;			/* 0: part of the PRM */
	char		key[64];
	bool		is_document;
	WorkProductOrigin origin;
	int32		review_months;	/* 0: does not expire */
	int32		retention_months;
	char		approval_designation[64];	/* "": any approver but the author */
	bool		approval_independent;	/* the approver is independent of the audited work */
} WorkProduct;

typedef struct ModelActivity
{
	int32		activity_no;
	bool		optional;
	char	   *name;
} ModelActivity;

typedef struct ModelInput
{
	int32		work_product_id;
	InputRequirement requirement;
	char	   *input_group;	/* NULL unless requirement is INPUT_GROUP */
} ModelInput;

typedef struct ModelActivityInput
{
	int32		activity_no;
	int32		work_product_id;
} ModelActivityInput;

typedef struct ModelOutput
{
	int32		work_product_id;
	bool		required;
	int32		activity_no;	/* 0: the process as a whole */
} ModelOutput;

/*
 * A process as one organisation sees it: the PRM definition plus that
 * organisation's tailoring.
 */
typedef struct ProcessModel
{
	int64		org_id;			/* 0: the PRM's, shared by every organisation without tailoring */
	int32		process_id;
	char	   *code;
	char	   *name;
	int			nactivities;
	ModelActivity *activities;	/* sorted by activity_no */
	int			ninputs;
	ModelInput *inputs;
	int			nactivity_inputs;
	ModelActivityInput *activity_inputs;
	int			noutputs;
	ModelOutput *outputs;
} ProcessModel;

/* model.c, model_cache.c: the per-backend cache of the catalog */
extern const ProcessModel *model_process(int64 org_id, int32 process_id);
extern int32 model_process_id(int64 org_id, const char *code);
extern bool model_excluded(int64 org_id, int32 process_id);
extern const WorkProduct *model_work_product(int64 org_id, int32 work_product_id);
extern int32 model_work_product_id(int64 org_id, const char *key);
extern const ModelActivity *model_activity(const ProcessModel *pm, int32 activity_no);
extern const ModelOutput *model_output(const ProcessModel *pm, int32 work_product_id);
extern bool model_accepts_input(const ProcessModel *pm, int32 work_product_id);
extern const char *model_member_role(Oid role, int64 org_id);
extern void model_register_callbacks(void);

/*
 * lifecycle.c: the one lifecycle mechanism.  The states and transitions of
 * every kind are catalog rows (isms.lifecycle_state, isms.lifecycle_transition);
 * a transition's guards are C functions of the kind, by name.
 */
typedef struct LifecycleTransition LifecycleTransition;

typedef struct LifecycleState
{
	const char *kind;
	const char *name;
	bool		initial;		/* objects of the kind are created in it */
	bool		final;			/* the object is closed */
	List	   *transitions;	/* LifecycleTransitions from it (lifecycle.c) */
} LifecycleState;

/*
 * A row changing state, as the guards of its transition see it.  A kind
 * that gives its guards more embeds this as its first member.
 */
typedef struct LifecycleRow
{
	const LifecycleState *from;
	const LifecycleState *to;
	const char *action;			/* the transition's, set by lifecycle_guard */
	Relation	rel;
	HeapTuple	oldtup;
	HeapTuple	newtup;			/* a guard may set engine-managed columns */
	int64		org_id;
	const char *object;			/* as errors name it: "run 7" */
	char	   *detail;			/* the event's detail (JSON), if a guard sets it */
} LifecycleRow;

typedef void (*LifecycleGuardFn) (LifecycleRow *row);

/* A kind's guards, by name; a table ends with {NULL, NULL}. */
typedef struct LifecycleGuard
{
	const char *name;
	LifecycleGuardFn guard;
} LifecycleGuard;

extern const LifecycleGuard run_guards[];
extern const LifecycleGuard step_guards[];
extern const LifecycleGuard record_guards[];
extern const LifecycleGuard risk_guards[];
extern const LifecycleGuard incident_guards[];
extern const LifecycleGuard nonconformity_guards[];
extern const LifecycleGuard register_guards[];	/* register.c: reason, reviewed */

extern const LifecycleState *lifecycle_state(const char *kind, Datum value);
extern void lifecycle_row(LifecycleRow *row, const char *kind, Relation rel, HeapTuple oldtup,
						  HeapTuple newtup, const char *object);
extern void lifecycle_check(const LifecycleRow *row, const char *hint);
extern const char *lifecycle_guard(LifecycleRow *row);
extern void lifecycle_register_callbacks(void);

/* Is the state the one of this name? */
static inline bool
lifecycle_is(const LifecycleState *state, const char *name)
{
	return strcmp(state->name, name) == 0;
}

/* authority.c: designations (IS024) and independence (IS025) of approvers */
extern bool authority_holds(int64 org_id, const char *designation, Oid role);
extern void authority_require(int64 org_id, const char *designation, const char *what);
extern void authority_require_independent(int64 org_id, int64 run_id, Oid role, const char *app_user,
										  const char *name, const char *object, const char *designation);
/*
 * register.c: the generic register mechanism.  Every table listed in
 * isms.register has isms.register_trigger; it checks what holds for every
 * register (changes in an active run of a maintaining process, no DELETE,
 * fixed keys, owners are members, control codes exist), runs the kind's
 * hook (register_hooks in register.c) and the kind's lifecycle if it has
 * one, and appends the event.
 */
typedef struct RegisterRow
{
	LifecycleRow lc;			/* first: the guards of the kind's lifecycle get it */
	const char *kind;			/* isms.register.kind */
	bool		insert;			/* lc.oldtup is NULL, lc.from NULL */
	bool		has_lifecycle;	/* lc.from and lc.to are set (lc.from only on UPDATE) */
	int64		run_id;
	const char *process;		/* code of the run's process */
	void	   *kind_data;		/* what the kind's hook keeps for its guards */
} RegisterRow;

typedef void (*RegisterHook) (RegisterRow *row);

extern void register_check_owner(int64 org_id, Oid owner, const char *object);
extern void register_check_control(int64 org_id, const char *code, bool own_in_soa, const char *object);
extern void register_register_callbacks(void);
extern Oid	register_of_work_product(const char *work_product);
extern void register_refuse_managed(const RegisterRow *row, const char *const *columns, const char *why,
									const char *hint);
extern void register_guard_closed(LifecycleRow *row);

/* risk.c: the kind hooks of the risk criteria and the risk register */
extern void risk_criteria_hook(RegisterRow *row);
extern void risk_hook(RegisterRow *row);

/* incident.c: the incident register; nonconformity.c: nonconformities and corrective actions */
extern void incident_hook(RegisterRow *row);
extern void nonconformity_hook(RegisterRow *row);
/* objective.c: measurements of objectives; training.c: training completions */
extern void measurement_hook(RegisterRow *row);
extern void training_completion_hook(RegisterRow *row);

/* util.c: actor, internal writes, prepared statements, tuple access */
/* longest user-supplied text an error message echoes (engine_clip) */
#define ENGINE_CLIP_LEN 64

extern Oid	engine_identity(void);
extern char *engine_app_user(void);
extern char *engine_actor(void);
extern const char *engine_clip(const char *text);
extern bool engine_internal_write(void);

/* What engine_begin_internal saved: the caller's identity and GUC level. */
typedef struct EngineSaved
{
	Oid			userid;
	int			sec_context;
	int			guc_level;
} EngineSaved;
extern int	engine_pin_search_path(void);
extern void engine_unpin_search_path(int level);
extern void engine_begin_internal(EngineSaved *saved);
extern void engine_end_internal(const EngineSaved *saved);
extern SPIPlanPtr engine_prepare(SPIPlanPtr *cache, const char *sql, int nargs, const Oid *argtypes);
extern int	engine_exec(SPIPlanPtr plan, Datum *values, const char *nulls, bool internal, long count);
extern char *engine_select_text(SPIPlanPtr *plan, const char *sql, int nargs, const Oid *argtypes,
								Datum *values, const char *what);
extern Datum engine_get(HeapTuple tuple, TupleDesc desc, const char *column, bool *isnull);
extern int64 engine_get_int64(HeapTuple tuple, TupleDesc desc, const char *column);
extern char *engine_get_text(HeapTuple tuple, TupleDesc desc, const char *column);
extern int	engine_column(TupleDesc desc, const char *column);
extern bool engine_column_changed(HeapTuple oldtup, HeapTuple newtup, TupleDesc desc, const char *column);
extern HeapTuple engine_set_columns(Relation rel, HeapTuple tuple, int n, const char **columns,
									Datum *values, bool *nulls);
extern int64 engine_row_org(HeapTuple tuple, TupleDesc desc);
extern void engine_check_trigger(FunctionCallInfo fcinfo, const char *name, bool before, bool row);
extern void engine_require_visible_org(int64 org_id);
extern char *engine_list_text(List *items);
extern char *engine_json(int npairs,...);
extern Datum engine_date_plus_months(int64 org_id, int months);
extern char *engine_require_reason(HeapTuple tuple, TupleDesc desc, const char *column,
								   const char *object, const char *action, const char *hint);
extern void engine_refuse_change(HeapTuple oldtup, HeapTuple newtup, TupleDesc desc,
								 const char *const *columns, int sqlstate, const char *object,
								 const char *why, const char *hint);

/* import.c: business time and the audited history import */
extern TimestampTz engine_business_time(int64 org_id);
extern DateADT engine_business_date(int64 org_id);
extern TimestampTz event_business_time(int64 org_id, int64 *import_batch);

/* event.c: the hash-chained audit trail; verify.c checks it */
extern void event_append(int64 org_id, const char *object_type, int64 object_id,
						 const char *action, const char *old_state, const char *new_state,
						 const char *detail_json);
extern void event_hash(const uint8 *prev_hash, int prev_len, int64 org_id, int64 event_no,
					   TimestampTz occurred_at, TimestampTz business_at, int64 import_batch, const char *actor, const char *object_type,
					   const char *object_id, const char *action, const char *old_state,
					   const char *new_state, const char *detail, uint8 *result);
extern void event_org_not_found(int64 org_id) pg_attribute_noreturn();

/*
 * snapshot.c: a register's work product is recorded as a snapshot of the
 * register; soa.c: the Statement of Applicability, its register hook and
 * approval guard.  Both hold guards of kind "record" (listed in
 * record_guards).
 */
extern Oid	snapshot_register(const WorkProduct *wp);
extern void snapshot_guard_submission(LifecycleRow *row);
extern char *snapshot_verify(int64 org_id);
extern void soa_hook(RegisterRow *row);
extern void soa_guard_approval(LifecycleRow *row);

/*
 * event_write.c: the physical writes of a flush (direct heap and index
 * writes; through SQL where the tables are distributed by Citus)
 */
typedef struct EventWriter EventWriter;

/* An organisation's chain head, as a flush locks and advances it. */
typedef struct EventHead
{
	int64		org_id;
	int64		last_no;
	uint8		hash[32];		/* SHA-256 */
	int			hash_len;		/* 0: no event yet */
	TimestampTz at;				/* the time stamped on the events chained now */
	ItemPointerData tid;		/* the locked version of the head's row (direct writes) */
	bool		notify;			/* the organisation's notify_events */
} EventHead;
extern bool event_head_exists(int64 org_id);
extern EventWriter *event_writer_open(void);
extern bool event_writer_lock(EventWriter *w, EventHead *head);
extern TupleDesc event_writer_desc(EventWriter *w);
extern void event_writer_insert(EventWriter *w, Datum *values, bool *nulls);
extern void event_writer_advance(EventWriter *w, EventHead *head);
extern void event_writer_close(EventWriter *w);

/* record_hash.c: the canonical content hash of a record row (hex SHA-256) */
extern char *record_content_hash(HeapTuple tuple, TupleDesc desc, bool approved);

/* rules.c: what a run still needs, shared by the triggers and isms.run_blockers */
typedef struct Blocker
{
	const char *kind;			/* 'input', 'step', 'output', 'state', ... */
	char	   *item;			/* work-product key or step number */
	char	   *detail;
} Blocker;
extern List *rules_start_blockers(int64 org_id, int64 run_id, const ProcessModel *pm, bool lock);
extern List *rules_complete_blockers(int64 org_id, int64 run_id, const ProcessModel *pm, bool lock);
extern List *rules_activity_blockers(int64 org_id, int64 run_id, const ProcessModel *pm, int32 activity_no);
extern List *rules_skipped_activities(int64 org_id, int64 run_id);

/* distribute.c: a database spread over a Citus cluster (isms.distribute) */
extern bool distribute_active(void);
extern int64 distribute_organization_open(Datum name, bool name_isnull);
extern Oid	distribute_logical_relid(Relation rel);
extern const char *distribute_relation_name(Relation rel);
extern Datum distribute_row_datum(Relation rel, HeapTuple tuple, Oid *typid);
extern void distribute_send_actor(void);
extern bool distribute_delegates(void);
extern int64 distribute_call(const char *sql);
extern void distribute_register_hooks(void);

#endif							/* ISMS_ENGINE_H */
