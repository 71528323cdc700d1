/* Analysis checks: one metric of the canary's window judged against
 * absolute limits and against the stable version in the same window (ratio
 * or difference), with a minimum sample below which the verdict is
 * inconclusive and a stated meaning for no data. Judges a single window;
 * the bookkeeping of verdicts over a rollout (limits) lives in rollout.c. */
#ifndef ENG_ANALYSIS_H
#define ENG_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/event.h"
#include "engine/judges.h"
#include "engine/metrics.h"

#define ENG_METRIC_LIST(X)                              \
	X(ENG_METRIC_ERROR_RATE, "error_rate")          \
	X(ENG_METRIC_SUCCESS_RATE, "success_rate")      \
	X(ENG_METRIC_MEAN_MS, "mean_ms")                \
	X(ENG_METRIC_P50_MS, "p50_ms")                  \
	X(ENG_METRIC_P95_MS, "p95_ms")                  \
	X(ENG_METRIC_P99_MS, "p99_ms")                  \
	X(ENG_METRIC_MAX_MS, "max_ms")                  \
	X(ENG_METRIC_TIMEOUT_RATE, "timeout_rate")      \
	X(ENG_METRIC_REJECTED_RATE, "rejected_rate")    \
	X(ENG_METRIC_CPU_FRAC, "cpu_frac")              \
	X(ENG_METRIC_MEMORY_MB, "memory_mb")            \
	X(ENG_METRIC_CONNECTIONS, "connections")

enum eng_metric {
#define ENG_METRIC_ENUM(name, str) name,
	ENG_METRIC_LIST(ENG_METRIC_ENUM)
#undef ENG_METRIC_ENUM
	ENG_NMETRICS
};

/* What a window without data (no canary requests, or no value) means for
 * a check. */
#define ENG_NO_DATA_LIST(X)                             \
	X(ENG_NO_DATA_ERROR, "error")                   \
	X(ENG_NO_DATA_INCONCLUSIVE, "inconclusive")     \
	X(ENG_NO_DATA_PASS, "pass")                     \
	X(ENG_NO_DATA_FAIL, "fail")

enum eng_no_data {
#define ENG_NO_DATA_ENUM(name, str) name,
	ENG_NO_DATA_LIST(ENG_NO_DATA_ENUM)
#undef ENG_NO_DATA_ENUM
};

/* Statistical tests of the canary against the stable version
 * (engine/judges.h): on the error rate, proportions looks at one window
 * (z-test, or the exact conditional binomial test for small counts) and is
 * not safe to look at every interval; msprt looks at the counts since the
 * analysis began and stays valid however often it looks. On latency,
 * mann_whitney compares the window's whole distributions, with Kayenta's
 * effect-size rule; one look per window, like proportions. */
#define ENG_JUDGE_LIST(X)                              \
	X(ENG_JUDGE_NONE, "none")                      \
	X(ENG_JUDGE_PROPORTIONS, "proportions")        \
	X(ENG_JUDGE_MSPRT, "msprt")                    \
	X(ENG_JUDGE_MANN_WHITNEY, "mann_whitney")

enum eng_judge_kind {
#define ENG_JUDGE_ENUM(name, str) name,
	ENG_JUDGE_LIST(ENG_JUDGE_ENUM)
#undef ENG_JUDGE_ENUM
};

struct eng_check {
	char name[ENG_EVENT_NAME_MAX]; /* as the user named it */
	enum eng_metric metric;
	bool has_max;
	double max;               /* fail when canary > max (metric's unit) */
	bool has_min;
	double min;               /* fail when canary < min (metric's unit) */
	bool has_max_ratio;
	double max_ratio;         /* fail when canary / stable > max_ratio */
	bool has_min_ratio;
	double min_ratio;         /* fail when canary / stable < min_ratio */
	bool has_max_increase;
	double max_increase;      /* fail when canary - stable > max_increase (unit) */
	bool has_max_decrease;
	double max_decrease;      /* fail when stable - canary > max_decrease (unit) */
	uint64_t min_requests;    /* requests of each compared version for a verdict */
	enum eng_no_data no_data; /* what a window without data means */
	int group;                /* scoring group index, -1: none */
	bool critical;            /* failing it fails the run, whatever the score */
	enum eng_judge_kind judge; /* a statistical test against the baseline */
	double alpha;             /* the test fails when p < alpha, 0..1 */
	double tau;               /* msprt: sd of the mixing prior on the rate difference */
	enum eng_effect_measure effect; /* mann_whitney: the effect size weighed */
	double effect_max;        /* mann_whitney: fail only above it (ratio, or 0..1) */
};

