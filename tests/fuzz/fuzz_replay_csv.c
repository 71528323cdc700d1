/* libFuzzer driver: the replay CSV reader (replay_read_csv_text, which
 * replay_read_csv feeds line by line too) on untrusted bytes. It checks
 * only what replay/csv_in.h promises; abort() when a promise breaks.
 * `make fuzz` builds and runs it. */
#include <stdint.h>
#include <stdlib.h>

#include "replay/csv_in.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scn_diag diag;
	struct replay_series *s = (struct replay_series *)&diag; /* must become NULL or a series */
	enum replay_status st;

	scn_diag_init(&diag);
	st = replay_read_csv_text((const char *)data, size, "fuzz.csv", &diag, &s);
	switch (st) {
	case REPLAY_OK:
		/* at least two windows, of a positive step */
		if (s == NULL || s == (struct replay_series *)&diag ||
		    replay_series_count(s) < 2 || replay_series_step_ns(s) <= 0)
			abort();
		break;
	case REPLAY_EIO:
	case REPLAY_EINVAL:
		if (s != NULL || scn_diag_empty(&diag))
			abort();
		break;
	case REPLAY_ENOMEM:
		if (s != NULL)
			abort();
		break;
	default:
		abort();
	}
	replay_series_free(s);
	scn_diag_free(&diag);
	return 0;
}
