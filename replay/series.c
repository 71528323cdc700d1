#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "replay/series.h"

struct replay_series {
	int64_t first_end_ns;     /* end of window 0, ns */
	int64_t step_ns;          /* window length, ns */
	size_t n;                 /* windows */
	struct eng_window_metrics *m; /* owned: n * ENG_NVERSIONS, window-major */
};

void replay_metrics_none(struct eng_window_metrics *m)
{
	memset(m, 0, sizeof(*m));
	m->error_rate_frac = NAN;
	m->mean_ms = m->p50_ms = m->p95_ms = m->p99_ms = m->max_ms = NAN;
	m->cpu_frac = m->memory_mb = NAN;
}

struct replay_series *replay_series_create(int64_t first_end_ns, int64_t step_ns,
					   size_t nwindows)
{
	struct replay_series *s;
	/* room for (n - 1) * step_ns and for the last end: a first end before
	 * 0 (a recording's origin may be anywhere) leaves the whole range */
	int64_t room = first_end_ns > 0 ? INT64_MAX - first_end_ns : INT64_MAX;

	if (step_ns <= 0 || nwindows == 0 ||
	    nwindows > SIZE_MAX / ENG_NVERSIONS / sizeof(*s->m) ||
	    (int64_t)(nwindows - 1) > room / step_ns)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->m = malloc(nwindows * ENG_NVERSIONS * sizeof(*s->m));
	if (s->m == NULL) {
		free(s);
		return NULL;
	}
	s->first_end_ns = first_end_ns;
	s->step_ns = step_ns;
	s->n = nwindows;
	for (size_t i = 0; i < nwindows * ENG_NVERSIONS; i++)
		replay_metrics_none(&s->m[i]);
	return s;
}

void replay_series_free(struct replay_series *s)
{
	if (s == NULL)
		return;
	free(s->m);
	free(s);
}

size_t replay_series_count(const struct replay_series *s)
{
	return s->n;
}

int64_t replay_series_step_ns(const struct replay_series *s)
{
	return s->step_ns;
}

int64_t replay_series_end_ns(const struct replay_series *s, size_t i)
{
	return s->first_end_ns + (int64_t)i * s->step_ns;
}

struct eng_window_metrics *replay_series_at(struct replay_series *s, size_t i,
					    enum eng_version v)
{
	return &s->m[i * ENG_NVERSIONS + (size_t)v];
}

const struct eng_window_metrics *replay_series_get(const struct replay_series *s,
						   size_t i, enum eng_version v)
{
	return &s->m[i * ENG_NVERSIONS + (size_t)v];
}
