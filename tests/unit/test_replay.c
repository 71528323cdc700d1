/* replay/: the CSV and Prometheus readers (good inputs, and bad ones with
 * their exact messages), the replay world, and replays of the hand-made
 * recordings in tests/data whose decisions are worked out by hand. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/record.h"
#include "engine/run.h"
#include "replay/csv_in.h"
#include "replay/prometheus.h"
#include "replay/world.h"
#include "scenario/scenario.h"
#include "tools/failalloc/failalloc.h"
#include "tests/unit/helpers.h"

#define S(x) ((int64_t)(x) * ENG_NS_PER_S)

static const struct replay_prom_labels labels = { "version", { "stable", "canary" } };

/* The hand-made Prometheus responses of tests/data. */
static const struct replay_prom_input hand_prom[] = {
	{ REPLAY_F_REQUESTS, "tests/data/replay-prom-requests.json" },
	{ REPLAY_F_ERRORS, "tests/data/replay-prom-errors.json" },
	{ REPLAY_F_P99_MS, "tests/data/replay-prom-p99.json" },
};

/* Writes text to a fresh file; its name in path (size 64). */
static void write_temp(char *path, const char *text)
{
	int fd;
	FILE *f;

	snprintf(path, 64, "/tmp/rollsim-replay-XXXXXX");
	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs(text, f);
	fclose(f);
}

/* Reads CSV text; expects it refused with `want` (after "FILE:") as its
 * first problem. */
static void csv_refused(const char *text, const char *want)
{
	struct scn_diag d;
	struct replay_series *s = (struct replay_series *)&d;
	char path[64], full[256];

	write_temp(path, text);
	scn_diag_init(&d);
	T_ASSERT_EQ_INT(replay_read_csv(path, &d, &s), REPLAY_EINVAL);
	CU_ASSERT_PTR_NULL(s);
	snprintf(full, sizeof(full), "%s:%s", path, want);
	T_ASSERT_STR_EQ(d.count > 0 ? d.lines[0] : "(none)", full);
	scn_diag_free(&d);
	unlink(path);
}

static void test_csv_good(void)
{
	struct scn_diag d;
	struct replay_series *s;
	const struct eng_window_metrics *c;

	scn_diag_init(&d);
	T_ASSERT_EQ_INT(replay_read_csv("tests/data/replay-bad.csv", &d, &s), REPLAY_OK);
	T_ASSERT_EQ_INT(d.count, 0);
	T_ASSERT_EQ_INT(replay_series_count(s), 4);          /* t_s 10, 20, 30, 40 */
	T_ASSERT_EQ_INT(replay_series_step_ns(s), S(10));
	T_ASSERT_EQ_INT(replay_series_end_ns(s, 0), S(10));
	c = replay_series_get(s, 1, ENG_CANARY);             /* canary,20,200,14,140 */
	T_ASSERT_EQ_INT(c->requests, 200);
	T_ASSERT_EQ_INT(c->errors, 14);
	T_ASSERT_NEAR(c->error_rate_frac, 0.07, 1e-15);      /* 14 / 200 */
	T_ASSERT_NEAR(c->p99_ms, 140.0, 0.0);
	CU_ASSERT(isnan(c->mean_ms));                        /* no column: no data */
	/* the canary row comes first at t_s 30: rows in any order in a window */
	T_ASSERT_EQ_INT(replay_series_get(s, 2, ENG_STABLE)->requests, 800);
	replay_series_free(s);
	scn_diag_free(&d);
}

