#include <assert.h>
#include <math.h>

/* GSL's inline generator calls (gsl_rng.h): PTRS makes two per try, and
 * the call through the library costs as much as the rest of the try. */
#define HAVE_INLINE 1
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_gamma.h>

#include "sim/variates.h"

#define PTRS_MIN_MEAN 10.0        /* PTRS is valid from mean 10 up */

/* PTRS: W. Hoermann, "The transformed rejection method for generating
 * Poisson random variables", Insurance: Mathematics and Economics 12
 * (1993) 39-45, algorithm PTRS with its constants. The hat is a
 * transformed Cauchy-like density; a try is accepted at once inside the
 * box us >= 0.07, v <= v_r, and otherwise by comparing with the exact
 * log-probability -mu + k log mu - log k! (GSL's log k!, a table up to
 * 170: lgamma() sets the global signgam, a data race in a threaded study). */
static unsigned int poisson_ptrs(gsl_rng *r, double mu)
{
	double slam = sqrt(mu), loglam = log(mu);
	double b = 0.931 + 2.53 * slam;
	double a = -0.059 + 0.02483 * b;
	double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
	double vr = 0.9277 - 3.6224 / (b - 2.0);

	for (;;) {
		/* uniform_pos keeps us > 0 and v > 0 */
		double u = gsl_rng_uniform_pos(r) - 0.5;
		double v = gsl_rng_uniform_pos(r);
		double us = 0.5 - fabs(u);
		double k = floor((2.0 * a / us + b) * u + mu + 0.43);

		if (us >= 0.07 && v <= vr)
			return (unsigned int)k;
		if (k < 0.0 || (us < 0.013 && v > us))
			continue;
		if (log(v) + log(inv_alpha) - log(a / (us * us) + b) <=
		    -mu + k * loglam - gsl_sf_lnfact((unsigned int)k))
			return (unsigned int)k;
	}
}

unsigned int sim_ran_poisson(gsl_rng *r, double mu)
{
	assert(mu >= 0.0 && mu <= SIM_POISSON_MAX_MEAN);
	if (mu < PTRS_MIN_MEAN)
		return mu > 0.0 ? gsl_ran_poisson(r, mu) : 0;
	return poisson_ptrs(r, mu);
}

/* Uniform order statistics from exponential spacings: with E_1..E_{n+1}
 * independent Exp(1) and S_j = E_1 + ... + E_j, the vector
 * (S_1, ..., S_n) / S_{n+1} is distributed as the order statistics of n
 * uniforms (Devroye, Non-Uniform Random Variate Generation, 1986,
 * ch. V, sec. 2). A sum of j exponentials is Gamma(j, 1), so only the gaps
 * between the wanted ranks, and the gap from the last one to n + 1, need
 * drawing. */
void sim_uniform_order_stats(gsl_rng *r, uint64_t n, const uint64_t *ranks,
			     size_t m, double *out)
{
	uint64_t prev = 0;
	double s = 0.0, total;

	for (size_t i = 0; i < m; i++) {
		uint64_t k = ranks[i];

		assert(k >= 1 && k <= n && k >= prev);
		if (k > prev) {
			uint64_t gap = k - prev;

			s += gap == 1 ? gsl_ran_exponential(r, 1.0) :
				gsl_ran_gamma(r, (double)gap, 1.0);
			prev = k;
		}
		out[i] = s;
	}
	total = s + (n + 1 - prev == 1 ? gsl_ran_exponential(r, 1.0) :
		     gsl_ran_gamma(r, (double)(n + 1 - prev), 1.0));
	for (size_t i = 0; i < m; i++)
		out[i] /= total;
}
