/*
 * testsvc: a small HTTP/1.1 service on 127.0.0.1 for integration tests of
 * the live rollout controller. It answers with a configurable error rate
 * and latency, exposes Prometheus metrics, and takes new settings at run
 * time. Not a general web server: one request per connection, no bodies
 * read, no TLS, loopback only, and it exits by itself after --max-seconds.
 *
 * Endpoints
 *   GET /health        200 "ok\n" at once (not counted)
 *   GET /metrics       Prometheus text format 0.0.4 (not counted)
 *   GET|POST /control?error_rate=F&latency_ms=M&latency_sd=S
 *                      changes any of the settings, answers them as JSON;
 *                      400 on a bad or unknown parameter (nothing changed)
 *   GET|POST anything else: after a delay, 200 "ok\n" or, with probability
 *                      error_rate, 500 "error\n" (counted in the metrics)
 *
 * Delay: normal(latency_ms, latency_sd) truncated at 0 by rejection (a
 * negative draw is drawn again), so with sd 0 the delay is exactly the mean.
 * Randomness: one GSL mt19937 stream seeded from --seed; per counted
 * request, in order of arrival of complete request headers, the delay is
 * drawn first (GSL's ziggurat normal), then one uniform decides the error. The same seed and the same request order give
 * the same answers.
 *
 * Delays never block: each waiting connection holds a due time and the
 * poll(2) timeout is the earliest of them. Every answer carries
 * "Connection: close"; the write side is then shut down and the socket
 * drained briefly so that unread request bytes do not turn into a reset.
 *
 * Exit status: 0 after SIGTERM or SIGINT, 1 on a runtime error, 2 on a usage
 * error, 3 when --max-seconds elapsed.
 */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 128
#define MAX_HEADER_BYTES 8192    /* request line + headers + blank line */
#define OUT_BYTES 8192           /* largest answer (/metrics is ~1.5 KiB) */
#define READ_TIMEOUT_MS 10000    /* whole request headers must arrive by then */
#define DRAIN_MS 1000            /* linger after the answer, reading to EOF */
#define MAX_LATENCY_MS 3600000.0 /* one hour: larger settings are refused */

enum conn_state { CONN_FREE, CONN_READING, CONN_WAITING, CONN_WRITING, CONN_DRAINING };

struct conn {
	enum conn_state state;
	int fd;
	int64_t deadline_ms;   /* READING/DRAINING: give up; WAITING: answer due */
	double start_s;        /* when the request headers were complete, s */
	int code;              /* WAITING: status to answer with */
	size_t in_len;
	char in[MAX_HEADER_BYTES];
	size_t out_len, out_off;
	char out[OUT_BYTES];
};

struct settings {
	double error_rate_frac; /* probability of a 500, 0..1 */
	double latency_ms;      /* mean delay, ms */
	double latency_sd_ms;   /* standard deviation of the delay, ms */
};

static const double bucket_le_s[] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
};
#define N_BUCKETS (sizeof bucket_le_s / sizeof bucket_le_s[0])

struct metrics {
	uint64_t ok_total;                 /* answers 200 */
	uint64_t error_total;              /* answers 500 */
	uint64_t bucket_count[N_BUCKETS];  /* non-cumulative; summed on output */
	uint64_t count;
	double sum_s;                      /* total duration, s */
};

static struct settings cfg;
static struct metrics met;
static gsl_rng *rng;
static struct conn conns[MAX_CONNS];
static int sig_pipe[2] = { -1, -1 };

/* ---- randomness: one GSL stream (mt19937), seeded from --seed --------- */

static double rng_uniform(void)
{
	return gsl_rng_uniform(rng);
}

static double rng_normal(void)
{
	return gsl_ran_gaussian_ziggurat(rng, 1.0);
}

/* Delay in ms: normal(mean, sd) truncated at 0 by rejection. With mean >= 0
 * a draw is accepted with probability >= 1/2, so the loop ends; the bound
 * only guards against a broken generator. */
