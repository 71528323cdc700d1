#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "scenario/csv_read.h"

struct reader {
	const char *where;
	const char *path;
	struct scn_diag *diag;
	size_t ncols;
	double *vals;             /* owned until handed out */
	size_t nvals, cap;
	size_t row;               /* 1-based row being read */
	size_t col;               /* fields seen in this row */
	size_t data_rows;
	int header_row;           /* the first row is names, not numbers */
	int failed;
	int oom;
};

static int push(struct reader *r, double v)
{
	if (r->nvals == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 1024;
		double *p = realloc(r->vals, cap * sizeof(*p));

		if (p == NULL) {
			r->oom = 1;
			return -1;
		}
		r->vals = p;
		r->cap = cap;
	}
	r->vals[r->nvals++] = v;
	return 0;
}

static int parse_number(const char *s, size_t n, double *out)
{
	char buf[64], *end;

	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	*out = strtod(buf, &end);
	return *end == '\0' && errno == 0 && isfinite(*out) ? 0 : -1;
}

static void on_field(void *s, size_t n, void *data)
{
	struct reader *r = data;
	double v;

	r->col++;
	if (r->failed || r->oom || (r->header_row && r->row == 1))
		return;
	if (parse_number(s, n, &v) != 0) {
		if (r->row == 1 && r->col == 1) {
			r->header_row = 1; /* names: skip this row */
			return;
		}
		scn_diag_addf(r->diag, "%s: %s:%zu:%zu: '%.*s' is not a number; expected a number",
			      r->where, r->path, r->row, r->col, (int)(n > 40 ? 40 : n),
			      (const char *)s);
		r->failed = 1;
		return;
	}
	if (r->col <= r->ncols)
		push(r, v);
}

static void on_row(int c, void *data)
{
	struct reader *r = data;

	(void)c;
	if (!r->failed && !r->oom && !(r->header_row && r->row == 1)) {
		if (r->col != r->ncols) {
			scn_diag_addf(r->diag, "%s: %s:%zu: %zu fields; expected %zu",
				      r->where, r->path, r->row, r->col, r->ncols);
			r->failed = 1;
		} else if (++r->data_rows > SCN_CSV_MAX_ROWS) {
			scn_diag_addf(r->diag, "%s: %s:%zu: more than %d rows",
				      r->where, r->path, r->row, SCN_CSV_MAX_ROWS);
			r->failed = 1;
		}
	}
	r->row++;
	r->col = 0;
}

int scn_csv_read_numbers(const char *path, size_t ncols, const char *where,
			 struct scn_diag *diag, double **out, size_t *nrows)
{
	struct reader r = { .where = where, .path = path, .diag = diag,
			    .ncols = ncols, .row = 1 };
	struct csv_parser p;
	char buf[65536];
	size_t n;
	FILE *f;

	*out = NULL;
	*nrows = 0;
	f = fopen(path, "rb");
	if (f == NULL) {
		scn_diag_addf(diag, "%s: %s: cannot open: %s", where, path, strerror(errno));
		return -1;
	}
	if (csv_init(&p, CSV_APPEND_NULL | CSV_EMPTY_IS_NULL) != 0) {
		fclose(f);
		scn_diag_addf(diag, "%s: %s: out of memory", where, path);
		return -1;
	}
	while (!r.failed && !r.oom && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (csv_parse(&p, buf, n, on_field, on_row, &r) != n) {
			scn_diag_addf(diag, "%s: %s:%zu: %s", where, path, r.row,
				      csv_strerror(csv_error(&p)));
			r.failed = 1;
		}
	}
	if (!r.failed && ferror(f)) {
		scn_diag_addf(diag, "%s: %s: cannot read: %s", where, path, strerror(errno));
		r.failed = 1;
	}
	if (!r.failed && !r.oom)
		csv_fini(&p, on_field, on_row, &r);
	csv_free(&p);
	fclose(f);
	if (r.oom && !r.failed)
		scn_diag_addf(diag, "%s: %s: out of memory", where, path);
	if (!r.failed && !r.oom && r.data_rows == 0) {
		scn_diag_addf(diag, "%s: %s: no rows of numbers; expected at least one", where, path);
		r.failed = 1;
	}
	if (r.failed || r.oom) {
		free(r.vals);
		return -1;
	}
	*out = r.vals;
	*nrows = r.data_rows;
	return 0;
}
