#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "reports/file_out.h"
#include "reports/html.h"
#include "reports/plots.h"
#include "reports/study.h"

/* Every element the page opens it closes and every attribute is quoted,
 * so the page is well-formed XML too; only the four entities XML knows
 * are used. */
static const char page_style[] =
	"body { font-family: sans-serif; color: #222; line-height: 1.4; max-width: 62em;"
	" margin: 1em auto; padding: 0 1em; }\n"
	"table { border-collapse: collapse; margin: 0.5em 0 1.5em; }\n"
	"caption { text-align: left; font-weight: bold; padding: 0.2em 0; }\n"
	"th, td { border: 1px solid #bbb; padding: 0.2em 0.5em; }\n"
	"td { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }\n"
	"thead th { background: #eee; }\n"
	"tbody th { text-align: left; font-weight: normal; }\n"
	"tr.overall th, tr.overall td { font-weight: bold; }\n"
	"th[rowspan] { vertical-align: top; }\n"
	"th[scope=\"row\"] { white-space: nowrap; }\n"
	"tbody + tbody { border-top: 2px solid #888; }\n"
	".ci { color: #555; font-size: 0.9em; }\n"
	"figure { margin: 1em 0 2em; }\n"
	"figure svg { display: block; max-width: 100%; height: auto; }\n"
	"figcaption { font-size: 0.9em; color: #444; }\n"
	"@media print {\n"
	"  body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }\n"
	"  thead th { background: none; }\n"
	"  table, figure { break-inside: avoid; page-break-inside: avoid; }\n"
	"  h2 { break-after: avoid; page-break-after: avoid; }\n"
	"}\n";

/* What each plot shows, index-aligned with rpt_study_plot_names. */
static const char *const plot_captions[] = {
	"Time to recovery: runs per bin, stacked by scenario (the number of runs with a time "
	"to recovery in brackets).",
	"Time to recovery, ECDF: the fraction of the runs with a time to recovery that had "
	"recovered by the time on the x axis; one line per scenario and, with several, a "
	"black one for all of them.",
	"Time to detect, ECDF: the fraction of the runs with a time to detect (bad canaries "
	"rolled back) that were rolled back by the time on the x axis.",
	"Outcomes: the share of each scenario's runs in each outcome, stacked to 100% (the "
	"scenario's runs in brackets).",
	"Canary weight over time: the median of the runs and the bands that hold the middle "
	"50% and 80% of them (each run keeps its last weight after its end); the first 1,000 "
	"runs of a larger study.",
	"One run whole: the canary weight and each version's error rate per window above, "
	"their p99 latency below, and the decisions that moved traffic; the run of median "
	"time to recovery (the first run when none recovered), which rollsim run repeats "
	"with the seed in the title.",
};

struct page {
	const cJSON *j;           /* rpt_study_json's, borrowed */
	const char *dir;
	bool with_plots;
	char *msg;                /* why writing failed, when not an I/O error */
	size_t msglen;
};

/* --- text ------------------------------------------------------------------ */

/* s as HTML text or attribute value: & < > " and ' escaped; control
 * characters other than tab and newline (not allowed in XML) as '?'. */
void rpt_html_text(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f ? '?' : c, f);
		}
	}
}

