#include <math.h>
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

void sim_latency_bins_init(struct sim_latency_bins *b, const struct sim_dist *d)
{
	b->n = 0;
	for (int i = 1; i < SIM_LATENCY_BINS; i++) {
		double q = sim_dist_quantile_ms(d, (double)i / SIM_LATENCY_BINS);

		if (!(q > 0.0) || !isfinite(q) || (b->n > 0 && q <= b->upper_ms[b->n - 1]))
			continue;
		b->upper_ms[b->n++] = q;
	}
	b->upper_ms[b->n++] = INFINITY;
}

size_t sim_latency_bin(const struct sim_latency_bins *b, double x_ms)
{
	size_t lo = 0, hi = b->n - 1;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (b->upper_ms[mid] >= x_ms)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

bool sim_latency_bins_valid(const struct sim_latency_bins *b)
{
	if (b->n > SIM_LATENCY_BINS || (b->n > 0 && b->upper_ms[b->n - 1] != INFINITY))
		return false;
	for (size_t i = 0; i < b->n; i++)
		if (!(b->upper_ms[i] > (i > 0 ? b->upper_ms[i - 1] : 0.0)))
			return false;
	return true;
}

void sim_config_command(const struct sim_config *cfg, int64_t after_ns,
			int64_t now_ns, enum eng_command *cmd, int64_t *at_ns)
{
	*cmd = ENG_CMD_NONE;
	*at_ns = after_ns;
	for (uint32_t i = 0; i < cfg->ncommands && i < SIM_MAX_COMMANDS; i++) {
		const struct sim_command *c = &cfg->commands[i];

		if (c->at_ns > after_ns && c->at_ns <= now_ns) {
			*cmd = c->command;
			*at_ns = c->at_ns;
			return;
		}
	}
}

double sim_version_error_frac(const struct sim_config *cfg,
			      const struct sim_version_config *v)
{
	const struct sim_errors *e = &v->errors;
	double ok, p = e->p_enter_bad, q = e->p_leave_bad;

	if (e->model == SIM_ERRORS_BERNOULLI)
		ok = 1.0 - e->rate_frac;
	else if (p + q == 0.0)
		ok = 1.0 - e->good_rate_frac; /* starts good and stays there */
	else
		ok = 1.0 - (q * e->good_rate_frac + p * e->bad_rate_frac) / (p + q);
	for (uint32_t d = 0; d < cfg->ndeps && d < SIM_MAX_DEPENDENCIES; d++)
		if (v->dependencies & (1u << d))
			ok *= 1.0 - cfg->deps[d].error_frac;
	return 1.0 - ok;
}

bool sim_flag_is_bad(const struct sim_flag_config *f)
{
	return f->error_frac > 0.0 || f->latency_multiplier > 1.0;
}

double sim_version_dependency_mean_ms(const struct sim_config *cfg,
				 const struct sim_version_config *v)
{
	double m = 0.0;

	for (uint32_t d = 0; d < cfg->ndeps; d++)
		if (v->dependencies & (1u << d))
			m += sim_dist_mean_ms(&cfg->deps[d].latency);
	return m;
}
