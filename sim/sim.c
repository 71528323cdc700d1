#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "sim/event_queue.h"
#include "sim/histogram.h"
#include "sim/rng.h"
#include "sim/sim.h"
#include "sim/version.h"


struct sim {
	struct sim_config cfg;
	struct sim_event_queue *queue;
	struct sim_streams rng;   /* owned */
	struct sim_version v[ENG_NVERSIONS];
	uint32_t used_deps;       /* dependencies any version calls */
	double peak_rps;          /* thinning envelope */
	struct sim_hist *all;     /* scratch for the user-facing window */
	int64_t now_ns;
	uint64_t next_id;
	double weight_pct;
	double mirror_pct;        /* of the stable's requests, copied to the canary */
	bool have_window;
	struct eng_observation last;
	uint64_t last_counts[ENG_NVERSIONS][SIM_LATENCY_BINS]; /* last window's bins */
	struct eng_latency_bins latency; /* points into cfg and last_counts */
	struct eng_dependency_calls deps; /* the last window's dependency calls */
	struct sim_fault_schedule faults; /* the run's faults and their starts */
	bool spiky;               /* a traffic spike: thin even a constant rate */
	struct sim_obs_history *history; /* owned: true windows, for metrics faults */
	struct eng_observation seen; /* last as the controller sees it */
	bool has_pending;         /* a delayed routing change on its way */
	struct eng_action pending; /* it */
	double flag_pct[ENG_MAX_FLAGS]; /* each flag's enabled share, 0..100 */
	struct eng_flag_observation flag_obs; /* last window's flag groups */
	bool failed;              /* ran out of memory mid-run */
	sim_response_fn sink;
	void *sink_ctx;
};

static bool frac_ok(double x)
{
	return x >= 0.0 && x <= 1.0;
}

static bool version_valid(const struct sim_version_config *v, uint32_t ndeps)
{
	const struct sim_errors *e = &v->errors;
	const struct sim_resources *r = &v->resources;

	return v->instances >= 1 && v->instances <= 10000 && v->concurrency >= 1 &&
	       (unsigned)v->service.kind < SIM_NDISTS && v->timeout_ms >= 0.0 &&
	       v->ready_after_s >= 0.0 && v->slow_start_multiplier >= 1.0 &&
	       v->slow_start_s >= 0.0 && frac_ok(e->rate_frac) &&
	       frac_ok(e->good_rate_frac) && frac_ok(e->bad_rate_frac) &&
	       frac_ok(e->p_enter_bad) && frac_ok(e->p_leave_bad) &&
	       r->cpu_cores > 0.0 && frac_ok(r->cpu_busy_frac) &&
	       r->cpu_ms_per_request >= 0.0 && r->memory_limit_mb >= 0.0 &&
	       r->restart_delay_s >= 0.0 &&
	       (ndeps >= 32 || (v->dependencies >> ndeps) == 0);
}

static bool config_valid(const struct sim_config *cfg)
{
	if (cfg->window_ns <= 0 || cfg->ndeps > SIM_MAX_DEPENDENCIES ||
	    !(cfg->initial_weight_pct >= 0.0 && cfg->initial_weight_pct <= 100.0) ||
	    (unsigned)cfg->traffic.profile >= SIM_NPROFILES ||
	    !(sim_traffic_peak_rps(&cfg->traffic) >= 0.0) ||
	    !sim_latency_bins_valid(&cfg->latency_bins))
		return false;
	for (int i = 0; i < ENG_NVERSIONS; i++)
		if (!version_valid(&cfg->version[i], cfg->ndeps))
			return false;
	if (cfg->nflags > ENG_MAX_FLAGS)
		return false;
	for (uint32_t f = 0; f < cfg->nflags; f++)
		if (!frac_ok(cfg->flags[f].error_frac) || !(cfg->flags[f].latency_multiplier >= 1.0))
			return false;
	return true;
}

