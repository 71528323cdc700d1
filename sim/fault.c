#include <math.h>
#include <string.h>

#include "sim/fault.h"

const char *sim_fault_kind_name(enum sim_fault_kind k)
{
	switch (k) {
#define SIM_FAULT_CASE(name, str) \
	case name:                \
		return str;
		SIM_FAULT_LIST(SIM_FAULT_CASE)
#undef SIM_FAULT_CASE
	case SIM_NFAULT_KINDS:
		break;
	}
	return "unknown";
}

const char *sim_fault_start_name(enum sim_fault_start s)
{
	switch (s) {
#define SIM_START_CASE(name, str) \
	case name:                \
		return str;
		SIM_START_LIST(SIM_START_CASE)
#undef SIM_START_CASE
	}
	return "unknown";
}

bool sim_fault_is_control_plane(enum sim_fault_kind k)
{
	return k >= SIM_FAULT_METRICS_DOWN && k <= SIM_FAULT_ACTUATION_FAIL;
}

void sim_fault_schedule_init(struct sim_fault_schedule *sched,
			     const struct sim_fault *faults, size_t n)
{
	sched->faults = faults;
	sched->n = n < SIM_MAX_FAULTS ? n : SIM_MAX_FAULTS;
	for (size_t i = 0; i < sched->n; i++) {
		sched->start_ns[i] = faults[i].start == SIM_START_AT ? faults[i].at_ns : INT64_MAX;
		sched->last_jitter_ms[i] = 0.0;
	}
}

/* Whether decision ev is the moment fault f waits for. */
static bool is_moment(const struct sim_fault *f, const struct eng_event *ev)
{
	switch (f->start) {
	case SIM_START_AT:
		return false;
	case SIM_START_STEP:
		return ev->rule == ENG_RULE_STEP && ev->step_index + 1 == f->step;
	case SIM_START_PROMOTION:
		return ev->rule == ENG_RULE_STEPS_COMPLETE || ev->rule == ENG_RULE_PROMOTION ||
		       ev->rule == ENG_RULE_SWITCH;
	case SIM_START_ROLLBACK:
		return ev->action == ENG_DECIDE_ROLLBACK || ev->action == ENG_DECIDE_SWITCH_BACK;
	}
	return false;
}

uint32_t sim_fault_schedule_notify(struct sim_fault_schedule *sched,
				   const struct eng_event *ev)
{
	uint32_t started = 0;

	for (size_t i = 0; i < sched->n; i++) {
		const struct sim_fault *f = &sched->faults[i];

		if (sched->start_ns[i] != INT64_MAX || !is_moment(f, ev))
			continue;
		sched->start_ns[i] = ev->t_ns + f->delay_after_ns;
		started |= 1u << i;
	}
	return started;
}

double sim_fault_level(const struct sim_fault_schedule *sched, size_t i, int64_t t_ns)
{
	const struct sim_fault *f = &sched->faults[i];
	int64_t s = sched->start_ns[i];

	if (s == INT64_MAX || t_ns < s || t_ns >= s + f->duration_ns)
		return 0.0;
	if (f->kind == SIM_FAULT_ERROR_BURST && (t_ns - s) % f->every_ns >= f->burst_ns)
		return 0.0; /* between bursts */
	if (f->kind == SIM_FAULT_SLOW_START) /* fades from 1 to 0 over the fault */
		return 1.0 - (double)(t_ns - s) / (double)f->duration_ns;
	if (f->ramp_ns > 0 && t_ns < s + f->ramp_ns)
		return (double)(t_ns - s) / (double)f->ramp_ns;
	return 1.0;
}

bool sim_fault_active(const struct sim_fault_schedule *sched, size_t i, int64_t t_ns)
{
	int64_t s = sched->start_ns[i];

	return s != INT64_MAX && t_ns >= s && t_ns < s + sched->faults[i].duration_ns;
}

bool sim_fault_targets(const struct sim_fault *f, enum eng_version v)
{
	switch (f->target) {
	case SIM_TARGET_CANARY:
		return v == ENG_CANARY;
	case SIM_TARGET_STABLE:
		return v == ENG_STABLE;
	case SIM_TARGET_ALL:
		return true;
	case SIM_TARGET_DEPENDENCY:
		return false;
	}
	return false;
}

void sim_fault_request_effects(const struct sim_fault_schedule *sched,
			       enum eng_version v, int64_t t_ns,
			       struct sim_fault_effects *out)
{
	double ok = 1.0, kept = 1.0;

