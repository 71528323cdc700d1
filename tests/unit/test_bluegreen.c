/* engine/bluegreen: the blue-green stages driven by hand-written
 * observations, with the expected timeline worked out by hand next to each
 * assertion. Windows are 10 s long; the analysis (engine_fixtures.h) wants
 * at most 1% errors and a p99 of at most 500 ms on at least 100 requests,
 * failure limit 1 (Argo: a check rolls back on its second failure). */
#include "engine/rollout.h"
#include "tests/unit/engine_fixtures.h"
#include "tests/unit/helpers.h"

/* Blue-green with the fixture's checks: preview healthy when all of its 4
 * instances are ready, within 60 s; 20% mirrored; 2 passing pre-promotion
 * runs; Argo's defaults otherwise (auto-promotion at once, instant switch,
 * no post-promotion runs, old version kept 30 s). */
static void bg_init(struct fx_config *f, enum eng_strategy strategy)
{
	fx_config_init(f);
	f->cfg.strategy = strategy;
	if (strategy == ENG_STRATEGY_BLUEGREEN) {
		f->cfg.steps = NULL;
		f->cfg.nsteps = 0;
	}
	eng_bluegreen_defaults(&f->cfg.bluegreen);
	f->cfg.bluegreen.preview_timeout_ns = S(60);
	f->cfg.bluegreen.mirror_pct = 20.0;
	f->cfg.bluegreen.pre_promotion_runs = 2;
}

/* A window ending at t_s: both versions have 4 instances, `ready` of the
 * preview's are ready; the preview served `requests` (mirrored or not)
 * with `errors` failures and a p99 of p99_ms. */
static struct eng_observation bg_window(double t_s, uint32_t ready, uint64_t requests,
					uint64_t errors, double p99_ms)
{
	struct eng_observation o = fx_window(t_s, requests, errors, p99_ms);

	o.version[ENG_STABLE].instances = 4;
	o.version[ENG_STABLE].ready_instances = 4;
	o.version[ENG_CANARY].instances = 4;
	o.version[ENG_CANARY].ready_instances = ready;
	return o;
}

static struct eng_action feed(struct eng_rollout *ro, double t_s, uint32_t ready,
			      uint64_t errors, double p99_ms)
{
	struct eng_observation o = bg_window(t_s, ready, 200, errors, p99_ms);
	struct eng_action act;

	CU_ASSERT_EQUAL(eng_rollout_step(ro, o.t_ns, &o, &act), ENG_OK);
	return act;
}

/* Starts a rollout of cfg at 0 s and feeds it the window at 10 s in which
 * all 4 preview instances are ready: healthy at 10 s. *act is that
 * window's action. */
static struct eng_rollout *healthy_at_10(const struct eng_rollout_config *cfg,
					 struct eng_action *act)
{
	struct eng_rollout *ro = fx_started(cfg, act);

	*act = feed(ro, 10, 4, 0, 100);
	return ro;
}

static const struct eng_event *last_event(const struct eng_rollout *ro)
{
	const struct eng_event_log *log = eng_rollout_events(ro);

	return log->count ? &log->events[log->count - 1] : NULL;
}

/* The rollout ended with outcome at t_s; its last event is rule's, with
 * action; returns that event. */
static const struct eng_event *check_end(const struct eng_rollout *ro,
					 enum eng_outcome outcome, double t_s,
					 enum eng_rule rule, enum eng_decision action)
{
	const struct eng_event *ev = last_event(ro);

	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), outcome);
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(ro), S(t_s));
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	T_ASSERT_EQ_INT(ev->rule, rule);
	T_ASSERT_EQ_INT(ev->action, action);
	return ev;
}

/* Nothing ready at first, then 1 and 3 of 4: the preview never reaches
 * the 100% it needs; its deadline is 0 + 60 s, when it is blocked with
 * its last ready share, 3 / 4 = 0.75. No traffic ever moved. */
