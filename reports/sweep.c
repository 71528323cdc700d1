#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>

#include "reports/csv_out.h"
#include "reports/file_out.h"
#include "reports/sweep.h"

static const char *const figure_names[] = {
#define RPT_FIG_NAME(name, str) str,
	RPT_SWEEP_FIGURES(RPT_FIG_NAME)
#undef RPT_FIG_NAME
};

const char *rpt_figure_name(enum rpt_figure f)
{
	return f < RPT_NFIGURES ? figure_names[f] : "?";
}

bool rpt_parse_figure(const char *name, enum rpt_figure *out)
{
	for (int f = 0; f < RPT_NFIGURES; f++)
		if (strcmp(name, figure_names[f]) == 0) {
			*out = (enum rpt_figure)f;
			return true;
		}
	return false;
}

/* Median and p90 of the n values of buf (sorted in place). */
static void median_p90(double *buf, size_t n, double *median, double *p90)
{
	gsl_sort(buf, 1, n);
	*median = rpt_quantile_sorted(buf, n, 0.5);
	*p90 = rpt_quantile_sorted(buf, n, 0.9);
}

int rpt_sweep_point_of(const struct rpt_study_run *runs, size_t n, struct rpt_sweep_point *out)
{
	double *ttd = malloc((n ? n : 1) * sizeof(*ttd)), *ttr = malloc((n ? n : 1) * sizeof(*ttr));
	size_t nd = 0, nr = 0;
	double dur = 0.0;

	if (ttd == NULL || ttr == NULL) {
		free(ttd);
		free(ttr);
		return -1;
	}
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		const struct rpt_summary *s = &runs[i].sum;

		rpt_confusion_add(&out->c, s);
		if (s->has_ttd)
			ttd[nd++] = s->ttd_s;
		if (s->has_ttr)
			ttr[nr++] = s->ttr_s;
		dur += s->duration_s;
	}
	out->precision = rpt_wilson(out->c.true_rollbacks,
				    out->c.true_rollbacks + out->c.false_rollbacks);
	out->recall = rpt_wilson(out->c.true_rollbacks, out->c.true_rollbacks + out->c.missed);
	out->false_rollback_rate = rpt_wilson(out->c.false_rollbacks,
					      out->c.false_rollbacks + out->c.correct_promotions);
	median_p90(ttd, nd, &out->ttd_median, &out->ttd_p90);
	median_p90(ttr, nr, &out->ttr_median, &out->ttr_p90);
	out->duration_mean = n ? dur / (double)n : NAN;
	free(ttd);
	free(ttr);
	return 0;
}

double rpt_sweep_figure(const struct rpt_sweep_point *p, enum rpt_figure f)
{
	switch (f) {
	case RPT_FIG_PRECISION:
		return p->precision.est;
	case RPT_FIG_RECALL:
		return p->recall.est;
	case RPT_FIG_FALSE_ROLLBACK_RATE:
		return p->false_rollback_rate.est;
	case RPT_FIG_TTD_MEDIAN:
		return p->ttd_median;
	case RPT_FIG_TTD_P90:
		return p->ttd_p90;
	case RPT_FIG_TTR_MEDIAN:
		return p->ttr_median;
	case RPT_FIG_TTR_P90:
		return p->ttr_p90;
	case RPT_FIG_DURATION_MEAN:
		return p->duration_mean;
	case RPT_NFIGURES:
		break;
	}
	return NAN;
}

