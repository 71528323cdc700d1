/* engine/judges: the statistical judges. Every expected number is worked
 * out next to its assertion: by hand, by exact sums over fractions, or with
 * Python's math module (Q(z) = erfc(z / sqrt 2) / 2). */
#include <stdint.h>

#include "engine/judges.h"
#include "tests/unit/helpers.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

static struct eng_error_counts counts(uint64_t x1, uint64_t n1, uint64_t x2,
				      uint64_t n2)
{
	struct eng_error_counts c = {
		.canary_errors = x1, .canary_requests = n1,
		.baseline_errors = x2, .baseline_requests = n2,
	};

	return c;
}

/* ---- two-proportion z-test --------------------------------------------- */

static void test_ztest_equal_sizes(void)
{
	struct eng_error_counts c = counts(10, 100, 5, 100);
	double z, p;

	/* p1 = 0.10, p2 = 0.05, pbar = 15/200 = 0.075;
	 * se = sqrt(0.075 * 0.925 * (1/100 + 1/100)) = sqrt(0.0013875)
	 *    = 0.0372491610...; z = 0.05 / se = 1.34231211043;
	 * p = Q(1.34231211043) = 0.0897474091865 */
	CU_ASSERT_EQUAL_FATAL(eng_two_prop_ztest(&c, &z, &p), ENG_OK);
	T_ASSERT_NEAR(z, 1.34231211043, 1e-10);
	T_ASSERT_NEAR(p, 0.0897474091865, 1e-11);
}

static void test_ztest_unequal_sizes(void)
{
	struct eng_error_counts c = counts(30, 200, 20, 400);
	double z, p;

	/* p1 = 0.15, p2 = 0.05, pbar = 50/600 = 1/12;
	 * se = sqrt(1/12 * 11/12 * (1/200 + 1/400)) = sqrt(0.000572916...)
	 *    = 0.0239356...; z = 0.10 / se = 4.17786374294;
	 * p = Q(4.17786374294) = 1.47129920181e-05 */
	CU_ASSERT_EQUAL_FATAL(eng_two_prop_ztest(&c, &z, &p), ENG_OK);
	T_ASSERT_NEAR(z, 4.17786374294, 1e-10);
	T_ASSERT_NEAR(p, 1.47129920181e-05, 1e-15);
}

/* A canary that fails less often gives a negative z and p above 1/2. */
static void test_ztest_canary_better(void)
{
	struct eng_error_counts c = counts(2, 100, 6, 100);
	double z, p;

	/* p1 = 0.02, p2 = 0.06, pbar = 0.04;
	 * se = sqrt(0.04 * 0.96 * 0.02) = 0.0277128...; z = -0.04 / se
	 *    = -1.44337567297 (= -sqrt(25/12)); p = Q(z) = 0.925542663411 */
	CU_ASSERT_EQUAL_FATAL(eng_two_prop_ztest(&c, &z, &p), ENG_OK);
	T_ASSERT_NEAR(z, -1.44337567297, 1e-10);
	T_ASSERT_NEAR(p, 0.925542663411, 1e-11);
}

static void test_ztest_degenerate_and_invalid(void)
{
	struct eng_error_counts none = counts(0, 100, 0, 50);
	struct eng_error_counts all = counts(100, 100, 50, 50);
	struct eng_error_counts bad = counts(101, 100, 0, 50);
	struct eng_error_counts empty = counts(0, 0, 0, 50);
	double z = 7, p = 7;

	/* pbar = 0 or 1: equal rates, no variance; z = 0, p = 1 */
	CU_ASSERT_EQUAL(eng_two_prop_ztest(&none, &z, &p), ENG_OK);
	T_ASSERT_NEAR(z, 0.0, 0.0);
	T_ASSERT_NEAR(p, 1.0, 0.0);
	CU_ASSERT_EQUAL(eng_two_prop_ztest(&all, &z, &p), ENG_OK);
	T_ASSERT_NEAR(p, 1.0, 0.0);
	z = p = 7;
	CU_ASSERT_EQUAL(eng_two_prop_ztest(&bad, &z, &p), ENG_EINVAL);
	CU_ASSERT_EQUAL(eng_two_prop_ztest(&empty, &z, &p), ENG_EINVAL);
	T_ASSERT_NEAR(z, 7.0, 0.0); /* nothing written */
	T_ASSERT_NEAR(p, 7.0, 0.0);
}

/* ---- conditional binomial test ----------------------------------------- */

static void test_cond_binom_exact_sums(void)
{
	struct eng_error_counts a = counts(4, 100, 0, 100);
	struct eng_error_counts b = counts(3, 100, 1, 300);
	struct eng_error_counts c = counts(10, 100, 5, 100);
	struct eng_error_counts d = counts(0, 100, 3, 100);
	double p;

	/* m = 4, pi = 100/200 = 1/2: P(X >= 4) = (1/2)^4 = 1/16 = 0.0625 */
	CU_ASSERT_EQUAL_FATAL(eng_cond_binom_test(&a, &p), ENG_OK);
	T_ASSERT_NEAR(p, 0.0625, 1e-12);
	/* m = 4, pi = 100/400 = 1/4: P(X >= 3)
	 *   = C(4,3) (1/4)^3 (3/4) + (1/4)^4 = 12/256 + 1/256 = 13/256
	 *   = 0.05078125 */
	CU_ASSERT_EQUAL_FATAL(eng_cond_binom_test(&b, &p), ENG_OK);
	T_ASSERT_NEAR(p, 0.05078125, 1e-12);
	/* m = 15, pi = 1/2: P(X >= 10) = sum_{k=10}^{15} C(15,k) / 2^15
	 *   = (3003 + 1365 + 455 + 105 + 15 + 1) / 32768 = 4944/32768
	 *   = 309/2048 = 0.15087890625 */
	CU_ASSERT_EQUAL_FATAL(eng_cond_binom_test(&c, &p), ENG_OK);
	T_ASSERT_NEAR(p, 0.15087890625, 1e-12);
	/* x1 = 0: P(X >= 0) = 1 */
	CU_ASSERT_EQUAL_FATAL(eng_cond_binom_test(&d, &p), ENG_OK);
	T_ASSERT_NEAR(p, 1.0, 0.0);
}

