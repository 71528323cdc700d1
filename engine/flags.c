/* The feature-flags strategy (see engine/rollout.h): all traffic stays on
 * the stable version, and each flag goes through its own steps (enabled
 * shares and pauses). At each of its analysis runs a flag's checks judge
 * the requests with the flag on (as the canary) against those with it off
 * (as the baseline); a flag with a check failing more often than its
 * failure limit goes back to 0% alone, and one whose steps are done is
 * enabled for all (100%). The rollout ends when every flag is one or the
 * other: promoted when all reached 100%, rolled back when any went back.
 * Each decision is an event naming the flag. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rollout_impl.h"

static bool step_valid(const struct eng_step *s)
{
	if (s->kind == ENG_STEP_SET_WEIGHT)
		return s->weight_pct >= 0.0 && s->weight_pct <= 100.0;
	return s->kind == ENG_STEP_PAUSE && s->duration_ns >= 0;
}

bool eng_flags_config_valid(const struct eng_rollout_config *cfg)
{
	const struct eng_flags_config *fc = cfg->flags;

	if (fc == NULL || fc->nflags == 0 || fc->nflags > ENG_MAX_FLAGS || cfg->nsteps != 0)
		return false;
	for (size_t i = 0; i < fc->nflags; i++) {
		const struct eng_flag_config *f = &fc->flag[i];

		if (f->name[0] == '\0' || f->nsteps == 0 || f->nsteps > ENG_MAX_FLAG_STEPS ||
		    f->nchecks > ENG_MAX_FLAG_CHECKS || f->interval_ns <= 0)
			return false;
		for (size_t k = 0; k < f->nsteps; k++)
			if (!step_valid(&f->steps[k]))
				return false;
		/* the judges that need more than one window's two groups (a
		 * sequential test's history, shared latency bins) have none here */
		for (size_t k = 0; k < f->nchecks; k++)
			if (f->checks[k].judge != ENG_JUDGE_NONE &&
			    f->checks[k].judge != ENG_JUDGE_PROPORTIONS)
				return false;
	}
	return true;
}

bool eng_flags_init(struct eng_rollout *ro, const struct eng_rollout_config *cfg)
{
	if (cfg->strategy != ENG_STRATEGY_FLAGS)
		return true;
	ro->flags = malloc(sizeof(*ro->flags));
	ro->flag_state = calloc(cfg->flags->nflags, sizeof(*ro->flag_state));
	if (ro->flags == NULL || ro->flag_state == NULL) {
		eng_flags_free(ro);
		return false;
	}
	*ro->flags = *cfg->flags;
	eng_flags_reset(ro);
	return true;
}

void eng_flags_reset(struct eng_rollout *ro)
{
	ro->flags_moved = false;
	for (size_t i = 0; i < eng_rollout_nflags(ro); i++) {
		struct eng_flag_state *fs = &ro->flag_state[i];

		memset(fs, 0, sizeof(*fs));
		fs->pause_end_ns = -1;
		fs->first_on_ns = -1;
		fs->decision_ns = -1;
		fs->outcome = ENG_OUTCOME_RUNNING;
	}
}

void eng_flags_free(struct eng_rollout *ro)
{
	free(ro->flags);
	free(ro->flag_state);
	ro->flags = NULL;
	ro->flag_state = NULL;
}

/* An event of rule and action on flag i at t_ns: its name, share, step
 * and failed runs. */
static struct eng_event flag_event(const struct eng_rollout *ro, size_t i, int64_t t_ns,
				   enum eng_rule rule, enum eng_decision action)
{
	const struct eng_flag_state *fs = &ro->flag_state[i];
	struct eng_event ev = eng_rollout_event(ro, t_ns, rule, action);

	eng_copy_text(ev.flag, sizeof(ev.flag), ro->flags->flag[i].name);
	ev.weight_pct = fs->pct;
	ev.step_index = (uint32_t)fs->step_index;
	ev.failures = fs->failures;
	ev.failure_limit = ro->flags->flag[i].failure_limit;
	return ev;
}

/* Sets flag i's share to pct at t_ns and logs it under rule; the flag's
 * analysis starts one interval after it is first on. */
static enum eng_status set_pct(struct eng_rollout *ro, size_t i, int64_t t_ns,
			       enum eng_rule rule, double pct)
{
	struct eng_flag_state *fs = &ro->flag_state[i];
	struct eng_event ev;