	memset(out, 0, sizeof(*out));
	out->multiplier = 1.0;
	for (size_t i = 0; i < sched->n; i++) {
		const struct sim_fault *f = &sched->faults[i];
		double lv = sim_fault_level(sched, i, t_ns);

		if (lv <= 0.0 || !sim_fault_targets(f, v))
			continue;
		switch (f->kind) {
		case SIM_FAULT_LATENCY:
			/* probability < 1: the delay's expected share; the
			 * worlds draw who gets it with f's probability */
			out->delay_ms += lv * f->delay_ms * f->probability;
			if (f->jitter_ms > out->jitter_ms)
				out->jitter_ms = f->jitter_ms;
			out->multiplier *= 1.0 + lv * (f->multiplier - 1.0) * f->probability;
			break;
		case SIM_FAULT_ERRORS:
		case SIM_FAULT_ERROR_BURST:
			ok *= 1.0 - lv * f->error_frac * f->probability;
			break;
		case SIM_FAULT_SLOW_START:
			out->multiplier *= 1.0 + lv * (f->multiplier - 1.0);
			break;
		case SIM_FAULT_ABORT:
			kept *= 1.0 - lv * f->probability;
			break;
		default:
			break;
		}
	}
	out->error_frac = 1.0 - ok;
	out->abort_frac = 1.0 - kept;
}

double sim_fault_jitter(double last_ms, double fresh_ms, double c)
{
	return (1.0 - c) * fresh_ms + c * last_ms;
}

void sim_fault_draw_request(struct sim_fault_schedule *sched, enum eng_version v,
			    int64_t t_ns, gsl_rng *r, struct sim_fault_effects *out)
{
	memset(out, 0, sizeof(*out));
	out->multiplier = 1.0;
	for (size_t i = 0; i < sched->n; i++) {
		const struct sim_fault *f = &sched->faults[i];
		double lv = sim_fault_level(sched, i, t_ns);

		if (lv <= 0.0 || !sim_fault_targets(f, v))
			continue;
		switch (f->kind) {
		case SIM_FAULT_LATENCY:
			if (gsl_rng_uniform(r) >= lv * f->probability)
				break;
			if (f->jitter_ms > 0.0)
				sched->last_jitter_ms[i] = sim_fault_jitter(
					sched->last_jitter_ms[i],
					f->jitter_ms * (2.0 * gsl_rng_uniform(r) - 1.0), f->correlation);
			out->delay_ms += f->delay_ms + sched->last_jitter_ms[i];
			out->multiplier *= f->multiplier;
			break;
		case SIM_FAULT_ERRORS:
		case SIM_FAULT_ERROR_BURST:
			if (gsl_rng_uniform(r) < lv * f->error_frac * f->probability)
				out->error_frac = 1.0;
			break;
		case SIM_FAULT_SLOW_START: /* every request, as a cold cache would */
			out->multiplier *= 1.0 + lv * (f->multiplier - 1.0);
			break;
		case SIM_FAULT_ABORT:
			if (gsl_rng_uniform(r) < lv * f->probability)
				out->abort_frac = 1.0;
			break;
		default:
			break;
		}
	}
	if (out->delay_ms < 0.0)
		out->delay_ms = 0.0;
}

void sim_fault_dependency_effects(const struct sim_fault_schedule *sched, uint32_t d,
				  int64_t t_ns, double *error_frac, double *delay_ms)
{
	double ok = 1.0;

	*delay_ms = 0.0;
	for (size_t i = 0; i < sched->n; i++) {
		const struct sim_fault *f = &sched->faults[i];
		double lv;

		if (f->kind != SIM_FAULT_DEPENDENCY || f->dependency != d)
			continue;
		lv = sim_fault_level(sched, i, t_ns);
		ok *= 1.0 - lv * f->error_frac;
		*delay_ms += lv * f->delay_ms;
	}
	*error_frac = 1.0 - ok;
}

double sim_fault_rate_factor(const struct sim_fault_schedule *sched, int64_t t_ns)
{
	double x = 1.0;

	for (size_t i = 0; i < sched->n; i++)
		if (sched->faults[i].kind == SIM_FAULT_TRAFFIC_SPIKE)
			x *= 1.0 + sim_fault_level(sched, i, t_ns) * (sched->faults[i].factor - 1.0);
	return x;
}

double sim_fault_peak_rate_factor(const struct sim_fault *faults, size_t n)
{
	double x = 1.0;

	for (size_t i = 0; i < n && i < SIM_MAX_FAULTS; i++)
		if (faults[i].kind == SIM_FAULT_TRAFFIC_SPIKE && faults[i].factor > 1.0)
			x *= faults[i].factor;
	return x;
}

