#include "engine/rollout.h"
#include "engine/run.h"
#include "scenario/simulate.h"
#include "sim/sim.h"

enum eng_status scn_simulate(const struct scn_scenario *sc, uint64_t seed,
			     struct eng_record *rec)
{
	struct sim_config cfg = sc->sim;
	struct eng_run_opts opts = {
		.window_ns = sc->sim.window_ns,
		.observe_after_ns = sc->observe_after_ns,
	};
	struct eng_rollout *ro;
	struct sim *s;
	enum eng_status st = ENG_ENOMEM;

	cfg.seed = seed;
	cfg.initial_weight_pct = 0.0;
	s = sim_create(&cfg);
	if (s == NULL)
		return ENG_ENOMEM;
	ro = eng_rollout_create(&sc->rollout);
	if (ro == NULL)
		goto out_free_sim;
	struct eng_world world = { &sim_world_ops, s };

	st = eng_run(ro, &world, &opts, rec);
	eng_rollout_free(ro);
out_free_sim:
	sim_free(s);
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