	ro->flags_moved |= pct != fs->pct;
	fs->pct = pct;
	if (pct > 0.0 && !fs->analysing) {
		fs->analysing = true;
		fs->first_on_ns = t_ns;
		fs->next_check_ns = t_ns + ro->flags->flag[i].interval_ns;
	}
	ev = flag_event(ro, i, t_ns, rule, ENG_DECIDE_SET_FLAG);
	return eng_event_log_append(&ro->log, &ev);
}

/* Flag i's analysis run on obs: every check judges the on-group against
 * the off-group; *worst is the most failures of one check so far. A
 * world without the flag's groups gives no data. */
static enum eng_status judge_flag(struct eng_rollout *ro, size_t i,
				  const struct eng_observation *obs, uint32_t *worst)
{
	static const struct eng_window_metrics none; /* no requests: no data */
	const struct eng_flag_config *f = &ro->flags->flag[i];
	struct eng_flag_state *fs = &ro->flag_state[i];
	const struct eng_window_metrics *on = &none, *off = &none;
	bool failed = false;

	if (obs->flags != NULL && i < obs->flags->nflags) {
		on = &obs->flags->on[i];
		off = &obs->flags->off[i];
	}
	*worst = 0;
	for (size_t k = 0; k < f->nchecks; k++) {
		const struct eng_check *c = &f->checks[k];
		struct eng_judgement j;
		struct eng_event ev;

		eng_check_judge(c, on, off, &j);
		if (j.result == ENG_RESULT_FAIL) {
			fs->check_failures[k]++;
			failed = true;
		}
		if (fs->check_failures[k] > *worst)
			*worst = fs->check_failures[k];
		ev = flag_event(ro, i, obs->t_ns, ENG_RULE_FLAG_ANALYSIS, ENG_DECIDE_CONTINUE);
		eng_judgement_note(c, &j, &ev);
		ev.failures = fs->check_failures[k];
		if (eng_event_log_append(&ro->log, &ev) != ENG_OK)
			return ENG_ENOMEM;
	}
	fs->failures += failed;
	return ENG_OK;
}

/* Ends flag i with outcome at t_ns, at share pct. */
static void settle(struct eng_rollout *ro, size_t i, int64_t t_ns,
		   enum eng_outcome outcome, double pct)
{
	struct eng_flag_state *fs = &ro->flag_state[i];

	ro->flags_moved |= pct != fs->pct;
	fs->pct = pct;
	fs->outcome = outcome;
	fs->decision_ns = t_ns;
	fs->pause_end_ns = -1;
}

/* Flag i's check failed `worst` times, more than its limit: back to 0%
 * alone. */
static enum eng_status roll_back_flag(struct eng_rollout *ro, size_t i, int64_t t_ns,
				      uint32_t worst)
{
	struct eng_event ev;

	settle(ro, i, t_ns, ENG_OUTCOME_ROLLED_BACK, 0.0);
	ev = flag_event(ro, i, t_ns, ENG_RULE_FLAG_FAILURE_LIMIT, ENG_DECIDE_ROLLBACK_FLAG);
	ev.observed = worst;
	ev.threshold = ro->flags->flag[i].failure_limit;
	return eng_event_log_append(&ro->log, &ev);
}

/* Carries out flag i's steps until a pause has to wait; once the last is
 * done the flag is enabled for all. */
static enum eng_status advance_flag(struct eng_rollout *ro, size_t i, int64_t t_ns)
{
	const struct eng_flag_config *f = &ro->flags->flag[i];
	struct eng_flag_state *fs = &ro->flag_state[i];
	enum eng_status st = ENG_OK;
	bool done = true;

	while (st == ENG_OK && done && fs->step_index < f->nsteps) {
		const struct eng_step *s = &f->steps[fs->step_index];

		if (s->kind == ENG_STEP_SET_WEIGHT) {
			st = set_pct(ro, i, t_ns, ENG_RULE_FLAG_STEP, s->weight_pct);
		} else {
			if (fs->pause_end_ns < 0) {
				struct eng_event ev = flag_event(ro, i, t_ns, ENG_RULE_FLAG_STEP,
								 ENG_DECIDE_PAUSE);

				fs->pause_end_ns = t_ns + s->duration_ns;
				ev.duration_ns = s->duration_ns;
				st = eng_event_log_append(&ro->log, &ev);
			}
			done = t_ns >= fs->pause_end_ns;
			if (done)
				fs->pause_end_ns = -1;
		}
		if (st == ENG_OK && done)
			fs->step_index++;
	}
	if (st != ENG_OK || !done)
		return st;
	st = set_pct(ro, i, t_ns, ENG_RULE_FLAG_COMPLETE, 100.0);
	settle(ro, i, t_ns, ENG_OUTCOME_PROMOTED, 100.0);
	return st;
}

