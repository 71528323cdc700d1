/* engine/run: the loop through the world port, against a scripted world
 * whose windows are written by hand. */
#include "engine/record.h"
#include "engine/run.h"
#include "engine/state.h"

#include <stdlib.h>
#include "tests/unit/engine_fixtures.h"
#include "tests/unit/helpers.h"

/* A world that serves 200 canary requests a window, with 10 errors (5%)
 * while the canary takes traffic when `bad`, and records what it is asked. */
struct fake {
	int64_t now_ns;
	int64_t window_ns;
	double weight_pct;
	bool bad;
	int64_t fail_wait_at_ns;  /* wait_until fails from then on; -1 never */
	int64_t end_at_ns;        /* wait_until ends the world (ENG_EEND) from then; 0 never */
	int64_t early_at_ns;      /* a wait past it wakes at it instead, once; 0 never */
	bool abort_at_early;      /* ...and an operator's abort is then issued */
	bool aborted;
	size_t napplied;
	double applied_pct[16];
	int64_t applied_ns[16];
	size_t nwaits;
	/* smoke tests (fake_ops_smoke): attempt i passes when bit i of
	 * smoke_passes is set; the attempt numbered smoke_fail_at (from 1)
	 * fails the world instead (a crash); 0 never */
	uint32_t smoke_passes;
	size_t smoke_fail_at;
	size_t nsmoke;
	char smoke_name[8][16];
	uint32_t smoke_attempt[8];
	size_t smoke_told[8];     /* decisions told before the attempt */
	size_t ntold;
};

static enum eng_status fake_now(void *ctx, int64_t *t_ns)
{
	*t_ns = ((struct fake *)ctx)->now_ns;
	return ENG_OK;
}

static enum eng_status fake_wait_until(void *ctx, int64_t t_ns)
{
	struct fake *f = ctx;

	CU_ASSERT(t_ns >= f->now_ns); /* time never goes back */
	if (f->fail_wait_at_ns >= 0 && t_ns >= f->fail_wait_at_ns)
		return ENG_EWORLD;
	if (f->end_at_ns > 0 && t_ns >= f->end_at_ns)
		return ENG_EEND;
	if (f->early_at_ns > 0 && t_ns > f->early_at_ns) {
		t_ns = f->early_at_ns;
		f->early_at_ns = 0;
		f->aborted = f->abort_at_early;
	}
	f->now_ns = t_ns;
	f->nwaits++;
	return ENG_OK;
}

static enum eng_status fake_observe(void *ctx, struct eng_observation *obs)
{
	struct fake *f = ctx;
	int64_t end = f->now_ns / f->window_ns * f->window_ns;

	if (end == 0) {
		memset(obs, 0, sizeof(*obs));
		return ENG_OK;
	}
	*obs = fx_window((double)end / 1e9, 200,
			 f->bad && f->weight_pct > 0 ? 10 : 0, 100);
	obs->weight_pct = f->weight_pct;
	return ENG_OK;
}

static enum eng_status fake_apply(void *ctx, const struct eng_action *act)
{
	struct fake *f = ctx;

	f->weight_pct = act->weight_pct;
	if (f->napplied < 16) {
		f->applied_pct[f->napplied] = act->weight_pct;
		f->applied_ns[f->napplied] = f->now_ns;
	}
	f->napplied++;
	return ENG_OK;
}

static const struct eng_world_ops fake_ops = {
	.name = "fake",
	.now = fake_now,
	.wait_until = fake_wait_until,
	.observe = fake_observe,
	.apply = fake_apply,
};

static enum eng_status fake_command(void *ctx, int64_t after_ns, enum eng_command *cmd,
				    int64_t *at_ns)
{
	struct fake *f = ctx;

	(void)after_ns;
	*cmd = f->aborted ? ENG_CMD_ABORT : ENG_CMD_NONE;
	*at_ns = f->now_ns;
	f->aborted = false;
	return ENG_OK;
}

static const struct eng_world_ops fake_ops_cmd = {
	.name = "fake-with-commands",
	.now = fake_now,
	.wait_until = fake_wait_until,
	.observe = fake_observe,
	.apply = fake_apply,
	.command = fake_command,
};

static const struct eng_world_ops fake_ops_no_apply = {
	.name = "fake-without-apply",
	.now = fake_now,
	.wait_until = fake_wait_until,
	.observe = fake_observe,
	.apply = NULL,
};

