/* Shared latency bins (sim/config.h) and their counts at both fidelity
 * levels: the bins are the stable version's quantiles, every request is
 * counted once, and a version that is the stable one's twin fills them
 * evenly. */
#include <gsl/gsl_cdf.h>

#include "sim/sim.h"
#include "sim/window_world.h"
#include "tests/unit/helpers.h"
#include "tests/unit/sim_fixtures.h"

#define WINDOWS 10

static struct sim_config bins_config(void)
{
	struct sim_config c = fx_sim_config(7, 400.0, 8, 8, 40.0);

	sim_latency_bins_init(&c.latency_bins, &c.version[ENG_STABLE].service);
	return c;
}

/* Lognormal(median 40, sigma 0.5): 63 distinct quantiles and +Inf; the
 * 32nd edge is the quantile at 32/64, the median, 40 ms; the first is
 * 40 exp(0.5 z(1/64)) with z(1/64) = -2.1539, 13.63 ms. */
static void test_bins_from_quantiles(void)
{
	struct sim_config c = bins_config();
	const struct sim_latency_bins *b = &c.latency_bins;

	T_ASSERT_EQ_INT(b->n, SIM_LATENCY_BINS);
	CU_ASSERT(sim_latency_bins_valid(b));
	T_ASSERT_NEAR(b->upper_ms[31], 40.0, 1e-6);
	T_ASSERT_NEAR(b->upper_ms[0], 40.0 * exp(0.5 * gsl_cdf_ugaussian_Pinv(1.0 / 64)), 1e-6);
	CU_ASSERT(isinf(b->upper_ms[b->n - 1]));
	T_ASSERT_EQ_INT(sim_latency_bin(b, 40.0), 31);   /* at an edge: that bin */
	T_ASSERT_EQ_INT(sim_latency_bin(b, 40.001), 32);
	T_ASSERT_EQ_INT(sim_latency_bin(b, 1.0), 0);
	T_ASSERT_EQ_INT(sim_latency_bin(b, 1e9), 63);
}

/* A constant service time has one quantile: one bin and the overflow. */
static void test_bins_of_a_constant(void)
{
	struct sim_latency_bins b;
	struct sim_dist d = { .kind = SIM_DIST_CONSTANT, .value_ms = 25.0 };

	sim_latency_bins_init(&b, &d);
	T_ASSERT_EQ_INT(b.n, 2);
	T_ASSERT_NEAR(b.upper_ms[0], 25.0, 0.0);
	CU_ASSERT(sim_latency_bins_valid(&b));
	b.upper_ms[0] = INFINITY; /* not strictly increasing */
	CU_ASSERT_FALSE(sim_latency_bins_valid(&b));
}

/* Runs WINDOWS windows of a world at canary weight 30% and checks, per
 * window and version, that the bins hold every request once; sums the
 * stable version's counts over the run into total. */
static void run_world(const struct eng_world *w, uint64_t *total)
{
	struct eng_action act = { .kind = ENG_ACT_SET_WEIGHT, .weight_pct = 30.0 };

	CU_ASSERT_EQUAL_FATAL(eng_world_apply(w, &act), ENG_OK);
	for (int k = 1; k <= WINDOWS; k++) {
		struct eng_observation o;

		CU_ASSERT_EQUAL_FATAL(eng_world_wait_until(w, k * 10 * ENG_NS_PER_S), ENG_OK);
		CU_ASSERT_EQUAL_FATAL(eng_world_observe(w, &o), ENG_OK);
		CU_ASSERT_PTR_NOT_NULL_FATAL(o.latency);
		T_ASSERT_EQ_INT(o.latency->nbins, SIM_LATENCY_BINS);
		for (int v = 0; v < ENG_NVERSIONS; v++) {
			uint64_t sum = 0;

			for (size_t j = 0; j < o.latency->nbins; j++) {
				sum += o.latency->counts[v][j];
				if (v == ENG_STABLE)
					total[j] += o.latency->counts[v][j];
			}
			T_ASSERT_EQ_INT(sum, o.version[v].requests);
		}
	}
}

/* The stable version's latencies fall in its own quantile bins evenly:
 * about 400 x 0.7 x 100 s = 28,000 requests, 437.5 a bin, against the
 * chi-square's 99.99% point on 63 degrees of freedom (about 111). Queueing
 * at utilisation 400 x 45 ms / 64 slots = 0.28 adds next to nothing. */
static void check_even(const uint64_t *total, const char *level)
{
	double n = 0.0, chi2 = 0.0;

	for (int j = 0; j < SIM_LATENCY_BINS; j++)
		n += (double)total[j];
	for (int j = 0; j < SIM_LATENCY_BINS; j++) {
		double e = n / SIM_LATENCY_BINS;

		chi2 += ((double)total[j] - e) * ((double)total[j] - e) / e;
	}
	fprintf(stderr, "\n    %s: %.0f requests, chi2 %.1f on 63 df", level, n, chi2);
	CU_ASSERT(n > 25000);
	CU_ASSERT(chi2 < gsl_cdf_chisq_Qinv(1e-4, SIM_LATENCY_BINS - 1));
}

static void test_request_level_counts(void)
{
	struct sim_config c = bins_config();
	struct sim *s = sim_create(&c);
	struct eng_world w = { &sim_world_ops, s };
	uint64_t total[SIM_LATENCY_BINS] = { 0 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	run_world(&w, total);
	check_even(total, "request level");
	sim_free(s);
}

static void test_window_level_counts(void)
{
	struct sim_config c = bins_config();
	struct sim_wworld *ww = sim_wworld_create(&c, NULL);
	struct eng_world w = { &sim_window_world_ops, ww };
	uint64_t total[SIM_LATENCY_BINS] = { 0 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(ww);
	run_world(&w, total);
	check_even(total, "window level");
	sim_wworld_free(ww);
}

/* Without bins in the configuration neither world counts them. */
static void test_no_bins_no_counts(void)
{
	struct sim_config c = bins_config();
	struct eng_observation o;
	struct sim *s;

	c.latency_bins.n = 0;
	s = sim_create(&c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_FATAL(sim_run_until(s, 10 * ENG_NS_PER_S));
	CU_ASSERT_EQUAL(sim_world_ops.observe(s, &o), ENG_OK);
	CU_ASSERT_PTR_NULL(o.latency);
	sim_free(s);
}

int t_suite_latency_bins(void)
{
	static const struct t_case cases[] = {
		{ "bins from the stable version's quantiles", test_bins_from_quantiles },
		{ "bins of a constant service time", test_bins_of_a_constant },
		{ "request level: every request counted, evenly", test_request_level_counts },
		{ "window level: every request counted, evenly", test_window_level_counts },
		{ "no bins, no counts", test_no_bins_no_counts },
		{ NULL, NULL }
	};

	return t_add_suite("latency_bins", cases);
}
