/* The per-version figures a recording may give for one window, by the
 * names they have in a CSV header and in `--prometheus NAME=FILE`, the
 * values each accepts, and how one window's figures become a struct
 * eng_window_metrics. Shared by both readers so that the two formats
 * accept the same names and values; it reads no file itself. */
#ifndef REPLAY_FIELD_H
#define REPLAY_FIELD_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/metrics.h"

enum replay_kind {
	REPLAY_COUNT,             /* a count, at least 0; rounded to whole */
	REPLAY_FRAC,              /* a fraction, 0..1 */
	REPLAY_AMOUNT,            /* a finite number, at least 0 */
	REPLAY_LATENCY            /* ms, at least 0; +Inf allowed (a quantile
				     above a histogram's last bucket) */
};

/* name, kind; in the order of timeline.csv's columns */
#define REPLAY_FIELD_LIST(X)                                      \
	X(REPLAY_F_REQUESTS, "requests", REPLAY_COUNT)            \
	X(REPLAY_F_ERRORS, "errors", REPLAY_COUNT)                \
	X(REPLAY_F_ERROR_RATE, "error_rate", REPLAY_FRAC)         \
	X(REPLAY_F_MEAN_MS, "mean_ms", REPLAY_LATENCY)            \
	X(REPLAY_F_P50_MS, "p50_ms", REPLAY_LATENCY)              \
	X(REPLAY_F_P95_MS, "p95_ms", REPLAY_LATENCY)              \
	X(REPLAY_F_P99_MS, "p99_ms", REPLAY_LATENCY)              \
	X(REPLAY_F_MAX_MS, "max_ms", REPLAY_LATENCY)              \
	X(REPLAY_F_READY_INSTANCES, "ready_instances", REPLAY_COUNT) \
	X(REPLAY_F_TIMEOUTS, "timeouts", REPLAY_COUNT)            \
	X(REPLAY_F_REJECTED, "rejected", REPLAY_COUNT)            \
	X(REPLAY_F_CPU_FRAC, "cpu_frac", REPLAY_AMOUNT)           \
	X(REPLAY_F_MEMORY_MB, "memory_mb", REPLAY_AMOUNT)         \
	X(REPLAY_F_CONNECTIONS, "connections", REPLAY_COUNT)      \
	X(REPLAY_F_MIRRORED, "mirrored", REPLAY_COUNT)            \
	X(REPLAY_F_SLOW, "slow", REPLAY_COUNT)                    \
	X(REPLAY_F_INSTANCES, "instances", REPLAY_COUNT)

enum replay_field {
#define REPLAY_FIELD_ENUM(name, str, kind) name,
	REPLAY_FIELD_LIST(REPLAY_FIELD_ENUM)
#undef REPLAY_FIELD_ENUM
	REPLAY_NFIELDS
};

const char *replay_field_name(enum replay_field f);
/* Looks a field up by name; false when there is none of that name. */
bool replay_field_parse(const char *name, enum replay_field *out);
/* What field f accepts, for messages: "a count (a number at least 0)". */
const char *replay_field_expected(enum replay_field f);
/* Whether v is a value field f accepts. NaN (no data) is not: the
 * readers handle it before. */
bool replay_field_value_ok(enum replay_field f, double v);
/* Writes "requests, errors, ..." into buf. */
void replay_field_names(char *buf, size_t n);
/* The field name, or one of `extra` (NULL-terminated; may be NULL),
 * closest to name within three edits (p99 is p99_ms); NULL when none is. */
const char *replay_field_suggest(const char *name, const char *const *extra);

/* Turns one version's figures over one window (v[f] NaN: not given) into
 * *m: counts not given are 0; errors not given come from error_rate (and
 * error_rate from errors when errors is given: counts are exact, a rate is
 * rounded); without requests the error rate and latencies are NaN, as a
 * world reports them. Returns REPLAY_NFIELDS, or the field that breaks a
 * bound another field sets (errors above requests, say), with that other
 * field in *limit. */
enum replay_field replay_metrics_from(const double v[REPLAY_NFIELDS],
				      struct eng_window_metrics *m,
				      enum replay_field *limit);

#endif
