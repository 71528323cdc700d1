#include <math.h>
#include <stdlib.h>

#include "replay/world.h"

struct replay_world {
	const struct replay_series *s; /* borrowed */
	int64_t now_ns;           /* replay time, ns */
	double weight_pct;        /* the canary weight the engine last set, 0..100 */
};

struct replay_world *replay_world_create(const struct replay_series *s)
{
	struct replay_world *w = calloc(1, sizeof(*w));

	if (w != NULL)
		w->s = s;
	return w;
}

void replay_world_free(struct replay_world *w)
{
	free(w);
}

int64_t replay_world_origin_ns(const struct replay_world *w)
{
	return replay_series_end_ns(w->s, 0) - replay_series_step_ns(w->s);
}

int64_t replay_world_end_ns(const struct replay_world *w)
{
	return (int64_t)replay_series_count(w->s) * replay_series_step_ns(w->s);
}

static enum eng_status now(void *ctx, int64_t *t_ns)
{
	const struct replay_world *w = ctx;

	*t_ns = w->now_ns;
	return ENG_OK;
}

static enum eng_status wait_until(void *ctx, int64_t t_ns)
{
	struct replay_world *w = ctx;

	if (t_ns < w->now_ns)
		return ENG_EINVAL;
	if (t_ns > replay_world_end_ns(w))
		return ENG_EEND;
	w->now_ns = t_ns;
	return ENG_OK;
}

/* What users saw, from both versions' windows: the counts added up
 * (mirrored copies reached no user); the mean weighted by requests; as a
 * quantile of the whole, the larger of the versions' (the whole's q-quantile
 * is at most that: each version has a share q at or below its own); CPU
 * and memory, which do not add across versions, NaN. */
static void users_saw(const struct eng_window_metrics *v, struct eng_window_metrics *all)
{
	double sum_ms = 0.0;

	replay_metrics_none(all);
	for (int i = 0; i < ENG_NVERSIONS; i++) {
		const struct eng_window_metrics *m = &v[i];

		all->requests += m->requests - m->mirrored;
		all->errors += m->errors - m->mirrored_errors;
		all->timeouts += m->timeouts;
		all->rejected += m->rejected;
		all->slow += m->slow;
		all->ready_instances += m->ready_instances;
		all->instances += m->instances;
		all->connections += m->connections;
	}
	if (all->requests == 0)
		return;
	all->error_rate_frac = (double)all->errors / (double)all->requests;
	all->p50_ms = all->p95_ms = all->p99_ms = all->max_ms = -INFINITY;
	for (int i = 0; i < ENG_NVERSIONS; i++) {
		const struct eng_window_metrics *m = &v[i];

		if (m->requests == 0)
			continue;
		sum_ms += m->mean_ms * (double)m->requests;
		all->p50_ms = fmax(all->p50_ms, m->p50_ms);
		all->p95_ms = fmax(all->p95_ms, m->p95_ms);
		all->p99_ms = fmax(all->p99_ms, m->p99_ms);
		all->max_ms = fmax(all->max_ms, m->max_ms);
		/* fmax skips NaN: a version without the figure leaves the whole without it */
		if (isnan(m->p50_ms))
			all->p50_ms = NAN;
		if (isnan(m->p95_ms))
			all->p95_ms = NAN;
		if (isnan(m->p99_ms))
			all->p99_ms = NAN;
		if (isnan(m->max_ms))
			all->max_ms = NAN;
	}
	all->mean_ms = sum_ms / (double)(v[0].requests + v[1].requests);
}

static enum eng_status observe(void *ctx, struct eng_observation *obs)
{
	const struct replay_world *w = ctx;
	int64_t step = replay_series_step_ns(w->s);
	size_t closed = (size_t)(w->now_ns / step); /* windows ended by now */

	*obs = (struct eng_observation){ .weight_pct = w->weight_pct };
	if (closed == 0)
		return ENG_OK; /* no window yet: window_ns 0 says so */
	obs->t_ns = (int64_t)closed * step;
	obs->window_ns = step;
	for (int v = 0; v < ENG_NVERSIONS; v++)
		obs->version[v] = *replay_series_get(w->s, closed - 1, (enum eng_version)v);
	users_saw(obs->version, &obs->all);
	return ENG_OK;
}

static enum eng_status apply(void *ctx, const struct eng_action *act)
{
	struct replay_world *w = ctx;

	if (act->kind != ENG_ACT_SET_WEIGHT)
		return ENG_ENOTSUP; /* a recording has no feature flags to set */
	w->weight_pct = act->weight_pct;
	return ENG_OK;
}

const struct eng_world_ops replay_world_ops = {
	.name = "replay",
	.now = now,
	.wait_until = wait_until,
	.observe = observe,
	.apply = apply,
	.approved = NULL,
	.smoke_test = NULL,
	.command = NULL,
};
