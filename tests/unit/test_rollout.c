/* engine/rollout: the canary state machine driven by hand-written
 * observations, with the expected timeline worked out by hand. */
#include "engine/rollout.h"
#include "tests/unit/engine_fixtures.h"
#include "tests/unit/helpers.h"

/* Feeds a window ending at t_s to ro and returns the action. */
static struct eng_action feed(struct eng_rollout *ro, double t_s,
			      uint64_t requests, uint64_t errors, double p99_ms)
{
	struct eng_observation o = fx_window(t_s, requests, errors, p99_ms);
	struct eng_action act;

	CU_ASSERT_EQUAL(eng_rollout_step(ro, o.t_ns, &o, &act), ENG_OK);
	return act;
}

/* Clean windows: weight 10 at 0 s; the 30 s pause ends at 30 s, weight 50;
 * the second pause ends at 60 s and the canary is promoted to 100%. */
static void test_promotes_on_clean_windows(void)
{
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;

	fx_config_init(&f);
	ro = eng_rollout_create(&f.cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ro);
	CU_ASSERT_EQUAL(eng_rollout_start(ro, 0, &act), ENG_OK);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_SET_WEIGHT);
	T_ASSERT_NEAR(act.weight_pct, 10.0, 0.0);
	T_ASSERT_EQ_INT(eng_rollout_next_wakeup_ns(ro), S(30));

	act = feed(ro, 10, 200, 0, 100);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_NONE);
	act = feed(ro, 20, 200, 1, 100); /* 0.5%: a pass */
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_NONE);
	act = feed(ro, 30, 200, 0, 100);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_SET_WEIGHT);
	T_ASSERT_NEAR(act.weight_pct, 50.0, 0.0);
	T_ASSERT_EQ_INT(eng_rollout_next_wakeup_ns(ro), S(60));
	feed(ro, 40, 200, 0, 100);
	feed(ro, 50, 200, 0, 100);
	CU_ASSERT_FALSE(eng_rollout_done(ro));
	act = feed(ro, 60, 200, 0, 100);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_SET_WEIGHT);
	T_ASSERT_NEAR(act.weight_pct, 100.0, 0.0);
	CU_ASSERT(eng_rollout_done(ro));
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_PROMOTED);
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(ro), S(60));
	T_ASSERT_EQ_INT(eng_rollout_next_wakeup_ns(ro), INT64_MAX);

	/* events: set 10, pause, 6 runs x 2 checks, set 50, pause, promote */
	const struct eng_event_log *log = eng_rollout_events(ro);

	T_ASSERT_EQ_INT(log->count, 2 + 12 + 2 + 1);
	T_ASSERT_EQ_INT(log->events[log->count - 1].rule, ENG_RULE_STEPS_COMPLETE);
	T_ASSERT_EQ_INT(log->events[log->count - 1].action, ENG_DECIDE_PROMOTE);
	/* a finished rollout does nothing more */
	act = feed(ro, 70, 200, 200, 1000);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_NONE);
	T_ASSERT_EQ_INT(eng_rollout_events(ro)->count, 17);
	eng_rollout_free(ro);
}

/* 5% errors: the run at 10 s fails (1 failure, limit 1: go on), the run
 * at 20 s fails (2 > 1): roll back to 0 at 20 s. */
static void test_rolls_back_past_failure_limit(void)
{
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;
	const struct eng_event_log *log;

	fx_config_init(&f);
	ro = fx_started(&f.cfg, &act);
	act = feed(ro, 10, 200, 10, 100);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_NONE);
	CU_ASSERT_FALSE(eng_rollout_done(ro));
	act = feed(ro, 20, 200, 10, 100);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_SET_WEIGHT);
	T_ASSERT_NEAR(act.weight_pct, 0.0, 0.0);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_ROLLED_BACK);
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(ro), S(20));
	log = eng_rollout_events(ro);
	const struct eng_event *last = &log->events[log->count - 1];

	T_ASSERT_EQ_INT(last->rule, ENG_RULE_FAILURE_LIMIT);
	T_ASSERT_EQ_INT(last->action, ENG_DECIDE_ROLLBACK);
	T_ASSERT_EQ_INT(last->failures, 2);
	/* the failing check's event carries its numbers */
	const struct eng_event *fail = &log->events[log->count - 3];

	T_ASSERT_EQ_INT(fail->rule, ENG_RULE_ANALYSIS);
	T_ASSERT_EQ_INT(fail->result, ENG_RESULT_FAIL);
	T_ASSERT_STR_EQ(fail->metric, "error_rate");
	T_ASSERT_NEAR(fail->observed, 0.05, 1e-12);
	T_ASSERT_NEAR(fail->threshold, 0.01, 0.0);
	T_ASSERT_EQ_INT(fail->samples, 200);
	eng_rollout_free(ro);
}

