/* reports/run_summary: outcome, TTD, TTR and counts from a hand-made
 * record, with every expected figure worked out by hand. */
#include "engine/record.h"
#include "reports/run_summary.h"
#include "tests/unit/engine_fixtures.h"
#include "tests/unit/helpers.h"

static const struct eng_slo slo = {
	.availability_frac = 0.99, .latency_ms = 500.0, .latency_quantile = 0.99
};

/* Windows ending at 10..60 s. The canary (bad) takes traffic at 5 s and is
 * rolled back at 30 s. Users see 2% errors until the window ending at 40 s
 * and a p99 of 800 ms in the window ending at 50 s; the window 50..60 s is
 * the first after the rollback within the SLO. */
static void make_record(struct eng_record *rec)
{
	eng_record_init(rec);
	rec->start_ns = 0;
	rec->first_traffic_ns = S(5);
	rec->decision_ns = S(30);
	rec->weight_zero_ns = S(30);
	rec->outcome = ENG_OUTCOME_ROLLED_BACK;
	for (int i = 1; i <= 6; i++) {
		double t = 10.0 * i;
		struct eng_observation o = fx_window(t, 100, i <= 4 ? 5 : 0,
						     i == 5 ? 800 : 100);

		o.all.requests = 300;
		o.all.errors = i <= 4 ? 6 : 0;   /* 6/300 = 2% > 1% */
		o.all.error_rate_frac = o.all.errors / 300.0;
		o.all.p99_ms = i == 5 ? 800 : 100;
		CU_ASSERT_EQUAL_FATAL(eng_record_add_window(rec, &o), ENG_OK);
	}
}

static void test_true_rollback(void)
{
	struct eng_record rec;
	struct rpt_summary s;
	struct rpt_run_meta meta = { .scenario = "x", .canary_bad = true, .slo = slo };

	make_record(&rec);
	rpt_summarize(&rec, &meta, &s);
	T_ASSERT_EQ_INT(s.outcome, ENG_OUTCOME_ROLLED_BACK);
	CU_ASSERT(s.has_ttd);
	T_ASSERT_NEAR(s.ttd_s, 25.0, 1e-12);      /* 30 - 5 */
	CU_ASSERT(s.has_ttr);
	T_ASSERT_NEAR(s.ttr_s, 45.0, 1e-12);      /* window 50..60 starts at 50; 50 - 5 */
	T_ASSERT_NEAR(s.duration_s, 30.0, 1e-12);
	T_ASSERT_EQ_INT(s.requests, 6 * 300);
	T_ASSERT_EQ_INT(s.failed_requests, 4 * 6);
	T_ASSERT_EQ_INT(s.canary_requests, 6 * 100);
	T_ASSERT_EQ_INT(s.canary_failed_requests, 4 * 5);
	eng_record_free(&rec);
}

/* The same record for a good canary is a false rollback: no TTD, no TTR. */
static void test_false_rollback_has_no_ttd(void)
{
	struct eng_record rec;
	struct rpt_summary s;
	struct rpt_run_meta meta = { .scenario = "x", .canary_bad = false, .slo = slo };

	make_record(&rec);
	rpt_summarize(&rec, &meta, &s);
	CU_ASSERT_FALSE(s.has_ttd);
	CU_ASSERT_FALSE(s.has_ttr);
	CU_ASSERT(isnan(s.onset_s));
	eng_record_free(&rec);
}

/* A bad canary promoted (missed) has no TTD; never back within the SLO
 * after the rollback gives a TTD but no TTR. */
static void test_missed_and_unrecovered(void)
{
	struct eng_record rec;
	struct rpt_summary s;
	struct rpt_run_meta meta = { .scenario = "x", .canary_bad = true, .slo = slo };

	make_record(&rec);
	rec.outcome = ENG_OUTCOME_PROMOTED;
	rpt_summarize(&rec, &meta, &s);
	CU_ASSERT_FALSE(s.has_ttd);
	CU_ASSERT_FALSE(s.has_ttr);
	eng_record_free(&rec);

	make_record(&rec);
	for (size_t i = 0; i < rec.nwindows; i++)
		rec.windows[i].all.error_rate_frac = 0.5;
	rpt_summarize(&rec, &meta, &s);
	CU_ASSERT(s.has_ttd);
	CU_ASSERT_FALSE(s.has_ttr);
	eng_record_free(&rec);
}

static void test_expectation(void)
{
	struct rpt_summary s = { .outcome = ENG_OUTCOME_PROMOTED };
	struct rpt_run_meta meta = { .has_expect = false };

	CU_ASSERT(rpt_expectation_met(&s, &meta));
	meta.has_expect = true;
	meta.expect_outcome = ENG_OUTCOME_ROLLED_BACK;
	CU_ASSERT_FALSE(rpt_expectation_met(&s, &meta));
	meta.expect_outcome = ENG_OUTCOME_PROMOTED;
	CU_ASSERT(rpt_expectation_met(&s, &meta));
}

/* A record of one window in which the canary served 50 mirrored copies
 * (5 failed) and no user: the summary counts 0 canary requests, 0 canary
 * failures, 50 mirrored; the weight never rose, so a bad canary has no
 * onset and no time to detect. */
static void test_summary_leaves_mirrored_out(void)
{
	struct eng_record rec;
	struct eng_observation o;
	struct rpt_run_meta meta;
	struct rpt_summary sum;

	eng_record_init(&rec);
	memset(&o, 0, sizeof(o));
	o.t_ns = 10 * ENG_NS_PER_S;
	o.window_ns = 10 * ENG_NS_PER_S;
	o.version[ENG_STABLE].requests = 1000;
	o.version[ENG_CANARY].requests = 50;
	o.version[ENG_CANARY].errors = 5;
	o.version[ENG_CANARY].mirrored = 50;
	o.version[ENG_CANARY].mirrored_errors = 5;
	o.all.requests = 1000;
	CU_ASSERT_EQUAL_FATAL(eng_record_add_window(&rec, &o), ENG_OK);
	rec.outcome = ENG_OUTCOME_BLOCKED;
	rec.decision_ns = 10 * ENG_NS_PER_S;
	memset(&meta, 0, sizeof(meta));
	meta.scenario = "mirror";
	meta.canary_bad = true;
	rpt_summarize(&rec, &meta, &sum);
	T_ASSERT_EQ_INT(sum.requests, 1000);
	T_ASSERT_EQ_INT(sum.canary_requests, 0);
	T_ASSERT_EQ_INT(sum.canary_failed_requests, 0);
	T_ASSERT_EQ_INT(sum.mirrored_requests, 50);
	CU_ASSERT(isnan(sum.onset_s));
	CU_ASSERT_FALSE(sum.has_ttd);
	eng_record_free(&rec);
}

int t_suite_run_summary(void)
{
	static const struct t_case cases[] = {
		{ "true rollback: TTD and TTR", test_true_rollback },
		{ "false rollback: no TTD", test_false_rollback_has_no_ttd },
		{ "missed, and not recovered", test_missed_and_unrecovered },
		{ "expected outcome", test_expectation },
		{ "mirrored copies are not the canary's traffic", test_summary_leaves_mirrored_out },
		{ NULL, NULL }
	};

	return t_add_suite("run_summary", cases);
}
