/* The discrete-event world: Poisson arrivals whose rate follows a traffic
 * profile, a router that sends a request to the canary iff its own uniform
 * draw is below the canary weight, and two versions whose instances serve,
 * queue, reject, time out, use CPU and memory, and get OOM-killed (see
 * sim/version.h), with shared dependencies. Windows of per-version metrics
 * close at multiples of the window length.
 *
 * A request may also be mirrored to the canary (blue-green's preview):
 * the copy is served there and judged in the canary's window but is not
 * user-facing; whether a request is mirrored comes from its routing draw,
 * so mirroring takes no draws from any stream the stable version uses.
 *
 * Common random numbers: arrival times come from their own stream, and
 * every request draws its service time and error for each version taking
 * traffic (and its dependency calls) from per-purpose streams whichever
 * version it is routed to, so two runs that differ only in the engine's
 * settings see the same arrivals and the same per-request draws.
 * Feature flags (sim_config.flags) are the stable version's: each request
 * draws one uniform per flag from the flags' stream, so adding flags or
 * moving their shares changes no other draw; windows carry each flag's
 * on- and off-groups.
 * It does not print and does not decide: the engine does, through the
 * world port sim_world_ops. */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/metrics.h"
#include "engine/world.h"
#include "sim/config.h"

/* Running totals of one version since the start. */
struct sim_totals {
	uint64_t requests;        /* responses completed */
	uint64_t errors;          /* of which failed, whatever the cause */
	uint64_t timeouts;        /* of the errors: timed out */
	uint64_t rejected;        /* of the errors: rejected (503) */
	uint64_t oom_kills;       /* instances killed for memory */
	double latency_sum_ms;    /* sum of the responses' latencies, ms */
	uint64_t mirrored;        /* mirrored copies served, in none of the above */
};

/* One response, for a sink that wants every request (tests, traces). */
struct sim_response {
	uint64_t id;              /* arrival order, from 0 */
	int64_t arrival_ns;
	enum eng_version version; /* where it was routed */
	double latency_ms;
	bool failed;
};

/* Called for every response to a user when set (mirrored copies are not
 * responses to users); ctx is the caller's. */
typedef void (*sim_response_fn)(void *ctx, const struct sim_response *r);

struct sim;

/* Returns an owned world at time 0, free with sim_free(); NULL when out of
 * memory or cfg is invalid. cfg's borrowed arrays must outlive the world. */
struct sim *sim_create(const struct sim_config *cfg);
void sim_free(struct sim *s);

/* Runs every event up to and including t_ns. False when out of memory. */
bool sim_run_until(struct sim *s, int64_t t_ns);
int64_t sim_now_ns(const struct sim *s);
void sim_set_weight(struct sim *s, double weight_pct);
/* Mirrors mirror_pct of the requests routed to the stable version to the
 * canary as well: the copy loads the canary's instances and counts in its
 * window; its response is discarded. 0 stops mirroring. */
void sim_set_mirror(struct sim *s, double mirror_pct);
/* Sets each feature flag's enabled share (flag_pct: cfg's nflags shares,
 * 0..100): from now on a request has flag i on with that probability. */
void sim_set_flags(struct sim *s, const double *flag_pct);
/* Copies the most recently closed window into obs; false before the first;
 * its flag groups are s's until the next sim_run_until(). */
bool sim_last_window(const struct sim *s, struct eng_observation *obs);
/* The same window as the controller sees it under the metrics faults. */
bool sim_seen_window(const struct sim *s, struct eng_observation *obs);
bool sim_has_metrics_faults(const struct sim *s);
/* Carries act out, as the router would under the actuation faults: at
 * once, late, or not at all. False when out of memory. */
bool sim_apply(struct sim *s, const struct eng_action *act);
/* Passes a decision of the rollout on to the faults waiting for it. False
 * when out of memory. */
bool sim_notify(struct sim *s, const struct eng_event *ev);
void sim_totals(const struct sim *s, enum eng_version v, struct sim_totals *out);
/* Whether the scenario's approvals grant gate by now. */
bool sim_approved(const struct sim *s, const char *gate);
/* The configuration's first operator command after after_ns and by now. */
void sim_command(const struct sim *s, int64_t after_ns, enum eng_command *cmd,
		 int64_t *at_ns);
/* Whether smoke test name passes at attempt, as the scenario says. */
bool sim_smoke_passes(const struct sim *s, const char *name, uint32_t attempt);
/* Sends every response from now on to fn (NULL: none). */
void sim_set_response_sink(struct sim *s, sim_response_fn fn, void *ctx);

/* The world port over a struct sim (ctx is a struct sim *). */
extern const struct eng_world_ops sim_world_ops;

#endif
