#include <math.h>
#include <string.h>

#include "engine/analysis.h"
#include "engine/judges.h"

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

static double share(uint64_t part, uint64_t whole)
{
	return (double)part / (double)whole;
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
	case ENG_METRIC_MAX_MS:
		return m->max_ms;
	case ENG_METRIC_TIMEOUT_RATE:
		return share(m->timeouts, m->requests);
	case ENG_METRIC_REJECTED_RATE:
		return share(m->rejected, m->requests);
	case ENG_METRIC_CPU_FRAC:
		return m->cpu_frac;
	case ENG_METRIC_MEMORY_MB:
		return m->memory_mb;
	case ENG_METRIC_CONNECTIONS:
		return (double)m->connections;
	case ENG_NMETRICS:
		break;
	}
	return NAN;
}

void eng_check_defaults(struct eng_check *check)
{
	memset(check, 0, sizeof(*check));
	check->no_data = ENG_NO_DATA_ERROR;
	check->group = -1;
}

double eng_score(const struct eng_scoring *sc, const struct eng_check *checks,
		 const enum eng_result *results, size_t n)
{
	double judged[ENG_MAX_GROUPS] = { 0 }, passed[ENG_MAX_GROUPS] = { 0 };
	double score = 0.0, weight = 0.0;

	for (size_t i = 0; i < n; i++) {
		int g = checks[i].group;

		if (g < 0 || (size_t)g >= sc->ngroups)
			continue;
		if (results[i] == ENG_RESULT_PASS || results[i] == ENG_RESULT_FAIL)
			judged[g] += 1.0;
		if (results[i] == ENG_RESULT_PASS)
			passed[g] += 1.0;
	}
	for (size_t g = 0; g < sc->ngroups; g++) {
		if (judged[g] == 0.0)
			continue;
		score += sc->group_weights[g] * passed[g] / judged[g];
		weight += sc->group_weights[g];
	}
	return weight > 0.0 ? 100.0 * score / weight : NAN;
}

const char *eng_no_data_name(enum eng_no_data n)
{
	switch (n) {
#define ENG_NO_DATA_CASE(name, str) \
	case name:                  \
		return str;
		ENG_NO_DATA_LIST(ENG_NO_DATA_CASE)
#undef ENG_NO_DATA_CASE
	}
	return "unknown";
}

bool eng_check_has_baseline_limit(const struct eng_check *c)
{
	return c->has_max_ratio || c->has_min_ratio || c->has_max_increase ||
	       c->has_max_decrease;
}

/* Records a failure of `bound` (observed against threshold) in out. */
static void failed(struct eng_judgement *out, enum eng_bound bound,
		   double observed, double threshold)
{
	out->result = ENG_RESULT_FAIL;
	out->bound = bound;
	out->observed = observed;
	out->threshold = threshold;
}

/* The first limit set, for reporting a pass. */
static void first_limit(const struct eng_check *c, double v, double b,
			struct eng_judgement *out)
{
	if (c->has_max) {
		out->bound = ENG_BOUND_MAX;
		out->observed = v;
		out->threshold = c->max;
	} else if (c->has_min) {
		out->bound = ENG_BOUND_MIN;
		out->observed = v;
		out->threshold = c->min;
	} else if (c->has_max_ratio) {
		out->bound = ENG_BOUND_MAX_RATIO;
		out->observed = v / b;
		out->threshold = c->max_ratio;
	} else if (c->has_min_ratio) {
		out->bound = ENG_BOUND_MIN_RATIO;
		out->observed = v / b;
		out->threshold = c->min_ratio;
	} else if (c->has_max_increase) {
		out->bound = ENG_BOUND_MAX_INCREASE;
		out->observed = v - b;
		out->threshold = c->max_increase;
	} else if (c->has_max_decrease) {
		out->bound = ENG_BOUND_MAX_DECREASE;
		out->observed = b - v;
		out->threshold = c->max_decrease;
	}
}

/* canary / stable, with 0 / 0 = 1 (both clean) and x / 0 = infinity. */
static double ratio(double v, double b)
{
	if (b == 0.0)
		return v == 0.0 ? 1.0 : INFINITY;
	return v / b;
}

/* What a window without data means, by the check's no_data rule. */
static const enum eng_result no_data_result[] = {
	[ENG_NO_DATA_ERROR] = ENG_RESULT_ERROR,
	[ENG_NO_DATA_INCONCLUSIVE] = ENG_RESULT_INCONCLUSIVE,
	[ENG_NO_DATA_PASS] = ENG_RESULT_PASS,
	[ENG_NO_DATA_FAIL] = ENG_RESULT_FAIL,
};

void eng_check_judge(const struct eng_check *c,
		     const struct eng_window_metrics *m,
		     const struct eng_window_metrics *base,
		     struct eng_judgement *out)
{
	double v = eng_metric_value(c->metric, m), b = NAN;

