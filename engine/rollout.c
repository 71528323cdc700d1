#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rollout.h"
#include "engine/rollout_impl.h"


static const char *const outcome_names[] = {
#define ENG_OUTCOME_STR(name, str) [name] = str,
	ENG_OUTCOME_LIST(ENG_OUTCOME_STR)
#undef ENG_OUTCOME_STR
};

const char *eng_outcome_name(enum eng_outcome o)
{
	if ((unsigned)o < sizeof(outcome_names) / sizeof(outcome_names[0]))
		return outcome_names[o];
	return "unknown";
}

bool eng_outcome_parse(const char *name, enum eng_outcome *out)
{
	for (unsigned i = 0; i < sizeof(outcome_names) / sizeof(outcome_names[0]); i++) {
		if (strcmp(name, outcome_names[i]) == 0) {
			*out = (enum eng_outcome)i;
			return true;
		}
	}
	return false;
}

static const char *const strategy_names[] = {
#define ENG_STRATEGY_STR(name, str) [name] = str,
	ENG_STRATEGY_LIST(ENG_STRATEGY_STR)
#undef ENG_STRATEGY_STR
};

const char *eng_strategy_name(enum eng_strategy s)
{
	if ((unsigned)s < sizeof(strategy_names) / sizeof(strategy_names[0]))
		return strategy_names[s];
	return "unknown";
}

bool eng_strategy_is_bluegreen(enum eng_strategy s)
{
	return s == ENG_STRATEGY_BLUEGREEN || s == ENG_STRATEGY_BLUEGREEN_CANARY;
}

bool eng_strategy_known(enum eng_strategy s)
{
	return (unsigned)s < sizeof(strategy_names) / sizeof(strategy_names[0]);
}

struct eng_event eng_rollout_event(const struct eng_rollout *ro, int64_t t_ns,
				   enum eng_rule rule, enum eng_decision action)
{
	/* built where it is returned: no copy of the ~400 bytes */
	return (struct eng_event){
		.t_ns = t_ns,
		.rule = rule,
		.result = ENG_RESULT_NONE,
		.action = action,
		.bound = ENG_BOUND_NONE,
		.observed = NAN,
		.threshold = NAN,
		.canary_value = NAN,
		.baseline = NAN,
		.failures = ro->failures,
		.failure_limit = ro->analysis.failure_limit,
		.step_index = (uint32_t)ro->step_index,
		.weight_pct = ro->weight_pct,
	};
}

enum eng_status eng_rollout_finish(struct eng_rollout *ro, int64_t t_ns,
				   enum eng_outcome outcome, double weight_pct,
				   struct eng_event *ev)
{
	ro->outcome = outcome;
	ro->decision_ns = t_ns;
	ro->weight_pct = weight_pct;
	ro->mirror_pct = 0.0;
	ro->pause_end_ns = -1;
	ro->bg_due_ns = -1;
	eng_flags_abandon(ro, t_ns, outcome);
	ev->weight_pct = weight_pct;
	return eng_event_log_append(&ro->log, ev);
}

/* Acts on a decision to roll back (ev, whose action is rollback): at once,
 * in steps, or by freezing where the rollout stands. Blue-green blocks
 * while no user traffic has been switched, and otherwise (outside
 * bluegreen_canary's steps) switches back at once unless it freezes. */
static enum eng_status roll_back(struct eng_rollout *ro, int64_t t_ns,
				 struct eng_event *ev)
{
	bool bg = eng_strategy_is_bluegreen(ro->strategy) && ro->bg_phase != ENG_BG_CANARY_STEPS;
	double w;

	if (bg && eng_bg_before_switch(ro)) {
		ev->action = ENG_DECIDE_BLOCK;
		return eng_rollout_finish(ro, t_ns, ENG_OUTCOME_BLOCKED, 0.0, ev);
	}
	if (bg && ro->rollback.mode != ENG_ROLLBACK_FREEZE) {
		ev->action = ENG_DECIDE_SWITCH_BACK;
		return eng_rollout_finish(ro, t_ns, ENG_OUTCOME_ROLLED_BACK, 0.0, ev);
	}
	switch (ro->rollback.mode) {
	case ENG_ROLLBACK_FREEZE:
		ro->held = true;
		ro->pause_end_ns = -1;
		ev->action = ENG_DECIDE_FREEZE;
		return eng_event_log_append(&ro->log, ev);
	case ENG_ROLLBACK_GRADUAL:
		w = ro->weight_pct - ro->rollback.step_pct;
		if (w > 0.0) {
			enum eng_status st = eng_rollout_finish(ro, t_ns, ENG_OUTCOME_ROLLED_BACK, w, ev);

			ro->last_change_ns = t_ns;
			ro->draining = true;
			ro->next_drain_ns = t_ns + ro->rollback.interval_ns;
			return st;
		}
		break;
	case ENG_ROLLBACK_INSTANT:
		break;
	}
	return eng_rollout_finish(ro, t_ns, ENG_OUTCOME_ROLLED_BACK, 0.0, ev);
}

/* The next step of a gradual rollback, when due. */
static enum eng_status drain(struct eng_rollout *ro, int64_t t_ns)
{
	struct eng_event ev;

