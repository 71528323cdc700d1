/* Allocation failure injection for the fault-path tests: the test binary is
 * linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc, so every
 * allocation made by rollsim's own code passes through here and the Nth one
 * can be made to fail. Libraries' internal allocations are not affected. */
#ifndef TESTS_UNIT_ALLOC_FAIL_H
#define TESTS_UNIT_ALLOC_FAIL_H

#include <stddef.h>

/* From now on, fail the nth allocation (1-based) and only that one;
 * 0 fails none. Resets the count. */
void t_alloc_fail_at(size_t nth);
/* Allocations seen since the last t_alloc_fail_at(). */
size_t t_alloc_count(void);
/* True when the armed failure has happened. */
int t_alloc_failed(void);

#endif
