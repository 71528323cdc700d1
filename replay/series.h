/* A recording: both versions' figures per window, windows of one length
 * one after another, as the readers build it and the replay world plays
 * it back. Times are the recording's own, ns. It checks nothing: the
 * readers do, where they can name the file and the place. */
#ifndef REPLAY_SERIES_H
#define REPLAY_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "engine/metrics.h"

struct replay_series;

/* Returns an owned series of nwindows (>= 1) windows of step_ns (> 0), the
 * first ending at first_end_ns, every one without data (no requests,
 * latencies NaN) until set; free with replay_series_free(). NULL when out
 * of memory or the arguments are out of range. */
struct replay_series *replay_series_create(int64_t first_end_ns, int64_t step_ns,
					   size_t nwindows);
void replay_series_free(struct replay_series *s);

size_t replay_series_count(const struct replay_series *s);
/* The length of every window, ns. */
int64_t replay_series_step_ns(const struct replay_series *s);
/* When window i (0-based) ends, in the recording's time, ns. */
int64_t replay_series_end_ns(const struct replay_series *s, size_t i);
/* Version v's figures over window i, borrowed from s: the readers fill
 * them in, the world reads them. */
struct eng_window_metrics *replay_series_at(struct replay_series *s, size_t i,
					    enum eng_version v);
const struct eng_window_metrics *replay_series_get(const struct replay_series *s,
						   size_t i, enum eng_version v);

/* Fills m with a window without data: no requests, latencies, error rate,
 * CPU and memory NaN. */
void replay_metrics_none(struct eng_window_metrics *m);

#endif