	if (!ro->draining || t_ns < ro->next_drain_ns)
		return ENG_OK;
	ro->weight_pct -= ro->rollback.step_pct;
	if (ro->weight_pct <= 0.0) {
		ro->weight_pct = 0.0;
		ro->draining = false;
	}
	ro->last_change_ns = t_ns;
	ro->next_drain_ns = t_ns + ro->rollback.interval_ns;
	ev = eng_rollout_event(ro, t_ns, ENG_RULE_GRADUAL_ROLLBACK, ENG_DECIDE_SET_WEIGHT);
	return eng_event_log_append(&ro->log, &ev);
}

enum eng_status eng_rollout_set_weight(struct eng_rollout *ro, int64_t t_ns,
				       enum eng_rule rule, double weight_pct)
{
	if (weight_pct != ro->weight_pct)
		ro->last_change_ns = t_ns;
	ro->weight_pct = weight_pct;
	if (weight_pct > 0.0 && !ro->analysing) {
		ro->analysing = true;
		ro->next_check_ns = t_ns + ro->analysis.interval_ns;
	}
	struct eng_event ev = eng_rollout_event(ro, t_ns, rule, ENG_DECIDE_SET_WEIGHT);

	return eng_event_log_append(&ro->log, &ev);
}

void eng_rollout_reset_analysis(struct eng_rollout *ro, int64_t t_ns)
{
	size_t n = ro->analysis.nchecks;

	ro->failures = 0;
	ro->consecutive_failures = ro->consecutive_errors = 0;
	ro->consecutive_passes = 0;
	ro->inconclusives = 0;
	ro->bg_passes = 0;
	if (n > 0) {
		memset(ro->check_failures, 0, n * sizeof(*ro->check_failures));
		memset(ro->cumulative, 0, n * sizeof(*ro->cumulative));
		for (size_t i = 0; i < n; i++)
			eng_msprt_init(&ro->msprt[i]);
	}
	ro->analysing = true;
	ro->next_check_ns = t_ns + ro->analysis.interval_ns;
}

/* Logs a step event of `action` at t_ns, naming `check` (may be NULL). */
static enum eng_status note_step(struct eng_rollout *ro, int64_t t_ns,
				 enum eng_decision action, const char *check,
				 int64_t duration_ns)
{
	struct eng_event ev = eng_rollout_event(ro, t_ns, ENG_RULE_STEP, action);

	if (check != NULL)
		eng_copy_text(ev.check, sizeof(ev.check), check);
	ev.duration_ns = duration_ns;
	return eng_event_log_append(&ro->log, &ev);
}

/* Each step kind: carries the step out at t_ns and says in *done whether
 * it is over, so that the next one can run at the same instant. */
static enum eng_status approval_step(struct eng_rollout *ro, const struct eng_step *s,
				     int64_t t_ns, bool *done)
{
	enum eng_status st = ENG_OK;

	if (!ro->waiting) {
		ro->waiting = true;
		ro->approved = false;
		st = note_step(ro, t_ns, ENG_DECIDE_AWAIT_APPROVAL, s->gate, 0);
	}
	*done = st == ENG_OK && ro->approved;
	if (!*done)
		return st;
	ro->waiting = false;
	return note_step(ro, t_ns, ENG_DECIDE_APPROVED, s->gate, 0);
}

static enum eng_status analysis_step(struct eng_rollout *ro, int64_t t_ns, bool *done)
{
	enum eng_status st = ENG_OK;

	if (!ro->waiting) {
		ro->waiting = true;
		ro->step_start_ns = t_ns;
		st = note_step(ro, t_ns, ENG_DECIDE_WAIT, NULL, 0);
	}
	/* a run judged at the step's start saw the weight before it: only a
	 * later run counts */
	*done = st == ENG_OK && ro->last_pass_ns > ro->step_start_ns;
	if (*done)
		ro->waiting = false;
	return st;
}

static enum eng_status pause_step(struct eng_rollout *ro, const struct eng_step *s,
				  int64_t t_ns, bool *done)
{
	enum eng_status st = ENG_OK;

	if (ro->pause_end_ns < 0) {
		ro->pause_end_ns = t_ns + s->duration_ns;
		st = note_step(ro, t_ns, ENG_DECIDE_PAUSE, NULL, s->duration_ns);
	}
	*done = st == ENG_OK && t_ns >= ro->pause_end_ns;
	if (*done)
		ro->pause_end_ns = -1;
	return st;
}

/* Carries out steps until one has to wait, or promotes when the last step
 * is done. Invariant: at most one step is waiting. */
static enum eng_status advance(struct eng_rollout *ro, int64_t t_ns)
{
	enum eng_status st = ENG_OK;
	bool done = true;

	while (st == ENG_OK && done && ro->step_index < ro->nsteps) {
		const struct eng_step *s = &ro->steps[ro->step_index];

		switch (s->kind) {
		case ENG_STEP_SET_WEIGHT:
			st = eng_rollout_set_weight(ro, t_ns, ENG_RULE_STEP, s->weight_pct);
			break;
		case ENG_STEP_APPROVAL:
			st = approval_step(ro, s, t_ns, &done);
			break;
		case ENG_STEP_ANALYSIS:
			st = analysis_step(ro, t_ns, &done);
			break;
		case ENG_STEP_PAUSE:
			st = pause_step(ro, s, t_ns, &done);
			break;
		}
		if (st == ENG_OK && done)
			ro->step_index++;
	}
	if (st != ENG_OK || !done)
		return st;
	if (ro->strategy != ENG_STRATEGY_CANARY)
		return eng_bg_steps_done(ro, t_ns);
	struct eng_event end = eng_rollout_event(ro, t_ns, ENG_RULE_STEPS_COMPLETE,
					ENG_DECIDE_PROMOTE);

