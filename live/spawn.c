#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "live/clock.h"
#include "live/spawn.h"

extern char **environ;

/* The index of the key that word[0..len) names, or -1. */
static long find_key(const char *name, size_t len, const char *const *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strlen(keys[i]) == len && memcmp(keys[i], name, len) == 0)
			return (long)i;
	}
	return -1;
}

/* The length of the placeholder name after the '{' at p (letters, digits,
 * '_', not starting with a digit, then '}'); 0 when p opens none (PromQL's
 * label matchers, say). */
static size_t placeholder_len(const char *p)
{
	size_t n = 0;

	if (!(isalpha((unsigned char)p[1]) || p[1] == '_'))
		return 0;
	while (isalnum((unsigned char)p[1 + n]) || p[1 + n] == '_')
		n++;
	return p[1 + n] == '}' ? n : 0;
}

int live_argv_unknown(const char *word, const char *const *keys, size_t n,
		      char *buf, size_t size)
{
	for (const char *p = strchr(word, '{'); p != NULL; p = strchr(p + 1, '{')) {
		size_t len = placeholder_len(p);

		if (len > 0 && find_key(p + 1, len, keys, n) < 0) {
			snprintf(buf, size, "%.*s", (int)(len + 2), p);
			return 1;
		}
	}
	return 0;
}

/* word with its placeholders filled, owned; NULL when out of memory. */
static char *expand_word(const char *word, const struct live_vars *v)
{
	size_t cap = strlen(word) + 1, len = 0;
	char *out = malloc(cap);

	if (out == NULL)
		return NULL;
	for (const char *p = word; *p != '\0';) {
		size_t plen = *p == '{' ? placeholder_len(p) : 0;
		const char *end = p + plen + 1;
		long k = plen > 0 ? find_key(p + 1, plen, v->keys, v->n) : -1;
		const char *add = k >= 0 ? v->vals[k] : p;
		size_t n = k >= 0 ? strlen(add) : 1;

		if (len + n + 1 > cap) {
			char *grown;

			cap = 2 * (len + n + 1);
			grown = realloc(out, cap);
			if (grown == NULL) {
				free(out);
				return NULL;
			}
			out = grown;
		}
		memcpy(out + len, add, n);
		len += n;
		p = k >= 0 ? end + 1 : p + 1;
	}
	out[len] = '\0';
	return out;
}

char **live_argv_expand(const struct live_argv *tpl, const struct live_vars *v)
{
	char **argv = calloc(tpl->argc + 1, sizeof(*argv));

	if (argv == NULL)
		return NULL;
	for (size_t i = 0; i < tpl->argc; i++) {
		argv[i] = expand_word(tpl->argv[i], v);
		if (argv[i] == NULL) {
			live_argv_free(argv);
			return NULL;
		}
	}
	return argv;
}

void live_argv_free(char **argv)
{
	if (argv == NULL)
		return;
	for (char **p = argv; *p != NULL; p++)
		free(*p);
	free(argv);
}

/* Waits for pid until deadline; true with *status when it ended. */
static bool wait_until(pid_t pid, int64_t deadline, int *status)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return true;
		if (r < 0 && errno != EINTR)
			return false;
		if (live_mono_ns() >= deadline)
			return false;
		nanosleep(&(struct timespec){ 0, 5000000 }, NULL);
	}
}

int live_run_command(char *const *argv, int64_t timeout_ns, char *err, size_t errlen)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status = 0, rc;

	if (posix_spawn_file_actions_init(&fa) != 0) {
		snprintf(err, errlen, "%s: could not start: out of memory", argv[0]);
		return -1;
	}
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		snprintf(err, errlen, "%s: could not start: %s", argv[0], strerror(rc));
		return -1;
	}
	if (!wait_until(pid, live_mono_ns() + timeout_ns, &status)) {
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		snprintf(err, errlen, "%s: timed out after %.3g s; killed", argv[0],
			 (double)timeout_ns / 1e9);
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		snprintf(err, errlen, "%s: exited with status %d", argv[0], WEXITSTATUS(status));
	else
		snprintf(err, errlen, "%s: killed by signal %d", argv[0], WTERMSIG(status));
	return -1;
}
