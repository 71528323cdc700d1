/* Statistical judges: compare the canary with the stable baseline and say
 * pass, fail or inconclusive. Errors by a two-proportion test. Pure
 * functions of counts: no I/O, no state of their own, no randomness.
 * Thresholds on one version alone are analysis.h's. */
#ifndef ENG_JUDGES_H
#define ENG_JUDGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/event.h"
#include "engine/status.h"

/* Failed and total requests of each version, over whatever span the caller
 * chose (one window for the fixed judges, everything so far for mSPRT). */
struct eng_error_counts {
	uint64_t canary_errors;     /* canary requests that failed, requests */
	uint64_t canary_requests;   /* canary requests, requests */
	uint64_t baseline_errors;   /* stable requests that failed, requests */
	uint64_t baseline_requests; /* stable requests, requests */
};

/* ---- Errors: two proportions, one look. ------------------------------- */

/* One-sided pooled z-test, H1: the canary fails more often (Agresti,
 * Categorical Data Analysis, 2nd ed., 2002, ch. 3; z^2 is Pearson's X^2
 * for the 2x2 table):
 *   p1 = x1/n1, p2 = x2/n2, pbar = (x1 + x2)/(n1 + n2),
 *   z = (p1 - p2) / sqrt(pbar (1 - pbar) (1/n1 + 1/n2)),  p = Q(z).
 * Writes z (standard errors) and p (0..1). When pbar is 0 or 1 the rates
 * are equal and there is no variance: z = 0 and p = 1. Returns ENG_EINVAL,
 * writing nothing, when a count of errors exceeds its requests or a version
 * has no requests. */
enum eng_status eng_two_prop_ztest(const struct eng_error_counts *c,
				   double *z, double *p);

/* Conditional binomial test, H1 as above: given m = x1 + x2 failures in all,
 * under H0 x1 ~ Binomial(m, n1/(n1 + n2)), and p = P(X >= x1), computed
 * exactly as a regularised incomplete beta function (Przyborowski and
 * Wilenski, Biometrika 31, 1940; Lehmann and Romano, Testing Statistical
 * Hypotheses, 3rd ed., ch. 4, comparing two Poisson populations). Exact
 * when the counts are Poisson; for Bernoulli
 * requests its variance exceeds Fisher's hypergeometric one by a factor
 * (N - 1)/(N - m), N = n1 + n2, so it is slightly conservative while
 * failures are rare and useless when they are not. Hence, when failures
 * are the majority (m > N/2), the test conditions on the successes
 * instead, the rare outcome: given k = N - m, the canary's successes
 * s1 ~ Binomial(k, n1/N) and p = P(S <= s1). p = 1 when m = 0. Returns
 * ENG_EINVAL as eng_two_prop_ztest() does. */
enum eng_status eng_cond_binom_test(const struct eng_error_counts *c,
				    double *p);

struct eng_errors_config {
	double alpha;               /* fail when p < alpha, 0..1 exclusive */
	uint64_t min_requests;      /* each version needs this many, requests */
};

struct eng_errors_judgement {
	enum eng_result result;     /* pass, fail or inconclusive */
	double canary_rate_frac;    /* x1/n1, 0..1; NaN without requests */
	double baseline_rate_frac;  /* x2/n2, 0..1; NaN without requests */
	/* The tests' figures are NaN when either version has no requests. */
	double z;                   /* pooled z, standard errors; NaN as above */
	double p_z;                 /* one-sided p of z, 0..1; NaN as above */
	double p_exact;             /* conditional binomial p, 0..1; NaN as above */
	bool exact;                 /* the verdict weighs p_exact, not p_z */
	double p;                   /* the p weighed against alpha, 0..1; NaN as above */
};

/* Judges counts c: inconclusive when either version has fewer than
 * min_requests requests (or none), or when the versions have no failures at
 * all, or nothing but failures (the rates are then equal and the counts
 * carry no evidence of a difference); otherwise fail when p < alpha, else
 * pass. The p is the exact one when any expected cell count under H0
 * (n_i pbar, n_i (1 - pbar)) is below 5 (Cochran's rule of thumb for the
 * normal approximation), the z-test's otherwise. Borrows cfg and c;
 * fills out. Returns ENG_EINVAL, writing nothing, when alpha is outside
 * (0, 1) or a count of errors exceeds its requests. */
enum eng_status eng_judge_errors(const struct eng_errors_config *cfg,
				 const struct eng_error_counts *c,
				 struct eng_errors_judgement *out);

#endif