static void test_csv_bad(void)
{
	csv_refused("t_s,version,requests,errors,p99\n10,stable,1,0,1\n",
		    "1:5: unknown column 'p99'; did you mean 'p99_ms'?");
	csv_refused("t_s,version,requests\n10,stable,1\n",
		    "1: no column 'errors'; expected the columns t_s, version, requests and errors (the others are optional)");
	csv_refused("t_s,version,requests,errors\n10,stable,10,0\n10,canary,abc,0\n",
		    "3:3: 'abc' is not a number; expected a count (a number at least 0)");
	csv_refused("t_s,version,requests,errors\n10,blue,10,0\n",
		    "2:2: version 'blue' is not known; expected stable or canary");
	csv_refused("t_s,version,requests,errors\n10,stable,10,0\n10,canary,10,12\n"
		    "20,stable,10,0\n20,canary,10,0\n",
		    "3:4: errors 12 is more than requests 10; expected at most the requests");
	/* 10 then 20 make the step 10 s; 35 comes 15 s after 20 */
	csv_refused("t_s,version,requests,errors\n10,stable,1,0\n10,canary,1,0\n"
		    "20,stable,1,0\n20,canary,1,0\n35,stable,1,0\n35,canary,1,0\n",
		    "6:1: t_s 35 is 15 s after the previous window's 20; expected the step of the first two windows, 10 s");
	csv_refused("t_s,version,requests,errors\n10,stable,1,0\n10,canary,1,0\n"
		    "20,stable,1,0\n30,stable,1,0\n30,canary,1,0\n",
		    "4: the window ending at t_s 20 has no canary row; expected a stable and a canary row per window");
	csv_refused("t_s,version,requests,errors\n10,stable,1,0\n10,stable,1,0\n",
		    "3: a second stable row for this window (the first is at line 2); expected one row per version per window");
	csv_refused("t_s,version,requests,errors\n10,stable,1\n",
		    "2: 3 fields; expected 4, as in the header");
	csv_refused("t_s,version,requests,errors\n10,stable,,0\n",
		    "2:3: requests is empty; expected a count (a number at least 0) (the column is required in every row)");
}

/* Text in memory reads as a file does (found by tests/fuzz): a recording
 * may start before 0 (its series' bound overflowed and a good recording
 * read as out of memory), and times are refused beyond +-4.6e9 s, where
 * two of them, in ns, could differ by more than INT64_MAX. */
static void test_csv_text(void)
{
	static const char neg[] = "t_s,version,requests,errors\n-20,stable,1,0\n-20,canary,1,0\n"
				  "-10,stable,1,0\n-10,canary,1,0\nnot read";
	static const char wide[] = "t_s,version,requests,errors\n-4.6e9,stable,1,0\n"
				   "-4.6e9,canary,1,0\n4.6e9,stable,1,0\n4.6e9,canary,1,0\n";
	static const char far[] = "t_s,version,requests,errors\n-9e9,stable,1,0\n"
				  "-9e9,canary,1,0\n9e9,stable,1,0\n9e9,canary,1,0\n";
	struct scn_diag d;
	struct replay_series *s;

	scn_diag_init(&d);
	/* the length ends the text: "not read" is left out */
	T_ASSERT_EQ_INT(replay_read_csv_text(neg, sizeof(neg) - 1 - strlen("not read"), "neg.csv",
					     &d, &s), REPLAY_OK);
	T_ASSERT_EQ_INT(d.count, 0);
	T_ASSERT_EQ_INT(replay_series_count(s), 2);
	T_ASSERT_EQ_INT(replay_series_step_ns(s), S(10));      /* -10 - -20 */
	T_ASSERT_EQ_INT(replay_series_end_ns(s, 0), S(-20));
	T_ASSERT_EQ_INT(replay_series_end_ns(s, 1), S(-10));
	replay_series_free(s);
	/* the widest: 9.2e18 ns from the first window to the second */
	T_ASSERT_EQ_INT(replay_read_csv_text(wide, strlen(wide), "wide.csv", &d, &s), REPLAY_OK);
	T_ASSERT_EQ_INT(replay_series_step_ns(s), 9200000000000000000LL);
	T_ASSERT_EQ_INT(replay_series_end_ns(s, 1), 4600000000000000000LL);
	replay_series_free(s);
	T_ASSERT_EQ_INT(replay_read_csv_text(far, strlen(far), "far.csv", &d, &s), REPLAY_EINVAL);
	CU_ASSERT_PTR_NULL(s);
	T_ASSERT_STR_EQ(d.count > 0 ? d.lines[0] : "(none)",
			"far.csv:2:1: t_s '-9e9' is not a time; expected the window's end, s");
	scn_diag_free(&d);
}

static void prom_refused(const char *text, enum replay_field f, const char *want)
{
	struct replay_prom_input in[2] = {
		{ REPLAY_F_REQUESTS, "tests/data/replay-prom-requests.json" },
		{ f, NULL },
	};
	struct scn_diag d;
	struct replay_series *s;
	char path[64], full[300];

	write_temp(path, text);
	in[1].path = path;
	scn_diag_init(&d);
	T_ASSERT_EQ_INT(replay_read_prometheus(in, 2, &labels, &d, &s), REPLAY_EINVAL);
	CU_ASSERT_PTR_NULL(s);
	snprintf(full, sizeof(full), "%s: %s", path, want);
	T_ASSERT_STR_EQ(d.count > 0 ? d.lines[0] : "(none)", full);
	scn_diag_free(&d);
	unlink(path);
}

