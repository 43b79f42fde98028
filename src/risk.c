/*-------------------------------------------------------------------------
 *
 * risk.c
 *	  Rules of the risk criteria and of the risk register (ISO/IEC 27001
 *	  6.1.2, 6.1.3): scales, levels derived by the engine, the risk
 *	  lifecycle's guards, and acceptance by the risk owner alone.
 *
 * Both are registers (see register.c): isms.register_trigger checks the
 * run, the key, the owner and the control codes, then calls the kind's hook
 * here.  risk_criteria_hook validates an organisation's criteria (labels,
 * the level matrix, the threshold) and refuses scales that open risks
 * already exceed.  risk_hook checks a risk's values against the criteria in
 * force, derives level and residual_level from them and keeps the columns
 * only the engine sets; the transitions of kind "risk" name the guards in
 * risk_guards.  Every refusal about values is IS027, about acceptance
 * IS028.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "engine.h"

static SPIPlanPtr plan_criteria = NULL;
static SPIPlanPtr plan_in_use = NULL;

/* An organisation's risk criteria, as the rules use them. */
typedef struct RiskCriteria
{
	int			nl;				/* likelihood levels 1..nl */
	int			ni;				/* impact levels 1..ni */
	int16	   *levels;			/* level of (l, i) at (l - 1) * ni + (i - 1) */
	int			threshold;
	int			minlevel;
	int			maxlevel;
	char	   *likelihood_labels;	/* for messages */
	char	   *impact_labels;
} RiskCriteria;

/* What risk_hook keeps for the guards of the transition. */
typedef struct RiskData
{
	bool		have_criteria;
	RiskCriteria crit;
} RiskData;

/* Columns the engine sets on risks. */
static const char *const risk_managed_columns[] = {"level", "residual_level", "accepted_by", "accepted_at", NULL};

/* What an accepted risk's owner accepted: changed only after reassessment. */
static const char *const risk_assessed_columns[] = {
	"likelihood", "impact", "treatment", "controls", "residual_likelihood", "residual_impact", "owner", NULL
};

/* A smallint column, or 0 if NULL. */
static int
risk_int(HeapTuple tuple, TupleDesc desc, const char *column)
{
	return (int) engine_get_int64(tuple, desc, column);
}

/* A smallint column that may be NULL (*isnull), as an int. */
static int
risk_value(HeapTuple tuple, TupleDesc desc, const char *column, bool *isnull)
{
	Datum		d = engine_get(tuple, desc, column, isnull);

	return *isnull ? 0 : (int) DatumGetInt16(d);
}

/* The level of (likelihood, impact) by the criteria; 0 if either is unset or off the scales. */
static int
risk_level(const RiskCriteria *c, int likelihood, int impact)
{
	if (likelihood < 1 || likelihood > c->nl || impact < 1 || impact > c->ni)
		return 0;
	return c->levels[(likelihood - 1) * c->ni + (impact - 1)];
}

/*
 * IS027: a scale's labels are non-blank and distinct.  Returns the number
 * of levels and the labels joined, for messages.
 */
