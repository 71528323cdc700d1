#include <math.h>
#include <string.h>

#include "reports/run_summary.h"

static double ns_to_s(int64_t ns)
{
	return (double)ns / (double)ENG_NS_PER_S;
}

/* Recovery: the start of the first window that begins at or after zero_ns
 * (the canary's weight, or every bad flag, back to 0) and in which what users saw (both versions) meets
 * the SLO. -1 when no such window was recorded. */
static int64_t recovery_ns(const struct eng_record *rec, int64_t zero_ns,
			   const struct eng_slo *slo)
{
	if (zero_ns < 0)
		return -1;
	for (size_t i = 0; i < rec->nwindows; i++) {
		const struct eng_observation *w = &rec->windows[i];
		int64_t start = w->t_ns - w->window_ns;

		if (start < zero_ns)
			continue;
		if (eng_window_within_slo(&w->all, slo))
			return start;
	}
	return -1;
}

/* The moments of a bad release under the flags strategy. */
struct flag_moments {
	int64_t onset_ns;         /* a bad flag first above 0%; -1 never */
	int64_t detect_ns;        /* the first bad flag's rollback; -1 none */
	int64_t detect_onset_ns;  /* that flag's own onset */
	int64_t zero_ns;          /* every bad flag back at 0%; -1 not all */
};

/* Fills out's flags from rec and meta, and the run's moments. */
static void summarize_flags(const struct eng_record *rec, const struct rpt_run_meta *meta,
			    struct rpt_summary *out, struct flag_moments *m)
{
	*m = (struct flag_moments){ -1, -1, -1, -1 };
	out->nflags = rec->nflags;
	for (size_t i = 0; i < rec->nflags; i++) {
		const struct eng_flag_record *f = &rec->flags[i];
		struct rpt_flag_summary *fs = &out->flags[i];
		bool rolled = f->outcome == ENG_OUTCOME_ROLLED_BACK && f->first_on_ns >= 0;

		*fs = (struct rpt_flag_summary){
			.name = f->name,
			.final_pct = f->final_pct,
			.outcome = f->outcome,
			.decision_s = f->decision_ns >= 0 ? ns_to_s(f->decision_ns) : NAN,
			.onset_s = f->first_on_ns >= 0 ? ns_to_s(f->first_on_ns) : NAN,
			.bad = meta->flag_bad[i],
			.has_ttd = meta->flag_bad[i] && rolled,
			.ttd_s = rolled ? ns_to_s(f->decision_ns - f->first_on_ns) : NAN,
		};
		if (!fs->bad || f->first_on_ns < 0)
			continue;
		if (m->onset_ns < 0 || f->first_on_ns < m->onset_ns)
			m->onset_ns = f->first_on_ns;
		if (rolled && (m->detect_ns < 0 || f->decision_ns < m->detect_ns)) {
			m->detect_ns = f->decision_ns;
			m->detect_onset_ns = f->first_on_ns;
		}
	}
	/* recovery needs every bad flag that was on back off */
	for (size_t i = 0; i < rec->nflags; i++) {
		const struct eng_flag_record *f = &rec->flags[i];

		if (!meta->flag_bad[i] || f->first_on_ns < 0)
			continue;
		if (f->off_ns < 0) {
			m->zero_ns = -1;
			return;
		}
		if (f->off_ns > m->zero_ns)
			m->zero_ns = f->off_ns;
	}
}

void rpt_summarize(const struct eng_record *rec, const struct rpt_run_meta *meta,
		   struct rpt_summary *out)
{
	bool bad_onset;

	memset(out, 0, sizeof(*out));
	out->outcome = rec->outcome;
	out->canary_bad = meta->canary_bad;
	out->final_weight_pct = rec->final_weight_pct;
	out->decision_s = rec->decision_ns >= 0 ? ns_to_s(rec->decision_ns) : NAN;
	out->duration_s = rec->decision_ns >= 0 ?
		ns_to_s(rec->decision_ns - rec->start_ns) :
		ns_to_s(rec->end_ns - rec->start_ns);
	/* first_traffic_ns is the first canary weight above 0: mirroring to a
	 * preview is not the canary taking traffic */
	bad_onset = meta->canary_bad && rec->first_traffic_ns >= 0;
	/* the onset of badness: the bad canary's first traffic, or the start
	 * of the fault that makes it bad, whichever is later */
	int64_t onset_ns = rec->first_traffic_ns > meta->bad_from_ns ?
		rec->first_traffic_ns : meta->bad_from_ns, detect_ns = rec->decision_ns;
	int64_t zero_ns = rec->weight_zero_ns;

	if (rec->nflags > 0) {
		struct flag_moments m;

		summarize_flags(rec, meta, out, &m);
		bad_onset = meta->canary_bad && m.onset_ns >= 0;
		onset_ns = m.onset_ns;
		zero_ns = m.zero_ns;
		/* the time to detect is the first bad flag's own */
		detect_ns = m.detect_ns >= 0 ? m.detect_ns - m.detect_onset_ns + onset_ns : -1;
	}
	out->onset_s = bad_onset ? ns_to_s(onset_ns) : NAN;

	for (size_t i = 0; i < rec->nwindows; i++) {
		const struct eng_observation *w = &rec->windows[i];

		out->requests += w->all.requests;
		out->failed_requests += w->all.errors;
		const struct eng_window_metrics *c = &w->version[ENG_CANARY];

		/* a mirrored copy's response went to no user */
		out->canary_requests += c->requests - c->mirrored;
		out->canary_failed_requests += c->errors - c->mirrored_errors;
		out->mirrored_requests += c->mirrored;
	}
	for (size_t i = 0; i < rec->events.count; i++) {
		const struct eng_event *ev = &rec->events.events[i];

		if (ev->rule != ENG_RULE_ANALYSIS && ev->rule != ENG_RULE_FLAG_ANALYSIS)
			continue;
		out->checks_passed += ev->result == ENG_RESULT_PASS;
		out->checks_failed += ev->result == ENG_RESULT_FAIL;
		out->checks_inconclusive += ev->result == ENG_RESULT_INCONCLUSIVE;
	}

	/* Detection and recovery apply only to a bad canary that was rolled
	 * back once it was bad: a good one rolled back was not "detected", a
	 * bad one promoted never recovers, and a rollback before a fault made
	 * the canary bad detected nothing. */
	if (!bad_onset || rec->outcome != ENG_OUTCOME_ROLLED_BACK || detect_ns < 0 ||
	    detect_ns < onset_ns)
		return;
	out->has_ttd = true;
	out->ttd_s = ns_to_s(detect_ns - onset_ns);
	int64_t rec_ns = recovery_ns(rec, zero_ns, &meta->slo);

	if (rec_ns >= 0) {
		out->has_ttr = true;
		out->ttr_s = ns_to_s(rec_ns - onset_ns);
	}
}

/* Whether a time (has, s) lies within [lo, hi] when bounded. */
static bool within(bool bounded, bool has, double s, double lo, double hi)
{
	return !bounded || (has && s >= lo && s <= hi);
}

bool rpt_expectation_met(const struct rpt_summary *sum,
			 const struct rpt_run_meta *meta)
{
	if (!meta->has_expect)
		return true;
	return sum->outcome == meta->expect_outcome &&
	       within(meta->expect_ttd, sum->has_ttd, sum->ttd_s,
		      meta->expect_ttd_min_s, meta->expect_ttd_max_s) &&
	       within(meta->expect_ttr, sum->has_ttr, sum->ttr_s,
		      meta->expect_ttr_min_s, meta->expect_ttr_max_s);
}
