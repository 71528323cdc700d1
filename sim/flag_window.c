#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/flag_window.h"

/* One group's window: its counts and latencies. */
struct group {
	uint64_t requests, errors, timeouts, rejected;
	struct sim_hist *hist;    /* owned */
};

struct sim_flag_window {
	uint32_t nflags;
	struct group g[ENG_MAX_FLAGS][2]; /* [flag][0: off, 1: on] */
};

struct sim_flag_window *sim_flag_window_create(uint32_t nflags)
{
	struct sim_flag_window *fw;

	if (nflags == 0 || nflags > ENG_MAX_FLAGS)
		return NULL;
	fw = calloc(1, sizeof(*fw));
	if (fw == NULL)
		return NULL;
	fw->nflags = nflags;
	for (uint32_t i = 0; i < nflags; i++) {
		for (int k = 0; k < 2; k++) {
			fw->g[i][k].hist = sim_hist_create();
			if (fw->g[i][k].hist == NULL)
				goto out_free;
		}
	}
	return fw;

out_free:
	sim_flag_window_free(fw);
	return NULL;
}

void sim_flag_window_free(struct sim_flag_window *fw)
{
	if (fw == NULL)
		return;
	for (uint32_t i = 0; i < fw->nflags; i++)
		for (int k = 0; k < 2; k++)
			sim_hist_free(fw->g[i][k].hist);
	free(fw);
}

void sim_flag_window_record(struct sim_flag_window *fw, uint8_t on, bool failed,
			    bool timeout, bool rejected, double latency_ms)
{
	for (uint32_t i = 0; i < fw->nflags; i++) {
		struct group *g = &fw->g[i][(on >> i) & 1u];

		g->requests++;
		g->errors += failed;
		g->timeouts += timeout;
		g->rejected += rejected;
		sim_hist_add(g->hist, latency_ms);
	}
}

static void close_group(struct group *g, struct eng_window_metrics *m)
{
	memset(m, 0, sizeof(*m));
	m->requests = g->requests;
	m->errors = g->errors;
	m->timeouts = g->timeouts;
	m->rejected = g->rejected;
	m->error_rate_frac = g->requests ? (double)g->errors / (double)g->requests : NAN;
	m->mean_ms = sim_hist_mean(g->hist);
	m->p50_ms = sim_hist_quantile(g->hist, 0.50);
	m->p95_ms = sim_hist_quantile(g->hist, 0.95);
	m->p99_ms = sim_hist_quantile(g->hist, 0.99);
	m->max_ms = sim_hist_max(g->hist);
	m->cpu_frac = NAN;        /* a version's, not a group's */
	m->memory_mb = NAN;
	g->requests = g->errors = g->timeouts = g->rejected = 0;
	sim_hist_reset(g->hist);
}

void sim_flag_window_close(struct sim_flag_window *fw, const double *pct,
			   struct eng_flag_observation *out)
{
	memset(out, 0, sizeof(*out));
	out->nflags = fw->nflags;
	for (uint32_t i = 0; i < fw->nflags; i++) {
		out->pct[i] = pct[i];
		close_group(&fw->g[i][1], &out->on[i]);
		close_group(&fw->g[i][0], &out->off[i]);
	}
}
