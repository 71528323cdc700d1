/* The blue-green stages of a rollout (see engine/rollout.h): the preview's
 * health, pre-promotion analysis on mirrored requests, the promotion
 * (after a delay or an approval), the switch (at once or in steps; the
 * canary steps for bluegreen_canary, run by rollout.c), post-promotion
 * analysis and the scale-down delay. Each stage logs what it decided,
 * with its numbers. Analysis runs, triggers and the limits stay
 * rollout.c's; rolling back before the switch blocks (rollout.c asks
 * eng_bg_before_switch()). */
#include <math.h>
#include <string.h>

#include "engine/rollout_impl.h"

void eng_bluegreen_defaults(struct eng_bluegreen_config *bg)
{
	memset(bg, 0, sizeof(*bg));
	bg->preview_ready_frac = 1.0;
	bg->preview_timeout_ns = 600 * ENG_NS_PER_S;
	bg->auto_promotion = true;
	eng_copy_text(bg->promotion_gate, sizeof(bg->promotion_gate), "promote");
	bg->switch_step_pct = 100.0;
	bg->switch_interval_ns = 10 * ENG_NS_PER_S;
	bg->scale_down_delay_ns = 30 * ENG_NS_PER_S;
}

bool eng_bg_config_valid(const struct eng_rollout_config *cfg)
{
	const struct eng_bluegreen_config *bg = &cfg->bluegreen;

	return bg->preview_ready_frac > 0.0 && bg->preview_ready_frac <= 1.0 &&
	       bg->preview_timeout_ns > 0 &&
	       bg->mirror_pct >= 0.0 && bg->mirror_pct <= 100.0 &&
	       bg->auto_promotion_delay_ns >= 0 &&
	       (bg->auto_promotion || bg->promotion_gate[0] != '\0') &&
	       bg->switch_step_pct > 0.0 && bg->switch_step_pct <= 100.0 &&
	       (bg->switch_step_pct >= 100.0 || bg->switch_interval_ns > 0) &&
	       bg->scale_down_delay_ns >= 0;
}

static void enter(struct eng_rollout *ro, enum eng_bg_phase phase, int64_t t_ns,
		  int64_t due_ns)
{
	ro->bg_phase = phase;
	ro->bg_since_ns = t_ns;
	ro->bg_due_ns = due_ns;
}

static enum eng_status note(struct eng_rollout *ro, struct eng_event *ev)
{
	return eng_event_log_append(&ro->log, ev);
}

/* A stage's event that compares a count (or share) with its target. */
static struct eng_event count_event(const struct eng_rollout *ro, int64_t t_ns,
				    enum eng_rule rule, enum eng_decision action,
				    enum eng_result result, double observed,
				    double threshold)
{
	struct eng_event ev = eng_rollout_event(ro, t_ns, rule, action);

	ev.result = result;
	ev.observed = observed;
	ev.threshold = threshold;
	ev.bound = ENG_BOUND_MIN;
	return ev;
}

/* Sets the share mirrored to the preview and logs it. */
static enum eng_status set_mirror(struct eng_rollout *ro, int64_t t_ns, double pct)
{
	struct eng_event ev;

	ro->mirror_pct = pct;
	ev = eng_rollout_event(ro, t_ns, ENG_RULE_MIRROR, ENG_DECIDE_MIRROR);
	ev.observed = pct;
	return note(ro, &ev);
}

/* The preview is up with no user traffic: wait for its health. */
static enum eng_status begin_preview(struct eng_rollout *ro, int64_t t_ns)
{
	struct eng_event ev;

	enter(ro, ENG_BG_PREVIEW, t_ns, t_ns + ro->bg.preview_timeout_ns);
	ev = count_event(ro, t_ns, ENG_RULE_PREVIEW_HEALTH, ENG_DECIDE_WAIT,
			 ENG_RESULT_NONE, NAN, ro->bg.preview_ready_frac);
	ev.duration_ns = ro->bg.preview_timeout_ns;
	return note(ro, &ev);
}

/* Waits for the promotion: the auto-promotion delay, or the approval. */
static enum eng_status await_promotion(struct eng_rollout *ro, int64_t t_ns)
{
	struct eng_event ev;

	ro->analysing = false; /* no traffic on the preview: nothing to judge */
	if (ro->bg.auto_promotion) {
		enter(ro, ENG_BG_AWAIT_PROMOTION, t_ns, t_ns + ro->bg.auto_promotion_delay_ns);
		ev = eng_rollout_event(ro, t_ns, ENG_RULE_PROMOTION, ENG_DECIDE_PAUSE);
		ev.duration_ns = ro->bg.auto_promotion_delay_ns;
		return note(ro, &ev);
	}
	enter(ro, ENG_BG_AWAIT_PROMOTION, t_ns, -1);
	ro->waiting = true;
	ro->approved = false;
	ev = eng_rollout_event(ro, t_ns, ENG_RULE_PROMOTION, ENG_DECIDE_AWAIT_APPROVAL);
	eng_copy_text(ev.check, sizeof(ev.check), ro->bg.promotion_gate);
	return note(ro, &ev);
}

