/* rollsim check: every scenario's expect block, judged, for CI
 * (docs/check.md). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "engine/record.h"
#include "reports/check.h"
#include "reports/run_summary.h"
#include "scenario/scenario.h"
#include "scenario/simulate.h"
#include "scenario/study.h"

#define CHECK_MAX_FILES 4096
#define CHECK_BOOTSTRAP 2000

struct check_args {
	const char *paths[CHECK_MAX_FILES];
	size_t npaths;
	const char *junit;        /* NULL: none */
	struct cli_study_opts o;  /* threads and fidelity */
	bool quiet;
};

void cli_check_usage(void)
{
	printf("usage: rollsim check PATH... [--junit FILE] [-j THREADS] [--fidelity request|window]\n"
	       "                     [--quiet]\n"
	       "\n"
	       "Run every scenario's expect block and say whether the rollout policy still\n"
	       "does what it should: the outcome, bounds on the time to detect and to\n"
	       "recover, and, with expect.runs, shares over many seeds (recall, the\n"
	       "false-rollback rate, the outcome rate) judged on the bounds of their 95%%\n"
	       "intervals, so that a lucky run cannot pass a bad policy (docs/check.md).\n"
	       "\n"
	       "options:\n"
	       "  PATH            a scenario file, or a folder: its *.json files, in name order\n"
	       "  --junit FILE    also write JUnit XML for CI (one testcase per scenario)\n"
	       "  -j, --jobs N    threads for the runs of expect.runs (default: one per CPU)\n"
	       "  --fidelity F    request (default) or window\n"
	       "  --quiet         print only failures and the closing line\n"
	       "  -h, --help      show this help\n"
	       "\n"
	       "prints one line per scenario as it finishes (PASS, FAIL or SKIP, with the\n"
	       "numbers), then \"N passed, N failed\" (and \", N skipped\").\n"
	       "\n"
	       "exit codes: 0 every expectation was met, 1 one was not, 2 bad input or usage\n"
	       "(every file is loaded before any runs; nothing runs when one is bad), 3 a\n"
	       "runtime failure.\n");
}

static int parse_args(int argc, char **argv, struct check_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = NULL;
		int rc = -1;

		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			cli_check_usage();
			return CLI_EXIT_OK;
		}
		if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
			a->quiet = true;
		} else if (cli_option_value("check", argc, argv, &i, "--junit", &val, &rc)) {
			a->junit = val;
		} else if (strncmp(arg, "--jobs", 6) == 0 || strncmp(arg, "-j", 2) == 0 ||
			   strncmp(arg, "--fidelity", 10) == 0) {
			rc = cli_study_option("check", argc, argv, &i, &a->o);
			if (rc == -2)
				return cli_usage_error("check", "unknown option '%s'", arg);
		} else if (arg[0] == '-' && arg[1] != '\0') {
			return cli_usage_error("check", "unknown option '%s'", arg);
		} else if (a->npaths == CHECK_MAX_FILES) {
			return cli_usage_error("check", "more than %s paths", "4096");
		} else {
			a->paths[a->npaths++] = arg;
		}
		if (rc >= 0)
			return rc;
	}
	if (a->npaths == 0)
		return cli_usage_error("check", "no PATH%s; expected scenario files or folders of them", "");
	return -1;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The files of the paths: each file as it is, each folder's *.json files
 * in name order. Returns the count, or -1 (said on stderr). */