static enum eng_status fake_smoke_test(void *ctx, const char *name, uint32_t attempt,
				       bool *passed)
{
	struct fake *f = ctx;
	size_t i = f->nsmoke++;

	if (i + 1 == f->smoke_fail_at)
		return ENG_EWORLD;
	CU_ASSERT_FATAL(i < 8);
	snprintf(f->smoke_name[i], sizeof(f->smoke_name[i]), "%s", name);
	f->smoke_attempt[i] = attempt;
	f->smoke_told[i] = f->ntold;
	*passed = (f->smoke_passes >> i) & 1u;
	return ENG_OK;
}

static enum eng_status fake_notify(void *ctx, const struct eng_event *ev)
{
	(void)ev;
	((struct fake *)ctx)->ntold++;
	return ENG_OK;
}

static const struct eng_world_ops fake_ops_smoke = {
	.name = "fake-with-smoke-tests",
	.now = fake_now,
	.wait_until = fake_wait_until,
	.observe = fake_observe,
	.apply = fake_apply,
	.smoke_test = fake_smoke_test,
	.notify = fake_notify,
};

static enum eng_status run(struct fx_config *fx, struct fake *f,
			   const struct eng_world_ops *ops, struct eng_record *rec)
{
	struct eng_run_opts opts = { .window_ns = S(10), .observe_after_ns = S(20) };
	struct eng_world world = { ops, f };
	struct eng_rollout *ro = eng_rollout_create(&fx->cfg);
	enum eng_status st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ro);
	f->window_ns = S(10);
	eng_record_init(rec);
	st = eng_run(ro, &world, &opts, rec);
	eng_rollout_free(ro);
	return st;
}

/* Good canary: weights 10 at 0 s, 50 at 30 s, 100 at 60 s; windows at
 * 10..60 s and 20 s more (70, 80). */
static void test_good_world_promotes(void)
{
	struct fx_config fx;
	struct fake f = { .fail_wait_at_ns = -1 };
	struct eng_record rec;

	fx_config_init(&fx);
	CU_ASSERT_EQUAL_FATAL(run(&fx, &f, &fake_ops, &rec), ENG_OK);
	T_ASSERT_EQ_INT(rec.outcome, ENG_OUTCOME_PROMOTED);
	T_ASSERT_EQ_INT(rec.decision_ns, S(60));
	T_ASSERT_EQ_INT(f.napplied, 3);
	T_ASSERT_NEAR(f.applied_pct[0], 10.0, 0.0);
	T_ASSERT_EQ_INT(f.applied_ns[0], 0);
	T_ASSERT_NEAR(f.applied_pct[1], 50.0, 0.0);
	T_ASSERT_EQ_INT(f.applied_ns[1], S(30));
	T_ASSERT_NEAR(f.applied_pct[2], 100.0, 0.0);
	T_ASSERT_EQ_INT(f.applied_ns[2], S(60));
	T_ASSERT_EQ_INT(rec.nwindows, 8);
	T_ASSERT_EQ_INT(rec.windows[0].t_ns, S(10));
	T_ASSERT_EQ_INT(rec.windows[7].t_ns, S(80));
	T_ASSERT_EQ_INT(rec.first_traffic_ns, 0);
	T_ASSERT_EQ_INT(rec.weight_zero_ns, -1);
	T_ASSERT_NEAR(rec.final_weight_pct, 100.0, 0.0);
	CU_ASSERT(rec.events.count > 0);
	eng_record_free(&rec);
}

/* Bad canary: fails at 10 s and 20 s, rolled back at 20 s; observed until
 * 40 s. */
static void test_bad_world_rolls_back(void)
{
	struct fx_config fx;
	struct fake f = { .bad = true, .fail_wait_at_ns = -1 };
	struct eng_record rec;

	fx_config_init(&fx);
	CU_ASSERT_EQUAL_FATAL(run(&fx, &f, &fake_ops, &rec), ENG_OK);
	T_ASSERT_EQ_INT(rec.outcome, ENG_OUTCOME_ROLLED_BACK);
	T_ASSERT_EQ_INT(rec.decision_ns, S(20));
	T_ASSERT_EQ_INT(rec.weight_zero_ns, S(20));
	T_ASSERT_EQ_INT(rec.nwindows, 4);
	T_ASSERT_EQ_INT(rec.end_ns, S(40));
	T_ASSERT_NEAR(f.weight_pct, 0.0, 0.0);
	T_ASSERT_NEAR(rec.final_weight_pct, 0.0, 0.0);
	eng_record_free(&rec);
}

/* Pauses that end between windows wake the engine at their end: 25 s
 * pauses move the weight at 25 s and promote at 50 s. */