static void test_prometheus_good(void)
{
	struct scn_diag d;
	struct replay_series *s;

	scn_diag_init(&d);
	T_ASSERT_EQ_INT(replay_read_prometheus(hand_prom, 3, &labels, &d, &s), REPLAY_OK);
	T_ASSERT_EQ_INT(d.count, 0);
	T_ASSERT_EQ_INT(replay_series_count(s), 6);         /* 1700000010..060 */
	T_ASSERT_EQ_INT(replay_series_step_ns(s), S(10));
	T_ASSERT_EQ_INT(replay_series_end_ns(s, 0), S(1700000010));
	T_ASSERT_EQ_INT(replay_series_get(s, 0, ENG_CANARY)->requests, 200); /* "199.6" rounded */
	/* "NaN" at 1700000020 and no point at 1700000030: no data */
	CU_ASSERT(isnan(replay_series_get(s, 1, ENG_CANARY)->error_rate_frac));
	CU_ASSERT(isnan(replay_series_get(s, 2, ENG_CANARY)->error_rate_frac));
	T_ASSERT_NEAR(replay_series_get(s, 3, ENG_CANARY)->error_rate_frac, 0.01, 1e-15); /* 5 / 500 */
	replay_series_free(s);
	scn_diag_free(&d);
}

#define PROM_HEAD "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":["
static void test_prometheus_bad(void)
{
	prom_refused(PROM_HEAD "{\"metric\":{\"version\":\"stable\"},\"values\":[[1700000010,\"1\"]]},"
		     "{\"metric\":{\"version\":\"canary\"},\"values\":[[1700000010,\"1\"],[1700000020,\"1\"],"
		     "[1700000030,\"1\"],[1700000040,\"abc\"]]}]}}",
		     REPLAY_F_ERRORS,
		     "data.result[1].values[3][1]: \"abc\" is not a number; expected a count (a number at least 0)");
	prom_refused("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}",
		     REPLAY_F_ERRORS,
		     "data.resultType: \"vector\" is not a range query's result; expected \"matrix\" (from /api/v1/query_range)");
	prom_refused(PROM_HEAD "{\"metric\":{\"version\":\"blue\"},\"values\":[]}]}}",
		     REPLAY_F_ERRORS,
		     "data.result[0].metric.version: \"blue\" is not a version; expected \"stable\" or \"canary\" (--stable-value, --canary-value)");
	prom_refused(PROM_HEAD "{\"metric\":{\"job\":\"web\"},\"values\":[]}]}}",
		     REPLAY_F_ERRORS,
		     "data.result[0].metric.version: missing; expected the label that names the version, \"stable\" or \"canary\" (--version-label NAME)");
	/* 7 errors against 800 requests is fine; 900 is more */
	prom_refused(PROM_HEAD "{\"metric\":{\"version\":\"stable\"},\"values\":[[1700000010,\"900\"]]}]}}",
		     REPLAY_F_ERRORS,
		     "data.result[0].values[0][1]: errors 900 is more than requests 800 (tests/data/replay-prom-requests.json: data.result[0].values[0][1]); expected at most the requests");
	/* 146 years from 1970 at most, as the CSV reader: 5e9 s would let two
	 * times lie more than 2^63 ns apart */
	prom_refused(PROM_HEAD "{\"metric\":{\"version\":\"stable\"},\"values\":[[5e9,\"1\"]]}]}}",
		     REPLAY_F_ERRORS,
		     "data.result[0].values[0][0]: 5e+09 is not a time; expected Unix seconds");
	prom_refused(PROM_HEAD "{\"metric\":{\"version\":\"stable\"},\"values\":[[1700000015,\"1\"]]}]}}",
		     REPLAY_F_ERRORS,
		     "data.result[0].values[0][0]: 1700000015 is not on the grid of the other points (every 10 s from 1700000010); expected one step in every response");
}

