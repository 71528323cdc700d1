/* Statistical judges: compare the canary with the stable baseline and say
 * pass, fail or inconclusive. Errors by a two-proportion test, latency by a
 * Mann-Whitney U test on shared histogram bins, errors over time by a
 * sequential test (mSPRT). Pure functions of counts: no I/O, no state of
 * their own, no randomness. Thresholds on one version alone are analysis.h's.
 *
 * Looking more than once. The errors and latency judges are fixed-sample
 * tests: each p-value is valid for one look at data whose size was fixed in
 * advance. Applied at every interval, every look is another chance of a
 * false failure. On separate windows, k looks at level alpha fail a good
 * canary with probability 1 - (1 - alpha)^k (0.40 for k = 10, alpha =
 * 0.05). On cumulative counts the looks are correlated, but the rate still
 * grows with k (about 0.19 after ten looks at 0.05; Armitage, McPherson and
 * Rowe, "Repeated significance tests on accumulating data", JRSS A 132, 1969)
 * and tends to 1 as k grows, by the law of the iterated logarithm. Use the
 * fixed judges once per window with the rollout's failure limit in mind, or
 * with alpha divided by the number of looks. Only the sequential judge,
 * eng_msprt_look(), may be looked at every interval on cumulative counts and
 * keep its false-failure rate at or below alpha however many looks are made. */
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

/* ---- Latency: Mann-Whitney U on shared bins, one look. ---------------- */

/* Two latency histograms over the same bins. A bin stands for one value,
 * its upper edge or its centre: requests in the same bin are ties. Values
 * are positive and strictly increasing; the last may be +Inf, for an
 * overflow bin (Prometheus's le="+Inf"). */
struct eng_latency_hist {
	const double *bin_ms;       /* borrowed, nbins bin values, ms */
	const uint64_t *canary;     /* borrowed, nbins canary counts, requests */
	const uint64_t *baseline;   /* borrowed, nbins stable counts, requests */
	size_t nbins;               /* bins, at least 1 */
};

/* How large a slow-down is, once the test says there is one. */
enum eng_effect_measure {
	ENG_EFFECT_MEDIAN_RATIO,    /* canary p50 / baseline p50, e.g. 1.2 */
	ENG_EFFECT_CLES             /* U/(n1 n2): P(canary slower), 0..1 */
};

struct eng_latency_config {
	double alpha;               /* significant when p < alpha, 0..1 exclusive */
	enum eng_effect_measure measure; /* which effect size the verdict weighs */
	double effect_max;          /* fail only above this: ratio, or 0..1 */
	uint64_t min_requests;      /* each version needs this many, requests */
};

struct eng_latency_judgement {
	enum eng_result result;     /* pass, fail or inconclusive */
	uint64_t canary_requests;   /* n1, requests */
	uint64_t baseline_requests; /* n2, requests */
	double u;                   /* canary's U (see below), pairs */
	double mean_u;              /* n1 n2 / 2, pairs */
	double var_u;               /* tie-corrected variance of U under H0, pairs^2 */
	double z;                   /* (U - mean_u - 1/2) / sqrt(var_u), sd */
	double p;                   /* one-sided p, H1: the canary is slower, 0..1 */
	double canary_p50_ms;       /* canary median, as a bin value, ms */
	double baseline_p50_ms;     /* baseline median, as a bin value, ms */
	double median_ratio;        /* canary_p50_ms / baseline_p50_ms, ratio */
	double cles;                /* U/(n1 n2), 0..1; 0.5 is no effect */
	double effect;              /* the measure weighed: ratio, or 0..1 */
};

/* Mann-Whitney U of the canary against the baseline (Lehmann,
 * Nonparametrics: Statistical Methods Based on Ranks, 1975, ch. 1, the
 * rank-sum test with ties):
 *   U = sum over pairs (canary, baseline) of [c > b] + 1/2 [c = b],
 *   E U = n1 n2 / 2,
 *   Var U = n1 n2 / 12 * ((N + 1) - sum_bins (t^3 - t) / (N (N - 1))),
 * N = n1 + n2, t = requests of both versions in a bin; the normal
 * approximation with continuity correction z = (U - E U - 1/2) / sd and
 * p = Q(z). When every request lies in one bin, Var U = 0: z = 0 and p = 1
 * (U then equals its mean with certainty). The median of a version is the
 * value of the first bin where its cumulative count reaches half of its
 * requests; with both medians in an overflow bin the ratio is NaN, which
 * exceeds no threshold (use CLES there).
 *
 * The effect-size rule is Kayenta's: its judge (NetflixACAJudge) pairs the
 * Mann-Whitney test with an effect size, mean ratio or CLES, and a metric
 * fails only when both say so, so a tiny but significant slow-down passes.
 * Histograms give medians rather than means, hence the median ratio. Verdict:
 * inconclusive when either version has fewer than min_requests requests (or
 * none); fail when p < alpha and effect > effect_max; pass otherwise.
 * Borrows cfg and h; fills out. Returns ENG_EINVAL, writing nothing, when
 * alpha is outside (0, 1), there are no bins, an array is NULL, or the bin
 * values are not as struct eng_latency_hist says. Counts are summed in
 * double precision: exact up to 2^53 pairs. */
