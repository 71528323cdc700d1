#include <math.h>
#include <string.h>

#include "engine/metrics.h"

const char *eng_version_name(enum eng_version v)
{
	switch (v) {
	case ENG_STABLE:
		return "stable";
	case ENG_CANARY:
		return "canary";
	case ENG_NVERSIONS:
		break;
	}
	return "unknown";
}

unsigned eng_quantile_bit(double q)
{
	return q == 0.5 ? ENG_Q_P50 : q == 0.95 ? ENG_Q_P95 : q == 0.99 ? ENG_Q_P99 : 0u;
}

double eng_window_quantile_ms(const struct eng_window_metrics *m, double q)
{
	if (q == 0.5)
		return m->p50_ms;
	if (q == 0.95)
		return m->p95_ms;
	if (q == 0.99)
		return m->p99_ms;
	return NAN;
}

bool eng_window_within_slo(const struct eng_window_metrics *m,
			   const struct eng_slo *slo)
{
	if (m->requests == 0)
		return true;
	if (m->error_rate_frac > 1.0 - slo->availability_frac)
		return false;
	return !(eng_window_quantile_ms(m, slo->latency_quantile) > slo->latency_ms);
}

const char *eng_command_name(enum eng_command c)
{
	switch (c) {
#define ENG_COMMAND_CASE(name, str) \
	case name:                  \
		return str;
		ENG_COMMAND_LIST(ENG_COMMAND_CASE)
#undef ENG_COMMAND_CASE
	}
	return "unknown";
}

bool eng_command_parse(const char *name, enum eng_command *out)
{
#define ENG_COMMAND_MATCH(id, str)        \
	if (strcmp(name, str) == 0) {     \
		*out = id;                \
		return true;              \
	}
	ENG_COMMAND_LIST(ENG_COMMAND_MATCH)
#undef ENG_COMMAND_MATCH
	return false;
}