int rpt_parse_constraints(const char *text, struct rpt_constraint *c, char *err, size_t errlen)
{
	int n = 0;
	const char *s = text;

	while (*s != '\0') {
		size_t len = strcspn(s, ",");
		char term[128], *op, *end;
		enum rpt_figure f;

		if (len == 0 || len >= sizeof(term)) {
			snprintf(err, errlen, "'%s': expected terms such as false_rollback_rate<=0.01, joined by ','",
				 text);
			return -1;
		}
		memcpy(term, s, len);
		term[len] = '\0';
		op = strpbrk(term, "<>");
		if (op == NULL || op[1] != '=') {
			snprintf(err, errlen, "'%s': expected FIGURE<=BOUND or FIGURE>=BOUND", term);
			return -1;
		}
		if (n == RPT_MAX_CONSTRAINTS) {
			snprintf(err, errlen, "more than %d terms", RPT_MAX_CONSTRAINTS);
			return -1;
		}
		c[n].at_most = *op == '<';
		*op = '\0';
		if (!rpt_parse_figure(term, &f)) {
			snprintf(err, errlen, "'%s' is not a figure; expected one of:", term);
			for (int k = 0; k < RPT_NFIGURES; k++) {
				size_t used = strlen(err);

				snprintf(err + used, errlen - used, "%s %s", k ? "," : "", figure_names[k]);
			}
			return -1;
		}
		c[n].figure = f;
		errno = 0;
		c[n].bound = strtod(op + 2, &end);
		if (op[2] == '\0' || *end != '\0' || errno != 0 || !isfinite(c[n].bound)) {
			snprintf(err, errlen, "'%s': the bound '%s' is not a number", term, op + 2);
			return -1;
		}
		n++;
		s += len;
		if (*s == ',')
			s++;
	}
	return n;
}

bool rpt_sweep_meets(const struct rpt_sweep_point *p, const struct rpt_constraint *c, size_t nc)
{
	for (size_t i = 0; i < nc; i++) {
		double v = rpt_sweep_figure(p, c[i].figure);

		if (isnan(v) || (c[i].at_most ? v > c[i].bound : v < c[i].bound))
			return false;
	}
	return true;
}

size_t rpt_sweep_recommend(const struct rpt_sweep_point *pts, size_t n,
			   const struct rpt_constraint *c, size_t nc, enum rpt_figure minimize)
{
	size_t best = SIZE_MAX;

	for (size_t i = 0; i < n; i++) {
		double v = rpt_sweep_figure(&pts[i], minimize);

		if (!rpt_sweep_meets(&pts[i], c, nc))
			continue;
		if (best == SIZE_MAX ||
		    (!isnan(v) && (isnan(rpt_sweep_figure(&pts[best], minimize)) ||
				   v < rpt_sweep_figure(&pts[best], minimize))))
			best = i;
	}
	return best;
}

void rpt_sweep_indices(const struct rpt_sweep_param *params, size_t nparams, size_t i, size_t *idx)
{
	assert(nparams <= RPT_SWEEP_MAX_PARAMS);
	for (size_t k = nparams; k-- > 0;) {
		idx[k] = i % params[k].nvalues;
		i /= params[k].nvalues;
	}
}

/* --- grid.csv -------------------------------------------------------------- */

static int write_grid(FILE *f, const void *ctx)
{
	const struct rpt_sweep *sw = ctx;
	size_t idx[RPT_SWEEP_MAX_PARAMS];
	int rc = fputs("setting", f) < 0;

	for (size_t k = 0; k < sw->nparams; k++) {
		rc |= fputc(',', f) == EOF;
		rc |= rpt_csv_text(f, sw->params[k].path);
	}
	rc |= fputs(",runs,true_rollbacks,false_rollbacks,missed_bad_releases,correct_promotions,"
		    "blocked,other,precision,precision_lo,precision_hi,recall,recall_lo,recall_hi,"
		    "false_rollback_rate,false_rollback_rate_lo,false_rollback_rate_hi,"
		    "ttd_median,ttd_p90,ttr_median,ttr_p90,duration_mean,meets,recommended\n",
		    f) < 0;
	for (size_t i = 0; i < sw->npoints && rc == 0; i++) {
		const struct rpt_sweep_point *p = &sw->points[i];
		const struct rpt_interval iv[] = { p->precision, p->recall, p->false_rollback_rate };
		const double t[] = { p->ttd_median, p->ttd_p90, p->ttr_median, p->ttr_p90,
				     p->duration_mean };

		rpt_sweep_indices(sw->params, sw->nparams, i, idx);
		rc |= fprintf(f, "%zu", i) < 0;
		for (size_t k = 0; k < sw->nparams; k++) {
			rc |= fputc(',', f) == EOF;
			rc |= rpt_csv_text(f, sw->params[k].values[idx[k]]);
		}
		rc |= fprintf(f, ",%llu,%llu,%llu,%llu,%llu,%llu,%llu", (unsigned long long)p->c.runs,
			      (unsigned long long)p->c.true_rollbacks,
			      (unsigned long long)p->c.false_rollbacks, (unsigned long long)p->c.missed,
			      (unsigned long long)p->c.correct_promotions,
			      (unsigned long long)p->c.blocked, (unsigned long long)p->c.other) < 0;
		for (size_t k = 0; k < 3; k++) {
			const double v[] = { iv[k].est, iv[k].lo, iv[k].hi };

			for (size_t j = 0; j < 3; j++) {
				rc |= fputc(',', f) == EOF;
				rc |= rpt_csv_number(f, v[j], 6);
			}
		}
		for (size_t k = 0; k < sizeof(t) / sizeof(t[0]); k++) {
			rc |= fputc(',', f) == EOF;
			rc |= rpt_csv_number(f, t[k], 3);
		}
		rc |= fprintf(f, ",%s,%s\n",
			      rpt_sweep_meets(p, sw->constraints, sw->nconstraints) ? "true" : "false",
			      i == sw->recommended ? "true" : "false") < 0;
	}
	return rc ? -1 : 0;
}