/* Failures accumulate, and the modes count them differently. Runs: 10 s
 * the error check fails, 20 s all pass, 30 s the latency check fails.
 * Argo counts per check: each check has failed once, which does not exceed
 * failure_limit 1, so the rollout goes on. Flagger counts failed runs: two,
 * which reach a threshold (failure_limit) of 2 at 30 s. Argo with limit 0
 * rolls back on the first failure. */
static void test_failures_accumulate(void)
{
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;

	fx_config_init(&f);
	ro = fx_started(&f.cfg, &act);
	feed(ro, 10, 200, 10, 100);
	feed(ro, 20, 200, 0, 100);
	feed(ro, 30, 200, 0, 900); /* p99 900 > 500 */
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_RUNNING);
	feed(ro, 40, 200, 10, 100); /* the error check's second failure: 2 > 1 */
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_ROLLED_BACK);
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(ro), S(40));
	eng_rollout_free(ro);

	f.cfg.analysis.mode = ENG_MODE_FLAGGER;
	f.cfg.analysis.failure_limit = 2;
	ro = fx_started(&f.cfg, &act);
	feed(ro, 10, 200, 10, 100);
	feed(ro, 20, 200, 0, 100);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_RUNNING);
	feed(ro, 30, 200, 0, 900);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_ROLLED_BACK);
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(ro), S(30));
	eng_rollout_free(ro);

	f.cfg.analysis.failure_limit = 0; /* Flagger's threshold counts from 1 */
	CU_ASSERT_PTR_NULL(eng_rollout_create(&f.cfg));

	f.cfg.analysis.mode = ENG_MODE_ARGO;
	ro = fx_started(&f.cfg, &act);
	feed(ro, 10, 200, 10, 100);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_ROLLED_BACK);
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(ro), S(10));
	eng_rollout_free(ro);
}

/* Consecutive failures: with a limit of 2 and a failure limit high enough
 * not to matter, fail, pass, fail goes on; fail, fail rolls back. */
static void test_consecutive_failure_limit(void)
{
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;

	fx_config_init(&f);
	f.cfg.analysis.failure_limit = 100;
	f.cfg.analysis.consecutive_failure_limit = 2;
	ro = fx_started(&f.cfg, &act);
	feed(ro, 10, 200, 10, 100);
	feed(ro, 20, 200, 0, 100);
	feed(ro, 30, 200, 10, 100);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_RUNNING);
	feed(ro, 40, 200, 10, 100);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_ROLLED_BACK);
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(ro), S(40));
	const struct eng_event_log *log = eng_rollout_events(ro);

	T_ASSERT_EQ_INT(log->events[log->count - 1].rule, ENG_RULE_CONSECUTIVE_FAILURES);
	eng_rollout_free(ro);
}

/* Windows without canary requests are errors, not failures: with the
 * default limit of 4, the fifth in a row rolls back (Argo: more than
 * consecutiveErrorLimit); a window with data in between restarts the count.
 * Errors never count toward the failure limit. */
