#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/rollout.h"
#include "reports/csv_out.h"
#include "reports/file_out.h"
#include "reports/parallel.h"
#include "reports/stats.h"
#include "reports/study.h"

void rpt_confusion_add(struct rpt_confusion *c, const struct rpt_summary *sum)
{
	c->runs++;
	switch (sum->outcome) {
	case ENG_OUTCOME_ROLLED_BACK:
		if (sum->canary_bad)
			c->true_rollbacks++;
		else
			c->false_rollbacks++;
		break;
	case ENG_OUTCOME_PROMOTED:
		if (sum->canary_bad)
			c->missed++;
		else
			c->correct_promotions++;
		break;
	case ENG_OUTCOME_BLOCKED:
		c->blocked++;
		break;
	default:
		c->other++;
		break;
	}
}

double rpt_budget_consumed(const struct rpt_summary *sum, double availability_frac)
{
	double allowed = (1.0 - availability_frac) * (double)sum->requests;

	if (sum->requests == 0 || !(allowed > 0.0))
		return NAN;
	return (double)sum->failed_requests / allowed;
}

/* --- runs.csv -------------------------------------------------------------- */

static int write_runs(FILE *f, const void *ctx)
{
	const struct rpt_study *st = ctx;
	int rc = fputs("run,scenario,seed,canary_bad,outcome,ttd_s,ttr_s,failed_requests,"
		       "canary_failed_requests,budget_consumed_frac,duration_s,final_weight_pct\n",
		       f) < 0;

	for (size_t i = 0; i < st->nruns && rc == 0; i++) {
		const struct rpt_study_run *r = &st->runs[i];
		const struct rpt_study_entry *e = &st->entries[r->entry];
		const struct rpt_summary *s = &r->sum;

		rc |= fprintf(f, "%zu,", i) < 0;
		rc |= rpt_csv_text(f, e->name);
		rc |= fprintf(f, ",%llu,%s,%s,", (unsigned long long)r->seed,
			      s->canary_bad ? "true" : "false", eng_outcome_name(s->outcome)) < 0;
		rc |= rpt_csv_number(f, s->has_ttd ? s->ttd_s : NAN, 3);
		rc |= fputc(',', f) == EOF;
		rc |= rpt_csv_number(f, s->has_ttr ? s->ttr_s : NAN, 3);
		rc |= fprintf(f, ",%llu,%llu,", (unsigned long long)s->failed_requests,
			      (unsigned long long)s->canary_failed_requests) < 0;
		rc |= rpt_csv_number(f, rpt_budget_consumed(s, e->availability_frac), 6);
		rc |= fputc(',', f) == EOF;
		rc |= rpt_csv_number(f, s->duration_s, 3);
		rc |= fputc(',', f) == EOF;
		rc |= rpt_csv_number(f, s->final_weight_pct, 3);
		rc |= fputc('\n', f) == EOF;
	}
	return rc ? -1 : 0;
}

/* --- summary.json ---------------------------------------------------------- */

/* {"estimate": e, "lo": l, "hi": h} */
static cJSON *interval_json(struct rpt_interval iv)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || !rpt_json_add_number(o, "estimate", iv.est) || !rpt_json_add_number(o, "lo", iv.lo) ||
	    !rpt_json_add_number(o, "hi", iv.hi)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static bool add_interval(cJSON *o, const char *key, struct rpt_interval iv)
{
	cJSON *x = interval_json(iv);

	if (x != NULL && cJSON_AddItemToObject(o, key, x))
		return true;
	cJSON_Delete(x);
	return false;
}

/* The runs of entry `which` (SIZE_MAX: all) in run order. */
static bool selected(const struct rpt_study_run *r, size_t which)
{
	return which == SIZE_MAX || r->entry == which;
}

/* What a run contributes to a distribution: NaN when it has none. */
enum figure { FIG_TTD, FIG_TTR, FIG_DURATION, FIG_BLAST, FIG_BUDGET, NFIGS };

/* summary.json's keys of the figures, and of their statistics. */
static const char *const fig_keys[NFIGS] = {
	"ttd_s", "ttr_s", "duration_s", "blast_radius_requests", "budget_consumed_frac",
};

