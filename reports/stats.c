/* Interval estimates for study reports: see reports/stats.h. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "reports/stats.h"

#define RPT_Z95 1.959963984540054 /* standard normal 97.5% quantile */

/* Centre (k + z^2/2) / (n + z^2), half-width
 * z / (n + z^2) * sqrt(k (n - k) / n + z^2 / 4) (Wilson 1927). At k == 0
 * and k == n the bound at the edge is 0 or 1 in exact arithmetic; it is
 * set so, and every bound is clamped to 0..1 against rounding. */
struct rpt_interval rpt_wilson(uint64_t k, uint64_t n)
{
	struct rpt_interval r;
	double z2 = RPT_Z95 * RPT_Z95, dk, dn, denom, centre, half;

	assert(k <= n);
	if (n == 0) {
		r.est = r.lo = r.hi = NAN;
		return r;
	}
	dk = (double)k;
	dn = (double)n;
	denom = dn + z2;
	centre = (dk + z2 / 2.0) / denom;
	half = RPT_Z95 / denom * sqrt(dk * (double)(n - k) / dn + z2 / 4.0);
	r.est = dk / dn;
	r.lo = k == 0 ? 0.0 : fmax(0.0, centre - half);
	r.hi = k == n ? 1.0 : fmin(1.0, centre + half);
	return r;
}

/* Type 7 between the order statistics a = x(i) and b = x(i + 1) at
 * h = i + d: a + d (b - a), written so that d == 0 or a == b gives a bit
 * for bit. */
static double type7(double a, double b, double d)
{
	if (d == 0.0 || a == b)
		return a;
	return a + d * (b - a);
}

/* Type 7: h = (n - 1) q, x[floor h] + (h - floor h)(x[floor h + 1] -
 * x[floor h]) (Hyndman and Fan, Am. Stat. 50, 1996). The same value as
 * gsl_stats_quantile_from_sorted_data, but written as a + d (b - a) so
 * that equal order statistics give their value bit for bit. */
double rpt_quantile_sorted(const double *sorted, size_t n, double q)
{
	double h;
	size_t i;

	assert(q >= 0.0 && q <= 1.0);
	if (n == 0)
		return NAN;
	h = (double)(n - 1) * q;
	i = (size_t)h;
	if (i >= n - 1)
		return sorted[n - 1];
	return type7(sorted[i], sorted[i + 1], h - (double)i);
}

static double stat_q(enum rpt_stat stat)
{
	switch (stat) {
	case RPT_STAT_MEAN:
		break;
	case RPT_STAT_MEDIAN:
		return 0.5;
	case RPT_STAT_P90:
		return 0.9;
	case RPT_STAT_P99:
		return 0.99;
	}
	assert(stat == RPT_STAT_MEAN);
	return NAN;
}

/* A resample for the quantiles, kept as counts rather than sorted: the
 * data sorted once (sorted[k]), each datum's place in that order (rank[j]
 * of x[j]) and how often the resample drew each place (count[k]). The
 * resample sorted is sorted[k] repeated count[k] times, so its order
 * statistics are read off by counting, in O(n) rather than a sort's
 * O(n log n), and are the same values a sort would give: tied data are
 * equal, whichever of them a place holds. */
struct counted {
	double *sorted;
	uint32_t *rank;
	uint32_t *count;
};

static int counted_init(struct counted *c, const double *x, size_t n)
{
	size_t *perm = malloc(n * sizeof(*perm));

	c->sorted = malloc(n * sizeof(*c->sorted));
	c->rank = malloc(n * sizeof(*c->rank));
	c->count = malloc(n * sizeof(*c->count));
	if (perm == NULL || c->sorted == NULL || c->rank == NULL || c->count == NULL) {
		free(perm);
		free(c->sorted);
		free(c->rank);
		free(c->count);
		return -1;
	}
	gsl_sort_index(perm, x, 1, n);
	for (size_t k = 0; k < n; k++) {
		c->sorted[k] = x[perm[k]];
		c->rank[perm[k]] = (uint32_t)k;
	}
	free(perm);
	return 0;
}

static void counted_free(struct counted *c)
{
	free(c->sorted);
	free(c->rank);
	free(c->count);
}

/* The value at place p (0-based) of the resample sorted, searching up
 * from place k0 whose first copy is place *seen; moves k0 and *seen on. */
static double place_value(const struct counted *c, size_t *k0, size_t *seen, size_t p)
{
	size_t k = *k0;

	while (*seen + c->count[k] <= p)
		*seen += c->count[k++];
	*k0 = k;
	return c->sorted[k];
}

/* Quantile q of the counted resample of n, as rpt_quantile_sorted of it
 * sorted would give it. */
static double counted_quantile(const struct counted *c, size_t n, double q)
{
	double h = (double)(n - 1) * q, a, b;
	size_t i = (size_t)h, k = 0, seen = 0;

	if (i >= n - 1)
		i = n - 1;
	a = place_value(c, &k, &seen, i);
	if (i == n - 1)
		return a;
	b = place_value(c, &k, &seen, i + 1);
	return type7(a, b, h - (double)i);
}

int rpt_bootstrap(const double *x, size_t n, enum rpt_stat stat, unsigned B,
		  uint64_t seed, struct rpt_interval *out)
{
	struct rpt_interval r;
	struct counted c = { NULL, NULL, NULL };
	double *buf = NULL, *stats;
	gsl_rng *rng;
	int ret = -1;

	assert(B >= 1);
	assert(n <= 0xffffffffu);
	if (n == 0) {
		out->est = out->lo = out->hi = NAN;
		return 0;
	}
	if (n == 1) {
		out->est = out->lo = out->hi = x[0];
		return 0;
	}
	/* the mean needs each resample in draw order (it is summed in that
	 * order); a quantile only its counts */
	if (stat == RPT_STAT_MEAN ? (buf = malloc(n * sizeof(*buf))) == NULL
				  : counted_init(&c, x, n) != 0)
		goto out;
	stats = malloc((size_t)B * sizeof(*stats));
	if (stats == NULL)
		goto out_free_buf;
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (rng == NULL)
		goto out_free_stats;
	gsl_rng_set(rng, (unsigned long)(uint32_t)(seed ^ (seed >> 32)));

	/* the mean is taken in x's own order, so that it is the plain mean */
	if (stat == RPT_STAT_MEAN)
		r.est = gsl_stats_mean(x, 1, n);
	else
		r.est = rpt_quantile_sorted(c.sorted, n, stat_q(stat));
	for (unsigned b = 0; b < B; b++) {
		if (stat == RPT_STAT_MEAN) {
			for (size_t i = 0; i < n; i++)
				buf[i] = x[gsl_rng_uniform_int(rng, (unsigned long)n)];
			stats[b] = gsl_stats_mean(buf, 1, n);
			continue;
		}
		memset(c.count, 0, n * sizeof(*c.count));
		for (size_t i = 0; i < n; i++)
			c.count[c.rank[gsl_rng_uniform_int(rng, (unsigned long)n)]]++;
		stats[b] = counted_quantile(&c, n, stat_q(stat));
	}
	gsl_sort(stats, 1, B);
	r.lo = rpt_quantile_sorted(stats, B, 0.025);
	r.hi = rpt_quantile_sorted(stats, B, 0.975);
	*out = r;
	ret = 0;

	gsl_rng_free(rng);
out_free_stats:
	free(stats);
out_free_buf:
	free(buf);
	counted_free(&c);
out:
	return ret;
}
