#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/load.h"

/* An error_spike trigger's baseline: fewer stable requests in a window
 * than this are no baseline (docs/scenario-format.md). */
#define DEFAULT_MIN_BASELINE_REQUESTS 100

static void load_steps(struct scn_reader *r, const cJSON *arr, const char *path,
		       struct scn_scenario *s)
{
	static const char *const step_keys[] = {
		"set_weight", "pause", "analysis", "approval", NULL
	};
	static const char *const approval_keys[] = { "gate", NULL };
	static const char *const pause_keys[] = { "duration_s", NULL };
	static const char *const analysis_keys[] = { NULL };
	char p[SCN_PATH_MAX], pp[SCN_PATH_MAX];
	int n = cJSON_GetArraySize(arr);
	const cJSON *step;
	size_t i = 0;

	if (n == 0 || n > MAX_STEPS) {
		scn_report(r, path, "%d steps; expected 1..%d", n, MAX_STEPS);
		return;
	}
	/* The count is set first: if the allocation fails, scn_load_text()
	 * sees steps without storage and reports out of memory. */
	s->rollout.nsteps = (size_t)n;
	s->steps = calloc((size_t)n, sizeof(*s->steps));
	if (s->steps == NULL)
		return;
	cJSON_ArrayForEach(step, arr) {
		struct eng_step *st = &s->steps[i];
		const cJSON *pause;

		scn_path_index(p, sizeof(p), path, i++);
		if (!cJSON_IsObject(step)) {
			scn_report(r, p, "found %s, expected an object such as {\"set_weight\": 10} or {\"pause\": {\"duration_s\": 60}}",
				   scn_json_type_name(step));
			continue;
		}
		scn_check_keys(r, step, p, step_keys);
		if (cJSON_GetArraySize(step) != 1) {
			scn_report(r, p, "expected exactly one of: set_weight, pause, analysis, approval");
			continue;
		}
		if (cJSON_GetObjectItemCaseSensitive(step, "approval") != NULL) {
			const cJSON *ap = scn_get_object(r, step, p, "approval", true);
			const char *gate = NULL;

			st->kind = ENG_STEP_APPROVAL;
			if (ap == NULL)
				continue;
			scn_path_key(pp, sizeof(pp), p, "approval");
			scn_check_keys(r, ap, pp, approval_keys);
			if (scn_get_string(r, ap, pp, "gate", true, &gate) && gate != NULL) {
				if (!scn_name_ok(gate) || strlen(gate) >= sizeof(st->gate))
					scn_report(r, pp, "gate \"%s\" is not a valid name; expected 1..%zu of A-Z a-z 0-9 . _ -",
						   gate, sizeof(st->gate) - 1);
				snprintf(st->gate, sizeof(st->gate), "%s", gate);
			}
			continue;
		}
		if (cJSON_GetObjectItemCaseSensitive(step, "analysis") != NULL) {
			const cJSON *an = scn_get_object(r, step, p, "analysis", true);

			st->kind = ENG_STEP_ANALYSIS;
			if (an != NULL) {
				scn_path_key(pp, sizeof(pp), p, "analysis");
				scn_check_keys(r, an, pp, analysis_keys);
			}
			continue;
		}
		if (cJSON_GetObjectItemCaseSensitive(step, "set_weight") != NULL) {
			st->kind = ENG_STEP_SET_WEIGHT;
			scn_get_number(r, step, p, "set_weight", true,
				       (struct scn_range){ 0.0, 100.0, false },
				       &st->weight_pct);
			continue;
		}
		pause = scn_get_object(r, step, p, "pause", false);
		if (pause == NULL)
			continue;
		double dur_s = 0.0;

		scn_path_key(pp, sizeof(pp), p, "pause");
		scn_check_keys(r, pause, pp, pause_keys);
		st->kind = ENG_STEP_PAUSE;
		if (scn_get_number(r, pause, pp, "duration_s", true,
				   (struct scn_range){ 0.0, 30 * 86400.0, false },
				   &dur_s))
			st->duration_ns = scn_s_to_ns(dur_s);
	}
	s->rollout.steps = s->steps;
}

/* Reads a check's comparison with the stable version. */
static void load_baseline(struct scn_reader *r, const cJSON *obj,
			  const char *path, struct scn_range range,
			  struct eng_check *c)
{
	static const char *const keys[] = {
		"max_ratio", "min_ratio", "max_increase", "max_decrease", NULL
	};
	const struct scn_range ratio = { 0.0, 1e6, false };

	scn_check_keys(r, obj, path, keys);
	c->has_max_ratio = scn_get_number(r, obj, path, "max_ratio", false, ratio,
					  &c->max_ratio) &&
			   cJSON_GetObjectItemCaseSensitive(obj, "max_ratio");
	c->has_min_ratio = scn_get_number(r, obj, path, "min_ratio", false, ratio,
					  &c->min_ratio) &&
			   cJSON_GetObjectItemCaseSensitive(obj, "min_ratio");
	c->has_max_increase = scn_get_number(r, obj, path, "max_increase", false,
					     range, &c->max_increase) &&
			      cJSON_GetObjectItemCaseSensitive(obj, "max_increase");
	c->has_max_decrease = scn_get_number(r, obj, path, "max_decrease", false,
					     range, &c->max_decrease) &&
			      cJSON_GetObjectItemCaseSensitive(obj, "max_decrease");
	if (cJSON_GetArraySize(obj) == 0)
		scn_report(r, path, "no limit; expected max_ratio, min_ratio, max_increase or max_decrease");
	if (c->has_max_ratio && c->has_min_ratio && c->min_ratio > c->max_ratio)
		scn_report(r, path, "min_ratio %g is above max_ratio %g",
			   c->min_ratio, c->max_ratio);
}

