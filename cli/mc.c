/* rollsim mc: a Monte Carlo study of one scenario or of a mix. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/record.h"
#include "scenario/simulate.h"
#include "reports/html.h"
#include "reports/plots.h"
#include "reports/stats.h"
#include "reports/study.h"
#include "scenario/study.h"

#define BOOTSTRAP_RESAMPLES 1000
#define FAN_RUNS 1000             /* the fan chart draws the first runs */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct mc_args {
	const char *cmd;          /* "mc" or "demo" */
	struct cli_study_opts o;  /* out_dir NULL: out/mc-<name> */
};

void cli_mc_usage(void)
{
	printf("usage: rollsim mc [SCENARIO|MIX] [--runs N] [-j THREADS] [--seed S] [--out DIR]\n"
	       "                  [--fidelity request|window] [--quiet]\n"
	       "\n"
	       "Run a Monte Carlo study: many deployments of SCENARIO (a scenario file), or\n"
	       "of the scenarios of MIX (a file listing scenarios with weights, such as 80%%\n"
	       "good releases and 20%% bad ones; see docs/studies.md), and report how often\n"
	       "the rollout policy is right and wrong and how fast it detects and recovers.\n"
	       "Without SCENARIO, studies the built-in default (%s).\n"
	       "\n"
	       "options:\n"
	       "  --runs N      runs in all, 1..%u (default 100); a mix splits them by weight\n"
	       "  -j, --jobs T  threads, 1..64 (default: one per CPU); the files do not depend on it\n"
	       "  --seed S      study seed (default 1): run i (from 0) has seed S + i, so\n"
	       "                'rollsim run SCENARIO --seed S+i' repeats it\n"
	       "  --out DIR     where to write the files (default: out/mc-<name>)\n"
	       "  --fidelity L  request (default) or window (each window drawn whole: faster,\n"
	       "                faithful only where instances are rarely busy)\n"
	       "  --quiet       print nothing on success (and no progress)\n"
	       "  -h, --help    show this help\n"
	       "\n"
	       "writes into DIR:\n"
	       "  runs.csv      one row per run: scenario, seed, ground truth, outcome, time\n"
	       "                to detect and to recover, failed requests, budget consumed\n"
	       "  summary.json  per scenario and overall: the confusion matrix, precision,\n"
	       "                recall and false-rollback rate with Wilson 95%% intervals; time\n"
	       "                to detect, time to recovery, duration, blast radius and budget\n"
	       "                consumed as mean, median, p90, p99 with bootstrap 95%% intervals\n"
	       "  report.html   one self-contained page: the tables and the plots inline\n"
	       "  ttr_hist, ttr_ecdf, ttd_ecdf, outcomes (.svg and .png)\n"
	       "                plots drawn by gnuplot: time to recovery as histogram and ECDF,\n"
	       "                time to detect as ECDF, outcomes per scenario; without gnuplot\n"
	       "                (apt-get install gnuplot-nox) the rest is still written\n"
	       "\n"
	       "A progress line goes to stderr when it is a terminal. The same input, runs\n"
	       "and seed give byte-identical files.\n"
	       "\n"
	       "exit codes: 0 the study completed, 2 bad input or usage (nothing is\n"
	       "written), 3 a runtime failure (a failed run writes nothing; a failed\n"
	       "plot leaves runs.csv and summary.json, and says so).\n",
	       scn_default_path, SCN_STUDY_MAX_RUNS);
}

/* Parses argv into a; returns -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, struct mc_args *a)
{
	for (int i = 1; i < argc; i++) {
		int rc;

		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			if (strcmp(a->cmd, "demo") == 0)
				cli_demo_usage();
			else
				cli_mc_usage();
			return CLI_EXIT_OK;
		}
		rc = cli_study_option(a->cmd, argc, argv, &i, &a->o);
		if (rc == -2)
			rc = cli_study_input(a->cmd, argv[i], &a->o);
		if (rc >= 0)
			return rc;
	}
	return -1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

struct progress {
	double t0;
	bool shown;
};

/* "  1234/5000 runs   812 runs/s   5 s left" on one terminal line. */
static void show_progress(size_t done, size_t total, void *ctx)
{
	struct progress *p = ctx;
	double dt = now_s() - p->t0, rate = dt > 0.0 ? (double)done / dt : 0.0;

	fprintf(stderr, "\r  %zu/%zu runs", done, total);
	if (rate > 0.0)
		fprintf(stderr, "  %.0f runs/s  %.0f s left   ", rate,
			(double)(total - done) / rate);
	p->shown = true;
}