/* --- sweep.json ------------------------------------------------------------ */

static cJSON *setting_json(const struct rpt_sweep *sw, size_t i)
{
	size_t idx[RPT_SWEEP_MAX_PARAMS];
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return NULL;
	rpt_sweep_indices(sw->params, sw->nparams, i, idx);
	for (size_t k = 0; k < sw->nparams; k++)
		if (cJSON_AddStringToObject(o, sw->params[k].path, sw->params[k].values[idx[k]]) == NULL) {
			cJSON_Delete(o);
			return NULL;
		}
	return o;
}

static cJSON *sweep_json(const struct rpt_sweep *sw)
{
	cJSON *o = cJSON_CreateObject(), *arr, *rec;
	char buf[64];

	if (o == NULL || cJSON_AddStringToObject(o, "study", sw->name) == NULL ||
	    !rpt_json_add_u64(o, "seed", sw->seed) || !rpt_json_add_u64(o, "runs_per_setting", sw->runs) ||
	    cJSON_AddStringToObject(o, "fidelity", sw->fidelity) == NULL ||
	    !rpt_json_add_u64(o, "settings", sw->npoints))
		goto fail;
	arr = cJSON_AddArrayToObject(o, "require");
	for (size_t i = 0; arr != NULL && i < sw->nconstraints; i++) {
		snprintf(buf, sizeof(buf), "%s%s%.15g", rpt_figure_name(sw->constraints[i].figure),
			 sw->constraints[i].at_most ? "<=" : ">=", sw->constraints[i].bound);
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(buf)))
			goto fail;
	}
	if (arr == NULL ||
	    (sw->has_minimize ? cJSON_AddStringToObject(o, "minimize", rpt_figure_name(sw->minimize)) == NULL
			      : cJSON_AddNullToObject(o, "minimize") == NULL))
		goto fail;
	if (sw->recommended == SIZE_MAX) {
		if (cJSON_AddNullToObject(o, "recommended") == NULL)
			goto fail;
	} else {
		rec = cJSON_AddObjectToObject(o, "recommended");
		if (rec == NULL || !rpt_json_add_u64(rec, "setting", sw->recommended) ||
		    !cJSON_AddItemToObject(rec, "values", setting_json(sw, sw->recommended)))
			goto fail;
		for (int f = 0; f < RPT_NFIGURES; f++)
			if (!rpt_json_add_number(rec, rpt_figure_name((enum rpt_figure)f),
						 rpt_sweep_figure(&sw->points[sw->recommended],
								  (enum rpt_figure)f)))
				goto fail;
	}
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

static int write_sweep_json(FILE *f, const void *ctx)
{
	return rpt_print_json(f, sweep_json(ctx));
}

enum rpt_status rpt_write_sweep(const char *dir, const struct rpt_sweep *sw, char *err,
				size_t errlen)
{
	if (rpt_make_dirs(dir) != 0) {
		snprintf(err, errlen, "%s: cannot create the directory: %s", dir, strerror(errno));
		return RPT_EIO;
	}
	if (rpt_write_file(dir, "grid.csv", write_grid, sw, err, errlen) != 0 ||
	    rpt_write_file(dir, "sweep.json", write_sweep_json, sw, err, errlen) != 0)
		return RPT_EIO;
	return RPT_OK;
}
