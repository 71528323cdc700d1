/* sim/ against closed forms and hand calculations, written next to each
 * assertion. Tolerances are computed: a 99.9% Student t interval over
 * independent replications where requests are correlated (queues, error
 * bursts), 4 binomial or Poisson standard errors where they are not; each
 * interval is also asserted tight enough to mean something. Run lengths
 * keep the suite to a few seconds, since it also runs under sanitizers. */
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "sim/sim.h"
#include "tests/unit/helpers.h"

#define R 20                      /* replications wherever a t interval is used */

static int64_t s_to_ns(double s)
{
	return (int64_t)llround(s * 1e9);
}

/* Only the stable version takes traffic (weight 0); both versions have the
 * defaults and a constant 1 ms service time; constant arrivals. */
static struct sim_config model_config(double rate_rps)
{
	struct sim_config c;

	memset(&c, 0, sizeof(c));
	c.seed = 1;
	c.window_ns = 10 * ENG_NS_PER_S;
	c.traffic.profile = SIM_PROFILE_CONSTANT;
	c.traffic.rate_rps = rate_rps;
	c.initial_weight_pct = 0.0;
	for (int v = 0; v < ENG_NVERSIONS; v++) {
		sim_version_config_defaults(&c.version[v]);
		c.version[v].service.kind = SIM_DIST_CONSTANT;
		c.version[v].service.value_ms = 1.0;
	}
	return c;
}

/* Half-width of the 99.9% Student t interval of the mean of x[0..n). */
static double t_halfwidth(const double *x, size_t n, double *mean)
{
	double m = gsl_stats_mean(x, 1, n);

	*mean = m;
	return gsl_cdf_tdist_Pinv(0.9995, (double)(n - 1)) *
	       gsl_stats_sd_m(x, 1, n, m) / sqrt((double)n);
}

/* Runs nrep replications of c with seeds seed0, seed0 + 1, ... and keeps
 * in tot[0..nrep) the stable version's totals over (warm_s, end_s]: the
 * responses completed after the warm-up, so that the empty start does not
 * bias a steady-state estimate. */
static void replicate(struct sim_config c, uint64_t seed0, double warm_s,
		      double end_s, size_t nrep, struct sim_totals *tot)
{
	for (size_t r = 0; r < nrep; r++) {
		struct sim_totals a, b;
		struct sim *s;

		c.seed = seed0 + r;
		s = sim_create(&c);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_FATAL(sim_run_until(s, s_to_ns(warm_s)));
		sim_totals(s, ENG_STABLE, &a);
		CU_ASSERT_FATAL(sim_run_until(s, s_to_ns(end_s)));
		sim_totals(s, ENG_STABLE, &b);
		sim_free(s);
		CU_ASSERT_FATAL(b.requests > a.requests);
		tot[r].requests = b.requests - a.requests;
		tot[r].errors = b.errors - a.errors;
		tot[r].timeouts = b.timeouts - a.timeouts;
		tot[r].rejected = b.rejected - a.rejected;
		tot[r].latency_sum_ms = b.latency_sum_ms - a.latency_sum_ms;
	}
}

enum stat { MEAN_LATENCY_MS, REJECTED_SHARE, TIMEOUT_SHARE, ERROR_SHARE };

/* The mean over tot[0..n) of a statistic of each replication (its mean
 * latency, ms, or a share of its responses, 0..1), which go to x[0..n);
 * the 99.9% t half-width goes to *hw. */
static double t_mean(const struct sim_totals *tot, size_t n, enum stat which,
		     double *x, double *hw)
{
	double mean;

	for (size_t r = 0; r < n; r++) {
		const double num[] = { tot[r].latency_sum_ms, (double)tot[r].rejected,
				       (double)tot[r].timeouts, (double)tot[r].errors };

		x[r] = num[which] / (double)tot[r].requests;
	}
	*hw = t_halfwidth(x, n, &mean);
	return mean;
}

/* Erlang's C formula, the probability that an arrival waits in M/M/c with
 * offered load a = lambda / mu < c (Kleinrock, Queueing Systems vol. 1,
 * sec. 3.5; Gross and Harris, Fundamentals of Queueing Theory, M/M/c):
 *   C(c, a) = [a^c / c! * c / (c - a)]
 *             / [sum_{k=0}^{c-1} a^k / k! + a^c / c! * c / (c - a)]. */
static double erlang_c(unsigned c, double a)
{
	double sum = 0.0, top;

	for (unsigned k = 0; k < c; k++)
		sum += pow(a, k) / gsl_sf_fact(k);
	top = pow(a, c) / gsl_sf_fact(c) * c / (c - a);
	return top / (sum + top);
}

/* M/M/c (one instance, concurrency c, exponential service, unbounded FIFO
 * queue): the mean response time is W = W_q + 1/mu with
 * W_q = C(c, a) / (c mu - lambda) (same sources). mu = 100/s (10 ms), and
 * lambda = rho c mu. The interval comes from R replications after a
 * warm-up of 50 s, over three relaxation times 1 / (mu (1 - sqrt(rho))^2)
 * of M/M/1 at rho = 0.95 (15.6 s; Morse, Queues, Inventories and
 * Maintenance, 1958), and shorter with more servers. It must be under a
 * share of W_q itself, so that the test tells the queueing delay apart from
 * a mistake of that share in it (at c = 10, rho = 0.8, W_q is only 1/6 of
 * W): 10% at rho = 0.8, 15% at 0.95, where the estimator's variance grows
 * like (1 - rho)^-4 (Whitt, "Planning queueing simulations", Management
 * Science 35, 1989) and 10% would double the suite's time. Lengths: 24,000
 * to 96,000 arrivals a replication at rho = 0.8, 105,000 to 190,000 at
 * 0.95, after the warm-up; about 13 million arrivals in all. */
