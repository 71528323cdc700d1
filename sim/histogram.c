#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_histogram.h>

#include "sim/histogram.h"

struct sim_hist {
	gsl_histogram *bins;      /* owned */
	uint64_t n;
	double sum_ms;
	double min_ms;
	double max_ms;
};

struct sim_hist *sim_hist_create(void)
{
	size_t nbins = sim_hist_nbins();
	struct sim_hist *h = calloc(1, sizeof(*h));
	double *ranges;

	if (h == NULL)
		return NULL;
	h->bins = gsl_histogram_alloc(nbins);
	ranges = malloc((nbins + 1) * sizeof(*ranges));
	if (h->bins == NULL || ranges == NULL)
		goto out_free;
	ranges[0] = SIM_HIST_MIN_MS;
	for (size_t i = 1; i <= nbins; i++)
		ranges[i] = SIM_HIST_MIN_MS * pow(SIM_HIST_RATIO, (double)i);
	if (gsl_histogram_set_ranges(h->bins, ranges, nbins + 1) != 0)
		goto out_free;
	free(ranges);
	sim_hist_reset(h);
	return h;

out_free:
	free(ranges);
	if (h->bins != NULL)
		gsl_histogram_free(h->bins);
	free(h);
	return NULL;
}

void sim_hist_free(struct sim_hist *h)
{
	if (h == NULL)
		return;
	gsl_histogram_free(h->bins);
	free(h);
}

void sim_hist_reset(struct sim_hist *h)
{
	gsl_histogram_reset(h->bins);
	h->n = 0;
	h->sum_ms = 0.0;
	h->min_ms = INFINITY;
	h->max_ms = -INFINITY;
}

/* The bin of x: computed from its logarithm and corrected against the
 * stored edges, which a rounding error can put one bin off. GSL's own
 * lookup bisects 2,000 uneven edges on every call, the simulator's hottest
 * path, so only its storage is used here. */
static size_t bin_index(const gsl_histogram *g, double x)
{
	static const double inv_log_ratio = 1.0 / 0.009950330853168092; /* 1 / ln 1.01 */
	size_t n = g->n;
	size_t i;

	if (!(x > g->range[0]))
		return 0;
	if (x >= g->range[n])
		return n - 1;
	i = (size_t)(log(x * (1.0 / SIM_HIST_MIN_MS)) * inv_log_ratio);
	if (i >= n)
		i = n - 1;
	while (i > 0 && x < g->range[i])
		i--;
	while (i + 1 < n && x >= g->range[i + 1])
		i++;
	return i;
}

void sim_hist_add(struct sim_hist *h, double ms)
{
	h->bins->bin[bin_index(h->bins, ms)] += 1.0;
	h->n++;
	h->sum_ms += ms;
	if (ms < h->min_ms)
		h->min_ms = ms;
	if (ms > h->max_ms)
		h->max_ms = ms;
}

void sim_hist_merge(struct sim_hist *dst, const struct sim_hist *src)
{
	if (src->n == 0)
		return;
	gsl_histogram_add(dst->bins, src->bins);
	dst->n += src->n;
	dst->sum_ms += src->sum_ms;
	if (src->min_ms < dst->min_ms)
		dst->min_ms = src->min_ms;
	if (src->max_ms > dst->max_ms)
		dst->max_ms = src->max_ms;
}

size_t sim_hist_nbins(void)
{
	return (size_t)ceil(log(SIM_HIST_MAX_MS / SIM_HIST_MIN_MS) / log(SIM_HIST_RATIO));
}

void sim_hist_bin_range(size_t i, double *lo_ms, double *hi_ms)
{
	*lo_ms = SIM_HIST_MIN_MS * pow(SIM_HIST_RATIO, (double)i);
	*hi_ms = SIM_HIST_MIN_MS * pow(SIM_HIST_RATIO, (double)(i + 1));
}

void sim_hist_add_bin(struct sim_hist *h, size_t i, uint64_t count)
{
	double lo, hi, c;

	if (count == 0)
		return;
	gsl_histogram_get_range(h->bins, i, &lo, &hi);
	c = sqrt(lo * hi);
	h->bins->bin[i] += (double)count;
	h->n += count;
	h->sum_ms += c * (double)count;
	if (c < h->min_ms)
		h->min_ms = c;
	if (c > h->max_ms)
		h->max_ms = c;
}

uint64_t sim_hist_count(const struct sim_hist *h)
{
	return h->n;
}

double sim_hist_mean(const struct sim_hist *h)
{
	return h->n ? h->sum_ms / (double)h->n : NAN;
}

double sim_hist_min(const struct sim_hist *h)
{
	return h->n ? h->min_ms : NAN;
}

double sim_hist_max(const struct sim_hist *h)
{
	return h->n ? h->max_ms : NAN;
}

double sim_hist_quantile(const struct sim_hist *h, double q)
{
	size_t nbins = gsl_histogram_bins(h->bins);
	double rank, cum = 0.0, lo, hi, v;

	if (h->n == 0 || !(q > 0.0 && q <= 1.0))
		return NAN;
	/* The small margin keeps q * n = 99.000000000000014 at rank 99. */
	rank = ceil(q * (double)h->n - 1e-9);
	if (rank <= 1.0)
		return h->min_ms;
	if (rank >= (double)h->n)
		return h->max_ms;
	for (size_t i = 0; i < nbins; i++) {
		cum += gsl_histogram_get(h->bins, i);
		if (cum >= rank) {
			gsl_histogram_get_range(h->bins, i, &lo, &hi);
			v = sqrt(lo * hi);
			if (v < h->min_ms)
				v = h->min_ms;
			if (v > h->max_ms)
				v = h->max_ms;
			return v;
		}
	}
	return h->max_ms;
}