enum eng_status eng_judge_latency(const struct eng_latency_config *cfg,
				  const struct eng_latency_hist *h,
				  struct eng_latency_judgement *out);

/* ---- Errors over time: mixture SPRT, any number of looks. ------------- */

/* Mixture likelihood ratio with a normal mixing distribution (Johari,
 * Koomen, Pekelis and Walsh, "Peeking at A/B tests", KDD 2017; Johari,
 * Pekelis and Walsh, "Always valid inference: continuous monitoring of A/B
 * tests"). For an estimate d ~ N(theta, v) of a difference, H0: theta = 0,
 * and theta ~ N(0, tau2) under the mixture:
 *   Lambda = sqrt(v / (v + tau2)) * exp(tau2 d^2 / (2 v (v + tau2))).
 * d in the difference's unit, v and tau2 in its square. Returns +Inf when
 * Lambda overflows, NaN when v or tau2 is not positive. */
double eng_msprt_lambda(double d, double v, double tau2);

/* tau2 is the spread of rate differences the test is tuned to find: about
 * the square of the smallest difference worth a rollback. */
struct eng_msprt_config {
	double alpha;               /* fail when the always-valid p < alpha, 0..1 */
	double tau2_frac2;          /* mixing variance of the rate difference, frac^2 */
	uint64_t min_requests;      /* each version needs this many, requests */
};

/* What the caller keeps between looks; start it with eng_msprt_init().
 * Plain data, so that it can be saved and restored with a rollout. */
struct eng_msprt_state {
	double p;                   /* always-valid p so far, 0..1; 1 at first */
	uint64_t looks;             /* looks that counted, looks */
	struct eng_error_counts last; /* counts at the last look that counted */
};

struct eng_msprt_judgement {
	enum eng_result result;     /* pass, fail or inconclusive */
	/* diff_frac, var_frac2 and lambda are NaN when a version has no
	 * requests; lambda also when var_frac2 is 0. */
	double diff_frac;           /* canary rate - baseline rate, -1..1 */
	double var_frac2;           /* pooled variance of diff_frac under H0, frac^2 */
	double lambda;              /* mixture likelihood ratio, ratio */
	double p;                   /* always-valid p after this look, 0..1 */
};

/* Sets st to its state before the first look: p = 1, no looks. */
void eng_msprt_init(struct eng_msprt_state *st);

/* One look at cumulative counts c (since the analysis began).
 * d = x1/n1 - x2/n2 with the variance under H0, v = pbar (1 - pbar)
 * (1/n1 + 1/n2); Lambda from eng_msprt_lambda(d, v, tau2); then
 * p_n = min(p_{n-1}, 1/Lambda_n), but only at looks where the canary fails
 * more often (d > 0). That gate makes the test one-sided, H0: the canary
 * fails no more often. When d > 0 the two-sided Lambda is below the
 * half-normal mixture's (Lambda times 2 Phi(d tau / sqrt(v (v + tau2)))),
 * which in the normal approximation is a nonnegative supermartingale under
 * H0, so by Ville's inequality P(ever p_n < alpha) <= alpha; and a canary
 * better than the baseline never brings p down. With v estimated from the
 * counts, as in Johari et al., the guarantee is asymptotic.
 *
 * Verdict: inconclusive, with st unchanged, when either version has fewer
 * than min_requests requests (or none), or when no request has failed, or
 * every one has (as eng_judge_errors() rules); fail when p_n < alpha; pass
 * otherwise.
 * Once p_n < alpha it stays there: the judge keeps failing. The counts must
 * never go down between looks. Borrows cfg and c, updates st, fills out.
 * Returns ENG_EINVAL, changing nothing, when alpha is outside (0, 1),
 * tau2_frac2 is not positive, a count of errors exceeds its requests, or a
 * count is below the last counted look's. */
enum eng_status eng_msprt_look(const struct eng_msprt_config *cfg,
			       struct eng_msprt_state *st,
			       const struct eng_error_counts *c,
			       struct eng_msprt_judgement *out);

#endif
