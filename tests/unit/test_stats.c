/* reports/stats: Wilson intervals and type-7 quantiles against hand
 * computation, and the bootstrap's determinism, degenerate cases and the
 * width of the mean's interval against the normal closed form. Throughout,
 * z = 1.959963984540054 and z^2 = 3.8414588206941254. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "reports/stats.h"
#include "tests/unit/helpers.h"

/* k = 8, n = 10: n + z^2 = 13.8414588206941254;
 * centre = (8 + 1.9207294103470627) / 13.8414588206941254 = 0.71674016004;
 * k (n - k) / n + z^2 / 4 = 1.6 + 0.96036470517353 = 2.56036470517353,
 * sqrt = 1.60011396630788; half = 1.959963984540054 / 13.8414588206941254
 * * 1.60011396630788 = 0.22657768850449;
 * lo = 0.71674016004 - 0.22657768850 = 0.49016247154,
 * hi = 0.71674016004 + 0.22657768850 = 0.94331784855. */
static void test_wilson_8_of_10(void)
{
	struct rpt_interval r = rpt_wilson(8, 10);

	T_ASSERT_NEAR(r.est, 0.8, 1e-15);            /* 8 / 10 */
	T_ASSERT_NEAR(r.lo, 0.49016247154, 1e-10);
	T_ASSERT_NEAR(r.hi, 0.94331784855, 1e-10);
	T_ASSERT_NEAR((r.lo + r.hi) / 2.0, 0.71674016004, 1e-10); /* centre */
}

/* k = 0: centre = half = (z^2 / 2) / (n + z^2), so lo = 0 (exactly, not
 * the -2.8e-17 of the rounded difference) and hi = z^2 / (n + z^2) =
 * 3.8414588206941254 / 13.8414588206941254 = 0.27753279986. k = n is the
 * mirror image: hi = 1 exactly, lo = n / (n + z^2) = 10 / 13.84145882069
 * = 0.72246720014. */
static void test_wilson_edges(void)
{
	struct rpt_interval r = rpt_wilson(0, 10);

	CU_ASSERT(r.est == 0.0);
	CU_ASSERT(r.lo == 0.0);
	T_ASSERT_NEAR(r.hi, 0.27753279986, 1e-10);
	r = rpt_wilson(10, 10);
	CU_ASSERT(r.est == 1.0);
	CU_ASSERT(r.hi == 1.0);
	T_ASSERT_NEAR(r.lo, 0.72246720014, 1e-10);
}

/* n = 0: no estimate. */
static void test_wilson_empty(void)
{
	struct rpt_interval r = rpt_wilson(0, 0);

	CU_ASSERT(isnan(r.est));
	CU_ASSERT(isnan(r.lo));
	CU_ASSERT(isnan(r.hi));
}

/* k = 500, n = 1000: centre = (500 + z^2/2) / (1000 + z^2) = 1/2 exactly
 * in exact arithmetic; half = z / 1003.84145882069 * sqrt(250 + 0.960365)
 * = 1.959963984540054 / 1003.84145882069 * 15.8417285895566
 * = 0.0309303996319; so lo = 0.4690696003681, hi = 0.5309303996319. */
static void test_wilson_large_symmetric(void)
{
	struct rpt_interval r = rpt_wilson(500, 1000);

	T_ASSERT_NEAR(r.est, 0.5, 0.0);
	T_ASSERT_NEAR(r.lo, 0.4690696003681, 1e-12);
	T_ASSERT_NEAR(r.hi, 0.5309303996319, 1e-12);
	T_ASSERT_NEAR((r.lo + r.hi) / 2.0, 0.5, 1e-15);
	T_ASSERT_NEAR(0.5 - r.lo, r.hi - 0.5, 1e-15);
}

/* Type 7 on {1, 2, 3, 4}: h = 3 q, x[floor h] + frac(h) * 1.
 * q = 0.9: h = 2.7, 3 + 0.7 = 3.7; q = 0.5: h = 1.5, 2.5;
 * q = 0.25: h = 0.75, 1.75; q = 0: 1; q = 1: h = 3, 4. */
static void test_quantile_by_hand(void)
{
	static const double x[] = { 1, 2, 3, 4 };

	T_ASSERT_NEAR(rpt_quantile_sorted(x, 4, 0.9), 3.7, 1e-15);
	T_ASSERT_NEAR(rpt_quantile_sorted(x, 4, 0.5), 2.5, 1e-15);
	T_ASSERT_NEAR(rpt_quantile_sorted(x, 4, 0.25), 1.75, 1e-15);
	CU_ASSERT(rpt_quantile_sorted(x, 4, 0.0) == 1.0);
	CU_ASSERT(rpt_quantile_sorted(x, 4, 1.0) == 4.0);
}

