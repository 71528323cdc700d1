/* Service-time distributions: a kind and its parameters, sampled with GSL.
 * Parameters and samples are in milliseconds. A mixture's components and an
 * empirical distribution's samples are borrowed: whoever built the struct
 * (the scenario loader) owns them and must outlive every user. */
#ifndef SIM_DIST_H
#define SIM_DIST_H

#include <stdbool.h>
#include <stddef.h>

#include <gsl/gsl_rng.h>

#define SIM_DIST_LIST(X)                              \
	X(SIM_DIST_CONSTANT, "constant")              \
	X(SIM_DIST_EXPONENTIAL, "exponential")        \
	X(SIM_DIST_LOGNORMAL, "lognormal")            \
	X(SIM_DIST_GAMMA, "gamma")                    \
	X(SIM_DIST_WEIBULL, "weibull")                \
	X(SIM_DIST_PARETO, "pareto")                  \
	X(SIM_DIST_MIXTURE, "mixture")                \
	X(SIM_DIST_EMPIRICAL, "empirical")

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
	double shape;             /* gamma k, Weibull k, Pareto alpha; dimensionless */
	double scale_ms;          /* gamma theta, Weibull lambda, Pareto x_m; ms */
	const struct sim_dist *components; /* mixture: borrowed, ncomponents */
	const double *cum_weights; /* mixture: cumulative weights, last is 1; borrowed */
	size_t ncomponents;
	const double *samples;    /* empirical: sorted ascending, ms; borrowed */
	size_t nsamples;
};

const char *sim_dist_name(enum sim_dist_kind k);
/* False when no distribution has that name. */
bool sim_dist_parse(const char *name, enum sim_dist_kind *out);

/* Draws one sample, ms. Uses one or two draws of r. */
double sim_dist_sample_ms(const struct sim_dist *d, gsl_rng *r);
/* The distribution's mean, ms; INFINITY for a Pareto with shape <= 1. */
double sim_dist_mean_ms(const struct sim_dist *d);
/* P(X <= x_ms). */
double sim_dist_cdf(const struct sim_dist *d, double x_ms);
/* The q-quantile, 0 < q < 1, ms (the nearest-rank sample for empirical;
 * by bisection on the CDF for a mixture). */
double sim_dist_quantile_ms(const struct sim_dist *d, double q);

/* The lognormal through two quantiles: P(X <= v1) = q1, P(X <= v2) = q2,
 * with q1 < q2 and v1 < v2. sigma = (ln v2 - ln v1) / (z2 - z1) and
 * median = exp(ln v1 - sigma z1), z = the standard normal quantile. */
void sim_dist_lognormal_from_quantiles(double q1, double v1_ms, double q2,
				       double v2_ms, struct sim_dist *out);

#endif
