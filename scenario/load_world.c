#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/csv_read.h"
#include "scenario/load.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The lognormal's two forms: median_ms and sigma, or two quantiles. */
static void load_lognormal(struct scn_reader *r, const cJSON *obj,
			   const char *path, struct sim_dist *d)
{
	static const char *const qkeys[] = {
		"p50_ms", "p90_ms", "p95_ms", "p99_ms", "p999_ms", NULL
	};
	static const double qs[] = { 0.5, 0.9, 0.95, 0.99, 0.999 };
	double v[2] = { 0, 0 }, q[2] = { 0, 0 };
	size_t n = 0;
	bool ok = true;

	for (size_t i = 0; qkeys[i] != NULL; i++) {
		if (cJSON_GetObjectItemCaseSensitive(obj, qkeys[i]) == NULL)
			continue;
		if (n < 2) {
			q[n] = qs[i];
			ok &= scn_get_number(r, obj, path, qkeys[i], true, scn_positive, &v[n]);
		}
		n++;
	}
	if (n == 0) {
		scn_get_number(r, obj, path, "median_ms", true, scn_positive, &d->median_ms);
		scn_get_number(r, obj, path, "sigma", true,
			       (struct scn_range){ 0.0, 10.0, false }, &d->sigma);
		return;
	}
	if (n != 2 || cJSON_GetObjectItemCaseSensitive(obj, "median_ms") ||
	    cJSON_GetObjectItemCaseSensitive(obj, "sigma")) {
		scn_report(r, path, "expected either median_ms and sigma, or exactly two of p50_ms, p90_ms, p95_ms, p99_ms, p999_ms");
		return;
	}
	if (ok && !(v[0] < v[1])) {
		scn_report(r, path, "the quantiles must grow: %g ms at p%g is not below %g ms at p%g",
			   v[0], 100 * q[0], v[1], 100 * q[1]);
		return;
	}
	if (ok)
		sim_dist_lognormal_from_quantiles(q[0], v[0], q[1], v[1], d);
}

static void load_empirical(struct scn_reader *r, const cJSON *obj,
			   const char *path, struct scn_scenario *s,
			   struct sim_dist *d)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, "samples_ms");
	const char *file = NULL;
	double *vals = NULL;
	size_t n = 0;
	char p[SCN_PATH_MAX];

	scn_get_string(r, obj, path, "file", false, &file);
	if ((arr != NULL) == (file != NULL)) {
		scn_report(r, path, "expected exactly one of samples_ms (an array of numbers) and file (a CSV of one column)");
		return;
	}
	if (file != NULL) {
		char full[8192];

		if (file[0] == '/' || s->dir[0] == '\0')
			snprintf(full, sizeof(full), "%s", file);
		else
			snprintf(full, sizeof(full), "%s/%s", s->dir, file);
		char where[SCN_PATH_MAX + 512];

		scn_path_key(p, sizeof(p), path, "file");
		snprintf(where, sizeof(where), "%s: %s", r->source, p);
		if (scn_csv_read_numbers(full, 1, where, r->diag, &vals, &n) != 0)
			return;
	} else {
		const cJSON *x;
		size_t i = 0;

		arr = scn_get_array(r, obj, path, "samples_ms", true);
		n = arr ? (size_t)cJSON_GetArraySize(arr) : 0;
		scn_path_key(p, sizeof(p), path, "samples_ms");
		if (arr == NULL || n == 0) {
			if (arr != NULL)
				scn_report(r, p, "empty; expected at least one sample");
			return;
		}
		vals = malloc(n * sizeof(*vals));
		if (vals == NULL) {
			s->oom = true;
			return;
		}
		cJSON_ArrayForEach(x, arr) {
			char xp[SCN_PATH_MAX];

			scn_path_index(xp, sizeof(xp), p, i);
			if (!cJSON_IsNumber(x) || !(x->valuedouble >= 0.0) ||
			    !isfinite(x->valuedouble))
				scn_report(r, xp, "found %s, expected a number of ms >= 0",
					   cJSON_IsNumber(x) ? "a negative number" :
					   scn_json_type_name(x));
			vals[i++] = cJSON_IsNumber(x) ? x->valuedouble : 0.0;
		}
	}
	for (size_t i = 0; i < n && file != NULL; i++) {
		if (!(vals[i] >= 0.0)) {
			scn_report(r, path, "%s data row %zu (a header row not counted): %g is negative; expected samples of ms >= 0",
				   file, i + 1, vals[i]);
			break;
		}
	}
	qsort(vals, n, sizeof(*vals), cmp_double);
	d->samples = scn_own(s, vals);
	d->nsamples = n;
}

static void load_service_time(struct scn_reader *r, const cJSON *obj,
			      const char *path, struct scn_scenario *s,
			      struct sim_dist *d, bool is_component);

static void load_mixture(struct scn_reader *r, const cJSON *obj,
			 const char *path, struct scn_scenario *s,
			 struct sim_dist *d)
{
	const cJSON *arr = scn_get_array(r, obj, path, "components", true);
	struct sim_dist *comps;
	double *cum, total = 0.0;
	const cJSON *c;
	size_t n, i = 0;
	char p[SCN_PATH_MAX];

	if (arr == NULL)
		return;
	scn_path_key(p, sizeof(p), path, "components");
	n = (size_t)cJSON_GetArraySize(arr);
	if (n == 0 || n > 16) {
		scn_report(r, p, "%zu components; expected 1..16", n);
		return;
	}
	comps = scn_own(s, calloc(n, sizeof(*comps)));
	cum = scn_own(s, calloc(n, sizeof(*cum)));
	if (comps == NULL || cum == NULL)
		return;
	cJSON_ArrayForEach(c, arr) {
		char cp[SCN_PATH_MAX];
		double w = 0.0;

		scn_path_index(cp, sizeof(cp), p, i);
		if (!cJSON_IsObject(c)) {
			scn_report(r, cp, "found %s, expected an object with a weight and a dist",
				   scn_json_type_name(c));
		} else {
			scn_get_number(r, c, cp, "weight", true, scn_positive, &w);
			load_service_time(r, c, cp, s, &comps[i], true);
		}
		total += w;
		cum[i++] = total;
	}
	for (i = 0; i < n && total > 0.0; i++)
		cum[i] /= total;
	cum[n - 1] = 1.0;
	d->components = comps;
	d->cum_weights = cum;
	d->ncomponents = n;
}

