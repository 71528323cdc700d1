/* engine/gate: version parsing and matching, and each rule of the
 * compatibility gate; a blocked rollout moves no traffic. */
#include "engine/gate.h"
#include "engine/rollout.h"
#include "tests/unit/engine_fixtures.h"
#include "tests/unit/helpers.h"

static struct eng_version_id v(const char *s)
{
	struct eng_version_id out;

	CU_ASSERT_FATAL(eng_version_parse(s, &out));
	return out;
}

static void test_versions(void)
{
	struct eng_version_id x;

	x = v("v1.4.2");
	T_ASSERT_EQ_INT(x.nparts, 3);
	T_ASSERT_EQ_INT(x.part[1], 4);
	x = v("2");
	T_ASSERT_EQ_INT(x.nparts, 1);
	CU_ASSERT_FALSE(eng_version_parse("1.4.2.7", &x));
	CU_ASSERT_FALSE(eng_version_parse("1..2", &x));
	CU_ASSERT_FALSE(eng_version_parse("1.4-rc1", &x));
	CU_ASSERT_FALSE(eng_version_parse("", &x));
	struct eng_version_id a = v("1.4.2"), b = v("1.10.0"), p = v("1.4");

	T_ASSERT_EQ_INT(eng_version_compare(&a, &b), -1);  /* 4 < 10, not text */
	T_ASSERT_EQ_INT(eng_version_compare(&b, &a), 1);
	CU_ASSERT(eng_version_matches(&a, &p));
	CU_ASSERT_FALSE(eng_version_matches(&b, &p));
}

static struct eng_compat_config compat(const char *st, const char *ca)
{
	struct eng_compat_config c;

	memset(&c, 0, sizeof(c));
	c.enabled = true;
	c.stable = v(st);
	c.canary = v(ca);
	c.migration_reversible = true;
	return c;
}

static void test_rules(void)
{
	char why[ENG_GATE_REASON_MAX];
	struct eng_compat_config c = compat("1.4.2", "1.5.0");

	/* without paths: a higher version of the same major version */
	CU_ASSERT(eng_compat_allows(&c, false, why, sizeof(why)));
	c = compat("1.4.2", "2.0.0");
	CU_ASSERT_FALSE(eng_compat_allows(&c, false, why, sizeof(why)));
	T_ASSERT_CONTAINS(why, "1.4.2 to 2.0.0 is not an allowed upgrade path");
	c = compat("1.5.0", "1.4.9");               /* a downgrade */
	CU_ASSERT_FALSE(eng_compat_allows(&c, false, why, sizeof(why)));
	/* with paths: only those */
	c = compat("1.4.2", "2.0.0");
	c.paths[0].from = v("1.4");
	c.paths[0].to = v("2.0");
	c.npaths = 1;
	CU_ASSERT(eng_compat_allows(&c, false, why, sizeof(why)));
	c.stable = v("1.3.9");
	CU_ASSERT_FALSE(eng_compat_allows(&c, false, why, sizeof(why)));
	/* breaking changes need allowing */
	c = compat("1.4.2", "1.5.0");
	c.breaking_changes = true;
	CU_ASSERT_FALSE(eng_compat_allows(&c, false, why, sizeof(why)));
	T_ASSERT_CONTAINS(why, "breaking changes");
	c.allow_breaking = true;
	CU_ASSERT(eng_compat_allows(&c, false, why, sizeof(why)));
	/* an irreversible migration needs a rollout that freezes */
	c = compat("1.4.2", "1.5.0");
	c.migration_reversible = false;
	CU_ASSERT_FALSE(eng_compat_allows(&c, false, why, sizeof(why)));
	T_ASSERT_CONTAINS(why, "cannot be undone");
	CU_ASSERT(eng_compat_allows(&c, true, why, sizeof(why)));
	c.enabled = false;
	c.canary = v("0.0.1");
	CU_ASSERT(eng_compat_allows(&c, false, why, sizeof(why)));
}

/* A blocked release: outcome blocked at 0 s, no weight ever asked for. */
static void test_blocked_rollout(void)
{
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;

	fx_config_init(&f);
	f.cfg.compat = compat("1.4.2", "2.0.0");
	ro = eng_rollout_create(&f.cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ro);
	CU_ASSERT_EQUAL(eng_rollout_start(ro, 0, &act), ENG_OK);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_NONE);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_BLOCKED);
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(ro), 0);
	CU_ASSERT(eng_rollout_done(ro));
	const struct eng_event_log *log = eng_rollout_events(ro);

	T_ASSERT_EQ_INT(log->count, 1);
	T_ASSERT_EQ_INT(log->events[0].rule, ENG_RULE_COMPATIBILITY);
	T_ASSERT_EQ_INT(log->events[0].action, ENG_DECIDE_BLOCK);
	T_ASSERT_CONTAINS(log->events[0].detail, "not an allowed upgrade path");
	eng_rollout_free(ro);
}

/* Feeds results to the rollout's smoke tests in order; returns how many
 * attempts it asked for. */
static int smoke(struct eng_rollout *ro, const bool *results, int n)
{
	const struct eng_smoke_test *t;
	uint32_t attempt;
	int k = 0;

	while ((t = eng_rollout_next_smoke(ro, &attempt)) != NULL && k < n)
		CU_ASSERT_EQUAL(eng_rollout_smoke_result(ro, 0, results[k++]), ENG_OK);
	return k;
}

/* Tests: login (critical, 1 retry), search (not critical). login fails
 * then passes (2 attempts); search fails (1 attempt, noted, passed over):
 * 3 attempts, then the first step. login failing twice blocks at once,
 * without running search (fail-fast). */
static void test_smoke_tests(void)
{
	struct eng_smoke_test tests[2];
	struct fx_config f;
	struct eng_rollout *ro;
	struct eng_action act;
	const bool mixed[] = { false, true, false };
	const bool bad[] = { false, false, true };

	fx_config_init(&f);
	fx_smoke_tests(&f, tests, 1, false);

	ro = fx_started(&f.cfg, &act);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_NONE);     /* no traffic before them */
	T_ASSERT_EQ_INT(smoke(ro, mixed, 3), 3);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_RUNNING);
	CU_ASSERT_EQUAL(eng_rollout_step(ro, 0, NULL, &act), ENG_OK);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_SET_WEIGHT);
	T_ASSERT_NEAR(act.weight_pct, 10.0, 0.0);
	eng_rollout_free(ro);

	ro = fx_started(&f.cfg, &act);
	T_ASSERT_EQ_INT(smoke(ro, bad, 3), 2);        /* search never runs */
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_BLOCKED);
	const struct eng_event_log *log = eng_rollout_events(ro);

	T_ASSERT_EQ_INT(log->events[log->count - 1].rule, ENG_RULE_SMOKE_TEST);
	T_ASSERT_EQ_INT(log->events[log->count - 1].action, ENG_DECIDE_BLOCK);
	T_ASSERT_EQ_INT(log->events[0].action, ENG_DECIDE_RETRY);
	eng_rollout_free(ro);
}

int t_suite_gate(void)
{
	static const struct t_case cases[] = {
		{ "versions parse, compare and match", test_versions },
		{ "compatibility rules", test_rules },
		{ "a blocked rollout moves no traffic", test_blocked_rollout },
		{ "smoke tests: retries, fail-fast, non-critical", test_smoke_tests },
		{ NULL, NULL }
	};

	return t_add_suite("gate", cases);
}