static int
criteria_labels(HeapTuple tuple, TupleDesc desc, const char *column, const char *object, char **joined)
{
	bool		isnull;
	Datum		d = engine_get(tuple, desc, column, &isnull);
	Datum	   *labels;
	bool	   *nulls;
	int			n;
	int			i;
	int			j;
	StringInfoData buf;

	initStringInfo(&buf);
	*joined = buf.data;
	if (isnull)
		return 0;				/* NOT NULL refuses it */
	deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT, &labels, &nulls, &n);
	for (i = 0; i < n; i++)
	{
		char	   *label = nulls[i] ? NULL : TextDatumGetCString(labels[i]);

		if (RULE_ON(IS027_CRITERIA_LABELS) && (label == NULL || label[strspn(label, " \t\r\n")] == '\0'))
			ereport(ERROR,
					(errcode(ERRCODE_ISMS_RISK_CRITERIA),
					 errmsg("%s: level %d of %s has no label", object, i + 1, column),
					 errdetail("Every level of a scale has a label that says what it means."),
					 errhint("Give each level a non-blank label, lowest first, e.g. '{rare,possible,likely}'.")));
		for (j = 0; label && j < i; j++)
			if (RULE_ON(IS027_CRITERIA_DISTINCT) && !nulls[j] && strcmp(TextDatumGetCString(labels[j]), label) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_ISMS_RISK_CRITERIA),
						 errmsg("%s: levels %d and %d of %s have the same label \"%s\"", object, j + 1, i + 1, column,
								engine_clip(label)),
						 errdetail("The levels of a scale are told apart by their labels."),
						 errhint("Give each level a label of its own.")));
		appendStringInfo(&buf, "%s%d %s", i ? ", " : "", i + 1, label ? engine_clip(label) : "?");
	}
	*joined = buf.data;
	return n;
}

/* Product levels: likelihood times impact. */
static void
criteria_product(RiskCriteria *c)
{
	int			l;
	int			i;

	for (l = 1; l <= c->nl; l++)
		for (i = 1; i <= c->ni; i++)
			c->levels[(l - 1) * c->ni + (i - 1)] = (int16) (l * i);
}

/*
 * IS027: an explicit matrix has exactly nl rows (likelihood) and ni columns
 * (impact), every level at least 1, not decreasing along either axis.
 */
static void
criteria_matrix(RiskCriteria *c, Datum matrix, const char *object)
{
	ArrayType  *a = DatumGetArrayTypeP(matrix);
	Datum	   *cells;
	bool	   *nulls;
	int			n;
	int			l;
	int			i;

	deconstruct_array(a, INT2OID, sizeof(int16), true, TYPALIGN_SHORT, &cells, &nulls, &n);
	if (RULE_ON(IS027_CRITERIA_MATRIX_SHAPE) &&
		(ARR_NDIM(a) != 2 || ARR_DIMS(a)[0] != c->nl || ARR_DIMS(a)[1] != c->ni))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_RISK_CRITERIA),
				 errmsg("%s: the level matrix must have %d rows and %d columns", object, c->nl, c->ni),
				 errdetail("One row per likelihood level, one column per impact level; it has %d dimension%s with %d cell%s.",
						   ARR_NDIM(a), ARR_NDIM(a) == 1 ? "" : "s", n, n == 1 ? "" : "s"),
				 errhint("Pass a two-dimensional array such as '{{1,2,3},{2,3,4},{3,4,5}}'.")));
	if (n != c->nl * c->ni)
	{
		criteria_product(c);	/* only a mutant gets here */
		return;
	}
	for (l = 1; l <= c->nl; l++)
		for (i = 1; i <= c->ni; i++)
		{
			int			k = (l - 1) * c->ni + (i - 1);
			int			v = nulls[k] ? 0 : DatumGetInt16(cells[k]);

			c->levels[k] = (int16) v;
			if (RULE_ON(IS027_CRITERIA_MATRIX_VALUES) &&
				(v < 1 || (l > 1 && v < c->levels[k - c->ni]) || (i > 1 && v < c->levels[k - 1])))
				ereport(ERROR,
						(errcode(ERRCODE_ISMS_RISK_CRITERIA),
						 errmsg("%s: level matrix cell [%d][%d] is %s", object, l, i,
								nulls[k] ? "NULL" : psprintf("%d", v)),
						 errdetail("Levels are at least 1 and do not decrease as likelihood or impact grows."),
						 errhint("Make every row and every column non-decreasing, starting at 1 or more.")));
		}
}

/* The lowest and highest level of the criteria. */
static void
criteria_range(RiskCriteria *c)
{
	int			k;

	c->minlevel = PG_INT16_MAX;
	c->maxlevel = 0;
	for (k = 0; k < c->nl * c->ni; k++)
	{
		c->minlevel = Min(c->minlevel, c->levels[k]);
		c->maxlevel = Max(c->maxlevel, c->levels[k]);
	}
}

