#include "engine/status.h"

const char *eng_strerror(enum eng_status status)
{
	switch (status) {
#define ENG_STATUS_CASE(name, msg) \
	case name:                 \
		return msg;
		ENG_STATUS_LIST(ENG_STATUS_CASE)
#undef ENG_STATUS_CASE
	}
	return "unknown engine status";
}
