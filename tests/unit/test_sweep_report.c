/* A sweep's plots and page (reports/sweep_report): the Pareto front by
 * hand, the roc and pareto plots (SVG and PNG, determinism, no gnuplot),
 * and report.html (the recommendation or its absence, the settings'
 * table, escaping, inlined plots, balanced tags). Needs gnuplot on PATH,
 * as `make deps` installs it.
 * Wilson 95% bounds with z = 1.959963984540054, z^2 = 3.8414588206941254,
 * centre (p + z^2/2n) / (1 + z^2/n), half-width z sqrt(p(1-p)/n + z^2/4n^2)
 * / (1 + z^2/n):
 *   4 of 5: 0.3755..0.9638; 1 of 3: 0.0615..0.7923;
 *   5 of 5: centre (1 + 0.38415) / 1.76829 = 0.78276, half-width
 *           (z^2/10) / 1.76829 = 0.21724, so 0.5655..1.0000;
 *   0 of 5: 0.0000..0.4345 (the mirror of 5 of 5);
 *   0 of 2: 0.0000..0.6576; 2 of 10: 0.0567..0.5098. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reports/stats.h"
#include "reports/sweep.h"
#include "reports/sweep_report.h"
#include "tests/unit/helpers.h"

/* --- rpt_sweep_pareto ------------------------------------------------------ */

/* A point of only a false-rollback rate and a TTD p90. */
static struct rpt_sweep_point fp(double frr, double ttd_p90)
{
	struct rpt_sweep_point p;

	memset(&p, 0, sizeof(p));
	p.false_rollback_rate.est = frr;
	p.ttd_p90 = ttd_p90;
	return p;
}

static void test_pareto(void)
{
	const struct rpt_sweep_point pts[] = {
		fp(0.10, 10), /* 0: front: the least TTD; none has TTD <= 10 */
		fp(0.02, 40), /* 1: front: the least rate of the numbers (7's 0.01 has no TTD) */
		fp(0.05, 30), /* 2: front: only 0 has less TTD, at a higher rate */
		fp(0.05, 30), /* 3: front: ties 2 in both; neither is strictly lower */
		fp(0.06, 30), /* 4: dominated by 2: 0.05 < 0.06, 30 <= 30 */
		fp(0.20, 50), /* 5: dominated by 0 (and 1 to 4) */
		fp(NAN, 5),   /* 6: NaN rate: never on it, nor does it beat 0's 10 */
		fp(0.01, NAN),/* 7: NaN TTD: never on it, nor does it beat 1's 0.02 */
		fp(0.02, 45), /* 8: dominated by 1: the same rate, 40 < 45 */
	};
	const bool want[] = { true, true, true, true, false, false, false, false, false };
	bool front[9];

	memset(front, 0x55, sizeof(front));
	rpt_sweep_pareto(pts, 9, front);
	for (size_t i = 0; i < 9; i++) {
		if (front[i] != want[i])
			fprintf(stderr, "\n  point %zu: front %d, expected %d", i, front[i], want[i]);
		CU_ASSERT(front[i] == want[i]);
	}
	/* alone, 4 is on its own front; 4 and 8 do not dominate each other
	 * (0.02 < 0.06 but 45 > 30) */
	rpt_sweep_pareto(pts + 4, 1, front);
	CU_ASSERT(front[0]);
	{
		const struct rpt_sweep_point two[] = { pts[4], pts[8] };

		rpt_sweep_pareto(two, 2, front);
		CU_ASSERT(front[0] && front[1]);
	}
	/* NaN alone: still not on it */
	rpt_sweep_pareto(pts + 6, 2, front);
	CU_ASSERT(!front[0] && !front[1]);
}

/* --- the sweep ------------------------------------------------------------- */

/* A setting from its counts (runs = the sum of them) and times, its rates
 * by rpt_wilson as rpt_sweep_point_of computes them. */
