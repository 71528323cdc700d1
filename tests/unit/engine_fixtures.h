/* Hand-written observations and configurations shared by the engine suites. */
#ifndef TESTS_UNIT_ENGINE_FIXTURES_H
#define TESTS_UNIT_ENGINE_FIXTURES_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "engine/rollout.h"
#include "engine/state.h"

#define S(x) ((int64_t)(x) * ENG_NS_PER_S)

/* A window ending at t_s in which the canary served `requests` with
 * `errors` failures and a p99 of p99_ms; the stable version is clean. */
static inline struct eng_observation fx_window(double t_s, uint64_t requests,
					       uint64_t errors, double p99_ms)
{
	struct eng_observation o;

	memset(&o, 0, sizeof(o));
	o.t_ns = (int64_t)(t_s * 1e9);
	o.window_ns = S(10);
	for (int v = 0; v < ENG_NVERSIONS; v++) {
		struct eng_window_metrics *m = &o.version[v];

		m->requests = requests;
		m->errors = v == ENG_CANARY ? errors : 0;
		m->error_rate_frac = requests ? (double)m->errors / (double)requests : NAN;
		m->mean_ms = m->p50_ms = m->p95_ms = requests ? p99_ms / 2 : NAN;
		m->p99_ms = m->max_ms = requests ? p99_ms : NAN;
		m->ready_instances = 2;
	}
	o.all = o.version[ENG_STABLE];
	return o;
}

/* Steps: weight 10, pause 30 s, weight 50, pause 30 s; analysis every 10 s
 * with at least 100 requests per check, failure limit 1 (Argo mode), error
 * rate at most 1% and p99 at most 500 ms; no other limits; deadline 1 hour. */
struct fx_config {
	struct eng_step steps[4];
	struct eng_check checks[2];
	struct eng_rollout_config cfg;
};

static inline void fx_config_init(struct fx_config *f)
{
	memset(f, 0, sizeof(*f));
	f->steps[0] = (struct eng_step){ .kind = ENG_STEP_SET_WEIGHT, .weight_pct = 10.0, .duration_ns = 0 };
	f->steps[1] = (struct eng_step){ .kind = ENG_STEP_PAUSE, .weight_pct = 0.0, .duration_ns = S(30) };
	f->steps[2] = (struct eng_step){ .kind = ENG_STEP_SET_WEIGHT, .weight_pct = 50.0, .duration_ns = 0 };
	f->steps[3] = (struct eng_step){ .kind = ENG_STEP_PAUSE, .weight_pct = 0.0, .duration_ns = S(30) };
	snprintf(f->checks[0].name, sizeof(f->checks[0].name), "errors");
	f->checks[0].metric = ENG_METRIC_ERROR_RATE;
	f->checks[0].has_max = true;
	f->checks[0].max = 0.01;
	snprintf(f->checks[1].name, sizeof(f->checks[1].name), "latency");
	f->checks[1].metric = ENG_METRIC_P99_MS;
	f->checks[1].has_max = true;
	f->checks[1].max = 500.0;
	f->cfg.steps = f->steps;
	f->cfg.nsteps = 4;
	f->cfg.analysis.interval_ns = S(10);
	f->cfg.analysis.min_requests = 100;
	f->cfg.analysis.failure_limit = 1;
	f->checks[0].min_requests = 100;
	f->checks[1].min_requests = 100;
	f->cfg.analysis.checks = f->checks;
	f->cfg.analysis.nchecks = 2;
	f->cfg.progress_deadline_ns = S(3600);
}

/* A trigger "p99": the canary's p99 above max_ms for for_ns, no cooldown. */
static inline void fx_p99_trigger(struct eng_trigger *tr, double max_ms, int64_t for_ns)
{
	memset(tr, 0, sizeof(*tr));
	snprintf(tr->name, sizeof(tr->name), "p99");
	tr->kind = ENG_TRIGGER_THRESHOLD;
	tr->metric = ENG_METRIC_P99_MS;
	tr->has_max = true;
	tr->max = max_ms;
	tr->for_ns = for_ns;
}

/* Two smoke tests in t for f's rollout: "login", critical, with
 * login_retries retries, then "search", critical or not, with none. */
static inline void fx_smoke_tests(struct fx_config *f, struct eng_smoke_test t[2],
				  uint32_t login_retries, bool search_critical)
{
	memset(t, 0, 2 * sizeof(*t));
	snprintf(t[0].name, sizeof(t[0].name), "login");
	t[0].critical = true;
	t[0].retries = login_retries;
	snprintf(t[1].name, sizeof(t[1].name), "search");
	t[1].critical = search_critical;
	f->cfg.smoke_tests = t;
	f->cfg.nsmoke_tests = 2;
}

/* Creates a rollout from cfg and starts it at 0 s; *act is its first
 * action. Fails the running test at once when it cannot be created. */
static inline struct eng_rollout *fx_started(const struct eng_rollout_config *cfg,
					     struct eng_action *act)
{
	struct eng_rollout *ro = eng_rollout_create(cfg);

	CU_ASSERT_PTR_NOT_NULL_FATAL(ro);
	CU_ASSERT_EQUAL(eng_rollout_start(ro, 0, act), ENG_OK);
	return ro;
}

/* Saves a, restores the text into a new rollout of cfg and checks that the
 * copy saves to the very same text. Returns the copy, owned, free with
 * eng_rollout_free(); fails the running test at once when it cannot. */
static inline struct eng_rollout *fx_restored(const struct eng_rollout_config *cfg,
					      const struct eng_rollout *a)
{
	char err[200], *saved = eng_rollout_save(a), *again;
	struct eng_rollout *b;

	CU_ASSERT_PTR_NOT_NULL_FATAL(saved);
	b = eng_rollout_restore(cfg, saved, err, sizeof(err));
	if (b == NULL)
		fprintf(stderr, "\n  restore: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	again = eng_rollout_save(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(again);
	CU_ASSERT_STRING_EQUAL(again, saved);
	free(again);
	free(saved);
	return b;
}

#endif
