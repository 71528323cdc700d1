/* sim/fault: each fault's effect in a short simulation, at both fidelity
 * levels where the window level models it, against what it should do.
 * The world: 100 requests/s, 4 instances of concurrency 8, a constant
 * 20 ms service time (so latencies are exact and queueing is nil:
 * utilisation 100 x 0.02 / 32 = 0.06), all traffic on the stable version,
 * 10 s windows. A fault on the stable version from 20 s to 50 s. */
#include "scenario/scenario.h"
#include "scenario/simulate.h"
#include "sim/sim.h"
#include "sim/window_world.h"
#include "tests/unit/helpers.h"
#include "tests/unit/sim_fixtures.h"

#define WINDOWS 8

enum level { REQUEST, WINDOW };

/* every check runs at both levels of detail */
#define AT_BOTH_LEVELS(name, check)                                            \
	static void test_##name##_request(void) { check(REQUEST); }           \
	static void test_##name##_window(void) { check(WINDOW); }

static struct sim_config base(void)
{
	struct sim_config c = fx_sim_config(3, 100.0, 4, 8, 20.0);

	for (int v = 0; v < ENG_NVERSIONS; v++) {
		c.version[v].service.kind = SIM_DIST_CONSTANT;
		c.version[v].service.value_ms = 20.0;
	}
	return c;
}

static struct sim_fault *add_fault(struct sim_config *c, enum sim_fault_kind k)
{
	struct sim_fault *f = &c->faults[c->nfaults++];

	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", sim_fault_kind_name(k));
	f->kind = k;
	f->target = SIM_TARGET_STABLE;
	f->start = SIM_START_AT;
	f->at_ns = 20 * ENG_NS_PER_S;
	f->duration_ns = 30 * ENG_NS_PER_S;
	f->probability = 1.0;
	f->multiplier = 1.0;
	return f;
}

/* The world's windows 0..WINDOWS-1 (ending at 10, 20, ... s): what the
 * controller saw in seen[], what happened in truth[]. act, when not NULL,
 * is applied at 25 s. */
struct run {
	struct eng_observation seen[WINDOWS], truth[WINDOWS];
	double weight_at_end;
};

static void run(const struct sim_config *c, enum level lv, const struct eng_action *act,
		struct run *out)
{
	void *ctx = lv == REQUEST ? (void *)sim_create(c) : (void *)sim_wworld_create(c, NULL);
	struct eng_world w = { lv == REQUEST ? &sim_world_ops : &sim_window_world_ops, ctx };

	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	for (int k = 0; k < WINDOWS; k++) {
		int64_t t = (int64_t)(k + 1) * 10 * ENG_NS_PER_S;

		if (act != NULL && k == 2) {
			CU_ASSERT_EQUAL(eng_world_wait_until(&w, 25 * ENG_NS_PER_S), ENG_OK);
			CU_ASSERT_EQUAL(eng_world_apply(&w, act), ENG_OK);
		}
		CU_ASSERT_EQUAL_FATAL(eng_world_wait_until(&w, t), ENG_OK);
		CU_ASSERT_EQUAL_FATAL(eng_world_observe(&w, &out->seen[k]), ENG_OK);
		out->truth[k] = out->seen[k];
		CU_ASSERT_EQUAL_FATAL(eng_world_truth(&w, &out->truth[k]), ENG_OK);
		out->weight_at_end = out->truth[k].weight_pct;
	}
	if (lv == REQUEST)
		sim_free(ctx);
	else
		sim_wworld_free(ctx);
}

/* Window k ends at 10 (k + 1) s; a response counts in the window in which
 * it completes. The window ending at 40 s is wholly inside the fault
 * (20..50 s) with a margin for the responses that straddle its start, and
 * so is its last instant, where readiness is read; the window ending at
 * 10 s and those from 70 s on are wholly outside, with a margin for the
 * slow responses that straddle its end. */
static bool inside(int k)
{
	return k == 3;
}

static bool outside(int k)
{
	return k == 0 || k >= 6;
}

/* latency: +100 ms. Inside, every latency is 20 + 100 = 120 ms (the
 * window level puts them at bin values, within 0.5%); outside 20 ms. */
static void check_latency(enum level lv)
{
	struct sim_config c = base();
	static struct run r;

	add_fault(&c, SIM_FAULT_LATENCY)->delay_ms = 100.0;
	run(&c, lv, NULL, &r);
	for (int k = 0; k < WINDOWS; k++) {
		const struct eng_window_metrics *m = &r.truth[k].version[ENG_STABLE];

		if (inside(k)) {
			T_ASSERT_NEAR(m->mean_ms, 120.0, 1.0);
			T_ASSERT_NEAR(m->p99_ms, 120.0, 0.6);
		}
		if (outside(k)) {
			T_ASSERT_NEAR(m->mean_ms, 20.0, 0.2);
			T_ASSERT_NEAR(m->p50_ms, 20.0, 0.1);
		}
	}
}

AT_BOTH_LEVELS(latency, check_latency)

/* A jitter of +-30 ms around a 100 ms delay (request level only): the
 * mean stays 120 ms (the jitter is uniform and centred; 1,000 requests a
 * window: sd 30 / sqrt(3 x 1000) = 0.55 ms, 4 sd 2.2), and no latency
 * leaves 20 + 100 +- 30. */
