#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/version.h"

enum cause {
	CAUSE_OK,
	CAUSE_ERROR,
	CAUSE_TIMEOUT,
	CAUSE_REJECTED
};

#define ENC(which, i) (((uint32_t)(which) << 24) | (uint32_t)(i))
#define DEC_INSTANCE(arg) ((arg) & 0xffffffu)

static int64_t s_to_ns(double s)
{
	return (int64_t)llround(s * 1e9);
}

static bool is_ready(const struct sim_instance *in, int64_t now_ns)
{
	return in->up && !in->partitioned && now_ns >= in->ready_at_ns;
}

static bool schedule(struct sim_event_queue *q, int64_t t_ns, uint32_t kind,
		     uint32_t arg, int64_t data, uint32_t flags)
{
	struct sim_event ev = {
		.t_ns = t_ns, .kind = kind, .arg = arg, .data = data, .flags = flags
	};

	return sim_event_queue_push(q, &ev);
}

static bool kill_instance(struct sim_version *v, struct sim_event_queue *q,
			  uint32_t i, int64_t now_ns, int64_t down_ns);

/* An OOM kill: the instance comes back after the restart delay. */
static bool oom_kill(struct sim_version *v, struct sim_event_queue *q,
		     uint32_t i, int64_t now_ns)
{
	v->totals.oom_kills++;
	return kill_instance(v, q, i, now_ns, s_to_ns(v->cfg.resources.restart_delay_s));
}

/* Memory changes with every request in flight and grows with the leak:
 * after each change this kills the instance if it is over its limit, or
 * schedules the exact moment the leak will take it there (the previous
 * such event becomes stale). */
static bool watch_memory(struct sim_version *v, struct sim_event_queue *q,
			 uint32_t i, int64_t now_ns)
{
	const struct sim_resources *r = &v->cfg.resources;
	struct sim_instance *in = &v->inst[i];
	double mem, to_limit_s;

	if (r->memory_limit_mb <= 0.0 || !in->up)
		return true;
	mem = sim_version_memory_mb(v, i, now_ns);
	if (mem > r->memory_limit_mb)
		return oom_kill(v, q, i, now_ns);
	if (r->memory_leak_mb_per_s + in->fault_leak_rate <= 0.0)
		return true;
	to_limit_s = (r->memory_limit_mb - mem) / (r->memory_leak_mb_per_s + in->fault_leak_rate);
	in->oom_seq++;
	return schedule(q, now_ns + s_to_ns(to_limit_s), SIM_EV_OOM,
			ENC(v->which, i), in->oom_seq, 0);
}

bool sim_version_init(struct sim_version *v, const struct sim_version_config *cfg,
		      enum eng_version which)
{
	memset(v, 0, sizeof(*v));
	v->which = which;
	v->cfg = *cfg;
	v->inst = calloc(cfg->instances, sizeof(*v->inst));
	v->hist = sim_hist_create();
	v->mirror_hist = sim_hist_create();
	if (v->inst == NULL || v->hist == NULL || v->mirror_hist == NULL)
		return false;
	for (uint32_t i = 0; i < cfg->instances; i++) {
		struct sim_instance *in = &v->inst[i];

		in->slots = calloc(cfg->concurrency, sizeof(*in->slots));
		in->free_slots = malloc(cfg->concurrency * sizeof(*in->free_slots));
		if (in->slots == NULL || in->free_slots == NULL)
			return false;
		for (uint32_t k = 0; k < cfg->concurrency; k++)
			in->free_slots[k] = cfg->concurrency - 1 - k; /* 0 on top */
		in->up = true;
		in->cpu_factor = 1.0;
		in->ready_at_ns = s_to_ns(cfg->ready_after_s);
	}
	return true;
}

