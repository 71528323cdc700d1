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
	/* a state of the version before: it lacks the smoke tests' place */
	T_ASSERT_STR_EQ(refusal(&f.cfg, saved, "\"version\":6", "\"version\":5", err, sizeof(err)),
			"version: 5 is a rollout state this rollsim does not read; expected version 6");
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

int t_suite_state(void)
{
	static const struct t_case cases[] = {
		{ "a restored rollout goes on exactly", test_round_trip },
		{ "states of another configuration are refused", test_refuses_other_states },
		{ "the sequential judge's evidence carries over", test_sequential_judge_carries_over },
		{ "the smoke tests' place carries over", test_smoke_tests_carry_over },
		{ NULL, NULL }
	};

	return t_add_suite("state", cases);
}
