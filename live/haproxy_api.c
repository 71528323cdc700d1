#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "live/clock.h"
#include "live/haproxy_api.h"

void live_haproxy_api_name(const struct live_haproxy_api *api, char *buf, size_t n)
{
	if (api->socket[0] != '\0')
		snprintf(buf, n, "HAProxy socket %s", api->socket);
	else
		snprintf(buf, n, "HAProxy %s:%u", api->host, (unsigned)api->port);
}

/* Waits for events on fd until deadline; true when ready. */
static bool ready(int fd, short events, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - live_mono_ns();
		struct pollfd p = { fd, events, 0 };
		int r;

		if (left <= 0)
			return false;
		r = poll(&p, 1, (int)((left + 999999) / 1000000));
		if (r > 0)
			return true;
		if (r == 0 || errno != EINTR)
			return false;
	}
}

/* A non-blocking socket connected to addr within deadline; -1 on failure
 * with errno set (ETIMEDOUT when the deadline passed). */
static int connect_by(const struct sockaddr *addr, socklen_t alen, int family,
		      int64_t deadline)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int e = 0;
	socklen_t elen = sizeof(e);

	if (fd < 0)
		return -1;
	if (connect(fd, addr, alen) == 0)
		return fd;
	if (errno != EINPROGRESS && errno != EAGAIN) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (!ready(fd, POLLOUT, deadline)) {
		close(fd);
		errno = ETIMEDOUT;
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) != 0 || e != 0) {
		close(fd);
		errno = e ? e : EIO;
		return -1;
	}
	return fd;
}

static int open_api(const struct live_haproxy_api *api, int64_t deadline,
		    char *err, size_t errlen, const char *name)
{
	if (api->socket[0] != '\0') {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int fd;

		if (strlen(api->socket) >= sizeof(sa.sun_path)) {
			snprintf(err, errlen, "%s: path longer than %zu bytes", name,
				 sizeof(sa.sun_path) - 1);
			return -1;
		}
		memcpy(sa.sun_path, api->socket, strlen(api->socket) + 1);
		fd = connect_by((const struct sockaddr *)&sa, sizeof(sa), AF_UNIX, deadline);
		if (fd < 0)
			snprintf(err, errlen, "%s: cannot connect: %s", name, strerror(errno));
		return fd;
	}
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	char port[8];
	int fd = -1, e = 0, g;

	snprintf(port, sizeof(port), "%u", (unsigned)api->port);
	g = getaddrinfo(api->host, port, &hints, &res);
	if (g != 0) {
		snprintf(err, errlen, "%s: cannot resolve: %s", name, gai_strerror(g));
		return -1;
	}
	for (struct addrinfo *a = res; a != NULL && fd < 0; a = a->ai_next) {
		fd = connect_by(a->ai_addr, a->ai_addrlen, a->ai_family, deadline);
		if (fd < 0)
			e = errno;
	}
	freeaddrinfo(res);
	if (fd < 0)
		snprintf(err, errlen, "%s: cannot connect: %s", name, strerror(e));
	return fd;
}

static bool send_all(int fd, const char *buf, size_t n, int64_t deadline)
{
	while (n > 0) {
		ssize_t w;

		if (!ready(fd, POLLOUT, deadline))
			return false;
		w = send(fd, buf, n, MSG_NOSIGNAL);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w <= 0)
			return false;
		buf += w;
		n -= (size_t)w;
	}
	return true;
}

/* Reads until EOF into *out; 0, or -1 with err. */
static int read_all(int fd, int64_t deadline, char **out, size_t *len,
		    char *err, size_t errlen, const char *name)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);

	if (buf == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			char *grown;

			if (cap >= LIVE_HAPROXY_MAX_ANSWER) {
				snprintf(err, errlen, "%s: answer longer than %u bytes", name,
					 LIVE_HAPROXY_MAX_ANSWER);
				free(buf);
				return -1;
			}
			grown = realloc(buf, cap * 2);
			if (grown == NULL) {
				snprintf(err, errlen, "%s: out of memory", name);
				free(buf);
				return -1;
			}
			buf = grown;
			cap *= 2;
		}
		if (!ready(fd, POLLIN, deadline)) {
			snprintf(err, errlen, "%s: no complete answer in time", name);
			free(buf);
			return -1;
		}
		r = recv(fd, buf + n, cap - n - 1, 0);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: read: %s", name, strerror(errno));
			free(buf);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

int live_haproxy_command(const struct live_haproxy_api *api, const char *cmd,
			 int64_t timeout_ns, char **answer, size_t *len,
			 char *err, size_t errlen)
{
	int64_t deadline = live_mono_ns() + timeout_ns;
	char name[LIVE_TEXT_MAX + 32], line[512];
	int fd, rc;

	*answer = NULL;
	*len = 0;
	live_haproxy_api_name(api, name, sizeof(name));
	if (strlen(cmd) + 2 > sizeof(line) || strchr(cmd, '\n') != NULL) {
		snprintf(err, errlen, "%s: command too long or of several lines", name);
		return -1;
	}
	snprintf(line, sizeof(line), "%s\n", cmd);
	fd = open_api(api, deadline, err, errlen, name);
	if (fd < 0)
		return -1;
	if (!send_all(fd, line, strlen(line), deadline)) {
		snprintf(err, errlen, "%s: cannot send '%s'", name, cmd);
		close(fd);
		return -1;
	}
	shutdown(fd, SHUT_WR);
	rc = read_all(fd, deadline, answer, len, err, errlen, name);
	close(fd);
	return rc;
}

int live_haproxy_set_weight(const struct live_haproxy_api *api, const char *backend,
			    const char *server, uint32_t w, int64_t timeout_ns,
			    char *err, size_t errlen)
{
	char cmd[256], *answer = NULL;
	size_t len = 0, n;

	snprintf(cmd, sizeof(cmd), "set weight %s/%s %u", backend, server, (unsigned)w);
	if (live_haproxy_command(api, cmd, timeout_ns, &answer, &len, err, errlen) != 0)
		return -1;
	/* success is an empty answer (a blank line at most) */
	n = len;
	while (n > 0 && (answer[n - 1] == '\n' || answer[n - 1] == ' '))
		n--;
	if (n > 0) {
		char name[LIVE_TEXT_MAX + 32];

		live_haproxy_api_name(api, name, sizeof(name));
		snprintf(err, errlen, "%s: '%s' answered: %.*s", name, cmd, (int)(n > 200 ? 200 : n),
			 answer);
		free(answer);
		return -1;
	}
	free(answer);
	return 0;
}
