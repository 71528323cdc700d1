/* HAProxy statistics CSV: fields are found by the header's names (HAProxy
 * management guide, section 9.1 "CSV format": the first line is "# " then
 * the comma-separated field names; every line ends with a comma). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "live/haproxy_stat.h"

/* The columns read; the first N_REQUIRED must be in the header. */
enum col {
	C_PXNAME, C_SVNAME, C_STOT, C_5XX, C_WEIGHT, C_STATUS,
	C_2XX, C_4XX, C_ERESP, C_ECON, C_RTIME, C_TYPE, C_COUNT
};
#define N_REQUIRED 6
#define FIELD_MAX 64 /* bytes kept of a field, with its NUL */
#define NAME_MAX_LEN 63

static const char *const col_names[C_COUNT] = {
	"pxname", "svname", "stot", "hrsp_5xx", "weight", "status",
	"hrsp_2xx", "hrsp_4xx", "eresp", "econ", "rtime", "type",
};

struct parser {
	char *err;
	size_t errlen;
	size_t line;              /* 1-based line being fed */
	size_t row;               /* rows done; 0 while in the header */
	size_t col;               /* fields seen in this row */
	size_t ncols;             /* the header's */
	int *want;                /* per header column: its enum col, or -1; owned */
	size_t want_cap;
	int have[C_COUNT];        /* the column is in the header */
	char val[C_COUNT][FIELD_MAX]; /* this row's fields, cut to FIELD_MAX - 1 */
	size_t vlen[C_COUNT];     /* their whole lengths */
	struct live_server_stat *stats; /* owned until handed out */
	size_t n, cap;
	int failed;               /* err is set */
};

#ifdef __GNUC__
__attribute__((format(printf, 2, 3)))
#endif
static void fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;
	p->failed = 1;
	if (p->errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
}

static void header_field(struct parser *p, const char *s, size_t len)
{
	int which = -1;

	if (p->ncols == 0 && len >= 2 && s[0] == '#' && s[1] == ' ') {
		s += 2;
		len -= 2;
	}
	for (int c = 0; c < C_COUNT; c++)
		if (!p->have[c] && strlen(col_names[c]) == len && memcmp(col_names[c], s, len) == 0)
			which = c;
	if (p->ncols == p->want_cap) {
		size_t cap = p->want_cap ? p->want_cap * 2 : 128;
		int *w = realloc(p->want, cap * sizeof(*w));

		if (w == NULL) {
			fail(p, "out of memory");
			return;
		}
		p->want = w;
		p->want_cap = cap;
	}
	p->want[p->ncols++] = which;
	if (which >= 0)
		p->have[which] = 1;
}

static void on_field(void *s, size_t len, void *data)
{
	struct parser *p = data;
	size_t c = p->col++;
	int which;

	if (p->failed)
		return;
	if (s == NULL)
		len = 0;
	if (p->row == 0) {
		header_field(p, s, len);
		return;
	}
	if (c >= p->ncols || (which = p->want[c]) < 0)
		return;
	p->vlen[which] = len;
	if (len >= FIELD_MAX)
		len = FIELD_MAX - 1;
	if (len > 0)
		memcpy(p->val[which], s, len);
	p->val[which][len] = '\0';
}

/* Decimal digits only, as HAProxy writes them; empty reads as 0. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

static int parse_ms(const char *s, double *out)
{
	char *end;

	if (*s == '\0') {
		*out = NAN;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtod(s, &end);
	return *end == '\0' && errno == 0 && isfinite(*out) ? 0 : -1;
}

static int number(struct parser *p, enum col c, uint64_t max, uint64_t *out)
{
	*out = 0;
	if (!p->have[c])
		return 0;
	if (p->vlen[c] < FIELD_MAX && parse_u64(p->val[c], max, out) == 0)
		return 0;
	fail(p, "line %zu: %s: '%s%s' is not a number; expected an integer 0..%llu",
	     p->line, col_names[c], p->val[c], p->vlen[c] >= FIELD_MAX ? "..." : "",
	     (unsigned long long)max);
	return -1;
}

static int name(struct parser *p, enum col c, char *dst)
{
	if (p->vlen[c] > NAME_MAX_LEN) {
		fail(p, "line %zu: %s: a name of %zu bytes; expected at most %d",
		     p->line, col_names[c], p->vlen[c], NAME_MAX_LEN);
		return -1;
	}
	memcpy(dst, p->val[c], p->vlen[c] + 1);
	return 0;
}

static int is_server(const struct parser *p)
{
	if (p->have[C_TYPE] && strcmp(p->val[C_TYPE], "2") != 0)
		return 0;
	return strcmp(p->val[C_SVNAME], "FRONTEND") != 0 && strcmp(p->val[C_SVNAME], "BACKEND") != 0;
}

static void server_row(struct parser *p)
{
	struct live_server_stat st;
	uint64_t w;
	size_t len;

	memset(&st, 0, sizeof(st));
	if (name(p, C_PXNAME, st.proxy) || name(p, C_SVNAME, st.server) ||
	    number(p, C_STOT, UINT64_MAX, &st.stot) || number(p, C_5XX, UINT64_MAX, &st.hrsp_5xx) ||
	    number(p, C_2XX, UINT64_MAX, &st.hrsp_2xx) || number(p, C_4XX, UINT64_MAX, &st.hrsp_4xx) ||
	    number(p, C_ERESP, UINT64_MAX, &st.eresp) || number(p, C_ECON, UINT64_MAX, &st.econ) ||
	    number(p, C_WEIGHT, UINT32_MAX, &w))
		return;
	st.weight = (uint32_t)w;
	st.rtime_ms = NAN;
	if (p->have[C_RTIME] && (p->vlen[C_RTIME] >= FIELD_MAX ||
				 parse_ms(p->val[C_RTIME], &st.rtime_ms) != 0)) {
		fail(p, "line %zu: rtime: '%s' is not a number; expected milliseconds",
		     p->line, p->val[C_RTIME]);
		return;
	}
	len = p->vlen[C_STATUS] < sizeof(st.status) ? p->vlen[C_STATUS] : sizeof(st.status) - 1;
	memcpy(st.status, p->val[C_STATUS], len); /* cut on purpose; st is zeroed */
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		struct live_server_stat *a = realloc(p->stats, cap * sizeof(*a));

		if (a == NULL) {
			fail(p, "out of memory");
			return;
		}
		p->stats = a;
		p->cap = cap;
	}
	p->stats[p->n++] = st;
}

