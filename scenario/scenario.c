#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/csv_read.h"
#include "scenario/json_read.h"
#include "scenario/scenario.h"

#define MAX_SCENARIO_BYTES (16u << 20)
#define MAX_STEPS 1000
#define MAX_CHECKS ENG_MAX_CHECKS

/* Defaults, documented in docs/scenario-format.md. */
#define DEFAULT_SEED 1
#define DEFAULT_WINDOW_S 10.0
#define DEFAULT_OBSERVE_AFTER_S 60.0
#define DEFAULT_MIN_REQUESTS 20
#define DEFAULT_CONSECUTIVE_ERRORS 4  /* Argo Rollouts' consecutiveErrorLimit */
#define DEFAULT_DEADLINE_S 3600.0
#define DEFAULT_AVAILABILITY 0.99
#define DEFAULT_LATENCY_MS 1000.0
#define DEFAULT_LATENCY_QUANTILE 0.99

static const struct scn_range positive = { 0.0, 1e12, true };
static const struct scn_range fraction = { 0.0, 1.0, false };

const char *scn_strerror(enum scn_status st)
{
	switch (st) {
#define SCN_STATUS_CASE(name, msg) \
	case name:                 \
		return msg;
		SCN_STATUS_LIST(SCN_STATUS_CASE)
#undef SCN_STATUS_CASE
	}
	return "unknown scenario status";
}

