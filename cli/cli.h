/* The command-line program: argument parsing and wiring only. Exit codes
 * are part of the interface (README.md, "Exit codes"). */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "scenario/simulate.h"
#include "scenario/study.h"

enum cli_exit {
	CLI_EXIT_OK = 0,          /* the command completed, whatever the outcome */
	CLI_EXIT_FAILURE = 1,     /* reserved: a check the user asked for failed */
	CLI_EXIT_USAGE = 2,       /* bad input or usage */
	CLI_EXIT_RUNTIME = 3      /* a runtime failure (memory, disk) */
};

/* The built-in default scenario and the file it was compiled from. */
extern const char scn_default_json[];
extern const char scn_default_path[];
/* The built-in demo study: its mix's path in scn_demo_files, a table of
 * the mix and of every scenario file (scenario/study.h's scn_file). */
extern const struct scn_file scn_demo_files[];
extern const char scn_demo_files_main[];

struct eng_record;
struct rpt_run_meta;
struct rpt_summary;
struct scn_diag;
struct scn_scenario;

int cli_run(int argc, char **argv);
void cli_run_usage(void);
int cli_replay(int argc, char **argv);
void cli_replay_usage(void);
int cli_mc(int argc, char **argv);
void cli_mc_usage(void);
int cli_demo(int argc, char **argv);
void cli_demo_usage(void);
int cli_sweep(int argc, char **argv);
void cli_sweep_usage(void);
int cli_validate(int argc, char **argv);
void cli_validate_usage(void);
int cli_check(int argc, char **argv);
void cli_check_usage(void);
int cli_live(int argc, char **argv);
void cli_live_usage(void);

/* The options of the study commands (mc, demo, sweep). */
struct cli_study_opts {
	const char *input;        /* NULL: the built-in default scenario */
	const char *out_dir;      /* NULL: the command's default */
	uint64_t runs;
	uint64_t threads;         /* 0: one per online CPU */
	uint64_t seed;
	bool quiet;
	enum scn_fidelity fidelity;
};

/* Says "rollsim CMD: " fmt (with arg) and the help hint on stderr;
 * returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, const char *arg);
/* Whether argv[*i] is option `name`, as "--name VALUE" or "--name=VALUE";
 * *val gets the value. *rc is set to the exit code (a usage error of
 * command cmd) when it lacks one or it is empty. */
bool cli_option_value(const char *cmd, int argc, char **argv, int *i, const char *name,
		      const char **val, int *rc);
/* Parses argv[*i] (and its value, moving *i past it) when it is one of
 * --runs, -j/--jobs, --seed, --out, --fidelity or -q/--quiet: -1 when
 * taken, -2 when argv[*i] is none of them, else the exit code. */
int cli_study_option(const char *cmd, int argc, char **argv, int *i, struct cli_study_opts *o);
/* Takes arg as the scenario or mix (-1), or refuses an unknown option or a
 * second input (the exit code). */
int cli_study_input(const char *cmd, const char *arg, struct cli_study_opts *o);
/* The threads to run: as given, else one per online CPU (1..64). */
unsigned cli_study_threads(const struct cli_study_opts *o);

/* Processes sharing a study (cli/dist.c): with MPI (make MPI=1) every
 * rank runs a block of the runs and rank 0 gathers them and writes the
 * files (the others print nothing); otherwise one process. */
int cli_dist_init(int *argc, char ***argv);
void cli_dist_finalize(void);
int cli_dist_rank(void);
int cli_dist_size(void);
/* Every rank's st agreed on: the lowest failing rank's status (and that
 * rank in *failed_rank, -1 when none failed). Collective. */
enum eng_status cli_dist_agree(enum eng_status st, int *failed_rank);
/* scn_study_run_tracks over every rank; rank 0 then holds every run (and
 * track). Collective; the status is agreed as by cli_dist_agree. */
enum eng_status cli_dist_study_run(struct scn_study *st, size_t nruns, unsigned threads,
				   uint64_t seed, enum scn_fidelity fidelity,
				   struct rpt_study_run *runs, struct rpt_weight_track *tracks,
				   size_t ntracks, scn_progress_fn progress, void *ctx,
				   int *failed_rank);

/* " (on rank R of K)" for a failure on rank failed_rank when there are
 * several, else ""; in buf. */
const char *cli_dist_where(int failed_rank, char *buf, size_t n);

/* Parses s as a whole decimal number in 0..2^64-1 (digits only). */
bool cli_parse_u64(const char *s, uint64_t *out);

/* What an outcome means against the ground truth, for the printed
 * summary: "true rollback: the canary was bad". */
const char *cli_verdict(const struct rpt_summary *s);
/* Writes a run's files into dir; on failure says why on stderr, as
 * "rollsim CMD: ...", and returns CLI_EXIT_RUNTIME. */
int cli_write_run(const char *cmd, const char *dir, const struct eng_record *rec,
		  const struct rpt_run_meta *meta, const struct rpt_summary *sum);
/* Says, on stderr, where window-level fidelity is not faithful to sc, as
 * "rollsim CMD: warning: ...". */
void cli_warn_caveats(const char *cmd, const struct scn_scenario *sc);
/* Prints diag's problems on stderr, one a line. */
void cli_print_diag(const struct scn_diag *diag);

#endif