static double draw_delay_ms(void)
{
	if (cfg.latency_sd_ms == 0)
		return cfg.latency_ms;
	for (int i = 0; i < 1000; i++) {
		double x = cfg.latency_ms + cfg.latency_sd_ms * rng_normal();
		if (x >= 0)
			return x;
	}
	return 0;
}

/* ---- small helpers ------------------------------------------------------ */

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The clock in whole ms, rounded up: a due time set from it is never early
 * (now_ms() truncates, so now_ms() + d can fall up to 1 ms short of d). */
static int64_t now_ms_up(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + (ts.tv_nsec + 999999) / 1000000;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;
	if (write(sig_pipe[1], &b, 1) < 0) {
		/* pipe full: a signal is already pending */
	}
	errno = saved;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	return 0;
}

/* Parses a finite double from the whole of [s, s+len); false otherwise. */
static bool parse_double(const char *s, size_t len, double *out)
{
	char buf[64];
	char *end;
	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	double v = strtod(buf, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v))
		return false;
	*out = v;
	return true;
}

/* Shortest of %.15g / %.17g that reads back as v. */
static void fmt_double(char *buf, size_t n, double v)
{
	snprintf(buf, n, "%.15g", v);
	if (strtod(buf, NULL) != v)
		snprintf(buf, n, "%.17g", v);
}

/* ---- answers ------------------------------------------------------------ */

static const char *reason(int code)
{
	switch (code) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	}
	return "Unknown";
}

/* Queues a whole answer on c and switches it to writing. */
static void respond(struct conn *c, int code, const char *ctype, const char *body)
{
	size_t blen = strlen(body);
	int n = snprintf(c->out, sizeof c->out,
		"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		"Connection: close\r\n\r\n",
		code, reason(code), ctype, blen);
	if (n < 0 || (size_t)n + blen > sizeof c->out) {
		/* cannot happen with the bodies below; answer without a body */
		n = snprintf(c->out, sizeof c->out,
			"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n"
			"Connection: close\r\n\r\n");
		blen = 0;
	}
	memcpy(c->out + n, body, blen);
	c->out_len = (size_t)n + blen;
	c->out_off = 0;
	c->state = CONN_WRITING;
}

static void respond_text(struct conn *c, int code, const char *body)
{
	respond(c, code, "text/plain; charset=utf-8", body);
}

static void record(int code, double dur_s)
{
	if (code == 200)
		met.ok_total++;
	else
		met.error_total++;
	for (size_t i = 0; i < N_BUCKETS; i++) {
		if (dur_s <= bucket_le_s[i]) {
			met.bucket_count[i]++;
			break;
		}
	}
	met.count++;
	met.sum_s += dur_s;
}

static void respond_metrics(struct conn *c)
{
	char body[4096];
	size_t off = 0;
	uint64_t cum = 0;
	char num[40];

#define APPEND(...) do { \
		int k_ = snprintf(body + off, sizeof body - off, __VA_ARGS__); \
		if (k_ < 0 || (size_t)k_ >= sizeof body - off) \
			goto out_overflow; \
		off += (size_t)k_; \
	} while (0)

	APPEND("# HELP testsvc_requests_total Requests answered, by status code.\n"
	       "# TYPE testsvc_requests_total counter\n"
	       "testsvc_requests_total{code=\"200\"} %llu\n"
	       "testsvc_requests_total{code=\"500\"} %llu\n",
	       (unsigned long long)met.ok_total,
	       (unsigned long long)met.error_total);
	APPEND("# HELP testsvc_request_duration_seconds Time from request to answer.\n"
	       "# TYPE testsvc_request_duration_seconds histogram\n");
	for (size_t i = 0; i < N_BUCKETS; i++) {
		cum += met.bucket_count[i];
		fmt_double(num, sizeof num, bucket_le_s[i]);
		APPEND("testsvc_request_duration_seconds_bucket{le=\"%s\"} %llu\n",
		       num, (unsigned long long)cum);
	}
	fmt_double(num, sizeof num, met.sum_s);
	APPEND("testsvc_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
	       "testsvc_request_duration_seconds_sum %s\n"
	       "testsvc_request_duration_seconds_count %llu\n",
	       (unsigned long long)met.count, num, (unsigned long long)met.count);