static void test_mmc_waiting_time(void)
{
	static const struct {
		unsigned c;
		double rho, run_s, tight_frac;
	} cases[] = {
		{ 1, 0.80, 300.0, 0.10 }, { 2, 0.80, 200.0, 0.10 },
		{ 10, 0.80, 120.0, 0.10 }, { 1, 0.95, 1100.0, 0.15 },
		{ 2, 0.95, 600.0, 0.15 }, { 10, 0.95, 200.0, 0.15 },
	};
	const double mu = 100.0, warm_s = 50.0;
	struct sim_totals tot[R];
	double x[R];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned c = cases[i].c;
		double lambda = cases[i].rho * c * mu, a = lambda / mu;
		double wq_ms = 1000.0 * erlang_c(c, a) / (c * mu - lambda);
		double w_ms = wq_ms + 1000.0 / mu, mean, hw;
		struct sim_config cfg = model_config(lambda);

		cfg.version[ENG_STABLE].concurrency = c;
		cfg.version[ENG_STABLE].service.kind = SIM_DIST_EXPONENTIAL;
		cfg.version[ENG_STABLE].service.mean_ms = 1000.0 / mu;
		replicate(cfg, 1000 + 100 * i, warm_s, warm_s + cases[i].run_s, R, tot);
		mean = t_mean(tot, R, MEAN_LATENCY_MS, x, &hw);
		T_ASSERT_NEAR(mean, w_ms, hw);
		T_ASSERT_NEAR(hw, 0.0, cases[i].tight_frac * wq_ms);
	}
	/* The formula itself, by hand: c = 1 gives C = a = rho; c = 2,
	 * a = 1.6: top = 1.28 * 2 / 0.4 = 6.4, sum = 2.6, C = 6.4 / 9 = 0.7111. */
	T_ASSERT_NEAR(erlang_c(1, 0.8), 0.8, 1e-12);
	T_ASSERT_NEAR(erlang_c(2, 1.6), 6.4 / 9.0, 1e-12);
}

/* Constant rate lambda = 100/s, a 1 us service time, windows of w = 0.1 s:
 * the requests of a window are Poisson with mean m = lambda w = 10, so
 * over N = 20,000 windows the sample mean is within 4 sqrt(m / N) of m,
 * and the sample variance s^2 within 4 sd of m, where
 *   Var(s^2) = (mu_4 - (N - 3) / (N - 1) sigma^4) / N
 * (Kendall and Stuart, Advanced Theory of Statistics vol. 1, the sampling
 * variance of s^2) with the Poisson's sigma^2 = m and central fourth
 * moment mu_4 = m (1 + 3 m). The dispersion index D = s^2 / mean has
 * (N - 1) D approximately chi^2 on N - 1 degrees of freedom (Fisher's
 * index of dispersion test), so it is 1 within 4 sqrt(2 / (N - 1)) = 0.04:
 * tight enough to catch a process 5% over- or under-dispersed. 200,000
 * arrivals. */