static void test_latency_jitter(void)
{
	struct sim_config c = base();
	static struct run r;
	struct sim_fault *f = add_fault(&c, SIM_FAULT_LATENCY);

	f->delay_ms = 100.0;
	f->jitter_ms = 30.0;
	run(&c, REQUEST, NULL, &r);
	for (int k = 3; k <= 4; k++) {
		const struct eng_window_metrics *m = &r.truth[k].version[ENG_STABLE];

		T_ASSERT_NEAR(m->mean_ms, 120.0, 2.2);
		CU_ASSERT(m->max_ms <= 150.0 * 1.005 && m->p50_ms >= 90.0 * 0.995);
	}
}

/* netem's correlated jitter, fed 200,000 fresh uniform jitters of +-10 ms
 * with c = 0.6: every value stays within +-10; the lag-1 autocorrelation
 * is c (sd about 1 / sqrt(n) = 0.0022; within 0.01); the variance is
 * (1 - c) / (1 + c) x 100 / 3 = 8.333 (sd of its estimate about
 * sqrt(2 (1 + c^2) / (1 - c^2) / n) = 0.5%; within 3%). */
static void test_jitter_correlation(void)
{
	const double c = 0.6;
	const int n = 200000;
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	double last = 0.0, sum = 0.0, sum2 = 0.0, lag = 0.0, prev = 0.0;
	bool within = true;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	gsl_rng_set(r, 7);
	for (int i = 0; i < n; i++) {
		last = sim_fault_jitter(last, 10.0 * (2.0 * gsl_rng_uniform(r) - 1.0), c);
		within = within && fabs(last) <= 10.0;
		sum += last;
		sum2 += last * last;
		if (i > 0)
			lag += last * prev;
		prev = last;
	}
	gsl_rng_free(r);
	CU_ASSERT(within);
	double mean = sum / n, var = sum2 / n - mean * mean;

	T_ASSERT_NEAR((lag / (n - 1) - mean * mean) / var, c, 0.01);
	T_ASSERT_NEAR(var, (1.0 - c) / (1.0 + c) * 100.0 / 3.0, 0.03 * 8.333);
	T_ASSERT_NEAR(sim_fault_jitter(4.0, -2.0, 0.0), -2.0, 1e-12);
	T_ASSERT_NEAR(sim_fault_jitter(4.0, -2.0, 1.0), 4.0, 1e-12);
}

/* The same correlation in a run: +100 +- 50 ms, c = 0.9. The mean stays
 * 120 ms; the jitter's sd narrows from 50 / sqrt(3) = 28.9 ms to
 * 28.9 x sqrt(0.1 / 1.9) = 6.6 ms, so a window's p99, 120 + 49 = 169 ms
 * uncorrelated, falls below 145 ms (3.8 sd above the mean). */
static void test_latency_correlation(void)
{
	struct sim_config c = base();
	static struct run r;
	struct sim_fault *f = add_fault(&c, SIM_FAULT_LATENCY);

	f->delay_ms = 100.0;
	f->jitter_ms = 50.0;
	run(&c, REQUEST, NULL, &r);
	CU_ASSERT(r.truth[3].version[ENG_STABLE].p99_ms > 160.0);
	f->correlation = 0.9;
	run(&c, REQUEST, NULL, &r);
	for (int k = 3; k <= 4; k++) {
		const struct eng_window_metrics *m = &r.truth[k].version[ENG_STABLE];

		T_ASSERT_NEAR(m->mean_ms, 120.0, 4.0);
		CU_ASSERT(m->p99_ms < 145.0);
	}
}

/* abort: every request inside fails; errors: 30% of them (1,000 a
 * window: sd sqrt(0.21 / 1000) = 0.0145, 4 sd 0.058); none outside. */
static void check_errors(enum level lv)
{
	struct sim_config c = base();
	static struct run r;

	add_fault(&c, SIM_FAULT_ABORT);
	run(&c, lv, NULL, &r);
	for (int k = 0; k < WINDOWS; k++) {
		const struct eng_window_metrics *m = &r.truth[k].version[ENG_STABLE];

		if (inside(k))
			T_ASSERT_EQ_INT(m->errors, m->requests);
		if (outside(k))
			T_ASSERT_EQ_INT(m->errors, 0);
	}
	c = base();
	add_fault(&c, SIM_FAULT_ERRORS)->error_frac = 0.3;
	run(&c, lv, NULL, &r);
	for (int k = 3; k <= 4; k++)
		T_ASSERT_NEAR(r.truth[k].version[ENG_STABLE].error_rate_frac, 0.3, 0.058);
	T_ASSERT_EQ_INT(r.truth[7].version[ENG_STABLE].errors, 0);
}

AT_BOTH_LEVELS(errors, check_errors)

/* crash of 2 of the 4 instances: 2 ready inside, 4 outside; at the request
 * level the other two serve everything, so no request fails but those in
 * flight at 20 s on the crashed ones (at most 2 x 8 = 16). */
static void check_crash(enum level lv)
{
	struct sim_config c = base();
	static struct run r;

	add_fault(&c, SIM_FAULT_CRASH)->count = 2;
	run(&c, lv, NULL, &r);
	for (int k = 0; k < WINDOWS; k++) {
		const struct eng_window_metrics *m = &r.truth[k].version[ENG_STABLE];

		if (inside(k))
			T_ASSERT_EQ_INT(m->ready_instances, 2);
		if (outside(k))
			T_ASSERT_EQ_INT(m->ready_instances, 4);
	}
	if (lv == REQUEST)
		CU_ASSERT(r.truth[2].version[ENG_STABLE].errors +
			  r.truth[3].version[ENG_STABLE].errors <= 16);
}

AT_BOTH_LEVELS(crash, check_crash)

/* cpu_hog taking half of every instance's CPU: service 20 / (1 - 0.5) =
 * 40 ms inside (request level; the window level does not model it). */
