#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "replay/csv_in.h"
#include "replay/field.h"

#define MAX_COLUMNS 64
/* Times within +-4.6e9 s of the origin (146 years either way), so that any
 * two, in ns, differ by less than INT64_MAX. */
#define T_MAX_S 4.6e9

/* What a column holds, besides the fields (>= 0). */
enum {
	COL_T = -1,               /* t_s: the window's end */
	COL_VERSION = -2,         /* stable or canary */
	COL_WEIGHT = -3,          /* weight_pct: read over, the engine sets it */
	COL_UNKNOWN = -4
};

static const char *const other_names[] = { "t_s", "version", "weight_pct", NULL };
static const enum replay_field required[] = { REPLAY_F_REQUESTS, REPLAY_F_ERRORS };

/* One window as read: both versions' rows. */
struct window {
	int64_t t_ns;             /* end of the window, recording's time, ns */
	double t_s;               /* as written, for messages */
	bool have[ENG_NVERSIONS];
	size_t line[ENG_NVERSIONS]; /* each version's row */
	double v[ENG_NVERSIONS][REPLAY_NFIELDS]; /* NaN: not given */
};

struct reader {
	const char *path;
	struct scn_diag *diag;
	size_t line;              /* line being read, from 1 */
	size_t row_line;          /* where the current row starts */
	bool header_done;
	int col_of[MAX_COLUMNS];  /* what column i holds */
	int field_col[REPLAY_NFIELDS]; /* the column of a field, 1-based; 0 none */
	size_t ncols;
	/* the current row */
	size_t col;               /* fields seen so far */
	bool row_bad;
	bool has_t, has_version;
	double t_s;
	enum eng_version version;
	double v[REPLAY_NFIELDS];
	/* what was read */
	struct window *w;         /* owned */
	size_t nw, capw;
	int64_t step_ns;          /* between the first two windows; 0 before */
	bool failed, oom;
};

static void problem(struct reader *r, size_t col, const char *fmt, const char *a,
		    const char *b)
{
	char msg[512];

	/* fmt holds up to two %s, filled with a and b */
	snprintf(msg, sizeof(msg), fmt, a, b);
	if (col > 0)
		scn_diag_addf(r->diag, "%s:%zu:%zu: %s", r->path, r->row_line, col, msg);
	else
		scn_diag_addf(r->diag, "%s:%zu: %s", r->path, r->row_line, msg);
	r->failed = true;
}

/* The field's text without surrounding blanks, in buf (NUL-terminated);
 * false when too long for buf. */
static bool field_text(const char *s, size_t n, char *buf, size_t size)
{
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	if (n >= size)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return true;
}

/* A number, or NaN for "NaN"; false when text is none. */
static bool parse_number(const char *text, double *out)
{
	char *end;

	if (text[0] == '\0')
		return false;
	errno = 0;
	*out = strtod(text, &end);
	return *end == '\0' && errno != ERANGE;
}

static void header_field(struct reader *r, const char *name)
{
	size_t c = r->col; /* 1-based */
	enum replay_field f;
	int what = COL_UNKNOWN;

	if (c > MAX_COLUMNS) {
		if (c == MAX_COLUMNS + 1)
			problem(r, c, "more than %s columns; expected the columns of docs/replay.md%s",
				"64", "");
		return;
	}
	if (strcmp(name, "t_s") == 0)
		what = COL_T;
	else if (strcmp(name, "version") == 0)
		what = COL_VERSION;
	else if (strcmp(name, "weight_pct") == 0)
		what = COL_WEIGHT;
	else if (replay_field_parse(name, &f))
		what = (int)f;
	for (size_t i = 0; what != COL_UNKNOWN && i + 1 < c; i++) {
		if (r->col_of[i] == what) {
			problem(r, c, "column '%s' given twice; expected each column once%s", name, "");
			break;
		}
	}
	r->col_of[c - 1] = what;
	if (what >= 0)
		r->field_col[what] = (int)c;
	if (what == COL_UNKNOWN) {
		const char *near = replay_field_suggest(name, other_names);
		char names[400], msg[480];

		replay_field_names(names, sizeof(names));
		if (near != NULL)
			snprintf(msg, sizeof(msg), "did you mean '%s'?", near);
		else
			snprintf(msg, sizeof(msg), "expected t_s, version, weight_pct, %s", names);
		problem(r, c, "unknown column '%s'; %s", name, msg);
	}
}

