/* A Prometheus HTTP API instant-query response (the JSON of GET
 * /api/v1/query) read into the one value the engine judges. Pure: it does
 * no I/O (the caller fetches the text) and keeps no state between calls.
 * Range queries (a matrix) are replay/prometheus.h's; this reads one sample. */
#ifndef LIVE_PROM_QUERY_H
#define LIVE_PROM_QUERY_H

#include <stddef.h>

enum live_prom_kind {
	LIVE_PROM_VALUE,          /* one sample, in value */
	LIVE_PROM_NO_DATA,        /* an empty vector: no series matched */
	LIVE_PROM_NAN,            /* one sample, "NaN" (e.g. 0/0 in a ratio) */
	LIVE_PROM_ERROR           /* status error, or a malformed response */
};

struct live_prom_value {
	enum live_prom_kind kind;
	double value;             /* LIVE_PROM_VALUE: finite, or +-Inf; otherwise NaN */
	double t_s;               /* the sample's time, unix s; NaN without a sample */
	char error[256];          /* LIVE_PROM_ERROR: "errorType: error", or the JSON path,
				     what was found and what was expected; "" otherwise */
};

/* Reads an instant-query response (text, len bytes, need not be NUL-ended;
 * borrowed) into *out. One sample is expected: a scalar, or a vector of one
 * element; an empty vector is LIVE_PROM_NO_DATA; a vector of several is an
 * error ("data.result: 3 series; expected one: aggregate the query, e.g.
 * sum(...)"); "NaN" is LIVE_PROM_NAN; status error is LIVE_PROM_ERROR with
 * "errorType: error"; malformed JSON (line and column), a missing field or
 * one of the wrong type (the JSON path, e.g. "data.result[0].value[1]:
 * found a number, expected a string"), and a matrix or string result are
 * LIVE_PROM_ERROR. "warnings" are ignored. Returns 0; -1 only when out of
 * memory, with out->kind LIVE_PROM_ERROR and error "out of memory". */
int live_prom_parse_instant(const char *text, size_t len, struct live_prom_value *out);

#endif