static void test_cpu_hog(void)
{
	struct sim_config c = base();
	static struct run r;

	add_fault(&c, SIM_FAULT_CPU_HOG)->share_frac = 0.5;
	run(&c, REQUEST, NULL, &r);
	T_ASSERT_NEAR(r.truth[3].version[ENG_STABLE].mean_ms, 40.0, 0.2);
	T_ASSERT_NEAR(r.truth[7].version[ENG_STABLE].mean_ms, 20.0, 0.2);
}

/* traffic x 3: 3,000 requests a window inside (Poisson: sd 55, 4 sd
 * 220), 1,000 outside (4 sd 126). */
static void check_spike(enum level lv)
{
	struct sim_config c = base();
	static struct run r;

	add_fault(&c, SIM_FAULT_TRAFFIC_SPIKE)->factor = 3.0;
	c.faults[0].target = SIM_TARGET_ALL;
	run(&c, lv, NULL, &r);
	T_ASSERT_NEAR((double)r.truth[3].all.requests, 3000.0, 220.0);
	T_ASSERT_NEAR((double)r.truth[4].all.requests, 3000.0, 220.0);
	T_ASSERT_NEAR((double)r.truth[7].all.requests, 1000.0, 126.0);
}

AT_BOTH_LEVELS(spike, check_spike)

/* A dependency outage: every call to "db" fails inside, so does every
 * request of the version calling it; a 50 ms slow-down adds 50 ms. */
static void check_dependency(enum level lv)
{
	struct sim_config c = base();
	static struct run r;
	struct sim_fault *f;

	c.ndeps = 1;
	snprintf(c.deps[0].name, sizeof(c.deps[0].name), "db");
	c.deps[0].latency.kind = SIM_DIST_CONSTANT;
	c.deps[0].latency.value_ms = 0.0;
	c.version[ENG_STABLE].dependencies = 1u;
	f = add_fault(&c, SIM_FAULT_DEPENDENCY);
	f->target = SIM_TARGET_DEPENDENCY;
	f->dependency = 0;
	f->error_frac = 1.0;
	f->delay_ms = 50.0;
	run(&c, lv, NULL, &r);
	T_ASSERT_EQ_INT(r.truth[3].version[ENG_STABLE].errors,
			r.truth[3].version[ENG_STABLE].requests);
	T_ASSERT_NEAR(r.truth[3].version[ENG_STABLE].mean_ms, 70.0, 0.5);
	T_ASSERT_EQ_INT(r.truth[7].version[ENG_STABLE].errors, 0);
}

AT_BOTH_LEVELS(dependency, check_dependency)

/* The metrics source: down inside (no requests seen, NaN latency) while
 * the truth keeps its thousand; NaN (counts kept, NaN rate); lagging 20 s
 * (window 4, ending 50 s, shows window 2's data, ending 30 s... the window
 * ending 20 s earlier); stale (the last window before 20 s: window 1). */
static void check_metrics(enum level lv)
{
	struct sim_config c = base();
	static struct run r;

	add_fault(&c, SIM_FAULT_METRICS_DOWN)->target = SIM_TARGET_ALL;
	run(&c, lv, NULL, &r);
	T_ASSERT_EQ_INT(r.seen[3].version[ENG_STABLE].requests, 0);
	CU_ASSERT(isnan(r.seen[3].version[ENG_STABLE].p99_ms));
	CU_ASSERT(r.truth[3].version[ENG_STABLE].requests > 800);
	T_ASSERT_EQ_INT(r.seen[7].version[ENG_STABLE].requests,
			r.truth[7].version[ENG_STABLE].requests);
	c.faults[0].kind = SIM_FAULT_METRICS_NAN;
	run(&c, lv, NULL, &r);
	T_ASSERT_EQ_INT(r.seen[3].version[ENG_STABLE].requests,
			r.truth[3].version[ENG_STABLE].requests);
	CU_ASSERT(isnan(r.seen[3].version[ENG_STABLE].error_rate_frac));
	c.faults[0].kind = SIM_FAULT_METRICS_LAG;
	c.faults[0].lag_ns = 20 * ENG_NS_PER_S;
	run(&c, lv, NULL, &r);
	T_ASSERT_EQ_INT(r.seen[4].version[ENG_STABLE].requests,
			r.truth[2].version[ENG_STABLE].requests);
	T_ASSERT_EQ_INT(r.seen[4].t_ns, 50 * ENG_NS_PER_S);
	c.faults[0].kind = SIM_FAULT_METRICS_STALE;
	run(&c, lv, NULL, &r);
	for (int k = 2; k <= 4; k++)
		T_ASSERT_EQ_INT(r.seen[k].version[ENG_STABLE].requests,
				r.truth[1].version[ENG_STABLE].requests);
}

AT_BOTH_LEVELS(metrics, check_metrics)

/* Actuation: a weight of 40% asked at 25 s does not land under
 * actuation_fail (the canary takes nothing); under a 20 s actuation_delay
 * it lands at 45 s: the window ending 40 s has no canary request and the
 * window ending 50 s has them. */
static void check_actuation(enum level lv)
{
	struct sim_config c = base();
	struct eng_action act = { .kind = ENG_ACT_SET_WEIGHT, .weight_pct = 40.0 };
	static struct run r;

	add_fault(&c, SIM_FAULT_ACTUATION_FAIL)->target = SIM_TARGET_ALL;
	run(&c, lv, &act, &r);
	T_ASSERT_EQ_INT(r.truth[7].version[ENG_CANARY].requests, 0);
	T_ASSERT_NEAR(r.weight_at_end, 0.0, 0.0);
	c.faults[0].kind = SIM_FAULT_ACTUATION_DELAY;
	c.faults[0].actuation_delay_ns = 20 * ENG_NS_PER_S;
	run(&c, lv, &act, &r);
	T_ASSERT_EQ_INT(r.truth[3].version[ENG_CANARY].requests, 0);
	CU_ASSERT(r.truth[4].version[ENG_CANARY].requests > 100);
	T_ASSERT_NEAR(r.weight_at_end, 40.0, 0.0);
}

