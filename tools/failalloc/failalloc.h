/* Allocation failure injection (tools/failalloc/failalloc.c), for binaries
 * linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc: the unit
 * tests arm it by call, rollsim-failalloc by ROLLSIM_FAIL_ALLOC=N. */
#ifndef FAILALLOC_H
#define FAILALLOC_H

#include <stddef.h>

/* From now on, fail the nth allocation (1-based) and only that one;
 * 0 fails none. Resets the count. */
void failalloc_at(size_t nth);
/* Allocations seen since the last failalloc_at(). */
size_t failalloc_count(void);
/* True when the armed failure has happened. */
int failalloc_failed(void);

#endif
