/* engine/flags: the feature-flags strategy driven by hand-written
 * observations, with the expected timeline worked out by hand next to each
 * assertion. Windows are 10 s long. Two flags, each with one check: the
 * on-group's error rate at most 0.01 above the off-group's, on at least
 * 100 on-requests, failure limit 1 (a check rolls its flag back on its
 * second failure), a run every 10 s from when the flag is first on.
 *   a: 10% at 0 s, pause 30 s, 50% at 30 s, pause 30 s: 100% at 60 s;
 *   b: 20% at 0 s, pause 40 s: 100% at 40 s. */
#include "engine/rollout.h"
#include "tests/unit/engine_fixtures.h"
#include "tests/unit/helpers.h"

struct fl_config {
	struct eng_flags_config flags;
	struct eng_rollout_config cfg;
};

static void set_step(struct eng_step *s, enum eng_step_kind kind, double pct, int64_t ns)
{
	*s = (struct eng_step){ .kind = kind, .weight_pct = pct, .duration_ns = ns };
}

static void one_flag(struct eng_flag_config *f, const char *name, const double *pct,
		     const double *pause_s, size_t nsteps)
{
	struct eng_check *c = &f->checks[0];

	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	for (size_t k = 0; k < nsteps; k++) {
		set_step(&f->steps[2 * k], ENG_STEP_SET_WEIGHT, pct[k], 0);
		set_step(&f->steps[2 * k + 1], ENG_STEP_PAUSE, 0.0, S(pause_s[k]));
	}
	f->nsteps = 2 * nsteps;
	eng_check_defaults(c);
	snprintf(c->name, sizeof(c->name), "errors");
	c->metric = ENG_METRIC_ERROR_RATE;
	c->has_max_increase = true;
	c->max_increase = 0.01;
	c->min_requests = 100;
	f->nchecks = 1;
	f->interval_ns = S(10);
	f->failure_limit = 1;
}

static void fl_init(struct fl_config *f)
{
	static const double a_pct[] = { 10, 50 }, a_pause[] = { 30, 30 };
	static const double b_pct[] = { 20 }, b_pause[] = { 40 };

	memset(f, 0, sizeof(*f));
	one_flag(&f->flags.flag[0], "a", a_pct, a_pause, 2);
	one_flag(&f->flags.flag[1], "b", b_pct, b_pause, 1);
	f->flags.nflags = 2;
	f->cfg.strategy = ENG_STRATEGY_FLAGS;
	f->cfg.flags = &f->flags;
	f->cfg.analysis.interval_ns = S(10);
	f->cfg.progress_deadline_ns = S(3600);
}

static void group(struct eng_window_metrics *m, uint64_t requests, uint64_t errors)
{
	memset(m, 0, sizeof(*m));
	m->requests = requests;
	m->errors = errors;
	m->error_rate_frac = requests ? (double)errors / (double)requests : NAN;
}

/* A window ending at t_s of 2,000 stable requests; flag i is on for
 * on[i] of them, with err[i] errors among those; the off-groups are clean. */
static struct eng_observation fl_window(double t_s, struct eng_flag_observation *fo,
					const uint64_t *on, const uint64_t *err)
{
	struct eng_observation o = fx_window(t_s, 2000, 0, 100);

	memset(fo, 0, sizeof(*fo));
	fo->nflags = 2;
	for (size_t i = 0; i < 2; i++) {
		group(&fo->on[i], on[i], err[i]);
		group(&fo->off[i], 2000 - on[i], 0);
	}
	o.version[ENG_CANARY] = (struct eng_window_metrics){ 0 };
	o.flags = fo;
	return o;
}

/* Feeds the window at t_s with flag a's on-group failing a_err of 200
 * and b's clean (400 on); returns the action. */
static struct eng_action feed(struct eng_rollout *ro, double t_s, uint64_t a_err)
{
	static const uint64_t on[2] = { 200, 400 };
	const uint64_t err[2] = { a_err, 0 };
	struct eng_flag_observation fo;
	struct eng_observation o = fl_window(t_s, &fo, on, err);
	struct eng_action act;

	CU_ASSERT_EQUAL(eng_rollout_step(ro, o.t_ns, &o, &act), ENG_OK);
	return act;
}

