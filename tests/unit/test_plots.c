/* A study's plots (reports/plots: gnuplot's SVG and PNG files, their
 * determinism, no gnuplot, gnuplot failing) and its HTML report
 * (reports/html: the figures of summary.json, the plots inlined, escaping,
 * balanced tags). Needs gnuplot on PATH, as `make deps` installs it.
 * Wilson bounds by hand with z = 1.959963984540054:
 *   4 of 5: 0.376..0.964; 3 of 4: 0.301..0.954; 1 of 3: 0.061..0.792. */
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

#include "reports/html.h"
#include "reports/plots.h"
#include "reports/run_plot.h"
#include "reports/study.h"
#include "tests/unit/helpers.h"

/* --- the study ------------------------------------------------------------- */

/* Ten runs of two scenarios (ttd, ttr in s; - for none):
 *   alpha: 0 bad RB 20/35, 1 bad RB 50/70, 2 good RB, 3 bad RB 30/40,
 *          4 bad promoted, 5 good promoted;
 *   beta:  6 good promoted, 7 bad RB 10/25, 8 bad blocked, 9 good timed out.
 * Overall: 10 runs, 4 true rollbacks (0, 1, 3, 7), 1 false (2), 1 missed
 * (4), 2 correct promotions (5, 6), 1 blocked (8), 1 other (9).
 * alpha: 6 runs, 3 / 1 / 1 / 1 / 0 / 0; beta: 4 runs, 1 / 0 / 0 / 1 / 1 / 1. */
static void make_runs(struct rpt_study_run *r)
{
	static const struct {
		uint32_t entry;
		enum eng_outcome outcome;
		bool bad;
		double ttd_s, ttr_s;      /* NaN: none */
	} spec[10] = {
		{ 0, ENG_OUTCOME_ROLLED_BACK, true, 20, 35 },
		{ 0, ENG_OUTCOME_ROLLED_BACK, true, 50, 70 },
		{ 0, ENG_OUTCOME_ROLLED_BACK, false, NAN, NAN },
		{ 0, ENG_OUTCOME_ROLLED_BACK, true, 30, 40 },
		{ 0, ENG_OUTCOME_PROMOTED, true, NAN, NAN },
		{ 0, ENG_OUTCOME_PROMOTED, false, NAN, NAN },
		{ 1, ENG_OUTCOME_PROMOTED, false, NAN, NAN },
		{ 1, ENG_OUTCOME_ROLLED_BACK, true, 10, 25 },
		{ 1, ENG_OUTCOME_BLOCKED, true, NAN, NAN },
		{ 1, ENG_OUTCOME_TIMED_OUT, false, NAN, NAN },
	};

	for (size_t i = 0; i < 10; i++) {
		struct rpt_summary *s = &r[i].sum;

		memset(&r[i], 0, sizeof(r[i]));
		r[i].entry = spec[i].entry;
		r[i].seed = 42 + i;
		s->outcome = spec[i].outcome;
		s->canary_bad = spec[i].bad;
		s->onset_s = s->decision_s = NAN;
		s->has_ttd = !isnan(spec[i].ttd_s);
		s->ttd_s = s->has_ttd ? spec[i].ttd_s : 0.0;
		s->has_ttr = !isnan(spec[i].ttr_s);
		s->ttr_s = s->has_ttr ? spec[i].ttr_s : 0.0;
		s->duration_s = 100.0 + 10.0 * (double)i;
	}
}

static const struct rpt_study_entry entries[] = {
	{ "alpha", 3.0, 0.999 },
	{ "beta", 2.0, 0.99 },
};

/* --- files ----------------------------------------------------------------- */

static bool exists(const char *dir, const char *name)
{
	char path[4096];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &sb) == 0;
}

/* dir/gnuplot, a shell script of the given body. */
static bool fake_gnuplot(const char *dir, const char *body)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/gnuplot", dir);
	f = fopen(path, "w");
	if (f == NULL)
		return false;
	fprintf(f, "#!/bin/sh\n%s", body);
	return fclose(f) == 0 && chmod(path, 0755) == 0;
}

/* --- rpt_write_study_plots ------------------------------------------------- */