static bool schedule(struct sim *s, int64_t t_ns, uint32_t kind)
{
	struct sim_event ev = { .t_ns = t_ns, .kind = kind };

	return sim_event_queue_push(s->queue, &ev);
}

static int64_t ms_to_ns(double ms)
{
	return (int64_t)llround(ms * 1e6);
}

/* Next candidate arrival of a Poisson process at the peak rate. */
static bool schedule_arrival(struct sim *s)
{
	double gap_s;

	if (s->peak_rps <= 0.0)
		return true;
	gap_s = gsl_ran_exponential(s->rng.arrivals, 1.0 / s->peak_rps);
	return schedule(s, s->now_ns + (int64_t)llround(gap_s * 1e9), SIM_EV_ARRIVAL);
}

static void route(struct sim *s, const struct eng_action *act);

static bool is_instance_fault(enum sim_fault_kind k)
{
	return k == SIM_FAULT_CRASH || k == SIM_FAULT_CPU_HOG || k == SIM_FAULT_CRASH_LOOP ||
	       k == SIM_FAULT_MEMORY_LEAK || k == SIM_FAULT_PARTITION;
}

/* Schedules instance fault i's start and end, once its start is known;
 * the other faults act by their level at each request. */
static bool schedule_instance_fault(struct sim *s, size_t i)
{
	const struct sim_fault *f = &s->faults.faults[i];
	int64_t t0 = s->faults.start_ns[i];
	struct sim_event ev = { .kind = SIM_EV_FAULT, .data = (int64_t)i };

	if (!is_instance_fault(f->kind) || t0 == INT64_MAX)
		return true;
	ev.t_ns = t0 > s->now_ns ? t0 : s->now_ns;
	ev.arg = 0;
	if (!sim_event_queue_push(s->queue, &ev))
		return false;
	ev.t_ns = t0 + f->duration_ns;
	ev.arg = 1;
	return sim_event_queue_push(s->queue, &ev);
}

/* An instance fault starts (arg 0), ends (1) or strikes again (2, a
 * crash loop): a crash takes its instances down until its end, a crash
 * loop for down_s every every_s; a CPU hog leaves them 1 - share of their
 * CPU; a leak adds its rate; a partition hides them from the router. */
