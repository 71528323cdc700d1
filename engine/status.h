/* Status codes of the engine boundary, shared by the world port.
 * 0 is success; codes are appended, never renumbered. Names and messages
 * come from one list; eng_strerror() turns a code into its message. */
#ifndef ENG_STATUS_H
#define ENG_STATUS_H

#define ENG_STATUS_LIST(X)                                              \
	X(ENG_OK, "success")                                            \
	X(ENG_ENOMEM, "out of memory")                                  \
	X(ENG_EINVAL, "invalid argument")                               \
	X(ENG_EWORLD, "the world failed to carry out an operation")     \
	X(ENG_ENOTSUP, "operation not supported by this world")          \
	X(ENG_EEND, "the world ends before that time (a recording ran out)")

enum eng_status {
#define ENG_STATUS_ENUM(name, msg) name,
	ENG_STATUS_LIST(ENG_STATUS_ENUM)
#undef ENG_STATUS_ENUM
};

/* Returns a static message for status; never NULL. */
const char *eng_strerror(enum eng_status status);

#endif