	return eng_rollout_finish(ro, t_ns, ENG_OUTCOME_PROMOTED, 100.0, &end);
}

/* Moves the rollout on at t_ns: the canary steps, the flags' steps, or the
 * blue-green stages (which hand bluegreen_canary's switch over to the
 * steps). */
static enum eng_status progress(struct eng_rollout *ro, int64_t t_ns,
				const struct eng_observation *obs)
{
	enum eng_status st;

	if (ro->strategy == ENG_STRATEGY_CANARY)
		return advance(ro, t_ns);
	if (ro->strategy == ENG_STRATEGY_FLAGS)
		return eng_flags_progress(ro, t_ns, obs);
	st = eng_bg_progress(ro, t_ns, obs);
	if (st == ENG_OK && ro->outcome == ENG_OUTCOME_RUNNING &&
	    ro->bg_phase == ENG_BG_CANARY_STEPS)
		st = advance(ro, t_ns);
	return st;
}

/* The sequential test of check i: the window's counts join those since
 * the analysis began, and the always-valid p is compared with alpha. */
static void judge_msprt(struct eng_rollout *ro, size_t i,
			const struct eng_observation *obs, struct eng_judgement *j)
{
	const struct eng_check *c = &ro->analysis.checks[i];
	const struct eng_window_metrics *ca = &obs->version[ENG_CANARY];
	const struct eng_window_metrics *st = &obs->version[ENG_STABLE];
	struct eng_error_counts *n = &ro->cumulative[i];
	struct eng_msprt_config cfg = { c->alpha, c->tau * c->tau, c->min_requests };
	struct eng_msprt_judgement mj;

	memset(j, 0, sizeof(*j));
	n->canary_errors += ca->errors;
	n->canary_requests += ca->requests;
	n->baseline_errors += st->errors;
	n->baseline_requests += st->requests;
	j->value = eng_metric_value(c->metric, ca);
	j->baseline = eng_metric_value(c->metric, st);
	j->samples = ca->requests;
	j->bound = ENG_BOUND_ALPHA;
	j->threshold = c->alpha;
	if (eng_msprt_look(&cfg, &ro->msprt[i], n, &mj) != ENG_OK) {
		j->result = ENG_RESULT_INCONCLUSIVE;
		j->observed = NAN;
		return;
	}
	j->result = mj.result;
	j->observed = mj.p;
}

/* Kayenta's verdict: a failed critical check fails the run; otherwise the
 * score decides (below marginal: fail; below pass: inconclusive; else
 * pass), and a run where no group had a verdict keeps the checks' verdict
 * (error or inconclusive). The score is an event of its own. */
static enum eng_status score_run(struct eng_rollout *ro, int64_t t_ns,
				 const enum eng_result *results, bool critical_fail,
				 enum eng_result *run)
{
	const struct eng_scoring *sc = &ro->analysis.scoring;
	double score = eng_score(sc, ro->analysis.checks, results, ro->analysis.nchecks);
	struct eng_event ev = eng_rollout_event(ro, t_ns, ENG_RULE_SCORE, ENG_DECIDE_CONTINUE);

	if (critical_fail)
		*run = ENG_RESULT_FAIL;
	else if (!isnan(score))
		*run = score < sc->marginal_score ? ENG_RESULT_FAIL :
		       score < sc->pass_score ? ENG_RESULT_INCONCLUSIVE : ENG_RESULT_PASS;
	ev.result = *run;
	ev.observed = score;
	ev.threshold = *run == ENG_RESULT_PASS || isnan(score) ? sc->pass_score :
		       sc->marginal_score;
	ev.bound = ENG_BOUND_MIN;
	eng_copy_text(ev.detail, sizeof(ev.detail),
		      critical_fail ? "a critical check failed" : "");
	return eng_event_log_append(&ro->log, &ev);
}

/* Judges every check on the canary's window against its limits and the
 * stable window. The run's verdict is the worst of its checks': fail, then
 * error (no data), then inconclusive, then pass. */
static enum eng_status judge_checks(struct eng_rollout *ro,
				    const struct eng_observation *obs,
				    enum eng_result *run)
{
	bool flagger = ro->analysis.mode == ENG_MODE_FLAGGER;
	bool any_fail = false, any_error = false, any_inconclusive = false;
	bool critical_fail = false;
	enum eng_result results[ENG_MAX_CHECKS];
	enum eng_status st;