static long list_files(const struct check_args *a, char **files, size_t cap)
{
	size_t n = 0;

	for (size_t p = 0; p < a->npaths; p++) {
		struct stat st;
		DIR *d;
		struct dirent *e;
		size_t first = n;

		if (stat(a->paths[p], &st) != 0) {
			fprintf(stderr, "rollsim check: %s: %s\n", a->paths[p], strerror(errno));
			return -1;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (n == cap || (files[n] = strdup(a->paths[p])) == NULL)
				return -1;
			n++;
			continue;
		}
		d = opendir(a->paths[p]);
		if (d == NULL) {
			fprintf(stderr, "rollsim check: %s: %s\n", a->paths[p], strerror(errno));
			return -1;
		}
		while ((e = readdir(d)) != NULL) {
			size_t len = strlen(e->d_name);
			char path[4096];

			if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0 || e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", a->paths[p], e->d_name);
			if (n == cap || (files[n] = strdup(path)) == NULL) {
				closedir(d);
				fprintf(stderr, "rollsim check: more than %zu files, or out of memory\n", cap);
				return -1;
			}
			n++;
		}
		closedir(d);
		if (n == first) {
			fprintf(stderr, "rollsim check: %s: no *.json file in the folder\n", a->paths[p]);
			return -1;
		}
		qsort(files + first, n - first, sizeof(*files), cmp_str);
	}
	return (long)n;
}

static void spec_of(const struct scn_scenario *sc, struct rpt_check_spec *spec)
{
	*spec = (struct rpt_check_spec){
		.outcome = sc->expect_outcome,
		.ttd = sc->expect_ttd, .ttr = sc->expect_ttr,
		.ttd_min_s = sc->expect_ttd_min_s, .ttd_max_s = sc->expect_ttd_max_s,
		.ttr_min_s = sc->expect_ttr_min_s, .ttr_max_s = sc->expect_ttr_max_s,
		.runs = sc->expect_runs,
	};
	spec->recall = (struct rpt_share_spec){ sc->expect_recall.set, sc->expect_recall.min,
						sc->expect_recall.max };
	spec->false_rollback_rate = (struct rpt_share_spec){
		sc->expect_false_rollback_rate.set, sc->expect_false_rollback_rate.min,
		sc->expect_false_rollback_rate.max };
	spec->outcome_rate = (struct rpt_share_spec){ sc->expect_outcome_rate.set,
						      sc->expect_outcome_rate.min,
						      sc->expect_outcome_rate.max };
}

/* Runs sc as its expectations say and judges them into res. */
static enum eng_status run_one(struct scn_scenario *sc, const struct check_args *a,
			       struct rpt_check_result *res)
{
	struct rpt_check_spec spec;
	enum eng_status st;

	spec_of(sc, &spec);
	if (spec.runs == 0) {
		struct eng_record rec;
		struct rpt_run_meta meta;
		struct rpt_summary sum;

		scn_run_meta(sc, sc->seed, &meta);
		eng_record_init(&rec);
		st = scn_simulate(sc, sc->seed, a->o.fidelity, &rec);
		if (st == ENG_OK) {
			rpt_summarize(&rec, &meta, &sum);
			if (rpt_check_judge(&spec, &sum, 1, CHECK_BOOTSTRAP, sc->seed, res) != 0)
				st = ENG_ENOMEM;
		}
		eng_record_free(&rec);
		return st;
	}
	struct scn_study study = { .n = 1, .sc = { sc }, .weight = { 1.0 } };
	struct rpt_study_run *runs = calloc(spec.runs, sizeof(*runs));
	struct rpt_summary *sums = calloc(spec.runs, sizeof(*sums));

	snprintf(study.name, sizeof(study.name), "%s", sc->name);
	st = runs && sums ? ENG_OK : ENG_ENOMEM;
	if (st == ENG_OK)
		st = scn_study_run(&study, spec.runs, cli_study_threads(&a->o), sc->seed, a->o.fidelity,
				   runs, NULL, NULL);
	if (st == ENG_OK) {
		for (uint32_t i = 0; i < spec.runs; i++)
			sums[i] = runs[i].sum;
		if (rpt_check_judge(&spec, sums, spec.runs, CHECK_BOOTSTRAP, sc->seed, res) != 0)
			st = ENG_ENOMEM;
	}
	free(runs);
	free(sums);
	return st;
}

static void print_line(const char *verdict, const char *name, const char *file,
		       const struct rpt_check_result *res, uint32_t runs, const char *skip)
{
	printf("%s %s (%s)", verdict, name, file);
	if (skip != NULL) {
		printf(": %s\n", skip);
		return;
	}
	printf(": %u run%s", runs ? runs : 1, runs > 1 ? "s" : "");
	for (size_t k = 0; k < res->n; k++)
		printf("; %s", res->reasons[k]);
	putchar('\n');
	fflush(stdout);
}

