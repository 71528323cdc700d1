/* Random variates the window-level world draws for every window, where
 * their cost sets the speed of a large sweep: an exact Poisson sampler for
 * large means, binomial draws of a probability fixed for many draws, and
 * the joint order statistics of a uniform sample. The
 * underlying draws are GSL's; this module adds only what GSL lacks or
 * makes slow. It knows nothing of windows or versions. */
#ifndef SIM_VARIATES_H
#define SIM_VARIATES_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

/* The largest mean sim_ran_poisson() accepts: counts stay far below
 * UINT_MAX. */
#define SIM_POISSON_MAX_MEAN 1e9

/* A Poisson(mu) count, 0 <= mu <= SIM_POISSON_MAX_MEAN. Below mean 10 it
 * is GSL's gsl_ran_poisson; from 10 up, Hoermann's PTRS, an exact
 * transformed-rejection method that takes two uniforms per try and accepts
 * about 9 tries in 10 without a logarithm, where GSL's recursive method
 * costs about eight times as much at mean 2,000. */
unsigned int sim_ran_poisson(gsl_rng *r, double mu);

/* A Poisson mean prepared for many draws: PTRS's constants (a square
 * root, two divisions and two logarithms) computed once, for a window
 * length that comes back window after window. */
struct sim_poisson {
	double mu;
	double a, b, vr, loglam, log_inv_alpha; /* PTRS's, from mean 10 */
};

/* Prepares p for mean mu, 0 <= mu <= SIM_POISSON_MAX_MEAN. */
void sim_poisson_init(struct sim_poisson *p, double mu);
/* A Poisson(p->mu) count: sim_ran_poisson(r, p->mu), the same draw. */
unsigned int sim_poisson_draw(const struct sim_poisson *p, gsl_rng *r);

/* Below this mean (of the rarer outcome) sim_binomial_draw() inverts the
 * CDF; from it up it is GSL's gsl_ran_binomial() (BTPE), as GSL itself
 * switches. */
#define SIM_BINOMIAL_INVERSION_MAX_MEAN 14.0

/* A binomial success probability prepared for many draws: a window's
 * error or timeout probability, the same every window. */
struct sim_binomial {
	double p;                 /* 0..1 */
	double pm;                /* the rarer outcome's: min(p, 1 - p) */
	double log_qm;            /* log(1 - pm) */
	double odds;              /* pm / (1 - pm) */
};

/* Prepares b for probability p, 0 <= p <= 1. */
void sim_binomial_init(struct sim_binomial *b, double p);

/* A Binomial(n, b->p) count. Where n pm is small (a window's errors) it
 * inverts the CDF from 0, P(0) = exp(n log(1 - pm)) from the prepared log
 * and each next term by the recurrence P(k) = P(k - 1) odds (n - k + 1) / k
 * with 1 / k from a table: exact, as GSL's own inversion is, but without
 * its per-draw power (1 - pm)^n by squaring and a division at every step,
 * which made binomial draws the largest cost of a window-level run. Other
 * draws are GSL's. */
unsigned int sim_binomial_draw(const struct sim_binomial *b, gsl_rng *r, unsigned int n);

/* Draws the order statistics U_(ranks[0]), ..., U_(ranks[m-1]) of n
 * uniforms on (0, 1), jointly, into out[0..m-1], in the order given: each
 * rank is drawn given the nearest ranks drawn before it, below and above.
 * The values of the first j ranks are therefore the same whatever ranks
 * follow, so a caller that needs fewer draws fewer and changes none of
 * them. ranks are within 1..n, in any order; equal ranks get one value.
 * Costs two gamma draws per new rank (a power of a uniform when the rank
 * has no gap on one side), whatever n is. */
void sim_uniform_order_stats(gsl_rng *r, uint64_t n, const uint64_t *ranks,
			     size_t m, double *out);

#endif