static struct rpt_sweep_point setting(uint64_t tr, uint64_t fr, uint64_t missed, uint64_t cp,
				      uint64_t blocked, uint64_t other, double ttd_median,
				      double ttd_p90, double ttr_p90)
{
	struct rpt_sweep_point p;

	memset(&p, 0, sizeof(p));
	p.c = (struct rpt_confusion){ tr + fr + missed + cp + blocked + other, tr, fr, missed, cp,
				      blocked, other };
	p.precision = rpt_wilson(tr, tr + fr);
	p.recall = rpt_wilson(tr, tr + missed);
	p.false_rollback_rate = rpt_wilson(fr, fr + cp);
	p.ttd_median = ttd_median;
	p.ttd_p90 = ttd_p90;
	p.ttr_median = NAN;
	p.ttr_p90 = ttr_p90;
	p.duration_mean = 100;
	return p;
}

/* A 2 x 2 grid, the second path's values varying fastest:
 *   0 (0.01, x): 4 TR, 1 FR, 1 missed, 2 CP, 1 blocked, 1 other: precision
 *     4/5, recall 4/5, FRR 1/3; TTD 25 / 44 s, TTR p90 61 s: fails FRR;
 *   1 (0.01, y): 5 TR, 5 CP: 1, 1, 0/5; TTD 20 / 30, TTR p90 50: meets;
 *   2 (0.02, x): the same as 1: meets, the same spot in both plots;
 *   3 (0.02, y): 2 FR, 8 CP, no bad release: recall n/a, FRR 2/10, no
 *     TTD: fails (n/a meets no constraint), left out of both plots.
 * FRR <= 0.05 and recall >= 0.9, minimising TTD p90: 1 and 2 tie at 30 s,
 * the earlier, 1, is recommended. Pareto (FRR, TTD p90): 1 and 2 at (0,
 * 30) tie; 0 at (1/3, 44) is dominated; 3 has no TTD. */
static const char *const max_values[] = { "0.01", "0.02" };
static const char *const odd_values[] = { "x", "y" };
static const struct rpt_sweep_param params[] = {
	{ "deployment.analysis.metrics[0].max", max_values, 2 },
	{ "a<&>b", odd_values, 2 },
};
static const struct rpt_constraint require[] = {
	{ RPT_FIG_FALSE_ROLLBACK_RATE, true, 0.05 },
	{ RPT_FIG_RECALL, false, 0.9 },
};

static void make_points(struct rpt_sweep_point *pts)
{
	pts[0] = setting(4, 1, 1, 2, 1, 1, 25, 44, 61);
	pts[1] = setting(5, 0, 0, 5, 0, 0, 20, 30, 50);
	pts[2] = pts[1];
	pts[3] = setting(0, 2, 0, 8, 0, 0, NAN, NAN, NAN);
}

static struct rpt_sweep make_sweep(const struct rpt_sweep_point *pts)
{
	struct rpt_sweep sw = {
		.name = "canary<mix>", .seed = 7, .runs = 10, .fidelity = "request",
		.params = params, .nparams = 2, .points = pts, .npoints = 4,
		.constraints = require, .nconstraints = 2, .has_minimize = true,
		.minimize = RPT_FIG_TTD_P90, .recommended = 1,
	};

	return sw;
}

/* --- rpt_write_sweep_plots ------------------------------------------------- */

