#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/diag.h"

void scn_diag_init(struct scn_diag *d)
{
	memset(d, 0, sizeof(*d));
}

void scn_diag_free(struct scn_diag *d)
{
	for (size_t i = 0; i < d->count; i++)
		free(d->lines[i]);
	scn_diag_init(d);
}

void scn_diag_addf(struct scn_diag *d, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *line;

	if (d->count == SCN_DIAG_MAX) {
		d->dropped++;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	line = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (line == NULL) {
		d->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(line, (size_t)n + 1, fmt, ap);
	va_end(ap);
	d->lines[d->count++] = line;
}

bool scn_diag_empty(const struct scn_diag *d)
{
	return d->count == 0 && d->dropped == 0;
}
