/* rollsim run: one simulated deployment of one scenario with one seed. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/record.h"
#include "reports/run_report.h"
#include "reports/run_summary.h"
#include "scenario/scenario.h"
#include "scenario/simulate.h"
#include "sim/window_world.h"

struct run_args {
	const char *scenario;     /* NULL: the built-in default */
	const char *out_dir;      /* NULL: out/<scenario name> */
	bool has_seed;
	uint64_t seed;
	bool quiet;
	enum scn_fidelity fidelity;
};

void cli_run_usage(void)
{
	printf("usage: rollsim run [SCENARIO] [--seed N] [--out DIR] [--fidelity LEVEL] [--quiet]\n"
	       "\n"
	       "Simulate one deployment of SCENARIO (a JSON file; see\n"
	       "docs/scenario-format.md). Without SCENARIO, runs the built-in default:\n"
	       "%s, a canary whose error rate is ten times the stable's.\n"
	       "\n"
	       "options:\n"
	       "  --seed N     run seed, 0..2^64-1 (default: the scenario's run.seed, else 1);\n"
	       "               the same scenario and seed give byte-identical files\n"
	       "  --out DIR    where to write the files (default: out/<scenario name>)\n"
	       "  --fidelity LEVEL\n"
	       "               request (default): every request is simulated, with queueing,\n"
	       "               timeouts, rejections and OOM kills; window: every window is\n"
	       "               drawn whole, a thousand times faster, faithful only where\n"
	       "               instances are rarely busy (a warning says where it is not)\n"
	       "  --quiet      print nothing on success\n"
	       "  -h, --help   show this help\n"
	       "\n"
	       "writes into DIR:\n"
	       "  summary.json   outcome, ground truth, time to detect and to recover,\n"
	       "                 failed requests, duration\n"
	       "  timeline.csv   one row per window per version: weight, requests, errors,\n"
	       "                 error rate, mean/p50/p95/p99/max latency, ready instances\n"
	       "  events.jsonl   one JSON object per engine decision, with its reason\n"
	       "\n"
	       "exit codes: 0 the run completed (whatever its outcome), 2 bad input or\n"
	       "usage (nothing is written), 3 a runtime failure.\n",
	       scn_default_path);
}

void cli_print_diag(const struct scn_diag *diag)
{
	for (size_t i = 0; i < diag->count; i++)
		fprintf(stderr, "%s\n", diag->lines[i]);
	if (diag->dropped > 0)
		fprintf(stderr, "(%zu more problems not shown)\n", diag->dropped);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "rollsim run: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'rollsim run --help'.\n");
	return CLI_EXIT_USAGE;
}

bool cli_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*out = v;
	return true;
}

/* Parses argv into a; returns -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, struct run_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *val = NULL;

		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			cli_run_usage();
			return CLI_EXIT_OK;
		}
		if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
			a->quiet = true;
			continue;
		}
		if (strncmp(arg, "--seed", 6) == 0 || strncmp(arg, "--out", 5) == 0 ||
		    strncmp(arg, "--fidelity", 10) == 0) {
			const char *eq = strchr(arg, '=');
			size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
			bool seed = n == 6 && strncmp(arg, "--seed", 6) == 0;
			bool out = n == 5 && strncmp(arg, "--out", 5) == 0;
			bool fid = n == 10 && strncmp(arg, "--fidelity", 10) == 0;

			if (!seed && !out && !fid)
				return usage_error("unknown option '%s'", arg);
			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				return usage_error("option '%s' needs a value", arg);
			if (fid) {
				if (strcmp(val, "request") == 0)
					a->fidelity = SCN_FIDELITY_REQUEST;
				else if (strcmp(val, "window") == 0)
					a->fidelity = SCN_FIDELITY_WINDOW;
				else
					return usage_error("--fidelity: '%s' is not known; expected request or window", val);
			} else if (seed) {
				if (!cli_parse_u64(val, &a->seed))
					return usage_error("--seed: '%s' is not a whole number in 0..18446744073709551615", val);
				a->has_seed = true;
			} else {
				if (val[0] == '\0')
					return usage_error("--out: %sthe directory name is empty", "");
				a->out_dir = val;
			}
			continue;
		}
		if (arg[0] == '-' && arg[1] != '\0')
			return usage_error("unknown option '%s'", arg);
		if (a->scenario != NULL)
			return usage_error("more than one scenario given ('%s'); expected at most one", arg);
		a->scenario = arg;
	}
	return -1;
}

const char *cli_verdict(const struct rpt_summary *s)
{
	switch (s->outcome) {
	case ENG_OUTCOME_ROLLED_BACK:
		return s->canary_bad ? "true rollback: the canary was bad"
				     : "false rollback: the canary was good";
	case ENG_OUTCOME_PROMOTED:
		return s->canary_bad ? "missed: a bad canary was promoted"
				     : "correct promotion: the canary was good";
	case ENG_OUTCOME_BLOCKED:
		return "a gate refused the deployment";
	case ENG_OUTCOME_TIMED_OUT:
		return "the deployment did not finish before its deadline";
	case ENG_OUTCOME_RUNNING:
		break;
	}
	return "";
}

/* ", time to detect 0..60 s" for a bounded time. */
static void print_bounds(const char *what, bool bounded, double lo, double hi)
{
	if (!bounded)
		return;
	if (isinf(hi))
		printf(", %s at least %g s", what, lo);
	else
		printf(", %s %g..%g s", what, lo, hi);
}