static bool is_latency_metric(enum eng_metric m)
{
	return m == ENG_METRIC_MEAN_MS || m == ENG_METRIC_P50_MS || m == ENG_METRIC_P95_MS ||
	       m == ENG_METRIC_P99_MS || m == ENG_METRIC_MAX_MS;
}

/* A check's statistical judge: each test with its own keys, on the
 * metrics it can judge. */
static void load_judge(struct scn_reader *r, const cJSON *jd, const char *p,
		       struct eng_check *c)
{
	static const char *const tests[] = { "proportions", "msprt", "mann_whitney", NULL };
	static const enum eng_judge_kind kinds[] = {
		ENG_JUDGE_PROPORTIONS, ENG_JUDGE_MSPRT, ENG_JUDGE_MANN_WHITNEY
	};
	static const char *const error_keys[] = { "test", "alpha", "tau", NULL };
	static const char *const latency_keys[] = { "test", "alpha", "effect", "effect_max", NULL };
	static const char *const effects[] = { "median_ratio", "cles", NULL };
	size_t test = 0, effect = 0;

	c->alpha = 0.05;
	c->tau = 0.01;
	if (!scn_get_choice(r, jd, p, "test", true, tests, &test))
		return;
	c->judge = kinds[test];
	scn_get_number(r, jd, p, "alpha", false, (struct scn_range){ 0.0, 0.5, true },
		       &c->alpha);
	if (c->judge != ENG_JUDGE_MANN_WHITNEY) {
		scn_check_keys(r, jd, p, error_keys);
		scn_get_number(r, jd, p, "tau", false, (struct scn_range){ 0.0, 1.0, true },
			       &c->tau);
		if (c->metric != ENG_METRIC_ERROR_RATE)
			scn_report(r, p, "test %s judges errors: it needs metric error_rate, found %s",
				   tests[test], eng_metric_name(c->metric));
		return;
	}
	/* Kayenta's defaults weigh significance alone: any slow-down counts */
	scn_check_keys(r, jd, p, latency_keys);
	c->effect = ENG_EFFECT_MEDIAN_RATIO;
	c->effect_max = 1.0;
	if (scn_get_choice(r, jd, p, "effect", false, effects, &effect)) {
		c->effect = effect == 0 ? ENG_EFFECT_MEDIAN_RATIO : ENG_EFFECT_CLES;
		c->effect_max = effect == 0 ? 1.0 : 0.5;
	}
	scn_get_number(r, jd, p, "effect_max", false,
		       c->effect == ENG_EFFECT_CLES ? (struct scn_range){ 0.0, 1.0, false } :
						       (struct scn_range){ 0.0, 1e6, true },
		       &c->effect_max);
	if (!is_latency_metric(c->metric))
		scn_report(r, p, "test mann_whitney judges latency: it needs metric mean_ms, p50_ms, p95_ms, p99_ms or max_ms, found %s",
			   eng_metric_name(c->metric));
}

static void load_check(struct scn_reader *r, const cJSON *obj, const char *path,
		       uint64_t min_requests, const struct eng_scoring *sc,
		       struct eng_check *c)
{
	static const char *const keys[] = {
		"name", "metric", "max", "min", "baseline", "min_requests",
		"no_data", "group", "critical", "judge", NULL
	};
	static const char *const metrics[] = {
#define ENG_METRIC_STR(name, str) str,
		ENG_METRIC_LIST(ENG_METRIC_STR)
#undef ENG_METRIC_STR
		NULL
	};
	static const char *const no_data[] = {
#define ENG_NO_DATA_STR(name, str) str,
		ENG_NO_DATA_LIST(ENG_NO_DATA_STR)
#undef ENG_NO_DATA_STR
		NULL
	};
	const char *name = NULL;
	size_t metric = 0, nd = ENG_NO_DATA_ERROR;
	struct scn_range range = { 0.0, 1e9, false };
	const cJSON *base;
	char p[SCN_PATH_MAX];
	bool max_ok, min_ok;

	eng_check_defaults(c);
	c->min_requests = min_requests;
	scn_check_keys(r, obj, path, keys);
	if (!scn_get_choice(r, obj, path, "metric", true, metrics, &metric))
		return;
	c->metric = (enum eng_metric)metric;
	if (c->metric == ENG_METRIC_ERROR_RATE || c->metric == ENG_METRIC_SUCCESS_RATE ||
	    c->metric == ENG_METRIC_TIMEOUT_RATE || c->metric == ENG_METRIC_REJECTED_RATE)
		range = scn_fraction;
	name = eng_metric_name(c->metric);
	if (scn_get_string(r, obj, path, "name", false, &name) &&
	    (strlen(name) >= sizeof(c->name) || name[0] == '\0')) {
		scn_path_key(p, sizeof(p), path, "name");
		scn_report(r, p, "%zu characters; expected 1..%zu",
			   strlen(name), sizeof(c->name) - 1);
	}
	snprintf(c->name, sizeof(c->name), "%s", name);
	scn_get_uint(r, obj, path, "min_requests", false, 0, UINT32_MAX, &c->min_requests);
	scn_get_bool(r, obj, path, "critical", false, &c->critical);
	const char *group = NULL;

	if (scn_get_string(r, obj, path, "group", false, &group) && group != NULL) {
		size_t g;

		for (g = 0; g < sc->ngroups; g++)
			if (strcmp(sc->group_names[g], group) == 0)
				break;
		scn_path_key(p, sizeof(p), path, "group");
		if (g == sc->ngroups)
			scn_report(r, p, "\"%s\" is not a group of analysis.scoring.groups", group);
		else
			c->group = (int)g;
	}
	if (scn_get_choice(r, obj, path, "no_data", false, no_data, &nd))
		c->no_data = (enum eng_no_data)nd;
	c->has_max = cJSON_GetObjectItemCaseSensitive(obj, "max") != NULL;
	c->has_min = cJSON_GetObjectItemCaseSensitive(obj, "min") != NULL;
	max_ok = scn_get_number(r, obj, path, "max", false, range, &c->max);
	min_ok = scn_get_number(r, obj, path, "min", false, range, &c->min);
	const cJSON *jd = scn_get_object(r, obj, path, "judge", false);