/* Reads one service-time distribution; is_component allows a "weight"
 * and forbids nesting a mixture. */
static void load_service_time(struct scn_reader *r, const cJSON *obj,
			      const char *path, struct scn_scenario *s,
			      struct sim_dist *d, bool is_component)
{
	static const char *const kinds[] = {
#define SIM_DIST_STR(name, str) str,
		SIM_DIST_LIST(SIM_DIST_STR)
#undef SIM_DIST_STR
		NULL
	};
	static const char *const keys[SIM_NDISTS][10] = {
		[SIM_DIST_CONSTANT] = { "dist", "weight", "value_ms" },
		[SIM_DIST_EXPONENTIAL] = { "dist", "weight", "mean_ms" },
		[SIM_DIST_LOGNORMAL] = { "dist", "weight", "median_ms", "sigma",
			"p50_ms", "p90_ms", "p95_ms", "p99_ms", "p999_ms" },
		[SIM_DIST_GAMMA] = { "dist", "weight", "shape", "scale_ms", "mean_ms" },
		[SIM_DIST_WEIBULL] = { "dist", "weight", "shape", "scale_ms" },
		[SIM_DIST_PARETO] = { "dist", "weight", "shape", "scale_ms" },
		[SIM_DIST_MIXTURE] = { "dist", "weight", "components" },
		[SIM_DIST_EMPIRICAL] = { "dist", "weight", "samples_ms", "file" },
	};
	const struct scn_range shape = { 0.0, 1000.0, true };
	size_t kind = d->kind;
	char p[SCN_PATH_MAX];

	if (!scn_get_choice(r, obj, path, "dist", true, kinds, &kind))
		return;
	memset(d, 0, sizeof(*d));
	d->kind = (enum sim_dist_kind)kind;
	scn_check_keys(r, obj, path, keys[kind]);
	if (!is_component && cJSON_GetObjectItemCaseSensitive(obj, "weight")) {
		scn_path_key(p, sizeof(p), path, "weight");
		scn_report(r, p, "only a mixture's component has a weight");
	}
	switch (d->kind) {
	case SIM_DIST_CONSTANT:
		scn_get_number(r, obj, path, "value_ms", true,
			       (struct scn_range){ 0.0, 1e9, false }, &d->value_ms);
		break;
	case SIM_DIST_EXPONENTIAL:
		scn_get_number(r, obj, path, "mean_ms", true, scn_positive, &d->mean_ms);
		break;
	case SIM_DIST_LOGNORMAL:
		load_lognormal(r, obj, path, d);
		break;
	case SIM_DIST_GAMMA: {
		double mean = 0.0;
		bool by_mean = cJSON_GetObjectItemCaseSensitive(obj, "mean_ms") != NULL;

		scn_get_number(r, obj, path, "shape", true, shape, &d->shape);
		if (by_mean == (cJSON_GetObjectItemCaseSensitive(obj, "scale_ms") != NULL)) {
			scn_report(r, path, "expected exactly one of scale_ms and mean_ms");
		} else if (by_mean) {
			if (scn_get_number(r, obj, path, "mean_ms", true, scn_positive, &mean) &&
			    d->shape > 0.0)
				d->scale_ms = mean / d->shape; /* mean = k theta */
		} else {
			scn_get_number(r, obj, path, "scale_ms", true, scn_positive,
				       &d->scale_ms);
		}
		break;
	}
	case SIM_DIST_WEIBULL:
	case SIM_DIST_PARETO:
		scn_get_number(r, obj, path, "shape", true, shape, &d->shape);
		scn_get_number(r, obj, path, "scale_ms", true, scn_positive, &d->scale_ms);
		break;
	case SIM_DIST_MIXTURE:
		if (is_component)
			scn_report(r, path, "a mixture's component cannot itself be a mixture");
		else
			load_mixture(r, obj, path, s, d);
		break;
	case SIM_DIST_EMPIRICAL:
		load_empirical(r, obj, path, s, d);
		break;
	case SIM_NDISTS:
		break;
	}
}

static void load_errors(struct scn_reader *r, const cJSON *obj,
			const char *path, struct sim_errors *e)
{
	static const char *const keys[] = {
		"model", "rate", "good_rate", "bad_rate", "p_enter_bad",
		"p_leave_bad", NULL
	};
	static const char *const models[] = { "bernoulli", "gilbert_elliott", NULL };
	size_t model = e->model;

	scn_check_keys(r, obj, path, keys);
	if (scn_get_choice(r, obj, path, "model", false, models, &model))
		e->model = (enum sim_error_model)model;
	if (e->model == SIM_ERRORS_BERNOULLI) {
		scn_get_number(r, obj, path, "rate", false, scn_fraction, &e->rate_frac);
		for (size_t i = 2; keys[i] != NULL; i++) {
			char p[SCN_PATH_MAX];

			if (cJSON_GetObjectItemCaseSensitive(obj, keys[i]) == NULL)
				continue;
			scn_path_key(p, sizeof(p), path, keys[i]);
			scn_report(r, p, "belongs to the gilbert_elliott model; set \"model\": \"gilbert_elliott\" or use \"rate\"");
		}
		return;
	}
	if (cJSON_GetObjectItemCaseSensitive(obj, "rate") != NULL) {
		char p[SCN_PATH_MAX];

		scn_path_key(p, sizeof(p), path, "rate");
		scn_report(r, p, "the gilbert_elliott model takes good_rate and bad_rate instead");
	}
	scn_get_number(r, obj, path, "good_rate", false, scn_fraction, &e->good_rate_frac);
	scn_get_number(r, obj, path, "bad_rate", false, scn_fraction, &e->bad_rate_frac);
	scn_get_number(r, obj, path, "p_enter_bad", false, scn_fraction, &e->p_enter_bad);
	scn_get_number(r, obj, path, "p_leave_bad", false, scn_fraction, &e->p_leave_bad);
}

