/* A rollout's making, renewing and freeing: its configuration checked,
 * its arrays laid out in one block, its budgets given their history. The
 * running of it is rollout.c's. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rollout.h"
#include "engine/rollout_impl.h"

/* Plain blue-green has no steps, flags have their own; the other
 * strategies need them. */
static bool config_valid(const struct eng_rollout_config *cfg)
{
	if (!eng_strategy_known(cfg->strategy))
		return false;
	if (cfg->strategy == ENG_STRATEGY_FLAGS ? !eng_flags_config_valid(cfg) :
	    cfg->strategy == ENG_STRATEGY_BLUEGREEN ? cfg->nsteps != 0 :
	    cfg->nsteps == 0 || cfg->steps == NULL)
		return false;
	if (eng_strategy_is_bluegreen(cfg->strategy) && !eng_bg_config_valid(cfg))
		return false;
	if (cfg->analysis.interval_ns <= 0 || cfg->progress_deadline_ns <= 0)
		return false;
	if (cfg->analysis.nchecks > ENG_MAX_CHECKS ||
	    (cfg->analysis.nchecks > 0 && cfg->analysis.checks == NULL))
		return false;
	if (cfg->ntriggers > 0 && cfg->triggers == NULL)
		return false;
	if (cfg->nsmoke_tests > ENG_MAX_SMOKE_TESTS ||
	    (cfg->nsmoke_tests > 0 && cfg->smoke_tests == NULL))
		return false;
	if (cfg->rollback.mode == ENG_ROLLBACK_GRADUAL &&
	    !(cfg->rollback.step_pct > 0.0 && cfg->rollback.step_pct <= 100.0 &&
	      cfg->rollback.interval_ns > 0))
		return false;
	if (cfg->analysis.mode == ENG_MODE_FLAGGER && cfg->analysis.failure_limit == 0)
		return false; /* Flagger's threshold counts from 1 */
	if (cfg->has_latency_budget &&
	    !(cfg->has_budget && cfg->latency_target_frac > 0.0 && cfg->latency_target_frac < 1.0))
		return false;
	for (size_t i = 0; i < cfg->nsteps; i++) {
		const struct eng_step *s = &cfg->steps[i];

		if (s->kind == ENG_STEP_SET_WEIGHT &&
		    !(s->weight_pct >= 0.0 && s->weight_pct <= 100.0))
			return false;
		if (s->kind == ENG_STEP_PAUSE && s->duration_ns < 0)
			return false;
	}
	return true;
}

/* Returns an owned budget of cfg holding `bad` of `total` requests spent
 * before the start, or NULL when out of memory. The history is one window
 * inside the period but before every alert's long window, so that it
 * counts in the budget remaining and not in the burn rates. */
static struct eng_budget *budget_with_history(const struct eng_budget_config *cfg,
					      uint64_t total, uint64_t bad)
{
	struct eng_budget *b = eng_budget_create(cfg);
	int64_t w = cfg->window_ns, longest = 0;

	if (b == NULL)
		return NULL;
	for (size_t i = 0; i < cfg->nalerts; i++)
		if (cfg->alerts[i].long_ns > longest)
			longest = cfg->alerts[i].long_ns;
	if (eng_budget_feed(b, -((longest + w - 1) / w + 1) * w, w, total, bad) != ENG_OK) {
		eng_budget_free(b);
		return NULL;
	}
	return b;
}

/* Frees what ro owns, not ro: all of it, or what a failed
 * rollout_init() had made. */
static void rollout_release(struct eng_rollout *ro)
{
	eng_event_log_free(&ro->log);
	eng_budget_free(ro->budget);
	eng_budget_free(ro->latency_budget);
	free(ro->arrays);
	eng_flags_free(ro);
}

/* The piece of `size` bytes at *off of block, *off moved past it to the
 * next offset aligned for any type; NULL for size 0, or with no block
 * (when only the size is wanted). */
static void *carve(char *block, size_t *off, size_t size)
{
	const size_t align = _Alignof(max_align_t);
	size_t at = *off;

	*off += (size + align - 1) / align * align;
	return block != NULL && size > 0 ? block + at : NULL;
}

/* Points ro's arrays (steps, checks and their counts, triggers and their
 * states, smoke tests) into block, laid out for cfg; with block NULL,
 * only measures. Returns the block's size. */
static size_t lay_out(struct eng_rollout *ro, const struct eng_rollout_config *cfg,
		      char *block)
{
	size_t n = cfg->analysis.nchecks, off = 0;

	ro->steps = carve(block, &off, cfg->nsteps * sizeof(*ro->steps));
	ro->checks = carve(block, &off, n * sizeof(*ro->checks));
	ro->check_failures = carve(block, &off, n * sizeof(*ro->check_failures));
	ro->msprt = carve(block, &off, n * sizeof(*ro->msprt));
	ro->cumulative = carve(block, &off, n * sizeof(*ro->cumulative));
	ro->triggers = carve(block, &off, cfg->ntriggers * sizeof(*ro->triggers));
	ro->trigger_state = carve(block, &off, cfg->ntriggers * sizeof(*ro->trigger_state));
	ro->smoke = carve(block, &off, cfg->nsmoke_tests * sizeof(*ro->smoke));
	return off;
}