/* Failures the majority: the test conditions on the successes. */
static void test_cond_binom_majority_failures(void)
{
	struct eng_error_counts c = counts(99, 100, 93, 100);
	double p;

	/* successes s1 = 1, s2 = 7, k = 8, pi = 1/2: P(S <= 1)
	 *   = (C(8,0) + C(8,1)) / 2^8 = 9/256 = 0.03515625
	 * (Fisher's exact test: 0.0324; on the failures instead, m = 192:
	 * P(X >= 99) = 0.359, which would hide the difference) */
	CU_ASSERT_EQUAL_FATAL(eng_cond_binom_test(&c, &p), ENG_OK);
	T_ASSERT_NEAR(p, 0.03515625, 1e-12);
	/* unequal sizes: successes 1 and 10, k = 11, pi = 100/400 = 1/4:
	 * P(S <= 1) = (3/4)^11 + 11 (1/4) (3/4)^10 = (3/4)^10 * 14/4
	 *   = 59049 * 14 / 4^11 = 413343/2097152 = 0.197097301483 */
	c = counts(99, 100, 290, 300);
	CU_ASSERT_EQUAL_FATAL(eng_cond_binom_test(&c, &p), ENG_OK);
	T_ASSERT_NEAR(p, 0.197097301483, 1e-11);
	/* everything failed: k = 0, p = 1 */
	c = counts(100, 100, 50, 50);
	CU_ASSERT_EQUAL_FATAL(eng_cond_binom_test(&c, &p), ENG_OK);
	T_ASSERT_NEAR(p, 1.0, 0.0);
}

/* ---- errors verdict ---------------------------------------------------- */

static const struct eng_errors_config errors_cfg = {
	.alpha = 0.05, .min_requests = 100,
};

/* With few failures the exact test decides, and it can disagree with the
 * z-test: 4 failures against 0 in 100 each. */
static void test_errors_small_counts_use_exact(void)
{
	struct eng_error_counts c = counts(4, 100, 0, 100);
	struct eng_errors_judgement j;

	/* pbar = 0.02, smallest expected count 100 * 0.02 = 2 < 5: exact.
	 * z = 0.04 / sqrt(0.02 * 0.98 * 0.02) = 2.0203050891,
	 * p_z = Q(z) = 0.0216758756304 (< 0.05: the z-test would fail);
	 * p_exact = 1/16 = 0.0625 (>= 0.05): pass */
	CU_ASSERT_EQUAL_FATAL(eng_judge_errors(&errors_cfg, &c, &j), ENG_OK);
	CU_ASSERT(j.exact);
	T_ASSERT_NEAR(j.z, 2.0203050891, 1e-9);
	T_ASSERT_NEAR(j.p_z, 0.0216758756304, 1e-11);
	T_ASSERT_NEAR(j.p_exact, 0.0625, 1e-12);
	T_ASSERT_NEAR(j.p, 0.0625, 1e-12);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_PASS);
	T_ASSERT_NEAR(j.canary_rate_frac, 0.04, 1e-15);
	T_ASSERT_NEAR(j.baseline_rate_frac, 0.0, 0.0);

	/* 6 against 0 in 1000 each: expected 1000 * 0.003 = 3 < 5: exact;
	 * P(X >= 6), m = 6, pi = 1/2: 1/64 = 0.015625 < 0.05: fail */
	c = counts(6, 1000, 0, 1000);
	CU_ASSERT_EQUAL_FATAL(eng_judge_errors(&errors_cfg, &c, &j), ENG_OK);
	CU_ASSERT(j.exact);
	T_ASSERT_NEAR(j.p, 0.015625, 1e-12);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_FAIL);

	/* few successes count too: 98 against 93 failures of 100 each,
	 * pbar = 0.955, expected successes 100 * 0.045 = 4.5 < 5: exact.
	 * z = 0.05 / sqrt(0.955 * 0.045 * 0.02) = 1.70548170032,
	 * p_z = 0.0440523111919 (< 0.05); successes 2 and 7, k = 9, pi = 1/2:
	 * P(S <= 2) = (1 + 9 + 36)/512 = 23/256 = 0.08984375: pass */
	c = counts(98, 100, 93, 100);
	CU_ASSERT_EQUAL_FATAL(eng_judge_errors(&errors_cfg, &c, &j), ENG_OK);
	CU_ASSERT(j.exact);
	T_ASSERT_NEAR(j.p_z, 0.0440523111919, 1e-11);
	T_ASSERT_NEAR(j.p, 0.08984375, 1e-12);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_PASS);
}