static void test_plot_files(void)
{
	struct rpt_sweep_point pts[4];
	struct rpt_sweep sw;
	char base[64], a[128], b[128], err[512] = "";
	size_t total;

	make_points(pts);
	sw = make_sweep(pts);
	CU_ASSERT_FATAL(t_temp_dir(base));
	snprintf(a, sizeof(a), "%s/a/plots", base); /* created, parents too */
	snprintf(b, sizeof(b), "%s/b", base);
	T_ASSERT_EQ_INT(rpt_write_sweep_plots(a, &sw, err, sizeof(err)), RPT_PLOTS_OK);
	T_ASSERT_STR_EQ(err, "");
	T_ASSERT_EQ_INT(rpt_write_sweep_plots(b, &sw, err, sizeof(err)), RPT_PLOTS_OK);
	for (size_t i = 0; rpt_sweep_plot_names[i] != NULL; i++) {
		char svg[64], png[64];
		size_t la = 0, lb = 0, lp = 0;
		char *x, *y, *p;

		snprintf(svg, sizeof(svg), "%s.svg", rpt_sweep_plot_names[i]);
		snprintf(png, sizeof(png), "%s.png", rpt_sweep_plot_names[i]);
		x = t_slurp(a, svg, &la);
		y = t_slurp(b, svg, &lb);
		p = t_slurp(a, png, &lp);
		CU_ASSERT_FATAL(x != NULL && y != NULL && p != NULL);
		CU_ASSERT(la > 1000);
		CU_ASSERT(lp > 1000);
		CU_ASSERT(strstr(x, "<svg") != NULL && strstr(x, "</svg>") != NULL);
		CU_ASSERT(memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0);
		/* the same sweep, byte for byte the same SVG */
		T_ASSERT_EQ_INT(la, lb);
		CU_ASSERT(la == lb && memcmp(x, y, la) == 0);
		/* the recommended setting, 1, is marked and keyed; setting 3
		 * (recall n/a, TTD n/a) is left out of both, and said so */
		T_ASSERT_CONTAINS(x, "recommended: 1");
		T_ASSERT_CONTAINS(x, "1 setting left out");
		/* 1 and 2 share a spot, hence a label */
		T_ASSERT_CONTAINS(x, ">1,2<");
		free(x);
		free(y);
		free(p);
	}
	{
		size_t n;
		char *roc = t_slurp(a, "roc.svg", &n), *par = t_slurp(a, "pareto.svg", &n);

		CU_ASSERT_FATAL(roc != NULL && par != NULL);
		/* roc: 1 and 2 meet; 0 does not; 3 is not drawn */
		T_ASSERT_CONTAINS(roc, "meets the constraints (2)");
		T_ASSERT_CONTAINS(roc, "does not meet them (1)");
		/* pareto: the front is 1 and 2, 0 is dominated */
		T_ASSERT_CONTAINS(par, "Pareto front (2)");
		T_ASSERT_CONTAINS(par, "dominated (1)");
		free(roc);
		free(par);
	}
	/* 2 plots x 2 formats and nothing else: no .tmp */
	T_ASSERT_EQ_INT(t_stray_files(a, rpt_sweep_plot_names, NULL, &total), 0);
	T_ASSERT_EQ_INT(total, 4);
	T_ASSERT_EQ_INT(t_stray_files(b, rpt_sweep_plot_names, NULL, &total), 0);
	T_ASSERT_EQ_INT(total, 4);
	t_remove_tree(base);
}

/* Every setting n/a: the plots still come, empty frames that say why. */
static void test_plot_empty(void)
{
	struct rpt_sweep_point pts[4];
	struct rpt_sweep sw;
	char dir[64], err[512] = "";
	size_t n;
	char *svg;

	make_points(pts);
	pts[0] = pts[1] = pts[2] = pts[3];
	sw = make_sweep(pts);
	sw.recommended = SIZE_MAX;
	CU_ASSERT_FATAL(t_temp_dir(dir));
	T_ASSERT_EQ_INT(rpt_write_sweep_plots(dir, &sw, err, sizeof(err)), RPT_PLOTS_OK);
	T_ASSERT_STR_EQ(err, "");
	svg = t_slurp(dir, "roc.svg", &n);
	CU_ASSERT_FATAL(svg != NULL);
	T_ASSERT_CONTAINS(svg, "no setting has both rates");
	T_ASSERT_CONTAINS(svg, "4 settings left out");
	free(svg);
	svg = t_slurp(dir, "pareto.svg", &n);
	CU_ASSERT_FATAL(svg != NULL);
	T_ASSERT_CONTAINS(svg, "4 settings left out");
	CU_ASSERT(strstr(svg, "recommended") == NULL);
	free(svg);
	t_remove_tree(dir);
}

