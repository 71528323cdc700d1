/* The live rollout's state file: what a restart needs to go on (or roll
 * back) where the last run stood. Written after every decision and every
 * actuation through a temporary file, fsync and rename, so a crash leaves
 * the previous state or the new one, never half of either. */
#ifndef LIVE_STATE_FILE_H
#define LIVE_STATE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "live/live.h"

#define LIVE_STATE_FORMAT "rollsim-live-state"
#define LIVE_STATE_VERSION 1

struct live_state {
	char name[LIVE_NAME_MAX];     /* the rollout (scenario) name */
	char config[LIVE_TEXT_MAX];   /* the configuration file it ran */
	char phase[16];               /* running, done, interrupted, failed */
	int64_t origin_wall_ns;       /* the rollout's start, ns since the epoch */
	double t_s;                   /* run time of the write, s */
	bool dry_run;
	double weight_pct;            /* the canary weight last carried out */
	double pending_weight_pct;    /* one being carried out; NaN: none */
	uint64_t faults_started, faults_undone; /* bit i: fault i */
	char *rollout;                /* eng_rollout_save() text; owned by the
				         caller of live_state_read, borrowed
				         by live_state_write */
};

/* Writes st to path atomically. Returns 0, or -1 with err (errlen bytes). */
int live_state_write(const char *path, const struct live_state *st, char *err, size_t errlen);

/* Reads path into *st (st->rollout owned: free with free()). Returns 0,
 * or -1 with err naming the file and the JSON path of what is wrong. */
int live_state_read(const char *path, struct live_state *st, char *err, size_t errlen);

#endif
