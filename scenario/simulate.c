#include "engine/rollout.h"
#include "engine/run.h"
#include "scenario/simulate.h"
#include "sim/sim.h"
#include "sim/window_world.h"

enum eng_status scn_simulate(const struct scn_scenario *sc, uint64_t seed,
			     enum scn_fidelity fidelity, struct eng_record *rec)
{
	struct sim_config cfg = sc->sim;
	struct eng_run_opts opts = {
		.window_ns = sc->sim.window_ns,
		.observe_after_ns = sc->observe_after_ns,
	};
	struct eng_world world = { NULL, NULL };
	struct eng_rollout *ro;
	enum eng_status st = ENG_ENOMEM;

	cfg.seed = seed;
	cfg.initial_weight_pct = 0.0;
	if (fidelity == SCN_FIDELITY_WINDOW) {
		world.ops = &sim_window_world_ops;
		world.ctx = sim_wworld_create(&cfg, sc->wtable);
	} else {
		world.ops = &sim_world_ops;
		world.ctx = sim_create(&cfg);
	}
	if (world.ctx == NULL)
		return ENG_ENOMEM;
	ro = eng_rollout_create(&sc->rollout);
	if (ro != NULL) {
		st = eng_run(ro, &world, &opts, rec);
		eng_rollout_free(ro);
	}
	if (fidelity == SCN_FIDELITY_WINDOW)
		sim_wworld_free(world.ctx);
	else
		sim_free(world.ctx);
	return st;
}

void scn_run_meta(const struct scn_scenario *sc, uint64_t seed,
		  struct rpt_run_meta *meta)
{
	*meta = (struct rpt_run_meta){
		.scenario = sc->name,
		.seed = seed,
		.canary_bad = sc->canary_bad,
		.slo = sc->slo,
		.has_expect = sc->has_expect,
		.expect_outcome = sc->expect_outcome,
	};
}
