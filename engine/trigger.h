/* Triggers: rules that can roll a rollout back at any window, not only at
 * analysis runs — a metric held past a limit, too few ready instances, an
 * error spike against the stable version, or a dependency failing for the
 * canary alone. Each judges one window and
 * keeps its own state; the rollout decides what firing means. */
#ifndef ENG_TRIGGER_H
#define ENG_TRIGGER_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/analysis.h"
#include "engine/event.h"
#include "engine/metrics.h"

#define ENG_TRIGGER_LIST(X)                             \
	X(ENG_TRIGGER_THRESHOLD, "threshold")           \
	X(ENG_TRIGGER_HEALTH, "health")                 \
	X(ENG_TRIGGER_ERROR_SPIKE, "error_spike")       \
	X(ENG_TRIGGER_DEPENDENCY, "dependency")

enum eng_trigger_kind {
#define ENG_TRIGGER_ENUM(name, str) name,
	ENG_TRIGGER_LIST(ENG_TRIGGER_ENUM)
#undef ENG_TRIGGER_ENUM
	ENG_NTRIGGER_KINDS
};

struct eng_trigger {
	char name[ENG_EVENT_NAME_MAX]; /* as the user named it */
	enum eng_trigger_kind kind;
	/* threshold: the canary's metric past max (or min) */
	enum eng_metric metric;
	bool has_max;
	double max;               /* the metric's unit */
	bool has_min;
	double min;               /* the metric's unit */
	/* health: ready canary instances below this share of its instances */
	double min_ready_frac;    /* 0..1 */
	/* error spike: canary error rate > factor x the stable version's,
	 * with at least min_errors canary errors and min_baseline_requests
	 * stable requests in the window (a baseline of a few requests, as
	 * after a blue-green switch, is no baseline: its clean handful would
	 * make any canary error an infinite ratio) */
	double factor;            /* > 0 */
	uint64_t min_errors;      /* errors */
	uint64_t min_baseline_requests; /* requests; 0: any */
	/* dependency: the canary's calls to `dependency` fail more often than
	 * max_call_error_frac, with at least min_calls calls, while the stable
	 * version's calls to it do not (a failure both see is not the canary's
	 * doing, and rolling back would not mend it) */
	char dependency[ENG_EVENT_NAME_MAX];
	double max_call_error_frac; /* 0..1 */
	uint64_t min_calls;       /* calls */
	/* all kinds */
	int64_t for_ns;           /* the condition must hold this long, ns; 0: one window */
	int64_t cooldown_ns;      /* not judged this long after a weight change, ns */
};

/* What a trigger keeps between windows. Zero-initialise. */
struct eng_trigger_state {
	bool holding;             /* the condition held in the last window judged */
	int64_t since_ns;         /* start of the first window of the streak, ns */
};

/* The outcome of judging one window. */
struct eng_trigger_verdict {
	bool holds;               /* the condition holds in this window */
	bool fires;               /* and has held for the trigger's for_ns */
	double observed;          /* what was compared (value, ratio, ready share) */
	double threshold;         /* the limit */
	enum eng_bound bound;     /* which side */
};

const char *eng_trigger_kind_name(enum eng_trigger_kind k);

/* Judges trigger tr on window obs, updating st. last_change_ns is when the
 * canary's weight last changed: within the cooldown after it nothing holds
 * (and a streak restarts). A window without data does not hold. */
void eng_trigger_judge(const struct eng_trigger *tr, struct eng_trigger_state *st,
		       const struct eng_observation *obs, int64_t last_change_ns,
		       struct eng_trigger_verdict *out);

#endif