/* Read criteria from a row of isms.risk_criteria; validate (IS027) if asked. */
static void
criteria_from_row(RiskCriteria *c, HeapTuple tuple, TupleDesc desc, const char *object)
{
	bool		isnull;
	Datum		matrix;
	char	   *rule;

	c->nl = criteria_labels(tuple, desc, "likelihood_levels", object, &c->likelihood_labels);
	c->ni = criteria_labels(tuple, desc, "impact_levels", object, &c->impact_labels);
	c->levels = palloc0(sizeof(int16) * Max(c->nl * c->ni, 1));
	rule = engine_get_text(tuple, desc, "level_rule");
	matrix = engine_get(tuple, desc, "level_matrix", &isnull);
	if (rule && strcmp(rule, "matrix") == 0 && !isnull)
		criteria_matrix(c, matrix, object);
	else
		criteria_product(c);
	criteria_range(c);
	c->threshold = risk_int(tuple, desc, "acceptance_threshold");
}

/*
 * IS027: no open risk of the organisation has a value outside the new
 * scales (closed risks keep the values they were closed with).
 */
static void
criteria_check_in_use(int64 org_id, const RiskCriteria *c, const char *object)
{
	Oid			argtypes[3] = {INT8OID, INT4OID, INT4OID};
	Datum		values[3] = {Int64GetDatum(org_id), Int32GetDatum(c->nl), Int32GetDatum(c->ni)};
	char	   *risks;

	engine_prepare(&plan_in_use,
				   "SELECT pg_catalog.string_agg(s.risk_id::pg_catalog.text, ', ' ORDER BY s.risk_id) FROM ("
				   "SELECT r.risk_id FROM isms.risk r JOIN isms.lifecycle_state st "
				   "ON st.kind OPERATOR(pg_catalog.=) 'risk' AND st.state OPERATOR(pg_catalog.=) r.state::pg_catalog.text "
				   "WHERE r.org_id OPERATOR(pg_catalog.=) $1 AND NOT st.final "
				   "AND (r.likelihood OPERATOR(pg_catalog.>) $2 OR r.residual_likelihood OPERATOR(pg_catalog.>) $2 "
				   "OR r.impact OPERATOR(pg_catalog.>) $3 OR r.residual_impact OPERATOR(pg_catalog.>) $3) "
				   "ORDER BY r.risk_id LIMIT 10) s", 3, argtypes);
	if (engine_exec(plan_in_use, values, NULL, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read the risks of organization " INT64_FORMAT, org_id);
	risks = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	if (risks != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_RISK_CRITERIA),
				 errmsg("%s: open risks use levels outside the new scales", object),
				 errdetail("The new scales have %d likelihood and %d impact levels; risk %s use%s more.",
						   c->nl, c->ni, risks, strchr(risks, ',') ? "" : "s"),
				 errhint("Reassess or close those risks first, or keep enough levels.")));
}

/*
 * The hook of register risk_criteria: labels non-blank and distinct, a
 * matrix of the scales' shape, levels at least 1 and monotone, the
 * threshold one of the possible levels, and no open risk outside the
 * scales (IS027).
 */
void
risk_criteria_hook(RegisterRow *row)
{
	TupleDesc	desc = RelationGetDescr(row->lc.rel);
	RiskCriteria c;

	criteria_from_row(&c, row->lc.newtup, desc, row->lc.object);
	if (RULE_ON(IS027_CRITERIA_THRESHOLD) && c.nl > 0 && c.ni > 0 &&
		(c.threshold < c.minlevel || c.threshold > c.maxlevel))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_RISK_CRITERIA),
				 errmsg("%s: acceptance threshold %d is not a possible level", row->lc.object, c.threshold),
				 errdetail("The levels of these criteria range from %d to %d.", c.minlevel, c.maxlevel),
				 errhint("Set acceptance_threshold to the highest level a risk may have and be retained without treatment.")));
	ENGINE_RULE(IS027_CRITERIA_IN_USE, criteria_check_in_use(row->lc.org_id, &c, row->lc.object));
}