static void test_wakes_at_pause_end(void)
{
	struct fx_config fx;
	struct fake f = { .fail_wait_at_ns = -1 };
	struct eng_record rec;

	fx_config_init(&fx);
	fx.steps[1].duration_ns = S(25);
	fx.steps[3].duration_ns = S(25);
	CU_ASSERT_EQUAL_FATAL(run(&fx, &f, &fake_ops, &rec), ENG_OK);
	T_ASSERT_EQ_INT(f.napplied, 3);
	T_ASSERT_EQ_INT(f.applied_ns[1], S(25));
	T_ASSERT_EQ_INT(f.applied_ns[2], S(50));
	T_ASSERT_EQ_INT(rec.decision_ns, S(50));
	/* windows are still recorded once each: 10..50, then 60 and 70 */
	T_ASSERT_EQ_INT(rec.nwindows, 7);
	for (size_t i = 1; i < rec.nwindows; i++)
		T_ASSERT_EQ_INT(rec.windows[i].t_ns - rec.windows[i - 1].t_ns, S(10));
	eng_record_free(&rec);
}

/* A gradual rollback through the loop, 20% every 10 s from 50%: decided
 * at 20 s (two failed runs), 30% at 20 s, 10% at 30 s, 0% at 40 s, when
 * the rollout is done; the record's weight-zero moment is 40 s (recovery
 * is measured from there) and windows are observed until 40 + 20 s. */
static void test_gradual_rollback_through_the_loop(void)
{
	struct eng_step steps[2] = {
		{ .kind = ENG_STEP_SET_WEIGHT, .weight_pct = 50.0, .duration_ns = 0 }, { .kind = ENG_STEP_PAUSE, .weight_pct = 0.0, .duration_ns = S(300) },
	};
	struct fx_config fx;
	struct fake f = { .bad = true, .fail_wait_at_ns = -1 };
	struct eng_record rec;

	fx_config_init(&fx);
	fx.cfg.steps = steps;
	fx.cfg.nsteps = 2;
	fx.cfg.rollback.mode = ENG_ROLLBACK_GRADUAL;
	fx.cfg.rollback.step_pct = 20;
	fx.cfg.rollback.interval_ns = S(10);
	CU_ASSERT_EQUAL_FATAL(run(&fx, &f, &fake_ops, &rec), ENG_OK);
	T_ASSERT_EQ_INT(rec.outcome, ENG_OUTCOME_ROLLED_BACK);
	T_ASSERT_EQ_INT(rec.decision_ns, S(20));
	T_ASSERT_EQ_INT(f.napplied, 4);
	T_ASSERT_NEAR(f.applied_pct[1], 30.0, 1e-12);
	T_ASSERT_EQ_INT(f.applied_ns[1], S(20));
	T_ASSERT_NEAR(f.applied_pct[2], 10.0, 1e-12);
	T_ASSERT_EQ_INT(f.applied_ns[2], S(30));
	T_ASSERT_NEAR(f.applied_pct[3], 0.0, 0.0);
	T_ASSERT_EQ_INT(f.applied_ns[3], S(40));
	T_ASSERT_EQ_INT(rec.weight_zero_ns, S(40));
	T_ASSERT_EQ_INT(rec.end_ns, S(60));
	eng_record_free(&rec);
}

static void test_world_failure_propagates(void)
{
	struct fx_config fx;
	struct fake f = { .fail_wait_at_ns = S(30) };
	struct eng_record rec;

	fx_config_init(&fx);
	T_ASSERT_EQ_INT(run(&fx, &f, &fake_ops, &rec), ENG_EWORLD);
	eng_record_free(&rec);

	struct fake g = { .fail_wait_at_ns = -1 };

	T_ASSERT_EQ_INT(run(&fx, &g, &fake_ops_no_apply, &rec), ENG_ENOTSUP);
	eng_record_free(&rec);
}

/* Whether two decision lists are the same decisions at the same times. */
static void assert_same_events(const struct eng_event_log *a, const struct eng_event_log *b)
{
	T_ASSERT_EQ_INT(a->count, b->count);
	for (size_t i = 0; i < a->count && i < b->count; i++) {
		T_ASSERT_EQ_INT(a->events[i].t_ns, b->events[i].t_ns);
		T_ASSERT_EQ_INT(a->events[i].rule, b->events[i].rule);
		T_ASSERT_EQ_INT(a->events[i].action, b->events[i].action);
		T_ASSERT_NEAR(a->events[i].weight_pct, b->events[i].weight_pct, 0.0);
	}
}