	if (jd != NULL) {
		scn_path_key(p, sizeof(p), path, "judge");
		load_judge(r, jd, p, c);
	}
	base = scn_get_object(r, obj, path, "baseline", false);
	if (base != NULL) {
		scn_path_key(p, sizeof(p), path, "baseline");
		load_baseline(r, base, p, range, c);
	}
	if (!c->has_max && !c->has_min && base == NULL && jd == NULL)
		scn_report(r, path, "no limit; expected \"max\", \"min\", \"baseline\", \"judge\" or several");
	else if (c->has_max && c->has_min && max_ok && min_ok && c->min > c->max)
		scn_report(r, path, "min %g is above max %g", c->min, c->max);
}

static void load_scoring(struct scn_reader *r, const cJSON *obj, const char *path,
			 struct eng_scoring *sc)
{
	static const char *const keys[] = {
		"groups", "pass_score", "marginal_score", NULL
	};
	const struct scn_range score = { 0.0, 100.0, false };
	const cJSON *groups, *g;
	char p[SCN_PATH_MAX];

	sc->enabled = true;
	sc->pass_score = 95.0;
	sc->marginal_score = 75.0;
	scn_check_keys(r, obj, path, keys);
	scn_get_number(r, obj, path, "pass_score", false, score, &sc->pass_score);
	scn_get_number(r, obj, path, "marginal_score", false, score, &sc->marginal_score);
	if (sc->marginal_score > sc->pass_score)
		scn_report(r, path, "marginal_score %g is above pass_score %g",
			   sc->marginal_score, sc->pass_score);
	groups = scn_get_object(r, obj, path, "groups", true);
	if (groups == NULL)
		return;
	scn_path_key(p, sizeof(p), path, "groups");
	if (cJSON_GetArraySize(groups) < 1 || cJSON_GetArraySize(groups) > ENG_MAX_GROUPS) {
		scn_report(r, p, "%d groups; expected 1..%d", cJSON_GetArraySize(groups),
			   ENG_MAX_GROUPS);
		return;
	}
	cJSON_ArrayForEach(g, groups) {
		char gp[SCN_PATH_MAX];
		double w = 0.0;

		scn_path_key(gp, sizeof(gp), p, g->string);
		if (!cJSON_IsNumber(g) || !(g->valuedouble > 0.0 && g->valuedouble <= 1e6))
			scn_report(r, gp, "found %s, expected a weight above 0",
				   cJSON_IsNumber(g) ? "a number out of range" : scn_json_type_name(g));
		else
			w = g->valuedouble;
		if (strlen(g->string) == 0 || strlen(g->string) >= ENG_EVENT_NAME_MAX)
			scn_report(r, gp, "a group's name has 1..%d characters", ENG_EVENT_NAME_MAX - 1);
		for (size_t k = 0; k < sc->ngroups; k++)
			if (strcmp(sc->group_names[k], g->string) == 0)
				scn_report(r, gp, "key given twice");
		snprintf(sc->group_names[sc->ngroups], ENG_EVENT_NAME_MAX, "%s", g->string);
		sc->group_weights[sc->ngroups++] = w;
	}
}

static void load_analysis(struct scn_reader *r, const cJSON *obj,
			  const char *path, double window_s,
			  struct scn_scenario *s)
{
	static const char *const keys[] = {
		"interval_s", "min_requests", "failure_limit", "mode",
		"consecutive_failure_limit", "consecutive_error_limit",
		"inconclusive_limit", "consecutive_success_limit", "scoring",
		"metrics", NULL
	};
	static const char *const modes[] = { "argo", "flagger", NULL };
	size_t mode = ENG_MODE_ARGO;
	struct eng_analysis_config *a = &s->rollout.analysis;
	char p[SCN_PATH_MAX];
	double interval_s = window_s;
	uint64_t u;
	const cJSON *arr, *m;
	size_t i = 0;

	scn_check_keys(r, obj, path, keys);
	if (scn_get_number(r, obj, path, "interval_s", false,
			   (struct scn_range){ 0.001, 86400.0, false }, &interval_s) &&
	    (scn_s_to_ns(interval_s) < scn_s_to_ns(window_s) ||
	     scn_s_to_ns(interval_s) % scn_s_to_ns(window_s) != 0)) {
		/* Analysis judges whole windows: an interval between two
		 * multiples would leave windows unjudged at uneven times. */
		scn_path_key(p, sizeof(p), path, "interval_s");
		scn_report(r, p, "%g is not a whole number of windows (run.window_s = %g); expected %g, %g, %g, ...",
			   interval_s, window_s, window_s, 2 * window_s, 3 * window_s);
	}
	a->interval_ns = scn_s_to_ns(interval_s);
	u = a->min_requests;
	if (scn_get_uint(r, obj, path, "min_requests", false, 0, UINT32_MAX, &u))
		a->min_requests = u;
	if (scn_get_choice(r, obj, path, "mode", false, modes, &mode))
		a->mode = (enum eng_analysis_mode)mode;
	u = a->mode == ENG_MODE_FLAGGER ? 1 : a->failure_limit;
	if (scn_get_uint(r, obj, path, "failure_limit", false,
			 a->mode == ENG_MODE_FLAGGER ? 1 : 0, 1000000, &u))
		a->failure_limit = (uint32_t)u;
	static const char *const limits[] = {
		"consecutive_failure_limit", "consecutive_error_limit",
		"inconclusive_limit", "consecutive_success_limit"
	};
	uint32_t *dest[] = {
		&a->consecutive_failure_limit, &a->consecutive_error_limit,
		&a->inconclusive_limit, &a->consecutive_success_limit
	};

