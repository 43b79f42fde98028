/*-------------------------------------------------------------------------
 *
 * incident.c
 *	  Rules of the incident register (ISO/IEC 27001 A.5.24-A.5.28, process
 *	  7.9): what the engine records when an incident is reported, the
 *	  notification deadlines it derives, and the guards of the incident
 *	  lifecycle.
 *
 * isms.incident is a register (see register.c) created outside runs: any
 * member reports an incident with run_id NULL, and every later change is
 * made in a run of 7.9.  incident_hook keeps the columns only the engine
 * sets (IS020), records who reported it and when, checks that it was not
 * detected after it was reported and that personal data means GDPR
 * (IS036), and derives the deadlines from the detection time and the
 * notification regime: GDPR 72 hours (Art. 33), NIS2 early warning 24 hours
 * and notification 72 hours (Art. 23).  The transitions of kind "incident"
 * name the guards in incident_guards: triage decides whether it is an
 * incident and, if so, its severity and regime; only a real incident is
 * contained, resolved and closed, and it closes only with lessons learned
 * or a corrective action (isms.nonconformity) linked to it; "not an
 * incident" is closed with a reason (IS021).  Every other refusal is IS036.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "engine.h"

static SPIPlanPtr plan_action = NULL;

/* Columns the engine sets on incidents. */
static const char *const incident_managed_columns[] = {
	"reported_at", "reported_by", "early_warning_due", "notification_due", "closed_at", NULL
};

/* Hours from detection to the NIS2 early warning and to the notification. */
#define INCIDENT_EARLY_WARNING_HOURS 24
#define INCIDENT_NOTIFICATION_HOURS 72

/* A boolean column: 1 true, 0 false, -1 NULL. */
static int
incident_flag(HeapTuple tuple, TupleDesc desc, const char *column)
{
	bool		isnull;
	Datum		d = engine_get(tuple, desc, column, &isnull);

	return isnull ? -1 : DatumGetBool(d) ? 1 : 0;
}

/* Is the text column NULL or blank? */
static bool
incident_blank(HeapTuple tuple, TupleDesc desc, const char *column)
{
	char	   *value = engine_get_text(tuple, desc, column);

	return value == NULL || value[strspn(value, " \t\r\n")] == '\0';
}

/* On INSERT: who reported it and when; detected then, unless told. */
static void
incident_set_reported(RegisterRow *row)
{
	TupleDesc	desc = RelationGetDescr(row->lc.rel);
	const char *cols[3] = {"reported_at", "reported_by", "detected_at"};
	Datum		now = TimestampTzGetDatum(engine_business_time(row->lc.org_id));
	Datum		vals[3] = {now, ObjectIdGetDatum(engine_identity()), now};
	bool		nulls[3] = {false, false, false};
	bool		isnull;

	engine_get(row->lc.newtup, desc, "detected_at", &isnull);
	row->lc.newtup = engine_set_columns(row->lc.rel, row->lc.newtup, isnull ? 3 : 2, cols, vals, nulls);
}

/* IS036: an incident is not detected after it was reported. */
static void
incident_check_detected(const RegisterRow *row)
{
	TupleDesc	desc = RelationGetDescr(row->lc.rel);
	bool		nodetected;
	bool		noreported;
	TimestampTz detected = DatumGetTimestampTz(engine_get(row->lc.newtup, desc, "detected_at", &nodetected));
	TimestampTz reported = DatumGetTimestampTz(engine_get(row->lc.newtup, desc, "reported_at", &noreported));

	if (RULE_ON(IS036_INCIDENT_DETECTED) && !nodetected && !noreported && detected > reported)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_INCIDENT),
				 errmsg("%s: detected_at is after the time of the report", row->lc.object),
				 errdetail("The notification deadlines run from when the organization became aware of the incident, which is no later than its report."),
				 errhint("Give the time the event was detected, or leave detected_at out to use the time of the report.")));
}

/*
 * IS036: a real incident involving personal data is a personal data
 * breach: its regime names GDPR.
 */
