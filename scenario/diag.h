/* Diagnostics: the list of problems found in a user's input, one line each,
 * already naming the file and the line and column or the JSON path. The
 * loader adds to it; the CLI prints it. */
#ifndef SCN_DIAG_H
#define SCN_DIAG_H

#include <stdbool.h>
#include <stddef.h>

#define SCN_DIAG_MAX 100          /* lines kept; more are counted only */

struct scn_diag {
	char *lines[SCN_DIAG_MAX]; /* owned */
	size_t count;              /* lines kept */
	size_t dropped;            /* problems beyond SCN_DIAG_MAX, or lost to OOM */
};

void scn_diag_init(struct scn_diag *d);
void scn_diag_free(struct scn_diag *d);
/* Adds one problem, formatted like printf. */
void scn_diag_addf(struct scn_diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* True when no problem has been added. */
bool scn_diag_empty(const struct scn_diag *d);

#endif