	for (size_t k = 0; k < 4; k++) {
		u = *dest[k];
		if (scn_get_uint(r, obj, path, limits[k], false, 0, 1000000, &u))
			*dest[k] = (uint32_t)u;
	}
	const cJSON *scj = scn_get_object(r, obj, path, "scoring", false);

	if (scj != NULL) {
		scn_path_key(p, sizeof(p), path, "scoring");
		load_scoring(r, scj, p, &a->scoring);
	}
	arr = scn_get_array(r, obj, path, "metrics", true);
	if (arr == NULL)
		return;
	scn_path_key(p, sizeof(p), path, "metrics");
	int n = cJSON_GetArraySize(arr);

	if (n > MAX_CHECKS) {
		scn_report(r, p, "%d metrics; expected at most %d", n, MAX_CHECKS);
		return;
	}
	if (n == 0)
		return;
	a->nchecks = (size_t)n; /* first, as for the steps */
	s->checks = calloc((size_t)n, sizeof(*s->checks));
	if (s->checks == NULL)
		return;
	cJSON_ArrayForEach(m, arr) {
		char mp[SCN_PATH_MAX];

		scn_path_index(mp, sizeof(mp), p, i);
		if (!cJSON_IsObject(m))
			scn_report(r, mp, "found %s, expected an object such as {\"metric\": \"error_rate\", \"max\": 0.05}",
				   scn_json_type_name(m));
		else
			load_check(r, m, mp, a->min_requests, &a->scoring, &s->checks[i]);
		i++;
	}
	a->checks = s->checks;
}

/* A dependency trigger's keys: the dependency, one of sim's. */
static void load_dependency_trigger(struct scn_reader *r, const cJSON *obj,
				    const char *path, const struct sim_config *sim,
				    struct eng_trigger *tr)
{
	const char *dep = NULL;
	char p[SCN_PATH_MAX];
	uint32_t d;

	tr->min_calls = 20;
	scn_get_number(r, obj, path, "max_error_rate", true, scn_fraction,
		       &tr->max_call_error_frac);
	scn_get_uint(r, obj, path, "min_calls", false, 1, UINT32_MAX, &tr->min_calls);
	if (!scn_get_string(r, obj, path, "dependency", true, &dep) || dep == NULL)
		return;
	for (d = 0; d < sim->ndeps; d++)
		if (strcmp(sim->deps[d].name, dep) == 0)
			break;
	scn_path_key(p, sizeof(p), path, "dependency");
	if (d == sim->ndeps)
		scn_report(r, p, "\"%s\" is not one of the scenario's dependencies", dep);
	else
		eng_copy_text(tr->dependency, sizeof(tr->dependency), dep);
}

static void load_trigger(struct scn_reader *r, const cJSON *obj, const char *path,
			 const struct sim_config *sim, struct eng_trigger *tr)
{
	static const char *const kinds[] = {
#define ENG_TRIGGER_STR(name, str) str,
		ENG_TRIGGER_LIST(ENG_TRIGGER_STR)
#undef ENG_TRIGGER_STR
		NULL
	};
	static const char *const metrics[] = {
#define ENG_METRIC_STR(name, str) str,
		ENG_METRIC_LIST(ENG_METRIC_STR)
#undef ENG_METRIC_STR
		NULL
	};
	static const char *const keys[ENG_NTRIGGER_KINDS][9] = {
		[ENG_TRIGGER_THRESHOLD] = { "name", "kind", "metric", "max", "min",
					    "for_s", "cooldown_s" },
		[ENG_TRIGGER_HEALTH] = { "name", "kind", "min_ready_frac", "for_s",
					 "cooldown_s" },
		[ENG_TRIGGER_ERROR_SPIKE] = { "name", "kind", "factor", "min_errors",
					      "min_baseline_requests", "for_s", "cooldown_s" },
		[ENG_TRIGGER_DEPENDENCY] = { "name", "kind", "dependency", "max_error_rate",
					     "min_calls", "for_s", "cooldown_s" },
	};
	const struct scn_range span = { 0.0, 86400.0, false };
	size_t kind = 0, metric = 0;
	const char *name = NULL;
	double for_s = 0.0, cooldown_s = 0.0;
	char p[SCN_PATH_MAX];

	memset(tr, 0, sizeof(*tr));
	if (!scn_get_choice(r, obj, path, "kind", true, kinds, &kind))
		return;
	tr->kind = (enum eng_trigger_kind)kind;
	scn_check_keys(r, obj, path, keys[kind]);
	name = kinds[kind];
	if (scn_get_string(r, obj, path, "name", false, &name) &&
	    (strlen(name) >= sizeof(tr->name) || name[0] == '\0')) {
		scn_path_key(p, sizeof(p), path, "name");
		scn_report(r, p, "%zu characters; expected 1..%zu", strlen(name),
			   sizeof(tr->name) - 1);
	}
	snprintf(tr->name, sizeof(tr->name), "%s", name);
	if (scn_get_number(r, obj, path, "for_s", false, span, &for_s))
		tr->for_ns = scn_s_to_ns(for_s);
	if (scn_get_number(r, obj, path, "cooldown_s", false, span, &cooldown_s))
		tr->cooldown_ns = scn_s_to_ns(cooldown_s);
	switch (tr->kind) {
	case ENG_TRIGGER_THRESHOLD:
		if (scn_get_choice(r, obj, path, "metric", true, metrics, &metric))
			tr->metric = (enum eng_metric)metric;
		tr->has_max = cJSON_GetObjectItemCaseSensitive(obj, "max") != NULL;
		tr->has_min = cJSON_GetObjectItemCaseSensitive(obj, "min") != NULL;
		scn_get_number(r, obj, path, "max", false,
			       (struct scn_range){ 0.0, 1e9, false }, &tr->max);
		scn_get_number(r, obj, path, "min", false,
			       (struct scn_range){ 0.0, 1e9, false }, &tr->min);
		if (!tr->has_max && !tr->has_min)
			scn_report(r, path, "no limit; expected \"max\", \"min\" or both");
		break;
	case ENG_TRIGGER_HEALTH:
		scn_get_number(r, obj, path, "min_ready_frac", true,
			       (struct scn_range){ 0.0, 1.0, true }, &tr->min_ready_frac);
		break;
	case ENG_TRIGGER_ERROR_SPIKE:
		tr->min_errors = 1;
		scn_get_number(r, obj, path, "factor", true,
			       (struct scn_range){ 0.0, 1e6, true }, &tr->factor);
		scn_get_uint(r, obj, path, "min_errors", false, 0, UINT32_MAX,
			     &tr->min_errors);
		tr->min_baseline_requests = DEFAULT_MIN_BASELINE_REQUESTS;
		scn_get_uint(r, obj, path, "min_baseline_requests", false, 0, UINT32_MAX,
			     &tr->min_baseline_requests);
		break;
	case ENG_TRIGGER_DEPENDENCY:
		load_dependency_trigger(r, obj, path, sim, tr);
		break;
	case ENG_NTRIGGER_KINDS:
		break;
	}
}

