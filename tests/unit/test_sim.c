/* sim/sim: the queueing model against M/M/1, routing shares, Bernoulli
 * errors, Poisson counts, window bookkeeping and mirroring. */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

#include "sim/sim.h"
#include "tests/unit/helpers.h"
#include "tests/unit/sim_fixtures.h"

static struct sim_config base_config(void)
{
	return fx_sim_config(1, 100.0, 4, 8, 20.0);
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

#define WINDOWS 10

struct mirror_run {
	struct eng_observation w[WINDOWS];
	struct sim_totals stable, canary;
};

/* Runs base_config() for WINDOWS windows at weight 0, mirroring
 * mirror_pct, with 1% errors on the stable version and 5% on the canary,
 * whose service time is all CPU. */
static void run_mirrored(double mirror_pct, struct mirror_run *out)
{
	struct sim_config c = base_config();
	struct sim *s;

	c.seed = 7;
	c.version[ENG_STABLE].errors.rate_frac = 0.01;
	c.version[ENG_CANARY].errors.rate_frac = 0.05;
	c.version[ENG_CANARY].resources.cpu_busy_frac = 1.0;
	s = sim_create(&c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	sim_set_mirror(s, mirror_pct);
	for (int i = 0; i < WINDOWS; i++) {
		CU_ASSERT_FATAL(sim_run_until(s, (int64_t)(i + 1) * c.window_ns));
		CU_ASSERT_FATAL(sim_last_window(s, &out->w[i]));
	}
	sim_totals(s, ENG_STABLE, &out->stable);
	sim_totals(s, ENG_CANARY, &out->canary);
	sim_free(s);
}

/* Traffic mirroring (blue-green's preview), 100 requests/s: mirroring 30%
 * at weight 0, same seed as a run without it. Users' side:
 * every window's user-facing counts and latencies, and the stable
 * version's totals, are equal to the last bit (the mirror decision reuses
 * the routing draw). Canary: no user request, but its window shows the
 * copies, a Binomial(N, 0.3) share of the N stable requests, within 4 sd
 * (N near 100 x 100 = 10,000: sd = sqrt(0.21 / N), about 0.0046); about 5%
 * of them fail; CPU = 30 req/s x 22.66 ms (lognormal mean 20 e^(0.125))
 * / (4 instances x 1000 ms/s) = 0.170, within 10%. */
static void test_mirror_loads_preview_not_users(void)
{
	static struct mirror_run plain, mirrored;
	uint64_t n_stable = 0, n_mirror = 0, n_mirror_err = 0;
	double cpu = 0.0, share, sd;

	run_mirrored(0.0, &plain);
	run_mirrored(30.0, &mirrored);
	for (int i = 0; i < WINDOWS; i++) {
		const struct eng_observation *a = &plain.w[i], *b = &mirrored.w[i];
		const struct eng_window_metrics *c = &b->version[ENG_CANARY];

		T_ASSERT_EQ_INT(b->all.requests, a->all.requests);
		T_ASSERT_EQ_INT(b->all.errors, a->all.errors);
		T_ASSERT_NEAR(b->all.p99_ms, a->all.p99_ms, 0.0);
		T_ASSERT_NEAR(b->all.mean_ms, a->all.mean_ms, 0.0);
		T_ASSERT_EQ_INT(b->version[ENG_STABLE].requests,
				a->version[ENG_STABLE].requests);
		T_ASSERT_EQ_INT(a->version[ENG_CANARY].requests, 0);
		T_ASSERT_EQ_INT(c->requests, c->mirrored); /* copies only */
		T_ASSERT_EQ_INT(c->errors, c->mirrored_errors);
		n_stable += b->version[ENG_STABLE].requests;
		n_mirror += c->mirrored;
		n_mirror_err += c->mirrored_errors;
		cpu += c->cpu_frac / WINDOWS;
	}
	T_ASSERT_EQ_INT(mirrored.stable.requests, plain.stable.requests);
	T_ASSERT_EQ_INT(mirrored.stable.errors, plain.stable.errors);
	T_ASSERT_NEAR(mirrored.stable.latency_sum_ms, plain.stable.latency_sum_ms, 0.0);
	T_ASSERT_EQ_INT(mirrored.canary.requests, 0); /* no user was served */
	T_ASSERT_EQ_INT(mirrored.canary.mirrored, n_mirror);
	share = (double)n_mirror / (double)n_stable;
	sd = sqrt(0.3 * 0.7 / (double)n_stable);
	T_ASSERT_NEAR(share, 0.3, 4 * sd);
	sd = sqrt(0.05 * 0.95 / (double)n_mirror);
	T_ASSERT_NEAR((double)n_mirror_err / (double)n_mirror, 0.05, 4 * sd);
	T_ASSERT_NEAR(cpu, 30.0 * 20.0 * exp(0.125) / 4000.0, 0.017);
	T_ASSERT_NEAR(plain.w[WINDOWS - 1].version[ENG_CANARY].cpu_frac, 0.0, 0.0);
}

int t_suite_sim(void)
{
	static const struct t_case cases[] = {
		{ "M/M/1 mean response time is 1/(mu - lambda)", test_mm1_mean_response_time },
		{ "routing share follows the weight", test_routing_share },
		{ "Poisson counts and Bernoulli errors", test_poisson_count_and_bernoulli_errors },
		{ "windows add up to the totals", test_windows_add_up },
		{ "invalid configurations are refused", test_rejects_invalid_config },
		{ "mirrored requests load the canary, not users", test_mirror_loads_preview_not_users },
		{ NULL, NULL }
	};

	return t_add_suite("sim", cases);
}