/* Healthy: analyse the preview on mirrored requests, or go on to the
 * promotion when there is no pre-promotion analysis. */
static enum eng_status begin_pre_promotion(struct eng_rollout *ro, int64_t t_ns)
{
	struct eng_event ev;
	enum eng_status st;

	if (ro->bg.pre_promotion_runs == 0)
		return await_promotion(ro, t_ns);
	enter(ro, ENG_BG_PRE_PROMOTION, t_ns, -1);
	eng_rollout_reset_analysis(ro, t_ns);
	ro->last_change_ns = t_ns; /* triggers' cooldown starts with the mirror */
	st = set_mirror(ro, t_ns, ro->bg.mirror_pct);
	if (st != ENG_OK)
		return st;
	ev = count_event(ro, t_ns, ENG_RULE_PRE_PROMOTION, ENG_DECIDE_WAIT,
			 ENG_RESULT_NONE, 0, ro->bg.pre_promotion_runs);
	return note(ro, &ev);
}

/* A window's ready share of the preview's instances decides its health;
 * past the deadline without it, the switch is refused. */
static enum eng_status preview(struct eng_rollout *ro, int64_t t_ns,
			       const struct eng_observation *obs)
{
	double need = ro->bg.preview_ready_frac;
	struct eng_event ev;

	if (obs != NULL && obs->version[ENG_CANARY].instances > 0) {
		const struct eng_window_metrics *m = &obs->version[ENG_CANARY];

		ro->bg_ready_frac = (double)m->ready_instances / (double)m->instances;
		if (ro->bg_ready_frac >= need) {
			ev = count_event(ro, t_ns, ENG_RULE_PREVIEW_HEALTH,
					 ENG_DECIDE_CONTINUE, ENG_RESULT_PASS,
					 ro->bg_ready_frac, need);
			if (note(ro, &ev) != ENG_OK)
				return ENG_ENOMEM;
			return begin_pre_promotion(ro, t_ns);
		}
	}
	if (t_ns < ro->bg_due_ns)
		return ENG_OK;
	ev = count_event(ro, t_ns, ENG_RULE_PREVIEW_HEALTH, ENG_DECIDE_BLOCK,
			 ENG_RESULT_FAIL, ro->bg_ready_frac, need);
	ev.duration_ns = t_ns - ro->bg_since_ns;
	return eng_rollout_finish(ro, t_ns, ENG_OUTCOME_BLOCKED, 0.0, &ev);
}

/* Enough passing runs end pre-promotion and its mirroring. */
static enum eng_status pre_promotion(struct eng_rollout *ro, int64_t t_ns)
{
	struct eng_event ev;
	enum eng_status st;

	if (ro->bg_passes < ro->bg.pre_promotion_runs)
		return ENG_OK;
	ev = count_event(ro, t_ns, ENG_RULE_PRE_PROMOTION, ENG_DECIDE_CONTINUE,
			 ENG_RESULT_PASS, ro->bg_passes, ro->bg.pre_promotion_runs);
	st = note(ro, &ev);
	if (st == ENG_OK)
		st = set_mirror(ro, t_ns, 0.0);
	if (st == ENG_OK)
		st = await_promotion(ro, t_ns);
	return st;
}

/* Switched: the post-promotion analysis on the new active version, and
 * the old one kept for the scale-down delay. */
static enum eng_status begin_post_promotion(struct eng_rollout *ro, int64_t t_ns)
{
	struct eng_event ev;
	enum eng_status st = ENG_OK;

	enter(ro, ENG_BG_POST_PROMOTION, t_ns, t_ns + ro->bg.scale_down_delay_ns);
	eng_rollout_reset_analysis(ro, t_ns);
	ro->bg_post_passed = ro->bg.post_promotion_runs == 0;
	if (!ro->bg_post_passed) {
		ev = count_event(ro, t_ns, ENG_RULE_POST_PROMOTION, ENG_DECIDE_WAIT,
				 ENG_RESULT_NONE, 0, ro->bg.post_promotion_runs);
		st = note(ro, &ev);
	}
	if (st != ENG_OK)
		return st;
	ev = eng_rollout_event(ro, t_ns, ENG_RULE_SCALE_DOWN_DELAY, ENG_DECIDE_PAUSE);
	ev.duration_ns = ro->bg.scale_down_delay_ns;
	return note(ro, &ev);
}

/* One switch step: up by the step, capped at 100. */
static enum eng_status switch_step(struct eng_rollout *ro, int64_t t_ns)
{
	double w = ro->weight_pct + ro->bg.switch_step_pct;
	enum eng_status st;

	st = eng_rollout_set_weight(ro, t_ns, ENG_RULE_SWITCH, w < 100.0 ? w : 100.0);
	if (st != ENG_OK)
		return st;
	if (ro->weight_pct >= 100.0)
		return begin_post_promotion(ro, t_ns);
	enter(ro, ENG_BG_SWITCHING, ro->bg_since_ns, t_ns + ro->bg.switch_interval_ns);
	return ENG_OK;
}

