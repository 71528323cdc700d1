/* The run loop: couples a rollout to a world through the world port until
 * the rollout is done, then keeps observing for a while so that recovery can
 * be measured; passes the world's approvals, smoke-test results and
 * operator commands on to the rollout (a retry during the observation
 * starts it again). Owns no world and does no I/O of its own. */
#ifndef ENG_RUN_H
#define ENG_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/record.h"
#include "engine/rollout.h"
#include "engine/status.h"
#include "engine/world.h"

struct eng_run_opts {
	int64_t window_ns;        /* the world's window length, ns */
	int64_t observe_after_ns; /* how long to keep observing once the rollout is done, ns */
	bool resumed;             /* ro was restored (eng_rollout_restore) and is
				     not started again: the world is first told
				     to route as ro stands, the decisions ro
				     already holds are not told again, and the
				     run goes on from the world's time */
	bool keep_events;         /* the rollout keeps its decisions and the
				     record gets a copy (a live rollout saves
				     its state after the run, decisions and all);
				     otherwise they move to the record */
};

/* Runs ro (borrowed, started here) against world (borrowed) and fills rec
 * (initialised by the caller, owned by the caller). Windows close at
 * multiples of opts->window_ns from the world's start time. A world that
 * ends (ENG_EEND from wait_until: a recording ran out) ends the run there
 * and is not a failure: ENG_OK, with rec->outcome ENG_OUTCOME_RUNNING and
 * no decision when the rollout was not done by then, and the observation
 * after a decision cut short. A world may wake before the time it was asked
 * to wait for (a live world on a signal): what follows is then decided at
 * the time it woke. */
enum eng_status eng_run(struct eng_rollout *ro, const struct eng_world *world,
			const struct eng_run_opts *opts, struct eng_record *rec);

#endif
