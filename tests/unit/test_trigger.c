/* engine/trigger: each kind on hand-written windows, its hold time and
 * cooldown, and a trigger rolling a rollout back between analysis runs. */
#include "engine/rollout.h"
#include "engine/trigger.h"
#include "tests/unit/engine_fixtures.h"
#include "tests/unit/helpers.h"

static struct eng_trigger threshold(double max, int64_t for_ns, int64_t cooldown_ns)
{
	struct eng_trigger t;

	memset(&t, 0, sizeof(t));
	snprintf(t.name, sizeof(t.name), "errors-high");
	t.kind = ENG_TRIGGER_THRESHOLD;
	t.metric = ENG_METRIC_ERROR_RATE;
	t.has_max = true;
	t.max = max;
	t.for_ns = for_ns;
	t.cooldown_ns = cooldown_ns;
	return t;
}

/* Error rate above 5% held for 20 s, 10 s windows: the streak starts with
 * the window 0..10 s; at 10 s it has held 10 s (no), at 20 s 20 s (fires).
 * A clean window restarts it: bad at 30 s, clean at 40 s, bad at 50 s and
 * 60 s fires at 60 s (held 50..60, 20 s from 40 s). */
static void test_threshold_held_for(void)
{
	struct eng_trigger t = threshold(0.05, S(20), 0);
	struct eng_trigger_state st = { 0 };
	struct eng_trigger_verdict v;
	struct eng_observation o;

	o = fx_window(10, 200, 20, 100);           /* 10% */
	eng_trigger_judge(&t, &st, &o, 0, &v);
	CU_ASSERT(v.holds);
	CU_ASSERT_FALSE(v.fires);
	T_ASSERT_NEAR(v.observed, 0.1, 1e-12);
	o = fx_window(20, 200, 20, 100);
	eng_trigger_judge(&t, &st, &o, 0, &v);
	CU_ASSERT(v.fires);

	memset(&st, 0, sizeof(st));
	o = fx_window(30, 200, 20, 100);
	eng_trigger_judge(&t, &st, &o, 0, &v);
	o = fx_window(40, 200, 0, 100);            /* clean: the streak ends */
	eng_trigger_judge(&t, &st, &o, 0, &v);
	CU_ASSERT_FALSE(v.holds);
	o = fx_window(50, 200, 20, 100);
	eng_trigger_judge(&t, &st, &o, 0, &v);
	CU_ASSERT_FALSE(v.fires);
	o = fx_window(60, 200, 20, 100);
	eng_trigger_judge(&t, &st, &o, 0, &v);
	CU_ASSERT(v.fires);
	T_ASSERT_EQ_INT(st.since_ns, S(40));
}

/* A weight change at 0 s with a 15 s cooldown: the windows starting at
 * 0 s and 10 s are not judged; the one starting at 20 s is. No data (no
 * canary requests) never holds. */
static void test_cooldown_and_no_data(void)
{
	struct eng_trigger t = threshold(0.05, 0, S(15));
	struct eng_trigger_state st = { 0 };
	struct eng_trigger_verdict v;
	struct eng_observation o;

	o = fx_window(10, 200, 50, 100);
	eng_trigger_judge(&t, &st, &o, 0, &v);
	CU_ASSERT_FALSE(v.holds);
	o = fx_window(20, 200, 50, 100);
	eng_trigger_judge(&t, &st, &o, 0, &v);
	CU_ASSERT_FALSE(v.holds);
	o = fx_window(30, 200, 50, 100);
	eng_trigger_judge(&t, &st, &o, 0, &v);
	CU_ASSERT(v.fires);
	o = fx_window(40, 0, 0, 100);
	eng_trigger_judge(&t, &st, &o, 0, &v);
	CU_ASSERT_FALSE(v.holds);
}

