/* The window level's latency tables, for sim/window_world.c: each
 * version's latency on the histogram's bins (exactly from the CDF, or from
 * draws when dependencies add their latency), and the probabilities a
 * window draws from (timeouts, errors, slow successes) prepared for its
 * binomial draws. Built once per configuration and shared by every run
 * and thread; the world reads it, other modules only create and free it
 * (sim/window_world.h). window_table.c also says where a configuration
 * leaves the window level's ground (sim_window_caveats()). */
#ifndef SIM_WINDOW_TABLE_H
#define SIM_WINDOW_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "engine/metrics.h"
#include "sim/config.h"
#include "sim/variates.h"

/* One version's latency, tabulated on the histogram's bins. */
struct sim_wtab {
	double *cum;              /* owned: P(latency <= bin i's top | no timeout) */
	uint32_t *guide;          /* owned, nbins + 1: guide[g] is the first bin
				     whose cum reaches g / nbins */
	double mean_ms, var_ms2;  /* of the binned latency, given no timeout */
	double p_timeout;         /* P(service time > timeout) */
	double p_error;           /* long-run P(error), with dependencies */
	double mean_service_ms;   /* for CPU and connections */
	double bin_p[SIM_LATENCY_BINS]; /* P(a latency falls in each shared
					   bin | no timeout); with cfg's bins */
	size_t timeout_bin;       /* the shared bin a timeout falls in */
	double p_slow;            /* P(latency > cfg's slow_ms | no timeout) */
	/* the three prepared for a window's draws */
	struct sim_binomial timeouts, errors, slow;
};

/* Both versions' tables on the histogram's bins. */
struct sim_wtable {
	size_t nbins;             /* the histogram's bins (sim_hist_nbins()) */
	double *centre;           /* owned: bin centres, ms */
	struct sim_wtab v[ENG_NVERSIONS]; /* by enum eng_version */
};

#endif
