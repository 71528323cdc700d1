/* Service-time distributions: a kind and its parameters, sampled with GSL.
 * Parameters are in milliseconds; samples are in milliseconds. */
#ifndef SIM_DIST_H
#define SIM_DIST_H

#include <stdbool.h>

#include <gsl/gsl_rng.h>

#define SIM_DIST_LIST(X)                              \
	X(SIM_DIST_CONSTANT, "constant")              \
	X(SIM_DIST_EXPONENTIAL, "exponential")        \
	X(SIM_DIST_LOGNORMAL, "lognormal")

enum sim_dist_kind {
#define SIM_DIST_ENUM(name, str) name,
	SIM_DIST_LIST(SIM_DIST_ENUM)
#undef SIM_DIST_ENUM
	SIM_NDISTS
};

struct sim_dist {
	enum sim_dist_kind kind;
	double value_ms;          /* constant: the value, ms */
	double mean_ms;           /* exponential: the mean, ms */
	double median_ms;         /* lognormal: the median exp(mu), ms */
	double sigma;             /* lognormal: sd of the log, dimensionless */
};

const char *sim_dist_name(enum sim_dist_kind k);
/* False when no distribution has that name. */
bool sim_dist_parse(const char *name, enum sim_dist_kind *out);

/* Draws one sample, ms. */
double sim_dist_sample_ms(const struct sim_dist *d, gsl_rng *r);
/* The distribution's mean, ms (lognormal: median * exp(sigma^2 / 2)). */
double sim_dist_mean_ms(const struct sim_dist *d);
/* The q-quantile, 0 < q < 1, ms. */
double sim_dist_quantile_ms(const struct sim_dist *d, double q);

#endif
