/* A threshold sweep's plots (drawn by gnuplot through rpt_write_plots) and
 * its self-contained HTML page. Reads the grid's figures as reports/sweep
 * computed them; computes only which settings are on the Pareto front.
 * Does not run anything nor write grid.csv or sweep.json. */
#ifndef RPT_SWEEP_REPORT_H
#define RPT_SWEEP_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "reports/plots.h"
#include "reports/sweep.h"

/* The names of the plots rpt_write_sweep_plots writes, NULL-terminated. */
extern const char *const rpt_sweep_plot_names[];

/* Writes the sweep's plots into dir, as SVG and PNG, through rpt_write_plots:
 *  "roc":    false-rollback rate (x, 0..1) against recall (y, 0..1), one point per
 *            setting labelled with its index, the recommended setting marked
 *            (a distinct symbol and "recommended" in the key), settings that meet the
 *            constraints in one colour and those that do not in another;
 *            settings whose rate is NaN (no good or no bad releases) are left out
 *            and a note under the plot (a label) says how many;
 *  "pareto": time to detect p90 (y, s) against false-rollback rate (x), one point per
 *            setting, the Pareto front (the settings not dominated: no other with both
 *            a lower-or-equal rate and a lower-or-equal ttd_p90, one strictly lower)
 *            joined by a line and listed in the key as "Pareto front", the recommended
 *            setting marked. NaN figures left out as for roc.
 * Settings at the same point share one label ("2,3"). Borrows sw. The same
 * sweep gives byte-identical SVGs. Returns as rpt_write_plots. */
enum rpt_plots_status rpt_write_sweep_plots(const char *dir, const struct rpt_sweep *sw, char *err,
					    size_t errlen);

/* The Pareto front of the points (false_rollback_rate, ttd_p90), both to minimise:
 * front[i] true for the points on it; NaN points never are. Borrows pts;
 * front has n entries. */
void rpt_sweep_pareto(const struct rpt_sweep_point *pts, size_t n, bool *front);

/* Writes dir/report.html for the sweep (dir is created when needed), through a
 * temporary name renamed into place: self-contained (as the study's page: CSS
 * inline, SVGs inline with ids prefixed, no script, no links), with the study's
 * name, seed, runs per setting, the swept paths and their values; the
 * recommendation in a box at the top: the constraints, the figure minimised, and
 * the recommended setting's values and figures, or a sentence that no setting
 * meets the constraints (the closest is not guessed); a table of every setting
 * (its values, runs, the confusion counts, precision/recall/false-rollback rate
 * with Wilson intervals, ttd median and p90, ttr p90, meets yes/no), the
 * recommended row highlighted; the plots of rpt_sweep_plot_names read from dir
 * and inlined when with_plots (else a line saying how to get them). Borrows sw.
 * Returns 0 or -1 with err (of size errlen) naming the file and why.
 * Deterministic. */
int rpt_write_sweep_html(const char *dir, const struct rpt_sweep *sw, bool with_plots, char *err,
			 size_t errlen);

#endif