/* Health: 1 of 4 canary instances ready is 0.25, below 0.5. */
static void test_health(void)
{
	struct eng_trigger t;
	struct eng_trigger_state st = { 0 };
	struct eng_trigger_verdict v;
	struct eng_observation o = fx_window(10, 200, 0, 100);

	memset(&t, 0, sizeof(t));
	t.kind = ENG_TRIGGER_HEALTH;
	t.min_ready_frac = 0.5;
	o.version[ENG_CANARY].instances = 4;
	o.version[ENG_CANARY].ready_instances = 1;
	eng_trigger_judge(&t, &st, &o, 0, &v);
	CU_ASSERT(v.fires);
	T_ASSERT_NEAR(v.observed, 0.25, 0.0);
	o.version[ENG_CANARY].ready_instances = 2;  /* 0.5 is not below 0.5 */
	eng_trigger_judge(&t, &st, &o, 0, &v);
	CU_ASSERT_FALSE(v.holds);
}

/* Error spike: canary 10 of 200 (5%) against stable 2 of 200 (1%) is a
 * ratio of 5, not above a factor of 5; 12 of 200 (6%) is 6: fires with at
 * least 5 errors, not with a minimum of 20. A clean stable version makes
 * the ratio infinite. */
static void test_error_spike(void)
{
	struct eng_trigger t;
	struct eng_trigger_state st = { 0 };
	struct eng_trigger_verdict v;
	struct eng_observation o = fx_window(10, 200, 10, 100);

	memset(&t, 0, sizeof(t));
	t.kind = ENG_TRIGGER_ERROR_SPIKE;
	t.factor = 5;
	t.min_errors = 5;
	o.version[ENG_STABLE].errors = 2;
	o.version[ENG_STABLE].error_rate_frac = 0.01;
	eng_trigger_judge(&t, &st, &o, 0, &v);
	CU_ASSERT_FALSE(v.holds);
	T_ASSERT_NEAR(v.observed, 5.0, 1e-12);
	o.version[ENG_CANARY].errors = 12;
	o.version[ENG_CANARY].error_rate_frac = 0.06;
	eng_trigger_judge(&t, &st, &o, 0, &v);
	CU_ASSERT(v.fires);
	T_ASSERT_NEAR(v.observed, 6.0, 1e-12);
	t.min_errors = 20;
	eng_trigger_judge(&t, &st, &o, 0, &v);
	CU_ASSERT_FALSE(v.holds);
	t.min_errors = 5;
	o.version[ENG_STABLE].errors = 0;
	o.version[ENG_STABLE].error_rate_frac = 0.0;
	eng_trigger_judge(&t, &st, &o, 0, &v);
	CU_ASSERT(v.fires);
	CU_ASSERT(isinf(v.observed));
	/* a clean baseline of 200 requests is judged from 200 up, not from 201 */
	t.min_baseline_requests = 200;
	eng_trigger_judge(&t, &st, &o, 0, &v);
	CU_ASSERT(v.fires);
	t.min_baseline_requests = 201;
	eng_trigger_judge(&t, &st, &o, 0, &v);
	CU_ASSERT_FALSE(v.holds);
	CU_ASSERT(isnan(v.observed));
}

/* In a rollout, a trigger acts between analysis runs: with runs every 30 s
 * and an error trigger held for 0 s, 5% errors at 10 s roll back at 10 s. */
static void test_rolls_back_between_runs(void)
{
	struct fx_config f;
	struct eng_trigger t = threshold(0.03, 0, 0);
	struct eng_rollout *ro;
	struct eng_action act;
	struct eng_observation o = fx_window(10, 200, 10, 100);

	fx_config_init(&f);
	f.cfg.analysis.interval_ns = S(30);
	f.cfg.triggers = &t;
	f.cfg.ntriggers = 1;
	ro = fx_started(&f.cfg, &act);
	CU_ASSERT_EQUAL(eng_rollout_step(ro, o.t_ns, &o, &act), ENG_OK);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_ROLLED_BACK);
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(ro), S(10));
	T_ASSERT_NEAR(act.weight_pct, 0.0, 0.0);
	const struct eng_event_log *log = eng_rollout_events(ro);
	const struct eng_event *last = &log->events[log->count - 1];

	T_ASSERT_EQ_INT(last->rule, ENG_RULE_TRIGGER);
	T_ASSERT_STR_EQ(last->check, "errors-high");
	T_ASSERT_NEAR(last->observed, 0.05, 1e-12);
	eng_rollout_free(ro);
}