static void load_rollback(struct scn_reader *r, const cJSON *obj, const char *path,
			  struct eng_rollback_config *rb)
{
	static const char *const modes[] = { "instant", "gradual", "freeze", NULL };
	static const char *const keys[3][4] = {
		{ "mode" }, { "mode", "step_pct", "interval_s" }, { "mode" }
	};
	size_t mode = ENG_ROLLBACK_INSTANT;
	double interval_s = 10.0;

	if (!scn_get_choice(r, obj, path, "mode", true, modes, &mode))
		return;
	rb->mode = (enum eng_rollback_mode)mode;
	scn_check_keys(r, obj, path, keys[mode]);
	if (rb->mode != ENG_ROLLBACK_GRADUAL)
		return;
	scn_get_number(r, obj, path, "step_pct", true,
		       (struct scn_range){ 0.0, 100.0, true }, &rb->step_pct);
	scn_get_number(r, obj, path, "interval_s", false,
		       (struct scn_range){ 0.001, 86400.0, false }, &interval_s);
	rb->interval_ns = scn_s_to_ns(interval_s);
}

static bool get_version(struct scn_reader *r, const cJSON *obj, const char *path,
			const char *key, bool required, bool full,
			struct eng_version_id *v)
{
	const char *str = NULL;
	char p[SCN_PATH_MAX];

	if (!scn_get_string(r, obj, path, key, required, &str) || str == NULL)
		return false;
	if (!eng_version_parse(str, v) || (full && v->nparts != 3)) {
		scn_path_key(p, sizeof(p), path, key);
		scn_report(r, p, "\"%s\" is not a version; expected %s", str,
			   full ? "MAJOR.MINOR.PATCH such as 1.4.2" :
				  "1, 1.4 or 1.4.2");
		return false;
	}
	return true;
}

static void load_compatibility(struct scn_reader *r, const cJSON *obj,
			       const char *path, struct eng_compat_config *c)
{
	static const char *const keys[] = {
		"stable_version", "canary_version", "upgrade_paths",
		"breaking_changes", "allow_breaking", "migration_reversible", NULL
	};
	static const char *const path_keys[] = { "from", "to", NULL };
	const cJSON *arr, *x;
	char p[SCN_PATH_MAX];
	size_t i = 0;

	c->enabled = true;
	c->migration_reversible = true;
	scn_check_keys(r, obj, path, keys);
	get_version(r, obj, path, "stable_version", true, true, &c->stable);
	get_version(r, obj, path, "canary_version", true, true, &c->canary);
	scn_get_bool(r, obj, path, "breaking_changes", false, &c->breaking_changes);
	scn_get_bool(r, obj, path, "allow_breaking", false, &c->allow_breaking);
	scn_get_bool(r, obj, path, "migration_reversible", false,
		     &c->migration_reversible);
	arr = scn_get_array(r, obj, path, "upgrade_paths", false);
	if (arr == NULL)
		return;
	scn_path_key(p, sizeof(p), path, "upgrade_paths");
	if (cJSON_GetArraySize(arr) > ENG_MAX_UPGRADE_PATHS) {
		scn_report(r, p, "%d paths; expected at most %d",
			   cJSON_GetArraySize(arr), ENG_MAX_UPGRADE_PATHS);
		return;
	}
	cJSON_ArrayForEach(x, arr) {
		char xp[SCN_PATH_MAX];

		scn_path_index(xp, sizeof(xp), p, i);
		if (!cJSON_IsObject(x)) {
			scn_report(r, xp, "found %s, expected an object such as {\"from\": \"1.4\", \"to\": \"1.5\"}",
				   scn_json_type_name(x));
		} else {
			scn_check_keys(r, x, xp, path_keys);
			get_version(r, x, xp, "from", true, false, &c->paths[i].from);
			get_version(r, x, xp, "to", true, false, &c->paths[i].to);
		}
		i++;
	}
	c->npaths = i;
}