static int64_t s_to_ns(double s)
{
	return (int64_t)llround(s * 1e9);
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= SCN_NAME_MAX || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* The default name: the source's base name without ".json". */
static void name_from_source(const char *source, char *buf, size_t n)
{
	const char *base = strrchr(source, '/');
	size_t len;

	base = base ? base + 1 : source;
	len = strlen(base);
	if (len > 5 && strcmp(base + len - 5, ".json") == 0)
		len -= 5;
	if (len >= n)
		len = n - 1;
	memcpy(buf, base, len);
	buf[len] = '\0';
}

/* Registers p (may be NULL) as owned by s; returns p, or NULL when p was
 * NULL or could not be registered (then p is freed and s->oom is set). */
static void *own(struct scn_scenario *s, void *p)
{
	if (p == NULL) {
		s->oom = true;
		return NULL;
	}
	if (s->nowned == s->capowned) {
		size_t cap = s->capowned ? s->capowned * 2 : 8;
		void **q = realloc(s->owned, cap * sizeof(*q));

		if (q == NULL) {
			free(p);
			s->oom = true;
			return NULL;
		}
		s->owned = q;
		s->capowned = cap;
	}
	s->owned[s->nowned++] = p;
	return p;
}

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
			ok &= scn_get_number(r, obj, path, qkeys[i], true, positive, &v[n]);
		}
		n++;
	}
	if (n == 0) {
		scn_get_number(r, obj, path, "median_ms", true, positive, &d->median_ms);
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
	d->samples = own(s, vals);
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
	comps = own(s, calloc(n, sizeof(*comps)));
	cum = own(s, calloc(n, sizeof(*cum)));
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
			scn_get_number(r, c, cp, "weight", true, positive, &w);
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
		scn_get_number(r, obj, path, "mean_ms", true, positive, &d->mean_ms);
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
			if (scn_get_number(r, obj, path, "mean_ms", true, positive, &mean) &&
			    d->shape > 0.0)
				d->scale_ms = mean / d->shape; /* mean = k theta */
		} else {
			scn_get_number(r, obj, path, "scale_ms", true, positive,
				       &d->scale_ms);
		}
		break;
	}
	case SIM_DIST_WEIBULL:
	case SIM_DIST_PARETO:
		scn_get_number(r, obj, path, "shape", true, shape, &d->shape);
		scn_get_number(r, obj, path, "scale_ms", true, positive, &d->scale_ms);
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
		scn_get_number(r, obj, path, "rate", false, fraction, &e->rate_frac);
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
	scn_get_number(r, obj, path, "good_rate", false, fraction, &e->good_rate_frac);
	scn_get_number(r, obj, path, "bad_rate", false, fraction, &e->bad_rate_frac);
	scn_get_number(r, obj, path, "p_enter_bad", false, fraction, &e->p_enter_bad);
	scn_get_number(r, obj, path, "p_leave_bad", false, fraction, &e->p_leave_bad);
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
	scn_get_number(r, obj, path, "cpu_busy_frac", false, fraction,
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
static void load_version(struct scn_reader *r, const cJSON *obj,
			 const char *path, bool is_stable, struct scn_scenario *s,
			 struct sim_version_config *v)
{
	static const char *const keys[] = {
		"instances", "concurrency", "queue_limit", "timeout_ms",
		"ready_after_s", "slow_start", "service_time", "errors",
		"resources", "dependencies", NULL
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
}

static void load_dependencies(struct scn_reader *r, const cJSON *arr,
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
			if (!name_ok(name) || strlen(name) >= SIM_NAME_MAX)
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
			scn_get_number(r, j, q, "rate", true, fraction, &dc->error_frac);
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
	times = own(s, malloc(n * sizeof(*times)));
	rates = own(s, malloc(n * sizeof(*rates)));
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

static void load_traffic(struct scn_reader *r, const cJSON *obj,
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
		times = own(s, calloc(n, sizeof(*times)));
		rates = own(s, calloc(n, sizeof(*rates)));
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
		scn_get_number(r, obj, path, "amplitude", true, fraction,
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
				if (!name_ok(gate) || strlen(gate) >= sizeof(st->gate))
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
			st->duration_ns = s_to_ns(dur_s);
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
		range = fraction;
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
	    (s_to_ns(interval_s) < s_to_ns(window_s) ||
	     s_to_ns(interval_s) % s_to_ns(window_s) != 0)) {
		/* Analysis judges whole windows: an interval between two
		 * multiples would leave windows unjudged at uneven times. */
		scn_path_key(p, sizeof(p), path, "interval_s");
		scn_report(r, p, "%g is not a whole number of windows (run.window_s = %g); expected %g, %g, %g, ...",
			   interval_s, window_s, window_s, 2 * window_s, 3 * window_s);
	}
	a->interval_ns = s_to_ns(interval_s);
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

static void load_trigger(struct scn_reader *r, const cJSON *obj, const char *path,
			 struct eng_trigger *tr)
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
					      "for_s", "cooldown_s" },
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
		tr->for_ns = s_to_ns(for_s);
	if (scn_get_number(r, obj, path, "cooldown_s", false, span, &cooldown_s))
		tr->cooldown_ns = s_to_ns(cooldown_s);
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
	rb->interval_ns = s_to_ns(interval_s);
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
	t = own(s, calloc(n, sizeof(*t)));
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
				if (!name_ok(name) || strlen(name) >= sizeof(t[i].name))
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

/* How the simulated smoke tests go: the attempt each passes on. */
static void load_smoke_results(struct scn_reader *r, const cJSON *obj,
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

/* The error budget: the SLO is the scenario's (slo.availability); the
 * history before the start is the traffic's rate over the period with
 * spent_frac of the budget already used. */
static void load_error_budget(struct scn_reader *r, const cJSON *obj,
			      const char *path, struct scn_scenario *s)
{
	static const char *const keys[] = {
		"period_s", "spent_frac", "critical", "rollback_on_burn",
		"warn_below", "freeze_below", "unfreeze_above", "critical_floor", NULL
	};
	struct eng_rollout_config *rc = &s->rollout;
	struct eng_budget_config *b = &rc->budget;
	const struct scn_range frac = { 0.0, 1.0, false };
	double period_s = 30 * 86400.0, spent = 0.0, history;

	eng_budget_config_init(b);
	rc->has_budget = true;
	rc->rollback_on_burn = true;
	scn_check_keys(r, obj, path, keys);
	scn_get_number(r, obj, path, "period_s", false,
		       (struct scn_range){ 60.0, 366 * 86400.0, false }, &period_s);
	scn_get_number(r, obj, path, "spent_frac", false,
		       (struct scn_range){ 0.0, 10.0, false }, &spent);
	scn_get_bool(r, obj, path, "critical", false, &rc->critical);
	scn_get_bool(r, obj, path, "rollback_on_burn", false, &rc->rollback_on_burn);
	scn_get_number(r, obj, path, "warn_below", false, frac, &b->warn_below_frac);
	scn_get_number(r, obj, path, "freeze_below", false, frac, &b->freeze_below_frac);
	scn_get_number(r, obj, path, "unfreeze_above", false, frac, &b->unfreeze_above_frac);
	scn_get_number(r, obj, path, "critical_floor", false, frac, &b->critical_floor_frac);
	if (!(b->critical_floor_frac <= b->freeze_below_frac &&
	      b->freeze_below_frac <= b->warn_below_frac &&
	      b->freeze_below_frac <= b->unfreeze_above_frac && b->unfreeze_above_frac < 1.0))
		scn_report(r, path, "expected critical_floor <= freeze_below <= warn_below, and freeze_below <= unfreeze_above < 1");
	b->slo_frac = s->slo.availability_frac;
	if (!(b->slo_frac < 1.0))
		scn_report(r, path, "slo.availability is 1: there is no error budget; expected below 1");
	b->window_ns = s->sim.window_ns;
	b->period_ns = (int64_t)llround(period_s / ((double)s->sim.window_ns / 1e9)) *
		       s->sim.window_ns;
	/* the history: requests over the period at the traffic's starting rate */
	history = sim_traffic_rate_rps(&s->sim.traffic, 0.0) * period_s;
	rc->budget_history_total = (uint64_t)llround(history);
	rc->budget_history_bad = (uint64_t)llround(spent * (1.0 - b->slo_frac) * history);
}

/* The simulated humans: who approves which gate when. */
static void load_approvals(struct scn_reader *r, const cJSON *arr,
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
			a->at_ns = s_to_ns(at_s);
	}
	sim->napprovals = i;
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
	trs = own(s, calloc(n, sizeof(*trs)));
	if (trs == NULL)
		return;
	cJSON_ArrayForEach(x, arr) {
		char p[SCN_PATH_MAX];

		scn_path_index(p, sizeof(p), path, i);
		if (!cJSON_IsObject(x))
			scn_report(r, p, "found %s, expected an object such as {\"kind\": \"error_spike\", \"factor\": 5}",
				   scn_json_type_name(x));
		else
			load_trigger(r, x, p, &trs[i]);
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
	bg->preview_timeout_ns = s_to_ns(timeout_s);
	bg->switch_interval_ns = s_to_ns(interval_s);
	if (scn_get_string(r, obj, path, "promotion_gate", false, &gate) && gate != NULL) {
		scn_path_key(p, sizeof(p), path, "promotion_gate");
		if (!name_ok(gate) || strlen(gate) >= sizeof(bg->promotion_gate))
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
	bg->auto_promotion_delay_ns = s_to_ns(delay_s);
	scn_get_number(r, obj, path, "scale_down_delay_s", false, day, &scale_down_s);
	bg->scale_down_delay_ns = s_to_ns(scale_down_s);
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

	if (strategy == ENG_STRATEGY_BLUEGREEN) {
		for (size_t i = 0; i < sizeof(step_keys) / sizeof(step_keys[0]); i++) {
			if (cJSON_GetObjectItemCaseSensitive(obj, step_keys[i]) == NULL)
				continue;
			scn_path_key(p, sizeof(p), path, step_keys[i]);
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

static void load_deployment(struct scn_reader *r, const cJSON *obj,
			    double window_s, struct scn_scenario *s)
{
	static const char *const keys[] = {
		"strategy", "steps", "step_weight", "max_weight", "step_weights",
		"analysis", "triggers", "rollback", "compatibility",
		"smoke_tests", "error_budget", "progress_deadline_s", "bluegreen", NULL
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
	s->rollout.analysis.interval_ns = s_to_ns(window_s);
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
		load_error_budget(r, j, p, s);
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
	s->rollout.progress_deadline_ns = s_to_ns(deadline_s);
}

static void load_slo(struct scn_reader *r, const cJSON *obj, struct eng_slo *slo)
{
	static const char *const keys[] = {
		"availability", "latency_ms", "latency_quantile", NULL
	};
	static const char *const quantiles[] = { "0.5", "0.95", "0.99", NULL };
	static const double qvals[] = { 0.5, 0.95, 0.99 };
	double q = slo->latency_quantile;

	scn_check_keys(r, obj, "slo", keys);
	scn_get_number(r, obj, "slo", "availability",
		       false, (struct scn_range){ 0.0, 1.0, true },
		       &slo->availability_frac);
	scn_get_number(r, obj, "slo", "latency_ms", false, positive,
		       &slo->latency_ms);
	if (scn_get_number(r, obj, "slo", "latency_quantile", false,
			   (struct scn_range){ 0.0, 1.0, true }, &q)) {
		size_t i;

		for (i = 0; i < 3 && qvals[i] != q; i++)
			;
		if (i == 3)
			scn_report(r, "slo.latency_quantile",
				   "%g is not kept per window; expected one of: %s, %s, %s",
				   q, quantiles[0], quantiles[1], quantiles[2]);
		else
			slo->latency_quantile = q;
	}
}

/* A version's long-run error probability: Bernoulli's rate, or the
 * Gilbert-Elliott chain's stationary mix, pi_bad = p / (p + r)
 * (Gilbert 1960; Elliott 1963). */
static double long_run_error_frac(const struct sim_errors *e)
{
	double p = e->p_enter_bad, q = e->p_leave_bad;

	if (e->model == SIM_ERRORS_BERNOULLI)
		return e->rate_frac;
	if (p + q == 0.0)
		return e->good_rate_frac; /* starts good and stays there */
	return (q * e->good_rate_frac + p * e->bad_rate_frac) / (p + q);
}

/* Ground truth when the scenario does not state it: the canary is bad when
 * it fails more often than the stable version in the long run, its service
 * time's p99 is longer, or it leaks memory faster. */
static bool derive_canary_bad(const struct sim_config *sim)
{
	const struct sim_version_config *st = &sim->version[ENG_STABLE];
	const struct sim_version_config *ca = &sim->version[ENG_CANARY];

	if (long_run_error_frac(&ca->errors) > long_run_error_frac(&st->errors))
		return true;
	if (ca->resources.memory_leak_mb_per_s > st->resources.memory_leak_mb_per_s)
		return true;
	return sim_dist_quantile_ms(&ca->service, 0.99) >
	       sim_dist_quantile_ms(&st->service, 0.99);
}

static void load_root(struct scn_reader *r, const cJSON *root,
		      struct scn_scenario *s)
{
	static const char *const keys[] = {
		"name", "description", "run", "traffic", "dependencies", "versions",
		"slo", "deployment", "approvals", "smoke_results", "ground_truth",
		"expect", NULL
	};
	static const char *const run_keys[] = {
		"seed", "window_s", "observe_after_s", NULL
	};
	static const char *const outcomes[] = {
		"promoted", "rolled_back", "blocked", "timed_out", NULL
	};
	static const enum eng_outcome outcome_vals[] = {
		ENG_OUTCOME_PROMOTED, ENG_OUTCOME_ROLLED_BACK,
		ENG_OUTCOME_BLOCKED, ENG_OUTCOME_TIMED_OUT
	};
	double window_s = DEFAULT_WINDOW_S, after_s = DEFAULT_OBSERVE_AFTER_S;
	const char *str = NULL;
	const cJSON *j, *v;

	size_t problems_before = r->diag->count + r->diag->dropped;

	scn_check_keys(r, root, "", keys);
	if (scn_get_string(r, root, "", "name", false, &str) && str != NULL) {
		if (name_ok(str))
			snprintf(s->name, sizeof(s->name), "%s", str);
		else
			scn_report(r, "name", "\"%s\" is not a valid name; expected 1..%d of A-Z a-z 0-9 . _ - (not starting with .)",
				   str, SCN_NAME_MAX - 1);
	} else if (!name_ok(s->name)) {
		scn_report(r, "name", "missing, and the file name \"%s\" is not a valid name; expected 1..%d of A-Z a-z 0-9 . _ -",
			   s->name, SCN_NAME_MAX - 1);
	}
	scn_get_string(r, root, "", "description", false, &str);

	j = scn_get_object(r, root, "", "run", false);
	if (j != NULL) {
		scn_check_keys(r, j, "run", run_keys);
		scn_get_uint(r, j, "run", "seed", false, 0,
			     UINT64_C(9007199254740992), &s->seed);
		scn_get_number(r, j, "run", "window_s", false,
			       (struct scn_range){ 0.001, 3600.0, false }, &window_s);
		scn_get_number(r, j, "run", "observe_after_s", false,
			       (struct scn_range){ 0.0, 86400.0, false }, &after_s);
	}
	s->sim.window_ns = s_to_ns(window_s);
	s->observe_after_ns = s_to_ns(after_s);

	j = scn_get_object(r, root, "", "traffic", true);
	if (j != NULL)
		load_traffic(r, j, s);

	j = scn_get_array(r, root, "", "dependencies", false);
	if (j != NULL)
		load_dependencies(r, j, s);
	for (int i = 0; i < ENG_NVERSIONS; i++) {
		sim_version_config_defaults(&s->sim.version[i]);
		s->sim.version[i].dependencies = (1u << s->sim.ndeps) - 1;
	}

	j = scn_get_object(r, root, "", "versions", true);
	if (j != NULL) {
		static const char *const version_keys[] = { "stable", "canary", NULL };

		scn_check_keys(r, j, "versions", version_keys);
		v = scn_get_object(r, j, "versions", "stable", true);
		if (v != NULL)
			load_version(r, v, "versions.stable", true, s,
				     &s->sim.version[ENG_STABLE]);
		s->sim.version[ENG_CANARY] = s->sim.version[ENG_STABLE];
		v = scn_get_object(r, j, "versions", "canary", false);
		if (v != NULL)
			load_version(r, v, "versions.canary", false, s,
				     &s->sim.version[ENG_CANARY]);
	}

	j = scn_get_object(r, root, "", "slo", false);
	if (j != NULL)
		load_slo(r, j, &s->slo);

	j = scn_get_array(r, root, "", "approvals", false);
	if (j != NULL)
		load_approvals(r, j, &s->sim);
	j = scn_get_object(r, root, "", "smoke_results", false);
	if (j != NULL)
		load_smoke_results(r, j, &s->sim);

	j = scn_get_object(r, root, "", "deployment", true);
	if (j != NULL)
		load_deployment(r, j, window_s, s);

	/* A Mann-Whitney judge needs the latencies counted on shared bins. */
	for (size_t i = 0; i < s->rollout.analysis.nchecks && s->checks != NULL; i++)
		if (s->checks[i].judge == ENG_JUDGE_MANN_WHITNEY)
			sim_latency_bins_init(&s->sim.latency_bins,
					      &s->sim.version[ENG_STABLE].service);

	/* Only a configuration that loaded whole can be judged: a failed
	 * part (an empirical distribution without samples, say) is not. */
	if (r->diag->count + r->diag->dropped == problems_before && !s->oom)
		s->canary_bad = derive_canary_bad(&s->sim);
	j = scn_get_object(r, root, "", "ground_truth", false);
	if (j != NULL) {
		static const char *const gt_keys[] = { "canary_bad", NULL };

		scn_check_keys(r, j, "ground_truth", gt_keys);
		if (scn_get_bool(r, j, "ground_truth", "canary_bad", true,
				 &s->canary_bad))
			s->canary_bad_stated = true;
	}
	j = scn_get_object(r, root, "", "expect", false);
	if (j != NULL) {
		static const char *const expect_keys[] = { "outcome", NULL };
		size_t idx = 0;

		scn_check_keys(r, j, "expect", expect_keys);
		if (scn_get_choice(r, j, "expect", "outcome", true, outcomes, &idx)) {
			s->has_expect = true;
			s->expect_outcome = outcome_vals[idx];
		}
	}
}

static void set_defaults(struct scn_scenario *s, const char *source)
{
	const char *slash = strrchr(source, '/');

	if (slash != NULL)
		snprintf(s->dir, sizeof(s->dir), "%.*s", (int)(slash - source), source);
	if (slash == source)
		snprintf(s->dir, sizeof(s->dir), "/");
	name_from_source(source, s->name, sizeof(s->name));
	s->seed = DEFAULT_SEED;
	s->slo.availability_frac = DEFAULT_AVAILABILITY;
	s->slo.latency_ms = DEFAULT_LATENCY_MS;
	s->slo.latency_quantile = DEFAULT_LATENCY_QUANTILE;
	s->rollout.analysis.min_requests = DEFAULT_MIN_REQUESTS;
	s->rollout.progress_deadline_ns = s_to_ns(DEFAULT_DEADLINE_S);
}

/* Reports where the JSON text stops parsing, as line and column. */
static void report_parse_error(struct scn_reader *r, const char *text,
			       size_t len, const char *at, bool parse_failed)
{
	size_t off = at && at >= text && at <= text + len ? (size_t)(at - text) : 0;
	size_t line = 1, col = 1, last = len;
	char near[24];
	size_t k = 0;

	/* cJSON points at the last character when the text runs out; so a
	 * failure at or after the last non-blank character is an early end. */
	while (last > 0 && (text[last - 1] == ' ' || text[last - 1] == '\t' ||
			    text[last - 1] == '\n' || text[last - 1] == '\r'))
		last--;
	if (parse_failed && (last == 0 || off + 1 >= last))
		off = len; /* report the end of the text */

	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	for (size_t i = off; i < len && k < sizeof(near) - 1 && text[i] != '\n'; i++)
		near[k++] = text[i];
	near[k] = '\0';
	if (off >= len)
		scn_diag_addf(r->diag, "%s:%zu:%zu: invalid JSON: the text ends too early; expected a complete JSON object",
			      r->source, line, col);
	else
		scn_diag_addf(r->diag, "%s:%zu:%zu: invalid JSON near '%s'; expected a JSON value, ',' or a closing bracket",
			      r->source, line, col, near);
}

enum scn_status scn_load_text(const char *text, size_t len, const char *source,
			      struct scn_diag *diag, struct scn_scenario **out)
{
	struct scn_reader r = { source, diag };
	struct scn_scenario *s;
	const char *end = NULL;
	cJSON *root;
	size_t before = diag->count + diag->dropped;

	*out = NULL;
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (root == NULL) {
		report_parse_error(&r, text, len, end ? end : cJSON_GetErrorPtr(), true);
		return SCN_EINVAL;
	}
	for (const char *p = end; p && p < text + len; p++) {
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != '\0') {
			report_parse_error(&r, text, len, p, false);
			cJSON_Delete(root);
			return SCN_EINVAL;
		}
	}
	if (!cJSON_IsObject(root)) {
		scn_report(&r, "", "found %s, expected a JSON object",
			   scn_json_type_name(root));
		cJSON_Delete(root);
		return SCN_EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		cJSON_Delete(root);
		return SCN_ENOMEM;
	}
	set_defaults(s, source);
	load_root(&r, root, s);
	cJSON_Delete(root);
	if (s->oom || (s->rollout.nsteps > 0 && s->steps == NULL) ||
	    (s->rollout.analysis.nchecks > 0 && s->checks == NULL)) {
		scn_free(s);
		return SCN_ENOMEM;
	}
	if (diag->count + diag->dropped != before) {
		scn_free(s);
		return SCN_EINVAL;
	}
	*out = s;
	return SCN_OK;
}

enum scn_status scn_load_file(const char *path, struct scn_diag *diag,
			      struct scn_scenario **out)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	enum scn_status st;

	*out = NULL;
	if (f == NULL) {
		scn_diag_addf(diag, "%s: cannot open: %s", path, strerror(errno));
		return SCN_EIO;
	}
	do {
		if (len == cap) {
			char *p;

			cap = cap ? cap * 2 : 8192;
			p = cap <= MAX_SCENARIO_BYTES ? realloc(buf, cap) : NULL;
			if (p == NULL) {
				free(buf);
				fclose(f);
				if (cap > MAX_SCENARIO_BYTES) {
					scn_diag_addf(diag, "%s: larger than %u bytes; expected a scenario file",
						      path, MAX_SCENARIO_BYTES);
					return SCN_EINVAL;
				}
				return SCN_ENOMEM;
			}
			buf = p;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		scn_diag_addf(diag, "%s: cannot read: %s", path, strerror(errno));
		free(buf);
		fclose(f);
		return SCN_EIO;
	}
	fclose(f);
	st = scn_load_text(buf, len, path, diag, out);
	free(buf);
	return st;
}

enum scn_status scn_prepare_window(struct scn_scenario *s)
{
	if (s->wtable == NULL)
		s->wtable = sim_wtable_create(&s->sim);
	return s->wtable != NULL ? SCN_OK : SCN_ENOMEM;
}

void scn_free(struct scn_scenario *s)
{
	if (s == NULL)
		return;
	sim_wtable_free(s->wtable);
	for (size_t i = 0; i < s->nowned; i++)
		free(s->owned[i]);
	free(s->owned);
	free(s->steps);
	free(s->checks);
	free(s);
}