static void test_prometheus_inputs(void)
{
	const struct replay_prom_input in[] = {
		{ REPLAY_F_REQUESTS, "tests/data/replay-prom-requests.json" },
		{ REPLAY_F_REQUESTS, "tests/data/replay-prom-errors.json" },
	};
	struct scn_diag d;
	struct replay_series *s;

	scn_diag_init(&d);
	T_ASSERT_EQ_INT(replay_read_prometheus(in, 2, &labels, &d, &s), REPLAY_EINVAL);
	T_ASSERT_EQ_INT(d.count, 2);
	T_ASSERT_STR_EQ(d.lines[0], "--prometheus requests=tests/data/replay-prom-errors.json: requests given twice; expected each metric once");
	T_ASSERT_STR_EQ(d.lines[1], "--prometheus: no errors=FILE or error_rate=FILE; expected the errors per window of each version");
	scn_diag_free(&d);
}

/* A world over two windows of 10 s: nothing before the first closes, the
 * weight set is the weight observed, and time stops at the end, 20 s. */
static void test_world(void)
{
	struct replay_series *s = replay_series_create(S(110), S(10), 2);
	struct replay_world *w;
	struct eng_world world;
	struct eng_observation obs;
	struct eng_action act = { .kind = ENG_ACT_SET_WEIGHT, .weight_pct = 25.0 };
	int64_t t;

	CU_ASSERT_FATAL(s != NULL);
	replay_series_at(s, 1, ENG_CANARY)->requests = 7;
	replay_series_at(s, 1, ENG_STABLE)->requests = 3;
	w = replay_world_create(s);
	CU_ASSERT_FATAL(w != NULL);
	world = (struct eng_world){ &replay_world_ops, w };
	T_ASSERT_EQ_INT(replay_world_origin_ns(w), S(100));  /* 110 - 10 */
	T_ASSERT_EQ_INT(eng_world_now(&world, &t), ENG_OK);
	T_ASSERT_EQ_INT(t, 0);
	T_ASSERT_EQ_INT(eng_world_observe(&world, &obs), ENG_OK);
	T_ASSERT_EQ_INT(obs.window_ns, 0);                   /* no window closed yet */
	T_ASSERT_EQ_INT(eng_world_apply(&world, &act), ENG_OK);
	T_ASSERT_EQ_INT(eng_world_wait_until(&world, S(20)), ENG_OK);
	T_ASSERT_EQ_INT(eng_world_observe(&world, &obs), ENG_OK);
	T_ASSERT_EQ_INT(obs.t_ns, S(20));                    /* the second window */
	T_ASSERT_NEAR(obs.weight_pct, 25.0, 0.0);
	T_ASSERT_EQ_INT(obs.all.requests, 10);               /* 7 + 3 */
	T_ASSERT_EQ_INT(eng_world_wait_until(&world, S(30)), ENG_EEND);
	act.kind = ENG_ACT_SET_FLAGS;
	T_ASSERT_EQ_INT(eng_world_apply(&world, &act), ENG_ENOTSUP);
	replay_world_free(w);
	replay_series_free(s);
}

struct expect_event {
	double t_s;
	const char *rule, *action;
};

/* Replays `s` through tests/data/replay-deploy.json and compares the
 * events' times, rules and actions with want (n of them). */
static void replay_and_compare(struct replay_series *s, const struct expect_event *want,
			       size_t n, enum eng_outcome outcome, int64_t decision_ns)
{
	static const struct scn_load_opts opts = { .world_optional = true };
	struct scn_scenario *sc;
	struct scn_diag d;
	struct eng_record rec;
	struct eng_rollout *ro;
	struct replay_world *w = replay_world_create(s);
	struct eng_world world = { &replay_world_ops, w };
	struct eng_run_opts ro_opts = { .window_ns = replay_series_step_ns(s) };

	scn_diag_init(&d);
	T_ASSERT_EQ_INT(scn_load_file_opts("tests/data/replay-deploy.json", &opts, &d, &sc), SCN_OK);
	CU_ASSERT_FATAL(sc != NULL && w != NULL);
	ro_opts.observe_after_ns = sc->observe_after_ns;
	ro = eng_rollout_create(&sc->rollout);
	CU_ASSERT_FATAL(ro != NULL);
	eng_record_init(&rec);
	T_ASSERT_EQ_INT(eng_run(ro, &world, &ro_opts, &rec), ENG_OK);
	T_ASSERT_EQ_INT(rec.outcome, outcome);
	T_ASSERT_EQ_INT(rec.decision_ns, decision_ns);
	T_ASSERT_EQ_INT(rec.events.count, n);
	for (size_t i = 0; i < n && i < rec.events.count; i++) {
		const struct eng_event *ev = &rec.events.events[i];

		T_ASSERT_NEAR((double)ev->t_ns / 1e9, want[i].t_s, 0.0);
		T_ASSERT_STR_EQ(eng_rule_name(ev->rule), want[i].rule);
		T_ASSERT_STR_EQ(eng_decision_name(ev->action), want[i].action);
	}
	eng_record_free(&rec);
	eng_rollout_free(ro);
	replay_world_free(w);
	scn_free(sc);
	scn_diag_free(&d);
}