/* Schedules what every instance needs from the start (its OOM moment). */
bool sim_version_start(struct sim_version *v, struct sim_event_queue *q)
{
	for (uint32_t i = 0; i < v->cfg.instances; i++)
		if (!watch_memory(v, q, i, 0))
			return false;
	return true;
}

void sim_version_free(struct sim_version *v)
{
	if (v->inst != NULL) {
		for (uint32_t i = 0; i < v->cfg.instances; i++) {
			free(v->inst[i].slots);
			free(v->inst[i].free_slots);
			free(v->inst[i].q);
		}
		free(v->inst);
	}
	sim_hist_free(v->hist);
	sim_hist_free(v->mirror_hist);
	sim_flag_window_free(v->flags);
	memset(v, 0, sizeof(*v));
}

static void record(struct sim_version *v, uint64_t id, int64_t arrival_ns,
		   bool mirror, uint8_t flags_on, double latency_ms, enum cause cause)
{
	bool failed = cause != CAUSE_OK;
	struct sim_win_counts *c = mirror ? &v->win_mirror : &v->win;

	c->requests++;
	c->errors += failed;
	c->timeouts += cause == CAUSE_TIMEOUT;
	c->rejected += cause == CAUSE_REJECTED;
	c->slow += !failed && v->slow_ms > 0.0 && latency_ms > v->slow_ms;
	/* the version's latencies, mirrored or not, as its window counts them */
	if (v->bins != NULL)
		v->bin_counts[sim_latency_bin(v->bins, latency_ms)]++;
	if (mirror) {
		sim_hist_add(v->mirror_hist, latency_ms);
		v->totals.mirrored++;
		return;
	}
	if (v->sink != NULL) {
		struct sim_response r = { id, arrival_ns, v->which, latency_ms, failed };

		v->sink(v->sink_ctx, &r);
	}
	sim_hist_add(v->hist, latency_ms);
	if (v->flags != NULL)
		sim_flag_window_record(v->flags, flags_on, failed, cause == CAUSE_TIMEOUT,
				       cause == CAUSE_REJECTED, latency_ms);
	v->totals.requests++;
	v->totals.errors += failed;
	v->totals.timeouts += cause == CAUSE_TIMEOUT;
	v->totals.rejected += cause == CAUSE_REJECTED;
	v->totals.latency_sum_ms += latency_ms;
}

double sim_version_memory_mb(const struct sim_version *v, uint32_t i,
			     int64_t now_ns)
{
	const struct sim_resources *r = &v->cfg.resources;
	const struct sim_instance *in = &v->inst[i];

	if (!in->up)
		return 0.0;
	return r->memory_base_mb +
	       r->memory_per_request_mb * (double)(in->busy + in->qlen) +
	       r->memory_leak_mb_per_s * (double)(now_ns - in->up_since_ns) / 1e9 +
	       in->fault_leaked_mb + in->fault_leak_rate * (double)(now_ns - in->fault_leak_t0_ns) / 1e9;
}

bool sim_version_set_leak(struct sim_version *v, struct sim_event_queue *q, uint32_t i,
			  int64_t now_ns, double mb_per_s)
{
	struct sim_instance *in = &v->inst[i];

	if (i >= v->cfg.instances)
		return true;
	in->fault_leaked_mb += in->fault_leak_rate * (double)(now_ns - in->fault_leak_t0_ns) / 1e9;
	in->fault_leak_rate = mb_per_s;
	in->fault_leak_t0_ns = now_ns;
	return watch_memory(v, q, i, now_ns);
}

/* The ready instance with the fewest requests in service or waiting; ties
 * go to the lowest index. cfg.instances when none is ready. */
static uint32_t least_loaded(const struct sim_version *v, int64_t now_ns)
{
	uint32_t best = v->cfg.instances;
	uint64_t best_load = UINT64_MAX;

	for (uint32_t i = 0; i < v->cfg.instances; i++) {
		const struct sim_instance *in = &v->inst[i];
		uint64_t load = (uint64_t)in->busy + in->qlen;

		if (load < best_load && is_ready(in, now_ns)) {
			best_load = load;
			best = i;
		}
	}
	return best;
}

