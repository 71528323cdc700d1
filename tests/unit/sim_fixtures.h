/* Simulator fixtures shared by the suites that drive a world directly. */
#ifndef TESTS_UNIT_SIM_FIXTURES_H
#define TESTS_UNIT_SIM_FIXTURES_H

#include <string.h>

#include "sim/config.h"

/* A world of two alike versions: seed, 10 s windows, a constant rate_rps,
 * each version with `instances` instances of concurrency `concurrency`,
 * lognormal service time (median_ms, sigma 0.5), no errors. */
static inline struct sim_config fx_sim_config(uint64_t seed, double rate_rps,
					      uint32_t instances, uint32_t concurrency,
					      double median_ms)
{
	struct sim_config c;

	memset(&c, 0, sizeof(c));
	c.seed = seed;
	c.window_ns = 10 * ENG_NS_PER_S;
	c.traffic.rate_rps = rate_rps;
	for (int v = 0; v < ENG_NVERSIONS; v++) {
		sim_version_config_defaults(&c.version[v]);
		c.version[v].instances = instances;
		c.version[v].concurrency = concurrency;
		c.version[v].service.kind = SIM_DIST_LOGNORMAL;
		c.version[v].service.median_ms = median_ms;
		c.version[v].service.sigma = 0.5;
	}
	return c;
}

#endif
