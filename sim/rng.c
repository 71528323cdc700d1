#include <string.h>

#include "sim/rng.h"

/* A bijection of 32-bit words: xorshifts and multiplications by odd
 * constants are each invertible (the constants are the "lowbias32" ones of
 * the hash-prospector search, chosen for avalanche). */
static uint32_t mix32(uint32_t x)
{
	x ^= x >> 16;
	x *= UINT32_C(0x7feb352d);
	x ^= x >> 15;
	x *= UINT32_C(0x846ca68b);
	x ^= x >> 16;
	return x;
}

uint64_t sim_stream_seed(uint64_t run_seed, uint32_t stream)
{
	uint32_t x = (uint32_t)(run_seed ^ (run_seed >> 32));

	return mix32(x ^ (stream + 1u) * UINT32_C(0x9e3779b9));
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
		&st->arrivals, &st->thinning, &st->routing, &st->bins, &st->mirror, &st->slow,
		&st->flags, &st->faults,
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
	st->slow = sim_rng_create(run_seed, SIM_STREAM_SLOW);
	st->flags = sim_rng_create(run_seed, SIM_STREAM_FLAGS);
	st->faults = sim_rng_create(run_seed, SIM_STREAM_FAULTS);
	st->service[0] = sim_rng_create(run_seed, SIM_STREAM_SERVICE_STABLE);
	st->service[1] = sim_rng_create(run_seed, SIM_STREAM_SERVICE_CANARY);
	st->errors[0] = sim_rng_create(run_seed, SIM_STREAM_ERRORS_STABLE);
	st->errors[1] = sim_rng_create(run_seed, SIM_STREAM_ERRORS_CANARY);
	ok = st->arrivals && st->thinning && st->routing && st->bins && st->mirror && st->slow &&
	     st->flags && st->faults &&
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
	seed_stream(st->slow, run_seed, SIM_STREAM_SLOW);
	seed_stream(st->flags, run_seed, SIM_STREAM_FLAGS);
	seed_stream(st->faults, run_seed, SIM_STREAM_FAULTS);
	seed_stream(st->service[0], run_seed, SIM_STREAM_SERVICE_STABLE);
	seed_stream(st->service[1], run_seed, SIM_STREAM_SERVICE_CANARY);
	seed_stream(st->errors[0], run_seed, SIM_STREAM_ERRORS_STABLE);
	seed_stream(st->errors[1], run_seed, SIM_STREAM_ERRORS_CANARY);
	for (uint32_t d = 0; d < SIM_STREAM_DEPENDENCIES && st->dep[d] != NULL; d++)
		seed_stream(st->dep[d], run_seed, SIM_STREAM_DEPENDENCY_FIRST + d);
}

void sim_rng_reseed(gsl_rng *r, uint64_t run_seed, uint32_t stream)
{
	seed_stream(r, run_seed, stream);
}

#define SPLITMIX_GAMMA UINT64_C(0x9e3779b97f4a7c15)

/* SplitMix64's output function (the finaliser of MurmurHash3 with the
 * constants of Stafford's "Mix13"), a bijection of 64-bit words. */
static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

struct splitmix_state {
	uint64_t s;
};

static uint64_t splitmix_next(void *vstate)
{
	struct splitmix_state *st = vstate;

	st->s += SPLITMIX_GAMMA;
	return mix64(st->s);
}

static void splitmix_set(void *vstate, unsigned long seed)
{
	((struct splitmix_state *)vstate)->s = (uint64_t)seed;
}

static unsigned long splitmix_get(void *vstate)
{
	return (unsigned long)(splitmix_next(vstate) >> 32);
}

static double splitmix_get_double(void *vstate)
{
	return (double)(splitmix_next(vstate) >> 11) * 0x1.0p-53;
}

static const gsl_rng_type splitmix_type = {
	"splitmix64", 0xffffffffUL, 0, sizeof(struct splitmix_state),
	splitmix_set, splitmix_get, splitmix_get_double
};

gsl_rng *sim_keyed_rng_create(void)
{
	return gsl_rng_alloc(&splitmix_type);
}

void sim_keyed_rng_set(gsl_rng *r, uint64_t run_seed, uint32_t stream, uint64_t index)
{
	uint64_t key = mix64(run_seed ^ mix64(((uint64_t)stream << 32) + 1u));

	gsl_rng_set(r, (unsigned long)mix64(key + index * SPLITMIX_GAMMA));
}