#undef APPEND
	respond(c, 200, "text/plain; version=0.0.4; charset=utf-8", body);
	return;
out_overflow:
	respond_text(c, 500, "metrics too large\n");
}

/* Applies query "k=v&k=v" to the settings, all or nothing. */
static void respond_control(struct conn *c, const char *q, size_t qlen)
{
	struct settings next = cfg;
	char msg[256];
	size_t i = 0;

	while (i < qlen) {
		size_t j = i;
		while (j < qlen && q[j] != '&')
			j++;
		const char *eq = memchr(q + i, '=', j - i);
		if (j == i) { /* empty pair, as in "a=1&&b=2" */
			i = j + 1;
			continue;
		}
		if (!eq) {
			snprintf(msg, sizeof msg, "control: '%.*s': expected name=value\n",
				 (int)(j - i), q + i);
			goto out_bad;
		}
		size_t klen = (size_t)(eq - (q + i));
		const char *v = eq + 1;
		size_t vlen = (size_t)(q + j - v);
		double *dst, lo = 0, hi;
		if (klen == 10 && memcmp(q + i, "error_rate", 10) == 0) {
			dst = &next.error_rate_frac;
			hi = 1;
		} else if (klen == 10 && memcmp(q + i, "latency_ms", 10) == 0) {
			dst = &next.latency_ms;
			hi = MAX_LATENCY_MS;
		} else if (klen == 10 && memcmp(q + i, "latency_sd", 10) == 0) {
			dst = &next.latency_sd_ms;
			hi = MAX_LATENCY_MS;
		} else {
			snprintf(msg, sizeof msg, "control: unknown parameter '%.*s': "
				 "expected error_rate, latency_ms or latency_sd\n",
				 (int)klen, q + i);
			goto out_bad;
		}
		if (!parse_double(v, vlen, dst) || *dst < lo || *dst > hi) {
			snprintf(msg, sizeof msg, "control: %.*s: '%.*s' is not a number "
				 "in %g..%g\n", (int)klen, q + i, (int)vlen, v, lo, hi);
			goto out_bad;
		}
		i = j + 1;
	}
	cfg = next;

	char e[40], m[40], s[40], body[200];
	fmt_double(e, sizeof e, cfg.error_rate_frac);
	fmt_double(m, sizeof m, cfg.latency_ms);
	fmt_double(s, sizeof s, cfg.latency_sd_ms);
	snprintf(body, sizeof body,
		 "{\"error_rate\":%s,\"latency_ms\":%s,\"latency_sd\":%s}\n", e, m, s);
	respond(c, 200, "application/json", body);
	return;
out_bad:
	respond_text(c, 400, msg);
}

static bool path_is(const char *p, size_t plen, const char *name)
{
	return plen == strlen(name) && memcmp(p, name, plen) == 0;
}