AT_BOTH_LEVELS(actuation, check_actuation)

/* A fault that starts at a moment of the rollout: "step 3" starts when the
 * world is told of step 3's decision (at 35 s here) plus after_s 5 s. */
static void test_start_at_a_step(void)
{
	struct sim_config c = base();
	struct sim_fault_schedule sched;
	struct eng_event ev;
	struct sim_fault *f = add_fault(&c, SIM_FAULT_ABORT);

	f->start = SIM_START_STEP;
	f->step = 3;
	f->delay_after_ns = 5 * ENG_NS_PER_S;
	sim_fault_schedule_init(&sched, c.faults, c.nfaults);
	CU_ASSERT_FALSE(sim_fault_active(&sched, 0, 100 * ENG_NS_PER_S));
	memset(&ev, 0, sizeof(ev));
	ev.rule = ENG_RULE_STEP;
	ev.step_index = 1; /* step 2 */
	ev.t_ns = 30 * ENG_NS_PER_S;
	T_ASSERT_EQ_INT(sim_fault_schedule_notify(&sched, &ev), 0);
	ev.step_index = 2; /* step 3 */
	ev.t_ns = 35 * ENG_NS_PER_S;
	T_ASSERT_EQ_INT(sim_fault_schedule_notify(&sched, &ev), 1);
	CU_ASSERT_FALSE(sim_fault_active(&sched, 0, 39 * ENG_NS_PER_S));
	CU_ASSERT(sim_fault_active(&sched, 0, 40 * ENG_NS_PER_S));
	CU_ASSERT(sim_fault_active(&sched, 0, 69 * ENG_NS_PER_S));
	CU_ASSERT_FALSE(sim_fault_active(&sched, 0, 70 * ENG_NS_PER_S));
	/* once started, a later moment does not move it */
	ev.t_ns = 80 * ENG_NS_PER_S;
	T_ASSERT_EQ_INT(sim_fault_schedule_notify(&sched, &ev), 0);
}

/* A ramp: the level rises linearly over ramp_s: at 20 + 5 s of a 10 s
 * ramp it is 0.5; the errors fault's expected share then 0.3 x 0.5. */
static void test_ramp(void)
{
	struct sim_config c = base();
	struct sim_fault_schedule sched;
	struct sim_fault_effects fx;
	struct sim_fault *f = add_fault(&c, SIM_FAULT_ERRORS);

	f->error_frac = 0.3;
	f->ramp_ns = 10 * ENG_NS_PER_S;
	sim_fault_schedule_init(&sched, c.faults, c.nfaults);
	T_ASSERT_NEAR(sim_fault_level(&sched, 0, 25 * ENG_NS_PER_S), 0.5, 1e-12);
	T_ASSERT_NEAR(sim_fault_level(&sched, 0, 35 * ENG_NS_PER_S), 1.0, 0.0);
	sim_fault_request_effects(&sched, ENG_STABLE, 25 * ENG_NS_PER_S, &fx);
	T_ASSERT_NEAR(fx.error_frac, 0.15, 1e-12);
	sim_fault_request_effects(&sched, ENG_CANARY, 25 * ENG_NS_PER_S, &fx);
	T_ASSERT_NEAR(fx.error_frac, 0.0, 0.0);
}

/* error_burst: every request fails in bursts of 5 s every 10 s. The
 * window 30..40 s holds one burst, 30..35 s: half its requests fail, as a
 * binomial share of the Poisson arrivals (1,000 a window: sd
 * sqrt(0.25 / 1000) = 0.016; 4 sd 0.064); the window level averages the
 * burst over the window to the same share. */
static void check_burst(enum level lv)
{
	struct sim_config c = base();
	static struct run r;
	struct sim_fault *f = add_fault(&c, SIM_FAULT_ERROR_BURST);

	f->error_frac = 1.0;
	f->every_ns = 10 * ENG_NS_PER_S;
	f->burst_ns = 5 * ENG_NS_PER_S;
	run(&c, lv, NULL, &r);
	T_ASSERT_NEAR(r.truth[3].version[ENG_STABLE].error_rate_frac, 0.5, 0.064);
	T_ASSERT_EQ_INT(r.truth[7].version[ENG_STABLE].errors, 0);
}

AT_BOTH_LEVELS(burst, check_burst)

/* crash_loop: 2 of the 4 instances crash every 20 s for 10 s, from 25 s
 * to 85 s: down 25..35, 45..55 and 65..75, up in between. Readiness is
 * read at each window's last instant: 2 ready at 30, 50 and 70 s (the
 * first, second and third down periods), 4 at 40, 60 and 80 s, and 4 at
 * 10 and 20 s before the fault. */
static void check_crash_loop(enum level lv)
{
	static const int ready[WINDOWS] = { 4, 4, 2, 4, 2, 4, 2, 4 };
	struct sim_config c = base();
	static struct run r;
	struct sim_fault *f = add_fault(&c, SIM_FAULT_CRASH_LOOP);

	f->count = 2;
	f->at_ns = 25 * ENG_NS_PER_S;
	f->duration_ns = 60 * ENG_NS_PER_S;
	f->every_ns = 20 * ENG_NS_PER_S;
	f->burst_ns = 10 * ENG_NS_PER_S;
	run(&c, lv, NULL, &r);
	for (int k = 0; k < WINDOWS; k++)
		T_ASSERT_EQ_INT(r.truth[k].version[ENG_STABLE].ready_instances, ready[k]);
}

