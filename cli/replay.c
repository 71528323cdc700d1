/* rollsim replay: recorded per-window metrics fed through a deployment's
 * engine, reporting every decision it would have made. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/record.h"
#include "engine/run.h"
#include "replay/csv_in.h"
#include "replay/prometheus.h"
#include "replay/world.h"
#include "reports/run_report.h"
#include "reports/run_summary.h"
#include "scenario/scenario.h"
#include "scenario/simulate.h"

#define MAX_PROM 32

struct replay_args {
	const char *metrics;      /* the CSV; NULL with --prometheus */
	const char *config;       /* --deploy */
	const char *out_dir;      /* NULL: out/replay-<name> */
	struct replay_prom_input prom[MAX_PROM];
	size_t nprom;
	struct replay_prom_labels labels;
	bool quiet;
};

void cli_replay_usage(void)
{
	printf("usage: rollsim replay METRICS --deploy CONFIG [--out DIR] [--quiet]\n"
	       "       rollsim replay --prometheus METRIC=FILE [--prometheus METRIC=FILE ...]\n"
	       "                      [--version-label NAME] [--stable-value V] [--canary-value V]\n"
	       "                      --deploy CONFIG [--out DIR] [--quiet]\n"
	       "\n"
	       "Feed recorded per-window metrics of the stable and the canary through the\n"
	       "deployment of CONFIG and report every decision the engine would have made\n"
	       "and when it would have rolled back. The engine's weights are recorded, but\n"
	       "the metrics stay as recorded: a replay says what the policy would have\n"
	       "decided on these metrics, not what users would have seen (docs/replay.md).\n"
	       "\n"
	       "options:\n"
	       "  METRICS      a CSV, one row per window per version, with the columns of\n"
	       "               rollsim run's timeline.csv (t_s, version, requests, errors\n"
	       "               required; the others optional)\n"
	       "  --prometheus METRIC=FILE\n"
	       "               a Prometheus range-query response (/api/v1/query_range) giving\n"
	       "               METRIC per version: requests, errors, error_rate, mean_ms,\n"
	       "               p50_ms, p95_ms, p99_ms, max_ms, ...; requests and errors (or\n"
	       "               error_rate) are required; instead of METRICS\n"
	       "  --version-label NAME\n"
	       "               the label that names the version (default: version)\n"
	       "  --stable-value V, --canary-value V\n"
	       "               its values for each version (default: stable, canary)\n"
	       "  --deploy CONFIG\n"
	       "               a scenario file whose deployment, slo and run.window_s (and\n"
	       "               observe_after_s) are used; it may leave out traffic and versions;\n"
	       "               run.window_s must equal the recording's step\n"
	       "  --out DIR    where to write the files (default: out/replay-<CONFIG's name>)\n"
	       "  --quiet      print nothing on success\n"
	       "  -h, --help   show this help\n"
	       "\n"
	       "writes into DIR:\n"
	       "  summary.json   outcome, decision time, checks passed and failed\n"
	       "  timeline.csv   the replayed windows with the engine's canary weight\n"
	       "  events.jsonl   one JSON object per engine decision, with its reason\n"
	       "\n"
	       "exit codes: 0 the replay completed (whatever its outcome), 2 bad input or\n"
	       "usage (every problem is listed; nothing is written), 3 a runtime failure.\n");
}


static int add_prometheus(struct replay_args *a, const char *val)
{
	const char *eq = strchr(val, '=');
	char name[32];
	enum replay_field f;

	if (eq == NULL || eq == val || eq[1] == '\0' || (size_t)(eq - val) >= sizeof(name))
		return cli_usage_error("replay", "--prometheus: '%s' is not METRIC=FILE", val);
	memcpy(name, val, (size_t)(eq - val));
	name[eq - val] = '\0';
	if (!replay_field_parse(name, &f)) {
		char names[400];

		replay_field_names(names, sizeof(names));
		fprintf(stderr, "rollsim replay: --prometheus: '%s' is not a metric; expected one of: %s\n",
			name, names);
		return CLI_EXIT_USAGE;
	}
	if (a->nprom == MAX_PROM)
		return cli_usage_error("replay", "--prometheus: more than %s responses", "32");
	a->prom[a->nprom++] = (struct replay_prom_input){ f, eq + 1 };
	return -1;
}

