/* sim/window_world: what the window level adds beyond the fidelity
 * comparison: mirrored copies load the canary's window and reach no user,
 * and the users' view is the one version's sample when only one served. */
#include "sim/window_world.h"
#include "tests/unit/helpers.h"
#include "tests/unit/sim_fixtures.h"

#define WINDOWS 100

static struct sim_config ww_config(void)
{
	struct sim_config c = fx_sim_config(7, 100.0, 4, 8, 20.0);

	c.version[ENG_STABLE].errors.rate_frac = 0.01;
	c.version[ENG_CANARY].errors.rate_frac = 0.05;
	return c;
}

/* Runs WINDOWS windows at canary weight 0, mirroring mirror_pct. */
static void run(double mirror_pct, struct eng_observation *out)
{
	struct sim_config c = ww_config();
	struct sim_wworld *w = sim_wworld_create(&c, NULL);
	struct eng_world world = { &sim_window_world_ops, w };
	struct eng_action act = { .kind = ENG_ACT_SET_WEIGHT, .weight_pct = 0.0,
				  .mirror_pct = mirror_pct };

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL_FATAL(eng_world_apply(&world, &act), ENG_OK);
	for (int i = 0; i < WINDOWS; i++) {
		CU_ASSERT_EQUAL_FATAL(eng_world_wait_until(&world, (int64_t)(i + 1) * c.window_ns), ENG_OK);
		CU_ASSERT_EQUAL_FATAL(eng_world_observe(&world, &out[i]), ENG_OK);
	}
	sim_wworld_free(w);
}

/* Mirroring 30% at weight 0 against the same seed without it: the copies
 * come from a stream of their own, so every window's users' view and the
 * stable version are equal to the last bit; the canary's window holds only
 * copies, a Binomial(N, 0.3) share of the N = 100 x 1,000 stable requests
 * within 4 sd (sd = sqrt(0.21 / N) = 0.0014), of which about 5% fail
 * (within 4 sd). */
static void test_mirror_reaches_no_user(void)
{
	static struct eng_observation plain[WINDOWS], mirrored[WINDOWS];
	uint64_t n_stable = 0, n_mirror = 0, n_mirror_err = 0;
	double share;

	run(0.0, plain);
	run(30.0, mirrored);
	for (int i = 0; i < WINDOWS; i++) {
		const struct eng_observation *a = &plain[i], *b = &mirrored[i];
		const struct eng_window_metrics *c = &b->version[ENG_CANARY];

		T_ASSERT_EQ_INT(b->all.requests, a->all.requests);
		T_ASSERT_EQ_INT(b->all.errors, a->all.errors);
		T_ASSERT_NEAR(b->all.p99_ms, a->all.p99_ms, 0.0);
		T_ASSERT_NEAR(b->all.mean_ms, a->all.mean_ms, 0.0);
		T_ASSERT_EQ_INT(b->version[ENG_STABLE].requests, a->version[ENG_STABLE].requests);
		T_ASSERT_NEAR(b->version[ENG_STABLE].p99_ms, a->version[ENG_STABLE].p99_ms, 0.0);
		T_ASSERT_EQ_INT(a->version[ENG_CANARY].requests, 0);
		T_ASSERT_EQ_INT(c->requests, c->mirrored);
		T_ASSERT_EQ_INT(c->errors, c->mirrored_errors);
		n_stable += b->version[ENG_STABLE].requests;
		n_mirror += c->mirrored;
		n_mirror_err += c->mirrored_errors;
	}
	share = (double)n_mirror / (double)n_stable;
	T_ASSERT_NEAR(share, 0.3, 4 * sqrt(0.21 / (double)n_stable));
	T_ASSERT_NEAR((double)n_mirror_err / (double)n_mirror, 0.05,
		      4 * sqrt(0.05 * 0.95 / (double)n_mirror));
}

/* At weight 0 and without mirroring only the stable version serves: the
 * users' quantiles are its own, not a separate draw. */