static void test_errors_large_counts_use_z(void)
{
	struct eng_error_counts c = counts(30, 1000, 15, 1000);
	struct eng_errors_judgement j;

	/* pbar = 45/2000 = 0.0225, smallest expected count 22.5 >= 5: z.
	 * z = 0.015 / sqrt(0.0225 * 0.9775 * 0.002) = 2.26165636516,
	 * p = Q(z) = 0.0118593213161 < 0.05: fail */
	CU_ASSERT_EQUAL_FATAL(eng_judge_errors(&errors_cfg, &c, &j), ENG_OK);
	CU_ASSERT_FALSE(j.exact);
	T_ASSERT_NEAR(j.p, 0.0118593213161, 1e-11);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_FAIL);

	/* 10 of 100 against 5 of 100: smallest expected 7.5; z as in
	 * test_ztest_equal_sizes, p = 0.0897474091865 >= 0.05: pass */
	c = counts(10, 100, 5, 100);
	CU_ASSERT_EQUAL_FATAL(eng_judge_errors(&errors_cfg, &c, &j), ENG_OK);
	CU_ASSERT_FALSE(j.exact);
	T_ASSERT_NEAR(j.p, 0.0897474091865, 1e-11);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_PASS);
}

/* Too few requests, or no failures at all (or nothing but failures):
 * inconclusive, however the numbers look. */
static void test_errors_inconclusive(void)
{
	struct eng_errors_config cfg = errors_cfg;
	struct eng_error_counts c = counts(50, 99, 0, 1000);
	struct eng_errors_judgement j;

	/* 99 < 100 canary requests; the rates alone would fail loudly */
	CU_ASSERT_EQUAL_FATAL(eng_judge_errors(&cfg, &c, &j), ENG_OK);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_INCONCLUSIVE);
	CU_ASSERT(j.p < 0.05); /* computed, just not judged */
	c = counts(50, 1000, 0, 99);
	CU_ASSERT_EQUAL_FATAL(eng_judge_errors(&cfg, &c, &j), ENG_OK);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_INCONCLUSIVE);
	c = counts(0, 1000, 0, 1000);
	CU_ASSERT_EQUAL_FATAL(eng_judge_errors(&cfg, &c, &j), ENG_OK);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_INCONCLUSIVE);
	c = counts(1000, 1000, 1000, 1000);
	CU_ASSERT_EQUAL_FATAL(eng_judge_errors(&cfg, &c, &j), ENG_OK);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_INCONCLUSIVE);
	/* no requests at all: inconclusive, with every figure NaN */
	c = counts(0, 0, 0, 0);
	CU_ASSERT_EQUAL_FATAL(eng_judge_errors(&cfg, &c, &j), ENG_OK);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_INCONCLUSIVE);
	CU_ASSERT(isnan(j.p) && isnan(j.z) && isnan(j.canary_rate_frac));
	/* no minimum, but one side empty: still inconclusive */
	cfg.min_requests = 0;
	c = counts(0, 0, 1, 100);
	CU_ASSERT_EQUAL_FATAL(eng_judge_errors(&cfg, &c, &j), ENG_OK);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_INCONCLUSIVE);
	c = counts(1, 100, 0, 0);
	CU_ASSERT_EQUAL_FATAL(eng_judge_errors(&cfg, &c, &j), ENG_OK);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_INCONCLUSIVE);
	/* one failure in all, at the minimum: a verdict (pass: P(X >= 1) for
	 * m = 1, pi = 1/2 is 1/2) */
	c = counts(1, 100, 0, 100);
	CU_ASSERT_EQUAL_FATAL(eng_judge_errors(&cfg, &c, &j), ENG_OK);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_PASS);
	T_ASSERT_NEAR(j.p, 0.5, 1e-12);
}

static void test_errors_invalid(void)
{
	struct eng_errors_config cfg = errors_cfg;
	struct eng_error_counts c = counts(3, 2, 0, 100);
	struct eng_errors_judgement j;

	j.result = ENG_RESULT_NONE;
	CU_ASSERT_EQUAL(eng_judge_errors(&cfg, &c, &j), ENG_EINVAL);
	c = counts(1, 100, 0, 100);
	cfg.alpha = 0.0;
	CU_ASSERT_EQUAL(eng_judge_errors(&cfg, &c, &j), ENG_EINVAL);
	cfg.alpha = 1.0;
	CU_ASSERT_EQUAL(eng_judge_errors(&cfg, &c, &j), ENG_EINVAL);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_NONE); /* nothing written */
}

/* ---- Mann-Whitney U on histograms ------------------------------------- */

static const struct eng_latency_config latency_cfg = {
	.alpha = 0.05, .measure = ENG_EFFECT_MEDIAN_RATIO, .effect_max = 1.2,
	.min_requests = 1,
};

/* Canary {20, 30, 30} ms, baseline {10, 20} ms: every pair by hand. */
static void test_mw_with_ties(void)
{
	static const double bins[] = { 10, 20, 30 };
	static const uint64_t canary[] = { 0, 1, 2 };
	static const uint64_t baseline[] = { 1, 1, 0 };
	struct eng_latency_hist h = { bins, canary, baseline, NELEMS(bins) };
	struct eng_latency_judgement j;

	CU_ASSERT_EQUAL_FATAL(eng_judge_latency(&latency_cfg, &h, &j), ENG_OK);
	T_ASSERT_EQ_INT(j.canary_requests, 3);
	T_ASSERT_EQ_INT(j.baseline_requests, 2);
	/* pairs (canary, baseline): (20,10) 1, (20,20) tie 1/2, (30,10) 1,
	 * (30,20) 1, (30,10) 1, (30,20) 1: U = 5.5 of 6 pairs */
	T_ASSERT_NEAR(j.u, 5.5, 0.0);
	T_ASSERT_NEAR(j.mean_u, 3.0, 0.0);
	/* ties per bin t = 1, 2, 2: sum(t^3 - t) = 0 + 6 + 6 = 12; N = 5:
	 * var = 6/12 * (6 - 12/(5*4)) = 0.5 * 5.4 = 2.7. Checked against the
	 * variance of U over all C(5,3) = 10 labellings of the five values:
	 * 27/10 exactly */
	T_ASSERT_NEAR(j.var_u, 2.7, 1e-12);
	/* z = (5.5 - 3 - 0.5) / sqrt(2.7) = 1.2171612389;
	 * p = Q(z) = 0.111771437286 */
	T_ASSERT_NEAR(j.z, 1.2171612389, 1e-9);
	T_ASSERT_NEAR(j.p, 0.111771437286, 1e-11);
	/* CLES = 5.5/6; medians: canary cumulative 0, 1, 3 reaches 3/2 at
	 * 30 ms; baseline 1, 2 reaches 1 at 10 ms: ratio 3 */
	T_ASSERT_NEAR(j.cles, 5.5 / 6.0, 1e-15);
	T_ASSERT_NEAR(j.canary_p50_ms, 30.0, 0.0);
	T_ASSERT_NEAR(j.baseline_p50_ms, 10.0, 0.0);
	T_ASSERT_NEAR(j.median_ratio, 3.0, 0.0);
	/* p >= 0.05: not significant, so a pass despite the ratio of 3 */
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_PASS);
}