/* A request in flight fails at now: a timeout if its client had already
 * given up, else an error (the connection is reset). */
static void record_failure(struct sim_version *v, uint64_t id,
			   int64_t arrival_ns, bool mirror, uint8_t flags_on,
			   int64_t now_ns)
{
	double latency_ms = (double)(now_ns - arrival_ns) / 1e6;
	double timeout = v->cfg.timeout_ms;

	if (timeout > 0.0 && latency_ms > timeout)
		record(v, id, arrival_ns, mirror, flags_on, timeout, CAUSE_TIMEOUT);
	else
		record(v, id, arrival_ns, mirror, flags_on, latency_ms, CAUSE_ERROR);
}

/* A kill: every request in flight fails now (the connection is reset),
 * and the instance comes back down_ns later. */
static bool kill_instance(struct sim_version *v, struct sim_event_queue *q,
			  uint32_t i, int64_t now_ns, int64_t down_ns)
{
	struct sim_instance *in = &v->inst[i];

	for (uint32_t s = 0; s < v->cfg.concurrency; s++) {
		if (!in->slots[s].used)
			continue;
		record_failure(v, in->slots[s].id, in->slots[s].arrival_ns,
			       in->slots[s].mirror, in->slots[s].flags_on, now_ns);
		in->slots[s].used = false;
	}
	for (uint32_t k = 0; k < v->cfg.concurrency; k++)
		in->free_slots[k] = v->cfg.concurrency - 1 - k;
	for (uint32_t k = 0; k < in->qlen; k++) {
		const struct sim_request *r = &in->q[(in->qhead + k) % in->qcap];

		record_failure(v, r->id, r->arrival_ns, r->mirror, r->flags_on, now_ns);
	}
	in->busy = 0;
	in->qlen = 0;
	in->qhead = 0;
	in->up = false;
	in->epoch++;
	in->oom_seq++;
	return schedule(q, now_ns + down_ns, SIM_EV_RESTART, ENC(v->which, i), in->epoch, 0);
}

bool sim_version_crash(struct sim_version *v, struct sim_event_queue *q, uint32_t i,
		       int64_t now_ns, int64_t down_ns)
{
	if (i >= v->cfg.instances || !v->inst[i].up)
		return true;
	return kill_instance(v, q, i, now_ns, down_ns);
}

void sim_version_abort(struct sim_version *v, const struct sim_request *r)
{
	record(v, r->id, r->arrival_ns, r->mirror, r->flags_on, 0.0, CAUSE_ERROR);
}

/* The slow-start factor of instance in at now: multiplier at start,
 * decaying linearly to 1 over slow_start_s. */
static double slow_start_factor(const struct sim_version *v,
				const struct sim_instance *in, int64_t now_ns)
{
	double m = v->cfg.slow_start_multiplier;
	double age_s = (double)(now_ns - in->up_since_ns) / 1e9;

	if (m <= 1.0 || age_s >= v->cfg.slow_start_s)
		return 1.0;
	return 1.0 + (m - 1.0) * (1.0 - age_s / v->cfg.slow_start_s);
}

