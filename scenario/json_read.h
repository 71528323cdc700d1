/* Checked reads from a cJSON tree: each getter names the JSON path, what it
 * found and what it expected when a value is missing, of the wrong type or
 * out of range, and records that in the diagnostics instead of stopping, so
 * one pass reports every problem. Used by the scenario loader. */
#ifndef SCN_JSON_READ_H
#define SCN_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "scenario/diag.h"

#define SCN_PATH_MAX 256

struct scn_reader {
	const char *source;       /* file name for messages, borrowed */
	struct scn_diag *diag;    /* borrowed */
};

/* A closed or left-open numeric range for messages and checks. */
struct scn_range {
	double lo, hi;
	bool lo_open;             /* lo itself is not allowed */
};

/* Writes parent.key (or key at the top) into buf. */
void scn_path_key(char *buf, size_t n, const char *parent, const char *key);
/* Writes parent[i] into buf. */
void scn_path_index(char *buf, size_t n, const char *parent, size_t i);

/* Adds "source: path: message" to the diagnostics. */
void scn_report(struct scn_reader *r, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Of names (NULL-terminated), the one closest to name within max_edits
 * edits (Levenshtein; at most 3 count); NULL when none is. */
const char *scn_closest(const char *name, const char *const *names, size_t max_edits);

/* Reports members of obj whose key is not in `allowed` (NULL-terminated),
 * with the allowed key closest to it when one is near ("did you mean"),
 * and keys that appear twice. */
void scn_check_keys(struct scn_reader *r, const cJSON *obj, const char *path,
		    const char *const *allowed);

/* obj.key as an object, or NULL (reported when required or of wrong type). */
const cJSON *scn_get_object(struct scn_reader *r, const cJSON *obj,
			    const char *path, const char *key, bool required);
/* obj.key as an array, or NULL (reported when required or of wrong type). */
const cJSON *scn_get_array(struct scn_reader *r, const cJSON *obj,
			   const char *path, const char *key, bool required);

/* Reads obj.key into *out. When absent: required reports it, otherwise
 * *out keeps its value (the caller's default). Returns false when a problem
 * was reported. */
bool scn_get_number(struct scn_reader *r, const cJSON *obj, const char *path,
		    const char *key, bool required, struct scn_range range,
		    double *out);
/* As scn_get_number, and the value must be a whole number. */
bool scn_get_uint(struct scn_reader *r, const cJSON *obj, const char *path,
		  const char *key, bool required, uint64_t lo, uint64_t hi,
		  uint64_t *out);
bool scn_get_bool(struct scn_reader *r, const cJSON *obj, const char *path,
		  const char *key, bool required, bool *out);
/* *out borrows the tree's string; unchanged when absent. */
bool scn_get_string(struct scn_reader *r, const cJSON *obj, const char *path,
		    const char *key, bool required, const char **out);
/* Reads a string that must be one of `names` (NULL-terminated) into *index. */
bool scn_get_choice(struct scn_reader *r, const cJSON *obj, const char *path,
		    const char *key, bool required, const char *const *names,
		    size_t *index);

/* Parses text (len bytes, not necessarily NUL-terminated) as one JSON
 * value with nothing but blanks after it. Returns the owned tree, free
 * with cJSON_Delete(); or NULL with the line and column where parsing
 * stopped in r's diagnostics. */
cJSON *scn_parse_json(struct scn_reader *r, const char *text, size_t len);

/* "a number", "a string", ... for messages. */
const char *scn_json_type_name(const cJSON *j);

#endif