static void check_flag(const struct eng_rollout *ro, size_t i, enum eng_outcome outcome,
		       double pct, double first_on_s, double decision_s)
{
	struct eng_flag_result r;

	CU_ASSERT_FATAL(eng_rollout_flag(ro, i, &r));
	T_ASSERT_EQ_INT(r.outcome, outcome);
	T_ASSERT_NEAR(r.pct, pct, 0.0);
	T_ASSERT_EQ_INT(r.first_on_ns, S(first_on_s));
	T_ASSERT_EQ_INT(r.decision_ns, decision_s < 0 ? -1 : S(decision_s));
}

/* The rollout's latest event; fails the running test at once without one. */
static const struct eng_event *last_event(const struct eng_rollout *ro)
{
	const struct eng_event_log *log = eng_rollout_events(ro);

	CU_ASSERT_FATAL(log->count > 0);
	return &log->events[log->count - 1];
}

/* Both clean: a and b start together at 0 s (10% and 20%); b's pause ends
 * at 40 s (100%, promoted) while a is at 50% since 30 s; a's last pause
 * ends at 60 s (100%): every flag enabled, promoted at 60 s. */
static void test_flags_progress_independently(void)
{
	struct fl_config f;
	struct eng_rollout *ro;
	struct eng_action act;

	fl_init(&f);
	ro = fx_started(&f.cfg, &act);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_SET_FLAGS);
	T_ASSERT_NEAR(act.flag_pct[0], 10.0, 0.0);
	T_ASSERT_NEAR(act.flag_pct[1], 20.0, 0.0);
	T_ASSERT_NEAR(act.weight_pct, 0.0, 0.0); /* traffic stays on stable */
	T_ASSERT_EQ_INT(eng_rollout_next_wakeup_ns(ro), S(30)); /* a's pause, the first */
	act = feed(ro, 10, 0);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_NONE);
	feed(ro, 20, 0);
	act = feed(ro, 30, 0);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_SET_FLAGS);
	T_ASSERT_NEAR(act.flag_pct[0], 50.0, 0.0);
	T_ASSERT_NEAR(act.flag_pct[1], 20.0, 0.0);
	act = feed(ro, 40, 0);
	T_ASSERT_NEAR(act.flag_pct[0], 50.0, 0.0);
	T_ASSERT_NEAR(act.flag_pct[1], 100.0, 0.0);
	check_flag(ro, 1, ENG_OUTCOME_PROMOTED, 100.0, 0, 40);
	check_flag(ro, 0, ENG_OUTCOME_RUNNING, 50.0, 0, -1);
	feed(ro, 50, 0);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_RUNNING);
	act = feed(ro, 60, 0);
	T_ASSERT_NEAR(act.flag_pct[0], 100.0, 0.0);
	check_flag(ro, 0, ENG_OUTCOME_PROMOTED, 100.0, 0, 60);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_PROMOTED);
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(ro), S(60));
	T_ASSERT_EQ_INT(last_event(ro)->rule, ENG_RULE_FLAGS_DONE);
	T_ASSERT_EQ_INT(last_event(ro)->action, ENG_DECIDE_PROMOTE);
	T_ASSERT_NEAR(last_event(ro)->observed, 0.0, 0.0); /* none rolled back */
	eng_rollout_free(ro);
}

/* a's on-group fails 5 of 200 (2.5%) against a clean off-group: an
 * increase of 0.025 > 0.01. Runs at 10 s (failure 1, limit 1: go on) and
 * 20 s (2 > 1): a back to 0% alone at 20 s, with a rollback_flag event
 * naming it. b is judged clean at 10, 20, 30 and 40 s and reaches 100% at
 * 40 s; the rollout ends then, rolled back (one flag of two went back). */
