/* reports/check: rollsim check's verdicts, on summaries written by hand,
 * with Wilson bounds computed by hand beside them. */
#include <math.h>
#include <string.h>

#include "reports/check.h"
#include "tests/unit/helpers.h"

static struct rpt_summary run_of(enum eng_outcome o, bool bad, double ttd_s)
{
	struct rpt_summary s;

	memset(&s, 0, sizeof(s));
	s.outcome = o;
	s.canary_bad = bad;
	s.has_ttd = !isnan(ttd_s);
	s.ttd_s = ttd_s;
	return s;
}

static void test_single_run(void)
{
	struct rpt_check_spec spec = { .outcome = ENG_OUTCOME_ROLLED_BACK, .ttd = true,
				       .ttd_min_s = 0, .ttd_max_s = 60 };
	struct rpt_summary s = run_of(ENG_OUTCOME_ROLLED_BACK, true, 20.0);
	struct rpt_check_result r;

	T_ASSERT_EQ_INT(rpt_check_judge(&spec, &s, 1, 100, 1, &r), 0);
	CU_ASSERT(r.passed);
	T_ASSERT_EQ_INT(r.n, 2);
	T_ASSERT_STR_EQ(r.reasons[1], "time to detect 20.0 s, <= 60 s");
	s.ttd_s = 61.0;
	T_ASSERT_EQ_INT(rpt_check_judge(&spec, &s, 1, 100, 1, &r), 0);
	CU_ASSERT(!r.passed);
	T_ASSERT_EQ_INT(r.nfailed, 1);
	T_ASSERT_STR_EQ(r.reasons[0], "time to detect 61.0 s, expected <= 60 s");
	s = run_of(ENG_OUTCOME_PROMOTED, true, NAN);
	T_ASSERT_EQ_INT(rpt_check_judge(&spec, &s, 1, 100, 1, &r), 0);
	T_ASSERT_EQ_INT(r.nfailed, 2);
	T_ASSERT_STR_EQ(r.reasons[0], "outcome promoted, expected rolled_back");
	T_ASSERT_STR_EQ(r.reasons[1], "no time to detect (the run has none), expected one <= 60 s");
}

/* 5 false rollbacks in 200 good runs: Wilson 95% (z = 1.96) centre
 * (0.025 + z^2/400) / (1 + z^2/200) = 0.03395, half width
 * z sqrt(0.025 x 0.975 / 200 + z^2 / 160000) / (1 + z^2/200) = 0.02323:
 * 0.01072..0.05718. A max of 0.05 is not shown; 0.06 is. */
static void test_shares_on_their_interval(void)
{
	struct rpt_summary s[200];
	struct rpt_check_spec spec = { .outcome = ENG_OUTCOME_PROMOTED, .runs = 200,
				       .false_rollback_rate = { true, 0.0, 0.05 } };
	struct rpt_check_result r;

	for (int i = 0; i < 200; i++)
		s[i] = run_of(i < 5 ? ENG_OUTCOME_ROLLED_BACK : ENG_OUTCOME_PROMOTED, false, NAN);
	T_ASSERT_EQ_INT(rpt_check_judge(&spec, s, 200, 100, 1, &r), 0);
	CU_ASSERT(!r.passed);
	T_ASSERT_STR_EQ(r.reasons[0],
			"false-rollback rate 0.025 (5 of 200 good runs rolled back; 95% interval "
			"0.01072..0.05718), expected <= 0.05, judged on the interval");
	spec.false_rollback_rate.max = 0.06;
	T_ASSERT_EQ_INT(rpt_check_judge(&spec, s, 200, 100, 1, &r), 0);
	CU_ASSERT(r.passed);
	/* recall of good runs: none can count */
	spec.recall = (struct rpt_share_spec){ true, 0.9, 1.0 };
	T_ASSERT_EQ_INT(rpt_check_judge(&spec, s, 200, 100, 1, &r), 0);
	CU_ASSERT(!r.passed);
	T_ASSERT_CONTAINS(r.reasons[0], "recall: none of the runs can count");
}

/* 200 of 200 bad runs rolled back: the Wilson lower bound is
 * n / (n + z^2) = 200 / 203.84 = 0.9812: a min of 0.95 is met, 0.99 not. */
static void test_recall_min_on_lower_bound(void)
{
	struct rpt_summary s[200];
	struct rpt_check_spec spec = { .outcome = ENG_OUTCOME_ROLLED_BACK, .runs = 200,
				       .recall = { true, 0.95, 1.0 } };
	struct rpt_check_result r;

	for (int i = 0; i < 200; i++)
		s[i] = run_of(ENG_OUTCOME_ROLLED_BACK, true, 10.0 + (i % 10));
	T_ASSERT_EQ_INT(rpt_check_judge(&spec, s, 200, 200, 7, &r), 0);
	CU_ASSERT(r.passed);
	T_ASSERT_CONTAINS(r.reasons[0], "recall 1 (200 of 200 bad runs rolled back; 95% interval 0.9812..1)");
	spec.recall.min = 0.99;
	T_ASSERT_EQ_INT(rpt_check_judge(&spec, s, 200, 200, 7, &r), 0);
	CU_ASSERT(!r.passed);
	/* the p90 of 10..19 s, 20 runs each: type 7 at h = 0.9 x 199 = 179.1
	 * lies between sorted[179] = 18 and sorted[180] = 19: 18.1 s, over
	 * the bound 18.5 s on its interval's upper side */
	spec.recall.min = 0.95;
	spec.ttd = true;
	spec.ttd_min_s = 0;
	spec.ttd_max_s = 18.5;
	T_ASSERT_EQ_INT(rpt_check_judge(&spec, s, 200, 200, 7, &r), 0);
	CU_ASSERT(!r.passed);
	T_ASSERT_CONTAINS(r.reasons[0], "time to detect p90 18.1 s (200 runs;");
}

int t_suite_check(void)
{
	static const struct t_case cases[] = {
		{ "one run: outcome and times as they are", test_single_run },
		{ "shares judged on their Wilson interval", test_shares_on_their_interval },
		{ "a min is judged on the lower bound", test_recall_min_on_lower_bound },
		{ NULL, NULL }
	};

	return t_add_suite("check", cases);
}
