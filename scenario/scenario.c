#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/json_read.h"
#include "scenario/scenario.h"

#define MAX_SCENARIO_BYTES (16u << 20)
#define MAX_STEPS 1000
#define MAX_CHECKS 100

/* Defaults, documented in docs/scenario-format.md. */
#define DEFAULT_SEED 1
#define DEFAULT_WINDOW_S 10.0
#define DEFAULT_OBSERVE_AFTER_S 60.0
#define DEFAULT_MIN_REQUESTS 20
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

static void load_service_time(struct scn_reader *r, const cJSON *obj,
			      const char *path, struct sim_dist *d)
{
	static const char *const kinds[] = {
#define SIM_DIST_STR(name, str) str,
		SIM_DIST_LIST(SIM_DIST_STR)
#undef SIM_DIST_STR
		NULL
	};
	static const char *const keys[] = {
		"dist", "value_ms", "mean_ms", "median_ms", "sigma", NULL
	};
	size_t kind = d->kind;

	scn_check_keys(r, obj, path, keys);
	if (!scn_get_choice(r, obj, path, "dist", true, kinds, &kind))
		return;
	d->kind = (enum sim_dist_kind)kind;
	switch (d->kind) {
	case SIM_DIST_CONSTANT:
		scn_get_number(r, obj, path, "value_ms", true,
			       (struct scn_range){ 0.0, 1e9, false }, &d->value_ms);
		break;
	case SIM_DIST_EXPONENTIAL:
		scn_get_number(r, obj, path, "mean_ms", true, positive, &d->mean_ms);
		break;
	case SIM_DIST_LOGNORMAL:
		scn_get_number(r, obj, path, "median_ms", true, positive,
			       &d->median_ms);
		scn_get_number(r, obj, path, "sigma", true,
			       (struct scn_range){ 0.0, 10.0, false }, &d->sigma);
		break;
	case SIM_NDISTS:
		break;
	}
}

/* Reads one version; the canary starts from a copy of the stable version,
 * so it only states what differs. */
static void load_version(struct scn_reader *r, const cJSON *obj,
			 const char *path, bool is_stable,
			 struct sim_version_config *v)
{
	static const char *const keys[] = {
		"instances", "concurrency", "service_time", "errors", NULL
	};
	static const char *const error_keys[] = { "model", "rate", NULL };
	static const char *const error_models[] = { "bernoulli", NULL };
	char p[SCN_PATH_MAX];
	uint64_t u;
	const cJSON *j;
	size_t model = 0;

	scn_check_keys(r, obj, path, keys);
	u = v->instances;
	if (scn_get_uint(r, obj, path, "instances", is_stable, 1, 10000, &u))
		v->instances = (uint32_t)u;
	u = v->concurrency;
	if (scn_get_uint(r, obj, path, "concurrency", is_stable, 1, 100000, &u))
		v->concurrency = (uint32_t)u;
	j = scn_get_object(r, obj, path, "service_time", is_stable);
	if (j != NULL) {
		scn_path_key(p, sizeof(p), path, "service_time");
		if (!is_stable)
			memset(&v->service, 0, sizeof(v->service));
		load_service_time(r, j, p, &v->service);
	}
	j = scn_get_object(r, obj, path, "errors", false);
	if (j != NULL) {
		scn_path_key(p, sizeof(p), path, "errors");
		scn_check_keys(r, j, p, error_keys);
		scn_get_choice(r, j, p, "model", false, error_models, &model);
		scn_get_number(r, j, p, "rate", true, fraction, &v->error_frac);
	}
}

static void load_steps(struct scn_reader *r, const cJSON *arr, const char *path,
		       struct scn_scenario *s)
{
	static const char *const step_keys[] = { "set_weight", "pause", NULL };
	static const char *const pause_keys[] = { "duration_s", NULL };
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
			scn_report(r, p, "expected exactly one of: set_weight, pause");
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

static void load_check(struct scn_reader *r, const cJSON *obj, const char *path,
		       struct eng_check *c)
{
	static const char *const keys[] = { "name", "metric", "max", "min", NULL };
	static const char *const metrics[] = {
#define ENG_METRIC_STR(name, str) str,
		ENG_METRIC_LIST(ENG_METRIC_STR)
#undef ENG_METRIC_STR
		NULL
	};
	const char *name = NULL;
	size_t metric = 0;
	struct scn_range range = { 0.0, 1e9, false };
	char p[SCN_PATH_MAX];

	scn_check_keys(r, obj, path, keys);
	if (!scn_get_choice(r, obj, path, "metric", true, metrics, &metric))
		return;
	c->metric = (enum eng_metric)metric;
	if (c->metric == ENG_METRIC_ERROR_RATE || c->metric == ENG_METRIC_SUCCESS_RATE)
		range = fraction;
	name = eng_metric_name(c->metric);
	if (scn_get_string(r, obj, path, "name", false, &name) &&
	    (strlen(name) >= sizeof(c->name) || name[0] == '\0')) {
		scn_path_key(p, sizeof(p), path, "name");
		scn_report(r, p, "%zu characters; expected 1..%zu",
			   strlen(name), sizeof(c->name) - 1);
	}
	snprintf(c->name, sizeof(c->name), "%s", name);
	bool max_ok, min_ok;

