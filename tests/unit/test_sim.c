/* sim/sim: the queueing model against M/M/1, routing shares, Bernoulli
 * errors, Poisson counts and window bookkeeping. */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

#include "sim/sim.h"
#include "tests/unit/helpers.h"

static struct sim_config base_config(void)
{
	struct sim_config c;

	memset(&c, 0, sizeof(c));
	c.seed = 1;
	c.window_ns = 10 * ENG_NS_PER_S;
	c.traffic.rate_rps = 100.0;
	for (int v = 0; v < ENG_NVERSIONS; v++) {
		sim_version_config_defaults(&c.version[v]);
		c.version[v].instances = 4;
		c.version[v].concurrency = 8;
		c.version[v].service.kind = SIM_DIST_LOGNORMAL;
		c.version[v].service.median_ms = 20.0;
		c.version[v].service.sigma = 0.5;
	}
	return c;
}

/* M/M/1 (one instance, concurrency 1, exponential service): the mean
 * response time is 1 / (mu - lambda) (Kleinrock, Queueing Systems vol. 1,
 * eq. 3.26). With mu = 100/s (mean service 10 ms) and lambda = 50/s it is
 * 20 ms. The tolerance is a 99.9% confidence interval from R independent
 * replications of the stated length (Student t with R - 1 degrees of
 * freedom), so it is computed from the runs, not guessed; the interval must
 * also be tight (under 2% of the value) for the check to mean something. */
static void test_mm1_mean_response_time(void)
{
	enum { R = 20 };
	const double lambda = 50.0, mu = 100.0, run_s = 2000.0;
	const double expected_ms = 1000.0 / (mu - lambda);
	double means[R], mean, sd, halfwidth;
	struct sim_config c = base_config();

	c.traffic.rate_rps = lambda;
	c.version[ENG_STABLE].instances = 1;
	c.version[ENG_STABLE].concurrency = 1;
	c.version[ENG_STABLE].service.kind = SIM_DIST_EXPONENTIAL;
	c.version[ENG_STABLE].service.mean_ms = 1000.0 / mu;
	c.window_ns = 100 * ENG_NS_PER_S;
	for (int r = 0; r < R; r++) {
		struct sim_totals t;
		struct sim *s;

		c.seed = 1000 + (uint64_t)r;
		s = sim_create(&c);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_FATAL(sim_run_until(s, (int64_t)(run_s * 1e9)));
		sim_totals(s, ENG_STABLE, &t);
		/* about lambda * run_s = 100,000 requests each */
		CU_ASSERT(t.requests > 90000);
		means[r] = t.latency_sum_ms / (double)t.requests;
		sim_free(s);
	}
	mean = gsl_stats_mean(means, 1, R);
	sd = gsl_stats_sd_m(means, 1, R, mean);
	halfwidth = gsl_cdf_tdist_Pinv(0.9995, R - 1) * sd / sqrt((double)R);
	T_ASSERT_NEAR(mean, expected_ms, halfwidth);
	CU_ASSERT(halfwidth < 0.02 * expected_ms);
}

/* The router sends a request to the canary iff u < weight: the canary's
 * share of N requests is Binomial(N, w), so within 4 sd of w. */
