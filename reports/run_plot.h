/* One run's timeline as a plot, and the canary weight of many runs as a
 * fan chart: drawn by gnuplot through rpt_write_plots. */
#ifndef RPT_RUN_PLOT_H
#define RPT_RUN_PLOT_H

#include <stddef.h>
#include <stdint.h>

#include "engine/record.h"
#include "reports/plots.h"
#include "reports/study.h"

/* A run's timeline: the canary weight, the error rate and the p99 of each
 * version per window, and the decisions that moved traffic (set weight,
 * promote, roll back, switch, switch back, abort, block) as marks. */
struct rpt_run_plot {
	const char *title;        /* borrowed: "canary-bad-errors, seed 17: rolled back" */
	const struct eng_record *rec; /* borrowed */
};

/* The plot bodies (rpt_plot's), for a report that draws them among others. */
int rpt_run_plot_body(FILE *f, const void *rp);
int rpt_fan_plot_body(FILE *f, const void *fan);

/* Writes dir/NAME.svg and .png of the run's timeline (two panels: weight
 * and error rate above, p99 below, sharing the time axis). */
enum rpt_plots_status rpt_write_run_plot(const char *dir, const char *name,
					 const struct rpt_run_plot *rp, char *err, size_t errlen);

/* Fills t from rec's windows (the first RPT_TRACK_MAX). */
void rpt_weight_track_of(const struct eng_record *rec, struct rpt_weight_track *t);

/* The fan chart of n tracks: the median canary weight over time and the
 * bands holding the middle 50% and 80% of the runs, each run holding its
 * last weight after its end. */
struct rpt_fan {
	const char *title;        /* borrowed */
	const struct rpt_weight_track *tracks; /* borrowed, n */
	size_t n;
};

enum rpt_plots_status rpt_write_fan_plot(const char *dir, const char *name,
					 const struct rpt_fan *fan, char *err, size_t errlen);

#endif