/*
 * The organisation's criteria in force, locked FOR SHARE so that they
 * cannot change until the risk's change commits; false if it has none.
 */
static bool
risk_load_criteria(int64 org_id, RiskCriteria *c)
{
	Oid			argtypes[1] = {INT8OID};
	Datum		values[1] = {Int64GetDatum(org_id)};
	HeapTuple	tuple;

	engine_prepare(&plan_criteria,
				   "SELECT c.* FROM isms.risk_criteria c WHERE c.org_id OPERATOR(pg_catalog.=) $1 FOR SHARE",
				   1, argtypes);
	if (engine_exec(plan_criteria, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the risk criteria of organization " INT64_FORMAT, org_id);
	if (SPI_processed != 1)
		return false;
	tuple = SPI_tuptable->vals[0];
	criteria_from_row(c, tuple, SPI_tuptable->tupdesc, "risk criteria");
	return true;
}

/* The criteria for a guard: the hook's, or read now. */
static const RiskCriteria *
risk_criteria(LifecycleRow *row)
{
	RiskData   *rd = (RiskData *) ((RegisterRow *) row)->kind_data;

	if (rd == NULL)
		rd = ((RegisterRow *) row)->kind_data = palloc0(sizeof(RiskData));
	if (!rd->have_criteria)
		rd->have_criteria = risk_load_criteria(row->org_id, &rd->crit);
	return rd->have_criteria ? &rd->crit : NULL;
}

/* IS027: a value (unless NULL) on a scale of 1..n. */
static void
risk_check_scale(const RegisterRow *row, const char *column, int value, bool isnull, int n, const char *axis,
				 const char *labels)
{
	if (!isnull && (value < 1 || value > n))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_RISK_CRITERIA),
				 errmsg("%s: %s %d is outside the organization's scale", row->lc.object, column, value),
				 errdetail("The %s scale of organization " INT64_FORMAT " has levels 1 to %d: %s.", axis,
						   row->lc.org_id, n, labels),
				 errhint("Pick a level of the scale (see isms.risk_criteria).")));
}

/* IS027: likelihood, impact and their residual values on the organisation's scales. */
static void
risk_check_scales(const RegisterRow *row, const RiskCriteria *c, const int *v, const bool *nulls)
{
	risk_check_scale(row, "likelihood", v[0], nulls[0], c->nl, "likelihood", c->likelihood_labels);
	risk_check_scale(row, "impact", v[1], nulls[1], c->ni, "impact", c->impact_labels);
	risk_check_scale(row, "residual_likelihood", v[2], nulls[2], c->nl, "likelihood", c->likelihood_labels);
	risk_check_scale(row, "residual_impact", v[3], nulls[3], c->ni, "impact", c->impact_labels);
}

/* IS020: the engine's columns are not set by an INSERT or changed by an UPDATE. */
static void
risk_refuse_managed(const RegisterRow *row)
{
	register_refuse_managed(row, risk_managed_columns,
							"Levels are derived from the organization's risk criteria; acceptance is recorded when the owner accepts.",
							"Set likelihood and impact; accept with isms.accept_risk(run, risk).");
}