static void test_plot_files(void)
{
	struct rpt_study_run runs[10];
	struct rpt_study st = { .name = "two", .seed = 42, .fidelity = "request", .entries = entries,
				.nentries = 2, .runs = runs, .nruns = 10, .bootstrap = 200 };
	char base[64], a[128], b[128], err[512] = "";
	size_t total;

	make_runs(runs);
	CU_ASSERT_FATAL(t_temp_dir(base));
	snprintf(a, sizeof(a), "%s/a/plots", base); /* created, parents too */
	snprintf(b, sizeof(b), "%s/b", base);
	T_ASSERT_EQ_INT(rpt_write_study_plots(a, &st, err, sizeof(err)), RPT_PLOTS_OK);
	T_ASSERT_STR_EQ(err, "");
	st.threads = 3; /* three gnuplots at a time: the same files */
	T_ASSERT_EQ_INT(rpt_write_study_plots(b, &st, err, sizeof(err)), RPT_PLOTS_OK);
	for (size_t i = 0; rpt_study_plot_names[i] != NULL; i++) {
		char svg[64], png[64];
		size_t la = 0, lb = 0, lp = 0, lq = 0, end;
		char *x, *y, *p, *q;

		snprintf(svg, sizeof(svg), "%s.svg", rpt_study_plot_names[i]);
		snprintf(png, sizeof(png), "%s.png", rpt_study_plot_names[i]);
		x = t_slurp(a, svg, &la);
		y = t_slurp(b, svg, &lb);
		p = t_slurp(a, png, &lp);
		q = t_slurp(b, png, &lq);
		CU_ASSERT_FATAL(x != NULL && y != NULL && p != NULL && q != NULL);
		CU_ASSERT(lp == lq && memcmp(p, q, lp) == 0);
		free(q);
		CU_ASSERT(la > 1000);   /* a frame, axes and a key at least */
		CU_ASSERT(lp > 1000);
		CU_ASSERT(strncmp(x, "<?xml", 5) == 0 || strncmp(x, "<svg", 4) == 0);
		for (end = la; end > 0 && (x[end - 1] == '\n' || x[end - 1] == ' '); end--)
			;
		CU_ASSERT(end >= 6 && memcmp(x + end - 6, "</svg>", 6) == 0);
		CU_ASSERT(memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0);
		/* the same study, byte for byte the same SVG */
		T_ASSERT_EQ_INT(la, lb);
		CU_ASSERT(la == lb && memcmp(x, y, la) == 0);
		free(x);
		free(y);
		free(p);
	}
	/* the scenarios are in the keys, with their counts: alpha has 3 runs
	 * with a TTR, beta 1; the outcomes' labels carry their runs, 6 and 4 */
	{
		size_t n;
		char *ecdf = t_slurp(a, "ttr_ecdf.svg", &n), *out = t_slurp(a, "outcomes.svg", &n);

		CU_ASSERT_FATAL(ecdf != NULL && out != NULL);
		T_ASSERT_CONTAINS(ecdf, "alpha (3)");
		T_ASSERT_CONTAINS(ecdf, "beta (1)");
		T_ASSERT_CONTAINS(ecdf, "all scenarios (4)");
		T_ASSERT_CONTAINS(out, "alpha (6)");
		T_ASSERT_CONTAINS(out, "beta (4)");
		T_ASSERT_CONTAINS(out, "missed bad releases");
		free(ecdf);
		free(out);
	}
	/* 6 plots x 2 formats and nothing else: no .tmp, no data files */
	T_ASSERT_EQ_INT(t_stray_files(a, rpt_study_plot_names, NULL, &total), 0);
	T_ASSERT_EQ_INT(total, 12);
	T_ASSERT_EQ_INT(t_stray_files(b, rpt_study_plot_names, NULL, &total), 0);
	T_ASSERT_EQ_INT(total, 12);
	t_remove_tree(base);
}

/* No run with a time to detect or recover, and a scenario without runs:
 * the plots still come, each saying what is missing. */