static void test_poisson_window_counts(void)
{
	enum { N = 20000 };
	const double lambda = 100.0, w_s = 0.1, m = lambda * w_s;
	const double mu4 = m * (1.0 + 3.0 * m);
	const double var_s2 = (mu4 - (N - 3.0) / (N - 1.0) * m * m) / N;
	const double disp_tol = 4.0 * sqrt(2.0 / (N - 1.0));
	struct sim_config c = model_config(lambda);
	struct eng_observation obs;
	double *x = malloc(N * sizeof(*x));
	double mean, var;
	bool ok = true;
	struct sim *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	c.seed = 2000;
	c.window_ns = s_to_ns(w_s);
	c.version[ENG_STABLE].concurrency = 1000;
	c.version[ENG_STABLE].service.value_ms = 0.001;
	s = sim_create(&c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	for (int k = 1; k <= N && ok; k++) {
		ok = sim_run_until(s, k * c.window_ns) && sim_last_window(s, &obs) &&
		     obs.t_ns == k * c.window_ns;
		x[k - 1] = ok ? (double)obs.version[ENG_STABLE].requests : 0.0;
	}
	sim_free(s);
	CU_ASSERT_FATAL(ok);
	mean = gsl_stats_mean(x, 1, N);
	var = gsl_stats_variance_m(x, 1, N, mean);
	T_ASSERT_NEAR(mean, m, 4.0 * sqrt(m / N));
	T_ASSERT_NEAR(var, m, 4.0 * sqrt(var_s2));
	T_ASSERT_NEAR(var / mean, 1.0, disp_tol);
	T_ASSERT_NEAR(disp_tol, 0.0, 0.05);
	free(x);
}

/* Gilbert-Elliott errors, p = P(good -> bad) = 0.02, q = P(bad -> good)
 * = 0.18, e_g = 0.01, e_b = 0.5. The chain's stationary P(bad) is
 * p / (p + q) = 0.1, so the long-run error rate is
 *   r = (q e_g + p e_b) / (p + q) = (0.0018 + 0.01) / 0.2 = 0.059
 * (Gilbert 1960; Elliott 1963). Errors come in bursts (a bad spell lasts
 * 1/q = 5.6 requests), so the binomial standard error is too small: with
 * lambda = 1 - p - q = 0.8, the per-request asymptotic variance is
 *   sigma^2 = r (1 - r) + 2 (e_b - e_g)^2 pi_g pi_b lambda / (1 - lambda)
 *           = 0.055519 + 2 * 0.2401 * 0.09 * 4 = 0.228391,
 * four times r (1 - r) (the lag-k covariance of the errors is
 * (e_b - e_g)^2 pi_g pi_b lambda^k for a two-state chain). The interval
 * comes from 100 replications of 10,000 requests (1,000,000 in all: many
 * short ones, so that the variance check below has power) and must be
 * under 5% of r. The replications' variance must match sigma^2 / n within
 * the 99.9% chi-square interval on 99 degrees of freedom, [0.60, 1.53]: a
 * Bernoulli model at the same rate would give 1/4 and fail. */
static void test_gilbert_elliott_rate(void)
{
	const double p = 0.02, q = 0.18, eg = 0.01, eb = 0.5;
	enum { NREP = 100 };
	const double rate = 500.0, run_s = 20.0;
	const double r_exp = (q * eg + p * eb) / (p + q);
	const double pib = p / (p + q), lam = 1.0 - p - q;
	const double sigma2 = r_exp * (1.0 - r_exp) +
			      2.0 * (eb - eg) * (eb - eg) * pib * (1.0 - pib) *
			      lam / (1.0 - lam);
	struct sim_config c = model_config(rate);
	struct sim_totals tot[NREP];
	double reps[NREP], mean, hw, ratio, lo, hi;

	c.version[ENG_STABLE].concurrency = 1000;
	c.version[ENG_STABLE].errors.model = SIM_ERRORS_GILBERT_ELLIOTT;
	c.version[ENG_STABLE].errors.good_rate_frac = eg;
	c.version[ENG_STABLE].errors.bad_rate_frac = eb;
	c.version[ENG_STABLE].errors.p_enter_bad = p;
	c.version[ENG_STABLE].errors.p_leave_bad = q;
	T_ASSERT_NEAR(r_exp, 0.059, 1e-12);
	T_ASSERT_NEAR(sigma2, 0.228391, 1e-6);
	replicate(c, 3000, 0.0, run_s, NREP, tot);
	mean = t_mean(tot, NREP, ERROR_SHARE, reps, &hw);
	T_ASSERT_NEAR(mean, r_exp, hw);
	T_ASSERT_NEAR(hw, 0.0, 0.05 * r_exp);
	/* s^2 / (sigma^2 / n) ~ chi^2_{NREP-1} / (NREP - 1), n = rate x run_s
	 * (to first order for the ratio errors / requests) */
	ratio = gsl_stats_variance(reps, 1, NREP) / (sigma2 / (rate * run_s));
	lo = gsl_cdf_chisq_Pinv(0.0005, NREP - 1) / (NREP - 1);
	hi = gsl_cdf_chisq_Pinv(0.9995, NREP - 1) / (NREP - 1);
	T_ASSERT_NEAR(ratio, (lo + hi) / 2.0, (hi - lo) / 2.0);
}

/* Every response of a run, by request id (the arrival order). */
struct rec {
	size_t cap;               /* ids 0..cap-1 are kept */
	size_t n;                 /* responses kept */
	size_t overflow;          /* responses with id >= cap */
	struct sim_response *resp; /* owned, by id */
	unsigned char *seen;      /* owned, by id: 1 once its response came */
};

static bool rec_init(struct rec *r, size_t cap)
{
	memset(r, 0, sizeof(*r));
	r->cap = cap;
	r->resp = calloc(cap, sizeof(*r->resp));
	r->seen = calloc(cap, 1);
	return r->resp != NULL && r->seen != NULL;
}

static void rec_free(struct rec *r)
{
	free(r->resp);
	free(r->seen);
}

static void rec_sink(void *ctx, const struct sim_response *resp)
{
	struct rec *r = ctx;

	if (resp->id >= r->cap) {
		r->overflow++;
		return;
	}
	r->resp[resp->id] = *resp;
	r->seen[resp->id] = 1;
	r->n++;
}

/* Returns an owned world for c (free with sim_free()) whose responses go
 * to r, initialised here for cap ids (free with rec_free()); fails the
 * test when out of memory. */
static struct sim *rec_sim(const struct sim_config *c, struct rec *r, size_t cap)
{
	struct sim *s;

	CU_ASSERT_FATAL(rec_init(r, cap));
	s = sim_create(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	sim_set_response_sink(s, rec_sink, r);
	return s;
}

/* Runs c to end_s with every response recorded into r, as rec_sim(). */
static bool record_run(const struct sim_config *c, double end_s, struct rec *r,
		       size_t cap)
{
	struct sim *s = rec_sim(c, r, cap);
	bool ok = sim_run_until(s, s_to_ns(end_s)) && r->overflow == 0;

	sim_free(s);
	return ok;
}

/* A lognormal through p50 = 40 ms and p99 = 300 ms: sigma =
 * ln(300 / 40) / z_0.99 = 2.014903 / 2.326348 = 0.866123, median 40 ms.
 * With concurrency 1000 at 200/s (about 12 requests in flight, Poisson:
 * M/G/inf) nobody queues, so a latency is the service time. Over
 * n = 100,000 responses, the share at or under the true q-quantile is
 * Binomial(n, q) / n: within 4 sqrt(q (1 - q) / n) of q. The sample
 * quantile is asymptotically normal with sd sqrt(q (1 - q) / n) / f(x_q)
 * (Cramer, Mathematical Methods of Statistics, 28.5), f the lognormal
 * density; 4 sd is 0.55 ms at p50 and 12 ms at p99, under 5% of each. */
static void test_lognormal_quantiles(void)
{
	static const double qs[2] = { 0.50, 0.99 }, vs[2] = { 40.0, 300.0 };
	const double rate = 200.0, run_s = 500.0;
	struct sim_config c = model_config(rate);
	struct sim_dist d;
	struct rec rec;
	double *lat;
	size_t n = 0;

	sim_dist_lognormal_from_quantiles(0.50, 40.0, 0.99, 300.0, &d);
	T_ASSERT_NEAR(d.median_ms, 40.0, 1e-9 * 40.0);
	T_ASSERT_NEAR(d.sigma, log(7.5) / gsl_cdf_ugaussian_Pinv(0.99), 1e-12);
	T_ASSERT_NEAR(d.sigma, 0.866123, 1e-6);
	for (int i = 0; i < 2; i++)
		T_ASSERT_NEAR(sim_dist_quantile_ms(&d, qs[i]), vs[i], 1e-9 * vs[i]);

	c.seed = 4000;
	c.version[ENG_STABLE].concurrency = 1000;
	c.version[ENG_STABLE].service = d;
	CU_ASSERT_FATAL(record_run(&c, run_s, &rec, (size_t)(rate * run_s * 1.1)));
	lat = malloc(rec.n * sizeof(*lat));
	CU_ASSERT_PTR_NOT_NULL_FATAL(lat);
	for (size_t id = 0; id < rec.cap; id++)
		if (rec.seen[id])
			lat[n++] = rec.resp[id].latency_ms;
	/* 100,000 expected; Poisson, so within 4 sqrt(100,000) = 1,265 */
	T_ASSERT_NEAR((double)n, rate * run_s, 4.0 * sqrt(rate * run_s));
	gsl_sort(lat, 1, n);
	for (int i = 0; i < 2; i++) {
		double q = qs[i], se_q = sqrt(q * (1.0 - q) / (double)n);
		double f = gsl_ran_lognormal_pdf(vs[i], log(d.median_ms), d.sigma);
		double below = 0.0, hw = 4.0 * se_q / f;

		for (size_t k = 0; k < n; k++)
			below += lat[k] <= vs[i];
		T_ASSERT_NEAR(below / (double)n, q, 4.0 * se_q);
		T_ASSERT_NEAR(gsl_stats_quantile_from_sorted_data(lat, 1, n, q),
			      vs[i], hw);
		T_ASSERT_NEAR(hw, 0.0, 0.05 * vs[i]);
	}
	free(lat);
	rec_free(&rec);
}

/* M/M/c/K blocking: a birth-death chain on 0..K with
 * p_n = p_0 a^n / n! (n <= c) and p_0 a^n / (c! c^(n - c)) (c <= n <= K),
 * and by PASTA an arrival is refused with probability p_K (Gross and
 * Harris, Fundamentals of Queueing Theory, M/M/c/K). */
static double mmck_blocking(unsigned c, unsigned K, double a)
{
	double sum = 0.0, term = 0.0;

	for (unsigned n = 0; n <= K; n++) {
		if (n <= c)
			term = pow(a, n) / gsl_sf_fact(n);
		else
			term = pow(a, n) / (gsl_sf_fact(c) * pow(c, n - c));
		sum += term;
	}
	return term / sum;
}

/* One instance, concurrency c, queue_limit K - c, exponential service of
 * 10 ms. Heavy overload: c = 4, K = 10, a = 6 (rho = 1.5), p_K = 0.34205;
 * and M/M/1/1 (Erlang B with one server, p_1 = a / (1 + a)) at a = 2:
 * 2/3. Refusals cluster in time, so the interval comes from R
 * replications (24,000 and 10,000 arrivals each); it must be under 3% of
 * p_K. */
static void test_mmck_blocking(void)
{
	static const struct {
		unsigned c, K;
		double a, run_s;
	} cases[] = { { 4, 10, 6.0, 40.0 }, { 1, 1, 2.0, 50.0 } };
	const double mu = 100.0;
	struct sim_totals tot[R];
	double x[R];

	/* by hand: M/M/1/1 at a = 2 is 2 / 3; M/M/4/10 at a = 6: the terms
	 * are 1, 6, 18, 36, 54, then 54 * 1.5^j for j = 1..6 (81 ... 615.09),
	 * sum 115 + 1683.28 = 1798.28, p_K = 615.09 / 1798.28 = 0.34205 */
	T_ASSERT_NEAR(mmck_blocking(1, 1, 2.0), 2.0 / 3.0, 1e-12);
	T_ASSERT_NEAR(mmck_blocking(4, 10, 6.0), 0.34205, 1e-5);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sim_config c = model_config(cases[i].a * mu);
		double pk = mmck_blocking(cases[i].c, cases[i].K, cases[i].a);
		double mean, hw;

		c.version[ENG_STABLE].concurrency = cases[i].c;
		c.version[ENG_STABLE].queue_limit = cases[i].K - cases[i].c;
		c.version[ENG_STABLE].service.kind = SIM_DIST_EXPONENTIAL;
		c.version[ENG_STABLE].service.mean_ms = 1000.0 / mu;
		replicate(c, 5000 + 100 * i, 1.0, 1.0 + cases[i].run_s, R, tot);
		mean = t_mean(tot, R, REJECTED_SHARE, x, &hw);
		T_ASSERT_NEAR(mean, pk, hw);
		T_ASSERT_NEAR(hw, 0.0, 0.03 * pk);
	}
}

/* Runs s to t_ns; the stable version's OOM kills so far. */
static uint64_t kills_at(struct sim *s, int64_t t_ns)
{
	struct sim_totals t;

	CU_ASSERT_FATAL(sim_run_until(s, t_ns));
	sim_totals(s, ENG_STABLE, &t);
	return t.oom_kills;
}

/* Runs s to t_ns; the stable version's last window. */
static void stable_window_at(struct sim *s, int64_t t_ns,
			     struct eng_window_metrics *m)
{
	struct eng_observation obs;

	CU_ASSERT_FATAL(sim_run_until(s, t_ns));
	CU_ASSERT_FATAL(sim_last_window(s, &obs));
	*m = obs.version[ENG_STABLE];
}

/* No per-request memory; base 100 MB, limit 400 MB, leak 3 MB/s: the
 * first OOM kill comes at (400 - 100) / 3 = 100 s exactly. With restart
 * delay d = 20 s each life lasts 100 s and each death 20 s, so kill k
 * happens at k 100 + (k - 1) 20 s (100, 220, ..., 940 s for k = 8), and by
 * T the kills number floor((T + d) / (100 + d)): 8 at T = 1000 s (the 9th
 * would be at 1060 s). Memory at t in a life that began at t0 is
 * 100 + 3 (t - t0). Run with no traffic (rate 0 is allowed) and with a
 * little traffic, which must not change anything. */
static void test_memory_leak_oom(void)
{
	static const double rates[] = { 0.0, 0.5 };

	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		struct sim_config c = model_config(rates[i]);
		struct sim_resources *res = &c.version[ENG_STABLE].resources;
		struct eng_window_metrics m;
		struct sim *s;

		c.seed = 6000;
		c.window_ns = ENG_NS_PER_S;
		res->memory_base_mb = 100.0;
		res->memory_limit_mb = 400.0;
		res->memory_leak_mb_per_s = 3.0;
		res->restart_delay_s = 20.0;
		s = sim_create(&c);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);

		stable_window_at(s, 50 * ENG_NS_PER_S, &m);
		T_ASSERT_NEAR(m.memory_mb, 100.0 + 3.0 * 50.0, 1e-9);
		T_ASSERT_EQ_INT(m.ready_instances, 1);
		/* the first kill: not 1 ns before 100 s, at 100 s */
		T_ASSERT_EQ_INT(kills_at(s, 100 * ENG_NS_PER_S - 1), 0);
		T_ASSERT_EQ_INT(kills_at(s, 100 * ENG_NS_PER_S), 1);
		/* down from 100 s to 120 s, then a new life from 120 s */
		stable_window_at(s, 110 * ENG_NS_PER_S, &m);
		T_ASSERT_EQ_INT(m.ready_instances, 0);
		T_ASSERT_NEAR(m.memory_mb, 0.0, 0.0);
		stable_window_at(s, 130 * ENG_NS_PER_S, &m);
		T_ASSERT_EQ_INT(m.ready_instances, 1);
		T_ASSERT_NEAR(m.memory_mb, 100.0 + 3.0 * 10.0, 1e-9);
		/* kill 8 at 8 * 100 + 7 * 20 = 940 s */
		T_ASSERT_EQ_INT(kills_at(s, 940 * ENG_NS_PER_S - 1), 7);
		T_ASSERT_EQ_INT(kills_at(s, 940 * ENG_NS_PER_S), 8);
		T_ASSERT_EQ_INT(kills_at(s, 1000 * ENG_NS_PER_S), (1000 + 20) / (100 + 20));
		sim_free(s);
	}
}