/* Makes the zeroed ro a rollout of the valid cfg, as it stands before its
 * start; false when out of memory, with what it made left for
 * rollout_release(). Its arrays share one block (lay_out()): `spare`, of
 * `spare_size` bytes, when that is their size (zeroed here), else a new
 * one, spare freed. */
static bool rollout_init(struct eng_rollout *ro, const struct eng_rollout_config *cfg,
			 void *spare, size_t spare_size)
{
	size_t size = lay_out(ro, cfg, NULL);
	char *block;

	if (spare != NULL && spare_size == size) {
		block = memset(spare, 0, size);
	} else {
		free(spare);
		block = size > 0 ? calloc(1, size) : NULL;
		if (size > 0 && block == NULL)
			return false;
	}
	ro->arrays = block;
	ro->arrays_size = size;
	lay_out(ro, cfg, block);
	if (cfg->nsteps > 0) {
		memcpy(ro->steps, cfg->steps, cfg->nsteps * sizeof(*ro->steps));
		ro->nsteps = cfg->nsteps;
	}
	ro->strategy = cfg->strategy;
	if (!eng_flags_init(ro, cfg))
		return false;
	ro->bg = cfg->bluegreen;
	ro->bg_due_ns = -1;
	ro->bg_ready_frac = NAN;
	if (cfg->analysis.nchecks > 0) {
		for (size_t i = 0; i < cfg->analysis.nchecks; i++)
			eng_msprt_init(&ro->msprt[i]);
		memcpy(ro->checks, cfg->analysis.checks,
		       cfg->analysis.nchecks * sizeof(*ro->checks));
	}
	if (cfg->ntriggers > 0) {
		memcpy(ro->triggers, cfg->triggers, cfg->ntriggers * sizeof(*ro->triggers));
		ro->ntriggers = cfg->ntriggers;
	}
	ro->rollback = cfg->rollback;
	ro->compat = cfg->compat;
	ro->critical = cfg->critical;
	ro->rollback_on_burn = cfg->rollback_on_burn;
	if (cfg->has_budget) {
		struct eng_budget_config lat = cfg->budget;

		ro->budget = budget_with_history(&cfg->budget, cfg->budget_history_total,
						 cfg->budget_history_bad);
		if (ro->budget == NULL)
			return false;
		lat.slo_frac = cfg->latency_target_frac;
		lat.initial_gate = ENG_GATE_OPEN; /* frozen_before is the error budget's */
		if (cfg->has_latency_budget) {
			ro->latency_budget = budget_with_history(&lat, cfg->budget_history_total,
								 cfg->latency_history_bad);
			if (ro->latency_budget == NULL)
				return false;
		}
	}
	if (cfg->nsmoke_tests > 0) {
		memcpy(ro->smoke, cfg->smoke_tests, cfg->nsmoke_tests * sizeof(*ro->smoke));
		ro->nsmoke = cfg->nsmoke_tests;
	}
	ro->analysis = cfg->analysis;
	ro->analysis.checks = ro->checks;
	ro->progress_deadline_ns = cfg->progress_deadline_ns;
	ro->outcome = ENG_OUTCOME_RUNNING;
	ro->decision_ns = -1;
	ro->pause_end_ns = -1;
	ro->last_pass_ns = -1;
	return true;
}

struct eng_rollout *eng_rollout_create(const struct eng_rollout_config *cfg)
{
	struct eng_rollout *ro;

	if (!config_valid(cfg))
		return NULL;
	ro = calloc(1, sizeof(*ro));
	if (ro == NULL)
		return NULL;
	if (!rollout_init(ro, cfg, NULL, 0)) {
		rollout_release(ro);
		free(ro);
		return NULL;
	}
	return ro;
}

struct eng_rollout *eng_rollout_renew(struct eng_rollout *ro,
				      const struct eng_rollout_config *cfg)
{
	struct eng_event_log log;
	void *arrays;
	size_t arrays_size;

	if (ro == NULL)
		return eng_rollout_create(cfg);
	log = ro->log;
	arrays = ro->arrays;
	arrays_size = ro->arrays_size;
	ro->log = (struct eng_event_log){ 0 };
	ro->arrays = NULL;
	rollout_release(ro);
	memset(ro, 0, sizeof(*ro));
	if (!config_valid(cfg)) {
		free(arrays);
		eng_event_log_free(&log);
		free(ro);
		return NULL;
	}
	if (!rollout_init(ro, cfg, arrays, arrays_size)) { /* arrays taken or freed */
		eng_event_log_free(&log);
		rollout_release(ro);
		free(ro);
		return NULL;
	}
	log.count = 0; /* a new rollout has logged nothing */
	ro->log = log;
	return ro;
}

void eng_rollout_free(struct eng_rollout *ro)
{
	if (ro == NULL)
		return;
	rollout_release(ro);
	free(ro);
}
