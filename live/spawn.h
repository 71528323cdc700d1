/* Commands of the live world (the weight hook, notifications, game-day
 * faults and their undo): an argv template with {name} placeholders filled
 * word by word, run with posix_spawnp, never through a shell, and waited
 * for with a time limit. */
#ifndef LIVE_SPAWN_H
#define LIVE_SPAWN_H

#include <stddef.h>
#include <stdint.h>

#include "live/live.h"

/* Values for placeholders: {keys[i]} becomes vals[i]. */
struct live_vars {
	const char *const *keys;
	const char *const *vals;
	size_t n;
};

/* A placeholder is '{', a name (letters, digits, '_'; not starting with a
 * digit) and '}'; other braces (PromQL's label matchers) are text. Copies
 * the first placeholder in word that is not one of the n names in keys
 * into buf (size bytes) as "{name}" and returns 1; 0 when there is none. */
int live_argv_unknown(const char *word, const char *const *keys, size_t n,
		      char *buf, size_t size);

/* tpl with every {key} replaced, as an owned NULL-terminated argv (free
 * with live_argv_free()); NULL when out of memory. An unknown placeholder
 * stays as it is. */
char **live_argv_expand(const struct live_argv *tpl, const struct live_vars *v);
void live_argv_free(char **argv);

/* Runs argv (argv[0] looked up in PATH) with stdin from /dev/null, waits
 * at most timeout_ns, then kills it (SIGKILL) and reaps it. Returns 0 when
 * it exited with status 0; else -1 with err (errlen bytes) saying what
 * happened: could not start, exited with status N, killed by signal N, or
 * timed out. */
int live_run_command(char *const *argv, int64_t timeout_ns, char *err, size_t errlen);

#endif