/* The same with an overflow bin for the last value: ranks only need the
 * order, so U and its variance do not change; the canary median is in the
 * overflow bin, so the ratio is +Inf. */
static void test_mw_overflow_bin(void)
{
	static const double bins[] = { 10, 20, INFINITY };
	static const uint64_t canary[] = { 0, 1, 2 };
	static const uint64_t baseline[] = { 1, 1, 0 };
	struct eng_latency_hist h = { bins, canary, baseline, NELEMS(bins) };
	struct eng_latency_judgement j;

	CU_ASSERT_EQUAL_FATAL(eng_judge_latency(&latency_cfg, &h, &j), ENG_OK);
	T_ASSERT_NEAR(j.u, 5.5, 0.0);
	T_ASSERT_NEAR(j.var_u, 2.7, 1e-12);
	CU_ASSERT(isinf(j.canary_p50_ms) && isinf(j.median_ratio));
	T_ASSERT_NEAR(j.baseline_p50_ms, 10.0, 0.0);
}

static void test_mw_without_ties(void)
{
	static const double bins[] = { 1, 2, 3, 4 };
	static const uint64_t canary[] = { 0, 0, 1, 1 };
	static const uint64_t baseline[] = { 1, 1, 0, 0 };
	struct eng_latency_hist h = { bins, canary, baseline, NELEMS(bins) };
	struct eng_latency_judgement j;

	CU_ASSERT_EQUAL_FATAL(eng_judge_latency(&latency_cfg, &h, &j), ENG_OK);
	/* canary {3, 4} beats baseline {1, 2} in all 4 pairs: U = 4;
	 * no ties: var = 2*2/12 * 5 = 5/3; z = (4 - 2 - 0.5) / sqrt(5/3)
	 * = 1.16189500386; p = 0.122639058403 */
	T_ASSERT_NEAR(j.u, 4.0, 0.0);
	T_ASSERT_NEAR(j.var_u, 5.0 / 3.0, 1e-12);
	T_ASSERT_NEAR(j.z, 1.16189500386, 1e-9);
	T_ASSERT_NEAR(j.p, 0.122639058403, 1e-11);
	T_ASSERT_NEAR(j.cles, 1.0, 0.0);
}

/* The canary faster: U below its mean. */
static void test_mw_canary_faster(void)
{
	static const double bins[] = { 5, 10 };
	static const uint64_t canary[] = { 2, 1 };
	static const uint64_t baseline[] = { 1, 2 };
	struct eng_latency_hist h = { bins, canary, baseline, NELEMS(bins) };
	struct eng_latency_judgement j;

	CU_ASSERT_EQUAL_FATAL(eng_judge_latency(&latency_cfg, &h, &j), ENG_OK);
	/* canary {5, 5, 10}, baseline {5, 10, 10}: 5 vs 5 tie (x2) = 1,
	 * 5 vs 10: 0, 10 vs 5: 1, 10 vs 10 tie (x2) = 1: U = 3 of 9.
	 * t = 3, 3: sum = 24 + 24 = 48; N = 6: var = 9/12 * (7 - 48/30)
	 * = 0.75 * 5.4 = 4.05 (= 81/20, as over all C(6,3) labellings);
	 * z = (3 - 4.5 - 0.5) / sqrt(4.05) = -0.99380799;
	 * p = 0.839841822254 */
	T_ASSERT_NEAR(j.u, 3.0, 0.0);
	T_ASSERT_NEAR(j.var_u, 4.05, 1e-12);
	T_ASSERT_NEAR(j.z, -0.99380799, 1e-8);
	T_ASSERT_NEAR(j.p, 0.839841822254, 1e-11);
	T_ASSERT_NEAR(j.cles, 1.0 / 3.0, 1e-15);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_PASS);
}

/* Every request in one bin: U is its mean with certainty. */
static void test_mw_all_tied(void)
{
	static const double bins[] = { 10, 20 };
	static const uint64_t canary[] = { 0, 4 };
	static const uint64_t baseline[] = { 0, 3 };
	struct eng_latency_hist h = { bins, canary, baseline, NELEMS(bins) };
	struct eng_latency_judgement j;

	CU_ASSERT_EQUAL_FATAL(eng_judge_latency(&latency_cfg, &h, &j), ENG_OK);
	/* U = 12 ties / 2 = 6 = n1 n2 / 2; t = 7: 336/(7*6) = 8 = N + 1 */
	T_ASSERT_NEAR(j.u, 6.0, 0.0);
	T_ASSERT_NEAR(j.var_u, 0.0, 0.0);
	T_ASSERT_NEAR(j.p, 1.0, 0.0);
	T_ASSERT_NEAR(j.median_ratio, 1.0, 0.0);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_PASS);
}