/* tests/data/replay-bad.csv through replay-deploy.json (20% for 30 s, then
 * 50%; error rate at most 0.05 and p99 at most 300 ms on >= 50 canary
 * requests; failure limit 1, counted per check):
 *   0 s: set_weight 20, pause 30 s.
 *  10 s: canary 2/200 = 0.01 <= 0.05 pass; p99 130 <= 300 pass.
 *  20 s: 14/200 = 0.07 > 0.05 fail (error-rate failures 1); p99 140 pass.
 *  30 s: 12/200 = 0.06 fail (failures 2 > limit 1); p99 350 > 300 fail
 *        (its failures 1); failure_limit: roll back at 30 s, before the
 *        pause that ends then moves to 50%.
 * 9 events; rolled back at 30 s. */
static void test_replay_csv(void)
{
	static const struct expect_event want[] = {
		{ 0, "step", "set_weight" }, { 0, "step", "pause" },
		{ 10, "analysis", "continue" }, { 10, "analysis", "continue" },
		{ 20, "analysis", "continue" }, { 20, "analysis", "continue" },
		{ 30, "analysis", "continue" }, { 30, "analysis", "continue" },
		{ 30, "failure_limit", "rollback" },
	};
	struct scn_diag d;
	struct replay_series *s;

	scn_diag_init(&d);
	T_ASSERT_EQ_INT(replay_read_csv("tests/data/replay-bad.csv", &d, &s), REPLAY_OK);
	replay_and_compare(s, want, sizeof(want) / sizeof(want[0]),
			   ENG_OUTCOME_ROLLED_BACK, S(30));
	replay_series_free(s);
	scn_diag_free(&d);
}

/* tests/data/replay-prom-*.json (windows ending 1700000010..060, so the
 * replay's 0 is 1700000000) through the same deployment:
 *  10 s: 2/200 = 0.01 pass; p99 130 pass.
 *  20 s: errors "NaN": no data, result error (not a failure); p99 pass.
 *  30 s: no errors point: no data again (2 in a row, under Argo's
 *        consecutive error limit 4); p99 pass; the pause ends: set_weight
 *        50, pause 30 s.
 *  40, 50, 60 s: 5/500 = 0.01 pass; p99 130 pass.
 *  60 s: the pause ends, no step left: promote.
 * 17 events; promoted at 60 s. */
static void test_replay_prometheus(void)
{
	static const struct expect_event want[] = {
		{ 0, "step", "set_weight" }, { 0, "step", "pause" },
		{ 10, "analysis", "continue" }, { 10, "analysis", "continue" },
		{ 20, "analysis", "continue" }, { 20, "analysis", "continue" },
		{ 30, "analysis", "continue" }, { 30, "analysis", "continue" },
		{ 30, "step", "set_weight" }, { 30, "step", "pause" },
		{ 40, "analysis", "continue" }, { 40, "analysis", "continue" },
		{ 50, "analysis", "continue" }, { 50, "analysis", "continue" },
		{ 60, "analysis", "continue" }, { 60, "analysis", "continue" },
		{ 60, "steps_complete", "promote" },
	};
	struct scn_diag d;
	struct replay_series *s;

	scn_diag_init(&d);
	T_ASSERT_EQ_INT(replay_read_prometheus(hand_prom, 3, &labels, &d, &s), REPLAY_OK);
	replay_and_compare(s, want, sizeof(want) / sizeof(want[0]),
			   ENG_OUTCOME_PROMOTED, S(60));
	replay_series_free(s);
	scn_diag_free(&d);
}

/* The first two windows of replay-bad.csv only: the recording ends at
 * 20 s, before any decision; the run stops there, not failing. */
