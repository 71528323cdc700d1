/* Settings changed on the command line: `--set PATH=VALUE` puts VALUE at
 * the dotted PATH of a scenario's JSON before it is loaded, so a sweep
 * can try thresholds without a file per setting. */
#ifndef SCN_PATCH_H
#define SCN_PATCH_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

/* One setting: PATH as keys and [indices], such as
 * "deployment.analysis.metrics[0].max"; VALUE as JSON (a number, true,
 * false, null, a quoted string, an array or object) or else taken as a
 * string. Both borrowed. */
struct scn_patch {
	const char *path;
	const char *value;
};

/* Puts p's value at p's path in root. Every key and index before the last
 * must exist; the last key may be new (an optional key left at its
 * default), the last index must exist. Returns true, or false with err
 * (of size errlen) saying which part of the path does not fit, and what
 * is there; false too when out of memory ("out of memory"). */
bool scn_patch_apply(cJSON *root, const struct scn_patch *p, char *err, size_t errlen);

#endif
