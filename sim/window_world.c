#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "engine/record.h"
#include "sim/histogram.h"
#include "sim/rng.h"
#include "sim/variates.h"
#include "sim/window_table.h"
#include "sim/window_world.h"

#define RATE_PIECES 32            /* midpoint rule pieces for a varying rate */
#define FAULT_PIECES 16           /* moments a stretch takes the faults at */

/* One version's window in the making. */
struct wversion {
	struct sim_version_config cfg;
	const struct sim_wtab *tab;   /* borrowed from the table */
	/* factors of a window's resources, the same every window: requests in
	 * flight per request/s of the window (mean service time, s, over
	 * the window's length), memory per request in flight per instance,
	 * and 1 over the window's CPU capacity, ms */
	double conn_per_req, mb_per_conn, per_cpu_ms;
	uint64_t req, err, to;    /* this window, mirrored copies included */
	uint64_t mir, mir_err, mir_to; /* of which mirrored copies: no user saw them */
	uint64_t slow, mir_slow;  /* successes slower than slow_ms; mirrored ones */
	double cpu_ms;
	uint64_t n_lat;           /* requests this window with a drawn latency */
	double sum_ms;            /* their drawn sum */
	double f_sum, f2_sum;     /* sums of the requests' slow-start factors
				     and of their squares */
	/* the faults' expected effects, summed over the window's requests */
	double fx_err_sum, fx_abort_sum, fx_delay_sum, fx_mult_sum;
	uint64_t flag_on[ENG_MAX_FLAGS]; /* the stable's: requests with flag i on */
};

/* One flag's on-group in the making: its requests, timeouts and errors. */
struct fgroup {
	uint64_t n, to, err;
};

struct sim_wworld {
	struct sim_config cfg;
	struct sim_streams rng;   /* owned */
	struct sim_poisson arrivals; /* the last stretch's mean, prepared: a
					window's comes back window after window */
	gsl_rng *quantiles[ENG_NVERSIONS + 1]; /* owned: the order statistics of
						  each version's and of all,
						  keyed by window */
	unsigned want_q[ENG_NVERSIONS + 1]; /* ENG_Q_* bits drawn of each sample
					       this window */
	struct wversion v[ENG_NVERSIONS];
	const struct sim_wtable *table; /* borrowed, or own_table */
	struct sim_wtable *own_table;   /* owned when built for this world */
	int64_t now_ns;
	int64_t seg_start_ns;     /* start of the stretch of constant weight */
	int64_t next_window_ns;
	double weight_pct;
	double mirror_pct;        /* of the stable's requests, copied to the canary */
	/* the canary weight the rollout set, as its record keeps it
	 * (eng_note_weight()): first above 0, back at 0 since; and whether a
	 * window since then has met the recovery SLO (users_read()) */
	int64_t weight_first_ns, weight_zero_ns;
	bool recovered;
	bool have_window;
	struct eng_observation last;
	uint64_t bin_counts[ENG_NVERSIONS][SIM_LATENCY_BINS]; /* last window's */
	struct eng_dependency_calls deps; /* the last window's dependency calls */
	struct sim_fault_schedule faults; /* the run's faults and their starts */
	bool spiky;               /* traffic spikes: integrate the rate piece by piece */
	struct sim_obs_history *history; /* owned: true windows, for metrics faults */
	struct eng_observation seen; /* last as the controller sees it */
	bool has_pending;         /* a delayed routing change on its way */
	int64_t pending_ns;       /* when it lands */
	uint32_t unseeded;        /* bit s: stream s not yet seeded for this run */
	struct eng_action pending; /* it */
	struct eng_latency_bins latency; /* points into cfg and bin_counts */
	double flag_pct[ENG_MAX_FLAGS]; /* each flag's enabled share, 0..100 */
	struct fgroup fg[ENG_MAX_FLAGS]; /* this window's on-groups */
	struct eng_flag_observation flag_obs; /* last window's flag groups */
};

static void clear_window(struct wversion *wv)
{
	wv->req = wv->err = wv->to = wv->n_lat = 0;
	wv->mir = wv->mir_err = wv->mir_to = 0;
	wv->slow = wv->mir_slow = 0;
	wv->sum_ms = wv->cpu_ms = wv->f_sum = wv->f2_sum = 0.0;
	wv->fx_err_sum = wv->fx_abort_sum = wv->fx_delay_sum = wv->fx_mult_sum = 0.0;
	memset(wv->flag_on, 0, sizeof(wv->flag_on));
}

/* Time 0, nothing drawn yet. */
static void clear_state(struct sim_wworld *w)
{
	w->now_ns = 0;
	w->seg_start_ns = 0;
	w->next_window_ns = w->cfg.window_ns;
	w->weight_pct = w->cfg.initial_weight_pct;
	w->weight_first_ns = w->weight_zero_ns = -1;
	w->recovered = false;
	memset(w->flag_pct, 0, sizeof(w->flag_pct));
	w->have_window = false;
	for (int i = 0; i < ENG_NVERSIONS; i++)
		clear_window(&w->v[i]);
	sim_fault_schedule_init(&w->faults, w->cfg.faults, w->cfg.nfaults);
	if (w->history != NULL)
		w->history->n = w->history->next = 0;
	w->has_pending = false;
}

/* The streams every run draws from are seeded at its start; the others
 * (latency sums, slow successes, mirrored copies, latency bins, flags,
 * faults, dependencies) at their first draw: seeding all of them costs a
 * window-level run more than most runs draw from them (a study's draw no
 * latency sums or slow successes that nothing reads), and a stream's draws
 * do not depend on when it was seeded. */
