/* Output files that never show half-written: each is written beside its
 * final name and renamed into place. Shared by every report. */
#ifndef RPT_FILE_OUT_H
#define RPT_FILE_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

/* Creates dir and its parents as needed: 0, or -1 with errno set (ENOTDIR
 * when dir exists and is not a directory). */
int rpt_make_dirs(const char *dir);

/* Writes dir/name through dir/.name.tmp (flushed to disk, then renamed):
 * fn(f, ctx) writes the content and
 * returns 0 or -1. Returns 0, or -1 with err (of size errlen) saying which
 * file and why; the temporary file is then removed. */
int rpt_write_file(const char *dir, const char *name,
		   int (*fn)(FILE *f, const void *ctx), const void *ctx,
		   char *err, size_t errlen);

/* As rpt_write_file, for the file at path (its folder must exist). */
int rpt_write_path(const char *path, int (*fn)(FILE *f, const void *ctx), const void *ctx,
		   char *err, size_t errlen);

/* Prints o formatted, a newline after it, and deletes o (NULL: out of
 * memory, -1). Returns 0 or -1. */
int rpt_print_json(FILE *f, cJSON *o);

/* Adds key: x, or key: null for NaN (JSON has no NaN). */
bool rpt_json_add_number(cJSON *o, const char *key, double x);
/* Adds key: v exactly: cJSON keeps numbers as doubles, exact only up to
 * 2^53, so whole counts and seeds are written as their decimal text. */
bool rpt_json_add_u64(cJSON *o, const char *key, uint64_t v);

#endif