static void test_plot_empty(void)
{
	struct rpt_study_run runs[10];
	struct rpt_study st = { .name = "none", .seed = 1, .fidelity = "window", .entries = entries,
				.nentries = 2, .runs = runs, .nruns = 2, .bootstrap = 200 };
	char dir[64], err[512] = "";
	size_t total, n;
	char *svg;

	make_runs(runs);
	runs[0] = runs[2]; /* two false rollbacks of alpha: no TTD, no TTR */
	runs[1] = runs[2];
	CU_ASSERT_FATAL(t_temp_dir(dir));
	T_ASSERT_EQ_INT(rpt_write_study_plots(dir, &st, err, sizeof(err)), RPT_PLOTS_OK);
	T_ASSERT_STR_EQ(err, "");
	svg = t_slurp(dir, "ttd_ecdf.svg", &n);
	CU_ASSERT_FATAL(svg != NULL);
	T_ASSERT_CONTAINS(svg, "no run has a time to detect");
	free(svg);
	svg = t_slurp(dir, "ttr_hist.svg", &n);
	CU_ASSERT_FATAL(svg != NULL);
	T_ASSERT_CONTAINS(svg, "no run has a time to recovery");
	free(svg);
	/* neither weights nor an example run given: frames that say so */
	svg = t_slurp(dir, "weight_fan.svg", &n);
	CU_ASSERT_FATAL(svg != NULL);
	T_ASSERT_CONTAINS(svg, "no run's weights were kept");
	free(svg);
	svg = t_slurp(dir, "run_timeline.svg", &n);
	CU_ASSERT_FATAL(svg != NULL);
	T_ASSERT_CONTAINS(svg, "no run to show");
	free(svg);
	T_ASSERT_EQ_INT(t_stray_files(dir, rpt_study_plot_names, NULL, &total), 0);
	T_ASSERT_EQ_INT(total, 12);
	t_remove_tree(dir);
}

static void test_plot_no_gnuplot(void)
{
	struct rpt_study_run runs[10];
	struct rpt_study st = { .name = "two", .seed = 42, .fidelity = "request", .entries = entries,
				.nentries = 2, .runs = runs, .nruns = 10, .bootstrap = 200 };
	char base[64], bin[128], out[128], err[512] = "";
	struct stat sb;
	char *old;

	make_runs(runs);
	CU_ASSERT_FATAL(t_temp_dir(base));
	snprintf(bin, sizeof(bin), "%s/bin", base);
	snprintf(out, sizeof(out), "%s/out", base);
	CU_ASSERT_FATAL(mkdir(bin, 0755) == 0);
	t_set_path(bin, &old);
	T_ASSERT_EQ_INT(rpt_write_study_plots(out, &st, err, sizeof(err)), RPT_PLOTS_NO_GNUPLOT);
	t_restore_path(old);
	T_ASSERT_CONTAINS(err, "gnuplot");
	/* nothing written, not even the directory */
	CU_ASSERT(stat(out, &sb) != 0 && errno == ENOENT);
	t_remove_tree(base);
}

/* A gnuplot that fails, and one that succeeds but draws nothing, on one
 * thread and on three: the first plot's failure is the one reported, no
 * file appears, no temporary file stays. */
static void test_plot_gnuplot_fails(void)
{
	static const struct {
		const char *script;
		const char *says;
	} cases[] = {
		{ "echo 'gnuplot> plot' >&2\necho '  line 3: boom' >&2\nexit 3\n", "status 3: line 3: boom" },
		{ "while read -r l; do :; done\nexit 0\n", "gnuplot wrote nothing" },
	};
	struct rpt_study_run runs[10];
	struct rpt_study st = { .name = "two", .seed = 42, .fidelity = "request", .entries = entries,
				.nentries = 2, .runs = runs, .nruns = 10, .bootstrap = 200 };

	make_runs(runs);
	for (size_t i = 0; i < 2 * sizeof(cases) / sizeof(cases[0]); i++) {
		char base[64], out[128], err[512] = "";
		size_t total;
		char *old;

		st.threads = i % 2 ? 3 : 1;
		CU_ASSERT_FATAL(t_temp_dir(base));
		CU_ASSERT_FATAL(fake_gnuplot(base, cases[i / 2].script));
		snprintf(out, sizeof(out), "%s/out", base);
		t_set_path(base, &old);
		T_ASSERT_EQ_INT(rpt_write_study_plots(out, &st, err, sizeof(err)), RPT_PLOTS_FAILED);
		t_restore_path(old);
		T_ASSERT_CONTAINS(err, "/out/ttr_hist.svg: ");
		T_ASSERT_CONTAINS(err, cases[i / 2].says);
		T_ASSERT_EQ_INT(t_stray_files(out, rpt_study_plot_names, NULL, &total), 0);
		T_ASSERT_EQ_INT(total, 0);
		t_remove_tree(base);
	}
}

/* A gnuplot that draws SVG but fails on PNG, on three threads: the error
 * is always the first failing file's (ttr_hist.png, job 1 of 12), never a
 * later one's, whichever thread ran into which first; the files that fail
 * are not there, and no temporary file stays. */
