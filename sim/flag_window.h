/* The request level's per-flag groups: each user request of the stable
 * version counts, for every flag, in the flag's on-group or its off-group,
 * as its bit in the request's flag mask says; a window closes into a
 * struct eng_flag_observation. Internal to sim/; it draws nothing. */
#ifndef SIM_FLAG_WINDOW_H
#define SIM_FLAG_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/metrics.h"
#include "sim/histogram.h"

struct sim_flag_window;

/* Returns an owned window for nflags (1..ENG_MAX_FLAGS) flags, free with
 * sim_flag_window_free(); NULL when out of memory. */
struct sim_flag_window *sim_flag_window_create(uint32_t nflags);
void sim_flag_window_free(struct sim_flag_window *fw);

/* Counts one response: bit i of on is set when flag i was on for it. */
void sim_flag_window_record(struct sim_flag_window *fw, uint8_t on, bool failed,
			    bool timeout, bool rejected, double latency_ms);

/* Fills out's groups with the window (pct: each flag's share at its end,
 * 0..100) and starts a new one. */
void sim_flag_window_close(struct sim_flag_window *fw, const double *pct,
			   struct eng_flag_observation *out);

#endif