AT_BOTH_LEVELS(crash_loop, check_crash_loop)

/* memory_leak of 10 MB/s on every instance from 20 s, base 100 MB, limit
 * 300 MB: the limit is reached after (300 - 100) / 10 = 20 s, at 40 s,
 * and every instance is OOM-killed once, to come back after the 15 s
 * restart delay at 55 s, when the fault (until 50 s) is over. So 4 kills;
 * all 4 ready at 30 s (memory 200 MB, the window level's mean too), none
 * at 50 s, all again at 60 s. */
static void test_memory_leak(void)
{
	struct sim_config c = base();
	static struct run r;
	struct sim_totals t;
	struct sim *s;

	c.version[ENG_STABLE].resources.memory_base_mb = 100.0;
	c.version[ENG_STABLE].resources.memory_limit_mb = 300.0;
	c.version[ENG_STABLE].resources.restart_delay_s = 15.0;
	add_fault(&c, SIM_FAULT_MEMORY_LEAK)->leak_mb_per_s = 10.0;
	run(&c, REQUEST, NULL, &r);
	T_ASSERT_EQ_INT(r.truth[2].version[ENG_STABLE].ready_instances, 4);
	T_ASSERT_EQ_INT(r.truth[4].version[ENG_STABLE].ready_instances, 0);
	T_ASSERT_EQ_INT(r.truth[5].version[ENG_STABLE].ready_instances, 4);
	s = sim_create(&c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_FATAL(sim_run_until(s, 80 * ENG_NS_PER_S));
	sim_totals(s, ENG_STABLE, &t);
	T_ASSERT_EQ_INT(t.oom_kills, 4);
	sim_free(s);
	run(&c, WINDOW, NULL, &r);
	T_ASSERT_NEAR(r.truth[2].version[ENG_STABLE].memory_mb, 200.0, 1e-6);
}

/* partition of 3 of the 4 instances: 1 ready inside, and the router sends
 * everything to it (concurrency 8 at 100 x 0.02 = 2 busy: no error). */
static void check_partition(enum level lv)
{
	struct sim_config c = base();
	static struct run r;

	add_fault(&c, SIM_FAULT_PARTITION)->count = 3;
	run(&c, lv, NULL, &r);
	T_ASSERT_EQ_INT(r.truth[3].version[ENG_STABLE].ready_instances, 1);
	T_ASSERT_EQ_INT(r.truth[3].version[ENG_STABLE].errors, 0);
	T_ASSERT_EQ_INT(r.truth[6].version[ENG_STABLE].ready_instances, 4);
}

AT_BOTH_LEVELS(partition, check_partition)

/* slow_start x 3 fading over the fault's 30 s: a request at 20 + x s is
 * 1 + 2 (1 - x / 30) times slower; over the window 20..30 s (x uniform in
 * 0..10) the mean is 20 (1 + 2 (1 - 5 / 30)) = 53.3 ms, and 40..50 s gives
 * 20 (1 + 2 (1 - 25 / 30)) = 26.7 ms. */
static void check_slow_start(enum level lv)
{
	struct sim_config c = base();
	static struct run r;

	add_fault(&c, SIM_FAULT_SLOW_START)->multiplier = 3.0;
	run(&c, lv, NULL, &r);
	T_ASSERT_NEAR(r.truth[2].version[ENG_STABLE].mean_ms, 20.0 * (1.0 + 2.0 * (1.0 - 5.0 / 30)), 1.0);
	T_ASSERT_NEAR(r.truth[4].version[ENG_STABLE].mean_ms, 20.0 * (1.0 + 2.0 * (1.0 - 25.0 / 30)), 1.0);
}

AT_BOTH_LEVELS(slow_start, check_slow_start)

/* probability < 1: an errors fault of error_rate 0.5 hitting 40% of the
 * requests fails 0.4 x 0.5 = 20% of them (1,000 a window: sd
 * sqrt(0.2 x 0.8 / 1000) = 0.0126, 4 sd 0.051); an abort hitting 25%
 * fails 25% (sd 0.0137, 4 sd 0.055); a 100 ms delay on half the requests
 * moves the mean to 20 + 0.5 x 100 = 70 ms (request level: each latency
 * 20 or 120 ms, sd 50, so the mean's sd is 50 / sqrt(1000) = 1.6 ms, 4 sd
 * 6.3; the window level shifts every request by the expected 50 ms). */
static void check_probability(enum level lv)
{
	struct sim_config c = base();
	static struct run r;
	struct sim_fault *f = add_fault(&c, SIM_FAULT_ERRORS);

	f->error_frac = 0.5;
	f->probability = 0.4;
	run(&c, lv, NULL, &r);
	for (int k = 3; k <= 4; k++)
		T_ASSERT_NEAR(r.truth[k].version[ENG_STABLE].error_rate_frac, 0.2, 0.051);
	c = base();
	add_fault(&c, SIM_FAULT_ABORT)->probability = 0.25;
	run(&c, lv, NULL, &r);
	for (int k = 3; k <= 4; k++)
		T_ASSERT_NEAR(r.truth[k].version[ENG_STABLE].error_rate_frac, 0.25, 0.055);
	c = base();
	f = add_fault(&c, SIM_FAULT_LATENCY);
	f->delay_ms = 100.0;
	f->probability = 0.5;
	run(&c, lv, NULL, &r);
	for (int k = 3; k <= 4; k++)
		T_ASSERT_NEAR(r.truth[k].version[ENG_STABLE].mean_ms, 70.0, 6.3);
	T_ASSERT_NEAR(r.truth[7].version[ENG_STABLE].mean_ms, 20.0, 0.2);
}

AT_BOTH_LEVELS(probability, check_probability)

/* instances as a percent, rounded up: of 4 instances, 30% takes
 * ceil(1.2) = 2 and leaves 2 ready, 25% takes exactly 1 (no rounding up
 * of 1.0000000001) and leaves 3, 100% takes all 4. */
static void check_instances_percent(enum level lv)
{
	static const struct {
		double pct;
		int ready;
	} cases[] = { { 30.0, 2 }, { 25.0, 3 }, { 100.0, 0 } };
	static struct run r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sim_config c = base();

		add_fault(&c, SIM_FAULT_CRASH)->percent = cases[i].pct;
		run(&c, lv, NULL, &r);
		T_ASSERT_EQ_INT(r.truth[3].version[ENG_STABLE].ready_instances, cases[i].ready);
		T_ASSERT_EQ_INT(r.truth[6].version[ENG_STABLE].ready_instances, 4);
	}
}

