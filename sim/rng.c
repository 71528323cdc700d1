#include <string.h>

#include "sim/rng.h"

static uint64_t splitmix64(uint64_t x)
{
	x += UINT64_C(0x9e3779b97f4a7c15);
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

uint64_t sim_stream_seed(uint64_t run_seed, uint32_t stream)
{
	uint64_t s = splitmix64(splitmix64(run_seed) ^ ((uint64_t)stream + 1) *
					 UINT64_C(0xd1b54a32d192ed03));

	if ((s & UINT64_C(0xffffffff)) == 0)
		s |= 1; /* the generators treat a zero seed as their default seed */
	return s;
}

static void seed_stream(gsl_rng *r, uint64_t run_seed, uint32_t stream)
{
	gsl_rng_set(r, (unsigned long)(sim_stream_seed(run_seed, stream) &
				       UINT64_C(0xffffffff)));
}

gsl_rng *sim_rng_create(uint64_t run_seed, uint32_t stream)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);

	if (r == NULL)
		return NULL;
	seed_stream(r, run_seed, stream);
	return r;
}

void sim_streams_free(struct sim_streams *st)
{
	gsl_rng **all[] = {
		&st->arrivals, &st->thinning, &st->routing, &st->bins, &st->mirror, &st->flags,
		&st->service[0],
		&st->service[1], &st->errors[0], &st->errors[1]
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (*all[i] != NULL)
			gsl_rng_free(*all[i]);
		*all[i] = NULL;
	}
	for (size_t d = 0; d < SIM_STREAM_DEPENDENCIES; d++) {
		if (st->dep[d] != NULL)
			gsl_rng_free(st->dep[d]);
		st->dep[d] = NULL;
	}
}

bool sim_streams_create(struct sim_streams *st, uint64_t run_seed, uint32_t ndeps)
{
	bool ok = true;

	memset(st, 0, sizeof(*st));
	st->arrivals = sim_rng_create(run_seed, SIM_STREAM_ARRIVALS);
	st->thinning = sim_rng_create(run_seed, SIM_STREAM_THINNING);
	st->routing = sim_rng_create(run_seed, SIM_STREAM_ROUTING);
	st->bins = sim_rng_create(run_seed, SIM_STREAM_LATENCY_BINS);
	st->mirror = sim_rng_create(run_seed, SIM_STREAM_MIRROR);
	st->flags = sim_rng_create(run_seed, SIM_STREAM_FLAGS);
	st->service[0] = sim_rng_create(run_seed, SIM_STREAM_SERVICE_STABLE);
	st->service[1] = sim_rng_create(run_seed, SIM_STREAM_SERVICE_CANARY);
	st->errors[0] = sim_rng_create(run_seed, SIM_STREAM_ERRORS_STABLE);
	st->errors[1] = sim_rng_create(run_seed, SIM_STREAM_ERRORS_CANARY);
	ok = st->arrivals && st->thinning && st->routing && st->bins && st->mirror &&
	     st->flags &&
	     st->service[0] &&
	     st->service[1] && st->errors[0] && st->errors[1] &&
	     ndeps <= SIM_STREAM_DEPENDENCIES;
	for (uint32_t d = 0; ok && d < ndeps; d++) {
		st->dep[d] = sim_rng_create(run_seed, SIM_STREAM_DEPENDENCY_FIRST + d);
		ok = st->dep[d] != NULL;
	}
	if (!ok)
		sim_streams_free(st);
	return ok;
}

void sim_streams_reseed(struct sim_streams *st, uint64_t run_seed)
{
	seed_stream(st->arrivals, run_seed, SIM_STREAM_ARRIVALS);
	seed_stream(st->thinning, run_seed, SIM_STREAM_THINNING);
	seed_stream(st->routing, run_seed, SIM_STREAM_ROUTING);
	seed_stream(st->bins, run_seed, SIM_STREAM_LATENCY_BINS);
	seed_stream(st->mirror, run_seed, SIM_STREAM_MIRROR);
	seed_stream(st->flags, run_seed, SIM_STREAM_FLAGS);
	seed_stream(st->service[0], run_seed, SIM_STREAM_SERVICE_STABLE);
	seed_stream(st->service[1], run_seed, SIM_STREAM_SERVICE_CANARY);
	seed_stream(st->errors[0], run_seed, SIM_STREAM_ERRORS_STABLE);
	seed_stream(st->errors[1], run_seed, SIM_STREAM_ERRORS_CANARY);
	for (uint32_t d = 0; d < SIM_STREAM_DEPENDENCIES && st->dep[d] != NULL; d++)
		seed_stream(st->dep[d], run_seed, SIM_STREAM_DEPENDENCY_FIRST + d);
}