static bool start_service(struct sim_version *v, struct sim_event_queue *q,
			  uint32_t i, const struct sim_request *r, int64_t now_ns)
{
	struct sim_instance *in = &v->inst[i];
	const struct sim_resources *res = &v->cfg.resources;
	uint32_t s;
	int64_t d;

	/* busy < concurrency, so the stack holds concurrency - busy slots */
	s = in->free_slots[v->cfg.concurrency - 1 - in->busy];
	in->slots[s] = (struct sim_slot){ r->id, r->arrival_ns, r->fails, true, r->mirror,
					  r->flags_on };
	in->busy++;
	/* the dependencies are called while it is served */
	for (uint32_t c = r->dep_calls, k = 0; c != 0; c >>= 1, k++) {
		if (!(c & 1u))
			continue;
		v->dep_calls[k]++;
		v->dep_failures[k] += (r->dep_fails >> k) & 1u;
	}
	d = r->service_ns;
	if (v->cfg.slow_start_multiplier > 1.0)
		d = (int64_t)llround((double)d * slow_start_factor(v, in, now_ns));
	if (in->cpu_factor > 1.0) /* a CPU hog leaves it a share of the CPU */
		d = (int64_t)llround((double)d * in->cpu_factor);
	/* CPU works on the version's own part, not while waiting for dependencies */
	in->cpu_ms += res->cpu_ms_per_request + res->cpu_busy_frac * (double)d / 1e6;
	d += r->dependency_ns;
	return schedule(q, now_ns + d, SIM_EV_DEPARTURE, ENC(v->which, i),
			in->epoch, s);
}

static bool enqueue(struct sim_instance *in, const struct sim_request *r)
{
	if (in->qlen == in->qcap) {
		uint32_t cap = in->qcap ? in->qcap * 2 : 16;
		struct sim_request *p = malloc((size_t)cap * sizeof(*p));

		if (p == NULL)
			return false;
		for (uint32_t k = 0; k < in->qlen; k++)
			p[k] = in->q[(in->qhead + k) % in->qcap];
		free(in->q);
		in->q = p;
		in->qcap = cap;
		in->qhead = 0;
	}
	in->q[(in->qhead + in->qlen) % in->qcap] = *r;
	in->qlen++;
	return true;
}

bool sim_version_offer(struct sim_version *v, struct sim_event_queue *q,
		       const struct sim_request *r, int64_t now_ns)
{
	uint32_t i = least_loaded(v, now_ns);
	struct sim_instance *in;

	if (i == v->cfg.instances) {
		record(v, r->id, r->arrival_ns, r->mirror, r->flags_on, 0.0, CAUSE_REJECTED); /* nothing ready: 503 */
		return true;
	}
	in = &v->inst[i];
	if (in->busy < v->cfg.concurrency) {
		if (!start_service(v, q, i, r, now_ns))
			return false;
	} else if (in->qlen < v->cfg.queue_limit) {
		if (!enqueue(in, r))
			return false;
	} else {
		record(v, r->id, r->arrival_ns, r->mirror, r->flags_on, 0.0, CAUSE_REJECTED); /* queue full: 503 */
		return true;
	}
	return watch_memory(v, q, i, now_ns);
}

static bool on_departure(struct sim_version *v, struct sim_event_queue *q,
			 const struct sim_event *ev, int64_t now_ns)
{
	uint32_t i = DEC_INSTANCE(ev->arg);
	struct sim_instance *in = &v->inst[i];
	struct sim_slot *slot = &in->slots[ev->flags];
	double latency_ms, timeout = v->cfg.timeout_ms;
	enum cause cause;

	if (ev->data != in->epoch)
		return true; /* served by a life that was killed */
	latency_ms = (double)(now_ns - slot->arrival_ns) / 1e6;
	cause = slot->fails ? CAUSE_ERROR : CAUSE_OK;
	if (timeout > 0.0 && latency_ms > timeout) {
		cause = CAUSE_TIMEOUT;
		latency_ms = timeout; /* the client gave up then */
	}
	record(v, slot->id, slot->arrival_ns, slot->mirror, slot->flags_on, latency_ms, cause);
	slot->used = false;
	in->busy--;
	in->free_slots[v->cfg.concurrency - 1 - in->busy] = ev->flags;
	if (in->qlen == 0)
		return watch_memory(v, q, i, now_ns);
	struct sim_request next = in->q[in->qhead];

	in->qhead = (in->qhead + 1) % in->qcap;
	in->qlen--;
	return start_service(v, q, i, &next, now_ns) &&
	       watch_memory(v, q, i, now_ns);
}

