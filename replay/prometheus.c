#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/prometheus.h"
#include "scenario/json_read.h"
#include "scenario/scenario.h"

#define MAX_WINDOWS 10000000

/* One point of one series, and where it was read. */
struct point {
	int64_t t_ms;             /* the window's end, recording's time, ms */
	double v;                 /* never NaN: NaN is no point */
	uint32_t result, index;   /* data.result[result].values[index] */
};

/* One version's series in one response. */
struct serie {
	struct point *p;          /* owned, in time order */
	size_t n, cap;
	long result;              /* its data.result index; -1: none */
};

struct state {
	const struct replay_prom_input *in; /* borrowed, n of them */
	size_t n;
	const struct replay_prom_labels *labels;
	struct scn_diag *diag;
	struct serie (*s)[ENG_NVERSIONS]; /* owned: n of them */
	bool failed, oom;
};

/* A recorded time for messages: whole seconds, or with milliseconds. */
static void time_text(char *buf, size_t n, int64_t t_ms)
{
	if (t_ms % 1000 == 0)
		snprintf(buf, n, "%" PRId64, t_ms / 1000);
	else
		snprintf(buf, n, "%.3f", (double)t_ms / 1000.0);
}

static void point_path(char *buf, size_t n, uint32_t result, uint32_t index, int part)
{
	snprintf(buf, n, "data.result[%" PRIu32 "].values[%" PRIu32 "][%d]", result, index, part);
}

static bool push(struct state *st, struct serie *s, struct point p)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct point *q = cap <= MAX_WINDOWS ? realloc(s->p, cap * sizeof(*q)) : NULL;

		if (q == NULL) {
			st->oom = true;
			return false;
		}
		s->p = q;
		s->cap = cap;
	}
	s->p[s->n++] = p;
	return true;
}

/* Reads point values[j] of series `result` into s. */
static void read_point(struct state *st, struct scn_reader *r, enum replay_field f,
		       const cJSON *pt, uint32_t result, uint32_t j, struct serie *s)
{
	const cJSON *t = cJSON_GetArrayItem(pt, 0), *v = cJSON_GetArrayItem(pt, 1);
	char path[SCN_PATH_MAX];
	struct point p = { .result = result, .index = j };
	char *end;

	snprintf(path, sizeof(path), "data.result[%" PRIu32 "].values[%" PRIu32 "]", result, j);
	if (!cJSON_IsArray(pt) || cJSON_GetArraySize(pt) != 2 || !cJSON_IsNumber(t) ||
	    !cJSON_IsString(v)) {
		scn_report(r, path, "found %s; expected a point [time, \"value\"]",
			   cJSON_IsArray(pt) ? "another array" : scn_json_type_name(pt));
		return;
	}
	/* 146 years either side of 1970: two times, and either one, stay
	 * within INT64_MAX once in ns (as the CSV reader bounds them) */
	if (!isfinite(t->valuedouble) || fabs(t->valuedouble) > 4.6e9) {
		point_path(path, sizeof(path), result, j, 0);
		scn_report(r, path, "%g is not a time; expected Unix seconds", t->valuedouble);
		return;
	}
	p.t_ms = (int64_t)llround(t->valuedouble * 1e3);
	if (s->n > 0 && p.t_ms <= s->p[s->n - 1].t_ms) {
		char a[32], b[32];

		time_text(a, sizeof(a), p.t_ms);
		time_text(b, sizeof(b), s->p[s->n - 1].t_ms);
		point_path(path, sizeof(path), result, j, 0);
		scn_report(r, path, "%s is not after the previous point's %s; expected points in increasing time",
			   a, b);
		return;
	}
	point_path(path, sizeof(path), result, j, 1);
	errno = 0;
	p.v = strtod(v->valuestring, &end);
	if (v->valuestring[0] == '\0' || *end != '\0' || errno == ERANGE) {
		scn_report(r, path, "\"%.40s\" is not a number; expected %s", v->valuestring,
			   replay_field_expected(f));
		return;
	}
	if (isnan(p.v))
		return; /* no data */
	if (!replay_field_value_ok(f, p.v)) {
		scn_report(r, path, "%s \"%.40s\" is out of range; expected %s", replay_field_name(f),
			   v->valuestring, replay_field_expected(f));
		return;
	}
	push(st, s, p);
}

