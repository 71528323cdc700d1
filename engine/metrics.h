/* Plain data that crosses the world port: what a world observed over one
 * window, per version, and the actions the engine asks it to carry out.
 * Shared by the engine, every world and the reports; holds no logic.
 * Time is an integer count of nanoseconds since the start of the run. */
#ifndef ENG_METRICS_H
#define ENG_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ENG_NS_PER_S INT64_C(1000000000)

enum eng_version {
	ENG_STABLE = 0,
	ENG_CANARY = 1,
	ENG_NVERSIONS = 2
};

/* Returns "stable" or "canary". */
const char *eng_version_name(enum eng_version v);

/* One version over one window. Latency fields are NaN when requests == 0. */
struct eng_window_metrics {
	uint64_t requests;        /* responses completed in the window */
	uint64_t errors;          /* of which failed, whatever the cause */
	uint64_t timeouts;        /* of the errors: slower than the timeout */
	uint64_t rejected;        /* of the errors: refused at once (503) */
	uint64_t slow;            /* of the successes: slower than the world's
				     latency objective (a latency SLI's bad
				     requests); 0 when it has none */
	double error_rate_frac;   /* errors / requests, 0..1; NaN without requests */
	double mean_ms;           /* mean latency, ms */
	double p50_ms;            /* median latency, ms */
	double p95_ms;            /* 95th percentile latency, ms */
	double p99_ms;            /* 99th percentile latency, ms */
	double max_ms;            /* largest latency, ms */
	uint32_t ready_instances; /* instances ready at the end of the window */
	uint32_t instances;       /* instances the version should have */
	double cpu_frac;          /* CPU used / CPU available over the window, 0..1 (more: overloaded) */
	double memory_mb;         /* mean resident memory of running instances at the end, MB */
	uint32_t connections;     /* requests in service or waiting at the end */
	uint64_t mirrored;        /* of requests: mirrored copies, whose responses
				     were discarded (not user-facing) */
	uint64_t mirrored_errors; /* of errors: failed mirrored copies */
};

/* Both versions' latencies over one window, counted on bins they share,
 * for judges that compare whole distributions (Mann-Whitney U). A request
 * counts in the first bin whose value is at or above its latency. */
struct eng_latency_bins {
	const double *bin_ms;     /* borrowed: nbins upper edges, strictly
				     increasing, ms; the last may be +Inf */
	const uint64_t *counts[ENG_NVERSIONS]; /* borrowed: nbins counts each, requests */
	size_t nbins;
};

#define ENG_MAX_DEPENDENCIES 8

/* Both versions' calls to the dependencies they share (a database, say)
 * over one window: a dependency trigger tells a dependency that fails for
 * the canary alone from one that fails for everybody. */
struct eng_dependency_calls {
	size_t n;                 /* dependencies, 0..ENG_MAX_DEPENDENCIES */
	const char *names[ENG_MAX_DEPENDENCIES]; /* borrowed */
	uint64_t calls[ENG_NVERSIONS][ENG_MAX_DEPENDENCIES];    /* calls made, calls */
	uint64_t failures[ENG_NVERSIONS][ENG_MAX_DEPENDENCIES]; /* of which failed, calls */
};

#define ENG_MAX_FLAGS 8           /* feature flags a world may carry */

/* Per feature flag, the window's user requests with the flag on and those
 * with it off (of the version that takes the traffic: the stable one under
 * the flags strategy); on[i] and off[i] add up to that version's window. */
struct eng_flag_observation {
	size_t nflags;            /* flags in use, 0..ENG_MAX_FLAGS */
	double pct[ENG_MAX_FLAGS]; /* each flag's enabled share at the window's end, 0..100 */
	struct eng_window_metrics on[ENG_MAX_FLAGS];
	struct eng_window_metrics off[ENG_MAX_FLAGS];
};