static const struct {
	const char *key;
	enum rpt_stat stat;
} stats[] = {
	{ "mean", RPT_STAT_MEAN },
	{ "median", RPT_STAT_MEDIAN },
	{ "p90", RPT_STAT_P90 },
	{ "p99", RPT_STAT_P99 },
};
#define NSTATS (sizeof(stats) / sizeof(stats[0]))

static double figure_of(const struct rpt_study *st, const struct rpt_study_run *r,
			enum figure fig)
{
	const struct rpt_summary *s = &r->sum;

	switch (fig) {
	case FIG_TTD:
		return s->has_ttd ? s->ttd_s : NAN;
	case FIG_TTR:
		return s->has_ttr ? s->ttr_s : NAN;
	case FIG_DURATION:
		return s->duration_s;
	case FIG_BLAST: /* failed requests on the canary, of bad canaries */
		return s->canary_bad ? (double)s->canary_failed_requests : NAN;
	case FIG_BUDGET:
		return rpt_budget_consumed(s, st->entries[r->entry].availability_frac);
	case NFIGS:
		break;
	}
	return NAN;
}

/* --- the bootstrap intervals, one task each -------------------------------- */

/* Task i is statistic i % NSTATS of figure i / NSTATS % NFIGS of group
 * i / (NSTATS NFIGS): group 0 is all runs, group 1 + e entry e. Its
 * bootstrap seed is the study seed + 16 x figure + statistic, whatever the
 * group, so that a study of one scenario shows the same intervals for it
 * as for all. */
struct interval_task {
	size_t n;                 /* the runs with the figure */
	struct rpt_interval iv;
	bool failed;              /* out of memory */
};

struct intervals {
	const struct rpt_study *st;
	struct interval_task *t;  /* (1 + nentries) x NFIGS x NSTATS */
};

static void interval_task(size_t i, void *ctx)
{
	const struct intervals *in = ctx;
	const struct rpt_study *st = in->st;
	struct interval_task *t = &in->t[i];
	size_t g = i / (NSTATS * NFIGS), which = g == 0 ? SIZE_MAX : g - 1, k = i % NSTATS;
	enum figure fig = (enum figure)(i / NSTATS % NFIGS);
	double *x = malloc((st->nruns ? st->nruns : 1) * sizeof(*x));

	t->n = 0;
	t->failed = true;
	if (x == NULL)
		return;
	for (size_t r = 0; r < st->nruns; r++) {
		double v;

		if (!selected(&st->runs[r], which))
			continue;
		v = figure_of(st, &st->runs[r], fig);
		if (!isnan(v))
			x[t->n++] = v;
	}
	t->failed = rpt_bootstrap(x, t->n, stats[k].stat, st->bootstrap,
				  st->seed + 16 * (uint64_t)fig + k, &t->iv) != 0;
	free(x);
}

/* --- summary.json ---------------------------------------------------------- */

/* {"n": .., "mean": {..}, "median": {..}, "p90": {..}, "p99": {..}} of
 * the NSTATS tasks at t, each with its bootstrap interval; NULL: out of
 * memory. */
static cJSON *distribution_json(const struct interval_task *t)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL || !rpt_json_add_u64(o, "n", t[0].n))
		goto fail;
	for (size_t k = 0; k < NSTATS; k++)
		if (t[k].failed || !add_interval(o, stats[k].key, t[k].iv))
			goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

/* The group's figures: the confusion matrix with its rates and the
 * distributions, whose intervals are at t (NFIGS x NSTATS of them). */
