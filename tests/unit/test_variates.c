/* sim/variates: the Poisson and binomial samplers have their
 * distributions, and the uniform order statistics have the moments and marginals of order
 * statistics. Fixed seeds: each check either always passes or always
 * fails; tolerances are 4 to 5 standard errors or a 99.9% critical value,
 * so a correct sampler passes with room. */
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "sim/rng.h"
#include "sim/variates.h"
#include "tests/unit/helpers.h"

/* A count distribution under test: its sampler, its probabilities and
 * its mean, variance and fourth central moment. */
struct count_dist {
	unsigned int (*draw)(gsl_rng *r, const struct count_dist *d);
	double (*pmf)(unsigned int k, const struct count_dist *d);
	double mu;                /* Poisson: the mean */
	unsigned int n;           /* binomial: trials and ... */
	struct sim_binomial b;    /* ... the prepared probability */
	double mean, var, mu4;
};

/* Mean and variance of N draws against the distribution's, within 4.5
 * standard errors: SE(mean) = sqrt(var / N), and for the sample variance
 * SE = sqrt((mu4 - var^2) / N). Then a chi-square goodness-of-fit over the
 * cells with an expected count of 5 or more (the tails pooled into the end
 * cells), against the 99.99% critical value. */
static void check_counts(const struct count_dist *d, uint64_t seed)
{
	enum { N = 200000 };
	gsl_rng *r = sim_rng_create(seed, SIM_STREAM_ARRIVALS);
	unsigned int *x = malloc(N * sizeof(*x));
	double sum = 0.0, ss = 0.0, mean, var, chi2 = 0.0, below = 0.0;
	unsigned int lo, hi, kmax = 0;
	size_t cells = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	for (int i = 0; i < N; i++) {
		x[i] = d->draw(r, d);
		sum += x[i];
		kmax = x[i] > kmax ? x[i] : kmax;
	}
	mean = sum / N;
	for (int i = 0; i < N; i++)
		ss += (x[i] - mean) * (x[i] - mean);
	var = ss / (N - 1);
	T_ASSERT_NEAR(mean, d->mean, 4.5 * sqrt(d->var / N));
	T_ASSERT_NEAR(var, d->var, 4.5 * sqrt((d->mu4 - d->var * d->var) / N));

	/* cells lo..hi each expecting >= 5; below lo and above hi pooled */
	for (lo = 0; N * d->pmf(lo, d) < 5.0; lo++)
		;
	for (hi = lo; N * d->pmf(hi + 1, d) >= 5.0; hi++)
		;
	size_t ncell = hi - lo + 1;
	double *obs = calloc(ncell, sizeof(*obs));

	CU_ASSERT_PTR_NOT_NULL_FATAL(obs);
	for (int i = 0; i < N; i++)
		obs[x[i] < lo ? 0 : x[i] > hi ? ncell - 1 : x[i] - lo] += 1.0;
	for (unsigned int k = 0; k < lo; k++)
		below += d->pmf(k, d);
	for (size_t c = 0; c < ncell; c++) {
		unsigned int k = lo + (unsigned int)c;
		double p = d->pmf(k, d);

		if (c == 0)
			p += below;
		if (c == ncell - 1) { /* k and above: what the others leave */
			p = 1.0 - below;
			for (unsigned int j = lo; j < k; j++)
				p -= d->pmf(j, d);
		}
		chi2 += (obs[c] - N * p) * (obs[c] - N * p) / (N * p);
		cells++;
	}
	fprintf(stderr, "\n    mean %.4f (%.4f), var %.4f (%.4f), chi2 %.1f on %zu cells (max %u)",
		mean, d->mean, var, d->var, chi2, cells, kmax);
	CU_ASSERT(chi2 <= gsl_cdf_chisq_Qinv(1e-4, (double)(cells - 1)));
	free(obs);
	free(x);
	gsl_rng_free(r);
}

static unsigned int poisson_draw(gsl_rng *r, const struct count_dist *d)
{
	return sim_ran_poisson(r, d->mu);
}

static double poisson_pmf(unsigned int k, const struct count_dist *d)
{
	return gsl_ran_poisson_pdf(k, d->mu);
}

