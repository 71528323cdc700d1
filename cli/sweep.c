/* rollsim sweep: a grid of settings, each studied over the same runs. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "reports/sweep.h"
#include "reports/sweep_report.h"
#include "scenario/patch.h"
#include "scenario/study.h"

#define MAX_PARAMS 8
#define MAX_VALUES 64
#define MAX_SETTINGS 10000u

struct sweep_args {
	struct cli_study_opts o;  /* out_dir NULL: out/sweep-<name> */
	char *set_text[MAX_PARAMS]; /* owned copies of PATH=V1,V2,... */
	struct rpt_sweep_param params[MAX_PARAMS];
	const char *values[MAX_PARAMS][MAX_VALUES];
	size_t nparams;
	struct rpt_constraint require[RPT_MAX_CONSTRAINTS];
	size_t nrequire;
	bool has_minimize;
	enum rpt_figure minimize;
};

void cli_sweep_usage(void)
{
	printf("usage: rollsim sweep [SCENARIO|MIX] --set PATH=V1,V2,... [--set ...] [--runs N]\n"
	       "                     [-j T] [--seed S] [--out DIR] [--fidelity request|window]\n"
	       "                     [--require 'FIGURE<=X,FIGURE>=Y'] [--minimize FIGURE] [--quiet]\n"
	       "\n"
	       "Study every setting of a grid over the same runs: each --set puts each of\n"
	       "its values at the dotted PATH of every scenario (such as\n"
	       "deployment.analysis.metrics[0].max=0.01,0.02,0.05), the grid is every\n"
	       "combination, and every setting meets the same seeds, so the same traffic\n"
	       "and the same faults (common random numbers): the differences are the\n"
	       "settings', not noise. With --require, the recommended setting is the one\n"
	       "that meets every constraint with the least --minimize figure.\n"
	       "\n"
	       "options:\n"
	       "  --set PATH=V1,V2,...  a setting and its values (up to %d settings, %d values\n"
	       "                each; %u combinations in all); a value is JSON (a number,\n"
	       "                true, false) or else a string\n"
	       "  --runs N      runs per setting (default 100)\n"
	       "  -j, --jobs T  threads, 1..64 (default: one per CPU)\n"
	       "  --seed S      study seed (default 1): run i of every setting has seed S + i\n"
	       "  --out DIR     where to write the files (default: out/sweep-<name>)\n"
	       "  --fidelity L  request (default) or window\n"
	       "  --require C   constraints, FIGURE<=X or FIGURE>=X joined by ',', on the\n"
	       "                estimates; figures: precision, recall, false_rollback_rate,\n"
	       "                ttd_median, ttd_p90, ttr_median, ttr_p90, duration_mean\n"
	       "  --minimize F  the figure to minimise among the settings that meet them\n"
	       "                (default ttd_p90)\n"
	       "  --quiet       print nothing on success\n"
	       "  -h, --help    show this help\n"
	       "\n"
	       "writes into DIR:\n"
	       "  grid.csv      one row per setting: its values, the confusion matrix, the\n"
	       "                rates with Wilson 95%% intervals, TTD and TTR median and p90,\n"
	       "                whether it meets the constraints, and which is recommended\n"
	       "  sweep.json    the constraints and the recommended setting, or null\n"
	       "  report.html   one self-contained page: the recommendation, the grid, and\n"
	       "                the plots inline\n"
	       "  roc, pareto (.svg and .png)\n"
	       "                drawn by gnuplot: false-rollback rate against recall, and\n"
	       "                time to detect (p90) against false-rollback rate with the\n"
	       "                Pareto front; the recommended setting marked\n"
	       "\n"
	       "exit codes: 0 the sweep completed (whether or not a setting meets the\n"
	       "constraints), 2 bad input or usage (nothing is written), 3 a runtime failure\n"
	       "(a failed run writes nothing; a failed plot leaves grid.csv and sweep.json).\n",
	       MAX_PARAMS, MAX_VALUES, MAX_SETTINGS);
}

