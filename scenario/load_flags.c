/* The feature flags of a scenario: their effects, declared on the version
 * that takes the traffic (versions.stable.flags), and each flag's steps
 * and analysis under deployment.flags, matched by name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/load.h"

/* Reads a flag's name at obj.name into out (of size n); false when it is
 * missing or not a valid name (reported). */
static bool flag_name(struct scn_reader *r, const cJSON *obj, const char *path,
		      char *out, size_t n)
{
	const char *name = NULL;

	if (!scn_get_string(r, obj, path, "name", true, &name) || name == NULL)
		return false;
	if (!scn_name_ok(name) || strlen(name) >= n) {
		scn_report(r, path, "name \"%s\" is not valid; expected 1..%zu of A-Z a-z 0-9 . _ -",
			   name, n - 1);
		return false;
	}
	snprintf(out, n, "%s", name);
	return true;
}

/* versions.stable.flags: [{"name", "effect": none | errors | latency,
 * "error_rate" (errors), "latency_multiplier" (latency)}]. */
void scn_load_flag_effects(struct scn_reader *r, const cJSON *arr, const char *path,
			   struct scn_scenario *s)
{
	static const char *const effects[] = { "none", "errors", "latency", NULL };
	static const char *const keys[3][4] = {
		{ "name", "effect", NULL },
		{ "name", "effect", "error_rate", NULL },
		{ "name", "effect", "latency_multiplier", NULL },
	};
	int n = cJSON_GetArraySize(arr);
	const cJSON *x;
	size_t i = 0;

	if (n < 1 || n > ENG_MAX_FLAGS) {
		scn_report(r, path, "%d flags; expected 1..%d", n, ENG_MAX_FLAGS);
		return;
	}
	s->sim.nflags = (uint32_t)n;
	cJSON_ArrayForEach(x, arr) {
		struct sim_flag_config *f = &s->sim.flags[i];
		char p[SCN_PATH_MAX];
		size_t effect = 0;

		scn_path_index(p, sizeof(p), path, i++);
		f->latency_multiplier = 1.0;
		if (!cJSON_IsObject(x)) {
			scn_report(r, p, "found %s, expected an object such as {\"name\": \"new-checkout\", \"effect\": \"none\"}",
				   scn_json_type_name(x));
			continue;
		}
		scn_get_choice(r, x, p, "effect", false, effects, &effect);
		scn_check_keys(r, x, p, keys[effect]);
		if (flag_name(r, x, p, f->name, sizeof(f->name)))
			for (size_t k = 0; k + 1 < i; k++)
				if (strcmp(s->sim.flags[k].name, f->name) == 0)
					scn_report(r, p, "name \"%s\" is used twice", f->name);
		if (effect == 1)
			scn_get_number(r, x, p, "error_rate", true,
				       (struct scn_range){ 0.0, 1.0, true }, &f->error_frac);
		if (effect == 2)
			scn_get_number(r, x, p, "latency_multiplier", true,
				       (struct scn_range){ 1.0, 1000.0, true },
				       &f->latency_multiplier);
	}
}

/* A flag's steps: [{"set_pct": P}, {"pause": {"duration_s": S}}, ...]. */
static void load_flag_steps(struct scn_reader *r, const cJSON *arr, const char *path,
			    struct eng_flag_config *f)
{
	static const char *const step_keys[] = { "set_pct", "pause", NULL };
	static const char *const pause_keys[] = { "duration_s", NULL };
	int n = cJSON_GetArraySize(arr);
	const cJSON *x;
	size_t i = 0;

	if (n < 1 || n > ENG_MAX_FLAG_STEPS) {
		scn_report(r, path, "%d steps; expected 1..%d", n, ENG_MAX_FLAG_STEPS);
		return;
	}
	f->nsteps = (size_t)n;
	cJSON_ArrayForEach(x, arr) {
		struct eng_step *st = &f->steps[i];
		char p[SCN_PATH_MAX], pp[SCN_PATH_MAX];
		const cJSON *pause;
		double dur_s = 0.0;

		scn_path_index(p, sizeof(p), path, i++);
		if (!cJSON_IsObject(x) || cJSON_GetArraySize(x) != 1) {
			scn_report(r, p, "expected exactly one of: set_pct, pause, as in {\"set_pct\": 10}");
			continue;
		}
		scn_check_keys(r, x, p, step_keys);
		if (cJSON_GetObjectItemCaseSensitive(x, "set_pct") != NULL) {
			st->kind = ENG_STEP_SET_WEIGHT;
			scn_get_number(r, x, p, "set_pct", true, (struct scn_range){ 0.0, 100.0, false },
				       &st->weight_pct);
			continue;
		}
		pause = scn_get_object(r, x, p, "pause", false);
		st->kind = ENG_STEP_PAUSE;
		if (pause == NULL)
			continue;
		scn_path_key(pp, sizeof(pp), p, "pause");
		scn_check_keys(r, pause, pp, pause_keys);
		if (scn_get_number(r, pause, pp, "duration_s", true,
				   (struct scn_range){ 0.0, 30 * 86400.0, false }, &dur_s))
			st->duration_ns = scn_s_to_ns(dur_s);
	}
}