#define LAZY_STREAMS ((1u << SIM_STREAM_SERVICE_STABLE) | (1u << SIM_STREAM_SERVICE_CANARY) | \
		      (1u << SIM_STREAM_SLOW) |                                              \
		      (1u << SIM_STREAM_MIRROR) | (1u << SIM_STREAM_LATENCY_BINS) |           \
		      (1u << SIM_STREAM_FLAGS) | (1u << SIM_STREAM_FAULTS) |                  \
		      (((1u << SIM_STREAM_DEPENDENCIES) - 1) << SIM_STREAM_DEPENDENCY_FIRST))

static gsl_rng *lazy(struct sim_wworld *w, uint32_t stream, gsl_rng *r)
{
	if (w->unseeded & (1u << stream)) {
		sim_rng_reseed(r, w->cfg.seed, stream);
		w->unseeded &= ~(1u << stream);
	}
	return r;
}

void sim_wworld_reset(struct sim_wworld *w, uint64_t seed)
{
	struct sim_streams *st = &w->rng;

	w->cfg.seed = seed;
	sim_rng_reseed(st->arrivals, seed, SIM_STREAM_ARRIVALS);
	sim_rng_reseed(st->routing, seed, SIM_STREAM_ROUTING);
	for (int i = 0; i < ENG_NVERSIONS; i++)
		sim_rng_reseed(st->errors[i], seed, SIM_STREAM_ERRORS_STABLE + (uint32_t)i);
	w->unseeded = LAZY_STREAMS; /* the thinning stream is never drawn here */
	clear_state(w);
}

struct sim_wworld *sim_wworld_create(const struct sim_config *cfg,
				     const struct sim_wtable *table)
{
	struct sim_wworld *w;
	if (cfg->window_ns <= 0 || cfg->ndeps > SIM_MAX_DEPENDENCIES ||
	    cfg->nflags > ENG_MAX_FLAGS ||
	    !(cfg->initial_weight_pct >= 0.0 && cfg->initial_weight_pct <= 100.0) ||
	    !sim_latency_bins_valid(&cfg->latency_bins))
		return NULL;
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	w->cfg = *cfg;
	w->arrivals.mu = NAN; /* none prepared */
	clear_state(w);
	if (table == NULL)
		table = w->own_table = sim_wtable_create(cfg);
	w->table = table;
	if (!table || !sim_streams_create(&w->rng, cfg->seed, cfg->ndeps))
		goto out_free;
	for (int s = 0; s <= ENG_NVERSIONS; s++) {
		w->quantiles[s] = sim_keyed_rng_create();
		if (w->quantiles[s] == NULL)
			goto out_free;
	}
	for (int i = 0; i < ENG_NVERSIONS; i++) {
		struct wversion *wv = &w->v[i];
		double win_s = (double)cfg->window_ns / 1e9;

		wv->cfg = cfg->version[i];
		wv->tab = &table->v[i];
		wv->conn_per_req = wv->tab->mean_service_ms / 1e3 / win_s;
		wv->mb_per_conn = wv->cfg.resources.memory_per_request_mb / wv->cfg.instances;
		wv->per_cpu_ms = 1.0 / (win_s * 1e3 * wv->cfg.resources.cpu_cores *
					wv->cfg.instances);
		w->latency.counts[i] = w->bin_counts[i];
	}
	w->deps.n = cfg->ndeps;
	for (uint32_t d = 0; d < cfg->ndeps; d++)
		w->deps.names[d] = w->cfg.deps[d].name;
	w->latency.bin_ms = w->cfg.latency_bins.upper_ms;
	w->latency.nbins = w->cfg.latency_bins.n;
	w->spiky = sim_fault_peak_rate_factor(cfg->faults, cfg->nfaults) > 1.0;
	if (sim_faults_touch_metrics(cfg->faults, cfg->nfaults)) {
		w->history = calloc(1, sizeof(*w->history));
		if (w->history == NULL)
			goto out_free;
	}
	sim_fault_schedule_init(&w->faults, w->cfg.faults, w->cfg.nfaults);
	return w;

out_free:
	sim_wworld_free(w);
	return NULL;
}

void sim_wworld_free(struct sim_wworld *w)
{
	if (w == NULL)
		return;
	sim_streams_free(&w->rng);
	for (int s = 0; s <= ENG_NVERSIONS; s++)
		if (w->quantiles[s] != NULL)
			gsl_rng_free(w->quantiles[s]);
	sim_wtable_free(w->own_table);
	free(w->history);
	free(w);
}

/* Expected arrivals in [a, b) seconds: the rate's integral, traffic
 * spikes included. */
static double expected_arrivals(const struct sim_wworld *w, double a, double b)
{
	const struct sim_traffic *t = &w->cfg.traffic;
	double sum = 0.0, h = (b - a) / RATE_PIECES;

	if (sim_traffic_is_constant(t) && !w->spiky)
		return t->rate_rps * (b - a);
	for (int i = 0; i < RATE_PIECES; i++) {
		double x = a + (i + 0.5) * h;

		sum += sim_traffic_rate_rps(t, x) *
		       sim_fault_rate_factor(&w->faults, (int64_t)(x * 1e9));
	}
	return sum * h;
}

/* The slow-start factor averaged over [a, b) seconds since the start: the
 * linear decay's mean over the part before slow_start_s, 1 after it. */
static double slow_start_factor(const struct sim_version_config *v, double a, double b)
{
	double m = v->slow_start_multiplier, d = v->slow_start_s;
	double c = b < d ? b : d;

	if (m <= 1.0 || a >= d || b <= a)
		return 1.0;
	return 1.0 + (m - 1.0) * (1.0 - 0.5 * (a + c) / d) * (c - a) / (b - a);
}

/* The faults' expected effects on a share `part` of n requests of version
 * i, at t_s: the dependencies it calls fail more or slow down as their
 * faults say, on top of the request faults. A stretch takes them at
 * FAULT_PIECES evenly spread moments, so that ramps, bursts and a fault
 * starting within a window weigh as much as they last. */
