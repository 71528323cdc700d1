/* HAProxy statistics CSV (`show stat` on the runtime API, or the stats page
 * with ";csv") read into per-server counters, and the window between two
 * snapshots of one server turned into request and error counts. Pure: it does
 * no I/O (the caller fetches the text) and keeps no state between calls.
 * Columns are found by the header's names, never by position. */
#ifndef LIVE_HAPROXY_STAT_H
#define LIVE_HAPROXY_STAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One server row. Counters are HAProxy's totals since it started (or since
 * `clear counters`); a column the header lacks, or an empty field (HAProxy
 * leaves fields empty where they do not apply), reads as 0. */
struct live_server_stat {
	char proxy[64], server[64]; /* pxname, svname */
	uint64_t stot;              /* sessions (requests in HTTP mode), total */
	uint64_t hrsp_5xx, hrsp_2xx, hrsp_4xx; /* responses by class, totals */
	uint64_t eresp, econ;       /* response and connection errors, totals */
	double rtime_ms;            /* average response time over the last 1024 requests, ms; NaN when empty */
	uint32_t weight;            /* current weight */
	char status[16];            /* UP, DOWN, MAINT, ...; longer ones cut to 15 bytes */
};

/* Parses text (len bytes, need not be NUL-ended; borrowed) into *out
 * (returns owned, free with free(); NULL when *n is 0) and *n. Keeps the
 * server rows: rows whose svname is FRONTEND or BACKEND are skipped, and so
 * is any row whose `type` column (when there is one) is not 2 (server), such
 * as listeners. Returns 0, or -1 with *out NULL, *n 0 and err (errlen bytes,
 * always NUL-ended when errlen > 0) naming the line, what was found and what
 * was expected: no "# " header, a required column missing (pxname, svname,
 * stot, hrsp_5xx, weight, status), a number that is not one, a row with
 * another column count than the header, a proxy or server name of more than
 * 63 bytes, or "out of memory". */
int live_haproxy_parse_stat(const char *text, size_t len, struct live_server_stat **out,
			    size_t *n, char *err, size_t errlen);

/* The server named server in backend among the n stats s (borrowed);
 * NULL when absent. Returns a pointer into s. */
const struct live_server_stat *live_haproxy_find(const struct live_server_stat *s, size_t n,
						 const char *backend, const char *server);

/* The window between two snapshots of one server. */
struct live_window_counts {
	bool ok;                 /* false: no data (a counter went down, or a snapshot is missing) */
	uint64_t requests;       /* stot difference */
	uint64_t errors;         /* hrsp_5xx + eresp + econ differences */
	double error_rate_frac;  /* errors / requests, capped at 1; NaN when requests is 0 */
	double rtime_ms;         /* after's rtime (HAProxy's last-1024 average, not the window's), ms */
};

/* The window from before to after (both borrowed; either may be NULL, as
 * live_haproxy_find returns for a server that is gone: ok is then false, as
 * it is when the two are not the same proxy and server). A
 * counter that went down means HAProxy reloaded or the counters were
 * cleared: ok is false and the caller treats the window as no data. Errors
 * can exceed requests (each failed connect retry counts in econ), so the
 * fraction is capped at 1. A window without requests has no error rate:
 * error_rate_frac is NaN, not 0, so that a canary taking no traffic does not
 * look healthy. */
struct live_window_counts live_haproxy_window(const struct live_server_stat *before,
					      const struct live_server_stat *after);

#endif