static void test_plot_first_failure_threads(void)
{
	struct rpt_study_run runs[10];
	struct rpt_study st = { .name = "two", .seed = 42, .fidelity = "request", .entries = entries,
				.nentries = 2, .runs = runs, .nruns = 10, .bootstrap = 200,
				.threads = 3 };
	char base[64], out[128];
	char *old;

	make_runs(runs);
	CU_ASSERT_FATAL(t_temp_dir(base));
	CU_ASSERT_FATAL(fake_gnuplot(base, "png=\nwhile read -r l; do case $l in *pngcairo*) png=1;; esac; done\n"
					   "if [ -n \"$png\" ]; then echo '  line 1: no png' >&2; exit 4; fi\n"
					   "echo '<svg></svg>'\n"));
	snprintf(out, sizeof(out), "%s/out", base);
	t_set_path(base, &old);
	for (int rep = 0; rep < 5; rep++) {
		char err[512] = "";
		size_t total;

		T_ASSERT_EQ_INT(rpt_write_study_plots(out, &st, err, sizeof(err)), RPT_PLOTS_FAILED);
		T_ASSERT_CONTAINS(err, "/out/ttr_hist.png: gnuplot exited with status 4: line 1: no png");
		CU_ASSERT(!exists(out, "ttr_hist.png"));
		T_ASSERT_EQ_INT(t_stray_files(out, rpt_study_plot_names, NULL, &total), 0);
		CU_ASSERT(exists(out, "ttr_hist.svg"));
	}
	t_restore_path(old);
	t_remove_tree(base);
}

/* --- rpt_write_study_html -------------------------------------------------- */

/* The row of html that starts with `head` holds each of cells, in order,
 * before its "</tr>". */
static void assert_row(const char *html, const char *head, const char *const *cells)
{
	const char *p = strstr(html, head), *end;

	T_ASSERT_CONTAINS(html, head);
	if (p == NULL)
		return;
	end = strstr(p, "</tr>");
	CU_ASSERT_FATAL(end != NULL);
	for (size_t i = 0; cells[i] != NULL; i++) {
		const char *q = strstr(p, cells[i]);

		if (q == NULL || q > end) {
			T_ASSERT_CONTAINS(head, cells[i]); /* prints both */
			return;
		}
		p = q + strlen(cells[i]);
	}
}

/* rpt_write_study_html of st's summary, as rollsim mc writes it. */
static int write_html(const char *dir, const struct rpt_study *st, bool with_plots, char *err,
		      size_t errlen)
{
	cJSON *j = rpt_study_json(st);
	int rc;

	CU_ASSERT_FATAL(j != NULL);
	rc = rpt_write_study_html(dir, j, with_plots, err, errlen);
	cJSON_Delete(j);
	return rc;
}

