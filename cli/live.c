/* rollsim live: the engine against real endpoints (docs/live.md). */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/record.h"
#include "engine/run.h"
#include "engine/state.h"
#include "live/http.h"
#include "live/state_file.h"
#include "live/world.h"
#include "reports/file_out.h"
#include "reports/run_plot.h"
#include "reports/run_report.h"
#include "reports/run_summary.h"
#include "scenario/scenario.h"
#include "scenario/simulate.h"

struct live_args {
	const char *config;
	const char *out_dir;      /* NULL: out/live-<name> */
	const char *state;        /* NULL: DIR/state.json, or the resumed file */
	const char *resume;       /* a state file to go on from */
	bool dry_run;
	bool quiet;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

void cli_live_usage(void)
{
	printf("usage: rollsim live CONFIG [--dry-run] [--out DIR] [--state FILE] [--quiet]\n"
	       "       rollsim live CONFIG --resume STATE [--out DIR] [--quiet]\n"
	       "\n"
	       "Run CONFIG's deployment against real endpoints: observe the stable and the\n"
	       "canary through HAProxy's statistics or Prometheus queries (and HTTP health\n"
	       "probes), and shift traffic through HAProxy's runtime API or a command hook,\n"
	       "with the same engine that rollsim run simulates (docs/live.md).\n"
	       "\n"
	       "options:\n"
	       "  CONFIG          a scenario file with a \"live\" block; its deployment, slo\n"
	       "                  and run.window_s (and observe_after_s) are used; traffic\n"
	       "                  and versions may be left out\n"
	       "  --dry-run       observe and decide, log what would be done, never act\n"
	       "  --out DIR       where to write the files (default: out/live-<name>)\n"
	       "  --state FILE    the state file, rewritten atomically after every decision\n"
	       "                  and actuation (default: DIR/state.json)\n"
	       "  --resume STATE  go on after a crash from the state in STATE (or roll back\n"
	       "                  at once, when live.on_resume is \"rollback\"); the state is\n"
	       "                  then written back to STATE unless --state says otherwise\n"
	       "  --quiet         print no log lines\n"
	       "  -h, --help      show this help\n"
	       "\n"
	       "SIGINT or SIGTERM rolls traffic back to the stable version (or holds it,\n"
	       "with live.on_signal \"hold\"), records it in the state, runs every fault's\n"
	       "undo command and writes the files before exiting.\n"
	       "\n"
	       "writes into DIR:\n"
	       "  summary.json    outcome, decision time, checks passed and failed\n"
	       "  timeline.csv    every observed window with the canary weight\n"
	       "  events.jsonl    one JSON object per engine decision, with its reason\n"
	       "  timeline.svg, timeline.png   the run's timeline (with gnuplot)\n"
	       "  state.json      the state (unless --state puts it elsewhere)\n"
	       "\n"
	       "exit codes: 0 the rollout ran to its end (whatever its outcome), 2 bad input\n"
	       "or usage, 3 a runtime failure (an actuation or the state file failed; traffic\n"
	       "was sent back to the stable version where it could be), 130 or 143 ended by\n"
	       "SIGINT or SIGTERM (after the rollback or hold was carried out and recorded).\n");
}

static int parse_args(int argc, char **argv, struct live_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = NULL;
		int rc = -1;

		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			cli_live_usage();
			return CLI_EXIT_OK;
		}
		if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
			a->quiet = true;
		} else if (strcmp(arg, "--dry-run") == 0) {
			a->dry_run = true;
		} else if (cli_option_value("live", argc, argv, &i, "--out", &val, &rc)) {
			a->out_dir = val;
		} else if (cli_option_value("live", argc, argv, &i, "--state", &val, &rc)) {
			a->state = val;
		} else if (cli_option_value("live", argc, argv, &i, "--resume", &val, &rc)) {
			a->resume = val;
		} else if (arg[0] == '-' && arg[1] != '\0') {
			return cli_usage_error("live", "unknown option '%s'", arg);
		} else if (a->config != NULL) {
			return cli_usage_error("live", "more than one CONFIG given ('%s'); expected one", arg);
		} else {
			a->config = arg;
		}
		if (rc >= 0)
			return rc;
	}
	if (a->config == NULL)
		return cli_usage_error("live", "no CONFIG%s; expected a scenario file with a \"live\" block", "");
	if (a->resume != NULL && a->dry_run)
		return cli_usage_error("live", "--dry-run with --resume%s: a resumed rollout keeps the mode it was started in", "");
	return -1;
}