/* Poisson(mu): mean = variance = mu, fourth central moment mu (1 + 3 mu). */
static void check_poisson(double mu, uint64_t seed)
{
	struct count_dist d = { poisson_draw, poisson_pmf, .mu = mu, .mean = mu, .var = mu,
				.mu4 = mu * (1.0 + 3.0 * mu) };

	check_counts(&d, seed);
}

/* Below mean 10 the sampler is GSL's; at 10 and above it is PTRS, whose
 * constants are tuned for the whole range: check its low end, a middle
 * value and a window's count at 200 requests/s. */
static void test_poisson_small(void)
{
	check_poisson(3.5, 1);
}

static void test_poisson_ptrs_low(void)
{
	check_poisson(10.0, 2);
}

static void test_poisson_ptrs_mid(void)
{
	check_poisson(137.25, 3);
}

static void test_poisson_ptrs_window(void)
{
	check_poisson(2000.0, 4);
}

static void test_poisson_zero(void)
{
	gsl_rng *r = sim_rng_create(5, SIM_STREAM_ARRIVALS);

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	T_ASSERT_EQ_INT(sim_ran_poisson(r, 0.0), 0);
	gsl_rng_free(r);
}

static unsigned int binomial_draw(gsl_rng *r, const struct count_dist *d)
{
	return sim_binomial_draw(&d->b, r, d->n);
}

static double binomial_pmf(unsigned int k, const struct count_dist *d)
{
	return gsl_ran_binomial_pdf(k, d->b.p, d->n);
}

/* Binomial(n, p): mean np, variance npq and fourth central moment
 * npq (1 + 3 (n - 2) pq), q = 1 - p (Johnson, Kemp and Kotz, Univariate
 * Discrete Distributions, 2005, sec. 3.3). */
static void check_binomial(unsigned int n, double p, uint64_t seed)
{
	double npq = n * p * (1.0 - p);
	struct count_dist d = { binomial_draw, binomial_pmf, .n = n, .mean = n * p, .var = npq,
				.mu4 = npq * (1.0 + 3.0 * (n - 2.0) * p * (1.0 - p)) };

	sim_binomial_init(&d.b, p);
	check_counts(&d, seed);
}

/* Inversion where n min(p, 1 - p) < 14: a window's errors at 0.2% of
 * 2,000 requests and the canary's 2% of 200, a mean near the switch, the
 * rarer outcome a failure (p > 1/2); GSL's BTPE above. */
static void test_binomial_window_errors(void)
{
	check_binomial(2000, 0.002, 6);
	check_binomial(200, 0.02, 7);
}

static void test_binomial_near_switch(void)
{
	check_binomial(45, 0.3, 8);   /* mean 13.5 */
	check_binomial(60, 0.85, 9);  /* failures: mean 9 */
}

static void test_binomial_btpe(void)
{
	check_binomial(2000, 0.1, 10); /* mean 200: GSL's */
}

static void test_binomial_edges(void)
{
	gsl_rng *r = sim_rng_create(11, SIM_STREAM_ERRORS_STABLE);
	struct sim_binomial b;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	sim_binomial_init(&b, 0.0);
	T_ASSERT_EQ_INT(sim_binomial_draw(&b, r, 1000), 0);
	sim_binomial_init(&b, 1.0);
	T_ASSERT_EQ_INT(sim_binomial_draw(&b, r, 1000), 1000);
	sim_binomial_init(&b, 0.3);
	T_ASSERT_EQ_INT(sim_binomial_draw(&b, r, 0), 0);
	for (int i = 0; i < 1000; i++) /* never above n */
		CU_ASSERT(sim_binomial_draw(&b, r, 3) <= 3);
	gsl_rng_free(r);
}

/* Uniform order statistics of n: E U_(k) = k / (n + 1) and, for i <= j,
 * Cov(U_(i), U_(j)) = i (n - j + 1) / ((n + 1)^2 (n + 2)) (David and
 * Nagaraja, Order Statistics, 2003, sec. 3.1). Over R replications of the
 * ranks, each mean is within 4.5 standard errors, each variance and the
 * covariance of neighbours within 5 (SE of a variance ~ sqrt(2 / R)
 * sigma^2 for near-normal draws; generous for the skewed extremes). */