/* The request headers in c->in are complete: route the request. */
static void handle_request(struct conn *c)
{
	const char *line = c->in;
	const char *eol = strstr(line, "\r\n");
	const char *sp1 = memchr(line, ' ', (size_t)(eol - line));
	if (!sp1) {
		respond_text(c, 400, "malformed request line\n");
		return;
	}
	const char *target = sp1 + 1;
	const char *sp2 = memchr(target, ' ', (size_t)(eol - target));
	if (!sp2 || sp2 == target || strncmp(sp2 + 1, "HTTP/1.", 7) != 0) {
		respond_text(c, 400, "malformed request line\n");
		return;
	}
	size_t mlen = (size_t)(sp1 - line);
	bool get = mlen == 3 && memcmp(line, "GET", 3) == 0;
	bool post = mlen == 4 && memcmp(line, "POST", 4) == 0;
	if (!get && !post) {
		respond_text(c, 405, "only GET and POST are supported\n");
		return;
	}
	const char *qm = memchr(target, '?', (size_t)(sp2 - target));
	size_t plen = (size_t)((qm ? qm : sp2) - target);

	if (path_is(target, plen, "/health")) {
		respond_text(c, 200, "ok\n");
	} else if (path_is(target, plen, "/metrics")) {
		respond_metrics(c);
	} else if (path_is(target, plen, "/control")) {
		if (qm)
			respond_control(c, qm + 1, (size_t)(sp2 - qm - 1));
		else
			respond_control(c, "", 0);
	} else {
		double delay_ms = draw_delay_ms();
		bool err = rng_uniform() < cfg.error_rate_frac;
		c->code = err ? 500 : 200;
		c->deadline_ms = now_ms_up() + (int64_t)ceil(delay_ms);
		c->state = CONN_WAITING;
	}
}

/* ---- connections -------------------------------------------------------- */

static void conn_close(struct conn *c)
{
	close(c->fd);
	c->fd = -1;
	c->state = CONN_FREE;
}

static void conn_read(struct conn *c)
{
	for (;;) {
		size_t room = sizeof c->in - 1 - c->in_len;
		if (room == 0) {
			respond_text(c, 431, "request headers larger than 8 KiB\n");
			return;
		}
		ssize_t n = recv(c->fd, c->in + c->in_len, room, 0);
		if (n == 0) {
			conn_close(c); /* peer gave up before a whole request */
			return;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				conn_close(c);
			return;
		}
		c->in_len += (size_t)n;
		c->in[c->in_len] = '\0';
		if (strstr(c->in, "\r\n\r\n")) {
			c->start_s = now_s();
			handle_request(c);
			return;
		}
	}
}

static void conn_write(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				conn_close(c);
			return;
		}
		c->out_off += (size_t)n;
	}
	shutdown(c->fd, SHUT_WR);
	c->state = CONN_DRAINING;
	c->deadline_ms = now_ms() + DRAIN_MS;
}

static void conn_drain(struct conn *c)
{
	char buf[4096];
	for (;;) {
		ssize_t n = recv(c->fd, buf, sizeof buf, 0);
		if (n > 0)
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		conn_close(c);
		return;
	}
}

/* Timers: answers that are due, reads and drains that took too long. */
static void run_timers(int64_t now)
{
	for (int i = 0; i < MAX_CONNS; i++) {
		struct conn *c = &conns[i];
		if (c->state == CONN_FREE || c->state == CONN_WRITING || now < c->deadline_ms)
			continue;
		if (c->state == CONN_WAITING) {
			int code = c->code;
			record(code, now_s() - c->start_s);
			respond_text(c, code, code == 200 ? "ok\n" : "error\n");
			conn_write(c);
		} else if (c->state == CONN_READING) {
			respond_text(c, 408, "request headers not received in time\n");
			conn_write(c);
		} else {
			conn_close(c);
		}
	}
}

static void accept_all(int lfd)
{
	for (;;) {
		int slot = -1;
		for (int i = 0; i < MAX_CONNS; i++) {
			if (conns[i].state == CONN_FREE) {
				slot = i;
				break;
			}
		}
		if (slot < 0)
			return; /* full: the rest wait in the backlog */
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			return; /* EAGAIN, or a transient error: poll again */
		if (set_nonblock(fd) < 0) {
			close(fd);
			continue;
		}
		struct conn *c = &conns[slot];
		c->fd = fd;
		c->state = CONN_READING;
		c->in_len = 0;
		c->out_len = c->out_off = 0;
		c->deadline_ms = now_ms() + READ_TIMEOUT_MS;
	}
}

/* ---- command line ------------------------------------------------------- */