static void test_bad_flag_rolled_back_alone(void)
{
	struct fl_config f;
	struct eng_rollout *ro;
	struct eng_action act;
	const struct eng_event *ev;

	fl_init(&f);
	ro = fx_started(&f.cfg, &act);
	act = feed(ro, 10, 5);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_NONE);
	ev = last_event(ro);
	T_ASSERT_STR_EQ(ev->flag, "b"); /* b's run comes after a's */
	T_ASSERT_EQ_INT(ev->result, ENG_RESULT_PASS);
	act = feed(ro, 20, 5);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_SET_FLAGS);
	T_ASSERT_NEAR(act.flag_pct[0], 0.0, 0.0);
	T_ASSERT_NEAR(act.flag_pct[1], 20.0, 0.0);
	check_flag(ro, 0, ENG_OUTCOME_ROLLED_BACK, 0.0, 0, 20);
	/* the events at 20 s: a's run (fail, 2 failures), a's rollback, b's run */
	const struct eng_event_log *log = eng_rollout_events(ro);

	ev = &log->events[log->count - 2];
	T_ASSERT_EQ_INT(ev->rule, ENG_RULE_FLAG_FAILURE_LIMIT);
	T_ASSERT_EQ_INT(ev->action, ENG_DECIDE_ROLLBACK_FLAG);
	T_ASSERT_STR_EQ(ev->flag, "a");
	T_ASSERT_NEAR(ev->observed, 2.0, 0.0);
	T_ASSERT_NEAR(ev->threshold, 1.0, 0.0);
	T_ASSERT_NEAR(ev->weight_pct, 0.0, 0.0);
	ev = &log->events[log->count - 3];
	T_ASSERT_EQ_INT(ev->rule, ENG_RULE_FLAG_ANALYSIS);
	T_ASSERT_EQ_INT(ev->result, ENG_RESULT_FAIL);
	T_ASSERT_NEAR(ev->observed, 0.025, 1e-12); /* 5 / 200 - 0 / 1800 */
	T_ASSERT_NEAR(ev->canary_value, 0.025, 1e-12);
	T_ASSERT_NEAR(ev->baseline, 0.0, 0.0);
	T_ASSERT_EQ_INT(ev->samples, 200);
	T_ASSERT_EQ_INT(ev->failures, 2);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_RUNNING);
	feed(ro, 30, 5); /* a is no longer judged: its failures stay 2 */
	T_ASSERT_EQ_INT(last_event(ro)->rule, ENG_RULE_FLAG_ANALYSIS);
	T_ASSERT_STR_EQ(last_event(ro)->flag, "b");
	act = feed(ro, 40, 5);
	T_ASSERT_NEAR(act.flag_pct[0], 0.0, 0.0);
	T_ASSERT_NEAR(act.flag_pct[1], 100.0, 0.0);
	check_flag(ro, 1, ENG_OUTCOME_PROMOTED, 100.0, 0, 40);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_ROLLED_BACK);
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(ro), S(40));
	ev = last_event(ro);
	T_ASSERT_EQ_INT(ev->rule, ENG_RULE_FLAGS_DONE);
	T_ASSERT_EQ_INT(ev->action, ENG_DECIDE_ROLLBACK);
	T_ASSERT_NEAR(ev->observed, 1.0, 0.0);
	T_ASSERT_NEAR(ev->threshold, 2.0, 0.0);
	eng_rollout_free(ro);
}

/* Too few on-requests is inconclusive, and a world without flag groups
 * gives no data (an error, not a failure): neither counts towards the
 * limit, so a clean run later does not roll back. a: 60 on-requests at
 * 10 s (< 100: inconclusive); no groups at 20 s (error). */
static void test_inconclusive_and_no_data(void)
{
	static const uint64_t few[2] = { 60, 400 }, clean[2] = { 0, 0 };
	struct fl_config f;
	struct eng_rollout *ro;
	struct eng_action act;
	struct eng_flag_observation fo;
	struct eng_observation o = fl_window(10, &fo, few, clean);
	const struct eng_event_log *log;

	fl_init(&f);
	ro = fx_started(&f.cfg, &act);
	CU_ASSERT_EQUAL(eng_rollout_step(ro, o.t_ns, &o, &act), ENG_OK);
	log = eng_rollout_events(ro);
	T_ASSERT_EQ_INT(log->events[log->count - 2].result, ENG_RESULT_INCONCLUSIVE);
	o = fx_window(20, 2000, 0, 100);
	CU_ASSERT_EQUAL(eng_rollout_step(ro, o.t_ns, &o, &act), ENG_OK);
	log = eng_rollout_events(ro);
	T_ASSERT_EQ_INT(log->events[log->count - 1].result, ENG_RESULT_ERROR);
	T_ASSERT_EQ_INT(log->events[log->count - 1].failures, 0);
	check_flag(ro, 0, ENG_OUTCOME_RUNNING, 10.0, 0, -1);
	eng_rollout_free(ro);
}

/* Saved at 10 s (a with one failure) and at 20 s (a rolled back, b
 * running): each restored copy goes on exactly as the original, to the
 * timeline above (rolled back at 40 s). */