static void load_resources(struct scn_reader *r, const cJSON *obj,
			   const char *path, struct sim_resources *res)
{
	static const char *const keys[] = {
		"cpu_cores", "cpu_ms_per_request", "cpu_busy_frac", "memory_base_mb",
		"memory_per_request_mb", "memory_leak_mb_per_s", "memory_limit_mb",
		"restart_delay_s", NULL
	};
	const struct scn_range amount = { 0.0, 1e9, false };

	scn_check_keys(r, obj, path, keys);
	scn_get_number(r, obj, path, "cpu_cores", false,
		       (struct scn_range){ 0.0, 1024.0, true }, &res->cpu_cores);
	scn_get_number(r, obj, path, "cpu_ms_per_request", false, amount,
		       &res->cpu_ms_per_request);
	scn_get_number(r, obj, path, "cpu_busy_frac", false, scn_fraction,
		       &res->cpu_busy_frac);
	scn_get_number(r, obj, path, "memory_base_mb", false, amount,
		       &res->memory_base_mb);
	scn_get_number(r, obj, path, "memory_per_request_mb", false, amount,
		       &res->memory_per_request_mb);
	scn_get_number(r, obj, path, "memory_leak_mb_per_s", false, amount,
		       &res->memory_leak_mb_per_s);
	scn_get_number(r, obj, path, "memory_limit_mb", false, amount,
		       &res->memory_limit_mb);
	scn_get_number(r, obj, path, "restart_delay_s", false,
		       (struct scn_range){ 0.0, 86400.0, false }, &res->restart_delay_s);
	if (res->memory_limit_mb > 0.0 && res->memory_limit_mb <= res->memory_base_mb)
		scn_report(r, path, "memory_limit_mb %g is not above memory_base_mb %g",
			   res->memory_limit_mb, res->memory_base_mb);
}

/* Looks up dependency names listed at obj.key into a bit mask. */
static void load_dependency_refs(struct scn_reader *r, const cJSON *obj,
				 const char *path, const struct sim_config *sim,
				 uint32_t *mask)
{
	const cJSON *arr = scn_get_array(r, obj, path, "dependencies", false);
	const cJSON *x;
	char p[SCN_PATH_MAX];
	size_t i = 0;

	if (arr == NULL)
		return;
	scn_path_key(p, sizeof(p), path, "dependencies");
	*mask = 0;
	cJSON_ArrayForEach(x, arr) {
		char xp[SCN_PATH_MAX];
		uint32_t d;

		scn_path_index(xp, sizeof(xp), p, i++);
		if (!cJSON_IsString(x)) {
			scn_report(r, xp, "found %s, expected a dependency's name",
				   scn_json_type_name(x));
			continue;
		}
		for (d = 0; d < sim->ndeps; d++)
			if (strcmp(sim->deps[d].name, x->valuestring) == 0)
				break;
		if (d == sim->ndeps)
			scn_report(r, xp, "\"%s\" is not a dependency declared under \"dependencies\"",
				   x->valuestring);
		else
			*mask |= 1u << d;
	}
}

/* Reads one version; the canary starts from a copy of the stable version,
 * so it only states what differs. */
void scn_load_version(struct scn_reader *r, const cJSON *obj,
		      const char *path, bool is_stable, struct scn_scenario *s,
		      struct sim_version_config *v)
{
	static const char *const keys[] = {
		"instances", "concurrency", "queue_limit", "timeout_ms",
		"ready_after_s", "slow_start", "service_time", "errors",
		"resources", "dependencies", "flags", NULL
	};
	static const char *const slow_keys[] = { "multiplier", "duration_s", NULL };
	char p[SCN_PATH_MAX];
	uint64_t u;
	const cJSON *j;

	scn_check_keys(r, obj, path, keys);
	u = v->instances;
	if (scn_get_uint(r, obj, path, "instances", is_stable, 1, 10000, &u))
		v->instances = (uint32_t)u;
	u = v->concurrency;
	if (scn_get_uint(r, obj, path, "concurrency", is_stable, 1, 100000, &u))
		v->concurrency = (uint32_t)u;
	u = v->queue_limit == SIM_UNBOUNDED_QUEUE ? 0 : v->queue_limit;
	if (cJSON_GetObjectItemCaseSensitive(obj, "queue_limit") != NULL &&
	    scn_get_uint(r, obj, path, "queue_limit", false, 0, 10000000, &u))
		v->queue_limit = (uint32_t)u;
	scn_get_number(r, obj, path, "timeout_ms", false,
		       (struct scn_range){ 0.0, 3.6e6, false }, &v->timeout_ms);
	scn_get_number(r, obj, path, "ready_after_s", false,
		       (struct scn_range){ 0.0, 86400.0, false }, &v->ready_after_s);
	j = scn_get_object(r, obj, path, "slow_start", false);
	if (j != NULL) {
		scn_path_key(p, sizeof(p), path, "slow_start");
		scn_check_keys(r, j, p, slow_keys);
		scn_get_number(r, j, p, "multiplier", true,
			       (struct scn_range){ 1.0, 1000.0, false },
			       &v->slow_start_multiplier);
		scn_get_number(r, j, p, "duration_s", true,
			       (struct scn_range){ 0.0, 86400.0, true }, &v->slow_start_s);
	}
	j = scn_get_object(r, obj, path, "service_time", is_stable);
	if (j != NULL) {
		scn_path_key(p, sizeof(p), path, "service_time");
		load_service_time(r, j, p, s, &v->service, false);
	}
	j = scn_get_object(r, obj, path, "errors", false);
	if (j != NULL) {
		scn_path_key(p, sizeof(p), path, "errors");
		load_errors(r, j, p, &v->errors);
	}
	j = scn_get_object(r, obj, path, "resources", false);
	if (j != NULL) {
		scn_path_key(p, sizeof(p), path, "resources");
		load_resources(r, j, p, &v->resources);
	}
	load_dependency_refs(r, obj, path, &s->sim, &v->dependencies);
	j = scn_get_array(r, obj, path, "flags", false);
	scn_path_key(p, sizeof(p), path, "flags");
	if (j != NULL && !is_stable)
		scn_report(r, p, "flags belong to the version that takes the traffic; declare them under versions.stable");
	else if (j != NULL)
		scn_load_flag_effects(r, j, p, s);
}