	for (size_t i = 0; i < ro->analysis.nchecks; i++) {
		const struct eng_check *c = &ro->analysis.checks[i];
		struct eng_judgement j;

		if (c->judge == ENG_JUDGE_MSPRT)
			judge_msprt(ro, i, obs, &j);
		else if (c->judge == ENG_JUDGE_MANN_WHITNEY)
			eng_check_judge_latency(c, obs, &j);
		else
			eng_check_judge(c, &obs->version[ENG_CANARY],
					&obs->version[ENG_STABLE], &j);
		any_fail |= j.result == ENG_RESULT_FAIL;
		any_error |= j.result == ENG_RESULT_ERROR;
		any_inconclusive |= j.result == ENG_RESULT_INCONCLUSIVE;
		critical_fail |= j.result == ENG_RESULT_FAIL && c->critical;
		results[i] = j.result;
		if (j.result == ENG_RESULT_FAIL)
			ro->check_failures[i]++;
		/* initialised, not assigned: built in place, no copy */
		struct eng_event ev = eng_rollout_event(ro, obs->t_ns, ENG_RULE_ANALYSIS,
							ENG_DECIDE_CONTINUE);

		eng_judgement_note(c, &j, &ev);
		ev.failures = flagger ? ro->failures + any_fail : ro->check_failures[i];
		st = eng_event_log_append(&ro->log, &ev);
		if (st != ENG_OK)
			return st;
	}
	*run = any_fail ? ENG_RESULT_FAIL : any_error ? ENG_RESULT_ERROR :
	       any_inconclusive ? ENG_RESULT_INCONCLUSIVE : ENG_RESULT_PASS;
	if (ro->analysis.scoring.enabled)
		return score_run(ro, obs->t_ns, results, critical_fail, run);
	return ENG_OK;
}

/* The failure limit's verdict: Argo counts per check and rolls back when
 * one check's failures exceed the limit (failureLimit); Flagger counts
 * failed runs and rolls back when they reach it (threshold). With scoring,
 * Argo mode counts failed runs too, since the score decides a run. Failures
 * accumulate over the rollout: a pass does not reset them. */
static bool failure_limit_crossed(const struct eng_rollout *ro, uint32_t *count)
{
	const struct eng_analysis_config *a = &ro->analysis;

	if (a->mode == ENG_MODE_FLAGGER) {
		*count = ro->failures;
		return ro->failures >= a->failure_limit;
	}
	if (a->scoring.enabled) {
		/* the score, not a single check, decides whether a run failed */
		*count = ro->failures;
		return ro->failures > a->failure_limit;
	}
	*count = 0;
	for (size_t i = 0; i < a->nchecks; i++)
		if (ro->check_failures[i] > *count)
			*count = ro->check_failures[i];
	return *count > a->failure_limit;
}

/* A rule's event with the count that triggered it and its limit. */
static struct eng_event limit_event(const struct eng_rollout *ro, int64_t t_ns,
				    enum eng_rule rule, enum eng_decision action,
				    uint32_t count, uint32_t limit)
{
	struct eng_event ev = eng_rollout_event(ro, t_ns, rule, action);

	ev.observed = count;
	ev.threshold = limit;
	return ev;
}

/* Updates the counts with one run's verdict and applies the limits in
 * order: the rollback rules, then holding for a human, then ending a pause
 * early. Failures and inconclusive runs accumulate; the consecutive counts
 * restart whenever the streak breaks. */
static enum eng_status analyse(struct eng_rollout *ro,
			       const struct eng_observation *obs)
{
	const struct eng_analysis_config *a = &ro->analysis;
	enum eng_result run = ENG_RESULT_PASS;
	enum eng_status st = judge_checks(ro, obs, &run);
	int64_t t = obs->t_ns;
	struct eng_event ev;
	uint32_t count;

	if (st != ENG_OK)
		return st;
	if (run == ENG_RESULT_PASS) {
		ro->last_pass_ns = obs->t_ns;
		ro->bg_passes++;
	}
	if (a->nchecks == 0)
		return ENG_OK;
	ro->consecutive_failures = run == ENG_RESULT_FAIL ? ro->consecutive_failures + 1 : 0;
	ro->consecutive_errors = run == ENG_RESULT_ERROR ? ro->consecutive_errors + 1 : 0;
	ro->consecutive_passes = run == ENG_RESULT_PASS ? ro->consecutive_passes + 1 : 0;
	ro->failures += run == ENG_RESULT_FAIL;
	ro->inconclusives += run == ENG_RESULT_INCONCLUSIVE;

	if (run == ENG_RESULT_FAIL && failure_limit_crossed(ro, &count)) {
		ev = limit_event(ro, t, ENG_RULE_FAILURE_LIMIT, ENG_DECIDE_ROLLBACK,
				 count, a->failure_limit);
		return roll_back(ro, t, &ev);
	}
	if (a->consecutive_failure_limit > 0 &&
	    ro->consecutive_failures >= a->consecutive_failure_limit) {
		ev = limit_event(ro, t, ENG_RULE_CONSECUTIVE_FAILURES, ENG_DECIDE_ROLLBACK,
				 ro->consecutive_failures, a->consecutive_failure_limit);
		return roll_back(ro, t, &ev);
	}
	if (a->consecutive_error_limit > 0 &&
	    ro->consecutive_errors > a->consecutive_error_limit) {
		ev = limit_event(ro, t, ENG_RULE_CONSECUTIVE_ERRORS, ENG_DECIDE_ROLLBACK,
				 ro->consecutive_errors, a->consecutive_error_limit);
		return roll_back(ro, t, &ev);
	}
	if (a->inconclusive_limit > 0 && !ro->held &&
	    ro->inconclusives > a->inconclusive_limit) {
		ro->held = true;
		ev = limit_event(ro, t, ENG_RULE_INCONCLUSIVE_LIMIT, ENG_DECIDE_HOLD,
				 ro->inconclusives, a->inconclusive_limit);
		return eng_event_log_append(&ro->log, &ev);
	}
	if (a->consecutive_success_limit > 0 && ro->pause_end_ns > t &&
	    ro->consecutive_passes >= a->consecutive_success_limit) {
		ev = limit_event(ro, t, ENG_RULE_CONSECUTIVE_SUCCESSES, ENG_DECIDE_ADVANCE,
				 ro->consecutive_passes, a->consecutive_success_limit);
		ro->pause_end_ns = t; /* the pause is over: advance() moves on */
		ro->consecutive_passes = 0;
		return eng_event_log_append(&ro->log, &ev);
	}
	return ENG_OK;
}

