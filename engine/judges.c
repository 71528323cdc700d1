#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "engine/judges.h"

/* Below this expected count in any cell the z-test's normal approximation
 * is not trusted and the exact test decides (Cochran's rule of thumb). */
#define MIN_EXPECTED_COUNT 5.0

static bool counts_valid(const struct eng_error_counts *c)
{
	return c->canary_errors <= c->canary_requests &&
	       c->baseline_errors <= c->baseline_requests;
}

static bool alpha_valid(double alpha)
{
	return alpha > 0.0 && alpha < 1.0;
}

/* Enough requests on both sides for a verdict (at least one each). */
static bool enough_requests(const struct eng_error_counts *c, uint64_t min)
{
	return c->canary_requests >= min && c->baseline_requests >= min &&
	       c->canary_requests > 0 && c->baseline_requests > 0;
}

/* No failure at all, or nothing but failures: equal rates, no variance. */
static bool no_contrast(const struct eng_error_counts *c)
{
	uint64_t x = c->canary_errors + c->baseline_errors;
	uint64_t n = c->canary_requests + c->baseline_requests;

	return x == 0 || x == n;
}

static double pooled_rate(const struct eng_error_counts *c)
{
	return (double)(c->canary_errors + c->baseline_errors) /
	       (double)(c->canary_requests + c->baseline_requests);
}

/* Var(p1 - p2) under H0: p1 = p2, with the pooled rate. */
static double pooled_var(const struct eng_error_counts *c)
{
	double pbar = pooled_rate(c);

	return pbar * (1.0 - pbar) * (1.0 / (double)c->canary_requests +
				      1.0 / (double)c->baseline_requests);
}

static double rate_diff(const struct eng_error_counts *c)
{
	return (double)c->canary_errors / (double)c->canary_requests -
	       (double)c->baseline_errors / (double)c->baseline_requests;
}

enum eng_status eng_two_prop_ztest(const struct eng_error_counts *c,
				   double *z, double *p)
{
	double var;

	if (!counts_valid(c) || !enough_requests(c, 1))
		return ENG_EINVAL;
	var = pooled_var(c);
	if (var <= 0.0) {
		*z = 0.0;
		*p = 1.0;
		return ENG_OK;
	}
	*z = rate_diff(c) / sqrt(var);
	*p = gsl_cdf_ugaussian_Q(*z);
	return ENG_OK;
}

/* P(X >= k) for X ~ Binomial(m, pi), 0 < pi < 1, as the regularised
 * incomplete beta function I_pi(k, m - k + 1). GSL's binomial CDFs take
 * unsigned int counts; the beta CDF takes doubles, so any count fits. */
static double binom_upper_tail(uint64_t k, uint64_t m, double pi)
{
	if (k == 0)
		return 1.0;
	return gsl_cdf_beta_P(pi, (double)k, (double)(m - k + 1));
}

/* P(X <= k) = P(m - X >= m - k), m - X ~ Binomial(m, 1 - pi). */
static double binom_lower_tail(uint64_t k, uint64_t m, double pi)
{
	return binom_upper_tail(m - k, m, 1.0 - pi);
}

enum eng_status eng_cond_binom_test(const struct eng_error_counts *c,
				    double *p)
{
	uint64_t n = c->canary_requests + c->baseline_requests;
	uint64_t m = c->canary_errors + c->baseline_errors;
	double pi;

	if (!counts_valid(c) || !enough_requests(c, 1))
		return ENG_EINVAL;
	pi = (double)c->canary_requests / (double)n;
	if (m <= n - m) {
		*p = binom_upper_tail(c->canary_errors, m, pi);
	} else {
		uint64_t s1 = c->canary_requests - c->canary_errors;

		*p = binom_lower_tail(s1, n - m, pi);
	}
	return ENG_OK;
}

/* The smallest of the four expected cell counts under H0. */
static double min_expected_count(const struct eng_error_counts *c)
{
	double pbar = pooled_rate(c);
	double n = (double)(c->canary_requests < c->baseline_requests ?
			    c->canary_requests : c->baseline_requests);

	return n * fmin(pbar, 1.0 - pbar);
}