/* What the world hands the engine: the most recent complete window. */
struct eng_observation {
	int64_t t_ns;             /* end of the window, ns since start */
	int64_t window_ns;        /* length of the window, ns */
	double weight_pct;        /* canary weight in force at the window's end, 0..100 */
	struct eng_window_metrics version[ENG_NVERSIONS];
	struct eng_window_metrics all; /* both versions together: what users saw */
	/* The window's latency bins; borrowed from the world and valid until
	 * it next advances, so a run record keeps NULL. NULL when the world
	 * was not asked to count them, or cannot. */
	const struct eng_latency_bins *latency;
	/* The window's dependency calls, borrowed and kept as latency is;
	 * NULL when the world has no dependencies or does not count them. */
	const struct eng_dependency_calls *deps;
	/* The window's per-flag groups, borrowed and short-lived in the same
	 * way (a run record keeps NULL); NULL when the world has no flags. */
	const struct eng_flag_observation *flags;
};

enum eng_action_kind {
	ENG_ACT_NONE = 0,
	ENG_ACT_SET_WEIGHT,
	ENG_ACT_SET_FLAGS         /* the flags' enabled shares (flag_pct) */
};

/* ENG_ACT_SET_WEIGHT sets the routing: the canary's weight and the share
 * of user requests mirrored to it. ENG_ACT_SET_FLAGS sets every flag's
 * enabled share at once and leaves the routing as it is. */
struct eng_action {
	enum eng_action_kind kind;
	double weight_pct;        /* canary weight to route, 0..100 */
	double mirror_pct;        /* user requests also sent to the canary, their
				     responses discarded, 0..100 (of those routed
				     to the stable version) */
	double flag_pct[ENG_MAX_FLAGS]; /* each flag's enabled share: a request
					   has flag i on with probability
					   flag_pct[i] / 100, 0..100 */
};

/* An operator's command to a rollout, as `kubectl argo rollouts abort` and
 * `retry` give them: abort sends all traffic back to the stable version at
 * once; retry starts an aborted rollout again from its first step. */
#define ENG_COMMAND_LIST(X)             \
	X(ENG_CMD_NONE, "none")         \
	X(ENG_CMD_ABORT, "abort")       \
	X(ENG_CMD_RETRY, "retry")

enum eng_command {
#define ENG_COMMAND_ENUM(name, str) name,
	ENG_COMMAND_LIST(ENG_COMMAND_ENUM)
#undef ENG_COMMAND_ENUM
};

const char *eng_command_name(enum eng_command c);
/* Looks up a command by name; false when there is none of that name. */
bool eng_command_parse(const char *name, enum eng_command *out);

/* A service-level objective, as the reports judge recovery against it. */
struct eng_slo {
	double availability_frac; /* target share of good requests, e.g. 0.99 */
	double latency_ms;        /* latency threshold, ms */
	double latency_quantile;  /* quantile held under latency_ms: 0.5, 0.95 or 0.99 */
};

/* A window's latency figures, its quantiles and its mean, as the bits of
 * a set: which of them something reads (see
 * eng_rollout_config_latency_reads()). */
#define ENG_Q_P50 1u
#define ENG_Q_P95 2u
#define ENG_Q_P99 4u
#define ENG_Q_MAX 8u
#define ENG_Q_MEAN 16u
#define ENG_Q_ALL 31u

/* The bit of quantile q (0.5, 0.95 or 0.99, as eng_window_quantile_ms()
 * takes it); 0 for any other q. */
unsigned eng_quantile_bit(double q);

/* Returns the window's latency at quantile q, which must be 0.5, 0.95 or
 * 0.99 (the quantiles a window keeps); NaN for any other q. */
double eng_window_quantile_ms(const struct eng_window_metrics *m, double q);

/* True when the window meets slo: error rate at most 1 - availability and
 * the latency quantile at most the threshold. A window without requests
 * meets it (nothing failed). */
bool eng_window_within_slo(const struct eng_window_metrics *m,
			   const struct eng_slo *slo);

#endif