static bool on_fault(struct sim *s, const struct sim_event *ev)
{
	const struct sim_fault *f = &s->faults.faults[ev->data];
	int64_t end = s->faults.start_ns[ev->data] + f->duration_ns, now = s->now_ns;
	bool start = ev->arg != 1, ok = true;

	for (int v = 0; v < ENG_NVERSIONS; v++) {
		struct sim_version *sv = &s->v[v];
		uint32_t k;

		if (!sim_fault_targets(f, (enum eng_version)v))
			continue;
		k = sim_fault_instances(f, sv->cfg.instances);
		for (uint32_t i = 0; ok && i < k; i++) {
			if (f->kind == SIM_FAULT_CRASH && start)
				ok = sim_version_crash(sv, s->queue, i, now, end - now);
			else if (f->kind == SIM_FAULT_CRASH_LOOP && start)
				ok = sim_version_crash(sv, s->queue, i, now,
						       f->burst_ns < end - now ? f->burst_ns : end - now);
			else if (f->kind == SIM_FAULT_CPU_HOG)
				sv->inst[i].cpu_factor = start ? 1.0 / (1.0 - f->share_frac) : 1.0;
			else if (f->kind == SIM_FAULT_MEMORY_LEAK)
				ok = sim_version_set_leak(sv, s->queue, i, now,
							  start ? f->leak_mb_per_s : 0.0);
			else if (f->kind == SIM_FAULT_PARTITION)
				sv->inst[i].partitioned = start;
		}
	}
	if (ok && f->kind == SIM_FAULT_CRASH_LOOP && start && now + f->every_ns < end) {
		struct sim_event again = { .t_ns = now + f->every_ns, .kind = SIM_EV_FAULT,
					   .arg = 2, .data = ev->data };

		ok = sim_event_queue_push(s->queue, &again);
	}
	return ok;
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
	s->peak_rps = sim_traffic_peak_rps(&cfg->traffic);
	s->queue = sim_event_queue_create();
	s->all = sim_hist_create();
	if (!s->queue || !s->all || !sim_streams_create(&s->rng, cfg->seed, cfg->ndeps))
		goto out_free_sim;
	for (int i = 0; i < ENG_NVERSIONS; i++) {
		if (!sim_version_init(&s->v[i], &cfg->version[i], (enum eng_version)i) ||
		    !sim_version_start(&s->v[i], s->queue))
			goto out_free_sim;
		s->used_deps |= cfg->version[i].dependencies;
		if (s->cfg.latency_bins.n > 0)
			s->v[i].bins = &s->cfg.latency_bins;
		s->v[i].slow_ms = cfg->slow_ms;
		s->latency.counts[i] = s->last_counts[i];
	}
	s->deps.n = cfg->ndeps;
	for (uint32_t d = 0; d < cfg->ndeps; d++)
		s->deps.names[d] = s->cfg.deps[d].name;
	if (cfg->nflags > 0) {
		s->v[ENG_STABLE].flags = sim_flag_window_create(cfg->nflags);
		if (s->v[ENG_STABLE].flags == NULL)
			goto out_free_sim;
	}
	s->latency.bin_ms = s->cfg.latency_bins.upper_ms;
	s->latency.nbins = s->cfg.latency_bins.n;
	sim_fault_schedule_init(&s->faults, s->cfg.faults, s->cfg.nfaults);
	s->peak_rps *= sim_fault_peak_rate_factor(s->cfg.faults, s->cfg.nfaults);
	s->spiky = sim_fault_peak_rate_factor(s->cfg.faults, s->cfg.nfaults) > 1.0;
	if (sim_faults_touch_metrics(s->cfg.faults, s->cfg.nfaults)) {
		s->history = calloc(1, sizeof(*s->history));
		if (s->history == NULL)
			goto out_free_sim;
	}
	for (size_t i = 0; i < s->faults.n; i++)
		if (!schedule_instance_fault(s, i))
			goto out_free_sim;
	if (!schedule_arrival(s) || !schedule(s, cfg->window_ns, SIM_EV_WINDOW))
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
		sim_version_free(&s->v[i]);
	sim_streams_free(&s->rng);
	sim_hist_free(s->all);
	sim_event_queue_free(s->queue);
	free(s->history);
	free(s);
}

/* One error draw of version v, and its Gilbert-Elliott move. */
static bool draw_error(struct sim *s, enum eng_version which)
{
	struct sim_version *v = &s->v[which];
	const struct sim_errors *e = &v->cfg.errors;
	gsl_rng *r = s->rng.errors[which];
	bool fails;

	if (e->model == SIM_ERRORS_BERNOULLI)
		return gsl_rng_uniform(r) < e->rate_frac;
	fails = gsl_rng_uniform(r) < (v->ge_bad ? e->bad_rate_frac : e->good_rate_frac);
	if (gsl_rng_uniform(r) < (v->ge_bad ? e->p_leave_bad : e->p_enter_bad))
		v->ge_bad = !v->ge_bad;
	return fails;
}

/* Offers request req (its id set) to version `which` with that version's
 * draws and the dependency calls it makes; a mirrored copy when mirror. */
static bool offer(struct sim *s, enum eng_version which, struct sim_request *req,
		  double svc_ms, bool fails, const double *dep_ms,
		  const bool *dep_fails, bool mirror, double extra_ms)
{
	double wait_ms = extra_ms;

	req->dep_calls = req->dep_fails = 0;
	for (uint32_t d = 0; d < s->cfg.ndeps; d++) {
		if (!(s->v[which].cfg.dependencies & (1u << d)))
			continue;
		wait_ms += dep_ms[d];
		fails = fails || dep_fails[d];
		req->dep_calls |= 1u << d;
		req->dep_fails |= (uint32_t)dep_fails[d] << d;
	}
	req->arrival_ns = s->now_ns;
	req->service_ns = ms_to_ns(svc_ms);
	req->dependency_ns = ms_to_ns(wait_ms);
	req->fails = fails;
	req->mirror = mirror;
	return sim_version_offer(&s->v[which], s->queue, req, s->now_ns);
}