static cJSON *group_json(const struct rpt_study *st, size_t which, const struct interval_task *t)
{
	struct rpt_confusion c = { 0 };
	cJSON *o = cJSON_CreateObject(), *m;

	for (size_t i = 0; i < st->nruns; i++)
		if (selected(&st->runs[i], which))
			rpt_confusion_add(&c, &st->runs[i].sum);
	m = cJSON_AddObjectToObject(o, "confusion");
	if (o == NULL || m == NULL || !rpt_json_add_u64(o, "runs", c.runs) ||
	    !rpt_json_add_u64(m, "true_rollbacks", c.true_rollbacks) ||
	    !rpt_json_add_u64(m, "false_rollbacks", c.false_rollbacks) ||
	    !rpt_json_add_u64(m, "missed_bad_releases", c.missed) ||
	    !rpt_json_add_u64(m, "correct_promotions", c.correct_promotions) ||
	    !rpt_json_add_u64(m, "blocked", c.blocked) || !rpt_json_add_u64(m, "other", c.other) ||
	    !add_interval(o, "precision",
			  rpt_wilson(c.true_rollbacks, c.true_rollbacks + c.false_rollbacks)) ||
	    !add_interval(o, "recall", rpt_wilson(c.true_rollbacks, c.true_rollbacks + c.missed)) ||
	    !add_interval(o, "false_rollback_rate",
			  rpt_wilson(c.false_rollbacks, c.false_rollbacks + c.correct_promotions)))
		goto fail;
	for (size_t f = 0; f < NFIGS; f++) {
		cJSON *d = distribution_json(&t[f * NSTATS]);

		if (d == NULL || !cJSON_AddItemToObject(o, fig_keys[f], d)) {
			cJSON_Delete(d);
			goto fail;
		}
	}
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

cJSON *rpt_study_json(const struct rpt_study *st)
{
	size_t ntasks = (1 + st->nentries) * NFIGS * NSTATS;
	struct intervals in = { st, calloc(ntasks, sizeof(*in.t)) };
	cJSON *o = cJSON_CreateObject(), *per, *all = NULL;

	if (o == NULL || in.t == NULL)
		goto fail;
	/* every interval first, spread over the threads; then the JSON in
	 * order, from them */
	rpt_parallel(ntasks, st->threads, interval_task, &in);
	if (cJSON_AddStringToObject(o, "study", st->name) == NULL ||
	    !rpt_json_add_u64(o, "seed", st->seed) ||
	    cJSON_AddStringToObject(o, "fidelity", st->fidelity) == NULL ||
	    !rpt_json_add_u64(o, "bootstrap_resamples", st->bootstrap) ||
	    cJSON_AddStringToObject(o, "intervals", "95%: Wilson for rates, bootstrap percentile for distributions") == NULL)
		goto fail;
	all = group_json(st, SIZE_MAX, in.t);
	if (all == NULL || !cJSON_AddItemToObject(o, "overall", all)) {
		cJSON_Delete(all);
		goto fail;
	}
	per = cJSON_AddArrayToObject(o, "scenarios");
	if (per == NULL)
		goto fail;
	for (size_t e = 0; e < st->nentries; e++) {
		cJSON *g = group_json(st, e, &in.t[(1 + e) * NFIGS * NSTATS]);

		if (g == NULL || cJSON_AddStringToObject(g, "scenario", st->entries[e].name) == NULL ||
		    cJSON_AddNumberToObject(g, "weight", st->entries[e].weight) == NULL ||
		    !cJSON_AddItemToArray(per, g)) {
			cJSON_Delete(g);
			goto fail;
		}
	}
	free(in.t);
	return o;
fail:
	free(in.t);
	cJSON_Delete(o);
	return NULL;
}

static int write_study_summary(FILE *f, const void *ctx)
{
	char *text = cJSON_Print(ctx);
	int rc;

	if (text == NULL)
		return -1;
	rc = fprintf(f, "%s\n", text) < 0 ? -1 : 0;
	cJSON_free(text);
	return rc;
}

enum rpt_status rpt_write_study(const char *dir, const struct rpt_study *st,
				const cJSON *summary, char *err, size_t errlen)
{
	if (rpt_make_dirs(dir) != 0) {
		snprintf(err, errlen, "%s: cannot create the directory: %s", dir, strerror(errno));
		return RPT_EIO;
	}
	if (rpt_write_file(dir, "runs.csv", write_runs, st, err, errlen) != 0 ||
	    rpt_write_file(dir, "summary.json", write_study_summary, summary, err, errlen) != 0)
		return RPT_EIO;
	return RPT_OK;
}
