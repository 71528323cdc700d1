#include <math.h>
#include <stdlib.h>

#include "sim/histogram.h"
#include "sim/rng.h"
#include "sim/window_table.h"
#include "sim/window_world.h"

#define MC_SAMPLES 200000         /* draws that tabulate a latency with dependencies */

const char *sim_caveat_message(enum sim_caveat c)
{
	switch (c) {
#define SIM_CAVEAT_CASE(name, msg) \
	case name:                 \
		return msg;
		SIM_CAVEAT_LIST(SIM_CAVEAT_CASE)
#undef SIM_CAVEAT_CASE
	case SIM_NCAVEATS:
		break;
	}
	return "unknown caveat";
}

uint32_t sim_window_caveats(const struct sim_config *cfg, enum eng_version which)
{
	const struct sim_version_config *v = &cfg->version[which];
	double service_s = (sim_dist_mean_ms(&v->service) + sim_version_dependency_mean_ms(cfg, v)) *
			   v->slow_start_multiplier / 1e3;
	double load = sim_traffic_peak_rps(&cfg->traffic) * service_s /
		      ((double)v->instances * v->concurrency);
	uint32_t c = 0;

	if (!(load <= SIM_WINDOW_MAX_UTILISATION))
		c |= 1u << SIM_CAVEAT_QUEUEING;
	if (v->queue_limit != SIM_UNBOUNDED_QUEUE)
		c |= 1u << SIM_CAVEAT_QUEUE_LIMIT;
	if (v->resources.memory_limit_mb > 0.0)
		c |= 1u << SIM_CAVEAT_OOM;
	if (v->errors.model == SIM_ERRORS_GILBERT_ELLIOTT)
		c |= 1u << SIM_CAVEAT_BURSTS;
	if (v->timeout_ms > 0.0)
		c |= 1u << SIM_CAVEAT_TIMEOUT;
	for (uint32_t i = 0; i < cfg->nfaults; i++) {
		const struct sim_fault *f = &cfg->faults[i];

		if (sim_fault_targets(f, which) &&
		    (f->kind == SIM_FAULT_CRASH || f->kind == SIM_FAULT_CPU_HOG ||
		     f->kind == SIM_FAULT_CRASH_LOOP || f->kind == SIM_FAULT_MEMORY_LEAK ||
		     f->kind == SIM_FAULT_PARTITION ||
		     (f->kind == SIM_FAULT_LATENCY && (f->probability < 1.0 || f->jitter_ms > 0.0))))
			c |= 1u << SIM_CAVEAT_FAULTS;
	}
	return c;
}

static bool uses_dependencies(const struct sim_config *cfg,
			      const struct sim_version_config *v)
{
	for (uint32_t d = 0; d < cfg->ndeps; d++)
		if (v->dependencies & (1u << d))
			return true;
	return false;
}

/* Tabulates a version's latency on the bins: exactly from the CDF without
 * dependencies, from MC_SAMPLES draws of r with them. Timeouts are split
 * off: cum is the CDF given no timeout. */
static bool tabulate(const struct sim_config *cfg, const struct sim_version_config *v,
		     const double *centre, size_t n, gsl_rng *r, struct sim_wtab *t)
{
	size_t cut = n;
	double lo, hi, total, m = 0.0, m2 = 0.0, prev = 0.0;

	t->cum = calloc(n, sizeof(*t->cum));
	if (t->cum == NULL)
		return false;
	if (!uses_dependencies(cfg, v)) {
		for (size_t i = 0; i < n; i++) {
			sim_hist_bin_range(i, &lo, &hi);
			t->cum[i] = i + 1 == n ? 1.0 : sim_dist_cdf(&v->service, hi);
		}
	} else {
		for (int k = 0; k < MC_SAMPLES; k++) {
			double x = sim_dist_sample_ms(&v->service, r);
			size_t i;

			for (uint32_t d = 0; d < cfg->ndeps; d++)
				if (v->dependencies & (1u << d))
					x += sim_dist_sample_ms(&cfg->deps[d].latency, r);
			i = x <= SIM_HIST_MIN_MS ? 0 :
				(size_t)(log(x / SIM_HIST_MIN_MS) / log(SIM_HIST_RATIO));
			t->cum[i < n ? i : n - 1] += 1.0 / MC_SAMPLES;
		}
		for (size_t i = 1; i < n; i++)
			t->cum[i] += t->cum[i - 1];
		t->cum[n - 1] = 1.0;
	}
	/* Bins from the one holding the timeout upward are timeouts. */
	if (v->timeout_ms > 0.0) {
		for (cut = 0; cut < n; cut++) {
			sim_hist_bin_range(cut, &lo, &hi);
			if (hi > v->timeout_ms)
				break;
		}
		t->p_timeout = cut > 0 ? 1.0 - t->cum[cut - 1] : 1.0;
	}
	total = cut > 0 ? t->cum[cut - 1] : 0.0;
	for (size_t i = 0; i < n; i++) {
		double p = i < cut && total > 0.0 ? (t->cum[i] - prev) / total : 0.0;

		prev = t->cum[i];
		m += p * centre[i];
		m2 += p * centre[i] * centre[i];
	}
	for (size_t i = 0; i < n; i++)
		t->cum[i] = i < cut && total > 0.0 ? t->cum[i] / total : 1.0;
	t->guide = calloc(n + 1, sizeof(*t->guide));
	if (t->guide == NULL)
		return false;
	for (size_t g = 0, i = 0; g <= n; g++) {
		while (i + 1 < n && t->cum[i] < (double)g / (double)n)
			i++;
		t->guide[g] = (uint32_t)i;
	}
	t->mean_ms = m;
	t->var_ms2 = m2 - m * m > 0.0 ? m2 - m * m : 0.0;
	t->p_error = sim_version_error_frac(cfg, v);
	t->mean_service_ms = sim_dist_mean_ms(&v->service) + sim_version_dependency_mean_ms(cfg, v);
	return true;
}