	memset(out, 0, sizeof(*out));
	out->value = v;
	out->baseline = NAN;
	out->observed = v;
	out->threshold = NAN;
	out->samples = m->requests;
	if (isnan(v)) {
		out->result = no_data_result[c->no_data];
		first_limit(c, v, b, out);
		return;
	}
	if (m->requests < c->min_requests) {
		out->result = ENG_RESULT_INCONCLUSIVE;
		first_limit(c, v, b, out);
		return;
	}
	out->result = ENG_RESULT_PASS;
	if (c->has_max && v > c->max) {
		failed(out, ENG_BOUND_MAX, v, c->max);
		return;
	}
	if (c->has_min && v < c->min) {
		failed(out, ENG_BOUND_MIN, v, c->min);
		return;
	}
	if (c->judge == ENG_JUDGE_PROPORTIONS) {
		struct eng_errors_config cfg = { c->alpha, c->min_requests };
		struct eng_error_counts n = {
			m->errors, m->requests, base->errors, base->requests
		};
		struct eng_errors_judgement ej;

		out->baseline = eng_metric_value(c->metric, base);
		if (eng_judge_errors(&cfg, &n, &ej) != ENG_OK ||
		    ej.result == ENG_RESULT_INCONCLUSIVE) {
			out->result = ENG_RESULT_INCONCLUSIVE;
			return;
		}
		out->bound = ENG_BOUND_ALPHA;
		out->observed = ej.p;
		out->threshold = c->alpha;
		out->result = ej.result;
		if (ej.result == ENG_RESULT_FAIL)
			return;
	}
	if (eng_check_has_baseline_limit(c)) {
		b = eng_metric_value(c->metric, base);
		out->baseline = b;
		if (isnan(b) || base->requests < c->min_requests) {
			out->result = ENG_RESULT_INCONCLUSIVE;
			first_limit(c, v, b, out);
			return;
		}
		if (c->has_max_ratio && ratio(v, b) > c->max_ratio) {
			failed(out, ENG_BOUND_MAX_RATIO, ratio(v, b), c->max_ratio);
			return;
		}
		if (c->has_min_ratio && ratio(v, b) < c->min_ratio) {
			failed(out, ENG_BOUND_MIN_RATIO, ratio(v, b), c->min_ratio);
			return;
		}
		if (c->has_max_increase && v - b > c->max_increase) {
			failed(out, ENG_BOUND_MAX_INCREASE, v - b, c->max_increase);
			return;
		}
		if (c->has_max_decrease && b - v > c->max_decrease) {
			failed(out, ENG_BOUND_MAX_DECREASE, b - v, c->max_decrease);
			return;
		}
	}
	if (c->judge == ENG_JUDGE_PROPORTIONS && !c->has_max && !c->has_min &&
	    !eng_check_has_baseline_limit(c))
		return; /* the test's p against alpha, as filled above */
	first_limit(c, v, b, out);
	if (out->bound == ENG_BOUND_MAX_RATIO || out->bound == ENG_BOUND_MIN_RATIO)
		out->observed = ratio(v, b);
}

void eng_check_judge_latency(const struct eng_check *c,
			     const struct eng_observation *obs,
			     struct eng_judgement *out)
{
	const struct eng_latency_bins *lb = obs->latency;
	struct eng_latency_config cfg = { c->alpha, c->effect, c->effect_max,
					  c->min_requests };
	struct eng_latency_judgement lj;
	struct eng_latency_hist h;

	eng_check_judge(c, &obs->version[ENG_CANARY], &obs->version[ENG_STABLE], out);
	if (out->result != ENG_RESULT_PASS)
		return; /* no data, too few requests, or a limit failed */
	out->baseline = eng_metric_value(c->metric, &obs->version[ENG_STABLE]);
	if (lb == NULL) {
		out->result = no_data_result[c->no_data];
		return;
	}
	h = (struct eng_latency_hist){ lb->bin_ms, lb->counts[ENG_CANARY],
				       lb->counts[ENG_STABLE], lb->nbins };
	if (eng_judge_latency(&cfg, &h, &lj) != ENG_OK ||
	    lj.result == ENG_RESULT_INCONCLUSIVE) {
		out->result = ENG_RESULT_INCONCLUSIVE;
		return;
	}
	out->bound = ENG_BOUND_ALPHA;
	out->observed = lj.p;
	out->threshold = c->alpha;
	out->result = lj.result;
}

void eng_judgement_note(const struct eng_check *c, const struct eng_judgement *j,
			struct eng_event *ev)
{
	ev->result = j->result;
	eng_copy_text(ev->check, sizeof(ev->check), c->name);
	eng_copy_text(ev->metric, sizeof(ev->metric), eng_metric_name(c->metric));
	ev->bound = j->bound;
	ev->observed = j->observed;
	ev->threshold = j->threshold;
	ev->canary_value = j->value;
	ev->baseline = j->baseline;
	ev->samples = j->samples;
	ev->min_samples = c->min_requests;
}