static void test_preview_times_out(void)
{
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;
	const struct eng_event *ev;

	bg_init(&f, ENG_STRATEGY_BLUEGREEN);
	ro = fx_started(&f.cfg, &act);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_NONE); /* the preview takes 0% */
	T_ASSERT_NEAR(act.weight_pct, 0.0, 0.0);
	ev = last_event(ro);
	T_ASSERT_EQ_INT(ev->rule, ENG_RULE_PREVIEW_HEALTH);
	T_ASSERT_EQ_INT(ev->action, ENG_DECIDE_WAIT);
	T_ASSERT_EQ_INT(eng_rollout_next_wakeup_ns(ro), S(60));
	feed(ro, 10, 0, 0, 100);
	feed(ro, 20, 1, 0, 100);
	for (int t = 30; t <= 50; t += 10)
		feed(ro, t, 3, 0, 100);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_RUNNING);
	act = feed(ro, 60, 3, 0, 100);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_NONE);
	ev = check_end(ro, ENG_OUTCOME_BLOCKED, 60, ENG_RULE_PREVIEW_HEALTH,
		       ENG_DECIDE_BLOCK);
	T_ASSERT_EQ_INT(ev->result, ENG_RESULT_FAIL);
	T_ASSERT_NEAR(ev->observed, 0.75, 1e-12);
	T_ASSERT_NEAR(ev->threshold, 1.0, 0.0);
	T_ASSERT_EQ_INT(ev->duration_ns, S(60));
	eng_rollout_free(ro);
}

/* Healthy at 10 s: 20% mirrored, first run at 20 s. 5% errors at 20 s
 * (the error check's first failure: 1, limit 1, go on) and at 30 s (2 > 1):
 * blocked at 30 s, mirroring off, weight never above 0. */
static void test_pre_promotion_failure_blocks(void)
{
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;
	const struct eng_event *ev;

	bg_init(&f, ENG_STRATEGY_BLUEGREEN);
	ro = healthy_at_10(&f.cfg, &act);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_SET_WEIGHT);
	T_ASSERT_NEAR(act.weight_pct, 0.0, 0.0);
	T_ASSERT_NEAR(act.mirror_pct, 20.0, 0.0);
	act = feed(ro, 20, 4, 10, 100);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_NONE);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_RUNNING);
	act = feed(ro, 30, 4, 10, 100);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_SET_WEIGHT);
	T_ASSERT_NEAR(act.weight_pct, 0.0, 0.0);
	T_ASSERT_NEAR(act.mirror_pct, 0.0, 0.0);
	ev = check_end(ro, ENG_OUTCOME_BLOCKED, 30, ENG_RULE_FAILURE_LIMIT,
		       ENG_DECIDE_BLOCK);
	T_ASSERT_NEAR(ev->observed, 2, 0.0);
	eng_rollout_free(ro);
}

/* Healthy at 10 s (mirror 20%); passes at 20 and 30 s (2 of 2): mirror
 * off and, auto-promoted without delay, the instant switch to 100% at
 * 30 s. The old version is kept until 30 + 30 = 60 s: promoted then. */