void scn_load_dependencies(struct scn_reader *r, const cJSON *arr,
			   struct scn_scenario *s)
{
	static const char *const keys[] = { "name", "latency", "errors", NULL };
	static const char *const error_keys[] = { "rate", NULL };
	const cJSON *d;
	size_t i = 0;

	if ((size_t)cJSON_GetArraySize(arr) > SIM_MAX_DEPENDENCIES) {
		scn_report(r, "dependencies", "%d dependencies; expected at most %d",
			   cJSON_GetArraySize(arr), SIM_MAX_DEPENDENCIES);
		return;
	}
	cJSON_ArrayForEach(d, arr) {
		struct sim_dependency_config *dc = &s->sim.deps[i];
		const char *name = NULL;
		const cJSON *j;
		char p[SCN_PATH_MAX], q[SCN_PATH_MAX];

		scn_path_index(p, sizeof(p), "dependencies", i++);
		if (!cJSON_IsObject(d)) {
			scn_report(r, p, "found %s, expected an object with a name and a latency",
				   scn_json_type_name(d));
			continue;
		}
		scn_check_keys(r, d, p, keys);
		if (scn_get_string(r, d, p, "name", true, &name) && name != NULL) {
			if (!scn_name_ok(name) || strlen(name) >= SIM_NAME_MAX)
				scn_report(r, p, "name \"%s\" is not valid; expected 1..%d of A-Z a-z 0-9 . _ -",
					   name, SIM_NAME_MAX - 1);
			for (size_t k = 0; k + 1 < i; k++)
				if (strcmp(s->sim.deps[k].name, name) == 0)
					scn_report(r, p, "name \"%s\" is used twice", name);
			snprintf(dc->name, sizeof(dc->name), "%s", name);
		}
		j = scn_get_object(r, d, p, "latency", true);
		if (j != NULL) {
			scn_path_key(q, sizeof(q), p, "latency");
			load_service_time(r, j, q, s, &dc->latency, false);
		}
		j = scn_get_object(r, d, p, "errors", false);
		if (j != NULL) {
			scn_path_key(q, sizeof(q), p, "errors");
			scn_check_keys(r, j, q, error_keys);
			scn_get_number(r, j, q, "rate", true, scn_fraction, &dc->error_frac);
		}
	}
	s->sim.ndeps = (uint32_t)i;
}

/* Reads [time, rate] rows of a trace, checking times grow. */
static void load_trace_file(struct scn_reader *r, const char *path,
			    const char *file, struct scn_scenario *s,
			    struct sim_traffic *t)
{
	char full[8192];
	double *rows, *times, *rates;
	size_t n;

	if (file[0] == '/' || s->dir[0] == '\0')
		snprintf(full, sizeof(full), "%s", file);
	else
		snprintf(full, sizeof(full), "%s/%s", s->dir, file);
	char where[SCN_PATH_MAX + 512];

	snprintf(where, sizeof(where), "%s: %s.file", r->source, path);
	if (scn_csv_read_numbers(full, 2, where, r->diag, &rows, &n) != 0)
		return;
	times = scn_own(s, malloc(n * sizeof(*times)));
	rates = scn_own(s, malloc(n * sizeof(*rates)));
	if (times == NULL || rates == NULL) {
		free(rows);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		times[i] = rows[2 * i];
		rates[i] = rows[2 * i + 1];
		if (i > 0 && !(times[i] > times[i - 1]))
			scn_report(r, path, "%s data row %zu (a header row not counted): time %g does not follow %g; expected growing times",
				   file, i + 1, times[i], times[i - 1]);
		if (!(rates[i] >= 0.0 && rates[i] <= 1e6))
			scn_report(r, path, "%s data row %zu (a header row not counted): rate %g is out of range 0..1e+06",
				   file, i + 1, rates[i]);
	}
	free(rows);
	t->times_s = times;
	t->rates_rps = rates;
	t->npoints = n;
}

void scn_load_traffic(struct scn_reader *r, const cJSON *obj,
		      struct scn_scenario *s)
{
	static const char *const profiles[] = {
#define SIM_PROFILE_STR(name, str) str,
		SIM_PROFILE_LIST(SIM_PROFILE_STR)
#undef SIM_PROFILE_STR
		NULL
	};
	static const char *const keys[SIM_NPROFILES][8] = {
		[SIM_PROFILE_CONSTANT] = { "profile", "rate_rps" },
		[SIM_PROFILE_STEP] = { "profile", "rate_rps", "steps" },
		[SIM_PROFILE_RAMP] = { "profile", "rate_rps", "to_rps", "start_s", "duration_s" },
		[SIM_PROFILE_DIURNAL] = { "profile", "rate_rps", "amplitude", "period_s", "phase_s" },
		[SIM_PROFILE_SPIKE] = { "profile", "rate_rps", "to_rps", "start_s", "duration_s" },
		[SIM_PROFILE_TRACE] = { "profile", "file" },
	};
	const struct scn_range rate = { 0.0, 1e6, false };
	const struct scn_range when = { 0.0, 1e9, false };
	const struct scn_range span = { 0.0, 1e9, true };
	struct sim_traffic *t = &s->sim.traffic;
	const char *path = "traffic", *file = NULL;
	size_t profile = SIM_PROFILE_CONSTANT;