/* A firing page-level burn-rate alert of budget b rolls back; `what`
 * names the budget in the event. */
static enum eng_status check_burn(struct eng_rollout *ro, const struct eng_observation *obs,
				  const struct eng_budget *b, const char *metric)
{
	size_t n = eng_budget_alert_count(b);

	/* every configured alert, however many: the first page alert firing */
	for (size_t i = 0; i < n; i++) {
		struct eng_burn_alert_status st;
		const struct eng_burn_alert *al;
		struct eng_event ev;

		eng_budget_alert_status(b, i, &st);
		al = st.alert;
		if (!st.firing || al->severity != ENG_ALERT_PAGE)
			continue;
		ev = eng_rollout_event(ro, obs->t_ns, ENG_RULE_BURN_RATE, ENG_DECIDE_ROLLBACK);
		eng_copy_text(ev.check, sizeof(ev.check), al->name);
		eng_copy_text(ev.metric, sizeof(ev.metric), metric);
		ev.observed = st.short_burn < st.long_burn ? st.short_burn : st.long_burn;
		ev.threshold = al->burn_rate;
		ev.bound = ENG_BOUND_MAX;
		return roll_back(ro, obs->t_ns, &ev);
	}
	return ENG_OK;
}

/* Feeds the window to the error budget (failed requests) and the latency
 * budget (slow successes); a firing page-level burn-rate alert of either
 * rolls back, when the rollout is set to. */
static enum eng_status check_budget(struct eng_rollout *ro,
				    const struct eng_observation *obs)
{
	enum eng_status st = ENG_OK;

	if (ro->budget == NULL)
		return ENG_OK;
	st = eng_budget_feed(ro->budget, obs->t_ns, obs->window_ns,
			     obs->all.requests, obs->all.errors);
	if (st == ENG_OK && ro->latency_budget != NULL)
		st = eng_budget_feed(ro->latency_budget, obs->t_ns, obs->window_ns,
				     obs->all.requests, obs->all.slow);
	if (st != ENG_OK || !ro->rollback_on_burn || ro->outcome != ENG_OUTCOME_RUNNING)
		return st;
	st = check_burn(ro, obs, ro->budget, "error_rate");
	if (st == ENG_OK && ro->latency_budget != NULL && ro->outcome == ENG_OUTCOME_RUNNING)
		st = check_burn(ro, obs, ro->latency_budget, "slow_rate");
	return st;
}

static enum eng_status check_triggers(struct eng_rollout *ro,
				      const struct eng_observation *obs)
{
	for (size_t i = 0; i < ro->ntriggers; i++) {
		const struct eng_trigger *tr = &ro->triggers[i];
		struct eng_trigger_verdict v;
		struct eng_event ev;

		eng_trigger_judge(tr, &ro->trigger_state[i], obs, ro->last_change_ns, &v);
		if (!v.fires)
			continue;
		ev = eng_rollout_event(ro, obs->t_ns, ENG_RULE_TRIGGER, ENG_DECIDE_ROLLBACK);
		eng_copy_text(ev.check, sizeof(ev.check), tr->name);
		eng_copy_text(ev.metric, sizeof(ev.metric),
			      tr->kind == ENG_TRIGGER_THRESHOLD ? eng_metric_name(tr->metric) :
			      tr->kind == ENG_TRIGGER_HEALTH ? "ready_frac" :
			      tr->kind == ENG_TRIGGER_DEPENDENCY ? "call_error_rate" : "error_rate");
		if (tr->kind == ENG_TRIGGER_DEPENDENCY)
			eng_copy_text(ev.detail, sizeof(ev.detail), tr->dependency);
		ev.bound = v.bound;
		ev.observed = v.observed;
		ev.threshold = v.threshold;
		ev.samples = obs->version[ENG_CANARY].requests;
		ev.duration_ns = obs->t_ns - ro->trigger_state[i].since_ns;
		return roll_back(ro, obs->t_ns, &ev);
	}
	return ENG_OK;
}

/* The routing before a call, to tell whether the call changed it. */
struct route {
	double weight_pct, mirror_pct;
};

static struct route route_of(const struct eng_rollout *ro)
{
	return (struct route){ ro->weight_pct, ro->mirror_pct };
}