#define ENG_MAX_GROUPS 16
#define ENG_MAX_CHECKS 100        /* checks an analysis may have */

/* Kayenta-style scoring: a run's score is the weighted share of passing
 * checks per group, over the groups that had a verdict, 0..100. */
struct eng_scoring {
	bool enabled;
	char group_names[ENG_MAX_GROUPS][ENG_EVENT_NAME_MAX];
	double group_weights[ENG_MAX_GROUPS]; /* relative weights, > 0 */
	size_t ngroups;
	double pass_score;        /* 0..100: at or above it the run passes */
	double marginal_score;    /* 0..pass: below it the run fails; between, inconclusive */
};

/* How failed runs are counted. */
enum eng_analysis_mode {
	ENG_MODE_ARGO = 0,        /* per check: roll back when one check's failures
				     exceed failure_limit (Argo Rollouts' failureLimit) */
	ENG_MODE_FLAGGER          /* per run: roll back when failed runs reach
				     failure_limit (Flagger's threshold) */
};

struct eng_analysis_config {
	int64_t interval_ns;      /* time between analysis runs, ns */
	uint64_t min_requests;    /* default of the checks' min_requests */
	uint32_t failure_limit;   /* see enum eng_analysis_mode */
	uint32_t consecutive_failure_limit; /* this many failed runs in a row roll
					       back; 0: no such limit */
	uint32_t consecutive_error_limit; /* more errored runs in a row than this
					     roll back; 0: no such limit */
	uint32_t inconclusive_limit; /* more inconclusive runs than this hold the
					rollout for a human; 0: no such limit */
	uint32_t consecutive_success_limit; /* this many passed runs in a row end
					       the running pause; 0: off */
	enum eng_analysis_mode mode;
	struct eng_scoring scoring;
	const struct eng_check *checks; /* borrowed by a config, owned by a rollout */
	size_t nchecks;
};

/* The verdict of one check on one window, with what it compared. */
struct eng_judgement {
	enum eng_result result;   /* pass, fail, inconclusive or error */
	double value;             /* the canary's metric; NaN without data */
	double baseline;          /* the stable version's; NaN when not compared */
	enum eng_bound bound;     /* the limit that failed, else the first set */
	double observed;          /* what was compared with the limit */
	double threshold;         /* the limit */
	uint64_t samples;         /* canary requests in the window */
};

/* Returns the metric's name as written in scenarios ("error_rate", ...). */
const char *eng_metric_name(enum eng_metric m);
/* Looks up a metric by name; false when there is none of that name. */
bool eng_metric_parse(const char *name, enum eng_metric *out);
/* The metric's value in window m; NaN when the window has no requests. */
double eng_metric_value(enum eng_metric metric,
			const struct eng_window_metrics *m);

/* Whether check compares the canary with the stable version's window: a
 * max_ratio, min_ratio, max_increase or max_decrease limit. */
bool eng_check_has_baseline_limit(const struct eng_check *check);

/* Judges check on the canary's window m against its limits and, for
 * baseline limits, the stable version's window base. No data gives what
 * check->no_data says; fewer than check->min_requests canary requests (or,
 * for baseline limits, stable requests) gives ENG_RESULT_INCONCLUSIVE,
 * unless an absolute limit already failed. */
void eng_check_judge(const struct eng_check *check,
		     const struct eng_window_metrics *m,
		     const struct eng_window_metrics *base,
		     struct eng_judgement *out);

/* Judges a mann_whitney check on obs: its limits as eng_check_judge()
 * does, then, if they pass, the canary's latency distribution against the
 * stable version's on the window's latency bins by eng_judge_latency()
 * (fail when p < alpha and the effect exceeds effect_max; observed is p).
 * Without bins in obs the window has no data for it. */
void eng_check_judge_latency(const struct eng_check *check,
			     const struct eng_observation *obs,
			     struct eng_judgement *out);

/* Writes check's verdict j into ev (an analysis event): the result, the
 * check and metric names and what was compared. */
void eng_judgement_note(const struct eng_check *check, const struct eng_judgement *j,
			struct eng_event *ev);

/* Fills check with the defaults: no limits, min_requests 0, no data is an
 * error. */
void eng_check_defaults(struct eng_check *check);

const char *eng_no_data_name(enum eng_no_data n);

/* The score of one run from its checks' results (one per check), 0..100;
 * NaN when no group had a verdict (pass or fail). */
double eng_score(const struct eng_scoring *sc, const struct eng_check *checks,
		 const enum eng_result *results, size_t n);

#endif
