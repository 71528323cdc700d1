/* Reads a recording from Prometheus range-query responses (the JSON of
 * /api/v1/query_range, a matrix), one file per metric, each holding one
 * series per version told apart by a label (format in docs/replay.md).
 * Missing points, gaps and "NaN" are no data; the step between points is
 * the window. Every problem names the file and the JSON path. */
#ifndef REPLAY_PROMETHEUS_H
#define REPLAY_PROMETHEUS_H

#include <stddef.h>

#include "engine/metrics.h"
#include "replay/field.h"
#include "replay/series.h"
#include "replay/status.h"
#include "scenario/diag.h"

#define REPLAY_PROM_MAX_BYTES (256u << 20)

/* One response: which figure it gives and the file holding it. */
struct replay_prom_input {
	enum replay_field field;
	const char *path;         /* borrowed */
};

/* How a series names its version: the value of label `label`. */
struct replay_prom_labels {
	const char *label;        /* borrowed, e.g. "version" */
	const char *value[ENG_NVERSIONS]; /* borrowed, e.g. "stable", "canary" */
};

/* Reads the n responses `in` (borrowed; requests and one of errors and
 * error_rate among them, each figure once) into *out (owned by the caller,
 * free with replay_series_free()). REPLAY_EIO and REPLAY_EINVAL add one
 * line per problem to diag; on any failure *out is NULL. */
enum replay_status replay_read_prometheus(const struct replay_prom_input *in, size_t n,
					  const struct replay_prom_labels *labels,
					  struct scn_diag *diag,
					  struct replay_series **out);

#endif
