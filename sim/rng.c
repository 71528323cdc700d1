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

gsl_rng *sim_rng_create(uint64_t run_seed, uint32_t stream)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);

	if (r == NULL)
		return NULL;
	gsl_rng_set(r, (unsigned long)(sim_stream_seed(run_seed, stream) &
				       UINT64_C(0xffffffff)));
	return r;
}