/* Loads every file; -1 to go on, else the exit code (every problem said). */
static int load_all(char **files, size_t n, struct scn_scenario **sc)
{
	struct scn_diag diag;
	int rc = -1;

	scn_diag_init(&diag);
	for (size_t i = 0; i < n; i++) {
		enum scn_status st = scn_load_file(files[i], &diag, &sc[i]);

		if (st == SCN_ENOMEM) {
			fprintf(stderr, "rollsim check: out of memory\n");
			rc = CLI_EXIT_RUNTIME;
		} else if (st != SCN_OK && rc < 0) {
			rc = CLI_EXIT_USAGE;
		}
	}
	cli_print_diag(&diag);
	scn_diag_free(&diag);
	return rc;
}

int cli_check(int argc, char **argv)
{
	struct check_args a = { .o = { .fidelity = SCN_FIDELITY_REQUEST } };
	char **files = NULL;
	struct scn_scenario **sc = NULL;
	struct rpt_check_result *res = NULL;
	struct rpt_junit_case *cases = NULL;
	size_t n = 0, passed = 0, failed = 0, skipped = 0;
	long count;
	int rc = parse_args(argc, argv, &a);

	if (rc >= 0)
		return rc;
	files = calloc(CHECK_MAX_FILES, sizeof(*files));
	if (files == NULL) {
		fprintf(stderr, "rollsim check: out of memory\n");
		return CLI_EXIT_RUNTIME;
	}
	count = list_files(&a, files, CHECK_MAX_FILES);
	if (count < 0) {
		rc = CLI_EXIT_USAGE;
		goto out;
	}
	n = (size_t)count;
	sc = calloc(n, sizeof(*sc));
	res = calloc(n, sizeof(*res));
	cases = calloc(n, sizeof(*cases));
	if (sc == NULL || res == NULL || cases == NULL) {
		fprintf(stderr, "rollsim check: out of memory\n");
		rc = CLI_EXIT_RUNTIME;
		goto out;
	}
	rc = load_all(files, n, sc);
	if (rc >= 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		cases[i] = (struct rpt_junit_case){ sc[i]->name, files[i], false, NULL, &res[i] };
		if (!sc[i]->has_expect) {
			cases[i].skipped = true;
			cases[i].skip_reason = "no expect block";
			skipped++;
			if (!a.quiet)
				print_line("SKIP", sc[i]->name, files[i], NULL, 0, "no expect block");
			continue;
		}
		enum eng_status st = run_one(sc[i], &a, &res[i]);

		if (st != ENG_OK) {
			fprintf(stderr, "rollsim check: %s: the simulation failed: %s\n", files[i],
				eng_strerror(st));
			rc = CLI_EXIT_RUNTIME;
			goto out;
		}
		if (res[i].passed)
			passed++;
		else
			failed++;
		if (!a.quiet || !res[i].passed)
			print_line(res[i].passed ? "PASS" : "FAIL", sc[i]->name, files[i], &res[i],
				   sc[i]->expect_runs, NULL);
	}
	if (skipped > 0)
		printf("%zu passed, %zu failed, %zu skipped\n", passed, failed, skipped);
	else
		printf("%zu passed, %zu failed\n", passed, failed);
	rc = failed > 0 ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
	if (a.junit != NULL) {
		char err[4400];

		if (rpt_write_junit(a.junit, cases, n, err, sizeof(err)) != 0) {
			fprintf(stderr, "rollsim check: %s\n", err);
			rc = CLI_EXIT_RUNTIME;
		}
	}
out:
	for (size_t i = 0; files != NULL && i < CHECK_MAX_FILES && files[i] != NULL; i++)
		free(files[i]);
	for (size_t i = 0; sc != NULL && i < n; i++)
		scn_free(sc[i]);
	free(files);
	free(sc);
	free(res);
	free(cases);
	return rc;
}