static void load_smoke_tests(struct scn_reader *r, const cJSON *arr,
			     const char *path, struct scn_scenario *s)
{
	static const char *const keys[] = { "name", "critical", "retries", NULL };
	size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
	struct eng_smoke_test *t;
	const cJSON *x;

	if (n == 0)
		return;
	if (n > ENG_MAX_SMOKE_TESTS) {
		scn_report(r, path, "%zu smoke tests; expected at most %d", n,
			   ENG_MAX_SMOKE_TESTS);
		return;
	}
	t = scn_own(s, calloc(n, sizeof(*t)));
	if (t == NULL)
		return;
	cJSON_ArrayForEach(x, arr) {
		const char *name = NULL;
		uint64_t retries = 0;
		char p[SCN_PATH_MAX];

		scn_path_index(p, sizeof(p), path, i);
		if (!cJSON_IsObject(x)) {
			scn_report(r, p, "found %s, expected an object such as {\"name\": \"login\", \"critical\": true}",
				   scn_json_type_name(x));
		} else {
			scn_check_keys(r, x, p, keys);
			if (scn_get_string(r, x, p, "name", true, &name) && name != NULL) {
				if (!scn_name_ok(name) || strlen(name) >= sizeof(t[i].name))
					scn_report(r, p, "name \"%s\" is not valid; expected 1..%zu of A-Z a-z 0-9 . _ -",
						   name, sizeof(t[i].name) - 1);
				snprintf(t[i].name, sizeof(t[i].name), "%s", name);
			}
			scn_get_bool(r, x, p, "critical", false, &t[i].critical);
			if (scn_get_uint(r, x, p, "retries", false, 0, 100, &retries))
				t[i].retries = (uint32_t)retries;
		}
		i++;
	}
	s->rollout.smoke_tests = t;
	s->rollout.nsmoke_tests = n;
}

static void load_triggers(struct scn_reader *r, const cJSON *arr, const char *path,
			  struct scn_scenario *s)
{
	size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
	struct eng_trigger *trs;
	const cJSON *x;

	if (n == 0)
		return;
	if (n > MAX_CHECKS) {
		scn_report(r, path, "%zu triggers; expected at most %d", n, MAX_CHECKS);
		return;
	}
	trs = scn_own(s, calloc(n, sizeof(*trs)));
	if (trs == NULL)
		return;
	cJSON_ArrayForEach(x, arr) {
		char p[SCN_PATH_MAX];

		scn_path_index(p, sizeof(p), path, i);
		if (!cJSON_IsObject(x))
			scn_report(r, p, "found %s, expected an object such as {\"kind\": \"error_spike\", \"factor\": 5}",
				   scn_json_type_name(x));
		else
			load_trigger(r, x, p, &s->sim, &trs[i]);
		i++;
	}
	s->rollout.triggers = trs;
	s->rollout.ntriggers = n;
}

/* Flagger's form: the weights in turn, each held until an analysis run
 * passes: step_weight, 2 x step_weight, ... up to max_weight (the last one
 * capped at it), or the list step_weights; then promotion. */
static void load_step_weights(struct scn_reader *r, const cJSON *obj,
			      const char *path, bool by_list,
			      struct scn_scenario *s)
{
	const struct scn_range pct = { 0.0, 100.0, true };
	double weights[MAX_STEPS / 2];
	double step = 0.0, max = 0.0;
	size_t n = 0;
	char p[SCN_PATH_MAX];

	if (by_list) {
		const cJSON *arr = scn_get_array(r, obj, path, "step_weights", true), *x;

		scn_path_key(p, sizeof(p), path, "step_weights");
		if (arr == NULL)
			return;
		if (cJSON_GetArraySize(arr) < 1 || cJSON_GetArraySize(arr) > MAX_STEPS / 2) {
			scn_report(r, p, "%d weights; expected 1..%d",
				   cJSON_GetArraySize(arr), MAX_STEPS / 2);
			return;
		}
		cJSON_ArrayForEach(x, arr) {
			char xp[SCN_PATH_MAX];

			scn_path_index(xp, sizeof(xp), p, n);
			if (!cJSON_IsNumber(x) || !(x->valuedouble > 0.0 && x->valuedouble <= 100.0))
				scn_report(r, xp, "found %s, expected a weight above 0 and at most 100",
					   cJSON_IsNumber(x) ? "a number out of range" :
					   scn_json_type_name(x));
			else if (n > 0 && !(x->valuedouble > weights[n - 1]))
				scn_report(r, xp, "%g does not follow %g; expected growing weights",
					   x->valuedouble, weights[n - 1]);
			weights[n++] = cJSON_IsNumber(x) ? x->valuedouble : 0.0;
		}
	} else {
		if (!scn_get_number(r, obj, path, "step_weight", true, pct, &step) ||
		    !scn_get_number(r, obj, path, "max_weight", true, pct, &max))
			return;
		if (step > max) {
			scn_report(r, path, "step_weight %g is above max_weight %g", step, max);
			return;
		}
		for (double w = step; n < MAX_STEPS / 2; w += step) {
			weights[n++] = w < max ? w : max;
			if (w >= max)
				break;
		}
		if (weights[n - 1] < max) {
			scn_report(r, path, "max_weight %g needs more than %d steps of %g",
				   max, MAX_STEPS / 2, step);
			return;
		}
	}
	s->rollout.nsteps = 2 * n; /* first, as in load_steps */
	s->steps = calloc(2 * n, sizeof(*s->steps));
	if (s->steps == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		s->steps[2 * i] = (struct eng_step){ .kind = ENG_STEP_SET_WEIGHT, .weight_pct = weights[i], .duration_ns = 0 };
		s->steps[2 * i + 1] = (struct eng_step){ .kind = ENG_STEP_ANALYSIS, .weight_pct = 0.0, .duration_ns = 0 };
	}
	s->rollout.steps = s->steps;
}

/* obj.key, an optional object whose keys must be among `keys`, with its
 * path written into p (of size n); NULL when absent (or reported). */
static const cJSON *get_part(struct scn_reader *r, const cJSON *obj, const char *path,
			     const char *key, const char *const *keys, char *p, size_t n)
{
	const cJSON *j = scn_get_object(r, obj, path, key, false);

	if (j == NULL)
		return NULL;
	scn_path_key(p, n, path, key);
	scn_check_keys(r, j, p, keys);
	return j;
}

/* deployment.bluegreen: the preview's health, pre-promotion (runs and
 * mirroring), promotion, the switch, post-promotion and the scale-down
 * delay; defaults are Argo Rollouts' (eng_bluegreen_defaults()). */
