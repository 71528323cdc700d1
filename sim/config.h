/* The simulated world's configuration: traffic, the two versions (their
 * instances, service times, errors and resources) and shared dependencies.
 * Plain data; arrays inside distributions and profiles are borrowed from
 * whoever built the configuration and must outlive the simulation. */
#ifndef SIM_CONFIG_H
#define SIM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/metrics.h"
#include "sim/dist.h"
#include "sim/fault.h"
#include "sim/traffic.h"

#define SIM_MAX_DEPENDENCIES 8
#define SIM_NAME_MAX 32
#define SIM_UNBOUNDED_QUEUE UINT32_MAX

enum sim_error_model {
	SIM_ERRORS_BERNOULLI = 0,
	SIM_ERRORS_GILBERT_ELLIOTT
};

/* Errors of a version, apart from timeouts and rejections. Gilbert-Elliott:
 * a good and a bad state with their own error probabilities; the state moves
 * after every request offered to the service while the version takes
 * traffic, good to bad with p_enter_bad, bad to good with p_leave_bad. */
struct sim_errors {
	enum sim_error_model model;
	double rate_frac;         /* Bernoulli: P(a request fails), 0..1 */
	double good_rate_frac;    /* G-E: P(fail) in the good state, 0..1 */
	double bad_rate_frac;     /* G-E: P(fail) in the bad state, 0..1 */
	double p_enter_bad;       /* G-E: P(good -> bad) per request offered, 0..1 */
	double p_leave_bad;       /* G-E: P(bad -> good) per request offered, 0..1 */
};

/* Resources of one instance. CPU used in a window is
 * cpu_ms_per_request per request started plus cpu_busy_frac of the service
 * time; memory is base + per in-flight request + leak x time since start. */
struct sim_resources {
	double cpu_cores;         /* cores per instance, > 0 */
	double cpu_ms_per_request; /* CPU a request costs besides busy time, ms */
	double cpu_busy_frac;     /* share of a serving slot's time that is CPU, 0..1 */
	double memory_base_mb;    /* resident at start, MB */
	double memory_per_request_mb; /* per request in flight, MB */
	double memory_leak_mb_per_s; /* growth while up, MB/s */
	double memory_limit_mb;   /* OOM kill above it, MB; 0: no limit */
	double restart_delay_s;   /* down after an OOM kill, s */
};

struct sim_version_config {
	uint32_t instances;       /* servers of this version, 1..10000 */
	uint32_t concurrency;     /* requests one instance serves at once, >= 1 */
	uint32_t queue_limit;     /* requests waiting per instance; a full queue rejects (503) */
	double timeout_ms;        /* a response slower than this is a timeout error; 0: none */
	double ready_after_s;     /* from start (or restart) to ready, s */
	double slow_start_multiplier; /* service-time factor at start, >= 1; 1: none */
	double slow_start_s;      /* the factor decays linearly to 1 over this, s */
	struct sim_dist service;  /* service time of one request, ms */
	struct sim_errors errors;
	struct sim_resources resources;
	uint32_t dependencies;    /* bit i set: each request calls dependency i */
};

/* A dependency shared by the versions (a database, say): each request of a
 * version that uses it waits for one call, which may fail. It has no
 * capacity limit of its own. */
struct sim_dependency_config {
	char name[SIM_NAME_MAX];
	struct sim_dist latency;  /* added to the service time, ms */
	double error_frac;        /* P(a call fails, failing the request), 0..1 */
};

#define SIM_MAX_APPROVALS 16
#define SIM_GATE_MAX 48

/* A simulated human: approves gate `gate` at at_ns. */
struct sim_approval {
	char gate[SIM_GATE_MAX];
	int64_t at_ns;            /* ns since the start */
};

#define SIM_MAX_SMOKE_TESTS 16

/* How a simulated smoke test goes: it passes from attempt `passes_on` on;
 * 0: it never passes. */
struct sim_smoke_result {
	char name[SIM_GATE_MAX];
	uint32_t passes_on;
};

#define SIM_MAX_COMMANDS 16

/* A simulated operator: issues `command` at at_ns. */
struct sim_command {
	enum eng_command command;
	int64_t at_ns;            /* ns since the start */
};

struct sim_config;

/* The first of cfg's commands issued after after_ns and by now_ns, in *cmd
 * and *at_ns; ENG_CMD_NONE when there is none. Shared by both worlds. */
void sim_config_command(const struct sim_config *cfg, int64_t after_ns,
			int64_t now_ns, enum eng_command *cmd, int64_t *at_ns);

/* Latency bins that both versions share, counted for judges that compare
 * whole distributions (Mann-Whitney U); counted only when n > 0. */
#define SIM_LATENCY_BINS 64