/* A dependency trigger on "pay": calls failing above 5%, at least 50
 * calls, held 10 s (one window). Dependencies "db" and "pay"; the canary
 * makes 100 calls to pay, the stable version 400. */
static void test_dependency(void)
{
	struct eng_trigger t;
	struct eng_trigger_state st = { 0 };
	struct eng_trigger_verdict v;
	struct eng_dependency_calls dc = { 2, { "db", "pay" }, { { 0 } }, { { 0 } } };
	struct eng_observation o = fx_window(10, 200, 0, 100);

	memset(&t, 0, sizeof(t));
	snprintf(t.name, sizeof(t.name), "pay-failing");
	t.kind = ENG_TRIGGER_DEPENDENCY;
	snprintf(t.dependency, sizeof(t.dependency), "pay");
	t.max_call_error_frac = 0.05;
	t.min_calls = 50;
	t.for_ns = S(10);
	dc.calls[ENG_CANARY][1] = 100;
	dc.calls[ENG_STABLE][1] = 400;
	/* no dependency data: does not hold */
	eng_trigger_judge(&t, &st, &o, 0, &v);
	CU_ASSERT_FALSE(v.holds);
	o.deps = &dc;
	/* canary 8 of 100 = 8% > 5%, stable 4 of 400 = 1%: the canary's own */
	dc.failures[ENG_CANARY][1] = 8;
	dc.failures[ENG_STABLE][1] = 4;
	eng_trigger_judge(&t, &st, &o, 0, &v);
	CU_ASSERT(v.holds);
	CU_ASSERT(v.fires);
	T_ASSERT_NEAR(v.observed, 0.08, 1e-12);
	T_ASSERT_NEAR(v.threshold, 0.05, 0.0);
	T_ASSERT_EQ_INT(v.bound, ENG_BOUND_MAX);
	/* stable 24 of 400 = 6% > 5% too: a shared failure, not the canary's */
	dc.failures[ENG_STABLE][1] = 24;
	o = fx_window(20, 200, 0, 100);
	o.deps = &dc;
	eng_trigger_judge(&t, &st, &o, 0, &v);
	CU_ASSERT_FALSE(v.holds);
	/* the stable version makes 40 calls, too few to tell: the canary's */
	dc.calls[ENG_STABLE][1] = 40;
	eng_trigger_judge(&t, &st, &o, 0, &v);
	CU_ASSERT(v.holds);
	/* the canary makes 49 calls: too few for a verdict */
	dc.calls[ENG_CANARY][1] = 49;
	dc.failures[ENG_CANARY][1] = 40;
	eng_trigger_judge(&t, &st, &o, 0, &v);
	CU_ASSERT_FALSE(v.holds);
	/* failures on the other dependency do not count */
	dc.calls[ENG_CANARY][1] = 100;
	dc.failures[ENG_CANARY][1] = 0;
	dc.calls[ENG_CANARY][0] = 100;
	dc.failures[ENG_CANARY][0] = 50;
	eng_trigger_judge(&t, &st, &o, 0, &v);
	CU_ASSERT_FALSE(v.holds);
}

int t_suite_trigger(void)
{
	static const struct t_case cases[] = {
		{ "threshold held for a duration", test_threshold_held_for },
		{ "cooldown after a weight change; no data", test_cooldown_and_no_data },
		{ "health: ready instances", test_health },
		{ "error spike against the stable version", test_error_spike },
		{ "a dependency failing for the canary alone", test_dependency },
		{ "a trigger rolls back between analysis runs", test_rolls_back_between_runs },
		{ NULL, NULL }
	};

	return t_add_suite("trigger", cases);
}