static void add_fault_effects(struct sim_wworld *w, int i, uint64_t n, double t_s,
			      double part)
{
	struct wversion *wv = &w->v[i];
	struct sim_fault_effects fx;
	int64_t t_ns = (int64_t)(t_s * 1e9);
	double ok;

	sim_fault_request_effects(&w->faults, (enum eng_version)i, t_ns, &fx);
	ok = 1.0 - fx.error_frac;
	for (uint32_t d = 0; d < w->cfg.ndeps; d++) {
		double fe, fd;

		if (!(wv->cfg.dependencies & (1u << d)))
			continue;
		sim_fault_dependency_effects(&w->faults, d, t_ns, &fe, &fd);
		ok *= 1.0 - fe;
		fx.delay_ms += fd;
	}
	wv->fx_err_sum += part * (double)n * (1.0 - ok);
	wv->fx_abort_sum += part * (double)n * fx.abort_frac;
	wv->fx_delay_sum += part * (double)n * fx.delay_ms;
	wv->fx_mult_sum += part * (double)n * fx.multiplier;
}

/* Adds n requests of version i, over the stretch [a, b) s, to its window:
 * their count and slow-start factor now, their draws when the window
 * closes. */
static void add_requests(struct sim_wworld *w, int i, uint64_t n, double a, double b)
{
	struct wversion *wv = &w->v[i];
	const struct sim_resources *res = &wv->cfg.resources;
	double f = slow_start_factor(&wv->cfg, a, b);

	if (n == 0)
		return;
	if (w->faults.n > 0)
		for (int k = 0; k < FAULT_PIECES; k++) /* the stretch's average */
			add_fault_effects(w, i, n, a + (k + 0.5) * (b - a) / FAULT_PIECES,
					  1.0 / FAULT_PIECES);
	wv->req += n;
	wv->f_sum += (double)n * f;
	wv->f2_sum += (double)n * f * f;
	wv->cpu_ms += (double)n * (res->cpu_ms_per_request +
				   res->cpu_busy_frac * wv->tab->mean_service_ms * f);
}

/* Draws the window's timeouts, errors and latency sum for version i from
 * the counts add_requests() gathered. Every request of the window has the
 * same timeout and error probabilities, so one binomial draw per window
 * has the distribution of the stretches' draws summed. The latency sum of
 * the `rest` requests that did not time out is normal by the central limit
 * theorem: each latency is the binned one times its stretch's slow-start
 * factor f, so the sum has mean m * sum(f) and variance v * sum(f^2) over
 * those requests (a timed-out request's factor taken at the window's
 * average when slow start and timeouts meet); it is drawn, from its own
 * stream, only when the window's mean is read (want_q). */
static void split_mirrored(struct sim_wworld *w, int i);

/* The window's successes slower than slow_ms: binomial, as latency and
 * failure are independent here; the mirrored copies' share
 * hypergeometric, as for their errors. From their own stream, and none
 * when nothing reads them (cfg.unread_slow). */
static void draw_slow(struct sim_wworld *w, int i)
{
	struct wversion *wv = &w->v[i];
	uint64_t ok = wv->req - wv->err, mir_ok = wv->mir - wv->mir_err;
	gsl_rng *r;

	wv->slow = wv->mir_slow = 0;
	if (ok == 0 || wv->tab->p_slow <= 0.0 || w->cfg.unread_slow)
		return;
	r = lazy(w, SIM_STREAM_SLOW, w->rng.slow);
	wv->slow = sim_binomial_draw(&wv->tab->slow, r, (unsigned)ok);
	if (mir_ok > 0 && wv->slow > 0)
		wv->mir_slow = gsl_ran_hypergeometric(r, (unsigned)mir_ok,
						      (unsigned)(ok - mir_ok), (unsigned)wv->slow);
}

/* The faults' failures in the window: aborts and added errors among the
 * requests that had not failed, at the window's average rates (from the
 * faults' own stream, so that a run without faults draws nothing). */
static void draw_fault_errors(struct sim_wworld *w, int i)
{
	struct wversion *wv = &w->v[i];
	double a, e;
	uint64_t ok = wv->req - wv->err, ab = 0, more = 0;

	if (w->faults.n == 0) /* no effects summed: a = e = 0 */
		return;
	a = wv->fx_abort_sum / (double)wv->req;
	e = wv->fx_err_sum / (double)wv->req;
	if (a > 0.0 && ok > 0)
		ab = gsl_ran_binomial(lazy(w, SIM_STREAM_FAULTS, w->rng.faults),
				      a > 1.0 ? 1.0 : a, (unsigned)ok);
	if (e > 0.0 && ok > ab)
		more = gsl_ran_binomial(lazy(w, SIM_STREAM_FAULTS, w->rng.faults),
					e > 1.0 ? 1.0 : e, (unsigned)(ok - ab));
	wv->err += ab + more;
}

static void draw_version(struct sim_wworld *w, int i)
{
	struct wversion *wv = &w->v[i];
	uint64_t rest;
	double share;

	if (wv->req == 0)
		return;
	wv->to = wv->tab->p_timeout > 0.0 ?
		sim_binomial_draw(&wv->tab->timeouts, w->rng.errors[i], (unsigned)wv->req) : 0;
	rest = wv->req - wv->to;
	wv->err = wv->to + (wv->tab->p_error > 0.0 ?
		sim_binomial_draw(&wv->tab->errors, w->rng.errors[i], (unsigned)rest) : 0);
	draw_fault_errors(w, i);
	split_mirrored(w, i);
	draw_slow(w, i);
	wv->n_lat = wv->req;
	if (!(w->want_q[i] & ENG_Q_MEAN)) { /* unread: NaN */
		wv->sum_ms = NAN;
		return;
	}
	wv->sum_ms = (double)wv->to * wv->cfg.timeout_ms;
	if (rest == 0)
		return;
	share = (double)rest / (double)wv->req;
	wv->sum_ms += share * wv->f_sum * wv->tab->mean_ms +
		      gsl_ran_gaussian_ziggurat(lazy(w, SIM_STREAM_SERVICE_STABLE + (uint32_t)i,
						     w->rng.service[i]),
						sqrt(share * wv->f2_sum * wv->tab->var_ms2));
}