/* The promotion: the analysis starts afresh on the new version's traffic
 * and the switch begins (through the steps for bluegreen_canary). */
static enum eng_status begin_switch(struct eng_rollout *ro, int64_t t_ns)
{
	eng_rollout_reset_analysis(ro, t_ns);
	if (ro->strategy == ENG_STRATEGY_BLUEGREEN_CANARY) {
		enter(ro, ENG_BG_CANARY_STEPS, t_ns, -1);
		return ENG_OK;
	}
	enter(ro, ENG_BG_SWITCHING, t_ns, -1);
	return switch_step(ro, t_ns);
}

static enum eng_status promotion(struct eng_rollout *ro, int64_t t_ns)
{
	struct eng_event ev;

	if (ro->bg.auto_promotion)
		return t_ns >= ro->bg_due_ns ? begin_switch(ro, t_ns) : ENG_OK;
	if (!ro->approved)
		return ENG_OK;
	ro->waiting = false;
	ro->approved = false;
	ev = eng_rollout_event(ro, t_ns, ENG_RULE_PROMOTION, ENG_DECIDE_APPROVED);
	eng_copy_text(ev.check, sizeof(ev.check), ro->bg.promotion_gate);
	if (note(ro, &ev) != ENG_OK)
		return ENG_ENOMEM;
	return begin_switch(ro, t_ns);
}

/* Promoted once the post-promotion analysis has passed and the
 * scale-down delay is over, whichever comes last. */
static enum eng_status post_promotion(struct eng_rollout *ro, int64_t t_ns)
{
	struct eng_event ev;

	if (!ro->bg_post_passed && ro->bg_passes >= ro->bg.post_promotion_runs) {
		ro->bg_post_passed = true;
		ev = count_event(ro, t_ns, ENG_RULE_POST_PROMOTION, ENG_DECIDE_CONTINUE,
				 ENG_RESULT_PASS, ro->bg_passes, ro->bg.post_promotion_runs);
		if (note(ro, &ev) != ENG_OK)
			return ENG_ENOMEM;
	}
	if (ro->bg_due_ns >= 0 && t_ns >= ro->bg_due_ns)
		ro->bg_due_ns = -1; /* the delay is over: no wake-up in the past */
	if (!ro->bg_post_passed || ro->bg_due_ns >= 0)
		return ENG_OK;
	ev = eng_rollout_event(ro, t_ns, ENG_RULE_SCALE_DOWN_DELAY, ENG_DECIDE_PROMOTE);
	ev.duration_ns = t_ns - ro->bg_since_ns;
	return eng_rollout_finish(ro, t_ns, ENG_OUTCOME_PROMOTED, 100.0, &ev);
}

/* Invariant: each stage either waits or enters a later one, so the loop
 * ends; a stage that ends at t_ns hands over to the next at t_ns. */
enum eng_status eng_bg_progress(struct eng_rollout *ro, int64_t t_ns,
				const struct eng_observation *obs)
{
	enum eng_status st = ENG_OK;
	enum eng_bg_phase before;

	do {
		before = ro->bg_phase;
		switch (ro->bg_phase) {
		case ENG_BG_NONE:
			st = begin_preview(ro, t_ns);
			break;
		case ENG_BG_PREVIEW:
			st = preview(ro, t_ns, obs);
			break;
		case ENG_BG_PRE_PROMOTION:
			st = pre_promotion(ro, t_ns);
			break;
		case ENG_BG_AWAIT_PROMOTION:
			st = promotion(ro, t_ns);
			break;
		case ENG_BG_SWITCHING:
			if (t_ns >= ro->bg_due_ns)
				st = switch_step(ro, t_ns);
			break;
		case ENG_BG_CANARY_STEPS:
			break;
		case ENG_BG_POST_PROMOTION:
			st = post_promotion(ro, t_ns);
			break;
		}
	} while (st == ENG_OK && ro->outcome == ENG_OUTCOME_RUNNING &&
		 ro->bg_phase != before);
	return st;
}

enum eng_status eng_bg_steps_done(struct eng_rollout *ro, int64_t t_ns)
{
	enum eng_status st;

	st = eng_rollout_set_weight(ro, t_ns, ENG_RULE_STEPS_COMPLETE, 100.0);
	if (st == ENG_OK)
		st = begin_post_promotion(ro, t_ns);
	return st;
}

bool eng_bg_before_switch(const struct eng_rollout *ro)
{
	return ro->bg_phase == ENG_BG_NONE || ro->bg_phase == ENG_BG_PREVIEW ||
	       ro->bg_phase == ENG_BG_PRE_PROMOTION ||
	       ro->bg_phase == ENG_BG_AWAIT_PROMOTION;
}

const char *eng_bg_waiting_gate(const struct eng_rollout *ro)
{
	if (ro->outcome != ENG_OUTCOME_RUNNING || ro->held || !ro->waiting ||
	    ro->bg_phase != ENG_BG_AWAIT_PROMOTION || ro->bg.auto_promotion)
		return NULL;
	return ro->bg.promotion_gate;
}