AT_BOTH_LEVELS(instances_percent, check_instances_percent)

/* The rounding itself: P% of n takes ceil(P n / 100), at least 1: 30% of
 * 4 is 2, 25% of 4 is 1, 1% of 1000 is 10, 0.1% of 4 is ceil(0.004) = 1,
 * 50% of 3 is ceil(1.5) = 2; a count takes that many, none over n. */
static void test_instances_rounding(void)
{
	struct sim_fault f;

	memset(&f, 0, sizeof(f));
	f.percent = 30.0;
	T_ASSERT_EQ_INT(sim_fault_instances(&f, 4), 2);
	f.percent = 25.0;
	T_ASSERT_EQ_INT(sim_fault_instances(&f, 4), 1);
	f.percent = 1.0;
	T_ASSERT_EQ_INT(sim_fault_instances(&f, 1000), 10);
	f.percent = 0.1;
	T_ASSERT_EQ_INT(sim_fault_instances(&f, 4), 1);
	f.percent = 50.0;
	T_ASSERT_EQ_INT(sim_fault_instances(&f, 3), 2);
	f.percent = 0.0;
	f.count = 3;
	T_ASSERT_EQ_INT(sim_fault_instances(&f, 4), 3);
	T_ASSERT_EQ_INT(sim_fault_instances(&f, 2), 2);
}

/* A ramp inside a run: errors at 0.6 ramping over the whole fault, 20..50
 * s, so the level at t is (t - 20) / 30. A request of a window fails with
 * 0.6 x the level at its arrival; averaged over the window (arrivals are
 * uniform, and the window level takes the level at 16 midpoints, exact
 * for a linear ramp): 20..30 s, levels 0..1/3, mean 1/6, share 0.1;
 * 30..40 s, halfway up, levels 1/3..2/3, mean 1/2, share 0.3 (half the
 * full 0.6); 40..50 s, mean 5/6, share 0.5. Binomial over 1,000 requests:
 * sd at most sqrt(0.25 / 1000) = 0.016, 4 sd 0.064. */
static void check_ramp_in_a_run(enum level lv)
{
	struct sim_config c = base();
	static struct run r;
	struct sim_fault *f = add_fault(&c, SIM_FAULT_ERRORS);

	f->error_frac = 0.6;
	f->ramp_ns = 30 * ENG_NS_PER_S;
	run(&c, lv, NULL, &r);
	T_ASSERT_EQ_INT(r.truth[1].version[ENG_STABLE].errors, 0);
	T_ASSERT_NEAR(r.truth[2].version[ENG_STABLE].error_rate_frac, 0.6 / 6.0, 0.064);
	T_ASSERT_NEAR(r.truth[3].version[ENG_STABLE].error_rate_frac, 0.6 / 2.0, 0.064);
	T_ASSERT_NEAR(r.truth[4].version[ENG_STABLE].error_rate_frac, 0.6 * 5.0 / 6.0, 0.064);
	T_ASSERT_EQ_INT(r.truth[6].version[ENG_STABLE].errors, 0);
}

AT_BOTH_LEVELS(ramp_in_a_run, check_ramp_in_a_run)

/* The latency multiplier x 3 on the 20 ms service time: a window's mean
 * is 3 x 20 = 60 ms inside (the request level's latencies are exact, the
 * window level's at bin values, within 0.5%: 0.3 ms), 20 ms outside. */
static void check_multiplier(enum level lv)
{
	struct sim_config c = base();
	static struct run r;

	add_fault(&c, SIM_FAULT_LATENCY)->multiplier = 3.0;
	run(&c, lv, NULL, &r);
	T_ASSERT_NEAR(r.truth[3].version[ENG_STABLE].mean_ms, 3.0 * 20.0, 0.3);
	T_ASSERT_NEAR(r.truth[3].version[ENG_STABLE].p50_ms, 3.0 * 20.0, 0.3);
	T_ASSERT_NEAR(r.truth[7].version[ENG_STABLE].mean_ms, 20.0, 0.2);
}

AT_BOTH_LEVELS(multiplier, check_multiplier)