/* The same limit with requests in flight: memory is base + per-request x
 * in flight + leak x age (sim/config.h), and the instance is killed when
 * that goes above the limit. Base 100 MB, 20 MB a request, 3 MB/s, limit
 * 400 MB; requests take S = 30 s (0.1/s, concurrency 100: no queueing)
 * and the restart (1,000 s later) is after the run. Between arrivals and
 * departures (at arrival + S) n requests are in flight and memory rises
 * with the leak, reaching the limit at (400 - 100 - 20 n) / 3 s; an
 * arrival that takes it above kills at once. The expected kill is the
 * first such moment, walked through the recorded arrivals (a request
 * either finishes in S, fails at the kill with its latency up to it, or is
 * refused after it); it must come before the leak-alone (400 - 100) / 3 =
 * 100 s, with departures before it. With seed 6100 the first five
 * requests (11.7 to 32.6 s) are gone by 62.6 s, and those of 60.0, 66.8
 * and 70.7 s are in flight: the limit comes at (300 - 60) / 3 = 80 s.
 * Memory in a window never exceeds the limit either. */
static void test_memory_with_requests_in_flight(void)
{
	const double base = 100.0, per = 20.0, leak = 3.0, limit = 400.0;
	const double S = 30.0, end_s = 150.0;
	struct sim_config c = model_config(0.1);
	struct sim_resources *res = &c.version[ENG_STABLE].resources;
	struct rec r;
	struct sim_totals t;
	struct eng_observation obs;
	double kill_s = -1.0, want_s = INFINITY, max_mb = 0.0, from = 0.0;
	size_t n = 0, next_arr = 0, next_dep = 0;
	struct sim *s;

	c.seed = 6100;
	c.window_ns = ENG_NS_PER_S;
	c.version[ENG_STABLE].concurrency = 100;
	c.version[ENG_STABLE].service.value_ms = S * 1000.0;
	res->memory_base_mb = base;
	res->memory_per_request_mb = per;
	res->memory_leak_mb_per_s = leak;
	res->memory_limit_mb = limit;
	res->restart_delay_s = 1000.0;
	s = rec_sim(&c, &r, 100);
	for (int k = 1; k <= (int)end_s; k++) {
		CU_ASSERT_FATAL(sim_run_until(s, k * ENG_NS_PER_S));
		CU_ASSERT_FATAL(sim_last_window(s, &obs));
		max_mb = fmax(max_mb, obs.version[ENG_STABLE].memory_mb);
	}
	sim_totals(s, ENG_STABLE, &t);
	sim_free(s);
	T_ASSERT_EQ_INT(r.overflow, 0);
	T_ASSERT_EQ_INT(t.oom_kills, 1);
	while (n < r.cap && r.seen[n])
		n++;
	T_ASSERT_EQ_INT(n, t.requests); /* every request has answered */
	for (size_t id = 0; id < n; id++)
		if (r.resp[id].failed && r.resp[id].latency_ms > 0.0 && kill_s < 0.0)
			kill_s = (double)r.resp[id].arrival_ns / 1e9 +
				 r.resp[id].latency_ms / 1000.0;

	/* the walk: arrivals (ids in time order) and departures S later */
	while (next_arr < n || next_dep < n) {
		double ta = next_arr < n ? (double)r.resp[next_arr].arrival_ns / 1e9 : INFINITY;
		double td = (double)r.resp[next_dep].arrival_ns / 1e9 + S;
		double until = fmin(ta, td);
		size_t in_flight = next_arr - next_dep;
		double cross = (limit - base - per * (double)in_flight) / leak;

		if (cross < until) {
			want_s = fmax(cross, from);
			break;
		}
		from = until;
		if (td <= ta) {
			next_dep++;
		} else if (base + per * (double)(in_flight + 1) + leak * ta > limit) {
			want_s = ta; /* this arrival took it over */
			break;
		} else {
			next_arr++;
		}
	}
	CU_ASSERT_FATAL(kill_s > 0.0);
	CU_ASSERT(want_s < (limit - base) / leak);
	CU_ASSERT(next_dep > 0); /* some had left */
	T_ASSERT_NEAR(kill_s, want_s, 1e-6);
	T_ASSERT_NEAR(max_mb, 0.0, limit); /* within [0, limit] */
	rec_free(&r);
}