static void test_replay_runs_out(void)
{
	static const struct expect_event want[] = {
		{ 0, "step", "set_weight" }, { 0, "step", "pause" },
		{ 10, "analysis", "continue" }, { 10, "analysis", "continue" },
		{ 20, "analysis", "continue" }, { 20, "analysis", "continue" },
	};
	struct scn_diag d;
	struct replay_series *full, *s;

	scn_diag_init(&d);
	T_ASSERT_EQ_INT(replay_read_csv("tests/data/replay-bad.csv", &d, &full), REPLAY_OK);
	s = replay_series_create(S(10), S(10), 2);
	CU_ASSERT_FATAL(s != NULL);
	for (size_t i = 0; i < 2; i++)
		for (int v = 0; v < ENG_NVERSIONS; v++)
			*replay_series_at(s, i, (enum eng_version)v) =
				*replay_series_get(full, i, (enum eng_version)v);
	replay_and_compare(s, want, sizeof(want) / sizeof(want[0]),
			   ENG_OUTCOME_RUNNING, -1);
	replay_series_free(s);
	replay_series_free(full);
	scn_diag_free(&d);
}

/* A deployment-only file loads with world_optional, and not without. */
static void test_load_world_optional(void)
{
	static const struct scn_load_opts opts = { .world_optional = true };
	struct scn_scenario *sc;
	struct scn_diag d;

	scn_diag_init(&d);
	T_ASSERT_EQ_INT(scn_load_file_opts("tests/data/replay-deploy.json", &opts, &d, &sc), SCN_OK);
	CU_ASSERT_FALSE(sc->has_world);
	scn_free(sc);
	T_ASSERT_EQ_INT(scn_load_file("tests/data/replay-deploy.json", &d, &sc), SCN_EINVAL);
	T_ASSERT_EQ_INT(d.count, 2);
	T_ASSERT_STR_EQ(d.lines[0], "tests/data/replay-deploy.json: traffic: missing; expected an object");
	T_ASSERT_STR_EQ(d.lines[1], "tests/data/replay-deploy.json: versions: missing; expected an object");
	scn_diag_free(&d);
	/* a file that gives its world has it checked as ever */
	T_ASSERT_EQ_INT(scn_load_file_opts("scenarios/canary-good.json", &opts, &d, &sc), SCN_OK);
	CU_ASSERT(sc->has_world);
	scn_free(sc);
	scn_diag_free(&d);
}

/* Reads the hand-made CSV (csv true) or Prometheus responses with the nth
 * allocation failing: REPLAY_OK, or REPLAY_ENOMEM with nothing made (the
 * sanitizer build checks nothing leaks). Returns whether it failed. */
static bool read_failing(bool csv, size_t nth)
{
	struct scn_diag d;
	struct replay_series *s;
	enum replay_status st;
	bool failed;

	scn_diag_init(&d);
	failalloc_at(nth);
	st = csv ? replay_read_csv("tests/data/replay-bad.csv", &d, &s)
		 : replay_read_prometheus(hand_prom, 3, &labels, &d, &s);
	failed = failalloc_failed();
	failalloc_at(0);
	if (failed) {
		T_ASSERT_EQ_INT(st, REPLAY_ENOMEM);
		CU_ASSERT_PTR_NULL(s);
	} else {
		T_ASSERT_EQ_INT(st, REPLAY_OK);
	}
	replay_series_free(st == REPLAY_OK ? s : NULL);
	scn_diag_free(&d);
	return failed;
}

static void test_allocation_failures(void)
{
	for (int csv = 0; csv < 2; csv++) {
		size_t n = 1;

		while (read_failing(csv, n) && n < 1000)
			n++;
		CU_ASSERT(n > 1); /* at least one allocation was made to fail */
	}
}

int t_suite_replay(void)
{
	static const struct t_case cases[] = {
		{ "CSV: a good recording", test_csv_good },
		{ "CSV: bad recordings, with their messages", test_csv_bad },
		{ "CSV: text in memory, times before 0 and far apart", test_csv_text },
		{ "Prometheus: good responses", test_prometheus_good },
		{ "Prometheus: bad responses, with their messages", test_prometheus_bad },
		{ "Prometheus: each metric once, requests and errors given", test_prometheus_inputs },
		{ "the replay world", test_world },
		{ "replay of the hand-made CSV", test_replay_csv },
		{ "replay of the hand-made Prometheus responses", test_replay_prometheus },
		{ "a recording that ends before the decision", test_replay_runs_out },
		{ "a deployment-only scenario file", test_load_world_optional },
		{ "every allocation failure of the readers is clean", test_allocation_failures },
		{ NULL, NULL }
	};

	return t_add_suite("replay", cases);
}