/* PATH=V1,V2,... into the next parameter. */
static int add_set(struct sweep_args *a, const char *text)
{
	char *copy, *eq, *v;
	struct rpt_sweep_param *p;

	if (a->nparams == MAX_PARAMS)
		return cli_usage_error("sweep", "--set: more than %s settings", "8");
	copy = strdup(text);
	if (copy == NULL) {
		fprintf(stderr, "rollsim sweep: out of memory\n");
		return CLI_EXIT_RUNTIME;
	}
	a->set_text[a->nparams] = copy;
	eq = strchr(copy, '=');
	if (eq == NULL || eq == copy || eq[1] == '\0')
		return cli_usage_error("sweep", "--set: '%s' is not PATH=V1,V2,...", text);
	*eq = '\0';
	p = &a->params[a->nparams];
	p->path = copy;
	p->values = a->values[a->nparams];
	p->nvalues = 0;
	for (v = eq + 1;;) {
		char *comma = strchr(v, ',');

		if (comma != NULL)
			*comma = '\0';
		if (*v == '\0')
			return cli_usage_error("sweep", "--set: '%s' has an empty value", text);
		if (p->nvalues == MAX_VALUES)
			return cli_usage_error("sweep", "--set: '%s' has more than 64 values", text);
		a->values[a->nparams][p->nvalues++] = v;
		if (comma == NULL)
			break;
		v = comma + 1;
	}
	for (size_t k = 0; k < a->nparams; k++)
		if (strcmp(a->params[k].path, p->path) == 0)
			return cli_usage_error("sweep", "--set: '%s' is set twice", p->path);
	a->nparams++;
	return -1;
}

/* Parses argv into a; returns -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, struct sweep_args *a)
{
	static const char *const opts[] = { "--set", "--require", "--minimize", NULL };

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *val, *eq = strchr(arg, '=');
		size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
		char err[512];
		int k = -1, rc;

		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			cli_sweep_usage();
			return CLI_EXIT_OK;
		}
		rc = cli_study_option("sweep", argc, argv, &i, &a->o);
		if (rc >= 0)
			return rc;
		if (rc == -1)
			continue;
		for (int o = 0; opts[o] != NULL; o++)
			if (strlen(opts[o]) == n && strncmp(arg, opts[o], n) == 0)
				k = o;
		if (k < 0) {
			rc = cli_study_input("sweep", arg, &a->o);
			if (rc >= 0)
				return rc;
			continue;
		}
		if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			return cli_usage_error("sweep", "option '%s' needs a value", arg);
		switch (k) {
		case 0:
			rc = add_set(a, val);
			if (rc >= 0)
				return rc;
			break;
		case 1:
			rc = rpt_parse_constraints(val, a->require, err, sizeof(err));
			if (rc < 0)
				return cli_usage_error("sweep", "--require: %s", err);
			a->nrequire = (size_t)rc;
			break;
		default:
			if (!rpt_parse_figure(val, &a->minimize))
				return cli_usage_error("sweep", "--minimize: '%s' is not a figure; expected one of precision, recall, false_rollback_rate, ttd_median, ttd_p90, ttr_median, ttr_p90, duration_mean",
						       val);
			a->has_minimize = true;
			break;
		}
	}
	if (a->nparams == 0)
		return cli_usage_error("sweep", "no --set PATH=V1,V2,...%s; expected at least one setting to sweep", "");
	return -1;
}

/* Setting i's patches. */
static void patches_of(const struct sweep_args *a, size_t i, struct scn_patch *p)
{
	size_t idx[MAX_PARAMS];

	rpt_sweep_indices(a->params, a->nparams, i, idx);
	for (size_t k = 0; k < a->nparams; k++)
		p[k] = (struct scn_patch){ a->params[k].path, a->params[k].values[idx[k]] };
}

/* Loads setting i's study; prints its problems. */
static int load_setting(const struct sweep_args *a, size_t i, struct scn_study **st)
{
	struct scn_patch p[MAX_PARAMS];
	struct scn_diag diag;
	enum scn_status s;

	patches_of(a, i, p);
	scn_diag_init(&diag);
	s = scn_study_load_patched(a->o.input, scn_default_json, strlen(scn_default_json),
				   scn_default_path, p, a->nparams, &diag, st);
	if (s == SCN_EINVAL) {
		fprintf(stderr, "rollsim sweep: setting %zu (", i);
		for (size_t k = 0; k < a->nparams; k++)
			fprintf(stderr, "%s%s=%s", k ? ", " : "", p[k].path, p[k].value);
		fprintf(stderr, "):\n");
	}
	cli_print_diag(&diag);
	scn_diag_free(&diag);
	if (s == SCN_OK)
		return -1;
	if (s == SCN_ENOMEM) {
		fprintf(stderr, "rollsim sweep: %s\n", scn_strerror(s));
		return CLI_EXIT_RUNTIME;
	}
	return CLI_EXIT_USAGE;
}