/* Which version series el (data.result[i]) is; -1 with a problem reported. */
static int series_version(struct state *st, struct scn_reader *r, const cJSON *el,
			  const char *path)
{
	const struct replay_prom_labels *lb = st->labels;
	const cJSON *metric = scn_get_object(r, el, path, "metric", true);
	const cJSON *label;
	char p[SCN_PATH_MAX], lpath[SCN_PATH_MAX];

	if (metric == NULL)
		return -1;
	scn_path_key(p, sizeof(p), path, "metric");
	scn_path_key(lpath, sizeof(lpath), p, lb->label);
	label = cJSON_GetObjectItemCaseSensitive(metric, lb->label);
	if (label == NULL) {
		scn_report(r, lpath, "missing; expected the label that names the version, \"%s\" or \"%s\" (--version-label NAME)",
			   lb->value[ENG_STABLE], lb->value[ENG_CANARY]);
		return -1;
	}
	if (!cJSON_IsString(label)) {
		scn_report(r, lpath, "found %s, expected a string", scn_json_type_name(label));
		return -1;
	}
	for (int v = 0; v < ENG_NVERSIONS; v++)
		if (strcmp(label->valuestring, lb->value[v]) == 0)
			return v;
	scn_report(r, lpath, "\"%.60s\" is not a version; expected \"%s\" or \"%s\" (--stable-value, --canary-value)",
		   label->valuestring, lb->value[ENG_STABLE], lb->value[ENG_CANARY]);
	return -1;
}

static void read_results(struct state *st, struct scn_reader *r, size_t k,
			 const cJSON *result)
{
	enum replay_field f = st->in[k].field;
	uint32_t i = 0;
	const cJSON *el;

	cJSON_ArrayForEach(el, result) {
		char path[SCN_PATH_MAX];
		const cJSON *values, *pt;
		int v;
		uint32_t j = 0;

		scn_path_index(path, sizeof(path), "data.result", i);
		v = cJSON_IsObject(el) ? series_version(st, r, el, path) : -1;
		if (!cJSON_IsObject(el))
			scn_report(r, path, "found %s, expected a series object", scn_json_type_name(el));
		if (v >= 0 && st->s[k][v].result >= 0) {
			scn_report(r, path, "a second series for %s (the first is data.result[%ld]); expected one series per version: aggregate with sum by (%s)",
				   st->labels->value[v], st->s[k][v].result, st->labels->label);
			v = -1;
		}
		values = cJSON_IsObject(el) ? scn_get_array(r, el, path, "values", true) : NULL;
		if (v >= 0)
			st->s[k][v].result = (long)i;
		cJSON_ArrayForEach(pt, values) {
			if (v >= 0)
				read_point(st, r, f, pt, i, j, &st->s[k][v]);
			j++;
		}
		i++;
	}
}

/* Reads response k: its status, its type and its series. */
static void read_response(struct state *st, size_t k)
{
	struct scn_reader r = { st->in[k].path, st->diag };
	const cJSON *data, *result;
	const char *status = NULL, *type = NULL;
	char *text;
	size_t len;
	cJSON *root;
	enum scn_status rs;

	rs = scn_read_file(st->in[k].path, REPLAY_PROM_MAX_BYTES,
			   "a Prometheus range-query response", st->diag, &text, &len);
	if (rs != SCN_OK) {
		st->oom |= rs == SCN_ENOMEM;
		st->failed = true;
		return;
	}
	root = scn_parse_json(&r, text, len);
	free(text);
	if (root == NULL)
		return;
	if (!cJSON_IsObject(root)) {
		scn_report(&r, "", "found %s, expected a Prometheus response object", scn_json_type_name(root));
		goto out_free_root;
	}
	if (scn_get_string(&r, root, "", "status", true, &status) && status != NULL &&
	    strcmp(status, "success") != 0) {
		const char *err = NULL;

		scn_get_string(&r, root, "", "error", false, &err);
		scn_report(&r, "status", "\"%.40s\" (%.200s); expected \"success\"", status,
			   err ? err : "no error given");
		goto out_free_root;
	}
	data = scn_get_object(&r, root, "", "data", true);
	if (data == NULL)
		goto out_free_root;
	if (scn_get_string(&r, data, "data", "resultType", true, &type) && type != NULL &&
	    strcmp(type, "matrix") != 0) {
		scn_report(&r, "data.resultType", "\"%.40s\" is not a range query's result; expected \"matrix\" (from /api/v1/query_range)",
			   type);
		goto out_free_root;
	}
	result = scn_get_array(&r, data, "data", "result", true);
	if (result != NULL)
		read_results(st, &r, k, result);
out_free_root:
	cJSON_Delete(root);
}

