/* A threshold sweep's grid: per setting, the study's figures over the same
 * runs (common random numbers), and the recommended setting under stated
 * constraints. Formats in docs/studies.md. */
#ifndef RPT_SWEEP_H
#define RPT_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reports/run_report.h"
#include "reports/stats.h"
#include "reports/study.h"

#define RPT_SWEEP_FIGURES(X)                                       \
	X(RPT_FIG_PRECISION, "precision")                          \
	X(RPT_FIG_RECALL, "recall")                                \
	X(RPT_FIG_FALSE_ROLLBACK_RATE, "false_rollback_rate")      \
	X(RPT_FIG_TTD_MEDIAN, "ttd_median")                        \
	X(RPT_FIG_TTD_P90, "ttd_p90")                              \
	X(RPT_FIG_TTR_MEDIAN, "ttr_median")                        \
	X(RPT_FIG_TTR_P90, "ttr_p90")                              \
	X(RPT_FIG_DURATION_MEAN, "duration_mean")

enum rpt_figure {
#define RPT_FIG_ENUM(name, str) name,
	RPT_SWEEP_FIGURES(RPT_FIG_ENUM)
#undef RPT_FIG_ENUM
	RPT_NFIGURES
};

const char *rpt_figure_name(enum rpt_figure f);

/* One setting's figures. Rates carry their Wilson intervals; times and
 * durations are point estimates, s (NaN when no run has one). */
struct rpt_sweep_point {
	struct rpt_confusion c;
	struct rpt_interval precision, recall, false_rollback_rate;
	double ttd_median, ttd_p90, ttr_median, ttr_p90, duration_mean;
};

/* Fills out from runs[0..n-1]. Returns 0, or -1 when out of memory. */
int rpt_sweep_point_of(const struct rpt_study_run *runs, size_t n, struct rpt_sweep_point *out);

/* The figure's value at p (a rate's estimate). */
double rpt_sweep_figure(const struct rpt_sweep_point *p, enum rpt_figure f);

/* "figure<=bound" or "figure>=bound". */
struct rpt_constraint {
	enum rpt_figure figure;
	bool at_most;
	double bound;
};

#define RPT_MAX_CONSTRAINTS 8

/* Parses "false_rollback_rate<=0.01,recall>=0.99" into c (at most
 * RPT_MAX_CONSTRAINTS); returns the count, or -1 with err saying what
 * was found and what was expected. */
int rpt_parse_constraints(const char *text, struct rpt_constraint *c, char *err, size_t errlen);

/* Parses a figure's name; false for none. */
bool rpt_parse_figure(const char *name, enum rpt_figure *out);

/* True when p meets every constraint (a NaN figure meets none). */
bool rpt_sweep_meets(const struct rpt_sweep_point *p, const struct rpt_constraint *c, size_t nc);

/* The point meeting the constraints with the least `minimize` figure (the
 * earlier on ties); SIZE_MAX when none meets them. */
size_t rpt_sweep_recommend(const struct rpt_sweep_point *pts, size_t n,
			   const struct rpt_constraint *c, size_t nc, enum rpt_figure minimize);

/* A swept setting: the dotted path and its values as given (nvalues >= 1;
 * at most RPT_SWEEP_MAX_PARAMS settings in a sweep). */
#define RPT_SWEEP_MAX_PARAMS 16
struct rpt_sweep_param {
	const char *path;
	const char *const *values; /* nvalues */
	size_t nvalues;
};

/* The values' indices of grid point i: the last parameter varies fastest. */
void rpt_sweep_indices(const struct rpt_sweep_param *params, size_t nparams, size_t i, size_t *idx);

struct rpt_sweep {
	const char *name;         /* the study */
	uint64_t seed;
	size_t runs;              /* per setting */
	const char *fidelity;
	const struct rpt_sweep_param *params;
	size_t nparams;
	const struct rpt_sweep_point *points; /* npoints, the grid in order */
	size_t npoints;
	const struct rpt_constraint *constraints;
	size_t nconstraints;
	bool has_minimize;
	enum rpt_figure minimize;
	size_t recommended;       /* SIZE_MAX: none meets the constraints */
};

/* Writes grid.csv and sweep.json into dir (created when needed). On
 * RPT_EIO, err says which file and why. */
enum rpt_status rpt_write_sweep(const char *dir, const struct rpt_sweep *sw, char *err,
				size_t errlen);

#endif
