/* rollsim: entry point; dispatches to the subcommands. */
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cli/cli.h"

#define ROLLSIM_VERSION "0.1.0"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rollsim COMMAND [OPTIONS]\n"
		"\n"
		"Simulate progressive deployments (canary, blue-green, feature flags) against\n"
		"a discrete-event model of services, with injected faults, and report\n"
		"whether the rollout policy promoted or rolled back, how fast it detected a\n"
		"bad release and how fast users recovered.\n"
		"\n"
		"commands:\n"
		"  run [SCENARIO] [--seed N] [--out DIR] [--fidelity request|window] [--quiet]\n"
		"                   simulate one deployment (default: the built-in scenario)\n"
		"                   and write summary.json, timeline.csv and events.jsonl\n"
		"                   into DIR (default: out/<scenario name>)\n"
		"  replay METRICS --deploy CONFIG [--out DIR] [--quiet]\n"
		"  replay --prometheus METRIC=FILE... --deploy CONFIG [--version-label NAME]\n"
		"                   feed recorded per-window metrics of the stable and the\n"
		"                   canary (a CSV, or Prometheus range-query responses) through\n"
		"                   CONFIG's deployment and report every decision it would have\n"
		"                   made; the same files into DIR (default: out/replay-<name>)\n"
		"  mc [SCENARIO|MIX] [--runs N] [-j THREADS] [--seed S] [--out DIR]\n"
		"                   a Monte Carlo study: many runs of a scenario or of a mix of\n"
		"                   scenarios; how often the policy rolls back wrongly or misses\n"
		"                   a bad release, and how fast it detects and recovers, with\n"
		"                   95%% intervals, into DIR (default: out/mc-<name>)\n"
		"  demo [--runs N]  the built-in demo study (a mix of canary, blue-green and\n"
		"                   error-budget scenarios) into out/demo, with report.html\n"
		"  sweep [SCENARIO|MIX] --set PATH=V1,V2,... [--require C] [--minimize F]\n"
		"                   study every setting of a grid over the same runs (common\n"
		"                   random numbers) and recommend the one that meets the\n"
		"                   constraints fastest; grid.csv and sweep.json into DIR\n"
		"  check PATH... [--junit FILE] [-j THREADS]\n"
		"                   run every scenario's expect block (outcome, times, and\n"
		"                   shares over many seeds judged on their 95%% intervals);\n"
		"                   PASS/FAIL per scenario, JUnit XML for CI; exit 1 on a failure\n"
		"  validate FILE... check scenarios, mixes and live configurations without\n"
		"                   running them; every problem of every file, with its path\n"
		"  live CONFIG [--dry-run] [--resume STATE] [--out DIR]\n"
		"                   run CONFIG's deployment against real endpoints: HAProxy\n"
		"                   or Prometheus metrics and HTTP probes in, HAProxy weights\n"
		"                   or a command hook out; the same files into DIR (default:\n"
		"                   out/live-<name>) and an atomic state file for --resume\n"
		"  help [COMMAND]   show help for rollsim or for COMMAND\n"
		"  version          print the version\n"
		"\n"
		"exit codes:\n"
		"  0  the command completed (whatever the deployment's outcome)\n"
		"  1  check: an expectation was not met\n"
		"  2  bad input or usage (each problem is printed with its file and path)\n"
		"  3  a runtime failure (out of memory, cannot write the output; live: an\n"
		"     actuation failed)\n"
		"  130, 143  live: ended by SIGINT, SIGTERM (traffic rolled back or held,\n"
		"     and recorded)\n"
		"\n"
		"Run 'rollsim COMMAND --help' for a command's options.\n");
}

/* mc, demo and sweep: the commands whose runs may be shared among MPI
 * processes (cli/dist.c). */
static int study_command(int argc, char **argv)
{
	int rc;

	if (cli_dist_init(&argc, &argv) != 0) {
		fprintf(stderr, "rollsim %s: MPI failed to start\n", argv[1]);
		return CLI_EXIT_RUNTIME;
	}
	if (strcmp(argv[1], "mc") == 0)
		rc = cli_mc(argc - 1, argv + 1);
	else if (strcmp(argv[1], "demo") == 0)
		rc = cli_demo(argc - 1, argv + 1);
	else
		rc = cli_sweep(argc - 1, argv + 1);
	cli_dist_finalize();
	return rc;
}

int main(int argc, char **argv)
{
	/* GSL's default handler aborts; rollsim checks every return instead. */
	gsl_set_error_handler_off();
	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc == 2) {
			usage(stdout);
		} else if (strcmp(argv[2], "run") == 0) {
			cli_run_usage();
		} else if (strcmp(argv[2], "replay") == 0) {
			cli_replay_usage();
		} else if (strcmp(argv[2], "live") == 0) {
			cli_live_usage();
		} else if (strcmp(argv[2], "check") == 0) {
			cli_check_usage();
		} else if (strcmp(argv[2], "validate") == 0) {
			cli_validate_usage();
		} else if (strcmp(argv[2], "mc") == 0) {
			cli_mc_usage();
		} else if (strcmp(argv[2], "demo") == 0) {
			cli_demo_usage();
		} else if (strcmp(argv[2], "sweep") == 0) {
			cli_sweep_usage();
		} else {
			fprintf(stderr, "rollsim help: unknown command '%s'\n", argv[2]);
			fprintf(stderr, "Try 'rollsim --help'.\n");
			return CLI_EXIT_USAGE;
		}
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("rollsim %s\n", ROLLSIM_VERSION);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "run") == 0)
		return cli_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "replay") == 0)
		return cli_replay(argc - 1, argv + 1);
	if (strcmp(argv[1], "live") == 0)
		return cli_live(argc - 1, argv + 1);
	if (strcmp(argv[1], "check") == 0)
		return cli_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "validate") == 0)
		return cli_validate(argc - 1, argv + 1);
	if (strcmp(argv[1], "mc") == 0 || strcmp(argv[1], "demo") == 0 ||
	    strcmp(argv[1], "sweep") == 0)
		return study_command(argc, argv);
	fprintf(stderr, "rollsim: unknown command '%s'\n", argv[1]);
	fprintf(stderr, "Try 'rollsim --help'.\n");
	return CLI_EXIT_USAGE;
}