static void on_row(int term, void *data)
{
	struct parser *p = data;

	(void)term;
	if (p->failed)
		return;
	if (p->row == 0) {
		for (int c = 0; c < N_REQUIRED; c++)
			if (!p->have[c]) {
				fail(p, "line %zu: no column '%s' in the header; expected pxname, "
				     "svname, stot, hrsp_5xx, weight and status", p->line, col_names[c]);
				return;
			}
	} else if (p->col != p->ncols) {
		fail(p, "line %zu: %zu fields; expected %zu as in the header", p->line, p->col, p->ncols);
		return;
	} else if (is_server(p)) {
		server_row(p);
	}
	p->row++;
	p->col = 0;
	memset(p->vlen, 0, sizeof(p->vlen));
	for (int c = 0; c < C_COUNT; c++)
		p->val[c][0] = '\0';
}

/* Feeds libcsv one line at a time so that messages can name the line. */
static void feed(struct parser *p, struct csv_parser *csv, const char *text, size_t len)
{
	size_t at = 0;

	while (at < len && !p->failed) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t chunk = nl ? (size_t)(nl - (text + at)) + 1 : len - at;

		if (csv_parse(csv, text + at, chunk, on_field, on_row, p) != chunk)
			fail(p, "line %zu: %s", p->line, csv_strerror(csv_error(csv)));
		at += chunk;
		if (nl != NULL && at < len)
			p->line++;
	}
	if (!p->failed)
		csv_fini(csv, on_field, on_row, p);
}

int live_haproxy_parse_stat(const char *text, size_t len, struct live_server_stat **out,
			    size_t *n, char *err, size_t errlen)
{
	struct parser p = { .err = err, .errlen = errlen, .line = 1 };
	struct csv_parser csv;

	*out = NULL;
	*n = 0;
	if (errlen > 0)
		err[0] = '\0';
	if (len < 2 || text[0] != '#' || text[1] != ' ') {
		size_t show = 0;

		while (show < len && show < 40 && text[show] != '\n' && text[show] != '\r')
			show++;
		fail(&p, "line 1: found '%.*s'; expected a header starting with \"# \"",
		     (int)show, text);
		return -1;
	}
	if (csv_init(&csv, 0) != 0) {
		fail(&p, "out of memory");
		return -1;
	}
	feed(&p, &csv, text, len);
	csv_free(&csv);
	if (!p.failed && p.row == 0)
		on_row(0, &p); /* a header without a line end */
	free(p.want);
	if (p.failed) {
		free(p.stats);
		return -1;
	}
	if (p.n == 0) {
		free(p.stats);
		p.stats = NULL;
	}
	*out = p.stats;
	*n = p.n;
	return 0;
}

const struct live_server_stat *live_haproxy_find(const struct live_server_stat *s, size_t n,
						 const char *backend, const char *server)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s[i].proxy, backend) == 0 && strcmp(s[i].server, server) == 0)
			return &s[i];
	return NULL;
}

static int went_down(const struct live_server_stat *b, const struct live_server_stat *a)
{
	return a->stot < b->stot || a->hrsp_5xx < b->hrsp_5xx || a->hrsp_2xx < b->hrsp_2xx ||
	       a->hrsp_4xx < b->hrsp_4xx || a->eresp < b->eresp || a->econ < b->econ;
}

struct live_window_counts live_haproxy_window(const struct live_server_stat *before,
					      const struct live_server_stat *after)
{
	struct live_window_counts w = { .ok = false, .error_rate_frac = NAN, .rtime_ms = NAN };

	if (before == NULL || after == NULL || strcmp(before->proxy, after->proxy) != 0 ||
	    strcmp(before->server, after->server) != 0 || went_down(before, after))
		return w;
	w.ok = true;
	w.requests = after->stot - before->stot;
	w.errors = (after->hrsp_5xx - before->hrsp_5xx) + (after->eresp - before->eresp) +
		   (after->econ - before->econ);
	w.rtime_ms = after->rtime_ms;
	if (w.requests > 0)
		w.error_rate_frac = w.errors >= w.requests ? 1.0 : (double)w.errors / (double)w.requests;
	return w;
}