	if (!scn_get_choice(r, obj, path, "profile", false, profiles, &profile))
		return;
	t->profile = (enum sim_profile)profile;
	scn_check_keys(r, obj, path, keys[profile]);
	if (t->profile != SIM_PROFILE_TRACE)
		scn_get_number(r, obj, path, "rate_rps", true, rate, &t->rate_rps);
	switch (t->profile) {
	case SIM_PROFILE_CONSTANT:
		break;
	case SIM_PROFILE_STEP: {
		static const char *const step_keys[] = { "at_s", "rate_rps", NULL };
		const cJSON *arr = scn_get_array(r, obj, path, "steps", true), *x;
		size_t n = arr ? (size_t)cJSON_GetArraySize(arr) : 0, i = 0;
		double *times, *rates;

		if (arr == NULL || n == 0) {
			if (arr != NULL)
				scn_report(r, "traffic.steps", "empty; expected at least one {\"at_s\", \"rate_rps\"}");
			break;
		}
		times = scn_own(s, calloc(n, sizeof(*times)));
		rates = scn_own(s, calloc(n, sizeof(*rates)));
		if (times == NULL || rates == NULL)
			break;
		cJSON_ArrayForEach(x, arr) {
			char p[SCN_PATH_MAX];

			scn_path_index(p, sizeof(p), "traffic.steps", i);
			if (!cJSON_IsObject(x)) {
				scn_report(r, p, "found %s, expected an object such as {\"at_s\": 600, \"rate_rps\": 400}",
					   scn_json_type_name(x));
			} else {
				scn_check_keys(r, x, p, step_keys);
				scn_get_number(r, x, p, "at_s", true, when, &times[i]);
				scn_get_number(r, x, p, "rate_rps", true, rate, &rates[i]);
				if (i > 0 && !(times[i] > times[i - 1]))
					scn_report(r, p, "at_s %g does not follow %g; expected growing times",
						   times[i], times[i - 1]);
			}
			i++;
		}
		t->times_s = times;
		t->rates_rps = rates;
		t->npoints = n;
		break;
	}
	case SIM_PROFILE_RAMP:
	case SIM_PROFILE_SPIKE:
		scn_get_number(r, obj, path, "to_rps", true, rate, &t->to_rps);
		scn_get_number(r, obj, path, "start_s", false, when, &t->start_s);
		scn_get_number(r, obj, path, "duration_s", true, span, &t->duration_s);
		break;
	case SIM_PROFILE_DIURNAL:
		t->period_s = 86400.0;
		scn_get_number(r, obj, path, "amplitude", true, scn_fraction,
			       &t->amplitude_frac);
		scn_get_number(r, obj, path, "period_s", false, span, &t->period_s);
		scn_get_number(r, obj, path, "phase_s", false, when, &t->phase_s);
		break;
	case SIM_PROFILE_TRACE:
		if (scn_get_string(r, obj, path, "file", true, &file) && file != NULL)
			load_trace_file(r, path, file, s, t);
		break;
	case SIM_NPROFILES:
		break;
	}
}

/* How the simulated smoke tests go: the attempt each passes on. */
void scn_load_smoke_results(struct scn_reader *r, const cJSON *obj,
			    struct sim_config *sim)
{
	const cJSON *x;
	uint32_t i = 0;

	if (cJSON_GetArraySize(obj) > SIM_MAX_SMOKE_TESTS) {
		scn_report(r, "smoke_results", "%d tests; expected at most %d",
			   cJSON_GetArraySize(obj), SIM_MAX_SMOKE_TESTS);
		return;
	}
	cJSON_ArrayForEach(x, obj) {
		char p[SCN_PATH_MAX];

		scn_path_key(p, sizeof(p), "smoke_results", x->string);
		if (!cJSON_IsNumber(x) || x->valuedouble != floor(x->valuedouble) ||
		    x->valuedouble < 0 || x->valuedouble > 101) {
			scn_report(r, p, "found %s, expected the attempt it passes on (1, 2, ...; 0: never)",
				   cJSON_IsNumber(x) ? "a number out of range" : scn_json_type_name(x));
			continue;
		}
		snprintf(sim->smoke[i].name, sizeof(sim->smoke[i].name), "%s", x->string);
		sim->smoke[i++].passes_on = (uint32_t)x->valuedouble;
	}
	sim->nsmoke = i;
}

/* The simulated humans: who approves which gate when. */
void scn_load_approvals(struct scn_reader *r, const cJSON *arr,
			struct sim_config *sim)
{
	static const char *const keys[] = { "gate", "at_s", NULL };
	const cJSON *x;
	uint32_t i = 0;

	if (cJSON_GetArraySize(arr) > SIM_MAX_APPROVALS) {
		scn_report(r, "approvals", "%d approvals; expected at most %d",
			   cJSON_GetArraySize(arr), SIM_MAX_APPROVALS);
		return;
	}
	cJSON_ArrayForEach(x, arr) {
		struct sim_approval *a = &sim->approvals[i];
		const char *gate = NULL;
		double at_s = 0.0;
		char p[SCN_PATH_MAX];

		scn_path_index(p, sizeof(p), "approvals", i++);
		if (!cJSON_IsObject(x)) {
			scn_report(r, p, "found %s, expected an object such as {\"gate\": \"qa\", \"at_s\": 300}",
				   scn_json_type_name(x));
			continue;
		}
		scn_check_keys(r, x, p, keys);
		if (scn_get_string(r, x, p, "gate", true, &gate) && gate != NULL)
			snprintf(a->gate, sizeof(a->gate), "%s", gate);
		if (scn_get_number(r, x, p, "at_s", true,
				   (struct scn_range){ 0.0, 30 * 86400.0, false }, &at_s))
			a->at_ns = scn_s_to_ns(at_s);
	}
	sim->napprovals = i;
}


void scn_load_operator(struct scn_reader *r, const cJSON *arr, struct sim_config *sim)
{
	static const char *const keys[] = { "at_s", "command", NULL };
	static const char *const commands[] = { "abort", "retry", NULL };
	static const enum eng_command ids[] = { ENG_CMD_ABORT, ENG_CMD_RETRY };
	const cJSON *x;
	uint32_t i = 0;

	if (cJSON_GetArraySize(arr) > SIM_MAX_COMMANDS) {
		scn_report(r, "operator", "%d commands; expected at most %d",
			   cJSON_GetArraySize(arr), SIM_MAX_COMMANDS);
		return;
	}
	cJSON_ArrayForEach(x, arr) {
		struct sim_command *c = &sim->commands[i];
		double at_s = 0.0;
		size_t k = 0;
		char p[SCN_PATH_MAX];

		scn_path_index(p, sizeof(p), "operator", i++);
		if (!cJSON_IsObject(x)) {
			scn_report(r, p, "found %s, expected an object such as {\"at_s\": 40, \"command\": \"abort\"}",
				   scn_json_type_name(x));
			continue;
		}
		scn_check_keys(r, x, p, keys);
		if (scn_get_choice(r, x, p, "command", true, commands, &k))
			c->command = ids[k];
		if (scn_get_number(r, x, p, "at_s", true,
				   (struct scn_range){ 0.0, 30 * 86400.0, false }, &at_s)) {
			c->at_ns = scn_s_to_ns(at_s);
			if (i > 1 && c->at_ns <= sim->commands[i - 2].at_ns)
				scn_report(r, p, "at_s %g is not after the previous command's; expected commands in time order",
					   at_s);
		}
	}
	sim->ncommands = i;
}

