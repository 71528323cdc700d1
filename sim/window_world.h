/* Window-level fidelity: the same world port as sim.c, but each window is
 * drawn whole instead of request by request: per stretch of constant weight
 * the request count is Poisson (the rate's integral), the canary's share
 * binomial, timeouts and errors binomial, and the latency histogram
 * multinomial over the histogram's bins from the service-time distribution
 * (plus dependency latency, slow start shifting bins). No queueing: it is
 * faithful where instances are rarely busy. sim_window_caveats() says where
 * a configuration leaves that ground; the caller reports it. */
#ifndef SIM_WINDOW_WORLD_H
#define SIM_WINDOW_WORLD_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/world.h"
#include "sim/config.h"

/* Utilisation (offered load / slots) above which queueing is not
 * negligible: at 0.5 an M/M/c queue's mean wait is already a sizeable share
 * of the service time for small c. */
#define SIM_WINDOW_MAX_UTILISATION 0.5

#define SIM_CAVEAT_LIST(X)                                                        \
	X(SIM_CAVEAT_QUEUEING, "utilisation above 0.5 at the peak rate: queueing delay, rejections and timeouts from queueing are not modelled")       \
	X(SIM_CAVEAT_QUEUE_LIMIT, "a queue limit is set: rejections (503) are not modelled")                                                     \
	X(SIM_CAVEAT_OOM, "a memory limit is set: OOM kills and restarts are not modelled")                                                        \
	X(SIM_CAVEAT_BURSTS, "Gilbert-Elliott errors are drawn at their long-run rate: bursts are not modelled")                                 \
	X(SIM_CAVEAT_TIMEOUT, "timeouts come from service time alone, without queueing delay") \
	X(SIM_CAVEAT_FAULTS, "faults: a crash shows in readiness only, a CPU hog is not modelled, and a latency fault gives every request its expected delay")

enum sim_caveat {
#define SIM_CAVEAT_ENUM(name, msg) name,
	SIM_CAVEAT_LIST(SIM_CAVEAT_ENUM)
#undef SIM_CAVEAT_ENUM
	SIM_NCAVEATS
};

const char *sim_caveat_message(enum sim_caveat c);
/* Bit c set when caveat c applies to version v of cfg. */
uint32_t sim_window_caveats(const struct sim_config *cfg, enum eng_version v);

/* The versions' latencies tabulated on the histogram's bins: a property of
 * the configuration, not of a run, so it is built once and shared by every
 * run (and thread) of a scenario. */
struct sim_wtable;

/* Returns an owned table for cfg, free with sim_wtable_free(); NULL when
 * out of memory. Dependencies' latency is tabulated from draws of a fixed
 * stream, so the table is the same for every run seed. */
struct sim_wtable *sim_wtable_create(const struct sim_config *cfg);
void sim_wtable_free(struct sim_wtable *t);

struct sim_wworld;

/* Returns an owned window-level world at time 0, free with
 * sim_wworld_free(); NULL when out of memory or cfg is invalid. table is
 * borrowed (it must have been built from the same cfg and outlive the
 * world); NULL builds one for this world alone. */
struct sim_wworld *sim_wworld_create(const struct sim_config *cfg,
				     const struct sim_wtable *table);
void sim_wworld_free(struct sim_wworld *w);
/* Takes w back to time 0 for a run with `seed`: it then draws exactly what
 * a world newly created with that seed would, without the set-up. */
void sim_wworld_reset(struct sim_wworld *w, uint64_t seed);

/* The world port over a struct sim_wworld. */
extern const struct eng_world_ops sim_window_world_ops;

#endif