/* Set the levels derived from the values, and clear an acceptance left behind. */
static void
risk_derive(RegisterRow *row, const RiskCriteria *c, const int *v)
{
	const char *cols[4] = {"level", "residual_level", "accepted_by", "accepted_at"};
	Datum		vals[4] = {0, 0, 0, 0};
	bool		nulls[4] = {true, true, true, true};
	int			n = 2;
	int			level = c ? risk_level(c, v[0], v[1]) : 0;
	int			residual = c ? risk_level(c, v[2], v[3]) : 0;

	vals[0] = Int16GetDatum((int16) level);
	nulls[0] = level == 0;
	vals[1] = Int16GetDatum((int16) residual);
	nulls[1] = residual == 0;
	/* reassessing an accepted risk withdraws the acceptance */
	if (!row->insert && row->has_lifecycle && lifecycle_is(row->lc.from, "accepted") &&
		row->lc.to != row->lc.from && !row->lc.to->final)
		n = 4;
	row->lc.newtup = engine_set_columns(row->lc.rel, row->lc.newtup, n, cols, vals, nulls);
}

/*
 * The hook of register risk: the engine's columns, an accepted risk frozen
 * until reassessed, values on the scales of the criteria in force (IS027),
 * and the derived levels.
 */
void
risk_hook(RegisterRow *row)
{
	TupleDesc	desc = RelationGetDescr(row->lc.rel);
	RiskData   *rd = palloc0(sizeof(RiskData));
	int			v[4];
	bool		nulls[4];

	row->kind_data = rd;
	if (!engine_internal_write())
		ENGINE_RULE(IS020_RISK_MANAGED, risk_refuse_managed(row));
	if (RULE_ON(IS009_RISK_ACCEPTED) && !row->insert && row->lc.from == row->lc.to && lifecycle_is(row->lc.from, "accepted"))
		engine_refuse_change(row->lc.oldtup, row->lc.newtup, desc, risk_assessed_columns, ERRCODE_ISMS_IMMUTABLE,
							 row->lc.object, "An accepted risk stays as its owner accepted it.",
							 "Reassess it first with isms.reassess_risk(run, risk, reason).");
	v[0] = risk_value(row->lc.newtup, desc, "likelihood", &nulls[0]);
	v[1] = risk_value(row->lc.newtup, desc, "impact", &nulls[1]);
	v[2] = risk_value(row->lc.newtup, desc, "residual_likelihood", &nulls[2]);
	v[3] = risk_value(row->lc.newtup, desc, "residual_impact", &nulls[3]);
	if (!nulls[0] || !nulls[1] || !nulls[2] || !nulls[3])
	{
		rd->have_criteria = risk_load_criteria(row->lc.org_id, &rd->crit);
		if (RULE_ON(IS027_RISK_NO_CRITERIA) && !rd->have_criteria)
			ereport(ERROR,
					(errcode(ERRCODE_ISMS_RISK_CRITERIA),
					 errmsg("%s: organization " INT64_FORMAT " has no risk criteria", row->lc.object, row->lc.org_id),
					 errdetail("Likelihood and impact are levels of the organization's scales (ISO/IEC 27001 6.1.2 a)."),
					 errhint("Define the criteria first with isms.set_risk_criteria(run, likelihood_levels, impact_levels, acceptance_threshold) in an active run of process 6.2 or 7.4.")));
		if (rd->have_criteria)
			ENGINE_RULE(IS027_RISK_SCALE, risk_check_scales(row, &rd->crit, v, nulls));
	}
	risk_derive(row, rd->have_criteria ? &rd->crit : NULL, v);
}

/* Guard analysis: likelihood and impact are set, so the level is known (IS027). */
static void
risk_guard_analysis(LifecycleRow *row)
{
	TupleDesc	desc = RelationGetDescr(row->rel);
	bool		nol;
	bool		noi;

	engine_get(row->newtup, desc, "likelihood", &nol);
	engine_get(row->newtup, desc, "impact", &noi);
	if (RULE_ON(IS027_RISK_ANALYSIS) && (nol || noi))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_RISK_CRITERIA),
				 errmsg("%s cannot be %s: its %s not set", row->object, row->to->name,
						nol && noi ? "likelihood and impact are" : nol ? "likelihood is" : "impact is"),
				 errdetail("A risk is analysed by rating its likelihood and impact on the organization's scales."),
				 errhint("Rate it with isms.assess_risk(run, risk, likelihood, impact).")));
}

