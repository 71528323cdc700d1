/* Runs a loaded scenario in the simulator: builds the simulated world and
 * the rollout from it and couples them through the world port. The one
 * place where a scenario meets sim/; every command that simulates uses it. */
#ifndef SCN_SIMULATE_H
#define SCN_SIMULATE_H

#include <stdint.h>

#include "engine/record.h"
#include "engine/status.h"
#include "reports/run_summary.h"
#include "scenario/scenario.h"

enum scn_fidelity {
	SCN_FIDELITY_REQUEST = 0, /* every request is an event (sim/sim.h) */
	SCN_FIDELITY_WINDOW       /* every window is drawn whole (sim/window_world.h) */
};

/* Simulates sc (borrowed) with `seed` at `fidelity` into rec, which the
 * caller has initialised with eng_record_init() and frees with
 * eng_record_free(). */
enum eng_status scn_simulate(const struct scn_scenario *sc, uint64_t seed,
			     enum scn_fidelity fidelity, struct eng_record *rec);

/* Fills meta with what the reports need to know of sc (borrowed: meta
 * points into sc) for a run with `seed`. */
void scn_run_meta(const struct scn_scenario *sc, uint64_t seed,
		  struct rpt_run_meta *meta);

#endif
