/* The live world: the engine's world port over real endpoints. Time is the
 * wall clock since the rollout began (kept across a restart); waits sleep;
 * observations come from HAProxy's statistics or Prometheus queries, with
 * HTTP health probes for readiness and smoke tests; actions go to HAProxy's
 * runtime API or a command hook, and are only logged in a dry run. Every
 * decision is logged, posted to the configured webhook or command, and
 * followed by an atomic write of the state file; a signal (SIGINT,
 * SIGTERM) makes the world end the run, after a rollback unless the
 * configuration says hold. Not thread-safe: one rollout per world. */
#ifndef LIVE_WORLD_H
#define LIVE_WORLD_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/rollout.h"
#include "engine/world.h"
#include "live/live.h"

extern const struct eng_world_ops live_world_ops;

struct live_world_opts {
	const struct live_config *cfg;   /* borrowed, outlives the world */
	const char *name;                /* the rollout's name, for events */
	const char *config_path;         /* recorded in the state */
	int64_t window_ns;
	bool dry_run;                    /* decide and log; never act */
	const char *state_path;          /* NULL: no state file */
	FILE *log;                       /* one line per action and decision */
	volatile sig_atomic_t *stop;     /* set (to the signal) by the caller's handler */
	/* Resuming: the wall time of the rollout's start, ns since the epoch
	 * (0: a new rollout starts now), and the faults already started and
	 * already undone (bit i: fault i). */
	int64_t origin_wall_ns;
	uint64_t faults_started, faults_undone;
	bool resume_rollback;            /* on resume, roll back at once */
};

struct live_world;

/* A world for o (borrowed; cfg must outlive it). NULL when out of memory. */
struct live_world *live_world_create(const struct live_world_opts *o);
void live_world_free(struct live_world *w);

/* The rollout whose state is saved after every decision (borrowed). */
void live_world_watch(struct live_world *w, const struct eng_rollout *ro);

/* Runs every undo command still due (faults started and not undone), at
 * the end of the run, whatever ended it. */
void live_world_undo_faults(struct live_world *w);

/* Sends all traffic to the stable version, bypassing the engine: the last
 * resort when the run failed mid-rollout. Logged; nothing in a dry run.
 * Returns 0 or -1. */
int live_world_restore_stable(struct live_world *w);

/* Writes the state file (when one is configured) with phase ("running",
 * "done", "interrupted", "failed"). Returns 0, or -1 with the reason logged. */
int live_world_save(struct live_world *w, const char *phase);

/* Whether a signal ended the run, and which (0: none). */
int live_world_signal(const struct live_world *w);
/* Whether an actuation or the state file failed, so the run must not be
 * trusted to have carried out the engine's decisions. */
bool live_world_failed(const struct live_world *w);
/* The wall time of the rollout's start, ns since the epoch. */
int64_t live_world_origin_wall_ns(const struct live_world *w);

#endif