static int load(const struct live_args *a, struct scn_scenario **sc)
{
	static const struct scn_load_opts opts = { .world_optional = true, .live = true };
	struct scn_diag diag;
	enum scn_status ss;
	int rc = -1;

	scn_diag_init(&diag);
	ss = scn_load_file_opts(a->config, &opts, &diag, sc);
	cli_print_diag(&diag);
	if (ss == SCN_ENOMEM) {
		fprintf(stderr, "rollsim live: out of memory\n");
		rc = CLI_EXIT_RUNTIME;
	} else if (ss != SCN_OK || !scn_diag_empty(&diag)) {
		rc = CLI_EXIT_USAGE;
	}
	scn_diag_free(&diag);
	if (rc >= 0) {
		scn_free(*sc);
		*sc = NULL;
	}
	return rc;
}

/* The rollout to run: a new one, or the one in the state file. */
static int make_rollout(const struct live_args *a, const struct scn_scenario *sc,
			struct live_world_opts *wo, struct eng_rollout **ro)
{
	struct live_state st;
	char err[600];

	if (a->resume == NULL) {
		*ro = eng_rollout_create(&sc->rollout);
		if (*ro == NULL) {
			fprintf(stderr, "rollsim live: out of memory\n");
			return CLI_EXIT_RUNTIME;
		}
		return -1;
	}
	if (live_state_read(a->resume, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "rollsim live: --resume: %s\n", err);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(st.name, sc->name) != 0) {
		fprintf(stderr, "rollsim live: --resume: %s: the state of rollout \"%s\", but %s is \"%s\"; expected the state of this rollout\n",
			a->resume, st.name, a->config, sc->name);
		free(st.rollout);
		return CLI_EXIT_USAGE;
	}
	if (strcmp(st.phase, "done") == 0) {
		fprintf(stderr, "rollsim live: --resume: %s: the rollout ended (phase \"done\"); nothing to resume\n",
			a->resume);
		free(st.rollout);
		return CLI_EXIT_USAGE;
	}
	*ro = eng_rollout_restore(&sc->rollout, st.rollout, err, sizeof(err));
	free(st.rollout);
	if (*ro == NULL) {
		fprintf(stderr, "rollsim live: --resume: %s: rollout: %s\n", a->resume, err);
		return CLI_EXIT_USAGE;
	}
	wo->origin_wall_ns = st.origin_wall_ns;
	wo->faults_started = st.faults_started;
	wo->faults_undone = st.faults_undone;
	wo->dry_run = st.dry_run;
	wo->resume_rollback = sc->live->on_resume == LIVE_RESUME_ROLLBACK;
	if (!a->quiet)
		printf("rollsim live: resuming %s from %s: phase %s at %.1f s, canary weight %g%%%s\n",
		       sc->name, a->resume, st.phase, st.t_s, st.weight_pct,
		       isnan(st.pending_weight_pct) ? "" : " (a weight change was under way)");
	return -1;
}

static void print_summary(const struct rpt_summary *sum, const struct eng_record *rec,
			  const char *dir, const char *state)
{
	printf("rollsim live: outcome %s", eng_outcome_name(sum->outcome));
	if (rec->decision_ns >= 0)
		printf(", decided at %.1f s", sum->decision_s);
	printf("; %zu decisions, %u checks passed, %u failed, %u inconclusive\n",
	       rec->events.count, sum->checks_passed, sum->checks_failed,
	       sum->checks_inconclusive);
	printf("  written          %s/{summary.json,timeline.csv,events.jsonl}\n", dir);
	if (state != NULL)
		printf("  state            %s\n", state);
}