/* M/M/1 FCFS, lambda = 50/s, mu = 100/s: the sojourn time is exponential
 * with rate mu - lambda = 50/s (Kleinrock, Queueing Systems vol. 1,
 * sec. 3.2), so with a timeout of T = 40 ms the share of timeouts is
 * P(sojourn > T) = exp(-50 * 0.04) = exp(-2) = 0.135335. A timed-out
 * request is recorded at T, so the mean latency is
 * E[min(sojourn, T)] = (1 - exp(-2)) / 50 s = 17.293 ms. The server still
 * serves a timed-out request, so the queue is the plain M/M/1. Intervals
 * from R replications of 30,000 arrivals: under 5% of the timeout share
 * (which tells exp(-2) from rho exp(-2), the share of waits over T, and
 * from exp(-2.1), a 5% mistake in mu - lambda) and under 3% of the mean. */
static void test_mm1_timeouts(void)
{
	const double lambda = 50.0, mu = 100.0, T_ms = 40.0;
	const double theta = mu - lambda;
	const double p_exp = exp(-theta * T_ms / 1000.0);
	const double mean_exp = 1000.0 * (1.0 - p_exp) / theta;
	struct sim_config c = model_config(lambda);
	struct sim_totals tot[R];
	double x[R], mean, hw;

	T_ASSERT_NEAR(p_exp, 0.135335, 1e-6);
	T_ASSERT_NEAR(mean_exp, 17.293, 1e-3);
	c.version[ENG_STABLE].service.kind = SIM_DIST_EXPONENTIAL;
	c.version[ENG_STABLE].service.mean_ms = 1000.0 / mu;
	c.version[ENG_STABLE].timeout_ms = T_ms;
	replicate(c, 7000, 5.0, 605.0, R, tot);
	mean = t_mean(tot, R, TIMEOUT_SHARE, x, &hw);
	T_ASSERT_NEAR(mean, p_exp, hw);
	T_ASSERT_NEAR(hw, 0.0, 0.05 * p_exp);
	mean = t_mean(tot, R, MEAN_LATENCY_MS, x, &hw);
	T_ASSERT_NEAR(mean, mean_exp, hw);
	T_ASSERT_NEAR(hw, 0.0, 0.03 * mean_exp);
}

