/* The replay world: the world port over a recording (replay/series.h).
 * Its time runs over the recorded windows, from the start of the first
 * (the replay's time 0) to the end of the last, and no further. observe()
 * hands the engine the recorded window that has just closed, with the
 * canary weight the engine last set; apply() records that weight but
 * changes no figure: a replay says what a policy would have decided on
 * these metrics, not what users would have seen under its decisions. No
 * approval ever comes, every smoke test passes, no operator commands. */
#ifndef REPLAY_WORLD_H
#define REPLAY_WORLD_H

#include <stdint.h>

#include "engine/world.h"
#include "replay/series.h"

extern const struct eng_world_ops replay_world_ops;

struct replay_world;

/* Returns an owned world playing s (borrowed: it must outlive the world),
 * free with replay_world_free(); NULL when out of memory. */
struct replay_world *replay_world_create(const struct replay_series *s);
void replay_world_free(struct replay_world *w);

/* The recording's time at the replay's time 0 (the start of the first
 * window), ns: a replay time plus this is a recorded time. */
int64_t replay_world_origin_ns(const struct replay_world *w);
/* When the recording ends, in replay time, ns. */
int64_t replay_world_end_ns(const struct replay_world *w);

#endif