/* Each figure at most once; requests, and errors or error_rate, given. */
static bool inputs_ok(const struct replay_prom_input *in, size_t n, struct scn_diag *diag)
{
	bool given[REPLAY_NFIELDS] = { false }, ok = true;

	for (size_t k = 0; k < n; k++) {
		if (given[in[k].field]) {
			scn_diag_addf(diag, "--prometheus %s=%s: %s given twice; expected each metric once",
				      replay_field_name(in[k].field), in[k].path,
				      replay_field_name(in[k].field));
			ok = false;
		}
		given[in[k].field] = true;
	}
	if (!given[REPLAY_F_REQUESTS]) {
		scn_diag_addf(diag, "--prometheus: no requests=FILE; expected the requests per window of each version");
		ok = false;
	}
	if (!given[REPLAY_F_ERRORS] && !given[REPLAY_F_ERROR_RATE]) {
		scn_diag_addf(diag, "--prometheus: no errors=FILE or error_rate=FILE; expected the errors per window of each version");
		ok = false;
	}
	return ok;
}

/* The grid of window ends every series lies on: from *first_ms, every
 * *step_ms, *nwin of them. False with a problem reported. */
static bool find_grid(struct state *st, int64_t *first_ms, int64_t *step_ms, size_t *nwin)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN, step = INT64_MAX;

	for (size_t k = 0; k < st->n; k++) {
		for (int v = 0; v < ENG_NVERSIONS; v++) {
			const struct serie *s = &st->s[k][v];

			for (size_t i = 0; i < s->n; i++) {
				lo = s->p[i].t_ms < lo ? s->p[i].t_ms : lo;
				hi = s->p[i].t_ms > hi ? s->p[i].t_ms : hi;
				if (i > 0 && s->p[i].t_ms - s->p[i - 1].t_ms < step)
					step = s->p[i].t_ms - s->p[i - 1].t_ms;
			}
		}
	}
	if (step == INT64_MAX) {
		scn_diag_addf(st->diag, "%s: no series with two points or more; expected at least two points, whose distance is the window length",
			      st->in[0].path);
		return false;
	}
	for (size_t k = 0; k < st->n; k++) {
		struct scn_reader r = { st->in[k].path, st->diag };

		for (int v = 0; v < ENG_NVERSIONS; v++) {
			const struct serie *s = &st->s[k][v];

			for (size_t i = 0; i < s->n; i++) {
				char path[SCN_PATH_MAX], t[32], from[32], every[32];

				if ((s->p[i].t_ms - lo) % step == 0)
					continue;
				point_path(path, sizeof(path), s->p[i].result, s->p[i].index, 0);
				time_text(t, sizeof(t), s->p[i].t_ms);
				time_text(from, sizeof(from), lo);
				time_text(every, sizeof(every), step);
				scn_report(&r, path, "%s is not on the grid of the other points (every %s s from %s); expected one step in every response",
					   t, every, from);
				return false;
			}
		}
	}
	if ((hi - lo) / step >= MAX_WINDOWS) {
		scn_diag_addf(st->diag, "%s: more than %d windows; expected fewer", st->in[0].path, MAX_WINDOWS);
		return false;
	}
	*first_ms = lo;
	*step_ms = step;
	*nwin = (size_t)((hi - lo) / step) + 1;
	return true;
}

/* Where each figure of each window came from: the input, or -1. */
struct cell {
	int32_t input;
	uint32_t result, index;
};

static void report_bound(struct state *st, const struct cell *c, enum replay_field bad,
			 enum replay_field limit, const double *v)
{
	const struct cell *b = &c[bad], *l = &c[limit];
	struct scn_reader r = { st->in[b->input].path, st->diag };
	char path[SCN_PATH_MAX], lpath[SCN_PATH_MAX], from[SCN_PATH_MAX + 300];

	point_path(path, sizeof(path), b->result, b->index, 1);
	if (l->input >= 0) {
		point_path(lpath, sizeof(lpath), l->result, l->index, 1);
		snprintf(from, sizeof(from), "%s: %s", st->in[l->input].path, lpath);
	} else {
		snprintf(from, sizeof(from), "no point of %s in this window", replay_field_name(limit));
	}
	scn_report(&r, path, "%s %g is more than %s %g (%s); expected at most the %s",
		   replay_field_name(bad), v[bad], replay_field_name(limit),
		   isnan(v[limit]) ? 0.0 : v[limit], from, replay_field_name(limit));
}