uint32_t sim_fault_instances(const struct sim_fault *f, uint32_t instances)
{
	uint32_t k = f->count;

	if (f->percent > 0.0)
		k = (uint32_t)ceil(f->percent / 100.0 * (double)instances - 1e-9);
	if (k == 0 || k > instances)
		k = instances;
	return k;
}

void sim_obs_history_push(struct sim_obs_history *h, const struct eng_observation *o)
{
	h->w[h->next] = *o;
	h->next = (h->next + 1) % SIM_OBS_HISTORY;
	if (h->n < SIM_OBS_HISTORY)
		h->n++;
}

/* The newest stored window ending at or before t_ns, or NULL. */
static const struct eng_observation *window_at(const struct sim_obs_history *h, int64_t t_ns)
{
	for (size_t k = 1; k <= h->n; k++) {
		const struct eng_observation *o =
			&h->w[(h->next + SIM_OBS_HISTORY - k) % SIM_OBS_HISTORY];

		if (o->t_ns <= t_ns)
			return o;
	}
	return NULL;
}

static void no_data(struct eng_window_metrics *m, bool keep_counts)
{
	if (!keep_counts) {
		uint32_t ready = m->ready_instances, n = m->instances;

		memset(m, 0, sizeof(*m));
		m->ready_instances = ready;
		m->instances = n;
	}
	m->error_rate_frac = m->mean_ms = m->p50_ms = m->p95_ms = NAN;
	m->p99_ms = m->max_ms = m->cpu_frac = m->memory_mb = NAN;
}

/* obs's data replaced by old's, keeping obs's time and routing. */
static void show_older(struct eng_observation *obs, const struct eng_observation *old)
{
	int64_t t = obs->t_ns, w = obs->window_ns;
	double weight = obs->weight_pct;

	*obs = *old;
	obs->t_ns = t;
	obs->window_ns = w;
	obs->weight_pct = weight;
	obs->latency = NULL;
	obs->deps = NULL;
	obs->flags = NULL;
}

bool sim_fault_observe(const struct sim_fault_schedule *sched,
		       const struct sim_obs_history *h, struct eng_observation *obs)
{
	bool changed = false;

	for (size_t i = 0; i < sched->n; i++) {
		const struct sim_fault *f = &sched->faults[i];
		const struct eng_observation *old;
		bool nan;

		/* judged at the window's last instant, where the query runs */
		if (!sim_fault_active(sched, i, obs->t_ns - 1))
			continue;
		switch (f->kind) {
		case SIM_FAULT_METRICS_DOWN:
		case SIM_FAULT_METRICS_NAN:
			nan = f->kind == SIM_FAULT_METRICS_NAN;
			for (int v = 0; v < ENG_NVERSIONS; v++)
				no_data(&obs->version[v], nan);
			no_data(&obs->all, nan);
			obs->latency = NULL;
			obs->deps = NULL;
			obs->flags = NULL;
			changed = true;
			break;
		case SIM_FAULT_METRICS_STALE:
			old = window_at(h, sched->start_ns[i]);
			if (old != NULL)
				show_older(obs, old);
			changed = true;
			break;
		case SIM_FAULT_METRICS_LAG:
			old = window_at(h, obs->t_ns - f->lag_ns);
			if (old != NULL)
				show_older(obs, old);
			changed = true;
			break;
		default:
			break;
		}
	}
	return changed;
}

bool sim_fault_actuation(const struct sim_fault_schedule *sched, int64_t t_ns,
			 int64_t *delay_ns)
{
	*delay_ns = 0;
	for (size_t i = 0; i < sched->n; i++) {
		const struct sim_fault *f = &sched->faults[i];

		if (!sim_fault_active(sched, i, t_ns))
			continue;
		if (f->kind == SIM_FAULT_ACTUATION_FAIL)
			return false;
		if (f->kind == SIM_FAULT_ACTUATION_DELAY && f->actuation_delay_ns > *delay_ns)
			*delay_ns = f->actuation_delay_ns;
	}
	return true;
}

bool sim_faults_touch_metrics(const struct sim_fault *faults, size_t n)
{
	for (size_t i = 0; i < n && i < SIM_MAX_FAULTS; i++)
		if (faults[i].kind >= SIM_FAULT_METRICS_DOWN &&
		    faults[i].kind <= SIM_FAULT_METRICS_LAG)
			return true;
	return false;
}