/* Bins 100, 105, 200 ms; baseline {5000, 4000, 1000}. */
static const double effect_bins[] = { 100, 105, 200 };
static const uint64_t effect_baseline[] = { 5000, 4000, 1000 };

/* Significant, but small: passes unless the threshold is below it. */
static void test_effect_small_passes(void)
{
	static const uint64_t canary[] = { 4500, 4500, 1000 };
	struct eng_latency_hist h = { effect_bins, canary, effect_baseline,
				      NELEMS(effect_bins) };
	struct eng_latency_config cfg = latency_cfg;
	struct eng_latency_judgement j;

	/* U = 4500*5000 + 1000*9000 + (4500*5000 + 4500*4000 + 1000*1000)/2
	 *   = 22.5e6 + 9e6 + 20.75e6 = 52.25e6 of 1e8 pairs: CLES 0.5225.
	 * t = 9500, 8500, 2000; N = 20000: var = 1e8/12 * (20001 -
	 * sum(t^3 - t)/(20000*19999)) = 388125000000000/2857 = 135850542527;
	 * z = (52.25e6 - 50e6 - 0.5)/sqrt(var) = 6.10452298128,
	 * p = 5.1554077646e-10. Medians: canary 4500 < 5000 at 100, 9000 at 105:
	 * 105 ms; baseline 5000 >= 5000 at 100 ms: ratio 1.05 */
	CU_ASSERT_EQUAL_FATAL(eng_judge_latency(&cfg, &h, &j), ENG_OK);
	T_ASSERT_NEAR(j.u, 52250000.0, 0.0);
	T_ASSERT_NEAR(j.var_u, 388125000000000.0 / 2857.0, 1e-2);
	T_ASSERT_NEAR(j.z, 6.10452298128, 1e-9);
	T_ASSERT_NEAR(j.p, 5.1554077646e-10, 1e-19);
	T_ASSERT_NEAR(j.median_ratio, 1.05, 1e-15);
	T_ASSERT_NEAR(j.cles, 0.5225, 1e-15);
	/* p < 0.05 but 1.05 <= 1.2: pass */
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_PASS);
	T_ASSERT_NEAR(j.effect, 1.05, 1e-15);
	/* the same by CLES: 0.5225 <= 0.6: pass */
	cfg.measure = ENG_EFFECT_CLES;
	cfg.effect_max = 0.6;
	CU_ASSERT_EQUAL_FATAL(eng_judge_latency(&cfg, &h, &j), ENG_OK);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_PASS);
	T_ASSERT_NEAR(j.effect, 0.5225, 1e-15);
	/* a threshold under the effect: 0.5225 > 0.52 fails */
	cfg.effect_max = 0.52;
	CU_ASSERT_EQUAL_FATAL(eng_judge_latency(&cfg, &h, &j), ENG_OK);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_FAIL);
}

static void test_effect_large_fails(void)
{
	static const uint64_t canary[] = { 1000, 2000, 7000 };
	struct eng_latency_hist h = { effect_bins, canary, effect_baseline,
				      NELEMS(effect_bins) };
	struct eng_latency_config cfg = latency_cfg;
	struct eng_latency_judgement j;

	/* U = 2000*5000 + 7000*9000 + (1000*5000 + 2000*4000 + 7000*1000)/2
	 *   = 10e6 + 63e6 + 10e6 = 83e6: CLES 0.83; z = 86.07, p ~ 0.
	 * Canary median: 1000, 3000 < 5000, 10000 at 200 ms: ratio 2 */
	CU_ASSERT_EQUAL_FATAL(eng_judge_latency(&cfg, &h, &j), ENG_OK);
	T_ASSERT_NEAR(j.u, 83e6, 0.0);
	T_ASSERT_NEAR(j.median_ratio, 2.0, 0.0);
	CU_ASSERT(j.p < 1e-100);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_FAIL);
	cfg.measure = ENG_EFFECT_CLES;
	cfg.effect_max = 0.6;
	CU_ASSERT_EQUAL_FATAL(eng_judge_latency(&cfg, &h, &j), ENG_OK);
	T_ASSERT_NEAR(j.cles, 0.83, 1e-15);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_FAIL);
	/* an effect equal to the threshold does not exceed it: 2 <= 2 */
	cfg.measure = ENG_EFFECT_MEDIAN_RATIO;
	cfg.effect_max = 2.0;
	CU_ASSERT_EQUAL_FATAL(eng_judge_latency(&cfg, &h, &j), ENG_OK);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_PASS);
}

/* Canary {200, 200, 200} against baseline {100, 100, 100}: a large effect,
 * significant at 0.05, but too few requests for a verdict at 5. */
static void test_latency_inconclusive(void)
{
	static const uint64_t canary[] = { 0, 0, 3 };
	static const uint64_t baseline[] = { 3, 0, 0 };
	static const uint64_t canary6[] = { 0, 0, 6 };
	static const uint64_t none[] = { 0, 0, 0 };
	struct eng_latency_hist h = { effect_bins, canary, baseline,
				      NELEMS(effect_bins) };
	struct eng_latency_config cfg = latency_cfg;
	struct eng_latency_judgement j;

	/* U = 9; t = 3, 0, 3: sum = 48; var = 9/12 * (7 - 48/30) = 4.05;
	 * z = (9 - 4.5 - 0.5)/sqrt(4.05) = 1.98761598, p = 0.0234271 */
	CU_ASSERT_EQUAL_FATAL(eng_judge_latency(&cfg, &h, &j), ENG_OK);
	T_ASSERT_NEAR(j.p, 0.0234271, 1e-7);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_FAIL); /* 3 >= 1 requests */
	cfg.min_requests = 5;
	CU_ASSERT_EQUAL_FATAL(eng_judge_latency(&cfg, &h, &j), ENG_OK);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_INCONCLUSIVE);
	/* either side short is enough: 6 canary but 3 baseline requests */
	h.canary = canary6;
	CU_ASSERT_EQUAL_FATAL(eng_judge_latency(&cfg, &h, &j), ENG_OK);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_INCONCLUSIVE);
	h.canary = canary;
	/* an empty side: inconclusive even with no minimum */
	cfg.min_requests = 0;
	h.baseline = none;
	CU_ASSERT_EQUAL_FATAL(eng_judge_latency(&cfg, &h, &j), ENG_OK);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_INCONCLUSIVE);
	CU_ASSERT(isnan(j.u) && isnan(j.p) && isnan(j.baseline_p50_ms));
	T_ASSERT_NEAR(j.canary_p50_ms, 200.0, 0.0);
}

