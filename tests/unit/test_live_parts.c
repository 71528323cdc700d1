/* live/: the parts of the live world that need no server: argv templates
 * and their placeholders, running commands with a time limit, the state
 * file, and the "live" block's loader. The world against real HAProxy,
 * Prometheus and testsvc is tests/live/live.sh's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live/clock.h"
#include "live/spawn.h"
#include "live/state_file.h"
#include "scenario/scenario.h"
#include "tests/unit/helpers.h"

static const char *const hook_keys[] = { "weight", "stable_weight" };

static void test_placeholders(void)
{
	static const char *const prom_keys[] = { "version", "window" };
	char bad[64] = "";

	T_ASSERT_EQ_INT(live_argv_unknown("{weight}%", hook_keys, 2, bad, sizeof(bad)), 0);
	T_ASSERT_EQ_INT(live_argv_unknown("--w={wieght}", hook_keys, 2, bad, sizeof(bad)), 1);
	T_ASSERT_STR_EQ(bad, "{wieght}");
	/* PromQL's label matchers are braces but no placeholders */
	T_ASSERT_EQ_INT(live_argv_unknown("sum(rate(x{job=\"{version}\",code=~\"5..\"}[{window}]))",
					  prom_keys, 2, bad, sizeof(bad)), 0);
	T_ASSERT_EQ_INT(live_argv_unknown("x{} {1a} {", prom_keys, 2, bad, sizeof(bad)), 0);
	T_ASSERT_EQ_INT(live_argv_unknown("x{job=\"{versoin}\"}", prom_keys, 2, bad, sizeof(bad)), 1);
	T_ASSERT_STR_EQ(bad, "{versoin}");
}

static void test_expand(void)
{
	static const char *const words[] = {
		"set", "weight={weight}", "{stable_weight}/{weight}", "{other}", "x{job=\"a\"}"
	};
	const char *vals[2] = { "25", "75" };
	struct live_argv tpl = { words, 5 };
	char **argv = live_argv_expand(&tpl, &(struct live_vars){ hook_keys, vals, 2 });

	CU_ASSERT_PTR_NOT_NULL_FATAL(argv);
	T_ASSERT_STR_EQ(argv[0], "set");
	T_ASSERT_STR_EQ(argv[1], "weight=25");
	T_ASSERT_STR_EQ(argv[2], "75/25");
	T_ASSERT_STR_EQ(argv[3], "{other}"); /* unknown: left as it is */
	T_ASSERT_STR_EQ(argv[4], "x{job=\"a\"}");
	CU_ASSERT_PTR_NULL(argv[5]);
	live_argv_free(argv);

	/* a value longer than its placeholder grows the word */
	const char *longer[2] = { "0.123456789012345678901234567890", "x" };
	const char *one[] = { "{weight}{weight}" };

	argv = live_argv_expand(&(struct live_argv){ one, 1 },
				&(struct live_vars){ hook_keys, longer, 2 });
	CU_ASSERT_PTR_NOT_NULL_FATAL(argv);
	T_ASSERT_STR_EQ(argv[0], "0.1234567890123456789012345678900.123456789012345678901234567890");
	live_argv_free(argv);
}

/* Runs the n words (no placeholders) with a time limit of timeout_ns. */
static int run_words(const char *const *words, size_t n, int64_t timeout_ns, char *err,
		     size_t errlen)
{
	char **argv = live_argv_expand(&(struct live_argv){ words, n },
				       &(struct live_vars){ NULL, NULL, 0 });
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(argv);
	rc = live_run_command(argv, timeout_ns, err, errlen);
	live_argv_free(argv);
	return rc;
}