static void
incident_check_personal_data(const RegisterRow *row)
{
	TupleDesc	desc = RelationGetDescr(row->lc.rel);
	char	   *regime = engine_get_text(row->lc.newtup, desc, "notification_regime");

	if (RULE_ON(IS036_INCIDENT_PERSONAL_DATA) && incident_flag(row->lc.newtup, desc, "is_incident") == 1 &&
		incident_flag(row->lc.newtup, desc, "personal_data") == 1 && regime != NULL &&
		strncmp(regime, "gdpr", 4) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_INCIDENT),
				 errmsg("%s involves personal data but its notification regime is %s", row->lc.object, regime),
				 errdetail("An incident involving personal data is a personal data breach: the supervisory authority is notified within 72 hours of awareness (GDPR Art. 33)."),
				 errhint("Set notification_regime to gdpr or gdpr_nis2, or personal_data to false if no personal data is involved.")));
}

/* A deadline hours after detection, or NULL (*isnull) if the regime has none. */
static Datum
incident_deadline(TimestampTz detected, bool nodetected, bool applies, int hours, bool *isnull)
{
	*isnull = nodetected || !applies;
	return *isnull ? (Datum) 0 : TimestampTzGetDatum(detected + (TimestampTz) hours * USECS_PER_HOUR);
}

/* The deadlines that follow from the regime and the detection time. */
static void
incident_derive_deadlines(RegisterRow *row)
{
	TupleDesc	desc = RelationGetDescr(row->lc.rel);
	char	   *regime = engine_get_text(row->lc.newtup, desc, "notification_regime");
	bool		nodetected;
	TimestampTz detected = DatumGetTimestampTz(engine_get(row->lc.newtup, desc, "detected_at", &nodetected));
	bool		nis2 = regime != NULL && strstr(regime, "nis2") != NULL;
	bool		notify = regime != NULL && strcmp(regime, "none") != 0;
	const char *cols[2] = {"early_warning_due", "notification_due"};
	Datum		vals[2];
	bool		nulls[2];

	vals[0] = incident_deadline(detected, nodetected, nis2, INCIDENT_EARLY_WARNING_HOURS, &nulls[0]);
	vals[1] = incident_deadline(detected, nodetected, notify, INCIDENT_NOTIFICATION_HOURS, &nulls[1]);
	row->lc.newtup = engine_set_columns(row->lc.rel, row->lc.newtup, 2, cols, vals, nulls);
}

/*
 * The hook of register incident: the engine's columns (IS020), the report,
 * the detection time and personal data (IS036), and the deadlines.
 */
void
incident_hook(RegisterRow *row)
{
	ENGINE_RULE(IS020_INCIDENT_MANAGED,
				register_refuse_managed(row, incident_managed_columns,
										"The engine records the report, derives the notification deadlines and records the closing.",
										"Set detected_at and notification_regime; the deadlines follow."));
	if (row->insert)
		incident_set_reported(row);
	incident_check_detected(row);
	incident_check_personal_data(row);
	incident_derive_deadlines(row);
}

/*
 * Guard triage: the verdict is given; a real incident has a severity and a
 * notification regime (IS036).  The event carries the decision.
 */
static void
incident_guard_triage(LifecycleRow *row)
{
	TupleDesc	desc = RelationGetDescr(row->rel);
	int			verdict = incident_flag(row->newtup, desc, "is_incident");
	char	   *severity = engine_get_text(row->newtup, desc, "severity");
	char	   *regime = engine_get_text(row->newtup, desc, "notification_regime");

	if (RULE_ON(IS036_TRIAGE_VERDICT) && verdict == -1)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_INCIDENT),
				 errmsg("%s cannot be triaged without a verdict", row->object),
				 errdetail("Triage decides whether the event is an information security incident (A.5.25): is_incident is true or false."),
				 errhint("Triage it with isms.triage_incident(run, incident, severity, regime), or close it as not an incident with isms.dismiss_incident(run, incident, reason).")));
	if (RULE_ON(IS036_TRIAGE_DECISION) && verdict == 1 && (severity == NULL || regime == NULL))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_INCIDENT),
				 errmsg("%s cannot be triaged as an incident: its %s not set", row->object,
						severity == NULL && regime == NULL ? "severity and notification regime are" :
						severity == NULL ? "severity is" : "notification regime is"),
				 errdetail("An incident is triaged with its severity and the notification regime that decides its deadlines."),
				 errhint("Pass both: isms.triage_incident(run, incident, severity, regime).")));
	row->detail = engine_json(4, "is_incident", verdict == 1 ? "true" : "false", "severity", severity,
							  "notification_regime", regime,
							  "notification_due", engine_get_text(row->newtup, desc, "notification_due"));
}