static void test_consecutive_error_limit(void)
{
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;

	fx_config_init(&f);
	f.cfg.analysis.failure_limit = 0;
	f.cfg.analysis.consecutive_error_limit = 4;
	f.steps[1].duration_ns = S(300);
	ro = fx_started(&f.cfg, &act);
	for (int t = 10; t <= 40; t += 10)
		feed(ro, t, 0, 0, 100);           /* errors 1..4 */
	feed(ro, 50, 200, 0, 100);                /* data: the count restarts */
	for (int t = 60; t <= 90; t += 10)
		feed(ro, t, 0, 0, 100);           /* errors 1..4 again */
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_RUNNING);
	feed(ro, 100, 0, 0, 100);                 /* 5 > 4 */
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_ROLLED_BACK);
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(ro), S(100));
	const struct eng_event_log *log = eng_rollout_events(ro);

	T_ASSERT_EQ_INT(log->events[log->count - 1].rule, ENG_RULE_CONSECUTIVE_ERRORS);
	T_ASSERT_NEAR(log->events[log->count - 1].observed, 5, 0);
	eng_rollout_free(ro);
}

/* More inconclusive runs than the limit hold the rollout for a human: no
 * more steps or analysis, the weight stays, and the deadline ends it. With
 * limit 2, the third inconclusive run (30 s) holds; the 30 s pause would
 * have ended at 30 s but the weight stays at 10% until the deadline. */
static void test_inconclusive_limit_holds(void)
{
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;

	fx_config_init(&f);
	f.cfg.analysis.inconclusive_limit = 2;
	f.cfg.progress_deadline_ns = S(100);
	ro = fx_started(&f.cfg, &act);
	feed(ro, 10, 50, 0, 100);
	feed(ro, 20, 50, 0, 100);
	act = feed(ro, 30, 50, 0, 100);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_NONE);  /* held: no step to 50% */
	T_ASSERT_NEAR(eng_rollout_weight_pct(ro), 10.0, 0.0);
	T_ASSERT_EQ_INT(eng_rollout_next_wakeup_ns(ro), S(100));
	feed(ro, 40, 200, 100, 100);              /* bad, but no longer judged */
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_RUNNING);
	CU_ASSERT_EQUAL(eng_rollout_step(ro, S(100), NULL, &act), ENG_OK);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_TIMED_OUT);
	eng_rollout_free(ro);
}

/* Consecutive passes end a pause early: with limit 2, the 30 s pause
 * started at 0 s ends at 20 s (two passes), weight 50 then; the second
 * pause (20 s + 30 s) ends at 40 s after two more passes: promoted at 40 s. */
static void test_consecutive_success_limit(void)
{
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;

	fx_config_init(&f);
	f.cfg.analysis.consecutive_success_limit = 2;
	ro = fx_started(&f.cfg, &act);
	act = feed(ro, 10, 200, 0, 100);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_NONE);
	act = feed(ro, 20, 200, 0, 100);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_SET_WEIGHT);
	T_ASSERT_NEAR(act.weight_pct, 50.0, 0.0);
	feed(ro, 30, 200, 0, 100);
	act = feed(ro, 40, 200, 0, 100);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_PROMOTED);
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(ro), S(40));
	eng_rollout_free(ro);
}

/* 50 requests a window (under the minimum of 100) with 40% errors: every
 * check is inconclusive, nothing counts as a failure, the steps run their
 * course and the canary is promoted at 60 s. */
static void test_inconclusive_under_minimum(void)
{
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;
	const struct eng_event_log *log;
	size_t inconclusive = 0;

	fx_config_init(&f);
	ro = fx_started(&f.cfg, &act);
	for (int t = 10; t <= 60; t += 10)
		feed(ro, t, 50, 20, 100);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_PROMOTED);
	log = eng_rollout_events(ro);
	for (size_t i = 0; i < log->count; i++) {
		inconclusive += log->events[i].result == ENG_RESULT_INCONCLUSIVE;
		T_ASSERT_EQ_INT(log->events[i].failures, 0);
	}
	T_ASSERT_EQ_INT(inconclusive, 12); /* 6 runs x 2 checks */
	eng_rollout_free(ro);
}

/* Analysis runs only on a new window and at the interval: with a 20 s
 * interval, windows at 10 s and 30 s are not judged; NULL (no new window)
 * is never judged. */