static void test_users_view_of_one_version(void)
{
	static struct eng_observation o[WINDOWS];

	run(0.0, o);
	for (int i = 0; i < WINDOWS; i++) {
		T_ASSERT_NEAR(o[i].all.p50_ms, o[i].version[ENG_STABLE].p50_ms, 0.0);
		T_ASSERT_NEAR(o[i].all.p99_ms, o[i].version[ENG_STABLE].p99_ms, 0.0);
		T_ASSERT_NEAR(o[i].all.max_ms, o[i].version[ENG_STABLE].max_ms, 0.0);
	}
}

/* A reset world draws what a new one with that seed draws, also from the
 * streams it seeds only when first drawn from (a dependency's, the
 * faults', the latency bins'). */
static void test_reset_is_a_new_world(void)
{
	struct sim_config c = ww_config();

	c.ndeps = 1;
	snprintf(c.deps[0].name, sizeof(c.deps[0].name), "db");
	c.deps[0].latency.kind = SIM_DIST_CONSTANT;
	c.deps[0].latency.value_ms = 1.0;
	c.deps[0].error_frac = 0.01;
	c.version[ENG_STABLE].dependencies = 1u;
	c.nfaults = 1;
	memset(&c.faults[0], 0, sizeof(c.faults[0]));
	c.faults[0].kind = SIM_FAULT_ERRORS;
	c.faults[0].target = SIM_TARGET_STABLE;
	c.faults[0].error_frac = 0.2;
	c.faults[0].probability = 1.0;
	c.faults[0].multiplier = 1.0;
	c.faults[0].duration_ns = 100 * ENG_NS_PER_S;
	sim_latency_bins_init(&c.latency_bins, &c.version[ENG_STABLE].service);
	struct sim_wworld *w = sim_wworld_create(&c, NULL), *fresh;
	struct eng_observation a, b;
	struct eng_world wa = { &sim_window_world_ops, w }, wb;

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL(eng_world_wait_until(&wa, 50 * ENG_NS_PER_S), ENG_OK);
	sim_wworld_reset(w, 99);
	c.seed = 99;
	fresh = sim_wworld_create(&c, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fresh);
	wb = (struct eng_world){ &sim_window_world_ops, fresh };
	CU_ASSERT_EQUAL(eng_world_wait_until(&wa, 30 * ENG_NS_PER_S), ENG_OK);
	CU_ASSERT_EQUAL(eng_world_wait_until(&wb, 30 * ENG_NS_PER_S), ENG_OK);
	CU_ASSERT_EQUAL(eng_world_observe(&wa, &a), ENG_OK);
	CU_ASSERT_EQUAL(eng_world_observe(&wb, &b), ENG_OK);
	CU_ASSERT_EQUAL(a.version[ENG_STABLE].errors, b.version[ENG_STABLE].errors);
	CU_ASSERT_EQUAL(a.deps->failures[ENG_STABLE][0], b.deps->failures[ENG_STABLE][0]);
	CU_ASSERT_EQUAL(memcmp(a.latency->counts[ENG_STABLE], b.latency->counts[ENG_STABLE],
			       a.latency->nbins * sizeof(uint64_t)), 0);
	a.latency = b.latency = NULL; /* each world's own */
	a.deps = b.deps = NULL;
	CU_ASSERT_EQUAL(memcmp(&a, &b, sizeof(a)), 0);
	T_ASSERT_EQ_INT(a.t_ns, 30 * ENG_NS_PER_S);
	sim_wworld_free(w);
	sim_wworld_free(fresh);
}

int t_suite_window_world(void)
{
	static const struct t_case cases[] = {
		{ "mirrored copies reach no user", test_mirror_reaches_no_user },
		{ "the users' view of one version is its own", test_users_view_of_one_version },
		{ "a reset world is a new one", test_reset_is_a_new_world },
		{ NULL, NULL }
	};

	return t_add_suite("window_world", cases);
}
