#include <math.h>
#include <string.h>

#include "engine/analysis.h"

static const char *const metric_names[] = {
#define ENG_METRIC_STR(name, str) [name] = str,
	ENG_METRIC_LIST(ENG_METRIC_STR)
#undef ENG_METRIC_STR
};

const char *eng_metric_name(enum eng_metric m)
{
	if ((unsigned)m < ENG_NMETRICS)
		return metric_names[m];
	return "unknown";
}

bool eng_metric_parse(const char *name, enum eng_metric *out)
{
	for (unsigned i = 0; i < ENG_NMETRICS; i++) {
		if (strcmp(name, metric_names[i]) == 0) {
			*out = (enum eng_metric)i;
			return true;
		}
	}
	return false;
}

double eng_metric_value(enum eng_metric metric,
			const struct eng_window_metrics *m)
{
	if (m->requests == 0)
		return NAN;
	switch (metric) {
	case ENG_METRIC_ERROR_RATE:
		return m->error_rate_frac;
	case ENG_METRIC_SUCCESS_RATE:
		return 1.0 - m->error_rate_frac;
	case ENG_METRIC_MEAN_MS:
		return m->mean_ms;
	case ENG_METRIC_P50_MS:
		return m->p50_ms;
	case ENG_METRIC_P95_MS:
		return m->p95_ms;
	case ENG_METRIC_P99_MS:
		return m->p99_ms;
	case ENG_NMETRICS:
		break;
	}
	return NAN;
}

void eng_check_judge(const struct eng_check *check,
		     const struct eng_window_metrics *m,
		     uint64_t min_requests, struct eng_judgement *out)
{
	double v = eng_metric_value(check->metric, m);

	out->observed = v;
	out->samples = m->requests;
	out->bound = check->has_max ? ENG_BOUND_MAX : ENG_BOUND_MIN;
	out->threshold = check->has_max ? check->max : check->min;
	if (m->requests < min_requests || isnan(v)) {
		out->result = ENG_RESULT_INCONCLUSIVE;
		return;
	}
	out->result = ENG_RESULT_PASS;
	if (check->has_max && v > check->max) {
		out->result = ENG_RESULT_FAIL;
	} else if (check->has_min && v < check->min) {
		out->result = ENG_RESULT_FAIL;
		out->bound = ENG_BOUND_MIN;
		out->threshold = check->min;
	}
}