/* Which of a window's `to` timeouts and `err` errors (timeouts included)
 * among its n requests fell on a group of k of them that fail alike: given
 * the totals, the group's share is hypergeometric. *k_err counts the
 * group's timeouts too. */
static void split_group(gsl_rng *r, uint64_t n, uint64_t to, uint64_t err,
			uint64_t k, uint64_t *k_to, uint64_t *k_err)
{
	uint64_t other = err - to;

	*k_to = *k_err = 0;
	if (k == 0)
		return;
	if (to > 0)
		*k_to = gsl_ran_hypergeometric(r, (unsigned)k, (unsigned)(n - k), (unsigned)to);
	*k_err = *k_to;
	if (other > 0)
		*k_err += gsl_ran_hypergeometric(r, (unsigned)(k - *k_to),
						 (unsigned)(n - k - (to - *k_to)),
						 (unsigned)other);
}

/* Which of the window's timeouts and other errors fell on mirrored
 * copies: each request fails alike. */
static void split_mirrored(struct sim_wworld *w, int i)
{
	struct wversion *wv = &w->v[i];

	split_group(lazy(w, SIM_STREAM_MIRROR, w->rng.mirror), wv->req, wv->to, wv->err,
		    wv->mir, &wv->mir_to,
		    &wv->mir_err);
}

/* Draws the stretch [seg_start, t) at the current weight. */
static void draw_stretch(struct sim_wworld *w, int64_t t_ns)
{
	double a = (double)w->seg_start_ns / 1e9, b = (double)t_ns / 1e9;
	double lambda;
	unsigned int n, nc;

	if (t_ns <= w->seg_start_ns)
		return;
	lambda = expected_arrivals(w, a, b);
	if (!(lambda == w->arrivals.mu))
		sim_poisson_init(&w->arrivals, lambda);
	n = sim_poisson_draw(&w->arrivals, w->rng.arrivals);
	nc = w->weight_pct <= 0.0 ? 0 : w->weight_pct >= 100.0 ? n :
		gsl_ran_binomial(w->rng.routing, w->weight_pct / 100.0, n);
	add_requests(w, ENG_STABLE, n - nc, a, b);
	add_requests(w, ENG_CANARY, nc, a, b);
	/* the stable's requests with each flag on: binomial per stretch */
	for (uint32_t f = 0; f < w->cfg.nflags; f++) {
		double p = w->flag_pct[f] / 100.0;

		if (p > 0.0)
			w->v[ENG_STABLE].flag_on[f] += p >= 1.0 ? n - nc :
				gsl_ran_binomial(lazy(w, SIM_STREAM_FLAGS, w->rng.flags), p, n - nc);
	}
	if (w->mirror_pct > 0.0) { /* mirrored copies load the canary's window */
		unsigned int nm = gsl_ran_binomial(lazy(w, SIM_STREAM_MIRROR, w->rng.mirror),
						    w->mirror_pct / 100.0, n - nc);

		add_requests(w, ENG_CANARY, nm, a, b);
		w->v[ENG_CANARY].mir += nm;
	}
	w->seg_start_ns = t_ns;
}

/* A latency sample's tables: the mixture, with weights ws and wc, of two
 * versions' binned CDFs, or one version's alone (c NULL). */
struct mix {
	const struct sim_wtab *s, *c;
	double ws, wc;
};

/* The first bin where t's CDF reaches u, 0 <= u <= 1: the guide table
 * gives a bin at or below it, and the scan ends within a bin or two on
 * average (a guide table, Devroye 1986, ch. III, sec. 2.4). */
static size_t bin_of_table(const struct sim_wtab *t, double u, size_t n)
{
	size_t i = t->guide[(size_t)(u * (double)n)];

	while (t->cum[i] < u)
		i++;
	return i;
}

/* The first bin where the mixture's CDF reaches u. Where both CDFs have
 * reached u so has the mixture, and where neither has it has not: the
 * answer lies between the two versions' own bins. */
