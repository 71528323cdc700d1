#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/file_out.h"
#include "reports/html.h"
#include "reports/plots.h"
#include "reports/sweep.h"
#include "reports/sweep_report.h"

/* The names of sweep_plots[] below, in its order. */
const char *const rpt_sweep_plot_names[] = { "roc", "pareto", NULL };

/* Okabe-Ito, told apart by colour-blind readers (as reports/plots'). */
#define COLOR_MEETS "#009e73"
#define COLOR_FAILS "#d55e00"
#define COLOR_SETTING "#0072b2"
#define COLOR_OTHER "#999999"
#define COLOR_MARK "#000000"

/* A label lists at most this many settings of one point, then "+N". */
#define LABEL_MAX_SETTINGS 4

/* --- the Pareto front ------------------------------------------------------ */

static bool dominates(const struct rpt_sweep_point *a, const struct rpt_sweep_point *b)
{
	double ax = a->false_rollback_rate.est, ay = a->ttd_p90;
	double bx = b->false_rollback_rate.est, by = b->ttd_p90;

	return ax <= bx && ay <= by && (ax < bx || ay < by);
}

static bool has_pareto_figures(const struct rpt_sweep_point *p)
{
	return !isnan(p->false_rollback_rate.est) && !isnan(p->ttd_p90);
}

/* O(n^2): a sweep has at most 10,000 settings. */
void rpt_sweep_pareto(const struct rpt_sweep_point *pts, size_t n, bool *front)
{
	for (size_t i = 0; i < n; i++) {
		front[i] = has_pareto_figures(&pts[i]);
		for (size_t j = 0; j < n && front[i]; j++)
			if (j != i && has_pareto_figures(&pts[j]) && dominates(&pts[j], &pts[i]))
				front[i] = false;
	}
}

/* --- plots ----------------------------------------------------------------- */

/* A setting's place in a plot: x, y and its index; NaN x or y: not drawn. */
struct spot {
	double x, y;
	size_t i;
};

typedef void (*spot_fn)(const struct rpt_sweep_point *p, double *x, double *y);

static void roc_spot(const struct rpt_sweep_point *p, double *x, double *y)
{
	*x = p->false_rollback_rate.est;
	*y = p->recall.est;
}

static void pareto_spot(const struct rpt_sweep_point *p, double *x, double *y)
{
	*x = p->false_rollback_rate.est;
	*y = p->ttd_p90;
}

/* The drawn settings into s (npoints long, in grid order); returns how many. */
static size_t spots_of(const struct rpt_sweep *sw, spot_fn fn, struct spot *s)
{
	size_t n = 0;

	for (size_t i = 0; i < sw->npoints; i++) {
		double x, y;

		fn(&sw->points[i], &x, &y);
		if (isnan(x) || isnan(y))
			continue;
		s[n++] = (struct spot){ x, y, i };
	}
	return n;
}

/* Where labels go. The plot area's size in pixels and the text's are
 * estimates (a 640x400 terminal, a 10-point font): enough to keep labels
 * off one another and off the points, not exact. */
#define PLOT_W_PX 560.0
#define PLOT_H_PX 280.0
#define CHAR_W_PX 6.5
#define CHAR_H_PX 12.0
#define POINT_R_PX 5.0

struct frame {
	double x0, x1, y0, y1;    /* the axes' ranges */
};

struct box {
	double l, r, b, t;        /* px, y up */
};

static double px_x(const struct frame *fr, double x)
{
	return (x - fr->x0) / (fr->x1 - fr->x0) * PLOT_W_PX;
}

static double px_y(const struct frame *fr, double y)
{
	return (y - fr->y0) / (fr->y1 - fr->y0) * PLOT_H_PX;
}

static double overlap(const struct box *a, const struct box *b)
{
	double w = fmin(a->r, b->r) - fmax(a->l, b->l), h = fmin(a->t, b->t) - fmax(a->b, b->b);

	return w > 0.0 && h > 0.0 ? w * h : 0.0;
}