/* Guard evaluation: the event carries the level, the threshold and the verdict. */
static void
risk_guard_evaluation(LifecycleRow *row)
{
	const RiskCriteria *c = risk_criteria(row);
	int			level = risk_int(row->newtup, RelationGetDescr(row->rel), "level");

	if (c == NULL)
		return;					/* the analysis guard refuses it */
	row->detail = engine_json(3, "level", psprintf("%d", level), "threshold", psprintf("%d", c->threshold),
							  "within_appetite", level <= c->threshold ? "true" : "false");
}

/* Retaining a risk does not change it: the residual values are the inherent ones. */
static void
risk_retain_residual(LifecycleRow *row)
{
	TupleDesc	desc = RelationGetDescr(row->rel);
	const char *cols[3] = {"residual_likelihood", "residual_impact", "residual_level"};
	Datum		vals[3];
	bool		nulls[3];
	const char *from[3] = {"likelihood", "impact", "level"};
	bool		isnull;
	int			i;

	engine_get(row->newtup, desc, "residual_likelihood", &isnull);
	if (!isnull)
		return;
	engine_get(row->newtup, desc, "residual_impact", &isnull);
	if (!isnull)
		return;
	for (i = 0; i < 3; i++)
		vals[i] = engine_get(row->newtup, desc, from[i], &nulls[i]);
	row->newtup = engine_set_columns(row->rel, row->newtup, 3, cols, vals, nulls);
}

/*
 * Guard treatment: a treatment option and the residual values (IS027),
 * treating controls for modify and share (IS027), a residual level not
 * above the inherent one (IS027), and retention above the acceptance
 * threshold only by the risk owner (IS028).  The event carries the plan.
 */
static void
risk_guard_treatment(LifecycleRow *row)
{
	TupleDesc	desc = RelationGetDescr(row->rel);
	const RiskCriteria *c = risk_criteria(row);
	char	   *treatment = engine_get_text(row->newtup, desc, "treatment");
	char	   *controls = engine_get_text(row->newtup, desc, "controls");
	bool		no_rl;
	bool		no_ri;
	int			level;
	int			residual;
	bool		isnull;
	Oid			owner;

	if (treatment && strcmp(treatment, "retain") == 0)
		risk_retain_residual(row);
	engine_get(row->newtup, desc, "residual_likelihood", &no_rl);
	engine_get(row->newtup, desc, "residual_impact", &no_ri);
	if (RULE_ON(IS027_TREATMENT_PLAN) && (treatment == NULL || no_rl || no_ri))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_RISK_CRITERIA),
				 errmsg("%s cannot be %s: %s", row->object, row->to->name,
						treatment == NULL ? "no treatment option is chosen" : "its residual likelihood and impact are not set"),
				 errdetail("A treatment plan names the option (modify, retain, avoid or share) and the risk expected after it."),
				 errhint("Plan it with isms.plan_treatment(run, risk, treatment, controls, residual_likelihood, residual_impact).")));
	if (RULE_ON(IS027_TREATMENT_CONTROLS) && treatment && (strcmp(treatment, "modify") == 0 || strcmp(treatment, "share") == 0) &&
		(controls == NULL || strcmp(controls, "{}") == 0))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_RISK_CRITERIA),
				 errmsg("%s cannot be %s: treatment %s names no controls", row->object, row->to->name, treatment),
				 errdetail("Modifying or sharing a risk is done by controls (ISO/IEC 27001 6.1.3 b)."),
				 errhint("Name the treating controls: Annex A codes such as A.8.7, or own controls of isms.soa.")));
	level = risk_int(row->newtup, desc, "level");
	residual = risk_int(row->newtup, desc, "residual_level");
	if (RULE_ON(IS027_RESIDUAL_ABOVE) && residual > level)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_RISK_CRITERIA),
				 errmsg("%s: residual level %d is above the level %d before treatment", row->object, residual, level),
				 errdetail("Treatment does not make a risk worse."),
				 errhint("Check residual_likelihood and residual_impact.")));
	owner = DatumGetObjectId(engine_get(row->newtup, desc, "owner", &isnull));
	if (RULE_ON(IS028_RETAIN_OWNER) && c && treatment && strcmp(treatment, "retain") == 0 &&
		level > c->threshold && engine_identity() != owner)
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_RISK_ACCEPTANCE),
				 errmsg("%s: only its owner \"%s\" may retain it above the acceptance threshold", row->object,
						GetUserNameFromId(owner, true) ? GetUserNameFromId(owner, true) : "?"),
				 errdetail("Its level %d is above the threshold %d; retaining it accepts the risk as it is (ISO/IEC 27001 6.1.3 f).",
						   level, c->threshold),
				 errhint("Ask the risk owner to plan the retention, or choose another treatment.")));
	row->detail = engine_json(4, "treatment", treatment, "controls", controls,
							  "residual_level", psprintf("%d", residual), "level", psprintf("%d", level));
}