/* The keys each fault kind takes besides the common ones. */
static const char *const fault_kind_keys[SIM_NFAULT_KINDS][4] = {
	[SIM_FAULT_LATENCY] = { "delay_ms", "jitter_ms", "correlation", "multiplier" },
	[SIM_FAULT_ERRORS] = { "error_rate" },
	[SIM_FAULT_ABORT] = { NULL },
	[SIM_FAULT_CRASH] = { "instances" },
	[SIM_FAULT_CPU_HOG] = { "instances", "share" },
	[SIM_FAULT_DEPENDENCY] = { "dependency", "error_rate", "delay_ms" },
	[SIM_FAULT_TRAFFIC_SPIKE] = { "factor" },
	[SIM_FAULT_METRICS_DOWN] = { NULL },
	[SIM_FAULT_METRICS_NAN] = { NULL },
	[SIM_FAULT_METRICS_STALE] = { NULL },
	[SIM_FAULT_METRICS_LAG] = { "lag_s" },
	[SIM_FAULT_ACTUATION_DELAY] = { "delay_s" },
	[SIM_FAULT_ACTUATION_FAIL] = { NULL },
	[SIM_FAULT_ERROR_BURST] = { "error_rate", "burst_s", "every_s" },
	[SIM_FAULT_CRASH_LOOP] = { "instances", "down_s", "every_s" },
	[SIM_FAULT_MEMORY_LEAK] = { "instances", "leak_mb_per_s" },
	[SIM_FAULT_PARTITION] = { "instances" },
	[SIM_FAULT_SLOW_START] = { "multiplier" },
};

/* Checks obj's keys: the common ones, target and probability where they
 * apply, and the kind's own. */
static void check_fault_keys(struct scn_reader *r, const cJSON *obj, const char *path,
			     enum sim_fault_kind k)
{
	const char *keys[16] = { "name", "kind", "start", "duration_s", "ramp_s" };
	size_t n = 5;
	bool on_versions = k == SIM_FAULT_LATENCY || k == SIM_FAULT_ERRORS ||
			   k == SIM_FAULT_ABORT || k == SIM_FAULT_CRASH || k == SIM_FAULT_CPU_HOG ||
			   k == SIM_FAULT_ERROR_BURST || k == SIM_FAULT_CRASH_LOOP ||
			   k == SIM_FAULT_MEMORY_LEAK || k == SIM_FAULT_PARTITION ||
			   k == SIM_FAULT_SLOW_START;

	if (on_versions)
		keys[n++] = "target";
	if (k == SIM_FAULT_LATENCY || k == SIM_FAULT_ERRORS || k == SIM_FAULT_ABORT ||
	    k == SIM_FAULT_ERROR_BURST)
		keys[n++] = "probability";
	for (size_t i = 0; i < 4 && fault_kind_keys[k][i] != NULL; i++)
		keys[n++] = fault_kind_keys[k][i];
	keys[n] = NULL;
	scn_check_keys(r, obj, path, keys);
}

/* Whether a ramp changes what fault kind k does: the faults whose effect
 * is a level (sim_fault_level) ramp; an instance fault acts at its start
 * and end, a control-plane fault is on or off, and a slow start fades by
 * its own rule. */
static bool kind_ramps(enum sim_fault_kind k)
{
	return k == SIM_FAULT_LATENCY || k == SIM_FAULT_ERRORS || k == SIM_FAULT_ABORT ||
	       k == SIM_FAULT_ERROR_BURST || k == SIM_FAULT_DEPENDENCY ||
	       k == SIM_FAULT_TRAFFIC_SPIKE;
}

/* start: {"at_s": T} | {"step": N} | {"on": "promotion" | "rollback"},
 * the moments with an optional "after_s". */
static void load_fault_start(struct scn_reader *r, const cJSON *obj, const char *path,
			     struct sim_fault *f)
{
	static const char *const keys[] = { "at_s", "step", "on", "after_s", NULL };
	static const char *const moments[] = { "promotion", "rollback", NULL };
	const cJSON *st = scn_get_object(r, obj, path, "start", true);
	const struct scn_range span = { 0.0, 30 * 86400.0, false };
	double at_s = 0.0, after_s = 0.0;
	uint64_t step = 1;
	size_t m = 0, given = 0;
	char p[SCN_PATH_MAX];

	if (st == NULL)
		return;
	scn_path_key(p, sizeof(p), path, "start");
	scn_check_keys(r, st, p, keys);
	given = (cJSON_GetObjectItemCaseSensitive(st, "at_s") != NULL) +
		(cJSON_GetObjectItemCaseSensitive(st, "step") != NULL) +
		(cJSON_GetObjectItemCaseSensitive(st, "on") != NULL);
	if (given != 1) {
		scn_report(r, p, "expected one of \"at_s\", \"step\" or \"on\"");
		return;
	}
	if (cJSON_GetObjectItemCaseSensitive(st, "at_s") != NULL) {
		f->start = SIM_START_AT;
		if (scn_get_number(r, st, p, "at_s", true, span, &at_s))
			f->at_ns = scn_s_to_ns(at_s);
		if (cJSON_GetObjectItemCaseSensitive(st, "after_s") != NULL)
			scn_report(r, p, "\"after_s\" goes with \"step\" or \"on\", not \"at_s\"");
		return;
	}
	if (cJSON_GetObjectItemCaseSensitive(st, "step") != NULL) {
		f->start = SIM_START_STEP;
		if (scn_get_uint(r, st, p, "step", true, 1, 1000, &step))
			f->step = (uint32_t)step;
	} else if (scn_get_choice(r, st, p, "on", true, moments, &m)) {
		f->start = m == 0 ? SIM_START_PROMOTION : SIM_START_ROLLBACK;
	}
	if (scn_get_number(r, st, p, "after_s", false, span, &after_s))
		f->delay_after_ns = scn_s_to_ns(after_s);
}