static void test_interval_and_no_new_window(void)
{
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;

	fx_config_init(&f);
	f.cfg.analysis.interval_ns = S(20);
	f.cfg.analysis.failure_limit = 0;
	ro = fx_started(&f.cfg, &act);
	feed(ro, 10, 200, 100, 100); /* bad, but not an analysis point */
	CU_ASSERT_FALSE(eng_rollout_done(ro));
	CU_ASSERT_EQUAL(eng_rollout_step(ro, S(15), NULL, &act), ENG_OK);
	CU_ASSERT_FALSE(eng_rollout_done(ro));
	feed(ro, 20, 200, 100, 100); /* first analysis point: 0 + 20 s */
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_ROLLED_BACK);
	eng_rollout_free(ro);
}

/* A 25 s deadline with a 30 s pause: aborted at 25 s, weight 0. */
static void test_progress_deadline(void)
{
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;

	fx_config_init(&f);
	f.cfg.progress_deadline_ns = S(25);
	ro = fx_started(&f.cfg, &act);
	T_ASSERT_EQ_INT(eng_rollout_next_wakeup_ns(ro), S(25));
	feed(ro, 10, 200, 0, 100);
	feed(ro, 20, 200, 0, 100);
	CU_ASSERT_EQUAL(eng_rollout_step(ro, S(25), NULL, &act), ENG_OK);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_TIMED_OUT);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_SET_WEIGHT);
	T_ASSERT_NEAR(act.weight_pct, 0.0, 0.0);
	eng_rollout_free(ro);
}

/* The last pause ends at 60 s and the deadline is 60 s: promoted, since
 * the steps are done when the deadline is reached. 59 s: timed out. */
static void test_deadline_at_last_step(void)
{
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;

	fx_config_init(&f);
	f.cfg.progress_deadline_ns = S(60);
	ro = fx_started(&f.cfg, &act);
	for (int t = 10; t <= 60; t += 10)
		feed(ro, t, 200, 0, 100);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_PROMOTED);
	eng_rollout_free(ro);

	f.cfg.progress_deadline_ns = S(59);
	ro = fx_started(&f.cfg, &act);
	for (int t = 10; t <= 50; t += 10)
		feed(ro, t, 200, 0, 100);
	CU_ASSERT_EQUAL(eng_rollout_step(ro, S(59), NULL, &act), ENG_OK);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_TIMED_OUT);
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(ro), S(59));
	eng_rollout_free(ro);
}

/* Analysis steps move on only after a run that passes and was judged after
 * the step began. Steps: weight 20, analysis, weight 60, analysis. The run
 * at 10 s passes: weight 60 at 10 s. The run at 10 s judged the window
 * before that, so it does not count for the second analysis step; the run
 * at 20 s fails (the weight stays at 60), the run at 30 s passes: promoted
 * at 30 s. */
static void test_analysis_steps(void)
{
	struct eng_step steps[4] = {
		{ .kind = ENG_STEP_SET_WEIGHT, .weight_pct = 20.0, .duration_ns = 0 }, { .kind = ENG_STEP_ANALYSIS, .weight_pct = 0.0, .duration_ns = 0 },
		{ .kind = ENG_STEP_SET_WEIGHT, .weight_pct = 60.0, .duration_ns = 0 }, { .kind = ENG_STEP_ANALYSIS, .weight_pct = 0.0, .duration_ns = 0 },
	};
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;

	fx_config_init(&f);
	f.cfg.steps = steps;
	f.cfg.nsteps = 4;
	ro = fx_started(&f.cfg, &act);
	T_ASSERT_NEAR(act.weight_pct, 20.0, 0.0);
	T_ASSERT_EQ_INT(eng_rollout_next_wakeup_ns(ro), S(3600)); /* only the deadline */
	act = feed(ro, 10, 200, 0, 100);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_SET_WEIGHT);
	T_ASSERT_NEAR(act.weight_pct, 60.0, 0.0);
	act = feed(ro, 20, 200, 10, 100); /* 5% > 1%: fails, the weight stays */
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_NONE);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_RUNNING);
	act = feed(ro, 30, 200, 0, 100);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_PROMOTED);
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(ro), S(30));
	eng_rollout_free(ro);
}