/* Unequal gaps {0, 10, 11, 30, 100}: h = 4 q. q = 0.1: h = 0.4, 0 + 0.4 *
 * 10 = 4; q = 0.6: h = 2.4, 11 + 0.4 * 19 = 18.6; q = 0.99: h = 3.96,
 * 30 + 0.96 * 70 = 97.2. And GSL's own type 7 agrees on a grid of q. */
static void test_quantile_unequal_gaps(void)
{
	static const double x[] = { 0, 10, 11, 30, 100 };

	T_ASSERT_NEAR(rpt_quantile_sorted(x, 5, 0.1), 4.0, 1e-13);
	T_ASSERT_NEAR(rpt_quantile_sorted(x, 5, 0.6), 18.6, 1e-13);
	T_ASSERT_NEAR(rpt_quantile_sorted(x, 5, 0.99), 97.2, 1e-13);
	for (int i = 0; i <= 100; i++) {
		double q = i / 100.0;

		T_ASSERT_NEAR(rpt_quantile_sorted(x, 5, q),
			      gsl_stats_quantile_from_sorted_data(x, 1, 5, q), 1e-12);
	}
}

/* n = 1: every q gives the one value; n = 0: NaN; equal neighbours give
 * their value bit for bit ((1 - d) a + d a need not). */
static void test_quantile_degenerate(void)
{
	static const double one[] = { 7.25 };
	static const double same[] = { 0.1, 0.1, 0.1 };

	CU_ASSERT(rpt_quantile_sorted(one, 1, 0.0) == 7.25);
	CU_ASSERT(rpt_quantile_sorted(one, 1, 0.37) == 7.25);
	CU_ASSERT(rpt_quantile_sorted(one, 1, 1.0) == 7.25);
	CU_ASSERT(isnan(rpt_quantile_sorted(one, 0, 0.5)));
	for (int i = 0; i <= 20; i++)
		CU_ASSERT(rpt_quantile_sorted(same, 3, i / 20.0) == 0.1);
}

/* est on {5, 1, 4, 2, 3, 6} (sorted 1..6; type 7, h = 5 q):
 * mean 21 / 6 = 3.5; median h = 2.5, 3 + 0.5 = 3.5; P90 h = 4.5, 5.5;
 * P99 h = 4.95, 5.95. Each interval holds its estimate. */
static void test_bootstrap_estimates(void)
{
	static const double x[] = { 5, 1, 4, 2, 3, 6 };
	static const struct { enum rpt_stat stat; double est; } c[] = {
		{ RPT_STAT_MEAN, 3.5 }, { RPT_STAT_MEDIAN, 3.5 },
		{ RPT_STAT_P90, 5.5 }, { RPT_STAT_P99, 5.95 },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct rpt_interval r;

		CU_ASSERT_EQUAL_FATAL(rpt_bootstrap(x, 6, c[i].stat, 500, 7, &r), 0);
		T_ASSERT_NEAR(r.est, c[i].est, 1e-14);
		CU_ASSERT(r.lo <= r.est && r.est <= r.hi);
		CU_ASSERT(r.lo >= 1.0 && r.hi <= 6.0); /* within the data */
		CU_ASSERT(r.lo < r.hi);
	}
}

/* Same (x, n, stat, B, seed): identical bits. Another seed, and a seed
 * differing only in its high 32 bits (1 << 32 folds to 1, not 0): another
 * interval, since resamples of 1..10 vary. */
static void test_bootstrap_determinism(void)
{
	static const double x[] = { 3, 9, 1, 10, 4, 7, 2, 8, 6, 5 };
	struct rpt_interval a, b, c, d, e;

	CU_ASSERT_EQUAL_FATAL(rpt_bootstrap(x, 10, RPT_STAT_P90, 300, 42, &a), 0);
	CU_ASSERT_EQUAL_FATAL(rpt_bootstrap(x, 10, RPT_STAT_P90, 300, 42, &b), 0);
	CU_ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
	CU_ASSERT_EQUAL_FATAL(rpt_bootstrap(x, 10, RPT_STAT_MEAN, 300, 1, &c), 0);
	CU_ASSERT_EQUAL_FATAL(rpt_bootstrap(x, 10, RPT_STAT_MEAN, 300, 2, &d), 0);
	CU_ASSERT(c.est == d.est);            /* 55 / 10 = 5.5 both */
	CU_ASSERT(c.lo != d.lo || c.hi != d.hi);
	CU_ASSERT_EQUAL_FATAL(rpt_bootstrap(x, 10, RPT_STAT_MEAN, 300, 0, &c), 0);
	CU_ASSERT_EQUAL_FATAL(rpt_bootstrap(x, 10, RPT_STAT_MEAN, 300,
					    UINT64_C(1) << 32, &e), 0);
	CU_ASSERT(c.lo != e.lo || c.hi != e.hi);
}