static void data_field(struct reader *r, const char *text)
{
	size_t c = r->col;
	int what = c <= r->ncols ? r->col_of[c - 1] : COL_UNKNOWN;
	double x;

	if (what == COL_WEIGHT || what == COL_UNKNOWN)
		return;
	if (what == COL_VERSION) {
		if (strcmp(text, "stable") == 0 || strcmp(text, "canary") == 0) {
			r->version = text[0] == 's' ? ENG_STABLE : ENG_CANARY;
			r->has_version = true;
		} else {
			problem(r, c, "version '%s' is not known; expected stable or canary%s", text, "");
			r->row_bad = true;
		}
		return;
	}
	if (what == COL_T) {
		if (!parse_number(text, &x) || !isfinite(x) || fabs(x) > T_MAX_S) {
			problem(r, c, "t_s '%s' is not a time; expected the window's end, s%s", text, "");
			r->row_bad = true;
		} else {
			r->t_s = x;
			r->has_t = true;
		}
		return;
	}
	/* a field */
	if (text[0] == '\0' || (parse_number(text, &x) && isnan(x))) {
		if (what == REPLAY_F_REQUESTS || what == REPLAY_F_ERRORS) {
			problem(r, c, "%s is empty; expected %s (the column is required in every row)",
				replay_field_name((enum replay_field)what),
				replay_field_expected((enum replay_field)what));
			r->row_bad = true;
		}
		return; /* no data */
	}
	if (!parse_number(text, &x)) {
		problem(r, c, "'%s' is not a number; expected %s", text,
			replay_field_expected((enum replay_field)what));
		r->row_bad = true;
	} else if (!replay_field_value_ok((enum replay_field)what, x)) {
		char msg[160];

		snprintf(msg, sizeof(msg), "%s %s is out of range", replay_field_name((enum replay_field)what), text);
		problem(r, c, "%s; expected %s", msg, replay_field_expected((enum replay_field)what));
		r->row_bad = true;
	} else {
		r->v[what] = x;
	}
}

static void on_field(void *s, size_t n, void *data)
{
	struct reader *r = data;
	char text[128];

	if (r->oom)
		return;
	if (r->col++ == 0)
		r->row_line = r->line;
	if (!field_text(s ? s : "", s ? n : 0, text, sizeof(text))) {
		problem(r, r->col, "a field of more than %s characters; expected a name or a number%s",
			"127", "");
		r->row_bad = true;
		return;
	}
	if (!r->header_done)
		header_field(r, text);
	else
		data_field(r, text);
}

static void finish_header(struct reader *r)
{
	bool t = false, version = false;

	r->ncols = r->col < MAX_COLUMNS ? r->col : MAX_COLUMNS;
	for (size_t i = 0; i < r->ncols; i++) {
		t |= r->col_of[i] == COL_T;
		version |= r->col_of[i] == COL_VERSION;
	}
	if (!t)
		problem(r, 0, "no column '%s'; expected the columns t_s, version, requests and errors (the others are optional)%s", "t_s", "");
	if (!version)
		problem(r, 0, "no column '%s'; expected the columns t_s, version, requests and errors (the others are optional)%s", "version", "");
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (r->field_col[required[i]] == 0)
			problem(r, 0, "no column '%s'; expected the columns t_s, version, requests and errors (the others are optional)%s",
				replay_field_name(required[i]), "");
	r->header_done = true;
}

static void report_incomplete(struct reader *r, const struct window *w)
{
	enum eng_version missing = w->have[ENG_STABLE] ? ENG_CANARY : ENG_STABLE;
	size_t saved = r->row_line;
	char t[32];

	r->row_line = w->line[!missing];
	snprintf(t, sizeof(t), "%g", w->t_s);
	problem(r, 0, "the window ending at t_s %s has no %s row; expected a stable and a canary row per window",
		t, eng_version_name(missing));
	r->row_line = saved;
}

/* Starts the window of the current row, after checking its time against
 * the previous windows'. NULL when out of memory. */
static struct window *new_window(struct reader *r, int64_t t_ns)
{
	struct window *w;