/* Every flag decided: the rollout's outcome, with how many went back.
 * Otherwise the rollout's next wake-up is the earliest pause end of a
 * flag still running. */
static enum eng_status finish_if_done(struct eng_rollout *ro, int64_t t_ns)
{
	size_t back = 0;
	struct eng_event ev;

	ro->pause_end_ns = -1;
	for (size_t i = 0; i < ro->flags->nflags; i++) {
		const struct eng_flag_state *fs = &ro->flag_state[i];

		if (fs->outcome == ENG_OUTCOME_RUNNING) {
			if (fs->pause_end_ns >= 0 &&
			    (ro->pause_end_ns < 0 || fs->pause_end_ns < ro->pause_end_ns))
				ro->pause_end_ns = fs->pause_end_ns;
			return ENG_OK;
		}
		back += fs->outcome == ENG_OUTCOME_ROLLED_BACK;
	}
	ev = eng_rollout_event(ro, t_ns, ENG_RULE_FLAGS_DONE,
			       back ? ENG_DECIDE_ROLLBACK : ENG_DECIDE_PROMOTE);
	ev.observed = (double)back;
	ev.threshold = (double)ro->flags->nflags;
	return eng_rollout_finish(ro, t_ns, back ? ENG_OUTCOME_ROLLED_BACK :
				  ENG_OUTCOME_PROMOTED, 0.0, &ev);
}

/* Invariant: a flag is judged before its steps run at the same instant,
 * so a failing window rolls it back instead of enabling it further. */
enum eng_status eng_flags_progress(struct eng_rollout *ro, int64_t t_ns,
				   const struct eng_observation *obs)
{
	enum eng_status st = ENG_OK;

	for (size_t i = 0; st == ENG_OK && i < ro->flags->nflags; i++) {
		const struct eng_flag_config *f = &ro->flags->flag[i];
		struct eng_flag_state *fs = &ro->flag_state[i];
		uint32_t worst = 0;

		if (fs->outcome != ENG_OUTCOME_RUNNING)
			continue;
		if (obs != NULL && fs->analysing && obs->t_ns >= fs->next_check_ns) {
			while (fs->next_check_ns <= obs->t_ns)
				fs->next_check_ns += f->interval_ns;
			st = judge_flag(ro, i, obs, &worst);
			if (st == ENG_OK && worst > f->failure_limit) {
				st = roll_back_flag(ro, i, obs->t_ns, worst);
				continue;
			}
		}
		if (st == ENG_OK)
			st = advance_flag(ro, i, t_ns);
	}
	if (st != ENG_OK)
		return st;
	return finish_if_done(ro, t_ns);
}

void eng_flags_abandon(struct eng_rollout *ro, int64_t t_ns, enum eng_outcome outcome)
{
	if (ro->flags == NULL)
		return;
	for (size_t i = 0; i < ro->flags->nflags; i++)
		if (ro->flag_state[i].outcome == ENG_OUTCOME_RUNNING)
			settle(ro, i, t_ns, outcome, 0.0);
}

bool eng_flags_fill_action(struct eng_rollout *ro, struct eng_action *act)
{
	bool moved = ro->flags_moved;

	for (size_t i = 0; i < ENG_MAX_FLAGS; i++)
		act->flag_pct[i] = ro->flags != NULL && i < ro->flags->nflags ?
			ro->flag_state[i].pct : 0.0;
	ro->flags_moved = false;
	return moved;
}

size_t eng_rollout_nflags(const struct eng_rollout *ro)
{
	return ro->flags != NULL ? ro->flags->nflags : 0;
}

bool eng_rollout_flag(const struct eng_rollout *ro, size_t i, struct eng_flag_result *out)
{
	const struct eng_flag_state *fs;

	if (i >= eng_rollout_nflags(ro))
		return false;
	fs = &ro->flag_state[i];
	*out = (struct eng_flag_result){
		.name = ro->flags->flag[i].name,
		.outcome = fs->outcome,
		.pct = fs->pct,
		.first_on_ns = fs->first_on_ns,
		.decision_ns = fs->decision_ns,
	};
	return true;
}
