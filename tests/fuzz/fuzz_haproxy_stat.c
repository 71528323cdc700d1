/* libFuzzer driver: the HAProxy `show stat` CSV reader
 * (live_haproxy_parse_stat) on untrusted bytes. It checks only what
 * live/haproxy_stat.h promises; abort() when a promise breaks. `make fuzz`
 * builds and runs it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "live/haproxy_stat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The names are NUL-ended, the status cut to fit. */
static int row_ok(const struct live_server_stat *s)
{
	return memchr(s->proxy, '\0', sizeof(s->proxy)) != NULL &&
	       memchr(s->server, '\0', sizeof(s->server)) != NULL &&
	       memchr(s->status, '\0', sizeof(s->status)) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct live_server_stat *s = (struct live_server_stat *)&size; /* must be set */
	size_t n = 12345;
	char err[256];
	int rc;

	memset(err, 'x', sizeof(err)); /* not NUL-ended unless the reader ends it */
	rc = live_haproxy_parse_stat((const char *)data, size, &s, &n, err, sizeof(err));
	if (rc == 0) {
		if ((n == 0) != (s == NULL))
			abort();
		for (size_t i = 0; i < n; i++)
			if (!row_ok(&s[i]))
				abort();
		free(s);
		return 0;
	}
	if (rc != -1 || s != NULL || n != 0 || memchr(err, '\0', sizeof(err)) == NULL ||
	    err[0] == '\0')
		abort();
	return 0;
}
