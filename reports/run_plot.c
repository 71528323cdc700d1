#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_sort.h>

#include "engine/event.h"
#include "engine/rollout.h"
#include "reports/run_plot.h"
#include "reports/stats.h"

/* --- a run's timeline ------------------------------------------------------ */

/* True for the decisions that move traffic or end the rollout. */
static bool marked(enum eng_decision d)
{
	switch (d) {
	case ENG_DECIDE_SET_WEIGHT:
	case ENG_DECIDE_PROMOTE:
	case ENG_DECIDE_ROLLBACK:
	case ENG_DECIDE_ABORT:
	case ENG_DECIDE_BLOCK:
	case ENG_DECIDE_SWITCH_BACK:
		return true;
	default:
		return false;
	}
}

int rpt_run_plot_body(FILE *f, const void *ctx)
{
	const struct rpt_run_plot *rp = ctx;
	const struct eng_record *rec = rp->rec;
	size_t nmarks = 0;
	bool any_p99 = false;

	if (rec->nwindows == 0) {
		rpt_gp_empty_plot(f, "the run has no window");
		return 0;
	}
	/* t, weight, stable error %, canary error %, stable p99, canary p99 */
	fputs("$W << EOD\n", f);
	for (size_t i = 0; i < rec->nwindows; i++) {
		const struct eng_observation *o = &rec->windows[i];
		double v[5] = { o->weight_pct, NAN, NAN, NAN, NAN };

		for (int k = 0; k < ENG_NVERSIONS; k++) {
			const struct eng_window_metrics *m = &o->version[k];

			if (m->requests > 0) {
				v[1 + k] = 100.0 * m->error_rate_frac;
				v[3 + k] = m->p99_ms;
				any_p99 |= isfinite(m->p99_ms);
			}
		}
		fprintf(f, "%.17g", (double)o->t_ns / 1e9);
		for (int k = 0; k < 5; k++)
			if (isnan(v[k]))
				fputs(" NaN", f);
			else
				fprintf(f, " %.17g", v[k]);
		fputc('\n', f);
	}
	fputs("EOD\n$D << EOD\n", f);
	for (size_t i = 0; i < rec->events.count; i++) {
		const struct eng_event *e = &rec->events.events[i];

		if (!marked(e->action))
			continue;
		fprintf(f, "%.17g %.17g \"%s\"\n", (double)e->t_ns / 1e9, e->weight_pct,
			eng_decision_name(e->action));
		nmarks++;
	}
	if (nmarks == 0)
		fputs("NaN NaN \"\"\n", f);
	fputs("EOD\n", f);
	fputs("set multiplot layout 2,1 title ", f);
	rpt_gp_string(f, rp->title);
	fputs("\nset grid\nset key top right font ',8'\nset xrange [0:*]\n"
	      "set lmargin 10\nset rmargin 10\n"
	      "set ylabel 'error rate, %'\nset y2label 'canary weight, %'\n"
	      "set yrange [0:*]\nset y2range [0:105]\nset ytics nomirror\nset y2tics 0,25,100\n"
	      "set format x ''\n"
	      "plot $W using 1:2 axes x1y2 with steps lw 2 lc rgb '#000000' title 'canary weight', \\\n"
	      "     $W using 1:3 with linespoints pt 7 ps 0.4 lc rgb '#0072b2' title 'stable errors', \\\n"
	      "     $W using 1:4 with linespoints pt 7 ps 0.4 lc rgb '#d55e00' title 'canary errors', \\\n"
	      "     $D using 1:2:3 axes x1y2 with labels point pt 9 ps 1 lc rgb '#882255' "
	      "rotate by 90 left offset 0,0.6 font ',7' title 'decisions'\n"
	      "unset y2label\nunset y2tics\nset format x '%g'\nset xlabel 'time since the start, s'\n"
	      "set ylabel 'p99 latency, ms'\n",
	      f);
	if (any_p99)
		fputs("set yrange [0:*]\n"
		      "plot $W using 1:5 with linespoints pt 7 ps 0.4 lc rgb '#0072b2' title 'stable p99', \\\n"
		      "     $W using 1:6 with linespoints pt 7 ps 0.4 lc rgb '#d55e00' title 'canary p99'\n",
		      f);
	else /* a world without quantiles, such as HAProxy's counters */
		rpt_gp_empty_plot(f, "no window has a p99 latency");
	fputs("unset multiplot\n", f);
	return 0;
}