/* A run cut at 35 s (the world ends: a crash), saved, restored and resumed
 * from 35 s makes the decisions of the uninterrupted run (weights 10 at 0,
 * 50 at 30, 100 at 60 s), the resumed world first told to route 50%. */
static void test_resume_continues_where_it_stood(void)
{
	struct fx_config fx;
	struct fake whole = { .fail_wait_at_ns = -1 };
	struct fake cut = { .fail_wait_at_ns = -1, .end_at_ns = S(35), .window_ns = S(10) };
	struct eng_record rec_whole, rec_cut, rec_rest;
	struct eng_run_opts opts = { .window_ns = S(10), .observe_after_ns = S(20),
				     .keep_events = true };
	struct eng_rollout *ro, *back;
	char *saved, err[200];

	fx_config_init(&fx);
	CU_ASSERT_EQUAL_FATAL(run(&fx, &whole, &fake_ops, &rec_whole), ENG_OK);

	ro = eng_rollout_create(&fx.cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ro);
	eng_record_init(&rec_cut);
	CU_ASSERT_EQUAL_FATAL(eng_run(ro, &(struct eng_world){ &fake_ops, &cut }, &opts, &rec_cut),
			      ENG_OK);
	T_ASSERT_EQ_INT(rec_cut.outcome, ENG_OUTCOME_RUNNING);
	/* keep_events: the rollout still holds its decisions after the run */
	T_ASSERT_EQ_INT(eng_rollout_events(ro)->count, rec_cut.events.count);
	saved = eng_rollout_save(ro);
	CU_ASSERT_PTR_NOT_NULL_FATAL(saved);
	eng_rollout_free(ro);

	back = eng_rollout_restore(&fx.cfg, saved, err, sizeof(err));
	free(saved);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	struct fake rest = { .fail_wait_at_ns = -1, .now_ns = S(30), .window_ns = S(10) };

	opts.resumed = true;
	eng_record_init(&rec_rest);
	CU_ASSERT_EQUAL_FATAL(eng_run(back, &(struct eng_world){ &fake_ops, &rest }, &opts,
				      &rec_rest), ENG_OK);
	T_ASSERT_EQ_INT(rec_rest.outcome, ENG_OUTCOME_PROMOTED);
	T_ASSERT_EQ_INT(rec_rest.decision_ns, S(60));
	/* the deployment began at 0 s, not at the restart (30 s) */
	T_ASSERT_EQ_INT(rec_rest.start_ns, 0);
	/* first the routing as it stood, then 100% at 60 s */
	T_ASSERT_EQ_INT(rest.napplied, 2);
	T_ASSERT_NEAR(rest.applied_pct[0], 50.0, 0.0);
	T_ASSERT_EQ_INT(rest.applied_ns[0], S(30));
	T_ASSERT_NEAR(rest.applied_pct[1], 100.0, 0.0);
	T_ASSERT_EQ_INT(rest.applied_ns[1], S(60));
	assert_same_events(&rec_rest.events, &rec_whole.events);
	eng_rollout_free(back);
	eng_record_free(&rec_whole);
	eng_record_free(&rec_cut);
	eng_record_free(&rec_rest);
}

/* A crash between two attempts of a smoke test, then a resume, runs the
 * tests still due and then the steps as the uninterrupted run does.
 * Tests: login (critical, 1 retry), search (critical). Attempts: login 1
 * fails, login 2 passes, search 1 passes; then weights 10 at 0 s, 50 at
 * 30 s, 100 at 60 s. The world is told of login 1's retry before login 2
 * runs, so a live world has saved that place. The cut run's world fails at
 * its second attempt (login 2); resumed at 0 s, the world is asked for
 * login 2 and search 1 only, and routes 0 (as the rollout stood), 10, 50,
 * 100. */
