/* The fault catalogue: faults a scenario injects into the simulated world,
 * in the words of Toxiproxy and Chaos Mesh. Each has a kind, a target, a
 * start (a time, or a moment of the rollout), a duration, an optional ramp
 * and, where it applies, a probability. This module holds their
 * configuration and their schedule (when each is active, and how much);
 * the worlds carry the effects out. It draws random numbers only from the
 * generator it is handed. */
#ifndef SIM_FAULT_H
#define SIM_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "engine/event.h"
#include "engine/metrics.h"

#define SIM_MAX_FAULTS 32

/* Data plane: what requests meet. Control plane: what the controller
 * sees and does (the metrics source and the router's actuation). */
#define SIM_FAULT_LIST(X)                                                            \
	X(SIM_FAULT_LATENCY, "latency")         /* + delay_ms (+- jitter_ms), x multiplier */ \
	X(SIM_FAULT_ERRORS, "errors")           /* requests fail with error_rate */          \
	X(SIM_FAULT_ABORT, "abort")             /* every request fails at once */            \
	X(SIM_FAULT_CRASH, "crash")             /* instances down, back after the duration */ \
	X(SIM_FAULT_CPU_HOG, "cpu_hog")         /* a share of instances' CPU taken */        \
	X(SIM_FAULT_DEPENDENCY, "dependency")   /* a dependency's calls fail or slow down */  \
	X(SIM_FAULT_TRAFFIC_SPIKE, "traffic_spike") /* the arrival rate x factor */          \
	X(SIM_FAULT_METRICS_DOWN, "metrics_down")   /* the controller sees no data */        \
	X(SIM_FAULT_METRICS_NAN, "metrics_nan")     /* ... NaN for every latency and rate */ \
	X(SIM_FAULT_METRICS_STALE, "metrics_stale") /* ... the last window before the fault */ \
	X(SIM_FAULT_METRICS_LAG, "metrics_lag")     /* ... windows lag_s old */              \
	X(SIM_FAULT_ACTUATION_DELAY, "actuation_delay") /* weight changes land delay_s late */ \
	X(SIM_FAULT_ACTUATION_FAIL, "actuation_fail")   /* weight changes do not land */ \
	X(SIM_FAULT_ERROR_BURST, "error_burst")   /* errors in bursts of burst_s every every_s */ \
	X(SIM_FAULT_CRASH_LOOP, "crash_loop")     /* crash every every_s, down for down_s */ \
	X(SIM_FAULT_MEMORY_LEAK, "memory_leak")   /* instances leak leak_mb_per_s more */ \
	X(SIM_FAULT_PARTITION, "partition")       /* instances unreachable from the router */ \
	X(SIM_FAULT_SLOW_START, "slow_start")     /* latency x multiplier, fading to 1 */

enum sim_fault_kind {
#define SIM_FAULT_ENUM(name, str) name,
	SIM_FAULT_LIST(SIM_FAULT_ENUM)
#undef SIM_FAULT_ENUM
	SIM_NFAULT_KINDS
};

/* What a fault targets: a version, both, or a named dependency. */
enum sim_fault_target {
	SIM_TARGET_CANARY = 0,
	SIM_TARGET_STABLE,
	SIM_TARGET_ALL,
	SIM_TARGET_DEPENDENCY
};

/* When a fault starts: at a time, or at a moment of the rollout that the
 * world learns from the rollout's decisions (engine/world.h's notify). */
#define SIM_START_LIST(X)                                                  \
	X(SIM_START_AT, "at")             /* at_ns since the start */     \
	X(SIM_START_STEP, "step")         /* the rollout reaches step N */ \
	X(SIM_START_PROMOTION, "promotion") /* promotion or the switch begins */ \
	X(SIM_START_ROLLBACK, "rollback") /* a rollback is decided */

enum sim_fault_start {
#define SIM_START_ENUM(name, str) name,
	SIM_START_LIST(SIM_START_ENUM)
#undef SIM_START_ENUM
};