/* The flags strategy never moves the routing: its actions set flags. */
static void fill_action(struct eng_rollout *ro, struct route before,
			struct eng_action *act)
{
	act->kind = ro->weight_pct != before.weight_pct ||
		    ro->mirror_pct != before.mirror_pct ? ENG_ACT_SET_WEIGHT
							: ENG_ACT_NONE;
	act->weight_pct = ro->weight_pct;
	act->mirror_pct = ro->mirror_pct;
	if (eng_flags_fill_action(ro, act))
		act->kind = ENG_ACT_SET_FLAGS;
}

/* A budget gate that lets the release start is a decision too: one event
 * per budget, with its gate state and the budget remaining, as the event
 * of a gate that blocks has. */
static enum eng_status note_budget_allows(struct eng_rollout *ro, int64_t t_ns,
					  const struct eng_budget *b)
{
	struct eng_event ev;
	enum eng_gate_state g;

	if (b == NULL)
		return ENG_OK;
	g = eng_budget_gate(b);
	ev = eng_rollout_event(ro, t_ns, ENG_RULE_ERROR_BUDGET, ENG_DECIDE_CONTINUE);
	ev.observed = eng_budget_remaining_frac(b);
	eng_copy_text(ev.metric, sizeof(ev.metric), b == ro->budget ? "error_rate" : "slow_rate");
	snprintf(ev.detail, sizeof(ev.detail), "the %sbudget gate is %s%s",
		 b == ro->budget ? "" : "latency ", eng_gate_state_name(g),
		 g == ENG_GATE_FROZEN ? ", but a critical release goes through" : "");
	return eng_event_log_append(&ro->log, &ev);
}

enum eng_status eng_rollout_start(struct eng_rollout *ro, int64_t t_ns,
				  struct eng_action *act)
{
	struct route before = route_of(ro);
	enum eng_status st;

	if (ro->started)
		return ENG_EINVAL;
	ro->started = true;
	ro->start_ns = t_ns;
	char why[ENG_GATE_REASON_MAX];

	if (!eng_compat_allows(&ro->compat, ro->rollback.mode == ENG_ROLLBACK_FREEZE,
			       why, sizeof(why))) {
		struct eng_event ev = eng_rollout_event(ro, t_ns, ENG_RULE_COMPATIBILITY,
					       ENG_DECIDE_BLOCK);

		eng_copy_text(ev.detail, sizeof(ev.detail), why);
		st = eng_rollout_finish(ro, t_ns, ENG_OUTCOME_BLOCKED, 0.0, &ev);
		fill_action(ro, before, act);
		return st;
	}
	const struct eng_budget *shut = ro->budget != NULL &&
		!eng_budget_may_start(ro->budget, ro->critical) ? ro->budget :
		ro->latency_budget != NULL &&
		!eng_budget_may_start(ro->latency_budget, ro->critical) ? ro->latency_budget :
		NULL;

	if (shut != NULL) {
		struct eng_event ev = eng_rollout_event(ro, t_ns, ENG_RULE_ERROR_BUDGET,
					       ENG_DECIDE_BLOCK);

		ev.observed = eng_budget_remaining_frac(shut);
		eng_copy_text(ev.metric, sizeof(ev.metric),
			      shut == ro->budget ? "error_rate" : "slow_rate");
		snprintf(ev.detail, sizeof(ev.detail), "the %sbudget gate is %s%s",
			 shut == ro->budget ? "" : "latency ",
			 eng_gate_state_name(eng_budget_gate(shut)),
			 ro->critical ? ", even for a critical release" : "");
		st = eng_rollout_finish(ro, t_ns, ENG_OUTCOME_BLOCKED, 0.0, &ev);
		fill_action(ro, before, act);
		return st;
	}
	st = note_budget_allows(ro, t_ns, ro->budget);
	if (st == ENG_OK)
		st = note_budget_allows(ro, t_ns, ro->latency_budget);
	if (st != ENG_OK)
		return st;
	if (ro->nsmoke > 0) {
		ro->smoking = true;
		ro->smoke_index = 0;
		ro->smoke_attempt = 1;
		fill_action(ro, before, act);
		return ENG_OK;
	}
	st = progress(ro, t_ns, NULL);
	fill_action(ro, before, act);
	return st;
}

const struct eng_smoke_test *eng_rollout_next_smoke(const struct eng_rollout *ro,
						    uint32_t *attempt)
{
	if (!ro->smoking || ro->outcome != ENG_OUTCOME_RUNNING)
		return NULL;
	*attempt = ro->smoke_attempt;
	return &ro->smoke[ro->smoke_index];
}

/* One attempt's verdict: a pass moves to the next test; a failure is
 * retried while retries remain; then a critical test blocks the release
 * at once (fail-fast) and a non-critical one is noted and passed over. */
