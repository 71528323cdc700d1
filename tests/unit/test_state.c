/* engine/state: a rollout saved mid-way and restored goes on exactly as
 * the original would; states of another configuration are refused. */
#include <stdlib.h>

#include "engine/state.h"
#include "tests/unit/engine_fixtures.h"
#include "tests/unit/helpers.h"

static struct eng_action feed(struct eng_rollout *ro, double t_s,
			      uint64_t requests, uint64_t errors, double p99_ms)
{
	struct eng_observation o = fx_window(t_s, requests, errors, p99_ms);
	struct eng_action act;

	CU_ASSERT_EQUAL(eng_rollout_step(ro, o.t_ns, &o, &act), ENG_OK);
	return act;
}

/* The windows both copies see after the save: a failure at 40 s with a
 * trigger streak under way, then more failures and a gradual rollback. */
static const struct { double t; uint64_t req, err; double p99; } after[] = {
	{ 40, 200, 10, 100 }, { 50, 200, 0, 900 }, { 60, 200, 10, 100 },
	{ 70, 200, 10, 100 }, { 80, 200, 10, 100 }, { 90, 200, 0, 100 },
};

static void test_round_trip(void)
{
	struct eng_trigger tr;
	struct fx_config f;
	struct eng_rollout *a, *b;
	struct eng_action act, bct;
	char *sa, *sb;

	fx_config_init(&f);
	fx_p99_trigger(&tr, 800, S(30));
	f.cfg.triggers = &tr;
	f.cfg.ntriggers = 1;
	f.cfg.analysis.failure_limit = 2;
	f.cfg.rollback.mode = ENG_ROLLBACK_GRADUAL;
	f.cfg.rollback.step_pct = 20;
	f.cfg.rollback.interval_ns = S(10);
	a = eng_rollout_create(&f.cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	eng_rollout_start(a, 0, &act);
	feed(a, 10, 200, 10, 100);   /* a failure: counts to carry over */
	feed(a, 20, 200, 0, 900);    /* a trigger streak begins */
	feed(a, 30, 200, 0, 100);    /* weight 50 at 30 s */
	b = fx_restored(&f.cfg, a); /* saves to the very same text */
	for (size_t i = 0; i < sizeof(after) / sizeof(after[0]); i++) {
		act = feed(a, after[i].t, after[i].req, after[i].err, after[i].p99);
		bct = feed(b, after[i].t, after[i].req, after[i].err, after[i].p99);
		T_ASSERT_EQ_INT(bct.kind, act.kind);
		T_ASSERT_NEAR(bct.weight_pct, act.weight_pct, 0.0);
	}
	/* the failures carried over: the limit of 2 is passed at 60 s (the
	 * error check's third failure), and the gradual rollback has run */
	T_ASSERT_EQ_INT(eng_rollout_outcome(b), ENG_OUTCOME_ROLLED_BACK);
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(b), S(60));
	sa = eng_rollout_save(a);
	sb = eng_rollout_save(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sb);
	T_ASSERT_STR_EQ(sb, sa);
	free(sa);
	free(sb);
	eng_rollout_free(a);
	eng_rollout_free(b);
}

/* Restores, into a rollout of cfg, `saved` with its first `find` replaced
 * by `with`, and returns the reason it is refused (in err, of errlen).
 * Fails the running test when `find` is not there or the copy restores. */