enum eng_status eng_judge_errors(const struct eng_errors_config *cfg,
				 const struct eng_error_counts *c,
				 struct eng_errors_judgement *out)
{
	struct eng_errors_judgement j = {
		.result = ENG_RESULT_INCONCLUSIVE,
		.canary_rate_frac = NAN, .baseline_rate_frac = NAN,
		.z = NAN, .p_z = NAN, .p_exact = NAN, .p = NAN,
	};

	if (!alpha_valid(cfg->alpha) || !counts_valid(c))
		return ENG_EINVAL;
	if (c->canary_requests > 0)
		j.canary_rate_frac = (double)c->canary_errors /
				     (double)c->canary_requests;
	if (c->baseline_requests > 0)
		j.baseline_rate_frac = (double)c->baseline_errors /
				       (double)c->baseline_requests;
	if (enough_requests(c, 1)) {
		eng_two_prop_ztest(c, &j.z, &j.p_z);
		eng_cond_binom_test(c, &j.p_exact);
		j.exact = min_expected_count(c) < MIN_EXPECTED_COUNT;
		j.p = j.exact ? j.p_exact : j.p_z;
	}
	if (enough_requests(c, cfg->min_requests) && !no_contrast(c))
		j.result = j.p < cfg->alpha ? ENG_RESULT_FAIL : ENG_RESULT_PASS;
	*out = j;
	return ENG_OK;
}

static bool hist_valid(const struct eng_latency_hist *h)
{
	if (h->nbins == 0 || h->bin_ms == NULL || h->canary == NULL ||
	    h->baseline == NULL)
		return false;
	if (!(h->bin_ms[0] > 0.0))
		return false;
	for (size_t i = 1; i < h->nbins; i++)
		if (!(h->bin_ms[i] > h->bin_ms[i - 1]))
			return false;
	return true;
}

/* Value of the first bin where the cumulative count reaches n/2; n > 0. */
static double hist_median_ms(const double *bin_ms, const uint64_t *count,
			     size_t nbins, uint64_t n)
{
	uint64_t cum = 0;

	for (size_t i = 0; i < nbins; i++) {
		cum += count[i];
		if (cum >= n - cum)
			return bin_ms[i];
	}
	return bin_ms[nbins - 1];
}

/* U, n1 n2 and the tie sum over shared bins, in one pass. Pairs within a
 * bin are ties; a canary request beats every baseline request in a lower
 * bin. */
static void mann_whitney(const struct eng_latency_hist *h,
			 struct eng_latency_judgement *j)
{
	double below = 0.0;       /* baseline requests in lower bins */
	double u = 0.0, ties = 0.0, n1 = 0.0, n2 = 0.0, n, pairs;

	for (size_t i = 0; i < h->nbins; i++) {
		double c1 = (double)h->canary[i], c2 = (double)h->baseline[i];
		double t = c1 + c2;

		u += c1 * (below + 0.5 * c2);
		ties += (t - 1.0) * t * (t + 1.0);
		below += c2;
		n1 += c1;
		n2 += c2;
	}
	n = n1 + n2;
	pairs = n1 * n2;
	j->u = u;
	j->mean_u = pairs / 2.0;
	j->var_u = pairs / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)));
	if (j->var_u > 0.0) {
		j->z = (u - j->mean_u - 0.5) / sqrt(j->var_u);
		j->p = gsl_cdf_ugaussian_Q(j->z);
	} else {
		j->var_u = 0.0;   /* all in one bin: exactly 0, whatever rounding said */
		j->z = 0.0;
		j->p = 1.0;
	}
	j->cles = u / pairs;
}

