#include <stdlib.h>

#include "engine/rollout.h"
#include "engine/run.h"
#include "scenario/simulate.h"
#include "sim/sim.h"
#include "sim/window_world.h"

struct scn_runner {
	const struct scn_scenario *sc; /* borrowed */
	enum scn_fidelity fidelity;
	struct sim_config cfg;        /* the scenario's world, seed per run */
	struct sim_wworld *wworld;    /* owned: window level, reset per run */
	struct eng_rollout *ro;       /* owned: the last run's, renewed per run */
};

struct scn_runner *scn_runner_create(const struct scn_scenario *sc,
				     enum scn_fidelity fidelity, enum scn_detail detail)
{
	struct scn_runner *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->sc = sc;
	r->fidelity = fidelity;
	r->cfg = sc->sim;
	r->cfg.initial_weight_pct = 0.0;
	if (detail == SCN_DETAIL_STUDY) {
		/* a study reads what the rollout judges, and of what users saw
		 * the SLO's quantile (its recovery, rpt_summarize()) */
		unsigned q[ENG_NVERSIONS];

		eng_rollout_config_latency_reads(&sc->rollout, q);
		for (int i = 0; i < ENG_NVERSIONS; i++)
			r->cfg.unread_latency[i] = ENG_Q_ALL & ~q[i];
		r->cfg.unread_latency_all = ENG_Q_ALL & ~eng_quantile_bit(sc->slo.latency_quantile);
		r->cfg.unread_slow = !eng_rollout_config_reads_slow(&sc->rollout);
		r->cfg.users_read_for_recovery = true;
		r->cfg.recovery_slo = sc->slo;
	}
	if (fidelity == SCN_FIDELITY_WINDOW) {
		r->wworld = sim_wworld_create(&r->cfg, sc->wtable);
		if (r->wworld == NULL) {
			free(r);
			return NULL;
		}
	}
	return r;
}

void scn_runner_free(struct scn_runner *r)
{
	if (r == NULL)
		return;
	sim_wworld_free(r->wworld);
	eng_rollout_free(r->ro);
	free(r);
}

enum eng_status scn_runner_run(struct scn_runner *r, uint64_t seed,
			       struct eng_record *rec)
{
	const struct scn_scenario *sc = r->sc;
	struct eng_run_opts opts = {
		.window_ns = sc->sim.window_ns,
		.observe_after_ns = sc->observe_after_ns,
	};
	struct eng_world world = { NULL, NULL };
	enum eng_status st = ENG_ENOMEM;

	r->cfg.seed = seed;
	if (r->fidelity == SCN_FIDELITY_WINDOW) {
		sim_wworld_reset(r->wworld, seed);
		world.ops = &sim_window_world_ops;
		world.ctx = r->wworld;
	} else {
		world.ops = &sim_world_ops;
		world.ctx = sim_create(&r->cfg);
		if (world.ctx == NULL)
			return ENG_ENOMEM;
	}
	r->ro = eng_rollout_renew(r->ro, &sc->rollout);
	if (r->ro != NULL)
		st = eng_run(r->ro, &world, &opts, rec);
	if (r->fidelity == SCN_FIDELITY_REQUEST)
		sim_free(world.ctx);
	return st;
}

enum eng_status scn_simulate(const struct scn_scenario *sc, uint64_t seed,
			     enum scn_fidelity fidelity, struct eng_record *rec)
{
	struct scn_runner *r = scn_runner_create(sc, fidelity, SCN_DETAIL_FULL);
	enum eng_status st;

	if (r == NULL)
		return ENG_ENOMEM;
	st = scn_runner_run(r, seed, rec);
	scn_runner_free(r);
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
		.bad_from_ns = sc->canary_bad_stated ? 0 : sc->bad_from_ns,
		.expect_ttd = sc->expect_ttd,
		.expect_ttd_min_s = sc->expect_ttd_min_s,
		.expect_ttd_max_s = sc->expect_ttd_max_s,
		.expect_ttr = sc->expect_ttr,
		.expect_ttr_min_s = sc->expect_ttr_min_s,
		.expect_ttr_max_s = sc->expect_ttr_max_s,
	};
	for (uint32_t f = 0; f < sc->sim.nflags; f++)
		meta->flag_bad[f] = sim_flag_is_bad(&sc->sim.flags[f]);
}
