#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "replay/field.h"
#include "scenario/json_read.h"

static const struct {
	const char *name;
	enum replay_kind kind;
} fields[REPLAY_NFIELDS] = {
#define REPLAY_FIELD_ROW(name, str, kind) { str, kind },
	REPLAY_FIELD_LIST(REPLAY_FIELD_ROW)
#undef REPLAY_FIELD_ROW
};

const char *replay_field_name(enum replay_field f)
{
	return f < REPLAY_NFIELDS ? fields[f].name : "?";
}

bool replay_field_parse(const char *name, enum replay_field *out)
{
	for (int f = 0; f < REPLAY_NFIELDS; f++) {
		if (strcmp(name, fields[f].name) == 0) {
			*out = (enum replay_field)f;
			return true;
		}
	}
	return false;
}

const char *replay_field_expected(enum replay_field f)
{
	switch (f < REPLAY_NFIELDS ? fields[f].kind : REPLAY_AMOUNT) {
	case REPLAY_COUNT:
		return "a count (a number at least 0)";
	case REPLAY_FRAC:
		return "a fraction 0..1";
	case REPLAY_AMOUNT:
		return "a finite number at least 0";
	case REPLAY_LATENCY:
		return "a latency in ms, at least 0";
	}
	return "a number";
}

bool replay_field_value_ok(enum replay_field f, double v)
{
	if (f >= REPLAY_NFIELDS || isnan(v) || v < 0.0)
		return false;
	switch (fields[f].kind) {
	case REPLAY_COUNT:
		return v <= 9007199254740992.0; /* 2^53: whole doubles stay exact */
	case REPLAY_FRAC:
		return v <= 1.0;
	case REPLAY_AMOUNT:
		return isfinite(v);
	case REPLAY_LATENCY:
		return true;
	}
	return false;
}

void replay_field_names(char *buf, size_t n)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int f = 0; f < REPLAY_NFIELDS && used < n; f++) {
		int k = snprintf(buf + used, n - used, "%s%s", f ? ", " : "",
				 fields[f].name);

		if (k < 0)
			return;
		used += (size_t)k;
	}
}

const char *replay_field_suggest(const char *name, const char *const *extra)
{
	const char *names[REPLAY_NFIELDS + 16 + 1];
	size_t n = 0;

	for (int f = 0; f < REPLAY_NFIELDS; f++)
		names[n++] = fields[f].name;
	for (size_t i = 0; extra != NULL && extra[i] != NULL && i < 16; i++)
		names[n++] = extra[i];
	names[n] = NULL;
	return scn_closest(name, names, 3);
}

static uint64_t count(double v)
{
	return isnan(v) ? 0 : (uint64_t)llround(v);
}

/* A latency: NaN without requests, as a world reports it. */
static double latency(double v, uint64_t requests)
{
	return requests == 0 ? NAN : v;
}

enum replay_field replay_metrics_from(const double v[REPLAY_NFIELDS],
				      struct eng_window_metrics *m,
				      enum replay_field *limit)
{
	static const enum replay_field within_errors[] = {
		REPLAY_F_TIMEOUTS, REPLAY_F_REJECTED
	};
	static const enum replay_field within_requests[] = {
		REPLAY_F_ERRORS, REPLAY_F_MIRRORED, REPLAY_F_SLOW
	};
	uint64_t req = count(v[REPLAY_F_REQUESTS]);

	memset(m, 0, sizeof(*m));
	m->requests = req;
	if (!isnan(v[REPLAY_F_ERRORS]))
		m->errors = count(v[REPLAY_F_ERRORS]);
	else if (!isnan(v[REPLAY_F_ERROR_RATE]))
		m->errors = (uint64_t)llround(v[REPLAY_F_ERROR_RATE] * (double)req);
	m->error_rate_frac = NAN;
	if (req > 0 && !isnan(v[REPLAY_F_ERRORS]))
		m->error_rate_frac = (double)m->errors / (double)req;
	else if (req > 0)
		m->error_rate_frac = v[REPLAY_F_ERROR_RATE];
	m->timeouts = count(v[REPLAY_F_TIMEOUTS]);
	m->rejected = count(v[REPLAY_F_REJECTED]);
	m->slow = count(v[REPLAY_F_SLOW]);
	m->mirrored = count(v[REPLAY_F_MIRRORED]);
	m->mean_ms = latency(v[REPLAY_F_MEAN_MS], req);
	m->p50_ms = latency(v[REPLAY_F_P50_MS], req);
	m->p95_ms = latency(v[REPLAY_F_P95_MS], req);
	m->p99_ms = latency(v[REPLAY_F_P99_MS], req);
	m->max_ms = latency(v[REPLAY_F_MAX_MS], req);
	m->ready_instances = (uint32_t)count(v[REPLAY_F_READY_INSTANCES]);
	m->instances = (uint32_t)count(v[REPLAY_F_INSTANCES]);
	m->connections = (uint32_t)count(v[REPLAY_F_CONNECTIONS]);
	m->cpu_frac = v[REPLAY_F_CPU_FRAC];
	m->memory_mb = v[REPLAY_F_MEMORY_MB];

	const uint64_t inner[] = { m->timeouts, m->rejected };
	const uint64_t outer[] = { m->errors, m->mirrored, m->slow };

	for (size_t i = 0; i < 2; i++) {
		if (inner[i] > m->errors) {
			*limit = isnan(v[REPLAY_F_ERRORS]) ? REPLAY_F_ERROR_RATE : REPLAY_F_ERRORS;
			return within_errors[i];
		}
	}
	for (size_t i = 0; i < 3; i++) {
		if (outer[i] > req) {
			*limit = REPLAY_F_REQUESTS;
			return within_requests[i];
		}
	}
	if (!isnan(v[REPLAY_F_INSTANCES]) && m->ready_instances > m->instances) {
		*limit = REPLAY_F_INSTANCES;
		return REPLAY_F_READY_INSTANCES;
	}
	return REPLAY_NFIELDS;
}