static void test_plot_no_gnuplot(void)
{
	struct rpt_sweep_point pts[4];
	struct rpt_sweep sw;
	char base[64], out[128], err[512] = "";
	const char *p = getenv("PATH");
	char *old = p ? strdup(p) : NULL;
	struct stat sb;

	make_points(pts);
	sw = make_sweep(pts);
	CU_ASSERT_FATAL(t_temp_dir(base));
	snprintf(out, sizeof(out), "%s/out", base);
	/* an empty PATH is the current directory alone, which has no gnuplot */
	setenv("PATH", "", 1);
	T_ASSERT_EQ_INT(rpt_write_sweep_plots(out, &sw, err, sizeof(err)), RPT_PLOTS_NO_GNUPLOT);
	if (old != NULL)
		setenv("PATH", old, 1);
	else
		unsetenv("PATH");
	free(old);
	T_ASSERT_CONTAINS(err, "gnuplot");
	/* nothing written, not even the directory */
	CU_ASSERT(stat(out, &sb) != 0 && errno == ENOENT);
	t_remove_tree(base);
}

/* --- rpt_write_sweep_html -------------------------------------------------- */

static void test_html_report(void)
{
	struct rpt_sweep_point pts[4];
	struct rpt_sweep sw;
	char dir[64], err[512] = "";
	size_t len = 0, len2 = 0, total;
	char *html, *again;

	make_points(pts);
	sw = make_sweep(pts);
	/* the recommendation of the comment above make_points */
	T_ASSERT_EQ_INT(rpt_sweep_recommend(pts, 4, require, 2, RPT_FIG_TTD_P90), 1);
	CU_ASSERT_FATAL(t_temp_dir(dir));
	CU_ASSERT_FATAL(rpt_write_sweep_plots(dir, &sw, err, sizeof(err)) == RPT_PLOTS_OK);
	T_ASSERT_EQ_INT(rpt_write_sweep_html(dir, &sw, true, err, sizeof(err)), 0);
	T_ASSERT_STR_EQ(err, "");
	html = t_slurp(dir, "report.html", &len);
	CU_ASSERT_FATAL(html != NULL);
	CU_ASSERT(strncmp(html, "<!DOCTYPE html>\n", 16) == 0);
	CU_ASSERT(len > 16 && strcmp(html + len - 8, "</html>\n") == 0);
	/* the name escaped; seed, runs, fidelity */
	T_ASSERT_CONTAINS(html, "<title>rollsim sweep canary&lt;mix&gt;</title>");
	T_ASSERT_CONTAINS(html, "<h1>Sweep of canary&lt;mix&gt;</h1>");
	T_ASSERT_CONTAINS(html, "4 settings of 10 runs each, seed 7");
	T_ASSERT_CONTAINS(html, "request-level fidelity");
	/* the swept paths and values, the odd path escaped */
	T_ASSERT_CONTAINS(html, "<li><code>deployment.analysis.metrics[0].max</code>: <code>0.01</code>, "
				"<code>0.02</code> (2 values)</li>");
	T_ASSERT_CONTAINS(html, "<li><code>a&lt;&amp;&gt;b</code>: <code>x</code>, <code>y</code>");
	T_ASSERT_EQ_INT(t_count_of(html, "a<&>b"), 0);
	/* the box: the constraints as given, the figure minimised, setting 1
	 * = (0.01, y) and its figures: recall 5/5, FRR 0/5, TTD p90 30 s */
	T_ASSERT_CONTAINS(html, "<div class=\"rec\">");
	T_ASSERT_CONTAINS(html, "<code>false_rollback_rate&lt;=0.05</code> and <code>recall&gt;=0.9</code>");
	T_ASSERT_CONTAINS(html, "Minimised among the settings that meet them: <code>ttd_p90</code>");
	T_ASSERT_CONTAINS(html, "<p><strong>Setting 1</strong>: <code>deployment.analysis.metrics[0].max</code> = "
				"<code>0.01</code>, <code>a&lt;&amp;&gt;b</code> = <code>y</code>.</p>");
	T_ASSERT_CONTAINS(html, "<tr><th scope=\"row\">recall</th><td>1.0000 <span class=\"ci\">[0.5655, "
				"1.0000]</span></td><td><code>recall&gt;=0.9</code></td></tr>");
	T_ASSERT_CONTAINS(html, "<tr><th scope=\"row\">ttd_p90</th><td>30.0 s</td><td>minimised</td></tr>");
	CU_ASSERT(strstr(html, "No setting meets") == NULL);
	/* the table: one highlighted row, setting 1's; setting 0's counts
	 * 10 runs 4 1 1 2 1 1, precision 4/5, FRR 1/3, TTD 25 / 44, TTR p90 61 */
	T_ASSERT_EQ_INT(t_count_of(html, "<tr class=\"recommended\">"), 1);
	T_ASSERT_CONTAINS(html, "<tr class=\"recommended\"><th scope=\"row\">1</th><td>0.01</td><td>y</td>"
				"<td>10</td><td>5</td><td>0</td><td>0</td><td>5</td><td>0</td><td>0</td>");
	T_ASSERT_CONTAINS(html, "<tr><th scope=\"row\">0</th><td>0.01</td><td>x</td><td>10</td><td>4</td>"
				"<td>1</td><td>1</td><td>2</td><td>1</td><td>1</td>"
				"<td>0.8000 <span class=\"ci\">[0.3755, 0.9638]</span></td>"
				"<td>0.8000 <span class=\"ci\">[0.3755, 0.9638]</span></td>"
				"<td>0.3333 <span class=\"ci\">[0.0615, 0.7923]</span></td>"
				"<td>25.0 s</td><td>44.0 s</td><td>61.0 s</td><td>no</td></tr>");
	/* setting 3: precision 0/2, recall n/a, FRR 2/10, no times, fails */
	T_ASSERT_CONTAINS(html, "<td>0.0000 <span class=\"ci\">[0.0000, 0.6576]</span></td><td>n/a</td>"
				"<td>0.2000 <span class=\"ci\">[0.0567, 0.5098]</span></td>"
				"<td>n/a</td><td>n/a</td><td>n/a</td><td>no</td></tr>");
	T_ASSERT_EQ_INT(t_count_of(html, "<td>yes</td>"), 2);
	/* both plots inlined, once each, ids prefixed */
	T_ASSERT_EQ_INT(t_opened(html, "svg"), 2);
	T_ASSERT_EQ_INT(t_count_of(html, "<?xml"), 0);
	T_ASSERT_EQ_INT(t_count_of(html, "id='gpPt0'"), 0);
	T_ASSERT_EQ_INT(t_count_of(html, "id='roc-gpPt0'"), 1);
	T_ASSERT_EQ_INT(t_count_of(html, "id='pareto-gpPt0'"), 1);
	T_ASSERT_CONTAINS(html, "<figure id=\"roc\">");
	T_ASSERT_CONTAINS(html, "<figure id=\"pareto\">");
	/* self-contained */
	CU_ASSERT(strstr(html, "<script") == NULL);
	T_ASSERT_EQ_INT(t_count_of(html, "<link"), 0);
	T_ASSERT_EQ_INT(t_count_of(html, "<a "), 0);
	T_ASSERT_EQ_INT(t_count_of(html, " src="), 0);
	T_ASSERT_EQ_INT(t_count_of(html, "<&"), 0);
	t_assert_page_balanced(html);
	/* the same sweep, the same page, byte for byte */
	T_ASSERT_EQ_INT(rpt_write_sweep_html(dir, &sw, true, err, sizeof(err)), 0);
	again = t_slurp(dir, "report.html", &len2);
	CU_ASSERT_FATAL(again != NULL);
	CU_ASSERT(len == len2 && memcmp(html, again, len) == 0);
	T_ASSERT_EQ_INT(t_stray_files(dir, rpt_sweep_plot_names, "report.html", &total), 0);
	T_ASSERT_EQ_INT(total, 5);
	free(html);
	free(again);
	t_remove_tree(dir);
}