/* Flagger's form for a flag: step_pct, 2 x step_pct, ... up to max_pct
 * (the last capped at it), each held interval_s; then 100%. */
static void load_flag_step_pct(struct scn_reader *r, const cJSON *obj, const char *path,
			       struct eng_flag_config *f)
{
	const struct scn_range pct = { 0.0, 100.0, true };
	double step = 0.0, max = 0.0, interval_s = 60.0;
	size_t n = 0;

	if (!scn_get_number(r, obj, path, "step_pct", true, pct, &step) ||
	    !scn_get_number(r, obj, path, "max_pct", true, pct, &max) ||
	    !scn_get_number(r, obj, path, "interval_s", false,
			    (struct scn_range){ 0.0, 86400.0, true }, &interval_s))
		return;
	if (step > max) {
		scn_report(r, path, "step_pct %g is above max_pct %g", step, max);
		return;
	}
	for (double w = step; n + 2 <= ENG_MAX_FLAG_STEPS; w += step) {
		f->steps[n++] = (struct eng_step){ .kind = ENG_STEP_SET_WEIGHT,
			.weight_pct = w < max ? w : max, .duration_ns = 0 };
		f->steps[n++] = (struct eng_step){ .kind = ENG_STEP_PAUSE, .weight_pct = 0.0,
			.duration_ns = scn_s_to_ns(interval_s) };
		if (w >= max)
			break;
	}
	if (f->steps[n - 2].weight_pct < max)
		scn_report(r, path, "max_pct %g needs more than %d steps of %g",
			   max, ENG_MAX_FLAG_STEPS / 2, step);
	f->nsteps = n;
}

/* A flag's analysis: its own interval, minimum sample, failure limit and
 * checks, judged on the on-group against the off-group. */
static void load_flag_analysis(struct scn_reader *r, const cJSON *obj, const char *path,
			       double window_s, struct eng_flag_config *f)
{
	static const char *const keys[] = {
		"interval_s", "min_requests", "failure_limit", "metrics", NULL
	};
	static const struct eng_scoring no_groups;
	double interval_s = window_s;
	uint64_t min_requests = DEFAULT_MIN_REQUESTS, limit = 0;
	const cJSON *arr, *m;
	char p[SCN_PATH_MAX];
	size_t i = 0;

	scn_check_keys(r, obj, path, keys);
	if (scn_get_number(r, obj, path, "interval_s", false,
			   (struct scn_range){ 0.001, 86400.0, false }, &interval_s) &&
	    (scn_s_to_ns(interval_s) < scn_s_to_ns(window_s) ||
	     scn_s_to_ns(interval_s) % scn_s_to_ns(window_s) != 0)) {
		scn_path_key(p, sizeof(p), path, "interval_s");
		scn_report(r, p, "%g is not a whole number of windows (run.window_s = %g)",
			   interval_s, window_s);
	}
	f->interval_ns = scn_s_to_ns(interval_s);
	scn_get_uint(r, obj, path, "min_requests", false, 0, UINT32_MAX, &min_requests);
	if (scn_get_uint(r, obj, path, "failure_limit", false, 0, 1000000, &limit))
		f->failure_limit = (uint32_t)limit;
	arr = scn_get_array(r, obj, path, "metrics", true);
	if (arr == NULL)
		return;
	scn_path_key(p, sizeof(p), path, "metrics");
	if (cJSON_GetArraySize(arr) > ENG_MAX_FLAG_CHECKS) {
		scn_report(r, p, "%d metrics; expected at most %d", cJSON_GetArraySize(arr),
			   ENG_MAX_FLAG_CHECKS);
		return;
	}
	cJSON_ArrayForEach(m, arr) {
		struct eng_check *c = &f->checks[i];
		char mp[SCN_PATH_MAX];

		scn_path_index(mp, sizeof(mp), p, i++);
		if (!cJSON_IsObject(m)) {
			scn_report(r, mp, "found %s, expected an object such as {\"metric\": \"error_rate\", \"baseline\": {\"max_increase\": 0.01}}",
				   scn_json_type_name(m));
			continue;
		}
		scn_load_check(r, m, mp, min_requests, &no_groups, c);
		if (c->judge == ENG_JUDGE_MSPRT || c->judge == ENG_JUDGE_MANN_WHITNEY)
			scn_report(r, mp, "a flag's check takes the proportions judge only; found %s",
				   c->judge == ENG_JUDGE_MSPRT ? "msprt" : "mann_whitney");
	}
	f->nchecks = i;
}