static void test_run_command(void)
{
	static const char *const ok_argv[] = { "true" };
	static const char *const false_argv[] = { "false" };
	static const char *const sleep_argv[] = { "sleep", "5" };
	static const char *const missing_argv[] = { "/nonexistent/rollsim-hook" };
	static const char *const exit3_argv[] = { "sh", "-c", "exit 3" };
	const int64_t five_s = INT64_C(5000000000);
	char err[256] = "";
	int64_t t0;

	T_ASSERT_EQ_INT(run_words(ok_argv, 1, five_s, err, sizeof(err)), 0);
	T_ASSERT_EQ_INT(run_words(false_argv, 1, five_s, err, sizeof(err)), -1);
	T_ASSERT_STR_EQ(err, "false: exited with status 1");
	T_ASSERT_EQ_INT(run_words(exit3_argv, 3, five_s, err, sizeof(err)), -1);
	T_ASSERT_STR_EQ(err, "sh: exited with status 3");
	T_ASSERT_EQ_INT(run_words(missing_argv, 1, five_s, err, sizeof(err)), -1);
	T_ASSERT_CONTAINS(err, "could not start");
	/* a hook that hangs is killed at its time limit (0.2 s, not 5 s) */
	t0 = live_mono_ns();
	T_ASSERT_EQ_INT(run_words(sleep_argv, 2, INT64_C(200000000), err, sizeof(err)), -1);
	T_ASSERT_CONTAINS(err, "timed out after 0.2 s");
	CU_ASSERT(live_mono_ns() - t0 < INT64_C(4000000000));
}