static const cJSON *at(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* A count or seed as rpt_json_add_u64 wrote it (raw decimal text), or a
 * number; "n/a" otherwise. */
static void count_text(FILE *f, const cJSON *x)
{
	if (cJSON_IsRaw(x) && x->valuestring != NULL)
		rpt_html_text(f, x->valuestring);
	else if (cJSON_IsNumber(x))
		fprintf(f, "%.0f", x->valuedouble);
	else
		fputs("n/a", f);
}

static void count_cell(FILE *f, const cJSON *x)
{
	fputs("<td>", f);
	count_text(f, x);
	fputs("</td>", f);
}

/* {"estimate", "lo", "hi"} as "0.750 [0.301, 0.954]" (decimals 3, suffix
 * "") or "42.0 s [30.0, 50.0]" (1, " s"); "n/a" when the estimate is null
 * (no data). */
static void interval_cell(FILE *f, const cJSON *iv, int decimals, const char *suffix)
{
	const cJSON *e = at(iv, "estimate"), *lo = at(iv, "lo"), *hi = at(iv, "hi");

	fputs("<td>", f);
	if (!cJSON_IsNumber(e)) {
		fputs("n/a</td>", f);
		return;
	}
	fprintf(f, "%.*f%s", decimals, e->valuedouble, suffix);
	if (cJSON_IsNumber(lo) && cJSON_IsNumber(hi))
		fprintf(f, " <span class=\"ci\">[%.*f, %.*f]</span>", decimals, lo->valuedouble,
			decimals, hi->valuedouble);
	fputs("</td>", f);
}

/* --- tables ---------------------------------------------------------------- */

/* The row's header: the group's scenario, or all of them. */
static void row_head(FILE *f, const cJSON *g, bool overall)
{
	fputs(overall ? "<tr class=\"overall\"><th scope=\"row\">" : "<tr><th scope=\"row\">", f);
	if (overall) {
		fputs("all scenarios", f);
	} else {
		const char *name = cJSON_GetStringValue(at(g, "scenario"));

		rpt_html_text(f, name ? name : "?");
	}
	fputs("</th>", f);
}

static void table_head(FILE *f, const char *caption, const char *const *cols)
{
	fprintf(f, "<table>\n<caption>%s</caption>\n<thead><tr><th scope=\"col\">scenario</th>",
		caption);
	for (size_t i = 0; cols[i] != NULL; i++)
		fprintf(f, "<th scope=\"col\">%s</th>", cols[i]);
	fputs("</tr></thead>\n<tbody>\n", f);
}

static void outcomes_row(FILE *f, const cJSON *g, bool overall)
{
	static const char *const keys[] = { "true_rollbacks", "false_rollbacks", "missed_bad_releases",
					     "correct_promotions", "blocked", "other" };
	const cJSON *m = at(g, "confusion");

	row_head(f, g, overall);
	count_cell(f, at(g, "runs"));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		count_cell(f, at(m, keys[i]));
	fputs("</tr>\n", f);
}

static void rates_row(FILE *f, const cJSON *g, bool overall)
{
	row_head(f, g, overall);
	interval_cell(f, at(g, "precision"), 3, "");
	interval_cell(f, at(g, "recall"), 3, "");
	interval_cell(f, at(g, "false_rollback_rate"), 3, "");
	fputs("</tr>\n", f);
}

/* One table: a row for all scenarios, then one per scenario. */
static void group_table(FILE *f, const cJSON *j, const char *caption, const char *const *cols,
			void (*row)(FILE *f, const cJSON *g, bool overall))
{
	const cJSON *g;

	table_head(f, caption, cols);
	row(f, at(j, "overall"), true);
	cJSON_ArrayForEach(g, at(j, "scenarios"))
		row(f, g, false);
	fputs("</tbody>\n</table>\n", f);
}

/* A figure of summary.json's groups, its name in the tables and how its
 * values are written. */
struct figure {
	const char *key;
	const char *name;         /* HTML */
	int decimals;
	const char *suffix;
};

/* The group's rows of a distribution table: one per figure, the
 * scenario's header spanning them; the runs that have the figure, then
 * its mean, median, p90 and p99 with their intervals. */
static void distribution_rows(FILE *f, const cJSON *g, bool overall, const struct figure *figs,
			      size_t nfigs)
{
	static const char *const stats[] = { "mean", "median", "p90", "p99" };
	const char *name = cJSON_GetStringValue(at(g, "scenario"));

	for (size_t i = 0; i < nfigs; i++) {
		const cJSON *d = at(g, figs[i].key);

		fputs(overall ? "<tr class=\"overall\">" : "<tr>", f);
		if (i == 0) {
			fprintf(f, "<th scope=\"rowgroup\" rowspan=\"%zu\">", nfigs);
			rpt_html_text(f, overall ? "all scenarios" : name ? name : "?");
			fputs("</th>", f);
		}
		fprintf(f, "<th scope=\"row\">%s</th>", figs[i].name);
		count_cell(f, at(d, "n"));
		for (size_t k = 0; k < sizeof(stats) / sizeof(stats[0]); k++)
			interval_cell(f, at(d, stats[k]), figs[i].decimals, figs[i].suffix);
		fputs("</tr>\n", f);
	}
}

/* A table of the figures' distributions: the rows of all scenarios, then
 * of each scenario. */
static void distribution_table(FILE *f, const cJSON *j, const char *caption,
			       const struct figure *figs, size_t nfigs)
{
	static const char *const cols[] = {
		"figure", "runs with it", "mean", "median", "p90", "p99", NULL,
	};
	const cJSON *g;

	table_head(f, caption, cols);
	distribution_rows(f, at(j, "overall"), true, figs, nfigs);
	cJSON_ArrayForEach(g, at(j, "scenarios")) {
		fputs("</tbody>\n<tbody>\n", f); /* one body a group */
		distribution_rows(f, g, false, figs, nfigs);
	}
	fputs("</tbody>\n</table>\n", f);
}

static void headline(FILE *f, const cJSON *j)
{
	static const char *const outcome_cols[] = {
		"runs", "true rollbacks", "false rollbacks", "missed bad releases",
		"correct promotions", "blocked", "other", NULL,
	};
	static const char *const rate_cols[] = {
		"precision", "recall", "false-rollback rate", NULL,
	};
	static const struct figure times[] = {
		{ "ttd_s", "TTD", 1, " s" },
		{ "ttr_s", "TTR", 1, " s" },
	};
	static const struct figure costs[] = {
		{ "blast_radius_requests", "blast radius", 1, "" },
		{ "budget_consumed_frac", "budget consumed", 3, "" },
		{ "duration_s", "duration", 1, " s" },
	};

	fputs("<h2>Headline figures</h2>\n", f);
	group_table(f, j, "Outcomes (runs)", outcome_cols, outcomes_row);
	group_table(f, j, "Rates, with Wilson 95% intervals", rate_cols, rates_row);
	distribution_table(f, j,
			   "Time to detect (TTD) and to recover (TTR), with bootstrap 95% intervals",
			   times, sizeof(times) / sizeof(times[0]));
	distribution_table(f, j,
			   "Blast radius (failed canary requests of bad releases), error budget "
			   "consumed (1: at the rate the SLO allows) and deployment duration, with "
			   "bootstrap 95% intervals",
			   costs, sizeof(costs) / sizeof(costs[0]));
}

/* --- plots ----------------------------------------------------------------- */

/* The whole of dir/name: returns owned text (free with free()), NUL-ended,
 * its length in *len; NULL with errno set. */
static char *read_all(const char *dir, const char *name, size_t *len)
{
	char path[4096];
	char *buf = NULL;
	size_t cap = 0, n = 0;
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	for (;;) {
		size_t got;

		if (cap - n < 4096) {
			char *nb = realloc(buf, cap ? 2 * cap : 65536);

			if (nb == NULL) {
				errno = ENOMEM;
				goto out_fail;
			}
			buf = nb;
			cap = cap ? 2 * cap : 65536;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		errno = EIO;
		goto out_fail;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
out_fail:
	fclose(f);
	free(buf);
	return NULL;
}

static bool starts(const char *p, const char *end, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(end - p) >= n && memcmp(p, s, n) == 0;
}

/* svg[from..to) with its ids and references to them prefixed "NAME-", so
 * that the plots' ids (gnuplot names them alike) stay unique in the page.
 * Only inside tags: gnuplot escapes '<' in text, so a '<' opens a tag. */
static void inline_svg(FILE *f, const char *p, const char *end, const char *name)
{
	static const char *const refs[] = { "id='", "id=\"", "href='#", "href=\"#", "url(#" };
	bool in_tag = true; /* p is past the '<' of "<svg" */

	while (p < end) {
		size_t k = 0, nrefs = sizeof(refs) / sizeof(refs[0]);

		if (*p == '<')
			in_tag = true;
		else if (*p == '>')
			in_tag = false;
		if (in_tag && (p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\n' || p[-1] == ':' ||
			       p[-1] == '(' || *p == 'u')) {
			for (k = 0; k < nrefs && !starts(p, end, refs[k]); k++)
				;
		} else {
			k = nrefs;
		}
		if (k < nrefs) {
			fputs(refs[k], f);
			fprintf(f, "%s-", name);
			p += strlen(refs[k]);
		} else {
			fputc(*p++, f);
		}
	}
}

int rpt_html_svg_figure(FILE *f, const char *dir, const char *name, const char *caption,
			char *msg, size_t msglen)
{
	char file[64];
	const char *from, *to, *last = NULL;
	size_t len;
	char *svg;

	snprintf(file, sizeof(file), "%s.svg", name);
	svg = read_all(dir, file, &len);
	if (svg == NULL) {
		snprintf(msg, msglen, "%s/%s: cannot read: %s", dir, file, strerror(errno));
		return -1;
	}
	from = strstr(svg, "<svg");
	for (const char *q = from ? strstr(from, "</svg>") : NULL; q != NULL; q = strstr(q + 1, "</svg>"))
		last = q;
	if (from == NULL || last == NULL || strlen(svg) != len) {
		snprintf(msg, msglen, "%s/%s: not an SVG image", dir, file);
		free(svg);
		return -1;
	}
	to = last + strlen("</svg>");
	fprintf(f, "<figure id=\"%s\">\n", name);
	fputc(*from, f); /* inline_svg looks one back: start past the '<' */
	inline_svg(f, from + 1, to, name);
	fprintf(f, "\n<figcaption>%s</figcaption>\n</figure>\n", caption);
	free(svg);
	return 0;
}

void rpt_html_no_plots(FILE *f, const char *what)
{
	fputs("<p>No plots: they are drawn with gnuplot, which is not installed. Install "
	      "gnuplot-nox (apt-get install gnuplot-nox) and run the ", f);
	rpt_html_text(f, what);
	fputs(" again to have them here.</p>\n", f);
}

static int plots(FILE *f, const struct page *pg)
{
	fputs("<h2>Plots</h2>\n", f);
	if (!pg->with_plots) {
		rpt_html_no_plots(f, "study");
		return 0;
	}
	for (size_t i = 0; rpt_study_plot_names[i] != NULL; i++)
		if (rpt_html_svg_figure(f, pg->dir, rpt_study_plot_names[i], plot_captions[i],
					pg->msg, pg->msglen) != 0)
			return -1;
	return 0;
}

/* --- the page -------------------------------------------------------------- */

void rpt_html_head(FILE *f, const char *title, const char *name, const char *extra_style)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
	      "<title>", f);
	rpt_html_text(f, title);
	rpt_html_text(f, name);
	fprintf(f, "</title>\n<style>\n%s%s</style>\n</head>\n<body>\n", page_style,
		extra_style ? extra_style : "");
}

static void notes(FILE *f)
{
	fputs("<h2>What the figures mean</h2>\n<ul>\n"
	      "<li>Each run deploys one release of its scenario with its own seed; whether the "
	      "release was bad (the ground truth) comes from the scenario.</li>\n"
	      "<li>A <strong>true rollback</strong> rolled back a bad release, a <strong>false "
	      "rollback</strong> a good one; a <strong>missed bad release</strong> promoted a bad "
	      "release, a <strong>correct promotion</strong> a good one. <strong>Blocked</strong> "
	      "runs were refused by a gate, good or bad; <strong>other</strong> runs timed out or "
	      "were still running at the end.</li>\n"
	      "<li><strong>Precision</strong> is true rollbacks over all rollbacks: how often a "
	      "rollback was right. <strong>Recall</strong> is true rollbacks over true rollbacks "
	      "and missed bad releases: the share of bad releases caught. The <strong>false-rollback "
	      "rate</strong> is false rollbacks over false rollbacks and correct promotions: the "
	      "share of good releases lost. Blocked and other runs are in none of the three; a rate "
	      "with nothing to count is n/a.</li>\n"
	      "<li>The bracketed ranges are 95% intervals: Wilson score intervals for the rates, "
	      "which stay within 0 to 1 and are sound at 0 or all of n; bootstrap percentile "
	      "intervals for the means, medians, 90th and 99th percentiles (quantiles by linear "
	      "interpolation, Hyndman-Fan type 7), from resamples drawn with the study seed.</li>\n"
	      "<li>The <strong>time to detect</strong> (TTD) runs from the moment a bad canary "
	      "first took traffic to the rollback decision; only bad releases rolled back have "
	      "one. The <strong>time to recovery</strong> (TTR) runs from the same moment to the "
	      "start of the first window after the rollback in which what users saw met the "
	      "SLO.</li>\n"
	      "<li>The <strong>blast radius</strong> of a run with a bad canary is the number of "
	      "requests that failed on the canary; runs with a good canary have none. The "
	      "<strong>error budget consumed</strong> is a run's failed requests over those its "
	      "SLO allows of its requests: 1 spends the budget at exactly the allowed rate, above 1 "
	      "faster. The <strong>deployment duration</strong> runs from the start of the "
	      "deployment to its final decision.</li>\n"
	      "<li>A 90th or 99th percentile of few runs is close to the largest of them, and its "
	      "interval says little: read it with the number of runs that have the figure.</li>\n"
	      "</ul>\n",
	      f);
}

static int write_page(FILE *f, const void *ctx)
{
	const struct page *pg = ctx;
	const cJSON *j = pg->j;
	const char *name = cJSON_GetStringValue(at(j, "study"));
	const char *fidelity = cJSON_GetStringValue(at(j, "fidelity"));

	if (name == NULL)
		name = "?";
	rpt_html_head(f, "rollsim study ", name, NULL);
	fputs("<h1>Study ", f);
	rpt_html_text(f, name);
	fputs("</h1>\n<p>", f);
	count_text(f, at(at(j, "overall"), "runs"));
	fputs(" runs, seed ", f);
	count_text(f, at(j, "seed"));
	fputs(" (run <var>i</var>, from 0, has seed ", f);
	count_text(f, at(j, "seed"));
	fputs(" + <var>i</var>), ", f);
	rpt_html_text(f, fidelity ? fidelity : "unstated");
	fputs("-level fidelity, ", f);
	count_text(f, at(j, "bootstrap_resamples"));
	fputs(" bootstrap resamples per interval.</p>\n", f);
	headline(f, j);
	if (plots(f, pg) != 0)
		return -1;
	notes(f);
	fputs("</body>\n</html>\n", f);
	return ferror(f) ? -1 : 0;
}

int rpt_write_study_html(const char *dir, const cJSON *summary, bool with_plots,
			 char *err, size_t errlen)
{
	char msg[512] = "";
	const struct page pg = { summary, dir, with_plots, msg, sizeof(msg) };
	int rc;

	if (rpt_make_dirs(dir) != 0) {
		snprintf(err, errlen, "%s: cannot create the directory: %s", dir, strerror(errno));
		return -1;
	}
	rc = rpt_write_file(dir, "report.html", write_page, &pg, err, errlen);
	if (rc != 0 && msg[0] != '\0')
		snprintf(err, errlen, "%s", msg);
	return rc;
}