static void check_moments_drawn(uint64_t n, const uint64_t *ranks, size_t m, uint64_t seed,
				const size_t *order)
{
	enum { R = 100000, MAXM = 4 };
	gsl_rng *r = sim_rng_create(seed, SIM_STREAM_SERVICE_STABLE);
	double sum[MAXM] = { 0 }, sq[MAXM] = { 0 }, cross[MAXM] = { 0 };
	double np1 = (double)n + 1.0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_FATAL(m <= MAXM);
	for (int t = 0; t < R; t++) {
		double u[MAXM], drawn[MAXM];
		uint64_t in_order[MAXM];

		for (size_t i = 0; i < m; i++)
			in_order[i] = ranks[order[i]];
		sim_uniform_order_stats(r, n, in_order, m, drawn);
		for (size_t i = 0; i < m; i++)
			u[order[i]] = drawn[i];
		for (size_t i = 0; i < m; i++) {
			CU_ASSERT(u[i] > 0.0 && u[i] < 1.0);
			if (i > 0)
				CU_ASSERT(u[i] >= u[i - 1]);
			sum[i] += u[i];
			sq[i] += u[i] * u[i];
			if (i + 1 < m)
				cross[i] += u[i] * u[i + 1];
		}
	}
	for (size_t i = 0; i < m; i++) {
		double k = (double)ranks[i];
		double mean = sum[i] / R, var = sq[i] / R - mean * mean;
		double want_var = k * (np1 - k) / (np1 * np1 * (n + 2.0));

		T_ASSERT_NEAR(mean, k / np1, 4.5 * sqrt(want_var / R));
		T_ASSERT_NEAR(var, want_var, 5.0 * sqrt(2.0 / R) * want_var);
		if (i + 1 < m) {
			double kj = (double)ranks[i + 1];
			double cov = cross[i] / R - mean * (sum[i + 1] / R);
			double want_cov = k * (np1 - kj) / (np1 * np1 * (n + 2.0));
			double var_j = kj * (np1 - kj) / (np1 * np1 * (n + 2.0));

			/* SE of a covariance of near-normal pairs:
			 * sqrt((var_i var_j + cov^2) / R) */
			T_ASSERT_NEAR(cov, want_cov,
				      5.0 * sqrt((want_var * var_j + want_cov * want_cov) / R));
		}
	}
	gsl_rng_free(r);
}

/* ranks ascending, drawn in that order */
static void check_moments(uint64_t n, const uint64_t *ranks, size_t m, uint64_t seed)
{
	static const size_t as_given[] = { 0, 1, 2, 3 };

	check_moments_drawn(n, ranks, m, seed, as_given);
}

static void test_order_small_sample(void)
{
	static const uint64_t ranks[] = { 1, 10, 19, 20 };

	check_moments(20, ranks, 4, 11);
}

/* A window's sample: the ranks of p50, p95, p99 and the maximum of 2,000. */
static void test_order_window_ranks(void)
{
	static const uint64_t ranks[] = { 1000, 1900, 1980, 2000 };

	check_moments(2000, ranks, 4, 12);
}

/* The window level's order: p99 first, then p95 and p50 below it, then
 * the maximum above it (ranks 1980, 1900, 1000, 2000 of 2,000); and a
 * small sample drawn from the middle out. The moments are those of the
 * joint order statistics whatever the order of drawing. */
static void test_order_any_draw_order(void)
{
	static const uint64_t window[] = { 1000, 1900, 1980, 2000 };
	static const size_t window_order[] = { 2, 1, 0, 3 };
	static const uint64_t small[] = { 1, 10, 19, 20 };
	static const size_t middle_out[] = { 1, 3, 0, 2 };

	check_moments_drawn(2000, window, 4, 15, window_order);
	check_moments_drawn(20, small, 4, 16, middle_out);
}

/* The values of the ranks drawn first do not depend on the ranks drawn
 * after them: p99 and p95 alone are the p99 and p95 of all four, seed
 * for seed (what lets a study leave out the quantiles nothing reads). */
