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

void sim_poisson_init(struct sim_poisson *p, double mu)
{
	assert(mu >= 0.0 && mu <= SIM_POISSON_MAX_MEAN);
	p->mu = mu;
	if (mu < PTRS_MIN_MEAN)
		return;
	p->b = 0.931 + 2.53 * sqrt(mu);
	p->a = -0.059 + 0.02483 * p->b;
	p->vr = 0.9277 - 3.6224 / (p->b - 2.0);
	p->loglam = log(mu);
	p->log_inv_alpha = log(1.1239 + 1.1328 / (p->b - 3.4));
}

/* PTRS: W. Hoermann, "The transformed rejection method for generating
 * Poisson random variables", Insurance: Mathematics and Economics 12
 * (1993) 39-45, algorithm PTRS with its constants. The hat is a
 * transformed Cauchy-like density; a try is accepted at once inside the
 * box us >= 0.07, v <= v_r, and otherwise by comparing with the exact
 * log-probability -mu + k log mu - log k! (GSL's log k!, a table up to
 * 170: lgamma() sets the global signgam, a data race in a threaded study). */
static unsigned int poisson_ptrs(const struct sim_poisson *p, gsl_rng *r)
{
	double mu = p->mu, a = p->a, b = p->b;

	for (;;) {
		/* uniform_pos keeps us > 0 and v > 0 */
		double u = gsl_rng_uniform_pos(r) - 0.5;
		double v = gsl_rng_uniform_pos(r);
		double us = 0.5 - fabs(u);
		double k = floor((2.0 * a / us + b) * u + mu + 0.43);

		if (us >= 0.07 && v <= p->vr)
			return (unsigned int)k;
		if (k < 0.0 || (us < 0.013 && v > us))
			continue;
		if (log(v) + p->log_inv_alpha - log(a / (us * us) + b) <=
		    -mu + k * p->loglam - gsl_sf_lnfact((unsigned int)k))
			return (unsigned int)k;
	}
}

unsigned int sim_poisson_draw(const struct sim_poisson *p, gsl_rng *r)
{
	if (p->mu < PTRS_MIN_MEAN)
		return p->mu > 0.0 ? gsl_ran_poisson(r, p->mu) : 0;
	return poisson_ptrs(p, r);
}

unsigned int sim_ran_poisson(gsl_rng *r, double mu)
{
	struct sim_poisson p;

	sim_poisson_init(&p, mu);
	return sim_poisson_draw(&p, r);
}

void sim_binomial_init(struct sim_binomial *b, double p)
{
	assert(p >= 0.0 && p <= 1.0);
	b->p = p;
	b->pm = p <= 0.5 ? p : 1.0 - p;
	b->log_qm = log1p(-b->pm);
	b->odds = b->pm / (1.0 - b->pm);
}

/* 1 / k for k = 1..INV_TABLE - 1 (index 0 unused), constant expressions */
#define INV_TABLE 65
#define INV4(k) 1.0 / (k), 1.0 / ((k) + 1), 1.0 / ((k) + 2), 1.0 / ((k) + 3)
#define INV16(k) INV4(k), INV4((k) + 4), INV4((k) + 8), INV4((k) + 12)
static const double inv_k[INV_TABLE] = { 0.0, INV16(1), INV16(17), INV16(33), INV16(49) };

/* Terms a search walks before it starts again with a new uniform: below
 * mean 14 a count passes 110 with a probability far below the terms'
 * rounding (Poisson tail at mean 14, P(X > 110) < 1e-60), so the restart,
 * as GSL's inversion has one, only guards against rounding. */
#define INV_MAX_K 110u

unsigned int sim_binomial_draw(const struct sim_binomial *b, gsl_rng *r, unsigned int n)
{
	double f0;

	if (n == 0 || b->pm == 0.0)
		return b->p > 0.5 ? n : 0;
	if ((double)n * b->pm >= SIM_BINOMIAL_INVERSION_MAX_MEAN)
		return gsl_ran_binomial(r, b->p, n);
	f0 = exp((double)n * b->log_qm); /* P(0) = (1 - pm)^n */
	for (;;) {
		double u = gsl_rng_uniform(r), f = f0;
		unsigned int k = 0;

		while (u >= f && k < INV_MAX_K && k < n) { /* X = k when u < P(k) */
			u -= f;
			k++;
			f *= b->odds * (double)(n - k + 1) *
			     (k < INV_TABLE ? inv_k[k] : 1.0 / (double)k);
		}
		if (u < f)
			return b->p > 0.5 ? n - k : k;
	}
}

/* A Beta(a, b) variate of whole a, b >= 1: a power of a uniform when
 * either is 1 (Beta(a, 1) has CDF x^a), else X / (X + Y) with X, Y
 * independent Gamma(a, 1) and Gamma(b, 1) (Devroye 1986, ch. IX, sec. 4). */
static double beta_whole(gsl_rng *r, uint64_t a, uint64_t b)
{
	double x, y;

	if (b == 1)
		return a == 1 ? gsl_rng_uniform_pos(r) : pow(gsl_rng_uniform_pos(r), 1.0 / (double)a);
	if (a == 1)
		return 1.0 - pow(gsl_rng_uniform_pos(r), 1.0 / (double)b);
	x = gsl_ran_gamma(r, (double)a, 1.0);
	y = gsl_ran_gamma(r, (double)b, 1.0);
	return x / (x + y);
}

/* The uniform order statistics are a Markov chain: given U_(a) = x and
 * U_(b) = y, a < b, the b - a - 1 between them are independent uniforms
 * on (x, y) (David and Nagaraja, Order Statistics, 2003, sec. 2.5), so
 * U_(k), a < k < b, is x + (y - x) B with B ~ Beta(k - a, b - k). With
 * a = 0, x = 0 and b = n + 1, y = 1 when nothing is drawn on a side, the
 * first rank is Beta(k, n + 1 - k), its marginal. */
void sim_uniform_order_stats(gsl_rng *r, uint64_t n, const uint64_t *ranks,
			     size_t m, double *out)
{
	for (size_t i = 0; i < m; i++) {
		uint64_t k = ranks[i], a = 0, b = n + 1;
		double x = 0.0, y = 1.0;
		size_t same = i;

		assert(k >= 1 && k <= n);
		for (size_t j = 0; j < i; j++) {
			if (ranks[j] == k)
				same = j;
			else if (ranks[j] < k && ranks[j] >= a)
				a = ranks[j], x = out[j];
			else if (ranks[j] > k && ranks[j] <= b)
				b = ranks[j], y = out[j];
		}
		out[i] = same < i ? out[same] : x + (y - x) * beta_whole(r, k - a, b - k);
	}
}
