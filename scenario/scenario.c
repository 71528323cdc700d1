#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/load.h"

const struct scn_range scn_positive = { 0.0, 1e12, true };
const struct scn_range scn_fraction = { 0.0, 1.0, false };

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

int64_t scn_s_to_ns(double s)
{
	return (int64_t)llround(s * 1e9);
}

bool scn_name_ok(const char *s)
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

void *scn_own(struct scn_scenario *s, void *p)
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
	scn_get_number(r, obj, "slo", "latency_ms", false, scn_positive,
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
/* Ground truth when the scenario does not state it: the canary is bad when
 * it fails more often than the stable version in the long run (its calls to
 * the dependencies included), its service time's p99 is longer, or it
 * leaks memory faster. */
/* A fault that makes the canary itself bad: one on the canary alone that
 * requests meet (a fault on both versions, on a dependency or on the
 * controller is not the canary's doing). */
static bool faults_canary(const struct sim_fault *f)
{
	return f->target == SIM_TARGET_CANARY &&
	       (f->kind == SIM_FAULT_LATENCY || f->kind == SIM_FAULT_ERRORS ||
		f->kind == SIM_FAULT_ABORT || f->kind == SIM_FAULT_CRASH ||
		f->kind == SIM_FAULT_CPU_HOG || f->kind == SIM_FAULT_ERROR_BURST ||
		f->kind == SIM_FAULT_CRASH_LOOP || f->kind == SIM_FAULT_MEMORY_LEAK);
}

static bool derive_canary_bad(const struct sim_config *sim)
{
	const struct sim_version_config *st = &sim->version[ENG_STABLE];
	const struct sim_version_config *ca = &sim->version[ENG_CANARY];

	if (sim_version_error_frac(sim, ca) > sim_version_error_frac(sim, st))
		return true;
	for (uint32_t i = 0; i < sim->nfaults; i++)
		if (faults_canary(&sim->faults[i]))
			return true;
	if (ca->resources.memory_leak_mb_per_s > st->resources.memory_leak_mb_per_s)
		return true;
	return sim_dist_quantile_ms(&ca->service, 0.99) >
	       sim_dist_quantile_ms(&st->service, 0.99);
}

/* When a canary made bad by faults alone turns bad: the earliest start of
 * such a fault given as a time (a fault that starts at a moment of the
 * rollout counts from the canary's first traffic: 0). */
static int64_t fault_onset_ns(const struct sim_config *sim)
{
	int64_t t = INT64_MAX;

	for (uint32_t i = 0; i < sim->nfaults; i++) {
		const struct sim_fault *f = &sim->faults[i];

		if (!faults_canary(f))
			continue;
		if (f->start != SIM_START_AT)
			return 0;
		if (f->at_ns < t)
			t = f->at_ns;
	}
	return t == INT64_MAX ? 0 : t;
}

/* expect.key: {"min": a, "max": b}, either or both, s; false when absent. */
static bool load_bounds(struct scn_reader *r, const cJSON *expect, const char *key,
			double *lo, double *hi)
{
	static const char *const keys[] = { "min", "max", NULL };
	const cJSON *j = scn_get_object(r, expect, "expect", key, false);
	const struct scn_range span = { 0.0, 30 * 86400.0, false };
	char p[SCN_PATH_MAX];

	*lo = 0.0;
	*hi = INFINITY;
	if (j == NULL)
		return false;
	scn_path_key(p, sizeof(p), "expect", key);
	scn_check_keys(r, j, p, keys);
	if (cJSON_GetObjectItemCaseSensitive(j, "min") == NULL &&
	    cJSON_GetObjectItemCaseSensitive(j, "max") == NULL)
		scn_report(r, p, "no bound; expected \"min\", \"max\" or both");
	scn_get_number(r, j, p, "min", false, span, lo);
	scn_get_number(r, j, p, "max", false, span, hi);
	if (*lo > *hi)
		scn_report(r, p, "min %g is above max %g", *lo, *hi);
	return true;
}

/* expect.key: a share's bounds {"min": a, "max": b}, either or both, 0..1;
 * it needs expect.runs. */
static void load_share(struct scn_reader *r, const cJSON *expect, const char *key,
		       struct scn_share_bound *b)
{
	static const char *const keys[] = { "min", "max", NULL };
	const cJSON *j = scn_get_object(r, expect, "expect", key, false);
	char p[SCN_PATH_MAX];

	*b = (struct scn_share_bound){ false, 0.0, 1.0 };
	if (j == NULL)
		return;
	scn_path_key(p, sizeof(p), "expect", key);
	scn_check_keys(r, j, p, keys);
	if (cJSON_GetObjectItemCaseSensitive(j, "min") == NULL &&
	    cJSON_GetObjectItemCaseSensitive(j, "max") == NULL)
		scn_report(r, p, "no bound; expected \"min\", \"max\" or both");
	scn_get_number(r, j, p, "min", false, scn_fraction, &b->min);
	scn_get_number(r, j, p, "max", false, scn_fraction, &b->max);
	if (b->min > b->max)
		scn_report(r, p, "min %g is above max %g", b->min, b->max);
	if (!cJSON_HasObjectItem(expect, "runs"))
		scn_report(r, p, "a share of runs, but expect.runs is not given; expected \"runs\": N (e.g. 200) beside it");
	b->set = true;
}

static void load_root(struct scn_reader *r, const cJSON *root,
		      const struct scn_load_opts *opts, struct scn_scenario *s)
{
	static const char *const keys[] = {
		"name", "description", "run", "traffic", "dependencies", "versions",
		"slo", "deployment", "approvals", "smoke_results", "operator", "faults",
		"ground_truth",
		"expect", "live", NULL
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
	bool world_required;

	size_t problems_before = r->diag->count + r->diag->dropped;

	scn_check_keys(r, root, "", keys);
	if (scn_get_string(r, root, "", "name", false, &str) && str != NULL) {
		if (scn_name_ok(str))
			snprintf(s->name, sizeof(s->name), "%s", str);
		else
			scn_report(r, "name", "\"%s\" is not a valid name; expected 1..%d of A-Z a-z 0-9 . _ - (not starting with .)",
				   str, SCN_NAME_MAX - 1);
	} else if (!scn_name_ok(s->name)) {
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
	s->sim.window_ns = scn_s_to_ns(window_s);
	s->observe_after_ns = scn_s_to_ns(after_s);

	/* a file that only configures a deployment (rollsim replay) may
	 * leave the world out; one that gives it has it checked in full */
	s->has_world = cJSON_HasObjectItem(root, "traffic") ||
		       cJSON_HasObjectItem(root, "versions");
	world_required = !opts->world_optional || s->has_world;
	j = scn_get_object(r, root, "", "traffic", world_required);
	if (j != NULL)
		scn_load_traffic(r, j, s);

	j = scn_get_array(r, root, "", "dependencies", false);
	if (j != NULL)
		scn_load_dependencies(r, j, s);
	for (int i = 0; i < ENG_NVERSIONS; i++) {
		sim_version_config_defaults(&s->sim.version[i]);
		s->sim.version[i].dependencies = (1u << s->sim.ndeps) - 1;
	}

	j = scn_get_object(r, root, "", "versions", world_required);
	if (j != NULL) {
		static const char *const version_keys[] = { "stable", "canary", NULL };

		scn_check_keys(r, j, "versions", version_keys);
		v = scn_get_object(r, j, "versions", "stable", true);
		if (v != NULL)
			scn_load_version(r, v, "versions.stable", true, s,
				     &s->sim.version[ENG_STABLE]);
		s->sim.version[ENG_CANARY] = s->sim.version[ENG_STABLE];
		v = scn_get_object(r, j, "versions", "canary", false);
		if (v != NULL)
			scn_load_version(r, v, "versions.canary", false, s,
				     &s->sim.version[ENG_CANARY]);
	}

	j = scn_get_object(r, root, "", "slo", false);
	if (j != NULL)
		load_slo(r, j, &s->slo);
	/* the worlds count successes slower than the SLO's latency, whatever
	 * the deployment reads, so that the draws do not depend on it */
	s->sim.slow_ms = s->slo.latency_ms;

	j = scn_get_array(r, root, "", "faults", false);
	if (j != NULL)
		scn_load_faults(r, j, &s->sim);
	j = scn_get_array(r, root, "", "operator", false);
	if (j != NULL)
		scn_load_operator(r, j, &s->sim);
	j = scn_get_array(r, root, "", "approvals", false);
	if (j != NULL)
		scn_load_approvals(r, j, &s->sim);
	j = scn_get_object(r, root, "", "smoke_results", false);
	if (j != NULL)
		scn_load_smoke_results(r, j, &s->sim);

	j = scn_get_object(r, root, "", "deployment", true);
	if (j != NULL) {
		scn_load_deployment(r, j, window_s, s);
		scn_check_fault_steps(r, s);
	}

	j = scn_get_object(r, root, "", "live", opts->live);
	if (j != NULL)
		scn_load_live(r, j, s);

	/* A Mann-Whitney judge needs the latencies counted on shared bins. */
	for (size_t i = 0; i < s->rollout.analysis.nchecks && s->checks != NULL; i++)
		if (s->checks[i].judge == ENG_JUDGE_MANN_WHITNEY)
			sim_latency_bins_init(&s->sim.latency_bins,
					      &s->sim.version[ENG_STABLE].service);

	/* Only a configuration that loaded whole can be judged: a failed
	 * part (an empirical distribution without samples, say) is not. */
	if (r->diag->count + r->diag->dropped == problems_before && !s->oom)
		s->canary_bad = derive_canary_bad(&s->sim);
	{
		struct sim_config plain = s->sim;

		plain.nfaults = 0; /* bad by its configuration, or by faults only? */
		s->bad_from_ns = s->canary_bad && !derive_canary_bad(&plain) ?
			fault_onset_ns(&s->sim) : 0;
	}
	/* under the flags strategy the release is bad when any flag is */
	for (uint32_t f = 0; f < s->sim.nflags; f++)
		s->canary_bad |= sim_flag_is_bad(&s->sim.flags[f]);
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
		static const char *const expect_keys[] = {
			"outcome", "ttd_s", "ttr_s", "runs", "recall", "false_rollback_rate",
			"outcome_rate", NULL
		};
		uint64_t runs = 0;
		size_t idx = 0;

		scn_check_keys(r, j, "expect", expect_keys);
		if (scn_get_choice(r, j, "expect", "outcome", true, outcomes, &idx)) {
			s->has_expect = true;
			s->expect_outcome = outcome_vals[idx];
		}
		s->expect_ttd = load_bounds(r, j, "ttd_s", &s->expect_ttd_min_s,
					    &s->expect_ttd_max_s);
		s->expect_ttr = load_bounds(r, j, "ttr_s", &s->expect_ttr_min_s,
					    &s->expect_ttr_max_s);
		if (scn_get_uint(r, j, "expect", "runs", false, 1, 100000, &runs))
			s->expect_runs = (uint32_t)runs;
		load_share(r, j, "recall", &s->expect_recall);
		load_share(r, j, "false_rollback_rate", &s->expect_false_rollback_rate);
		load_share(r, j, "outcome_rate", &s->expect_outcome_rate);
		/* over many runs the expected outcome must be the usual one */
		if (s->expect_runs > 0 && !s->expect_outcome_rate.set)
			s->expect_outcome_rate = (struct scn_share_bound){ true, 0.5, 1.0 };
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
	s->rollout.progress_deadline_ns = scn_s_to_ns(DEFAULT_DEADLINE_S);
}

enum scn_status scn_load_text_opts(const char *text, size_t len, const char *source,
				   const struct scn_load_opts *opts,
				   struct scn_diag *diag, struct scn_scenario **out)
{
	struct scn_reader r = { source, diag };
	struct scn_scenario *s;
	cJSON *root;
	size_t before = diag->count + diag->dropped;

	*out = NULL;
	root = scn_parse_json(&r, text, len);
	if (root == NULL)
		return SCN_EINVAL;
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
	load_root(&r, root, opts, s);
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

enum scn_status scn_load_text(const char *text, size_t len, const char *source,
			      struct scn_diag *diag, struct scn_scenario **out)
{
	static const struct scn_load_opts opts = { 0 };

	return scn_load_text_opts(text, len, source, &opts, diag, out);
}

enum scn_status scn_read_file(const char *path, size_t max_bytes, const char *what,
			      struct scn_diag *diag, char **text, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n;

	*text = NULL;
	*len = 0;
	if (f == NULL) {
		scn_diag_addf(diag, "%s: cannot open: %s", path, strerror(errno));
		return SCN_EIO;
	}
	do {
		if (*len == cap) {
			char *p;

			cap = cap ? cap * 2 : 8192;
			p = cap <= max_bytes ? realloc(buf, cap) : NULL;
			if (p == NULL) {
				free(buf);
				fclose(f);
				if (cap > max_bytes) {
					scn_diag_addf(diag, "%s: larger than %zu bytes; expected %s",
						      path, max_bytes, what);
					return SCN_EINVAL;
				}
				return SCN_ENOMEM;
			}
			buf = p;
		}
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
	} while (n > 0);
	if (ferror(f)) {
		scn_diag_addf(diag, "%s: cannot read: %s", path, strerror(errno));
		free(buf);
		fclose(f);
		return SCN_EIO;
	}
	fclose(f);
	*text = buf;
	return SCN_OK;
}

enum scn_status scn_load_file_opts(const char *path, const struct scn_load_opts *opts,
				   struct scn_diag *diag, struct scn_scenario **out)
{
	char *buf;
	size_t len;
	enum scn_status st;

	*out = NULL;
	st = scn_read_file(path, MAX_SCENARIO_BYTES, "a scenario file", diag, &buf, &len);
	if (st != SCN_OK)
		return st;
	st = scn_load_text_opts(buf, len, path, opts, diag, out);
	free(buf);
	return st;
}

enum scn_status scn_load_file(const char *path, struct scn_diag *diag,
			      struct scn_scenario **out)
{
	static const struct scn_load_opts opts = { 0 };

	return scn_load_file_opts(path, &opts, diag, out);
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