static void test_instant_switch_then_scale_down(void)
{
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;
	const struct eng_event *ev;

	bg_init(&f, ENG_STRATEGY_BLUEGREEN);
	ro = healthy_at_10(&f.cfg, &act);
	T_ASSERT_NEAR(act.mirror_pct, 20.0, 0.0);
	T_ASSERT_NEAR(eng_rollout_mirror_pct(ro), 20.0, 0.0);
	act = feed(ro, 20, 4, 0, 100);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_NONE);
	T_ASSERT_NEAR(act.mirror_pct, 20.0, 0.0); /* still mirroring */
	T_ASSERT_NEAR(act.weight_pct, 0.0, 0.0);
	act = feed(ro, 30, 4, 0, 100);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_SET_WEIGHT);
	T_ASSERT_NEAR(act.weight_pct, 100.0, 0.0);
	T_ASSERT_NEAR(act.mirror_pct, 0.0, 0.0);
	T_ASSERT_EQ_INT(eng_rollout_next_wakeup_ns(ro), S(60));
	ev = last_event(ro);
	T_ASSERT_EQ_INT(ev->rule, ENG_RULE_SCALE_DOWN_DELAY);
	T_ASSERT_EQ_INT(ev->duration_ns, S(30));
	act = feed(ro, 40, 4, 0, 100);
	T_ASSERT_NEAR(act.mirror_pct, 0.0, 0.0);
	feed(ro, 50, 4, 0, 100);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_RUNNING);
	act = feed(ro, 60, 4, 0, 100);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_NONE); /* already at 100% */
	check_end(ro, ENG_OUTCOME_PROMOTED, 60, ENG_RULE_SCALE_DOWN_DELAY,
		  ENG_DECIDE_PROMOTE);
	eng_rollout_free(ro);
}

/* One pre-promotion run; switch 25% every 10 s. Healthy at 10 s, the run
 * at 20 s passes: 25% at 20 s, 50% at 30 s, 75% at 40 s, 100% at 50 s;
 * the old version is kept until 50 + 30 = 80 s. */
static void test_gradual_switch(void)
{
	static const struct { double t, weight; } want[] = {
		{ 20, 25 }, { 30, 50 }, { 40, 75 }, { 50, 100 },
	};
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;

	bg_init(&f, ENG_STRATEGY_BLUEGREEN);
	f.cfg.bluegreen.pre_promotion_runs = 1;
	f.cfg.bluegreen.switch_step_pct = 25.0;
	f.cfg.bluegreen.switch_interval_ns = S(10);
	ro = healthy_at_10(&f.cfg, &act);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		act = feed(ro, want[i].t, 4, 0, 100);
		T_ASSERT_EQ_INT(act.kind, ENG_ACT_SET_WEIGHT);
		T_ASSERT_NEAR(act.weight_pct, want[i].weight, 0.0);
		T_ASSERT_EQ_INT(last_event(ro)->rule == ENG_RULE_SWITCH ||
				last_event(ro)->rule == ENG_RULE_SCALE_DOWN_DELAY, 1);
	}
	T_ASSERT_EQ_INT(eng_rollout_next_wakeup_ns(ro), S(80));
	feed(ro, 60, 4, 0, 100);
	feed(ro, 70, 4, 0, 100);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_RUNNING);
	feed(ro, 80, 4, 0, 100);
	check_end(ro, ENG_OUTCOME_PROMOTED, 80, ENG_RULE_SCALE_DOWN_DELAY,
		  ENG_DECIDE_PROMOTE);
	eng_rollout_free(ro);
}

/* One pre-promotion run, three post-promotion runs, old version kept
 * 60 s. Switch at 20 s (healthy at 10, pass at 20). Post-promotion runs:
 * 30 s passes (1 of 3); 40 s has 5% errors (first failure: 1, limit 1);
 * 50 s again (2 > 1): switch back to 0% at once at 50 s, rolled back,
 * before the delay's end at 80 s. */
static void test_post_promotion_failure_switches_back(void)
{
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;
	const struct eng_event *ev;

	bg_init(&f, ENG_STRATEGY_BLUEGREEN);
	f.cfg.bluegreen.pre_promotion_runs = 1;
	f.cfg.bluegreen.post_promotion_runs = 3;
	f.cfg.bluegreen.scale_down_delay_ns = S(60);
	ro = healthy_at_10(&f.cfg, &act);
	act = feed(ro, 20, 4, 0, 100);
	T_ASSERT_NEAR(act.weight_pct, 100.0, 0.0);
	feed(ro, 30, 4, 0, 100);
	act = feed(ro, 40, 4, 10, 100);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_NONE);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_RUNNING);
	act = feed(ro, 50, 4, 10, 100);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_SET_WEIGHT);
	T_ASSERT_NEAR(act.weight_pct, 0.0, 0.0);
	CU_ASSERT(eng_rollout_done(ro)); /* instant: nothing left to drain */
	ev = check_end(ro, ENG_OUTCOME_ROLLED_BACK, 50, ENG_RULE_FAILURE_LIMIT,
		       ENG_DECIDE_SWITCH_BACK);
	T_ASSERT_NEAR(ev->weight_pct, 0.0, 0.0);
	eng_rollout_free(ro);
}