bool sim_version_event(struct sim_version *v, struct sim_event_queue *q,
		       const struct sim_event *ev, int64_t now_ns)
{
	uint32_t i = DEC_INSTANCE(ev->arg);
	struct sim_instance *in = &v->inst[i];

	switch ((enum sim_event_kind)ev->kind) {
	case SIM_EV_DEPARTURE:
		return on_departure(v, q, ev, now_ns);
	case SIM_EV_OOM:
		if (ev->data != in->oom_seq || !in->up)
			return true;
		/* at the limit now, up to the nanosecond rounding of the event */
		if (sim_version_memory_mb(v, i, now_ns) <
		    v->cfg.resources.memory_limit_mb * (1.0 - 1e-9))
			return watch_memory(v, q, i, now_ns);
		return oom_kill(v, q, i, now_ns);
	case SIM_EV_RESTART:
		if (ev->data != in->epoch)
			return true;
		in->up = true;
		in->up_since_ns = now_ns;
		in->ready_at_ns = now_ns + s_to_ns(v->cfg.ready_after_s);
		in->fault_leaked_mb = 0.0; /* a new life; a leak fault goes on leaking */
		in->fault_leak_t0_ns = now_ns;
		return watch_memory(v, q, i, now_ns);
	case SIM_EV_ARRIVAL:
	case SIM_EV_FAULT:
	case SIM_EV_ACTUATE:
	case SIM_EV_WINDOW:
		break;
	}
	return true;
}

void sim_version_close_window(struct sim_version *v, int64_t now_ns,
			      int64_t window_ns, struct eng_window_metrics *m)
{
	const struct sim_resources *res = &v->cfg.resources;
	double cpu_ms = 0.0, mem = 0.0;
	uint32_t ready = 0, up = 0, conns = 0;
	const struct sim_hist *h = v->hist;

	if (v->win_mirror.requests > 0) {
		/* the version's own latencies: users' and mirrored; users' are
		 * already taken (see version.h) */
		sim_hist_merge(v->mirror_hist, v->hist);
		h = v->mirror_hist;
	}

	for (uint32_t i = 0; i < v->cfg.instances; i++) {
		struct sim_instance *in = &v->inst[i];

		cpu_ms += in->cpu_ms;
		in->cpu_ms = 0.0;
		ready += is_ready(in, now_ns);
		conns += in->busy + in->qlen;
		if (in->up) {
			up++;
			mem += sim_version_memory_mb(v, i, now_ns);
		}
	}
	m->requests = v->win.requests + v->win_mirror.requests;
	m->errors = v->win.errors + v->win_mirror.errors;
	m->timeouts = v->win.timeouts + v->win_mirror.timeouts;
	m->rejected = v->win.rejected + v->win_mirror.rejected;
	m->slow = v->win.slow + v->win_mirror.slow;
	m->mirrored = v->win_mirror.requests;
	m->mirrored_errors = v->win_mirror.errors;
	m->error_rate_frac = m->requests ? (double)m->errors / (double)m->requests : NAN;
	m->mean_ms = sim_hist_mean(h);
	m->p50_ms = sim_hist_quantile(h, 0.50);
	m->p95_ms = sim_hist_quantile(h, 0.95);
	m->p99_ms = sim_hist_quantile(h, 0.99);
	m->max_ms = sim_hist_max(h);
	m->ready_instances = ready;
	m->instances = v->cfg.instances;
	m->connections = conns;
	m->memory_mb = up ? mem / up : 0.0;
	m->cpu_frac = cpu_ms / ((double)window_ns / 1e6 * res->cpu_cores *
				(double)v->cfg.instances);
	memset(&v->win, 0, sizeof(v->win));
	memset(&v->win_mirror, 0, sizeof(v->win_mirror));
	sim_hist_reset(v->mirror_hist);
}
