/* The discrete-event world: Poisson arrivals at a constant rate, a router
 * that sends a request to the canary iff its own uniform draw is below the
 * canary weight, and two versions, each with instances that serve a fixed
 * number of requests at once and queue the rest in FIFO order. Service times
 * and Bernoulli errors come from per-version random streams. Windows of
 * per-version metrics close at multiples of the window length.
 * It does not print and does not decide: the engine does, through sim_world. */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/metrics.h"
#include "engine/world.h"
#include "sim/dist.h"

struct sim_version_config {
	uint32_t instances;       /* servers of this version, >= 1 */
	uint32_t concurrency;     /* requests one instance serves at once, >= 1 */
	struct sim_dist service;  /* service time of one request, ms */
	double error_frac;        /* probability a request fails, 0..1 */
};

struct sim_config {
	uint64_t seed;            /* run seed; every stream derives from it */
	int64_t window_ns;        /* metrics window, ns, > 0 */
	double rate_rps;          /* Poisson arrival rate, requests/s, >= 0 */
	double initial_weight_pct; /* canary weight at time 0, 0..100 */
	struct sim_version_config version[ENG_NVERSIONS];
};

/* Running totals of one version since the start. */
struct sim_totals {
	uint64_t requests;        /* responses completed */
	uint64_t errors;          /* of which failed */
	double latency_sum_ms;    /* sum of their latencies, ms */
};

struct sim;

/* Returns an owned world at time 0, free with sim_free(); NULL when out of
 * memory or cfg is invalid. */
struct sim *sim_create(const struct sim_config *cfg);
void sim_free(struct sim *s);

/* Runs every event up to and including t_ns. False when out of memory. */
bool sim_run_until(struct sim *s, int64_t t_ns);
int64_t sim_now_ns(const struct sim *s);
void sim_set_weight(struct sim *s, double weight_pct);
/* Copies the most recently closed window into obs; false before the first. */
bool sim_last_window(const struct sim *s, struct eng_observation *obs);
void sim_totals(const struct sim *s, enum eng_version v, struct sim_totals *out);

/* The world port over a struct sim (ctx is a struct sim *). */
extern const struct eng_world_ops sim_world_ops;

#endif