#define NIV 4

struct interval {
	double from_s, to_s;      /* [from, to) */
	double expected;          /* integral of the rate over it */
};

struct counter {
	const struct interval *iv; /* NIV of them */
	double n[NIV];            /* arrivals seen in each */
};

static void count_sink(void *ctx, const struct sim_response *r)
{
	struct counter *k = ctx;
	double t = (double)r->arrival_ns / 1e9;

	for (size_t i = 0; i < NIV; i++)
		k->n[i] += t >= k->iv[i].from_s && t < k->iv[i].to_s;
}

/* Step, ramp, diurnal, spike and trace profiles. The arrivals of a Poisson
 * process of rate lambda(t) in [a, b) are Poisson with mean
 * Lambda = integral_a^b lambda(t) dt, worked out by hand below: within
 * 4 sqrt(Lambda). Every Lambda is 0 (then exactly 0) or at least 4,000,
 * so 4 sd is at most 6.4% of it. About 360,000 arrivals in all. A trace is
 * also checked point by point against linear interpolation. */
static void test_traffic_profiles(void)
{
	static const double step_t[] = { 100.0, 200.0 }, step_r[] = { 500.0, 100.0 };
	static const double tr_t[] = { 10.0, 20.0, 40.0 }, tr_r[] = { 100.0, 200.0, 0.0 };
	static const double big_r[] = { 2000.0, 4000.0, 0.0 };
	static const double tr_at[][2] = { /* time s, rate by hand */
		{ 0, 100 }, { 10, 100 }, { 12.5, 125 }, { 20, 200 }, { 25, 150 },
		{ 35, 50 }, { 40, 0 }, { 100, 0 },
	};
	/* diurnal: the integral of 200 * 0.5 sin(2 pi t / P), P = 100 s, over
	 * [a, b) is 100 P / (2 pi) (cos(2 pi a / P) - cos(2 pi b / P)), with
	 * 100 P / (2 pi) = 1591.549430918953 */
	const double k = 1591.549430918953;
	const struct {
		struct sim_traffic t;
		struct interval iv[NIV];
	} cases[] = {
		/* step: 200/s until 100 s, 500/s until 200 s, then 100/s */
		{ { .profile = SIM_PROFILE_STEP, .rate_rps = 200.0, .times_s = step_t,
		    .rates_rps = step_r, .npoints = 2 },
		  { { 0, 100, 200.0 * 100 }, { 50, 150, 200.0 * 50 + 500.0 * 50 },
		    { 100, 200, 500.0 * 100 }, { 200, 300, 100.0 * 100 } } },
		/* ramp: 100/s, rising linearly from 100 s to 1,100/s at 200 s:
		 * over [100, 150) 100 * 50 + 1000 * 50^2 / (2 * 100) */
		{ { .profile = SIM_PROFILE_RAMP, .rate_rps = 100.0, .to_rps = 1100.0,
		    .start_s = 100.0, .duration_s = 100.0 },
		  { { 0, 100, 100.0 * 100 }, { 100, 150, 100.0 * 50 + 1000.0 * 50 * 50 / 200 },
		    { 150, 200, 600.0 * 50 + 1000.0 * 50 * 50 / 200 }, { 200, 250, 1100.0 * 50 } } },
		/* diurnal: 200 (1 + 0.5 sin(2 pi t / 100)): +-2k over the half
		 * periods, k over [0, 25), 0 over a whole half period's shift */
		{ { .profile = SIM_PROFILE_DIURNAL, .rate_rps = 200.0,
		    .amplitude_frac = 0.5, .period_s = 100.0 },
		  { { 0, 50, 200.0 * 50 + 2 * k }, { 50, 100, 200.0 * 50 - 2 * k },
		    { 0, 25, 200.0 * 25 + k }, { 125, 175, 200.0 * 50 } } },
		/* spike: 50/s, 1,000/s over [100, 120) */
		{ { .profile = SIM_PROFILE_SPIKE, .rate_rps = 50.0, .to_rps = 1000.0,
		    .start_s = 100.0, .duration_s = 20.0 },
		  { { 0, 100, 50.0 * 100 }, { 100, 120, 1000.0 * 20 },
		    { 90, 130, 50.0 * 20 + 1000.0 * 20 }, { 120, 200, 50.0 * 80 } } },
		/* trace, linear between (10 s, 2000), (20 s, 4000), (40 s, 0):
		 * trapezoids, and nothing after the last point */
		{ { .profile = SIM_PROFILE_TRACE, .times_s = tr_t, .rates_rps = big_r,
		    .npoints = 3 },
		  { { 0, 10, 2000.0 * 10 }, { 10, 20, (2000.0 + 4000.0) / 2 * 10 },
		    { 20, 40, 4000.0 / 2 * 20 }, { 40, 60, 0.0 } } },
	};
	struct sim_traffic tr = { .profile = SIM_PROFILE_TRACE, .times_s = tr_t,
				  .rates_rps = tr_r, .npoints = 3 };

	/* the trace's rate: the first rate before the first time, the last
	 * after the last, linear between */
	for (size_t i = 0; i < sizeof(tr_at) / sizeof(tr_at[0]); i++)
		T_ASSERT_NEAR(sim_traffic_rate_rps(&tr, tr_at[i][0]), tr_at[i][1], 1e-12);
	T_ASSERT_NEAR(sim_traffic_peak_rps(&tr), 200.0, 1e-12);

	for (size_t j = 0; j < sizeof(cases) / sizeof(cases[0]); j++) {
		const struct interval *iv = cases[j].iv;
		struct counter cnt = { .iv = iv };
		struct sim_config c = model_config(0.0);
		double end_s = 0.0;
		struct sim *s;

		c.traffic = cases[j].t;
		c.seed = 8000 + 100 * j;
		c.version[ENG_STABLE].concurrency = 1000;
		c.version[ENG_STABLE].service.value_ms = 0.001;
		for (size_t i = 0; i < NIV; i++)
			end_s = fmax(end_s, iv[i].to_s);
		s = sim_create(&c);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		sim_set_response_sink(s, count_sink, &cnt);
		CU_ASSERT_FATAL(sim_run_until(s, s_to_ns(end_s + 1.0)));
		sim_free(s);
		for (size_t i = 0; i < NIV; i++) {
			double e = iv[i].expected;

			T_ASSERT_NEAR(cnt.n[i], e, 4.0 * sqrt(e));
			T_ASSERT_NEAR(4.0 * sqrt(e), 0.0, 0.064 * e);
		}
	}
	T_ASSERT_NEAR(k, 100.0 * 100.0 / (2.0 * acos(-1.0)), 1e-9);
}

