/* HTTP for the live world, through libcurl: GET (health probes, Prometheus
 * queries) and POST of JSON (event webhooks), each with a time limit, only
 * http and https, no redirects followed. */
#ifndef LIVE_HTTP_H
#define LIVE_HTTP_H

#include <stddef.h>
#include <stdint.h>

#define LIVE_HTTP_MAX_BODY (4u << 20) /* a longer answer is an error */

struct live_http_reply {
	long status;              /* HTTP status */
	char *body;               /* owned, NUL-ended; free with free() */
	size_t len;
};

/* Once per process, before any thread: curl_global_init. 0, or -1. */
int live_http_init(void);
void live_http_cleanup(void);

/* GETs url within timeout_ns into *out. Returns 0 with any HTTP status,
 * or -1 (nothing to free) with err (errlen bytes): curl's reason (could
 * not connect, timed out, ...) or a body over LIVE_HTTP_MAX_BODY. */
int live_http_get(const char *url, int64_t timeout_ns, struct live_http_reply *out,
		  char *err, size_t errlen);

/* POSTs json to url within timeout_ns; *status gets the HTTP status.
 * Returns 0, or -1 with err as for live_http_get. */
int live_http_post_json(const char *url, const char *json, int64_t timeout_ns,
			long *status, char *err, size_t errlen);

/* base + "/api/v1/query?query=" + query, URL-encoded, owned (free with
 * free()); NULL when out of memory. */
char *live_http_query_url(const char *base, const char *query);

#endif
