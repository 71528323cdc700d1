/* Status codes of the replay boundary (reading recorded metrics, the
 * replay world). 0 is success; codes are appended, never renumbered;
 * names and messages come from one list. */
#ifndef REPLAY_STATUS_H
#define REPLAY_STATUS_H

#define REPLAY_STATUS_LIST(X)                               \
	X(REPLAY_OK, "success")                             \
	X(REPLAY_ENOMEM, "out of memory")                   \
	X(REPLAY_EIO, "cannot read the recorded metrics")   \
	X(REPLAY_EINVAL, "the recorded metrics are not valid")

enum replay_status {
#define REPLAY_STATUS_ENUM(name, msg) name,
	REPLAY_STATUS_LIST(REPLAY_STATUS_ENUM)
#undef REPLAY_STATUS_ENUM
};

/* Returns a static message for st; never NULL. */
const char *replay_strerror(enum replay_status st);

#endif