static const char *refusal(const struct eng_rollout_config *cfg, const char *saved,
			   const char *find, const char *with, char *err, size_t errlen)
{
	const char *at = strstr(saved, find);
	size_t head, n;
	char *edited;
	struct eng_rollout *ro;

	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	n = strlen(saved) - strlen(find) + strlen(with) + 1;
	edited = malloc(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(edited);
	head = (size_t)(at - saved);
	snprintf(edited, n, "%.*s%s%s", (int)head, saved, with, at + strlen(find));
	snprintf(err, errlen, "(restored)");
	ro = eng_rollout_restore(cfg, edited, err, errlen);
	CU_ASSERT_PTR_NULL(ro);
	eng_rollout_free(ro);
	free(edited);
	return err;
}

static void test_refuses_other_states(void)
{
	struct fx_config f;
	struct eng_rollout *a, *b;
	struct eng_action act;
	char err[200], *saved;

	fx_config_init(&f);
	a = eng_rollout_create(&f.cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	eng_rollout_start(a, 0, &act);
	saved = eng_rollout_save(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(saved);
	f.cfg.nsteps = 3;            /* another configuration */
	b = eng_rollout_restore(&f.cfg, saved, err, sizeof(err));
	CU_ASSERT_PTR_NULL(b);
	T_ASSERT_CONTAINS(err, "nsteps: the state was saved for another configuration");
	f.cfg.nsteps = 4;
	CU_ASSERT_PTR_NULL(eng_rollout_restore(&f.cfg, "{\"format\": 1}", err, sizeof(err)));
	T_ASSERT_CONTAINS(err, "not a rollout state");
	CU_ASSERT_PTR_NULL(eng_rollout_restore(&f.cfg, "[", err, sizeof(err)));
	T_ASSERT_STR_EQ(err, "not JSON");
	/* a field of the wrong type */
	T_ASSERT_STR_EQ(refusal(&f.cfg, saved, "\"held\":false", "\"held\":0", err, sizeof(err)),
			"state.held: missing or of the wrong type");
	/* a count that is not one */
	T_ASSERT_STR_EQ(refusal(&f.cfg, saved, "\"check_failures\":[0,0]",
				"\"check_failures\":[0,-1]", err, sizeof(err)),
			"check_failures[1]: expected a count 0..4294967295");
	/* numbers beyond what the field can hold or mean: a count past
	 * UINT32_MAX, an outcome past the last (timed_out, 4), a weight past
	 * 100%, NaN (saved as null) for a weight */
	T_ASSERT_STR_EQ(refusal(&f.cfg, saved, "\"failures\":0", "\"failures\":4294967296",
				err, sizeof(err)),
			"state.failures: out of range for its type");
	T_ASSERT_STR_EQ(refusal(&f.cfg, saved, "\"outcome\":0", "\"outcome\":77", err, sizeof(err)),
			"state.outcome: out of range; expected a number 0..4");
	T_ASSERT_STR_EQ(refusal(&f.cfg, saved, "\"weight_pct\":10", "\"weight_pct\":1e308",
				err, sizeof(err)),
			"state.weight_pct: out of range; expected a number 0..100");
	T_ASSERT_STR_EQ(refusal(&f.cfg, saved, "\"weight_pct\":10", "\"weight_pct\":null",
				err, sizeof(err)),
			"state.weight_pct: out of range; expected a number 0..100");
	/* a state of the version before: it lacks the budgets */
	T_ASSERT_STR_EQ(refusal(&f.cfg, saved, "\"version\":7", "\"version\":6", err, sizeof(err)),
			"version: 6 is a rollout state this rollsim does not read; expected version 7");
	free(saved);
	eng_rollout_free(a);
}

/* The next smoke test ro asks for is `name`, attempt `attempt`. */
static void assert_next_smoke(const struct eng_rollout *ro, const char *name, uint32_t attempt)
{
	const struct eng_smoke_test *t;
	uint32_t at = 0;

	t = eng_rollout_next_smoke(ro, &at);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	T_ASSERT_STR_EQ(t->name, name);
	T_ASSERT_EQ_INT(at, attempt);
}

/* Saved between two attempts of a smoke test, a rollout goes on with the
 * same test and attempt and moves no traffic until the tests are done.
 * Tests: login (critical, 2 retries: 3 attempts), search (critical, no
 * retry). login fails once before the save, so its attempt 2 is next in
 * both copies; then both see login fail (attempt 3 next), pass, and search
 * pass, and only then take the first step (10%). Restored without the
 * smoke tests' place, the copy took the first step at once. */
static void test_smoke_tests_carry_over(void)
{
	struct eng_smoke_test tests[2];
	struct fx_config f;
	struct eng_rollout *a, *b, *both[2];
	struct eng_action act;
	char err[200], *saved, *again;

	fx_config_init(&f);
	fx_smoke_tests(&f, tests, 2, true);
	a = fx_started(&f.cfg, &act);
	CU_ASSERT_EQUAL(eng_rollout_smoke_result(a, 0, false), ENG_OK);
	b = fx_restored(&f.cfg, a);
	both[0] = a;
	both[1] = b;
	for (int i = 0; i < 2; i++) {
		struct eng_rollout *ro = both[i];

		assert_next_smoke(ro, "login", 2);
		/* a window meanwhile: still no traffic, no step */
		act = feed(ro, 10, 200, 0, 100);
		T_ASSERT_EQ_INT(act.kind, ENG_ACT_NONE);
		T_ASSERT_NEAR(eng_rollout_weight_pct(ro), 0.0, 0.0);
		CU_ASSERT_EQUAL(eng_rollout_smoke_result(ro, S(12), false), ENG_OK);
		assert_next_smoke(ro, "login", 3);
		CU_ASSERT_EQUAL(eng_rollout_smoke_result(ro, S(14), true), ENG_OK);
		assert_next_smoke(ro, "search", 1);
		CU_ASSERT_EQUAL(eng_rollout_smoke_result(ro, S(16), true), ENG_OK);
		CU_ASSERT_PTR_NULL(eng_rollout_next_smoke(ro, &(uint32_t){ 0 }));
		CU_ASSERT_EQUAL(eng_rollout_step(ro, S(16), NULL, &act), ENG_OK);
		T_ASSERT_EQ_INT(act.kind, ENG_ACT_SET_WEIGHT);
		T_ASSERT_NEAR(act.weight_pct, 10.0, 0.0);
	}
	saved = eng_rollout_save(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(saved);
	again = eng_rollout_save(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(again);
	T_ASSERT_STR_EQ(again, saved);
	free(again);
	free(saved);
	eng_rollout_free(b);
	/* a place no configured test has: login allows attempts 1..3 */
	b = fx_started(&f.cfg, &act);
	saved = eng_rollout_save(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(saved);
	T_ASSERT_STR_EQ(refusal(&f.cfg, saved, "\"smoke_attempt\":1", "\"smoke_attempt\":4",
				err, sizeof(err)),
			"state.smoke_index: test 0, attempt 4 is not a smoke test and attempt of this configuration");
	free(saved);
	eng_rollout_free(b);
	eng_rollout_free(a);
}

/* The sequential judge's evidence survives a restore: the rollout of
 * test_rollout.c's sequential judge (canary 10 in 200 against 1 in 200,
 * tau 0.01, alpha 0.05) reaches p = 0.42 and 0.052 after two windows and
 * 0.0036 after the third, which rolls back at 30 s. Saved after two
 * windows and restored, it rolls back at 30 s too; had the counts started
 * again, the third look would see one window and p = 0.42. */
static void test_sequential_judge_carries_over(void)
{
	struct fx_config f;
	struct eng_rollout *a, *b;
	struct eng_action act;

	fx_config_init(&f);
	f.cfg.analysis.failure_limit = 0;
	f.cfg.analysis.nchecks = 1;
	eng_check_defaults(&f.checks[0]);
	f.checks[0].metric = ENG_METRIC_ERROR_RATE;
	f.checks[0].judge = ENG_JUDGE_MSPRT;
	f.checks[0].alpha = 0.05;
	f.checks[0].tau = 0.01;
	f.checks[0].min_requests = 100;
	a = fx_started(&f.cfg, &act);
	for (int t = 10; t <= 20; t += 10) {
		struct eng_observation o = fx_window(t, 200, 10, 100);

		o.version[ENG_STABLE].errors = 1;
		o.version[ENG_STABLE].error_rate_frac = 0.005;
		CU_ASSERT_EQUAL(eng_rollout_step(a, o.t_ns, &o, &act), ENG_OK);
	}
	T_ASSERT_EQ_INT(eng_rollout_outcome(a), ENG_OUTCOME_RUNNING);
	b = fx_restored(&f.cfg, a);
	struct eng_observation o = fx_window(30, 200, 10, 100);

	o.version[ENG_STABLE].errors = 1;
	o.version[ENG_STABLE].error_rate_frac = 0.005;
	CU_ASSERT_EQUAL(eng_rollout_step(b, o.t_ns, &o, &act), ENG_OK);
	T_ASSERT_EQ_INT(eng_rollout_outcome(b), ENG_OUTCOME_ROLLED_BACK);
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(b), S(30));
	eng_rollout_free(a);
	eng_rollout_free(b);
}

/* The budgets of the burn tests: S = 0.99 for errors (1 - S = 0.01) and
 * 0.95 for latency (0.05), over 7200 s of 10 s windows, one page alert
 * over 600 s and 60 s at burn rate 2, and a history of 5 failed and 20
 * slow requests in 10,000. The steps are the fixture's with an hour's
 * first pause, and there are no checks: only a burn-rate alert rolls
 * back. */
static const struct eng_burn_alert burn_page = {
	"page", ENG_ALERT_PAGE, S(600), S(60), 2.0
};

static void burn_config(struct fx_config *f)
{
	fx_config_init(f);
	f->steps[1].duration_ns = S(3600);
	f->cfg.analysis.nchecks = 0;
	f->cfg.progress_deadline_ns = S(7200);
	f->cfg.has_budget = true;
	eng_budget_config_init(&f->cfg.budget);
	f->cfg.budget.slo_frac = 0.99;
	f->cfg.budget.period_ns = S(7200);
	f->cfg.budget.alerts = &burn_page;
	f->cfg.budget.nalerts = 1;
	f->cfg.budget_history_total = 10000;
	f->cfg.budget_history_bad = 5;
	f->cfg.has_latency_budget = true;
	f->cfg.latency_target_frac = 0.95;
	f->cfg.latency_history_bad = 20;
	f->cfg.rollback_on_burn = true;
}

/* The window ending at t_s: 1,000 requests, of which `errors` failed and
 * `slow` were slow. */
static void feed_burn(struct eng_rollout *ro, int t_s, uint64_t errors, uint64_t slow)
{
	struct eng_observation o = fx_window(t_s, 1000, 0, 100);
	struct eng_action act;

	o.all.errors = errors;
	o.all.slow = slow;
	CU_ASSERT_EQUAL(eng_rollout_step(ro, o.t_ns, &o, &act), ENG_OK);
}

/* A rollout of burn_config after 600 s of clean windows (10 .. 600 s). */
static struct eng_rollout *burn_started(const struct fx_config *f)
{
	struct eng_action act;
	struct eng_rollout *ro = fx_started(&f->cfg, &act);

	for (int t = 10; t <= 600; t += 10)
		feed_burn(ro, t, 0, 0);
	return ro;
}

/* Saved after 600 s of clean windows, a rollout and its copy see the same
 * bad windows from 610 s on, and decide at the same time, with the same
 * state after. The alert's long window holds 60 windows: after k bad ones
 * it holds 60 - k clean ones and k bad ones of 1,000 requests, so its
 * burn rate is (k x bad / 60,000) / (1 - S); the short window (6 windows)
 * is all bad from k = 6 on.
 *   errors, 50 in 1,000: (50k / 60,000) / 0.01 = k / 12 > 2 from k = 25:
 *     rolled back at 600 + 250 = 850 s (W b (1 - S) / e = 600 x 2 x 0.01
 *     / 0.05 = 240 s, the first window strictly after it);
 *   slow, 150 in 1,000: (150k / 60,000) / 0.05 = k / 20 > 2 from k = 41:
 *     at 600 + 410 = 1010 s (600 x 2 x 0.05 / 0.15 = 400 s).
 * A copy whose budgets started again from the history alone would see
 * one bad window at 610 s over its long window, burn 5 or 3 > 2, and roll
 * back at 610 s. */
static void test_budgets_carry_over(void)
{
	static const struct { uint64_t errors, slow; int64_t decided_ns; const char *metric; } burns[] = {
		{ 50, 0, S(850), "error_rate" },
		{ 0, 150, S(1010), "slow_rate" },
	};
	struct fx_config f;

	burn_config(&f);
	for (size_t i = 0; i < sizeof(burns) / sizeof(burns[0]); i++) {
		struct eng_rollout *a = burn_started(&f), *b = fx_restored(&f.cfg, a);
		const struct eng_event_log *log;
		char *sa, *sb;

		for (int t = 610; t <= 1200 && !eng_rollout_done(a); t += 10) {
			feed_burn(a, t, burns[i].errors, burns[i].slow);
			feed_burn(b, t, burns[i].errors, burns[i].slow);
		}
		T_ASSERT_EQ_INT(eng_rollout_outcome(a), ENG_OUTCOME_ROLLED_BACK);
		T_ASSERT_EQ_INT(eng_rollout_decision_ns(a), burns[i].decided_ns);
		T_ASSERT_EQ_INT(eng_rollout_outcome(b), ENG_OUTCOME_ROLLED_BACK);
		T_ASSERT_EQ_INT(eng_rollout_decision_ns(b), burns[i].decided_ns);
		log = eng_rollout_events(b);
		T_ASSERT_EQ_INT(log->events[log->count - 1].rule, ENG_RULE_BURN_RATE);
		T_ASSERT_STR_EQ(log->events[log->count - 1].metric, burns[i].metric);
		sa = eng_rollout_save(a);
		sb = eng_rollout_save(b);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sb);
		T_ASSERT_STR_EQ(sb, sa);
		if (i == 0) {
			/* The error budget's gate, over all 7200 s: after k bad
			 * windows 1 - (5 + 50k) / (0.01 (70,000 + 1,000k)); at
			 * k = 13 (730 s) 1 - 655 / 830 = 0.21 < 0.25: warn; at
			 * k = 16 (760 s) 1 - 805 / 860 = 0.064 < 0.10: frozen; at
			 * k = 17 (770 s) 1 - 855 / 870 = 0.017 < 0.05: closed. */
			T_ASSERT_CONTAINS(sb, "\"gate_events\":[{\"t_ns\":730000000000,\"from\":0,\"to\":1,");
			T_ASSERT_CONTAINS(sb, "{\"t_ns\":760000000000,\"from\":1,\"to\":2,");
			T_ASSERT_CONTAINS(sb, "{\"t_ns\":770000000000,\"from\":2,\"to\":3,");
		}
		free(sa);
		free(sb);
		eng_rollout_free(a);
		eng_rollout_free(b);
	}
}

/* The budgets' windows are saved as runs of equal windows, oldest first.
 * At 600 s the ring holds 7200 / 10 = 720 windows, ending at 600 - 719 x
 * 10 = -6590 s and after. The history is the window ending at -610 s
 * (before the alert's 600 s long window, engine/rollout.c), the 598th
 * from the oldest; then 61 empty windows ending at -600 .. 0 s; then the
 * 60 windows of 10 .. 600 s: 598 + 1 + 61 + 60 = 720. */
static void test_budget_windows_as_runs(void)
{
	struct fx_config f;
	struct eng_rollout *a;
	char *saved;

	burn_config(&f);
	a = burn_started(&f);
	saved = eng_rollout_save(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(saved);
	T_ASSERT_CONTAINS(saved, "\"budget\":{\"window_ns\":10000000000,\"nwindows\":720,"
			  "\"fed\":true,\"last_end_ns\":600000000000,\"gate\":0,"
			  "\"windows\":[[598,0,0],[1,10000,5],[61,0,0],[60,1000,0]],"
			  "\"alerts\":[{\"name\":\"page\",\"firing\":false,\"firing_since_ns\":-1}],"
			  "\"gate_events\":[]}");
	T_ASSERT_CONTAINS(saved, "\"latency_budget\":{");
	T_ASSERT_CONTAINS(saved, "[[598,0,0],[1,10000,20],[61,0,0],[60,1000,0]]");
	free(saved);
	eng_rollout_free(a);
}

/* A budget block that is not one a rollout of this configuration can
 * have is refused with its JSON path, what was found and what was
 * expected (the saved state is test_budget_windows_as_runs's). */
static void test_corrupted_budget_refused(void)
{
	static const struct { const char *find, *with, *err; } cases[] = {
		{ "[60,1000,0]]", "[59,1000,0]]",
		  "budget.windows: the runs cover 719 windows; expected 720" },
		{ "[1,10000,5]", "[1,10000,10001]",
		  "budget.windows[1]: expected [windows, total, bad]: whole numbers, windows from 1, bad <= total, and 720 windows in all" },
		{ "[1,10000,5]", "[0,10000,5]",
		  "budget.windows[1]: expected [windows, total, bad]: whole numbers, windows from 1, bad <= total, and 720 windows in all" },
		{ "[1,10000,5]", "[1,10000,\"5\"]",
		  "budget.windows[1]: expected [windows, total, bad]: whole numbers, windows from 1, bad <= total, and 720 windows in all" },
		{ "[598,0,0]", "[599,0,0]",
		  "budget.windows[3]: expected [windows, total, bad]: whole numbers, windows from 1, bad <= total, and 720 windows in all" },
		{ "\"windows\":[[598,0,0],[1,10000,5],[61,0,0],[60,1000,0]]", "\"windows\":7",
		  "budget.windows: expected an array of runs [windows, total, bad]" },
		{ "\"fed\":true", "\"fed\":1", "budget.fed: missing or of the wrong type" },
		{ "\"nwindows\":720", "\"nwindows\":360",
		  "budget.nwindows: the state was saved for another configuration (expected 720)" },
		{ "\"gate\":0", "\"gate\":9", "budget.gate: 9 is not a gate state (0 open .. 3 closed)" },
		{ "\"firing_since_ns\":-1", "\"firing_since_ns\":5",
		  "budget.alerts[0].firing_since_ns: 5 does not go with firing false (-1 when not firing; else a window's end, no later than last_end_ns)" },
		{ "\"firing\":false", "\"firing\":true",
		  "budget.alerts[0].firing_since_ns: -1 does not go with firing true (-1 when not firing; else a window's end, no later than last_end_ns)" },
		{ "\"last_end_ns\":600000000000", "\"last_end_ns\":600000000001",
		  "budget.last_end_ns: 600000000001 is not the end of a window (a multiple of window_ns 10000000000)" },
		{ "\"name\":\"page\"", "\"name\":\"ticket\"",
		  "budget.alerts[0].name: the state was saved for another configuration (expected \"page\")" },
		{ "\"gate_events\":[]", "\"gate_events\":[{\"t_ns\":0,\"from\":0,\"to\":0,\"remaining_frac\":1,\"threshold_frac\":1}]",
		  "budget.gate_events[0]: expected a move between two gate states (0 open .. 3 closed), from where the one before left the gate, and the last to the gate" },
		{ "\"latency_budget\":{", "\"latency_budget\":null,\"x\":{",
		  "latency_budget: missing or not an object; expected a budget's state" },
	};
	struct fx_config f;
	struct eng_rollout *a;
	char err[300], *saved;

	burn_config(&f);
	a = burn_started(&f);
	saved = eng_rollout_save(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(saved);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		T_ASSERT_STR_EQ(refusal(&f.cfg, saved, cases[i].find, cases[i].with, err, sizeof(err)),
				cases[i].err);
	/* a state with budgets, restored into a rollout without them */
	f.cfg.has_budget = f.cfg.has_latency_budget = false;
	T_ASSERT_STR_EQ(refusal(&f.cfg, saved, "\"version\"", "\"version\"", err, sizeof(err)),
			"budget: the state was saved for another configuration (expected null: this rollout has no such budget)");
	free(saved);
	eng_rollout_free(a);
}

int t_suite_state(void)
{
	static const struct t_case cases[] = {
		{ "a restored rollout goes on exactly", test_round_trip },
		{ "states of another configuration are refused", test_refuses_other_states },
		{ "the sequential judge's evidence carries over", test_sequential_judge_carries_over },
		{ "the smoke tests' place carries over", test_smoke_tests_carry_over },
		{ "the budgets carry over: same decision, same state", test_budgets_carry_over },
		{ "the budgets' windows are saved as runs", test_budget_windows_as_runs },
		{ "a corrupted budget is refused with its path", test_corrupted_budget_refused },
		{ NULL, NULL }
	};

	return t_add_suite("state", cases);
}