/* Gradual rollback, 20% every 10 s: weight 10 at 0 s, 50 at 30 s; two
 * failures roll back at 50 s: 30% at 50 s, 10% at 60 s, 0% at 70 s, when
 * the rollout is done. The outcome and decision time are those of the
 * decision (50 s). */
static void test_gradual_rollback(void)
{
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;

	fx_config_init(&f);
	f.cfg.rollback.mode = ENG_ROLLBACK_GRADUAL;
	f.cfg.rollback.step_pct = 20;
	f.cfg.rollback.interval_ns = S(10);
	ro = fx_started(&f.cfg, &act);
	feed(ro, 10, 200, 0, 100);
	feed(ro, 20, 200, 0, 100);
	act = feed(ro, 30, 200, 0, 100);
	T_ASSERT_NEAR(act.weight_pct, 50.0, 0.0);
	feed(ro, 40, 200, 10, 100);
	act = feed(ro, 50, 200, 10, 100);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_ROLLED_BACK);
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(ro), S(50));
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_SET_WEIGHT);
	T_ASSERT_NEAR(act.weight_pct, 30.0, 1e-12);
	CU_ASSERT_FALSE(eng_rollout_done(ro));
	T_ASSERT_EQ_INT(eng_rollout_next_wakeup_ns(ro), S(60));
	CU_ASSERT_EQUAL(eng_rollout_step(ro, S(60), NULL, &act), ENG_OK);
	T_ASSERT_NEAR(act.weight_pct, 10.0, 1e-12);
	CU_ASSERT_FALSE(eng_rollout_done(ro));
	CU_ASSERT_EQUAL(eng_rollout_step(ro, S(70), NULL, &act), ENG_OK);
	T_ASSERT_NEAR(act.weight_pct, 0.0, 0.0);
	CU_ASSERT(eng_rollout_done(ro));
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(ro), S(50));
	eng_rollout_free(ro);
}

/* Freeze: the same failures at 50 s hold the weight at 50%; nothing moves
 * until the deadline (100 s), which ends the rollout as timed out without
 * moving the weight either. */
static void test_freeze_instead_of_rollback(void)
{
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;

	fx_config_init(&f);
	f.cfg.rollback.mode = ENG_ROLLBACK_FREEZE;
	f.cfg.progress_deadline_ns = S(100);
	ro = fx_started(&f.cfg, &act);
	for (int t = 10; t <= 30; t += 10)
		feed(ro, t, 200, 0, 100);
	feed(ro, 40, 200, 10, 100);
	act = feed(ro, 50, 200, 10, 100);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_NONE);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_RUNNING);
	const struct eng_event_log *log = eng_rollout_events(ro);

	T_ASSERT_EQ_INT(log->events[log->count - 1].action, ENG_DECIDE_FREEZE);
	act = feed(ro, 60, 200, 0, 100); /* the pause would have ended at 60 s */
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_NONE);
	CU_ASSERT_EQUAL(eng_rollout_step(ro, S(100), NULL, &act), ENG_OK);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_TIMED_OUT);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_NONE);
	T_ASSERT_NEAR(eng_rollout_weight_pct(ro), 50.0, 0.0);
	eng_rollout_free(ro);
}

/* An approval step waits for its gate, whatever the analysis says:
 * weight 10, approval "qa", weight 100. Clean windows at 10 s and 20 s do
 * not move it; an approval of another gate does not either; "qa" approved
 * at 25 s is acted on at the next step (30 s): promoted at 30 s. */