static void print_table(const struct rpt_sweep *sw, const char *dir, bool plots)
{
	size_t idx[MAX_PARAMS];

	printf("rollsim sweep: %s (%zu settings x %zu runs, seeds %" PRIu64 "..%" PRIu64 ")\n",
	       sw->name, sw->npoints, sw->runs, sw->seed, sw->seed + (uint64_t)(sw->runs - 1));
	printf("  setting  %-24s %-8s %9s  %-5s  values\n", "false-rollback rate", "recall", "ttd p90",
	       "meets");
	for (size_t i = 0; i < sw->npoints; i++) {
		const struct rpt_sweep_point *p = &sw->points[i];

		rpt_sweep_indices(sw->params, sw->nparams, i, idx);
		char frr[64] = "n/a", recall[16] = "n/a", ttd[16] = "n/a";

		if (!isnan(p->false_rollback_rate.est))
			snprintf(frr, sizeof(frr), "%.4f (%.4f..%.4f)", p->false_rollback_rate.est,
				 p->false_rollback_rate.lo, p->false_rollback_rate.hi);
		if (!isnan(p->recall.est))
			snprintf(recall, sizeof(recall), "%.4f", p->recall.est);
		if (!isnan(p->ttd_p90))
			snprintf(ttd, sizeof(ttd), "%.1f s", p->ttd_p90);
		printf("  %7zu  %-24s %-8s %9s  %-5s  ", i, frr, recall, ttd,
		       rpt_sweep_meets(p, sw->constraints, sw->nconstraints) ? "yes" : "no");
		for (size_t k = 0; k < sw->nparams; k++)
			printf("%s%s=%s", k ? " " : "", sw->params[k].path,
			       sw->params[k].values[idx[k]]);
		printf("\n");
	}
	if (sw->nconstraints > 0) {
		if (sw->recommended == SIZE_MAX) {
			printf("  recommended  none: no setting meets the constraints\n");
		} else {
			rpt_sweep_indices(sw->params, sw->nparams, sw->recommended, idx);
			printf("  recommended  setting %zu:", sw->recommended);
			for (size_t k = 0; k < sw->nparams; k++)
				printf(" %s=%s", sw->params[k].path, sw->params[k].values[idx[k]]);
			printf(" (least %s of those that meet the constraints)\n",
			       rpt_figure_name(sw->minimize));
		}
	}
	printf("  written      %s/{grid.csv,sweep.json,report.html%s}\n", dir,
	       plots ? ",roc.*,pareto.*" : "");
}

