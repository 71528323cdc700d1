#include "engine/rollout.h"

/* The bit of a latency metric; 0 for the others. */
static unsigned metric_quantile(enum eng_metric m)
{
	switch (m) {
	case ENG_METRIC_MEAN_MS:
		return ENG_Q_MEAN;
	case ENG_METRIC_P50_MS:
		return ENG_Q_P50;
	case ENG_METRIC_P95_MS:
		return ENG_Q_P95;
	case ENG_METRIC_P99_MS:
		return ENG_Q_P99;
	case ENG_METRIC_MAX_MS:
		return ENG_Q_MAX;
	default:
		return 0u;
	}
}

/* A check reads its metric of the stable version when it compares the
 * canary with it: a baseline limit, or a judge (whose judgement reports
 * the baseline's value). */
static bool reads_baseline(const struct eng_check *c)
{
	return eng_check_has_baseline_limit(c) || c->judge != ENG_JUDGE_NONE;
}

void eng_rollout_config_latency_reads(const struct eng_rollout_config *cfg,
				      unsigned q[ENG_NVERSIONS])
{
	const struct eng_check *c = cfg->analysis.checks;

	q[ENG_STABLE] = q[ENG_CANARY] = 0u;
	for (size_t i = 0; i < cfg->analysis.nchecks; i++) {
		q[ENG_CANARY] |= metric_quantile(c[i].metric);
		if (reads_baseline(&c[i]))
			q[ENG_STABLE] |= metric_quantile(c[i].metric);
	}
	for (size_t i = 0; i < cfg->ntriggers; i++) /* only thresholds read theirs */
		q[ENG_CANARY] |= metric_quantile(cfg->triggers[i].metric);
	/* a flag's checks judge groups of the stable version's requests */
	if (cfg->flags != NULL)
		for (size_t f = 0; f < cfg->flags->nflags; f++)
			for (size_t i = 0; i < cfg->flags->flag[f].nchecks; i++)
				q[ENG_STABLE] |= metric_quantile(cfg->flags->flag[f].checks[i].metric);
}

bool eng_rollout_config_reads_slow(const struct eng_rollout_config *cfg)
{
	return cfg->has_budget && cfg->has_latency_budget;
}
