/* engine/rollout: an operator's abort and retry, and the run loop that
 * passes the world's commands on. The fixture's rollout (engine_fixtures.h):
 * weight 10 at 0 s, pause 30 s, weight 50 at 30 s, pause 30 s, promoted
 * at 60 s, analysis every 10 s. */
#include <cjson/cJSON.h>

#include "engine/run.h"
#include "engine/state.h"
#include "tests/unit/engine_fixtures.h"
#include "tests/unit/helpers.h"

static size_t count_rule(const struct eng_rollout *ro, enum eng_rule rule,
			 enum eng_decision action)
{
	const struct eng_event_log *log = eng_rollout_events(ro);
	size_t n = 0;

	for (size_t i = 0; i < log->count; i++)
		n += log->events[i].rule == rule && log->events[i].action == action;
	return n;
}

/* Abort at 15 s, during the first pause: weight 0 at once (not a gradual
 * rollback), outcome rolled_back decided at 15 s, and nothing more moves. */
static void test_abort(void)
{
	struct fx_config f;
	struct eng_action act;
	struct eng_rollout *ro;
	struct eng_observation o = fx_window(10, 200, 0, 100);

	fx_config_init(&f);
	f.cfg.rollback.mode = ENG_ROLLBACK_GRADUAL;
	f.cfg.rollback.step_pct = 5;
	f.cfg.rollback.interval_ns = S(10);
	ro = fx_started(&f.cfg, &act);
	T_ASSERT_NEAR(act.weight_pct, 10.0, 0.0);
	CU_ASSERT_EQUAL(eng_rollout_step(ro, S(10), &o, &act), ENG_OK);
	CU_ASSERT_EQUAL(eng_rollout_command(ro, S(15), ENG_CMD_ABORT, &act), ENG_OK);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_SET_WEIGHT);
	T_ASSERT_NEAR(act.weight_pct, 0.0, 0.0);
	CU_ASSERT(eng_rollout_done(ro));
	CU_ASSERT(eng_rollout_aborted(ro));
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_ROLLED_BACK);
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(ro), S(15));
	T_ASSERT_EQ_INT(count_rule(ro, ENG_RULE_OPERATOR, ENG_DECIDE_ROLLBACK), 1);
	o.t_ns = S(20);
	CU_ASSERT_EQUAL(eng_rollout_step(ro, S(30), &o, &act), ENG_OK);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_NONE);
	/* a second abort finds nothing to abort: logged, nothing changes */
	CU_ASSERT_EQUAL(eng_rollout_command(ro, S(35), ENG_CMD_ABORT, &act), ENG_OK);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_NONE);
	T_ASSERT_EQ_INT(count_rule(ro, ENG_RULE_OPERATOR, ENG_DECIDE_CONTINUE), 1);
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(ro), S(15));
	eng_rollout_free(ro);
}

/* An abort while a gradual rollback drains ends it at 0% at once, and
 * the abort's time becomes the decision. Failures past the limit at 20 s
 * (two failed runs, limit 1) start the drain at 10 - 5 = 5%. */
static void test_abort_during_gradual_rollback(void)
{
	struct fx_config f;
	struct eng_action act;
	struct eng_rollout *ro;
	struct eng_observation bad = fx_window(10, 200, 10, 100); /* 5% errors */

	fx_config_init(&f);
	f.cfg.rollback.mode = ENG_ROLLBACK_GRADUAL;
	f.cfg.rollback.step_pct = 5;
	f.cfg.rollback.interval_ns = S(10);
	ro = fx_started(&f.cfg, &act);
	CU_ASSERT_EQUAL(eng_rollout_step(ro, S(10), &bad, &act), ENG_OK);
	bad.t_ns = S(20);
	CU_ASSERT_EQUAL(eng_rollout_step(ro, S(20), &bad, &act), ENG_OK);
	T_ASSERT_NEAR(act.weight_pct, 5.0, 0.0);
	CU_ASSERT_FALSE(eng_rollout_done(ro)); /* draining */
	CU_ASSERT_EQUAL(eng_rollout_command(ro, S(25), ENG_CMD_ABORT, &act), ENG_OK);
	T_ASSERT_NEAR(act.weight_pct, 0.0, 0.0);
	CU_ASSERT(eng_rollout_done(ro));
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(ro), S(25));
	eng_rollout_free(ro);
}