static void print_summary(const struct rpt_run_meta *meta,
			  const struct rpt_summary *s, const char *dir)
{
	printf("rollsim run: %s (seed %" PRIu64 "%s)\n", meta->scenario, meta->seed,
	       meta->fidelity && strcmp(meta->fidelity, "window") == 0 ?
	       ", window-level fidelity" : "");
	printf("  outcome          %s (%s)\n", eng_outcome_name(s->outcome), cli_verdict(s));
	if (s->has_ttd)
		printf("  time to detect   %.1f s after the bad canary took traffic\n", s->ttd_s);
	else
		printf("  time to detect   n/a\n");
	if (s->has_ttr)
		printf("  time to recover  %.1f s\n", s->ttr_s);
	else if (s->has_ttd)
		printf("  time to recover  not within the observed time\n");
	else
		printf("  time to recover  n/a\n");
	printf("  failed requests  %" PRIu64 " of %" PRIu64 " (%" PRIu64
	       " on the canary, of %" PRIu64 ")\n",
	       s->failed_requests, s->requests, s->canary_failed_requests,
	       s->canary_requests);
	printf("  duration         %.1f s\n", s->duration_s);
	if (meta->has_expect) {
		printf("  expected         %s", eng_outcome_name(meta->expect_outcome));
		print_bounds("time to detect", meta->expect_ttd, meta->expect_ttd_min_s,
			     meta->expect_ttd_max_s);
		print_bounds("time to recover", meta->expect_ttr, meta->expect_ttr_min_s,
			     meta->expect_ttr_max_s);
		printf(": %s\n", rpt_expectation_met(s, meta) ? "met" : "NOT met");
	}
	printf("  written          %s/{summary.json,timeline.csv,events.jsonl}\n", dir);
}

void cli_warn_caveats(const char *cmd, const struct scn_scenario *sc)
{
	for (int v = 0; v < ENG_NVERSIONS; v++) {
		uint32_t c = sim_window_caveats(&sc->sim, (enum eng_version)v);

		for (int k = 0; k < SIM_NCAVEATS; k++)
			if (c & (1u << k))
				fprintf(stderr, "rollsim %s: warning: --fidelity window: %s: %s: %s\n",
					cmd, sc->name, eng_version_name((enum eng_version)v),
					sim_caveat_message((enum sim_caveat)k));
	}
}

static int load(const struct run_args *a, struct scn_scenario **sc)
{
	struct scn_diag diag;
	enum scn_status st;

	scn_diag_init(&diag);
	if (a->scenario != NULL)
		st = scn_load_file(a->scenario, &diag, sc);
	else
		st = scn_load_text(scn_default_json, strlen(scn_default_json),
				   scn_default_path, &diag, sc);
	cli_print_diag(&diag);
	scn_diag_free(&diag);
	if (st == SCN_OK)
		return -1;
	if (st == SCN_ENOMEM) {
		fprintf(stderr, "rollsim run: %s\n", scn_strerror(st));
		return CLI_EXIT_RUNTIME;
	}
	return CLI_EXIT_USAGE;
}

int cli_write_run(const char *cmd, const char *dir, const struct eng_record *rec,
		  const struct rpt_run_meta *meta, const struct rpt_summary *sum)
{
	char err[4400];
	enum rpt_status rst = rpt_write_run(dir, rec, meta, sum, err, sizeof(err));

	if (rst == RPT_OK)
		return CLI_EXIT_OK;
	fprintf(stderr, "rollsim %s: %s\n", cmd, rst == RPT_EIO ? err : rpt_strerror(rst));
	return CLI_EXIT_RUNTIME;
}

int cli_run(int argc, char **argv)
{
	struct run_args a = { 0 };
	struct scn_scenario *sc = NULL;
	struct eng_record rec;
	struct rpt_summary sum;
	struct rpt_run_meta meta;
	char dir[4096];
	int rc = parse_args(argc, argv, &a);
	enum eng_status est;

	if (rc >= 0)
		return rc;
	rc = load(&a, &sc);
	if (rc >= 0)
		return rc;
	if (a.out_dir != NULL)
		snprintf(dir, sizeof(dir), "%s", a.out_dir);
	else
		snprintf(dir, sizeof(dir), "out/%s", sc->name);

	scn_run_meta(sc, a.has_seed ? a.seed : sc->seed, &meta);
	meta.fidelity = a.fidelity == SCN_FIDELITY_WINDOW ? "window" : "request";
	eng_record_init(&rec);
	if (a.fidelity == SCN_FIDELITY_WINDOW)
		cli_warn_caveats("run", sc);
	est = scn_simulate(sc, meta.seed, a.fidelity, &rec);
	if (est != ENG_OK) {
		fprintf(stderr, "rollsim run: %s: simulation failed: %s\n",
			sc->name, eng_strerror(est));
		rc = CLI_EXIT_RUNTIME;
		goto out_free;
	}
	rpt_summarize(&rec, &meta, &sum);
	rc = cli_write_run("run", dir, &rec, &meta, &sum);
	if (rc != CLI_EXIT_OK)
		goto out_free;
	if (!a.quiet)
		print_summary(&meta, &sum, dir);
	rc = CLI_EXIT_OK;
out_free:
	eng_record_free(&rec);
	scn_free(sc);
	return rc;
}
