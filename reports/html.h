/* A Monte Carlo study's report as one self-contained HTML page: the
 * study's headline figures (those of summary.json, read from
 * rpt_study_json, never recomputed) and its plots inlined as SVG. No
 * script, no external file, no network; readable without its CSS and
 * printable. The page is well-formed XML as well as HTML5. */
#ifndef RPT_HTML_H
#define RPT_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "reports/study.h"

/* Writes dir/report.html (dir is created when needed) through a temporary
 * name renamed into place: the study's name, seed, runs and fidelity; per
 * scenario and overall, the outcome counts, precision, recall and
 * false-rollback rate with their Wilson 95% intervals, and the median and
 * p90 of the time to detect and to recover with their bootstrap 95%
 * intervals; with `with_plots`, the SVGs of rpt_study_plot_names read from
 * dir (rpt_write_study_plots wrote them) and inlined; without, a line
 * saying how to get them; and what the figures mean. The same study gives
 * byte-identical pages. Borrows st. Returns 0, or -1 with err (of size
 * errlen) naming the file and why (a missing SVG, out of memory, I/O). */
int rpt_write_study_html(const char *dir, const struct rpt_study *st, bool with_plots,
			 char *err, size_t errlen);

#endif
