/* Reads a recording from CSV (libcsv): one row per window per version,
 * the columns of `rollsim run`'s timeline.csv, found by their header names
 * in any order (format in docs/replay.md). Checks every value and the
 * windows' order and step, and names the file, line and column of every
 * problem. */
#ifndef REPLAY_CSV_IN_H
#define REPLAY_CSV_IN_H

#include <stddef.h>

#include "replay/series.h"
#include "replay/status.h"
#include "scenario/diag.h"

#define REPLAY_CSV_MAX_WINDOWS 10000000

/* Reads `path` into *out (owned by the caller, free with
 * replay_series_free()). REPLAY_EIO and REPLAY_EINVAL add one line per
 * problem to diag; on any failure *out is NULL. */
enum replay_status replay_read_csv(const char *path, struct scn_diag *diag,
				   struct replay_series **out);

/* The same for text already in memory (len bytes, borrowed, need not be
 * NUL-terminated); `source` names it in the messages, as the path does. */
enum replay_status replay_read_csv_text(const char *text, size_t len, const char *source,
					struct scn_diag *diag, struct replay_series **out);

#endif
