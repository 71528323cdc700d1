#include <string.h>

#include "sim/config.h"

void sim_version_config_defaults(struct sim_version_config *v)
{
	memset(v, 0, sizeof(*v));
	v->instances = 1;
	v->concurrency = 1;
	v->queue_limit = SIM_UNBOUNDED_QUEUE;
	v->slow_start_multiplier = 1.0;
	v->errors.model = SIM_ERRORS_BERNOULLI;
	v->resources.cpu_cores = 1.0;
}

bool sim_config_approved(const struct sim_config *cfg, const char *gate,
			 int64_t now_ns)
{
	for (uint32_t i = 0; i < cfg->napprovals && i < SIM_MAX_APPROVALS; i++)
		if (strcmp(cfg->approvals[i].gate, gate) == 0 &&
		    now_ns >= cfg->approvals[i].at_ns)
			return true;
	return false;
}

bool sim_config_smoke_passes(const struct sim_config *cfg, const char *name,
			     uint32_t attempt)
{
	for (uint32_t i = 0; i < cfg->nsmoke && i < SIM_MAX_SMOKE_TESTS; i++)
		if (strcmp(cfg->smoke[i].name, name) == 0)
			return cfg->smoke[i].passes_on != 0 && attempt >= cfg->smoke[i].passes_on;
	return true;
}