/* instances: "all" (the default), {"count": N} or {"percent": P}. */
static void load_fault_instances(struct scn_reader *r, const cJSON *obj, const char *path,
				 struct sim_fault *f)
{
	static const char *const keys[] = { "count", "percent", NULL };
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, "instances");
	uint64_t count = 0;
	char p[SCN_PATH_MAX];

	if (j == NULL || (cJSON_IsString(j) && strcmp(j->valuestring, "all") == 0))
		return;
	scn_path_key(p, sizeof(p), path, "instances");
	if (!cJSON_IsObject(j)) {
		scn_report(r, p, "found %s, expected \"all\", {\"count\": N} or {\"percent\": P}",
			   scn_json_type_name(j));
		return;
	}
	scn_check_keys(r, j, p, keys);
	if ((cJSON_GetObjectItemCaseSensitive(j, "count") != NULL) ==
	    (cJSON_GetObjectItemCaseSensitive(j, "percent") != NULL)) {
		scn_report(r, p, "expected exactly one of count or percent");
		return;
	}
	if (scn_get_uint(r, j, p, "count", false, 1, 10000, &count))
		f->count = (uint32_t)count;
	scn_get_number(r, j, p, "percent", false, (struct scn_range){ 0.0, 100.0, true },
		       &f->percent);
}

/* every_s and the on-part (burst_s or down_s) of a periodic fault: both
 * required, the part shorter than the period. */
static void load_period(struct scn_reader *r, const cJSON *obj, const char *path,
			const char *part_key, struct sim_fault *f)
{
	const struct scn_range span = { 0.0, 86400.0, true };
	double every = 0.0, part = 0.0;

	if (scn_get_number(r, obj, path, "every_s", true, span, &every))
		f->every_ns = scn_s_to_ns(every);
	if (scn_get_number(r, obj, path, part_key, true, span, &part))
		f->burst_ns = scn_s_to_ns(part);
	if (every > 0.0 && part >= every)
		scn_report(r, path, "%s %g is not shorter than every_s %g", part_key, part, every);
}

/* The kind's own values, with their ranges. */
static void load_fault_values(struct scn_reader *r, const cJSON *obj, const char *path,
			      const struct sim_config *sim, struct sim_fault *f)
{
	const struct scn_range ms = { 0.0, 3600e3, false }, span = { 0.0, 86400.0, false };
	const char *dep = NULL;
	double s = 0.0;
	char p[SCN_PATH_MAX];

	switch (f->kind) {
	case SIM_FAULT_LATENCY:
		scn_get_number(r, obj, path, "delay_ms", false, ms, &f->delay_ms);
		scn_get_number(r, obj, path, "jitter_ms", false, ms, &f->jitter_ms);
		scn_get_number(r, obj, path, "correlation", false, scn_fraction, &f->correlation);
		scn_get_number(r, obj, path, "multiplier", false,
			       (struct scn_range){ 0.0, 1000.0, true }, &f->multiplier);
		if (f->delay_ms == 0.0 && f->multiplier == 1.0)
			scn_report(r, path, "no effect; expected \"delay_ms\", \"multiplier\" or both");
		if (f->jitter_ms > f->delay_ms)
			scn_report(r, path, "jitter_ms %g is above delay_ms %g; expected at most the delay",
				   f->jitter_ms, f->delay_ms);
		if (f->correlation > 0.0 && f->jitter_ms == 0.0)
			scn_report(r, path, "correlation %g without jitter_ms; expected a jitter to correlate",
				   f->correlation);
		break;
	case SIM_FAULT_ERRORS:
		scn_get_number(r, obj, path, "error_rate", true, scn_fraction, &f->error_frac);
		break;
	case SIM_FAULT_CPU_HOG:
		scn_get_number(r, obj, path, "share", true, (struct scn_range){ 0.0, 0.99, true },
			       &f->share_frac);
		load_fault_instances(r, obj, path, f);
		break;
	case SIM_FAULT_CRASH:
		load_fault_instances(r, obj, path, f);
		break;
	case SIM_FAULT_DEPENDENCY:
		f->target = SIM_TARGET_DEPENDENCY;
		scn_get_number(r, obj, path, "error_rate", false, scn_fraction, &f->error_frac);
		scn_get_number(r, obj, path, "delay_ms", false, ms, &f->delay_ms);
		if (f->error_frac == 0.0 && f->delay_ms == 0.0)
			scn_report(r, path, "no effect; expected \"error_rate\", \"delay_ms\" or both");
		if (!scn_get_string(r, obj, path, "dependency", true, &dep) || dep == NULL)
			break;
		for (f->dependency = 0; f->dependency < sim->ndeps; f->dependency++)
			if (strcmp(sim->deps[f->dependency].name, dep) == 0)
				break;
		scn_path_key(p, sizeof(p), path, "dependency");
		if (f->dependency == sim->ndeps)
			scn_report(r, p, "\"%s\" is not one of the scenario's dependencies", dep);
		break;
	case SIM_FAULT_TRAFFIC_SPIKE:
		f->target = SIM_TARGET_ALL;
		scn_get_number(r, obj, path, "factor", true, (struct scn_range){ 0.0, 100.0, false },
			       &f->factor);
		break;
	case SIM_FAULT_METRICS_LAG:
		if (scn_get_number(r, obj, path, "lag_s", true, span, &s))
			f->lag_ns = scn_s_to_ns(s);
		break;
	case SIM_FAULT_ACTUATION_DELAY:
		if (scn_get_number(r, obj, path, "delay_s", true, span, &s))
			f->actuation_delay_ns = scn_s_to_ns(s);
		break;
	case SIM_FAULT_ERROR_BURST:
		scn_get_number(r, obj, path, "error_rate", true, scn_fraction, &f->error_frac);
		load_period(r, obj, path, "burst_s", f);
		break;
	case SIM_FAULT_CRASH_LOOP:
		load_fault_instances(r, obj, path, f);
		load_period(r, obj, path, "down_s", f);
		break;
	case SIM_FAULT_MEMORY_LEAK:
		load_fault_instances(r, obj, path, f);
		scn_get_number(r, obj, path, "leak_mb_per_s", true,
			       (struct scn_range){ 0.0, 1e6, true }, &f->leak_mb_per_s);
		break;
	case SIM_FAULT_PARTITION:
		load_fault_instances(r, obj, path, f);
		break;
	case SIM_FAULT_SLOW_START:
		scn_get_number(r, obj, path, "multiplier", true,
			       (struct scn_range){ 1.0, 1000.0, true }, &f->multiplier);
		break;
	case SIM_FAULT_ABORT:
	case SIM_FAULT_METRICS_DOWN:
	case SIM_FAULT_METRICS_NAN:
	case SIM_FAULT_METRICS_STALE:
	case SIM_FAULT_ACTUATION_FAIL:
	case SIM_NFAULT_KINDS:
		break;
	}
}

