#include "replay/status.h"

const char *replay_strerror(enum replay_status st)
{
	switch (st) {
#define REPLAY_STATUS_CASE(name, msg) \
	case name:                    \
		return msg;
		REPLAY_STATUS_LIST(REPLAY_STATUS_CASE)
#undef REPLAY_STATUS_CASE
	}
	return "unknown replay status";
}