enum rpt_plots_status rpt_write_run_plot(const char *dir, const char *name,
					 const struct rpt_run_plot *rp, char *err, size_t errlen)
{
	const struct rpt_plot p = { name, rpt_run_plot_body };

	return rpt_write_plots(dir, &p, 1, rp, 1, err, errlen);
}

/* --- the fan chart --------------------------------------------------------- */

void rpt_weight_track_of(const struct eng_record *rec, struct rpt_weight_track *t)
{
	t->n = rec->nwindows < RPT_TRACK_MAX ? (uint32_t)rec->nwindows : RPT_TRACK_MAX;
	t->window_s = rec->nwindows ? (double)rec->windows[0].window_ns / 1e9 : 0.0;
	for (uint32_t i = 0; i < t->n; i++)
		t->weight_pct[i] = (float)rec->windows[i].weight_pct;
}

/* Track t's weight at time s: that of the window holding s (the first
 * before the first window's end, the last after the last's). */
static double weight_at(const struct rpt_weight_track *t, double s)
{
	double k;

	if (t->n == 0 || !(t->window_s > 0.0))
		return 0.0;
	k = ceil(s / t->window_s) - 1.0;
	if (k < 0.0)
		k = 0.0;
	if (k > (double)(t->n - 1))
		k = (double)(t->n - 1);
	return t->weight_pct[(size_t)k];
}

int rpt_fan_plot_body(FILE *f, const void *ctx)
{
	const struct rpt_fan *fan = ctx;
	double step = INFINITY, end = 0.0, *col;
	size_t npts;

	for (size_t r = 0; r < fan->n; r++)
		if (fan->tracks[r].n > 0 && fan->tracks[r].window_s > 0.0) {
			step = fmin(step, fan->tracks[r].window_s);
			end = fmax(end, fan->tracks[r].window_s * fan->tracks[r].n);
		}
	if (!isfinite(step)) {
		rpt_gp_empty_plot(f, "no run has a window");
		return 0;
	}
	npts = (size_t)llround(end / step);
	if (npts > 4 * RPT_TRACK_MAX)
		npts = 4 * RPT_TRACK_MAX;
	col = malloc(fan->n * sizeof(*col));
	if (col == NULL)
		return -1;
	/* t, p10, p25, median, p75, p90 of the weights in each step, at its
	 * start and at its end, so that lines and bands draw steps */
	fputs("$F << EOD\n", f);
	for (size_t k = 0; k < npts; k++) {
		double t = (double)(k + 1) * step, q[5];
		static const double at[5] = { 0.1, 0.25, 0.5, 0.75, 0.9 };

		for (size_t r = 0; r < fan->n; r++)
			col[r] = weight_at(&fan->tracks[r], t);
		gsl_sort(col, 1, fan->n);
		for (int j = 0; j < 5; j++)
			q[j] = rpt_quantile_sorted(col, fan->n, at[j]);
		for (int edge = 0; edge < 2; edge++)
			fprintf(f, "%.17g %.17g %.17g %.17g %.17g %.17g\n", t - (edge ? 0.0 : step),
				q[0], q[1], q[2], q[3], q[4]);
	}
	fputs("EOD\n", f);
	free(col);
	fputs("set title ", f);
	rpt_gp_string(f, fan->title);
	fprintf(f, "\nset grid\nset key outside bottom center horizontal\nset bmargin 5\n"
		   "set xlabel 'time since the start, s'\n"
		   "set ylabel 'canary weight, %%'\nset yrange [0:105]\nset xrange [0:%.17g]\n"
		   "set style fill solid 1.0 noborder\n"
		   "plot $F using 1:2:6 with filledcurves lc rgb '#c6dbef' title '80%% of the runs', \\\n"
		   "     $F using 1:3:5 with filledcurves lc rgb '#6baed6' title '50%% of the runs', \\\n"
		   "     $F using 1:4 with lines lw 2 lc rgb '#08306b' title 'median'\n",
		(double)npts * step);
	return 0;
}

enum rpt_plots_status rpt_write_fan_plot(const char *dir, const char *name,
					 const struct rpt_fan *fan, char *err, size_t errlen)
{
	const struct rpt_plot p = { name, rpt_fan_plot_body };

	return rpt_write_plots(dir, &p, 1, fan, 1, err, errlen);
}