/* The label's text of the settings at s[k]'s spot, in grid order ("2,3",
 * or "0,1,2,3,+5"); false when an earlier spot is the same (it has it). */
static bool label_text(const struct spot *s, size_t n, size_t k, char *buf, size_t len)
{
	size_t shown = 0, more = 0, used = 0;

	for (size_t j = 0; j < k; j++)
		if (s[j].x == s[k].x && s[j].y == s[k].y)
			return false;
	buf[0] = '\0';
	for (size_t j = k; j < n; j++) {
		if (!(s[j].x == s[k].x && s[j].y == s[k].y))
			continue;
		if (shown < LABEL_MAX_SETTINGS && used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%zu", shown++ ? "," : "", s[j].i);
		else
			more++;
	}
	if (more > 0 && used < len)
		snprintf(buf + used, len - used, ",+%zu", more);
	return true;
}

/* The first of a few places beside (px, py) for a text w pixels wide that
 * covers no placed label and no point, inside the frame; else the one
 * inside that covers least. */
static struct box place(double px, double py, double w, const struct box *placed, size_t nplaced,
			const struct box *dots, size_t ndots)
{
	const double h = CHAR_H_PX, g = POINT_R_PX + 2.0;
	const double cand[][2] = { /* the text's left edge and bottom, from the point */
		{ g, 1.0 }, { g, -h - 1.0 }, { -g - w, 1.0 }, { -g - w, -h - 1.0 },
		{ -w / 2.0, g }, { -w / 2.0, -g - h }, { g, h + 2.0 }, { g, -2.0 * h - 2.0 },
		{ -g - w, h + 2.0 }, { -g - w, -2.0 * h - 2.0 },
	};
	struct box best = { 0, 0, 0, 0 };
	double best_cost = INFINITY;

	for (size_t c = 0; c < sizeof(cand) / sizeof(cand[0]); c++) {
		struct box b = { px + cand[c][0], px + cand[c][0] + w, py + cand[c][1],
				 py + cand[c][1] + h };
		double cost = 0.0;

		for (size_t k = 0; k < nplaced; k++)
			cost += overlap(&b, &placed[k]);
		for (size_t k = 0; k < ndots; k++)
			cost += overlap(&b, &dots[k]);
		if (b.l < 0.0 || b.r > PLOT_W_PX || b.b < 0.0 || b.t > PLOT_H_PX)
			cost += 1e9; /* gnuplot would clip it: anywhere inside is better */
		if (cost < best_cost) {
			best = b;
			best_cost = cost;
		}
		if (cost == 0.0)
			break;
	}
	return best;
}

/* $L: one label per distinct spot, at its left edge and middle height,
 * for `with labels left`. */
static int label_block(FILE *f, const struct frame *fr, const struct spot *s, size_t n)
{
	struct box *placed = malloc((n ? n : 1) * sizeof(*placed));
	struct box *dots = malloc((n ? n : 1) * sizeof(*dots));
	size_t nplaced = 0;

	if (placed == NULL || dots == NULL) {
		free(placed);
		free(dots);
		return -1;
	}
	for (size_t k = 0; k < n; k++) {
		double px = px_x(fr, s[k].x), py = px_y(fr, s[k].y);

		dots[k] = (struct box){ px - POINT_R_PX, px + POINT_R_PX, py - POINT_R_PX,
					py + POINT_R_PX };
	}
	fputs("$L << EOD\n", f);
	for (size_t k = 0; k < n; k++) {
		char text[64];
		struct box b;
		double px = px_x(fr, s[k].x), py = px_y(fr, s[k].y);

		if (!label_text(s, n, k, text, sizeof(text)))
			continue;
		b = place(px, py, CHAR_W_PX * (double)strlen(text), placed, nplaced, dots, n);
		placed[nplaced++] = b;
		fprintf(f, "%.17g %.17g \"%s\"\n", fr->x0 + b.l / PLOT_W_PX * (fr->x1 - fr->x0),
			fr->y0 + (b.b + b.t) / 2.0 / PLOT_H_PX * (fr->y1 - fr->y0), text);
	}
	fputs("EOD\n", f);
	free(placed);
	free(dots);
	return 0;
}

static void spot_line(FILE *f, const struct spot *s)
{
	fprintf(f, "%.17g %.17g\n", s->x, s->y);
}

/* The note under the plot on the settings left out. */
static void left_out_note(FILE *f, size_t left_out, const char *why)
{
	fputs("set bmargin 5\n", f);
	if (left_out == 0)
		return;
	fprintf(f, "set label 2 '%zu setting%s left out: %s' at screen 0.5,0.03 center\n", left_out,
		left_out == 1 ? "" : "s", why);
}

/* "plot " before the first clause, a continuation before the others. */
static void clause(FILE *f, size_t *drawn)
{
	fputs((*drawn)++ ? ", \\\n     " : "plot ", f);
}

/* The recommended setting's mark, when it is drawn. */
static void mark_clause(FILE *f, const struct rpt_sweep *sw, bool shown, size_t *drawn)
{
	if (!shown)
		return;
	clause(f, drawn);
	fprintf(f, "$R using 1:2 with points pt 4 ps 3 lw 2 lc rgb '%s' title 'recommended: %zu'",
		COLOR_MARK, sw->recommended);
}

/* $R: the recommended setting's spot; returns whether it is drawn. */
static bool mark_block(FILE *f, const struct rpt_sweep *sw, const struct spot *s, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (s[k].i == sw->recommended) {
			fputs("$R << EOD\n", f);
			spot_line(f, &s[k]);
			fputs("EOD\n", f);
			return true;
		}
	return false;
}

/* Both rates, 0..1, and a margin so that no point sits on the frame. */
static const struct frame roc_frame = { -0.05, 1.05, -0.05, 1.05 };

static int roc_body(FILE *f, const void *ctx)
{
	const struct rpt_sweep *sw = ctx;
	struct spot *s = malloc((sw->npoints ? sw->npoints : 1) * sizeof(*s));
	size_t n, nmeets = 0, drawn = 0;
	bool split = sw->nconstraints > 0, marked;

	if (s == NULL)
		return -1;
	n = spots_of(sw, roc_spot, s);
	fputs("set encoding utf8\nset grid\nset key bottom right box opaque\n"
	      "set title 'ROC: recall against false-rollback rate, one point per setting'\n"
	      "set xlabel 'false-rollback rate (share of good releases rolled back)'\n"
	      "set ylabel 'recall (share of bad releases rolled back)'\n", f);
	left_out_note(f, sw->npoints - n, "a rate is n/a (no good or no bad release)");
	if (n == 0) {
		rpt_gp_empty_plot(f, "no setting has both rates");
		free(s);
		return 0;
	}
	/* $M: those that meet the constraints (all, without constraints); $N the others */
	fputs("$M << EOD\n", f);
	for (size_t k = 0; k < n; k++)
		if (rpt_sweep_meets(&sw->points[s[k].i], sw->constraints, sw->nconstraints)) {
			spot_line(f, &s[k]);
			nmeets++;
		}
	fputs("EOD\n$N << EOD\n", f);
	for (size_t k = 0; k < n; k++)
		if (!rpt_sweep_meets(&sw->points[s[k].i], sw->constraints, sw->nconstraints))
			spot_line(f, &s[k]);
	fputs("EOD\n", f);
	if (label_block(f, &roc_frame, s, n) != 0) {
		free(s);
		return -1;
	}
	marked = mark_block(f, sw, s, n);
	fprintf(f, "set xrange [%.17g:%.17g]\nset yrange [%.17g:%.17g]\n"
		   "set xtics 0,0.1,1\nset ytics 0,0.1,1\n",
		roc_frame.x0, roc_frame.x1, roc_frame.y0, roc_frame.y1);
	if (nmeets > 0) {
		clause(f, &drawn);
		fprintf(f, "$M using 1:2 with points pt 7 ps 1.2 lc rgb '%s' title '%s (%zu)'",
			split ? COLOR_MEETS : COLOR_SETTING,
			split ? "meets the constraints" : "setting", nmeets);
	}
	if (n > nmeets) {
		clause(f, &drawn);
		fprintf(f, "$N using 1:2 with points pt 7 ps 1.2 lc rgb '%s' title 'does not meet them (%zu)'",
			COLOR_FAILS, n - nmeets);
	}
	mark_clause(f, sw, marked, &drawn);
	clause(f, &drawn);
	fputs("$L using 1:2:3 with labels left tc rgb '#333333' notitle\n", f);
	free(s);
	return 0;
}

static int cmp_spot(const void *a, const void *b)
{
	const struct spot *p = a, *q = b;

	if (p->x != q->x)
		return (p->x > q->x) - (p->x < q->x);
	if (p->y != q->y)
		return (p->y > q->y) - (p->y < q->y);
	return (p->i > q->i) - (p->i < q->i);
}

/* The range [lo - pad, hi + top] of an axis, shares of the span (or of
 * the value, or 1, when all are equal) so that no point sits on the frame
 * and the labels (and, above, the key) have room; into *from, *to. */
static void axis_range(double lo, double hi, double top, double *from, double *to)
{
	double span = hi - lo;

	if (!(span > 0.0))
		span = fabs(hi) > 0.0 ? fabs(hi) : 1.0;
	*from = lo - 0.08 * span;
	*to = hi + top * span;
}

static int pareto_body(FILE *f, const void *ctx)
{
	const struct rpt_sweep *sw = ctx;
	size_t np = sw->npoints ? sw->npoints : 1, n, nfront = 0, drawn = 0;
	struct spot *s = malloc(np * sizeof(*s)), *fs = malloc(np * sizeof(*fs));
	bool *front = malloc(np * sizeof(*front)), marked;
	double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
	struct frame fr;
	int rc = -1;

	if (s == NULL || fs == NULL || front == NULL)
		goto out_free;
	n = spots_of(sw, pareto_spot, s);
	fputs("set encoding utf8\nset grid\nset key inside top center horizontal samplen 2 width -1\n"
	      "set title 'Time to detect (p90) against false-rollback rate'\n"
	      "set xlabel 'false-rollback rate (share of good releases rolled back)'\n"
	      "set ylabel 'time to detect, p90, s'\n", f);
	left_out_note(f, sw->npoints - n, "n/a (no good release, or no bad release detected)");
	if (n == 0) {
		rpt_gp_empty_plot(f, "no setting has both a false-rollback rate and a time to detect");
		rc = 0;
		goto out_free;
	}
	rpt_sweep_pareto(sw->points, sw->npoints, front);
	for (size_t k = 0; k < n; k++) {
		xlo = fmin(xlo, s[k].x);
		xhi = fmax(xhi, s[k].x);
		ylo = fmin(ylo, s[k].y);
		yhi = fmax(yhi, s[k].y);
		if (front[s[k].i])
			fs[nfront++] = s[k];
	}
	/* the front from the lowest rate to the highest: a line through it */
	qsort(fs, nfront, sizeof(*fs), cmp_spot);
	fputs("$F << EOD\n", f);
	for (size_t k = 0; k < nfront; k++)
		spot_line(f, &fs[k]);
	fputs("EOD\n$O << EOD\n", f);
	for (size_t k = 0; k < n; k++)
		if (!front[s[k].i])
			spot_line(f, &s[k]);
	fputs("EOD\n", f);
	axis_range(xlo, xhi, 0.15, &fr.x0, &fr.x1);
	axis_range(ylo, yhi, 0.3, &fr.y0, &fr.y1); /* the key above the points */
	if (label_block(f, &fr, s, n) != 0)
		goto out_free;
	marked = mark_block(f, sw, s, n);
	fprintf(f, "set xrange [%.17g:%.17g]\nset yrange [%.17g:%.17g]\n", fr.x0, fr.x1, fr.y0, fr.y1);
	if (n > nfront) {
		clause(f, &drawn);
		fprintf(f, "$O using 1:2 with points pt 7 ps 1.2 lc rgb '%s' title 'dominated (%zu)'",
			COLOR_OTHER, n - nfront);
	}
	clause(f, &drawn);
	fprintf(f, "$F using 1:2 with linespoints pt 7 ps 1.2 lw 2 lc rgb '%s' title 'Pareto front (%zu)'",
		COLOR_SETTING, nfront);
	mark_clause(f, sw, marked, &drawn);
	clause(f, &drawn);
	fputs("$L using 1:2:3 with labels left tc rgb '#333333' notitle\n", f);
	rc = 0;
out_free:
	free(s);
	free(fs);
	free(front);
	return rc;
}

/* The sweep's plots, in rpt_sweep_plot_names' order. */
static const struct rpt_plot sweep_plots[] = {
	{ "roc", roc_body },
	{ "pareto", pareto_body },
};

enum rpt_plots_status rpt_write_sweep_plots(const char *dir, const struct rpt_sweep *sw, char *err,
					    size_t errlen)
{
	return rpt_write_plots(dir, sweep_plots, sizeof(sweep_plots) / sizeof(sweep_plots[0]), sw,
			       1, err, errlen);
}

/* --- the page -------------------------------------------------------------- */

/* What each plot shows, index-aligned with rpt_sweep_plot_names. */
static const char *const plot_captions[] = {
	"ROC: each setting's recall (the share of bad releases rolled back) against its "
	"false-rollback rate (the share of good releases rolled back), labelled with its index; "
	"up and to the left is better. Settings that meet the constraints and those that do not "
	"are in two colours; the recommended one is boxed. Settings with a rate of n/a are left "
	"out, as the note under the plot says.",
	"Time to detect (p90) against false-rollback rate: the line joins the Pareto front, the "
	"settings that no other setting matches or beats on both figures at once; the others are "
	"dominated. The recommended setting is boxed. Settings with either figure n/a are left "
	"out.",
};

static const char sweep_style[] =
	".rec { border: 2px solid #0072b2; background: #eef5fb; padding: 0.2em 1em; margin: 1em 0 1.5em; }\n"
	".rec.none { border-color: #d55e00; background: #fdf0e8; }\n"
	".rec table { margin: 0.5em 0; }\n"
	"tr.recommended th, tr.recommended td { background: #eef5fb; font-weight: bold; }\n"
	".wide { overflow-x: auto; }\n"
	"@media print {\n"
	"  .rec, .rec.none, tr.recommended th, tr.recommended td { background: none; }\n"
	"  .wide { overflow-x: visible; }\n"
	"}\n";

struct sweep_page {
	const struct rpt_sweep *sw;
	const char *dir;
	bool with_plots;
	char *msg;                /* why writing failed, when not an I/O error */
	size_t msglen;
};

/* A rate as "0.0312 <span class="ci">[0.0134, 0.0711]</span>"; n/a when
 * it has no denominator. */
static void rate_text(FILE *f, const struct rpt_interval *iv)
{
	if (isnan(iv->est)) {
		fputs("n/a", f);
		return;
	}
	fprintf(f, "%.4f <span class=\"ci\">[%.4f, %.4f]</span>", iv->est, iv->lo, iv->hi);
}

static void time_text(FILE *f, double s)
{
	if (isnan(s))
		fputs("n/a", f);
	else
		fprintf(f, "%.1f s", s);
}

static void figure_text(FILE *f, const struct rpt_sweep_point *p, enum rpt_figure fig)
{
	switch (fig) {
	case RPT_FIG_PRECISION:
		rate_text(f, &p->precision);
		break;
	case RPT_FIG_RECALL:
		rate_text(f, &p->recall);
		break;
	case RPT_FIG_FALSE_ROLLBACK_RATE:
		rate_text(f, &p->false_rollback_rate);
		break;
	default:
		time_text(f, rpt_sweep_figure(p, fig));
		break;
	}
}

/* A constraint as sweep.json has it: "false_rollback_rate<=0.01". */
static void constraint_text(FILE *f, const struct rpt_constraint *c)
{
	fputs("<code>", f);
	rpt_html_text(f, rpt_figure_name(c->figure));
	fprintf(f, "%s%.15g</code>", c->at_most ? "&lt;=" : "&gt;=", c->bound);
}

/* Setting i's values: "<code>path</code> = <code>value</code>, ...". */
static void values_text(FILE *f, const struct rpt_sweep *sw, size_t i)
{
	size_t idx[RPT_SWEEP_MAX_PARAMS];

	rpt_sweep_indices(sw->params, sw->nparams, i, idx);
	for (size_t k = 0; k < sw->nparams; k++) {
		fputs(k ? ", <code>" : "<code>", f);
		rpt_html_text(f, sw->params[k].path);
		fputs("</code> = <code>", f);
		rpt_html_text(f, sw->params[k].values[idx[k]]);
		fputs("</code>", f);
	}
}

static void swept(FILE *f, const struct rpt_sweep *sw)
{
	fputs("<h2>What was swept</h2>\n<ul>\n", f);
	for (size_t k = 0; k < sw->nparams; k++) {
		fputs("<li><code>", f);
		rpt_html_text(f, sw->params[k].path);
		fputs("</code>: ", f);
		for (size_t v = 0; v < sw->params[k].nvalues; v++) {
			fputs(v ? ", <code>" : "<code>", f);
			rpt_html_text(f, sw->params[k].values[v]);
			fputs("</code>", f);
		}
		fprintf(f, " (%zu value%s)</li>\n", sw->params[k].nvalues,
			sw->params[k].nvalues == 1 ? "" : "s");
	}
	fputs("</ul>\n", f);
}

/* What was asked: the constraints and the figure minimised. */
static void asked(FILE *f, const struct rpt_sweep *sw)
{
	fputs("<p>", f);
	if (sw->nconstraints == 0) {
		fputs("No constraints were given: every setting is eligible", f);
	} else {
		fputs("Constraints, on the estimates: ", f);
		for (size_t k = 0; k < sw->nconstraints; k++) {
			if (k > 0)
				fputs(k + 1 == sw->nconstraints ? " and " : ", ", f);
			constraint_text(f, &sw->constraints[k]);
		}
	}
	if (sw->has_minimize) {
		fputs(". Minimised among the settings that meet them: <code>", f);
		rpt_html_text(f, rpt_figure_name(sw->minimize));
		fputs("</code> (the earlier setting on ties).</p>\n", f);
	} else {
		fputs("; no figure to minimise was given.</p>\n", f);
	}
}

/* The recommended setting's figures, the constraints beside those they bear on. */
static void recommended_figures(FILE *f, const struct rpt_sweep *sw)
{
	const struct rpt_sweep_point *p = &sw->points[sw->recommended];

	fputs("<table>\n<thead><tr><th scope=\"col\">figure</th><th scope=\"col\">value</th>"
	      "<th scope=\"col\">asked</th></tr></thead>\n<tbody>\n", f);
	for (int g = 0; g < RPT_NFIGURES; g++) {
		enum rpt_figure fig = (enum rpt_figure)g;
		bool any = false;

		fputs("<tr><th scope=\"row\">", f);
		rpt_html_text(f, rpt_figure_name(fig));
		fputs("</th><td>", f);
		figure_text(f, p, fig);
		fputs("</td><td>", f);
		for (size_t k = 0; k < sw->nconstraints; k++)
			if (sw->constraints[k].figure == fig) {
				fputs(any ? ", " : "", f);
				constraint_text(f, &sw->constraints[k]);
				any = true;
			}
		if (sw->has_minimize && sw->minimize == fig)
			fputs(any ? ", minimised" : "minimised", f);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
}

static void recommendation(FILE *f, const struct rpt_sweep *sw)
{
	bool none = sw->recommended == SIZE_MAX || sw->recommended >= sw->npoints;

	fprintf(f, "<div class=\"rec%s\">\n<h2>Recommendation</h2>\n", none ? " none" : "");
	asked(f, sw);
	if (!none) {
		fprintf(f, "<p><strong>Setting %zu</strong>: ", sw->recommended);
		values_text(f, sw, sw->recommended);
		fputs(".</p>\n", f);
		recommended_figures(f, sw);
	} else if (sw->nconstraints > 0 || sw->has_minimize) {
		fputs("<p><strong>No setting meets the constraints.</strong> None is recommended: "
		      "loosen the constraints or sweep other values. The table below has every "
		      "setting's figures.</p>\n", f);
	} else {
		fputs("<p><strong>No setting is recommended:</strong> no constraints (--require) and "
		      "no figure to minimise (--minimize) were given.</p>\n", f);
	}
	fputs("</div>\n", f);
}

static void settings_row(FILE *f, const struct rpt_sweep *sw, size_t i)
{
	const struct rpt_sweep_point *p = &sw->points[i];
	const struct rpt_confusion *c = &p->c;
	const uint64_t counts[] = { c->runs, c->true_rollbacks, c->false_rollbacks, c->missed,
				    c->correct_promotions, c->blocked, c->other };
	size_t idx[RPT_SWEEP_MAX_PARAMS];

	rpt_sweep_indices(sw->params, sw->nparams, i, idx);
	fprintf(f, "<tr%s><th scope=\"row\">%zu</th>", i == sw->recommended ? " class=\"recommended\"" : "",
		i);
	for (size_t k = 0; k < sw->nparams; k++) {
		fputs("<td>", f);
		rpt_html_text(f, sw->params[k].values[idx[k]]);
		fputs("</td>", f);
	}
	for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++)
		fprintf(f, "<td>%llu</td>", (unsigned long long)counts[k]);
	fputs("<td>", f);
	rate_text(f, &p->precision);
	fputs("</td><td>", f);
	rate_text(f, &p->recall);
	fputs("</td><td>", f);
	rate_text(f, &p->false_rollback_rate);
	fputs("</td><td>", f);
	time_text(f, p->ttd_median);
	fputs("</td><td>", f);
	time_text(f, p->ttd_p90);
	fputs("</td><td>", f);
	time_text(f, p->ttr_p90);
	fprintf(f, "</td><td>%s</td></tr>\n",
		rpt_sweep_meets(p, sw->constraints, sw->nconstraints) ? "yes" : "no");
}

static void settings_table(FILE *f, const struct rpt_sweep *sw)
{
	static const char *const cols[] = {
		"runs", "true rollbacks", "false rollbacks", "missed bad releases",
		"correct promotions", "blocked", "other", "precision", "recall",
		"false-rollback rate", "TTD median", "TTD p90", "TTR p90", "meets", NULL,
	};

	fputs("<h2>Every setting</h2>\n<div class=\"wide\">\n<table>\n<caption>Per setting: its values, "
	      "outcomes (runs), rates with Wilson 95% intervals, times to detect (TTD) and to "
	      "recover (TTR)", f);
	if (sw->recommended < sw->npoints)
		fputs("; the recommended setting in bold", f);
	fputs("</caption>\n<thead><tr><th scope=\"col\">setting</th>", f);
	for (size_t k = 0; k < sw->nparams; k++) {
		fputs("<th scope=\"col\"><code>", f);
		rpt_html_text(f, sw->params[k].path);
		fputs("</code></th>", f);
	}
	for (size_t k = 0; cols[k] != NULL; k++)
		fprintf(f, "<th scope=\"col\">%s</th>", cols[k]);
	fputs("</tr></thead>\n<tbody>\n", f);
	for (size_t i = 0; i < sw->npoints; i++)
		settings_row(f, sw, i);
	fputs("</tbody>\n</table>\n</div>\n", f);
}

static int plots(FILE *f, const struct sweep_page *pg)
{
	fputs("<h2>Plots</h2>\n", f);
	if (!pg->with_plots) {
		rpt_html_no_plots(f, "sweep");
		return 0;
	}
	for (size_t i = 0; rpt_sweep_plot_names[i] != NULL; i++)
		if (rpt_html_svg_figure(f, pg->dir, rpt_sweep_plot_names[i], plot_captions[i], pg->msg,
					pg->msglen) != 0)
			return -1;
	return 0;
}

static void notes(FILE *f)
{
	fputs("<h2>What the figures mean</h2>\n<ul>\n"
	      "<li>Every setting runs the same runs, run <var>i</var> with the same seed: the same "
	      "traffic and the same faults whatever the thresholds (common random numbers), so two "
	      "settings differ by what the settings do, not by noise.</li>\n"
	      "<li><strong>Precision</strong> is true rollbacks over all rollbacks; "
	      "<strong>recall</strong> true rollbacks over true rollbacks and missed bad releases; "
	      "the <strong>false-rollback rate</strong> false rollbacks over false rollbacks and "
	      "correct promotions. Blocked and other runs are in none of the three; a rate with "
	      "nothing to count is n/a. The bracketed ranges are Wilson score 95% intervals.</li>\n"
	      "<li>The <strong>time to detect</strong> (TTD) runs from the moment a bad canary first "
	      "took traffic to the rollback decision; the <strong>time to recovery</strong> (TTR) "
	      "from the same moment to the first window after the rollback that met the SLO. Medians "
	      "and 90th percentiles are type-7 quantiles of the runs that have the figure.</li>\n"
	      "<li>The constraints are on the estimates, not on the intervals: a setting that meets "
	      "<code>false_rollback_rate&lt;=0.01</code> with no false rollback of 160 good releases "
	      "still has an upper bound of 0.023. Read the interval before trusting it. A figure "
	      "that is n/a meets no constraint.</li>\n"
	      "<li>A setting is on the <strong>Pareto front</strong> when no other has both a "
	      "lower-or-equal false-rollback rate and a lower-or-equal TTD p90, one of them strictly "
	      "lower.</li>\n"
	      "</ul>\n",
	      f);
}

static int write_page(FILE *f, const void *ctx)
{
	const struct sweep_page *pg = ctx;
	const struct rpt_sweep *sw = pg->sw;

	rpt_html_head(f, "rollsim sweep ", sw->name, sweep_style);
	fputs("<h1>Sweep of ", f);
	rpt_html_text(f, sw->name);
	fprintf(f, "</h1>\n<p>%zu setting%s of %zu runs each, seed %llu: run <var>i</var> (from 0) of "
		   "every setting has seed %llu + <var>i</var>; ",
		sw->npoints, sw->npoints == 1 ? "" : "s", sw->runs, (unsigned long long)sw->seed,
		(unsigned long long)sw->seed);
	rpt_html_text(f, sw->fidelity ? sw->fidelity : "unstated");
	fputs("-level fidelity.</p>\n", f);
	recommendation(f, sw);
	swept(f, sw);
	settings_table(f, sw);
	if (plots(f, pg) != 0)
		return -1;
	notes(f);
	fputs("</body>\n</html>\n", f);
	return ferror(f) ? -1 : 0;
}

int rpt_write_sweep_html(const char *dir, const struct rpt_sweep *sw, bool with_plots, char *err,
			 size_t errlen)
{
	char msg[512] = "";
	const struct sweep_page pg = { sw, dir, with_plots, msg, sizeof(msg) };
	int rc;

	assert(sw->nparams <= RPT_SWEEP_MAX_PARAMS);
	if (rpt_make_dirs(dir) != 0) {
		snprintf(err, errlen, "%s: cannot create the directory: %s", dir, strerror(errno));
		return -1;
	}
	rc = rpt_write_file(dir, "report.html", write_page, &pg, err, errlen);
	if (rc != 0 && msg[0] != '\0')
		snprintf(err, errlen, "%s", msg);
	return rc;
}
