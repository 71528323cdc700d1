/* engine/analysis: one check on one window. */
#include <gsl/gsl_cdf.h>

#include "engine/analysis.h"
#include "tests/unit/engine_fixtures.h"
#include "tests/unit/helpers.h"

static struct eng_check check(enum eng_metric m, bool has_max, double max,
			      bool has_min, double min)
{
	struct eng_check c;

	eng_check_defaults(&c);
	c.metric = m;
	c.has_max = has_max;
	c.max = max;
	c.has_min = has_min;
	c.min = min;
	return c;
}

static void test_max_limit(void)
{
	struct eng_check c = check(ENG_METRIC_ERROR_RATE, true, 0.01, false, 0);
	struct eng_observation o = fx_window(10, 200, 2, 100); /* 2/200 = 0.01 */
	struct eng_judgement j;

	c.min_requests = 100;
	eng_check_judge(&c, &o.version[ENG_CANARY], &o.version[ENG_STABLE], &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_PASS); /* 0.01 is not above 0.01 */
	T_ASSERT_NEAR(j.observed, 0.01, 1e-15);
	o = fx_window(10, 200, 3, 100);             /* 3/200 = 0.015 */
	c.min_requests = 100;
	eng_check_judge(&c, &o.version[ENG_CANARY], &o.version[ENG_STABLE], &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_FAIL);
	T_ASSERT_EQ_INT(j.bound, ENG_BOUND_MAX);
	T_ASSERT_NEAR(j.threshold, 0.01, 0.0);
	T_ASSERT_EQ_INT(j.samples, 200);
}

static void test_min_limit(void)
{
	/* success rate 1 - 3/200 = 0.985 < 0.99 */
	struct eng_check c = check(ENG_METRIC_SUCCESS_RATE, false, 0, true, 0.99);
	struct eng_observation o = fx_window(10, 200, 3, 100);
	struct eng_judgement j;

	c.min_requests = 100;
	eng_check_judge(&c, &o.version[ENG_CANARY], &o.version[ENG_STABLE], &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_FAIL);
	T_ASSERT_EQ_INT(j.bound, ENG_BOUND_MIN);
	T_ASSERT_NEAR(j.observed, 0.985, 1e-12);
	T_ASSERT_NEAR(j.threshold, 0.99, 0.0);
}

static void test_both_limits(void)
{
	struct eng_check c = check(ENG_METRIC_P99_MS, true, 300, true, 10);
	struct eng_observation o = fx_window(10, 200, 0, 5);
	struct eng_judgement j;

	c.min_requests = 1;
	eng_check_judge(&c, &o.version[ENG_CANARY], &o.version[ENG_STABLE], &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_FAIL);
	T_ASSERT_EQ_INT(j.bound, ENG_BOUND_MIN);
	o = fx_window(10, 200, 0, 301);
	c.min_requests = 1;
	eng_check_judge(&c, &o.version[ENG_CANARY], &o.version[ENG_STABLE], &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_FAIL);
	T_ASSERT_EQ_INT(j.bound, ENG_BOUND_MAX);
	o = fx_window(10, 200, 0, 200);
	c.min_requests = 1;
	eng_check_judge(&c, &o.version[ENG_CANARY], &o.version[ENG_STABLE], &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_PASS);
}

/* Under the minimum sample a check is inconclusive, however bad the value;
 * a window without requests has no data: what that means is the check's
 * no_data rule (an error by default). */
static void test_inconclusive_under_minimum(void)
{
	struct eng_check c = check(ENG_METRIC_ERROR_RATE, true, 0.01, false, 0);
	struct eng_observation o = fx_window(10, 99, 99, 100);
	struct eng_judgement j;

	c.min_requests = 100;
	eng_check_judge(&c, &o.version[ENG_CANARY], &o.version[ENG_STABLE], &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_INCONCLUSIVE);
	o = fx_window(10, 0, 0, 100);
	c.min_requests = 0;
	eng_check_judge(&c, &o.version[ENG_CANARY], &o.version[ENG_STABLE], &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_ERROR);
	CU_ASSERT(isnan(j.value));
	c.no_data = ENG_NO_DATA_INCONCLUSIVE;
	eng_check_judge(&c, &o.version[ENG_CANARY], &o.version[ENG_STABLE], &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_INCONCLUSIVE);
	c.no_data = ENG_NO_DATA_PASS;
	eng_check_judge(&c, &o.version[ENG_CANARY], &o.version[ENG_STABLE], &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_PASS);
	c.no_data = ENG_NO_DATA_FAIL;
	eng_check_judge(&c, &o.version[ENG_CANARY], &o.version[ENG_STABLE], &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_FAIL);
}

