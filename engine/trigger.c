#include <math.h>
#include <string.h>

#include "engine/trigger.h"

const char *eng_trigger_kind_name(enum eng_trigger_kind k)
{
	switch (k) {
#define ENG_TRIGGER_CASE(name, str) \
	case name:                  \
		return str;
		ENG_TRIGGER_LIST(ENG_TRIGGER_CASE)
#undef ENG_TRIGGER_CASE
	case ENG_NTRIGGER_KINDS:
		break;
	}
	return "unknown";
}

/* The share of version v's calls to dependency d that failed, or NaN
 * with fewer than min_calls calls. */
static double call_error_frac(const struct eng_dependency_calls *dc, int v, size_t d,
			      uint64_t min_calls)
{
	uint64_t n = dc->calls[v][d];

	if (n == 0 || n < min_calls)
		return NAN;
	return (double)dc->failures[v][d] / (double)n;
}

/* The canary's calls to tr's dependency fail too often and the stable
 * version's do not (or it makes too few calls to tell). */
static bool dependency_fails(const struct eng_trigger *tr, const struct eng_observation *obs,
			     struct eng_trigger_verdict *out)
{
	const struct eng_dependency_calls *dc = obs->deps;
	double c, s;

	out->threshold = tr->max_call_error_frac;
	out->bound = ENG_BOUND_MAX;
	for (size_t d = 0; dc != NULL && d < dc->n; d++) {
		if (strcmp(dc->names[d], tr->dependency) != 0)
			continue;
		c = call_error_frac(dc, ENG_CANARY, d, tr->min_calls);
		s = call_error_frac(dc, ENG_STABLE, d, tr->min_calls);
		out->observed = c;
		return c > tr->max_call_error_frac && !(s > tr->max_call_error_frac);
	}
	return false;
}

/* Whether the condition holds in the window, filling what was compared. */
static bool condition(const struct eng_trigger *tr, const struct eng_observation *obs,
		      struct eng_trigger_verdict *out)
{
	const struct eng_window_metrics *c = &obs->version[ENG_CANARY];
	const struct eng_window_metrics *s = &obs->version[ENG_STABLE];
	double v;

	switch (tr->kind) {
	case ENG_TRIGGER_THRESHOLD:
		v = eng_metric_value(tr->metric, c);
		out->observed = v;
		out->bound = tr->has_max ? ENG_BOUND_MAX : ENG_BOUND_MIN;
		out->threshold = tr->has_max ? tr->max : tr->min;
		if (isnan(v))
			return false;
		if (tr->has_max && v > tr->max)
			return true;
		if (tr->has_min && v < tr->min) {
			out->bound = ENG_BOUND_MIN;
			out->threshold = tr->min;
			return true;
		}
		return false;
	case ENG_TRIGGER_HEALTH:
		if (c->instances == 0)
			return false;
		out->observed = (double)c->ready_instances / (double)c->instances;
		out->threshold = tr->min_ready_frac;
		out->bound = ENG_BOUND_MIN;
		return out->observed < tr->min_ready_frac;
	case ENG_TRIGGER_ERROR_SPIKE:
		out->threshold = tr->factor;
		out->bound = ENG_BOUND_MAX_RATIO;
		if (c->requests == 0 || s->requests == 0 || c->errors < tr->min_errors ||
		    s->requests < tr->min_baseline_requests) {
			out->observed = NAN;
			return false;
		}
		/* a clean stable version makes any canary error an infinite ratio */
		out->observed = s->errors == 0 ? INFINITY :
			c->error_rate_frac / s->error_rate_frac;
		return out->observed > tr->factor;
	case ENG_TRIGGER_DEPENDENCY:
		return dependency_fails(tr, obs, out);
	case ENG_NTRIGGER_KINDS:
		break;
	}
	return false;
}

void eng_trigger_judge(const struct eng_trigger *tr, struct eng_trigger_state *st,
		       const struct eng_observation *obs, int64_t last_change_ns,
		       struct eng_trigger_verdict *out)
{
	int64_t start = obs->t_ns - obs->window_ns;

	memset(out, 0, sizeof(*out));
	out->observed = NAN;
	out->threshold = NAN;
	/* a window that began inside the cooldown is not judged */
	if (start < last_change_ns + tr->cooldown_ns) {
		st->holding = false;
		return;
	}
	out->holds = condition(tr, obs, out);
	if (!out->holds) {
		st->holding = false;
		return;
	}
	if (!st->holding) {
		st->holding = true;
		st->since_ns = start;
	}
	out->fires = obs->t_ns - st->since_ns >= tr->for_ns;
}