/* Parses argv into a; returns -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, struct replay_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = NULL;
		int rc = -1;

		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			cli_replay_usage();
			return CLI_EXIT_OK;
		}
		if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
			a->quiet = true;
		} else if (cli_option_value("replay", argc, argv, &i, "--deploy", &val, &rc)) {
			a->config = val;
		} else if (cli_option_value("replay", argc, argv, &i, "--out", &val, &rc)) {
			a->out_dir = val;
		} else if (cli_option_value("replay", argc, argv, &i, "--version-label", &val, &rc)) {
			a->labels.label = val;
		} else if (cli_option_value("replay", argc, argv, &i, "--stable-value", &val, &rc)) {
			a->labels.value[ENG_STABLE] = val;
		} else if (cli_option_value("replay", argc, argv, &i, "--canary-value", &val, &rc)) {
			a->labels.value[ENG_CANARY] = val;
		} else if (cli_option_value("replay", argc, argv, &i, "--prometheus", &val, &rc)) {
			if (rc < 0)
				rc = add_prometheus(a, val);
		} else if (arg[0] == '-' && arg[1] != '\0') {
			return cli_usage_error("replay", "unknown option '%s'", arg);
		} else if (a->metrics != NULL) {
			return cli_usage_error("replay", "more than one METRICS file given ('%s'); expected one", arg);
		} else {
			a->metrics = arg;
		}
		if (rc >= 0)
			return rc;
	}
	if (a->config == NULL)
		return cli_usage_error("replay", "no --deploy CONFIG%s; expected the scenario file whose deployment to replay", "");
	if (a->metrics == NULL && a->nprom == 0)
		return cli_usage_error("replay", "no METRICS file and no --prometheus METRIC=FILE%s; expected one of them", "");
	if (a->metrics != NULL && a->nprom > 0)
		return cli_usage_error("replay", "both a METRICS file ('%s') and --prometheus given; expected one of them",
				   a->metrics);
	return -1;
}

/* What a recording cannot feed, found in the configuration. */
static void check_config(const struct scn_scenario *sc, const char *config,
			 const struct replay_series *s, const char *source,
			 struct scn_diag *diag)
{
	int64_t step = replay_series_step_ns(s);

	if (sc->rollout.strategy == ENG_STRATEGY_FLAGS)
		scn_diag_addf(diag, "%s: deployment.strategy: \"flags\" cannot be replayed: a recording has no per-flag requests; expected canary, bluegreen or bluegreen_canary",
			      config);
	if (step != sc->sim.window_ns)
		scn_diag_addf(diag, "%s: windows %g s apart, but %s: run.window_s is %g; expected the same (set run.window_s to %g)",
			      source, (double)step / 1e9, config,
			      (double)sc->sim.window_ns / 1e9, (double)step / 1e9);
}

/* Whether file `path` opens, after blanks (and a UTF-8 byte order mark),
 * with '{': a JSON document such as a Prometheus response, given where a
 * CSV was expected. False when it cannot be read: the CSV reader says so. */