/* "0.0123 (0.0100..0.0150)", or "n/a" */
static void print_interval(const char *what, struct rpt_interval iv)
{
	if (isnan(iv.est))
		printf("  %-22s n/a\n", what);
	else
		printf("  %-22s %.4f (95%% %.4f..%.4f)\n", what, iv.est, iv.lo, iv.hi);
}

static void print_headline(const char *cmd, const struct rpt_study *s, const char *dir, bool plots)
{
	struct rpt_confusion c = { 0 };
	double *ttd = malloc(s->nruns * sizeof(*ttd)), *ttr = malloc(s->nruns * sizeof(*ttr));
	size_t nd = 0, nr = 0;

	for (size_t i = 0; i < s->nruns; i++) {
		rpt_confusion_add(&c, &s->runs[i].sum);
		if (ttd && s->runs[i].sum.has_ttd)
			ttd[nd++] = s->runs[i].sum.ttd_s;
		if (ttr && s->runs[i].sum.has_ttr)
			ttr[nr++] = s->runs[i].sum.ttr_s;
	}
	printf("rollsim %s: %s (%zu runs, seeds %" PRIu64 "..%" PRIu64 "%s)\n", cmd, s->name, s->nruns,
	       s->seed, s->seed + (uint64_t)(s->nruns - 1),
	       strcmp(s->fidelity, "window") == 0 ? ", window-level fidelity" : "");
	printf("  true rollbacks         %" PRIu64 "\n  false rollbacks        %" PRIu64
	       "\n  missed bad releases    %" PRIu64 "\n  correct promotions     %" PRIu64
	       "\n  blocked                %" PRIu64 "\n",
	       c.true_rollbacks, c.false_rollbacks, c.missed, c.correct_promotions, c.blocked);
	if (c.other > 0)
		printf("  timed out              %" PRIu64 "\n", c.other);
	print_interval("precision", rpt_wilson(c.true_rollbacks, c.true_rollbacks + c.false_rollbacks));
	print_interval("recall", rpt_wilson(c.true_rollbacks, c.true_rollbacks + c.missed));
	print_interval("false-rollback rate",
		       rpt_wilson(c.false_rollbacks, c.false_rollbacks + c.correct_promotions));
	if (ttd != NULL && ttr != NULL) {
		struct rpt_interval m, p90;

		if (nd > 0 && rpt_bootstrap(ttd, nd, RPT_STAT_MEDIAN, 1, 0, &m) == 0 &&
		    rpt_bootstrap(ttd, nd, RPT_STAT_P90, 1, 0, &p90) == 0)
			printf("  time to detect         median %.1f s, p90 %.1f s (%zu runs)\n", m.est,
			       p90.est, nd);
		if (nr > 0 && rpt_bootstrap(ttr, nr, RPT_STAT_MEDIAN, 1, 0, &m) == 0 &&
		    rpt_bootstrap(ttr, nr, RPT_STAT_P90, 1, 0, &p90) == 0)
			printf("  time to recover        median %.1f s, p90 %.1f s (%zu runs)\n", m.est,
			       p90.est, nr);
	}
	printf("  written                %s/{runs.csv,summary.json,report.html%s}\n", dir,
	       plots ? ",*.svg,*.png" : "");
	free(ttd);
	free(ttr);
}

/* The run of median time to recovery (the lower median, the earliest of
 * equal times) into *best; the first run when none has one. -1 when out
 * of memory. */