/* Fills the series from the points, window by window. */
static void fill(struct state *st, int64_t first_ms, int64_t step_ms, struct replay_series *s)
{
	size_t nwin = replay_series_count(s);
	size_t next[64][ENG_NVERSIONS] = { { 0 } }; /* each serie's next point */

	for (size_t w = 0; w < nwin; w++) {
		int64_t t = first_ms + (int64_t)w * step_ms;

		for (int v = 0; v < ENG_NVERSIONS; v++) {
			double x[REPLAY_NFIELDS];
			struct cell c[REPLAY_NFIELDS];
			enum replay_field bad, limit;

			for (int f = 0; f < REPLAY_NFIELDS; f++) {
				x[f] = NAN;
				c[f].input = -1;
			}
			for (size_t k = 0; k < st->n; k++) {
				const struct serie *sr = &st->s[k][v];
				size_t *i = &next[k][v];

				if (*i < sr->n && sr->p[*i].t_ms == t) {
					x[st->in[k].field] = sr->p[*i].v;
					c[st->in[k].field] = (struct cell){ (int32_t)k, sr->p[*i].result,
									 sr->p[*i].index };
					(*i)++;
				}
			}
			bad = replay_metrics_from(x, replay_series_at(s, w, (enum eng_version)v), &limit);
			if (bad != REPLAY_NFIELDS) {
				report_bound(st, c, bad, limit, x);
				st->failed = true;
			}
		}
	}
}

/* Requests must come for both versions: without them nothing is judged. */
static bool requests_for_both(struct state *st)
{
	bool ok = true;

	for (size_t k = 0; k < st->n; k++) {
		if (st->in[k].field != REPLAY_F_REQUESTS)
			continue;
		for (int v = 0; v < ENG_NVERSIONS; v++) {
			if (st->s[k][v].result >= 0)
				continue;
			scn_diag_addf(st->diag, "%s: data.result: no series with %s=\"%s\"; expected one per version",
				      st->in[k].path, st->labels->label, st->labels->value[v]);
			ok = false;
		}
	}
	return ok;
}

enum replay_status replay_read_prometheus(const struct replay_prom_input *in, size_t n,
					  const struct replay_prom_labels *labels,
					  struct scn_diag *diag,
					  struct replay_series **out)
{
	struct state st = { .in = in, .n = n, .labels = labels, .diag = diag };
	struct replay_series *s = NULL;
	enum replay_status rs = REPLAY_EINVAL;
	size_t before = diag->count + diag->dropped, nwin = 0;
	int64_t first_ms = 0, step_ms = 0;

	*out = NULL;
	if (n > 64) {
		scn_diag_addf(diag, "--prometheus: %zu responses; expected at most 64", n);
		return REPLAY_EINVAL;
	}
	if (!inputs_ok(in, n, diag))
		return REPLAY_EINVAL;
	st.s = calloc(n, sizeof(*st.s));
	if (st.s == NULL)
		return REPLAY_ENOMEM;
	for (size_t k = 0; k < n; k++)
		for (int v = 0; v < ENG_NVERSIONS; v++)
			st.s[k][v].result = -1;
	for (size_t k = 0; k < n && !st.oom; k++)
		read_response(&st, k);
	if (st.oom) {
		rs = REPLAY_ENOMEM;
		goto out_free_series;
	}
	if (st.failed || diag->count + diag->dropped != before) {
		rs = diag->count + diag->dropped != before ? REPLAY_EINVAL : REPLAY_EIO;
		goto out_free_series;
	}
	if (!requests_for_both(&st) || !find_grid(&st, &first_ms, &step_ms, &nwin))
		goto out_free_series;
	s = replay_series_create(first_ms * 1000000, step_ms * 1000000, nwin);
	if (s == NULL) {
		rs = REPLAY_ENOMEM;
		goto out_free_series;
	}
	fill(&st, first_ms, step_ms, s);
	if (st.failed) {
		replay_series_free(s);
		goto out_free_series;
	}
	*out = s;
	rs = REPLAY_OK;
out_free_series:
	for (size_t k = 0; k < n; k++)
		for (int v = 0; v < ENG_NVERSIONS; v++)
			free(st.s[k][v].p);
	free(st.s);
	return rs;
}
