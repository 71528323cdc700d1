#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "sim/event_queue.h"
#include "sim/histogram.h"
#include "sim/rng.h"
#include "sim/sim.h"

enum event_kind {
	EV_ARRIVAL,
	EV_DEPARTURE,
	EV_WINDOW
};

#define FLAG_ERROR 1u
#define FLAG_CANARY 2u

/* A request waiting in an instance's queue. */
struct waiting {
	int64_t arrival_ns;
	int64_t service_ns;
	uint32_t flags;
};

struct instance {
	uint32_t busy;            /* requests in service */
	struct waiting *q;        /* owned ring buffer */
	size_t qcap, qhead, qlen;
};

struct version {
	struct sim_version_config cfg;
	struct instance *inst;    /* owned, cfg.instances of them */
	gsl_rng *service_rng;     /* owned */
	gsl_rng *error_rng;       /* owned */
	struct sim_hist *hist;    /* this window's latencies */
	uint64_t win_requests, win_errors;
	struct sim_totals totals;
};

struct sim {
	struct sim_config cfg;
	struct sim_event_queue *queue;
	gsl_rng *arrival_rng;
	gsl_rng *routing_rng;
	struct version v[ENG_NVERSIONS];
	struct sim_hist *all;     /* scratch for the user-facing window */
	int64_t now_ns;
	double weight_pct;
	bool have_window;
	struct eng_observation last;
	bool failed;              /* ran out of memory mid-run */
};

static bool config_valid(const struct sim_config *cfg)
{
	if (cfg->window_ns <= 0 || !(cfg->rate_rps >= 0.0) ||
	    !(cfg->initial_weight_pct >= 0.0 && cfg->initial_weight_pct <= 100.0))
		return false;
	for (int i = 0; i < ENG_NVERSIONS; i++) {
		const struct sim_version_config *v = &cfg->version[i];

		if (v->instances == 0 || v->concurrency == 0 ||
		    !(v->error_frac >= 0.0 && v->error_frac <= 1.0) ||
		    (unsigned)v->service.kind >= SIM_NDISTS)
			return false;
	}
	return true;
}

static void version_free(struct version *v)
{
	if (v->inst != NULL) {
		for (uint32_t i = 0; i < v->cfg.instances; i++)
			free(v->inst[i].q);
		free(v->inst);
	}
	if (v->service_rng != NULL)
		gsl_rng_free(v->service_rng);
	if (v->error_rng != NULL)
		gsl_rng_free(v->error_rng);
	sim_hist_free(v->hist);
}

static bool version_init(struct version *v, const struct sim_version_config *cfg,
			 uint64_t seed, enum eng_version which)
{
	v->cfg = *cfg;
	v->inst = calloc(cfg->instances, sizeof(*v->inst));
	v->service_rng = sim_rng_create(seed, which == ENG_CANARY ?
					SIM_STREAM_SERVICE_CANARY :
					SIM_STREAM_SERVICE_STABLE);
	v->error_rng = sim_rng_create(seed, which == ENG_CANARY ?
				      SIM_STREAM_ERRORS_CANARY :
				      SIM_STREAM_ERRORS_STABLE);
	v->hist = sim_hist_create();
	return v->inst && v->service_rng && v->error_rng && v->hist;
}

static bool schedule(struct sim *s, int64_t t_ns, enum event_kind kind,
		     uint32_t arg, int64_t data, uint32_t flags)
{
	struct sim_event ev = {
		.t_ns = t_ns, .kind = kind, .arg = arg, .data = data, .flags = flags
	};

	return sim_event_queue_push(s->queue, &ev);
}

static int64_t ms_to_ns(double ms)
{
	return (int64_t)llround(ms * 1e6);
}

static bool schedule_arrival(struct sim *s)
{
	double gap_s;

	if (s->cfg.rate_rps <= 0.0)
		return true;
	gap_s = gsl_ran_exponential(s->arrival_rng, 1.0 / s->cfg.rate_rps);
	return schedule(s, s->now_ns + (int64_t)llround(gap_s * 1e9), EV_ARRIVAL,
			0, 0, 0);
}

