#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/check.h"
#include "reports/file_out.h"
#include "reports/stats.h"
#include "reports/study.h"

static void add_reason(struct rpt_check_result *out, bool ok, const char *text)
{
	if (out->n == RPT_CHECK_MAX_REASONS)
		return;
	if (!ok) {
		/* failed ones first: move the passed ones down */
		memmove(out->reasons[out->nfailed + 1], out->reasons[out->nfailed],
			(out->n - out->nfailed) * RPT_CHECK_REASON_MAX);
		snprintf(out->reasons[out->nfailed], RPT_CHECK_REASON_MAX, "%s", text);
		out->nfailed++;
		out->passed = false;
	} else {
		snprintf(out->reasons[out->n], RPT_CHECK_REASON_MAX, "%s", text);
	}
	out->n++;
}

/* "min 0.95", "max 0.05" or "0.9..1", for messages. */
static void bounds_text(double min, double max, double top, char *buf, size_t n)
{
	if (max >= top)
		snprintf(buf, n, ">= %g", min);
	else if (min <= 0.0)
		snprintf(buf, n, "<= %g", max);
	else
		snprintf(buf, n, "in %g..%g", min, max);
}

/* One run: the outcome and the times as they are. */
static void judge_one(const struct rpt_check_spec *spec, const struct rpt_summary *s,
		      struct rpt_check_result *out)
{
	char text[RPT_CHECK_REASON_MAX], b[64];
	bool ok = s->outcome == spec->outcome;

	if (ok)
		snprintf(text, sizeof(text), "outcome %s", eng_outcome_name(s->outcome));
	else
		snprintf(text, sizeof(text), "outcome %s, expected %s", eng_outcome_name(s->outcome),
			 eng_outcome_name(spec->outcome));
	add_reason(out, ok, text);
	for (int k = 0; k < 2; k++) {
		bool want = k == 0 ? spec->ttd : spec->ttr;
		bool has = k == 0 ? s->has_ttd : s->has_ttr;
		double v = k == 0 ? s->ttd_s : s->ttr_s;
		double lo = k == 0 ? spec->ttd_min_s : spec->ttr_min_s;
		double hi = k == 0 ? spec->ttd_max_s : spec->ttr_max_s;
		const char *name = k == 0 ? "time to detect" : "time to recover";

		if (!want)
			continue;
		bounds_text(lo, hi, INFINITY, b, sizeof(b));
		if (!has) {
			snprintf(text, sizeof(text), "no %s (the run has none), expected one %s s",
				 name, b);
			add_reason(out, false, text);
			continue;
		}
		ok = v >= lo && v <= hi;
		snprintf(text, sizeof(text), "%s %.1f s%s %s s", name, v, ok ? "," : ", expected", b);
		add_reason(out, ok, text);
	}
}

/* A share k of n against its bounds, on its Wilson interval: min is met
 * when the interval's lower bound reaches it, max when its upper bound
 * stays under it. */
static void judge_share(const char *name, const struct rpt_share_spec *b, uint64_t k,
			uint64_t n, const char *of, struct rpt_check_result *out)
{
	char text[RPT_CHECK_REASON_MAX], bt[64];
	struct rpt_interval w;
	bool ok;

	if (!b->set)
		return;
	bounds_text(b->min, b->max, 1.0, bt, sizeof(bt));
	if (n == 0) {
		snprintf(text, sizeof(text), "%s: none of the runs can count (no %s), expected %s",
			 name, of, bt);
		add_reason(out, false, text);
		return;
	}
	w = rpt_wilson(k, n);
	ok = w.lo >= b->min && w.hi <= b->max;
	snprintf(text, sizeof(text),
		 "%s %.4g (%llu of %llu %s; 95%% interval %.4g..%.4g)%s %s, judged on the interval",
		 name, w.est, (unsigned long long)k, (unsigned long long)n, of, w.lo, w.hi,
		 ok ? "," : ", expected", bt);
	add_reason(out, ok, text);
}

/* The 90th percentile of the runs' times against its bounds, on its
 * bootstrap interval. */