static void test_approval_gate(void)
{
	struct eng_step steps[3] = {
		{ .kind = ENG_STEP_SET_WEIGHT, .weight_pct = 10.0 },
		{ .kind = ENG_STEP_APPROVAL, .gate = "qa" },
		{ .kind = ENG_STEP_SET_WEIGHT, .weight_pct = 100.0 },
	};
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;

	fx_config_init(&f);
	f.cfg.steps = steps;
	f.cfg.nsteps = 3;
	ro = fx_started(&f.cfg, &act);
	T_ASSERT_STR_EQ(eng_rollout_waiting_gate(ro), "qa");
	feed(ro, 10, 200, 0, 100);
	eng_rollout_approve(ro, "release-manager", S(15));
	feed(ro, 20, 200, 0, 100);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_RUNNING);
	eng_rollout_approve(ro, "qa", S(25));
	act = feed(ro, 30, 200, 0, 100);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_PROMOTED);
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(ro), S(30));
	CU_ASSERT_PTR_NULL(eng_rollout_waiting_gate(ro));
	eng_rollout_free(ro);
}

/* Scoring in a rollout, failure limit 0: groups errors (60) and latency
 * (40), pass 95, marginal 75. A p99 failure alone scores 60 (the errors
 * group passes): below the marginal score, the run fails and rolls back.
 * With the marginal score at 50 the same run is inconclusive and the
 * rollout goes on; a failed critical check then fails the run even though
 * its group is not scored. */
static void test_scoring_decides(void)
{
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;

	fx_config_init(&f);
	f.cfg.analysis.failure_limit = 0;
	f.cfg.analysis.scoring.enabled = true;
	f.cfg.analysis.scoring.ngroups = 2;
	f.cfg.analysis.scoring.group_weights[0] = 60;
	f.cfg.analysis.scoring.group_weights[1] = 40;
	f.cfg.analysis.scoring.pass_score = 95;
	f.cfg.analysis.scoring.marginal_score = 75;
	f.checks[0].group = 0;       /* errors */
	f.checks[1].group = 1;       /* latency */
	ro = fx_started(&f.cfg, &act);
	feed(ro, 10, 200, 0, 900);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_ROLLED_BACK);
	const struct eng_event_log *log = eng_rollout_events(ro);

	T_ASSERT_EQ_INT(log->events[log->count - 2].rule, ENG_RULE_SCORE);
	T_ASSERT_NEAR(log->events[log->count - 2].observed, 60.0, 1e-12);
	eng_rollout_free(ro);

	/* with scoring the run's verdict counts, not a check's: at marginal 50
	 * the score of 60 is inconclusive and nothing is counted, in the Argo
	 * mode (which would otherwise count the failed p99 check) ... */
	f.cfg.analysis.scoring.marginal_score = 50;
	ro = fx_started(&f.cfg, &act);
	feed(ro, 10, 200, 0, 900);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_RUNNING);
	eng_rollout_free(ro);

	/* ... and in the Flagger mode */
	f.cfg.analysis.mode = ENG_MODE_FLAGGER;
	f.cfg.analysis.failure_limit = 1;
	ro = fx_started(&f.cfg, &act);
	feed(ro, 10, 200, 0, 900);   /* 60: inconclusive */
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_RUNNING);
	eng_rollout_free(ro);

	f.checks[1].group = -1;
	f.checks[1].critical = true;
	ro = fx_started(&f.cfg, &act);
	feed(ro, 10, 200, 0, 900);   /* score 100, but a critical check failed */
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_ROLLED_BACK);
	eng_rollout_free(ro);
}

/* The sequential judge in a rollout (failure limit 0, no other check):
 * windows where canary and stable both fail 1 in 200 never fail it, over
 * the whole 60 s; a canary failing 10 in 200 against 1 in 200 accumulates
 * evidence. After k windows d = 0.045, pbar = 0.0275 and
 * v = pbar (1 - pbar) 2 / (200 k); with tau^2 = 1e-4 the mixture ratio
 * Lambda = sqrt(v / (v + tau^2)) exp(tau^2 d^2 / (2 v (v + tau^2))) is
 * 2.39, 19.3 and 279 for k = 1, 2, 3: p = 0.42, 0.052, 0.0036. The third
 * look (30 s) is the first below 0.05 and rolls back. */
