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

/* Type 7: h = (n - 1) q, x[floor h] + (h - floor h)(x[floor h + 1] -
 * x[floor h]) (Hyndman and Fan, Am. Stat. 50, 1996). The same value as
 * gsl_stats_quantile_from_sorted_data, but written as a + d (b - a) so
 * that equal order statistics give their value bit for bit. */
double rpt_quantile_sorted(const double *sorted, size_t n, double q)
{
	double h, d;
	size_t i;

	assert(q >= 0.0 && q <= 1.0);
	if (n == 0)
		return NAN;
	h = (double)(n - 1) * q;
	i = (size_t)h;
	if (i >= n - 1)
		return sorted[n - 1];
	d = h - (double)i;
	if (d == 0.0 || sorted[i] == sorted[i + 1])
		return sorted[i];
	return sorted[i] + d * (sorted[i + 1] - sorted[i]);
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

/* The stat of v[0..n-1]; sorts v in place for the quantiles. */
static double stat_of(double *v, size_t n, enum rpt_stat stat)
{
	if (stat == RPT_STAT_MEAN)
		return gsl_stats_mean(v, 1, n);
	gsl_sort(v, 1, n);
	return rpt_quantile_sorted(v, n, stat_q(stat));
}

int rpt_bootstrap(const double *x, size_t n, enum rpt_stat stat, unsigned B,
		  uint64_t seed, struct rpt_interval *out)
{
	struct rpt_interval r;
	double *buf, *stats;
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
	buf = malloc(n * sizeof(*buf));
	if (buf == NULL)
		goto out;
	stats = malloc((size_t)B * sizeof(*stats));
	if (stats == NULL)
		goto out_free_buf;
	rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (rng == NULL)
		goto out_free_stats;
	gsl_rng_set(rng, (unsigned long)(uint32_t)(seed ^ (seed >> 32)));

	/* the mean is taken in x's own order, so that it is the plain mean */
	if (stat == RPT_STAT_MEAN) {
		r.est = gsl_stats_mean(x, 1, n);
	} else {
		memcpy(buf, x, n * sizeof(*buf));
		r.est = stat_of(buf, n, stat);
	}
	for (unsigned b = 0; b < B; b++) {
		for (size_t i = 0; i < n; i++)
			buf[i] = x[gsl_rng_uniform_int(rng, (unsigned long)n)];
		stats[b] = stat_of(buf, n, stat);
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
out:
	return ret;
}