/* One of deployment.flags, into the flag of the same name. */
static void load_flag(struct scn_reader *r, const cJSON *obj, const char *path,
		      double window_s, struct scn_scenario *s, struct eng_flags_config *fc,
		      bool *seen)
{
	static const char *const keys[] = {
		"name", "steps", "step_pct", "max_pct", "interval_s", "analysis", NULL
	};
	char name[ENG_EVENT_NAME_MAX], p[SCN_PATH_MAX];
	const cJSON *j;
	uint32_t k;

	scn_check_keys(r, obj, path, keys);
	if (!flag_name(r, obj, path, name, sizeof(name)))
		return;
	for (k = 0; k < s->sim.nflags && strcmp(s->sim.flags[k].name, name) != 0; k++)
		;
	if (k == s->sim.nflags) {
		scn_report(r, path, "flag \"%s\" is not declared under versions.stable.flags", name);
		return;
	}
	if (seen[k]) {
		scn_report(r, path, "flag \"%s\" is given twice", name);
		return;
	}
	seen[k] = true;
	struct eng_flag_config *f = &fc->flag[k];

	snprintf(f->name, sizeof(f->name), "%s", name);
	f->interval_ns = scn_s_to_ns(window_s);
	f->failure_limit = 0;
	j = cJSON_GetObjectItemCaseSensitive(obj, "steps");
	if ((j != NULL) == (cJSON_GetObjectItemCaseSensitive(obj, "step_pct") != NULL ||
			    cJSON_GetObjectItemCaseSensitive(obj, "max_pct") != NULL)) {
		scn_report(r, path, "expected exactly one of: steps; step_pct with max_pct");
	} else if (j != NULL) {
		j = scn_get_array(r, obj, path, "steps", true);
		scn_path_key(p, sizeof(p), path, "steps");
		if (j != NULL)
			load_flag_steps(r, j, p, f);
	} else {
		load_flag_step_pct(r, obj, path, f);
	}
	if (j != NULL && cJSON_GetObjectItemCaseSensitive(obj, "interval_s") != NULL) {
		scn_path_key(p, sizeof(p), path, "interval_s");
		scn_report(r, p, "belongs to the step_pct form; with steps, pause between them");
	}
	j = scn_get_object(r, obj, path, "analysis", true);
	if (j != NULL) {
		scn_path_key(p, sizeof(p), path, "analysis");
		load_flag_analysis(r, j, p, window_s, f);
	}
}

void scn_load_flags(struct scn_reader *r, const cJSON *arr, const char *path,
		    double window_s, struct scn_scenario *s)
{
	struct eng_flags_config *fc = scn_own(s, calloc(1, sizeof(*fc)));
	bool seen[ENG_MAX_FLAGS] = { false };
	const cJSON *x;
	size_t i = 0;

	if (fc == NULL)
		return;
	s->rollout.flags = fc;
	fc->nflags = s->sim.nflags;
	if (s->sim.nflags == 0)
		scn_report(r, path, "no flag is declared; expected versions.stable.flags");
	cJSON_ArrayForEach(x, arr) {
		char p[SCN_PATH_MAX];

		scn_path_index(p, sizeof(p), path, i++);
		if (!cJSON_IsObject(x))
			scn_report(r, p, "found %s, expected an object such as {\"name\": \"new-checkout\", \"step_pct\": 10, \"max_pct\": 50, \"analysis\": {...}}",
				   scn_json_type_name(x));
		else
			load_flag(r, x, p, window_s, s, fc, seen);
	}
	for (uint32_t k = 0; k < s->sim.nflags; k++)
		if (!seen[k])
			scn_report(r, path, "flag \"%s\" of versions.stable.flags has no rollout; expected an entry with \"name\": \"%s\"",
				   s->sim.flags[k].name, s->sim.flags[k].name);
}