/* A window with the canary at p99 300 ms and the stable version at
 * 200 ms (fx_window's stable gets the same p99, so set it by hand). */
static struct eng_observation two_versions(double canary_p99, double stable_p99,
					   uint64_t canary_err, uint64_t stable_err)
{
	struct eng_observation o = fx_window(10, 200, canary_err, canary_p99);

	o.version[ENG_STABLE].p99_ms = stable_p99;
	o.version[ENG_STABLE].errors = stable_err;
	o.version[ENG_STABLE].error_rate_frac = stable_err / 200.0;
	return o;
}

/* Baseline limits compare the canary with the stable version of the same
 * window: 300 / 200 = 1.5 against max_ratio 1.4 fails, 1.6 passes; the
 * increase 300 - 200 = 100 ms against max_increase 80 fails. */
static void test_baseline_limits(void)
{
	struct eng_check c = check(ENG_METRIC_P99_MS, false, 0, false, 0);
	struct eng_observation o = two_versions(300, 200, 0, 0);
	struct eng_judgement j;

	c.min_requests = 100;
	c.has_max_ratio = true;
	c.max_ratio = 1.4;
	eng_check_judge(&c, &o.version[ENG_CANARY], &o.version[ENG_STABLE], &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_FAIL);
	T_ASSERT_EQ_INT(j.bound, ENG_BOUND_MAX_RATIO);
	T_ASSERT_NEAR(j.observed, 1.5, 1e-12);
	T_ASSERT_NEAR(j.value, 300, 0);
	T_ASSERT_NEAR(j.baseline, 200, 0);
	c.max_ratio = 1.6;
	eng_check_judge(&c, &o.version[ENG_CANARY], &o.version[ENG_STABLE], &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_PASS);
	c.has_max_increase = true;
	c.max_increase = 80;
	eng_check_judge(&c, &o.version[ENG_CANARY], &o.version[ENG_STABLE], &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_FAIL);
	T_ASSERT_EQ_INT(j.bound, ENG_BOUND_MAX_INCREASE);
	T_ASSERT_NEAR(j.observed, 100, 1e-12);

	/* a shared dependency slows both alike: no blame on the canary */
	o = two_versions(600, 580, 0, 0);
	eng_check_judge(&c, &o.version[ENG_CANARY], &o.version[ENG_STABLE], &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_PASS);

	/* success rate 0.96 against 0.99: a decrease of 0.03 > 0.02 fails */
	struct eng_check s = check(ENG_METRIC_SUCCESS_RATE, false, 0, false, 0);

	s.min_requests = 100;
	s.has_max_decrease = true;
	s.max_decrease = 0.02;
	o = two_versions(100, 100, 8, 2); /* 1 - 8/200 = 0.96; 1 - 2/200 = 0.99 */
	eng_check_judge(&s, &o.version[ENG_CANARY], &o.version[ENG_STABLE], &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_FAIL);
	T_ASSERT_NEAR(j.observed, 0.03, 1e-12);

	/* error rate against a clean baseline: 0/0 is a ratio of 1, x/0 infinite */
	struct eng_check e = check(ENG_METRIC_ERROR_RATE, false, 0, false, 0);

	e.has_max_ratio = true;
	e.max_ratio = 2;
	o = two_versions(100, 100, 0, 0);
	eng_check_judge(&e, &o.version[ENG_CANARY], &o.version[ENG_STABLE], &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_PASS);
	o = two_versions(100, 100, 1, 0);
	eng_check_judge(&e, &o.version[ENG_CANARY], &o.version[ENG_STABLE], &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_FAIL);
	CU_ASSERT(isinf(j.observed));

	/* too few stable requests: no baseline, inconclusive */
	o = two_versions(300, 200, 0, 0);
	o.version[ENG_STABLE].requests = 50;
	c.has_max_increase = false;
	eng_check_judge(&c, &o.version[ENG_CANARY], &o.version[ENG_STABLE], &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_INCONCLUSIVE);
}