static void load_bluegreen(struct scn_reader *r, const cJSON *obj, const char *path,
			   struct eng_bluegreen_config *bg)
{
	static const char *const keys[] = {
		"preview", "pre_promotion", "auto_promotion",
		"auto_promotion_delay_s", "promotion_gate", "switch",
		"post_promotion", "scale_down_delay_s", NULL
	};
	static const char *const preview_keys[] = { "ready_frac", "timeout_s", NULL };
	static const char *const pre_keys[] = { "runs", "mirror_pct", NULL };
	static const char *const post_keys[] = { "runs", NULL };
	static const char *const switch_keys[] = { "step_pct", "interval_s", NULL };
	const struct scn_range day = { 0.0, 86400.0, false };
	double timeout_s = 600.0, delay_s = 0.0, interval_s = 10.0, scale_down_s = 30.0;
	/* The parts' numbers: part, key, required, range, where. */
	const struct {
		const char *part, *key;
		bool required;
		struct scn_range range;
		double *out;
	} nums[] = {
		{ "preview", "ready_frac", false, { 0.0, 1.0, true }, &bg->preview_ready_frac },
		{ "preview", "timeout_s", false, { 0.0, 86400.0, true }, &timeout_s },
		{ "pre_promotion", "mirror_pct", false, { 0.0, 100.0, false }, &bg->mirror_pct },
		{ "switch", "step_pct", true, { 0.0, 100.0, true }, &bg->switch_step_pct },
		{ "switch", "interval_s", false, { 0.001, 86400.0, false }, &interval_s },
	};
	const struct {
		const char *part;
		const char *const *keys;
		uint32_t *runs;           /* the part's required "runs", or NULL */
	} parts[] = {
		{ "preview", preview_keys, NULL },
		{ "pre_promotion", pre_keys, &bg->pre_promotion_runs },
		{ "switch", switch_keys, NULL },
		{ "post_promotion", post_keys, &bg->post_promotion_runs },
	};
	const char *gate = NULL;
	char p[SCN_PATH_MAX];

	scn_check_keys(r, obj, path, keys);
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		const cJSON *j = get_part(r, obj, path, parts[i].part, parts[i].keys, p, sizeof(p));
		uint64_t runs = 0;

		if (j == NULL)
			continue;
		if (parts[i].runs != NULL &&
		    scn_get_uint(r, j, p, "runs", true, 1, 10000, &runs))
			*parts[i].runs = (uint32_t)runs;
		for (size_t k = 0; k < sizeof(nums) / sizeof(nums[0]); k++)
			if (strcmp(nums[k].part, parts[i].part) == 0)
				scn_get_number(r, j, p, nums[k].key, nums[k].required,
					       nums[k].range, nums[k].out);
	}
	bg->preview_timeout_ns = scn_s_to_ns(timeout_s);
	bg->switch_interval_ns = scn_s_to_ns(interval_s);
	if (scn_get_string(r, obj, path, "promotion_gate", false, &gate) && gate != NULL) {
		scn_path_key(p, sizeof(p), path, "promotion_gate");
		if (!scn_name_ok(gate) || strlen(gate) >= sizeof(bg->promotion_gate))
			scn_report(r, p, "\"%s\" is not a valid gate name; expected 1..%zu of A-Z a-z 0-9 . _ -",
				   gate, sizeof(bg->promotion_gate) - 1);
		else
			snprintf(bg->promotion_gate, sizeof(bg->promotion_gate), "%s", gate);
	}
	scn_get_bool(r, obj, path, "auto_promotion", false, &bg->auto_promotion);
	if (scn_get_number(r, obj, path, "auto_promotion_delay_s", false, day, &delay_s) &&
	    !bg->auto_promotion && cJSON_GetObjectItemCaseSensitive(obj, "auto_promotion_delay_s"))
		scn_report(r, path, "auto_promotion_delay_s needs auto_promotion true; found auto_promotion false (the switch waits for gate \"%s\" instead)",
			   bg->promotion_gate);
	bg->auto_promotion_delay_ns = scn_s_to_ns(delay_s);
	scn_get_number(r, obj, path, "scale_down_delay_s", false, day, &scale_down_s);
	bg->scale_down_delay_ns = scn_s_to_ns(scale_down_s);
}

/* The strategy's shape: plain blue-green has no steps; canary and
 * bluegreen_canary need exactly one form of them. */
static void load_strategy_steps(struct scn_reader *r, const cJSON *obj,
				const char *path, size_t strategy,
				struct scn_scenario *s)
{
	static const char *const step_keys[] = { "steps", "step_weight", "max_weight",
						 "step_weights" };
	bool by_step = cJSON_GetObjectItemCaseSensitive(obj, "step_weight") != NULL ||
		       cJSON_GetObjectItemCaseSensitive(obj, "max_weight") != NULL;
	bool by_list = cJSON_GetObjectItemCaseSensitive(obj, "step_weights") != NULL;
	bool by_steps = cJSON_GetObjectItemCaseSensitive(obj, "steps") != NULL;
	const cJSON *j;
	char p[SCN_PATH_MAX];

	if (strategy == ENG_STRATEGY_BLUEGREEN || strategy == ENG_STRATEGY_FLAGS) {
		for (size_t i = 0; i < sizeof(step_keys) / sizeof(step_keys[0]); i++) {
			if (cJSON_GetObjectItemCaseSensitive(obj, step_keys[i]) == NULL)
				continue;
			scn_path_key(p, sizeof(p), path, step_keys[i]);
			if (strategy == ENG_STRATEGY_FLAGS)
				scn_report(r, p, "the flags strategy moves flags, not traffic; expected no %s (each flag's steps go under deployment.flags)",
					   step_keys[i]);
			else
				scn_report(r, p, "the bluegreen strategy switches without steps; expected no %s (or strategy bluegreen_canary to switch through steps)",
					   step_keys[i]);
		}
		return;
	}
	if (by_step + by_list + by_steps != 1) {
		scn_report(r, path, "expected exactly one of: steps; step_weight with max_weight; step_weights");
	} else if (by_steps) {
		j = scn_get_array(r, obj, path, "steps", true);
		if (j != NULL) {
			scn_path_key(p, sizeof(p), path, "steps");
			load_steps(r, j, p, s);
		}
	} else {
		load_step_weights(r, obj, path, by_list, s);
	}
}