enum eng_status eng_judge_latency(const struct eng_latency_config *cfg,
				  const struct eng_latency_hist *h,
				  struct eng_latency_judgement *out)
{
	struct eng_latency_judgement j = {
		.result = ENG_RESULT_INCONCLUSIVE,
		.u = NAN, .mean_u = NAN, .var_u = NAN, .z = NAN, .p = NAN,
		.canary_p50_ms = NAN, .baseline_p50_ms = NAN,
		.median_ratio = NAN, .cles = NAN, .effect = NAN,
	};
	uint64_t n1 = 0, n2 = 0;

	if (!alpha_valid(cfg->alpha) || !hist_valid(h))
		return ENG_EINVAL;
	for (size_t i = 0; i < h->nbins; i++) {
		n1 += h->canary[i];
		n2 += h->baseline[i];
	}
	j.canary_requests = n1;
	j.baseline_requests = n2;
	if (n1 > 0)
		j.canary_p50_ms = hist_median_ms(h->bin_ms, h->canary, h->nbins, n1);
	if (n2 > 0)
		j.baseline_p50_ms = hist_median_ms(h->bin_ms, h->baseline, h->nbins, n2);
	if (n1 > 0 && n2 > 0) {
		mann_whitney(h, &j);
		j.median_ratio = j.canary_p50_ms / j.baseline_p50_ms;
		j.effect = cfg->measure == ENG_EFFECT_CLES ? j.cles : j.median_ratio;
		if (n1 >= cfg->min_requests && n2 >= cfg->min_requests)
			j.result = j.p < cfg->alpha && j.effect > cfg->effect_max ?
				   ENG_RESULT_FAIL : ENG_RESULT_PASS;
	}
	*out = j;
	return ENG_OK;
}

/* log Lambda, so that a large exponent does not overflow on the way. */
static double msprt_log_lambda(double d, double v, double tau2)
{
	return 0.5 * log(v / (v + tau2)) +
	       tau2 * d * d / (2.0 * v * (v + tau2));
}

double eng_msprt_lambda(double d, double v, double tau2)
{
	if (!(v > 0.0) || !(tau2 > 0.0))
		return NAN;
	return exp(msprt_log_lambda(d, v, tau2));
}

void eng_msprt_init(struct eng_msprt_state *st)
{
	memset(st, 0, sizeof(*st));
	st->p = 1.0;
}

static bool counts_monotone(const struct eng_error_counts *last,
			    const struct eng_error_counts *c)
{
	return c->canary_errors >= last->canary_errors &&
	       c->canary_requests >= last->canary_requests &&
	       c->baseline_errors >= last->baseline_errors &&
	       c->baseline_requests >= last->baseline_requests;
}

enum eng_status eng_msprt_look(const struct eng_msprt_config *cfg,
			       struct eng_msprt_state *st,
			       const struct eng_error_counts *c,
			       struct eng_msprt_judgement *out)
{
	struct eng_msprt_judgement j = {
		.result = ENG_RESULT_INCONCLUSIVE,
		.diff_frac = NAN, .var_frac2 = NAN, .lambda = NAN, .p = st->p,
	};

	if (!alpha_valid(cfg->alpha) || !(cfg->tau2_frac2 > 0.0) ||
	    !counts_valid(c) || !counts_monotone(&st->last, c))
		return ENG_EINVAL;
	if (enough_requests(c, 1)) {
		j.diff_frac = rate_diff(c);
		j.var_frac2 = pooled_var(c);
		j.lambda = eng_msprt_lambda(j.diff_frac, j.var_frac2,
					    cfg->tau2_frac2);
	}
	if (enough_requests(c, cfg->min_requests) && !no_contrast(c)) {
		/* var_frac2 > 0 here: some failures, not all. */
		if (j.diff_frac > 0.0) {
			double p_now = exp(-msprt_log_lambda(j.diff_frac,
							     j.var_frac2,
							     cfg->tau2_frac2));

			j.p = fmin(st->p, p_now);
		}
		st->p = j.p;
		st->looks++;
		st->last = *c;
		j.result = j.p < cfg->alpha ? ENG_RESULT_FAIL : ENG_RESULT_PASS;
	}
	*out = j;
	return ENG_OK;
}
