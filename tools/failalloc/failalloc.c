/* Allocation failure injection, as SQLite's and curl's tests do it: in a
 * binary linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc, every
 * allocation rollsim's own code makes passes through here, and the Nth one
 * can be made to fail (return NULL). The unit tests arm it with
 * failalloc_at(); rollsim-failalloc with ROLLSIM_FAIL_ALLOC=N in the
 * environment, and then says at exit on stderr how many allocations were
 * made and whether the Nth failed, so that a test can go on with N + 1
 * until none fails (tests/faults/alloc.sh). Allocations inside shared
 * libraries (cJSON, GSL, libc's own) are not counted. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "tools/failalloc/failalloc.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);

/* Atomic: studies allocate from several threads at once. */
static atomic_size_t fail_at, seen;
static atomic_int failed, configured;

void failalloc_at(size_t nth)
{
	atomic_store(&fail_at, nth);
	atomic_store(&seen, 0);
	atomic_store(&failed, 0);
}

size_t failalloc_count(void)
{
	return atomic_load(&seen);
}

int failalloc_failed(void)
{
	return atomic_load(&failed);
}

static void report(void)
{
	fprintf(stderr, "failalloc: %zu allocations; %s\n", failalloc_count(),
		failalloc_failed() ? "the one asked for failed" : "none failed");
}

/* ROLLSIM_FAIL_ALLOC, read at the first allocation. */
static void configure(void)
{
	int expected = 0;

	if (!atomic_compare_exchange_strong(&configured, &expected, 1))
		return;
	const char *s = getenv("ROLLSIM_FAIL_ALLOC");

	if (s != NULL) {
		atomic_store(&fail_at, (size_t)strtoull(s, NULL, 10));
		atexit(report);
	}
}

static int should_fail(void)
{
	configure();
	if (atomic_fetch_add(&seen, 1) + 1 == atomic_load(&fail_at)) {
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
