/* sim/histogram: quantiles against exact sorted quantiles; exact count,
 * mean, min and max; merge; values outside the bins. */
#include <stdlib.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "sim/histogram.h"
#include "tests/unit/helpers.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The nearest-rank q-quantile of sorted x[0..n-1]: x[ceil(q n) - 1]. */
static double exact_quantile(const double *sorted, size_t n, double q)
{
	size_t k = (size_t)ceil(q * (double)n - 1e-9);

	return sorted[k > 0 ? k - 1 : 0];
}

/* Lognormal samples spanning four decades: every quantile within 1% of the
 * exact one (the bins promise sqrt(1.01) - 1 = 0.499%). */
static void check_against_sorted(double sigma, size_t n)
{
	static const double qs[] = { 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999 };
	struct sim_hist *h = sim_hist_create();
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	double *x = malloc(n * sizeof(*x)), sum = 0.0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	gsl_rng_set(r, 99);
	for (size_t i = 0; i < n; i++) {
		x[i] = gsl_ran_lognormal(r, log(40.0), sigma);
		sum += x[i];
		sim_hist_add(h, x[i]);
	}
	qsort(x, n, sizeof(*x), cmp_double);
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		double exact = exact_quantile(x, n, qs[i]);

		T_ASSERT_NEAR(sim_hist_quantile(h, qs[i]) / exact, 1.0, 0.005);
	}
	T_ASSERT_EQ_INT(sim_hist_count(h), n);
	T_ASSERT_NEAR(sim_hist_mean(h), sum / (double)n, 1e-9 * sum / (double)n);
	T_ASSERT_NEAR(sim_hist_min(h), x[0], 0.0);
	T_ASSERT_NEAR(sim_hist_max(h), x[n - 1], 0.0);
	T_ASSERT_NEAR(sim_hist_quantile(h, 1.0), x[n - 1], 0.0);
	free(x);
	gsl_rng_free(r);
	sim_hist_free(h);
}

static void test_quantiles_large_sample(void)
{
	check_against_sorted(1.0, 200000);
}

static void test_quantiles_small_sample(void)
{
	check_against_sorted(0.5, 37);
}

static void test_single_value(void)
{
	struct sim_hist *h = sim_hist_create();

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT(isnan(sim_hist_quantile(h, 0.5)));
	CU_ASSERT(isnan(sim_hist_mean(h)));
	sim_hist_add(h, 12.5);
	T_ASSERT_NEAR(sim_hist_quantile(h, 0.5), 12.5, 0.0);
	T_ASSERT_NEAR(sim_hist_quantile(h, 0.99), 12.5, 0.0);
	T_ASSERT_NEAR(sim_hist_mean(h), 12.5, 0.0);
	sim_hist_reset(h);
	T_ASSERT_EQ_INT(sim_hist_count(h), 0);
	sim_hist_free(h);
}

/* Values below 1 us and above 1000 s land in the end bins; the extreme
 * quantiles stay exact because they are clamped to min and max. */
static void test_out_of_range(void)
{
	struct sim_hist *h = sim_hist_create();

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	sim_hist_add(h, 0.0);
	sim_hist_add(h, 5.0);
	sim_hist_add(h, 2e6);
	T_ASSERT_EQ_INT(sim_hist_count(h), 3);
	T_ASSERT_NEAR(sim_hist_quantile(h, 0.1), 0.0, 0.0);  /* rank 1 = min */
	T_ASSERT_NEAR(sim_hist_quantile(h, 0.5), 5.0, 5.0 * 0.005); /* rank 2 */
	T_ASSERT_NEAR(sim_hist_quantile(h, 0.99), 2e6, 0.0); /* rank 3 = max */
	sim_hist_free(h);
}

/* Merging two histograms gives what adding every sample to one gives. */
static void test_merge(void)
{
	struct sim_hist *a = sim_hist_create(), *b = sim_hist_create();
	struct sim_hist *all = sim_hist_create();

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(all);
	for (int i = 1; i <= 1000; i++) {
		double v = 0.37 * i;

		sim_hist_add(i % 3 ? a : b, v);
		sim_hist_add(all, v);
	}
	sim_hist_merge(a, b);
	T_ASSERT_EQ_INT(sim_hist_count(a), 1000);
	T_ASSERT_NEAR(sim_hist_mean(a), sim_hist_mean(all), 1e-9);
	T_ASSERT_NEAR(sim_hist_min(a), 0.37, 0.0);
	T_ASSERT_NEAR(sim_hist_max(a), 370.0, 1e-9);
	for (double q = 0.05; q < 1.0; q += 0.05)
		T_ASSERT_NEAR(sim_hist_quantile(a, q), sim_hist_quantile(all, q), 0.0);
	sim_hist_free(a);
	sim_hist_free(b);
	sim_hist_free(all);
}

int t_suite_histogram(void)
{
	static const struct t_case cases[] = {
		{ "quantiles within 1% of sorted (200k samples)", test_quantiles_large_sample },
		{ "quantiles within 1% of sorted (37 samples)", test_quantiles_small_sample },
		{ "empty and single value", test_single_value },
		{ "values outside the bins", test_out_of_range },
		{ "merge equals adding every sample", test_merge },
		{ NULL, NULL }
	};

	return t_add_suite("histogram", cases);
}