static void test_routing_share(void)
{
	struct sim_config c = base_config();
	struct sim_totals st, ca;
	struct sim *s;
	double n, share, sd;

	c.initial_weight_pct = 25.0;
	c.traffic.rate_rps = 200.0;
	s = sim_create(&c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_FATAL(sim_run_until(s, 500 * ENG_NS_PER_S));
	sim_totals(s, ENG_STABLE, &st);
	sim_totals(s, ENG_CANARY, &ca);
	n = (double)(st.requests + ca.requests);
	share = (double)ca.requests / n;
	sd = sqrt(0.25 * 0.75 / n);
	T_ASSERT_NEAR(share, 0.25, 4.0 * sd);

	/* weight 0: the canary gets nothing from then on */
	sim_set_weight(s, 0.0);
	CU_ASSERT_FATAL(sim_run_until(s, 501 * ENG_NS_PER_S));
	struct sim_totals ca2;

	sim_totals(s, ENG_CANARY, &ca);
	CU_ASSERT_FATAL(sim_run_until(s, 600 * ENG_NS_PER_S));
	sim_totals(s, ENG_CANARY, &ca2);
	T_ASSERT_EQ_INT(ca2.requests, ca.requests);
	sim_free(s);
}

/* Arrivals are Poisson: the count over T is Poisson(lambda T), within
 * 4 sd = 4 sqrt(lambda T). Errors are Bernoulli(p): the failed share is
 * within 4 sqrt(p (1 - p) / n) of p. */
static void test_poisson_count_and_bernoulli_errors(void)
{
	struct sim_config c = base_config();
	struct sim_totals t;
	struct sim *s;
	const double T = 1000.0, lambda = 100.0, p = 0.05;
	double n;

	c.version[ENG_STABLE].errors.rate_frac = p;
	s = sim_create(&c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_FATAL(sim_run_until(s, (int64_t)(T * 1e9)));
	sim_totals(s, ENG_STABLE, &t);
	n = (double)t.requests;
	/* responses still in flight at T: at most a handful at 20 ms each */
	T_ASSERT_NEAR(n, lambda * T, 4.0 * sqrt(lambda * T) + 10.0);
	T_ASSERT_NEAR((double)t.errors / n, p, 4.0 * sqrt(p * (1 - p) / n));
	sim_free(s);
}

/* Windows close at multiples of the window length, carry the weight in
 * force, and their counts add up to the totals. */
static void test_windows_add_up(void)
{
	struct sim_config c = base_config();
	struct eng_observation obs;
	struct sim_totals st, ca;
	uint64_t req = 0, err = 0;
	struct sim *s;

	c.initial_weight_pct = 40.0;
	c.version[ENG_CANARY].errors.rate_frac = 0.1;
	s = sim_create(&c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_FALSE(sim_last_window(s, &obs));
	for (int w = 1; w <= 30; w++) {
		CU_ASSERT_FATAL(sim_run_until(s, w * c.window_ns));
		CU_ASSERT_FATAL(sim_last_window(s, &obs));
		T_ASSERT_EQ_INT(obs.t_ns, w * c.window_ns);
		T_ASSERT_EQ_INT(obs.window_ns, c.window_ns);
		T_ASSERT_NEAR(obs.weight_pct, 40.0, 0.0);
		T_ASSERT_EQ_INT(obs.all.requests, obs.version[0].requests +
					     obs.version[1].requests);
		T_ASSERT_EQ_INT(obs.version[ENG_CANARY].ready_instances, 4);
		CU_ASSERT(obs.version[ENG_STABLE].p50_ms <= obs.version[ENG_STABLE].p95_ms);
		CU_ASSERT(obs.version[ENG_STABLE].p95_ms <= obs.version[ENG_STABLE].p99_ms);
		CU_ASSERT(obs.version[ENG_STABLE].p99_ms <= obs.version[ENG_STABLE].max_ms);
		req += obs.all.requests;
		err += obs.all.errors;
	}
	sim_totals(s, ENG_STABLE, &st);
	sim_totals(s, ENG_CANARY, &ca);
	T_ASSERT_EQ_INT(req, st.requests + ca.requests);
	T_ASSERT_EQ_INT(err, st.errors + ca.errors);
	sim_free(s);
}

static void test_rejects_invalid_config(void)
{
	struct sim_config c = base_config();

	c.window_ns = 0;
	CU_ASSERT_PTR_NULL(sim_create(&c));
	c = base_config();
	c.version[ENG_CANARY].instances = 0;
	CU_ASSERT_PTR_NULL(sim_create(&c));
	c = base_config();
	c.initial_weight_pct = 101.0;
	CU_ASSERT_PTR_NULL(sim_create(&c));
	c = base_config();
	c.version[ENG_STABLE].errors.rate_frac = -0.1;
	CU_ASSERT_PTR_NULL(sim_create(&c));
}

int t_suite_sim(void)
{
	static const struct t_case cases[] = {
		{ "M/M/1 mean response time is 1/(mu - lambda)", test_mm1_mean_response_time },
		{ "routing share follows the weight", test_routing_share },
		{ "Poisson counts and Bernoulli errors", test_poisson_count_and_bernoulli_errors },
		{ "windows add up to the totals", test_windows_add_up },
		{ "invalid configurations are refused", test_rejects_invalid_config },
		{ NULL, NULL }
	};

	return t_add_suite("sim", cases);
}
