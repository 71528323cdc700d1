/* Saving a rollout's state as JSON and restoring it exactly, so that a
 * live rollout can resume after a crash where it stood: its steps,
 * analysis counts, triggers, judges, smoke tests, flags, every decision
 * so far, and its error and latency budgets whole (engine/budget_state.h),
 * so that burn-rate and gate decisions after a restore are the original's.
 * The configuration is not saved: it is given again on restore, and the
 * state says how many steps, checks, triggers, smoke tests and budget
 * windows it was made for, so a mismatch is refused. */
#ifndef ENG_STATE_H
#define ENG_STATE_H

#include <stddef.h>

#include "engine/rollout.h"

/* Returns the state of ro (borrowed) as JSON text, owned by the caller,
 * free with free(); NULL when out of memory. */
char *eng_rollout_save(const struct eng_rollout *ro);

/* Returns an owned rollout made from cfg (borrowed, as for
 * eng_rollout_create()) in the state `text` describes; free with
 * eng_rollout_free(). NULL when the text is not such a state or was made
 * for another configuration, with the reason in err (of size errlen). */
struct eng_rollout *eng_rollout_restore(const struct eng_rollout_config *cfg,
					const char *text, char *err, size_t errlen);

#endif
