/* Writes one run's files: summary.json, timeline.csv and events.jsonl
 * (formats in docs/outputs.md). Each file is written beside its final name
 * and renamed into place, so a reader never sees half a file. */
#ifndef RPT_RUN_REPORT_H
#define RPT_RUN_REPORT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "engine/event.h"
#include "engine/record.h"
#include "reports/run_summary.h"

#define RPT_STATUS_LIST(X)                          \
	X(RPT_OK, "success")                        \
	X(RPT_ENOMEM, "out of memory")              \
	X(RPT_EIO, "cannot write the output")

enum rpt_status {
#define RPT_STATUS_ENUM(name, msg) name,
	RPT_STATUS_LIST(RPT_STATUS_ENUM)
#undef RPT_STATUS_ENUM
};

const char *rpt_strerror(enum rpt_status st);

/* Returns an owned JSON object of the summary, free with cJSON_Delete();
 * NULL when out of memory. */
cJSON *rpt_summary_json(const struct rpt_run_meta *meta,
			const struct rpt_summary *sum);

/* Returns an owned JSON object of one decision event, free with
 * cJSON_Delete(); NULL when out of memory. */
cJSON *rpt_event_json(const struct eng_event *ev);

/* Writes the three files into dir, creating it (and its parents) when
 * needed. On RPT_EIO, err (of size errlen) says which file and why. */
enum rpt_status rpt_write_run(const char *dir, const struct eng_record *rec,
			      const struct rpt_run_meta *meta,
			      const struct rpt_summary *sum,
			      char *err, size_t errlen);

#endif