static size_t bin_of(const struct mix *m, size_t n, double u)
{
	size_t lo, hi, a, b;

	a = bin_of_table(m->s, u, n);
	if (m->c == NULL)
		return a;
	b = bin_of_table(m->c, u, n);
	lo = a < b ? a : b;
	hi = a < b ? b : a;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->ws * m->s->cum[mid] + m->wc * m->c->cum[mid] >= u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Sample s's (a version, or ENG_NVERSIONS: all) generator for the order
 * statistics of the window ending at t_ns, seeded for that window alone:
 * which quantiles one window draws changes no other window's. */
static gsl_rng *quantile_rng(const struct sim_wworld *w, int s, int64_t t_ns)
{
	sim_keyed_rng_set(w->quantiles[s], w->cfg.seed, SIM_STREAM_QUANTILES_STABLE + (uint32_t)s,
			  (uint64_t)(t_ns / w->cfg.window_ns));
	return w->quantiles[s];
}

/* Fills the quantiles and maximum of n latencies that `want` (ENG_Q_*
 * bits) asks for, `to` of them timeouts at timeout_ms (the largest), the
 * rest drawn from the binned mixture m and scaled by f; the others stay
 * as they are (NaN). The k-th smallest of r draws is the bin holding the
 * k-th smallest of r uniforms; the uniforms' order statistics are drawn
 * jointly, so the values are distributed as a multinomially filled
 * histogram's would be. They are drawn in a fixed order, p99 first, each
 * given those before it, and only as far as the last one wanted: what is
 * drawn does not depend on what is left out. */
static void order_stats(const struct sim_wworld *w, gsl_rng *r, const struct mix *m,
			uint64_t n, uint64_t to, double timeout_ms, double f, unsigned want,
			struct eng_window_metrics *out_m)
{
	static const uint64_t q_pct[4] = { 99, 95, 50, 100 };
	static const unsigned q_bit[4] = { ENG_Q_P99, ENG_Q_P95, ENG_Q_P50, ENG_Q_MAX };
	double *out[4] = { &out_m->p99_ms, &out_m->p95_ms, &out_m->p50_ms, &out_m->max_ms };
	uint64_t rest = n - to, ranks[4];
	double u[4];
	size_t drawn = 0, slot[4], last = 0;

	for (size_t i = 0; i < 4; i++)
		if (want & q_bit[i])
			last = i + 1;
	/* nearest rank: the ceil(q n)-th smallest, in whole numbers (n >= 1,
	 * so k >= 1); above `rest`, a timeout */
	for (size_t i = 0; i < last; i++) {
		uint64_t k = (q_pct[i] * n + 99) / 100;

		if (k > rest) {
			*out[i] = timeout_ms;
		} else {
			slot[drawn] = i;
			ranks[drawn++] = k;
		}
	}
	if (drawn == 0)
		return;
	sim_uniform_order_stats(r, rest, ranks, drawn, u);
	for (size_t i = 0; i < drawn; i++)
		*out[slot[i]] = f * w->table->centre[bin_of(m, w->table->nbins, u[i])];
}

/* The window's counts on the shared bins, when the configuration has
 * them: the requests that did not time out multinomial over the bins
 * (from their own stream, so that counting them changes no other draw),
 * the timeouts in the timeout's bin. Slow start does not move them. */
static void draw_bins(struct sim_wworld *w, int i)
{
	const struct wversion *wv = &w->v[i];
	size_t k = w->cfg.latency_bins.n;
	unsigned int n[SIM_LATENCY_BINS];

	if (k == 0)
		return;
	memset(w->bin_counts[i], 0, sizeof(w->bin_counts[i]));
	if (wv->req == 0)
		return;
	gsl_ran_multinomial(lazy(w, SIM_STREAM_LATENCY_BINS, w->rng.bins), k, (unsigned int)(wv->req - wv->to),
			    wv->tab->bin_p, n);
	for (size_t j = 0; j < k; j++)
		w->bin_counts[i][j] = n[j];
	w->bin_counts[i][wv->tab->timeout_bin] += wv->to;
}

/* The window's calls to each dependency version i calls: one per request
 * (no queue turns one away at this level), failing binomially at the
 * dependency's rate from its own stream. They are drawn apart from the
 * version's errors, which already hold the dependencies' share: the two
 * agree in expectation, not call by call. */
static void draw_dependency_calls(struct sim_wworld *w, int i)
{
	const struct wversion *wv = &w->v[i];

	for (uint32_t d = 0; d < w->cfg.ndeps; d++) {
		uint64_t n = wv->cfg.dependencies & (1u << d) ? wv->req : 0;
		double e = w->cfg.deps[d].error_frac;

		w->deps.calls[i][d] = n;
		w->deps.failures[i][d] = n > 0 && e > 0.0 ?
			gsl_ran_binomial(lazy(w, SIM_STREAM_DEPENDENCY_FIRST + d, w->rng.dep[d]),
					 e, (unsigned int)n) : 0;
	}
}

/* The stable version's window with its flags' errors. Each flag's
 * on-group is a uniform subset of the window's requests, whatever else
 * happened to them, so its share of the failures so far is hypergeometric;
 * a flag's added errors (binomial on its on-group's requests that had not
 * failed) then fall on a uniform subset of all requests not yet failed,
 * so every other flag's groups take a hypergeometric share of them. Flag
 * by flag, each flag's on- and off-groups come out distributed as the
 * request level's, and add up to the version's window. */
static void draw_flag_errors(struct sim_wworld *w)
{
	struct wversion *wv = &w->v[ENG_STABLE];
	gsl_rng *r = lazy(w, SIM_STREAM_FLAGS, w->rng.flags);
	uint64_t n = wv->req;

	for (uint32_t f = 0; f < w->cfg.nflags; f++) {
		w->fg[f].n = wv->flag_on[f];
		split_group(r, n, wv->to, wv->err, w->fg[f].n, &w->fg[f].to, &w->fg[f].err);
	}
	for (uint32_t f = 0; f < w->cfg.nflags; f++) {
		double e = w->cfg.flags[f].error_frac;
		uint64_t add;

		if (!(e > 0.0) || w->fg[f].n == w->fg[f].err)
			continue;
		add = gsl_ran_binomial(r, e, (unsigned)(w->fg[f].n - w->fg[f].err));
		for (uint32_t k = 0; add > 0 && k < w->cfg.nflags; k++) {
			const struct fgroup *g = &w->fg[k];

			if (k == f || g->n == 0)
				continue;
			w->fg[k].err += gsl_ran_hypergeometric(r, (unsigned)(g->n - g->err),
				(unsigned)((n - g->n) - (wv->err - g->err)), (unsigned)add);
		}
		w->fg[f].err += add;
		wv->err += add;
	}
}

/* A group of n of the version's requests, `to` of them timeouts and err
 * failed: its latencies drawn as a version's are, scaled by factor. */
static void group_window(struct sim_wworld *w, uint64_t n, uint64_t to, uint64_t err,
			 double factor, struct eng_window_metrics *m)
{
	const struct wversion *wv = &w->v[ENG_STABLE];
	struct mix mx = { wv->tab, NULL, 1.0, 0.0 };
	uint64_t rest = n - to;
	double sum;

	memset(m, 0, sizeof(*m));
	m->requests = n;
	m->errors = err;
	m->timeouts = to;
	m->error_rate_frac = n ? (double)err / (double)n : NAN;
	m->mean_ms = m->p50_ms = m->p95_ms = m->p99_ms = m->max_ms = NAN;
	m->cpu_frac = m->memory_mb = NAN;
	if (n == 0)
		return;
	sum = (double)to * wv->cfg.timeout_ms + (double)rest * factor * wv->tab->mean_ms;
	if (rest > 0)
		sum += gsl_ran_gaussian_ziggurat(lazy(w, SIM_STREAM_FLAGS, w->rng.flags),
						 factor * sqrt((double)rest * wv->tab->var_ms2));
	m->mean_ms = sum / (double)n;
	order_stats(w, lazy(w, SIM_STREAM_FLAGS, w->rng.flags), &mx, n, to, wv->cfg.timeout_ms,
		    factor, ENG_Q_ALL, m);
}

/* Each flag's groups, once the version's window m (slow-start factor f)
 * is drawn: with a flag at 0% its off-group is the version's window, and
 * nothing is drawn. A flag's latency multiplier scales its on-group;
 * the version's own latencies, and timeouts, leave the multipliers out. */
static void draw_flag_groups(struct sim_wworld *w, double f,
			     const struct eng_window_metrics *m)
{
	const struct wversion *wv = &w->v[ENG_STABLE];
	struct eng_flag_observation *o = &w->flag_obs;

	o->nflags = w->cfg.nflags;
	for (uint32_t i = 0; i < w->cfg.nflags; i++) {
		const struct fgroup *g = &w->fg[i];

		o->pct[i] = w->flag_pct[i];
		group_window(w, g->n, g->to, g->err, f * w->cfg.flags[i].latency_multiplier,
			     &o->on[i]);
		if (g->n == 0)
			o->off[i] = *m;
		else
			group_window(w, wv->req - g->n, wv->to - g->to, wv->err - g->err, f,
				     &o->off[i]);
	}
}

/* The latency faults' expected effect on version i's window m: every
 * latency (but the timeouts) times the average multiplier, plus the
 * average delay. */
static void fault_latency(const struct sim_wworld *w, int i, struct eng_window_metrics *m)
{
	const struct wversion *wv = &w->v[i];
	double *q[4] = { &m->p50_ms, &m->p95_ms, &m->p99_ms, &m->max_ms };
	double mult, delay;

	if (w->faults.n == 0 || wv->req == 0)
		return;
	mult = wv->fx_mult_sum / (double)wv->req;
	delay = wv->fx_delay_sum / (double)wv->req;
	if (mult == 1.0 && delay == 0.0)
		return;
	for (int k = 0; k < 4; k++)
		if (*q[k] != wv->cfg.timeout_ms)
			*q[k] = *q[k] * mult + delay;
	m->mean_ms = m->mean_ms * mult + delay;
}

/* Version i's instances down or unreachable at t_ns under a crash, a
 * crash loop (in its down part) or a partition, at most ready. */
static uint32_t crashed_instances(const struct sim_wworld *w, int i, int64_t t_ns,
				  uint32_t ready)
{
	uint32_t down = 0;

	for (size_t k = 0; k < w->faults.n; k++) {
		const struct sim_fault *f = &w->faults.faults[k];
		int64_t t = t_ns - 1, since = t - w->faults.start_ns[k];

		if (!sim_fault_targets(f, (enum eng_version)i) || !sim_fault_active(&w->faults, k, t))
			continue;
		if (f->kind == SIM_FAULT_CRASH || f->kind == SIM_FAULT_PARTITION ||
		    (f->kind == SIM_FAULT_CRASH_LOOP && since % f->every_ns < f->burst_ns))
			down += sim_fault_instances(f, w->v[i].cfg.instances);
	}
	return down < ready ? down : ready;
}

/* The memory a leak fault has added to version i's instances by t_ns, MB
 * (the window level has no OOM kills: it keeps growing). */
static double leaked_mb(const struct sim_wworld *w, int i, int64_t t_ns)
{
	double mb = 0.0;

	for (size_t k = 0; k < w->faults.n; k++) {
		const struct sim_fault *f = &w->faults.faults[k];
		int64_t s = w->faults.start_ns[k], e;

		if (f->kind != SIM_FAULT_MEMORY_LEAK || !sim_fault_targets(f, (enum eng_version)i) ||
		    s == INT64_MAX || t_ns <= s)
			continue;
		e = t_ns < s + f->duration_ns ? t_ns : s + f->duration_ns;
		mb += f->leak_mb_per_s * (double)(e - s) / 1e9;
	}
	return mb;
}

static void close_version(struct sim_wworld *w, int i, int64_t t_ns,
			  struct eng_window_metrics *m)
{
	struct wversion *wv = &w->v[i];
	const struct sim_version_config *v = &wv->cfg;
	double t_s = (double)t_ns / 1e9, win_s = (double)w->cfg.window_ns / 1e9;
	double f = slow_start_factor(v, t_s - win_s, t_s);

	draw_version(w, i);
	if (i == ENG_STABLE && w->cfg.nflags > 0)
		draw_flag_errors(w);
	m->requests = wv->req;
	m->errors = wv->err;
	m->timeouts = wv->to;
	m->slow = wv->slow;
	m->mirrored = wv->mir;
	m->mirrored_errors = wv->mir_err;
	m->error_rate_frac = wv->req ? (double)wv->err / (double)wv->req : NAN;
	m->mean_ms = wv->n_lat && !isnan(wv->sum_ms) ? wv->sum_ms / (double)wv->n_lat : NAN;
	m->p50_ms = m->p95_ms = m->p99_ms = m->max_ms = NAN;
	if (wv->req > 0) {
		struct mix mx = { wv->tab, NULL, 1.0, 0.0 };

		order_stats(w, quantile_rng(w, i, t_ns), &mx, wv->req, wv->to, v->timeout_ms, f,
			    w->want_q[i], m);
		fault_latency(w, i, m);
	}
	draw_bins(w, i);
	draw_dependency_calls(w, i);
	m->ready_instances = t_s >= v->ready_after_s ? v->instances : 0;
	m->ready_instances -= crashed_instances(w, i, t_ns, m->ready_instances);
	m->instances = v->instances;
	/* Little's law: requests in flight = arrival rate x time spent in
	 * service (the window's factors multiplied, not divided: a
	 * division's latency chained three deep was most of a window's own
	 * cost) */
	m->connections = (uint32_t)((double)wv->req * wv->conn_per_req * f + 0.5);
	m->memory_mb = v->resources.memory_base_mb + wv->mb_per_conn * m->connections +
		       v->resources.memory_leak_mb_per_s * t_s + leaked_mb(w, i, t_ns);
	m->cpu_frac = wv->cpu_ms * wv->per_cpu_ms;
	if (i == ENG_STABLE && w->cfg.nflags > 0)
		draw_flag_groups(w, f, m);
}

/* What users saw: both versions' latencies as one sample, drawn from the
 * mixture of their tables weighted by their counts. */
static void close_all(struct sim_wworld *w, struct eng_observation *o)
{
	struct eng_window_metrics *a = &o->all;
	const struct wversion *s = &w->v[ENG_STABLE], *c = &w->v[ENG_CANARY];
	/* users' requests: the canary's without its mirrored copies */
	uint64_t c_users = c->req - c->mir, c_to = c->to - c->mir_to;
	uint64_t ns = s->req - s->to, nc = c_users - c_to;
	double timeout = fmax(s->cfg.timeout_ms, c->cfg.timeout_ms);
	/* the users' share of the canary's latency sum: mirrored copies have
	 * the same latencies, so their expected share */
	double c_sum = c->req ? c->sum_ms * (double)c_users / (double)c->req : 0.0;

	a->requests = s->req + c_users;
	a->errors = s->err + c->err - c->mir_err;
	a->timeouts = s->to + c_to;
	a->slow = s->slow + c->slow - c->mir_slow;
	a->error_rate_frac = a->requests ? (double)a->errors / (double)a->requests : NAN;
	a->mean_ms = s->n_lat + c_users ?
		(s->sum_ms + c_sum) / (double)(s->n_lat + c_users) : NAN;
	a->p50_ms = a->p95_ms = a->p99_ms = a->max_ms = NAN;
	a->ready_instances = o->version[0].ready_instances + o->version[1].ready_instances;
	a->instances = o->version[0].instances + o->version[1].instances;
	a->connections = o->version[0].connections + o->version[1].connections;
	a->cpu_frac = NAN;
	a->memory_mb = NAN;
	if (a->requests == 0)
		return;
	/* One version served the users: its sample is theirs (the canary's
	 * includes its mirrored copies, of the same distribution). */
	if (s->req == 0 || c_users == 0) {
		const struct eng_window_metrics *only = &o->version[s->req ? ENG_STABLE : ENG_CANARY];

		a->p50_ms = only->p50_ms;
		a->p95_ms = only->p95_ms;
		a->p99_ms = only->p99_ms;
		a->max_ms = only->max_ms;
		return;
	}
	struct mix mx = { s->tab, c->tab, 1.0, 0.0 };

	if (!(w->want_q[ENG_NVERSIONS] & ~ENG_Q_MEAN))
		return;
	if (ns + nc > 0) {
		mx.ws = (double)ns / (double)(ns + nc);
		mx.wc = (double)nc / (double)(ns + nc);
	}
	order_stats(w, quantile_rng(w, ENG_NVERSIONS, o->t_ns), &mx, a->requests, a->timeouts,
		    timeout, 1.0, w->want_q[ENG_NVERSIONS], a);
}

/* Whether what users saw in the window ending at t_ns may be read: it
 * always may, unless the configuration says it is read only for the
 * recovery, and this window began before the canary's weight was back at
 * 0, or the weight is not back, or an earlier window since has met the
 * recovery SLO. The weight kept is the one the rollout set when it set it,
 * as the record keeps it, so no window the recovery reads is left out:
 * after the last return to 0 the weight stays there, and the first window
 * since that meets the SLO is the recovery. Under feature flags the
 * recovery is the bad flags' return to 0%, not the weight's: every window
 * is drawn. */
static bool users_read(const struct sim_wworld *w, int64_t t_ns)
{
	if (!w->cfg.users_read_for_recovery || w->cfg.nflags > 0)
		return true;
	return w->weight_zero_ns >= 0 && t_ns - w->cfg.window_ns >= w->weight_zero_ns &&
	       !w->recovered;
}

/* Which latency figures this window draws of each sample: those read of
 * a version's window, and of what users saw; when one version served all
 * the users, their sample is its own (close_all()), so it draws both. */
static void plan_quantiles(struct sim_wworld *w, bool users)
{
	const struct wversion *s = &w->v[ENG_STABLE], *c = &w->v[ENG_CANARY];
	unsigned all = users ? ENG_Q_ALL & ~w->cfg.unread_latency_all : 0u;

	for (int i = 0; i < ENG_NVERSIONS; i++)
		/* the users' mean is of both versions' latency sums */
		w->want_q[i] = (ENG_Q_ALL & ~w->cfg.unread_latency[i]) | (all & ENG_Q_MEAN);
	w->want_q[ENG_NVERSIONS] = all;
	if (s->req == 0 || c->req - c->mir == 0)
		w->want_q[s->req ? ENG_STABLE : ENG_CANARY] |= all;
}

static void close_window(struct sim_wworld *w, int64_t t_ns)
{
	struct eng_observation *o = &w->last;

	bool read = users_read(w, t_ns);

	draw_stretch(w, t_ns);
	plan_quantiles(w, read);
	memset(o, 0, sizeof(*o));
	o->t_ns = t_ns;
	o->window_ns = w->cfg.window_ns;
	o->weight_pct = w->weight_pct;
	if (w->cfg.latency_bins.n > 0)
		o->latency = &w->latency;
	if (w->cfg.ndeps > 0)
		o->deps = &w->deps;
	if (w->cfg.nflags > 0)
		o->flags = &w->flag_obs;
	for (int i = 0; i < ENG_NVERSIONS; i++)
		close_version(w, i, t_ns, &o->version[i]);
	close_all(w, o);
	if (read && w->cfg.users_read_for_recovery && w->weight_zero_ns >= 0 &&
	    eng_window_within_slo(&o->all, &w->cfg.recovery_slo))
		w->recovered = true;
	for (int i = 0; i < ENG_NVERSIONS; i++)
		clear_window(&w->v[i]);
	w->have_window = true;
	if (w->history != NULL) {
		sim_obs_history_push(w->history, o);
		w->seen = *o;
		sim_fault_observe(&w->faults, w->history, &w->seen);
	}
}

static enum eng_status world_now(void *ctx, int64_t *t_ns)
{
	*t_ns = ((struct sim_wworld *)ctx)->now_ns;
	return ENG_OK;
}

static void route(struct sim_wworld *w, const struct eng_action *act);

static enum eng_status world_wait_until(void *ctx, int64_t t_ns)
{
	struct sim_wworld *w = ctx;

	for (;;) {
		/* a delayed routing change lands at its moment, between windows */
		if (w->has_pending && w->pending_ns <= t_ns &&
		    w->pending_ns < w->next_window_ns) {
			w->now_ns = w->pending_ns > w->now_ns ? w->pending_ns : w->now_ns;
			route(w, &w->pending);
			w->has_pending = false;
			continue;
		}
		if (w->next_window_ns > t_ns)
			break;
		close_window(w, w->next_window_ns);
		w->now_ns = w->next_window_ns;
		w->next_window_ns += w->cfg.window_ns;
	}
	if (t_ns > w->now_ns)
		w->now_ns = t_ns;
	return ENG_OK;
}

static enum eng_status world_observe(void *ctx, struct eng_observation *obs)
{
	struct sim_wworld *w = ctx;

	if (w->have_window)
		*obs = w->history != NULL ? w->seen : w->last;
	else
		memset(obs, 0, sizeof(*obs));
	return ENG_OK;
}

static enum eng_status world_truth(void *ctx, struct eng_observation *obs)
{
	struct sim_wworld *w = ctx;

	if (w->have_window && w->history != NULL)
		*obs = w->last;
	return ENG_OK;
}

static enum eng_status world_notify(void *ctx, const struct eng_event *ev)
{
	sim_fault_schedule_notify(&((struct sim_wworld *)ctx)->faults, ev);
	return ENG_OK;
}

/* Carries a routing change out now. */
static void route(struct sim_wworld *w, const struct eng_action *act)
{
	if (act->kind == ENG_ACT_SET_FLAGS) {
		draw_stretch(w, w->now_ns); /* the old shares up to now */
		for (uint32_t f = 0; f < w->cfg.nflags; f++)
			w->flag_pct[f] = act->flag_pct[f];
		return;
	}
	if (act->kind != ENG_ACT_SET_WEIGHT)
		return;
	draw_stretch(w, w->now_ns); /* the old weight up to now */
	w->weight_pct = act->weight_pct;
	w->mirror_pct = act->mirror_pct;
}

/* As the router would under the actuation faults: at once, late (the
 * latest change wins), or not at all. */
static enum eng_status world_apply(void *ctx, const struct eng_action *act)
{
	struct sim_wworld *w = ctx;
	int64_t delay;

	if (act->kind == ENG_ACT_SET_WEIGHT) { /* as set, whether it lands or not */
		eng_note_weight(&w->weight_first_ns, &w->weight_zero_ns, act->weight_pct,
				w->now_ns);
		if (act->weight_pct > 0.0) /* a recovery is sought again */
			w->recovered = false;
	}
	if (act->kind == ENG_ACT_NONE || !sim_fault_actuation(&w->faults, w->now_ns, &delay))
		return ENG_OK;
	if (delay == 0) {
		route(w, act);
		return ENG_OK;
	}
	w->pending = *act;
	w->pending_ns = w->now_ns + delay;
	w->has_pending = true;
	return ENG_OK;
}

static enum eng_status world_approved(void *ctx, const char *gate, bool *yes)
{
	struct sim_wworld *w = ctx;

	*yes = sim_config_approved(&w->cfg, gate, w->now_ns);
	return ENG_OK;
}

static enum eng_status world_smoke_test(void *ctx, const char *name,
				       uint32_t attempt, bool *passed)
{
	*passed = sim_config_smoke_passes(&((struct sim_wworld *)ctx)->cfg, name, attempt);
	return ENG_OK;
}

static enum eng_status world_command(void *ctx, int64_t after_ns,
				     enum eng_command *cmd, int64_t *at_ns)
{
	struct sim_wworld *w = ctx;

	sim_config_command(&w->cfg, after_ns, w->now_ns, cmd, at_ns);
	return ENG_OK;
}

const struct eng_world_ops sim_window_world_ops = {
	.name = "sim-window",
	.now = world_now,
	.wait_until = world_wait_until,
	.observe = world_observe,
	.apply = world_apply,
	.approved = world_approved,
	.smoke_test = world_smoke_test,
	.command = world_command,
	.notify = world_notify,
	.truth = world_truth,
};