struct sim *sim_create(const struct sim_config *cfg)
{
	struct sim *s;

	if (!config_valid(cfg))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->cfg = *cfg;
	s->weight_pct = cfg->initial_weight_pct;
	s->queue = sim_event_queue_create();
	s->arrival_rng = sim_rng_create(cfg->seed, SIM_STREAM_ARRIVALS);
	s->routing_rng = sim_rng_create(cfg->seed, SIM_STREAM_ROUTING);
	s->all = sim_hist_create();
	if (!s->queue || !s->arrival_rng || !s->routing_rng || !s->all)
		goto out_free_sim;
	for (int i = 0; i < ENG_NVERSIONS; i++)
		if (!version_init(&s->v[i], &cfg->version[i], cfg->seed,
				  (enum eng_version)i))
			goto out_free_sim;
	if (!schedule_arrival(s) ||
	    !schedule(s, cfg->window_ns, EV_WINDOW, 0, 0, 0))
		goto out_free_sim;
	return s;

out_free_sim:
	sim_free(s);
	return NULL;
}

void sim_free(struct sim *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < ENG_NVERSIONS; i++)
		version_free(&s->v[i]);
	sim_hist_free(s->all);
	if (s->routing_rng != NULL)
		gsl_rng_free(s->routing_rng);
	if (s->arrival_rng != NULL)
		gsl_rng_free(s->arrival_rng);
	sim_event_queue_free(s->queue);
	free(s);
}

/* The instance with the fewest requests in service or waiting; ties go to
 * the lowest index, so the choice is deterministic. */
static uint32_t least_loaded(const struct version *v)
{
	uint32_t best = 0;
	size_t best_load = SIZE_MAX;

	for (uint32_t i = 0; i < v->cfg.instances; i++) {
		size_t load = v->inst[i].busy + v->inst[i].qlen;

		if (load < best_load) {
			best_load = load;
			best = i;
		}
	}
	return best;
}

static bool enqueue(struct instance *in, const struct waiting *w)
{
	if (in->qlen == in->qcap) {
		size_t cap = in->qcap ? in->qcap * 2 : 16;
		struct waiting *q = malloc(cap * sizeof(*q));

		if (q == NULL)
			return false;
		for (size_t i = 0; i < in->qlen; i++)
			q[i] = in->q[(in->qhead + i) % in->qcap];
		free(in->q);
		in->q = q;
		in->qcap = cap;
		in->qhead = 0;
	}
	in->q[(in->qhead + in->qlen) % in->qcap] = *w;
	in->qlen++;
	return true;
}

static bool on_arrival(struct sim *s)
{
	double u = gsl_rng_uniform(s->routing_rng);
	enum eng_version which = u < s->weight_pct / 100.0 ? ENG_CANARY : ENG_STABLE;
	struct version *v = &s->v[which];
	struct waiting w;
	uint32_t i;

	w.arrival_ns = s->now_ns;
	w.service_ns = ms_to_ns(sim_dist_sample_ms(&v->cfg.service, v->service_rng));
	w.flags = which == ENG_CANARY ? FLAG_CANARY : 0;
	if (gsl_rng_uniform(v->error_rng) < v->cfg.error_frac)
		w.flags |= FLAG_ERROR;
	i = least_loaded(v);
	if (v->inst[i].busy < v->cfg.concurrency) {
		v->inst[i].busy++;
		if (!schedule(s, s->now_ns + w.service_ns, EV_DEPARTURE, i,
			      w.arrival_ns, w.flags))
			return false;
	} else if (!enqueue(&v->inst[i], &w)) {
		return false;
	}
	return schedule_arrival(s);
}

