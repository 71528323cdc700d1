/* Gates: checks that must pass before any traffic moves. Today the version
 * compatibility gate: an allowed upgrade path between the stable and the
 * canary version, no unapproved breaking change, and a data migration that
 * can be undone unless the rollout freezes instead of rolling back. */
#ifndef ENG_GATE_H
#define ENG_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ENG_MAX_UPGRADE_PATHS 16
#include "engine/event.h"  /* ENG_GATE_REASON_MAX, ENG_EVENT_NAME_MAX */

/* A version as MAJOR.MINOR.PATCH; parts not given are "any" in a path. */
struct eng_version_id {
	uint32_t part[3];         /* major, minor, patch */
	uint32_t nparts;          /* how many were given, 1..3 */
};

/* From a version matching `from` to one matching `to` is allowed. */
struct eng_upgrade_path {
	struct eng_version_id from, to;
};

struct eng_compat_config {
	bool enabled;
	struct eng_version_id stable;   /* full version, 3 parts */
	struct eng_version_id canary;   /* full version, 3 parts */
	struct eng_upgrade_path paths[ENG_MAX_UPGRADE_PATHS];
	size_t npaths;                  /* 0: any upgrade within a major version */
	bool breaking_changes;          /* the canary breaks a contract */
	bool allow_breaking;            /* and that is accepted */
	bool migration_reversible;      /* its data migration can be undone */
};

#define ENG_MAX_SMOKE_TESTS 16

/* A smoke test run after the canary is deployed and before any traffic
 * moves: the world runs it; the rollout decides what its results mean. */
struct eng_smoke_test {
	char name[ENG_EVENT_NAME_MAX];
	bool critical;            /* failing it (every attempt) blocks the release */
	uint32_t retries;         /* attempts after the first failure */
};

/* Parses "1", "1.4" or "1.4.2" (an optional leading 'v'); false when it is
 * not such a version. */
bool eng_version_parse(const char *s, struct eng_version_id *out);
/* True when v matches pattern: every part the pattern gives is equal. */
bool eng_version_matches(const struct eng_version_id *v,
			 const struct eng_version_id *pattern);
/* -1, 0 or 1 as a is below, equal to or above b (missing parts are 0). */
int eng_version_compare(const struct eng_version_id *a,
			const struct eng_version_id *b);

/* Judges the compatibility gate; `freezes` says whether the rollout freezes
 * instead of rolling back. True when the release may start; otherwise
 * reason (of size n) says why. */
bool eng_compat_allows(const struct eng_compat_config *c, bool freezes,
		       char *reason, size_t n);

#endif