/*
 * Guard acceptance: only the risk owner accepts (IS028), as the owner was
 * before and stays after the change; the engine records who and when.
 */
static void
risk_guard_acceptance(LifecycleRow *row)
{
	TupleDesc	desc = RelationGetDescr(row->rel);
	const RiskCriteria *c = risk_criteria(row);
	bool		isnull;
	Oid			owner = DatumGetObjectId(engine_get(row->oldtup, desc, "owner", &isnull));
	Oid			new_owner = DatumGetObjectId(engine_get(row->newtup, desc, "owner", &isnull));
	Oid			actor = engine_identity();
	const char *owner_name = GetUserNameFromId(owner, true);
	const char *cols[2] = {"accepted_by", "accepted_at"};
	Datum		vals[2] = {ObjectIdGetDatum(actor), TimestampTzGetDatum(engine_business_time(row->org_id))};
	bool		nulls[2] = {false, false};

	if (RULE_ON(IS028_ACCEPT_OWNER) && (actor != owner || new_owner != owner))
		ereport(ERROR,
				(errcode(ERRCODE_ISMS_RISK_ACCEPTANCE),
				 errmsg("%s can be accepted only by its owner \"%s\"", row->object, owner_name ? owner_name : "?"),
				 new_owner != owner ? errdetail("The owner cannot be changed by the acceptance itself.")
				 : errdetail("Risk owners accept the residual risk (ISO/IEC 27001 6.1.3 f); role \"%s\" is not the owner.",
							 GetUserNameFromId(actor, false)),
				 errhint("Ask role \"%s\" to accept it with isms.accept_risk(run, risk).", owner_name ? owner_name : "?")));
	row->newtup = engine_set_columns(row->rel, row->newtup, 2, cols, vals, nulls);
	row->detail = engine_json(4, "accepted_by", GetUserNameFromId(actor, false),
							  "level", engine_get_text(row->newtup, desc, "level"),
							  "residual_level", engine_get_text(row->newtup, desc, "residual_level"),
							  "threshold", c ? psprintf("%d", c->threshold) : NULL);
}

/* Guard reason: reassessing and closing need a reason (IS021); the event carries it. */
static void
risk_guard_reason(LifecycleRow *row)
{
	char	   *reason = RULE_OFF(IS021_RISK_REASON) ? NULL :
		engine_require_reason(row->newtup, RelationGetDescr(row->rel), "state_reason", row->object, row->action,
							  psprintf("Pass a reason, e.g. isms.%s_risk(run, risk, 'why').", row->action));

	row->detail = engine_json(1, "reason", reason);
}

const LifecycleGuard risk_guards[] = {
	{"analysis", risk_guard_analysis},
	{"evaluation", risk_guard_evaluation},
	{"treatment", risk_guard_treatment},
	{"acceptance", risk_guard_acceptance},
	{"reason", risk_guard_reason},
	{NULL, NULL}
};
