/* Analysis checks: one metric of one window judged against absolute limits,
 * with a minimum sample below which the verdict is inconclusive rather than
 * a pass or a failure. Judges a single window; the bookkeeping of verdicts
 * over a rollout (failure limits) lives in rollout.c. */
#ifndef ENG_ANALYSIS_H
#define ENG_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/event.h"
#include "engine/metrics.h"

#define ENG_METRIC_LIST(X)                              \
	X(ENG_METRIC_ERROR_RATE, "error_rate")          \
	X(ENG_METRIC_SUCCESS_RATE, "success_rate")      \
	X(ENG_METRIC_MEAN_MS, "mean_ms")                \
	X(ENG_METRIC_P50_MS, "p50_ms")                  \
	X(ENG_METRIC_P95_MS, "p95_ms")                  \
	X(ENG_METRIC_P99_MS, "p99_ms")

enum eng_metric {
#define ENG_METRIC_ENUM(name, str) name,
	ENG_METRIC_LIST(ENG_METRIC_ENUM)
#undef ENG_METRIC_ENUM
	ENG_NMETRICS
};

struct eng_check {
	char name[ENG_EVENT_NAME_MAX]; /* as the user named it */
	enum eng_metric metric;
	bool has_max;
	double max;               /* fail when observed > max (metric's unit) */
	bool has_min;
	double min;               /* fail when observed < min (metric's unit) */
};

struct eng_analysis_config {
	int64_t interval_ns;      /* time between analysis runs, ns */
	uint64_t min_requests;    /* canary requests a check needs for a verdict */
	uint32_t failure_limit;   /* failed runs allowed; one more rolls back */
	const struct eng_check *checks; /* borrowed by a config, owned by a rollout */
	size_t nchecks;
};

/* The verdict of one check on one window, with what it compared. */
struct eng_judgement {
	enum eng_result result;   /* pass, fail or inconclusive */
	double observed;          /* metric value; NaN without requests */
	enum eng_bound bound;     /* the side that failed, else the first set */
	double threshold;         /* the limit on that side */
	uint64_t samples;         /* requests in the window */
};

/* Returns the metric's name as written in scenarios ("error_rate", ...). */
const char *eng_metric_name(enum eng_metric m);
/* Looks up a metric by name; false when there is none of that name. */
bool eng_metric_parse(const char *name, enum eng_metric *out);
/* The metric's value in window m; NaN when the window has no requests. */
double eng_metric_value(enum eng_metric metric,
			const struct eng_window_metrics *m);

/* Judges check against window m. Fewer than min_requests requests (or no
 * value) gives ENG_RESULT_INCONCLUSIVE. */
void eng_check_judge(const struct eng_check *check,
		     const struct eng_window_metrics *m,
		     uint64_t min_requests, struct eng_judgement *out);

#endif