/* offer() with the faults that hit this request: an abort fails it at
 * once, unserved; a latency fault multiplies its service time and adds a
 * delay (waiting, not CPU); an error fault fails it. */
static bool offer_faulted(struct sim *s, enum eng_version which, struct sim_request *req,
			  double svc_ms, bool fails, const double *dep_ms,
			  const bool *dep_fails, bool mirror)
{
	struct sim_fault_effects fx;

	if (s->faults.n == 0)
		return offer(s, which, req, svc_ms, fails, dep_ms, dep_fails, mirror, 0.0);
	sim_fault_draw_request(&s->faults, which, s->now_ns, s->rng.faults, &fx);
	if (fx.abort_frac > 0.0) {
		req->arrival_ns = s->now_ns;
		req->mirror = mirror;
		sim_version_abort(&s->v[which], req);
		return true;
	}
	return offer(s, which, req, svc_ms * fx.multiplier, fails || fx.error_frac > 0.0,
		     dep_ms, dep_fails, mirror, fx.delay_ms);
}

/* Every request draws one uniform per flag from the flags' own stream,
 * wherever it goes, and has flag i on iff u < pct_i / 100: with the same
 * seed the same requests have a flag whatever the other flags' shares or
 * the routing (common random numbers). A flag on for a request the stable
 * version serves applies its effect: the latency multiplier on the service
 * time, and an added error iff u < pct_i / 100 x error_frac (given the
 * flag on, u / (pct_i / 100) is uniform again: no draw of its own).
 * Returns the mask of flags on, 0 when not served by the stable version. */
static uint8_t draw_flags(struct sim *s, bool stable, double *svc_ms, bool *fails)
{
	uint8_t on = 0;

	for (uint32_t f = 0; f < s->cfg.nflags; f++) {
		const struct sim_flag_config *fl = &s->cfg.flags[f];
		double u = gsl_rng_uniform(s->rng.flags), p = s->flag_pct[f] / 100.0;

		if (!(u < p) || !stable)
			continue;
		on |= (uint8_t)(1u << f);
		*fails = *fails || u < p * fl->error_frac;
		*svc_ms *= fl->latency_multiplier;
	}
	return on;
}

static bool on_arrival(struct sim *s)
{
	double now_s = (double)s->now_ns / 1e9;
	double svc_ms[ENG_NVERSIONS] = { 0 }, dep_ms[SIM_MAX_DEPENDENCIES];
	bool fails[ENG_NVERSIONS] = { false }, dep_fails[SIM_MAX_DEPENDENCIES];
	const double w = s->weight_pct;
	struct sim_request req;
	enum eng_version which;

	if ((!sim_traffic_is_constant(&s->cfg.traffic) || s->spiky) &&
	    gsl_rng_uniform(s->rng.thinning) * s->peak_rps >=
	    sim_traffic_rate_rps(&s->cfg.traffic, now_s) *
	    sim_fault_rate_factor(&s->faults, s->now_ns))
		return schedule_arrival(s); /* thinned out */
	const double u = gsl_rng_uniform(s->rng.routing);

	which = u < w / 100.0 ? ENG_CANARY : ENG_STABLE;
	/* Given the stable version, (u - w) / (1 - w) is uniform again: it
	 * decides the mirror without a draw of its own. */
	bool mirror = which == ENG_STABLE && s->mirror_pct > 0.0 &&
		      (u - w / 100.0) / (1.0 - w / 100.0) < s->mirror_pct / 100.0;
	/* Draws for every version taking traffic, wherever this one goes. */
	for (int i = 0; i < ENG_NVERSIONS; i++) {
		bool live = i == ENG_CANARY ? w > 0.0 || s->mirror_pct > 0.0 : w < 100.0;

		if (!live)
			continue;
		svc_ms[i] = sim_dist_sample_ms(&s->v[i].cfg.service, s->rng.service[i]);
		fails[i] = draw_error(s, (enum eng_version)i);
	}
	for (uint32_t d = 0; d < s->cfg.ndeps; d++) {
		if (!(s->used_deps & (1u << d)))
			continue;
		double e = s->cfg.deps[d].error_frac, fe = 0.0, fd = 0.0;

		dep_ms[d] = sim_dist_sample_ms(&s->cfg.deps[d].latency, s->rng.dep[d]);
		if (s->faults.n > 0) /* one uniform decides with or without the fault */
			sim_fault_dependency_effects(&s->faults, d, s->now_ns, &fe, &fd);
		dep_fails[d] = gsl_rng_uniform(s->rng.dep[d]) < 1.0 - (1.0 - e) * (1.0 - fe);
		dep_ms[d] += fd;
	}
	req.id = s->next_id++;
	req.flags_on = draw_flags(s, which == ENG_STABLE, &svc_ms[ENG_STABLE],
				  &fails[ENG_STABLE]);
	if (!offer_faulted(s, which, &req, svc_ms[which], fails[which], dep_ms, dep_fails,
			   false))
		return false;
	if (mirror && !offer_faulted(s, ENG_CANARY, &req, svc_ms[ENG_CANARY],
				     fails[ENG_CANARY], dep_ms, dep_fails, true))
		return false;
	return schedule_arrival(s);
}

