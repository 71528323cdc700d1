/* sim/: feature flags at both levels of fidelity. Three flags on the
 * stable version (which takes all traffic): "good" (no effect) at 30%,
 * "errors" (5% added errors) at 30%, "slow" (service time x 2) at 50%;
 * the version's own error rate is 1%. 100 windows of 10 s at 200
 * requests/s: about N = 200,000 requests. */
#include "sim/sim.h"
#include "sim/window_world.h"
#include "tests/unit/helpers.h"

#define WINDOWS 100
#define NFLAGS 3

static const double pct[NFLAGS] = { 30.0, 30.0, 50.0 };

static struct sim_config sf_config(uint32_t nflags)
{
	struct sim_config c;

	memset(&c, 0, sizeof(c));
	c.seed = 11;
	c.window_ns = 10 * ENG_NS_PER_S;
	c.traffic.rate_rps = 200.0;
	for (int v = 0; v < ENG_NVERSIONS; v++) {
		sim_version_config_defaults(&c.version[v]);
		c.version[v].instances = 8;
		c.version[v].concurrency = 8;
		c.version[v].service.kind = SIM_DIST_LOGNORMAL;
		c.version[v].service.median_ms = 20.0;
		c.version[v].service.sigma = 0.5;
		c.version[v].errors.rate_frac = 0.01;
	}
	c.nflags = nflags;
	snprintf(c.flags[0].name, sizeof(c.flags[0].name), "good");
	c.flags[0].latency_multiplier = 1.0;
	snprintf(c.flags[1].name, sizeof(c.flags[1].name), "errors");
	c.flags[1].error_frac = 0.05;
	c.flags[1].latency_multiplier = 1.0;
	snprintf(c.flags[2].name, sizeof(c.flags[2].name), "slow");
	c.flags[2].latency_multiplier = 2.0;
	return c;
}

/* Runs WINDOWS windows of c with the flags at shares p (NULL: no action)
 * at the given level; out[i] is window i, fo[i] its flag groups. */
static void run(const struct sim_config *c, const double *p, bool window_level,
		struct eng_observation *out, struct eng_flag_observation *fo)
{
	struct eng_world world;
	struct eng_action act;
	void *ctx;