static void test_msprt_judge(void)
{
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;
	struct eng_observation o;

	fx_config_init(&f);
	f.cfg.analysis.failure_limit = 0;
	f.cfg.analysis.nchecks = 1;
	eng_check_defaults(&f.checks[0]);
	f.checks[0].metric = ENG_METRIC_ERROR_RATE;
	f.checks[0].judge = ENG_JUDGE_MSPRT;
	f.checks[0].alpha = 0.05;
	f.checks[0].tau = 0.01;
	f.checks[0].min_requests = 100;
	ro = fx_started(&f.cfg, &act);
	for (int t = 10; t <= 60; t += 10) {
		o = fx_window(t, 200, 1, 100);
		o.version[ENG_STABLE].errors = 1;
		o.version[ENG_STABLE].error_rate_frac = 0.005;
		CU_ASSERT_EQUAL(eng_rollout_step(ro, o.t_ns, &o, &act), ENG_OK);
	}
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_PROMOTED);
	eng_rollout_free(ro);

	ro = fx_started(&f.cfg, &act);
	for (int t = 10; t <= 60 && !eng_rollout_done(ro); t += 10) {
		o = fx_window(t, 200, 10, 100);
		o.version[ENG_STABLE].errors = 1;
		o.version[ENG_STABLE].error_rate_frac = 0.005;
		CU_ASSERT_EQUAL(eng_rollout_step(ro, o.t_ns, &o, &act), ENG_OK);
	}
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_ROLLED_BACK);
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(ro), S(30));
	eng_rollout_free(ro);
}

static void test_rejects_invalid_config(void)
{
	struct fx_config f;

	fx_config_init(&f);
	f.steps[0].weight_pct = 140.0;
	CU_ASSERT_PTR_NULL(eng_rollout_create(&f.cfg));
	fx_config_init(&f);
	f.cfg.nsteps = 0;
	CU_ASSERT_PTR_NULL(eng_rollout_create(&f.cfg));
	fx_config_init(&f);
	f.cfg.analysis.interval_ns = 0;
	CU_ASSERT_PTR_NULL(eng_rollout_create(&f.cfg));
}

/* The rollout keeps its own copy: changing the caller's config after
 * create changes nothing. */
static void test_config_is_copied(void)
{
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;

	fx_config_init(&f);
	ro = eng_rollout_create(&f.cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ro);
	f.steps[0].weight_pct = 99.0;
	f.checks[0].max = 1.0;
	eng_rollout_start(ro, 0, &act);
	T_ASSERT_NEAR(act.weight_pct, 10.0, 0.0);
	feed(ro, 10, 200, 10, 100);
	feed(ro, 20, 200, 10, 100);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_ROLLED_BACK);
	eng_rollout_free(ro);
}

int t_suite_rollout(void)
{
	static const struct t_case cases[] = {
		{ "promotes on clean windows", test_promotes_on_clean_windows },
		{ "rolls back past the failure limit", test_rolls_back_past_failure_limit },
		{ "failures accumulate: Argo per check, Flagger per run", test_failures_accumulate },
		{ "consecutive failure limit", test_consecutive_failure_limit },
		{ "consecutive error limit: no data", test_consecutive_error_limit },
		{ "inconclusive limit holds the rollout", test_inconclusive_limit_holds },
		{ "consecutive success limit ends a pause", test_consecutive_success_limit },
		{ "inconclusive under the minimum sample", test_inconclusive_under_minimum },
		{ "analysis interval; no new window", test_interval_and_no_new_window },
		{ "progress deadline", test_progress_deadline },
		{ "a deadline at the last step's end", test_deadline_at_last_step },
		{ "analysis steps wait for a passing run", test_analysis_steps },
		{ "an approval gate", test_approval_gate },
		{ "scoring decides the run", test_scoring_decides },
		{ "the sequential judge", test_msprt_judge },
		{ "gradual rollback", test_gradual_rollback },
		{ "freeze instead of rollback", test_freeze_instead_of_rollback },
		{ "invalid configurations are refused", test_rejects_invalid_config },
		{ "the configuration is copied", test_config_is_copied },
		{ NULL, NULL }
	};

	return t_add_suite("rollout", cases);
}