static void test_latency_invalid(void)
{
	static const double unordered[] = { 10, 10, 30 };
	static const double zero[] = { 0, 10, 30 };
	static const double inf_first[] = { INFINITY, INFINITY, INFINITY };
	static const double with_nan[] = { 10, NAN, 30 };
	static const uint64_t c[] = { 1, 1, 1 };
	struct eng_latency_hist h = { unordered, c, c, 3 };
	struct eng_latency_config cfg = latency_cfg;
	struct eng_latency_judgement j;

	CU_ASSERT_EQUAL(eng_judge_latency(&cfg, &h, &j), ENG_EINVAL);
	h.bin_ms = zero;
	CU_ASSERT_EQUAL(eng_judge_latency(&cfg, &h, &j), ENG_EINVAL);
	h.bin_ms = inf_first;         /* +Inf only as the last value */
	CU_ASSERT_EQUAL(eng_judge_latency(&cfg, &h, &j), ENG_EINVAL);
	h.bin_ms = with_nan;
	CU_ASSERT_EQUAL(eng_judge_latency(&cfg, &h, &j), ENG_EINVAL);
	h.bin_ms = effect_bins;
	h.nbins = 0;
	CU_ASSERT_EQUAL(eng_judge_latency(&cfg, &h, &j), ENG_EINVAL);
	h.nbins = 3;
	h.canary = NULL;
	CU_ASSERT_EQUAL(eng_judge_latency(&cfg, &h, &j), ENG_EINVAL);
	h.canary = c;
	cfg.alpha = 1.5;
	CU_ASSERT_EQUAL(eng_judge_latency(&cfg, &h, &j), ENG_EINVAL);
	cfg.alpha = 0.05;
	CU_ASSERT_EQUAL(eng_judge_latency(&cfg, &h, &j), ENG_OK);
}

/* ---- mSPRT ------------------------------------------------------------- */

static const struct eng_msprt_config msprt_cfg = {
	.alpha = 0.05, .tau2_frac2 = 1e-4, .min_requests = 20,
};

static void test_msprt_lambda_by_hand(void)
{
	struct eng_msprt_config cfg = msprt_cfg;
	struct eng_msprt_state st;
	struct eng_error_counts c = counts(30, 100, 10, 100);
	struct eng_msprt_judgement j;

	/* d = 0.3 - 0.1 = 0.2; pbar = 0.2; v = 0.2 * 0.8 * (2/100) = 0.0032;
	 * tau2 = 3 v = 0.0096: sqrt(v/(v + tau2)) = sqrt(1/4) = 1/2;
	 * exponent = 0.0096 * 0.04 / (2 * 0.0032 * 0.0128) = 4.6875;
	 * Lambda = e^4.6875 / 2 = 54.2906933704; 1/Lambda = 0.0184193632079 */
	T_ASSERT_NEAR(eng_msprt_lambda(0.2, 0.0032, 0.0096), 54.2906933704, 1e-9);
	/* d = 0: Lambda = sqrt(v/(v + tau2)) = 1/2 */
	T_ASSERT_NEAR(eng_msprt_lambda(0.0, 0.0032, 0.0096), 0.5, 1e-15);
	CU_ASSERT(isnan(eng_msprt_lambda(0.2, 0.0, 0.0096)));
	CU_ASSERT(isnan(eng_msprt_lambda(0.2, 0.0032, 0.0)));

	cfg.tau2_frac2 = 0.0096;
	eng_msprt_init(&st);
	T_ASSERT_NEAR(st.p, 1.0, 0.0);
	CU_ASSERT_EQUAL_FATAL(eng_msprt_look(&cfg, &st, &c, &j), ENG_OK);
	T_ASSERT_NEAR(j.diff_frac, 0.2, 1e-15);
	T_ASSERT_NEAR(j.var_frac2, 0.0032, 1e-15);
	T_ASSERT_NEAR(j.lambda, 54.2906933704, 1e-9);
	T_ASSERT_NEAR(j.p, 0.0184193632079, 1e-12);
	T_ASSERT_NEAR(st.p, 0.0184193632079, 1e-12);
	T_ASSERT_EQ_INT(st.looks, 1);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_FAIL);
}

/* Runs looks over per-look increments (canary errors, baseline errors) of
 * n requests each, checking p against expected[] (tol) after each look.
 * Returns the last judgement. */