enum eng_status eng_rollout_smoke_result(struct eng_rollout *ro, int64_t t_ns,
					 bool passed)
{
	const struct eng_smoke_test *tst;
	struct eng_event ev;
	bool retry;

	if (!ro->smoking || ro->outcome != ENG_OUTCOME_RUNNING)
		return ENG_EINVAL;
	tst = &ro->smoke[ro->smoke_index];
	retry = !passed && ro->smoke_attempt <= tst->retries;
	ev = eng_rollout_event(ro, t_ns, ENG_RULE_SMOKE_TEST,
		      passed || retry || !tst->critical ? (retry ? ENG_DECIDE_RETRY :
							  ENG_DECIDE_CONTINUE)
							: ENG_DECIDE_BLOCK);
	ev.result = passed ? ENG_RESULT_PASS : ENG_RESULT_FAIL;
	eng_copy_text(ev.check, sizeof(ev.check), tst->name);
	ev.observed = ro->smoke_attempt;
	ev.threshold = tst->retries + 1;
	eng_copy_text(ev.detail, sizeof(ev.detail), tst->critical ? "critical" : "");
	if (!passed && !retry && tst->critical)
		return eng_rollout_finish(ro, t_ns, ENG_OUTCOME_BLOCKED, 0.0, &ev);
	if (retry) {
		ro->smoke_attempt++;
	} else {
		ro->smoke_index++;
		ro->smoke_attempt = 1;
		ro->smoking = ro->smoke_index < ro->nsmoke;
	}
	return eng_event_log_append(&ro->log, &ev);
}

enum eng_status eng_rollout_step(struct eng_rollout *ro, int64_t t_ns,
				 const struct eng_observation *obs,
				 struct eng_action *act)
{
	struct route before = route_of(ro);
	enum eng_status st = ENG_OK;

	act->kind = ENG_ACT_NONE;
	act->weight_pct = ro->weight_pct;
	act->mirror_pct = ro->mirror_pct;
	memset(act->flag_pct, 0, sizeof(act->flag_pct));
	if (!ro->started)
		return ENG_EINVAL;
	if (ro->outcome != ENG_OUTCOME_RUNNING) {
		st = drain(ro, t_ns);
		fill_action(ro, before, act);
		return st;
	}
	if (obs != NULL)
		st = check_budget(ro, obs);
	if (st == ENG_OK && ro->outcome == ENG_OUTCOME_RUNNING && obs != NULL &&
	    ro->analysing)
		st = check_triggers(ro, obs);
	if (st == ENG_OK && ro->outcome == ENG_OUTCOME_RUNNING && obs != NULL &&
	    ro->analysing && !ro->held && obs->t_ns >= ro->next_check_ns) {
		while (ro->next_check_ns <= obs->t_ns)
			ro->next_check_ns += ro->analysis.interval_ns;
		st = analyse(ro, obs);
	}
	/* Steps first: a rollout whose last step ends at the deadline is
	 * done, not late. */
	if (st == ENG_OK && ro->outcome == ENG_OUTCOME_RUNNING && !ro->held &&
	    !ro->smoking)
		st = progress(ro, t_ns, obs);
	if (st == ENG_OK && ro->outcome == ENG_OUTCOME_RUNNING &&
	    t_ns - ro->start_ns >= ro->progress_deadline_ns) {
		struct eng_event ev = eng_rollout_event(ro, t_ns,
					       ENG_RULE_PROGRESS_DEADLINE,
					       ENG_DECIDE_ABORT);

		ev.threshold = (double)ro->progress_deadline_ns / ENG_NS_PER_S;
		ev.observed = (double)(t_ns - ro->start_ns) / ENG_NS_PER_S;
		/* a frozen release keeps its weight: it cannot be undone */
		st = eng_rollout_finish(ro, t_ns, ENG_OUTCOME_TIMED_OUT,
			    ro->rollback.mode == ENG_ROLLBACK_FREEZE ? ro->weight_pct : 0.0,
			    &ev);
	}
	fill_action(ro, before, act);
	return st;
}

/* Back to the state eng_rollout_create() leaves, for a retry: every
 * field of the rollout that engine/state.c saves (the smoke tests' place
 * and the flags' among them), the triggers' and the judges' states. The
 * configuration, the error and latency budgets (the period's failures stay
 * spent) and the event log are kept. */
static void reset_runtime(struct eng_rollout *ro)
{
	ro->outcome = ENG_OUTCOME_RUNNING;
	ro->started = ro->aborted = false;
	ro->start_ns = 0;
	ro->decision_ns = -1;
	ro->step_index = 0;
	ro->pause_end_ns = -1;
	ro->weight_pct = ro->mirror_pct = 0.0;
	ro->held = ro->waiting = ro->approved = ro->draining = false;
	ro->last_change_ns = ro->next_drain_ns = ro->step_start_ns = 0;
	ro->last_pass_ns = -1;
	ro->bg_phase = ENG_BG_NONE;
	ro->bg_since_ns = 0;
	ro->bg_due_ns = -1;
	ro->bg_passes = 0;
	ro->bg_post_passed = false;
	ro->bg_ready_frac = NAN;
	ro->smoke_index = 0;
	ro->smoke_attempt = 0;
	ro->smoking = false;
	if (ro->ntriggers > 0)
		memset(ro->trigger_state, 0, ro->ntriggers * sizeof(*ro->trigger_state));
	eng_rollout_reset_analysis(ro, 0);
	ro->analysing = false;
	ro->next_check_ns = 0;
	eng_flags_reset(ro);
}

