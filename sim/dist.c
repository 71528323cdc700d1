#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "sim/dist.h"

static const char *const dist_names[] = {
#define SIM_DIST_STR(name, str) [name] = str,
	SIM_DIST_LIST(SIM_DIST_STR)
#undef SIM_DIST_STR
};

const char *sim_dist_name(enum sim_dist_kind k)
{
	if ((unsigned)k < SIM_NDISTS)
		return dist_names[k];
	return "unknown";
}

bool sim_dist_parse(const char *name, enum sim_dist_kind *out)
{
	for (unsigned i = 0; i < SIM_NDISTS; i++) {
		if (strcmp(name, dist_names[i]) == 0) {
			*out = (enum sim_dist_kind)i;
			return true;
		}
	}
	return false;
}

/* The component whose cumulative weight first exceeds u. */
static const struct sim_dist *pick(const struct sim_dist *d, double u)
{
	size_t lo = 0, hi = d->ncomponents - 1;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (u < d->cum_weights[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return &d->components[lo];
}

double sim_dist_sample_ms(const struct sim_dist *d, gsl_rng *r)
{
	switch (d->kind) {
	case SIM_DIST_CONSTANT:
		return d->value_ms;
	case SIM_DIST_EXPONENTIAL:
		return gsl_ran_exponential(r, d->mean_ms); /* GSL takes the mean */
	case SIM_DIST_LOGNORMAL:
		/* exp of a normal: GSL's ziggurat normal (Marsaglia and Tsang
		 * 2000) is cheaper than the polar method gsl_ran_lognormal uses */
		return d->median_ms * exp(d->sigma * gsl_ran_gaussian_ziggurat(r, 1.0));
	case SIM_DIST_GAMMA:
		return gsl_ran_gamma(r, d->shape, d->scale_ms);
	case SIM_DIST_WEIBULL:
		return gsl_ran_weibull(r, d->scale_ms, d->shape); /* (scale, shape) */
	case SIM_DIST_PARETO:
		return gsl_ran_pareto(r, d->shape, d->scale_ms);  /* (shape, scale) */
	case SIM_DIST_MIXTURE:
		return sim_dist_sample_ms(pick(d, gsl_rng_uniform(r)), r);
	case SIM_DIST_EMPIRICAL:
		return d->samples[gsl_rng_uniform_int(r, d->nsamples)];
	case SIM_NDISTS:
		break;
	}
	return NAN;
}

double sim_dist_mean_ms(const struct sim_dist *d)
{
	double m = 0.0, prev = 0.0;

	switch (d->kind) {
	case SIM_DIST_CONSTANT:
		return d->value_ms;
	case SIM_DIST_EXPONENTIAL:
		return d->mean_ms;
	case SIM_DIST_LOGNORMAL:
		return d->median_ms * exp(d->sigma * d->sigma / 2.0);
	case SIM_DIST_GAMMA:
		return d->shape * d->scale_ms;
	case SIM_DIST_WEIBULL:
		return d->scale_ms * tgamma(1.0 + 1.0 / d->shape);
	case SIM_DIST_PARETO:
		return d->shape > 1.0 ? d->shape * d->scale_ms / (d->shape - 1.0)
				      : INFINITY;
	case SIM_DIST_MIXTURE:
		for (size_t i = 0; i < d->ncomponents; i++) {
			m += (d->cum_weights[i] - prev) *
			     sim_dist_mean_ms(&d->components[i]);
			prev = d->cum_weights[i];
		}
		return m;
	case SIM_DIST_EMPIRICAL:
		for (size_t i = 0; i < d->nsamples; i++)
			m += d->samples[i];
		return m / (double)d->nsamples;
	case SIM_NDISTS:
		break;
	}
	return NAN;
}

/* Number of samples <= x in the sorted array. */
static size_t count_le(const double *s, size_t n, double x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

double sim_dist_cdf(const struct sim_dist *d, double x)
{
	double p = 0.0, prev = 0.0;

	switch (d->kind) {
	case SIM_DIST_CONSTANT:
		return x >= d->value_ms ? 1.0 : 0.0;
	case SIM_DIST_EXPONENTIAL:
		return gsl_cdf_exponential_P(x, d->mean_ms);
	case SIM_DIST_LOGNORMAL:
		return x <= 0.0 ? 0.0 : gsl_cdf_lognormal_P(x, log(d->median_ms), d->sigma);
	case SIM_DIST_GAMMA:
		return gsl_cdf_gamma_P(x, d->shape, d->scale_ms);
	case SIM_DIST_WEIBULL:
		return gsl_cdf_weibull_P(x, d->scale_ms, d->shape);
	case SIM_DIST_PARETO:
		return gsl_cdf_pareto_P(x, d->shape, d->scale_ms);
	case SIM_DIST_MIXTURE:
		for (size_t i = 0; i < d->ncomponents; i++) {
			p += (d->cum_weights[i] - prev) *
			     sim_dist_cdf(&d->components[i], x);
			prev = d->cum_weights[i];
		}
		return p;
	case SIM_DIST_EMPIRICAL:
		return (double)count_le(d->samples, d->nsamples, x) /
		       (double)d->nsamples;
	case SIM_NDISTS:
		break;
	}
	return NAN;
}

/* Bisection on the CDF, for distributions without a closed-form inverse;
 * 200 halvings of a bracket found by doubling reach double precision. */
static double quantile_by_bisection(const struct sim_dist *d, double q)
{
	double lo = 0.0, hi = 1.0;

	for (int i = 0; i < 2000 && sim_dist_cdf(d, hi) < q; i++)
		hi *= 2.0;
	for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
		double mid = 0.5 * (lo + hi);

		if (sim_dist_cdf(d, mid) < q)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

double sim_dist_quantile_ms(const struct sim_dist *d, double q)
{
	size_t k;

	switch (d->kind) {
	case SIM_DIST_CONSTANT:
		return d->value_ms;
	case SIM_DIST_EXPONENTIAL:
		return gsl_cdf_exponential_Pinv(q, d->mean_ms);
	case SIM_DIST_LOGNORMAL:
		return gsl_cdf_lognormal_Pinv(q, log(d->median_ms), d->sigma);
	case SIM_DIST_GAMMA:
		return gsl_cdf_gamma_Pinv(q, d->shape, d->scale_ms);
	case SIM_DIST_WEIBULL:
		return gsl_cdf_weibull_Pinv(q, d->scale_ms, d->shape);
	case SIM_DIST_PARETO:
		return gsl_cdf_pareto_Pinv(q, d->shape, d->scale_ms);
	case SIM_DIST_MIXTURE:
		return quantile_by_bisection(d, q);
	case SIM_DIST_EMPIRICAL:
		if (d->nsamples == 0)
			return NAN;
		k = (size_t)ceil(q * (double)d->nsamples - 1e-9);
		return d->samples[k > 0 ? k - 1 : 0];
	case SIM_NDISTS:
		break;
	}
	return NAN;
}

void sim_dist_lognormal_from_quantiles(double q1, double v1_ms, double q2,
				       double v2_ms, struct sim_dist *out)
{
	double z1 = gsl_cdf_ugaussian_Pinv(q1), z2 = gsl_cdf_ugaussian_Pinv(q2);

	memset(out, 0, sizeof(*out));
	out->kind = SIM_DIST_LOGNORMAL;
	out->sigma = (log(v2_ms) - log(v1_ms)) / (z2 - z1);
	out->median_ms = exp(log(v1_ms) - out->sigma * z1);
}