/* recall >= 0.999: no setting meets it; no plots asked for. */
static void test_html_none_meets(void)
{
	static const struct rpt_constraint strict[] = { { RPT_FIG_RECALL, false, 0.999 },
							{ RPT_FIG_FALSE_ROLLBACK_RATE, true, 0 } };
	struct rpt_sweep_point pts[4];
	struct rpt_sweep sw;
	char base[64], dir[128], err[512] = "";
	size_t len = 0, total;
	char *html;

	make_points(pts);
	pts[1].recall = pts[2].recall = rpt_wilson(9, 10); /* 0.9 < 0.999 */
	sw = make_sweep(pts);
	sw.constraints = strict;
	sw.recommended = rpt_sweep_recommend(pts, 4, strict, 2, RPT_FIG_TTD_P90);
	T_ASSERT_EQ_INT(sw.recommended, SIZE_MAX);
	CU_ASSERT_FATAL(t_temp_dir(base));
	snprintf(dir, sizeof(dir), "%s/new", base); /* created */
	T_ASSERT_EQ_INT(rpt_write_sweep_html(dir, &sw, false, err, sizeof(err)), 0);
	html = t_slurp(dir, "report.html", &len);
	CU_ASSERT_FATAL(html != NULL);
	T_ASSERT_CONTAINS(html, "<div class=\"rec none\">");
	T_ASSERT_CONTAINS(html, "<strong>No setting meets the constraints.</strong> None is recommended");
	T_ASSERT_CONTAINS(html, "<code>recall&gt;=0.999</code> and <code>false_rollback_rate&lt;=0</code>");
	/* nothing guessed: no setting named, no row highlighted */
	CU_ASSERT(strstr(html, "<strong>Setting ") == NULL);
	T_ASSERT_EQ_INT(t_count_of(html, "class=\"recommended\""), 0);
	T_ASSERT_EQ_INT(t_count_of(html, "<td>yes</td>"), 0);
	T_ASSERT_EQ_INT(t_count_of(html, "<td>no</td>"), 4);
	/* without plots: the hint, no SVG */
	T_ASSERT_EQ_INT(t_count_of(html, "<svg"), 0);
	T_ASSERT_CONTAINS(html, "apt-get install gnuplot-nox");
	T_ASSERT_CONTAINS(html, "run the sweep again");
	t_assert_page_balanced(html);
	T_ASSERT_EQ_INT(t_stray_files(dir, rpt_sweep_plot_names, "report.html", &total), 0);
	T_ASSERT_EQ_INT(total, 1);
	/* asked for plots that are not there: an error naming the first, and
	 * the page as it was */
	T_ASSERT_EQ_INT(rpt_write_sweep_html(dir, &sw, true, err, sizeof(err)), -1);
	T_ASSERT_CONTAINS(err, "/new/roc.svg: cannot read: ");
	T_ASSERT_EQ_INT(t_stray_files(dir, rpt_sweep_plot_names, "report.html", &total), 0);
	T_ASSERT_EQ_INT(total, 1);
	free(html);
	t_remove_tree(base);
}

int t_suite_sweep_report(void)
{
	static const struct t_case cases[] = {
		{ "the Pareto front: ties, dominated, NaN", test_pareto },
		{ "roc and pareto as SVG and PNG, SVGs byte-identical", test_plot_files },
		{ "plots of a sweep without figures", test_plot_empty },
		{ "no gnuplot on PATH: nothing written", test_plot_no_gnuplot },
		{ "report.html: recommendation, table, plots, determinism", test_html_report },
		{ "report.html: no setting meets, no plots", test_html_none_meets },
		{ NULL, NULL },
	};

	return t_add_suite("sweep_report", cases);
}