static void test_html_report(void)
{
	struct rpt_study_run runs[10];
	struct rpt_study st = { .name = "two-scenarios", .seed = 42, .fidelity = "request", .entries = entries,
				.nentries = 2, .runs = runs, .nruns = 10, .bootstrap = 200 };
	char dir[64], err[512] = "";
	size_t len = 0, len2 = 0, total;
	char *html, *again;

	make_runs(runs);
	/* requests for the budget: run 0 (alpha, availability 0.999) fails 2
	 * of 1000, twice the 1 allowed; run 5 (alpha) 1 of 1000 */
	runs[0].sum.requests = runs[5].sum.requests = 1000;
	runs[0].sum.failed_requests = 2;
	runs[5].sum.failed_requests = 1;
	/* blast radius: failed canary requests of the bad runs 0, 1, 3, 4, 7,
	 * 8; runs 2 and 5 are good, so theirs do not count */
	runs[0].sum.canary_failed_requests = 4;
	runs[1].sum.canary_failed_requests = 8;
	runs[2].sum.canary_failed_requests = 1000;
	runs[5].sum.canary_failed_requests = 1000;
	CU_ASSERT_FATAL(t_temp_dir(dir));
	CU_ASSERT_FATAL(rpt_write_study_plots(dir, &st, err, sizeof(err)) == RPT_PLOTS_OK);
	T_ASSERT_EQ_INT(write_html(dir, &st, true, err, sizeof(err)), 0);
	T_ASSERT_STR_EQ(err, "");
	html = t_slurp(dir, "report.html", &len);
	CU_ASSERT_FATAL(html != NULL);
	CU_ASSERT(strncmp(html, "<!DOCTYPE html>\n", 16) == 0);
	CU_ASSERT(len > 16 && strcmp(html + len - 8, "</html>\n") == 0);
	T_ASSERT_CONTAINS(html, "<h1>Study two-scenarios</h1>");
	T_ASSERT_CONTAINS(html, "10 runs, seed 42");
	T_ASSERT_CONTAINS(html, "request-level fidelity");
	/* every plot inlined, once, without its XML declaration, its ids
	 * prefixed so that the six do not clash */
	T_ASSERT_EQ_INT(t_opened(html, "svg"), 6);
	T_ASSERT_EQ_INT(t_count_of(html, "<?xml"), 0);
	T_ASSERT_EQ_INT(t_count_of(html, "id='gpPt0'"), 0);
	for (size_t i = 0; rpt_study_plot_names[i] != NULL; i++) {
		char id[64];

		snprintf(id, sizeof(id), "id='%s-gpPt0'", rpt_study_plot_names[i]);
		T_ASSERT_EQ_INT(t_count_of(html, id), 1);
	}
	/* the outcome counts of the header comment */
	T_ASSERT_CONTAINS(html, "<tr class=\"overall\"><th scope=\"row\">all scenarios</th>"
				"<td>10</td><td>4</td><td>1</td><td>1</td><td>2</td><td>1</td><td>1</td></tr>");
	T_ASSERT_CONTAINS(html, "<tr><th scope=\"row\">alpha</th>"
				"<td>6</td><td>3</td><td>1</td><td>1</td><td>1</td><td>0</td><td>0</td></tr>");
	T_ASSERT_CONTAINS(html, "<tr><th scope=\"row\">beta</th>"
				"<td>4</td><td>1</td><td>0</td><td>0</td><td>1</td><td>1</td><td>1</td></tr>");
	/* overall precision 4 / 5, recall 4 / (4 + 1), false-rollback rate 1 / 3 */
	T_ASSERT_CONTAINS(html, "<tr class=\"overall\"><th scope=\"row\">all scenarios</th>"
				"<td>0.800 <span class=\"ci\">[0.376, 0.964]</span></td>"
				"<td>0.800 <span class=\"ci\">[0.376, 0.964]</span></td>"
				"<td>0.333 <span class=\"ci\">[0.061, 0.792]</span></td></tr>");
	/* alpha: precision 3 / 4, recall 3 / 4 */
	T_ASSERT_CONTAINS(html, "<th scope=\"row\">alpha</th>"
				"<td>0.750 <span class=\"ci\">[0.301, 0.954]</span></td>");
	/* TTD 10, 20, 30, 50: mean 27.5, median 25, p90 30 + 0.7 x 20 = 44
	 * (type 7, h = 2.7), p99 30 + 0.97 x 20 = 49.4 (h = 2.97); TTR 25, 35,
	 * 40, 70: mean 42.5, median 37.5, p90 40 + 0.7 x 30 = 61, p99 40 +
	 * 0.97 x 30 = 69.1 */
	T_ASSERT_CONTAINS(html, "<tr class=\"overall\"><th scope=\"rowgroup\" rowspan=\"2\">all "
				"scenarios</th><th scope=\"row\">TTD</th><td>4</td><td>27.5 s <span");
	assert_row(html, "<th scope=\"rowgroup\" rowspan=\"2\">all scenarios</th><th scope=\"row\">TTD</th>",
		   (const char *const[]){ "<td>4</td>", "<td>27.5 s <span", "<td>25.0 s <span",
					  "<td>44.0 s <span", "<td>49.4 s <span", NULL });
	assert_row(html, "<tr class=\"overall\"><th scope=\"row\">TTR</th>",
		   (const char *const[]){ "<td>4</td>", "<td>42.5 s <span", "<td>37.5 s <span",
					  "<td>61.0 s <span", "<td>69.1 s <span", NULL });
	/* alpha's TTD 20, 50, 30: mean 33.3, median 30, p90 30 + 0.8 x 20 = 46
	 * (h = 1.8), p99 30 + 0.98 x 20 = 49.6 */
	assert_row(html, "<th scope=\"rowgroup\" rowspan=\"2\">alpha</th><th scope=\"row\">TTD</th>",
		   (const char *const[]){ "<td>3</td>", "<td>33.3 s <span", "<td>30.0 s <span",
					  "<td>46.0 s <span", "<td>49.6 s <span", NULL });
	/* blast radius of the 6 bad runs: 4, 8, 0, 0, 0, 0: mean 2, median 0,
	 * p90 4 + 0.5 x 4 = 6 (h = 4.5), p99 4 + 0.95 x 4 = 7.8 (h = 4.95) */
	assert_row(html, "<tr class=\"overall\"><th scope=\"rowgroup\" rowspan=\"3\">all scenarios</th>"
			 "<th scope=\"row\">blast radius</th>",
		   (const char *const[]){ "<td>6</td>", "<td>2.0 <span", "<td>0.0 <span",
					  "<td>6.0 <span", "<td>7.8 <span", NULL });
	/* budget consumed 2 / (0.001 x 1000) = 2 and 1: mean and median 1.5,
	 * p90 1 + 0.9 x 1 = 1.9, p99 1.99; the other runs have no requests */
	assert_row(html, "<tr class=\"overall\"><th scope=\"row\">budget consumed</th>",
		   (const char *const[]){ "<td>2</td>", "<td>1.500 <span", "<td>1.500 <span",
					  "<td>1.900 <span", "<td>1.990 <span", NULL });
	/* duration 100, 110, ..., 190: mean 145, median 140 + 0.5 x 10 = 145,
	 * p90 180 + 0.1 x 10 = 181 (h = 8.1), p99 180 + 0.91 x 10 = 189.1 */
	assert_row(html, "<tr class=\"overall\"><th scope=\"row\">duration</th>",
		   (const char *const[]){ "<td>10</td>", "<td>145.0 s <span", "<td>145.0 s <span",
					  "<td>181.0 s <span", "<td>189.1 s <span", NULL });
	/* beta has no requests: its budget is n/a throughout */
	assert_row(html, "</tbody>\n<tbody>\n<tr><th scope=\"rowgroup\" rowspan=\"3\">beta</th>"
			 "<th scope=\"row\">blast radius</th>",
		   (const char *const[]){ "<td>2</td>", "<td>0.0 <span class=\"ci\">[0.0, 0.0]</span></td>",
					  NULL });
	T_ASSERT_CONTAINS(html, "<tr><th scope=\"row\">budget consumed</th><td>0</td><td>n/a</td>"
				"<td>n/a</td><td>n/a</td><td>n/a</td></tr>");
	/* beta has no rollback of a good release nor a promoted bad one: its
	 * precision 1 / 1 and recall 1 / 1, false-rollback rate 0 / 1 */
	T_ASSERT_CONTAINS(html, "<th scope=\"row\">beta</th><td>1.000 <span");
	T_ASSERT_CONTAINS(html, "@media print");
	CU_ASSERT(strstr(html, "<script") == NULL);
	t_assert_page_balanced(html);
	/* the same study, the same page, byte for byte */
	T_ASSERT_EQ_INT(write_html(dir, &st, true, err, sizeof(err)), 0);
	again = t_slurp(dir, "report.html", &len2);
	CU_ASSERT_FATAL(again != NULL);
	CU_ASSERT(len == len2 && memcmp(html, again, len) == 0);
	T_ASSERT_EQ_INT(t_stray_files(dir, rpt_study_plot_names, "report.html", &total), 0);
	T_ASSERT_EQ_INT(total, 13);
	free(html);
	free(again);
	t_remove_tree(dir);
}