static int example_run(const struct rpt_study_run *runs, size_t n, size_t *best)
{
	size_t k = 0, m;
	double *t = malloc(n * sizeof(*t));

	*best = 0;
	if (t == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (runs[i].sum.has_ttr)
			t[k++] = runs[i].sum.ttr_s;
	if (k > 0) {
		qsort(t, k, sizeof(*t), cmp_double);
		m = (k - 1) / 2;
		for (size_t i = 0; i < n; i++)
			if (runs[i].sum.has_ttr && runs[i].sum.ttr_s == t[m]) {
				*best = i;
				break;
			}
	}
	free(t);
	return 0;
}

/* The study of a (parsed), loaded from a's input, the built-in default, or
 * for demo the built-in demo mix. */
static int study(struct mc_args a)
{
	struct scn_study *st = NULL;
	struct scn_diag diag;
	struct rpt_study_entry entries[SCN_STUDY_MAX];
	struct rpt_study_run *runs = NULL;
	struct progress prog;
	char dir[4096], err[4400];
	enum scn_status sst;
	enum eng_status est;
	enum rpt_plots_status pst;
	struct rpt_weight_track *tracks = NULL;
	size_t ntracks, ex;
	struct eng_record example;
	cJSON *summary = NULL;
	char title[256], where[64];
	int rc, frank;

	eng_record_init(&example);
	scn_diag_init(&diag);
	if (strcmp(a.cmd, "demo") == 0)
		sst = scn_study_load_files(scn_demo_files_main, scn_demo_files, &diag, &st);
	else
		sst = scn_study_load(a.o.input, scn_default_json, strlen(scn_default_json),
				     scn_default_path, &diag, &st);
	cli_print_diag(&diag);
	scn_diag_free(&diag);
	if (sst != SCN_OK) {
		if (sst == SCN_ENOMEM) {
			fprintf(stderr, "rollsim %s: %s\n", a.cmd, scn_strerror(sst));
			return CLI_EXIT_RUNTIME;
		}
		return CLI_EXIT_USAGE;
	}
	if (a.o.out_dir != NULL)
		snprintf(dir, sizeof(dir), "%s", a.o.out_dir);
	else
		snprintf(dir, sizeof(dir), "out/mc-%s", st->name);
	ntracks = a.o.runs < FAN_RUNS ? a.o.runs : FAN_RUNS;
	runs = calloc(a.o.runs, sizeof(*runs));
	tracks = calloc(ntracks, sizeof(*tracks));
	est = cli_dist_agree(runs != NULL && tracks != NULL ? ENG_OK : ENG_ENOMEM, &frank);
	if (est != ENG_OK) {
		free(runs);
		free(tracks);
		fprintf(stderr, "rollsim %s: out of memory for %" PRIu64 " runs%s\n", a.cmd, a.o.runs,
			cli_dist_where(frank, where, sizeof(where)));
		scn_study_free(st);
		return CLI_EXIT_RUNTIME;
	}
	if (a.o.fidelity == SCN_FIDELITY_WINDOW)
		for (size_t e = 0; e < st->n; e++)
			cli_warn_caveats(a.cmd, st->sc[e]);
	prog = (struct progress){ now_s(), false };
	est = cli_dist_study_run(st, a.o.runs, cli_study_threads(&a.o), a.o.seed, a.o.fidelity, runs,
				 tracks, ntracks,
				 !a.o.quiet && isatty(STDERR_FILENO) ? show_progress : NULL, &prog,
				 &frank);
	if (prog.shown)
		fprintf(stderr, "\r%60s\r", "");
	if (est != ENG_OK) {
		fprintf(stderr, "rollsim %s: %s: a run failed%s: %s; nothing is written\n", a.cmd,
			st->name, cli_dist_where(frank, where, sizeof(where)), eng_strerror(est));
		rc = CLI_EXIT_RUNTIME;
		goto out;
	}
	if (cli_dist_rank() != 0) {
		rc = CLI_EXIT_OK; /* rank 0 writes the files */
		goto out;
	}
	for (size_t e = 0; e < st->n; e++)
		entries[e] = (struct rpt_study_entry){ st->sc[e]->name, st->weight[e],
						       st->sc[e]->slo.availability_frac };
	/* The run shown whole: the one of median time to recovery, simulated
	 * again from its seed (the same run, by determinism). */
	eng_record_init(&example);
	est = example_run(runs, a.o.runs, &ex) == 0 ? ENG_OK : ENG_ENOMEM;
	if (est == ENG_OK)
		est = scn_simulate(st->sc[runs[ex].entry], runs[ex].seed, a.o.fidelity, &example);
	if (est != ENG_OK) {
		fprintf(stderr, "rollsim %s: %s: a run failed: %s; nothing is written\n", a.cmd, st->name,
			eng_strerror(est));
		rc = CLI_EXIT_RUNTIME;
		goto out;
	}
	snprintf(title, sizeof(title), "%s, seed %" PRIu64 " (run %zu): %s, the %s", st->sc[runs[ex].entry]->name,
		 runs[ex].seed, ex, eng_outcome_name(runs[ex].sum.outcome),
		 runs[ex].sum.has_ttr ? "run of median time to recovery" : "first run");
	const struct rpt_study s = {
		.name = st->name,
		.seed = a.o.seed,
		.fidelity = a.o.fidelity == SCN_FIDELITY_WINDOW ? "window" : "request",
		.entries = entries,
		.nentries = st->n,
		.runs = runs,
		.nruns = a.o.runs,
		.bootstrap = BOOTSTRAP_RESAMPLES,
		.threads = cli_study_threads(&a.o),
		.tracks = tracks,
		.ntracks = ntracks,
		.example = &example,
		.example_title = title,
	};
	enum rpt_status rst;

	/* every bootstrap interval of summary.json and report.html, once */
	summary = rpt_study_json(&s);
	if (summary == NULL) {
		fprintf(stderr, "rollsim %s: %s: out of memory for the summary; nothing is written\n",
			a.cmd, st->name);
		rc = CLI_EXIT_RUNTIME;
		goto out;
	}
	rst = rpt_write_study(dir, &s, summary, err, sizeof(err));
	if (rst != RPT_OK) {
		fprintf(stderr, "rollsim %s: %s\n", a.cmd, rst == RPT_EIO ? err : rpt_strerror(rst));
		rc = CLI_EXIT_RUNTIME;
		goto out;
	}
	pst = rpt_write_study_plots(dir, &s, err, sizeof(err));
	if (pst == RPT_PLOTS_FAILED) {
		fprintf(stderr, "rollsim %s: %s\nrollsim %s: runs.csv and summary.json are written; the plots and report.html are not\n",
			a.cmd, err, a.cmd);
		rc = CLI_EXIT_RUNTIME;
		goto out;
	}
	if (pst == RPT_PLOTS_NO_GNUPLOT)
		fprintf(stderr, "rollsim %s: no plots: gnuplot is not installed (apt-get install gnuplot-nox); report.html is written without them\n",
			a.cmd);
	if (rpt_write_study_html(dir, summary, pst == RPT_PLOTS_OK, err, sizeof(err)) != 0) {
		fprintf(stderr, "rollsim %s: %s\n", a.cmd, err);
		rc = CLI_EXIT_RUNTIME;
		goto out;
	}
	if (!a.o.quiet)
		print_headline(a.cmd, &s, dir, pst == RPT_PLOTS_OK);
	rc = CLI_EXIT_OK;
out:
	cJSON_Delete(summary);
	eng_record_free(&example);
	free(tracks);
	free(runs);
	scn_study_free(st);
	return rc;
}

int cli_mc(int argc, char **argv)
{
	struct mc_args a = { .cmd = "mc", .o = { .runs = 100, .seed = 1 } };
	int rc = parse_args(argc, argv, &a);

	return rc >= 0 ? rc : study(a);
}

int cli_demo(int argc, char **argv)
{
	struct mc_args a = { .cmd = "demo", .o = { .runs = 500, .seed = 1, .out_dir = "out/demo" } };
	int rc = parse_args(argc, argv, &a);

	if (rc >= 0)
		return rc;
	if (a.o.input != NULL)
		return cli_usage_error(a.cmd, "'%s': rollsim demo takes no scenario; rollsim mc does", a.o.input);
	return study(a);
}

void cli_demo_usage(void)
{
	printf("usage: rollsim demo [--runs N] [-j THREADS] [--seed S] [--out DIR]\n"
	       "                    [--fidelity request|window] [--quiet]\n"
	       "\n"
	       "Run the built-in demo study: %s, a mix of canary, blue-green and\n"
	       "error-budget scenarios compiled into rollsim (no file needed), 500 runs by\n"
	       "default, into out/demo: runs.csv, summary.json, the plots and report.html.\n"
	       "The options and the files are those of rollsim mc (rollsim mc --help).\n",
	       scn_demo_files_main);
}