static struct eng_msprt_judgement msprt_run(const uint64_t (*inc)[2],
					    size_t nlooks, uint64_t n,
					    const double *expected, double tol)
{
	struct eng_msprt_state st;
	struct eng_error_counts c = counts(0, 0, 0, 0);
	struct eng_msprt_judgement j;
	double prev = 1.0;

	memset(&j, 0, sizeof(j));
	eng_msprt_init(&st);
	for (size_t k = 0; k < nlooks; k++) {
		c.canary_errors += inc[k][0];
		c.baseline_errors += inc[k][1];
		c.canary_requests += n;
		c.baseline_requests += n;
		CU_ASSERT_EQUAL_FATAL(eng_msprt_look(&msprt_cfg, &st, &c, &j),
				      ENG_OK);
		T_ASSERT_NEAR(j.p, expected[k], tol);
		CU_ASSERT(j.p <= prev); /* never increases */
		T_ASSERT_EQ_INT(j.result, j.p < 0.05 ? ENG_RESULT_FAIL :
				ENG_RESULT_PASS);
		prev = j.p;
	}
	return j;
}

/* Equal rates, 1000 requests a look, 10 baseline failures a look; the
 * canary's first window is unlucky (20). A fixed z-test on that window
 * fails; the mSPRT does not, then or later. */
static void test_msprt_equal_rates_stay_above_alpha(void)
{
	static const uint64_t inc[][2] = {
		{ 20, 10 }, { 10, 10 }, { 5, 10 }, { 10, 10 },
		{ 10, 10 }, { 8, 10 }, { 12, 10 }, { 10, 10 },
	};
	/* look 1: d = 0.01, pbar = 0.015, v = 0.015*0.985*0.002 = 2.955e-5,
	 * Lambda = sqrt(2.955e-5/1.2955e-4) * exp(1e-4 * 1e-4 /
	 * (2 * 2.955e-5 * 1.2955e-4)) = 1.76315431, p = 0.567165333.
	 * Later looks (cumulative 30/20, 35/30, 45/40, 55/50, 63/60, 75/70,
	 * 85/80 of 1000 k) have Lambda = 0.816, 0.310, 0.257, 0.224, 0.187,
	 * 0.184, 0.170 < 1: 1/Lambda > p, so p stays 0.567165333 */
	static const double expected[] = {
		0.567165333, 0.567165333, 0.567165333, 0.567165333,
		0.567165333, 0.567165333, 0.567165333, 0.567165333,
	};
	struct eng_error_counts first = counts(20, 1000, 10, 1000);
	struct eng_msprt_judgement j;
	double z, p;

	/* the fixed test on look 1: z = 0.01/sqrt(2.955e-5) = 1.83956,
	 * p = 0.0329 < 0.05 */
	CU_ASSERT_EQUAL_FATAL(eng_two_prop_ztest(&first, &z, &p), ENG_OK);
	CU_ASSERT(p < 0.05);
	j = msprt_run(inc, NELEMS(inc), 1000, expected, 1e-9);
	/* last look: 85 vs 80 of 8000; Lambda = 0.169960006 */
	T_ASSERT_NEAR(j.lambda, 0.169960006, 1e-9);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_PASS);
}

/* p is the running minimum of 1/Lambda: looks 3 and 6 have a larger
 * 1/Lambda than the p before them, and p holds. Canary 10% against 1%,
 * 20 requests a look. */
static void test_msprt_p_never_increases(void)
{
	static const uint64_t inc[][2] = {
		{ 2, 0 }, { 1, 0 }, { 2, 1 }, { 3, 0 },
		{ 2, 0 }, { 1, 1 }, { 2, 0 }, { 3, 0 },
	};
	/* 1/Lambda per look (cumulative counts of 20 k requests each):
	 * 2/0: 0.988776755; 3/0: 0.946621334; 5/1: 0.948612445 (held);
	 * 8/1: 0.847222757; 10/1: 0.743795914; 11/2: 0.748314034 (held);
	 * 13/2: 0.636142962; 16/2: 0.503921832 */
	static const double expected[] = {
		0.988776755, 0.946621334, 0.946621334, 0.847222757,
		0.743795914, 0.743795914, 0.636142962, 0.503921832,
	};

	msprt_run(inc, NELEMS(inc), 20, expected, 1e-9);
}

/* Canary 10% against 1%, 100 requests a look: p falls under alpha at the
 * fourth look and the judge keeps failing. */
static void test_msprt_tenfold_rate_fails(void)
{
	static const uint64_t inc[][2] = {
		{ 10, 1 }, { 10, 1 }, { 10, 1 }, { 10, 1 }, { 10, 1 }, { 10, 1 },
	};
	/* d = 0.09 throughout; v = pbar (1 - pbar) 2/n with pbar = 0.055:
	 * n = 100: v = 0.0010395, Lambda = 1.34445482, p = 0.743795914;
	 * n = 200: Lambda = 3.21983646, p = 0.31057478;
	 * n = 300: Lambda = 12.0731585, p = 0.0828283665;
	 * n = 400: Lambda = 64.5687131, p = 0.015487377 < 0.05: fail;
	 * n = 500: p = 0.00217540757; n = 600: p = 0.000241846898 */
	static const double expected[] = {
		0.743795914, 0.31057478, 0.0828283665,
		0.015487377, 0.00217540757, 0.000241846898,
	};
	struct eng_msprt_judgement j;

	j = msprt_run(inc, NELEMS(inc), 100, expected, 1e-9);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_FAIL);
}

/* A canary ten times better than the baseline never brings p down. */
static void test_msprt_better_canary_passes(void)
{
	static const uint64_t inc[][2] = {
		{ 1, 10 }, { 1, 10 }, { 1, 10 }, { 1, 10 }, { 1, 10 }, { 1, 10 },
	};
	static const double expected[] = { 1, 1, 1, 1, 1, 1 };
	struct eng_msprt_judgement j;

	j = msprt_run(inc, NELEMS(inc), 100, expected, 0.0);
	/* d = -0.09 at n = 600: Lambda = 4134.84732, as large as for the
	 * tenfold canary, but on the wrong side */
	T_ASSERT_NEAR(j.lambda, 4134.84732, 1e-5);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_PASS);
}