int cli_sweep(int argc, char **argv)
{
	struct sweep_args *a = calloc(1, sizeof(*a));
	struct scn_study *st = NULL;
	struct rpt_sweep_point *pts = NULL;
	struct rpt_study_run *runs = NULL;
	size_t npoints = 1;
	char dir[4096], err[4400], name[SCN_NAME_MAX] = "", where[64];
	enum rpt_plots_status pst;
	int rc, frank;

	if (a == NULL) {
		fprintf(stderr, "rollsim sweep: out of memory\n");
		return CLI_EXIT_RUNTIME;
	}
	a->o.runs = 100;
	a->o.seed = 1;
	a->minimize = RPT_FIG_TTD_P90;
	rc = parse_args(argc, argv, a);
	if (rc >= 0)
		goto out;
	for (size_t k = 0; k < a->nparams; k++) {
		npoints *= a->params[k].nvalues;
		if (npoints > MAX_SETTINGS) {
			rc = cli_usage_error("sweep", "the grid has more than %s settings", "10000");
			goto out;
		}
	}
	/* Every setting loads before any runs: bad input writes nothing. */
	for (size_t i = 0; i < npoints; i++) {
		rc = load_setting(a, i, &st);
		if (rc >= 0)
			goto out;
		if (i == 0)
			snprintf(name, sizeof(name), "%s", st->name);
		scn_study_free(st);
		st = NULL;
	}
	pts = calloc(npoints, sizeof(*pts));
	runs = calloc(a->o.runs, sizeof(*runs));
	if (cli_dist_agree(pts != NULL && runs != NULL ? ENG_OK : ENG_ENOMEM, &frank) != ENG_OK) {
		fprintf(stderr, "rollsim sweep: out of memory%s\n",
			cli_dist_where(frank, where, sizeof(where)));
		rc = CLI_EXIT_RUNTIME;
		goto out;
	}
	for (size_t i = 0; i < npoints; i++) {
		enum eng_status est;

		rc = load_setting(a, i, &st);
		if (rc >= 0)
			goto out;
		if (!a->o.quiet && isatty(STDERR_FILENO))
			fprintf(stderr, "\r  setting %zu/%zu", i + 1, npoints);
		est = cli_dist_study_run(st, a->o.runs, cli_study_threads(&a->o), a->o.seed,
					 a->o.fidelity, runs, NULL, 0, NULL, NULL, &frank);
		scn_study_free(st);
		st = NULL;
		if (est != ENG_OK) {
			fprintf(stderr, "rollsim sweep: setting %zu: a run failed%s: %s; nothing is written\n",
				i, cli_dist_where(frank, where, sizeof(where)), eng_strerror(est));
			rc = CLI_EXIT_RUNTIME;
			goto out;
		}
		/* rank 0 holds every run; the others, their block */
		if (cli_dist_rank() == 0 && rpt_sweep_point_of(runs, a->o.runs, &pts[i]) != 0) {
			fprintf(stderr, "rollsim sweep: out of memory\n");
			rc = CLI_EXIT_RUNTIME;
			goto out;
		}
	}
	if (!a->o.quiet && isatty(STDERR_FILENO))
		fprintf(stderr, "\r%40s\r", "");
	if (cli_dist_rank() != 0) {
		rc = CLI_EXIT_OK; /* rank 0 writes the files */
		goto out;
	}
	if (a->o.out_dir != NULL)
		snprintf(dir, sizeof(dir), "%s", a->o.out_dir);
	else
		snprintf(dir, sizeof(dir), "out/sweep-%s", name);
	const struct rpt_sweep sw = {
		.name = name,
		.seed = a->o.seed,
		.runs = a->o.runs,
		.fidelity = a->o.fidelity == SCN_FIDELITY_WINDOW ? "window" : "request",
		.params = a->params,
		.nparams = a->nparams,
		.points = pts,
		.npoints = npoints,
		.constraints = a->require,
		.nconstraints = a->nrequire,
		.has_minimize = a->nrequire > 0 || a->has_minimize,
		.minimize = a->minimize,
		.recommended = a->nrequire > 0 || a->has_minimize
				       ? rpt_sweep_recommend(pts, npoints, a->require, a->nrequire,
							     a->minimize)
				       : SIZE_MAX,
	};
	if (rpt_write_sweep(dir, &sw, err, sizeof(err)) != RPT_OK) {
		fprintf(stderr, "rollsim sweep: %s\n", err);
		rc = CLI_EXIT_RUNTIME;
		goto out;
	}
	pst = rpt_write_sweep_plots(dir, &sw, err, sizeof(err));
	if (pst == RPT_PLOTS_FAILED) {
		fprintf(stderr, "rollsim sweep: %s\nrollsim sweep: grid.csv and sweep.json are written; the plots and report.html are not\n",
			err);
		rc = CLI_EXIT_RUNTIME;
		goto out;
	}
	if (pst == RPT_PLOTS_NO_GNUPLOT)
		fprintf(stderr, "rollsim sweep: no plots: gnuplot is not installed (apt-get install gnuplot-nox); report.html is written without them\n");
	if (rpt_write_sweep_html(dir, &sw, pst == RPT_PLOTS_OK, err, sizeof(err)) != 0) {
		fprintf(stderr, "rollsim sweep: %s\n", err);
		rc = CLI_EXIT_RUNTIME;
		goto out;
	}
	if (!a->o.quiet)
		print_table(&sw, dir, pst == RPT_PLOTS_OK);
	rc = CLI_EXIT_OK;
out:
	scn_study_free(st);
	free(pts);
	free(runs);
	for (size_t k = 0; k < MAX_PARAMS; k++)
		free(a->set_text[k]);
	free(a);
	return rc;
}
