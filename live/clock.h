/* The live world's clocks: monotonic time for waits and limits, and the
 * wall clock that ties a rollout's run time to the real world across a
 * restart (--resume). */
#ifndef LIVE_CLOCK_H
#define LIVE_CLOCK_H

#include <stdint.h>

/* CLOCK_MONOTONIC, ns. */
int64_t live_mono_ns(void);
/* CLOCK_REALTIME, ns since the Unix epoch. */
int64_t live_wall_ns(void);

#endif