/* Too few requests, or no failures yet: inconclusive, and the look does
 * not count. Counts that go down are refused. */
static void test_msprt_inconclusive_and_invalid(void)
{
	struct eng_msprt_config cfg = msprt_cfg;
	struct eng_msprt_state st, before;
	struct eng_error_counts c = counts(10, 19, 0, 100);
	struct eng_msprt_judgement j;

	eng_msprt_init(&st);
	CU_ASSERT_EQUAL_FATAL(eng_msprt_look(&cfg, &st, &c, &j), ENG_OK);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_INCONCLUSIVE); /* 19 < 20 */
	T_ASSERT_EQ_INT(st.looks, 0);
	T_ASSERT_NEAR(st.p, 1.0, 0.0);
	c = counts(0, 100, 0, 100);
	CU_ASSERT_EQUAL_FATAL(eng_msprt_look(&cfg, &st, &c, &j), ENG_OK);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_INCONCLUSIVE); /* no failures */
	T_ASSERT_EQ_INT(st.looks, 0);
	cfg.min_requests = 0;
	c = counts(0, 0, 0, 0);
	CU_ASSERT_EQUAL_FATAL(eng_msprt_look(&cfg, &st, &c, &j), ENG_OK);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_INCONCLUSIVE);
	CU_ASSERT(isnan(j.lambda) && isnan(j.diff_frac));
	c = counts(0, 0, 1, 100);    /* no canary requests yet */
	CU_ASSERT_EQUAL_FATAL(eng_msprt_look(&cfg, &st, &c, &j), ENG_OK);
	T_ASSERT_EQ_INT(j.result, ENG_RESULT_INCONCLUSIVE);
	T_ASSERT_EQ_INT(st.looks, 0);
	cfg.min_requests = msprt_cfg.min_requests;

	c = counts(10, 100, 1, 100); /* p = 0.743795914, as above */
	CU_ASSERT_EQUAL_FATAL(eng_msprt_look(&cfg, &st, &c, &j), ENG_OK);
	T_ASSERT_EQ_INT(st.looks, 1);
	before = st;
	c = counts(10, 99, 1, 100);  /* canary requests went down */
	CU_ASSERT_EQUAL(eng_msprt_look(&cfg, &st, &c, &j), ENG_EINVAL);
	c = counts(20, 200, 0, 200); /* baseline errors went down */
	CU_ASSERT_EQUAL(eng_msprt_look(&cfg, &st, &c, &j), ENG_EINVAL);
	c = counts(201, 200, 2, 200);
	CU_ASSERT_EQUAL(eng_msprt_look(&cfg, &st, &c, &j), ENG_EINVAL);
	c = counts(20, 200, 2, 200);
	cfg.tau2_frac2 = 0.0;
	CU_ASSERT_EQUAL(eng_msprt_look(&cfg, &st, &c, &j), ENG_EINVAL);
	cfg = msprt_cfg;
	cfg.alpha = 0.0;
	CU_ASSERT_EQUAL(eng_msprt_look(&cfg, &st, &c, &j), ENG_EINVAL);
	CU_ASSERT(memcmp(&st, &before, sizeof(st)) == 0); /* unchanged */
	/* and a valid look still goes on from there: p = 0.31057478 */
	CU_ASSERT_EQUAL(eng_msprt_look(&msprt_cfg, &st, &c, &j), ENG_OK);
	T_ASSERT_NEAR(st.p, 0.31057478, 1e-8);
	T_ASSERT_EQ_INT(st.looks, 2);
}

int t_suite_judges(void)
{
	static const struct t_case cases[] = {
		{ "z-test, equal sizes", test_ztest_equal_sizes },
		{ "z-test, unequal sizes", test_ztest_unequal_sizes },
		{ "z-test, canary better", test_ztest_canary_better },
		{ "z-test, degenerate and invalid", test_ztest_degenerate_and_invalid },
		{ "conditional binomial by exact sums", test_cond_binom_exact_sums },
		{ "conditional binomial, failures the majority", test_cond_binom_majority_failures },
		{ "errors: small counts use the exact test", test_errors_small_counts_use_exact },
		{ "errors: large counts use the z-test", test_errors_large_counts_use_z },
		{ "errors: inconclusive", test_errors_inconclusive },
		{ "errors: invalid input", test_errors_invalid },
		{ "Mann-Whitney with ties", test_mw_with_ties },
		{ "Mann-Whitney with an overflow bin", test_mw_overflow_bin },
		{ "Mann-Whitney without ties", test_mw_without_ties },
		{ "Mann-Whitney, canary faster", test_mw_canary_faster },
		{ "Mann-Whitney, all tied", test_mw_all_tied },
		{ "effect size: significant but small passes", test_effect_small_passes },
		{ "effect size: large fails", test_effect_large_fails },
		{ "latency: inconclusive", test_latency_inconclusive },
		{ "latency: invalid input", test_latency_invalid },
		{ "mSPRT: Lambda by hand", test_msprt_lambda_by_hand },
		{ "mSPRT: equal rates stay above alpha", test_msprt_equal_rates_stay_above_alpha },
		{ "mSPRT: p never increases", test_msprt_p_never_increases },
		{ "mSPRT: tenfold rate fails", test_msprt_tenfold_rate_fails },
		{ "mSPRT: better canary passes", test_msprt_better_canary_passes },
		{ "mSPRT: inconclusive and invalid", test_msprt_inconclusive_and_invalid },
		{ NULL, NULL }
	};

	return t_add_suite("judges", cases);
}
