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

double sim_dist_sample_ms(const struct sim_dist *d, gsl_rng *r)
{
	switch (d->kind) {
	case SIM_DIST_CONSTANT:
		return d->value_ms;
	case SIM_DIST_EXPONENTIAL:
		return gsl_ran_exponential(r, d->mean_ms); /* GSL takes the mean */
	case SIM_DIST_LOGNORMAL:
		return gsl_ran_lognormal(r, log(d->median_ms), d->sigma);
	case SIM_NDISTS:
		break;
	}
	return NAN;
}

double sim_dist_mean_ms(const struct sim_dist *d)
{
	switch (d->kind) {
	case SIM_DIST_CONSTANT:
		return d->value_ms;
	case SIM_DIST_EXPONENTIAL:
		return d->mean_ms;
	case SIM_DIST_LOGNORMAL:
		return d->median_ms * exp(d->sigma * d->sigma / 2.0);
	case SIM_NDISTS:
		break;
	}
	return NAN;
}

double sim_dist_quantile_ms(const struct sim_dist *d, double q)
{
	switch (d->kind) {
	case SIM_DIST_CONSTANT:
		return d->value_ms;
	case SIM_DIST_EXPONENTIAL:
		return gsl_cdf_exponential_Pinv(q, d->mean_ms);
	case SIM_DIST_LOGNORMAL:
		return gsl_cdf_lognormal_Pinv(q, log(d->median_ms), d->sigma);
	case SIM_NDISTS:
		break;
	}
	return NAN;
}