/* A rollout's saved state without its events. */
static char *state_without_events(const struct eng_rollout *ro)
{
	char *text = eng_rollout_save(ro), *out;
	cJSON *j;

	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	j = cJSON_Parse(text);
	free(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j);
	cJSON_DeleteItemFromObjectCaseSensitive(j, "events");
	out = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	return out;
}

/* Retry at 100 s of a rollout aborted at 15 s after a failed run: it
 * starts again as a new rollout started at 100 s would (its saved state,
 * events aside, is the very same), at weight 10; its failures are gone,
 * its deadline counts from 100 s, and it is promoted at 160 s. */
static void test_retry_is_a_new_start(void)
{
	struct fx_config f;
	struct eng_action act, fresh_act;
	struct eng_rollout *ro, *fresh;
	struct eng_observation bad = fx_window(10, 200, 10, 100), ok;
	char *a, *b;

	fx_config_init(&f);
	f.cfg.analysis.failure_limit = 3;
	ro = fx_started(&f.cfg, &act);
	CU_ASSERT_EQUAL(eng_rollout_step(ro, S(10), &bad, &act), ENG_OK);
	CU_ASSERT_EQUAL(eng_rollout_command(ro, S(15), ENG_CMD_ABORT, &act), ENG_OK);
	CU_ASSERT_EQUAL(eng_rollout_command(ro, S(100), ENG_CMD_RETRY, &act), ENG_OK);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_SET_WEIGHT);
	T_ASSERT_NEAR(act.weight_pct, 10.0, 0.0);
	CU_ASSERT_FALSE(eng_rollout_done(ro));
	CU_ASSERT_FALSE(eng_rollout_aborted(ro));
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_RUNNING);
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(ro), -1);
	T_ASSERT_EQ_INT(count_rule(ro, ENG_RULE_OPERATOR, ENG_DECIDE_RETRY), 1);

	fresh = eng_rollout_create(&f.cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fresh);
	CU_ASSERT_EQUAL(eng_rollout_start(fresh, S(100), &fresh_act), ENG_OK);
	a = state_without_events(ro);
	b = state_without_events(fresh);
	CU_ASSERT_STRING_EQUAL(a, b);
	free(a);
	free(b);
	eng_rollout_free(fresh);

	/* windows ending 110 ... 160 s pass; the pause ends at 130 s and the
	 * second at 160 s */
	for (int64_t t = S(110); t <= S(160); t += S(10)) {
		ok = fx_window((double)t / 1e9, 200, 0, 100);
		CU_ASSERT_EQUAL(eng_rollout_step(ro, t, &ok, &act), ENG_OK);
	}
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_PROMOTED);
	T_ASSERT_EQ_INT(eng_rollout_decision_ns(ro), S(160));
	eng_rollout_free(ro);
}

/* Retry of a rollout that was not aborted (here promoted) is logged and
 * changes nothing; so is one of a running rollout. */
static void test_retry_needs_an_abort(void)
{
	struct fx_config f;
	struct eng_action act;
	struct eng_rollout *ro;

	fx_config_init(&f);
	ro = fx_started(&f.cfg, &act);
	CU_ASSERT_EQUAL(eng_rollout_command(ro, S(5), ENG_CMD_RETRY, &act), ENG_OK);
	T_ASSERT_EQ_INT(act.kind, ENG_ACT_NONE);
	T_ASSERT_EQ_INT(eng_rollout_outcome(ro), ENG_OUTCOME_RUNNING);
	T_ASSERT_EQ_INT(count_rule(ro, ENG_RULE_OPERATOR, ENG_DECIDE_CONTINUE), 1);
	eng_rollout_free(ro);
}

/* A world that only keeps time and issues commands: the run loop must
 * carry out an abort at the first wake at or after its time (the window
 * ending at 20 s, for an abort at 12 s) and a retry during the
 * observation (at 40 s), after which the rollout runs again and is
 * promoted 60 s later, at 100 s. */