/* P(latency <= x_ms | no timeout) from the fine table: the fine CDF,
 * interpolated in log latency within the bin that holds x. */
static double fine_cdf(const struct sim_wtab *t, size_t n, double x_ms)
{
	double lo, hi, below;
	size_t i;

	if (x_ms >= SIM_HIST_MAX_MS)
		return 1.0;
	if (x_ms <= SIM_HIST_MIN_MS)
		return 0.0;
	i = (size_t)(log(x_ms / SIM_HIST_MIN_MS) / log(SIM_HIST_RATIO));
	if (i >= n)
		return 1.0;
	sim_hist_bin_range(i, &lo, &hi);
	below = i > 0 ? t->cum[i - 1] : 0.0;
	return below + (t->cum[i] - below) * log(x_ms / lo) / log(hi / lo);
}

/* The shared bins' probabilities for version v's table t. */
static void tabulate_bins(const struct sim_config *cfg, const struct sim_version_config *v,
			  size_t n, struct sim_wtab *t)
{
	const struct sim_latency_bins *b = &cfg->latency_bins;
	double prev = 0.0;

	for (size_t j = 0; j < b->n; j++) {
		double c = j + 1 == b->n ? 1.0 : fine_cdf(t, n, b->upper_ms[j]);

		t->bin_p[j] = c > prev ? c - prev : 0.0;
		prev = c > prev ? c : prev;
	}
	t->timeout_bin = b->n > 0 ? sim_latency_bin(b, v->timeout_ms) : 0;
}

struct sim_wtable *sim_wtable_create(const struct sim_config *cfg)
{
	struct sim_wtable *t = calloc(1, sizeof(*t));
	gsl_rng *r = NULL;

	if (t == NULL)
		return NULL;
	t->nbins = sim_hist_nbins();
	t->centre = calloc(t->nbins, sizeof(*t->centre));
	/* a fixed seed: the table belongs to the configuration, not the run */
	r = sim_rng_create(0, SIM_STREAM_SERVICE_STABLE);
	if (t->centre == NULL || r == NULL)
		goto out_free;
	for (size_t i = 0; i < t->nbins; i++) {
		double lo, hi;

		sim_hist_bin_range(i, &lo, &hi);
		t->centre[i] = sqrt(lo * hi);
	}
	for (int i = 0; i < ENG_NVERSIONS; i++) {
		if (!tabulate(cfg, &cfg->version[i], t->centre, t->nbins, r, &t->v[i]))
			goto out_free;
		tabulate_bins(cfg, &cfg->version[i], t->nbins, &t->v[i]);
		t->v[i].p_slow = cfg->slow_ms > 0.0 ?
			1.0 - fine_cdf(&t->v[i], t->nbins, cfg->slow_ms) : 0.0;
		sim_binomial_init(&t->v[i].timeouts, t->v[i].p_timeout);
		sim_binomial_init(&t->v[i].errors, t->v[i].p_error);
		sim_binomial_init(&t->v[i].slow, t->v[i].p_slow);
	}
	gsl_rng_free(r);
	return t;

out_free:
	if (r != NULL)
		gsl_rng_free(r);
	sim_wtable_free(t);
	return NULL;
}

void sim_wtable_free(struct sim_wtable *t)
{
	if (t == NULL)
		return;
	for (int i = 0; i < ENG_NVERSIONS; i++) {
		free(t->v[i].cum);
		free(t->v[i].guide);
	}
	free(t->centre);
	free(t);
}