/* Writes the run's files and its timeline plot. */
static int write_outputs(const struct scn_scenario *sc, const char *dir,
			 const struct eng_record *rec, struct rpt_summary *sum)
{
	struct rpt_run_meta meta;
	char title[160], err[4400];
	int rc;

	scn_run_meta(sc, 0, &meta);
	meta.fidelity = "live";
	meta.replay = true; /* nothing was drawn: no seed */
	meta.truth_unknown = !sc->has_world && !sc->canary_bad_stated;
	if (meta.truth_unknown)
		meta.canary_bad = false;
	rpt_summarize(rec, &meta, sum);
	rc = cli_write_run("live", dir, rec, &meta, sum);
	if (rc != CLI_EXIT_OK)
		return rc;
	snprintf(title, sizeof(title), "%s, live: %s", sc->name, eng_outcome_name(sum->outcome));
	enum rpt_plots_status ps = rpt_write_run_plot(
		dir, "timeline", &(struct rpt_run_plot){ title, rec }, err, sizeof(err));
	if (ps == RPT_PLOTS_NO_GNUPLOT)
		fprintf(stderr, "rollsim live: gnuplot is not installed: no timeline plot (apt-get install gnuplot-nox)\n");
	else if (ps != RPT_PLOTS_OK)
		fprintf(stderr, "rollsim live: warning: %s\n", err);
	return CLI_EXIT_OK;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: a sleep ends at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

int cli_live(int argc, char **argv)
{
	struct live_args a = { 0 };
	struct scn_scenario *sc = NULL;
	struct eng_rollout *ro = NULL;
	struct live_world *w = NULL;
	struct live_world_opts wo = { 0 };
	struct eng_record rec;
	struct rpt_summary sum;
	char dir[4096], state[4200];
	enum eng_status est;
	int rc = parse_args(argc, argv, &a), sig;

	if (rc >= 0)
		return rc;
	rc = load(&a, &sc);
	if (rc >= 0)
		return rc;
	if (a.out_dir != NULL)
		snprintf(dir, sizeof(dir), "%s", a.out_dir);
	else
		snprintf(dir, sizeof(dir), "out/live-%s", sc->name);
	if (a.state != NULL)
		snprintf(state, sizeof(state), "%s", a.state);
	else if (a.resume != NULL)
		snprintf(state, sizeof(state), "%s", a.resume);
	else
		snprintf(state, sizeof(state), "%s/state.json", dir);
	wo = (struct live_world_opts){
		.cfg = sc->live, .name = sc->name, .config_path = a.config,
		.window_ns = sc->sim.window_ns, .dry_run = a.dry_run, .state_path = state,
		.log = a.quiet ? NULL : stdout, .stop = &stop_signal,
	};
	rc = make_rollout(&a, sc, &wo, &ro);
	if (rc >= 0)
		goto out_free;
	if (rpt_make_dirs(dir) != 0) {
		fprintf(stderr, "rollsim live: %s: cannot create: %s\n", dir, strerror(errno));
		rc = CLI_EXIT_RUNTIME;
		goto out_free;
	}
	if (live_http_init() != 0) {
		fprintf(stderr, "rollsim live: libcurl failed to start\n");
		rc = CLI_EXIT_RUNTIME;
		goto out_free;
	}
	install_signals();
	w = live_world_create(&wo);
	if (w == NULL) {
		fprintf(stderr, "rollsim live: out of memory\n");
		rc = CLI_EXIT_RUNTIME;
		goto out_http;
	}
	live_world_watch(w, ro);
	if (!a.quiet)
		printf("rollsim live: %s%s: windows of %g s, state in %s\n", sc->name,
		       wo.dry_run ? " (dry run: nothing is carried out)" : "",
		       (double)sc->sim.window_ns / 1e9, state);
	if (live_world_save(w, "running") != 0) {
		fprintf(stderr, "rollsim live: cannot write the state file %s; nothing was done\n", state);
		rc = CLI_EXIT_RUNTIME;
		goto out_world;
	}
	eng_record_init(&rec);
	est = eng_run(ro, &(struct eng_world){ &live_world_ops, w },
		      &(struct eng_run_opts){ .window_ns = sc->sim.window_ns,
					      .observe_after_ns = sc->observe_after_ns,
					      .resumed = a.resume != NULL,
					      .keep_events = true },
		      &rec);
	sig = live_world_signal(w);
	if (est != ENG_OK || live_world_failed(w)) {
		fprintf(stderr, "rollsim live: %s: the run failed: %s\n", sc->name,
			est != ENG_OK ? eng_strerror(est) : "an actuation or the state file failed");
		live_world_restore_stable(w);
		rc = CLI_EXIT_RUNTIME;
	} else if (sig != 0) {
		rc = 128 + sig;
	} else {
		rc = CLI_EXIT_OK;
	}
	live_world_undo_faults(w);
	live_world_save(w, rc == CLI_EXIT_RUNTIME ? "failed" : sig != 0 ? "interrupted" : "done");
	{
		int wrc = write_outputs(sc, dir, &rec, &sum);

		if (wrc != CLI_EXIT_OK && rc == CLI_EXIT_OK)
			rc = wrc;
	}
	if (!a.quiet && rc != CLI_EXIT_RUNTIME)
		print_summary(&sum, &rec, dir, state);
	if (sig != 0)
		fprintf(stderr, "rollsim live: ended by signal %d; %s\n", sig,
			wo.dry_run ? "nothing was changed (dry run)"
			: sc->live->on_signal == LIVE_SIGNAL_HOLD ? "the weights were held as they were"
								   : "traffic was sent back to the stable version");
	eng_record_free(&rec);
out_world:
	live_world_free(w);
out_http:
	live_http_cleanup();
out_free:
	eng_rollout_free(ro);
	scn_free(sc);
	return rc;
}