static void load_fault(struct scn_reader *r, const cJSON *obj, const char *path,
		       const struct sim_config *sim, struct sim_fault *f)
{
	static const char *const kinds[] = {
#define SIM_FAULT_STR(name, str) str,
		SIM_FAULT_LIST(SIM_FAULT_STR)
#undef SIM_FAULT_STR
		NULL
	};
	static const char *const targets[] = { "canary", "stable", "all", NULL };
	const struct scn_range span = { 0.0, 30 * 86400.0, false };
	double duration_s = 0.0, ramp_s = 0.0;
	const char *name = NULL;
	size_t kind = 0, target = 0;

	memset(f, 0, sizeof(*f));
	f->multiplier = 1.0;
	f->probability = 1.0;
	if (!scn_get_choice(r, obj, path, "kind", true, kinds, &kind))
		return;
	f->kind = (enum sim_fault_kind)kind;
	check_fault_keys(r, obj, path, f->kind);
	name = kinds[kind];
	scn_get_string(r, obj, path, "name", false, &name);
	eng_copy_text(f->name, sizeof(f->name), name);
	f->target = SIM_TARGET_CANARY;
	if (scn_get_choice(r, obj, path, "target", false, targets, &target))
		f->target = (enum sim_fault_target)target;
	if (sim_fault_is_control_plane(f->kind))
		f->target = SIM_TARGET_ALL;
	scn_get_number(r, obj, path, "probability", false, scn_fraction, &f->probability);
	load_fault_start(r, obj, path, f);
	if (scn_get_number(r, obj, path, "duration_s", true,
			   (struct scn_range){ 0.0, 30 * 86400.0, true }, &duration_s))
		f->duration_ns = scn_s_to_ns(duration_s);
	if (cJSON_GetObjectItemCaseSensitive(obj, "ramp_s") != NULL && !kind_ramps(f->kind)) {
		char p[SCN_PATH_MAX];

		scn_path_key(p, sizeof(p), path, "ramp_s");
		scn_report(r, p, "a %s fault does not ramp (it %s); expected ramp_s only on latency, errors, abort, error_burst, dependency or traffic_spike",
			   kinds[kind], f->kind == SIM_FAULT_SLOW_START ? "fades over its duration" :
			   sim_fault_is_control_plane(f->kind) ? "is on or off" :
			   "acts on its instances at its start and end");
	} else if (scn_get_number(r, obj, path, "ramp_s", false, span, &ramp_s)) {
		f->ramp_ns = scn_s_to_ns(ramp_s);
		if (ramp_s > duration_s)
			scn_report(r, path, "ramp_s %g is longer than duration_s %g; expected at most the duration",
				   ramp_s, duration_s);
	}
	load_fault_values(r, obj, path, sim, f);
}

void scn_check_fault_steps(struct scn_reader *r, const struct scn_scenario *s)
{
	enum eng_strategy st = s->rollout.strategy;
	bool stepless = st == ENG_STRATEGY_BLUEGREEN || st == ENG_STRATEGY_FLAGS;

	if (!stepless && s->rollout.nsteps == 0)
		return; /* the steps did not load: reported already */
	for (uint32_t i = 0; i < s->sim.nfaults; i++) {
		const struct sim_fault *f = &s->sim.faults[i];
		char p[SCN_PATH_MAX];

		if (f->start != SIM_START_STEP || (!stepless && f->step <= s->rollout.nsteps))
			continue;
		snprintf(p, sizeof(p), "faults[%" PRIu32 "].start.step", i);
		if (stepless)
			scn_report(r, p, "the %s strategy has no steps, so the fault would never start; expected \"at_s\" or \"on\"",
				   eng_strategy_name(st));
		else
			scn_report(r, p, "%" PRIu32 " is beyond the deployment's %zu steps, so the fault would never start; expected 1..%zu",
				   f->step, s->rollout.nsteps, s->rollout.nsteps);
	}
}

void scn_load_faults(struct scn_reader *r, const cJSON *arr, struct sim_config *sim)
{
	const cJSON *x;
	uint32_t i = 0;

	if (cJSON_GetArraySize(arr) > SIM_MAX_FAULTS) {
		scn_report(r, "faults", "%d faults; expected at most %d",
			   cJSON_GetArraySize(arr), SIM_MAX_FAULTS);
		return;
	}
	cJSON_ArrayForEach(x, arr) {
		char p[SCN_PATH_MAX];

		scn_path_index(p, sizeof(p), "faults", i);
		if (!cJSON_IsObject(x))
			scn_report(r, p, "found %s, expected an object such as {\"kind\": \"latency\", \"delay_ms\": 100, \"start\": {\"at_s\": 30}, \"duration_s\": 60}",
				   scn_json_type_name(x));
		else
			load_fault(r, x, p, sim, &sim->faults[i]);
		i++;
	}
	sim->nfaults = i;
}