/* Faults that start at a moment of the rollout, end to end: through the
 * loader (the keys as a user writes them) and scn_simulate(), whose run
 * loop tells the world of every decision. The world: 100 requests/s, 4
 * instances of concurrency 8 each, a constant 20 ms service time; the
 * canary's errors at rate %s (0: a good canary); steps 20% (1), a 30 s
 * pause (2), 50% (3), a 30 s pause (4): step 3 at 30 s, all steps done
 * and promoted at 60 s; one check, error rate at most 5%, every 10 s, the
 * first failure rolling back; 60 s observed after the decision. */
#define PHASE_SCENARIO                                                            \
	"{\"run\": {\"seed\": 3, \"window_s\": 10, \"observe_after_s\": 60},"      \
	" \"traffic\": {\"rate_rps\": 100},"                                       \
	" \"versions\": {\"stable\": {\"instances\": 4, \"concurrency\": 8,"       \
	"   \"service_time\": {\"dist\": \"constant\", \"value_ms\": 20}},"        \
	"  \"canary\": {\"errors\": {\"rate\": %s}}},"                             \
	" \"faults\": [%s],"                                                       \
	" \"deployment\": {\"steps\": [{\"set_weight\": 20}, {\"pause\": {\"duration_s\": 30}}," \
	"   {\"set_weight\": 50}, {\"pause\": {\"duration_s\": 30}}],"             \
	"   \"analysis\": {\"metrics\": [{\"metric\": \"error_rate\", \"max\": 0.05}]}}}"

/* Loads PHASE_SCENARIO with the canary's error rate and the fault, and
 * simulates it at lv into rec (initialised here; the caller frees it). */
static void run_phase(const char *canary_errors, const char *fault, enum level lv,
		      struct eng_record *rec)
{
	char text[2048];
	struct scn_scenario *sc = NULL;
	struct scn_diag d;