static int judge_time(const char *name, bool want, double lo, double hi,
		      const struct rpt_summary *sums, size_t n, bool ttd, unsigned B,
		      uint64_t seed, struct rpt_check_result *out)
{
	char text[RPT_CHECK_REASON_MAX], bt[64];
	double *x;
	size_t m = 0;
	struct rpt_interval iv;
	bool ok;

	if (!want)
		return 0;
	x = malloc((n ? n : 1) * sizeof(*x));
	if (x == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (ttd ? sums[i].has_ttd : sums[i].has_ttr)
			x[m++] = ttd ? sums[i].ttd_s : sums[i].ttr_s;
	}
	bounds_text(lo, hi, INFINITY, bt, sizeof(bt));
	if (m == 0) {
		snprintf(text, sizeof(text), "no run has a %s, expected its p90 %s s", name, bt);
		add_reason(out, false, text);
		free(x);
		return 0;
	}
	if (rpt_bootstrap(x, m, RPT_STAT_P90, B, seed, &iv) != 0) {
		free(x);
		return -1;
	}
	free(x);
	ok = iv.lo >= lo && iv.hi <= hi;
	snprintf(text, sizeof(text),
		 "%s p90 %.1f s (%zu runs; 95%% interval %.1f..%.1f s)%s %s s, judged on the interval",
		 name, iv.est, m, iv.lo, iv.hi, ok ? "," : ", expected", bt);
	add_reason(out, ok, text);
	return 0;
}

int rpt_check_judge(const struct rpt_check_spec *spec, const struct rpt_summary *sums,
		    size_t n, unsigned bootstrap, uint64_t seed, struct rpt_check_result *out)
{
	struct rpt_confusion c = { 0 };
	uint64_t bad = 0, good = 0, same = 0;

	memset(out, 0, sizeof(*out));
	out->passed = true;
	if (spec->runs == 0) {
		judge_one(spec, &sums[0], out);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		rpt_confusion_add(&c, &sums[i]);
		bad += sums[i].canary_bad ? 1u : 0u;
		good += sums[i].canary_bad ? 0u : 1u;
		same += sums[i].outcome == spec->outcome ? 1u : 0u;
	}
	char of[64];

	snprintf(of, sizeof(of), "runs %s", eng_outcome_name(spec->outcome));
	judge_share("recall", &spec->recall, c.true_rollbacks, bad,
		    bad ? "bad runs rolled back" : "bad runs: the canary is good", out);
	judge_share("false-rollback rate", &spec->false_rollback_rate, c.false_rollbacks, good,
		    good ? "good runs rolled back" : "good runs: the canary is bad", out);
	judge_share("outcome rate", &spec->outcome_rate, same, n, of, out);
	if (judge_time("time to detect", spec->ttd, spec->ttd_min_s, spec->ttd_max_s, sums, n,
		       true, bootstrap, seed, out) != 0 ||
	    judge_time("time to recover", spec->ttr, spec->ttr_min_s, spec->ttr_max_s, sums, n,
		       false, bootstrap, seed ^ 0x9e3779b97f4a7c15u, out) != 0)
		return -1;
	return 0;
}

/* ---- JUnit XML -------------------------------------------------------------- */

static void xml_text(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			/* control characters are not allowed in XML 1.0 */
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				fputc(' ', f);
			else
				fputc(*s, f);
		}
	}
}

struct junit {
	const struct rpt_junit_case *cases;
	size_t n;
};

static int print_junit(FILE *f, const void *ctx)
{
	const struct junit *j = ctx;
	size_t failures = 0, skipped = 0;

	for (size_t i = 0; i < j->n; i++) {
		if (j->cases[i].skipped)
			skipped++;
		else if (!j->cases[i].result->passed)
			failures++;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<testsuites name=\"rollsim check\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n"
		   "  <testsuite name=\"rollsim check\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n",
		j->n, failures, skipped, j->n, failures, skipped);
	for (size_t i = 0; i < j->n; i++) {
		const struct rpt_junit_case *c = &j->cases[i];

		fputs("    <testcase classname=\"rollsim.check\" name=\"", f);
		xml_text(f, c->name);
		fputs("\" file=\"", f);
		xml_text(f, c->file);
		fputs("\"", f);
		if (c->skipped) {
			fputs(">\n      <skipped message=\"", f);
			xml_text(f, c->skip_reason);
			fputs("\"/>\n    </testcase>\n", f);
			continue;
		}
		if (c->result->passed) {
			fputs("/>\n", f);
			continue;
		}
		fputs(">\n      <failure type=\"expectation\" message=\"", f);
		for (size_t k = 0; k < c->result->nfailed; k++) {
			if (k > 0)
				fputs("; ", f);
			xml_text(f, c->result->reasons[k]);
		}
		fputs("\">", f);
		for (size_t k = 0; k < c->result->n; k++) {
			xml_text(f, c->result->reasons[k]);
			fputc('\n', f);
		}
		fputs("</failure>\n    </testcase>\n", f);
	}
	fputs("  </testsuite>\n</testsuites>\n", f);
	return ferror(f) ? -1 : 0;
}

int rpt_write_junit(const char *path, const struct rpt_junit_case *cases, size_t n,
		    char *err, size_t errlen)
{
	const struct junit j = { cases, n };

	return rpt_write_path(path, print_junit, &j, err, errlen);
}