/* The page's only references to elsewhere are the SVG namespaces, which
 * are names, not fetched. */
static void test_html_self_contained(void)
{
	struct rpt_study_run runs[10];
	struct rpt_study st = { .name = "two", .seed = 42, .fidelity = "request", .entries = entries,
				.nentries = 2, .runs = runs, .nruns = 10, .bootstrap = 200 };
	char dir[64], err[512] = "";
	size_t len = 0;
	char *html;

	make_runs(runs);
	CU_ASSERT_FATAL(t_temp_dir(dir));
	CU_ASSERT_FATAL(rpt_write_study_plots(dir, &st, err, sizeof(err)) == RPT_PLOTS_OK);
	T_ASSERT_EQ_INT(write_html(dir, &st, true, err, sizeof(err)), 0);
	html = t_slurp(dir, "report.html", &len);
	CU_ASSERT_FATAL(html != NULL);
	T_ASSERT_EQ_INT(t_count_of(html, "http"),
			t_count_of(html, "xmlns=\"http://www.w3.org/2000/svg\"") +
				t_count_of(html, "xmlns:xlink=\"http://www.w3.org/1999/xlink\""));
	T_ASSERT_EQ_INT(t_count_of(html, " src="), 0);
	T_ASSERT_EQ_INT(t_count_of(html, "<link"), 0);
	T_ASSERT_EQ_INT(t_count_of(html, "<a "), 0);
	free(html);
	t_remove_tree(dir);
}