/* A command that does not apply, logged with the reason. */
static enum eng_status ignore_command(struct eng_rollout *ro, int64_t t_ns,
				      enum eng_command cmd, const char *why)
{
	struct eng_event ev = eng_rollout_event(ro, t_ns, ENG_RULE_OPERATOR,
						ENG_DECIDE_CONTINUE);

	eng_copy_text(ev.check, sizeof(ev.check), eng_command_name(cmd));
	eng_copy_text(ev.detail, sizeof(ev.detail), why);
	return eng_event_log_append(&ro->log, &ev);
}

enum eng_status eng_rollout_command(struct eng_rollout *ro, int64_t t_ns,
				    enum eng_command cmd, struct eng_action *act)
{
	struct route before = route_of(ro);
	struct eng_event ev;
	enum eng_status st = ENG_EINVAL;

	act->kind = ENG_ACT_NONE;
	act->weight_pct = ro->weight_pct;
	act->mirror_pct = ro->mirror_pct;
	if (!ro->started)
		return ENG_EINVAL;
	switch (cmd) {
	case ENG_CMD_NONE:
		return ENG_OK;
	case ENG_CMD_ABORT:
		if (ro->outcome != ENG_OUTCOME_RUNNING && !ro->draining)
			return ignore_command(ro, t_ns, cmd, "the rollout has ended: nothing to abort");
		ev = eng_rollout_event(ro, t_ns, ENG_RULE_OPERATOR, ENG_DECIDE_ROLLBACK);
		eng_copy_text(ev.check, sizeof(ev.check), eng_command_name(cmd));
		ro->draining = false;
		ro->held = false;
		ro->smoking = false;
		ro->aborted = true;
		ro->last_change_ns = t_ns;
		/* an abort decides now, even after a rollback already decided */
		st = eng_rollout_finish(ro, t_ns, ENG_OUTCOME_ROLLED_BACK, 0.0, &ev);
		break;
	case ENG_CMD_RETRY:
		if (!ro->aborted)
			return ignore_command(ro, t_ns, cmd, "the rollout was not aborted: nothing to retry");
		ev = eng_rollout_event(ro, t_ns, ENG_RULE_OPERATOR, ENG_DECIDE_RETRY);
		eng_copy_text(ev.check, sizeof(ev.check), eng_command_name(cmd));
		st = eng_event_log_append(&ro->log, &ev);
		if (st != ENG_OK)
			return st;
		reset_runtime(ro);
		return eng_rollout_start(ro, t_ns, act);
	}
	fill_action(ro, before, act);
	return st;
}

bool eng_rollout_aborted(const struct eng_rollout *ro)
{
	return ro->aborted;
}

const char *eng_rollout_waiting_gate(const struct eng_rollout *ro)
{
	if (ro->strategy != ENG_STRATEGY_CANARY && ro->bg_phase != ENG_BG_CANARY_STEPS)
		return eng_bg_waiting_gate(ro);
	if (ro->outcome != ENG_OUTCOME_RUNNING || ro->held || !ro->waiting ||
	    ro->step_index >= ro->nsteps ||
	    ro->steps[ro->step_index].kind != ENG_STEP_APPROVAL)
		return NULL;
	return ro->steps[ro->step_index].gate;
}

void eng_rollout_approve(struct eng_rollout *ro, const char *gate, int64_t t_ns)
{
	const char *g = eng_rollout_waiting_gate(ro);

	(void)t_ns;
	if (g != NULL && strcmp(g, gate) == 0)
		ro->approved = true;
}

int64_t eng_rollout_next_wakeup_ns(const struct eng_rollout *ro)
{
	int64_t t = INT64_MAX;

	if (ro->draining)
		return ro->next_drain_ns;
	if (!ro->started || ro->outcome != ENG_OUTCOME_RUNNING)
		return t;
	if (ro->pause_end_ns >= 0 && !ro->held)
		t = ro->pause_end_ns;
	if (ro->bg_due_ns >= 0 && !ro->held && ro->bg_due_ns < t)
		t = ro->bg_due_ns;
	if (ro->start_ns + ro->progress_deadline_ns < t)
		t = ro->start_ns + ro->progress_deadline_ns;
	return t;
}

int64_t eng_rollout_start_ns(const struct eng_rollout *ro)
{
	return ro->started ? ro->start_ns : -1;
}

bool eng_rollout_done(const struct eng_rollout *ro)
{
	return ro->outcome != ENG_OUTCOME_RUNNING && !ro->draining;
}

enum eng_outcome eng_rollout_outcome(const struct eng_rollout *ro)
{
	return ro->outcome;
}

int64_t eng_rollout_decision_ns(const struct eng_rollout *ro)
{
	return ro->decision_ns;
}

double eng_rollout_weight_pct(const struct eng_rollout *ro)
{
	return ro->weight_pct;
}

double eng_rollout_mirror_pct(const struct eng_rollout *ro)
{
	return ro->mirror_pct;
}

const struct eng_event_log *eng_rollout_events(const struct eng_rollout *ro)
{
	return &ro->log;
}

void eng_rollout_take_events(struct eng_rollout *ro, struct eng_event_log *out)
{
	struct eng_event_log spare = *out;

	*out = ro->log;
	spare.count = 0;
	ro->log = spare;
}