/* Scores by hand: groups errors (weight 60) and latency (40); checks
 * errors -> errors, p99 and p95 -> latency.
 * all pass: (60 x 1 + 40 x 1) / 100 = 100;
 * p95 fails: latency 1/2 -> (60 + 40 x 0.5) / 100 = 80;
 * errors fails: (0 + 40) / 100 = 40;
 * errors inconclusive, p95 fails: only latency judged -> 40 x 0.5 / 40 = 50;
 * everything inconclusive: no group judged -> NaN. */
static void test_score(void)
{
	struct eng_scoring sc;
	struct eng_check c[3];
	enum eng_result r[3];

	memset(&sc, 0, sizeof(sc));
	sc.enabled = true;
	sc.ngroups = 2;
	sc.group_weights[0] = 60;
	sc.group_weights[1] = 40;
	for (int i = 0; i < 3; i++)
		eng_check_defaults(&c[i]);
	c[0].group = 0;
	c[1].group = 1;
	c[2].group = 1;
	r[0] = r[1] = r[2] = ENG_RESULT_PASS;
	T_ASSERT_NEAR(eng_score(&sc, c, r, 3), 100.0, 1e-12);
	r[2] = ENG_RESULT_FAIL;
	T_ASSERT_NEAR(eng_score(&sc, c, r, 3), 80.0, 1e-12);
	r[2] = ENG_RESULT_PASS;
	r[0] = ENG_RESULT_FAIL;
	T_ASSERT_NEAR(eng_score(&sc, c, r, 3), 40.0, 1e-12);
	r[0] = ENG_RESULT_INCONCLUSIVE;
	r[2] = ENG_RESULT_FAIL;
	T_ASSERT_NEAR(eng_score(&sc, c, r, 3), 50.0, 1e-12);
	r[0] = r[1] = r[2] = ENG_RESULT_INCONCLUSIVE;
	CU_ASSERT(isnan(eng_score(&sc, c, r, 3)));
}

/* The proportions judge on one window. Canary 1 of 200 failed against
 * stable 2 of 2000: expected canary failures under H0 are 200 x 3/2200 =
 * 0.27 < 5, so the exact conditional binomial test decides: given m = 3
 * failures, X ~ Bin(3, 200/2200) and p = P(X >= 1) = 1 - (2000/2200)^3 =
 * 0.2487 > 0.05: pass. Canary 10 of 200: p = P(X >= 10 | m = 12) is about
 * 66 (1/11)^10 (10/11)^2 = 1.4e-9: fail. */
static void test_proportions_judge(void)
{
	struct eng_check c = check(ENG_METRIC_ERROR_RATE, false, 0, false, 0);
	struct eng_observation o = fx_window(10, 200, 1, 100);
	struct eng_judgement j;

	c.judge = ENG_JUDGE_PROPORTIONS;
	c.alpha = 0.05;
	c.min_requests = 100;
	o.version[ENG_STABLE].requests = 2000;
	o.version[ENG_STABLE].errors = 2;
	o.version[ENG_STABLE].error_rate_frac = 0.001;
	eng_check_judge(&c, &o.version[ENG_CANARY], &o.version[ENG_STABLE], &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_PASS);
	T_ASSERT_NEAR(j.observed, 1.0 - pow(2000.0 / 2200.0, 3), 1e-9);
	T_ASSERT_EQ_INT(j.bound, ENG_BOUND_ALPHA);
	T_ASSERT_NEAR(j.threshold, 0.05, 0.0);
	o.version[ENG_CANARY].errors = 10;
	o.version[ENG_CANARY].error_rate_frac = 0.05;
	eng_check_judge(&c, &o.version[ENG_CANARY], &o.version[ENG_STABLE], &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_FAIL);
	CU_ASSERT(j.observed < 1e-8 && j.observed > 1e-10);
}

/* A mann_whitney check on bins 10, 20, 30 ms, 100 requests a version.
 * Canary all at 30 ms against a baseline all at 10 ms: every pair has the
 * canary slower, U = n1 n2 = 10,000, E U = 5,000; ties sum (t^3 - t) =
 * 2 (100^3 - 100) = 1,999,800, so Var U = 10,000 / 12 (201 - 1,999,800 /
 * (200 x 199)) = 125,628 and z = (10,000 - 5,000 - 0.5) / 354.4 = 14.1:
 * p far below alpha, median ratio 30 / 10 = 3 above 1.1: fail. */
