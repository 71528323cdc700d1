/* A Monte Carlo study: one scenario, or a mix of scenarios with weights
 * (docs/studies.md), run many times with seeds derived from one study seed,
 * in parallel threads, with results in run order whatever the threads. */
#ifndef SCN_STUDY_H
#define SCN_STUDY_H

#include <stddef.h>
#include <stdint.h>

#include "engine/status.h"
#include "reports/run_plot.h"
#include "reports/study.h"
#include "scenario/diag.h"
#include "scenario/scenario.h"
#include "scenario/simulate.h"

#define SCN_STUDY_MAX 32          /* scenarios in a mix */
#define SCN_STUDY_MAX_RUNS 10000000u

struct scn_study {
	char name[SCN_NAME_MAX];  /* the mix's name, or the scenario's */
	size_t n;                 /* scenarios, 1..SCN_STUDY_MAX */
	struct scn_scenario *sc[SCN_STUDY_MAX]; /* owned */
	double weight[SCN_STUDY_MAX]; /* > 0; shares are weight / sum */
};

/* Loads `path`: a mix file (an object with "scenarios") or a scenario
 * file; NULL loads the built-in default scenario (text, of len bytes,
 * named source). On success *out is owned by the caller, free with
 * scn_study_free(); on failure it is NULL and diag holds one line per
 * problem (SCN_EIO, SCN_EINVAL) or nothing (SCN_ENOMEM). */
enum scn_status scn_study_load(const char *path, const char *text, size_t len,
			       const char *source, struct scn_diag *diag,
			       struct scn_study **out);
/* As scn_study_load, with patches (borrowed, npatches of them) applied to
 * every scenario's JSON before it is loaded (a mix file itself is not
 * patched). A path that does not fit a scenario is reported as
 * "FILE: --set PATH: what". */
struct scn_patch;
enum scn_status scn_study_load_patched(const char *path, const char *text, size_t len,
				       const char *source, const struct scn_patch *patches,
				       size_t npatches, struct scn_diag *diag,
				       struct scn_study **out);
/* A file compiled into the program: its path as the repository has it
 * ("scenarios/canary-good.json") and its text. */
struct scn_file {
	const char *path;
	const char *text;         /* len bytes, NUL after them */
	size_t len;
};

/* As scn_study_load of path, every file (the mix and its scenarios) read
 * from files (a table ended by a NULL path) instead of the disk; a mix's
 * relative paths are resolved lexically ("studies/../scenarios/x.json"
 * is "scenarios/x.json"). */
enum scn_status scn_study_load_files(const char *path, const struct scn_file *files,
				     struct scn_diag *diag, struct scn_study **out);
void scn_study_free(struct scn_study *st);

/* Splits nruns among the study's scenarios in proportion to their weights
 * (largest remainders; ties to the earlier scenario): counts[i] for
 * scenario i, summing to nruns. */
void scn_study_allocate(const struct scn_study *st, size_t nruns, size_t *counts);

/* Which scenario run i of nruns belongs to: the runs of scenario 0 come
 * first, then those of scenario 1, and so on. */
uint32_t scn_study_entry_of(const size_t *counts, size_t n, size_t i);

/* Called from the calling thread about every 0.1 s while runs go on, and
 * once at the end: `done` of `total` runs finished. */
typedef void (*scn_progress_fn)(size_t done, size_t total, void *ctx);

/* Runs the study: run i (0-based) simulates its scenario with seed
 * seed + i (mod 2^64), so `rollsim run SCENARIO --seed` of that seed
 * repeats it; runs[i] gets its summary. `threads` >= 1 threads share the
 * runs; the results do not depend on their number. progress may be NULL.
 * Returns ENG_OK, or the first failure (ENG_ENOMEM, ...). */
enum eng_status scn_study_run(struct scn_study *st, size_t nruns, unsigned threads,
			      uint64_t seed, enum scn_fidelity fidelity,
			      struct rpt_study_run *runs, scn_progress_fn progress,
			      void *ctx);

/* As scn_study_run, and the canary weight of each of the first ntracks
 * runs into tracks[i] (for the fan chart). */
enum eng_status scn_study_run_tracks(struct scn_study *st, size_t nruns, unsigned threads,
				     uint64_t seed, enum scn_fidelity fidelity,
				     struct rpt_study_run *runs, struct rpt_weight_track *tracks,
				     size_t ntracks, scn_progress_fn progress, void *ctx);

/* As scn_study_run_tracks, for runs first..last - 1 of nruns only (a
 * part of a study shared among processes): runs[i] and, for i < ntracks,
 * tracks[i] are filled for those i alone, exactly as the whole study
 * fills them; progress counts this part's runs. ENG_EINVAL unless
 * first <= last <= nruns. */
enum eng_status scn_study_run_part(struct scn_study *st, size_t nruns, size_t first,
				   size_t last, unsigned threads, uint64_t seed,
				   enum scn_fidelity fidelity, struct rpt_study_run *runs,
				   struct rpt_weight_track *tracks, size_t ntracks,
				   scn_progress_fn progress, void *ctx);

#endif