/* Constant data: every resample is the data, so every stat is 0.1 and
 * est = lo = hi = 0.1 exactly, for each stat. */
static void test_bootstrap_constant(void)
{
	double x[50];
	static const enum rpt_stat stats[] = {
		RPT_STAT_MEAN, RPT_STAT_MEDIAN, RPT_STAT_P90, RPT_STAT_P99,
	};

	for (size_t i = 0; i < 50; i++)
		x[i] = 0.1;
	for (size_t i = 0; i < 4; i++) {
		struct rpt_interval r;

		CU_ASSERT_EQUAL_FATAL(rpt_bootstrap(x, 50, stats[i], 200, 3, &r), 0);
		CU_ASSERT(r.est == 0.1);
		CU_ASSERT(r.lo == 0.1);
		CU_ASSERT(r.hi == 0.1);
	}
}

/* {0, 1}: a resample of two has mean (and type-7 median) 0, 1/2 or 1, with
 * probabilities 1/4, 1/2, 1/4. With B = 1000 the 2.5% quantile (h = 999 *
 * 0.025 = 24.975) sits between the 25th and 26th smallest, both 0 unless
 * fewer than 26 of ~Binomial(1000, 1/4) (mean 250, sd 13.7) resamples are
 * all 0s; likewise hi = 1. So est = 0.5, lo = 0, hi = 1 exactly. */
static void test_bootstrap_two_points(void)
{
	static const double x[] = { 0.0, 1.0 };
	struct rpt_interval r;

	CU_ASSERT_EQUAL_FATAL(rpt_bootstrap(x, 2, RPT_STAT_MEAN, 1000, 11, &r), 0);
	CU_ASSERT(r.est == 0.5 && r.lo == 0.0 && r.hi == 1.0);
	CU_ASSERT_EQUAL_FATAL(rpt_bootstrap(x, 2, RPT_STAT_MEDIAN, 1000, 11, &r), 0);
	CU_ASSERT(r.est == 0.5 && r.lo == 0.0 && r.hi == 1.0);
}

/* n = 2000 draws of N(0, 1) (mt19937, seed 2024), B = 2000: the mean's
 * percentile interval is about 2 * 1.959964 * sigma / sqrt(n) =
 * 3.919928 / 44.72136 = 0.0876522 wide (within 15%: the sample sd is
 * within ~5% of 1 and B = 2000 resamples put the 2.5% and 97.5% quantiles
 * within a few % of their limits), and holds the sample mean. The median's
 * est is the type-7 median of the sorted sample; x is left as it was. */
static void test_bootstrap_normal_sample(void)
{
	enum { N = 2000 };
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
	double *x = malloc(N * sizeof(*x)), *copy = malloc(N * sizeof(*x));
	struct rpt_interval r;
	double mean;

	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
	gsl_rng_set(g, 2024);
	for (size_t i = 0; i < N; i++)
		x[i] = gsl_ran_gaussian(g, 1.0);
	memcpy(copy, x, N * sizeof(*x));
	mean = gsl_stats_mean(x, 1, N);

	CU_ASSERT_EQUAL_FATAL(rpt_bootstrap(x, N, RPT_STAT_MEAN, 2000, 5, &r), 0);
	fprintf(stderr, "\n    mean %.5f in [%.5f, %.5f], width %.5f",
		r.est, r.lo, r.hi, r.hi - r.lo);
	CU_ASSERT(r.est == mean);
	CU_ASSERT(r.lo < mean && mean < r.hi);
	T_ASSERT_NEAR(r.hi - r.lo, 0.0876522, 0.15 * 0.0876522);

	CU_ASSERT_EQUAL_FATAL(rpt_bootstrap(x, N, RPT_STAT_MEDIAN, 200, 5, &r), 0);
	CU_ASSERT(memcmp(copy, x, N * sizeof(*x)) == 0);  /* not sorted in place */
	gsl_sort(copy, 1, N);
	/* type 7, h = 1999 / 2 = 999.5: (x(999) + x(1000)) / 2, 0-based */
	T_ASSERT_NEAR(r.est, copy[999] + 0.5 * (copy[1000] - copy[999]), 0.0);
	CU_ASSERT(r.lo <= r.est && r.est <= r.hi);
	free(copy);
	free(x);
	gsl_rng_free(g);
}

/* The bootstrap as its header states it, written out the plain way: each
 * resample drawn (mt19937 seeded with the 32-bit fold of seed,
 * gsl_rng_uniform_int), sorted, and its type-7 quantile taken; then the
 * 2.5% and 97.5% quantiles of the B stats. */
