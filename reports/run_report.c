#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/csv_out.h"
#include "reports/file_out.h"
#include "reports/run_report.h"

const char *rpt_strerror(enum rpt_status st)
{
	switch (st) {
#define RPT_STATUS_CASE(name, msg) \
	case name:                 \
		return msg;
		RPT_STATUS_LIST(RPT_STATUS_CASE)
#undef RPT_STATUS_CASE
	}
	return "unknown report status";
}

/* x rounded to `decimals` places, so that files stay readable. */
static double rounded(double x, int decimals)
{
	double f = pow(10.0, decimals);

	return round(x * f) / f;
}

static double ns_to_s(int64_t ns)
{
	return (double)ns / (double)ENG_NS_PER_S;
}

/* The flags strategy's per-flag results, as the "flags" array. */
static bool add_flags(cJSON *o, const struct rpt_summary *sum)
{
	cJSON *arr = cJSON_AddArrayToObject(o, "flags");

	for (size_t i = 0; arr != NULL && i < sum->nflags; i++) {
		const struct rpt_flag_summary *f = &sum->flags[i];
		cJSON *x = cJSON_CreateObject();

		if (x == NULL || !cJSON_AddItemToArray(arr, x))
			return false;
		if (!cJSON_AddStringToObject(x, "name", f->name) ||
		    !rpt_json_add_number(x, "final_pct", f->final_pct) ||
		    !cJSON_AddStringToObject(x, "outcome", eng_outcome_name(f->outcome)) ||
		    !rpt_json_add_number(x, "decision_s", rounded(f->decision_s, 3)) ||
		    !rpt_json_add_number(x, "onset_s", rounded(f->onset_s, 3)) ||
		    !rpt_json_add_number(x, "ttd_s", f->has_ttd ? rounded(f->ttd_s, 3) : NAN) ||
		    !cJSON_AddBoolToObject(x, "bad", f->bad))
			return false;
	}
	return arr != NULL;
}

/* {"min": lo, "max": hi} under key when bounded, an infinite max left out. */
static bool add_bounds(cJSON *o, const char *key, bool bounded, double lo, double hi)
{
	cJSON *b;

	if (!bounded)
		return true;
	b = cJSON_AddObjectToObject(o, key);
	return b != NULL && rpt_json_add_number(b, "min", lo) && (isinf(hi) || rpt_json_add_number(b, "max", hi));
}