static void test_state_round_trip(void)
{
	static const double stops[] = { 10, 20 };
	struct fl_config f;

	fl_init(&f);
	for (size_t k = 0; k < 2; k++) {
		struct eng_rollout *a, *b;
		struct eng_action act, bct;
		double t;

		a = fx_started(&f.cfg, &act);
		for (t = 10; t <= stops[k]; t += 10)
			feed(a, t, 5);
		b = fx_restored(&f.cfg, a);
		T_ASSERT_EQ_INT(eng_rollout_next_wakeup_ns(b), eng_rollout_next_wakeup_ns(a));
		for (; t <= 40; t += 10) {
			act = feed(a, t, 5);
			bct = feed(b, t, 5);
			T_ASSERT_EQ_INT(bct.kind, act.kind);
			T_ASSERT_NEAR(bct.flag_pct[0], act.flag_pct[0], 0.0);
			T_ASSERT_NEAR(bct.flag_pct[1], act.flag_pct[1], 0.0);
		}
		check_flag(b, 0, ENG_OUTCOME_ROLLED_BACK, 0.0, 0, 20);
		check_flag(b, 1, ENG_OUTCOME_PROMOTED, 100.0, 0, 40);
		T_ASSERT_EQ_INT(eng_rollout_outcome(b), ENG_OUTCOME_ROLLED_BACK);
		T_ASSERT_EQ_INT(eng_rollout_decision_ns(b), S(40));
		T_ASSERT_EQ_INT(eng_rollout_events(b)->count, eng_rollout_events(a)->count);
		eng_rollout_free(a);
		eng_rollout_free(b);
	}
}

/* The deadline ends the rollout with the flags still under way: each goes
 * back to 0% and takes the rollout's outcome. Deadline 25 s: a at 10%, b
 * at 20% then; timed out at 25 s (a pause's wake-up is at 30 s, the
 * deadline's at 25 s). */
static void test_deadline_turns_flags_off(void)
{
	struct fl_config f;
	struct eng_rollout *ro;
	struct eng_action act;

	fl_init(&f);
	f.cfg.progress_deadline_ns = S(25);
	ro = fx_started(&f.cfg, &act);
	feed(ro, 10, 0);
	feed(ro, 20, 0);
	T_ASSERT_EQ_INT(eng_rollout_next_wakeup_ns(ro), S(25));
	CU_ASSERT_EQUAL(eng_rollout_step(ro, S(25), NULL, &act), ENG_OK);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_TIMED_OUT);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_SET_FLAGS);
	T_ASSERT_NEAR(act.flag_pct[0], 0.0, 0.0);
	T_ASSERT_NEAR(act.flag_pct[1], 0.0, 0.0);
	check_flag(ro, 0, ENG_OUTCOME_TIMED_OUT, 0.0, 0, 25);
	eng_rollout_free(ro);
}

/* Flags need their own steps and no rollout steps; shares within 0..100;
 * judges that need more than one window's groups are refused. */
static void test_invalid_configs(void)
{
	struct fl_config f;
	struct eng_step step = { .kind = ENG_STEP_SET_WEIGHT, .weight_pct = 10.0, .duration_ns = 0 };

	fl_init(&f);
	f.cfg.steps = &step;
	f.cfg.nsteps = 1;
	CU_ASSERT_PTR_NULL(eng_rollout_create(&f.cfg));
	fl_init(&f);
	f.flags.nflags = 0;
	CU_ASSERT_PTR_NULL(eng_rollout_create(&f.cfg));
	fl_init(&f);
	f.flags.flag[1].steps[0].weight_pct = 101.0;
	CU_ASSERT_PTR_NULL(eng_rollout_create(&f.cfg));
	fl_init(&f);
	f.flags.flag[0].checks[0].judge = ENG_JUDGE_MANN_WHITNEY;
	CU_ASSERT_PTR_NULL(eng_rollout_create(&f.cfg));
	fl_init(&f);
	f.cfg.flags = NULL;
	CU_ASSERT_PTR_NULL(eng_rollout_create(&f.cfg));
	T_ASSERT_STR_EQ(eng_strategy_name(ENG_STRATEGY_FLAGS), "flags");
}

int t_suite_flags(void)
{
	static const struct t_case cases[] = {
		{ "flags progress independently; all good: promoted", test_flags_progress_independently },
		{ "a bad flag is rolled back alone, the other reaches 100%", test_bad_flag_rolled_back_alone },
		{ "inconclusive and no data do not count", test_inconclusive_and_no_data },
		{ "a flags rollout restored goes on exactly", test_state_round_trip },
		{ "the deadline turns the flags off", test_deadline_turns_flags_off },
		{ "invalid flags configurations", test_invalid_configs },
		{ NULL, NULL }
	};

	return t_add_suite("flags", cases);
}