static void test_resume_between_smoke_attempts(void)
{
	struct eng_smoke_test tests[2];
	struct fx_config fx;
	struct fake whole = { .fail_wait_at_ns = -1, .smoke_passes = 6 }; /* 0b110 */
	struct fake cut = { .fail_wait_at_ns = -1, .smoke_fail_at = 2, .window_ns = S(10) };
	struct fake rest = { .fail_wait_at_ns = -1, .smoke_passes = 3, .window_ns = S(10) };
	struct eng_record rec_whole, rec_cut, rec_rest;
	struct eng_run_opts opts = { .window_ns = S(10), .observe_after_ns = S(20),
				     .keep_events = true };
	struct eng_rollout *ro, *back;
	char *saved, err[200];

	fx_config_init(&fx);
	fx_smoke_tests(&fx, tests, 1, true);
	CU_ASSERT_EQUAL_FATAL(run(&fx, &whole, &fake_ops_smoke, &rec_whole), ENG_OK);
	T_ASSERT_EQ_INT(rec_whole.outcome, ENG_OUTCOME_PROMOTED);
	T_ASSERT_EQ_INT(whole.nsmoke, 3);
	T_ASSERT_EQ_INT(whole.smoke_told[1], 1); /* login 1's retry */
	T_ASSERT_EQ_INT(whole.smoke_told[2], 2); /* and login 2's pass */

	ro = eng_rollout_create(&fx.cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ro);
	eng_record_init(&rec_cut);
	T_ASSERT_EQ_INT(eng_run(ro, &(struct eng_world){ &fake_ops_smoke, &cut }, &opts,
				&rec_cut), ENG_EWORLD);
	saved = eng_rollout_save(ro);
	CU_ASSERT_PTR_NOT_NULL_FATAL(saved);
	eng_rollout_free(ro);
	back = eng_rollout_restore(&fx.cfg, saved, err, sizeof(err));
	free(saved);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);

	opts.resumed = true;
	eng_record_init(&rec_rest);
	CU_ASSERT_EQUAL_FATAL(eng_run(back, &(struct eng_world){ &fake_ops_smoke, &rest }, &opts,
				      &rec_rest), ENG_OK);
	T_ASSERT_EQ_INT(rest.nsmoke, 2);
	T_ASSERT_STR_EQ(rest.smoke_name[0], "login");
	T_ASSERT_EQ_INT(rest.smoke_attempt[0], 2);
	T_ASSERT_STR_EQ(rest.smoke_name[1], "search");
	T_ASSERT_EQ_INT(rest.smoke_attempt[1], 1);
	T_ASSERT_EQ_INT(rec_rest.outcome, ENG_OUTCOME_PROMOTED);
	T_ASSERT_EQ_INT(rec_rest.decision_ns, S(60));
	T_ASSERT_EQ_INT(rest.napplied, 4);
	T_ASSERT_NEAR(rest.applied_pct[0], 0.0, 0.0);
	T_ASSERT_NEAR(rest.applied_pct[1], 10.0, 0.0);
	T_ASSERT_EQ_INT(rest.applied_ns[1], 0);
	T_ASSERT_NEAR(rest.applied_pct[2], 50.0, 0.0);
	T_ASSERT_EQ_INT(rest.applied_ns[2], S(30));
	T_ASSERT_NEAR(rest.applied_pct[3], 100.0, 0.0);
	T_ASSERT_EQ_INT(rest.applied_ns[3], S(60));
	assert_same_events(&rec_rest.events, &rec_whole.events);
	eng_rollout_free(back);
	eng_record_free(&rec_whole);
	eng_record_free(&rec_cut);
	eng_record_free(&rec_rest);
}

/* A world that wakes early (at 33 s, asked for 40 s) with an operator's
 * abort has it decided at 33 s, not at the time it was asked for. */
static void test_early_wake_decides_then(void)
{
	struct fx_config fx;
	struct fake f = { .fail_wait_at_ns = -1, .early_at_ns = S(33), .abort_at_early = true };
	struct eng_record rec;

	fx_config_init(&fx);
	CU_ASSERT_EQUAL_FATAL(run(&fx, &f, &fake_ops_cmd, &rec), ENG_OK);
	T_ASSERT_EQ_INT(rec.outcome, ENG_OUTCOME_ROLLED_BACK);
	T_ASSERT_EQ_INT(rec.decision_ns, S(33));
	T_ASSERT_EQ_INT(rec.weight_zero_ns, S(33));
	eng_record_free(&rec);
}

int t_suite_run(void)
{
	static const struct t_case cases[] = {
		{ "a good world promotes", test_good_world_promotes },
		{ "a bad world rolls back", test_bad_world_rolls_back },
		{ "wakes at a pause's end", test_wakes_at_pause_end },
		{ "a gradual rollback through the loop", test_gradual_rollback_through_the_loop },
		{ "world failures propagate", test_world_failure_propagates },
		{ "a resumed rollout continues where it stood", test_resume_continues_where_it_stood },
		{ "a resume between smoke-test attempts", test_resume_between_smoke_attempts },
		{ "an early wake decides at the time it woke", test_early_wake_decides_then },
		{ NULL, NULL }
	};

	return t_add_suite("run", cases);
}