static bool looks_like_json(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char head[64];
	size_t n, i = 0;

	if (f == NULL)
		return false;
	n = fread(head, 1, sizeof(head), f);
	fclose(f);
	if (n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
		i = 3;
	while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
		i++;
	return i < n && head[i] == '{';
}

/* Loads the configuration and the recording, listing every problem of
 * both. Returns -1 to go on, else the exit code. */
static int load(const struct replay_args *a, struct scn_scenario **sc,
		struct replay_series **s)
{
	static const struct scn_load_opts opts = { .world_optional = true };
	const char *source = a->metrics ? a->metrics : a->prom[0].path;
	struct scn_diag diag;
	enum scn_status ss;
	enum replay_status rs;
	int rc = -1;

	scn_diag_init(&diag);
	ss = scn_load_file_opts(a->config, &opts, &diag, sc);
	if (a->metrics != NULL && looks_like_json(a->metrics)) {
		scn_diag_addf(&diag, "%s: starts with '{': it looks like a Prometheus response (JSON), not a CSV; pass each response with --prometheus METRIC=FILE instead of METRICS, e.g. --prometheus requests=%s (requests, and errors or error_rate, are required)",
			      a->metrics, a->metrics);
		rs = REPLAY_EINVAL;
	} else if (a->metrics != NULL) {
		rs = replay_read_csv(a->metrics, &diag, s);
	} else
		rs = replay_read_prometheus(a->prom, a->nprom, &a->labels, &diag, s);
	if (ss == SCN_OK && rs == REPLAY_OK)
		check_config(*sc, a->config, *s, source, &diag);
	cli_print_diag(&diag);
	if (ss == SCN_ENOMEM || rs == REPLAY_ENOMEM) {
		fprintf(stderr, "rollsim replay: out of memory\n");
		rc = CLI_EXIT_RUNTIME;
	} else if (!scn_diag_empty(&diag) || ss != SCN_OK || rs != REPLAY_OK) {
		rc = CLI_EXIT_USAGE;
	}
	scn_diag_free(&diag);
	if (rc >= 0) {
		scn_free(*sc);
		replay_series_free(*s);
		*sc = NULL;
		*s = NULL;
	}
	return rc;
}

static const char *decided(enum eng_outcome o)
{
	switch (o) {
	case ENG_OUTCOME_ROLLED_BACK:
		return "rolled back at";
	case ENG_OUTCOME_PROMOTED:
		return "promoted at";
	case ENG_OUTCOME_BLOCKED:
		return "blocked at";
	case ENG_OUTCOME_TIMED_OUT:
		return "timed out at";
	case ENG_OUTCOME_RUNNING:
		break;
	}
	return "decided at";
}

static void print_summary(const struct replay_args *a, const struct rpt_run_meta *meta,
			  const struct eng_record *rec, const struct rpt_summary *sum,
			  const struct replay_series *s, const char *dir)
{
	double step_s = (double)replay_series_step_ns(s) / 1e9;

	printf("rollsim replay: %s (deployment %s)\n",
	       a->metrics ? a->metrics : a->prom[0].path, meta->scenario);
	printf("  recording        %zu windows of %g s; replay time 0 is recorded time %.3f\n",
	       replay_series_count(s), step_s, meta->origin_s);
	if (sum->outcome == ENG_OUTCOME_RUNNING)
		printf("  outcome          running (the recording ends at %.1f s, before a final decision)\n",
		       (double)rec->end_ns / 1e9);
	else if (meta->truth_unknown)
		printf("  outcome          %s\n", eng_outcome_name(sum->outcome));
	else
		printf("  outcome          %s (%s)\n", eng_outcome_name(sum->outcome), cli_verdict(sum));
	if (rec->decision_ns >= 0)
		printf("  %-16s %.1f s (recorded time %.3f)\n", decided(sum->outcome),
		       sum->decision_s, sum->decision_s + meta->origin_s);
	else
		printf("  decided at       n/a\n");
	printf("  decisions        %zu (analysis checks: %u passed, %u failed, %u inconclusive)\n",
	       rec->events.count, sum->checks_passed, sum->checks_failed,
	       sum->checks_inconclusive);
	printf("  written          %s/{summary.json,timeline.csv,events.jsonl}\n", dir);
}

/* Replays s through sc's deployment into rec. */
static enum eng_status replay(const struct scn_scenario *sc, const struct replay_series *s,
			      struct eng_record *rec, double *origin_s)
{
	struct eng_run_opts opts = {
		.window_ns = replay_series_step_ns(s),
		.observe_after_ns = sc->observe_after_ns,
	};
	struct replay_world *w = replay_world_create(s);
	struct eng_world world = { &replay_world_ops, w };
	struct eng_rollout *ro;
	enum eng_status st = ENG_ENOMEM;

	if (w == NULL)
		return ENG_ENOMEM;
	*origin_s = (double)replay_world_origin_ns(w) / 1e9;
	ro = eng_rollout_create(&sc->rollout);
	if (ro != NULL) {
		st = eng_run(ro, &world, &opts, rec);
		eng_rollout_free(ro);
	}
	replay_world_free(w);
	return st;
}

int cli_replay(int argc, char **argv)
{
	struct replay_args a = { .labels = { "version", { "stable", "canary" } } };
	struct scn_scenario *sc = NULL;
	struct replay_series *s = NULL;
	struct eng_record rec;
	struct rpt_summary sum;
	struct rpt_run_meta meta;
	char dir[4096];
	int rc = parse_args(argc, argv, &a);
	enum eng_status est;

	if (rc >= 0)
		return rc;
	rc = load(&a, &sc, &s);
	if (rc >= 0)
		return rc;
	if (a.out_dir != NULL)
		snprintf(dir, sizeof(dir), "%s", a.out_dir);
	else
		snprintf(dir, sizeof(dir), "out/replay-%s", sc->name);
	scn_run_meta(sc, 0, &meta);
	meta.fidelity = "replay";
	meta.replay = true;
	/* with neither a world to derive it from nor a statement, the
	 * ground truth is unknown: no verdict, no time to detect */
	meta.truth_unknown = !sc->has_world && !sc->canary_bad_stated;
	if (meta.truth_unknown)
		meta.canary_bad = false;
	eng_record_init(&rec);
	est = replay(sc, s, &rec, &meta.origin_s);
	if (est != ENG_OK) {
		fprintf(stderr, "rollsim replay: %s: replay failed: %s\n", sc->name, eng_strerror(est));
		rc = CLI_EXIT_RUNTIME;
		goto out_free;
	}
	rpt_summarize(&rec, &meta, &sum);
	rc = cli_write_run("replay", dir, &rec, &meta, &sum);
	if (rc != CLI_EXIT_OK)
		goto out_free;
	if (!a.quiet)
		print_summary(&a, &meta, &rec, &sum, s, dir);
	rc = CLI_EXIT_OK;
out_free:
	eng_record_free(&rec);
	replay_series_free(s);
	scn_free(sc);
	return rc;
}