struct cmd_world {
	int64_t now_ns;
	double weight_pct;
	struct { enum eng_command cmd; int64_t at_ns; } cmds[2];
};

static enum eng_status cw_now(void *ctx, int64_t *t_ns)
{
	*t_ns = ((struct cmd_world *)ctx)->now_ns;
	return ENG_OK;
}

static enum eng_status cw_wait(void *ctx, int64_t t_ns)
{
	((struct cmd_world *)ctx)->now_ns = t_ns;
	return ENG_OK;
}

static enum eng_status cw_observe(void *ctx, struct eng_observation *obs)
{
	struct cmd_world *w = ctx;

	*obs = fx_window((double)(w->now_ns / S(10) * S(10)) / 1e9, 200, 0, 100);
	return ENG_OK;
}

static enum eng_status cw_apply(void *ctx, const struct eng_action *act)
{
	((struct cmd_world *)ctx)->weight_pct = act->weight_pct;
	return ENG_OK;
}

static enum eng_status cw_command(void *ctx, int64_t after_ns, enum eng_command *cmd,
				  int64_t *at_ns)
{
	struct cmd_world *w = ctx;

	*cmd = ENG_CMD_NONE;
	for (int i = 0; i < 2; i++)
		if (w->cmds[i].at_ns > after_ns && w->cmds[i].at_ns <= w->now_ns) {
			*cmd = w->cmds[i].cmd;
			*at_ns = w->cmds[i].at_ns;
			return ENG_OK;
		}
	return ENG_OK;
}

static const struct eng_world_ops cmd_world_ops = {
	.name = "commands", .now = cw_now, .wait_until = cw_wait,
	.observe = cw_observe, .apply = cw_apply, .command = cw_command,
};

static void test_run_loop_obeys(void)
{
	struct fx_config f;
	struct cmd_world w = { 0, 0.0, { { ENG_CMD_ABORT, S(12) }, { ENG_CMD_RETRY, S(40) } } };
	struct eng_world world = { &cmd_world_ops, &w };
	struct eng_run_opts opts = { .window_ns = S(10), .observe_after_ns = S(60) };
	struct eng_record rec;
	struct eng_rollout *ro;
	size_t aborts = 0, retries = 0;

	fx_config_init(&f);
	ro = eng_rollout_create(&f.cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ro);
	eng_record_init(&rec);
	CU_ASSERT_EQUAL_FATAL(eng_run(ro, &world, &opts, &rec), ENG_OK);
	for (size_t i = 0; i < rec.events.count; i++) {
		const struct eng_event *ev = &rec.events.events[i];

		if (ev->rule == ENG_RULE_OPERATOR && ev->action == ENG_DECIDE_ROLLBACK) {
			aborts++;
			T_ASSERT_EQ_INT(ev->t_ns, S(20));
		}
		if (ev->rule == ENG_RULE_OPERATOR && ev->action == ENG_DECIDE_RETRY) {
			retries++;
			T_ASSERT_EQ_INT(ev->t_ns, S(40));
		}
	}
	T_ASSERT_EQ_INT(aborts, 1);
	T_ASSERT_EQ_INT(retries, 1);
	T_ASSERT_EQ_INT(rec.outcome, ENG_OUTCOME_PROMOTED);
	T_ASSERT_EQ_INT(rec.decision_ns, S(100));
	T_ASSERT_NEAR(w.weight_pct, 100.0, 0.0);
	T_ASSERT_EQ_INT(rec.first_traffic_ns, 0);
	eng_record_free(&rec);
	eng_rollout_free(ro);
}

int t_suite_operator(void)
{
	static const struct t_case cases[] = {
		{ "abort: all traffic back at once", test_abort },
		{ "abort during a gradual rollback", test_abort_during_gradual_rollback },
		{ "retry: a new start", test_retry_is_a_new_start },
		{ "retry needs an abort", test_retry_needs_an_abort },
		{ "the run loop carries commands out", test_run_loop_obeys },
		{ NULL, NULL }
	};

	return t_add_suite("operator", cases);
}