static void test_order_prefix_unchanged(void)
{
	static const uint64_t ranks[] = { 1980, 1900, 1000, 2000 };

	for (uint64_t seed = 1; seed <= 50; seed++) {
		gsl_rng *a = sim_rng_create(seed, SIM_STREAM_QUANTILES_ALL);
		gsl_rng *b = sim_rng_create(seed, SIM_STREAM_QUANTILES_ALL);
		double two[2], four[4];

		CU_ASSERT_PTR_NOT_NULL_FATAL(a);
		CU_ASSERT_PTR_NOT_NULL_FATAL(b);
		sim_uniform_order_stats(a, 2000, ranks, 2, two);
		sim_uniform_order_stats(b, 2000, ranks, 4, four);
		CU_ASSERT_EQUAL(two[0], four[0]);
		CU_ASSERT_EQUAL(two[1], four[1]);
		CU_ASSERT(four[2] < four[1] && four[1] < four[0] && four[0] < four[3]);
		gsl_rng_free(a);
		gsl_rng_free(b);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The marginal of U_(k) is Beta(k, n - k + 1): the Kolmogorov-Smirnov
 * distance of R draws from gsl_cdf_beta_P stays below the 99.9% critical
 * value 1.949 / sqrt(R). */
static void test_order_marginal_is_beta(void)
{
	enum { R = 20000 };
	static const uint64_t ranks[] = { 3, 7 };
	const uint64_t n = 9;
	gsl_rng *r = sim_rng_create(13, SIM_STREAM_SERVICE_CANARY);
	double *a = malloc(R * sizeof(*a)), *b = malloc(R * sizeof(*b));

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	for (int t = 0; t < R; t++) {
		double u[2];

		sim_uniform_order_stats(r, n, ranks, 2, u);
		a[t] = u[0];
		b[t] = u[1];
	}
	for (int j = 0; j < 2; j++) {
		double *x = j == 0 ? a : b, d = 0.0;
		double k = (double)ranks[j];

		qsort(x, R, sizeof(*x), cmp_double);
		for (int t = 0; t < R; t++) {
			double f = gsl_cdf_beta_P(x[t], k, (double)n - k + 1.0);
			double d1 = fabs((t + 1.0) / R - f), d2 = fabs(f - (double)t / R);

			d = fmax(d, fmax(d1, d2));
		}
		fprintf(stderr, "\n    U_(%g) of %g: KS distance %.4f", k, (double)n, d);
		CU_ASSERT(d < 1.949 / sqrt((double)R));
	}
	free(a);
	free(b);
	gsl_rng_free(r);
}

/* Equal ranks are one order statistic: the same value twice. */
static void test_order_equal_ranks(void)
{
	static const uint64_t ranks[] = { 4, 4, 8 };
	gsl_rng *r = sim_rng_create(14, SIM_STREAM_SERVICE_STABLE);
	double u[3];

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	sim_uniform_order_stats(r, 8, ranks, 3, u);
	CU_ASSERT_EQUAL(u[0], u[1]);
	CU_ASSERT(u[2] > u[1] && u[2] < 1.0);
	gsl_rng_free(r);
}

int t_suite_variates(void)
{
	static const struct t_case cases[] = {
		{ "Poisson: mean 3.5 (GSL)", test_poisson_small },
		{ "Poisson: PTRS at mean 10", test_poisson_ptrs_low },
		{ "Poisson: PTRS at mean 137.25", test_poisson_ptrs_mid },
		{ "Poisson: PTRS at mean 2000", test_poisson_ptrs_window },
		{ "Poisson: mean 0", test_poisson_zero },
		{ "binomial: a window's errors", test_binomial_window_errors },
		{ "binomial: inversion near its switch", test_binomial_near_switch },
		{ "binomial: BTPE above it", test_binomial_btpe },
		{ "binomial: p 0, p 1, n 0", test_binomial_edges },
		{ "order statistics: any order of drawing", test_order_any_draw_order },
		{ "order statistics: later ranks change none before", test_order_prefix_unchanged },
		{ "order statistics: moments, n = 20", test_order_small_sample },
		{ "order statistics: moments at a window's ranks", test_order_window_ranks },
		{ "order statistics: marginals are Beta", test_order_marginal_is_beta },
		{ "order statistics: equal ranks", test_order_equal_ranks },
		{ NULL, NULL }
	};

	return t_add_suite("variates", cases);
}