	if (r->nw == r->capw) {
		size_t cap = r->capw ? r->capw * 2 : 256;
		struct window *p = cap <= REPLAY_CSV_MAX_WINDOWS ? realloc(r->w, cap * sizeof(*p)) : NULL;

		if (p == NULL) {
			r->oom = cap <= REPLAY_CSV_MAX_WINDOWS;
			if (!r->oom)
				problem(r, 0, "more than %s windows; expected fewer%s", "10000000", "");
			return NULL;
		}
		r->w = p;
		r->capw = cap;
	}
	w = &r->w[r->nw++];
	memset(w, 0, sizeof(*w));
	w->t_ns = t_ns;
	w->t_s = r->t_s;
	for (int v = 0; v < ENG_NVERSIONS; v++)
		for (int f = 0; f < REPLAY_NFIELDS; f++)
			w->v[v][f] = NAN;
	return w;
}

/* Checks a row's time against the previous window's. */
static bool time_ok(struct reader *r, int64_t t_ns)
{
	const struct window *last = &r->w[r->nw - 1];
	char t[32], prev[32], gap[32], step[32];
	int tcol = 0;

	for (size_t i = 0; i < r->ncols; i++)
		if (r->col_of[i] == COL_T)
			tcol = (int)i + 1;
	snprintf(t, sizeof(t), "%g", r->t_s);
	snprintf(prev, sizeof(prev), "%g", last->t_s);
	if (t_ns < last->t_ns) {
		problem(r, (size_t)tcol, "t_s %s is before the previous window's %s; expected windows in increasing time", t, prev);
		return false;
	}
	if (r->nw == 1) {
		r->step_ns = t_ns - last->t_ns;
		return true;
	}
	if (t_ns - last->t_ns == r->step_ns)
		return true;
	snprintf(gap, sizeof(gap), "%g", (double)(t_ns - last->t_ns) / 1e9);
	snprintf(step, sizeof(step), "%g", (double)r->step_ns / 1e9);
	char msg[200];

	snprintf(msg, sizeof(msg), "t_s %s is %s s after the previous window's %s", t, gap, prev);
	problem(r, (size_t)tcol, "%s; expected the step of the first two windows, %s s", msg, step);
	return true; /* kept: the windows after it are judged against it */
}

static void add_row(struct reader *r)
{
	int64_t t_ns = (int64_t)llround(r->t_s * 1e3) * 1000000; /* whole ms */
	struct window *w = r->nw > 0 ? &r->w[r->nw - 1] : NULL;

	if (w == NULL || t_ns != w->t_ns) {
		if (w != NULL && !(w->have[ENG_STABLE] && w->have[ENG_CANARY]))
			report_incomplete(r, w);
		if (w != NULL && !time_ok(r, t_ns))
			return;
		w = new_window(r, t_ns);
		if (w == NULL)
			return;
	}
	if (w->have[r->version]) {
		char first[32];

		snprintf(first, sizeof(first), "%zu", w->line[r->version]);
		problem(r, 0, "a second %s row for this window (the first is at line %s); expected one row per version per window",
			eng_version_name(r->version), first);
		return;
	}
	w->have[r->version] = true;
	w->line[r->version] = r->row_line;
	memcpy(w->v[r->version], r->v, sizeof(r->v));
}

static void on_row(int c, void *data)
{
	struct reader *r = data;

	(void)c;
	if (r->oom)
		return;
	if (!r->header_done) {
		finish_header(r);
	} else if (r->col != r->ncols) {
		char got[24], want[24];

		snprintf(got, sizeof(got), "%zu", r->col);
		snprintf(want, sizeof(want), "%zu", r->ncols);
		problem(r, 0, "%s fields; expected %s, as in the header", got, want);
	} else if (!r->row_bad && r->has_t && r->has_version) {
		add_row(r);
	}
	r->col = 0;
	r->row_bad = r->has_t = r->has_version = false;
	for (int f = 0; f < REPLAY_NFIELDS; f++)
		r->v[f] = NAN;
}

/* Builds the series once every row has been read and found good. */
static enum replay_status build(struct reader *r, struct replay_series **out)
{
	struct replay_series *s = replay_series_create(r->w[0].t_ns, r->step_ns, r->nw);

	if (s == NULL)
		return REPLAY_ENOMEM;
	for (size_t i = 0; i < r->nw; i++) {
		for (int v = 0; v < ENG_NVERSIONS; v++) {
			const double *x = r->w[i].v[v];
			enum replay_field limit, bad;
			char msg[200];

			bad = replay_metrics_from(x, replay_series_at(s, i, (enum eng_version)v), &limit);
			if (bad == REPLAY_NFIELDS)
				continue;
			r->row_line = r->w[i].line[v];
			snprintf(msg, sizeof(msg), "%s %g is more than %s %g", replay_field_name(bad),
				 x[bad], replay_field_name(limit), x[limit]);
			problem(r, (size_t)r->field_col[bad], "%s; expected at most the %s",
				msg, replay_field_name(limit));
		}
	}
	if (r->failed) {
		replay_series_free(s);
		return REPLAY_EINVAL;
	}
	*out = s;
	return REPLAY_OK;
}