static void test_state_round_trip(void)
{
	char dir[128], path[256], bad_path[256], err[512];
	char ro_text[] = "{\"format\":\"x\",\"n\":1}";
	struct live_state st = { .name = "web", .config = "live.json", .phase = "running",
				 .origin_wall_ns = INT64_C(1796123628770276439), .t_s = 12.5,
				 .weight_pct = 25, .pending_weight_pct = 50,
				 .faults_started = 3, .faults_undone = 1,
				 .rollout = ro_text };
	struct live_state back;
	const char *const names[] = { "state", NULL };
	size_t total = 0;
	FILE *f;

	CU_ASSERT_FATAL(t_temp_dir(dir));
	snprintf(path, sizeof(path), "%s/state.json", dir);
	T_ASSERT_EQ_INT(live_state_write(path, &st, err, sizeof(err)), 0);
	T_ASSERT_EQ_INT(live_state_read(path, &back, err, sizeof(err)), 0);
	CU_ASSERT(strcmp(back.name, "web") == 0);
	CU_ASSERT(strcmp(back.config, "live.json") == 0);
	CU_ASSERT(strcmp(back.phase, "running") == 0);
	/* above 2^53 the wall time comes back within 2^-52 of itself: 400 ns */
	CU_ASSERT(llabs(back.origin_wall_ns - st.origin_wall_ns) <= 400);
	T_ASSERT_NEAR(back.t_s, 12.5, 0.0);
	T_ASSERT_NEAR(back.weight_pct, 25.0, 0.0);
	T_ASSERT_NEAR(back.pending_weight_pct, 50.0, 0.0);
	T_ASSERT_EQ_INT(back.faults_started, 3);
	T_ASSERT_EQ_INT(back.faults_undone, 1);
	T_ASSERT_STR_EQ(back.rollout, "{\"format\":\"x\",\"n\":1}");
	free(back.rollout);
	/* nothing pending is null, and reads back as NaN */
	st.pending_weight_pct = NAN;
	T_ASSERT_EQ_INT(live_state_write(path, &st, err, sizeof(err)), 0);
	T_ASSERT_EQ_INT(live_state_read(path, &back, err, sizeof(err)), 0);
	CU_ASSERT(isnan(back.pending_weight_pct));
	free(back.rollout);
	/* written through a temporary file that does not stay */
	(void)names;
	T_ASSERT_EQ_INT(t_stray_files(dir, names, "state.json", &total), 0);
	T_ASSERT_EQ_INT(total, 1);

	/* what is not a state file is refused with its reason */
	snprintf(bad_path, sizeof(bad_path), "%s/other.json", dir);
	f = fopen(bad_path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("{\"format\": \"rollsim-rollout-state\"}\n", f);
	fclose(f);
	T_ASSERT_EQ_INT(live_state_read(bad_path, &back, err, sizeof(err)), -1);
	CU_ASSERT(strstr(err, "format: expected \"rollsim-live-state\"") != NULL);
	snprintf(bad_path, sizeof(bad_path), "%s/missing.json", dir);
	T_ASSERT_EQ_INT(live_state_read(bad_path, &back, err, sizeof(err)), -1);
	CU_ASSERT(strstr(err, "cannot open") != NULL);
	t_remove_tree(dir);
}

/* Loads text as `rollsim live` does; the diagnostics joined into out. */
static enum scn_status load_live(const char *text, char *out, size_t n,
				 struct scn_scenario **sc)
{
	static const struct scn_load_opts opts = { .world_optional = true, .live = true };
	struct scn_diag diag;
	enum scn_status st;

	scn_diag_init(&diag);
	st = scn_load_text_opts(text, strlen(text), "live.json", &opts, &diag, sc);
	out[0] = '\0';
	for (size_t i = 0; i < diag.count; i++) {
		size_t len = strlen(out);

		snprintf(out + len, n - len, "%s\n", diag.lines[i]);
	}
	scn_diag_free(&diag);
	return st;
}

#define DEPLOY "\"deployment\": { \"steps\": [ { \"set_weight\": 10 } ] }"
#define HAPROXY "\"haproxy\": { \"socket\": \"/run/haproxy.sock\", \"backend\": \"app\", " \
	"\"servers\": { \"stable\": \"blue\", \"canary\": \"green\" } }"

static void test_loader_defaults(void)
{
	struct scn_scenario *sc = NULL;
	char *msg = malloc(2048);

	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);

	T_ASSERT_EQ_INT(load_live("{ " DEPLOY ", \"live\": { \"source\": \"haproxy\", " HAPROXY " } }",
				  msg, 2048, &sc), SCN_OK);
	T_ASSERT_STR_EQ(msg, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sc->live);
	T_ASSERT_EQ_INT(sc->live->source, LIVE_SOURCE_HAPROXY);
	T_ASSERT_EQ_INT(sc->live->actuator, LIVE_ACT_HAPROXY);
	CU_ASSERT(strcmp(sc->live->haproxy.socket, "/run/haproxy.sock") == 0);
	CU_ASSERT(strcmp(sc->live->server[ENG_CANARY], "green") == 0);
	T_ASSERT_EQ_INT(sc->live->weight_total, 100);
	T_ASSERT_EQ_INT(sc->live->call_timeout_ns, INT64_C(5000000000));
	T_ASSERT_EQ_INT(sc->live->on_signal, LIVE_SIGNAL_ROLLBACK);
	T_ASSERT_EQ_INT(sc->live->on_resume, LIVE_RESUME_CONTINUE);
	T_ASSERT_EQ_INT(sc->live->approve.argc, 0);
	T_ASSERT_EQ_INT(sc->live->approve_interval_ns, INT64_C(5000000000));
	scn_free(sc);

	/* Prometheus with a command hook: the queries keep their text */
	T_ASSERT_EQ_INT(load_live("{ " DEPLOY ", \"live\": { \"source\": \"prometheus\", "
				  "\"prometheus\": { \"url\": \"http://127.0.0.1:9090\", \"queries\": {"
				  " \"requests\": \"sum(increase(r{v=\\\"{version}\\\"}[{window}]))\","
				  " \"error_rate\": \"e{v=\\\"{version}\\\"}\" } },"
				  " \"actuator\": { \"kind\": \"command\", \"command\": [\"hook\", \"{weight}\"] } } }",
				  msg, 2048, &sc), SCN_OK);
	T_ASSERT_STR_EQ(msg, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(sc);
	T_ASSERT_STR_EQ(sc->live->prom_query[REPLAY_F_REQUESTS],
			"sum(increase(r{v=\"{version}\"}[{window}]))");
	CU_ASSERT_PTR_NULL(sc->live->prom_query[REPLAY_F_P99_MS]);
	T_ASSERT_EQ_INT(sc->live->hook.argc, 2);
	T_ASSERT_STR_EQ(sc->live->hook.argv[1], "{weight}");
	scn_free(sc);
	free(msg);
}

static void test_loader_errors(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "{ " DEPLOY " }", "live.json: live: missing" },
		{ "{ " DEPLOY ", \"live\": { \"source\": \"haproxy\" } }", "live.json: live.haproxy: missing" },
		{ "{ " DEPLOY ", \"live\": { \"source\": \"haproxy\", \"haproxy\": { \"socket\": \"/s\", "
		  "\"address\": \"127.0.0.1:1\", \"backend\": \"b\", \"servers\": { \"stable\": \"a\", \"canary\": \"c\" } } } }",
		  "live.haproxy: both \"socket\" and \"address\"; expected one of them" },
		{ "{ " DEPLOY ", \"live\": { \"source\": \"haproxy\", \"haproxy\": { \"address\": \"localhost\", "
		  "\"backend\": \"b\", \"servers\": { \"stable\": \"a\", \"canary\": \"c\" } } } }",
		  "live.haproxy.address: \"localhost\" is not HOST:PORT" },
		{ "{ " DEPLOY ", \"live\": { \"source\": \"haproxy\", " HAPROXY ", \"on_signal\": \"panic\" } }",
		  "live.on_signal" },
		{ "{ " DEPLOY ", \"live\": { \"source\": \"prometheus\", \"prometheus\": { \"url\": \"ftp://x\", "
		  "\"queries\": { \"requests\": \"r\", \"p99\": \"q\" } }, \"actuator\": { \"kind\": \"command\", \"command\": [\"h\"] } } }",
		  "live.prometheus.queries.p99: unknown metric 'p99'; did you mean 'p99_ms'?" },
		{ "{ " DEPLOY ", \"live\": { \"source\": \"prometheus\", \"prometheus\": { \"url\": \"http://x\", "
		  "\"queries\": { \"requests\": \"r\" } }, \"actuator\": { \"kind\": \"command\", \"command\": [\"h\"] } } }",
		  "neither an \"errors\" nor an \"error_rate\" query" },
		{ "{ " DEPLOY ", \"live\": { \"source\": \"haproxy\", " HAPROXY ", \"actuator\": { \"kind\": \"command\", "
		  "\"command\": [\"hook\", \"{wieght}\"] } } }",
		  "live.actuator.command[1]: unknown placeholder {wieght}; expected one of {weight}" },
		{ "{ " DEPLOY ", \"live\": { \"source\": \"haproxy\", " HAPROXY ", \"actuator\": { \"kind\": \"command\", "
		  "\"command\": [] } } }",
		  "live.actuator.command: 0 words; expected 1..64" },
		{ "{ " DEPLOY ", \"live\": { \"source\": \"haproxy\", " HAPROXY ", \"probes\": [ { \"name\": \"p\", "
		  "\"url\": \"http://x/\", \"version\": \"blue\" } ] } }",
		  "live.probes[0].version" },
		{ "{ \"deployment\": { \"steps\": [ { \"set_weight\": 10 } ], \"smoke_tests\": [ { \"name\": \"login\" } ] }, "
		  "\"live\": { \"source\": \"haproxy\", " HAPROXY " } }",
		  "no probe named \"login\"" },
		{ "{ " DEPLOY ", \"live\": { \"source\": \"haproxy\", " HAPROXY ", \"approval\": { \"command\": "
		  "[\"ok\", \"{gaet}\"] } } }",
		  "live.approval.command[1]: unknown placeholder {gaet}; expected one of {gate}, {name}" },
		{ "{ " DEPLOY ", \"live\": { \"source\": \"haproxy\", " HAPROXY ", \"faults\": [ { \"name\": \"f\", "
		  "\"command\": [\"tc\"] } ] } }",
		  "live.faults[0].at_s: missing" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scn_scenario *sc = NULL;
		char *msg = malloc(4096);

		CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
		T_ASSERT_EQ_INT(load_live(cases[i].text, msg, 4096, &sc), SCN_EINVAL);
		CU_ASSERT_PTR_NULL(sc);
		T_ASSERT_CONTAINS(msg, cases[i].want);
		free(msg);
	}
}

int t_suite_live_parts(void)
{
	static const struct t_case cases[] = {
		{ "placeholders: names, not PromQL braces", test_placeholders },
		{ "argv templates are filled word by word", test_expand },
		{ "commands: status, missing program, time limit", test_run_command },
		{ "the state file round-trips and refuses others", test_state_round_trip },
		{ "the live block's defaults", test_loader_defaults },
		{ "the live block's errors name their path", test_loader_errors },
		{ NULL, NULL }
	};

	return t_add_suite("live_parts", cases);
}
