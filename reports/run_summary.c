#include <math.h>
#include <string.h>

#include "reports/run_summary.h"

static double ns_to_s(int64_t ns)
{
	return (double)ns / (double)ENG_NS_PER_S;
}

/* Recovery: the start of the first window that begins once the canary's
 * weight is back to 0 and in which what users saw (both versions) meets
 * the SLO. -1 when no such window was recorded. */
static int64_t recovery_ns(const struct eng_record *rec, const struct eng_slo *slo)
{
	if (rec->weight_zero_ns < 0)
		return -1;
	for (size_t i = 0; i < rec->nwindows; i++) {
		const struct eng_observation *w = &rec->windows[i];
		int64_t start = w->t_ns - w->window_ns;

		if (start < rec->weight_zero_ns)
			continue;
		if (eng_window_within_slo(&w->all, slo))
			return start;
	}
	return -1;
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
	out->onset_s = bad_onset ? ns_to_s(rec->first_traffic_ns) : NAN;

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

		if (ev->rule != ENG_RULE_ANALYSIS)
			continue;
		out->checks_passed += ev->result == ENG_RESULT_PASS;
		out->checks_failed += ev->result == ENG_RESULT_FAIL;
		out->checks_inconclusive += ev->result == ENG_RESULT_INCONCLUSIVE;
	}

	/* Detection and recovery apply only to a bad canary that was rolled
	 * back: a good one rolled back was not "detected", a bad one promoted
	 * never recovers. */
	if (!bad_onset || rec->outcome != ENG_OUTCOME_ROLLED_BACK)
		return;
	out->has_ttd = true;
	out->ttd_s = ns_to_s(rec->decision_ns - rec->first_traffic_ns);
	int64_t rec_ns = recovery_ns(rec, &meta->slo);

	if (rec_ns >= 0) {
		out->has_ttr = true;
		out->ttr_s = ns_to_s(rec_ns - rec->first_traffic_ns);
	}
}

bool rpt_expectation_met(const struct rpt_summary *sum,
			 const struct rpt_run_meta *meta)
{
	return !meta->has_expect || sum->outcome == meta->expect_outcome;
}