	snprintf(text, sizeof(text), PHASE_SCENARIO, canary_errors, fault);
	scn_diag_init(&d);
	T_ASSERT_EQ_INT(scn_load_text(text, strlen(text), "t/phase.json", &d, &sc), SCN_OK);
	for (size_t k = 0; k < d.count; k++)
		fprintf(stderr, "\n  %s", d.lines[k]);
	scn_diag_free(&d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
	eng_record_init(rec);
	T_ASSERT_EQ_INT(scn_simulate(sc, sc->seed, lv == REQUEST ? SCN_FIDELITY_REQUEST :
				     SCN_FIDELITY_WINDOW, rec), ENG_OK);
	scn_free(sc);
}

/* Version v's window of rec ending at t_s, which must be there. */
static const struct eng_window_metrics *window_ending(const struct eng_record *rec,
						      int t_s, enum eng_version v)
{
	for (size_t i = 0; i < rec->nwindows; i++)
		if (rec->windows[i].t_ns == (int64_t)t_s * ENG_NS_PER_S)
			return &rec->windows[i].version[v];
	CU_FAIL_FATAL("no window ends then");
	return NULL;
}

/* Every request of the window failed, but for the few that arrived before
 * the fault began at its start and completed after it (a request takes
 * 20 ms: at the canary's 20 or 50 rps, 0.4 or 1 in flight on average;
 * Poisson, more than 5 about 1 in 1,700 at 1); exactly every one at the
 * window level, which takes the fault at moments inside the window. */
static void assert_all_failed(const struct eng_window_metrics *m, enum level lv,
			      bool straddle)
{
	CU_ASSERT(m->requests > 100);
	if (lv == WINDOW || !straddle)
		T_ASSERT_EQ_INT(m->errors, m->requests);
	else
		CU_ASSERT(m->errors + 5 >= m->requests && m->errors <= m->requests);
}

/* {"step": 3}: an abort on the canary starts when step 3 (50%) begins, at
 * 30 s. The canary's windows ending 10, 20 and 30 s have no error (a good
 * canary); the one ending 40 s fails whole, so the check fails at 40 s
 * and the canary is rolled back then, after 3 passing runs. */
static void check_phase_step(enum level lv)
{
	struct eng_record rec;
	bool step3 = false;

	run_phase("0", "{\"kind\": \"abort\", \"start\": {\"step\": 3}, \"duration_s\": 600}",
		  lv, &rec);
	for (size_t i = 0; i < rec.events.count; i++) {
		const struct eng_event *ev = &rec.events.events[i];

		if (ev->rule == ENG_RULE_STEP && ev->step_index == 2) {
			T_ASSERT_EQ_INT(ev->t_ns, 30 * ENG_NS_PER_S);
			step3 = true;
		}
	}
	CU_ASSERT(step3);
	for (int t = 10; t <= 30; t += 10) {
		CU_ASSERT(window_ending(&rec, t, ENG_CANARY)->requests > 100);
		T_ASSERT_EQ_INT(window_ending(&rec, t, ENG_CANARY)->errors, 0);
	}
	assert_all_failed(window_ending(&rec, 40, ENG_CANARY), lv, true);
	T_ASSERT_EQ_INT(rec.outcome, ENG_OUTCOME_ROLLED_BACK);
	T_ASSERT_EQ_INT(rec.decision_ns, 40 * ENG_NS_PER_S);
	eng_record_free(&rec);
}

AT_BOTH_LEVELS(phase_step, check_phase_step)

/* {"on": "promotion"}: an abort on the canary starts when the steps are
 * done, at 60 s, and the canary takes all the traffic. Before, no canary
 * request fails and the checks pass: promoted at 60 s. After, each of the
 * six observed windows (ending 70..120 s) fails whole (only the first can
 * hold requests from before 60 s). */
static void check_phase_promotion(enum level lv)
{
	struct eng_record rec;

	run_phase("0", "{\"kind\": \"abort\", \"start\": {\"on\": \"promotion\"}, \"duration_s\": 600}",
		  lv, &rec);
	T_ASSERT_EQ_INT(rec.outcome, ENG_OUTCOME_PROMOTED);
	T_ASSERT_EQ_INT(rec.decision_ns, 60 * ENG_NS_PER_S);
	for (int t = 10; t <= 60; t += 10)
		T_ASSERT_EQ_INT(window_ending(&rec, t, ENG_CANARY)->errors, 0);
	for (int t = 70; t <= 120; t += 10)
		assert_all_failed(window_ending(&rec, t, ENG_CANARY), lv, t == 70);
	T_ASSERT_EQ_INT(rec.end_ns, 120 * ENG_NS_PER_S);
	eng_record_free(&rec);
}

AT_BOTH_LEVELS(phase_promotion, check_phase_promotion)

/* {"on": "rollback", "after_s": 5}: chaos during recovery. A canary
 * failing 30% of its requests fails the first check and is rolled back at
 * 10 s; an abort on the stable version, which then takes all the traffic,
 * starts 5 s later and lasts 20 s, 15..35 s. The stable's window ending
 * 10 s has no error; 10..20 s loses the requests after 15 s, half of
 * them (about 1,000 requests: binomial sd sqrt(0.25 / 1000) = 0.016, 4 sd
 * 0.063; the window level takes 8 of its 16 moments inside); 20..30 s
 * loses all; 30..40 s half again; 40..50 s none. */
static void check_phase_rollback(enum level lv)
{
	struct eng_record rec;

	run_phase("0.3", "{\"kind\": \"abort\", \"target\": \"stable\","
		  " \"start\": {\"on\": \"rollback\", \"after_s\": 5}, \"duration_s\": 20}", lv, &rec);
	T_ASSERT_EQ_INT(rec.outcome, ENG_OUTCOME_ROLLED_BACK);
	T_ASSERT_EQ_INT(rec.decision_ns, 10 * ENG_NS_PER_S);
	T_ASSERT_EQ_INT(window_ending(&rec, 10, ENG_STABLE)->errors, 0);
	T_ASSERT_NEAR(window_ending(&rec, 20, ENG_STABLE)->error_rate_frac, 0.5, 0.063);
	assert_all_failed(window_ending(&rec, 30, ENG_STABLE), lv, false);
	T_ASSERT_NEAR(window_ending(&rec, 40, ENG_STABLE)->error_rate_frac, 0.5, 0.063);
	T_ASSERT_EQ_INT(window_ending(&rec, 50, ENG_STABLE)->errors, 0);
	T_ASSERT_EQ_INT(window_ending(&rec, 50, ENG_CANARY)->requests, 0);
	eng_record_free(&rec);
}

AT_BOTH_LEVELS(phase_rollback, check_phase_rollback)

int t_suite_faults(void)
{
	static const struct t_case cases[] = {
		{ "latency: delay (request level)", test_latency_request },
		{ "latency: delay (window level)", test_latency_window },
		{ "latency: jitter", test_latency_jitter },
		{ "latency: netem's correlated jitter", test_jitter_correlation },
		{ "latency: a correlated jitter in a run", test_latency_correlation },
		{ "abort and errors (request level)", test_errors_request },
		{ "abort and errors (window level)", test_errors_window },
		{ "crash (request level)", test_crash_request },
		{ "crash (window level: readiness)", test_crash_window },
		{ "cpu hog", test_cpu_hog },
		{ "traffic spike (request level)", test_spike_request },
		{ "traffic spike (window level)", test_spike_window },
		{ "dependency outage (request level)", test_dependency_request },
		{ "dependency outage (window level)", test_dependency_window },
		{ "metrics faults (request level)", test_metrics_request },
		{ "metrics faults (window level)", test_metrics_window },
		{ "actuation faults (request level)", test_actuation_request },
		{ "actuation faults (window level)", test_actuation_window },
		{ "a start at a step of the rollout", test_start_at_a_step },
		{ "a ramp", test_ramp },
		{ "error bursts (request level)", test_burst_request },
		{ "error bursts (window level)", test_burst_window },
		{ "crash loop, every down period (request level)", test_crash_loop_request },
		{ "crash loop, every down period (window level: readiness)", test_crash_loop_window },
		{ "memory leak to OOM", test_memory_leak },
		{ "partition (request level)", test_partition_request },
		{ "partition (window level: readiness)", test_partition_window },
		{ "slow start (request level)", test_slow_start_request },
		{ "slow start (window level)", test_slow_start_window },
		{ "probability below 1 (request level)", test_probability_request },
		{ "probability below 1 (window level)", test_probability_window },
		{ "instances as a percent (request level)", test_instances_percent_request },
		{ "instances as a percent (window level: readiness)", test_instances_percent_window },
		{ "instances: a percent rounded up", test_instances_rounding },
		{ "a ramp inside a run (request level)", test_ramp_in_a_run_request },
		{ "a ramp inside a run (window level)", test_ramp_in_a_run_window },
		{ "latency multiplier (request level)", test_multiplier_request },
		{ "latency multiplier (window level)", test_multiplier_window },
		{ "a start at step 3, end to end (request level)", test_phase_step_request },
		{ "a start at step 3, end to end (window level)", test_phase_step_window },
		{ "a start at the promotion, end to end (request level)", test_phase_promotion_request },
		{ "a start at the promotion, end to end (window level)", test_phase_promotion_window },
		{ "a start 5 s after the rollback, end to end (request level)", test_phase_rollback_request },
		{ "a start 5 s after the rollback, end to end (window level)", test_phase_rollback_window },
		{ NULL, NULL }
	};

	return t_add_suite("faults", cases);
}