/* The same switch at 30 s with a p99 trigger (above 800 ms, one window):
 * the window at 40 s, inside the scale-down delay, has a p99 of 900 ms:
 * the trigger switches back at 40 s before the analysis is judged. */
static void test_trigger_switches_back_during_scale_down(void)
{
	struct eng_trigger tr;
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;

	bg_init(&f, ENG_STRATEGY_BLUEGREEN);
	fx_p99_trigger(&tr, 800, 0);
	f.cfg.triggers = &tr;
	f.cfg.ntriggers = 1;
	ro = healthy_at_10(&f.cfg, &act);
	feed(ro, 20, 4, 0, 100);
	act = feed(ro, 30, 4, 0, 100);
	T_ASSERT_NEAR(act.weight_pct, 100.0, 0.0);
	act = feed(ro, 40, 4, 0, 900);
	T_ASSERT_NEAR(act.weight_pct, 0.0, 0.0);
	check_end(ro, ENG_OUTCOME_ROLLED_BACK, 40, ENG_RULE_TRIGGER,
		  ENG_DECIDE_SWITCH_BACK);
	eng_rollout_free(ro);
}

/* auto_promotion off, one pre-promotion run: healthy at 10 s, the run at
 * 20 s passes and the rollout waits for gate "promote" at 0%, mirror off.
 * Another gate's approval at 45 s changes nothing; "promote" is approved
 * at 55 s: the switch is at the next call, 60 s. */
static void test_waits_for_approval(void)
{
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;

	bg_init(&f, ENG_STRATEGY_BLUEGREEN);
	f.cfg.bluegreen.pre_promotion_runs = 1;
	f.cfg.bluegreen.auto_promotion = false;
	ro = fx_started(&f.cfg, &act);
	CU_ASSERT_PTR_NULL(eng_rollout_waiting_gate(ro));
	feed(ro, 10, 4, 0, 100);
	act = feed(ro, 20, 4, 0, 100);
	T_ASSERT_NEAR(act.weight_pct, 0.0, 0.0);
	T_ASSERT_NEAR(act.mirror_pct, 0.0, 0.0);
	T_ASSERT_STR_EQ(eng_rollout_waiting_gate(ro), "promote");
	T_ASSERT_EQ_INT(last_event(ro)->action, ENG_DECIDE_AWAIT_APPROVAL);
	feed(ro, 30, 4, 0, 100);
	act = feed(ro, 40, 4, 0, 100);
	T_ASSERT_NEAR(act.weight_pct, 0.0, 0.0);
	eng_rollout_approve(ro, "other", S(45)); /* not the gate waited on */
	act = feed(ro, 50, 4, 0, 100);
	T_ASSERT_NEAR(act.weight_pct, 0.0, 0.0);
	eng_rollout_approve(ro, "promote", S(55));
	act = feed(ro, 60, 4, 0, 100);
	T_ASSERT_NEAR(act.weight_pct, 100.0, 0.0);
	CU_ASSERT_PTR_NULL(eng_rollout_waiting_gate(ro));
	eng_rollout_free(ro);

	/* auto-promotion 15 s after the pass at 20 s: woken at 35 s, without
	 * a window, to switch */
	f.cfg.bluegreen.auto_promotion = true;
	f.cfg.bluegreen.auto_promotion_delay_ns = S(15);
	ro = healthy_at_10(&f.cfg, &act);
	act = feed(ro, 20, 4, 0, 100);
	T_ASSERT_NEAR(act.weight_pct, 0.0, 0.0);
	T_ASSERT_EQ_INT(eng_rollout_next_wakeup_ns(ro), S(35));
	feed(ro, 30, 4, 0, 100);
	CU_ASSERT_EQUAL(eng_rollout_step(ro, S(35), NULL, &act), ENG_OK);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_SET_WEIGHT);
	T_ASSERT_NEAR(act.weight_pct, 100.0, 0.0);
	eng_rollout_free(ro);
}