cJSON *rpt_summary_json(const struct rpt_run_meta *meta,
			const struct rpt_summary *sum)
{
	cJSON *o = cJSON_CreateObject();
	bool ok;

	if (o == NULL)
		return NULL;
	ok = cJSON_AddStringToObject(o, "scenario", meta->scenario) &&
	     (meta->replay ? cJSON_AddNullToObject(o, "seed") != NULL
			   : rpt_json_add_u64(o, "seed", meta->seed)) &&
	     (meta->fidelity == NULL ||
	      cJSON_AddStringToObject(o, "fidelity", meta->fidelity) != NULL) &&
	     (!meta->replay || rpt_json_add_number(o, "origin_s", rounded(meta->origin_s, 3))) &&
	     cJSON_AddStringToObject(o, "outcome", eng_outcome_name(sum->outcome)) &&
	     (meta->truth_unknown ? cJSON_AddNullToObject(o, "canary_bad") != NULL
				  : cJSON_AddBoolToObject(o, "canary_bad", sum->canary_bad) != NULL) &&
	     rpt_json_add_number(o, "ttd_s", sum->has_ttd ? rounded(sum->ttd_s, 3) : NAN) &&
	     rpt_json_add_number(o, "ttr_s", sum->has_ttr ? rounded(sum->ttr_s, 3) : NAN) &&
	     rpt_json_add_u64(o, "failed_requests", sum->failed_requests) &&
	     rpt_json_add_u64(o, "canary_failed_requests", sum->canary_failed_requests) &&
	     rpt_json_add_u64(o, "requests", sum->requests) &&
	     rpt_json_add_u64(o, "canary_requests", sum->canary_requests) &&
	     rpt_json_add_u64(o, "mirrored_requests", sum->mirrored_requests) &&
	     rpt_json_add_number(o, "duration_s", rounded(sum->duration_s, 3)) &&
	     rpt_json_add_number(o, "onset_s", rounded(sum->onset_s, 3)) &&
	     rpt_json_add_number(o, "decision_s", rounded(sum->decision_s, 3)) &&
	     rpt_json_add_number(o, "final_weight_pct", sum->final_weight_pct) &&
	     rpt_json_add_number(o, "checks_passed", sum->checks_passed) &&
	     rpt_json_add_number(o, "checks_failed", sum->checks_failed) &&
	     rpt_json_add_number(o, "checks_inconclusive", sum->checks_inconclusive);
	if (ok && sum->nflags > 0)
		ok = add_flags(o, sum);
	if (ok && meta->has_expect) {
		cJSON *e = cJSON_AddObjectToObject(o, "expect");

		ok = e && cJSON_AddStringToObject(e, "outcome",
						  eng_outcome_name(meta->expect_outcome)) &&
		     add_bounds(e, "ttd_s", meta->expect_ttd, meta->expect_ttd_min_s,
				meta->expect_ttd_max_s) &&
		     add_bounds(e, "ttr_s", meta->expect_ttr, meta->expect_ttr_min_s,
				meta->expect_ttr_max_s) &&
		     cJSON_AddBoolToObject(e, "met", rpt_expectation_met(sum, meta));
	}
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static const char *bound_name(enum eng_bound b)
{
	return b == ENG_BOUND_NONE ? NULL : eng_bound_name(b);
}

/* How the compared quantity reads in a sentence: "error_rate 0.02",
 * "error_rate ratio to stable 2.5", "p99_ms increase over stable 40". */
static const char *compared_name(enum eng_bound b)
{
	switch (b) {
	case ENG_BOUND_NONE:
	case ENG_BOUND_MAX:
	case ENG_BOUND_MIN:
		return "";
	case ENG_BOUND_MAX_RATIO:
	case ENG_BOUND_MIN_RATIO:
		return " ratio to stable";
	case ENG_BOUND_MAX_INCREASE:
		return " increase over stable";
	case ENG_BOUND_MAX_DECREASE:
		return " decrease below stable";
	case ENG_BOUND_ALPHA:
		return " test p";
	}
	return "";
}

static bool lower_bound(enum eng_bound b)
{
	return b == ENG_BOUND_MIN || b == ENG_BOUND_MIN_RATIO || b == ENG_BOUND_ALPHA;
}

static void analysis_reason(const struct eng_event *ev, char *buf, size_t n)
{
	const char *what = compared_name(ev->bound);
	const char *limit = bound_name(ev->bound) ? bound_name(ev->bound) : "limit";

	switch (ev->result) {
	case ENG_RESULT_ERROR:
		snprintf(buf, n, "%s: no data for %s (%llu canary requests): an error, not a verdict",
			 ev->check, ev->metric, (unsigned long long)ev->samples);
		return;
	case ENG_RESULT_INCONCLUSIVE:
		if (ev->samples < ev->min_samples)
			snprintf(buf, n, "%s: %llu canary requests; a verdict needs %llu",
				 ev->check, (unsigned long long)ev->samples,
				 (unsigned long long)ev->min_samples);
		else
			snprintf(buf, n, "%s: no baseline to compare with (the stable version has too few requests)",
				 ev->check);
		return;
	case ENG_RESULT_FAIL:
		snprintf(buf, n, "%s: %s%s %.6g %s %s %.6g on %llu canary requests (failures %u, limit %u)",
			 ev->check, ev->metric, what, ev->observed,
			 lower_bound(ev->bound) ? "<" : ">", limit, ev->threshold,
			 (unsigned long long)ev->samples, ev->failures,
			 ev->failure_limit);
		return;
	case ENG_RESULT_PASS:
		if (isnan(ev->observed))
			snprintf(buf, n, "%s: no data for %s, counted as a pass",
				 ev->check, ev->metric);
		else
			snprintf(buf, n, "%s: %s%s %.6g %s %s %.6g on %llu canary requests",
				 ev->check, ev->metric, what, ev->observed,
				 lower_bound(ev->bound) ? ">=" : "<=", limit,
				 ev->threshold, (unsigned long long)ev->samples);
		return;
	case ENG_RESULT_NONE:
		break;
	}
	snprintf(buf, n, "%s: %s", ev->check, eng_result_name(ev->result));
}

/* What a limit rule's decision did, for the end of its sentence. */
static void consequence(const struct eng_event *ev, char *buf, size_t n)
{
	if (ev->action == ENG_DECIDE_FREEZE)
		snprintf(buf, n, "freeze at %g%% instead of rolling back", ev->weight_pct);
	else if (ev->action == ENG_DECIDE_BLOCK)
		snprintf(buf, n, "blocked: the preview never took user traffic");
	else if (ev->action == ENG_DECIDE_SWITCH_BACK)
		snprintf(buf, n, "switch all traffic back to the stable version at once (0%%)");
	else if (ev->weight_pct > 0.0)
		snprintf(buf, n, "roll back gradually, first to %g%%", ev->weight_pct);
	else
		snprintf(buf, n, "roll back to 0%%");
}

/* The blue-green stages' sentences. */
static void bluegreen_reason(const struct eng_event *ev, char *buf, size_t n)
{
	switch (ev->rule) {
	case ENG_RULE_PREVIEW_HEALTH:
		if (ev->result == ENG_RESULT_PASS)
			snprintf(buf, n, "preview healthy: %.4g%% of its instances ready (needs %g%%)",
				 100.0 * ev->observed, 100.0 * ev->threshold);
		else if (ev->result == ENG_RESULT_FAIL)
			snprintf(buf, n, "preview not healthy after %g s (%.4g%% of its instances ready, needs %g%%): blocked, traffic never switched",
				 ns_to_s(ev->duration_ns), 100.0 * ev->observed, 100.0 * ev->threshold);
		else
			snprintf(buf, n, "preview up with 0%% of user traffic: wait up to %g s for %g%% of its instances to be ready",
				 ns_to_s(ev->duration_ns), 100.0 * ev->threshold);
		return;
	case ENG_RULE_MIRROR:
		if (ev->observed > 0.0)
			snprintf(buf, n, "mirror %g%% of user requests to the preview (responses discarded)",
				 ev->observed);
		else
			snprintf(buf, n, "stop mirroring to the preview");
		return;
	case ENG_RULE_PRE_PROMOTION:
	case ENG_RULE_POST_PROMOTION:
		if (ev->result == ENG_RESULT_PASS)
			snprintf(buf, n, "%s analysis passed: %g passing runs of %g needed",
				 ev->rule == ENG_RULE_PRE_PROMOTION ? "pre-promotion" : "post-promotion",
				 ev->observed, ev->threshold);
		else
			snprintf(buf, n, "%s analysis: wait for %g passing runs on the %s",
				 ev->rule == ENG_RULE_PRE_PROMOTION ? "pre-promotion" : "post-promotion",
				 ev->threshold,
				 ev->rule == ENG_RULE_PRE_PROMOTION ? "preview" : "new active version");
		return;
	case ENG_RULE_PROMOTION:
		if (ev->action == ENG_DECIDE_AWAIT_APPROVAL)
			snprintf(buf, n, "promotion: wait for approval of gate %s", ev->check);
		else if (ev->action == ENG_DECIDE_APPROVED)
			snprintf(buf, n, "promotion: gate %s approved: switch", ev->check);
		else
			snprintf(buf, n, "auto-promotion: switch in %g s", ns_to_s(ev->duration_ns));
		return;
	case ENG_RULE_SWITCH:
		snprintf(buf, n, "switch: the new version's weight to %g%%", ev->weight_pct);
		return;
	case ENG_RULE_SCALE_DOWN_DELAY:
		if (ev->action == ENG_DECIDE_PROMOTE)
			snprintf(buf, n, "scale-down delay over (%g s after the switch): promoted, the old version scaled down",
				 ns_to_s(ev->duration_ns));
		else
			snprintf(buf, n, "keep the old version %g s for an instant switch back",
				 ns_to_s(ev->duration_ns));
		return;
	default:
		break;
	}
	snprintf(buf, n, "%s", eng_rule_name(ev->rule));
}

/* The flags strategy's sentences: each names its flag. */
static void flag_reason(const struct eng_event *ev, char *buf, size_t n)
{
	char judged[240];

	switch (ev->rule) {
	case ENG_RULE_FLAG_STEP:
		if (ev->action == ENG_DECIDE_PAUSE)
			snprintf(buf, n, "flag %s step %u: pause for %g s at %g%%", ev->flag,
				 ev->step_index + 1, ns_to_s(ev->duration_ns), ev->weight_pct);
		else
			snprintf(buf, n, "flag %s step %u: enable for %g%% of requests", ev->flag,
				 ev->step_index + 1, ev->weight_pct);
		return;
	case ENG_RULE_FLAG_ANALYSIS:
		analysis_reason(ev, judged, sizeof(judged));
		snprintf(buf, n, "flag %s (on against off): %s", ev->flag, judged);
		return;
	case ENG_RULE_FLAG_FAILURE_LIMIT:
		snprintf(buf, n, "flag %s: %g failures reach past its failure limit %g: the flag back to 0%% alone, the others go on",
			 ev->flag, ev->observed, ev->threshold);
		return;
	case ENG_RULE_FLAG_COMPLETE:
		snprintf(buf, n, "flag %s: all its steps done: enabled for all requests (100%%)",
			 ev->flag);
		return;
	case ENG_RULE_FLAGS_DONE:
		if (ev->observed > 0.0)
			snprintf(buf, n, "every flag decided: %g of %g rolled back: rolled back",
				 ev->observed, ev->threshold);
		else
			snprintf(buf, n, "every flag decided: all %g enabled for all requests: promoted",
				 ev->threshold);
		return;
	default:
		break;
	}
	snprintf(buf, n, "%s", eng_rule_name(ev->rule));
}

/* A sentence that says why the decision was taken, with its numbers. */
static void reason(const struct eng_event *ev, char *buf, size_t n)
{
	char then[96];

	consequence(ev, then, sizeof(then));
	switch (ev->rule) {
	case ENG_RULE_STEP:
		if (ev->action == ENG_DECIDE_PAUSE)
			snprintf(buf, n, "step %u: pause for %g s", ev->step_index + 1,
				 ns_to_s(ev->duration_ns));
		else if (ev->action == ENG_DECIDE_AWAIT_APPROVAL)
			snprintf(buf, n, "step %u: wait for approval of gate %s at %g%%",
				 ev->step_index + 1, ev->check, ev->weight_pct);
		else if (ev->action == ENG_DECIDE_APPROVED)
			snprintf(buf, n, "step %u: gate %s approved", ev->step_index + 1,
				 ev->check);
		else if (ev->action == ENG_DECIDE_WAIT)
			snprintf(buf, n, "step %u: wait for a passing analysis run at %g%%",
				 ev->step_index + 1, ev->weight_pct);
		else
			snprintf(buf, n, "step %u: set the canary weight to %g%%",
				 ev->step_index + 1, ev->weight_pct);
		return;
	case ENG_RULE_ANALYSIS:
		analysis_reason(ev, buf, n);
		return;
	case ENG_RULE_FAILURE_LIMIT:
		snprintf(buf, n, "%g failures reach past the failure limit %g: %s",
			 ev->observed, ev->threshold, then);
		return;
	case ENG_RULE_CONSECUTIVE_FAILURES:
		snprintf(buf, n, "%g failed runs in a row reach the consecutive failure limit %g: %s",
			 ev->observed, ev->threshold, then);
		return;
	case ENG_RULE_CONSECUTIVE_ERRORS:
		snprintf(buf, n, "%g runs in a row without data exceed the consecutive error limit %g: %s",
			 ev->observed, ev->threshold, then);
		return;
	case ENG_RULE_INCONCLUSIVE_LIMIT:
		snprintf(buf, n, "%g inconclusive runs exceed the inconclusive limit %g: hold at %g%% for a human",
			 ev->observed, ev->threshold, ev->weight_pct);
		return;
	case ENG_RULE_CONSECUTIVE_SUCCESSES:
		snprintf(buf, n, "%g passed runs in a row reach the consecutive success limit %g: end the pause",
			 ev->observed, ev->threshold);
		return;
	case ENG_RULE_TRIGGER:
		if (ev->detail[0] != '\0') { /* a dependency trigger */
			snprintf(buf, n, "trigger %s: the canary's calls to %s fail at %.6g > max %.6g while the stable version's do not, held for %g s: %s",
				 ev->check, ev->detail, ev->observed, ev->threshold,
				 ns_to_s(ev->duration_ns), then);
			return;
		}
		snprintf(buf, n, "trigger %s: %s%s %.6g %s %s %.6g held for %g s: %s",
			 ev->check, ev->metric, compared_name(ev->bound), ev->observed,
			 lower_bound(ev->bound) ? "<" : ">",
			 bound_name(ev->bound) ? bound_name(ev->bound) : "limit",
			 ev->threshold, ns_to_s(ev->duration_ns), then);
		return;
	case ENG_RULE_SCORE:
		if (ev->detail[0] != '\0')
			snprintf(buf, n, "score %.4g: %s: the run fails", ev->observed,
				 ev->detail);
		else if (isnan(ev->observed))
			snprintf(buf, n, "no group had a verdict: the run is %s",
				 eng_result_name(ev->result));
		else
			snprintf(buf, n, "score %.4g (pass %s): the run %s", ev->observed,
				 ev->result == ENG_RESULT_PASS ? "reached" : "not reached",
				 ev->result == ENG_RESULT_PASS ? "passes" :
				 ev->result == ENG_RESULT_FAIL ? "fails, below the marginal score" :
				 "is inconclusive (marginal)");
		return;
	case ENG_RULE_SMOKE_TEST:
		snprintf(buf, n, "smoke test %s%s, attempt %g of %g: %s%s", ev->check,
			 ev->detail[0] ? " (critical)" : "", ev->observed, ev->threshold,
			 eng_result_name(ev->result),
			 ev->action == ENG_DECIDE_RETRY ? ": try again" :
			 ev->action == ENG_DECIDE_BLOCK ? ": blocked before any traffic moved" :
			 ev->result == ENG_RESULT_FAIL ? ": not critical, go on" : "");
		return;
	case ENG_RULE_ERROR_BUDGET:
		snprintf(buf, n, "error budget: %.4g%% remaining, %s: %s",
			 100.0 * ev->observed, ev->detail,
			 ev->action == ENG_DECIDE_BLOCK ? "blocked before any traffic moved" :
			 "the release may start");
		return;
	case ENG_RULE_BURN_RATE:
		snprintf(buf, n, "burn-rate alert %s: burning %.4g times the %sbudget's rate over both windows (threshold %g): %s",
			 ev->check, ev->observed,
			 strcmp(ev->metric, "slow_rate") == 0 ? "latency " : "",
			 ev->threshold, then);
		return;
	case ENG_RULE_COMPATIBILITY:
		snprintf(buf, n, "compatibility gate: %s: blocked before any traffic moved",
			 ev->detail);
		return;
	case ENG_RULE_GRADUAL_ROLLBACK:
		snprintf(buf, n, "gradual rollback: the canary's weight down to %g%%",
			 ev->weight_pct);
		return;
	case ENG_RULE_OPERATOR:
		if (ev->action == ENG_DECIDE_ROLLBACK)
			snprintf(buf, n, "operator abort: all at once back to the stable version (canary weight 0%%, every flag off)");
		else if (ev->action == ENG_DECIDE_RETRY)
			snprintf(buf, n, "operator retry: the aborted rollout starts again from its first step");
		else
			snprintf(buf, n, "operator %s ignored: %s", ev->check, ev->detail);
		return;
	case ENG_RULE_STEPS_COMPLETE:
		if (ev->action == ENG_DECIDE_SET_WEIGHT)
			snprintf(buf, n, "all steps done: all traffic to the new version (100%%), then post-promotion");
		else
			snprintf(buf, n, "all steps done: promote the canary to 100%%");
		return;
	case ENG_RULE_PREVIEW_HEALTH:
	case ENG_RULE_MIRROR:
	case ENG_RULE_PRE_PROMOTION:
	case ENG_RULE_PROMOTION:
	case ENG_RULE_SWITCH:
	case ENG_RULE_POST_PROMOTION:
	case ENG_RULE_SCALE_DOWN_DELAY:
		bluegreen_reason(ev, buf, n);
		return;
	case ENG_RULE_FLAG_STEP:
	case ENG_RULE_FLAG_ANALYSIS:
	case ENG_RULE_FLAG_FAILURE_LIMIT:
	case ENG_RULE_FLAG_COMPLETE:
	case ENG_RULE_FLAGS_DONE:
		flag_reason(ev, buf, n);
		return;
	case ENG_RULE_PROGRESS_DEADLINE:
		snprintf(buf, n, "not done %g s after the start (deadline %g s): abort, weight to %g%%",
			 ev->observed, ev->threshold, ev->weight_pct);
		return;
	}
	snprintf(buf, n, "%s", eng_rule_name(ev->rule));
}

cJSON *rpt_event_json(const struct eng_event *ev)
{
	cJSON *o = cJSON_CreateObject();
	const char *bound = bound_name(ev->bound);
	char why[512];
	bool analysis = ev->rule == ENG_RULE_ANALYSIS || ev->rule == ENG_RULE_FLAG_ANALYSIS;
	bool ok;

	if (o == NULL)
		return NULL;
	reason(ev, why, sizeof(why));
	ok = rpt_json_add_number(o, "t_s", rounded(ns_to_s(ev->t_ns), 3)) &&
	     cJSON_AddStringToObject(o, "rule", eng_rule_name(ev->rule)) &&
	     (ev->check[0] ? cJSON_AddStringToObject(o, "check", ev->check)
			   : cJSON_AddNullToObject(o, "check")) &&
	     (ev->metric[0] ? cJSON_AddStringToObject(o, "metric", ev->metric)
			    : cJSON_AddNullToObject(o, "metric")) &&
	     rpt_json_add_number(o, "observed", ev->observed) &&
	     rpt_json_add_number(o, "threshold", ev->threshold) &&
	     rpt_json_add_number(o, "canary_value", ev->canary_value) &&
	     rpt_json_add_number(o, "baseline", ev->baseline) &&
	     (bound ? cJSON_AddStringToObject(o, "bound", bound)
		    : cJSON_AddNullToObject(o, "bound")) &&
	     (ev->result != ENG_RESULT_NONE
		      ? cJSON_AddStringToObject(o, "result", eng_result_name(ev->result))
		      : cJSON_AddNullToObject(o, "result")) &&
	     (analysis ? rpt_json_add_u64(o, "samples", ev->samples)
		       : cJSON_AddNullToObject(o, "samples") != NULL) &&
	     cJSON_AddStringToObject(o, "action", eng_decision_name(ev->action)) &&
	     rpt_json_add_number(o, "weight_pct", ev->weight_pct) &&
	     rpt_json_add_number(o, "step", ev->step_index + 1) &&
	     rpt_json_add_number(o, "failures", ev->failures) &&
	     /* only the flags strategy's events name a flag */
	     (ev->flag[0] == '\0' || cJSON_AddStringToObject(o, "flag", ev->flag)) &&
	     cJSON_AddStringToObject(o, "reason", why);
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

typedef int (*write_fn)(FILE *f, const struct eng_record *rec,
			const struct rpt_run_meta *meta,
			const struct rpt_summary *sum);

/* What a run's files are written from. */
struct run_files {
	write_fn fn;
	const struct eng_record *rec;
	const struct rpt_run_meta *meta;
	const struct rpt_summary *sum;
};

static int write_run_file(FILE *f, const void *ctx)
{
	const struct run_files *r = ctx;

	return r->fn(f, r->rec, r->meta, r->sum);
}

static int write_summary(FILE *f, const struct eng_record *rec,
			 const struct rpt_run_meta *meta,
			 const struct rpt_summary *sum)
{
	(void)rec;
	return rpt_print_json(f, rpt_summary_json(meta, sum));
}

static int write_events(FILE *f, const struct eng_record *rec,
			const struct rpt_run_meta *meta,
			const struct rpt_summary *sum)
{
	(void)meta;
	(void)sum;
	for (size_t i = 0; i < rec->events.count; i++) {
		cJSON *o = rpt_event_json(&rec->events.events[i]);
		char *text;
		int rc;

		if (o == NULL)
			return -1;
		text = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
		if (text == NULL)
			return -1;
		rc = fprintf(f, "%s\n", text);
		cJSON_free(text);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int write_timeline_row(FILE *f, const struct eng_observation *w,
			      enum eng_version v)
{
	const struct eng_window_metrics *m = &w->version[v];
	double weight = v == ENG_CANARY ? w->weight_pct : 100.0 - w->weight_pct;
	int rc = 0;

	rc |= rpt_csv_number(f, ns_to_s(w->t_ns), 3);
	rc |= fputc(',', f) == EOF;
	rc |= rpt_csv_text(f, eng_version_name(v));
	rc |= fprintf(f, ",%g,%llu,%llu,", weight,
		      (unsigned long long)m->requests,
		      (unsigned long long)m->errors) < 0;
	rc |= rpt_csv_number(f, m->error_rate_frac, 6);
	const double lat[] = { m->mean_ms, m->p50_ms, m->p95_ms, m->p99_ms, m->max_ms };

	for (size_t i = 0; i < sizeof(lat) / sizeof(lat[0]); i++) {
		rc |= fputc(',', f) == EOF;
		rc |= rpt_csv_number(f, lat[i], 3);
	}
	rc |= fprintf(f, ",%u,%llu,%llu,", m->ready_instances,
		      (unsigned long long)m->timeouts,
		      (unsigned long long)m->rejected) < 0;
	rc |= rpt_csv_number(f, m->cpu_frac, 4);
	rc |= fputc(',', f) == EOF;
	rc |= rpt_csv_number(f, m->memory_mb, 1);
	rc |= fprintf(f, ",%u,%llu,%llu\n", m->connections,
		      (unsigned long long)m->mirrored, (unsigned long long)m->slow) < 0;
	return rc ? -1 : 0;
}

static int write_timeline(FILE *f, const struct eng_record *rec,
			  const struct rpt_run_meta *meta,
			  const struct rpt_summary *sum)
{
	(void)meta;
	(void)sum;
	if (fputs("t_s,version,weight_pct,requests,errors,error_rate,mean_ms,p50_ms,p95_ms,p99_ms,max_ms,ready_instances,timeouts,rejected,cpu_frac,memory_mb,connections,mirrored,slow\n",
		  f) < 0)
		return -1;
	for (size_t i = 0; i < rec->nwindows; i++)
		for (int v = 0; v < ENG_NVERSIONS; v++)
			if (write_timeline_row(f, &rec->windows[i], (enum eng_version)v) != 0)
				return -1;
	return 0;
}

enum rpt_status rpt_write_run(const char *dir, const struct eng_record *rec,
			      const struct rpt_run_meta *meta,
			      const struct rpt_summary *sum,
			      char *err, size_t errlen)
{
	static const struct {
		const char *name;
		write_fn fn;
	} files[] = {
		{ "timeline.csv", write_timeline },
		{ "events.jsonl", write_events },
		{ "summary.json", write_summary },
	};

	if (rpt_make_dirs(dir) != 0) {
		snprintf(err, errlen, "%s: cannot create the directory: %s", dir,
			 strerror(errno));
		return RPT_EIO;
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const struct run_files r = { files[i].fn, rec, meta, sum };

		if (rpt_write_file(dir, files[i].name, write_run_file, &r, err, errlen) != 0)
			return RPT_EIO;
	}
	return RPT_OK;
}