/* The flags strategy: flags declared on the stable version, each with
 * its rollout under deployment.flags; no canary analysis or triggers. The
 * other strategies take no flags. */
static void load_strategy_flags(struct scn_reader *r, const cJSON *obj, const char *path,
				size_t strategy, double window_s, struct scn_scenario *s)
{
	static const char *const canary_only[] = { "analysis", "triggers", "bluegreen" };
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, "flags");
	char p[SCN_PATH_MAX];

	scn_path_key(p, sizeof(p), path, "flags");
	if (strategy != ENG_STRATEGY_FLAGS) {
		if (j != NULL)
			scn_report(r, p, "only for the strategy flags; found strategy %s",
				   eng_strategy_name((enum eng_strategy)strategy));
		if (s->sim.nflags > 0)
			scn_report(r, "versions.stable.flags", "only for the strategy flags; found strategy %s",
				   eng_strategy_name((enum eng_strategy)strategy));
		return;
	}
	for (size_t i = 0; i < sizeof(canary_only) / sizeof(canary_only[0]); i++) {
		char cp[SCN_PATH_MAX];

		if (cJSON_GetObjectItemCaseSensitive(obj, canary_only[i]) == NULL)
			continue;
		scn_path_key(cp, sizeof(cp), path, canary_only[i]);
		scn_report(r, cp, "judges a canary; the flags strategy has none (each flag's analysis goes under deployment.flags)");
	}
	j = scn_get_array(r, obj, path, "flags", true);
	if (j != NULL)
		scn_load_flags(r, j, p, window_s, s);
}

void scn_load_deployment(struct scn_reader *r, const cJSON *obj,
			 double window_s, struct scn_scenario *s)
{
	static const char *const keys[] = {
		"strategy", "steps", "step_weight", "max_weight", "step_weights",
		"analysis", "triggers", "rollback", "compatibility",
		"smoke_tests", "error_budget", "progress_deadline_s", "bluegreen",
		"flags", NULL
	};
	static const char *const strategies[] = {
#define SCN_STRATEGY_NAME(name, str) str,
		ENG_STRATEGY_LIST(SCN_STRATEGY_NAME)
#undef SCN_STRATEGY_NAME
		NULL
	};
	const char *path = "deployment";
	size_t strategy = 0;
	double deadline_s = DEFAULT_DEADLINE_S;
	const cJSON *j;
	char p[SCN_PATH_MAX];

	scn_check_keys(r, obj, path, keys);
	scn_get_choice(r, obj, path, "strategy", false, strategies, &strategy);
	s->rollout.strategy = (enum eng_strategy)strategy;
	load_strategy_steps(r, obj, path, strategy, s);
	eng_bluegreen_defaults(&s->rollout.bluegreen);
	j = scn_get_object(r, obj, path, "bluegreen", false);
	scn_path_key(p, sizeof(p), path, "bluegreen");
	if (j != NULL && strategy == ENG_STRATEGY_CANARY)
		scn_report(r, p, "only for the strategies bluegreen and bluegreen_canary; found strategy canary");
	else if (j != NULL)
		load_bluegreen(r, j, p, &s->rollout.bluegreen);
	s->rollout.analysis.interval_ns = scn_s_to_ns(window_s);
	s->rollout.analysis.min_requests = DEFAULT_MIN_REQUESTS;
	s->rollout.analysis.consecutive_error_limit = DEFAULT_CONSECUTIVE_ERRORS;
	j = scn_get_object(r, obj, path, "analysis", false);
	if (j != NULL) {
		scn_path_key(p, sizeof(p), path, "analysis");
		load_analysis(r, j, p, window_s, s);
	}
	j = scn_get_object(r, obj, path, "error_budget", false);
	if (j != NULL) {
		scn_path_key(p, sizeof(p), path, "error_budget");
		scn_load_error_budget(r, j, p, s);
	}
	j = scn_get_array(r, obj, path, "smoke_tests", false);
	if (j != NULL) {
		scn_path_key(p, sizeof(p), path, "smoke_tests");
		load_smoke_tests(r, j, p, s);
	}
	j = scn_get_object(r, obj, path, "compatibility", false);
	if (j != NULL) {
		scn_path_key(p, sizeof(p), path, "compatibility");
		load_compatibility(r, j, p, &s->rollout.compat);
	}
	j = scn_get_object(r, obj, path, "rollback", false);
	if (j != NULL) {
		scn_path_key(p, sizeof(p), path, "rollback");
		load_rollback(r, j, p, &s->rollout.rollback);
	}
	j = scn_get_array(r, obj, path, "triggers", false);
	if (j != NULL) {
		scn_path_key(p, sizeof(p), path, "triggers");
		load_triggers(r, j, p, s);
	}
	scn_get_number(r, obj, path, "progress_deadline_s", false,
		       (struct scn_range){ 0.001, 30 * 86400.0, false }, &deadline_s);
	s->rollout.progress_deadline_ns = scn_s_to_ns(deadline_s);
	load_strategy_flags(r, obj, path, strategy, window_s, s);
}

void scn_load_check(struct scn_reader *r, const cJSON *obj, const char *path,
		    uint64_t min_requests, const struct eng_scoring *sc, struct eng_check *c)
{
	load_check(r, obj, path, min_requests, sc, c);
}