	c->has_max = cJSON_GetObjectItemCaseSensitive(obj, "max") != NULL;
	c->has_min = cJSON_GetObjectItemCaseSensitive(obj, "min") != NULL;
	max_ok = scn_get_number(r, obj, path, "max", false, range, &c->max);
	min_ok = scn_get_number(r, obj, path, "min", false, range, &c->min);
	if (!c->has_max && !c->has_min)
		scn_report(r, path, "no limit; expected \"max\", \"min\" or both");
	else if (c->has_max && c->has_min && max_ok && min_ok && c->min > c->max)
		scn_report(r, path, "min %g is above max %g", c->min, c->max);
}

static void load_analysis(struct scn_reader *r, const cJSON *obj,
			  const char *path, double window_s,
			  struct scn_scenario *s)
{
	static const char *const keys[] = {
		"interval_s", "min_requests", "failure_limit", "metrics", NULL
	};
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
	u = a->failure_limit;
	if (scn_get_uint(r, obj, path, "failure_limit", false, 0, 1000000, &u))
		a->failure_limit = (uint32_t)u;
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
			load_check(r, m, mp, &s->checks[i]);
		i++;
	}
	a->checks = s->checks;
}

static void load_deployment(struct scn_reader *r, const cJSON *obj,
			    double window_s, struct scn_scenario *s)
{
	static const char *const keys[] = {
		"strategy", "steps", "analysis", "progress_deadline_s", NULL
	};
	static const char *const strategies[] = { "canary", NULL };
	const char *path = "deployment";
	size_t strategy = 0;
	double deadline_s = DEFAULT_DEADLINE_S;
	const cJSON *j;
	char p[SCN_PATH_MAX];

	scn_check_keys(r, obj, path, keys);
	scn_get_choice(r, obj, path, "strategy", false, strategies, &strategy);
	j = scn_get_array(r, obj, path, "steps", true);
	if (j != NULL) {
		scn_path_key(p, sizeof(p), path, "steps");
		load_steps(r, j, p, s);
	}
	s->rollout.analysis.interval_ns = s_to_ns(window_s);
	s->rollout.analysis.min_requests = DEFAULT_MIN_REQUESTS;
	j = scn_get_object(r, obj, path, "analysis", false);
	if (j != NULL) {
		scn_path_key(p, sizeof(p), path, "analysis");
		load_analysis(r, j, p, window_s, s);
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

/* Ground truth when the scenario does not state it: the canary is bad when
 * it fails more often than the stable version or its service time's p99 is
 * longer. */
static bool derive_canary_bad(const struct sim_config *sim)
{
	const struct sim_version_config *st = &sim->version[ENG_STABLE];
	const struct sim_version_config *ca = &sim->version[ENG_CANARY];

	if (ca->error_frac > st->error_frac)
		return true;
	return sim_dist_quantile_ms(&ca->service, 0.99) >
	       sim_dist_quantile_ms(&st->service, 0.99);
}

static void load_root(struct scn_reader *r, const cJSON *root,
		      struct scn_scenario *s)
{
	static const char *const keys[] = {
		"name", "description", "run", "traffic", "versions", "slo",
		"deployment", "ground_truth", "expect", NULL
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
	if (j != NULL) {
		static const char *const traffic_keys[] = { "rate_rps", NULL };

		scn_check_keys(r, j, "traffic", traffic_keys);
		scn_get_number(r, j, "traffic", "rate_rps", true,
			       (struct scn_range){ 0.0, 1e6, true },
			       &s->sim.rate_rps);
	}

	j = scn_get_object(r, root, "", "versions", true);
	if (j != NULL) {
		static const char *const version_keys[] = { "stable", "canary", NULL };

		scn_check_keys(r, j, "versions", version_keys);
		v = scn_get_object(r, j, "versions", "stable", true);
		if (v != NULL)
			load_version(r, v, "versions.stable", true,
				     &s->sim.version[ENG_STABLE]);
		s->sim.version[ENG_CANARY] = s->sim.version[ENG_STABLE];
		v = scn_get_object(r, j, "versions", "canary", false);
		if (v != NULL)
			load_version(r, v, "versions.canary", false,
				     &s->sim.version[ENG_CANARY]);
	}

	j = scn_get_object(r, root, "", "slo", false);
	if (j != NULL)
		load_slo(r, j, &s->slo);

	j = scn_get_object(r, root, "", "deployment", true);
	if (j != NULL)
		load_deployment(r, j, window_s, s);

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
	if ((s->rollout.nsteps > 0 && s->steps == NULL) ||
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

void scn_free(struct scn_scenario *s)
{
	if (s == NULL)
		return;
	free(s->steps);
	free(s->checks);
	free(s);
}