struct sim_fault {
	char name[ENG_EVENT_NAME_MAX];
	enum sim_fault_kind kind;
	enum sim_fault_target target;
	uint32_t dependency;      /* for SIM_TARGET_DEPENDENCY: its index */
	/* which instances, for crash and cpu_hog: all, or the first count */
	uint32_t count;           /* 0: all; else that many (a percent is
				     turned into a count when loaded) */
	double percent;           /* of instances, when given as a percent, 0..100; 0: none */
	enum sim_fault_start start;
	int64_t at_ns;            /* SIM_START_AT: ns since the start */
	uint32_t step;            /* SIM_START_STEP: 1-based step */
	int64_t delay_after_ns;   /* a phase start: this long after the moment */
	int64_t duration_ns;      /* active for this long; > 0 */
	int64_t ramp_ns;          /* the effect grows linearly over this, from 0; <= duration */
	double probability;       /* of each request (latency, errors), 0..1; 1 by default */
	double delay_ms;          /* latency, dependency: added delay, ms */
	double jitter_ms;         /* latency: the delay varies uniformly by +- this, ms */
	double correlation;       /* latency: of each jitter with the previous one, 0..1 (netem's) */
	double multiplier;        /* latency: service time x this; 1: none */
	double error_frac;        /* errors, dependency: share failing, 0..1 */
	double share_frac;        /* cpu_hog: share of CPU taken, 0..1 exclusive */
	double factor;            /* traffic_spike: rate x this, >= 0 */
	int64_t lag_ns;           /* metrics_lag: how old the windows seen are, ns */
	int64_t every_ns;         /* error_burst, crash_loop: period, ns */
	int64_t burst_ns;         /* error_burst: burst length, ns; crash_loop: time down, ns */
	double leak_mb_per_s;     /* memory_leak: MB/s */
	int64_t actuation_delay_ns; /* actuation_delay: ns */
};

const char *sim_fault_kind_name(enum sim_fault_kind k);
const char *sim_fault_start_name(enum sim_fault_start s);
/* True for the faults on the controller's side (metrics, actuation). */
bool sim_fault_is_control_plane(enum sim_fault_kind k);

/* A run's faults and when each started: plain data, reset per run. */
struct sim_fault_schedule {
	const struct sim_fault *faults; /* borrowed, n of them */
	size_t n;
	int64_t start_ns[SIM_MAX_FAULTS]; /* when each starts, INT64_MAX: not yet known */
	double last_jitter_ms[SIM_MAX_FAULTS]; /* latency: the previous request's jitter */
};

/* Starts sched over faults (borrowed, n <= SIM_MAX_FAULTS): the timed
 * ones get their start, the others wait for their moment. */
void sim_fault_schedule_init(struct sim_fault_schedule *sched,
			     const struct sim_fault *faults, size_t n);

/* Tells sched of a decision of the rollout (at ev->t_ns): the faults
 * that start at that moment get their start; a fault starts once. Returns
 * a bit mask of the faults that got a start now. */
uint32_t sim_fault_schedule_notify(struct sim_fault_schedule *sched,
				   const struct eng_event *ev);

/* Fault i's level at t_ns: 0 before its start and after its end, rising
 * linearly from 0 to 1 over its ramp, 1 in between. */
double sim_fault_level(const struct sim_fault_schedule *sched, size_t i, int64_t t_ns);

/* Whether fault i is active at t_ns (its level above 0, or a fault without
 * a level, such as a crash, between its start and its end). */
bool sim_fault_active(const struct sim_fault_schedule *sched, size_t i, int64_t t_ns);

/* True when fault f acts on version v. */
bool sim_fault_targets(const struct sim_fault *f, enum eng_version v);

