/* scenario/: defaults, inheritance, ground truth, and one diagnostic per
 * problem naming the JSON path or the line and column. */
#include <stdlib.h>
#include <unistd.h>

#include "scenario/scenario.h"
#include "scenario/simulate.h"
#include "tests/unit/helpers.h"

#define MINIMAL                                                                \
	"{\"traffic\": {\"rate_rps\": 100},"                                   \
	" \"versions\": {\"stable\": {\"instances\": 2, \"concurrency\": 4,"   \
	"   \"service_time\": {\"dist\": \"lognormal\", \"median_ms\": 30, \"sigma\": 0.4}}},"

static enum scn_status load(const char *text, struct scn_diag *d,
			    struct scn_scenario **s)
{
	scn_diag_init(d);
	return scn_load_text(text, strlen(text), "t/mini.json", d, s);
}

static void test_minimal_with_defaults(void)
{
	const char *text = MINIMAL
		" \"deployment\": {\"steps\": [{\"set_weight\": 20}, {\"pause\": {\"duration_s\": 30}}],"
		"   \"analysis\": {\"metrics\": [{\"metric\": \"error_rate\", \"max\": 0.02}]}}}";
	struct scn_scenario *s;
	struct scn_diag d;

	T_ASSERT_EQ_INT(load(text, &d, &s), SCN_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	T_ASSERT_STR_EQ(s->name, "mini");          /* from the file name */
	T_ASSERT_EQ_INT(s->seed, 1);
	T_ASSERT_EQ_INT(s->sim.window_ns, 10 * ENG_NS_PER_S);
	T_ASSERT_EQ_INT(s->observe_after_ns, 60 * ENG_NS_PER_S);
	T_ASSERT_EQ_INT(s->rollout.analysis.interval_ns, 10 * ENG_NS_PER_S);
	T_ASSERT_EQ_INT(s->rollout.analysis.min_requests, 20);
	T_ASSERT_EQ_INT(s->rollout.analysis.failure_limit, 0);
	T_ASSERT_EQ_INT(s->rollout.progress_deadline_ns, 3600 * ENG_NS_PER_S);
	T_ASSERT_EQ_INT(s->rollout.nsteps, 2);
	T_ASSERT_EQ_INT(s->rollout.steps[1].duration_ns, 30 * ENG_NS_PER_S);
	T_ASSERT_STR_EQ(s->rollout.analysis.checks[0].name, "error_rate");
	/* the bookkeeping defaults: Argo's, with no inconclusive limit */
	T_ASSERT_EQ_INT(s->rollout.analysis.mode, ENG_MODE_ARGO);
	T_ASSERT_EQ_INT(s->rollout.analysis.consecutive_error_limit, 4);
	T_ASSERT_EQ_INT(s->rollout.analysis.consecutive_failure_limit, 0);
	T_ASSERT_EQ_INT(s->rollout.analysis.inconclusive_limit, 0);
	T_ASSERT_EQ_INT(s->rollout.analysis.consecutive_success_limit, 0);
	T_ASSERT_EQ_INT(s->rollout.analysis.checks[0].min_requests, 20);
	T_ASSERT_EQ_INT(s->rollout.analysis.checks[0].no_data, ENG_NO_DATA_ERROR);
	CU_ASSERT_FALSE(s->rollout.analysis.checks[0].has_max_ratio);
	T_ASSERT_NEAR(s->slo.availability_frac, 0.99, 0.0);
	T_ASSERT_NEAR(s->slo.latency_quantile, 0.99, 0.0);
	/* the canary inherits the stable version whole */
	T_ASSERT_EQ_INT(s->sim.version[ENG_CANARY].instances, 2);
	T_ASSERT_NEAR(s->sim.version[ENG_CANARY].service.median_ms, 30.0, 0.0);
	CU_ASSERT_FALSE(s->canary_bad);             /* identical versions */
	CU_ASSERT_FALSE(s->has_expect);
	CU_ASSERT(scn_diag_empty(&d));
	scn_free(s);
	scn_diag_free(&d);
}

/* A canary that only states a higher error rate keeps the rest and is bad
 * by derivation; a slower canary is bad too; ground_truth overrides. */
static void test_inheritance_and_ground_truth(void)
{
	const char *worse_errors = MINIMAL
		" \"versions\": {\"stable\": {\"instances\": 2, \"concurrency\": 4,"
		"   \"service_time\": {\"dist\": \"lognormal\", \"median_ms\": 30, \"sigma\": 0.4},"
		"   \"errors\": {\"rate\": 0.001}},"
		"  \"canary\": {\"errors\": {\"rate\": 0.01}}},"
		" \"deployment\": {\"steps\": [{\"set_weight\": 100}]}}";
	struct scn_scenario *s;
	struct scn_diag d;

	/* MINIMAL's "versions" is given twice here: that is itself an error */
	T_ASSERT_EQ_INT(load(worse_errors, &d, &s), SCN_EINVAL);
	T_ASSERT_CONTAINS(d.lines[0], "versions: key given twice");
	scn_diag_free(&d);

	const char *ok = "{\"traffic\": {\"rate_rps\": 100},"
		" \"versions\": {\"stable\": {\"instances\": 2, \"concurrency\": 4,"
		"   \"service_time\": {\"dist\": \"lognormal\", \"median_ms\": 30, \"sigma\": 0.4},"
		"   \"errors\": {\"rate\": 0.001}},"
		"  \"canary\": {\"errors\": {\"rate\": 0.01}}},"
		" \"deployment\": {\"steps\": [{\"set_weight\": 100}]}}";

	T_ASSERT_EQ_INT(load(ok, &d, &s), SCN_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	T_ASSERT_EQ_INT(s->sim.version[ENG_CANARY].instances, 2);
	T_ASSERT_NEAR(s->sim.version[ENG_CANARY].errors.rate_frac, 0.01, 0.0);
	CU_ASSERT(s->canary_bad);
	CU_ASSERT_FALSE(s->canary_bad_stated);
	scn_free(s);
	scn_diag_free(&d);

	const char *slow_ok = "{\"traffic\": {\"rate_rps\": 100},"
		" \"versions\": {\"stable\": {\"instances\": 2, \"concurrency\": 4,"
		"   \"service_time\": {\"dist\": \"lognormal\", \"median_ms\": 30, \"sigma\": 0.4}},"
		"  \"canary\": {\"service_time\": {\"dist\": \"lognormal\", \"median_ms\": 30, \"sigma\": 0.6}}},"
		" \"deployment\": {\"steps\": [{\"set_weight\": 100}]}}";

	T_ASSERT_EQ_INT(load(slow_ok, &d, &s), SCN_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT(s->canary_bad);                   /* p99 30e^(2.326*0.6) > 30e^(2.326*0.4) */
	scn_free(s);
	scn_diag_free(&d);

	/* a stated ground truth wins over the derivation */
	char stated[1024];

	snprintf(stated, sizeof(stated), "%.*s, \"ground_truth\": {\"canary_bad\": false}}",
		 (int)strlen(slow_ok) - 1, slow_ok);
	T_ASSERT_EQ_INT(load(stated, &d, &s), SCN_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_FALSE(s->canary_bad);
	CU_ASSERT(s->canary_bad_stated);
	scn_free(s);
	scn_diag_free(&d);
}

/* Every problem gets its own line with its path; nothing is returned. */
static void test_every_problem_reported(void)
{
	const char *text = MINIMAL
		" \"deployment\": {\"stepz\": 1, \"steps\": [{\"set_weight\": 10},"
		"   {\"pause\": {\"duration_s\": \"long\"}}, {\"set_weight\": 140}],"
		"   \"analysis\": {\"metrics\": [{\"metric\": \"p98_ms\", \"max\": 3}]}}}";
	struct scn_scenario *s = (struct scn_scenario *)1;
	struct scn_diag d;

	T_ASSERT_EQ_INT(load(text, &d, &s), SCN_EINVAL);
	CU_ASSERT_PTR_NULL(s);
	T_ASSERT_EQ_INT(d.count, 4);
	T_ASSERT_STR_EQ(d.lines[0], "t/mini.json: deployment.stepz: unknown key; expected one of: strategy, steps, step_weight, max_weight, step_weights, analysis, triggers, rollback, compatibility, smoke_tests, error_budget, progress_deadline_s, bluegreen, flags; did you mean 'steps'?");
	T_ASSERT_STR_EQ(d.lines[1], "t/mini.json: deployment.steps[1].pause.duration_s: found a string, expected a number");
	T_ASSERT_STR_EQ(d.lines[2], "t/mini.json: deployment.steps[2].set_weight: 140 is out of range 0..100");
	T_ASSERT_CONTAINS(d.lines[3], "deployment.analysis.metrics[0].metric: \"p98_ms\" is not known; expected one of: error_rate,");
	scn_diag_free(&d);
}

static void test_missing_and_wrong_types(void)
{
	const char *text = "{\"versions\": [], \"deployment\": {\"steps\": []},"
			   " \"run\": {\"window_s\": 0, \"seed\": 1.5}}";
	struct scn_scenario *s;
	struct scn_diag d;

	T_ASSERT_EQ_INT(load(text, &d, &s), SCN_EINVAL);
	T_ASSERT_EQ_INT(d.count, 5);
	T_ASSERT_STR_EQ(d.lines[0], "t/mini.json: run.seed: 1.5 is not a whole number");
	T_ASSERT_STR_EQ(d.lines[1], "t/mini.json: run.window_s: 0 is out of range 0.001..3600");
	T_ASSERT_STR_EQ(d.lines[2], "t/mini.json: traffic: missing; expected an object");
	T_ASSERT_STR_EQ(d.lines[3], "t/mini.json: versions: found an array, expected an object");
	T_ASSERT_STR_EQ(d.lines[4], "t/mini.json: deployment.steps: 0 steps; expected 1..1000");
	scn_diag_free(&d);
}

/* Syntax errors give line and column; trailing text is an error too. */
static void test_syntax_errors(void)
{
	const char *text = "{\n  \"traffic\": {\"rate_rps\": 100}\n  \"versions\": {}\n}";
	struct scn_scenario *s;
	struct scn_diag d;

	T_ASSERT_EQ_INT(load(text, &d, &s), SCN_EINVAL);
	T_ASSERT_EQ_INT(d.count, 1);
	T_ASSERT_CONTAINS(d.lines[0], "t/mini.json:3:3: invalid JSON near '\"versions\": {}'");
	scn_diag_free(&d);

	T_ASSERT_EQ_INT(load("{} x", &d, &s), SCN_EINVAL);
	T_ASSERT_CONTAINS(d.lines[0], "t/mini.json:1:4: invalid JSON near 'x'");
	scn_diag_free(&d);

	/* cJSON stops at the last character of a truncated text: reported as
	 * an early end at the end of the text (line 1, column 12) */
	T_ASSERT_EQ_INT(load("{\"name\":\"x\"", &d, &s), SCN_EINVAL);
	T_ASSERT_CONTAINS(d.lines[0], "t/mini.json:1:12: invalid JSON: the text ends too early");
	scn_diag_free(&d);

	T_ASSERT_EQ_INT(load("", &d, &s), SCN_EINVAL);
	T_ASSERT_CONTAINS(d.lines[0], "t/mini.json:1:1: invalid JSON: the text ends too early");
	scn_diag_free(&d);

	T_ASSERT_EQ_INT(load("[1, 2]", &d, &s), SCN_EINVAL);
	T_ASSERT_STR_EQ(d.lines[0], "t/mini.json: (top level): found an array, expected a JSON object");
	scn_diag_free(&d);
}

static void test_semantic_checks(void)
{
	const char *text = MINIMAL
		" \"name\": \"bad name!\","
		" \"slo\": {\"latency_quantile\": 0.9},"
		" \"deployment\": {\"steps\": [{\"set_weight\": 10, \"pause\": {\"duration_s\": 1}}],"
		"   \"analysis\": {\"interval_s\": 5, \"metrics\": [{\"metric\": \"p99_ms\", \"min\": 9, \"max\": 3},"
		"     {\"metric\": \"error_rate\"}]}}}";
	struct scn_scenario *s;
	struct scn_diag d;

	T_ASSERT_EQ_INT(load(text, &d, &s), SCN_EINVAL);
	T_ASSERT_EQ_INT(d.count, 6);
	T_ASSERT_CONTAINS(d.lines[0], "t/mini.json: name: \"bad name!\" is not a valid name");
	T_ASSERT_CONTAINS(d.lines[1], "slo.latency_quantile: 0.9 is not kept per window");
	T_ASSERT_CONTAINS(d.lines[2], "deployment.steps[0]: expected exactly one of: set_weight, pause, analysis, approval");
	T_ASSERT_CONTAINS(d.lines[3], "deployment.analysis.interval_s: 5 is not a whole number of windows");
	T_ASSERT_CONTAINS(d.lines[4], "deployment.analysis.metrics[0]: min 9 is above max 3");
	T_ASSERT_CONTAINS(d.lines[5], "deployment.analysis.metrics[1]: no limit");
	scn_diag_free(&d);
}

/* An empirical distribution that fails to load is reported, not judged:
 * deriving the ground truth from it once read a NULL sample array. */
static void test_failed_empirical_is_reported(void)
{
	const char *text = "{\"traffic\": {\"rate_rps\": 10},"
		" \"versions\": {\"stable\": {\"instances\": 1, \"concurrency\": 4,"
		"   \"service_time\": {\"dist\": \"empirical\", \"file\": \"no-such.csv\"}},"
		"  \"canary\": {\"service_time\": {\"dist\": \"empirical\", \"samples_ms\": []}}},"
		" \"deployment\": {\"steps\": [{\"set_weight\": 10}]}}";
	struct scn_scenario *s;
	struct scn_diag d;

	T_ASSERT_EQ_INT(load(text, &d, &s), SCN_EINVAL);
	T_ASSERT_EQ_INT(d.count, 2);
	T_ASSERT_STR_EQ(d.lines[0], "t/mini.json: versions.stable.service_time.file: t/no-such.csv: cannot open: No such file or directory");
	T_ASSERT_STR_EQ(d.lines[1], "t/mini.json: versions.canary.service_time.samples_ms: empty; expected at least one sample");
	scn_diag_free(&d);
}

/* A trace CSV: a header row, then time and rate; a bad cell is reported
 * with the scenario's path and the CSV's line and column. */
static void test_trace_csv(void)
{
	char dir[] = "/tmp/rollsim-trace-XXXXXX", csv[64], json[64];
	struct scn_scenario *s;
	struct scn_diag d;
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(csv, sizeof(csv), "%s/trace.csv", dir);
	snprintf(json, sizeof(json), "%s/t.json", dir);
	f = fopen(csv, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("t_s,rate_rps\n0,10\n100,30\n", f);
	fclose(f);
	f = fopen(json, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("{\"traffic\": {\"profile\": \"trace\", \"file\": \"trace.csv\"},"
	      " \"versions\": {\"stable\": {\"instances\": 1, \"concurrency\": 4,"
	      "  \"service_time\": {\"dist\": \"constant\", \"value_ms\": 5}}},"
	      " \"deployment\": {\"steps\": [{\"set_weight\": 10}]}}", f);
	fclose(f);
	scn_diag_init(&d);
	T_ASSERT_EQ_INT(scn_load_file(json, &d, &s), SCN_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	T_ASSERT_EQ_INT(s->sim.traffic.npoints, 2);
	/* halfway between (0, 10) and (100, 30): 20 */
	T_ASSERT_NEAR(sim_traffic_rate_rps(&s->sim.traffic, 50.0), 20.0, 1e-12);
	scn_free(s);
	scn_diag_free(&d);

	f = fopen(csv, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("t_s,rate_rps\n0,10\n100,lots\n", f);
	fclose(f);
	scn_diag_init(&d);
	T_ASSERT_EQ_INT(scn_load_file(json, &d, &s), SCN_EINVAL);
	T_ASSERT_EQ_INT(d.count, 1);
	T_ASSERT_CONTAINS(d.lines[0], "t.json: traffic.file: ");
	T_ASSERT_CONTAINS(d.lines[0], "trace.csv:3:2: 'lots' is not a number; expected a number");
	scn_diag_free(&d);
	unlink(csv);
	unlink(json);
	rmdir(dir);
}

/* Approval gates through the simulator: a canary at 10% waits for gate
 * "qa", which the scenario's simulated human approves at 45 s; the run
 * wakes at every window end, so the approval is acted on at 50 s and the
 * canary promoted then. Without the approval the deadline (120 s) ends it. */
static void test_approval_through_the_simulator(void)
{
	const char *with = MINIMAL
		" \"deployment\": {\"steps\": [{\"set_weight\": 10}, {\"approval\": {\"gate\": \"qa\"}},"
		"   {\"set_weight\": 100}], \"progress_deadline_s\": 120},"
		" \"approvals\": [{\"gate\": \"qa\", \"at_s\": 45}]}";
	const char *without = MINIMAL
		" \"deployment\": {\"steps\": [{\"set_weight\": 10}, {\"approval\": {\"gate\": \"qa\"}},"
		"   {\"set_weight\": 100}], \"progress_deadline_s\": 120}}";
	const enum scn_fidelity levels[2] = { SCN_FIDELITY_REQUEST, SCN_FIDELITY_WINDOW };
	struct scn_scenario *s;
	struct scn_diag d;

	for (int k = 0; k < 2; k++) {
		struct eng_record rec;

		T_ASSERT_EQ_INT(load(with, &d, &s), SCN_OK);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		eng_record_init(&rec);
		T_ASSERT_EQ_INT(scn_simulate(s, 1, levels[k], &rec), ENG_OK);
		T_ASSERT_EQ_INT(rec.outcome, ENG_OUTCOME_PROMOTED);
		T_ASSERT_EQ_INT(rec.decision_ns, 50 * ENG_NS_PER_S);
		eng_record_free(&rec);
		scn_free(s);
		scn_diag_free(&d);

		T_ASSERT_EQ_INT(load(without, &d, &s), SCN_OK);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		eng_record_init(&rec);
		T_ASSERT_EQ_INT(scn_simulate(s, 1, levels[k], &rec), ENG_OK);
		T_ASSERT_EQ_INT(rec.outcome, ENG_OUTCOME_TIMED_OUT);
		T_ASSERT_EQ_INT(rec.decision_ns, 120 * ENG_NS_PER_S);
		eng_record_free(&rec);
		scn_free(s);
		scn_diag_free(&d);
	}
}

/* Smoke tests through the simulator: login passes on its second attempt
 * (one retry allowed): promoted; passing only on the third: blocked. */
static void test_smoke_through_the_simulator(void)
{
	const char *fmt = MINIMAL
		" \"deployment\": {\"steps\": [{\"set_weight\": 100}],"
		"   \"smoke_tests\": [{\"name\": \"login\", \"critical\": true, \"retries\": 1}]},"
		" \"smoke_results\": {\"login\": %d}}";
	const int passes_on[2] = { 2, 3 };
	const enum eng_outcome want[2] = { ENG_OUTCOME_PROMOTED, ENG_OUTCOME_BLOCKED };

	for (int k = 0; k < 2; k++) {
		struct scn_scenario *s;
		struct scn_diag d;
		struct eng_record rec;
		char text[1024];

		snprintf(text, sizeof(text), fmt, passes_on[k]);
		T_ASSERT_EQ_INT(load(text, &d, &s), SCN_OK);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		eng_record_init(&rec);
		T_ASSERT_EQ_INT(scn_simulate(s, 1, SCN_FIDELITY_REQUEST, &rec), ENG_OK);
		T_ASSERT_EQ_INT(rec.outcome, want[k]);
		eng_record_free(&rec);
		scn_free(s);
		scn_diag_free(&d);
	}
}

/* Runs text in the simulator and returns the record's outcome; *decision
 * gets the decision time in seconds. */
static enum eng_outcome simulate_text(const char *text, double *decision_s)
{
	struct scn_scenario *s;
	struct scn_diag d;
	struct eng_record rec;
	enum eng_outcome out;

	T_ASSERT_EQ_INT(load(text, &d, &s), SCN_OK);
	for (size_t k = 0; k < d.count; k++)
		fprintf(stderr, "\n  %s", d.lines[k]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	eng_record_init(&rec);
	T_ASSERT_EQ_INT(scn_simulate(s, 1, SCN_FIDELITY_REQUEST, &rec), ENG_OK);
	out = rec.outcome;
	*decision_s = (double)rec.decision_ns / 1e9;
	eng_record_free(&rec);
	scn_free(s);
	scn_diag_free(&d);
	return out;
}

/* The error budget. 95% spent leaves 5% (below the 10% freeze, not below
 * the 5% floor): an ordinary release is blocked at 0 s, a critical one
 * goes ahead and is promoted. A canary failing every request at 50% gives
 * users a 50% error rate, 50 times the budget's rate (1 - 0.99): the page
 * alert (1 h / 5 min at 14.4, over the data seen so far) rolls back at the
 * first window, 10 s. */
static void test_error_budget(void)
{
	char text[1024];
	double t;
	const char *fmt = MINIMAL
		" \"slo\": {\"availability\": 0.99},"
		" \"versions\": {\"stable\": {\"instances\": 2, \"concurrency\": 4,"
		"   \"service_time\": {\"dist\": \"lognormal\", \"median_ms\": 30, \"sigma\": 0.4}},"
		"  \"canary\": {\"errors\": {\"rate\": %s}}},"
		" \"deployment\": {\"steps\": [{\"set_weight\": %s}, {\"pause\": {\"duration_s\": 60}}],"
		"   \"error_budget\": {\"spent_frac\": %s, \"critical\": %s}}}";

	/* MINIMAL brings a versions key of its own: drop it for these texts */
	const char *base = "{\"traffic\": {\"rate_rps\": 100},";

	snprintf(text, sizeof(text), fmt + strlen(MINIMAL), "0", "10", "0.95", "false");
	char full[1200];

	snprintf(full, sizeof(full), "%s%s", base, text);
	T_ASSERT_EQ_INT(simulate_text(full, &t), ENG_OUTCOME_BLOCKED);
	T_ASSERT_NEAR(t, 0.0, 0.0);
	snprintf(text, sizeof(text), fmt + strlen(MINIMAL), "0", "10", "0.95", "true");
	snprintf(full, sizeof(full), "%s%s", base, text);
	T_ASSERT_EQ_INT(simulate_text(full, &t), ENG_OUTCOME_PROMOTED);
	snprintf(text, sizeof(text), fmt + strlen(MINIMAL), "1", "50", "0", "false");
	snprintf(full, sizeof(full), "%s%s", base, text);
	T_ASSERT_EQ_INT(simulate_text(full, &t), ENG_OUTCOME_ROLLED_BACK);
	T_ASSERT_NEAR(t, 10.0, 0.0);
}

/* rollback_on_burn: false keeps the alerts from rolling back. The canary
 * fails every request at 50%: users see about 50% errors, a burn rate of
 * 0.5 / (1 - 0.99) = 50 over both windows of every page alert, far above
 * 14.4 from the first window. With the default (true) that rolls back at
 * 10 s; with false nothing else can, and the pause ends in promotion at
 * 60 s. */
static void test_no_rollback_on_burn(void)
{
	static const char *const fmt = "{\"traffic\": {\"rate_rps\": 100},"
		" \"versions\": {\"stable\": {\"instances\": 2, \"concurrency\": 4,"
		"   \"service_time\": {\"dist\": \"lognormal\", \"median_ms\": 30, \"sigma\": 0.4}},"
		"  \"canary\": {\"errors\": {\"rate\": 1}}},"
		" \"deployment\": {\"steps\": [{\"set_weight\": 50}, {\"pause\": {\"duration_s\": 60}}],"
		"   \"error_budget\": {\"rollback_on_burn\": %s}}}";
	char text[1024];
	double t = -1.0;

	snprintf(text, sizeof(text), fmt, "true");
	T_ASSERT_EQ_INT(simulate_text(text, &t), ENG_OUTCOME_ROLLED_BACK);
	T_ASSERT_NEAR(t, 10.0, 0.0);
	snprintf(text, sizeof(text), fmt, "false");
	T_ASSERT_EQ_INT(simulate_text(text, &t), ENG_OUTCOME_PROMOTED);
	T_ASSERT_NEAR(t, 60.0, 0.0);
}

/* S = 0.99 (MINIMAL's default SLO), 10 s windows: a page alert over
 * 10 min / 1 min at 10, and a ticket over 1 h / 10 min at 2.5. */
#define CUSTOM_ALERTS MINIMAL                                                  \
	" \"deployment\": {\"steps\": [{\"set_weight\": 10}],"                  \
	"   \"error_budget\": {\"alerts\": ["                                  \
	"     {\"name\": \"fast\", \"long_s\": 600, \"short_s\": 60, \"burn_rate\": 10},"      \
	"     {\"name\": \"slow\", \"severity\": \"ticket\", \"long_s\": 3600,"  \
	"      \"short_s\": 600, \"burn_rate\": 2.5}]}}}"

/* Alerts come from the file in the engine's units; without "alerts" the
 * Workbook's three stay; an empty list means none. Each mistake is
 * reported at its path, and the loader refuses what the engine would. */
static void test_budget_alerts(void)
{
	const char *absent = MINIMAL
		" \"deployment\": {\"steps\": [{\"set_weight\": 10}], \"error_budget\": {}}}";
	const char *empty = MINIMAL
		" \"deployment\": {\"steps\": [{\"set_weight\": 10}], \"error_budget\": {\"alerts\": []}}}";
	static const struct {
		const char *alerts, *line;
	} bad[] = {
		{ "[{\"name\": \"a\", \"long_s\": 605, \"short_s\": 60, \"burn_rate\": 10}]",
		  "t/mini.json: deployment.error_budget.alerts[0].long_s: 605 is not a whole number of windows (run.window_s = 10); expected 10, 20, 30, ..." },
		{ "[{\"name\": \"a\", \"long_s\": 600, \"short_s\": 1200, \"burn_rate\": 10}]",
		  "t/mini.json: deployment.error_budget.alerts[0]: short_s 1200 is longer than long_s 600; expected short_s <= long_s" },
		{ "[{\"name\": \"a\", \"long_s\": 600, \"short_s\": 0, \"burn_rate\": 10}]",
		  "t/mini.json: deployment.error_budget.alerts[0].short_s: 0 is out of range: expected more than 0 and at most 8640000" },
		{ "[{\"name\": \"a\", \"long_s\": 600, \"short_s\": 60, \"burn_rate\": 0}]",
		  "t/mini.json: deployment.error_budget.alerts[0].burn_rate: 0 is out of range: expected more than 0 and at most 1000000" },
		/* every request failing burns 1 / (1 - 0.99) = 100: never above 100 */
		{ "[{\"name\": \"a\", \"long_s\": 600, \"short_s\": 60, \"burn_rate\": 100}]",
		  "t/mini.json: deployment.error_budget.alerts[0].burn_rate: 100 can never fire: with slo.availability 0.99 the burn rate is at most 1 / (1 - 0.99) = 100; expected less" },
		{ "[{\"name\": \"a\", \"severity\": \"warn\", \"long_s\": 600, \"short_s\": 60, \"burn_rate\": 10}]",
		  "t/mini.json: deployment.error_budget.alerts[0].severity: \"warn\" is not known; expected one of: page, ticket" },
		{ "[{\"name\": \"a b\", \"long_s\": 600, \"short_s\": 60, \"burn_rate\": 10}]",
		  "t/mini.json: deployment.error_budget.alerts[0].name: \"a b\" is not a valid name; expected 1..47 of A-Z a-z 0-9 . _ -" },
		{ "[{\"name\": \"a\", \"long_s\": 600, \"short_s\": 60, \"burn_rate\": 10},"
		  " {\"name\": \"a\", \"long_s\": 60, \"short_s\": 10, \"burn_rate\": 20}]",
		  "t/mini.json: deployment.error_budget.alerts[1].name: \"a\" is the name of deployment.error_budget.alerts[0] too; expected a new name" },
		{ "[{\"name\": \"a\", \"long_s\": 600, \"short_s\": 60}]",
		  "t/mini.json: deployment.error_budget.alerts[0].burn_rate: missing; expected a number" },
		{ "[{\"name\": \"a\", \"long_s\": 600, \"short_s\": 60, \"burn_rat\": 10, \"burn_rate\": 10}]",
		  "t/mini.json: deployment.error_budget.alerts[0].burn_rat: unknown key; expected one of: name, severity, long_s, short_s, burn_rate; did you mean 'burn_rate'?" },
		{ "[1, 2, 3, 4, 5, 6, 7, 8, 9]",
		  "t/mini.json: deployment.error_budget.alerts: 9 alerts; expected 0..8" },
		{ "[\"page\"]",
		  "t/mini.json: deployment.error_budget.alerts[0]: found a string, expected an object such as {\"name\": \"page_1h\", \"long_s\": 3600, \"short_s\": 300, \"burn_rate\": 14.4}" },
	};
	const struct eng_budget_config *b;
	struct scn_scenario *s;
	struct scn_diag d;
	char text[1024];

	T_ASSERT_EQ_INT(load(CUSTOM_ALERTS, &d, &s), SCN_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	b = &s->rollout.budget;
	T_ASSERT_EQ_INT(b->nalerts, 2);
	T_ASSERT_STR_EQ(b->alerts[0].name, "fast");
	T_ASSERT_EQ_INT(b->alerts[0].severity, ENG_ALERT_PAGE); /* the default */
	T_ASSERT_EQ_INT(b->alerts[0].long_ns, 600 * ENG_NS_PER_S);
	T_ASSERT_EQ_INT(b->alerts[0].short_ns, 60 * ENG_NS_PER_S);
	T_ASSERT_NEAR(b->alerts[0].burn_rate, 10.0, 0.0);
	T_ASSERT_STR_EQ(b->alerts[1].name, "slow");
	T_ASSERT_EQ_INT(b->alerts[1].severity, ENG_ALERT_TICKET);
	T_ASSERT_EQ_INT(b->alerts[1].long_ns, 3600 * ENG_NS_PER_S);
	T_ASSERT_EQ_INT(b->alerts[1].short_ns, 600 * ENG_NS_PER_S);
	T_ASSERT_NEAR(b->alerts[1].burn_rate, 2.5, 0.0);
	scn_free(s);
	scn_diag_free(&d);

	T_ASSERT_EQ_INT(load(absent, &d, &s), SCN_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	b = &s->rollout.budget;
	T_ASSERT_EQ_INT(b->nalerts, 3); /* page 1 h / 5 min at 14.4, ... */
	T_ASSERT_STR_EQ(b->alerts[0].name, "page_1h");
	T_ASSERT_EQ_INT(b->alerts[0].long_ns, 3600 * ENG_NS_PER_S);
	T_ASSERT_EQ_INT(b->alerts[0].short_ns, 300 * ENG_NS_PER_S);
	T_ASSERT_NEAR(b->alerts[0].burn_rate, 14.4, 0.0);
	T_ASSERT_STR_EQ(b->alerts[1].name, "page_6h");
	T_ASSERT_NEAR(b->alerts[1].burn_rate, 6.0, 0.0);
	T_ASSERT_STR_EQ(b->alerts[2].name, "ticket_3d");
	T_ASSERT_EQ_INT(b->alerts[2].severity, ENG_ALERT_TICKET);
	T_ASSERT_NEAR(b->alerts[2].burn_rate, 1.0, 0.0);
	scn_free(s);
	scn_diag_free(&d);

	T_ASSERT_EQ_INT(load(empty, &d, &s), SCN_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	T_ASSERT_EQ_INT(s->rollout.budget.nalerts, 0);
	CU_ASSERT(s->rollout.has_budget); /* the gate stays */
	scn_free(s);
	scn_diag_free(&d);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), MINIMAL
			 " \"deployment\": {\"steps\": [{\"set_weight\": 10}],"
			 " \"error_budget\": {\"alerts\": %s}}}", bad[i].alerts);
		T_ASSERT_EQ_INT(load(text, &d, &s), SCN_EINVAL);
		CU_ASSERT_PTR_NULL(s);
		CU_ASSERT_FATAL(d.count >= 1);
		T_ASSERT_STR_EQ(d.lines[0], bad[i].line);
		T_ASSERT_EQ_INT(d.count, 1); /* that problem alone */
		scn_diag_free(&d);
	}
	/* a long window past the period, given or the Workbook's 3-day one,
	 * would let the spent history fall out of the budget */
	T_ASSERT_EQ_INT(load(MINIMAL " \"deployment\": {\"steps\": [{\"set_weight\": 10}],"
			     " \"error_budget\": {\"period_s\": 3600, \"alerts\": [{\"name\": \"a\","
			     " \"long_s\": 7200, \"short_s\": 60, \"burn_rate\": 10}]}}}", &d, &s),
			SCN_EINVAL);
	T_ASSERT_STR_EQ(d.lines[0], "t/mini.json: deployment.error_budget: alert \"a\" has a long window of 7200 s, longer than period_s 3600; expected alerts whose windows fit in the period");
	scn_diag_free(&d);
	T_ASSERT_EQ_INT(load(MINIMAL " \"deployment\": {\"steps\": [{\"set_weight\": 10}],"
			     " \"error_budget\": {\"period_s\": 86400}}}", &d, &s),
			SCN_EINVAL);
	T_ASSERT_STR_EQ(d.lines[0], "t/mini.json: deployment.error_budget: alert \"ticket_3d\" has a long window of 259200 s, longer than period_s 86400; expected alerts whose windows fit in the period");
	scn_diag_free(&d);
}

/* The detection time of the file's alerts against the closed form. After
 * a clean hour (360 windows of 1,000 requests, enough to fill both long
 * windows), every window has a constant error ratio e = 0.35. After k
 * error windows, a window of n windows (k <= n) holds 1000n requests of
 * which 350k are bad: burn (0.35k / n) / (1 - S). The long window of L
 * s (n = L / 10) goes above b when 10k s > L b (1 - S) / e, the issue's
 * W x b x (1 - S) / e, first seen at the window end after it; the short
 * windows are above b well before (full of errors, burn 35):
 *   fast: 600 x 10 x 0.01 / 0.35 = 171.4 s -> k = 18, 180 s
 *         (k = 17: 0.35 x 17 / 60 / 0.01 = 9.92; k = 18: 10.5)
 *   slow: 3600 x 2.5 x 0.01 / 0.35 = 257.1 s -> k = 26, 260 s
 *         (k = 25: 0.35 x 25 / 360 / 0.01 = 2.43; k = 26: 2.53) */
static void test_custom_alert_detection_time(void)
{
	struct scn_scenario *s;
	struct scn_diag d;
	struct eng_budget *b;
	struct eng_burn_alert_status st;
	int first_k[2] = { 0, 0 };
	const int64_t t0_s = 3600;

	T_ASSERT_EQ_INT(load(CUSTOM_ALERTS, &d, &s), SCN_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	b = eng_budget_create(&s->rollout.budget);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	for (int64_t t = 10; t <= t0_s; t += 10)
		T_ASSERT_EQ_INT(eng_budget_feed(b, t * ENG_NS_PER_S, 10 * ENG_NS_PER_S, 1000, 0),
				ENG_OK);
	for (int k = 1; k <= 40; k++) {
		T_ASSERT_EQ_INT(eng_budget_feed(b, (t0_s + 10 * k) * ENG_NS_PER_S,
						10 * ENG_NS_PER_S, 1000, 350), ENG_OK);
		for (size_t i = 0; i < 2; i++) {
			eng_budget_alert_status(b, i, &st);
			if (first_k[i] == 0 && st.firing)
				first_k[i] = k;
		}
	}
	T_ASSERT_EQ_INT(first_k[0], 18); /* 180 s: 171.4 s rounded up to a window */
	T_ASSERT_EQ_INT(first_k[1], 26); /* 260 s: 257.1 s rounded up */
	eng_budget_alert_status(b, 0, &st);
	T_ASSERT_EQ_INT(st.firing_since_ns, (t0_s + 180) * ENG_NS_PER_S);
	T_ASSERT_NEAR(st.long_burn, 0.35 * 40 / 60 / 0.01, 1e-9); /* k = 40: 23.3 */
	T_ASSERT_NEAR(st.short_burn, 0.35 / 0.01, 1e-9);          /* full: 35 */
	eng_budget_free(b);
	scn_free(s);
	scn_diag_free(&d);
}

/* s holds Flagger's expansion of the n weights want: each a set_weight
 * step followed by an analysis step. */
static void assert_weight_steps(const struct scn_scenario *s, const double *want,
				size_t n)
{
	T_ASSERT_EQ_INT(s->rollout.nsteps, 2 * n);
	for (size_t i = 0; i < n && 2 * i + 1 < s->rollout.nsteps; i++) {
		T_ASSERT_EQ_INT(s->rollout.steps[2 * i].kind, ENG_STEP_SET_WEIGHT);
		T_ASSERT_NEAR(s->rollout.steps[2 * i].weight_pct, want[i], 0.0);
		T_ASSERT_EQ_INT(s->rollout.steps[2 * i + 1].kind, ENG_STEP_ANALYSIS);
	}
}

/* An error_spike trigger judges only against a baseline of 100 stable
 * requests or more by default, and as many as min_baseline_requests says. */
static void test_error_spike_baseline(void)
{
	const char *by_default = MINIMAL
		" \"deployment\": {\"steps\": [{\"set_weight\": 20}],"
		"   \"triggers\": [{\"kind\": \"error_spike\", \"factor\": 5}]}}";
	const char *given = MINIMAL
		" \"deployment\": {\"steps\": [{\"set_weight\": 20}],"
		"   \"triggers\": [{\"kind\": \"error_spike\", \"factor\": 5,"
		"     \"min_baseline_requests\": 0}]}}";
	struct scn_scenario *s;
	struct scn_diag d;

	T_ASSERT_EQ_INT(load(by_default, &d, &s), SCN_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	T_ASSERT_EQ_INT(s->rollout.ntriggers, 1);
	T_ASSERT_EQ_INT(s->rollout.triggers[0].min_baseline_requests, 100);
	T_ASSERT_EQ_INT(s->rollout.triggers[0].min_errors, 1);
	scn_free(s);
	scn_diag_free(&d);
	T_ASSERT_EQ_INT(load(given, &d, &s), SCN_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	T_ASSERT_EQ_INT(s->rollout.triggers[0].min_baseline_requests, 0);
	scn_free(s);
	scn_diag_free(&d);
}

/* Flagger's forms expand to weight and analysis steps: step_weight 10 up
 * to max_weight 25 holds 10, 20 and 25 (the last capped); step_weights
 * holds each listed weight. */
static void test_step_weights(void)
{
	const char *by_step = MINIMAL
		" \"deployment\": {\"step_weight\": 10, \"max_weight\": 25}}";
	const char *by_list = MINIMAL
		" \"deployment\": {\"step_weights\": [1, 5, 50]}}";
	const char *both = MINIMAL
		" \"deployment\": {\"step_weights\": [1], \"steps\": [{\"set_weight\": 1}]}}";
	const char *shrinking = MINIMAL
		" \"deployment\": {\"step_weights\": [5, 1]}}";
	static const double want[] = { 10, 20, 25 };
	struct scn_scenario *s;
	struct scn_diag d;

	T_ASSERT_EQ_INT(load(by_step, &d, &s), SCN_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	assert_weight_steps(s, want, 3);
	scn_free(s);
	scn_diag_free(&d);
	T_ASSERT_EQ_INT(load(by_list, &d, &s), SCN_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	T_ASSERT_EQ_INT(s->rollout.nsteps, 6);
	T_ASSERT_NEAR(s->rollout.steps[4].weight_pct, 50.0, 0.0);
	scn_free(s);
	scn_diag_free(&d);
	T_ASSERT_EQ_INT(load(both, &d, &s), SCN_EINVAL);
	T_ASSERT_STR_EQ(d.lines[0], "t/mini.json: deployment: expected exactly one of: steps; step_weight with max_weight; step_weights");
	scn_diag_free(&d);
	T_ASSERT_EQ_INT(load(shrinking, &d, &s), SCN_EINVAL);
	T_ASSERT_STR_EQ(d.lines[0], "t/mini.json: deployment.step_weights[1]: 1 does not follow 5; expected growing weights");
	scn_diag_free(&d);
}

/* The list form, step_weights: each listed weight becomes a set_weight
 * step followed by an analysis step, in order, so [2, 7.5, 30, 100] is
 * eight steps; a list that is empty, too long, or holds a weight that is
 * not a number in (0, 100] is refused at its path. */
static void test_step_weights_list(void)
{
	const char *list = MINIMAL
		" \"deployment\": {\"step_weights\": [2, 7.5, 30, 100]}}";
	static const double want[] = { 2.0, 7.5, 30.0, 100.0 };
	static const struct {
		const char *weights, *line;
	} bad[] = {
		{ "[]", "t/mini.json: deployment.step_weights: 0 weights; expected 1..500" },
		{ "[0, 10]", "t/mini.json: deployment.step_weights[0]: found a number out of range, expected a weight above 0 and at most 100" },
		{ "[10, 100.5]", "t/mini.json: deployment.step_weights[1]: found a number out of range, expected a weight above 0 and at most 100" },
		{ "[10, \"20\"]", "t/mini.json: deployment.step_weights[1]: found a string, expected a weight above 0 and at most 100" },
		{ "[10, 10]", "t/mini.json: deployment.step_weights[1]: 10 does not follow 10; expected growing weights" },
		{ "10", "t/mini.json: deployment.step_weights: found a number, expected an array" },
	};
	struct scn_scenario *s;
	struct scn_diag d;
	char text[1024];

	T_ASSERT_EQ_INT(load(list, &d, &s), SCN_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	assert_weight_steps(s, want, 4); /* eight steps */
	scn_free(s);
	scn_diag_free(&d);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), MINIMAL " \"deployment\": {\"step_weights\": %s}}",
			 bad[i].weights);
		T_ASSERT_EQ_INT(load(text, &d, &s), SCN_EINVAL);
		CU_ASSERT_PTR_NULL(s);
		CU_ASSERT_FATAL(d.count >= 1);
		T_ASSERT_STR_EQ(d.lines[0], bad[i].line);
		scn_diag_free(&d);
	}
	/* 501 growing weights 0.1, 0.2, ..., 50.1: one more than the 500
	 * allowed (MAX_STEPS / 2) */
	size_t cap = 8192, n = 0;
	char *big = malloc(cap);

	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	n += (size_t)snprintf(big + n, cap - n, "%s", MINIMAL " \"deployment\": {\"step_weights\": [");
	for (int w = 1; w <= 501 && n < cap; w++)
		n += (size_t)snprintf(big + n, cap - n, "%s%g", w > 1 ? ", " : "", w * 0.1);
	if (n < cap)
		n += (size_t)snprintf(big + n, cap - n, "]}}");
	CU_ASSERT_FATAL(n < cap);
	T_ASSERT_EQ_INT(load(big, &d, &s), SCN_EINVAL);
	T_ASSERT_STR_EQ(d.lines[0], "t/mini.json: deployment.step_weights: 501 weights; expected 1..500");
	scn_diag_free(&d);
	free(big);
}

/* Blue-green keys become the engine's configuration in its units; what is
 * not given keeps Argo's defaults (every instance ready within 600 s,
 * gate "promote", an instant switch, 30 s scale-down delay). */
static void test_bluegreen_keys(void)
{
	const char *full = MINIMAL
		" \"deployment\": {\"strategy\": \"bluegreen\", \"bluegreen\": {"
		"   \"preview\": {\"ready_frac\": 0.5, \"timeout_s\": 90},"
		"   \"pre_promotion\": {\"runs\": 3, \"mirror_pct\": 20},"
		"   \"auto_promotion_delay_s\": 15, \"switch\": {\"step_pct\": 25, \"interval_s\": 20},"
		"   \"post_promotion\": {\"runs\": 2}, \"scale_down_delay_s\": 45}}}";
	const char *canary = MINIMAL
		" \"deployment\": {\"strategy\": \"bluegreen_canary\", \"steps\": [{\"set_weight\": 20}],"
		"   \"bluegreen\": {\"auto_promotion\": false, \"promotion_gate\": \"go\"}}}";
	const struct eng_bluegreen_config *bg;
	struct scn_scenario *s;
	struct scn_diag d;

	T_ASSERT_EQ_INT(load(full, &d, &s), SCN_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	bg = &s->rollout.bluegreen;
	T_ASSERT_EQ_INT(s->rollout.strategy, ENG_STRATEGY_BLUEGREEN);
	T_ASSERT_EQ_INT(s->rollout.nsteps, 0);
	T_ASSERT_NEAR(bg->preview_ready_frac, 0.5, 0.0);
	T_ASSERT_EQ_INT(bg->preview_timeout_ns, 90 * ENG_NS_PER_S);
	T_ASSERT_EQ_INT(bg->pre_promotion_runs, 3);
	T_ASSERT_NEAR(bg->mirror_pct, 20.0, 0.0);
	CU_ASSERT(bg->auto_promotion);
	T_ASSERT_EQ_INT(bg->auto_promotion_delay_ns, 15 * ENG_NS_PER_S);
	T_ASSERT_NEAR(bg->switch_step_pct, 25.0, 0.0);
	T_ASSERT_EQ_INT(bg->switch_interval_ns, 20 * ENG_NS_PER_S);
	T_ASSERT_EQ_INT(bg->post_promotion_runs, 2);
	T_ASSERT_EQ_INT(bg->scale_down_delay_ns, 45 * ENG_NS_PER_S);
	scn_free(s);
	scn_diag_free(&d);
	T_ASSERT_EQ_INT(load(canary, &d, &s), SCN_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	bg = &s->rollout.bluegreen;
	T_ASSERT_EQ_INT(s->rollout.strategy, ENG_STRATEGY_BLUEGREEN_CANARY);
	T_ASSERT_EQ_INT(s->rollout.nsteps, 1);
	CU_ASSERT_FALSE(bg->auto_promotion);
	T_ASSERT_STR_EQ(bg->promotion_gate, "go");
	T_ASSERT_NEAR(bg->preview_ready_frac, 1.0, 0.0);
	T_ASSERT_EQ_INT(bg->preview_timeout_ns, 600 * ENG_NS_PER_S);
	T_ASSERT_NEAR(bg->switch_step_pct, 100.0, 0.0);
	T_ASSERT_EQ_INT(bg->scale_down_delay_ns, 30 * ENG_NS_PER_S);
	scn_free(s);
	scn_diag_free(&d);
}

static void test_missing_file(void)
{
	struct scn_scenario *s;
	struct scn_diag d;

	scn_diag_init(&d);
	T_ASSERT_EQ_INT(scn_load_file("no/such/file.json", &d, &s), SCN_EIO);
	T_ASSERT_STR_EQ(d.lines[0], "no/such/file.json: cannot open: No such file or directory");
	scn_diag_free(&d);
}

/* Every scenario shipped under scenarios/ loads without a problem. */
static void test_shipped_scenarios_load(void)
{
	static const char *const files[] = {
		"scenarios/canary-good.json", "scenarios/canary-bad-errors.json"
	};

	for (size_t i = 0; i < 2; i++) {
		struct scn_scenario *s;
		struct scn_diag d;

		scn_diag_init(&d);
		T_ASSERT_EQ_INT(scn_load_file(files[i], &d, &s), SCN_OK);
		for (size_t k = 0; k < d.count; k++)
			fprintf(stderr, "%s\n", d.lines[k]);
		CU_ASSERT(s != NULL && s->has_expect);
		scn_free(s);
		scn_diag_free(&d);
	}
}

int t_suite_scenario(void)
{
	static const struct t_case cases[] = {
		{ "a minimal scenario gets the defaults", test_minimal_with_defaults },
		{ "canary inheritance and ground truth", test_inheritance_and_ground_truth },
		{ "every problem is reported with its path", test_every_problem_reported },
		{ "missing keys and wrong types", test_missing_and_wrong_types },
		{ "syntax errors give line and column", test_syntax_errors },
		{ "semantic checks", test_semantic_checks },
		{ "a failed empirical distribution is reported", test_failed_empirical_is_reported },
		{ "a trace CSV", test_trace_csv },
		{ "Flagger's step weights", test_step_weights },
		{ "an error spike's baseline", test_error_spike_baseline },
		{ "step_weights, the list form", test_step_weights_list },
		{ "blue-green keys", test_bluegreen_keys },
		{ "approval gates through the simulator", test_approval_through_the_simulator },
		{ "smoke tests through the simulator", test_smoke_through_the_simulator },
		{ "the error budget gates and rolls back", test_error_budget },
		{ "rollback_on_burn false does not roll back", test_no_rollback_on_burn },
		{ "burn-rate alerts from the file", test_budget_alerts },
		{ "a custom alert's detection time", test_custom_alert_detection_time },
		{ "a missing file", test_missing_file },
		{ "the shipped scenarios load", test_shipped_scenarios_load },
		{ NULL, NULL }
	};

	return t_add_suite("scenario", cases);
}
