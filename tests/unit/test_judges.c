/* engine/judges: the statistical judges. Every expected number is worked
 * out next to its assertion: by hand, by exact sums over fractions, or with
 * Python's math module (Q(z) = erfc(z / sqrt 2) / 2). */
#include <stdint.h>

#include "engine/judges.h"
#include "tests/unit/helpers.h"

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
		{ NULL, NULL }
	};

	return t_add_suite("judges", cases);
}