static void test_html_escapes(void)
{
	static const struct rpt_study_entry odd[] = {
		{ "a<&>'q'", 1.0, 0.999 },
		{ "b \"x\" @y", 1.0, 0.999 },
	};
	struct rpt_study_run runs[10];
	struct rpt_study st = { .name = "s<&>\"1\"", .seed = 42, .fidelity = "request", .entries = odd,
				.nentries = 2, .runs = runs, .nruns = 10, .bootstrap = 200 };
	char dir[64], err[512] = "";
	size_t len = 0;
	char *html;

	make_runs(runs);
	CU_ASSERT_FATAL(t_temp_dir(dir));
	/* gnuplot takes the names too: quoted for it, and escaped in its SVG */
	T_ASSERT_EQ_INT(rpt_write_study_plots(dir, &st, err, sizeof(err)), RPT_PLOTS_OK);
	T_ASSERT_STR_EQ(err, "");
	T_ASSERT_EQ_INT(write_html(dir, &st, true, err, sizeof(err)), 0);
	html = t_slurp(dir, "report.html", &len);
	CU_ASSERT_FATAL(html != NULL);
	T_ASSERT_CONTAINS(html, "<h1>Study s&lt;&amp;&gt;&quot;1&quot;</h1>");
	T_ASSERT_CONTAINS(html, "<title>rollsim study s&lt;&amp;&gt;&quot;1&quot;</title>");
	T_ASSERT_CONTAINS(html, "<th scope=\"row\">a&lt;&amp;&gt;&#39;q&#39;</th>");
	T_ASSERT_CONTAINS(html, "<th scope=\"row\">b &quot;x&quot; @y</th>");
	T_ASSERT_EQ_INT(t_count_of(html, "<&"), 0);
	/* in the plots, as gnuplot escapes text (it leaves '>' alone) */
	T_ASSERT_CONTAINS(html, "a&lt;&amp;>'q' (3)");
	T_ASSERT_CONTAINS(html, "b \"x\" @y (1)");
	t_assert_page_balanced(html);
	free(html);
	t_remove_tree(dir);
}

static void test_html_without_plots(void)
{
	struct rpt_study_run runs[10];
	struct rpt_study st = { .name = "two", .seed = 42, .fidelity = "request", .entries = entries,
				.nentries = 2, .runs = runs, .nruns = 10, .bootstrap = 200 };
	char base[64], dir[128], err[512] = "";
	size_t len = 0, total;
	char *html;

	make_runs(runs);
	CU_ASSERT_FATAL(t_temp_dir(base));
	snprintf(dir, sizeof(dir), "%s/new", base); /* created */
	T_ASSERT_EQ_INT(write_html(dir, &st, false, err, sizeof(err)), 0);
	html = t_slurp(dir, "report.html", &len);
	CU_ASSERT_FATAL(html != NULL);
	T_ASSERT_EQ_INT(t_count_of(html, "<svg"), 0);
	T_ASSERT_CONTAINS(html, "install gnuplot-nox");
	T_ASSERT_CONTAINS(html, "apt-get install gnuplot-nox");
	T_ASSERT_CONTAINS(html, "<td>0.800 <span");
	t_assert_page_balanced(html);
	T_ASSERT_EQ_INT(t_stray_files(dir, rpt_study_plot_names, "report.html", &total), 0);
	T_ASSERT_EQ_INT(total, 1);
	/* asked for plots that are not there: an error naming the first, and
	 * no page */
	{
		char page[256];

		snprintf(page, sizeof(page), "%s/report.html", dir);
		CU_ASSERT(unlink(page) == 0);
	}
	T_ASSERT_EQ_INT(write_html(dir, &st, true, err, sizeof(err)), -1);
	T_ASSERT_CONTAINS(err, "/new/ttr_hist.svg: cannot read: ");
	CU_ASSERT(!exists(dir, "report.html"));
	T_ASSERT_EQ_INT(t_stray_files(dir, rpt_study_plot_names, NULL, &total), 0);
	T_ASSERT_EQ_INT(total, 0);
	free(html);
	t_remove_tree(base);
}

/* The fan chart's data by hand: 10 s windows; run A at 10, 50, 100%; B at
 * 10, 0 (then holding 0); C at 10, 50, 50, 50. Type-7 quantiles of three
 * values x1 <= x2 <= x3 at q: h = 2q, x1 + h (x2 - x1) below 1.
 *   0..10 s: all 10.
 *   10..20 s: {0, 50, 50}: p10 (h 0.2) 10, p25 (h 0.5) 25, median 50, p75 50, p90 50.
 *   20..30 and 30..40 s (A holds 100, B 0): {0, 50, 100}: p10 10, p25 25, median
 *   50, p75 (h 1.5) 75, p90 (h 1.8) 90. */
