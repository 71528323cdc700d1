/* CSV output helpers: numbers in a fixed format, and text fields quoted by
 * libcsv whenever they hold a delimiter, a quote or a line break. */
#ifndef RPT_CSV_OUT_H
#define RPT_CSV_OUT_H

#include <stdio.h>

/* Writes s as one CSV field (no delimiter). Returns 0, or -1 on error. */
int rpt_csv_text(FILE *f, const char *s);
/* Writes x with `decimals` digits after the point; an empty field for NaN. */
int rpt_csv_number(FILE *f, double x, int decimals);

#endif