static struct rpt_interval plain_bootstrap(const double *x, size_t n, double q, unsigned B,
					   uint64_t seed)
{
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
	double *v = malloc(n * sizeof(*v)), *st = malloc(B * sizeof(*st));
	struct rpt_interval r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	gsl_rng_set(g, (unsigned long)(uint32_t)(seed ^ (seed >> 32)));
	memcpy(v, x, n * sizeof(*v));
	gsl_sort(v, 1, n);
	r.est = rpt_quantile_sorted(v, n, q);
	for (unsigned b = 0; b < B; b++) {
		for (size_t i = 0; i < n; i++)
			v[i] = x[gsl_rng_uniform_int(g, (unsigned long)n)];
		gsl_sort(v, 1, n);
		st[b] = rpt_quantile_sorted(v, n, q);
	}
	gsl_sort(st, 1, B);
	r.lo = rpt_quantile_sorted(st, B, 0.025);
	r.hi = rpt_quantile_sorted(st, B, 0.975);
	gsl_rng_free(g);
	free(v);
	free(st);
	return r;
}

/* rpt_bootstrap's quantiles, found by counting the draws rather than by
 * sorting each resample, are the plain bootstrap's bit for bit: on 300
 * values with many ties (whole seconds 0..19, as times in a study often
 * are) and on 7 distinct ones, for the median, p90 and p99. */
static void test_bootstrap_as_plain(void)
{
	static const struct { enum rpt_stat stat; double q; } c[] = {
		{ RPT_STAT_MEDIAN, 0.5 }, { RPT_STAT_P90, 0.9 }, { RPT_STAT_P99, 0.99 },
	};
	static const double few[] = { 4.5, -1.25, 9.0, 0.0, 3.75, 100.0, 2.0 };
	double ties[300];

	for (size_t i = 0; i < 300; i++)
		ties[i] = (double)((i * 7919) % 20);
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct rpt_interval a, b;

		CU_ASSERT_EQUAL_FATAL(rpt_bootstrap(ties, 300, c[i].stat, 400, 99, &a), 0);
		b = plain_bootstrap(ties, 300, c[i].q, 400, 99);
		CU_ASSERT(a.est == b.est && a.lo == b.lo && a.hi == b.hi);
		CU_ASSERT_EQUAL_FATAL(rpt_bootstrap(few, 7, c[i].stat, 400, 5, &a), 0);
		b = plain_bootstrap(few, 7, c[i].q, 400, 5);
		CU_ASSERT(a.est == b.est && a.lo == b.lo && a.hi == b.hi);
		CU_ASSERT(a.lo < a.hi); /* resamples of 7 distinct values vary */
	}
}

/* n = 0: all NaN; n = 1: est = lo = hi = x[0]; both return 0. */
static void test_bootstrap_degenerate(void)
{
	static const double one[] = { -2.5 };
	struct rpt_interval r;

	CU_ASSERT_EQUAL(rpt_bootstrap(one, 0, RPT_STAT_MEAN, 10, 1, &r), 0);
	CU_ASSERT(isnan(r.est) && isnan(r.lo) && isnan(r.hi));
	CU_ASSERT_EQUAL(rpt_bootstrap(one, 1, RPT_STAT_P99, 10, 1, &r), 0);
	CU_ASSERT(r.est == -2.5 && r.lo == -2.5 && r.hi == -2.5);
	/* B = 1: one resample, so lo = hi */
	CU_ASSERT_EQUAL(rpt_bootstrap((const double[]){ 1, 2, 3 }, 3,
				      RPT_STAT_MEAN, 1, 1, &r), 0);
	CU_ASSERT(r.lo == r.hi);
	T_ASSERT_NEAR(r.est, 2.0, 1e-15);  /* (1 + 2 + 3) / 3 */
}

int t_suite_stats(void)
{
	static const struct t_case cases[] = {
		{ "Wilson, 8 of 10", test_wilson_8_of_10 },
		{ "Wilson, 0 and 10 of 10", test_wilson_edges },
		{ "Wilson, n = 0", test_wilson_empty },
		{ "Wilson, 500 of 1000 symmetric", test_wilson_large_symmetric },
		{ "quantile by hand", test_quantile_by_hand },
		{ "quantile, unequal gaps and GSL", test_quantile_unequal_gaps },
		{ "quantile, n = 0, 1 and ties", test_quantile_degenerate },
		{ "bootstrap estimates", test_bootstrap_estimates },
		{ "bootstrap determinism", test_bootstrap_determinism },
		{ "bootstrap, constant data", test_bootstrap_constant },
		{ "bootstrap, two points", test_bootstrap_two_points },
		{ "bootstrap, normal sample", test_bootstrap_normal_sample },
		{ "bootstrap, n = 0, n = 1, B = 1", test_bootstrap_degenerate },
		{ "bootstrap quantiles as resamples sorted", test_bootstrap_as_plain },
		{ NULL, NULL }
	};

	return t_add_suite("stats", cases);
}