static void test_fan_by_hand(void)
{
	static struct rpt_weight_track t[3];
	const float w[3][4] = { { 10, 50, 100 }, { 10, 0 }, { 10, 50, 50, 50 } };
	const uint32_t n[3] = { 3, 2, 4 };
	const struct rpt_fan fan = { "fan", t, 3 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	for (int r = 0; r < 3; r++) {
		t[r].window_s = 10.0;
		t[r].n = n[r];
		memcpy(t[r].weight_pct, w[r], sizeof(w[r]));
	}
	CU_ASSERT_FATAL(f != NULL);
	T_ASSERT_EQ_INT(rpt_fan_plot_body(f, &fan), 0);
	fclose(f);
	/* each step at its start and its end */
	T_ASSERT_CONTAINS(text, "$F << EOD\n0 10 10 10 10 10\n10 10 10 10 10 10\n"
				"10 10 25 50 50 50\n20 10 25 50 50 50\n"
				"20 10 25 50 75 90\n30 10 25 50 75 90\n"
				"30 10 25 50 75 90\n40 10 25 50 75 90\nEOD\n");
	free(text);
}

/* A run's timeline: one data row per window (t, weight, the versions'
 * error rates in %, their p99), and a mark for each decision that moved
 * traffic, at its time and weight. */
static void test_run_timeline_data(void)
{
	struct eng_record rec;
	struct eng_observation o;
	struct eng_event e;
	const struct rpt_run_plot rp = { "a run", &rec };
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	eng_record_init(&rec);
	for (int k = 1; k <= 2; k++) {
		memset(&o, 0, sizeof(o));
		o.t_ns = (int64_t)k * 10 * ENG_NS_PER_S;
		o.window_ns = 10 * ENG_NS_PER_S;
		o.weight_pct = k == 1 ? 10.0 : 0.0;
		o.version[ENG_STABLE].requests = 100;
		o.version[ENG_STABLE].error_rate_frac = 0.01;
		o.version[ENG_STABLE].p99_ms = 120.0;
		o.version[ENG_CANARY].requests = k == 1 ? 10 : 0;
		o.version[ENG_CANARY].error_rate_frac = 0.5;
		o.version[ENG_CANARY].p99_ms = 300.0;
		CU_ASSERT_FATAL(eng_record_add_window(&rec, &o) == ENG_OK);
	}
	memset(&e, 0, sizeof(e));
	e.t_ns = 20 * ENG_NS_PER_S;
	e.action = ENG_DECIDE_ROLLBACK;
	e.weight_pct = 0.0;
	CU_ASSERT_FATAL(eng_event_log_append(&rec.events, &e) == ENG_OK);
	e.action = ENG_DECIDE_CONTINUE; /* not a mark */
	CU_ASSERT_FATAL(eng_event_log_append(&rec.events, &e) == ENG_OK);
	f = open_memstream(&text, &len);
	CU_ASSERT_FATAL(f != NULL);
	T_ASSERT_EQ_INT(rpt_run_plot_body(f, &rp), 0);
	fclose(f);
	/* the canary's second window has no request: NaN, not 50% */
	T_ASSERT_CONTAINS(text, "$W << EOD\n10 10 1 50 120 300\n20 0 1 NaN 120 NaN\nEOD\n");
	T_ASSERT_CONTAINS(text, "$D << EOD\n20 0 \"rollback\"\nEOD\n");
	free(text);
	eng_record_free(&rec);
}

int t_suite_plots(void)
{
	static const struct t_case cases[] = {
		{ "every plot as SVG and PNG, SVGs byte-identical", test_plot_files },
		{ "plots of a study without times", test_plot_empty },
		{ "no gnuplot on PATH: nothing written", test_plot_no_gnuplot },
		{ "gnuplot failing: error, no file left", test_plot_gnuplot_fails },
		{ "gnuplot failing on threads: the first failure", test_plot_first_failure_threads },
		{ "report.html: figures, inlined plots, determinism", test_html_report },
		{ "report.html is self-contained", test_html_self_contained },
		{ "report.html escapes names", test_html_escapes },
		{ "report.html without plots, and plots missing", test_html_without_plots },
		{ "the fan chart's quantiles by hand", test_fan_by_hand },
		{ "a run's timeline: windows and decisions", test_run_timeline_data },
		{ NULL, NULL },
	};

	return t_add_suite("plots", cases);
}
