/* Latency histogram: log-spaced bins (each 1% wider than the last) from
 * 1 microsecond to 1000 s, so any quantile is known to within 0.5% relative
 * error, with the exact count, sum, minimum and maximum beside it. Storage
 * and bin lookup are GSL's (gsl_histogram with explicit ranges). */
#ifndef SIM_HISTOGRAM_H
#define SIM_HISTOGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_HIST_MIN_MS 1e-3      /* lower edge of the first bin, ms */
#define SIM_HIST_MAX_MS 1e6       /* upper edge of the last bin, ms */
#define SIM_HIST_RATIO 1.01       /* upper / lower edge of every bin */

struct sim_hist;

/* Returns an owned, empty histogram, free with sim_hist_free(); NULL when
 * out of memory. */
struct sim_hist *sim_hist_create(void);
void sim_hist_free(struct sim_hist *h);

/* Adds one latency. Values outside the bins count in the first or the last
 * bin; min, max and mean stay exact. */
void sim_hist_add(struct sim_hist *h, double ms);
/* Adds every sample of src into dst. */
void sim_hist_merge(struct sim_hist *dst, const struct sim_hist *src);
void sim_hist_reset(struct sim_hist *h);

/* The bins, shared by every histogram: their number, and bin i's edges. */
size_t sim_hist_nbins(void);
void sim_hist_bin_range(size_t i, double *lo_ms, double *hi_ms);
/* Adds `count` samples at bin i's geometric centre (window-level fidelity,
 * where only bin counts are drawn); min, max and mean are then estimates. */
void sim_hist_add_bin(struct sim_hist *h, size_t i, uint64_t count);

uint64_t sim_hist_count(const struct sim_hist *h);
double sim_hist_mean(const struct sim_hist *h);  /* NaN when empty */
double sim_hist_min(const struct sim_hist *h);   /* NaN when empty */
double sim_hist_max(const struct sim_hist *h);   /* NaN when empty */

/* The q-quantile (0 < q <= 1) by nearest rank: the ceil(q * n)-th smallest
 * sample, estimated by the geometric centre of its bin and clamped to
 * [min, max]; the exact value lies in that bin, so the relative error is at
 * most sqrt(1.01) - 1 < 0.5% for samples inside the bins. NaN when empty. */
double sim_hist_quantile(const struct sim_hist *h, double q);

#endif