static bool on_departure(struct sim *s, const struct sim_event *ev)
{
	struct version *v = &s->v[(ev->flags & FLAG_CANARY) ? ENG_CANARY : ENG_STABLE];
	struct instance *in = &v->inst[ev->arg];
	double latency_ms = (double)(s->now_ns - ev->data) / 1e6;
	bool failed = (ev->flags & FLAG_ERROR) != 0;

	sim_hist_add(v->hist, latency_ms);
	v->win_requests++;
	v->win_errors += failed;
	v->totals.requests++;
	v->totals.errors += failed;
	v->totals.latency_sum_ms += latency_ms;
	in->busy--;
	if (in->qlen == 0)
		return true;
	struct waiting w = in->q[in->qhead];

	in->qhead = (in->qhead + 1) % in->qcap;
	in->qlen--;
	in->busy++;
	return schedule(s, s->now_ns + w.service_ns, EV_DEPARTURE, ev->arg,
			w.arrival_ns, w.flags);
}

static void fill_metrics(struct eng_window_metrics *m, const struct sim_hist *h,
			 uint64_t requests, uint64_t errors, uint32_t ready)
{
	m->requests = requests;
	m->errors = errors;
	m->error_rate_frac = requests ? (double)errors / (double)requests : NAN;
	m->mean_ms = sim_hist_mean(h);
	m->p50_ms = sim_hist_quantile(h, 0.50);
	m->p95_ms = sim_hist_quantile(h, 0.95);
	m->p99_ms = sim_hist_quantile(h, 0.99);
	m->max_ms = sim_hist_max(h);
	m->ready_instances = ready;
}

static bool on_window(struct sim *s)
{
	struct eng_observation *o = &s->last;
	uint64_t req = 0, err = 0;
	uint32_t ready = 0;

	o->t_ns = s->now_ns;
	o->window_ns = s->cfg.window_ns;
	o->weight_pct = s->weight_pct;
	sim_hist_reset(s->all);
	for (int i = 0; i < ENG_NVERSIONS; i++) {
		struct version *v = &s->v[i];

		fill_metrics(&o->version[i], v->hist, v->win_requests,
			     v->win_errors, v->cfg.instances);
		sim_hist_merge(s->all, v->hist);
		req += v->win_requests;
		err += v->win_errors;
		ready += v->cfg.instances;
		sim_hist_reset(v->hist);
		v->win_requests = 0;
		v->win_errors = 0;
	}
	fill_metrics(&o->all, s->all, req, err, ready);
	s->have_window = true;
	return schedule(s, s->now_ns + s->cfg.window_ns, EV_WINDOW, 0, 0, 0);
}

bool sim_run_until(struct sim *s, int64_t t_ns)
{
	const struct sim_event *next;
	struct sim_event ev;
	bool ok = true;

	if (s->failed)
		return false;
	while (ok && (next = sim_event_queue_peek(s->queue)) != NULL &&
	       next->t_ns <= t_ns) {
		sim_event_queue_pop(s->queue, &ev);
		s->now_ns = ev.t_ns;
		switch ((enum event_kind)ev.kind) {
		case EV_ARRIVAL:
			ok = on_arrival(s);
			break;
		case EV_DEPARTURE:
			ok = on_departure(s, &ev);
			break;
		case EV_WINDOW:
			ok = on_window(s);
			break;
		}
	}
	if (!ok) {
		s->failed = true;
		return false;
	}
	if (t_ns > s->now_ns)
		s->now_ns = t_ns;
	return true;
}

int64_t sim_now_ns(const struct sim *s)
{
	return s->now_ns;
}

void sim_set_weight(struct sim *s, double weight_pct)
{
	s->weight_pct = weight_pct;
}

bool sim_last_window(const struct sim *s, struct eng_observation *obs)
{
	if (!s->have_window)
		return false;
	*obs = s->last;
	return true;
}

void sim_totals(const struct sim *s, enum eng_version v, struct sim_totals *out)
{
	*out = s->v[v].totals;
}