/* Guard real: only an incident triaged as one is contained, resolved and closed (IS036). */
static void
incident_guard_real(LifecycleRow *row)
{
	if (RULE_ON(IS036_INCIDENT_REAL) && incident_flag(row->newtup, RelationGetDescr(row->rel), "is_incident") != 1)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_INCIDENT),
				 errmsg("%s cannot be %s: triage found it is not an incident", row->object, row->to->name),
				 errdetail("Containment, resolution and closing with lessons learned are for information security incidents."),
				 errhint("Close it as not an incident with isms.dismiss_incident(run, incident, reason).")));
}

/* Is a corrective action (a nonconformity of source incident) linked to the incident? */
static bool
incident_has_action(LifecycleRow *row)
{
	Oid			argtypes[2] = {INT8OID, INT8OID};
	Datum		values[2];

	values[0] = Int64GetDatum(row->org_id);
	values[1] = Int64GetDatum(engine_get_int64(row->newtup, RelationGetDescr(row->rel), "incident_id"));
	engine_prepare(&plan_action,
				   "SELECT 1 FROM isms.nonconformity n WHERE n.org_id OPERATOR(pg_catalog.=) $1 "
				   "AND n.incident_id OPERATOR(pg_catalog.=) $2 LIMIT 1", 2, argtypes);
	if (engine_exec(plan_action, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read isms.nonconformity");
	return SPI_processed == 1;
}

/* Guard lessons: a real incident closes with lessons learned or a linked corrective action (IS036). */
static void
incident_guard_lessons(LifecycleRow *row)
{
	bool		lessons = !incident_blank(row->newtup, RelationGetDescr(row->rel), "lessons_learned");
	bool		action = !lessons && incident_has_action(row);

	if (RULE_ON(IS036_INCIDENT_LESSONS) && !lessons && !action)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_INCIDENT),
				 errmsg("%s cannot be closed without lessons learned or a corrective action", row->object),
				 errdetail("What is learned from an incident is used to strengthen the controls (A.5.27)."),
				 errhint("Close it with isms.close_incident(run, incident, lessons_learned), or raise a nonconformity of source incident for it in a run of 7.13.")));
	row->detail = engine_json(2, "lessons_learned", lessons ? "true" : "false",
							  "corrective_action", action ? "true" : "false");
}

/*
 * Guard dismissal: only what triage found is not an incident is closed as
 * such (IS036), with a reason (IS021); the event carries it.
 */
static void
incident_guard_dismissal(LifecycleRow *row)
{
	char	   *reason;

	if (RULE_ON(IS036_DISMISS_REAL) && incident_flag(row->newtup, RelationGetDescr(row->rel), "is_incident") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_INCIDENT),
				 errmsg("%s is an incident and cannot be closed as not one", row->object),
				 errdetail("Triage found it is an information security incident: it is contained, resolved and closed with lessons learned."),
				 errhint("Contain it: isms.set_incident_state(run, incident, 'contained').")));
	reason = RULE_OFF(IS021_INCIDENT_REASON) ? NULL :
		engine_require_reason(row->newtup, RelationGetDescr(row->rel), "state_reason", row->object,
							  "close it as not an incident", "Pass a reason: isms.dismiss_incident(run, incident, 'why').");
	row->detail = engine_json(1, "reason", reason);
}

const LifecycleGuard incident_guards[] = {
	{"triage", incident_guard_triage},
	{"real", incident_guard_real},
	{"lessons", incident_guard_lessons},
	{"dismissal", incident_guard_dismissal},
	{"closed", register_guard_closed},
	{NULL, NULL}
};
