#include <stdatomic.h>
#include <stdlib.h>

#include "tests/unit/alloc_fail.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);

/* Atomic: a threaded study allocates from several threads at once. */
static atomic_size_t fail_at, seen;
static atomic_int failed;

void t_alloc_fail_at(size_t nth)
{
	fail_at = nth;
	seen = 0;
	failed = 0;
}

size_t t_alloc_count(void)
{
	return seen;
}

int t_alloc_failed(void)
{
	return failed;
}

static int should_fail(void)
{
	if (atomic_fetch_add(&seen, 1) + 1 == atomic_load(&fail_at)) {
		failed = 1;
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