static void test_mann_whitney_judge(void)
{
	static const double bin_ms[3] = { 10, 20, 30 };
	uint64_t ca[3] = { 0, 0, 100 }, st[3] = { 100, 0, 0 };
	struct eng_latency_bins lb = { bin_ms, { st, ca }, 3 };
	struct eng_check c = check(ENG_METRIC_P50_MS, false, 0, false, 0);
	struct eng_observation o = fx_window(10, 100, 0, 60);
	struct eng_judgement j;

	c.judge = ENG_JUDGE_MANN_WHITNEY;
	c.alpha = 0.05;
	c.effect = ENG_EFFECT_MEDIAN_RATIO;
	c.effect_max = 1.1;
	c.min_requests = 50;
	/* without bins the window has no data for the judge: an error */
	eng_check_judge_latency(&c, &o, &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_ERROR);
	o.latency = &lb;
	eng_check_judge_latency(&c, &o, &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_FAIL);
	T_ASSERT_EQ_INT(j.bound, ENG_BOUND_ALPHA);
	T_ASSERT_NEAR(j.threshold, 0.05, 0.0);
	CU_ASSERT(j.observed < 1e-40);
	/* the same distribution: U = E U, z = -0.5 / sd < 0, pass */
	memcpy(ca, st, sizeof(ca));
	eng_check_judge_latency(&c, &o, &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_PASS);
	CU_ASSERT(j.observed > 0.5);
	/* canary 40 at 10 ms and 60 at 20, baseline 60 and 40: U = 60 x 60 +
	 * (40 x 60 + 60 x 40) / 2 = 6,000, CLES 0.6; ties as above, so z =
	 * (6,000 - 5,000 - 0.5) / 354.4 = 2.82, p = 0.0024: significant. The
	 * effect rule decides: CLES 0.6 passes a limit of 0.65, fails 0.55. */
	ca[0] = 40, ca[1] = 60, ca[2] = 0;
	st[0] = 60, st[1] = 40, st[2] = 0;
	c.effect = ENG_EFFECT_CLES;
	c.effect_max = 0.65;
	eng_check_judge_latency(&c, &o, &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_PASS);
	T_ASSERT_NEAR(j.observed, gsl_cdf_ugaussian_Q(999.5 / sqrt(125628.0)), 1e-4);
	c.effect_max = 0.55;
	eng_check_judge_latency(&c, &o, &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_FAIL);
	/* too few requests: inconclusive before any test */
	c.min_requests = 101;
	eng_check_judge_latency(&c, &o, &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_INCONCLUSIVE);
	/* an absolute limit is judged first */
	c.min_requests = 50;
	c.has_max = true;
	c.max = 20; /* p50 is 60 / 2 = 30 in the fixture */
	eng_check_judge_latency(&c, &o, &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_FAIL);
	T_ASSERT_EQ_INT(j.bound, ENG_BOUND_MAX);
}

static void test_metric_names_round_trip(void)
{
	for (int m = 0; m < ENG_NMETRICS; m++) {
		enum eng_metric back;

		CU_ASSERT_FATAL(eng_metric_parse(eng_metric_name((enum eng_metric)m), &back));
		T_ASSERT_EQ_INT(back, m);
	}
	enum eng_metric x;

	CU_ASSERT_FALSE(eng_metric_parse("p98_ms", &x));
}

int t_suite_analysis(void)
{
	static const struct t_case cases[] = {
		{ "max limit", test_max_limit },
		{ "min limit", test_min_limit },
		{ "both limits", test_both_limits },
		{ "inconclusive under the minimum sample", test_inconclusive_under_minimum },
		{ "baseline limits", test_baseline_limits },
		{ "Kayenta-style score", test_score },
		{ "the proportions judge", test_proportions_judge },
		{ "the Mann-Whitney judge on latency bins", test_mann_whitney_judge },
		{ "metric names round trip", test_metric_names_round_trip },
		{ NULL, NULL }
	};

	return t_add_suite("analysis", cases);
}
