/* Allocation failure injection for a test build of rollsim (rollsim-failalloc,
 * linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc): with
 * ROLLSIM_FAIL_ALLOC=N in the environment, the Nth allocation rollsim's own
 * code makes fails (returns NULL), as SQLite's and curl's tests do it. At
 * exit it says on stderr how many allocations were made and whether the
 * Nth failed, so that a test can go on with N + 1 until none fails
 * (tests/faults/alloc.sh). Allocations inside shared libraries (cJSON, GSL,
 * libc's own) are not counted. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);

/* Atomic: studies allocate from several threads at once. */
static atomic_size_t seen;
static atomic_int failed;
static size_t fail_at;        /* 0: never */
static atomic_int configured;

static void report(void)
{
	fprintf(stderr, "failalloc: %zu allocations; %s\n", (size_t)atomic_load(&seen),
		atomic_load(&failed) ? "the one asked for failed" : "none failed");
}

static void configure(void)
{
	int expected = 0;

	if (!atomic_compare_exchange_strong(&configured, &expected, 1))
		return;
	const char *s = getenv("ROLLSIM_FAIL_ALLOC");

	if (s != NULL) {
		fail_at = (size_t)strtoull(s, NULL, 10);
		atexit(report);
	}
}

static int should_fail(void)
{
	configure();
	if (fail_at != 0 && atomic_fetch_add(&seen, 1) + 1 == fail_at) {
		atomic_store(&failed, 1);
		return 1;
	}
	return 0;
}

void *__wrap_malloc(size_t n)
{
	return should_fail() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t k, size_t n)
{
	return should_fail() ? NULL : __real_calloc(k, n);
}

void *__wrap_realloc(void *p, size_t n)
{
	return should_fail() ? NULL : __real_realloc(p, n);
}