static const char usage_text[] =
	"usage: testsvc --port P [--host 127.0.0.1] [--error-rate F]\n"
	"               [--latency-ms MEAN] [--latency-sd SD] [--seed S]\n"
	"               [--max-seconds T]\n"
	"\n"
	"A test HTTP service on 127.0.0.1 (no other address is accepted).\n"
	"  --port P          TCP port, 0..65535; 0 picks a free one\n"
	"  --error-rate F    probability of a 500 answer, 0..1 (default 0)\n"
	"  --latency-ms MEAN mean delay of an answer, ms (default 0)\n"
	"  --latency-sd SD   its standard deviation, ms (default 0); the delay\n"
	"                    is normal(MEAN, SD) truncated at 0 (redrawn if < 0)\n"
	"  --seed S          seed of the random draws, 0..2^64-1 (default 1)\n"
	"  --max-seconds T   exit by itself after T seconds, 1..86400 (default 300)\n"
	"Prints \"listening 127.0.0.1:PORT\" once ready. Endpoints: /health,\n"
	"/metrics, /control?error_rate=F&latency_ms=M&latency_sd=S, anything else.\n"
	"Exit status: 0 on SIGTERM/SIGINT, 1 runtime error, 2 usage, 3 time limit.\n";

static int usage_error(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "testsvc: ");
	fprintf(stderr, fmt, a, b);
	fprintf(stderr, "\n%s", usage_text);
	return 2;
}

static bool arg_double(const char *s, double lo, double hi, double *out)
{
	return parse_double(s, strlen(s), out) && *out >= lo && *out <= hi;
}

static bool arg_u64(const char *s, uint64_t *out)
{
	char *end;
	if (*s == '\0' || *s == '-' || *s == '+')
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*out = v;
	return true;
}

struct options {
	long port;        /* -1 until given */
	uint64_t seed;
	double max_s;     /* run time limit, s */
};

static int parse_args(int argc, char **argv, struct options *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage_text, stdout);
			exit(0);
		}
		if (i + 1 >= argc)
			return usage_error("%s%s: missing value or unknown option", a, "");
		const char *v = argv[++i];
		uint64_t u;
		if (strcmp(a, "--port") == 0) {
			if (!arg_u64(v, &u) || u > 65535)
				return usage_error("--port: '%s' is not a port %s", v, "0..65535");
			o->port = (long)u;
		} else if (strcmp(a, "--host") == 0) {
			if (strcmp(v, "127.0.0.1") != 0)
				return usage_error("--host: '%s' refused: %s", v,
						   "testsvc listens on 127.0.0.1 only");
		} else if (strcmp(a, "--error-rate") == 0) {
			if (!arg_double(v, 0, 1, &cfg.error_rate_frac))
				return usage_error("--error-rate: '%s' is not a number in %s", v, "0..1");
		} else if (strcmp(a, "--latency-ms") == 0) {
			if (!arg_double(v, 0, MAX_LATENCY_MS, &cfg.latency_ms))
				return usage_error("--latency-ms: '%s' is not a number in %s", v, "0..3600000");
		} else if (strcmp(a, "--latency-sd") == 0) {
			if (!arg_double(v, 0, MAX_LATENCY_MS, &cfg.latency_sd_ms))
				return usage_error("--latency-sd: '%s' is not a number in %s", v, "0..3600000");
		} else if (strcmp(a, "--seed") == 0) {
			if (!arg_u64(v, &o->seed))
				return usage_error("--seed: '%s' is not an integer %s", v, "0..2^64-1");
		} else if (strcmp(a, "--max-seconds") == 0) {
			if (!arg_double(v, 1, 86400, &o->max_s))
				return usage_error("--max-seconds: '%s' is not a number in %s", v, "1..86400");
		} else {
			return usage_error("unknown option '%s'%s", a, "");
		}
	}
	if (o->port < 0)
		return usage_error("--port is required%s%s", "", "");
	return 0;
}