/* A dependency with constant latency L = 25 ms and error rate e_d = 0.2,
 * on a version with exponential 20 ms service and e_v = 0.1, concurrency
 * 1000 at 200/s (about 4 in flight: no queueing). The same seed with and
 * without the dependency draws the same service times and version errors
 * (separate streams), so every response is exactly L slower (to the 1 ns
 * of rounding), and the mean is the mean without plus L. A request fails
 * when either fails: 1 - (1 - e_v)(1 - e_d) = 1 - 0.9 * 0.8 = 0.28,
 * within 4 binomial standard errors over n = 100,000 (independent draws),
 * 0.0057, 2% of the value; and whatever failed without the dependency
 * fails with it. */
static void test_dependency(void)
{
	const double rate = 200.0, run_s = 500.0, L = 25.0, ev = 0.1, ed = 0.2;
	const double e_exp = 1.0 - (1.0 - ev) * (1.0 - ed);
	struct sim_config c = model_config(rate);
	struct rec a, b;
	double sum_a = 0.0, sum_b = 0.0, fail_a = 0.0, fail_b = 0.0, n = 0.0;
	size_t bad_shift = 0, lost_failure = 0;
	size_t cap = (size_t)(rate * run_s * 1.1);

	c.seed = 9000;
	c.version[ENG_STABLE].concurrency = 1000;
	c.version[ENG_STABLE].service.kind = SIM_DIST_EXPONENTIAL;
	c.version[ENG_STABLE].service.mean_ms = 20.0;
	c.version[ENG_STABLE].errors.rate_frac = ev;
	c.ndeps = 1;
	snprintf(c.deps[0].name, sizeof(c.deps[0].name), "db");
	c.deps[0].latency.kind = SIM_DIST_CONSTANT;
	c.deps[0].latency.value_ms = L;
	c.deps[0].error_frac = ed;
	CU_ASSERT_FATAL(record_run(&c, run_s, &a, cap));
	c.version[ENG_STABLE].dependencies = 1u << 0;
	CU_ASSERT_FATAL(record_run(&c, run_s, &b, cap));

	for (size_t id = 0; id < cap; id++) {
		if (!a.seen[id] || !b.seen[id])
			continue;
		n += 1.0;
		sum_a += a.resp[id].latency_ms;
		sum_b += b.resp[id].latency_ms;
		fail_a += a.resp[id].failed;
		fail_b += b.resp[id].failed;
		/* the first mismatch, if any, printed with both values */
		if (fabs(b.resp[id].latency_ms - a.resp[id].latency_ms - L) > 1e-6 &&
		    bad_shift++ == 0)
			T_ASSERT_NEAR(b.resp[id].latency_ms, a.resp[id].latency_ms + L, 1e-6);
		lost_failure += a.resp[id].failed && !b.resp[id].failed;
	}
	T_ASSERT_NEAR(n, rate * run_s, 4.0 * sqrt(rate * run_s));
	T_ASSERT_EQ_INT(bad_shift, 0);
	T_ASSERT_NEAR(sum_b / n, sum_a / n + L, 1e-6);
	/* the mean without: exponential 20 ms, within 4 sd = 4 * 20 / sqrt(n) */
	T_ASSERT_NEAR(sum_a / n, 20.0, 4.0 * 20.0 / sqrt(n));
	T_ASSERT_NEAR(fail_a / n, ev, 4.0 * sqrt(ev * (1.0 - ev) / n));
	T_ASSERT_NEAR(fail_b / n, e_exp, 4.0 * sqrt(e_exp * (1.0 - e_exp) / n));
	T_ASSERT_NEAR(4.0 * sqrt(e_exp * (1.0 - e_exp) / n), 0.0, 0.03 * e_exp);
	T_ASSERT_EQ_INT(lost_failure, 0);
	rec_free(&a);
	rec_free(&b);
}

/* Slow start m = 3 over D = 40 s, constant service S = 10 ms, 5/s with
 * concurrency 100 (nobody queues): a request started at age a of its
 * instance takes S (1 + (m - 1)(1 - a / D)) while a < D, S after:
 * 30 ms at a = 0, 20 ms at a = 20 s, 10 ms from 40 s. The age restarts
 * with a new life: the leak (base 0, limit 600 MB, 10 MB/s) kills the
 * instance at 60 s, it is down (arrivals refused at once, latency 0) until
 * the restart at 70 s, and slow start begins again then (the run stops at
 * 125 s, before the next kill at 130 s). A request in flight at the kill
 * fails with its latency up to the kill. Every response is checked, to the
 * 1 ns of rounding. */
