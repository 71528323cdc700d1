/* Interval estimates for study reports: Wilson score intervals for
 * proportions, quantiles, and bootstrap percentile intervals. Pure
 * functions of their arguments (the bootstrap draws from its own seeded
 * stream); no I/O, no global state. Data must not hold NaN. */
#ifndef RPT_STATS_H
#define RPT_STATS_H

#include <stddef.h>
#include <stdint.h>

struct rpt_interval {
	double est;               /* point estimate, in the data's unit */
	double lo, hi;            /* 95% interval bounds, same unit; lo <= hi */
};

/* Wilson score 95% interval (z = 1.959963984540054) for k successes of n;
 * est is k / n. n == 0: est, lo, hi all NaN. k > n is a caller bug (assert).
 * lo is exactly 0 when k == 0 and hi exactly 1 when k == n.
 * (Wilson, JASA 22, 1927; Agresti and Coull, Am. Stat. 52, 1998.) */
struct rpt_interval rpt_wilson(uint64_t k, uint64_t n);

/* Quantile q (0..1) of sorted[0..n-1], ascending, by linear interpolation
 * between order statistics (Hyndman-Fan type 7, as GSL and R's default);
 * NaN when n == 0. Borrows sorted. q outside 0..1 is a caller bug (assert).
 * Equal neighbouring order statistics give that value exactly. */
double rpt_quantile_sorted(const double *sorted, size_t n, double q);

enum rpt_stat { RPT_STAT_MEAN, RPT_STAT_MEDIAN, RPT_STAT_P90, RPT_STAT_P99 };

/* est = stat of x[0..n-1] (any order; x is not modified); lo, hi: the
 * bootstrap percentile 95% interval (2.5% and 97.5% type-7 quantiles of
 * the stat over B resamples with replacement, drawn from a GSL mt19937
 * stream seeded with `seed` via gsl_rng_set on a 32-bit fold of seed).
 * Deterministic for a given (x, n, stat, B, seed). n == 0: all NaN;
 * n == 1: est = lo = hi = x[0]. Returns 0, or -1 when out of memory
 * (then *out is untouched). B >= 1. Borrows x; n at most 2^32 - 1
 * (the generator's range). The fold is the low half xor the high half:
 * seeds with the same fold share resamples. A quantile's resamples are
 * counted rather than sorted: O(n) each, the same values. (Efron and
 * Tibshirani, An Introduction to the Bootstrap, 1993, ch. 13.) */
int rpt_bootstrap(const double *x, size_t n, enum rpt_stat stat, unsigned B,
		  uint64_t seed, struct rpt_interval *out);

#endif