static bool on_window(struct sim *s)
{
	struct eng_observation *o = &s->last;
	struct eng_window_metrics *a = &o->all;

	memset(o, 0, sizeof(*o));
	o->t_ns = s->now_ns;
	o->window_ns = s->cfg.window_ns;
	o->weight_pct = s->weight_pct;
	sim_hist_reset(s->all);
	if (s->cfg.latency_bins.n > 0)
		o->latency = &s->latency;
	if (s->cfg.ndeps > 0)
		o->deps = &s->deps;
	for (int i = 0; i < ENG_NVERSIONS; i++) {
		struct eng_window_metrics *m = &o->version[i];
		struct sim_version *v = &s->v[i];

		if (v->bins != NULL) {
			memcpy(s->last_counts[i], v->bin_counts, sizeof(s->last_counts[i]));
			memset(v->bin_counts, 0, sizeof(v->bin_counts));
		}
		for (uint32_t d = 0; d < s->cfg.ndeps; d++) {
			s->deps.calls[i][d] = v->dep_calls[d];
			s->deps.failures[i][d] = v->dep_failures[d];
			v->dep_calls[d] = v->dep_failures[d] = 0;
		}
		/* what users saw, before the version's window adds its mirrored
		 * copies */
		a->requests += v->win.requests;
		a->errors += v->win.errors;
		a->timeouts += v->win.timeouts;
		a->rejected += v->win.rejected;
		a->slow += v->win.slow;
		sim_hist_merge(s->all, v->hist);
		sim_version_close_window(v, s->now_ns, s->cfg.window_ns, m);
		sim_hist_reset(v->hist);
		a->ready_instances += m->ready_instances;
		a->instances += m->instances;
		a->connections += m->connections;
	}
	if (s->v[ENG_STABLE].flags != NULL) {
		sim_flag_window_close(s->v[ENG_STABLE].flags, s->flag_pct, &s->flag_obs);
		o->flags = &s->flag_obs;
	}
	a->error_rate_frac = a->requests ? (double)a->errors / (double)a->requests : NAN;
	a->mean_ms = sim_hist_mean(s->all);
	a->p50_ms = sim_hist_quantile(s->all, 0.50);
	a->p95_ms = sim_hist_quantile(s->all, 0.95);
	a->p99_ms = sim_hist_quantile(s->all, 0.99);
	a->max_ms = sim_hist_max(s->all);
	a->cpu_frac = NAN;  /* per version only: capacities differ */
	a->memory_mb = NAN;
	if (s->history != NULL) {
		sim_obs_history_push(s->history, o);
		s->seen = *o;
		sim_fault_observe(&s->faults, s->history, &s->seen);
	}
	s->have_window = true;
	return schedule(s, s->now_ns + s->cfg.window_ns, SIM_EV_WINDOW);
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
		if (ev.kind == SIM_EV_ARRIVAL)
			ok = on_arrival(s);
		else if (ev.kind == SIM_EV_WINDOW)
			ok = on_window(s);
		else if (ev.kind == SIM_EV_FAULT)
			ok = on_fault(s, &ev);
		else if (ev.kind == SIM_EV_ACTUATE) {
			route(s, &s->pending);
			s->has_pending = false;
		}
		else
			ok = sim_version_event(&s->v[ev.arg >> 24], s->queue, &ev,
					       s->now_ns);
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

void sim_set_mirror(struct sim *s, double mirror_pct)
{
	s->mirror_pct = mirror_pct;
}

void sim_set_flags(struct sim *s, const double *flag_pct)
{
	for (uint32_t f = 0; f < s->cfg.nflags; f++)
		s->flag_pct[f] = flag_pct[f];
}

bool sim_last_window(const struct sim *s, struct eng_observation *obs)
{
	if (!s->have_window)
		return false;
	*obs = s->last;
	return true;
}

bool sim_seen_window(const struct sim *s, struct eng_observation *obs)
{
	if (!s->have_window)
		return false;
	*obs = s->history != NULL ? s->seen : s->last;
	return true;
}

bool sim_has_metrics_faults(const struct sim *s)
{
	return s->history != NULL;
}

/* Carries a routing change out now. */
static void route(struct sim *s, const struct eng_action *act)
{
	if (act->kind == ENG_ACT_SET_WEIGHT) {
		s->weight_pct = act->weight_pct;
		s->mirror_pct = act->mirror_pct;
	}
	if (act->kind == ENG_ACT_SET_FLAGS)
		for (uint32_t f = 0; f < s->cfg.nflags; f++)
			s->flag_pct[f] = act->flag_pct[f];
}

bool sim_apply(struct sim *s, const struct eng_action *act)
{
	struct sim_event ev = { .kind = SIM_EV_ACTUATE };
	int64_t delay;

	if (!sim_fault_actuation(&s->faults, s->now_ns, &delay))
		return true; /* the router never got it */
	if (delay == 0) {
		route(s, act);
		return true;
	}
	/* the latest change wins, as a router's desired state does */
	s->pending = *act;
	s->has_pending = true;
	ev.t_ns = s->now_ns + delay;
	return sim_event_queue_push(s->queue, &ev);
}

bool sim_notify(struct sim *s, const struct eng_event *ev)
{
	uint32_t started = sim_fault_schedule_notify(&s->faults, ev);

	for (size_t i = 0; i < s->faults.n; i++)
		if ((started & (1u << i)) && !schedule_instance_fault(s, i))
			return false;
	return true;
}

void sim_totals(const struct sim *s, enum eng_version v, struct sim_totals *out)
{
	*out = s->v[v].totals;
}

void sim_set_response_sink(struct sim *s, sim_response_fn fn, void *ctx)
{
	for (int i = 0; i < ENG_NVERSIONS; i++) {
		s->v[i].sink = fn;
		s->v[i].sink_ctx = ctx;
	}
	s->sink = fn;
	s->sink_ctx = ctx;
}

bool sim_approved(const struct sim *s, const char *gate)
{
	return sim_config_approved(&s->cfg, gate, s->now_ns);
}

void sim_command(const struct sim *s, int64_t after_ns, enum eng_command *cmd,
		 int64_t *at_ns)
{
	sim_config_command(&s->cfg, after_ns, s->now_ns, cmd, at_ns);
}

bool sim_smoke_passes(const struct sim *s, const char *name, uint32_t attempt)
{
	return sim_config_smoke_passes(&s->cfg, name, attempt);
}