/* The data-plane effects on version v's requests at t_ns, all active
 * faults combined, in expectation (the window level's view): the mean added
 * delay, the service multiplier, the share failing and the share aborted
 * (independent faults combine as 1 - prod(1 - p)), each scaled by its
 * fault's level and probability. jitter_ms is the largest jitter. */
struct sim_fault_effects {
	double delay_ms;          /* added to every affected request, ms */
	double jitter_ms;         /* +- uniformly around it, ms */
	double multiplier;        /* service time x this */
	double error_frac;        /* P(the request fails), 0..1 */
	double abort_frac;        /* P(it fails at once, with no latency), 0..1 */
};

void sim_fault_request_effects(const struct sim_fault_schedule *sched,
			       enum eng_version v, int64_t t_ns,
			       struct sim_fault_effects *out);

/* One request's effects (the request level's view): for each active fault
 * on v, whether it hits this request (one uniform of r against its level
 * times its probability: a ramp widens the share hit) and, for a latency
 * fault that hits, its delay with a uniform jitter (a second uniform,
 * correlated with the fault's previous jitter as sim_fault_jitter does). r
 * is drawn from only while faults on v are active, so a run without them
 * draws nothing. out->error_frac and abort_frac are 0 or 1. */
void sim_fault_draw_request(struct sim_fault_schedule *sched, enum eng_version v,
			    int64_t t_ns, gsl_rng *r, struct sim_fault_effects *out);

/* A correlated jitter as netem makes it: (1 - c) x a fresh jitter
 * fresh_ms plus c x the previous one, last_ms. The result stays within the
 * fresh jitters' range, its lag-1 autocorrelation is c, and its variance is
 * (1 - c) / (1 + c) of the fresh jitters' (netem's narrowing, kept so that
 * a Chaos Mesh or tc setting means the same here). */
double sim_fault_jitter(double last_ms, double fresh_ms, double c);

/* Dependency d's extra failure share and added delay at t_ns. */
void sim_fault_dependency_effects(const struct sim_fault_schedule *sched, uint32_t d,
				  int64_t t_ns, double *error_frac, double *delay_ms);

/* The arrival rate's factor at t_ns (traffic spikes multiplied), and the
 * largest factor the faults can reach (for the thinning envelope). */
double sim_fault_rate_factor(const struct sim_fault_schedule *sched, int64_t t_ns);
double sim_fault_peak_rate_factor(const struct sim_fault *faults, size_t n);

/* Which of a version's `instances` instances fault f takes: the first
 * count of them (all when it names none; a percent rounded up). */
uint32_t sim_fault_instances(const struct sim_fault *f, uint32_t instances);

/* The true windows a world closed, newest last, for the metrics faults
 * that show the controller an older one. */
#define SIM_OBS_HISTORY 64

struct sim_obs_history {
	struct eng_observation w[SIM_OBS_HISTORY];
	size_t n;                 /* stored, at most SIM_OBS_HISTORY */
	size_t next;              /* the slot the next window takes */
};

void sim_obs_history_push(struct sim_obs_history *h, const struct eng_observation *o);

/* Turns obs, the true window ending at obs->t_ns, into what the controller
 * sees under sched's metrics faults active then: no data (no requests,
 * NaN values), NaN values (counts kept), the last window before the fault
 * began (stale), or the window lag_s older (lag); the older windows come
 * from h and their borrowed parts (latency bins, dependency calls, flags)
 * are dropped. True when obs changed. */
bool sim_fault_observe(const struct sim_fault_schedule *sched,
		       const struct sim_obs_history *h, struct eng_observation *obs);

/* Whether a routing change asked at t_ns lands (not under actuation_fail),
 * and in *delay_ns how late (under actuation_delay; 0 otherwise). */
bool sim_fault_actuation(const struct sim_fault_schedule *sched, int64_t t_ns,
			 int64_t *delay_ns);

/* True when cfg's faults (borrowed, n) include a control-plane one of
 * the metrics. */
bool sim_faults_touch_metrics(const struct sim_fault *faults, size_t n);

#endif
