/* A Monte Carlo study's report as one self-contained HTML page: the
 * study's headline figures (those of summary.json, read from
 * rpt_study_json, never recomputed) and its plots inlined as SVG. No
 * script, no external file, no network; readable without its CSS and
 * printable. The page is well-formed XML as well as HTML5. */
#ifndef RPT_HTML_H
#define RPT_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

/* Writes dir/report.html (dir is created when needed) through a temporary
 * name renamed into place, from summary (rpt_study_json's object, as
 * summary.json holds it; borrowed): the study's name, seed, runs and
 * fidelity; per scenario and overall, the outcome counts, precision,
 * recall and false-rollback rate with their Wilson 95% intervals, and the
 * mean, median, p90 and p99 of the time to detect, the time to recovery,
 * the blast radius, the error budget consumed and the deployment duration
 * with their bootstrap 95% intervals; with `with_plots`, the SVGs of
 * rpt_study_plot_names read from dir (rpt_write_study_plots wrote them)
 * and inlined; without, a line saying how to get them; and what the
 * figures mean. The same summary gives byte-identical pages. Returns 0,
 * or -1 with err (of size errlen) naming the file and why (a missing SVG,
 * out of memory, I/O). */
int rpt_write_study_html(const char *dir, const cJSON *summary, bool with_plots,
			 char *err, size_t errlen);

/* Pieces shared by the pages of reports/ (the study's, the sweep's). */

/* s as HTML text or attribute value: & < > " and ' escaped; control
 * characters other than tab and newline as '?'. */
void rpt_html_text(FILE *f, const char *s);

/* The page's start up to and including <body>: the doctype, the meta
 * tags, <title> with title then name (both escaped), and the shared style
 * followed by extra_style (CSS, written as is; NULL: none). */
void rpt_html_head(FILE *f, const char *title, const char *name, const char *extra_style);

/* dir/NAME.svg inlined as <figure id="NAME"> (without its XML declaration,
 * its ids and references to them prefixed "NAME-") with the caption
 * (HTML, written as is). Returns 0, or -1 with msg (of size msglen) naming
 * the file and why. */
int rpt_html_svg_figure(FILE *f, const char *dir, const char *name, const char *caption,
			char *msg, size_t msglen);

/* The paragraph saying the plots need gnuplot-nox and to run the `what`
 * ("study", "sweep") again. */
void rpt_html_no_plots(FILE *f, const char *what);

#endif