	memset(&act, 0, sizeof(act));
	act.kind = ENG_ACT_SET_FLAGS;
	for (size_t f = 0; p != NULL && f < NFLAGS; f++)
		act.flag_pct[f] = p[f];
	ctx = window_level ? (void *)sim_wworld_create(c, NULL) : (void *)sim_create(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	world = (struct eng_world){ window_level ? &sim_window_world_ops : &sim_world_ops, ctx };
	if (p != NULL)
		CU_ASSERT_EQUAL_FATAL(eng_world_apply(&world, &act), ENG_OK);
	for (int i = 0; i < WINDOWS; i++) {
		CU_ASSERT_EQUAL_FATAL(eng_world_wait_until(&world, (int64_t)(i + 1) * c->window_ns), ENG_OK);
		CU_ASSERT_EQUAL_FATAL(eng_world_observe(&world, &out[i]), ENG_OK);
		if (fo != NULL && out[i].flags != NULL)
			fo[i] = *out[i].flags;
		out[i].flags = NULL;
	}
	if (window_level)
		sim_wworld_free(ctx);
	else
		sim_free(ctx);
}

/* Every window: each flag's on- and off-groups add up to the stable
 * version's requests and errors. Over the run, with n the stable
 * requests:
 *   the on-share of flag f is Binomial(n, p_f) / n: within 4 sd,
 *   sd = sqrt(p (1 - p) / n);
 *   "errors": on-group error rate 1 - 0.99 x 0.95 = 0.0595, off-group
 *   0.01 (its own), each within 4 binomial sd;
 *   "good": its on- and off-groups both carry the overall rate, which
 *   has "errors" on 30% of requests: 1 - 0.99 x (1 - 0.3 x 0.05) = 0.02485;
 *   "slow": the on-group's median is twice the off-group's (lognormal
 *   median 20 ms: 40 ms against 20 ms), within 5% over the windows' mean. */
static void check_level(bool window_level)
{
	static struct eng_observation o[WINDOWS];
	static struct eng_flag_observation fo[WINDOWS];
	struct sim_config c = sf_config(NFLAGS);
	uint64_t n = 0, on[NFLAGS] = { 0 }, on_err[NFLAGS] = { 0 }, off_err[NFLAGS] = { 0 };
	double ratio = 0.0;

	run(&c, pct, window_level, o, fo);
	for (int i = 0; i < WINDOWS; i++) {
		const struct eng_window_metrics *st = &o[i].version[ENG_STABLE];

		T_ASSERT_EQ_INT(fo[i].nflags, NFLAGS);
		n += st->requests;
		for (int f = 0; f < NFLAGS; f++) {
			T_ASSERT_EQ_INT(fo[i].on[f].requests + fo[i].off[f].requests, st->requests);
			T_ASSERT_EQ_INT(fo[i].on[f].errors + fo[i].off[f].errors, st->errors);
			T_ASSERT_NEAR(fo[i].pct[f], pct[f], 0.0);
			on[f] += fo[i].on[f].requests;
			on_err[f] += fo[i].on[f].errors;
			off_err[f] += fo[i].off[f].errors;
		}
		ratio += fo[i].on[2].p50_ms / fo[i].off[2].p50_ms / WINDOWS;
	}
	for (int f = 0; f < NFLAGS; f++) {
		double p = pct[f] / 100.0;

		T_ASSERT_NEAR((double)on[f] / (double)n, p, 4 * sqrt(p * (1 - p) / (double)n));
	}
	T_ASSERT_NEAR((double)on_err[1] / (double)on[1], 0.0595,
		      4 * sqrt(0.0595 * 0.9405 / (double)on[1]));
	T_ASSERT_NEAR((double)off_err[1] / (double)(n - on[1]), 0.01,
		      4 * sqrt(0.01 * 0.99 / (double)(n - on[1])));
	T_ASSERT_NEAR((double)on_err[0] / (double)on[0], 0.02485,
		      4 * sqrt(0.02485 * 0.97515 / (double)on[0]));
	T_ASSERT_NEAR((double)off_err[0] / (double)(n - on[0]), 0.02485,
		      4 * sqrt(0.02485 * 0.97515 / (double)(n - on[0])));
	T_ASSERT_NEAR(ratio, 2.0, 0.1);
}

static void test_request_level_groups(void)
{
	check_level(false);
}

static void test_window_level_groups(void)
{
	check_level(true);
}

/* Flags at 0% draw from their own stream only: every window's versions
 * and users' view equal, to the last bit, those of the same seed without
 * flags; each off-group is the whole version, each on-group empty. */
static void check_zero_is_none(bool window_level)
{
	static const double zero[NFLAGS] = { 0.0, 0.0, 0.0 };
	static struct eng_observation a[WINDOWS], b[WINDOWS];
	static struct eng_flag_observation fo[WINDOWS];
	struct sim_config plain = sf_config(0), flagged = sf_config(NFLAGS);

	run(&plain, NULL, window_level, a, NULL);
	run(&flagged, zero, window_level, b, fo);
	for (int i = 0; i < WINDOWS; i++) {
		CU_ASSERT_EQUAL(memcmp(&a[i], &b[i], sizeof(a[i])), 0);
		T_ASSERT_EQ_INT(fo[i].on[1].requests, 0);
		T_ASSERT_EQ_INT(fo[i].off[1].requests, b[i].version[ENG_STABLE].requests);
		T_ASSERT_EQ_INT(fo[i].off[1].errors, b[i].version[ENG_STABLE].errors);
	}
}

static void test_request_level_zero(void)
{
	check_zero_is_none(false);
}

static void test_window_level_zero(void)
{
	check_zero_is_none(true);
}

/* Common random numbers at the request level: the same seed gives the
 * same requests a flag whatever the other flags' shares: "good" at 30%
 * alone or beside "errors" at 30% (which moves no response in time) has
 * the very same on-group counts every window. */
static void test_same_requests_get_a_flag(void)
{
	static const double alone[NFLAGS] = { 30.0, 0.0, 0.0 };
	static const double both[NFLAGS] = { 30.0, 30.0, 0.0 };
	static struct eng_observation a[WINDOWS], b[WINDOWS];
	static struct eng_flag_observation fa[WINDOWS], fb[WINDOWS];
	struct sim_config c = sf_config(NFLAGS);

	run(&c, alone, false, a, fa);
	run(&c, both, false, b, fb);
	for (int i = 0; i < WINDOWS; i++)
		T_ASSERT_EQ_INT(fa[i].on[0].requests, fb[i].on[0].requests);
}

int t_suite_sim_flags(void)
{
	static const struct t_case cases[] = {
		{ "request level: flag groups add up, effects in the on-group", test_request_level_groups },
		{ "window level: flag groups add up, effects in the on-group", test_window_level_groups },
		{ "request level: flags at 0% change no draw", test_request_level_zero },
		{ "window level: flags at 0% change no draw", test_window_level_zero },
		{ "the same requests get a flag whatever the others' shares", test_same_requests_get_a_flag },
		{ NULL, NULL }
	};

	return t_add_suite("sim_flags", cases);
}
