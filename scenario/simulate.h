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

/* What a run's windows hold. */
enum scn_detail {
	SCN_DETAIL_FULL = 0,  /* every figure, as a timeline shows them */
	SCN_DETAIL_STUDY      /* at window fidelity, the latency quantiles
				 and means that neither the rollout nor a
				 study's summary reads are left NaN and not
				 drawn (what users saw, before the canary's
				 weight is back at 0, among them), and the
				 slow successes 0 when no latency budget
				 reads them; every decision and every other
				 figure is the same as at SCN_DETAIL_FULL */
};

/* A scenario set up for many runs: the world is built once and taken back
 * to time 0 for each seed, so a study pays the set-up once, not per run.
 * Each run draws exactly what scn_simulate() with that seed draws (at
 * SCN_DETAIL_STUDY, less: the quantiles it leaves out). One runner serves
 * one thread at a time. */
struct scn_runner;

/* Returns an owned runner of sc (borrowed: it must outlive the runner) at
 * `fidelity` and `detail`, free with scn_runner_free(); NULL when out of
 * memory. For window fidelity, scn_prepare_window(sc) first shares sc's
 * tables; without it the runner builds its own. */
struct scn_runner *scn_runner_create(const struct scn_scenario *sc,
				     enum scn_fidelity fidelity, enum scn_detail detail);
void scn_runner_free(struct scn_runner *r);
/* Simulates one run with `seed` into rec, as scn_simulate() does. */
enum eng_status scn_runner_run(struct scn_runner *r, uint64_t seed,
			       struct eng_record *rec);

/* Fills meta with what the reports need to know of sc (borrowed: meta
 * points into sc) for a run with `seed`. */
void scn_run_meta(const struct scn_scenario *sc, uint64_t seed,
		  struct rpt_run_meta *meta);

#endif
