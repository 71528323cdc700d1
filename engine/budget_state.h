/* Saving an error budget's state as JSON and restoring it exactly: the
 * counts of every window it keeps (as runs of equal windows, oldest
 * first), each alert's spell, and the gate with its moves, so that a
 * restored budget decides as the original would. The configuration is
 * not saved: the budget restored into is made from it again, and the
 * state says how many windows of what length it was made for.
 * engine/state.c embeds a rollout's budgets in the rollout's state. */
#ifndef ENG_BUDGET_STATE_H
#define ENG_BUDGET_STATE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "engine/budget.h"
#include "engine/status.h"

/* Returns the state of b (borrowed) as a cJSON object owned by the
 * caller, free with cJSON_Delete(); NULL when out of memory. Its numbers
 * are raw text, exact when printed: the object is for printing, and a
 * restore reads the printed text parsed again. */
cJSON *eng_budget_save(const struct eng_budget *b);

/* Puts b (borrowed, made from the configuration the state was saved
 * with) in the state that object o (borrowed, parsed from a saved state's
 * text) describes. ENG_EINVAL when o
 * is not such a state, with the reason in err (of errlen) naming the JSON
 * path, where path names o itself (e.g. "budget"); ENG_ENOMEM when out of
 * memory. On error b is unchanged. */
enum eng_status eng_budget_restore(struct eng_budget *b, const cJSON *o, const char *path,
				   char *err, size_t errlen);

#endif
