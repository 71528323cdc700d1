#include <math.h>

#include "scenario/load.h"

/* The error budget: the SLO is the scenario's (slo.availability); the
 * history before the start is the traffic's rate over the period with
 * spent_frac of the budget already used. */
void scn_load_error_budget(struct scn_reader *r, const cJSON *obj, const char *path,
			   struct scn_scenario *s)
{
	static const char *const keys[] = {
		"period_s", "spent_frac", "critical", "rollback_on_burn",
		"warn_below", "freeze_below", "unfreeze_above", "critical_floor",
		"latency", "frozen_before", NULL
	};
	struct eng_rollout_config *rc = &s->rollout;
	struct eng_budget_config *b = &rc->budget;
	const struct scn_range frac = { 0.0, 1.0, false };
	double period_s = 30 * 86400.0, spent = 0.0, history;

	eng_budget_config_init(b);
	rc->has_budget = true;
	rc->rollback_on_burn = true;
	scn_check_keys(r, obj, path, keys);
	scn_get_number(r, obj, path, "period_s", false,
		       (struct scn_range){ 60.0, 366 * 86400.0, false }, &period_s);
	scn_get_number(r, obj, path, "spent_frac", false,
		       (struct scn_range){ 0.0, 10.0, false }, &spent);
	scn_get_bool(r, obj, path, "critical", false, &rc->critical);
	scn_get_bool(r, obj, path, "rollback_on_burn", false, &rc->rollback_on_burn);
	scn_get_number(r, obj, path, "warn_below", false, frac, &b->warn_below_frac);
	scn_get_number(r, obj, path, "freeze_below", false, frac, &b->freeze_below_frac);
	scn_get_number(r, obj, path, "unfreeze_above", false, frac, &b->unfreeze_above_frac);
	scn_get_number(r, obj, path, "critical_floor", false, frac, &b->critical_floor_frac);
	if (!(b->critical_floor_frac <= b->freeze_below_frac &&
	      b->freeze_below_frac <= b->warn_below_frac &&
	      b->freeze_below_frac <= b->unfreeze_above_frac && b->unfreeze_above_frac < 1.0))
		scn_report(r, path, "expected critical_floor <= freeze_below <= warn_below, and freeze_below <= unfreeze_above < 1");
	b->slo_frac = s->slo.availability_frac;
	if (!(b->slo_frac < 1.0))
		scn_report(r, path, "slo.availability is 1: there is no error budget; expected below 1");
	b->window_ns = s->sim.window_ns;
	b->period_ns = (int64_t)llround(period_s / ((double)s->sim.window_ns / 1e9)) *
		       s->sim.window_ns;
	/* the history: requests over the period at the traffic's starting rate */
	history = sim_traffic_rate_rps(&s->sim.traffic, 0.0) * period_s;
	rc->budget_history_total = (uint64_t)llround(history);
	rc->budget_history_bad = (uint64_t)llround(spent * (1.0 - b->slo_frac) * history);
	/* the latency budget: slow successes against slo.latency_quantile,
	 * spent as much before the start */
	scn_get_bool(r, obj, path, "latency", false, &rc->has_latency_budget);
	bool frozen = false;

	scn_get_bool(r, obj, path, "frozen_before", false, &frozen);
	b->initial_gate = frozen ? ENG_GATE_FROZEN : ENG_GATE_OPEN;
	rc->latency_target_frac = s->slo.latency_quantile;
	rc->latency_history_bad =
		(uint64_t)llround(spent * (1.0 - rc->latency_target_frac) * history);
}