/* True while lines are still worth reading: not out of memory, and not
 * past the problems diag keeps. */
static bool reading(const struct reader *r)
{
	return !r->oom && r->diag->count < SCN_DIAG_MAX;
}

/* Feeds one line (n bytes with its line end) to the parser, so that
 * problems can name lines; false when the text is not CSV. */
static bool feed_line(struct reader *r, struct csv_parser *p, const char *line, size_t n)
{
	r->line++;
	if (csv_parse(p, line, n, on_field, on_row, r) != n) {
		r->row_line = r->line;
		problem(r, 0, "%s; expected CSV%s", csv_strerror(csv_error(p)), "");
		return false;
	}
	return true;
}

static void reader_init(struct reader *r, const char *path, struct scn_diag *diag)
{
	memset(r, 0, sizeof(*r));
	r->path = path;
	r->diag = diag;
	for (int f = 0; f < REPLAY_NFIELDS; f++)
		r->v[f] = NAN;
}

/* Once the last line is fed: the series in *out, or the problems. */
static enum replay_status finish(struct reader *r, struct csv_parser *p,
				 struct replay_series **out)
{
	if (!r->oom)
		csv_fini(p, on_field, on_row, r);
	if (r->oom)
		return REPLAY_ENOMEM;
	if (!r->header_done) {
		scn_diag_addf(r->diag, "%s: empty; expected a header line and one row per version per window",
			      r->path);
		return REPLAY_EINVAL;
	}
	if (r->nw > 0 && !(r->w[r->nw - 1].have[ENG_STABLE] && r->w[r->nw - 1].have[ENG_CANARY]))
		report_incomplete(r, &r->w[r->nw - 1]);
	if (!r->failed && r->nw < 2) {
		scn_diag_addf(r->diag, "%s: %zu window%s; expected at least two, whose distance is the window length",
			      r->path, r->nw, r->nw == 1 ? "" : "s");
		return REPLAY_EINVAL;
	}
	if (r->failed)
		return REPLAY_EINVAL;
	return build(r, out);
}

enum replay_status replay_read_csv_text(const char *text, size_t len, const char *source,
					struct scn_diag *diag, struct replay_series **out)
{
	struct reader r;
	struct csv_parser p;
	enum replay_status st;
	size_t at = 0;

	*out = NULL;
	reader_init(&r, source, diag);
	if (csv_init(&p, CSV_APPEND_NULL | CSV_EMPTY_IS_NULL) != 0)
		return REPLAY_ENOMEM;
	while (at < len && reading(&r)) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = nl != NULL ? (size_t)(nl - (text + at)) + 1 : len - at;

		if (!feed_line(&r, &p, text + at, n))
			break;
		at += n;
	}
	st = finish(&r, &p, out);
	csv_free(&p);
	free(r.w);
	return st;
}

/* Reads the file a line at a time (a recording may be large) through the
 * same reader as replay_read_csv_text. */
enum replay_status replay_read_csv(const char *path, struct scn_diag *diag,
				   struct replay_series **out)
{
	struct reader r;
	struct csv_parser p;
	enum replay_status st;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;

	*out = NULL;
	reader_init(&r, path, diag);
	f = fopen(path, "rb");
	if (f == NULL) {
		scn_diag_addf(diag, "%s: cannot open: %s", path, strerror(errno));
		return REPLAY_EIO;
	}
	if (csv_init(&p, CSV_APPEND_NULL | CSV_EMPTY_IS_NULL) != 0) {
		fclose(f);
		return REPLAY_ENOMEM;
	}
	while (reading(&r) && (n = getline(&line, &cap, f)) > 0)
		if (!feed_line(&r, &p, line, (size_t)n))
			break;
	free(line);
	if (ferror(f)) {
		scn_diag_addf(diag, "%s: cannot read: %s", path, strerror(errno));
		st = REPLAY_EIO;
	} else {
		st = finish(&r, &p, out);
	}
	csv_free(&p);
	fclose(f);
	free(r.w);
	return st;
}
