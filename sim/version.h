/* One version's instances inside the simulator: routing a request to the
 * least-loaded ready instance, concurrency slots and FIFO queues, queue
 * limits, timeouts, slow start, CPU and memory with OOM kills and restarts,
 * and the version's window and running counters. Internal to sim/: sim.c
 * owns the clock and the event queue and calls these. */
#ifndef SIM_VERSION_H
#define SIM_VERSION_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/metrics.h"
#include "sim/config.h"
#include "sim/event_queue.h"
#include "sim/flag_window.h"
#include "sim/histogram.h"
#include "sim/sim.h"

/* Event kinds; sim.c handles the ones below SIM_EV_VERSION_FIRST. */
enum sim_event_kind {
	SIM_EV_ARRIVAL,
	SIM_EV_WINDOW,
	SIM_EV_FAULT,             /* an instance fault starts (arg 0) or ends (1) */
	SIM_EV_ACTUATE,           /* a delayed routing change lands */
	SIM_EV_VERSION_FIRST,
	SIM_EV_DEPARTURE = SIM_EV_VERSION_FIRST,
	SIM_EV_OOM,               /* memory reaches the limit */
	SIM_EV_RESTART            /* an OOM-killed instance comes back */
};

/* A request offered to a version. */
struct sim_request {
	uint64_t id;              /* arrival order */
	int64_t arrival_ns;
	int64_t service_ns;       /* the version's own work, before slow start */
	int64_t dependency_ns;    /* waiting for dependencies: slow start leaves it */
	bool fails;               /* an error (its own or a dependency's) */
	bool mirror;              /* a mirrored copy: its response is discarded */
	uint32_t dep_calls;       /* bit d: calls dependency d when served */
	uint32_t dep_fails;       /* bit d: and that call fails */
	uint8_t flags_on;         /* bit i: feature flag i is on for it */
};

struct sim_slot {
	uint64_t id;
	int64_t arrival_ns;
	bool fails;
	bool used;
	bool mirror;
	uint8_t flags_on;
};

struct sim_instance {
	uint32_t busy;            /* slots in use */
	struct sim_slot *slots;   /* owned, concurrency of them */
	uint32_t *free_slots;     /* owned stack of unused slot indexes */
	struct sim_request *q;    /* owned ring buffer of waiting requests */
	uint32_t qcap, qhead, qlen;
	bool up;                  /* running (not OOM-killed) */
	int64_t up_since_ns;      /* start of the current life */
	int64_t ready_at_ns;      /* ready for traffic from then */
	int64_t epoch;            /* lives so far: stale events are ignored */
	int64_t oom_seq;          /* the OOM event in force; older ones are stale */
	double cpu_ms;            /* CPU used in this window, ms */
	double cpu_factor;        /* service time x this (a CPU hog); 1: none */
	bool partitioned;         /* unreachable from the router: never chosen */
	double fault_leak_rate;   /* a memory-leak fault's rate, MB/s */
	double fault_leaked_mb;   /* what it leaked this life until fault_leak_t0_ns */
	int64_t fault_leak_t0_ns;
};

/* A window's responses of one kind (user requests, or mirrored copies). */
struct sim_win_counts {
	uint64_t requests, errors, timeouts, rejected, slow;
};

struct sim_version {
	enum eng_version which;
	struct sim_version_config cfg;
	struct sim_instance *inst; /* owned, cfg.instances of them */
	struct sim_hist *hist;    /* this window's latencies of user requests */
	struct sim_win_counts win; /* user requests */
	/* Mirrored copies: they load the instances and count in the version's
	 * window, never in what users saw nor in the totals. */
	struct sim_hist *mirror_hist;
	struct sim_win_counts win_mirror;
	struct sim_totals totals;
	bool ge_bad;              /* Gilbert-Elliott state */
	sim_response_fn sink;     /* every response, when set */
	void *sink_ctx;
	const struct sim_latency_bins *bins; /* borrowed; NULL: not counted */
	double slow_ms;           /* successes slower than this are slow; 0: none */
	uint64_t bin_counts[SIM_LATENCY_BINS]; /* this window's, on bins */
	uint64_t dep_calls[SIM_MAX_DEPENDENCIES];    /* this window's calls, */
	uint64_t dep_failures[SIM_MAX_DEPENDENCIES]; /* counted as service starts */
	struct sim_flag_window *flags; /* owned; NULL: no feature flags */
};

bool sim_version_init(struct sim_version *v, const struct sim_version_config *cfg,
		      enum eng_version which);
void sim_version_free(struct sim_version *v);

/* Schedules what the instances need from the start (their OOM moments). */
bool sim_version_start(struct sim_version *v, struct sim_event_queue *q);
/* Offers r at now_ns: served, queued, or rejected at once. */
bool sim_version_offer(struct sim_version *v, struct sim_event_queue *q,
		       const struct sim_request *r, int64_t now_ns);
/* Handles one of the version's events at now_ns. */
bool sim_version_event(struct sim_version *v, struct sim_event_queue *q,
		       const struct sim_event *ev, int64_t now_ns);
/* Crashes instance i at now_ns (a crash fault): the requests in it fail,
 * and it comes back down_ns later, as after an OOM kill. */
bool sim_version_crash(struct sim_version *v, struct sim_event_queue *q, uint32_t i,
		       int64_t now_ns, int64_t down_ns);
/* Sets instance i's memory-leak fault rate from now_ns (0: none), and
 * when the memory limit will be reached. */
bool sim_version_set_leak(struct sim_version *v, struct sim_event_queue *q, uint32_t i,
			  int64_t now_ns, double mb_per_s);
/* Fails request r at once without serving it (an aborted request). */
void sim_version_abort(struct sim_version *v, const struct sim_request *r);

/* Fills m with the window that ends at now_ns, mirrored copies included
 * (m->mirrored says how many), and starts a new one. What users saw is
 * v->win and v->hist: read the counts before this call; the latencies
 * stay in v->hist until the caller resets it. */
void sim_version_close_window(struct sim_version *v, int64_t now_ns,
			      int64_t window_ns, struct eng_window_metrics *m);
/* Memory of instance i at now_ns, MB. */
double sim_version_memory_mb(const struct sim_version *v, uint32_t i,
			     int64_t now_ns);

#endif
