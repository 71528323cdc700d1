/* HAProxy's runtime API (the stats socket), over a Unix socket or TCP: one
 * command per connection, as `socat` sends them, with a time limit on the
 * connect, the send and the answer. `show stat` feeds observations;
 * `set weight BACKEND/SERVER W` is the actuator. */
#ifndef LIVE_HAPROXY_API_H
#define LIVE_HAPROXY_API_H

#include <stddef.h>
#include <stdint.h>

#include "live/live.h"

#define LIVE_HAPROXY_MAX_ANSWER (8u << 20)

/* Sends cmd (one line, without its newline) to api and reads the answer
 * until HAProxy closes the connection, within timeout_ns. Returns 0 with
 * *answer (owned, NUL-ended, free with free()) and *len; or -1 with err
 * (errlen bytes) naming the endpoint and what failed. */
int live_haproxy_command(const struct live_haproxy_api *api, const char *cmd,
			 int64_t timeout_ns, char **answer, size_t *len,
			 char *err, size_t errlen);

/* Sets backend/server's weight to w. HAProxy answers nothing on success;
 * any answer is its error message. Returns 0, or -1 with err. */
int live_haproxy_set_weight(const struct live_haproxy_api *api, const char *backend,
			    const char *server, uint32_t w, int64_t timeout_ns,
			    char *err, size_t errlen);

/* "unix socket PATH" or "HOST:PORT", for messages. */
void live_haproxy_api_name(const struct live_haproxy_api *api, char *buf, size_t n);

#endif
