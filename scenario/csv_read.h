/* Reads numeric CSV files with libcsv: a table of rows of exactly `ncols`
 * numbers, with an optional header row of names first. Used for recorded
 * traffic traces and empirical samples; every problem is reported with its
 * file, line and column. */
#ifndef SCN_CSV_READ_H
#define SCN_CSV_READ_H

#include <stddef.h>

#include "scenario/diag.h"

#define SCN_CSV_MAX_ROWS 10000000

/* Reads `path` into *out (owned by the caller, free with free(); row r,
 * column c at (*out)[r * ncols + c]) and its row count into *nrows.
 * Returns 0, or -1 with one line per problem in diag (and *out NULL), each
 * starting with `where` (the file and JSON path that named the CSV). */
int scn_csv_read_numbers(const char *path, size_t ncols, const char *where,
			 struct scn_diag *diag, double **out, size_t *nrows);

#endif
