/* Network failure injection for a test build of rollsim (rollsim-failnet,
 * linked with -Wl,--wrap= for the live world's three network calls): with
 * ROLLSIM_FAIL_NET=N in the environment, the Nth call to HAProxy's runtime
 * API, an HTTP GET or a webhook POST fails as an unreachable endpoint
 * would, and every call after it goes through. At exit it says on stderr
 * how many calls were made and whether the Nth failed
 * (tests/live/live.sh). */
#include <stdio.h>
#include <stdlib.h>

#include "live/haproxy_api.h"
#include "live/http.h"

int __real_live_haproxy_command(const struct live_haproxy_api *api, const char *cmd,
				int64_t timeout_ns, char **answer, size_t *len, char *err,
				size_t errlen);
int __wrap_live_haproxy_command(const struct live_haproxy_api *api, const char *cmd,
				int64_t timeout_ns, char **answer, size_t *len, char *err,
				size_t errlen);
int __real_live_http_get(const char *url, int64_t timeout_ns, struct live_http_reply *out,
			 char *err, size_t errlen);
int __wrap_live_http_get(const char *url, int64_t timeout_ns, struct live_http_reply *out,
			 char *err, size_t errlen);
int __real_live_http_post_json(const char *url, const char *json, int64_t timeout_ns,
			       long *status, char *err, size_t errlen);
int __wrap_live_http_post_json(const char *url, const char *json, int64_t timeout_ns,
			       long *status, char *err, size_t errlen);

static size_t calls, fail_at;
static int configured, failed;

static void report(void)
{
	fprintf(stderr, "failnet: %zu network calls; %s\n", calls,
		failed ? "the one asked for failed" : "none failed");
}

/* Whether this call is the one to fail; fills err as a refused connect. */
static int should_fail(const char *what, char *err, size_t errlen)
{
	if (!configured) {
		const char *s = getenv("ROLLSIM_FAIL_NET");

		configured = 1;
		if (s != NULL) {
			fail_at = (size_t)strtoull(s, NULL, 10);
			atexit(report);
		}
	}
	if (fail_at == 0 || ++calls != fail_at)
		return 0;
	failed = 1;
	snprintf(err, errlen, "%s: injected failure (network call %zu)", what, calls);
	return 1;
}

int __wrap_live_haproxy_command(const struct live_haproxy_api *api, const char *cmd,
				int64_t timeout_ns, char **answer, size_t *len, char *err,
				size_t errlen)
{
	if (should_fail("HAProxy", err, errlen)) {
		*answer = NULL;
		*len = 0;
		return -1;
	}
	return __real_live_haproxy_command(api, cmd, timeout_ns, answer, len, err, errlen);
}

int __wrap_live_http_get(const char *url, int64_t timeout_ns, struct live_http_reply *out,
			 char *err, size_t errlen)
{
	if (should_fail(url, err, errlen))
		return -1;
	return __real_live_http_get(url, timeout_ns, out, err, errlen);
}

int __wrap_live_http_post_json(const char *url, const char *json, int64_t timeout_ns,
			       long *status, char *err, size_t errlen)
{
	if (should_fail(url, err, errlen))
		return -1;
	return __real_live_http_post_json(url, json, timeout_ns, status, err, errlen);
}

int __real_live_haproxy_set_weight(const struct live_haproxy_api *api, const char *backend,
				   const char *server, uint32_t w, int64_t timeout_ns, char *err,
				   size_t errlen);
int __wrap_live_haproxy_set_weight(const struct live_haproxy_api *api, const char *backend,
				   const char *server, uint32_t w, int64_t timeout_ns, char *err,
				   size_t errlen);

int __wrap_live_haproxy_set_weight(const struct live_haproxy_api *api, const char *backend,
				   const char *server, uint32_t w, int64_t timeout_ns, char *err,
				   size_t errlen)
{
	if (should_fail("HAProxy set weight", err, errlen))
		return -1;
	return __real_live_haproxy_set_weight(api, backend, server, w, timeout_ns, err, errlen);
}