/* bluegreen_canary with the fixture's steps (10%, pause 30 s, 50%, pause
 * 30 s), one pre-promotion run: healthy at 10 s, pass at 20 s, then the
 * steps: 10% at 20 s, 50% at 50 s, all done at 80 s: 100% and the
 * scale-down delay, promoted at 80 + 30 = 110 s. */
static void test_bluegreen_canary_steps(void)
{
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;

	bg_init(&f, ENG_STRATEGY_BLUEGREEN_CANARY);
	f.cfg.bluegreen.pre_promotion_runs = 1;
	ro = healthy_at_10(&f.cfg, &act);
	T_ASSERT_NEAR(act.mirror_pct, 20.0, 0.0);
	act = feed(ro, 20, 4, 0, 100);
	T_ASSERT_NEAR(act.weight_pct, 10.0, 0.0);
	T_ASSERT_NEAR(act.mirror_pct, 0.0, 0.0);
	T_ASSERT_EQ_INT(eng_rollout_next_wakeup_ns(ro), S(50));
	feed(ro, 30, 4, 0, 100);
	act = feed(ro, 40, 4, 0, 100);
	T_ASSERT_NEAR(act.weight_pct, 10.0, 0.0);
	act = feed(ro, 50, 4, 0, 100);
	T_ASSERT_NEAR(act.weight_pct, 50.0, 0.0);
	feed(ro, 60, 4, 0, 100);
	feed(ro, 70, 4, 0, 100);
	act = feed(ro, 80, 4, 0, 100);
	T_ASSERT_NEAR(act.weight_pct, 100.0, 0.0);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_RUNNING);
	feed(ro, 90, 4, 0, 100);
	feed(ro, 100, 4, 0, 100);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_RUNNING);
	feed(ro, 110, 4, 0, 100);
	check_end(ro, ENG_OUTCOME_PROMOTED, 110, ENG_RULE_SCALE_DOWN_DELAY,
		  ENG_DECIDE_PROMOTE);
	eng_rollout_free(ro);

	/* a failure during the steps is the canary's: 5% errors at 30 and
	 * 40 s (2 > 1) roll back to 0 at 40 s, as rollback.mode says */
	ro = healthy_at_10(&f.cfg, &act);
	feed(ro, 20, 4, 0, 100);
	feed(ro, 30, 4, 10, 100);
	act = feed(ro, 40, 4, 10, 100);
	T_ASSERT_NEAR(act.weight_pct, 0.0, 0.0);
	check_end(ro, ENG_OUTCOME_ROLLED_BACK, 40, ENG_RULE_FAILURE_LIMIT,
		  ENG_DECIDE_ROLLBACK);
	eng_rollout_free(ro);
}

/* Saved at 10 s, just healthy and mirroring, and at 30 s, switched with
 * one post-promotion run passed: each restored copy goes on exactly as
 * the original (the post-promotion failure timeline above: switched back
 * at 50 s). */