static void test_slow_start(void)
{
	const double m = 3.0, D = 40.0, S = 10.0, kill_s = 60.0, back_s = 70.0;
	struct sim_config c = model_config(5.0);
	struct rec r;
	size_t wrong = 0, n = 0, slow_first = 0, slow_second = 0, refused = 0;

	c.seed = 10000;
	c.version[ENG_STABLE].concurrency = 100;
	c.version[ENG_STABLE].service.value_ms = S;
	c.version[ENG_STABLE].slow_start_multiplier = m;
	c.version[ENG_STABLE].slow_start_s = D;
	c.version[ENG_STABLE].resources.memory_limit_mb = 600.0;
	c.version[ENG_STABLE].resources.memory_leak_mb_per_s = 10.0;
	c.version[ENG_STABLE].resources.restart_delay_s = back_s - kill_s;
	CU_ASSERT_FATAL(record_run(&c, 125.0, &r, 2000));

	for (size_t id = 0; id < r.cap; id++) {
		double t, age, want;
		bool want_failed = false;

		if (!r.seen[id])
			continue;
		n++;
		t = (double)r.resp[id].arrival_ns / 1e9;
		age = t < kill_s ? t : t - back_s;
		want = age < D ? S * (1.0 + (m - 1.0) * (1.0 - age / D)) : S;
		if (t >= kill_s && t < back_s) {
			want = 0.0; /* nothing ready: refused */
			want_failed = true;
			refused++;
		} else if (t < kill_s && t + want / 1000.0 > kill_s) {
			want = (kill_s - t) * 1000.0; /* killed in flight */
			want_failed = true;
		} else if (age < D) {
			slow_first += t < kill_s;
			slow_second += t >= back_s;
		}
		/* the first mismatch, if any, printed with both values */
		if ((fabs(r.resp[id].latency_ms - want) > 1e-6 ||
		     r.resp[id].failed != want_failed) && wrong++ == 0) {
			T_ASSERT_NEAR(r.resp[id].latency_ms, want, 1e-6);
			T_ASSERT_EQ_INT(r.resp[id].failed, want_failed);
		}
	}
	/* 625 arrivals expected; some at each stage */
	T_ASSERT_NEAR((double)n, 625.0, 4.0 * sqrt(625.0));
	CU_ASSERT(slow_first > 100);
	CU_ASSERT(slow_second > 100);
	CU_ASSERT(refused > 10);
	T_ASSERT_EQ_INT(wrong, 0);
	rec_free(&r);
}

/* Two runs with the same seed: A with the canary at weight 0 throughout,
 * B at 30% from t0 = 20 s to t1 = 60 s. Both see the same arrivals (their
 * own stream) for every id, and because every request draws its stable
 * service time and error whenever the stable version takes traffic (weight
 * < 100, so always here), a request B sends to the stable version gets the
 * very same latency and outcome as in A, with concurrency high enough
 * that nobody queues. Exact equality. B must send about 30% of the
 * requests of [t0, t1) to the canary, and none outside it. */
static void test_common_random_numbers(void)
{
	const double rate = 100.0, t0 = 20.0, t1 = 60.0, end_s = 100.0;
	struct sim_config c = model_config(rate);
	struct rec a, b;
	size_t cap = 20000, checked = 0, differ = 0, outside = 0, a_canary = 0;
	double in_window = 0.0, to_canary = 0.0;
	struct sim *s;

	c.seed = 11000;
	for (int v = 0; v < ENG_NVERSIONS; v++) {
		c.version[v].concurrency = 1000;
		c.version[v].service.kind = SIM_DIST_LOGNORMAL;
		c.version[v].service.median_ms = v == ENG_STABLE ? 20.0 : 30.0;
		c.version[v].service.sigma = 0.5;
		c.version[v].errors.rate_frac = v == ENG_STABLE ? 0.05 : 0.2;
	}
	CU_ASSERT_FATAL(record_run(&c, end_s, &a, cap));
	s = rec_sim(&c, &b, cap);
	CU_ASSERT_FATAL(sim_run_until(s, s_to_ns(t0)));
	sim_set_weight(s, 30.0);
	CU_ASSERT_FATAL(sim_run_until(s, s_to_ns(t1)));
	sim_set_weight(s, 0.0);
	CU_ASSERT_FATAL(sim_run_until(s, s_to_ns(end_s)));
	sim_free(s);
	T_ASSERT_EQ_INT(b.overflow, 0);

	/* A's ids arrived before end_s - 1 s: every one answered in both runs
	 * (latencies are far under a second) */
	for (size_t id = 0; id < cap && a.seen[id] &&
	     a.resp[id].arrival_ns < s_to_ns(end_s - 1.0); id++) {
		const struct sim_response *x = &a.resp[id], *y = &b.resp[id];
		double t = (double)x->arrival_ns / 1e9;
		bool same = b.seen[id] && x->arrival_ns == y->arrival_ns &&
			    (y->version == ENG_CANARY ||
			     (x->latency_ms == y->latency_ms && x->failed == y->failed));

		checked++;
		a_canary += x->version != ENG_STABLE;
		if (!same && differ++ == 0) { /* the first, with both values */
			T_ASSERT_EQ_INT(y->arrival_ns, x->arrival_ns);
			T_ASSERT_NEAR(y->latency_ms, x->latency_ms, 0.0);
			T_ASSERT_EQ_INT(y->failed, x->failed);
		}
		if (t >= t0 && t < t1) {
			in_window += 1.0;
			to_canary += y->version == ENG_CANARY;
		} else {
			outside += y->version == ENG_CANARY;
		}
	}
	/* about 9,900 arrivals before 99 s */
	T_ASSERT_NEAR((double)checked, rate * (end_s - 1.0),
		      4.0 * sqrt(rate * (end_s - 1.0)));
	T_ASSERT_EQ_INT(a_canary, 0);
	T_ASSERT_EQ_INT(differ, 0);
	T_ASSERT_EQ_INT(outside, 0);
	/* about 4,000 requests in [t0, t1), each to the canary with P 0.3:
	 * Binomial, within 4 sd (0.029) of 0.3 */
	CU_ASSERT_FATAL(in_window > 3000.0);
	T_ASSERT_NEAR(to_canary / in_window, 0.30,
		      4.0 * sqrt(0.3 * 0.7 / in_window));
	rec_free(&a);
	rec_free(&b);
}

int t_suite_sim_model(void)
{
	static const struct t_case cases[] = {
		{ "M/M/c mean response time is W_q (Erlang C) + 1/mu", test_mmc_waiting_time },
		{ "window counts are Poisson, dispersion index 1", test_poisson_window_counts },
		{ "Gilbert-Elliott long-run error rate", test_gilbert_elliott_rate },
		{ "lognormal from p50 and p99 gives them back", test_lognormal_quantiles },
		{ "queue limit: M/M/c/K blocking", test_mmck_blocking },
		{ "memory leak: OOM kills on schedule", test_memory_leak_oom },
		{ "memory with requests in flight: OOM at the limit", test_memory_with_requests_in_flight },
		{ "M/M/1 timeouts: P(sojourn > T)", test_mm1_timeouts },
		{ "traffic profiles: counts match the rate's integral", test_traffic_profiles },
		{ "dependency latency adds, errors combine", test_dependency },
		{ "slow start decays linearly, restarts with a life", test_slow_start },
		{ "common random numbers across weight changes", test_common_random_numbers },
		{ NULL, NULL }
	};

	return t_add_suite("sim_model", cases);
}