static int open_listener(long port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0) {
		perror("testsvc: socket");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 64) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0 || set_nonblock(fd) < 0) {
		fprintf(stderr, "testsvc: 127.0.0.1:%ld: %s\n", port, strerror(errno));
		close(fd);
		return -1;
	}
	printf("listening 127.0.0.1:%u\n", (unsigned)ntohs(sa.sin_port));
	fflush(stdout);
	return fd;
}

static int install_signals(void)
{
	struct sigaction sa;
	if (pipe(sig_pipe) < 0 || set_nonblock(sig_pipe[0]) < 0 ||
	    set_nonblock(sig_pipe[1]) < 0) {
		perror("testsvc: pipe");
		return -1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	return 0;
}

/* poll timeout: earliest connection deadline or the end of the run, ms. */
static int next_timeout(int64_t now, int64_t end_ms)
{
	int64_t t = end_ms;
	for (int i = 0; i < MAX_CONNS; i++) {
		if (conns[i].state != CONN_FREE && conns[i].state != CONN_WRITING &&
		    conns[i].deadline_ms < t)
			t = conns[i].deadline_ms;
	}
	return t <= now ? 0 : (int)(t - now);
}

static int serve(int lfd, int64_t end_ms)
{
	struct pollfd pfd[MAX_CONNS + 2];
	int who[MAX_CONNS + 2];

	for (;;) {
		int64_t now = now_ms();
		if (now >= end_ms) {
			fprintf(stderr, "testsvc: --max-seconds reached, exiting\n");
			return 3;
		}
		int n = 0;
		pfd[n] = (struct pollfd){ .fd = sig_pipe[0], .events = POLLIN };
		who[n++] = -2;
		pfd[n] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		who[n++] = -1;
		for (int i = 0; i < MAX_CONNS; i++) {
			struct conn *c = &conns[i];
			if (c->state == CONN_READING || c->state == CONN_DRAINING)
				pfd[n].events = POLLIN;
			else if (c->state == CONN_WRITING)
				pfd[n].events = POLLOUT;
			else
				continue; /* FREE, or WAITING on its timer only */
			pfd[n].fd = c->fd;
			pfd[n].revents = 0;
			who[n++] = i;
		}
		int r = poll(pfd, (nfds_t)n, next_timeout(now, end_ms));
		if (r < 0 && errno != EINTR) {
			perror("testsvc: poll");
			return 1;
		}
		for (int k = 0; r > 0 && k < n; k++) {
			if (pfd[k].revents == 0)
				continue;
			if (who[k] == -2)
				return 0; /* SIGTERM or SIGINT */
			if (who[k] == -1) {
				accept_all(lfd);
				continue;
			}
			struct conn *c = &conns[who[k]];
			if (c->state == CONN_READING)
				conn_read(c);
			if (c->state == CONN_WRITING)
				conn_write(c);
			else if (c->state == CONN_DRAINING)
				conn_drain(c);
		}
		run_timers(now_ms());
	}
}

int main(int argc, char **argv)
{
	struct options o = { .port = -1, .seed = 1, .max_s = 300 };
	int rc = parse_args(argc, argv, &o);
	if (rc != 0)
		return rc;

	rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (rng == NULL) {
		fprintf(stderr, "testsvc: out of memory\n");
		return 1;
	}
	/* GSL seeds with an unsigned long; fold the 64-bit seed into it */
	gsl_rng_set(rng, (unsigned long)(o.seed ^ (o.seed >> 32)));
	for (int i = 0; i < MAX_CONNS; i++)
		conns[i].fd = -1;

	if (install_signals() < 0)
		return 1;
	int lfd = open_listener(o.port);
	if (lfd < 0)
		return 1;
	rc = serve(lfd, now_ms() + (int64_t)(o.max_s * 1000));
	for (int i = 0; i < MAX_CONNS; i++) {
		if (conns[i].state != CONN_FREE)
			conn_close(&conns[i]);
	}
	close(lfd);
	return rc;
}