struct sim_latency_bins {
	size_t n;                 /* bins in use, 0..SIM_LATENCY_BINS; 0: none */
	double upper_ms[SIM_LATENCY_BINS]; /* strictly increasing upper edges,
					      ms; the last is +Inf */
};

/* Fills b with bins of equal probability under d, the distribution a
 * comparison is made against (the stable version's service time): its
 * quantiles at 1/64, 2/64, ..., 63/64, equal ones merged, then +Inf. */
void sim_latency_bins_init(struct sim_latency_bins *b, const struct sim_dist *d);

/* True when b is as struct sim_latency_bins says: none, or edges that
 * are positive, strictly increasing and end at +Inf. */
bool sim_latency_bins_valid(const struct sim_latency_bins *b);

/* The bin of b that counts a latency of x_ms: the first whose upper edge
 * is at or above it. */
size_t sim_latency_bin(const struct sim_latency_bins *b, double x_ms);

/* A feature flag of the stable version (the version that takes the
 * traffic under the flags strategy): a request it is on for fails with
 * error_frac more (besides the version's own errors) and takes
 * latency_multiplier times the service time. Neither: a good flag. */
struct sim_flag_config {
	char name[SIM_GATE_MAX];
	double error_frac;        /* added P(fail) while on, 0..1 */
	double latency_multiplier; /* service-time factor while on, >= 1 */
};

/* True when f changes the requests it is on for: a bad flag. */
bool sim_flag_is_bad(const struct sim_flag_config *f);

struct sim_config {
	uint64_t seed;            /* run seed; every stream derives from it */
	int64_t window_ns;        /* metrics window, ns, > 0 */
	struct sim_traffic traffic; /* arrival rate over time */
	double initial_weight_pct; /* canary weight at time 0, 0..100 */
	struct sim_version_config version[ENG_NVERSIONS];
	struct sim_dependency_config deps[SIM_MAX_DEPENDENCIES];
	uint32_t ndeps;
	struct sim_approval approvals[SIM_MAX_APPROVALS];
	uint32_t napprovals;
	struct sim_smoke_result smoke[SIM_MAX_SMOKE_TESTS];
	uint32_t nsmoke;
	struct sim_latency_bins latency_bins; /* n 0: not counted */
	struct sim_fault faults[SIM_MAX_FAULTS]; /* the scenario's fault injections */
	uint32_t nfaults;
	struct sim_command commands[SIM_MAX_COMMANDS]; /* strictly in time order */
	double slow_ms;           /* a success slower than this counts as slow,
				     ms; 0: none counted */
	uint32_t ncommands;
	struct sim_flag_config flags[ENG_MAX_FLAGS]; /* the stable version's */
	uint32_t nflags;
	/* The window level's latency figures (ENG_Q_* bits: quantiles and
	 * mean) that nothing reads, which it may leave NaN: of each
	 * version's window, and of what users saw; and whether nothing reads
	 * the slow successes, which it may then leave 0. 0 and false draw
	 * them all, as a timeline shows them; the request level fills them
	 * all whatever these say. */
	unsigned unread_latency[ENG_NVERSIONS];
	unsigned unread_latency_all;
	bool unread_slow;
	/* Whether what users saw is read only for the recovery (a study's,
	 * rpt_summarize()): in the windows that begin once the canary's
	 * weight is back at 0 after traffic, up to the first that meets
	 * recovery_slo. The window level may then leave its latency figures
	 * out in the others; false draws them in every window. */
	bool users_read_for_recovery;
	struct eng_slo recovery_slo;
};

/* Whether smoke test `name` passes at `attempt` in cfg (a test cfg does
 * not name passes). */
bool sim_config_smoke_passes(const struct sim_config *cfg, const char *name,
			     uint32_t attempt);

/* Whether cfg approves gate by now_ns; shared by both worlds. */
bool sim_config_approved(const struct sim_config *cfg, const char *gate,
			 int64_t now_ns);

/* The mean latency, ms, that the dependencies version v calls add to
 * each of its requests. */
double sim_version_dependency_mean_ms(const struct sim_config *cfg,
				      const struct sim_version_config *v);

/* The long-run probability that a request to version v (of cfg) fails: it
 * fails if the version or any dependency it calls does; Gilbert-Elliott at
 * its stationary rate, q e_good + p e_bad over p + q (Gilbert, Bell Syst.
 * Tech. J. 39, 1960). */
double sim_version_error_frac(const struct sim_config *cfg,
			      const struct sim_version_config *v);

/* Sensible defaults for a version: one instance, concurrency 1, unbounded
 * queue, no timeout, ready at once, no slow start, no errors, 1 core and
 * no CPU or memory cost. The service time is left for the caller. */
void sim_version_config_defaults(struct sim_version_config *v);

#endif
