/* A Monte Carlo study's plots, drawn by running gnuplot (found on PATH, run
 * with an argv and its script on stdin, never through a shell). Each plot is
 * written as NAME.svg and NAME.png; the data go inline in the script, so
 * nothing else is left behind. Computes from the runs' summaries alone; the
 * numbers of summary.json are reports/study's. */
#ifndef RPT_PLOTS_H
#define RPT_PLOTS_H

#include <stddef.h>
#include <stdio.h>

#include "reports/study.h"

enum rpt_plots_status {
	RPT_PLOTS_OK,
	RPT_PLOTS_NO_GNUPLOT,     /* not on PATH: nothing written */
	RPT_PLOTS_FAILED,         /* err says which plot and why */
};

/* The names of the plots rpt_write_study_plots writes, NULL-terminated:
 *   ttr_hist  runs per time-to-recovery bin, stacked by scenario;
 *   ttr_ecdf  the time to recovery's ECDF, one line per scenario and,
 *             with more than one scenario, one for all of them;
 *   ttd_ecdf  the same for the time to detect;
 *   outcomes  per scenario, the share of its runs in each outcome (true and
 *             false rollbacks, missed, correct promotions, blocked, other),
 *             stacked to 100%. */
extern const char *const rpt_study_plot_names[];

/* Writes dir/NAME.svg and dir/NAME.png for every plot (dir is created when
 * needed), each through a temporary name renamed into place once gnuplot
 * succeeded, running up to st->threads gnuplots at a time. The same study
 * gives byte-identical files, whatever the threads. Borrows st.
 * Returns RPT_PLOTS_OK; RPT_PLOTS_NO_GNUPLOT when no gnuplot is on PATH
 * (nothing is written; the caller suggests installing gnuplot-nox); or
 * RPT_PLOTS_FAILED with err (of size errlen) naming the first file in
 * order that failed and giving gnuplot's exit status and the first line
 * of its error message. Plots written before a failure stay, and with
 * several threads some after it may have been written too. */
enum rpt_plots_status rpt_write_study_plots(const char *dir, const struct rpt_study *st,
					    char *err, size_t errlen);

/* A plot: its file name without extension, and its body: the gnuplot
 * commands after the terminal's (data inline as heredocs), from ctx;
 * returns 0, or -1 when it cannot be written. */
struct rpt_plot {
	const char *name;
	int (*body)(FILE *f, const void *ctx);
};

/* Writes dir/NAME.svg and dir/NAME.png of each of the n plots, as
 * rpt_write_study_plots does (its statuses and errors), on up to
 * `threads` threads (0, 1: the caller's alone). */
enum rpt_plots_status rpt_write_plots(const char *dir, const struct rpt_plot *plots, size_t n,
				      const void *ctx, unsigned threads, char *err, size_t errlen);

/* Gnuplot script text: s inside a single-quoted string (a quote doubled,
 * control characters as spaces); s quoted; an empty frame saying why. */
void rpt_gp_text(FILE *f, const char *s);
void rpt_gp_string(FILE *f, const char *s);
void rpt_gp_empty_plot(FILE *f, const char *why);

#endif
