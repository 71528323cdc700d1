/* Scenario loading: reads a scenario (JSON, format in
 * docs/scenario-format.md), checks every value against the format and turns
 * it into the world's and the engine's configurations. Every problem found
 * becomes one diagnostic line; it never prints and never runs anything. */
#ifndef SCN_SCENARIO_H
#define SCN_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/analysis.h"
#include "engine/metrics.h"
#include "engine/rollout.h"
#include "live/live.h"
#include "scenario/diag.h"
#include "sim/sim.h"
#include "sim/window_world.h"

#define SCN_STATUS_LIST(X)                                  \
	X(SCN_OK, "success")                                \
	X(SCN_ENOMEM, "out of memory")                      \
	X(SCN_EIO, "cannot read the scenario")              \
	X(SCN_EINVAL, "the scenario is not valid")

enum scn_status {
#define SCN_STATUS_ENUM(name, msg) name,
	SCN_STATUS_LIST(SCN_STATUS_ENUM)
#undef SCN_STATUS_ENUM
};

const char *scn_strerror(enum scn_status st);

#define SCN_NAME_MAX 64

struct scn_scenario {
	char name[SCN_NAME_MAX];  /* [A-Za-z0-9._-]+, used as a directory name */
	uint64_t seed;            /* default run seed */
	struct sim_config sim;    /* the simulated world */
	struct eng_rollout_config rollout; /* points into steps and checks */
	struct eng_step *steps;   /* owned */
	struct eng_check *checks; /* owned */
	struct eng_slo slo;       /* judges recovery */
	int64_t observe_after_ns; /* observation kept after the decision, ns */
	bool canary_bad;          /* ground truth */
	bool canary_bad_stated;   /* stated by the scenario, not derived */
	int64_t bad_from_ns;      /* the canary turns bad then (a fault's start); 0: from the start */
	bool has_expect;
	enum eng_outcome expect_outcome; /* the outcome the scenario expects */
	bool expect_ttd, expect_ttr;     /* it bounds the time to detect, to recover */
	double expect_ttd_min_s, expect_ttd_max_s; /* s; max INFINITY: none */
	double expect_ttr_min_s, expect_ttr_max_s;
	/* Statistical expectations, for rollsim check: over expect_runs runs
	 * (seeds seed, seed + 1, ...; 0: one run of the scenario's seed),
	 * shares judged on their Wilson 95% intervals (docs/check.md). */
	uint32_t expect_runs;
	struct scn_share_bound {
		bool set;
		double min, max;  /* 0..1; min 0 and max 1 when not given */
	} expect_recall, expect_false_rollback_rate, expect_outcome_rate;
	/* Storage that configurations above borrow (mixture components,
	 * samples, traces); owned, freed by scn_free(). */
	void **owned;
	size_t nowned, capowned;
	bool oom;                 /* an allocation failed while loading */
	struct sim_wtable *wtable; /* window-level tables, once prepared; owned */
	char dir[4096];           /* the scenario file's folder: relative paths start here */
	bool has_world;           /* traffic or versions given: a world to simulate */
	struct live_config *live; /* the "live" block (rollsim live); NULL when
				     there is none; in owned */
};

/* How a file is loaded. */
struct scn_load_opts {
	bool world_optional;      /* traffic and versions may be left out: the
				     file configures a deployment only (rollsim
				     replay); given, they are checked as ever */
	bool live;                /* the "live" block is required (rollsim live);
				     without it, one given is checked all the same */
};

/* Loads the scenario in file `path`. On success *out is owned by the
 * caller, free with scn_free(). On failure *out is NULL and diag holds one
 * line per problem (SCN_EIO, SCN_EINVAL) or nothing (SCN_ENOMEM). */
enum scn_status scn_load_file(const char *path, struct scn_diag *diag,
			      struct scn_scenario **out);

/* As scn_load_file, with the options opts (borrowed). */
enum scn_status scn_load_file_opts(const char *path, const struct scn_load_opts *opts,
				   struct scn_diag *diag, struct scn_scenario **out);

/* Reads the whole file `path`, of at most max_bytes, into *text (owned by
 * the caller, free with free(); not NUL-terminated) and its length into
 * *len. SCN_EIO (cannot open or read) and SCN_EINVAL (larger, `what` being
 * what was expected: "a scenario file") add one line to diag; on any
 * failure *text is NULL. */
enum scn_status scn_read_file(const char *path, size_t max_bytes, const char *what,
			      struct scn_diag *diag, char **text, size_t *len);

/* The same for text already in memory; `source` names it in diagnostics
 * and gives the default name. text need not be NUL-terminated. */
enum scn_status scn_load_text(const char *text, size_t len, const char *source,
			      struct scn_diag *diag, struct scn_scenario **out);
/* As scn_load_text, with the options opts (borrowed). */
enum scn_status scn_load_text_opts(const char *text, size_t len, const char *source,
				   const struct scn_load_opts *opts,
				   struct scn_diag *diag, struct scn_scenario **out);

/* Builds what window-level runs of s share (sim_wtable), so that each run
 * need not: SCN_OK, or SCN_ENOMEM with s unchanged. */
enum scn_status scn_prepare_window(struct scn_scenario *s);

void scn_free(struct scn_scenario *s);

#endif