static void test_state_round_trip(void)
{
	static const double stops[] = { 10, 30 };
	struct fx_config f;

	bg_init(&f, ENG_STRATEGY_BLUEGREEN);
	f.cfg.bluegreen.pre_promotion_runs = 1;
	f.cfg.bluegreen.post_promotion_runs = 3;
	f.cfg.bluegreen.scale_down_delay_ns = S(60);
	for (size_t k = 0; k < 2; k++) {
		struct eng_rollout *a, *b;
		struct eng_action act, bct;
		double t;

		a = fx_started(&f.cfg, &act);
		for (t = 10; t <= stops[k]; t += 10)
			feed(a, t, 4, 0, 100);
		b = fx_restored(&f.cfg, a);
		T_ASSERT_NEAR(eng_rollout_mirror_pct(b), k == 0 ? 20.0 : 0.0, 0.0);
		T_ASSERT_NEAR(eng_rollout_weight_pct(b), k == 0 ? 0.0 : 100.0, 0.0);
		T_ASSERT_EQ_INT(eng_rollout_next_wakeup_ns(b), eng_rollout_next_wakeup_ns(a));
		for (; t <= 50; t += 10) {
			uint64_t errors = t >= 40 ? 10 : 0;

			act = feed(a, t, 4, errors, 100);
			bct = feed(b, t, 4, errors, 100);
			T_ASSERT_EQ_INT(bct.kind, act.kind);
			T_ASSERT_NEAR(bct.weight_pct, act.weight_pct, 0.0);
			T_ASSERT_NEAR(bct.mirror_pct, act.mirror_pct, 0.0);
		}
		T_ASSERT_EQ_INT(eng_rollout_outcome(b), ENG_OUTCOME_ROLLED_BACK);
		T_ASSERT_EQ_INT(eng_rollout_decision_ns(b), S(50));
		T_ASSERT_EQ_INT(eng_rollout_events(b)->count, eng_rollout_events(a)->count);
		eng_rollout_free(a);
		eng_rollout_free(b);
	}
}

/* Plain blue-green takes no steps; the others need them; settings out of
 * range are refused. */
static void test_invalid_configs(void)
{
	struct fx_config f;

	bg_init(&f, ENG_STRATEGY_BLUEGREEN);
	f.cfg.steps = f.steps;
	f.cfg.nsteps = 4;
	CU_ASSERT_PTR_NULL(eng_rollout_create(&f.cfg));
	bg_init(&f, ENG_STRATEGY_BLUEGREEN_CANARY);
	f.cfg.nsteps = 0;
	CU_ASSERT_PTR_NULL(eng_rollout_create(&f.cfg));
	bg_init(&f, ENG_STRATEGY_BLUEGREEN);
	f.cfg.bluegreen.preview_ready_frac = 0.0;
	CU_ASSERT_PTR_NULL(eng_rollout_create(&f.cfg));
	bg_init(&f, ENG_STRATEGY_BLUEGREEN);
	f.cfg.bluegreen.mirror_pct = 101.0;
	CU_ASSERT_PTR_NULL(eng_rollout_create(&f.cfg));
	bg_init(&f, ENG_STRATEGY_BLUEGREEN);
	f.cfg.bluegreen.switch_step_pct = 20.0;
	f.cfg.bluegreen.switch_interval_ns = 0;
	CU_ASSERT_PTR_NULL(eng_rollout_create(&f.cfg));
	T_ASSERT_STR_EQ(eng_strategy_name(ENG_STRATEGY_BLUEGREEN_CANARY), "bluegreen_canary");
}

int t_suite_bluegreen(void)
{
	static const struct t_case cases[] = {
		{ "preview not ready in time: blocked", test_preview_times_out },
		{ "pre-promotion failure: blocked", test_pre_promotion_failure_blocks },
		{ "instant switch, promoted after the scale-down delay", test_instant_switch_then_scale_down },
		{ "gradual switch steps and timing", test_gradual_switch },
		{ "post-promotion failure switches back at once", test_post_promotion_failure_switches_back },
		{ "a trigger switches back during the scale-down delay", test_trigger_switches_back_during_scale_down },
		{ "auto_promotion off waits for approval; delay", test_waits_for_approval },
		{ "bluegreen_canary goes through its steps", test_bluegreen_canary_steps },
		{ "a blue-green rollout restored goes on exactly", test_state_round_trip },
		{ "invalid blue-green configurations", test_invalid_configs },
		{ NULL, NULL }
	};

	return t_add_suite("bluegreen", cases);
}
