/* engine/analysis: one check on one window. */
#include "engine/analysis.h"
#include "tests/unit/engine_fixtures.h"
#include "tests/unit/helpers.h"

static struct eng_check check(enum eng_metric m, bool has_max, double max,
			      bool has_min, double min)
{
	struct eng_check c;

	memset(&c, 0, sizeof(c));
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

	eng_check_judge(&c, &o.version[ENG_CANARY], 100, &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_PASS); /* 0.01 is not above 0.01 */
	T_ASSERT_NEAR(j.observed, 0.01, 1e-15);
	o = fx_window(10, 200, 3, 100);             /* 3/200 = 0.015 */
	eng_check_judge(&c, &o.version[ENG_CANARY], 100, &j);
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

	eng_check_judge(&c, &o.version[ENG_CANARY], 100, &j);
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

	eng_check_judge(&c, &o.version[ENG_CANARY], 1, &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_FAIL);
	T_ASSERT_EQ_INT(j.bound, ENG_BOUND_MIN);
	o = fx_window(10, 200, 0, 301);
	eng_check_judge(&c, &o.version[ENG_CANARY], 1, &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_FAIL);
	T_ASSERT_EQ_INT(j.bound, ENG_BOUND_MAX);
	o = fx_window(10, 200, 0, 200);
	eng_check_judge(&c, &o.version[ENG_CANARY], 1, &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_PASS);
}

/* Under the minimum sample a check is inconclusive, however bad the value;
 * a window without requests is inconclusive even with no minimum. */
static void test_inconclusive_under_minimum(void)
{
	struct eng_check c = check(ENG_METRIC_ERROR_RATE, true, 0.01, false, 0);
	struct eng_observation o = fx_window(10, 99, 99, 100);
	struct eng_judgement j;

	eng_check_judge(&c, &o.version[ENG_CANARY], 100, &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_INCONCLUSIVE);
	o = fx_window(10, 0, 0, 100);
	eng_check_judge(&c, &o.version[ENG_CANARY], 0, &j);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_INCONCLUSIVE);
	CU_ASSERT(isnan(j.observed));
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
		{ "metric names round trip", test_metric_names_round_trip },
		{ NULL, NULL }
	};

	return t_add_suite("analysis", cases);
}
